/** Globals installed by the keel-xs engine host (hosts/xs/keel-xs.c). */
interface KeelXsHost {
  /** Slots in use (machine->currentHeapCount). Grows by one per slot between collections. */
  slots(): number;
  /** Chunk bytes in use (machine->currentChunksSize). Grows by each chunk's bytes between collections. */
  chunks(): number;
  /** XS compute meter: bytecode steps since start (u32, wraps). Deterministic. */
  steps(): number;
  /** Garbage collections since start. */
  gcCount(): number;
  /** Size of the fixed slot heap, in slots. */
  heapSlots(): number;
  /** Size of the fixed chunk heap, in bytes. */
  heapChunks(): number;
  /** Sets the host's exit status. */
  exit(code: number): void;
}
declare var $xs: KeelXsHost | undefined;

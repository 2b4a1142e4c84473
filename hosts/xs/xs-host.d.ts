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
  /** Blocks the VM's thread for `us` microseconds (at most 60 s): a test stalls its consumer with it. */
  sleepUs(us: number): void;
  /**
   * The native interrupt bridge's bench (hosts/native/keel_isr.c; docs/interrupts.md):
   * attaches keel_isr to `buffer` (a SharedEventQueue's SharedArrayBuffer) and starts
   * one POSIX thread per source that posts `count` edges with keel_isr_edge (p0 = id + i,
   * p1 = level, p2 = time in us on isrNowUs's clock, p3 = the source's sequence number).
   * Returns the threads started (0 with count 0: post with isrEdges). Throws an Error
   * naming the KEEL_ISR_E* code for a buffer or mode keel_isr_attach refuses, and while
   * a previous run's threads still post.
   */
  isrStart(options: IsrStartOptions): number;
  /** `n` edges of source `source` (an index) posted now from the VM's thread; returns how many were posted. Allocates nothing. */
  isrEdges(source: number, n: number): number;
  /** Producer threads that have not yet posted their last edge. */
  isrRunning(): number;
  /** 1 once a producer's wake arrived (keel_isr_wake_done is then called on every source unless `done` is false), 0 after `timeoutMs` (0: no wait). Allocates nothing. */
  isrWait(timeoutMs: number, done?: boolean): number;
  /** keel_isr_wake_done on every source (after isrWait(ms, false), as a wake handler would). Allocates nothing. */
  isrWakeDone(): void;
  /** One counter summed over the run's sources: 0 offered, 1 posted, 2 refused, 3 glitched, 4 corrupt, 5 wakes. Allocates nothing. */
  isrCounter(index: number): number;
  /** The producers' clock (CLOCK_MONOTONIC), microseconds. */
  isrNowUs(): number;
  /** Counters of one source (index), or summed over the run's sources. */
  isrStats(source?: number): IsrStats;
  /** Joins the producer threads, ends the run (releases the buffer) and returns isrStats(). */
  isrJoin(): IsrStats;
}
interface IsrStartOptions {
  buffer: SharedArrayBuffer | ArrayBuffer;
  /** 'single' (KEEL_ISR_SINGLE: the queue's lone producer) or 'multiple' (default; queue made with producers: 'multiple'). */
  mode?: 'single' | 'multiple' | number;
  /** Signal posted (default 1). */
  sig?: number;
  /** Source 0's id, in p0 (default 0); source i posts id + i. */
  id?: number;
  /** Producer threads, 1..8 (default 1). */
  sources?: number;
  /** Edges per source (default 0: no thread; use isrEdges). */
  count?: number;
  /** Edges per second per source, in bursts of `burst` back-to-back edges; 0 (default): full speed. */
  ratePerSec?: number;
  burst?: number;
  /** keel_isr's glitch filter, microseconds (default 0: off). */
  glitchUs?: number;
  /** Wake the VM through isrWait's semaphore, once per burst (default true). */
  wake?: boolean;
  /** 0 (default): off. Else a thread waits before a burst while the ring holds more than maxFill records (counted in throttled): a test pacing aid, not an interrupt's behaviour. */
  maxFill?: number;
}
interface IsrStats {
  offered: number;
  posted: number;
  refused: number;
  glitched: number;
  corrupt: number;
  wakes: number;
  /** Time (isrNowUs clock) of the first and last edge a thread posted; 0 for isrEdges-only sources. */
  firstUs: number;
  lastUs: number;
  /** Bursts that waited for maxFill. */
  throttled: number;
}
declare var $xs: KeelXsHost | undefined;

/**
 * hosts/moddable/alloc-probe: the on-device allocation probe, over Moddable's
 * `instrumentation` module.
 *
 * `snapshot()` after boot records "XS Slot Heap Used" and "XS Chunk Heap
 * Used"; `read()` later sets `slotBytes`, `slots`, `chunkBytes` to what was
 * allocated since, and `collections` to the garbage collections seen since.
 * A window is trustworthy only when `collections === 0`: a collection frees
 * garbage and lowers "used", hiding allocations. Keel's promise is
 * `slots === 0 && chunkBytes === 0 && collections === 0` for every window.
 *
 * What the instruments are (Moddable SDK sources, modules/base/instrumentation
 * and the device hosts' xsHost.c):
 *  - "XS Slot Heap Used" = currentHeapCount * sizeof(txSlot), in BYTES (divide
 *    by `slotBytes`: 16 on 32-bit MCUs); "XS Chunk Heap Used" =
 *    currentChunksSize, bytes. These are the counters the keel-xs test host
 *    reads ($xs.slots(), $xs.chunks()), and they are read live on each get().
 *  - "XS Garbage Collection Count" is NOT cumulative: the host's
 *    instrumentation timer samples all instruments once a second (for xsbug)
 *    and resets this count to 0 after each sample. The probe therefore polls
 *    it on every tick (`tick()`), adding increases and treating a decrease as
 *    a reset. Polls more than a second apart can miss collections; the tick
 *    driver polls every tick.
 *  - Instrumentation exists only in debug (`mcconfig -d`) and instrumented
 *    (`-i`) builds. In a plain release build Instrumentation.map()/get()
 *    return undefined: `available` is 0 and the deltas stay 0 (not "zero
 *    allocation": "not measured").
 *
 * Allocation: the constructor calls Instrumentation.map with three strings
 * (once). snapshot(), tick() and read() call Instrumentation.get(index) with a
 * number and write number fields: allocation-free.
 *
 * Proven on the XS engine host (test/moddable-host.test.ts, instrumentation
 * stand-in): 10,000 tick() and 10,000 snapshot()+read(), 0 slots, 0 chunks.
 *
 * Contexts: all methods on the main VM (boot, tick, report). Worker VMs have
 * their own machine; this probe measures the main VM only.
 *
 * Lifecycle:
 *
 *   [created] --snapshot()--> [window open] --read()--> [window read]
 *                 ^               |  ^                       |
 *                 |               +--+ tick(): poll GC count |
 *                 +------------------------------------------+ snapshot() (next window)
 */
import Instrumentation from 'instrumentation';
import type { Tickable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

export interface AllocationProbeOptions {
  readonly name: string;
  /** Bytes per slot on this target (BoardConfig.slotBytes). */
  readonly slotBytes: number;
}

export class AllocationProbe implements Tickable {
  readonly name: string;
  readonly slotBytesPerSlot: number;
  /** 1 when the build has instrumentation (debug or -i builds). */
  readonly available: number;
  /** Windows opened (snapshot() calls). */
  windows = 0;
  /** Results of the last read(). */
  slotBytes = 0;
  slots = 0;
  chunkBytes = 0;
  collections = 0;
  /** Worst window so far (slots, chunk bytes) among windows without collections. */
  maxSlots = 0;
  maxChunkBytes = 0;
  private readonly slotIndex: number;
  private readonly chunkIndex: number;
  private readonly gcIndex: number;
  private slot0 = 0;
  private chunk0 = 0;
  private gcLast = 0;
  private gcSum = 0;

  constructor(options: AllocationProbeOptions) {
    this.name = options.name;
    if (!(options.slotBytes > 0)) {
      throw new DeviceHostError(`AllocationProbe "${options.name}": slotBytes must be > 0 (got ${options.slotBytes}); set slotBytes in the board config (16 on 32-bit MCUs)`);
    }
    this.slotBytesPerSlot = options.slotBytes;
    const s = Instrumentation.map('XS Slot Heap Used');
    const c = Instrumentation.map('XS Chunk Heap Used');
    const g = Instrumentation.map('XS Garbage Collection Count');
    this.available = s !== undefined && c !== undefined && g !== undefined ? 1 : 0;
    this.slotIndex = s ?? 0;
    this.chunkIndex = c ?? 0;
    this.gcIndex = g ?? 0;
  }

  /** Opens a window: records the current use and zeroes the collection sum. */
  snapshot(): void {
    this.windows++;
    if (this.available === 0) return;
    this.slot0 = Instrumentation.get(this.slotIndex) ?? 0;
    this.chunk0 = Instrumentation.get(this.chunkIndex) ?? 0;
    this.gcLast = Instrumentation.get(this.gcIndex) ?? 0;
    this.gcSum = 0;
  }

  /** Polls the per-second GC count (call every tick). Allocation-free. */
  tick(_nowMs: number): void {
    if (this.available === 0) return;
    const g = Instrumentation.get(this.gcIndex) ?? 0;
    this.gcSum += g >= this.gcLast ? g - this.gcLast : g;
    this.gcLast = g;
  }

  /** Closes the window: sets slotBytes, slots, chunkBytes, collections. Returns true when clean (all 0). */
  read(): boolean {
    if (this.available === 0) return false;
    this.tick(0);
    this.slotBytes = (Instrumentation.get(this.slotIndex) ?? 0) - this.slot0;
    this.slots = this.slotBytes / this.slotBytesPerSlot;
    this.chunkBytes = (Instrumentation.get(this.chunkIndex) ?? 0) - this.chunk0;
    this.collections = this.gcSum;
    if (this.collections === 0) {
      if (this.slots > this.maxSlots) this.maxSlots = this.slots;
      if (this.chunkBytes > this.maxChunkBytes) this.maxChunkBytes = this.chunkBytes;
    }
    return this.slotBytes === 0 && this.chunkBytes === 0 && this.collections === 0;
  }
}

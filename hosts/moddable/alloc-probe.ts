/**
 * hosts/moddable/alloc-probe: the on-device allocation probe, over Moddable's
 * `instrumentation` module.
 *
 * `snapshot()` opens a window: it records "XS Slot Heap Used" and "XS Chunk
 * Heap Used". `tick()` (every tick) polls the GC count and both uses.
 * `read()` closes the window: `slotBytes`, `slots`, `chunkBytes` are the
 * change since the snapshot, `collections` the garbage collections seen in
 * the window, and `outcome` one of three results:
 *
 *   PROBE_CLEAN       no collection, no growth: nothing was allocated
 *   PROBE_ALLOCATED   no collection, use grew: the hot path allocated
 *   PROBE_NOT_VALID   a collection ran (counted or inferred): the deltas mix
 *                     freed garbage with allocations and prove nothing; a
 *                     negative delta is freed memory, never an allocation
 *   (PROBE_UNAVAILABLE: a build without instruments; nothing is measured)
 *
 * Keel's promise is PROBE_CLEAN for every window.
 *
 * What the instruments are (Moddable SDK sources: modules/base/
 * instrumentation/modInstrumentation.c, xs/platforms/mc/xsHosts.c for the
 * devices, build/simulators/modules/screen.c for the desktop simulator):
 *  - "XS Slot Heap Used" = currentHeapCount * sizeof(txSlot), in BYTES (divide
 *    by `slotBytes`: 16 on 32-bit MCUs, 32 on a 64-bit desktop); "XS Chunk
 *    Heap Used" = currentChunksSize, bytes. Read live on each get(). Between
 *    two collections they only grow: XS frees slots and chunks only when it
 *    collects.
 *  - "XS Garbage Collection Count" is NOT cumulative: once a second the host
 *    samples every instrument for xsbug and then resets it to 0 (devices: a
 *    1000 ms modTimer, espSampleInstrumentation + modInstrumentMachineReset;
 *    desktop: fxScreenSampleInstrumentation when the wall-clock second
 *    changes). The probe polls it every tick and adds increases; a decrease
 *    is that reset (the new value is what happened since).
 *  - A collection and a reset can both fall between two polls: the count is
 *    back to 0 and the collection is lost to it. The desktop simulator does
 *    exactly this after `main` (it collects right after the probe's
 *    snapshot, and the sample resets the count before the first poll), which
 *    used to print "slots -99 chunks -17776 B gc 0 (ALLOCATED ...)". Since use
 *    only drops in a collection, a poll that sees slot or chunk use below
 *    the previous poll and no counted collection counts one collection in
 *    `inferredCollections`. The case left undetectable: a collection, a
 *    reset AND enough new allocation to climb back above the last poll, all
 *    between two polls one tick apart.
 *  - Instruments exist only in debug (`mcconfig -d`) and instrumented (`-i`)
 *    builds. In a plain release build map()/get() return undefined:
 *    `available` is 0 and the outcome is PROBE_UNAVAILABLE (not a false zero).
 *
 * Allocation: the constructor calls Instrumentation.map with three strings
 * (once). snapshot(), tick() and read() call Instrumentation.get(index) with
 * a number and write number fields: allocation-free.
 *
 * Proven on the XS engine host (test/moddable/moddable-host.test.ts, instrumentation
 * stand-in): 10,000 tick() (GC count changing, collections inferred) and
 * 10,000 snapshot()+read(), 0 slots, 0 chunks, the first call included.
 *
 * Contexts: all methods on the main VM (boot, tick, report). Worker VMs have
 * their own machine; this probe measures the main VM only.
 *
 * Lifecycle:
 *
 *   [created] --snapshot()--> [window open] --read()--> [window read: outcome]
 *                 ^               |  ^                       |
 *                 |               +--+ tick(): poll GC count, slot and chunk use
 *                 +------------------------------------------+ snapshot() (next window)
 */
import Instrumentation from 'instrumentation';
import type { Tickable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** read() outcome: a build without instruments (nothing measured). */
export const PROBE_UNAVAILABLE = -1;
/** read() outcome: no collection and no growth: nothing allocated. */
export const PROBE_CLEAN = 0;
/** read() outcome: no collection and use grew: the window allocated. */
export const PROBE_ALLOCATED = 1;
/** read() outcome: a collection ran (counted or inferred): the deltas are not a measurement. */
export const PROBE_NOT_VALID = 2;

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
  outcome = PROBE_UNAVAILABLE;
  slotBytes = 0;
  slots = 0;
  chunkBytes = 0;
  /** Collections in the window: countedCollections + inferredCollections. */
  collections = 0;
  /** Collections the GC count showed. */
  countedCollections = 0;
  /** Collections inferred from a drop in slot or chunk use that the GC count missed. */
  inferredCollections = 0;
  /** Windows read, by outcome. */
  cleanWindows = 0;
  allocatedWindows = 0;
  notValidWindows = 0;
  /** Worst window so far (slots, chunk bytes) among windows without collections. */
  maxSlots = 0;
  maxChunkBytes = 0;
  private readonly slotIndex: number;
  private readonly chunkIndex: number;
  private readonly gcIndex: number;
  private slot0 = 0;
  private chunk0 = 0;
  private slotLast = 0;
  private chunkLast = 0;
  private gcLast = 0;
  private counted = 0;
  private inferred = 0;

  constructor(options: AllocationProbeOptions) {
    this.name = options.name;
    if (!(options.slotBytes > 0)) {
      throw new DeviceHostError('BAD_SLOT_BYTES', `AllocationProbe '${options.name}': slotBytes must be > 0 (got ${options.slotBytes}); set slotBytes in the board config (16 on 32-bit MCUs) [BAD_SLOT_BYTES]`);
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

  /** Opens a window: records the current use and zeroes the window's collections. */
  snapshot(): void {
    this.windows++;
    if (this.available === 0) return;
    const s = Instrumentation.get(this.slotIndex) ?? 0;
    const c = Instrumentation.get(this.chunkIndex) ?? 0;
    this.slot0 = s;
    this.chunk0 = c;
    this.slotLast = s;
    this.chunkLast = c;
    this.gcLast = Instrumentation.get(this.gcIndex) ?? 0;
    this.counted = 0;
    this.inferred = 0;
  }

  /**
   * Polls (call every tick): adds the GC count's increase (a decrease is the
   * once-a-second reset: the new value is what ran since), and infers one
   * collection when slot or chunk use dropped and the count showed none.
   * Allocation-free.
   */
  tick(_nowMs: number): void {
    if (this.available === 0) return;
    const g = Instrumentation.get(this.gcIndex) ?? 0;
    const s = Instrumentation.get(this.slotIndex) ?? 0;
    const c = Instrumentation.get(this.chunkIndex) ?? 0;
    const seen = g >= this.gcLast ? g - this.gcLast : g;
    this.gcLast = g;
    this.counted += seen;
    if (seen === 0 && (s < this.slotLast || c < this.chunkLast)) this.inferred++;
    this.slotLast = s;
    this.chunkLast = c;
  }

  /**
   * Closes the window (polls once more): sets slotBytes, slots, chunkBytes,
   * collections and outcome. Returns true when the window is PROBE_CLEAN.
   */
  read(): boolean {
    if (this.available === 0) {
      this.outcome = PROBE_UNAVAILABLE;
      return false;
    }
    this.tick(0);
    this.slotBytes = this.slotLast - this.slot0;
    this.slots = this.slotBytes / this.slotBytesPerSlot;
    this.chunkBytes = this.chunkLast - this.chunk0;
    // A drop since the snapshot was seen by some poll (inferred); this guard
    // only makes "negative is never an allocation" independent of that.
    if (this.counted + this.inferred === 0 && (this.slotBytes < 0 || this.chunkBytes < 0)) this.inferred++;
    this.countedCollections = this.counted;
    this.inferredCollections = this.inferred;
    this.collections = this.counted + this.inferred;
    if (this.collections > 0) {
      this.outcome = PROBE_NOT_VALID;
      this.notValidWindows++;
      return false;
    }
    if (this.slots > this.maxSlots) this.maxSlots = this.slots;
    if (this.chunkBytes > this.maxChunkBytes) this.maxChunkBytes = this.chunkBytes;
    if (this.slotBytes > 0 || this.chunkBytes > 0) {
      this.outcome = PROBE_ALLOCATED;
      this.allocatedWindows++;
      return false;
    }
    this.outcome = PROBE_CLEAN;
    this.cleanWindows++;
    return true;
  }
}

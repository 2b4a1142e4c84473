/**
 * hosts/moddable/interrupt/source: InterruptSource, a GPIO interrupt whose
 * edges a C handler (hosts/native/keel_isr.c) posts into a SharedEventQueue
 * ring with a microsecond timestamp and a sequence number, and that
 * JavaScript drains into an active object's queue. Used like an ECMA-419
 * input:
 *
 *   const ring = new SharedEventQueue({ capacity: 256, producers: 'single' }); // a SharedArrayBuffer
 *   const irq = new InterruptSource({ pin: 4, edge: EDGE_BOTH, queue: ring, signal: SIG_EDGE,
 *                                     glitchUs: 50, kernel, ao });
 *   // the AO's dispatch(sig, pin, level, timeUs, seq)
 *
 * Record (keel_isr.h): sig = signal, p0 = pin, p1 = level (0/1), p2 = time
 * in microseconds (InterruptSource.now()'s clock), p3 = the source's
 * sequence number 1, 2, 3... over every edge offered (before the glitch
 * filter), so gaps in p3 are exactly the edges the C side filtered, refused
 * or found corrupt, each counted.
 *
 * Platforms (chosen by hosts/moddable/interrupt/manifest.json):
 *   esp32  GPIO ISR (esp_timer_get_time), wake by modMessagePostToMachineFromISR
 *   pico   raw GPIO IRQ handler (time_us_64), same wake; ring: InterruptSource.ring()
 *   lin    mcsim: no GPIO; simulate({ hz, seconds, burst, gapUs }) starts a
 *          POSIX thread that plays the interrupt (simulated pins 0..63)
 *
 * The ring must be memory that never moves: a SharedArrayBuffer (the
 * default of new SharedEventQueue; XS keeps it outside its heap) or
 * InterruptSource.ring(capacity) (C memory; format it with
 * `atomics: singleCoreAtomics`, the only choice on RP2040). A plain
 * ArrayBuffer is refused (InterruptQueueError): the XS collector compacts
 * its chunk heap and moves ArrayBuffer data, and the interrupt would write
 * into memory that is no longer the ring.
 *
 * Wake and drain (once per burst, not per edge):
 *
 *   IRQ: keel_isr_edge -> record in the ring -> wake_pending 0->1 ? platform message
 *   VM:  onWake() -> wakeDone() (the next edge wakes again) -> drain():
 *          the AO stopped? take up to maxDrain records, drop them (counted)
 *          else up to maxDrain records: get() -> kernel.interrupt(ao, sig, p0..p3)
 *          (runs the kernel first when the AO's queue is full), then kernel.run()
 *   poll() (from the app's tick): drain() without a wake: picks up a wake the
 *          platform could not deliver (counted in wakesLost), records left
 *          by the maxDrain bound, or by a drain an exception ended.
 *
 * Errors, at construction only (boot): InterruptPinError (no such pin; pin
 * in use by another bridge or an IO object), InterruptQueueError (not a
 * SharedEventQueue, a buffer that moves, a buffer that does not match
 * docs/queue-layout.md: KEEL_ISR_E*, a mode the ring or the target cannot
 * use), InterruptConfigError (bad options, the platform could not arm it;
 * pico: a fifth source). Nothing in the interrupt path throws: every
 * refusal is a counter.
 *
 * Exceptions in a drain. A QueueCorruptionError from the ring's get() (the
 * queue resynced and counted it) is caught, counted in `corrupted`, and the
 * drain goes on. Anything else is not this bridge's to hide: an action that
 * throws inside kernel.run(), a target whose post() throws
 * (QueueOverflowError of an overflow: 'throw' queue), a kernel misuse. Where
 * it goes depends on who called:
 *   - poll() and drain(): the exception propagates to the caller (the app's
 *     tick), as any kernel.run() exception does.
 *   - a wake (onWake, called by the native side between VM turns): nothing
 *     above it could catch it, and on Moddable an exception out of a native
 *     callback aborts the VM (xsEndHost -> fxAbort: a reset on a device).
 *     So onWake catches it, counts it in `wakeErrors`, keeps it in
 *     `lastError`, and calls the `onError` option with it if one was given
 *     (an exception thrown by onError itself is counted the same way and
 *     dropped). The records the drain did not reach stay in the ring, for
 *     the next wake or poll().
 *   A record taken from the ring whose forward threw is counted in `taken`
 *   and `dropped` (it is lost: its forward did not complete).
 *
 * Counters (numbers, read any time; frozen at close()):
 *   C side: offered, posted, refused (ring full, also in the queue's
 *   REFUSED word), glitched, corrupt, wakes, wakesLost, wakeCalls (onWake
 *   deliveries). At any quiet moment: offered == posted + refused + glitched + corrupt.
 *   JS side: taken (records this bridge took from the ring), forwarded
 *   (accepted by the AO's queue), dropped (refused by it, counted in the
 *   kernel's interruptsRefused too; or taken while the AO was stopped, also
 *   in droppedStopped; or lost to a forward that threw), corrupted
 *   (QueueCorruptionError caught in a drain), drains, wakeups, wakeErrors.
 *   Always: taken == forwarded + dropped. With C as the ring's only
 *   producer, posted == taken + queue.ringLength.
 *
 * Allocation: onWake, drain, poll, the counters and now() allocate nothing
 * (a drain is get() + kernel.interrupt() + kernel.run() per record; the C
 * side calls onWake through xsCall0). Construction, simulate() and close()
 * allocate; so does an exception (its path only). Checked on the XS engine
 * host with real C threads (test/isr/isr-source.test.ts, over the stand-in
 * test/support/moddable/interrupt-native.ts) and in mcsim by the bridge
 * app's probe windows (scripts/check-moddable.mjs, "interrupt bridge").
 *
 * Contexts: everything on the VM thread. onWake is called by the native
 * side between VM turns; poll() from the host loop (a tick), never from an
 * action (it may run the kernel).
 *
 * Lifecycle:
 *
 *   [constructed: armed] --close()--> [closed: counters frozen]
 *      |  ^
 *      +--+ wake: onWake() -> drain()      poll(): drain()
 *
 * Preload-safe: constants, classes and functions only.
 */
import { KeelError, showValue } from 'keel/errors';
import { NO_EVENT, type EventQueue } from 'keel/queue';
import { QueueCorruptionError, SharedEventQueue } from 'keel/shared-queue';
import type { Kernel } from 'keel/kernel';
import type { Postable } from 'keel/host/types';
import { InterruptNative, InterruptRing } from 'keel/host/interrupt/native';

/** ECMA-419 `edge` values (Digital.Rising, Digital.Falling) and both. */
export const EDGE_RISING = 1;
export const EDGE_FALLING = 2;
export const EDGE_BOTH = 3;

export type InterruptPinErrorCode = 'NO_SUCH_PIN' | 'PIN_IN_USE';
/** The pin or a pin resource: unknown on this target, or used by another bridge / IO object. */
export class InterruptPinError extends KeelError {
  override name = 'InterruptPinError';
  declare readonly code: InterruptPinErrorCode;
}
export type InterruptQueueErrorCode =
  | 'BAD_ALIGNMENT'
  | 'RING_TOO_SMALL'
  | 'BAD_LAYOUT'
  | 'NEEDS_MULTIPLE_PRODUCERS'
  | 'NO_RING'
  | 'NOT_SHARED'
  | 'MULTIPLE_UNSAFE'
  | 'NOT_A_SHARED_QUEUE';
/** The queue or its buffer cannot be used by the C producer. */
export class InterruptQueueError extends KeelError {
  override name = 'InterruptQueueError';
  declare readonly code: InterruptQueueErrorCode;
}
export type InterruptConfigErrorCode =
  | 'NO_MEMORY'
  | 'ARM_FAILED'
  | 'CLOSED'
  | 'NO_SIMULATOR'
  | 'SIMULATION_RUNNING'
  | 'BAD_EDGE'
  | 'BAD_SIMULATION'
  | 'TOO_MANY_SOURCES'
  | 'NATIVE_ERROR'
  | 'BAD_OPTION'
  | 'BAD_MODE'
  | 'TARGET_AND_AO'
  | 'NOT_RUNNING'
  | 'NO_TARGET';
/** Bad options, or the platform could not arm the interrupt / start the simulation. */
export class InterruptConfigError extends KeelError {
  override name = 'InterruptConfigError';
  declare readonly code: InterruptConfigErrorCode;
}

export interface SimulateOptions {
  /** Bursts per second, 1..1,000,000. */
  readonly hz: number;
  /** How long, > 0 s (at most a day). */
  readonly seconds: number;
  /** Edges per burst, 1..1024 (default 1), alternating levels. */
  readonly burst?: number;
  /** Microseconds between the edges of a burst, 0..1,000,000 (default 0: back to back). */
  readonly gapUs?: number;
}

export interface InterruptSourceOptions {
  /** For messages. Default 'interrupt'. */
  readonly name?: string;
  /** GPIO number (lin: a simulated pin 0..63). */
  readonly pin: number;
  /** EDGE_RISING, EDGE_FALLING or EDGE_BOTH. */
  readonly edge: number;
  /** The ring (consumer handle) the C handler posts into; see the module header for its memory. */
  readonly queue: SharedEventQueue;
  /** Signal of the records, 0..65535. */
  readonly signal: number;
  /** Drop edges closer than this to the last accepted one, in C (counted in glitched). 0: off. */
  readonly glitchUs?: number;
  /** 'single': C is the ring's only producer; 'multiple': JS posts too. Default: the queue's producers. */
  readonly mode?: 'single' | 'multiple';
  /** Drain into this kernel's AO `ao` (kernel.interrupt), running the kernel as needed. */
  readonly kernel?: Kernel;
  readonly ao?: number;
  /** Or drain into any Postable (no kernel run). */
  readonly target?: Postable;
  /** Records one drain takes at most. Default the ring's capacity. */
  readonly maxDrain?: number;
  /** Called on the VM thread on each wake instead of the built-in drain (call drain() yourself). */
  readonly onWake?: (source: InterruptSource) => void;
  /** Called on the VM thread with an exception a wake's drain (or onWake) threw, after counting it in wakeErrors. */
  readonly onError?: (error: unknown, source: InterruptSource) => void;
  /** lin (mcsim) only: start the simulated interrupt at construction. */
  readonly simulate?: SimulateOptions;
}

const C_OFFERED = 0;
const C_POSTED = 1;
const C_REFUSED = 2;
const C_GLITCHED = 3;
const C_CORRUPT = 4;
const C_WAKES = 5;
const C_WAKES_LOST = 6;
const C_DELIVERED = 7;
const C_SIM_RUNNING = 8;
const C_COUNT = 9;
const MODE_SINGLE = 1;
const MODE_MULTIPLE = 2;

function isShared(b: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

/** The message of an open() / simulate() code (keel_isr.h KEEL_ISR_E*, keel_interrupt.h KIP_E*). Boot only. */
function openError(owner: string, code: number, pin: number, mode: string): KeelError {
  switch (code) {
    case 1:
      return new InterruptQueueError('BAD_ALIGNMENT', `${owner}: the ring buffer is not 8-byte aligned (KEEL_ISR_EALIGN); use a SharedArrayBuffer or InterruptSource.ring() [BAD_ALIGNMENT]`);
    case 2:
      return new InterruptQueueError('RING_TOO_SMALL', `${owner}: the ring buffer is shorter than 256 + 40 * SLOTS bytes (KEEL_ISR_ESIZE); size it with SharedEventQueue.byteLength(capacity) [RING_TOO_SMALL]`);
    case 3:
    case 4:
    case 5:
    case 7:
      return new InterruptQueueError(
        'BAD_LAYOUT',
        `${owner}: the ring buffer does not hold a SharedEventQueue of layout version 1 (KEEL_ISR_E${['', '', '', 'MAGIC', 'VERSION', 'LAYOUT', '', 'INDEX'][code]}); ` +
          'format it with new SharedEventQueue({ buffer }) before opening the source (docs/queue-layout.md) [BAD_LAYOUT]',
      );
    case 6:
      return new InterruptQueueError('NEEDS_MULTIPLE_PRODUCERS', `${owner}: mode '${mode}' needs a queue made with producers: 'multiple' (KEEL_ISR_EMODE); create the queue with producers: 'multiple', or use mode 'single' when C is its only producer [NEEDS_MULTIPLE_PRODUCERS]`);
    case 8:
      return new InterruptQueueError('NO_RING', `${owner}: no ring buffer (KEEL_ISR_EARG) [NO_RING]`);
    case 100:
      return new InterruptPinError('NO_SUCH_PIN', `${owner}: pin ${pin} does not exist on this target (lin simulates pins 0..63; ESP32: a valid GPIO; RP2040: 0..29); change \`pin\` [NO_SUCH_PIN]`);
    case 101:
      return new InterruptPinError('PIN_IN_USE', `${owner}: pin ${pin} is already used by another InterruptSource or an IO object; close that one first or choose another pin [PIN_IN_USE]`);
    case 102:
      return new InterruptQueueError(
        'NOT_SHARED',
        `${owner}: the ring is a plain ArrayBuffer, which the XS collector moves when it compacts its heap, so an interrupt could write into freed memory; ` +
          'create the queue over a SharedArrayBuffer (the default of new SharedEventQueue) or InterruptSource.ring(capacity) [NOT_SHARED]',
      );
    case 103:
      return new InterruptQueueError('MULTIPLE_UNSAFE', `${owner}: mode 'multiple' (C and JavaScript producers on one ring) is not safe on this target: its JavaScript compare-exchange can be split by the interrupt; use mode 'single' and let the interrupt be the ring's only producer [MULTIPLE_UNSAFE]`);
    case 104:
      return new InterruptConfigError('NO_MEMORY', `${owner}: no memory for the bridge [NO_MEMORY]`);
    case 105:
      return new InterruptConfigError('ARM_FAILED', `${owner}: the platform could not arm the interrupt (ISR service, handler slot or simulator thread); see the device log [ARM_FAILED]`);
    case 106:
      return new InterruptConfigError('CLOSED', `${owner}: the source is closed (or was opened twice) [CLOSED]`);
    case 107:
      return new InterruptConfigError('NO_SIMULATOR', `${owner}: simulate() exists only in the desktop simulator (lin); on a device the pin's real edges feed the ring [NO_SIMULATOR]`);
    case 108:
      return new InterruptConfigError('SIMULATION_RUNNING', `${owner}: a simulation is already running; wait until \`simulating\` is 0 [SIMULATION_RUNNING]`);
    case 109:
      return new InterruptConfigError('BAD_EDGE', `${owner}: edge must be EDGE_RISING (1), EDGE_FALLING (2) or EDGE_BOTH (3) [BAD_EDGE]`);
    case 110:
      return new InterruptConfigError('BAD_SIMULATION', `${owner}: simulate(): hz 1..1000000, seconds > 0 (at most 86400), burst 1..1024, gapUs 0..1000000 [BAD_SIMULATION]`);
    case 111:
      return new InterruptConfigError('TOO_MANY_SOURCES', `${owner}: at most 4 InterruptSources on RP2040 (one raw GPIO handler each); close one before opening pin ${pin} [TOO_MANY_SOURCES]`);
    default:
      return new InterruptConfigError('NATIVE_ERROR', `${owner}: the native bridge returned code ${code} [NATIVE_ERROR]`);
  }
}

function checkInt(owner: string, what: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    throw new InterruptConfigError('BAD_OPTION', `${owner}: ${what} must be an integer ${lo}..${hi} (got ${showValue(v)}) [BAD_OPTION]`);
  return v;
}

export class InterruptSource {
  /** Microseconds on the clock of the records' p2 (esp_timer_get_time, time_us_64, CLOCK_MONOTONIC). */
  static now(): number {
    return InterruptNative.now();
  }
  /** Ring memory in C that never moves, for `new SharedEventQueue({ buffer, atomics: singleCoreAtomics })`. */
  static ring(capacity: number): ArrayBuffer {
    return new InterruptRing(SharedEventQueue.byteLength(capacity)) as unknown as ArrayBuffer;
  }

  readonly name: string;
  readonly pin: number;
  readonly edge: number;
  readonly signal: number;
  readonly glitchUs: number;
  readonly mode: 'single' | 'multiple';
  readonly queue: SharedEventQueue;
  readonly maxDrain: number;
  /** Records taken from the ring by drain(): always forwarded + dropped. */
  get taken(): number {
    return this.forwarded + this.dropped;
  }
  /** Taken records the target accepted. */
  forwarded = 0;
  /** Taken records not forwarded: the target refused them (its queue full), the AO was stopped, or the forward threw. */
  dropped = 0;
  /** Of dropped: taken while the kernel's AO was not running. */
  droppedStopped = 0;
  /** QueueCorruptionError caught in a drain (the queue resynced and counted it too). */
  corrupted = 0;
  /** drain() calls, and onWake() calls. */
  drains = 0;
  wakeups = 0;
  /** Exceptions a wake's drain (or the onWake option, or onError) threw: caught and counted (see the module header). */
  wakeErrors = 0;
  /** The last of them (undefined until one). */
  lastError: unknown = undefined;
  private readonly native: InterruptNative;
  private readonly kernel: Kernel | null;
  private readonly ao: number;
  private readonly aoQueue: EventQueue | null;
  private readonly target: Postable | null;
  private readonly userWake: ((source: InterruptSource) => void) | null;
  private readonly onError: ((error: unknown, source: InterruptSource) => void) | null;
  private readonly frozen: Float64Array;
  private closed = false;

  constructor(options: InterruptSourceOptions) {
    const name = options.name ?? 'interrupt';
    const owner = `InterruptSource '${name}'`;
    this.name = name;
    this.pin = checkInt(owner, 'pin', options.pin, 0, 255);
    this.edge = checkInt(owner, 'edge', options.edge, EDGE_RISING, EDGE_BOTH);
    this.signal = checkInt(owner, 'signal', options.signal, 0, 0xffff);
    this.glitchUs = checkInt(owner, 'glitchUs', options.glitchUs ?? 0, 0, 0x7fffffff);
    const q = options.queue;
    if (!(q instanceof SharedEventQueue))
      throw new InterruptQueueError('NOT_A_SHARED_QUEUE', `${owner}: queue must be a SharedEventQueue (the consumer handle of the ring; got ${showValue(q)}) [NOT_A_SHARED_QUEUE]`);
    this.queue = q;
    const buffer = q.buffer as unknown;
    if (!isShared(buffer) && !(buffer instanceof InterruptRing)) {
      throw openError(owner, 102, this.pin, '');
    }
    const mode = options.mode ?? q.producers;
    if (mode !== 'single' && mode !== 'multiple') throw new InterruptConfigError('BAD_MODE', `${owner}: mode must be 'single' or 'multiple' (got ${showValue(mode)}) [BAD_MODE]`);
    this.mode = mode;
    this.maxDrain = checkInt(owner, 'maxDrain', options.maxDrain ?? q.capacity, 1, 1 << 20);
    const kernel = options.kernel;
    if (kernel !== undefined) {
      if (options.target !== undefined) throw new InterruptConfigError('TARGET_AND_AO', `${owner}: give either kernel + ao or target, not both [TARGET_AND_AO]`);
      const ao = options.ao;
      if (typeof ao !== 'number' || !kernel.isRunning(ao)) throw new InterruptConfigError('NOT_RUNNING', `${owner}: ao must be a running active object of the kernel (got ${showValue(ao)}) [NOT_RUNNING]`);
      this.kernel = kernel;
      this.ao = ao;
      this.aoQueue = kernel.queueOf(ao);
      this.target = null;
    } else {
      this.kernel = null;
      this.ao = -1;
      this.aoQueue = null;
      this.target = options.target ?? null;
      if (this.target === null && options.onWake === undefined)
        throw new InterruptConfigError('NO_TARGET', `${owner}: give kernel + ao, a target, or onWake (where the records go) [NO_TARGET]`);
    }
    this.userWake = options.onWake ?? null;
    this.onError = options.onError ?? null;
    this.frozen = new Float64Array(C_COUNT);
    this.native = new InterruptNative();
    const code = this.native.open(this, buffer as object, this.pin, this.edge, this.signal, this.glitchUs, mode === 'single' ? MODE_SINGLE : MODE_MULTIPLE);
    if (code !== 0) throw openError(owner, code, this.pin, mode);
    if (options.simulate !== undefined) {
      try {
        this.simulate(options.simulate);
      } catch (e) {
        this.close();
        throw e;
      }
    }
  }

  /** lin (mcsim) only: start the thread that plays the interrupt. Boot / host loop. */
  simulate(options: SimulateOptions): void {
    const owner = `InterruptSource '${this.name}'`;
    const code = this.closed ? 106 : this.native.simulate(options.hz, options.seconds, options.burst ?? 1, options.gapUs ?? 0);
    if (code !== 0) throw openError(owner, code, this.pin, this.mode);
  }

  /**
   * Called by the native side on the VM thread, once per burst. Allocation-free.
   * Never throws: an exception of the drain (or of the onWake option) is
   * counted in wakeErrors, kept in lastError and given to onError.
   */
  onWake(): void {
    this.wakeups++;
    this.native.wakeDone();
    try {
      const w = this.userWake;
      if (w !== null) w(this);
      else this.drain();
    } catch (e) {
      this.wakeFailed(e);
    }
  }

  private wakeFailed(e: unknown): void {
    this.wakeErrors++;
    this.lastError = e;
    const report = this.onError;
    if (report === null) return;
    try {
      report(e, this);
    } catch (again) {
      this.wakeErrors++;
      this.lastError = again;
    }
  }

  /**
   * Drains the ring into the target (see the module header). Returns the
   * records taken. Allocation-free. Throws what the kernel's run, an action
   * or the target's post throws (a QueueCorruptionError of the ring is
   * caught and counted in `corrupted`).
   */
  drain(): number {
    this.drains++;
    const k = this.kernel;
    let n = 0;
    // Bound: maxDrain records in all; a pass ends early only on a caught
    // QueueCorruptionError, and a corruption resync takes a record or empties
    // the ring, so at most maxDrain passes.
    for (let passes = 0; passes < this.maxDrain && n < this.maxDrain; passes++) {
      const before = this.corrupted;
      n += this.drainPass(this.maxDrain - n);
      if (this.corrupted === before) break;
    }
    if (k !== null) k.run(); // the kernel's other AOs too, when this one is stopped
    return n;
  }

  /** Up to `limit` records; returns the number taken. */
  private drainPass(limit: number): number {
    const q = this.queue;
    const k = this.kernel;
    const aq = this.aoQueue;
    const t = this.target;
    const ao = this.ao;
    // Checked once per pass, and again after the kernel ran (an action may stop the AO).
    let live = k === null || k.isRunning(ao);
    let n = 0;
    let step = 0; // 1 in get(), 2 in the forward: what a caught exception interrupted
    try {
      for (; n < limit; n++) {
        if (live && k !== null && aq !== null && aq.free === 0) {
          k.run();
          live = k.isRunning(ao);
        }
        step = 1;
        const sig = q.get();
        if (sig === NO_EVENT) break;
        step = 2;
        const ok = !live ? false : k !== null ? k.interrupt(ao, sig, q.p0, q.p1, q.p2, q.p3) : t !== null ? t.post(sig, q.p0, q.p1, q.p2, q.p3) : false;
        step = 0;
        if (ok) this.forwarded++;
        else {
          this.dropped++;
          if (!live && k !== null) this.droppedStopped++;
        }
      }
    } catch (e) {
      if (step === 1 && e instanceof QueueCorruptionError) {
        this.corrupted++; // the queue discarded or resynced (its `corrupted` counts it too)
        return n;
      }
      if (step === 2) {
        // The record left the ring and its forward did not complete: lost, counted (taken = forwarded + dropped).
        this.dropped++;
      }
      throw e;
    }
    return n;
  }

  /** From the app's tick: a drain that needs no wake (a lost wake, the maxDrain bound, a drain an exception ended). Throws as drain() does. */
  poll(): number {
    return this.drain();
  }

  /** Disarms the interrupt (lin: stops and joins the thread), freezes the counters. Idempotent. */
  close(): void {
    if (this.closed) return;
    for (let i = 0; i < C_COUNT; i++) this.frozen[i] = this.native.counter(i);
    this.frozen[C_SIM_RUNNING] = 0;
    this.native.close();
    this.closed = true;
  }

  private c(i: number): number {
    return this.closed ? this.frozen[i]! : this.native.counter(i);
  }
  /** Edges given to the C handler (== the last sequence number). */
  get offered(): number {
    return this.c(C_OFFERED);
  }
  /** Records the C handler published into the ring. */
  get posted(): number {
    return this.c(C_POSTED);
  }
  /** Edges refused: the ring was full (also in the queue's REFUSED word). */
  get refused(): number {
    return this.c(C_REFUSED);
  }
  /** Edges dropped by the glitch filter (glitchUs). */
  get glitched(): number {
    return this.c(C_GLITCHED);
  }
  /** keel_isr_post found the ring's words corrupt (also in REFUSED). */
  get corrupt(): number {
    return this.c(C_CORRUPT);
  }
  /** Wake-ups the C handler asked for (one per burst). */
  get wakes(): number {
    return this.c(C_WAKES);
  }
  /** Wake-ups the platform's message queue refused (poll() drains after them). */
  get wakesLost(): number {
    return this.c(C_WAKES_LOST);
  }
  /** Wake-ups delivered to onWake on the VM thread. */
  get wakeCalls(): number {
    return this.c(C_DELIVERED);
  }
  /** 1 while lin's simulation thread runs. */
  get simulating(): number {
    return this.c(C_SIM_RUNNING);
  }
}

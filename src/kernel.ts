/**
 * kernel: a cooperative, run-to-completion kernel of active objects (QV style).
 *
 * An active object (AO) is a behaviour (usually a state machine from hsm.ts),
 * its own event queue and a unique priority 1..32. The kernel keeps a ready
 * set, a 32-bit mask with one bit per priority, and always dispatches the next
 * event of the highest-priority AO that has one. Waking an AO is setting its
 * bit: no closures, no Promises. Each event runs to completion before the next
 * one starts; an event posted from an action is queued and dispatched after
 * that action's event completes.
 *
 * Allocation: slots, ports, priority tables, subscription masks and the time
 * event table are allocated by the constructor; queues by spawn() (or reused
 * from the slot's previous AO when the capacity matches). After that, post,
 * postUrgent, publish, publishBlock, tick, step, run, arm and disarm (also
 * through an AoPort), and dropping a stale expiry, allocate nothing, the
 * first call included (tested on the XS engine host).
 *
 * Slot lifecycle (the slot table is bounded: `maxObjects`):
 *
 *          claim() / tryClaim()             start(slot, def, prio, cap)
 *   FREE ----------------------> CLAIMED ------------------------------> RUNNING
 *    ^ ^                           |                                       |
 *    | +---- releaseClaim(slot) ---+                                       |
 *    +------------------------------ stop(ao) ----------------------------+
 *   spawn(def, prio, cap) = claim() + start(). stop() releases the AO's queued
 *   pool blocks, destroys its time events, unsubscribes it and keeps its queue
 *   for the next AO started in that slot with the same capacity. To release
 *   deferred blocks too, stop() repeats { drain the queue (releasing block
 *   references); behaviour.recallAll() } until recallAll() moves nothing: a
 *   recall into a full queue moves only what fits, so one pass is not enough.
 *   Each pass that goes on moved at least one deferred event out of the
 *   behaviour's finite defer ring; a guard of MAX_RECALL_PASSES passes stops a
 *   behaviour whose recallAll() never returns 0 (KernelUsageError, after the
 *   AO is stopped).
 *
 * Event flow:
 *
 *   IO callback --interrupt(ao, sig, ..)--> AO queue --(ready bit)--> step()/run()
 *   tick(now) --time event expires--> owner's queue: (sig + TIME_EVENT_TAG, id, due, gen, 0)
 *   publish(sig, ..) --> post() to each subscriber, highest priority first
 *   step(): take the next record of the highest ready AO's queue
 *           -> a tagged record (a time-event expiry) that is stale: dropped, staleExpiries++,
 *              go on with the next record
 *           -> behaviour.dispatch(sig, p0..p3) (a time event: untagged sig, id, due, gen, 0)
 *           -> if sig carries a pool block: release(p0)
 *
 * Contexts:
 * | method                                  | IO callback | during dispatch | other worker/core |
 * |-----------------------------------------|-------------|-----------------|-------------------|
 * | interrupt (the host's IO entry)         | yes         | yes             | no (use a shared queue and a bridge AO) |
 * | post, postUrgent, postWithMargin        | yes         | yes             | no                |
 * | publish, publishBlock                   | yes         | yes             | no                |
 * | arm, disarm, nextDelay (port.arm, ..)   | yes         | yes             | no                |
 * | tick                                    | tick source | no (throws)     | no                |
 * | step, run                               | host loop   | no (throws)     | no                |
 * | spawn, claim, start, stop, subscribe,   | boot/config | yes (not hot)   | no                |
 * |   timeEvent (port.timeEvent)            |             |                 |                   |
 * On Moddable, IO callbacks and Timer callbacks run on the VM's one thread and
 * never preempt an action, so "IO callback" posts are safe without locks.
 *
 * Pool blocks in events: `blockSignal(sig)` declares that events with `sig`
 * carry a pool block handle in p0. A queued reference is released after the
 * AO handled the event (or when the AO stops), and publishBlock() takes one
 * reference per subscriber it delivered to, then gives back the publisher's,
 * so the block returns to its pool after the last subscriber handled it. AO
 * queues use the 'reject' policy: an event is never overwritten, so a block
 * reference is never lost. A behaviour that defers a block event (dispatch
 * returns BEHAVIOUR_DEFERRED) keeps its reference until the recall; stop()
 * recalls deferred events (in as many passes as the queue needs, see the
 * slot lifecycle), so their blocks are released too. (An hsm
 * whose defer queue uses 'drop-oldest' must not defer block signals: the
 * dropped record's reference would be lost. The default 'reject' is safe.)
 *
 * Time (the wrap rule): `host.now()` and `tick(now)` are milliseconds on a
 * clock that may wrap. On a Moddable device `Time.ticks` is a 32-bit counter
 * read as a signed int32: negative after 2^31 ms (about 24.8 days), back to 0
 * at 2^32 (about 49.7 days); the simulator and Node pass doubles. The time
 * event table (src/timer.ts) reduces every `now` to a signed int32 with
 * `now | 0` and compares times only by wrap-safe difference,
 * `((a - b) | 0) > 0`, so time events keep expiring, in order, across the
 * wrap. Consequences for users: delays and periods are 0..MAX_DELAY_MS
 * (2^31 - 1) ms; the due time a time event carries in p1 (and arm() returns)
 * is the due time modulo 2^32 as a signed int32, to be compared with other
 * times by difference only (`((p1 - t) | 0) >= 0`), never with `<` or `>`.
 * The kernel itself compares no other times.
 *
 * Time events and stale expiries (the rule). An expiring time event is
 * queued for its owner as (sig, p0 = its id, p1 = due time, p2 = its
 * generation, p3 = 0);
 * the record's stored signal is `sig + TIME_EVENT_TAG` (EventQueue's
 * internal postTagged: user posts cannot make such a value in DEBUG builds),
 * so at dispatch the kernel knows it is an expiry without trusting
 * user-controlled fields. The timer table advances an event's generation on
 * every arm, re-arm, disarm and destroy (src/timer.ts), so when step() takes
 * a tagged record it asks `timers.isCurrent(id, gen)`: a stale expiry (its
 * time event was disarmed, re-armed or destroyed after the expiry was
 * queued) is never dispatched; it is counted in `staleExpiries` and step()
 * goes on with the next record. A current one is dispatched with its untagged
 * signal and (id, due, gen, 0). Actions therefore need no hand-written guard:
 * disarm() in an exit action (even one that returns false because the
 * one-shot already expired and its expiry is queued), or a re-arm (even with
 * zero delay in the same millisecond, due at the same time as the queued
 * expiry), means the old expiry is not seen. A zero-delay arm fires (on the next tick). Every
 * expiry of a periodic event is current until it is re-armed or disarmed.
 * One exception: a behaviour that defers a time event (dispatch returns
 * BEHAVIOUR_DEFERRED) and recalls it later gets it back through postUrgent,
 * untagged, and it is dispatched without a new check (it was current when
 * deferred). A time event's signal must not be a block signal (timeEvent()
 * refuses one): its p0 is an id, not a pool block. `queueOf(ao).peek()` shows
 * the tagged value of a queued expiry.
 *
 * step() and run(): step() dispatches one event, the next current one of the
 * highest-priority ready AO (dropping stale expiries before it), and returns
 * that AO's id; it returns NO_SLOT when it dispatched nothing (nothing was
 * ready, or only stale expiries were, which it dropped). run() calls it while
 * some AO is ready and counts only dispatched events against `maxBurst`
 * (stale expiries are bounded by what is queued: dropping one posts
 * nothing). Both throw KernelUsageError when called during a dispatch (from
 * an action), checked first, before anything else.
 *
 * Timer host: an AoPort has timeEvent(sig), arm(id, delayMs, periodMs = 0)
 * and disarm(id), which call this kernel's (the time event posts to the
 * port's AO): it fits hsm's HsmTimerHost structurally, so a machine under
 * the kernel gets its port as both its queue and its timer host.
 *
 * Argument checks: configuration calls (spawn, claim, start, stop,
 * subscribe, blockSignal, timeEvent, port, ...) and arm/disarm/tick/nextDelay
 * refuse arguments that are not numbers of the right kind (a string, NaN,
 * Infinity, a fraction where an integer is needed) with a named error in
 * every build (KernelConfigError, KernelUsageError, TimerUsageError); the
 * message names the kernel, the call, the bad value and what to pass. post's
 * signal and parameters are checked by the queue in DEBUG builds only
 * (QueueEventError); release builds do not check them (hot path): there a
 * posted signal >= TIME_EVENT_TAG is taken for an expiry and dropped as
 * stale unless its p0 and p2 happen to name a current one.
 *
 * Tracing (options.trace, src/trace.ts; docs/trace.md): the kernel registers
 * itself and one 'ao' per slot, records POST/REFUSE/DISPATCH per AO and its
 * time events (TIME_ARM, TIME_DISARM, TIME_EXPIRE, TIME_STALE), and passes
 * the trace to spawnMachine's machines. Off, or every AO's kinds filtered
 * out: post and the run loop pay nothing (their traced forms are own
 * properties swapped in by the trace's onFilter hook); other hooks one
 * branch. POST/REFUSE flags name the AO that posted from its dispatch. No allocation.
 *
 * Limits: maxObjects 1..32 slots; priorities 1..32, unique among running AOs;
 * `maxSignals` signals for publish/subscribe and block signals (0..maxSignals-1);
 * `timers` time events; run() dispatches at most `maxBurst` events per call.
 *
 * Measured cost: docs/kernel.md "Measured cost" (bench/kernel.bench.ts and
 * bench/active-machine.bench.ts; 0 slots and 0 chunk bytes in every row).
 * The stale-expiry check costs one comparison per dispatched event,
 * `sig >= TIME_EVENT_TAG`.
 *
 * Hot paths (what keeps them short on XS, where every call, property access
 * and statement is a step): post() writes the record into the AO queue's
 * ring itself, and run() (and step()) take records from it, without a
 * method call per event (EventQueue's post() and get(), inlined; the
 * queue's own post() still handles every refusal, so its counters stay
 * exact, and its `taken` is computed; the kernel's takes do not set the
 * queue's p0..p3). tick() writes an expiring time event into its owner's
 * queue itself, and arm() arms a one-shot that becomes the first armed
 * event itself; anything else goes through the TimerTable's own tick() and
 * arm() (TimerTable internals, inlined; keep them in step with
 * src/timer.ts). run() keeps one try for the whole burst: an action that
 * throws leaves no AO marked as dispatching and its event's pool block
 * released, and the error goes on to run()'s caller.
 *
 * Release builds: every configuration call and every id, priority, signal
 * and delay argument is checked in every build (the named errors above);
 * so are step()/run() during dispatch and stop() from the AO's own dispatch.
 * post/postUrgent/interrupt refuse a signal outside 0..MAX_SIGNAL in every
 * build through the AO's EventQueue (release: false, counted in the queue's
 * `refused` and `badSignals`; DEBUG: QueueEventError), so a user post can
 * never store NO_EVENT or a forged time-event tag. DEBUG-only: the queue's
 * type checks of p0..p3. Every error carries a `code` (docs/errors.md
 * "kernel"); DEBUG builds say what and what to change, release builds
 * `Kernel 'name' [CODE]`.
 *
 * Counters: refused = a post the target did not take (`interruptsRefused`,
 * `timerRefused`, each queue's `refused`); dropped = an event accepted and
 * discarded later (each queue's `dropped`; `staleExpiries`: expiries taken
 * but not dispatched because their time event changed).
 */
import { KeelError, showValue as show } from './errors.js';
import { EventQueue, MAX_CAPACITY, MAX_SIGNAL, NO_EVENT, QueueEventError, TIME_EVENT_TAG } from './queue.js';
import { checkEvent } from './internal/event.js';
import { MAX_DELAY_MS, TimerTable, type TimerSink } from './timer.js';
import { ActiveMachine, type SpawnMachineOptions } from './active-machine.js';
import type { HsmDefinition } from './hsm.js';
import {
  Trace,
  TRACE_FLAG_SENDER_MASK,
  TRACE_DISPATCH,
  TRACE_POST,
  TRACE_REFUSE,
  TRACE_TIME_ARM,
  TRACE_TIME_DISARM,
  TRACE_TIME_EXPIRE,
  TRACE_TIME_STALE,
} from './trace.js';
import { ownMethods } from './internal/own-methods.js';

/** The owner kind in the DEBUG check of a post (EventQueue's; a module constant: a literal on a post would allocate on XS). */
const QUEUE_KIND = 'EventQueue';

/**
 * @internal A TimerTable's arrays and list (TS-private there, same names):
 * the kernel's tick() expires time events and its run() checks expiries
 * without a call per event (keep in step with src/timer.ts).
 */
interface TimerRing {
  readonly state: Uint8Array;
  readonly owner: Int16Array;
  readonly sig: Int32Array;
  readonly due: Int32Array;
  readonly period: Int32Array;
  readonly gen: Int32Array;
  readonly live: Uint8Array;
  readonly next: Int16Array;
  head: number;
  expired: number;
  reschedule(id: number, due: number, period: number, now: number): void;
}
/** Compared with `typeof` (a module constant: a string literal in a hot function allocates on XS). */
const NUMBER = 'number';
/** TimerTable's "no time event" link, its DISARMED and ARMED states and its id mask (src/timer.ts). */
const TIMER_NIL = -1;
const TIMER_DISARMED = 1;
const TIMER_ARMED = 2;
const TIMER_ID_MASK = 0x7fff;

/** Filter bits of the two hottest hooks (a literal costs fewer XS steps than 1 << TRACE_POST). */
const BIT_POST = 1 << TRACE_POST;
const BIT_DISPATCH = 1 << TRACE_DISPATCH;
/** Math.clz32, looked up once (a frozen built-in: preload-safe). */
const clz32 = Math.clz32;

/** @internal EventQueue's free-running counters (TS-private there): length = (tail - head) | 0, read by the traced post without a getter call. */
interface QueueCounters {
  readonly head: number;
  readonly tail: number;
}

/**
 * @internal An EventQueue's ring and counters (TS-private there, same names):
 * the kernel posts to and takes from its AOs' 'reject' queues without a
 * method call per event (see "Hot paths"), keeping every counter of the
 * queue, its low-water mark and its identity (posted = taken + dropped +
 * length); refusals go through the queue's own post.
 */
interface QueueRing {
  readonly name: string;
  readonly capacity: number;
  /** 5-wide records [sig, p0, p1, p2, p3], a power-of-two count of them. */
  readonly records: Float64Array;
  readonly mask: number;
  head: number;
  tail: number;
  posted: number;
  taken: number;
  peak: number;
}

/** What an active object does with events: a state machine fits. */
export interface Behaviour {
  /** Takes the initial transition (called once by start()). */
  start(): void;
  /**
   * Handles exactly one event, to completion. Returning BEHAVIOUR_DEFERRED (3,
   * hsm's HSM_DEFERRED) says the behaviour kept the event (deferred it): the
   * kernel then leaves a pool block it carries referenced, for the recall.
   */
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): number | void;
  /**
   * Optional: moves every deferred event back to the front of the AO's queue
   * (hsm's recallAll). stop() calls it so deferred pool blocks are released too.
   */
  recallAll?(): number;
}

/** A behaviour's dispatch() result meaning "deferred: I keep this event" (equals hsm's HSM_DEFERRED). */
export const BEHAVIOUR_DEFERRED = 3;

/** An AO's definition: makes its behaviour when the AO starts. */
export interface ActiveObjectDef {
  /** Called by start() (boot/config time). `port` posts into this AO's own queue. */
  create(port: AoPort): Behaviour;
}

/** The platform side: one interface for the simulator, the XS host and devices. */
export interface KernelHost {
  /**
   * Milliseconds (the time base of tick() and arm()): a double, or a 32-bit
   * counter that wraps (signed like Moddable's `Time.ticks`, or unsigned).
   * Only its value modulo 2^32 is used, and times are compared by difference
   * (see "Time" above).
   */
  now(): number;
  /** Called by run() when no AO had an event; may sleep until the next interrupt or tick. */
  idle?(kernel: Kernel): void;
}

/** Anything that retains and releases pool block handles (a BlockPool or PoolSet). */
export interface BlockOwner {
  retain(handle: number): void;
  release(handle: number): void;
}

/** Returned by tryClaim() when every slot is in use, and by step() when it dispatched nothing. */
export const NO_SLOT = -1;

/**
 * stop() drains an AO's queue and recalls its deferred events at most this
 * many times (an Hsm's defer ring holds at most 65535 events, and each pass
 * that goes on moved at least one of them).
 */
export const MAX_RECALL_PASSES = 65536;

/** next(): the record taken was a stale time-event expiry (dropped, nothing dispatched). */
const STALE = -2;

export type KernelConfigErrorCode =
  | 'BAD_MAX_OBJECTS'
  | 'BAD_MAX_SIGNALS'
  | 'BAD_MAX_BURST'
  | 'BAD_TRACE'
  | 'BAD_OPTIONS'
  | 'PRIORITY_IN_USE'
  | 'NO_POOL'
  | 'TIME_EVENT_SIGNAL'
  | 'BAD_DEFINITION'
  | 'BAD_PRIORITY'
  | 'BAD_QUEUE_CAPACITY';
/** Bad kernel options, or bad spawn/start/blockSignal arguments (config time). */
export class KernelConfigError extends KeelError {
  override name = 'KernelConfigError';
  declare readonly code: KernelConfigErrorCode;
}
export type KernelSlotsFullErrorCode = 'SLOTS_FULL';
/** claim()/spawn() found every active-object slot in use. */
export class KernelSlotsFullError extends KeelError {
  override name = 'KernelSlotsFullError';
  declare readonly code: KernelSlotsFullErrorCode;
}
export type KernelUsageErrorCode =
  | 'NOT_CLAIMED'
  | 'STOP_IN_OWN_DISPATCH'
  | 'RECALL_NOT_ENDING'
  | 'NOT_A_SLOT'
  | 'USE_PUBLISH_BLOCK'
  | 'NOT_A_BLOCK_SIGNAL'
  | 'BAD_SIGNAL'
  | 'BLOCK_SIGNAL'
  | 'TICK_IN_DISPATCH'
  | 'NOT_RUNNING'
  | 'REENTRANT';
/** The kernel used wrongly: a slot or signal that is not valid, a call from the wrong context. */
export class KernelUsageError extends KeelError {
  override name = 'KernelUsageError';
  declare readonly code: KernelUsageErrorCode;
}

const FREE = 0;
const CLAIMED = 1;
const RUNNING = 2;

/**
 * A pre-allocated handle that posts into one slot's queue. Behaviours keep it
 * to post to themselves (run-to-completion: the event is queued). It is also
 * the machine's timer host (hsm's HsmTimerHost, structurally): timeEvent,
 * arm and disarm act on this kernel's time events, which post to this AO.
 */
export class AoPort {
  constructor(
    readonly kernel: Kernel,
    readonly id: number,
  ) {}
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean {
    // No default values: kernel.post() makes an omitted parameter 0.
    return this.kernel.post(this.id, sig, p0, p1, p2, p3);
  }
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    return this.kernel.postUrgent(this.id, sig, p0, p1, p2, p3);
  }
  /** Boot/config time: creates a time event that posts `sig` to this AO; returns its id (kernel.timeEvent). */
  timeEvent(sig: number): number {
    return this.kernel.timeEvent(this.id, sig);
  }
  /**
   * Arms time event `id`: first expiry after `delayMs`, then every `periodMs`
   * if > 0 (kernel.arm). Returns the first due time. Allocates nothing.
   */
  arm(id: number, delayMs: number, periodMs?: number): number {
    // kernel.arm (its one-shot fast path); traced, TIME_ARM names this port's AO.
    const k = this.kernel;
    if (k.trace !== null) return k.tracedArm(this.id, id, delayMs, periodMs === undefined ? 0 : periodMs);
    return k.arm(id, delayMs, periodMs);
  }
  /** Disarms time event `id`; true if it was armed. A queued expiry of it is stale either way. Allocates nothing. */
  disarm(id: number): boolean {
    const k = this.kernel;
    if (k.trace !== null) return k.tracedDisarm(this.id, id);
    return k.timers.disarm(id);
  }
  /** Per time event id: nonzero while armed or its expiry may be queued (TimerTable.live): a machine skips needless disarms. */
  get live(): Uint8Array {
    return this.kernel.timers.live;
  }
  /** True while expiry (id, gen) is current (TimerTable.isCurrent): a machine drops a deferred expiry that went stale. */
  isCurrent(id: number, gen: number): boolean {
    return this.kernel.timers.isCurrent(id, gen);
  }
}

export interface KernelOptions {
  /** For messages. */
  name?: string;
  /** Slot table size, 1..32 (default 8). */
  maxObjects?: number;
  /** Signals usable with subscribe/publish/blockSignal: 0..maxSignals-1 (default 64). */
  maxSignals?: number;
  /** Time events (default 16). */
  timers?: number;
  /** Events dispatched at most by one run() call (default 1024). */
  maxBurst?: number;
  /** The pool that blocks carried by block signals come from. */
  pool?: BlockOwner;
  /** Clock and idle hook. Default: a clock that stays at 0 (tick() callers pass times). */
  host?: KernelHost;
  /**
   * Records what the kernel does (src/trace.ts): registers the kernel and
   * one 'ao' object per slot at construction, and passes the trace to the
   * machines spawnMachine() makes. Default none (one branch per hook).
   */
  trace?: Trace;
}

const ZERO_CLOCK: KernelHost = Object.freeze({ now: () => 0 });

export class Kernel implements TimerSink {
  readonly name: string;
  readonly maxObjects: number;
  readonly maxSignals: number;
  readonly maxBurst: number;
  readonly timers: TimerTable;
  readonly host: KernelHost;
  /** Times run() found nothing to do (and called host.idle). */
  idleCount = 0;
  /** Events dispatched since construction (all AOs, stopped ones included). */
  get dispatchedTotal(): number {
    // Kept per slot only (one count per dispatched event); a slot's count moves to `retiredDispatches` when it restarts.
    let n = this.retiredDispatches;
    for (let i = 0; i < this.maxObjects; i++) n += this.dispatchCount[i]!;
    return n;
  }
  /** Assignable, as the other counters are (resetting counters). */
  set dispatchedTotal(v: number) {
    let n = 0;
    for (let i = 0; i < this.maxObjects; i++) n += this.dispatchCount[i]!;
    this.retiredDispatches = v - n;
  }
  /** Events posted through interrupt(), and those a full queue refused. */
  interrupts = 0;
  interruptsRefused = 0;
  /**
   * Time-event expiries taken from a queue but not dispatched because they
   * were stale: their time event was disarmed, re-armed or destroyed after
   * they were queued (see "Time events and stale expiries").
   */
  staleExpiries = 0;
  /** Time events refused by a full AO queue. */
  get timerRefused(): number {
    return this.timers.refused;
  }

  private readySet = 0;
  /**
   * run()'s bound: maxBurst, or 0 while some AO's trace filter lets a kind
   * through (traceFilter). An action that switches tracing on mid-burst ends
   * run()'s untraced loop at its next bound check (no extra test per event);
   * runTracedFrom dispatches the rest of the burst.
   */
  private burstLimit = 0;
  private readonly state: Uint8Array;
  private readonly prio: Int8Array;
  /** 1 << (priority - 1) per running slot: its bit in the ready set and subscription masks. */
  private readonly prioBit: Int32Array;
  /**
   * Slot of the running AO with each priority, indexed by the ready-set
   * bit's Math.clz32: [32 - priority] (-1: none). The highest ready priority's
   * slot is slotByClz[clz32(readySet)], its bit 0x80000000 >>> that index.
   */
  private readonly slotByClz: Int8Array;
  private readonly queues: (EventQueue | null)[];
  private readonly behaviours: (Behaviour | null)[];
  private readonly ports: AoPort[];
  /** Events dispatched per slot since its AO started. */
  private readonly dispatchCount: Float64Array;
  /** Events dispatched by AOs that have since been replaced in their slot (dispatchedTotal). */
  private retiredDispatches = 0;
  private readonly subscribers: Int32Array;
  private readonly carriesBlock: Uint8Array;
  private readonly pool: BlockOwner | null;
  /** The AO being dispatched to, or -1 outside a dispatch (one write each way per event). */
  private dispatchingAo = -1;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Trace object id of the kernel (0 without a trace); slot `ao` is traceId + 1 + ao. */
  readonly traceId: number;
  /** Trace object id of slot 0 (traceId + 1). */
  private traceBase: number;

  constructor(options: KernelOptions = {}) {
    const name = options.name ?? 'kernel';
    const maxObjects = options.maxObjects ?? 8;
    const maxSignals = options.maxSignals ?? 64;
    const maxBurst = options.maxBurst ?? 1024;
    if (!Number.isInteger(maxObjects) || maxObjects < 1 || maxObjects > 32) {
      throw new KernelConfigError(
        'BAD_MAX_OBJECTS',
        DEBUG
          ? `Kernel '${name}': maxObjects must be an integer from 1 to 32 (one priority bit each), got ${String(maxObjects)} [BAD_MAX_OBJECTS]`
          : `Kernel '${name}' [BAD_MAX_OBJECTS]`,
      );
    }
    if (!Number.isInteger(maxSignals) || maxSignals < 1 || maxSignals > 65536) {
      throw new KernelConfigError(
        'BAD_MAX_SIGNALS',
        DEBUG
          ? `Kernel '${name}': maxSignals must be an integer from 1 to 65536, got ${String(maxSignals)} [BAD_MAX_SIGNALS]`
          : `Kernel '${name}' [BAD_MAX_SIGNALS]`,
      );
    }
    if (!Number.isInteger(maxBurst) || maxBurst < 1) {
      throw new KernelConfigError(
        'BAD_MAX_BURST',
        DEBUG
          ? `Kernel '${name}': maxBurst must be a positive integer, got ${String(maxBurst)} [BAD_MAX_BURST]`
          : `Kernel '${name}' [BAD_MAX_BURST]`,
      );
    }
    this.name = name;
    this.maxObjects = maxObjects;
    this.maxSignals = maxSignals;
    this.maxBurst = maxBurst;
    this.burstLimit = maxBurst;
    this.host = options.host ?? ZERO_CLOCK;
    this.pool = options.pool ?? null;
    // The numeric tables are views of one buffer (boot RAM: one ArrayBuffer, not seven):
    // 8-byte, then 4-byte, then 1-byte arrays, each at an offset aligned for its type.
    const buf = new ArrayBuffer(maxObjects * 14 + maxSignals * 5 + 32);
    this.dispatchCount = new Float64Array(buf, 0, maxObjects);
    this.subscribers = new Int32Array(buf, maxObjects * 8, maxSignals);
    this.prioBit = new Int32Array(buf, maxObjects * 8 + maxSignals * 4, maxObjects);
    const bytes = maxObjects * 12 + maxSignals * 4;
    this.state = new Uint8Array(buf, bytes, maxObjects);
    this.prio = new Int8Array(buf, bytes + maxObjects, maxObjects);
    this.slotByClz = new Int8Array(buf, bytes + maxObjects * 2, 32).fill(-1);
    this.carriesBlock = new Uint8Array(buf, bytes + maxObjects * 2 + 32, maxSignals);
    this.queues = new Array<EventQueue | null>(maxObjects).fill(null);
    this.behaviours = new Array<Behaviour | null>(maxObjects).fill(null);
    this.ports = [];
    for (let i = 0; i < maxObjects; i++) this.ports.push(new AoPort(this, i));
    this.timers = new TimerTable({ name: `${name}.timers`, capacity: options.timers ?? 16 }, this);
    const trace = options.trace ?? null;
    if (trace !== null && !(trace instanceof Trace)) {
      throw new KernelConfigError(
        'BAD_TRACE',
        DEBUG
          ? `Kernel '${name}': the trace option must be a Trace (new Trace({ clock })), got ${show(trace)} [BAD_TRACE]`
          : `Kernel '${name}' [BAD_TRACE]`,
      );
    }
    this.trace = trace;
    let tid = 0;
    this.traceBase = 0;
    if (trace !== null) {
      // post, next and run are swapped by the trace's onFilter hook: own properties first (frozen prototypes on Moddable).
      ownMethods(this, ['post', 'next', 'run']);
      tid = trace.register('kernel', name);
      this.traceBase = tid + 1;
      // The hook: while some AO's filter lets a kind through, post, next and run are
      // own properties (the traced forms); else the prototype's (no branch at all).
      const onFilter = (): void => this.traceFilter();
      for (let i = 0; i < maxObjects; i++) trace.register('ao', `${name}.ao${i}`, undefined, tid, { onFilter });
    }
    this.traceId = tid;
  }

  // ---- slots ---------------------------------------------------------------

  /** Reserves a free slot to start later; throws KernelSlotsFullError when none is free. */
  claim(): number {
    const slot = this.tryClaim();
    if (slot === NO_SLOT) {
      throw new KernelSlotsFullError(
        'SLOTS_FULL',
        DEBUG
          ? `Kernel '${this.name}': all ${this.maxObjects} active-object slots are in use; raise maxObjects (at most 32) or stop an active object first [SLOTS_FULL]`
          : `Kernel '${this.name}' [SLOTS_FULL]`,
      );
    }
    return slot;
  }

  /** Reserves a free slot, or returns NO_SLOT when all are in use (nothing changes then). */
  tryClaim(): number {
    for (let i = 0; i < this.maxObjects; i++) {
      if (this.state[i] === FREE) {
        this.state[i] = CLAIMED;
        return i;
      }
    }
    return NO_SLOT;
  }

  /** Returns a claimed, never started slot. */
  releaseClaim(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.maxObjects || this.state[slot] !== CLAIMED) {
      throw new KernelUsageError(
        'NOT_CLAIMED',
        DEBUG
          ? `Kernel '${this.name}': releaseClaim(${show(slot)}) needs a slot from claim() that was not started [NOT_CLAIMED]`
          : `Kernel '${this.name}' [NOT_CLAIMED]`,
      );
    }
    this.timers.destroyOwnedBy(slot);
    this.state[slot] = FREE;
  }

  /** Claims a slot and starts an AO in it; returns the AO id (its slot). */
  spawn(def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    return this.spawnAs('spawn', def, priority, queueCapacity);
  }

  /** spawn(), with `op` named in its configuration errors (checked once, before the claim). */
  private spawnAs(op: string, def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    this.checkStart(op, def, priority, queueCapacity);
    const slot = this.claim();
    try {
      this.startChecked(slot, def, priority, queueCapacity);
    } catch (e) {
      this.state[slot] = FREE;
      throw e;
    }
    return slot;
  }

  /**
   * Runs a state machine as an active object, in one call (boot/config
   * time): claims a slot, makes the AO's queue, builds the `Hsm` with that
   * queue and with the AO's port as its timer host (every `after`/`every`
   * entry and named timer gets its time event before the initial
   * transition), starts it and returns the handle: `ao`, `hsm`,
   * `timeEvents`. See src/active-machine.ts. The defer ring uses 'reject'
   * (a deferred pool-block reference is never dropped unreleased).
   */
  spawnMachine<C>(definition: HsmDefinition<C>, options: SpawnMachineOptions<C>): ActiveMachine<C> {
    if (options === null || typeof options !== 'object') {
      throw new KernelConfigError(
        'BAD_OPTIONS',
        DEBUG
          ? `Kernel '${this.name}': spawnMachine(definition, options) needs options { priority, queueCapacity, ... }, got ${show(options)} [BAD_OPTIONS]`
          : `Kernel '${this.name}' [BAD_OPTIONS]`,
      );
    }
    let made: ActiveMachine<C> | null = null;
    const create = (port: AoPort): Behaviour => {
      const m = new ActiveMachine(definition, port, options);
      made = m;
      return m.behaviour;
    };
    this.spawnAs('spawnMachine', { create }, options.priority, options.queueCapacity);
    return made!;
  }

  /** Starts an AO in a claimed slot: makes its queue and behaviour, then runs its initial transition. */
  start(slot: number, def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.maxObjects || this.state[slot] !== CLAIMED) {
      throw new KernelUsageError(
        'NOT_CLAIMED',
        DEBUG
          ? `Kernel '${this.name}': start(${show(slot)}) needs a slot from claim() that is not started yet [NOT_CLAIMED]`
          : `Kernel '${this.name}' [NOT_CLAIMED]`,
      );
    }
    this.checkStart('start', def, priority, queueCapacity);
    return this.startChecked(slot, def, priority, queueCapacity);
  }

  /** start() after its checks: the slot is claimed, the definition, priority and capacity valid. */
  private startChecked(slot: number, def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    const other = this.slotByClz[32 - priority]!;
    if (other >= 0) {
      throw new KernelConfigError(
        'PRIORITY_IN_USE',
        DEBUG
          ? `Kernel '${this.name}': priority ${priority} is already used by active object ${other}; priorities are unique [PRIORITY_IN_USE]`
          : `Kernel '${this.name}' [PRIORITY_IN_USE]`,
      );
    }
    let q = this.queues[slot] ?? null;
    if (q === null || q.capacity !== queueCapacity) {
      q = new EventQueue({ name: `${this.name}.ao${slot}`, capacity: queueCapacity, overflow: 'reject' });
      this.queues[slot] = q;
    } else {
      q.reset();
    }
    this.prio[slot] = priority;
    this.prioBit[slot] = 1 << (priority - 1);
    this.slotByClz[32 - priority] = slot;
    this.retiredDispatches += this.dispatchCount[slot]!;
    this.dispatchCount[slot] = 0;
    this.state[slot] = RUNNING;
    try {
      const b = def.create(this.ports[slot]!);
      this.behaviours[slot] = b;
      b.start();
    } catch (e) {
      // Undo everything start() may have done before it threw: events it
      // posted (and their blocks), subscriptions, time events, the ready bit.
      this.discard(slot);
      this.state[slot] = CLAIMED;
      throw e;
    }
    if (q.length > 0) this.readySet |= 1 << (priority - 1);
    return slot;
  }

  /**
   * Stops an AO: releases its queued and deferred blocks, its time events and
   * subscriptions, and frees its slot. Deferred events are recalled (and
   * dropped) in as many passes as the queue's capacity needs; see the header.
   */
  stop(ao: number): void {
    this.checkRunning(ao, 'stop');
    if (this.dispatchingAo === ao) {
      throw new KernelUsageError(
        'STOP_IN_OWN_DISPATCH',
        DEBUG
          ? `Kernel '${this.name}': stop(${ao}) called from active object ${ao}'s own dispatch (its machine is mid-transition); ` +
              'stop it from the host loop or from another active object (post it an event that asks for it) [STOP_IN_OWN_DISPATCH]'
          : `Kernel '${this.name}' [STOP_IN_OWN_DISPATCH]`,
      );
    }
    const b = this.behaviours[ao]!;
    const q = this.queues[ao]!;
    let passes = 0;
    // Bound: a pass that goes on moved >= 1 event out of the behaviour's finite
    // defer ring into the queue, and the next drain drops it; MAX_RECALL_PASSES
    // stops a recallAll() that never returns 0.
    for (;;) {
      this.drain(q);
      if (b.recallAll === undefined || !(b.recallAll() > 0)) break;
      if (++passes >= MAX_RECALL_PASSES) break;
    }
    this.discard(ao);
    this.state[ao] = FREE;
    if (passes >= MAX_RECALL_PASSES) {
      throw new KernelUsageError(
        'RECALL_NOT_ENDING',
        DEBUG
          ? `Kernel '${this.name}': stop(${ao}): the behaviour's recallAll() still returned > 0 after ${MAX_RECALL_PASSES} passes; ` +
              'the active object is stopped, but deferred pool blocks may be lost: recallAll() must return how many events it moved, 0 when none is left [RECALL_NOT_ENDING]'
          : `Kernel '${this.name}' [RECALL_NOT_ENDING]`,
      );
    }
  }

  /** Takes every record from `q`, releasing the block references block-signal records hold (tagged records never carry one). */
  private drain(q: EventQueue): void {
    for (let guard = q.capacity; guard > 0 && q.length > 0; guard--) {
      const sig = q.get();
      // A tagged record (sig >= TIME_EVENT_TAG > maxSignals - 1) fails the range test: carriesBlock is not indexed with it.
      if (sig >= 0 && sig < this.maxSignals && this.carriesBlock[sig] === 1) this.pool!.release(q.p0);
    }
  }

  /** Drops slot `ao`'s events (releasing their blocks), subscriptions, time events, priority and behaviour. */
  private discard(ao: number): void {
    this.drain(this.queues[ao]!);
    const bit = 1 << (this.prio[ao]! - 1);
    this.readySet &= ~bit;
    for (let s = 0; s < this.maxSignals; s++) this.subscribers[s] = this.subscribers[s]! & ~bit;
    this.timers.destroyOwnedBy(ao);
    this.slotByClz[32 - this.prio[ao]!] = -1;
    this.behaviours[ao] = null;
  }

  /** The trace object id of slot `ao` (an 'ao' registered at construction); 0 without a trace. */
  traceIdOf(ao: number): number {
    if (!Number.isInteger(ao) || ao < 0 || ao >= this.maxObjects) {
      throw new KernelUsageError(
        'NOT_A_SLOT',
        DEBUG
          ? `Kernel '${this.name}': traceIdOf(${show(ao)}): not a slot; pass an id from claim() or spawn() (0..${this.maxObjects - 1}) [NOT_A_SLOT]`
          : `Kernel '${this.name}' [NOT_A_SLOT]`,
      );
    }
    return this.trace === null ? 0 : this.traceBase + ao;
  }

  /** True when `ao` is a running active object. */
  isRunning(ao: number): boolean {
    return Number.isInteger(ao) && ao >= 0 && ao < this.maxObjects && this.state[ao] === RUNNING;
  }

  /** Slots not free (claimed or running). */
  get used(): number {
    let n = 0;
    for (let i = 0; i < this.maxObjects; i++) if (this.state[i] !== FREE) n++;
    return n;
  }

  /** The port of slot `ao` (the object behaviours post through). */
  port(ao: number): AoPort {
    if (!Number.isInteger(ao) || ao < 0 || ao >= this.maxObjects) {
      throw new KernelUsageError(
        'NOT_A_SLOT',
        DEBUG
          ? `Kernel '${this.name}': port(${show(ao)}): not a slot; pass an id from claim() or spawn() (0..${this.maxObjects - 1}) [NOT_A_SLOT]`
          : `Kernel '${this.name}' [NOT_A_SLOT]`,
      );
    }
    return this.ports[ao]!;
  }

  // ---- posting (hot path) --------------------------------------------------

  /** Posts FIFO to `ao`'s queue; false (counted by the queue) when it is full. Safe from IO callbacks. */
  post(ao: number, sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean {
    // queueFor(), inlined on the hottest path: (ao & 31) === ao is an integer 0..31 (strings fail it).
    if ((ao & 31) !== ao || this.state[ao] !== RUNNING) this.notRunning(ao);
    // No trace hook here: while any kind of any AO passes the trace's filter, `post` is
    // an own property (postTraced / postTracedStop, which record POST and REFUSE).
    // EventQueue.post(), inlined (keep in step with it). A parameter not passed
    // is 0 (`?? 0` costs fewer XS steps than a default value; a null one is
    // stored as 0 either way). The queue's own post on its refusing paths
    // (full; release builds: a bad signal), which counts them.
    const q = this.queues[ao] as unknown as QueueRing;
    if (DEBUG) checkEvent(QUEUE_KIND, q.name, sig, p0 === undefined ? 0 : p0, p1 === undefined ? 0 : p1, p2 === undefined ? 0 : p2, p3 === undefined ? 0 : p3, QueueEventError);
    const t = q.tail;
    const n = ((t - q.head) | 0) + 1;
    if (n > q.capacity || (sig & MAX_SIGNAL) !== sig) return this.queues[ao]!.post(sig, p0, p1, p2, p3);
    const r = q.records;
    const i = (t & q.mask) * 5;
    r[i] = sig;
    r[i + 1] = p0 ?? 0;
    r[i + 2] = p1 ?? 0;
    r[i + 3] = p2 ?? 0;
    r[i + 4] = p3 ?? 0;
    q.tail = (t + 1) | 0;
    q.posted++;
    if (n > q.peak) q.peak = n;
    this.readySet |= this.prioBit[ao]!;
    return true;
  }

  /**
   * post() of a kernel whose trace lets some kind of one of its AOs through
   * (own property `post`, see traceFilter()): the same steps (keep the two in
   * step), plus a POST record (aux = queue length after, flags = the sending
   * AO's slot + 1 when posted from a dispatch) or a REFUSE record.
   */
  private postTraced(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if ((ao & 31) !== ao || this.state[ao] !== RUNNING) this.notRunning(ao);
    const q = this.queues[ao]!;
    if (!q.post(sig, p0, p1, p2, p3)) {
      this.traceEvent(TRACE_REFUSE, ao, sig, p0, p1);
      return false;
    }
    this.readySet |= 1 << (this.prio[ao]! - 1);
    const t = this.trace!;
    const o = this.traceBase + ao;
    if ((t.filter[o]! & BIT_POST) !== 0) {
      // Trace.write() of a 'ring' trace, inlined on this hot path (keep in step
      // with it; a 'stop' trace gets postTracedStop). A posted signal is
      // 0..0xFFFF: word 3 is the signal with state "none".
      const seq = t.total;
      t.total = seq + 1;
      const i = seq % t.capacity;
      const w = t.words;
      const b = i * 10;
      w[b] = seq;
      const c = t.clock;
      w[b + 1] = c === null ? t.now : c();
      w[b + 2] = (o << 16) | TRACE_POST | ((this.dispatchingAo + 1) << 8);
      w[b + 3] = sig | -65536;
      // q.length without the getter call: EventQueue's free-running int32 counters.
      w[b + 4] = ((q as unknown as QueueCounters).tail - (q as unknown as QueueCounters).head) | 0;
      const pa = t.params;
      pa[i * 5 + 3] = p0;
      pa[i * 5 + 4] = p1;
    }
    return true;
  }

  /** post() of a kernel with a 'stop' trace (own property `post`): the same steps, the records through Trace.write(). */
  private postTracedStop(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if ((ao & 31) !== ao || this.state[ao] !== RUNNING) this.notRunning(ao);
    if (!this.queues[ao]!.post(sig, p0, p1, p2, p3)) {
      this.traceEvent(TRACE_REFUSE, ao, sig, p0, p1);
      return false;
    }
    this.readySet |= 1 << (this.prio[ao]! - 1);
    this.traceEvent(TRACE_POST, ao, sig, p0, p1);
    return true;
  }

  /** Posts LIFO (to the front) of `ao`'s queue. */
  postUrgent(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const q = this.queueFor(ao);
    if (!q.postUrgent(sig, p0, p1, p2, p3)) {
      if (this.trace !== null) this.traceEvent(TRACE_REFUSE, ao, sig, p0, p1);
      return false;
    }
    this.readySet |= 1 << (this.prio[ao]! - 1);
    if (this.trace !== null) this.traceEvent(TRACE_POST, ao, sig, p0, p1);
    return true;
  }

  /** Posts only while at least `margin` records stay free (QP's rule). */
  postWithMargin(ao: number, margin: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const q = this.queueFor(ao);
    if (!q.postWithMargin(margin, sig, p0, p1, p2, p3)) {
      if (this.trace !== null) this.traceEvent(TRACE_REFUSE, ao, sig, p0, p1);
      return false;
    }
    this.readySet |= 1 << (this.prio[ao]! - 1);
    if (this.trace !== null) this.traceEvent(TRACE_POST, ao, sig, p0, p1);
    return true;
  }

  /**
   * The interrupt entry for hosts: an IO callback (pin edge, UART readable,
   * another core's bridge) posts an event to `ao`. Same as post(), counted in
   * `interrupts` / `interruptsRefused`. Safe from IO callbacks; allocates nothing.
   */
  interrupt(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    this.interrupts++;
    if (this.post(ao, sig, p0, p1, p2, p3)) return true;
    this.interruptsRefused++;
    return false;
  }

  /**
   * The kernel's TimerSink entry (keel/timer): this kernel's timer table
   * calls it when a time event expires; user code does not call it (arm a
   * time event instead). Public only because TimerSink is. Queues (sig + TIME_EVENT_TAG, id, due, gen, 0) for `owner` (a
   * tagged record: see "Time events and stale expiries"); false when the
   * owner is not running or its queue is full.
   */
  postTimeEvent(owner: number, sig: number, id: number, due: number, gen: number): boolean {
    if (this.state[owner] !== RUNNING) return false;
    // EventQueue.postTagged(), inlined (keep in step with it); its own call when full (it counts the refusal).
    const q = this.queues[owner] as unknown as QueueRing;
    if (DEBUG) checkEvent(QUEUE_KIND, q.name, sig, id, due, gen, 0, QueueEventError);
    const t = q.tail;
    const n = ((t - q.head) | 0) + 1;
    if (n > q.capacity) {
      // Full: postTagged() counts the refusal ('reject' queues store nothing then).
      this.queues[owner]!.postTagged(sig, id, due, gen, 0);
      if (this.trace !== null) this.traceEvent(TRACE_REFUSE, owner, sig, id, due);
      return false;
    }
    const r = q.records;
    const i = (t & q.mask) * 5;
    r[i] = sig + TIME_EVENT_TAG;
    r[i + 1] = id;
    r[i + 2] = due;
    r[i + 3] = gen;
    r[i + 4] = 0;
    q.tail = (t + 1) | 0;
    q.posted++;
    if (n > q.peak) q.peak = n;
    this.readySet |= this.prioBit[owner]!;
    if (this.trace !== null) this.traceTimer(TRACE_TIME_EXPIRE, owner, sig, id, due, gen);
    return true;
  }

  // ---- publish/subscribe ---------------------------------------------------

  subscribe(ao: number, sig: number): void {
    this.checkRunning(ao, 'subscribe');
    this.checkSignal(sig, 'subscribe');
    this.subscribers[sig] = this.subscribers[sig]! | (1 << (this.prio[ao]! - 1));
  }

  unsubscribe(ao: number, sig: number): void {
    this.checkRunning(ao, 'unsubscribe');
    this.checkSignal(sig, 'unsubscribe');
    this.subscribers[sig] = this.subscribers[sig]! & ~(1 << (this.prio[ao]! - 1));
  }

  /** Number of AOs subscribed to `sig`. */
  subscriberCount(sig: number): number {
    this.checkSignal(sig, 'subscriberCount');
    let m = this.subscribers[sig]!;
    let n = 0;
    while (m !== 0) {
      m &= m - 1;
      n++;
    }
    return n;
  }

  /**
   * Posts `sig` to every subscriber, highest priority first. Returns the number
   * of subscribers it was delivered to (a full queue refuses and counts it).
   */
  publish(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): number {
    if (!(sig >= 0 && sig < this.maxSignals) || (sig | 0) !== sig) this.checkSignal(sig, 'publish');
    if (this.carriesBlock[sig] === 1) {
      throw new KernelUsageError(
        'USE_PUBLISH_BLOCK',
        DEBUG
          ? `Kernel '${this.name}': signal ${sig} carries a pool block; publish it with publishBlock() [USE_PUBLISH_BLOCK]`
          : `Kernel '${this.name}' [USE_PUBLISH_BLOCK]`,
      );
    }
    let mask = this.subscribers[sig]!;
    let delivered = 0;
    // Bound: one iteration per set bit, at most 32.
    while (mask !== 0) {
      const z = clz32(mask);
      const bit = 0x80000000 >>> z;
      mask ^= bit;
      const ao = this.slotByClz[z]!;
      if (this.queues[ao]!.post(sig, p0, p1, p2, p3)) {
        this.readySet |= bit;
        delivered++;
        if (this.trace !== null) this.traceEvent(TRACE_POST, ao, sig, p0, p1);
      } else if (this.trace !== null) this.traceEvent(TRACE_REFUSE, ao, sig, p0, p1);
    }
    return delivered;
  }

  /**
   * Publishes an event that carries pool block `handle` (in p0). The caller
   * hands over its one reference: each delivery takes a reference of its own
   * (retain), then the caller's is released, so the block returns to the pool
   * after the last subscriber handled it (or at once, with no subscriber).
   */
  publishBlock(sig: number, handle: number, p1 = 0, p2 = 0, p3 = 0): number {
    if (!(sig >= 0 && sig < this.maxSignals) || (sig | 0) !== sig || this.carriesBlock[sig] !== 1) {
      throw new KernelUsageError(
        'NOT_A_BLOCK_SIGNAL',
        DEBUG
          ? `Kernel '${this.name}': publishBlock(${String(sig)}) needs a signal declared with blockSignal() [NOT_A_BLOCK_SIGNAL]`
          : `Kernel '${this.name}' [NOT_A_BLOCK_SIGNAL]`,
      );
    }
    const pool = this.pool!;
    let mask = this.subscribers[sig]!;
    let delivered = 0;
    while (mask !== 0) {
      const z = clz32(mask);
      const bit = 0x80000000 >>> z;
      mask ^= bit;
      const ao = this.slotByClz[z]!;
      pool.retain(handle);
      if (this.queues[ao]!.post(sig, handle, p1, p2, p3)) {
        this.readySet |= bit;
        delivered++;
        if (this.trace !== null) this.traceEvent(TRACE_POST, ao, sig, handle, p1);
      } else {
        if (this.trace !== null) this.traceEvent(TRACE_REFUSE, ao, sig, handle, p1);
        pool.release(handle);
      }
    }
    pool.release(handle);
    return delivered;
  }

  /** Declares that events with `sig` carry a pool block handle in p0 (needs the `pool` option). */
  blockSignal(sig: number): void {
    this.checkSignal(sig, 'blockSignal');
    if (this.pool === null) {
      throw new KernelConfigError(
        'NO_POOL',
        DEBUG
          ? `Kernel '${this.name}': blockSignal(${sig}) needs the kernel's pool option (the pool the blocks come from) [NO_POOL]`
          : `Kernel '${this.name}' [NO_POOL]`,
      );
    }
    if (this.timers.postsSignal(sig)) {
      throw new KernelConfigError(
        'TIME_EVENT_SIGNAL',
        DEBUG
          ? `Kernel '${this.name}': blockSignal(${sig}): a time event posts signal ${sig}, and a time event's p0 is its id, not a pool block; ` +
              'give block events a signal of their own [TIME_EVENT_SIGNAL]'
          : `Kernel '${this.name}' [TIME_EVENT_SIGNAL]`,
      );
    }
    this.carriesBlock[sig] = 1;
  }

  // ---- time events ---------------------------------------------------------

  /**
   * Creates a time event posting `sig` (p0 = its id, p1 = due time modulo
   * 2^32 as a signed int32: compare it by difference, p2 = its generation)
   * to `ao`. Boot/config time. `ao` may be a running AO or a slot from
   * claim() not yet started, so a machine's initial transition can already
   * arm its timers. `sig` must not be a block signal (its p0 is an id).
   */
  timeEvent(ao: number, sig: number): number {
    if (!Number.isInteger(ao) || ao < 0 || ao >= this.maxObjects || this.state[ao] === FREE) {
      throw new KernelUsageError(
        'NOT_A_SLOT',
        DEBUG
          ? `Kernel '${this.name}': timeEvent(${show(ao)}, ..): not a claimed or running slot; pass an id from claim() or spawn() [NOT_A_SLOT]`
          : `Kernel '${this.name}' [NOT_A_SLOT]`,
      );
    }
    if (!Number.isInteger(sig) || sig < 0 || sig > MAX_SIGNAL) {
      throw new KernelUsageError(
        'BAD_SIGNAL',
        DEBUG
          ? `Kernel '${this.name}': timeEvent(${ao}, ${show(sig)}): the signal must be an integer 0..${MAX_SIGNAL}; pass the signal the expiry posts [BAD_SIGNAL]`
          : `Kernel '${this.name}' [BAD_SIGNAL]`,
      );
    }
    if (sig < this.maxSignals && this.carriesBlock[sig] === 1) {
      throw new KernelUsageError(
        'BLOCK_SIGNAL',
        DEBUG
          ? `Kernel '${this.name}': timeEvent(${ao}, ${sig}): signal ${sig} carries a pool block (blockSignal), but an expiry's p0 is its id; use a signal of its own [BLOCK_SIGNAL]`
          : `Kernel '${this.name}' [BLOCK_SIGNAL]`,
      );
    }
    return this.timers.create(ao, sig);
  }

  /**
   * Arms time event `id` to expire in `delayMs` (from host.now()), then every
   * `periodMs` if > 0; both numbers 0..MAX_DELAY_MS (2^31 - 1) ms, else
   * TimerUsageError (every build). An expiry of an earlier arm still queued
   * becomes stale (not dispatched). Returns the first expiry's due time (its
   * p1: a signed int32, compare by difference).
   */
  arm(id: number, delayMs: number, periodMs?: number): number {
    // No default parameter value: an omitted one costs more XS steps than this test.
    if (this.trace !== null) return this.tracedArm(-1, id, delayMs, periodMs === undefined ? 0 : periodMs);
    const now = this.host.now();
    // TimerTable.arm(), inlined for its simplest case (keep in step with it):
    // a one-shot (period omitted or 0) of a created time event that is not armed,
    // a delay in whole ms 0..MAX_DELAY_MS, an int32 now, due before every
    // armed event (an empty list: the usual case). Anything else, and every
    // error, is the table's own arm.
    const tm = this.timers as unknown as TimerRing;
    const head = tm.head;
    // (One line: XS steps count a line change. Past `(now | 0) !== now`, now is an int32.)
    if ((periodMs !== undefined && periodMs !== 0) || (id & TIMER_ID_MASK) !== id || tm.state[id] !== TIMER_DISARMED || typeof delayMs !== NUMBER || (delayMs & MAX_DELAY_MS) !== delayMs || (now | 0) !== now || (head !== TIMER_NIL && ((tm.due[head]! - now) | 0) <= delayMs))
      return this.timers.arm(id, now, delayMs, periodMs);
    tm.gen[id]++;
    const due = (now + delayMs) | 0;
    tm.due[id] = due;
    tm.period[id] = 0;
    tm.state[id] = TIMER_ARMED;
    tm.live[id] = 1;
    tm.next[id] = head;
    tm.head = id;
    return due;
  }

  /** Disarms time event `id`; true if it was armed. An expiry of it still queued becomes stale either way. */
  disarm(id: number): boolean {
    if (this.trace !== null) return this.tracedDisarm(-1, id);
    return this.timers.disarm(id);
  }

  /**
   * @internal arm() with a trace: arms, then records TIME_ARM (aux = id,
   * p0 = delay, p1 = period) for `owner` (-1: the time event's owner).
   */
  tracedArm(owner: number, id: number, delayMs: number, periodMs: number): number {
    const due = this.timers.arm(id, this.host.now(), delayMs, periodMs);
    this.traceTimer(TRACE_TIME_ARM, owner < 0 ? this.timers.ownerOf(id) : owner, -1, id, delayMs, periodMs);
    return due;
  }

  /** @internal disarm() with a trace: disarms, then records TIME_DISARM (aux = id, p0 = 1 if it was armed). */
  tracedDisarm(owner: number, id: number): boolean {
    const was = this.timers.disarm(id);
    this.traceTimer(TRACE_TIME_DISARM, owner < 0 ? this.timers.ownerOf(id) : owner, -1, id, was ? 1 : 0, 0);
    return was;
  }

  /** Records (kind, AO `ao`, sig, aux = its queue length, p0, p1; POST/REFUSE: flags = sender slot + 1) if the trace's filter lets it through (trace set). */
  private traceEvent(kind: number, ao: number, sig: number, p0: number, p1: number): void {
    const t = this.trace!;
    const obj = this.traceBase + ao;
    const from = kind === TRACE_DISPATCH ? 0 : (this.dispatchingAo + 1) & TRACE_FLAG_SENDER_MASK;
    if ((t.filter[obj]! & (1 << kind)) !== 0) t.write((obj << 16) | kind | (from << 8), (sig & 0xffff) | -65536, this.queues[ao]!.length, p0, p1);
  }

  /** Records a time-event kind for AO `ao` (aux = time event id) if the filter lets it through (trace set). */
  private traceTimer(kind: number, ao: number, sig: number, id: number, p0: number, p1: number): void {
    const t = this.trace!;
    const obj = this.traceBase + ao;
    if ((t.filter[obj]! & (1 << kind)) !== 0) t.put(kind, obj, sig, -1, id, p0, p1);
  }

  /**
   * Milliseconds until the next time event expires (0 if one is due), or -1
   * when none is armed (tickless idle). `now` (default host.now()) must be a
   * finite number: TimerUsageError otherwise.
   */
  nextDelay(now: number = this.host.now()): number {
    return this.timers.nextDelay(now);
  }

  /** Expires due time events (posting them). Call from the tick source; `now` is any number (wrap rule above). */
  tick(now: number = this.host.now()): number {
    if (this.dispatchingAo >= 0) {
      throw new KernelUsageError(
        'TICK_IN_DISPATCH',
        DEBUG
          ? `Kernel '${this.name}': tick() called during dispatch; call it from the host's tick source [TICK_IN_DISPATCH]`
          : `Kernel '${this.name}' [TICK_IN_DISPATCH]`,
      );
    }
    // A trace made with clock: null stamps its records with the last tick's
    // time. A traced kernel ticks through the table (TIME_EXPIRE records).
    if (this.trace !== null) {
      this.trace.now = now;
      return this.timers.tick(now);
    }
    // TimerTable.tick(), inlined for its usual cases (keep in step with it):
    // nothing due, or the first armed event expires into its owner's queue
    // (postTimeEvent's steps, without the TimerSink call). Anything else (a
    // refusal, a double or bad now) is the table's own tick, which posts
    // through postTimeEvent; so are the events due after that first one (the
    // table's loop).
    if ((now | 0) !== now) return this.timers.tick(now);
    // From here on now is an int32.
    const tm = this.timers as unknown as TimerRing;
    const id = tm.head;
    if (id === TIMER_NIL) return 0;
    const due = tm.due[id]!;
    if (((due - now) | 0) > 0) return 0;
    const ao = tm.owner[id]!;
    const q = this.queues[ao] as unknown as QueueRing;
    if (this.state[ao] !== RUNNING) return this.timers.tick(now);
    const qt = q.tail;
    const n = ((qt - q.head) | 0) + 1;
    if (n > q.capacity) return this.timers.tick(now);
    // It leaves the list: a one-shot is disarmed, a periodic one goes back in.
    tm.head = tm.next[id]!;
    const period = tm.period[id]!;
    if (period > 0) tm.reschedule(id, due, period, now);
    else tm.state[id] = TIMER_DISARMED;
    tm.expired++;
    const r = q.records;
    const i = (qt & q.mask) * 5;
    r[i] = tm.sig[id]! + TIME_EVENT_TAG;
    r[i + 1] = id;
    r[i + 2] = due;
    r[i + 3] = tm.gen[id]!;
    r[i + 4] = 0;
    q.tail = (qt + 1) | 0;
    q.posted++;
    if (n > q.peak) q.peak = n;
    this.readySet |= this.prioBit[ao]!;
    // The next armed event due too (rare): the table's loop expires it and the rest.
    return tm.head === TIMER_NIL || ((tm.due[tm.head]! - now) | 0) > 0 ? 1 : 1 + this.timers.tick(now);
  }

  // ---- scheduling ----------------------------------------------------------

  /** True when some AO has an event. */
  get ready(): boolean {
    return this.readySet !== 0;
  }

  /**
   * Dispatches one event: the next current one of the highest-priority ready
   * AO (stale time-event expiries before it are dropped and counted in
   * staleExpiries). Returns that AO's id, or NO_SLOT when it dispatched
   * nothing (nothing ready, or only stale expiries). Throws KernelUsageError
   * when called during a dispatch.
   */
  step(): number {
    if (this.dispatchingAo >= 0) this.reentered(0);
    let ao = NO_SLOT;
    // Bound: each STALE took one record from a queue and posted nothing, so at
    // most (records queued) passes.
    do {
      if (this.readySet === 0) return NO_SLOT;
      ao = this.next();
    } while (ao === STALE);
    return ao;
  }

  /**
   * Dispatches until no AO is ready, at most `maxBurst` events (stale
   * expiries dropped on the way are not counted). Returns the number
   * dispatched; when it is 0, counts an idle pass and calls host.idle().
   * Throws KernelUsageError when called during a dispatch.
   */
  run(): number {
    if (this.dispatchingAo >= 0) this.reentered(1);
    // n: events dispatched; sig, p0: the event being dispatched, for the catch below.
    let n = 0,
      sig = 0,
      p0 = 0;
    // One try for the whole burst: an action that throws leaves no AO marked
    // as dispatching and its event's block released, and the error goes on.
    try {
      // Bound: maxBurst dispatches; between two, at most (records queued) stale
      // expiries are dropped (dropping posts nothing).
      while (this.readySet !== 0) {
        // burstLimit: maxBurst, or 0 once an action switched tracing on (see burstLimit).
        if (n >= this.burstLimit) return this.burstEnd(n);
        // next(), inlined (keep the two in step; a traced kernel's `run` is runTraced, which calls next()).
        const z = clz32(this.readySet);
        const ao = this.slotByClz[z]!;
        // EventQueue.get(), inlined: the record is read from the ring.
        const q = this.queues[ao] as unknown as QueueRing;
        const h = q.head;
        // Emptied behind the kernel's back (queueOf(ao).clear()): nothing to take.
        if (h === q.tail) {
          this.readySet ^= 0x80000000 >>> z;
          continue;
        }
        const r = q.records;
        const i = (h & q.mask) * 5;
        // The last record queued: the AO is not ready any more.
        if ((q.head = (h + 1) | 0) === q.tail) this.readySet ^= 0x80000000 >>> z;
        q.taken++;
        sig = r[i]!;
        // Read before the dispatch: a post from the action may reuse the ring slot.
        p0 = r[i + 1]!;
        if (sig >= TIME_EVENT_TAG) {
          // A time-event expiry: expiry() and TimerTable.take(), inlined (keep
          // in step with them). No trace hooks: while the trace lets any kind
          // through, `run` is runTraced. `sig` keeps the tagged value (the
          // catch below releases nothing for it).
          const tm = this.timers as unknown as TimerRing;
          const gen = r[i + 3]!;
          // An id outside the table reads undefined (never === a number); the
          // signal must match too (see take()).
          if (tm.gen[p0] !== gen || tm.sig[p0] !== sig - TIME_EVENT_TAG) {
            this.staleExpiries++;
            continue;
          }
          // The current expiry of a one-shot (period 0: not armed again since): nothing of it is left.
          if (tm.period[p0] === 0) tm.live[p0] = 0;
          this.dispatchingAo = ao;
          this.behaviours[ao]!.dispatch(sig - TIME_EVENT_TAG, p0, r[i + 2]!, gen, 0);
          this.dispatchingAo = NO_SLOT;
          this.dispatchCount[ao]++;
          n++;
          continue;
        }
        this.dispatchingAo = ao;
        const res = this.behaviours[ao]!.dispatch(sig, p0, r[i + 2]!, r[i + 3]!, r[i + 4]!);
        this.dispatchingAo = NO_SLOT;
        // The queued reference is released after the event was handled, unless
        // the behaviour deferred it (it comes back through recall). carriesBlock
        // reads undefined for a signal >= maxSignals.
        if (this.carriesBlock[sig] && res !== BEHAVIOUR_DEFERRED) this.pool!.release(p0);
        this.dispatchCount[ao]++;
        n++;
      }
    } catch (e) {
      // From a dispatch: as if it had returned (its block released), then the error goes on.
      if (this.dispatchingAo >= 0) {
        this.dispatchingAo = NO_SLOT;
        if (this.carriesBlock[sig]) this.pool!.release(p0);
      }
      throw e;
    }
    if (n === 0) {
      this.idleCount++;
      if (this.host.idle !== undefined) this.host.idle(this);
    }
    return n;
  }

  /** run() of a traced kernel (own property `run`, see traceFilter()): calls `next`, the traced form. */
  private runTraced(): number {
    if (this.dispatchingAo >= 0) this.reentered(1);
    return this.runTracedFrom(0);
  }

  /** run() reached its bound after n >= 1 dispatches: the burst is over, or tracing was switched on and runTracedFrom goes on. */
  private burstEnd(n: number): number {
    return this.burstLimit === 0 ? this.runTracedFrom(n) : n;
  }

  /** The rest of a burst of which n events were dispatched, through `next` (traced while tracing is on). */
  private runTracedFrom(n: number): number {
    // Bound: as run()'s.
    while (this.readySet !== 0 && n < this.maxBurst) {
      if (this.next() >= 0) n++;
    }
    if (n === 0) {
      this.idleCount++;
      if (this.host.idle !== undefined) this.host.idle(this);
    }
    return n;
  }

  /**
   * Takes the next record of the highest-priority ready AO (readySet !== 0)
   * and dispatches it. Returns the AO's id; NO_SLOT if its queue was empty
   * (emptied behind the kernel's back); STALE if it was a stale expiry.
   */
  private next(): number {
    // The same steps as one pass of run()'s loop (keep the two in step).
    const z = clz32(this.readySet);
    const ao = this.slotByClz[z]!;
    // EventQueue.get(), inlined: the record is read from the ring.
    const q = this.queues[ao] as unknown as QueueRing;
    const h = q.head;
    // Emptied behind the kernel's back (queueOf(ao).clear()): nothing to take.
    if (h === q.tail) {
      this.readySet ^= 0x80000000 >>> z;
      return NO_SLOT;
    }
    const r = q.records;
    const i = (h & q.mask) * 5;
    // The last record queued: the AO is not ready any more.
    if ((q.head = (h + 1) | 0) === q.tail) this.readySet ^= 0x80000000 >>> z;
    q.taken++;
    const sig = r[i]!;
    // Read before the dispatch: a post from the action may reuse the ring slot.
    const p0 = r[i + 1]!;
    // A tagged record: a time-event expiry (one comparison on this path).
    if (sig >= TIME_EVENT_TAG) return this.expiry(ao, sig - TIME_EVENT_TAG, p0, r[i + 2]!, r[i + 3]!);
    // Tracing costs nothing here: a traced kernel's `next` is an own property (nextTraced, traceFilter()).
    let res: number | void = 0;
    this.dispatchingAo = ao;
    try {
      res = this.behaviours[ao]!.dispatch(sig, p0, r[i + 2]!, r[i + 3]!, r[i + 4]!);
    } catch (e) {
      // As if it had returned (its block released), then the error goes on.
      this.dispatchingAo = NO_SLOT;
      if (this.carriesBlock[sig]) this.pool!.release(p0);
      throw e;
    }
    this.dispatchingAo = NO_SLOT;
    // The queued reference is released after the event was handled, unless
    // the behaviour deferred it (it comes back through recall). carriesBlock
    // reads undefined for a signal >= maxSignals.
    if (this.carriesBlock[sig] && res !== BEHAVIOUR_DEFERRED) this.pool!.release(p0);
    this.dispatchCount[ao]++;
    return ao;
  }

  /** next() of a traced kernel (own property `next`, see traceFilter()): the same steps (keep the two in step), plus a DISPATCH record (aux = queue length left). */
  private nextTraced(): number {
    const z = clz32(this.readySet);
    const ao = this.slotByClz[z]!;
    const q = this.queues[ao]!;
    const sig = q.get();
    const left = q.length;
    if (left === 0) this.readySet ^= 0x80000000 >>> z;
    if (sig === NO_EVENT) return NO_SLOT;
    if (sig >= TIME_EVENT_TAG) return this.expiry(ao, sig - TIME_EVENT_TAG, q.p0, q.p1, q.p2);
    const p0 = q.p0;
    const t = this.trace!;
    const o = this.traceBase + ao;
    if ((t.filter[o]! & BIT_DISPATCH) !== 0) {
      // Trace.write() of a 'ring' trace, inlined on this hot path (keep in step
      // with it; a 'stop' trace gets nextTracedStop).
      const seq = t.total;
      t.total = seq + 1;
      const i = seq % t.capacity;
      const w = t.words;
      const b = i * 10;
      w[b] = seq;
      const c = t.clock;
      w[b + 1] = c === null ? t.now : c();
      w[b + 2] = (o << 16) | TRACE_DISPATCH;
      w[b + 3] = sig | -65536;
      w[b + 4] = left;
      const pa = t.params;
      pa[i * 5 + 3] = p0;
      pa[i * 5 + 4] = q.p1;
    }
    let r: number | void = 0;
    this.dispatchingAo = ao;
    try {
      r = this.behaviours[ao]!.dispatch(sig, p0, q.p1, q.p2, q.p3);
    } finally {
      this.dispatchingAo = -1;
      if (sig < this.maxSignals && this.carriesBlock[sig] === 1 && r !== BEHAVIOUR_DEFERRED) this.pool!.release(p0);
    }
    this.dispatchCount[ao]++;
    return ao;
  }

  /** next() of a kernel with a 'stop' trace (own property `next`): the same steps, the DISPATCH record through Trace.write(). */
  private nextTracedStop(): number {
    const z = clz32(this.readySet);
    const ao = this.slotByClz[z]!;
    const q = this.queues[ao]!;
    const sig = q.get();
    if (q.length === 0) this.readySet ^= 0x80000000 >>> z;
    if (sig === NO_EVENT) return NO_SLOT;
    if (sig >= TIME_EVENT_TAG) return this.expiry(ao, sig - TIME_EVENT_TAG, q.p0, q.p1, q.p2);
    const p0 = q.p0;
    this.traceEvent(TRACE_DISPATCH, ao, sig, p0, q.p1);
    let r: number | void = 0;
    this.dispatchingAo = ao;
    try {
      r = this.behaviours[ao]!.dispatch(sig, p0, q.p1, q.p2, q.p3);
    } finally {
      this.dispatchingAo = -1;
      if (sig < this.maxSignals && this.carriesBlock[sig] === 1 && r !== BEHAVIOUR_DEFERRED) this.pool!.release(p0);
    }
    this.dispatchCount[ao]++;
    return ao;
  }

  /**
   * The trace's onFilter hook (each AO's filter word changed; at
   * registration too): `post` and `next` are the traced forms while some AO
   * lets a kind through, else the prototype's.
   */
  private traceFilter(): void {
    const t = this.trace!;
    // During construction an AO not registered yet has filter word 0 (the trace's table starts zeroed).
    let any = 0;
    for (let i = 0; i < this.maxObjects; i++) any |= t.filter[this.traceBase + i]! | 0;
    this.burstLimit = any === 0 ? this.maxBurst : 0;
    const self = this as unknown as { post: Kernel['post']; next: () => number; run: () => number };
    if (any === 0) {
      self.post = Kernel.prototype.post;
      self.next = (Kernel.prototype as unknown as { next: () => number }).next;
      self.run = Kernel.prototype.run;
    } else {
      self.post = t.stop ? this.postTracedStop : this.postTraced;
      self.next = t.stop ? this.nextTracedStop : this.nextTraced;
      // run() inlines the untraced next(): a traced kernel's run calls `next`.
      self.run = this.runTraced;
    }
  }

  /**
   * A time-event expiry (id, due, gen, 0) just taken from AO `ao`'s queue,
   * with its untagged signal: dispatched if current, else dropped (STALE).
   * Never carries a pool block, so nothing is released.
   */
  private expiry(ao: number, sig: number, id: number, due: number, gen: number): number {
    // take() also matches the signal: a tagged record this kernel did not
    // write (posts refuse tagged signals in every build; the queue's internal
    // postTagged() called from outside could) is dropped.
    if (!this.timers.take(id, gen, sig)) {
      this.staleExpiries++;
      if (this.trace !== null) this.traceTimer(TRACE_TIME_STALE, ao, sig, id, gen, 0);
      return STALE;
    }
    if (this.trace !== null) this.traceEvent(TRACE_DISPATCH, ao, sig, id, due);
    this.dispatchingAo = ao;
    try {
      this.behaviours[ao]!.dispatch(sig, id, due, gen, 0);
    } catch (e) {
      this.dispatchingAo = -1;
      throw e;
    }
    this.dispatchingAo = -1;
    this.dispatchCount[ao]++;
    return ao;
  }

  // ---- stats ---------------------------------------------------------------

  /** The queue of running AO `ao` (read length, minFree, dropped, ... from it). */
  queueOf(ao: number): EventQueue {
    this.checkRunning(ao, 'queueOf');
    return this.queues[ao]!;
  }

  /** Events dispatched to `ao` since it started. */
  dispatched(ao: number): number {
    this.checkRunning(ao, 'dispatched');
    return this.dispatchCount[ao]!;
  }

  priorityOf(ao: number): number {
    this.checkRunning(ao, 'priorityOf');
    return this.prio[ao]!;
  }

  // ---- checks --------------------------------------------------------------

  private queueFor(ao: number): EventQueue {
    if ((ao & 31) !== ao || this.state[ao] !== RUNNING) this.notRunning(ao);
    return this.queues[ao]!;
  }

  /** Refuses an AO id on the posting paths (builds the message on this failing path only). */
  private notRunning(ao: unknown): never {
    throw new KernelUsageError(
      'NOT_RUNNING',
      DEBUG
        ? `Kernel '${this.name}': post to ${show(ao)}: not a running active object; pass an id from spawn() (0..${this.maxObjects - 1}) [NOT_RUNNING]`
        : `Kernel '${this.name}' [NOT_RUNNING]`,
    );
  }

  /** step() (op 0) or run() (op 1) called from an action. */
  private reentered(op: number): never {
    throw new KernelUsageError(
      'REENTRANT',
      DEBUG
        ? `Kernel '${this.name}': ${op === 0 ? 'step()' : 'run()'} called during dispatch (from an action); ` +
            'post an event instead: it is dispatched after the current one completes [REENTRANT]'
        : `Kernel '${this.name}' [REENTRANT]`,
    );
  }

  private checkRunning(ao: number, op: string): void {
    if (!this.isRunning(ao)) {
      throw new KernelUsageError(
        'NOT_RUNNING',
        DEBUG
          ? `Kernel '${this.name}': ${op}(${show(ao)}): not a running active object; pass an id from spawn() (0..${this.maxObjects - 1}) [NOT_RUNNING]`
          : `Kernel '${this.name}' [NOT_RUNNING]`,
      );
    }
  }

  private checkSignal(sig: number, op: string): void {
    if (!Number.isInteger(sig) || sig < 0 || sig >= this.maxSignals) {
      throw new KernelUsageError(
        'BAD_SIGNAL',
        DEBUG
          ? `Kernel '${this.name}': ${op}: signal ${show(sig)} is not an integer 0..${this.maxSignals - 1}; ` +
              'pass a signal below maxSignals (or raise the maxSignals option) [BAD_SIGNAL]'
          : `Kernel '${this.name}' [BAD_SIGNAL]`,
      );
    }
  }

  /** spawn()/start() arguments (config time). */
  private checkStart(op: string, def: ActiveObjectDef, priority: number, queueCapacity: number): void {
    if (def == null || typeof def.create !== 'function') {
      throw new KernelConfigError(
        'BAD_DEFINITION',
        DEBUG
          ? `Kernel '${this.name}': ${op}(): the definition must be an object with create(port); got ${show(def)} [BAD_DEFINITION]`
          : `Kernel '${this.name}' [BAD_DEFINITION]`,
      );
    }
    if (!Number.isInteger(priority) || priority < 1 || priority > 32) {
      throw new KernelConfigError(
        'BAD_PRIORITY',
        DEBUG
          ? `Kernel '${this.name}': ${op}(): priority must be an integer from 1 (lowest) to 32, got ${show(priority)}; ` +
              'pass a priority no other running active object uses [BAD_PRIORITY]'
          : `Kernel '${this.name}' [BAD_PRIORITY]`,
      );
    }
    if (!Number.isInteger(queueCapacity) || queueCapacity < 1 || queueCapacity > MAX_CAPACITY) {
      throw new KernelConfigError(
        'BAD_QUEUE_CAPACITY',
        DEBUG
          ? `Kernel '${this.name}': ${op}(): queueCapacity must be an integer from 1 to ${MAX_CAPACITY}, got ${show(queueCapacity)}; ` +
              "pass the number of events the active object's queue holds [BAD_QUEUE_CAPACITY]"
          : `Kernel '${this.name}' [BAD_QUEUE_CAPACITY]`,
      );
    }
  }
}

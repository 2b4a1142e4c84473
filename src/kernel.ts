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
 * postUrgent, publish, publishBlock, tick, step, run, arm and disarm allocate
 * nothing, the first call included (tested on the XS engine host).
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
 *   for the next AO started in that slot with the same capacity.
 *
 * Event flow:
 *
 *   IO callback --interrupt(ao, sig, ..)--> AO queue --(ready bit)--> step()/run()
 *   tick(now) --time event expires--> post(owner, sig, id, due)
 *   publish(sig, ..) --> post() to each subscriber, highest priority first
 *   step(): get() from the highest ready AO's queue -> behaviour.dispatch(sig, p0..p3)
 *           -> if sig carries a pool block: release(p0)
 *
 * Contexts:
 * | method                                  | IO callback | during dispatch | other worker/core |
 * |-----------------------------------------|-------------|-----------------|-------------------|
 * | interrupt (the host's IO entry)         | yes         | yes             | no (use a shared queue and a bridge AO) |
 * | post, postUrgent, postWithMargin        | yes         | yes             | no                |
 * | publish, publishBlock                   | yes         | yes             | no                |
 * | arm, disarm, nextDelay                  | yes         | yes             | no                |
 * | tick                                    | tick source | no (throws)     | no                |
 * | step, run                               | host loop   | no (throws)     | no                |
 * | spawn, claim, start, stop, subscribe    | boot/config | yes (not hot)   | no                |
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
 * recalls deferred events first, so their blocks are released too. (An hsm
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
 * Limits: maxObjects 1..32 slots; priorities 1..32, unique among running AOs;
 * `maxSignals` signals for publish/subscribe and block signals (0..maxSignals-1);
 * `timers` time events; run() dispatches at most `maxBurst` events per call.
 *
 * Measured cost (bench/kernel.bench.ts, release build; XS steps include ~26
 * steps of bench loop; 0 slots and 0 chunk bytes in every row):
 * | operation                                      | XS steps | vs hand-written rings |
 * |------------------------------------------------|----------|-----------------------|
 * | post + run, one event, 3 AOs                   | 718      | 2.02x (356)           |
 * | time event: arm + tick + run                   | 1396     | 3.92x                 |
 * | publish to 3 subscribers + run (per delivery)  | 630      | 1.77x                 |
 * | publishBlock to 3 (refcounted block) + run     | 826      | 2.32x                 |
 * Node: 40-80 ns per event (noisy, shared machine).
 */
import { KeelError } from './errors.js';
import { EventQueue, MAX_SIGNAL, NO_EVENT } from './queue.js';
import { TimerTable, type TimerSink } from './timer.js';

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

/** Returned by tryClaim() when every slot is in use. */
export const NO_SLOT = -1;

export class KernelConfigError extends KeelError {
  override name = 'KernelConfigError';
}
export class KernelSlotsFullError extends KeelError {
  override name = 'KernelSlotsFullError';
}
export class KernelUsageError extends KeelError {
  override name = 'KernelUsageError';
}

const FREE = 0;
const CLAIMED = 1;
const RUNNING = 2;

/**
 * A pre-allocated handle that posts into one slot's queue. Behaviours keep it
 * to post to themselves (run-to-completion: the event is queued).
 */
export class AoPort {
  constructor(
    readonly kernel: Kernel,
    readonly id: number,
  ) {}
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    return this.kernel.post(this.id, sig, p0, p1, p2, p3);
  }
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    return this.kernel.postUrgent(this.id, sig, p0, p1, p2, p3);
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
  /** Events dispatched since start. */
  dispatchedTotal = 0;
  /** Events posted through interrupt(), and those a full queue refused. */
  interrupts = 0;
  interruptsRefused = 0;
  /** Time events refused by a full AO queue. */
  get timerRefused(): number {
    return this.timers.refused;
  }

  private readySet = 0;
  private readonly state: Uint8Array;
  private readonly prio: Int8Array;
  private readonly prioToSlot: Int8Array;
  private readonly queues: (EventQueue | null)[];
  private readonly behaviours: (Behaviour | null)[];
  private readonly ports: AoPort[];
  private readonly dispatchCount: Float64Array;
  private readonly subscribers: Int32Array;
  private readonly carriesBlock: Uint8Array;
  private readonly pool: BlockOwner | null;
  private dispatching = false;

  constructor(options: KernelOptions = {}) {
    const name = options.name ?? 'kernel';
    const maxObjects = options.maxObjects ?? 8;
    const maxSignals = options.maxSignals ?? 64;
    const maxBurst = options.maxBurst ?? 1024;
    if (!Number.isInteger(maxObjects) || maxObjects < 1 || maxObjects > 32) {
      throw new KernelConfigError(`Kernel "${name}": maxObjects must be an integer from 1 to 32 (one priority bit each), got ${String(maxObjects)}`);
    }
    if (!Number.isInteger(maxSignals) || maxSignals < 1 || maxSignals > 65536) {
      throw new KernelConfigError(`Kernel "${name}": maxSignals must be an integer from 1 to 65536, got ${String(maxSignals)}`);
    }
    if (!Number.isInteger(maxBurst) || maxBurst < 1) {
      throw new KernelConfigError(`Kernel "${name}": maxBurst must be a positive integer, got ${String(maxBurst)}`);
    }
    this.name = name;
    this.maxObjects = maxObjects;
    this.maxSignals = maxSignals;
    this.maxBurst = maxBurst;
    this.host = options.host ?? ZERO_CLOCK;
    this.pool = options.pool ?? null;
    this.state = new Uint8Array(maxObjects);
    this.prio = new Int8Array(maxObjects);
    this.prioToSlot = new Int8Array(32).fill(-1);
    this.queues = new Array<EventQueue | null>(maxObjects).fill(null);
    this.behaviours = new Array<Behaviour | null>(maxObjects).fill(null);
    this.ports = [];
    for (let i = 0; i < maxObjects; i++) this.ports.push(new AoPort(this, i));
    this.dispatchCount = new Float64Array(maxObjects);
    this.subscribers = new Int32Array(maxSignals);
    this.carriesBlock = new Uint8Array(maxSignals);
    this.timers = new TimerTable({ name: `${name}.timers`, capacity: options.timers ?? 16 }, this);
  }

  // ---- slots ---------------------------------------------------------------

  /** Reserves a free slot to start later; throws KernelSlotsFullError when none is free. */
  claim(): number {
    const slot = this.tryClaim();
    if (slot === NO_SLOT) {
      throw new KernelSlotsFullError(
        `Kernel "${this.name}": all ${this.maxObjects} active-object slots are in use; raise maxObjects (at most 32) or stop an active object first`,
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
      throw new KernelUsageError(`Kernel "${this.name}": releaseClaim(${String(slot)}) needs a claimed, not started slot`);
    }
    this.timers.destroyOwnedBy(slot);
    this.state[slot] = FREE;
  }

  /** Claims a slot and starts an AO in it; returns the AO id (its slot). */
  spawn(def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    const slot = this.claim();
    try {
      this.start(slot, def, priority, queueCapacity);
    } catch (e) {
      this.state[slot] = FREE;
      throw e;
    }
    return slot;
  }

  /** Starts an AO in a claimed slot: makes its queue and behaviour, then runs its initial transition. */
  start(slot: number, def: ActiveObjectDef, priority: number, queueCapacity: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.maxObjects || this.state[slot] !== CLAIMED) {
      throw new KernelUsageError(`Kernel "${this.name}": start(${String(slot)}) needs a slot from claim()`);
    }
    if (!Number.isInteger(priority) || priority < 1 || priority > 32) {
      throw new KernelConfigError(`Kernel "${this.name}": priority must be an integer from 1 (lowest) to 32, got ${String(priority)}`);
    }
    const other = this.prioToSlot[priority - 1]!;
    if (other >= 0) {
      throw new KernelConfigError(`Kernel "${this.name}": priority ${priority} is already used by active object ${other}; priorities are unique`);
    }
    let q = this.queues[slot] ?? null;
    if (q === null || q.capacity !== queueCapacity) {
      q = new EventQueue({ name: `${this.name}.ao${slot}`, capacity: queueCapacity, overflow: 'reject' });
      this.queues[slot] = q;
    } else {
      q.reset();
    }
    this.prio[slot] = priority;
    this.prioToSlot[priority - 1] = slot;
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

  /** Stops an AO: releases its queued (and deferred) blocks, its time events and subscriptions, and frees its slot. */
  stop(ao: number): void {
    this.checkRunning(ao, 'stop');
    const b = this.behaviours[ao]!;
    if (b.recallAll !== undefined) b.recallAll();
    this.discard(ao);
    this.state[ao] = FREE;
  }

  /** Drops slot `ao`'s events (releasing their blocks), subscriptions, time events, priority and behaviour. */
  private discard(ao: number): void {
    const q = this.queues[ao]!;
    for (let guard = q.capacity; guard > 0 && q.length > 0; guard--) {
      const sig = q.get();
      if (sig >= 0 && sig < this.maxSignals && this.carriesBlock[sig] === 1) this.pool!.release(q.p0);
    }
    const bit = 1 << (this.prio[ao]! - 1);
    this.readySet &= ~bit;
    for (let s = 0; s < this.maxSignals; s++) this.subscribers[s] = this.subscribers[s]! & ~bit;
    this.timers.destroyOwnedBy(ao);
    this.prioToSlot[this.prio[ao]! - 1] = -1;
    this.behaviours[ao] = null;
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
    return this.ports[ao]!;
  }

  // ---- posting (hot path) --------------------------------------------------

  /** Posts FIFO to `ao`'s queue; false (counted by the queue) when it is full. Safe from IO callbacks. */
  post(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const q = this.queueFor(ao);
    if (!q.post(sig, p0, p1, p2, p3)) return false;
    this.readySet |= 1 << (this.prio[ao]! - 1);
    return true;
  }

  /** Posts LIFO (to the front) of `ao`'s queue. */
  postUrgent(ao: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const q = this.queueFor(ao);
    if (!q.postUrgent(sig, p0, p1, p2, p3)) return false;
    this.readySet |= 1 << (this.prio[ao]! - 1);
    return true;
  }

  /** Posts only while at least `margin` records stay free (QP's rule). */
  postWithMargin(ao: number, margin: number, sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const q = this.queueFor(ao);
    if (!q.postWithMargin(margin, sig, p0, p1, p2, p3)) return false;
    this.readySet |= 1 << (this.prio[ao]! - 1);
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

  /** TimerSink: a time event expired. */
  postTimeEvent(owner: number, sig: number, id: number, due: number): boolean {
    if (this.state[owner] !== RUNNING) return false;
    return this.post(owner, sig, id, due, 0, 0);
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
      throw new KernelUsageError(`Kernel "${this.name}": signal ${sig} carries a pool block; publish it with publishBlock()`);
    }
    let mask = this.subscribers[sig]!;
    let delivered = 0;
    // Bound: one iteration per set bit, at most 32.
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask);
      mask &= ~(1 << bit);
      const ao = this.prioToSlot[bit]!;
      if (this.queues[ao]!.post(sig, p0, p1, p2, p3)) {
        this.readySet |= 1 << bit;
        delivered++;
      }
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
      throw new KernelUsageError(`Kernel "${this.name}": publishBlock(${String(sig)}) needs a signal declared with blockSignal()`);
    }
    const pool = this.pool!;
    let mask = this.subscribers[sig]!;
    let delivered = 0;
    while (mask !== 0) {
      const bit = 31 - Math.clz32(mask);
      mask &= ~(1 << bit);
      const ao = this.prioToSlot[bit]!;
      pool.retain(handle);
      if (this.queues[ao]!.post(sig, handle, p1, p2, p3)) {
        this.readySet |= 1 << bit;
        delivered++;
      } else {
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
      throw new KernelConfigError(`Kernel "${this.name}": blockSignal(${sig}) needs the kernel's pool option (the pool the blocks come from)`);
    }
    this.carriesBlock[sig] = 1;
  }

  // ---- time events ---------------------------------------------------------

  /**
   * Creates a time event posting `sig` (p0 = its id, p1 = due time modulo
   * 2^32 as a signed int32: compare it by difference) to `ao`.
   * Boot/config time. `ao` may be a running AO or a slot from claim() not yet
   * started, so a machine's initial transition can already arm its timers.
   */
  timeEvent(ao: number, sig: number): number {
    if (!Number.isInteger(ao) || ao < 0 || ao >= this.maxObjects || this.state[ao] === FREE) {
      throw new KernelUsageError(`Kernel "${this.name}": timeEvent(${String(ao)}): not a claimed or running slot (ids come from claim() or spawn())`);
    }
    if (!Number.isInteger(sig) || sig < 0 || sig > MAX_SIGNAL) {
      throw new KernelUsageError(`Kernel "${this.name}": timeEvent: signal ${String(sig)} is not an integer 0..${MAX_SIGNAL}`);
    }
    return this.timers.create(ao, sig);
  }

  /**
   * Arms time event `id` to expire in `delayMs` (from host.now()), then every
   * `periodMs` if > 0; both 0..MAX_DELAY_MS (2^31 - 1) ms, else
   * TimerUsageError. Returns the first expiry's due time (its p1: a signed
   * int32, compare by difference).
   */
  arm(id: number, delayMs: number, periodMs = 0): number {
    return this.timers.arm(id, this.host.now(), delayMs, periodMs);
  }

  disarm(id: number): boolean {
    return this.timers.disarm(id);
  }

  /** Milliseconds until the next time event expires (0 if one is due), or -1 when none is armed (tickless idle). */
  nextDelay(now: number = this.host.now()): number {
    return this.timers.nextDelay(now);
  }

  /** Expires due time events (posting them). Call from the tick source; `now` is any number (wrap rule above). */
  tick(now: number = this.host.now()): number {
    if (this.dispatching) {
      throw new KernelUsageError(`Kernel "${this.name}": tick() called during dispatch; call it from the host's tick source`);
    }
    return this.timers.tick(now);
  }

  // ---- scheduling ----------------------------------------------------------

  /** True when some AO has an event. */
  get ready(): boolean {
    return this.readySet !== 0;
  }

  /**
   * Dispatches one event: the next one of the highest-priority ready AO.
   * Returns its id, or NO_SLOT when nothing was ready.
   */
  step(): number {
    if (this.readySet === 0) return NO_SLOT;
    if (this.dispatching) {
      throw new KernelUsageError(`Kernel "${this.name}": step()/run() called during dispatch; post an event instead`);
    }
    const bit = 31 - Math.clz32(this.readySet);
    const ao = this.prioToSlot[bit]!;
    const q = this.queues[ao]!;
    const sig = q.get();
    if (q.length === 0) this.readySet &= ~(1 << bit);
    if (sig === NO_EVENT) return NO_SLOT;
    const p0 = q.p0;
    let r: number | void = 0;
    this.dispatching = true;
    try {
      r = this.behaviours[ao]!.dispatch(sig, p0, q.p1, q.p2, q.p3);
    } finally {
      this.dispatching = false;
      // The queued reference is released after the event was handled, unless
      // the behaviour deferred it (it comes back through recall).
      if (sig < this.maxSignals && this.carriesBlock[sig] === 1 && r !== BEHAVIOUR_DEFERRED) this.pool!.release(p0);
    }
    this.dispatchCount[ao]++;
    this.dispatchedTotal++;
    return ao;
  }

  /**
   * Dispatches until no AO is ready, at most `maxBurst` events. Returns the
   * number dispatched; when it is 0, counts an idle pass and calls host.idle().
   */
  run(): number {
    let n = 0;
    while (this.readySet !== 0 && n < this.maxBurst) {
      if (this.step() !== NO_SLOT) n++;
    }
    if (n === 0) {
      this.idleCount++;
      if (this.host.idle !== undefined) this.host.idle(this);
    }
    return n;
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
    if (ao >= 0 && ao < this.maxObjects && this.state[ao] === RUNNING) return this.queues[ao]!;
    throw new KernelUsageError(`Kernel "${this.name}": ${String(ao)} is not a running active object (ids come from spawn())`);
  }

  private checkRunning(ao: number, op: string): void {
    if (!this.isRunning(ao)) {
      throw new KernelUsageError(`Kernel "${this.name}": ${op}(${String(ao)}): not a running active object (ids come from spawn())`);
    }
  }

  private checkSignal(sig: number, op: string): void {
    if (!Number.isInteger(sig) || sig < 0 || sig >= this.maxSignals) {
      throw new KernelUsageError(`Kernel "${this.name}": ${op}: signal ${String(sig)} is outside 0..${this.maxSignals - 1}; raise maxSignals`);
    }
  }
}

/**
 * timer: a fixed table of time events (one-shot and periodic) driven by a tick.
 *
 * A time event belongs to an owner (an active object's slot in the kernel) and
 * carries a signal. When it expires, `tick(now)` posts that signal to its owner
 * through the `TimerSink` given at construction, with the time event's id as
 * p0, the due time as p1 and its generation as p2. Time events are created
 * once at boot (`create`) and then armed, disarmed and re-armed as often as
 * needed.
 *
 * Generations (stale expiries). An expiry is posted, then dispatched later;
 * in between, the owner may disarm or re-arm the time event. Each time event
 * has a generation, a 32-bit counter that arm (re-arm included), disarm
 * (every call, also when it returns false because the event was not armed:
 * a one-shot that expired but whose expiry is still queued) and destroy
 * advance by one (`(g + 1) | 0`). tick() does not: a periodic event's
 * expiries all carry the generation of its arm, and so does a one-shot's
 * single expiry. `isCurrent(id, gen)` says whether an expiry posted with
 * `gen` is still wanted: false once the event was disarmed, re-armed or
 * destroyed after that post. The kernel checks it at dispatch and drops a
 * stale expiry (counted in `kernel.staleExpiries`), so an action never sees
 * the expiry of an arm it has since cancelled or replaced, even one due in
 * the same millisecond as the new arm (a zero-delay re-arm). A zero-delay arm
 * fires: it is due at now and expires on the next tick. (The counter wraps
 * after 2^32 arms of one id; an expiry would have to wait in a queue through
 * all of them to be mistaken for current.)
 *
 * Allocation: the table is typed arrays sized at construction. `arm`,
 * `disarm`, `isArmed`, `isCurrent`, `remaining`, `nextDelay` and `tick`
 * allocate nothing, the first call included, across the clock's wrap too
 * (tested on the XS engine host). `create` and the constructor allocate nothing either but
 * belong to boot.
 *
 * Time and the wrap rule. Times are whole milliseconds on a clock that wraps
 * at 2^32: a Moddable device's `Time.ticks` is a 32-bit millisecond counter
 * (`xsmcSetInteger(modMilliseconds())`: a signed int32 that goes negative
 * after 2^31 ms, about 24.8 days, and wraps at 2^32, about 49.7 days), the
 * simulator and Node pass doubles. `arm` and `tick` accept `now` as any of
 * these (a double, a signed int32 or an unsigned 32-bit value) and reduce it
 * with `now | 0` (to a signed int32, modulo 2^32; a fraction of a ms is
 * dropped). Times are then only ever compared by their wrap-safe signed
 * difference, `((a - b) | 0) > 0` ("a is later than b"), never with `<`/`>`
 * on the times themselves. That difference is right while the two times are
 * less than 2^31 ms apart, hence the bounds:
 * - `delayMs` and `periodMs` are numbers from 0 to MAX_DELAY_MS (2^31 - 1 ms);
 *   anything else (a larger or negative value, NaN, Infinity, a string such
 *   as '10', undefined passed as the delay) is refused with TimerUsageError
 *   in every build, before anything changes. A fractional delay or period is
 *   rounded up to the next whole ms. `now` must be a finite number
 *   (TimerUsageError otherwise: `now | 0` would turn NaN into 0).
 * - tick() must run at least once within 2^31 ms after an event's due time
 *   (any real tick source runs every few ms).
 * The due time of an expiry (p1 of the posted event, and the value `arm`
 * returns) is `(now | 0) + delayMs` modulo 2^32 as a signed int32: equal to
 * the clock's value on a device, and to the clock modulo 2^32 on a host with
 * a double clock. Compare it with other times only by difference:
 * `((p1 - t) | 0) >= 0` ("due at or after t").
 *
 * An expiry is posted as (sig, p0 = id, p1 = due, p2 = generation, p3 = 0).
 *
 * Order: armed events sit in one list sorted by remaining time relative to
 * the current now (equivalently by due time, compared by difference); equal
 * due times keep the order in which they were armed. `tick(now)` expires from
 * the head, so events due at the same time are posted in arming order, and
 * earlier due times first, across the wrap as well.
 *
 * Periodic events: after expiring at time d, the next due time is d + period.
 * A late tick (the host delayed it) posts a periodic event once and skips the
 * periods it missed, counting them in `missed`: no burst of catch-up events.
 *
 *   Lifecycle of a time event id:
 *
 *     create(owner, sig)          arm(id, now, delay, period)
 *     ------------------> DISARMED ----------------------> ARMED
 *                            ^  ^                           |  |
 *                            |  +------- disarm(id) --------+  | tick(now), due - now <= 0:
 *                            |                                 |   post(owner, sig, id, due, gen)
 *                            +---- tick: one-shot expired -----+   periodic: stays ARMED,
 *                                                                  due += period
 *     arm(id, ...) on an ARMED event re-arms it (moves it in the list).
 *     destroy(id) returns a DISARMED or ARMED id to the table (kernel stop()).
 *     gen += 1 on: arm, re-arm, disarm (armed or not), destroy. Never on tick.
 *
 * Contexts: create/destroy at boot or spawn/stop time. arm/disarm/isArmed/
 * isCurrent/remaining/nextDelay from actions during dispatch (re-entrant use
 * is fine: they only relink the list) and from IO callbacks. tick() from the host's
 * tick source only, never re-entrantly (it throws TimerReentryError if called
 * from inside an expiry post).
 *
 * Limits: `capacity` time events (1..32767, set at construction); delays and
 * periods 0..MAX_DELAY_MS (2^31 - 1) ms.
 *
 * Measured cost: docs/kernel.md "Measured cost" (arm + tick + dispatch of one
 * expiring time event through the kernel, bench/kernel.bench.ts); allocates
 * nothing (test/timer/timer.test.ts);
 * The armed list is singly linked: arm (and tick re-arming a periodic event)
 * walks it from the first armed event to the insertion point, and disarm,
 * destroy and the re-arm of an armed event walk it to the event's
 * predecessor, so they grow with the number of armed events (bounded by
 * `capacity`); expiring the first event and arming one that becomes the
 * first do not walk. The kernel's tick() and arm() do those two cases
 * themselves, with this table's arrays (src/kernel.ts, "Hot paths": keep the
 * two in step), and call tick() and arm() for everything else.
 *
 * Release builds: every check of this module runs in every build: capacity
 * (TimerConfigError), owner, signal and id arguments, delay and period
 * (0..MAX_DELAY_MS), `now` (finite), re-entrant tick (TimerUsageError,
 * TimerTableFullError, TimerReentryError). There is no DEBUG-only check;
 * only the long message text is DEBUG-only (release builds throw the same
 * class and `code`, docs/errors.md "timer", with `TimerTable 'name' [CODE]`).
 *
 * Counters: refused = an expiry the owner's queue did not take; `missed` =
 * periods skipped because a tick came late (nothing was posted for them).
 */
import { KeelError, showValue as show } from './errors.js';
import { MAX_SIGNAL } from './queue.js';

/** Where expiring time events are posted. The kernel implements it. */
export interface TimerSink {
  /**
   * Time event `id` of `owner` expired, due at `due`; `gen` is its generation
   * (pass it back to `isCurrent(id, gen)` when the expiry is handled). False
   * if the owner's queue refused it (counted in `refused`).
   */
  postTimeEvent(owner: number, sig: number, id: number, due: number, gen: number): boolean;
}

/** No time event: returned by `tryCreate` when the table is full. */
export const NO_TIMER = -1;

/**
 * Largest delay and period, ms: 2^31 - 1 (about 24.8 days). Times are compared
 * by their signed 32-bit difference, which is only right for times less than
 * 2^31 ms apart. A longer wait is a chain of shorter time events.
 */
export const MAX_DELAY_MS = 2147483647;

export type TimerConfigErrorCode = 'BAD_CAPACITY';
/** Bad TimerTable options (the kernel's `timers` option). */
export class TimerConfigError extends KeelError {
  override name = 'TimerConfigError';
  declare readonly code: TimerConfigErrorCode;
}
export type TimerTableFullErrorCode = 'TABLE_FULL';
/** create() found every time event in use. */
export class TimerTableFullError extends KeelError {
  override name = 'TimerTableFullError';
  declare readonly code: TimerTableFullErrorCode;
}
export type TimerUsageErrorCode = 'BAD_OWNER_OR_SIGNAL' | 'NOT_A_TIMER' | 'BAD_NOW' | 'BAD_DELAY';
/** A bad argument: an id that is not a time event of the table, a bad time, delay, owner or signal. */
export class TimerUsageError extends KeelError {
  override name = 'TimerUsageError';
  declare readonly code: TimerUsageErrorCode;
}
export type TimerReentryErrorCode = 'REENTRANT_TICK';
/** tick() called from inside an expiry. */
export class TimerReentryError extends KeelError {
  override name = 'TimerReentryError';
  declare readonly code: TimerReentryErrorCode;
}

const NIL = -1;
// Operation codes for messages: a string literal evaluated on a hot path
// allocates a chunk on the XS host engine, so names are looked up on failure only.
const OP_DESTROY = 0;
const OP_ARM = 1;
const OP_DISARM = 2;
const OP_ISARMED = 3;
const OP_REMAINING = 4;
const OP_OWNEROF = 5;
const OP_TICK = 6;
const OP_NEXT_DELAY = 7;
const OP_NAMES = Object.freeze(['destroy', 'arm', 'disarm', 'isArmed', 'remaining', 'ownerOf', 'tick', 'nextDelay'] as const);
// Compared with `typeof`: a string literal in a hot function is copied into a
// chunk on each evaluation on the XS host; a module constant is not.
const NUMBER = 'number';
/** Ids are 0..32766 (capacity <= 32767): `(id & ID_MASK) === id` is an integer-number test, strings fail it. */
const ID_MASK = 0x7fff;
const FREE = 0;
const DISARMED = 1;
const ARMED = 2;

export interface TimerTableOptions {
  /** For messages. */
  name?: string;
  /** Number of time events (1..32767). */
  capacity: number;
}

export class TimerTable {
  readonly name: string;
  readonly capacity: number;
  /** Time events created (in use). */
  created = 0;
  /** Events posted by tick(). */
  expired = 0;
  /** Expiry posts the owner's queue refused (counted, the event is lost for that period). */
  refused = 0;
  /** Periods skipped because a tick came late. */
  missed = 0;

  private readonly sink: TimerSink;
  // state, owner, sig, due, period, gen, live, next, head, expired and
  // reschedule(): the kernel uses them under these names (src/kernel.ts,
  // TimerRing: its tick(), arm() and run() fast paths): keep the names,
  // meanings, NIL, ID_MASK and the state codes in step.
  private readonly state: Uint8Array;
  private readonly owner: Int16Array;
  private readonly sig: Int32Array;
  /** Due time, ms modulo 2^32 as a signed int32 (compared by difference only). */
  private readonly due: Int32Array;
  /** Period, whole ms, 0 for a one-shot (0..MAX_DELAY_MS). */
  private readonly period: Int32Array;
  /** Generation per id: advanced by arm, disarm and destroy (see the header). */
  private readonly gen: Int32Array;
  /**
   * Per time event: 1 while it is armed or the expiry of its current
   * generation may still be queued, else 0 (set by arm, cleared by disarm,
   * destroy and take() of a one-shot's expiry). A state machine reads it on
   * exit and skips the disarm call of a one-shot whose expiry it just
   * handled (nothing left to cancel). Read-only for users.
   */
  readonly live: Uint8Array;
  /** The armed list, ordered by due time (see "Order"): the id after each armed id, NIL after the last. */
  private readonly next: Int16Array;
  private head = NIL;
  private freeTop = 0;
  private readonly freeStack: Int16Array;
  private ticking = false;

  constructor(options: TimerTableOptions, sink: TimerSink) {
    const name = options.name ?? 'timers';
    const n = options.capacity;
    if (!Number.isInteger(n) || n < 1 || n > 32767) {
      throw new TimerConfigError(
        'BAD_CAPACITY',
        DEBUG
          ? `TimerTable '${name}': capacity must be an integer from 1 to 32767, got ${String(n)}; set the timers option [BAD_CAPACITY]`
          : `TimerTable '${name}' [BAD_CAPACITY]`,
      );
    }
    this.name = name;
    this.capacity = n;
    this.sink = sink;
    // The nine per-event arrays are views of one buffer (boot RAM: one ArrayBuffer, not nine):
    // 4-byte arrays first, then 2-byte, then 1-byte, each at an offset aligned for its type.
    const buf = new ArrayBuffer(n * 24);
    this.sig = new Int32Array(buf, 0, n);
    this.due = new Int32Array(buf, n * 4, n);
    this.period = new Int32Array(buf, n * 8, n);
    this.gen = new Int32Array(buf, n * 12, n);
    this.owner = new Int16Array(buf, n * 16, n);
    this.next = new Int16Array(buf, n * 18, n).fill(NIL);
    this.freeStack = new Int16Array(buf, n * 20, n);
    this.state = new Uint8Array(buf, n * 22, n);
    this.live = new Uint8Array(buf, n * 23, n);
    for (let i = 0; i < n; i++) this.freeStack[i] = n - 1 - i;
    this.freeTop = n;
  }

  /** Creates a disarmed time event for `owner` posting `sig`. Throws TimerTableFullError when full. */
  create(owner: number, sig: number): number {
    const id = this.tryCreate(owner, sig);
    if (id === NO_TIMER) {
      throw new TimerTableFullError(
        'TABLE_FULL',
        DEBUG
          ? `TimerTable '${this.name}' is full: all ${this.capacity} time events are in use; raise the timers option [TABLE_FULL]`
          : `TimerTable '${this.name}' [TABLE_FULL]`,
      );
    }
    return id;
  }

  /**
   * Creates a disarmed time event, or returns NO_TIMER when the table is full.
   * `owner` is an integer 0..32767 and `sig` an integer 0..MAX_SIGNAL, else
   * TimerUsageError (boot time: checked in every build).
   */
  tryCreate(owner: number, sig: number): number {
    if (!Number.isInteger(owner) || owner < 0 || owner > 0x7fff || !Number.isInteger(sig) || sig < 0 || sig > MAX_SIGNAL) {
      throw new TimerUsageError(
        'BAD_OWNER_OR_SIGNAL',
        DEBUG
          ? `TimerTable '${this.name}': create(${show(owner)}, ${show(sig)}) needs an owner that is an integer 0..32767 ` +
              `(the kernel: an active object's slot) and a signal that is an integer 0..${MAX_SIGNAL}; pass those [BAD_OWNER_OR_SIGNAL]`
          : `TimerTable '${this.name}' [BAD_OWNER_OR_SIGNAL]`,
      );
    }
    if (this.freeTop === 0) return NO_TIMER;
    const id = this.freeStack[--this.freeTop]!;
    this.state[id] = DISARMED;
    this.owner[id] = owner;
    this.sig[id] = sig;
    this.due[id] = 0;
    this.period[id] = 0;
    this.created++;
    return id;
  }

  /** Returns a time event to the table (disarming it first); an expiry of it still queued is stale from now on. */
  destroy(id: number): void {
    this.check(id, OP_DESTROY);
    if (this.state[id] === ARMED) this.unlink(id);
    this.gen[id] = (this.gen[id]! + 1) | 0;
    this.live[id] = 0;
    this.state[id] = FREE;
    this.freeStack[this.freeTop++] = id;
    this.created--;
  }

  /** Destroys every time event of `owner`; returns how many. */
  destroyOwnedBy(owner: number): number {
    let n = 0;
    for (let id = 0; id < this.capacity; id++) {
      if (this.state[id] !== FREE && this.owner[id] === owner) {
        this.destroy(id);
        n++;
      }
    }
    return n;
  }

  /**
   * Arms (or re-arms) `id` to expire `delayMs` after `now`, then every
   * `periodMs` if that is > 0. `now` is the time base of tick() (any finite
   * number: it is reduced with `now | 0`). Delay and period are numbers
   * 0..MAX_DELAY_MS (fractions rounded up to whole ms); anything else throws
   * TimerUsageError in every build and changes nothing. Advances the
   * generation: an expiry of an earlier arm still queued is stale. Returns the
   * due time of the first expiry, `(now | 0) + delay` as a signed int32: the
   * p1 that expiry will carry (compare it by difference only).
   */
  arm(id: number, now: number, delayMs: number, periodMs?: number): number {
    if ((id & ID_MASK) !== id || id >= this.capacity || this.state[id] === FREE) this.badId(id, OP_ARM);
    // Whole ms 0..MAX_DELAY_MS (= 2^31 - 1): numbers (typeof first: `&`
    // throws on a BigInt or a Symbol) that `& MAX_DELAY_MS` leaves as they are
    // (a fraction, a negative or larger value, NaN fail it). Anything else (an
    // omitted period too) goes through wholeMs(): rounded up, or TimerUsageError.
    if (typeof delayMs !== NUMBER || typeof periodMs !== NUMBER || (delayMs & MAX_DELAY_MS) !== delayMs || (periodMs! & MAX_DELAY_MS) !== periodMs) {
      const d = this.wholeMs(id, delayMs, periodMs, delayMs);
      periodMs = this.wholeMs(id, delayMs, periodMs, periodMs === undefined ? 0 : periodMs);
      delayMs = d;
    }
    // `now | 0` would turn undefined or NaN into 0 and stall every timer
    // silently (and '5' into 5); an int32 now (a device's Time.ticks) skips the test.
    const t = now | 0;
    if (t !== now && (typeof now !== NUMBER || now - now !== 0)) this.badNow(OP_ARM, now);
    const state = this.state;
    if (state[id] === ARMED) this.unlink(id);
    // Int32Array: the store wraps (the same as (g + 1) | 0).
    this.gen[id]++;
    const due = (t + delayMs) | 0;
    this.due[id] = due;
    this.period[id] = periodMs;
    state[id] = ARMED;
    this.live[id] = 1;
    this.insert(id, t, delayMs);
    return due;
  }

  /** arm()'s delay or period `v` as whole ms (rounded up), after checking both (TimerUsageError, nothing changed). */
  private wholeMs(id: number, delayMs: number, periodMs: number | undefined, v: number): number {
    if (
      typeof delayMs !== NUMBER ||
      !(delayMs >= 0 && delayMs <= MAX_DELAY_MS) ||
      (periodMs !== undefined && (typeof periodMs !== NUMBER || !(periodMs >= 0 && periodMs <= MAX_DELAY_MS)))
    )
      this.badArm(id, delayMs, periodMs);
    // No Math call: whole ms, rounded up (never earlier than asked).
    let w = v | 0;
    if (w !== v) w++;
    return w;
  }

  /**
   * Disarms `id`; returns true if it was armed. Advances the generation in
   * either case: an expiry of it still queued (a one-shot that already
   * expired, so this returns false) is stale and will not be dispatched.
   */
  disarm(id: number): boolean {
    if ((id & ID_MASK) !== id || id >= this.capacity || this.state[id] === FREE) this.badId(id, OP_DISARM);
    this.gen[id]++;
    this.live[id] = 0;
    if (this.state[id] !== ARMED) return false;
    this.unlink(id);
    this.state[id] = DISARMED;
    return true;
  }

  isArmed(id: number): boolean {
    this.check(id, OP_ISARMED);
    return this.state[id] === ARMED;
  }

  /**
   * True when an expiry of `id` posted with generation `gen` (its p2) is
   * current: `id` is a created time event and has not been armed, disarmed or
   * destroyed since that expiry was posted. False for anything else (an id
   * that is destroyed or not a time event of this table, another generation);
   * never throws. Allocates nothing.
   */
  isCurrent(id: number, gen: number): boolean {
    return (id & ID_MASK) === id && id < this.capacity && this.state[id] !== FREE && this.gen[id] === gen;
  }

  /**
   * The kernel, about to dispatch an expiry (sig, id, gen): isCurrent(id, gen) and the time event posts sig,
   * and when it is the current expiry of a one-shot (not armed again), marks
   * the time event not live: nothing of it is queued or armed any more.
   */
  take(id: number, gen: number, sig: number): boolean {
    // An id outside the table reads undefined (never === a number), and a
    // destroyed id's generation moved on, so the generation test alone is safe
    // for the kernel's own records; the signal must match too, so a record a
    // buggy release-build post tagged by accident (sig >= TIME_EVENT_TAG)
    // does not pass for a current expiry.
    if (this.gen[id] !== gen || this.sig[id] !== sig) return false;
    if (this.state[id] !== ARMED) this.live[id] = 0;
    return true;
  }

  /** Milliseconds until `id` expires (0 if due or overdue), or -1 when disarmed. Wrap-safe. */
  remaining(id: number, now: number): number {
    this.check(id, OP_REMAINING);
    if (typeof now !== NUMBER || now - now !== 0) this.badNow(OP_REMAINING, now);
    if (this.state[id] !== ARMED) return -1;
    const r = (this.due[id]! - (now | 0)) | 0;
    return r > 0 ? r : 0;
  }

  /**
   * Milliseconds from `now` until the earliest armed event expires (0 if one
   * is due or overdue), or -1 when none is armed: what a tickless idle sleeps
   * for. Wrap-safe; replaces a "next due time", which could not say "none"
   * once due times may be negative.
   */
  nextDelay(now: number): number {
    if (typeof now !== NUMBER || now - now !== 0) this.badNow(OP_NEXT_DELAY, now);
    const id = this.head;
    if (id === NIL) return -1;
    const r = (this.due[id]! - (now | 0)) | 0;
    return r > 0 ? r : 0;
  }

  /**
   * Expires every event due at or before `now` (by wrap-safe difference:
   * `((due - now) | 0) <= 0`); returns how many were posted.
   */
  tick(now: number): number {
    if (this.ticking) {
      throw new TimerReentryError(
        'REENTRANT_TICK',
        DEBUG
          ? `TimerTable '${this.name}': tick() called from inside an expiry; tick only from the host's tick source [REENTRANT_TICK]`
          : `TimerTable '${this.name}' [REENTRANT_TICK]`,
      );
    }
    const t = now | 0;
    if (t !== now && (typeof now !== NUMBER || now - now !== 0)) this.badNow(OP_TICK, now);
    let id = this.head;
    // Nothing due (the usual tick): no flag, no try.
    if (id === NIL || ((this.due[id]! - t) | 0) > 0) return 0;
    this.ticking = true;
    let posted = 0;
    try {
      // Bound: each armed event expires at most once per tick (a periodic one
      // is re-inserted due after now), and at most `capacity` events are armed.
      for (let guard = this.capacity; guard > 0; guard--) {
        const due = this.due[id]!;
        // The head leaves the list (unlink() of the first).
        this.head = this.next[id]!;
        const period = this.period[id]!;
        if (period > 0) this.reschedule(id, due, period, t);
        else this.state[id] = DISARMED;
        this.expired++;
        posted++;
        if (!this.sink.postTimeEvent(this.owner[id]!, this.sig[id]!, id, due, this.gen[id]!)) this.refused++;
        id = this.head;
        if (id === NIL || ((this.due[id]! - t) | 0) > 0) break;
      }
    } finally {
      this.ticking = false;
    }
    return posted;
  }

  /**
   * tick() (and the kernel's tick, through a cast) after periodic `id`, due
   * at `due`, left the list at `now`: its next due time is due + period, and
   * a late tick skips the periods it missed (counted in `missed`).
   */
  private reschedule(id: number, due: number, period: number, now: number): void {
    let nextDue = (due + period) | 0;
    // How far now is past the next due time (>= 0: periods were missed).
    const late = (now - nextDue) | 0;
    if (late >= 0) {
      const skipped = ((late / period) | 0) + 1;
      this.missed += skipped;
      nextDue = (nextDue + skipped * period) | 0;
    }
    this.due[id] = nextDue;
    this.insert(id, now, (nextDue - now) | 0);
  }

  /** True when some created time event posts `sig` (boot time: a loop over the table). */
  postsSignal(sig: number): boolean {
    for (let id = 0; id < this.capacity; id++) if (this.state[id] !== FREE && this.sig[id] === sig) return true;
    return false;
  }

  /** Owner of a created time event. */
  ownerOf(id: number): number {
    this.check(id, OP_OWNEROF);
    return this.owner[id]!;
  }

  /** Number of armed time events. */
  get armed(): number {
    let n = 0;
    for (let id = this.head, guard = this.capacity; id !== NIL && guard > 0; id = this.next[id]!, guard--) n++;
    return n;
  }

  private check(id: number, op: number): void {
    if ((id & ID_MASK) !== id || id >= this.capacity || this.state[id] === FREE) this.badId(id, op);
  }

  /** Refuses an id that is not a created time event (builds the message on this failing path only). */
  private badId(id: unknown, op: number): never {
    throw new TimerUsageError(
      'NOT_A_TIMER',
      DEBUG
        ? `TimerTable '${this.name}': ${OP_NAMES[op]}(${show(id)}) is not a time event of this table; ` +
            `pass an id from create() (the kernel: timeEvent()) that was not destroyed [NOT_A_TIMER]`
        : `TimerTable '${this.name}' [NOT_A_TIMER]`,
    );
  }

  /** Refuses a `now` that is not a finite number (builds the message on this failing path only). */
  private badNow(op: number, now: unknown): never {
    throw new TimerUsageError(
      'BAD_NOW',
      DEBUG
        ? `TimerTable '${this.name}': ${OP_NAMES[op]}() needs now as a finite number of ms, got ${show(now)}; ` +
            `pass the clock's value (a device: Time.ticks; the kernel: its host.now()) [BAD_NOW]`
        : `TimerTable '${this.name}' [BAD_NOW]`,
    );
  }

  /** Refuses a delay or period that is not a number in 0..MAX_DELAY_MS (builds the message on this failing path only). */
  private badArm(id: number, delayMs: unknown, periodMs: unknown): never {
    throw new TimerUsageError(
      'BAD_DELAY',
      DEBUG
        ? `TimerTable '${this.name}': arm(${id}) needs delay and period as numbers from 0 to ${MAX_DELAY_MS} ms (2^31 - 1, about 24.8 days: ` +
            `times are compared modulo 2^32), got ${show(delayMs)} and ${show(periodMs)}; ` +
            `pass a number in that range, or chain shorter time events for a longer wait [BAD_DELAY]`
        : `TimerTable '${this.name}' [BAD_DELAY]`,
    );
  }

  /**
   * Inserts `id`, which expires `remaining` ms after `now` (both as in tick),
   * after every event that expires at or before it, so equal due times keep
   * arming order. Keys are remaining times relative to this `now`, so the
   * order is right across the wrap: every armed event lies in
   * (now - 2^31, now + 2^31) and the list keeps its order as now advances.
   */
  private insert(id: number, now: number, remaining: number): void {
    const next = this.next;
    let cur = this.head;
    if (cur === NIL || ((this.due[cur]! - now) | 0) > remaining) {
      // The new first (an empty list: the usual case).
      next[id] = cur;
      this.head = id;
      return;
    }
    let prev = cur;
    cur = next[cur]!;
    for (let guard = this.capacity; cur !== NIL && guard > 0; guard--) {
      if (((this.due[cur]! - now) | 0) > remaining) break;
      prev = cur;
      cur = next[cur]!;
    }
    next[id] = cur;
    next[prev] = id;
  }

  /** Takes armed `id` out of the list (a walk from the head: the list is singly linked). */
  private unlink(id: number): void {
    const next = this.next;
    let p = this.head;
    if (p === id) {
      this.head = next[id]!;
      return;
    }
    for (let guard = this.capacity; p !== NIL && guard > 0; guard--) {
      const n = next[p]!;
      if (n === id) {
        next[p] = next[id]!;
        return;
      }
      p = n;
    }
  }
}

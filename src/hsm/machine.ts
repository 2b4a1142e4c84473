/**
 * hsm/machine: the runtime. `new Hsm(definition, options)` makes one machine
 * over the flat tables of an `HsmDefinition` (src/hsm/define.ts): its context,
 * current leaf, history record, defer queue, time events and (unless a queue
 * is injected) its own run-to-completion queue. Both queues are `EventQueue`s
 * (src/queue.ts). The contract (semantics, contexts, lifecycle, limits,
 * release checks) is in the header of src/hsm.ts, the public module.
 *
 * dispatch() in QP's terms (qep_hsm.c): find the transition by bubbling from
 * the leaf through the signal's row of the dispatch table (QHsm_dispatch_'s
 * search), run guards and the action, exit up to the precomputed LCA
 * (exitRecording when some exited state keeps history), run the precomputed
 * entry sequence (entries and the target's initial drill-down: QP's
 * enter_target_ and init), resolve history. Nothing recurses; every loop is
 * bounded by the definition's depth or a queue's capacity. The traced forms
 * of dispatch live in src/hsm/traced.ts.
 */
import { EventQueue, NO_EVENT } from '../queue.js';
import { Trace, TRACE_DEFER, TRACE_DROP, TRACE_HSM_STEP_KINDS, TRACE_INIT, TRACE_FLAG_IMPLIED, TRACE_RECALL, TRACE_REFUSE } from '../trace.js';
import { ownMethods } from '../internal/own-methods.js';
import { HsmDefinition, NOOP } from './definition.js';
import { HsmDefinitionError, HsmUsageError } from './errors.js';
import { dispatchCompact, dispatchTraced, drillTraced } from './traced.js';
import type { HsmAction, HsmEventSink, HsmGuard, HsmOptions, HsmStateAction, HsmTimerHost } from './types.js';
import {
  badParam,
  DEFER_MARK,
  HIST_DEEP,
  HIST_NONE,
  HSM_DEFAULT_DEFER_CAPACITY,
  HSM_DEFAULT_DRAIN_LIMIT,
  HSM_DEFAULT_QUEUE_CAPACITY,
  HSM_DEFER_OVERFLOW,
  HSM_DEFERRED,
  HSM_HANDLED,
  HSM_IGNORED,
  HSM_MAX_DELAY_MS,
  HSM_TRANSITION,
  IGNORE_MARK,
  LOCK_BUSY,
  LOCK_IDLE,
  LOCK_NOT_STARTED,
  TR_HISTORY,
  TR_RECORD,
} from './types.js';

/** hist, scratch and timeEvents of a machine that has no use for them: empty and frozen (no RAM per machine). */
const NONE: Int16Array = Object.freeze(Int16Array.of()) as Int16Array;

/**
 * One state machine instance: its context, current leaf state, history,
 * defer queue and (unless given one) its own run-to-completion queue.
 */
export class Hsm<C> {
  /** The machine's name (errors). */
  readonly name: string;
  readonly definition: HsmDefinition<C>;
  /** The context handlers receive. Fixed shape, made at construction. */
  readonly ctx: C;

  // Counters (nothing is lost silently).
  /** Events no active state handled (or all guards false). */
  ignored = 0;
  /** Events put into the defer queue. */
  deferred = 0;
  /** Events lost to a full defer queue (the new one under 'reject', the oldest under 'drop-oldest'). */
  deferDropped = 0;
  /** Events taken from the defer queue and posted to the front of the queue. */
  recalled = 0;
  /** Recalls the queue refused because it was full (the event stays deferred). */
  recallRefused = 0;
  /** Deferred timer expiries dropped at recall because their time event was disarmed or re-armed since. */
  staleRecalls = 0;
  /** `post`/`postUrgent` calls the queue refused (release builds: also a signal outside 0..65535). */
  refused = 0;
  /** Release builds: `post`/`postUrgent` calls refused because the signal was not an integer 0..65535 (also in `refused`). */
  badSignals = 0;

  /** @deprecated use `refused`; removed after 0.2. */
  get postRejected(): number {
    return this.refused;
  }
  /** @deprecated writes `refused` (it was a plain field); removed after 0.2. */
  set postRejected(n: number) {
    this.refused = n;
  }
  /** @deprecated use `recallRefused`; removed after 0.2. */
  get recallFailed(): number {
    return this.recallRefused;
  }
  /** @deprecated writes `recallRefused` (it was a plain field); removed after 0.2. */
  set recallFailed(n: number) {
    this.recallRefused = n;
  }

  // @internal fields and methods below are read by the traced dispatch (src/hsm/traced.ts) too.
  /** @internal the current leaf (-1 before start). */
  leaf = -1;
  /** @internal LOCK_IDLE, LOCK_BUSY (inside dispatch/start) or LOCK_NOT_STARTED. */
  lock = LOCK_NOT_STARTED;
  /** @internal per state: its recorded history (-1 none). */
  readonly hist: Int16Array;
  /** @internal a path of states, leaf-up (maxDepth + 1). */
  readonly scratch: Int16Array;
  /** The defer queue; null when deferCapacity is 0 (then no state defers: the constructor checks it). */
  private readonly deferQ: EventQueue | null;
  private readonly dropOldest: boolean;
  private readonly queue: HsmEventSink;
  private readonly own: EventQueue | undefined;
  // Tables copied from the definition: one property load each in dispatch.
  /** @internal */
  readonly rows: readonly Uint16Array[];
  /** @internal */
  readonly parent: Int16Array;
  /** @internal */
  readonly trGuard: readonly (HsmGuard<C> | undefined)[];
  /** @internal */
  readonly trAction: readonly (HsmAction<C> | undefined)[];
  private readonly trGroupEnd: Uint16Array;
  /** @internal */
  readonly trTarget: Int16Array;
  /** @internal */
  readonly trLca: Int16Array;
  /** @internal */
  readonly trSeqStart: Int32Array;
  /** @internal */
  readonly trSeqEnd: Int32Array;
  /** @internal */
  readonly trLeaf: Int16Array;
  /** @internal */
  readonly trFlags: Uint8Array;
  /** @internal */
  readonly seq: Uint16Array;
  /** @internal */
  readonly fns: readonly HsmStateAction<C>[];
  /** @internal */
  readonly exitFn: readonly (HsmStateAction<C> | undefined)[];
  /** @internal */
  readonly histKind: Uint8Array;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number;
  /** @internal traceId << 16: word 2 of its records without the kind. */
  readonly traceHead: number;
  /** @internal The trace's `machines` option is 'full' (one record per step). */
  readonly traceFull: boolean;
  // Timers (declared after the dispatch tables: not read by dispatch itself).
  /**
   * The machine's time event ids, one per timer slot of the definition
   * (after/every entries in state order, then named timers; see
   * `definition.timers()`); empty when it declares none. Read-only by
   * contract (the kernel handle and tools read it).
   */
  readonly timeEvents: Int16Array;
  /** @internal the timer host (options.timers). */
  readonly timerHost: HsmTimerHost | undefined;
  /** @internal the host's `live` flags, or null. */
  readonly timerLive: Uint8Array | null;
  // (The timer tables are read through the definition: off the dispatch path, one slot less each per machine.)

  constructor(definition: HsmDefinition<C>, options: HsmOptions<C> = {}) {
    if (!(definition instanceof HsmDefinition))
      throw new HsmDefinitionError('BAD_OPTION', options.name ?? '(unnamed)', undefined, DEBUG ? 'new Hsm() needs a definition made by defineHsm(spec)' : '');
    const name = options.name ?? definition.name;
    this.name = name;
    this.definition = definition;
    const ctx = options.context !== undefined ? options.context : definition.makeContext();
    if (DEBUG) checkContext(name, ctx);
    this.ctx = ctx;
    const qcap = options.queueCapacity ?? HSM_DEFAULT_QUEUE_CAPACITY;
    const dcap = options.deferCapacity ?? HSM_DEFAULT_DEFER_CAPACITY;
    if (!Number.isInteger(qcap) || qcap < 1 || qcap > 65535)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? `queueCapacity ${String(qcap)} is out of range 1..65535` : '');
    if (!Number.isInteger(dcap) || dcap < 0 || dcap > 65535)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? `deferCapacity ${String(dcap)} is out of range 0..65535` : '');
    if (dcap === 0 && definition.tables.defers)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? 'deferCapacity is 0 but some state defers signals; give it room (default 4)' : '');
    const ov = options.deferOverflow ?? 'reject';
    if (ov !== 'reject' && ov !== 'drop-oldest')
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? `deferOverflow must be 'reject' or 'drop-oldest', not ${String(ov)}` : '');
    this.dropOldest = ov === 'drop-oldest';
    // Both queues refuse when full ('reject'); defer() makes room itself under 'drop-oldest'.
    // A machine that defers nothing still gets a one-record defer queue (EventQueue's minimum).
    this.deferQ = dcap === 0 ? null : new EventQueue({ name: `${name} defer`, capacity: dcap });
    if (options.queue !== undefined) {
      this.queue = options.queue;
      this.own = undefined;
    } else {
      const q = new EventQueue({ name, capacity: qcap });
      this.queue = q;
      this.own = q;
    }
    const d = definition;
    const t = d.tables;
    // History record and scratch path only where they are used: states with history, a trace (traced entries).
    const histories = t.histories;
    const traced = options.trace !== undefined && options.trace !== null;
    this.hist = histories ? new Int16Array(t.stateNames.length).fill(-1) : NONE;
    this.scratch = histories || traced ? new Int16Array(t.maxDepth + 1) : NONE;
    this.rows = t.rows;
    this.parent = t.parent;
    this.trGuard = d.trGuard;
    this.trAction = d.trAction;
    this.trGroupEnd = t.trGroupEnd;
    this.trTarget = t.trTarget;
    this.trLca = t.trLca;
    this.trSeqStart = t.trSeqStart;
    this.trSeqEnd = t.trSeqEnd;
    this.trLeaf = t.trLeaf;
    this.trFlags = t.trFlags;
    this.seq = t.seq;
    this.fns = d.fns;
    this.exitFn = d.exit;
    this.histKind = t.histKind;
    const trace = options.trace ?? null;
    if (trace !== null && !(trace instanceof Trace))
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? 'the trace option must be a Trace (new Trace({ clock })) or omitted' : '');
    this.trace = trace;
    this.traceFull = trace !== null && trace.machines === 'full';
    // The hook: while some machine kind passes its filter, `dispatch` is an own
    // property (the traced form); else the prototype's (no branch at all).
    // dispatch is swapped by the trace's onFilter hook: an own property first (frozen prototypes on Moddable).
    if (trace !== null) ownMethods(this, ['dispatch']);
    const id = trace === null ? 0 : trace.register('hsm', name, definition, options.traceOwner ?? 0, { onFilter: (f) => this.traceFilter(f) });
    this.traceId = id;
    this.traceHead = id << 16;
    const nt = d.timerCount;
    const host = options.timers;
    if (nt > 0 && host === undefined)
      throw new HsmDefinitionError(
        'NO_TIMERS',
        name,
        undefined,
        DEBUG
          ? `the machine declares ${nt} timer${nt === 1 ? '' : 's'} (after/every entries and named timers); ` +
              "run it under the kernel (kernel.spawnMachine passes the AO's port) or pass options.timers (an HsmTimerHost)"
          : '',
      );
    const ids = nt === 0 ? NONE : new Int16Array(nt);
    for (let k = 0; k < nt; k++) {
      const id = host!.timeEvent(t.tmSignal[k]!);
      if (!Number.isInteger(id) || id < 0 || id > 32767)
        throw new HsmDefinitionError('BAD_OPTION', name, undefined, DEBUG ? `timers.timeEvent(${t.tmSignal[k]}) returned ${String(id)}; time event ids are integers 0..32767` : '');
      ids[k] = id;
    }
    this.timeEvents = ids;
    this.timerHost = host;
    this.timerLive = host !== undefined && host.live !== undefined ? host.live : null;
    // Compiled ahead of time (keel/rollup): the generated dispatch (an own
    // property) replaces the table walk; a traced machine keeps the trace hook's.
    if (d.compiled !== undefined && trace === null) d.compiled(this, d);
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Takes the top-level initial transition (initial action, entries, drill-down). Once. */
  start(): void {
    if (this.lock === LOCK_BUSY) throw new HsmUsageError('REENTRANT_DISPATCH', this.name, DEBUG ? 'start() called from inside an action' : '');
    if (this.leaf >= 0) throw new HsmUsageError('ALREADY_STARTED', this.name, DEBUG ? 'start() called twice' : '');
    this.lock = LOCK_BUSY;
    const tr = this.trace;
    if (tr === null) this.leaf = this.drill(0);
    else if (this.traceFull) this.leaf = tr.filter[this.traceId] === 0 ? this.drill(0) : drillTraced(this as Hsm<unknown>, 0);
    else {
      // Compact: one INIT record; the decoder expands the drill-down from top.
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
        tr.write(this.traceHead | TRACE_INIT | (TRACE_FLAG_IMPLIED << 8), 0xffff, this.definition.tables.initTarget[0]!, 0, 0);
      this.leaf = this.drill(0);
    }
    this.lock = LOCK_IDLE;
  }

  /**
   * The trace's onFilter hook (filter setters, registration): `dispatch`
   * becomes the traced form while some kind it writes passes the machine's
   * filter, else the prototype's untraced one.
   */
  private traceFilter(f: number): void {
    const self = this as unknown as { dispatch: Hsm<C>['dispatch'] };
    // DEFER and DROP are written by defer() under either dispatch: only the step kinds need the traced form.
    if ((f & TRACE_HSM_STEP_KINDS) === 0) self.dispatch = Hsm.prototype.dispatch;
    else self.dispatch = this.traceFull ? dispatchTraced : dispatchCompact;
  }

  /** True after `start()`. */
  get started(): boolean {
    return this.leaf >= 0;
  }

  /**
   * Dispatches exactly one event to completion and returns HSM_IGNORED |
   * HSM_HANDLED | HSM_TRANSITION | HSM_DEFERRED | HSM_DEFER_OVERFLOW.
   *
   * Bubbles from the current leaf through its ancestors; in the first state
   * that has transitions on `sig`, tries their guards in declaration order and
   * takes the first that holds (or has no guard); a state that defers `sig`
   * defers it; otherwise the event goes on to the parent. A transition runs its
   * action, exits up to the precomputed LCA, then runs the precomputed entry
   * sequence (entries down to the target and its initial drill-down), or
   * resolves history. Loops are bounded by the definition's depth; nothing
   * recurses.
   *
   * Parameters are passed to guards and actions as numbers: one the caller
   * omits arrives as 0 (events taken from a queue always carry 4 numbers).
   * Signals outside the declared range are ignored (counted).
   *
   * Throws HsmUsageError: 'REENTRANT_DISPATCH' when called from a handler of
   * this machine (post() instead), or after a handler threw mid-dispatch (the
   * machine is then left mid-transition); 'NOT_STARTED' before start().
   */
  dispatch(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    // Omitted parameters reach handlers as 0, never undefined. One test on the
    // hot path (default parameter values cost XS steps on every call): callers
    // that pass all four (the kernel, queues) skip the slow path.
    if (p3 === undefined) return this.dispatchFilled(sig, p0, p1, p2);
    // Tracing costs nothing here: a traced machine's `dispatch` is an own property (traceFilter()).
    if (this.lock !== LOCK_IDLE) throw this.lockError();
    if (DEBUG) {
      if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
        throw new HsmUsageError('BAD_PARAM', this.name, 'dispatch() signal and parameters must be numbers');
    }
    const row = this.rows[sig];
    if (row === undefined) {
      this.ignored++;
      return HSM_IGNORED;
    }
    // 1. Find the transition: bubble from the leaf. row[top] is IGNORE_MARK, so
    //    the loop stops at top at the latest (at most depth steps). No user code
    //    runs until a candidate is found.
    let s = this.leaf;
    let e = row[s]!;
    while (e === 0) e = row[(s = this.parent[s]!)]!;
    if (e >= IGNORE_MARK) {
      if (e === DEFER_MARK) return this.defer(sig, p0, p1, p2, p3);
      this.ignored++;
      return HSM_IGNORED;
    }
    this.lock = LOCK_BUSY;
    let t = e - 1;
    if (this.trGuard[t] !== undefined) {
      t = this.guarded(row, s, t, p0, p1, p2, p3);
      if (t < 0) {
        this.lock = LOCK_IDLE;
        if (t === -2) return this.defer(sig, p0, p1, p2, p3);
        this.ignored++;
        return HSM_IGNORED;
      }
    }
    // 2. The action (before the exits, as in QP).
    const ctx = this.ctx;
    const a = this.trAction[t];
    if (a !== undefined) a(ctx, p0!, p1!, p2!, p3, this);
    const target = this.trTarget[t]!;
    if (target < 0) {
      this.lock = LOCK_IDLE;
      return HSM_HANDLED;
    }
    // 3. Exit from the current leaf up to the LCA (not included).
    const flags = this.trFlags[t]!;
    const lca = this.trLca[t]!;
    s = this.leaf;
    if ((flags & TR_RECORD) !== 0) this.exitRecording(s, lca);
    else {
      const exit = this.exitFn;
      const parent = this.parent;
      while (s !== lca) {
        const f = exit[s];
        if (f !== undefined) f(ctx, this);
        s = parent[s]!;
      }
    }
    // 4. Entries down to the target and its initial drill-down: one precomputed sequence.
    const seq = this.seq;
    const fns = this.fns;
    const end = this.trSeqEnd[t]!;
    for (let i = this.trSeqStart[t]!; i < end; i++) fns[seq[i]!]!(ctx, this);
    // 5. History (resolved at run time).
    this.leaf = (flags & TR_HISTORY) === 0 ? this.trLeaf[t]! : this.enterHistory(target);
    this.lock = LOCK_IDLE;
    return HSM_TRANSITION;
  }


  /** @internal dispatch() with the omitted parameters set to 0. */
  dispatchFilled(sig: number, p0?: number, p1?: number, p2?: number): number {
    return this.dispatch(sig, p0 === undefined ? 0 : p0, p1 === undefined ? 0 : p1, p2 === undefined ? 0 : p2, 0);
  }

  /**
   * @internal
   * Tries the guards of the group starting at `t` (in state `s`), then bubbles
   * on. Returns the transition to take, -1 (ignored) or -2 (deferred).
   */
  guarded(row: Uint16Array, s: number, t: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    const guards = this.trGuard;
    const parent = this.parent;
    for (;;) {
      const end = this.trGroupEnd[t]!;
      for (; t < end; t++) {
        const g = guards[t];
        if (g === undefined || g(this.ctx, p0!, p1!, p2!, p3!, this)) return t;
      }
      let e = row[(s = parent[s]!)]!;
      while (e === 0) e = row[(s = parent[s]!)]!;
      if (e >= IGNORE_MARK) return e === DEFER_MARK ? -2 : -1;
      t = e - 1;
    }
  }

  /** @internal */
  lockError(): HsmUsageError {
    if (this.lock === LOCK_NOT_STARTED) return new HsmUsageError('NOT_STARTED', this.name, DEBUG ? 'dispatch() before start()' : '');
    return new HsmUsageError(
      'REENTRANT_DISPATCH',
      this.name,
      DEBUG
        ? `dispatch() called while the machine (in '${this.definition.stateNames[this.leaf]}') is still inside a dispatch: ` +
            'from a guard or action (post() instead: events are queued, run-to-completion), or after a handler threw mid-dispatch'
        : '',
    );
  }

  /** @internal Exits from `x` up to `lca` (not included), recording history of the states exited. */
  exitRecording(x: number, lca: number): void {
    const parent = this.parent;
    const exit = this.exitFn;
    const histKind = this.histKind;
    const from = x;
    let prev = -1;
    while (x !== lca) {
      const hk = histKind[x]!;
      if (hk !== HIST_NONE) this.hist[x] = hk === HIST_DEEP ? from : prev;
      const f = exit[x];
      if (f !== undefined) f(this.ctx, this);
      prev = x;
      x = parent[x]!;
    }
  }

  /** @internal `target` was just entered through its history: enter the recorded state (if any), then drill down. Returns the leaf. */
  enterHistory(target: number): number {
    const h = this.hist[target]!;
    if (h < 0) return this.drill(target);
    const sc = this.scratch;
    const parent = this.parent;
    const fns = this.fns;
    let k = 0;
    for (let x = h; x !== target; x = parent[x]!) sc[k++] = x;
    while (k > 0) {
      const f = fns[sc[--k]!]!;
      if (f !== NOOP) f(this.ctx, this);
    }
    return this.drill(h);
  }

  /** Runs the precomputed drill-down from `s` (initial actions and entries); returns the leaf. */
  private drill(s: number): number {
    const d = this.definition.tables;
    const seq = this.seq;
    const fns = this.fns;
    const end = d.initSeqEnd[s]!;
    for (let i = d.initSeqStart[s]!; i < end; i++) fns[seq[i]!]!(this.ctx, this);
    return d.defaultLeaf[s]!;
  }

  /** @internal */
  defer(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    const q = this.deferQ;
    if (q === null) {
      // Unreachable: a definition whose states defer needs deferCapacity >= 1 (checked at construction).
      this.deferDropped++;
      return HSM_DEFER_OVERFLOW;
    }
    if (q.length === q.capacity) {
      this.deferDropped++;
      // DROP: aux 1 = the new event ('reject'), 2 = the oldest deferred one ('drop-oldest', signal of the new one).
      if (this.trace !== null) this.trace.rec(TRACE_DROP, this.traceId, sig, this.leaf, this.dropOldest ? 2 : 1, p0!, p1!);
      if (!this.dropOldest) return HSM_DEFER_OVERFLOW;
      q.get(); // the oldest goes
      q.post(sig, p0, p1, p2, p3);
      this.deferred++;
      if (this.trace !== null) this.trace.rec(TRACE_DEFER, this.traceId, sig, this.leaf, q.length, p0!, p1!);
      return HSM_DEFER_OVERFLOW;
    }
    q.post(sig, p0, p1, p2, p3);
    this.deferred++;
    if (this.trace !== null) this.trace.rec(TRACE_DEFER, this.traceId, sig, this.leaf, q.length, p0!, p1!);
    return HSM_DEFERRED;
  }

  // ---- posting (safe from actions) -------------------------------------------

  /** Queues an event at the back of the machine's queue (own ring or the injected one). False (and counted) if full. */
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) {
      if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
        throw new HsmUsageError('BAD_PARAM', this.name, 'post() signal and parameters must be numbers');
      if ((sig & 0xffff) !== sig) throw this.badSignal(sig);
    } else if ((sig & 0xffff) !== sig) return this.refuseSignal();
    if (this.queue.post(sig, p0, p1, p2, p3)) return true;
    this.refused++;
    if (this.trace !== null) this.trace.rec(TRACE_REFUSE, this.traceId, sig, -1, 0, p0, p1);
    return false;
  }

  /** Queues an event at the front (next to be dispatched). False (and counted) if full. */
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    if (DEBUG) {
      if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
        throw new HsmUsageError('BAD_PARAM', this.name, 'postUrgent() signal and parameters must be numbers');
      if ((sig & 0xffff) !== sig) throw this.badSignal(sig);
    } else if ((sig & 0xffff) !== sig) return this.refuseSignal();
    if (this.queue.postUrgent(sig, p0, p1, p2, p3)) return true;
    this.refused++;
    if (this.trace !== null) this.trace.rec(TRACE_REFUSE, this.traceId, sig, -1, 0, p0, p1);
    return false;
  }

  /** DEBUG builds: the error for a posted signal outside 0..65535 (failing path only). */
  private badSignal(sig: number): HsmUsageError {
    return new HsmUsageError('BAD_PARAM', this.name, DEBUG ? `post() signal ${sig} must be an integer 0..65535 (a declared signal)` : '');
  }

  /** Release builds: a posted signal outside 0..65535 is refused and counted (refused, badSignals), never stored. */
  private refuseSignal(): boolean {
    this.badSignals++;
    this.refused++;
    if (this.trace !== null) this.trace.rec(TRACE_REFUSE, this.traceId, -1, -1, 0, 0, 0);
    return false;
  }

  /**
   * Moves the oldest deferred event to the front of the queue (postUrgent).
   * False if none is deferred, or if the queue is full (the event stays
   * deferred; counted in `recallRefused`).
   */
  recall(): boolean {
    const q = this.deferQ;
    if (q === null) return false;
    let sig = q.get();
    // Bound: each pass drops one record from the finite defer queue.
    while (sig !== NO_EVENT && this.staleTimer(sig, q.p0, q.p2)) sig = q.get();
    if (sig === NO_EVENT) return false;
    if (this.queue.postUrgent(sig, q.p0, q.p1, q.p2, q.p3)) {
      this.recalled++;
      if (this.trace !== null) this.trace.rec(TRACE_RECALL, this.traceId, sig, -1, q.length, q.p0, q.p1);
      return true;
    }
    q.postUrgent(sig, q.p0, q.p1, q.p2, q.p3); // back where it was
    this.recallRefused++;
    return false;
  }

  /**
   * Moves every deferred event to the front of the queue, keeping their order
   * (the oldest is dispatched first, before what was queued already). Returns
   * how many moved; stops early if the queue is full (counted in `recallRefused`).
   */
  recallAll(): number {
    const q = this.deferQ;
    if (q === null) return 0;
    let n = 0;
    // Newest first, each to the front: the oldest ends up first.
    for (let sig = q.getBack(); sig !== NO_EVENT; sig = q.getBack()) {
      if (this.staleTimer(sig, q.p0, q.p2)) continue;
      if (!this.queue.postUrgent(sig, q.p0, q.p1, q.p2, q.p3)) {
        q.post(sig, q.p0, q.p1, q.p2, q.p3); // back where it was
        this.recallRefused++;
        break;
      }
      this.recalled++;
      if (this.trace !== null) this.trace.rec(TRACE_RECALL, this.traceId, sig, -1, q.length, q.p0, q.p1);
      n++;
    }
    return n;
  }

  /**
   * A deferred expiry of one of this machine's timers (p0 = its time event,
   * p2 = its generation) whose time event was disarmed or re-armed since: it
   * is dropped, not recalled, and counted in `staleRecalls` (the kernel drops
   * queued ones the same way). Needs the host's isCurrent; false without it.
   */
  private staleTimer(sig: number, p0: number, p2: number): boolean {
    const host = this.timerHost;
    if (host === undefined || host.isCurrent === undefined) return false;
    const timerOf = this.definition.tables.timerOf;
    const k = sig < timerOf.length ? timerOf[sig]! : -1;
    if (k < 0 || this.timeEvents[k] !== p0 || host.isCurrent(p0, p2)) return false;
    this.staleRecalls++;
    return true;
  }

  /** Events waiting in the defer queue. */
  get deferredCount(): number {
    return this.deferQ === null ? 0 : this.deferQ.length;
  }

  /** Most events the defer queue ever held at once. */
  get deferHighWater(): number {
    return this.deferQ === null ? 0 : this.deferQ.capacity - this.deferQ.minFree;
  }

  // ---- timers ----------------------------------------------------------------

  /**
   * Arms the named timer that posts `sig` (a signal listed in the spec's
   * `timers`; pass its number, e.g. `S.BLINK`, not its name): first expiry
   * after `delayMs`, then every `periodMs` if > 0. Re-arming an armed timer
   * moves it. Returns the first due time (the host's). Allocation-free; safe in
   * actions. Throws HsmUsageError('NOT_A_TIMER') for any other signal; the
   * host throws for a delay or period outside 0..2^31 - 1 ms.
   */
  arm(sig: number, delayMs: number, periodMs = 0): number {
    const k = this.definition.tables.namedTimerOf[sig];
    if (k === undefined || k < 0) throw this.notATimer('arm', sig);
    return this.timerHost!.arm(this.timeEvents[k]!, delayMs, periodMs);
  }

  /** Disarms the named timer that posts `sig`; true if it was armed. Throws HsmUsageError('NOT_A_TIMER') for any other signal. */
  disarm(sig: number): boolean {
    const k = this.definition.tables.namedTimerOf[sig];
    if (k === undefined || k < 0) throw this.notATimer('disarm', sig);
    return this.timerHost!.disarm(this.timeEvents[k]!);
  }

  /**
   * The time event id of the timer that posts `sig`: a named timer, or an
   * after/every entry's synthetic signal (see `definition.timers()`); -1 if
   * none. Allocation-free.
   */
  timeEventOf(sig: number): number {
    const k = this.definition.tables.timerOf[sig];
    return k === undefined || k < 0 ? -1 : this.timeEvents[k]!;
  }

  /** @internal Called by the entry of a state with after/every timers (made by defineHsm): arms them. */
  armStateTimers(state: number): void {
    const host = this.timerHost!;
    const ids = this.timeEvents;
    const d = this.definition;
    const t = d.tables;
    const fixed = d.tmDelayMs;
    const fns = d.tmDelayFn;
    const periodic = t.tmPeriodic;
    const end = t.stTimerEnd[state]!;
    for (let k = t.stTimerStart[state]!; k < end; k++) {
      const f = fns[k];
      const ms = f === undefined ? fixed[k]! : f(this.ctx);
      // A number 0..max (`every`: at least 1, a period of 0 would be a one-shot).
      if (!(ms === +ms && ms >= periodic[k]! && ms <= HSM_MAX_DELAY_MS)) throw this.badDelay(state, k, ms);
      host.arm(ids[k]!, ms, periodic[k] === 1 ? ms : 0);
    }
  }

  /** @internal Called by the exit of a state with after/every timers (made by defineHsm): disarms them. */
  disarmStateTimers(state: number): void {
    const host = this.timerHost!;
    const ids = this.timeEvents;
    const t = this.definition.tables;
    const end = t.stTimerEnd[state]!;
    const live = this.timerLive;
    for (let k = t.stTimerStart[state]!; k < end; k++) {
      const id = ids[k]!;
      // A one-shot whose expiry was handled is neither armed nor queued: nothing to cancel.
      if (live === null || live[id] !== 0) host.disarm(id);
    }
  }

  /** A delay function returned something that is not 0..HSM_MAX_DELAY_MS (failing path: builds the message). */
  private badDelay(state: number, k: number, ms: unknown): HsmUsageError {
    if (!DEBUG) return new HsmUsageError('BAD_DELAY', this.name, '');
    const d = this.definition;
    const info = d.timers()[k]!;
    return new HsmUsageError(
      'BAD_DELAY',
      this.name,
      `entering '${d.stateNames[state]}': delay '${String(info.delay)}' of ${info.periodic ? 'every' : 'after'} ` +
        `returned ${typeof ms === 'number' ? ms : typeof ms}; a delay function must return ms ${info.periodic ? 1 : 0}..${HSM_MAX_DELAY_MS} ` +
        '(the machine is left mid-transition: fix the function)',
    );
  }

  private notATimer(what: string, sig: number): HsmUsageError {
    if (!DEBUG) return new HsmUsageError('NOT_A_TIMER', this.name, '');
    const d = this.definition;
    const isNum = ((sig as unknown as number) | 0) === sig;
    const label = isNum && d.signalName(sig) !== '' ? `signal ${sig} ('${d.signalName(sig)}')` : `signal ${String(sig)}`;
    return new HsmUsageError(
      'NOT_A_TIMER',
      this.name,
      `${what}(${String(sig)}): ${label} is not a named timer of this machine; list its name in the spec's 'timers' ` +
        '(after/every timers are armed and disarmed by their state) and pass the signal number (e.g. S.BLINK), not its name',
    );
  }

  // ---- standalone (no kernel) -------------------------------------------------

  /** Events waiting in the machine's own queue (0 when a queue was injected). */
  get queued(): number {
    return this.own === undefined ? 0 : this.own.length;
  }

  /**
   * Dispatches events from the machine's own queue, one at a time, until it is
   * empty or `max` events were dispatched; returns how many. Throws
   * HsmUsageError('NO_OWN_QUEUE') when a queue was injected (the kernel drains it).
   */
  drain(max = HSM_DEFAULT_DRAIN_LIMIT): number {
    const q = this.own;
    if (q === undefined) throw new HsmUsageError('NO_OWN_QUEUE', this.name, DEBUG ? 'drain() on a machine whose queue was injected; the queue owner dispatches' : '');
    let n = 0;
    while (n < max) {
      const sig = q.get();
      if (sig === NO_EVENT) break;
      this.dispatch(sig, q.p0, q.p1, q.p2, q.p3);
      n++;
    }
    return n;
  }

  /** Standalone convenience: `dispatch` one event, then `drain()` what its actions posted. Returns the dispatch result. */
  send(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): number {
    const r = this.dispatch(sig, p0, p1, p2, p3);
    this.drain();
    return r;
  }

  // ---- introspection --------------------------------------------------------

  /** Current leaf state's id (-1 before start). Inside handlers: the leaf before the transition. */
  get current(): number {
    return this.leaf;
  }

  /** Current leaf state's name (for tools). */
  get currentName(): string {
    return this.leaf < 0 ? '' : this.definition.stateNames[this.leaf]!;
  }

  /** True if `state` (an id, or a name) is the current leaf or one of its ancestors. By id: no allocation, at most depth steps. */
  isIn(state: number | string): boolean {
    // No `typeof` here: comparing with a string literal allocates on the XS host engine.
    const id = ((state as number) | 0) === state ? (state as number) : this.definition.idOf(state as string);
    if (id < 0) return false;
    const parent = this.parent;
    for (let s = this.leaf; s >= 0; s = parent[s]!) if (s === id) return true;
    return false;
  }

  /** The recorded history of a state (-1 if none yet). */
  historyOf(state: number): number {
    const h = this.hist[state];
    return h === undefined ? -1 : h;
  }
}

function checkContext(name: string, ctx: unknown): void {
  if (typeof ctx !== 'object' || ctx === null)
    throw new HsmDefinitionError('BAD_CONTEXT', name, undefined, `the context must be an object of numbers/booleans or a typed array, not ${ctx === null ? 'null' : typeof ctx}`);
  if (ArrayBuffer.isView(ctx)) {
    if (ctx instanceof DataView) throw new HsmDefinitionError('BAD_CONTEXT', name, undefined, 'the context may be a typed array, not a DataView');
    return;
  }
  if (Array.isArray(ctx)) throw new HsmDefinitionError('BAD_CONTEXT', name, undefined, 'the context must not be an array; use an object or a typed array');
  const rec = ctx as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const t = typeof rec[k];
    if (t !== 'number' && t !== 'boolean')
      throw new HsmDefinitionError('BAD_CONTEXT', name, undefined, `context field '${k}' is a ${t}; the no-allocation profile allows numbers and booleans only`);
  }
}

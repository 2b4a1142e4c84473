/**
 * hsm: hierarchical state machines compiled to flat tables, with UML
 * run-to-completion semantics as QP's QHsm implements them, event deferral and
 * history, and no allocation per event.
 *
 * A machine is declared as a typed spec (signals as small integers with names,
 * states nested to any declared depth, entry/exit actions, an initial
 * transition in every composite, transitions with target, guard and action,
 * internal and self-transitions, local/external kind, deferred signals,
 * shallow/deep history) and compiled once by `defineHsm(spec)` into flat
 * typed-array tables: parent links, a signal-major dispatch table
 * (signal x state -> first transition | DEFER | 0), per-transition LCA and a
 * precomputed handler sequence (entries down to the target followed by the
 * target's initial drill-down). `new Hsm(definition, options)` makes one
 * instance: context, current leaf, history record, a defer ring, its time
 * events and (unless a queue is injected) its own run-to-completion ring.
 * See docs/hsm.md.
 *
 * Spec summary (types in HsmSpec / HsmStateSpec):
 *   { name, signals: { NAME: 1.. }, context: () => C, initial, states,
 *     delays?: { name: ms | (ctx) => ms }, timers?: ['SIGNAL', ...], maxDepth? }
 *   state: { entry?, exit?, initial?, history?: 'shallow' | 'deep',
 *            on?: { SIGNAL: transitions }, defer?: ['SIGNAL'],
 *            after?: { [ms | delayName]: transitions },      // one-shot
 *            every?: { [ms | delayName]: transitions },      // periodic
 *            states? }
 *   transitions: 'target' | { target?, guard?, action?, kind?, history? } | [ ...tried in order ]
 * `defineHsm` infers the state names from `states`: a target (initial, on,
 * after, every) that names no state, an after/every key that is neither a
 * number nor a `delays` name, and a signal name outside `signals` (on, defer,
 * timers) fail to compile; the same mistakes are HsmDefinitionErrors at run time.
 *
 * Time (XState's `after`/`every`/`delays`, QP's time events). Every
 * after/every entry is a timer with a synthetic signal above the declared
 * ones (maxSig + 1 + k, named e.g. `after 500 ms (settling)`, `every slowHalf
 * (slow)` in `signalNames`); its transitions are compiled like `on`
 * transitions of its state (guards, lists, LCA, sequences). The state's entry
 * is composed at definition as (user entry, then arm its timers) and its exit
 * as (disarm them, then user exit), so they ride the precomputed sequences and
 * states without timers pay nothing. `every` arms with delay = period (first
 * expiry one period after entry). A delay function runs on each entry, after
 * the entry action, with the context. Named timers (`timers: ['BLINK']`)
 * post their declared signal (handled in `on`, deferrable); actions call
 * `hsm.arm(S.BLINK, delayMs, periodMs = 0)` / `hsm.disarm(S.BLINK)` with the
 * signal NUMBER (a string literal evaluated in an action allocates on the XS
 * host engine); they are NOT disarmed on exit: disarm them in an exit action.
 * The machine creates one time event per timer at construction through
 * `options.timers` (an HsmTimerHost: the kernel's AoPort; NO_TIMERS without
 * one) and keeps the ids in `timeEvents`.
 * Expiry contract with the host: an expiry arrives through the machine's
 * queue as (sig, p0 = time event id, p1 = due time, p2 = generation, p3 = 0);
 * the host drops stale expiries (posted before a disarm or re-arm of that id)
 * itself, so the machine checks nothing. (An expiry that reaches a state that
 * does not declare that after/every entry, e.g. with a host that does not
 * drop stale ones, bubbles to top and is ignored and counted.) A deferred
 * expiry of a named timer that went stale while deferred is dropped at
 * recall (host.isCurrent; counted in `staleRecalls`). A delay function's
 * result is checked on entry: not a number in 0..2^31 - 1 ms (`every`: at
 * least 1) throws HsmUsageError 'BAD_DELAY' naming the machine, state and
 * delay (a fraction is rounded up by the timer table).
 *
 * Semantics (QP QHsm): bubble from the leaf; guards in declaration order; the
 * transition's action runs first, then exits from the current leaf up to the
 * LCA (not included), then entries down to the target, then initial
 * transitions (or history) down to a leaf. When source contains target or
 * target contains source the transition is local by default (the container is
 * neither exited nor re-entered; PSiCC2's s11 -H-> s exits to s, then s-INIT);
 * `kind: 'external'` exits and re-enters it. A self-transition exits and
 * re-enters. The deepest state decides between handling and deferring.
 *
 * Allocation: defineHsm() and new Hsm() allocate (tables, rings, context,
 * the composed entry/exit handlers of states with timers, the time events).
 * After start(), dispatch, post, postUrgent, recall, recallAll, drain, send,
 * isIn(id), arm, disarm, timeEventOf and the counters allocate nothing, the
 * first call included (XS tests: leaf, bubbled, guarded, cross-hierarchy,
 * defer + recall, post + drain; test/hsm-timers-alloc.test.ts: arming on
 * entry with fixed delays and delay functions, disarming on exit, named
 * arm/disarm from actions and directly, expiries of every/after/named
 * timers, history entry that arms; the host's own cost is the host's).
 * Handlers receive (ctx, p0, p1, p2, p3, hsm) or (ctx, hsm) positionally; no
 * event object exists. Errors (misuse) allocate; the hot path only throws on misuse.
 *
 * Contexts (single VM thread; an IO callback never preempts an action on XS):
 * | method                         | IO callback | inside a handler of this machine | other worker/core |
 * |--------------------------------|-------------|----------------------------------|-------------------|
 * | dispatch(sig, p0..p3)          | yes (when idle) | NO: throws REENTRANT_DISPATCH | no              |
 * | post, postUrgent               | yes         | yes (the RTC way)                | no (use the kernel's shared queue) |
 * | recall, recallAll              | yes         | yes (typically in an entry)      | no                |
 * | drain, send (own queue only)   | yes         | NO: dispatch inside              | no                |
 * | start                          | boot        | NO                               | no                |
 * | arm, disarm (named timers)     | yes         | yes (the usual place)            | no                |
 * | timeEventOf, timeEvents        | yes         | yes                              | no                |
 * | current, isIn, counters        | yes         | yes (pre-transition leaf)        | no                |
 *
 * Measured cost: docs/hsm.md "Measured cost" (bench/hsm.bench.ts; tables
 * generated from bench/results by `npm run docs`), with the issue 5 targets.
 * Machines without timers run the same code and tables as before timers
 * existed. With timers, a transition between states with `after` adds a
 * disarm on exit and an arm on entry (each through a composed handler and a
 * loop over the state's timers); `hsm.arm` of a named timer adds the host's
 * arm; an expiry is dispatched like any event.
 *
 * Tracing (options.trace, src/trace.ts; docs/trace.md): the machine
 * registers as an 'hsm' with its definition and records DISPATCH, TRANSITION
 * (before the action), EXIT/ENTRY per state left/entered (with or without
 * handlers), INIT, DEFER, DROP, RECALL and REFUSE, with the definition's
 * state ids. Off (or every machine kind filtered out): nothing, `dispatch`
 * is the prototype's. On, the trace's onFilter hook makes `dispatch` an own
 * property: 'compact' (default) the same steps plus one DISPATCH record per
 * event (the decoder expands the transition's exits and entries), 'full' a
 * traced copy that walks the tree, one record per step. No allocation.
 *
 * Lifecycle:
 *
 *   defineHsm(spec) --> HsmDefinition --new Hsm(def, opts)--> NOT STARTED
 *   NOT STARTED --start(): top initial action, entries, drill-down--> IDLE (in a leaf)
 *   IDLE --dispatch(sig, p0..p3)--> BUSY (guards, action, exits, entries) --> IDLE
 *   BUSY --post()/postUrgent()--> queue (dispatched later: run-to-completion)
 *   BUSY --a handler throws--> stays BUSY: the machine is mid-transition; dispatch throws
 *
 * Timers (per after/every entry: one time event, made at construction):
 *
 *   new Hsm(def, { timers }) --timers.timeEvent(sig) per timer--> DISARMED
 *   entry of the state (after the user's entry) --timers.arm(id, ms, every ? ms : 0)--> ARMED
 *   ARMED --exit of the state (before the user's exit): timers.disarm(id)--> DISARMED
 *   ARMED --expiry: dispatch(sig, id, due, gen, 0) --> its transitions (the state is
 *     still active: a transition out of it exits it and disarms; a self-transition
 *     disarms, then re-arms); a composite's timer stays armed while its children change
 *   named timers: hsm.arm(S.X, ms, period) / hsm.disarm(S.X) from actions only
 *     (never by entry/exit); expiries are plain S.X events (on, defer)
 *
 * Deferred events:
 *
 *   dispatch(sig) in a state that defers sig --> defer ring (full: 'reject' drops the
 *   new event, 'drop-oldest' the oldest; both counted in deferDropped)
 *   recall()    --> oldest deferred --postUrgent--> front of the queue (full: stays, recallFailed++)
 *   recallAll() --> all deferred, order kept, ahead of what was queued
 *
 * Limits: depth <= maxDepth (default 8, at most 32), checked at definition;
 * signals 1..4095; <= 32767 states; <= 65533 transitions; dispatch table
 * memory 2 bytes x states x (largest signal + 1); 4 numeric parameters per
 * event; defer capacity default 4, own queue default 8; drain() dispatches at
 * most 1000 events per call by default. Dispatch loops are bounded by depth.
 * Timers: each after/every entry takes one synthetic signal above the largest
 * declared signal, so declared signals + after/every entries <= 4095
 * (HSM_MAX_SIGNAL; TOO_MANY otherwise) and the dispatch table grows by one row
 * per entry; named timers use their declared signals. One time event per
 * timer per machine (the kernel's `timers` option bounds them). Delays and
 * periods 0..2^31 - 1 ms (HSM_MAX_DELAY_MS); `every` needs a period >= 1 ms.
 * The type checker collects state names down to 25 levels of nesting; in a
 * deeper tree targets are not checked at compile time (only at definition).
 * `after`/`every` integer keys are armed in ascending order, before
 * named-delay keys (JS property order); after entries before every entries.
 *
 * Release builds: definition errors (HsmDefinitionError) and the options
 * of new Hsm() are checked in every build, as are re-entrant dispatch,
 * dispatch before start and start twice (HsmUsageError). post()/postUrgent()
 * refuse a signal outside 0..65535 in every build (release: false, counted
 * in `postRejected` and `badSignals`; DEBUG: HsmUsageError BAD_PARAM), so
 * the own queue never holds a value that reads back as "empty". DEBUG-only:
 * the type checks of parameters (BAD_PARAM) and of context fields
 * (BAD_CONTEXT); a dispatched signal outside the declared range is ignored
 * and counted in every build.
 */
import { KeelError } from './errors.js';
import {
  Trace,
  TRACE_DEFER,
  TRACE_DISPATCH,
  TRACE_DROP,
  TRACE_ENTRY,
  TRACE_EXIT,
  TRACE_FLAG_HISTORY,
  TRACE_FLAG_IMPLIED,
  TRACE_HSM_KINDS,
  TRACE_HSM_STEP_KINDS,
  TRACE_INIT,
  TRACE_RECALL,
  TRACE_REFUSE,
  TRACE_TRANSITION,
  ownMethods,
} from './trace.js';

// ---------------------------------------------------------------------------
// Limits and constants
// ---------------------------------------------------------------------------

/** Default limit on nesting depth (top-level states have depth 1). */
export const HSM_DEFAULT_MAX_DEPTH = 8;
/** Hard ceiling for `maxDepth`. */
export const HSM_MAX_DEPTH_CEILING = 32;
/** Largest signal value a definition accepts (the dispatch table is states x (max signal + 1)). */
export const HSM_MAX_SIGNAL = 4095;
/** Most transitions (including internal ones) one definition may declare. */
export const HSM_MAX_TRANSITIONS = 65533;
/** Most states (the implicit `top` included) one definition may declare. */
export const HSM_MAX_STATES = 32767;
/** Default capacity of a machine's own run-to-completion queue. */
export const HSM_DEFAULT_QUEUE_CAPACITY = 8;
/** Default capacity of a machine's defer queue. */
export const HSM_DEFAULT_DEFER_CAPACITY = 4;
/** Default bound on events dispatched by one `drain()` call. */
export const HSM_DEFAULT_DRAIN_LIMIT = 1000;
/** Largest delay or period, ms (2^31 - 1: the kernel's timers compare times by signed 32-bit difference). */
export const HSM_MAX_DELAY_MS = 2147483647;

/** `dispatch` results. */
/** No active state handled the signal (or every guard was false); counted in `ignored`. */
export const HSM_IGNORED = 0;
/** An internal transition (no target) ran. */
export const HSM_HANDLED = 1;
/** A transition with a target ran (exits, entries, initial drill-down). */
export const HSM_TRANSITION = 2;
/** The active state defers the signal; it went into the defer queue. */
export const HSM_DEFERRED = 3;
/** The defer queue was full; under 'reject' this event was dropped, under 'drop-oldest' the oldest was; counted in `deferDropped`. */
export const HSM_DEFER_OVERFLOW = 4;

/** The implicit root state's id. Its name is `top`. */
export const HSM_TOP = 0;

const DEFER_MARK = 0xffff;
const IGNORE_MARK = 0xfffe;
const TR_HISTORY = 1;
const TR_RECORD = 2;
const noop = (): void => {};
const LOCK_IDLE = 0;
const LOCK_BUSY = 1;
const LOCK_NOT_STARTED = 2;
const HIST_NONE = 0;
const HIST_SHALLOW = 1;
const HIST_DEEP = 2;

// ---------------------------------------------------------------------------
// Types of the declarative spec
// ---------------------------------------------------------------------------

/** Signal names to small positive integers, e.g. `{ A: 1, B: 2 }` or `defineSignals([...])`. */
export type HsmSignals = { readonly [name: string]: number };

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/**
 * The no-allocation profile for a context: a typed array, or an object whose
 * fields are all numbers or booleans. `C extends HsmContext<C>` fails to compile
 * for a string, object, array or function field.
 */
export type HsmContext<C> = { [K in keyof C]: C extends TypedArray ? C[K] : number | boolean };

/** Transition action: runs before the exits (QP order). `hsm` is the machine, for `post`/`recall`. */
export type HsmAction<C> = (ctx: C, p0: number, p1: number, p2: number, p3: number, hsm: Hsm<C>) => void;
/** Guard: tried in declaration order; the first true one (or an unguarded one) fires. */
export type HsmGuard<C> = (ctx: C, p0: number, p1: number, p2: number, p3: number, hsm: Hsm<C>) => boolean;
/** Entry, exit and initial-transition actions. */
export type HsmStateAction<C> = (ctx: C, hsm: Hsm<C>) => void;

export interface HsmTransitionSpec<C, N extends string = string> {
  /**
   * Target state name. Omit for an internal transition (no exit, no entry).
   * Own name: self-transition (exit, re-enter). `defineHsm` checks it against
   * the machine's state names at compile time.
   */
  readonly target?: N;
  readonly guard?: HsmGuard<C>;
  readonly action?: HsmAction<C>;
  /**
   * Only matters when one of source and target contains the other. 'local'
   * (default, QP): the containing state is neither exited nor re-entered.
   * 'external' (UML external): it is exited and re-entered.
   */
  readonly kind?: 'local' | 'external';
  /** Enter `target` through its history (it must declare `history`); falls back to its initial transition. */
  readonly history?: boolean;
}

/** A target name, one transition, or several tried in order (guards). */
export type HsmTransitions<C, N extends string = string> = N | HsmTransitionSpec<C, N> | readonly HsmTransitionSpec<C, N>[];

export interface HsmInitialSpec<C, N extends string = string> {
  readonly target: N;
  readonly action?: HsmStateAction<C>;
}

/**
 * A named delay: milliseconds, 0..HSM_MAX_DELAY_MS (checked at definition; the
 * kernel's timers round a fraction up), or a function of the context
 * evaluated each time a state that uses it is entered (after that state's
 * entry action). What a function returns is checked by the timer host when it
 * arms (the kernel's TimerTable throws TimerUsageError outside 0..2^31 - 1).
 */
export type HsmDelay<C> = number | ((ctx: C) => number);

/**
 * `after` / `every` of a state: delay -> transitions. A key is a whole number
 * of milliseconds (`{ 500: 'on' }`) or the name of a delay declared in the
 * spec's `delays` (`{ slowHalf: ... }`).
 */
export type HsmTimedTransitions<C, N extends string = string, DN extends string = string> = {
  readonly [ms: number]: HsmTransitions<C, N>;
} & { readonly [K in DN]?: HsmTransitions<C, N> };

export interface HsmStateSpec<C, S extends HsmSignals, N extends string = string, DN extends string = string> {
  /** Runs when the state is entered (before its `after`/`every` timers are armed). */
  readonly entry?: HsmStateAction<C>;
  /** Runs when the state is exited (after its `after`/`every` timers were disarmed). */
  readonly exit?: HsmStateAction<C>;
  /** Required in a composite state; a proper descendant (any depth). */
  readonly initial?: N | HsmInitialSpec<C, N>;
  /** Record the active substate (shallow) or leaf (deep) when this state is exited. */
  readonly history?: 'shallow' | 'deep';
  readonly on?: { readonly [K in keyof S]?: HsmTransitions<C, N> };
  /** One-shot timers: armed on entry, disarmed on exit; the transitions run when one expires while in this state. */
  readonly after?: HsmTimedTransitions<C, N, DN>;
  /** Periodic timers (the delay is the period; first expiry one period after entry), disarmed on exit. */
  readonly every?: HsmTimedTransitions<C, N, DN>;
  /** Signals this state defers (when no deeper state handles or defers them first). */
  readonly defer?: readonly (keyof S & string)[];
  readonly states?: { readonly [name: string]: HsmStateSpec<C, S, N, DN> };
}

/** A `states` object: state name -> state spec. */
export type HsmStates<C, S extends HsmSignals, N extends string = string, DN extends string = string> = {
  readonly [name: string]: HsmStateSpec<C, S, N, DN>;
};

export interface HsmSpec<C, S extends HsmSignals, N extends string = string, DN extends string = string> {
  /** The machine's name, used in every error message. */
  readonly name: string;
  readonly signals: S;
  /** Makes a machine's context, once, when the machine is constructed. */
  readonly context: () => C;
  /** The top-level initial transition. */
  readonly initial: N | HsmInitialSpec<C, N>;
  readonly states: HsmStates<C, S, N, DN>;
  /** Named delays for `after`/`every` keys (XState's `delays`): ms, or a function of the context evaluated on each entry. */
  readonly delays?: { readonly [K in DN]: HsmDelay<C> };
  /**
   * Named timers, for what `after`/`every` do not cover: each is a declared
   * signal; the timer posts it; actions arm it with `hsm.arm(S.SIG, delay,
   * period)`. Not disarmed on exit: disarm it in an exit action.
   */
  readonly timers?: readonly (keyof S & string)[];
  /** Nesting limit checked at definition (default HSM_DEFAULT_MAX_DEPTH, at most HSM_MAX_DEPTH_CEILING). */
  readonly maxDepth?: number;
}

// ---- compile-time checks of a spec literal (used by defineHsm) --------------

type HsmDepthPrev = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * Every state name of a `states` tree, nested `states` included. `string`
 * (no compile-time check of targets) for a tree typed `{ [name: string]: ... }`
 * (built at run time), cast to `never`, or nested deeper than 25 levels (the
 * walk stops there to stay within the compiler's instantiation depth).
 */
export type HsmStateNames<T> = [T] extends [never] ? string : HsmStateNamesIn<T, 24>;
type HsmStateNamesIn<T, D extends number> = [D] extends [never]
  ? string
  : T extends object
    ? (keyof T & string) | { [K in keyof T]: T[K] extends { readonly states: infer U } ? HsmStateNamesIn<U, HsmDepthPrev[D]> : never }[keyof T]
    : never;

/**
 * Appears in a compile error of `defineHsm`: the value in that position is not
 * one of `Expected`. E.g. `Type '"nowhere"' is not assignable to type
 * '"nowhere" & HsmTypeError<"not a state of this machine", "off" | "on">'`.
 */
export interface HsmTypeError<What extends string, Expected> {
  readonly ' error': What;
  readonly ' expected': Expected;
}

type HsmTrKey = 'target' | 'guard' | 'action' | 'kind' | 'history';
type HsmStateKey = 'entry' | 'exit' | 'initial' | 'history' | 'on' | 'after' | 'every' | 'defer' | 'states';
// Valid: no constraint (unknown). A literal that names no state: an error type. A widened string: the names.
type HsmCheckTarget<X, N extends string> = X extends N ? unknown : string extends X ? N : HsmTypeError<'not a state of this machine', N>;
type HsmCheckTrObj<X, N extends string> = {
  readonly [P in keyof X]: P extends 'target' ? HsmCheckTarget<X[P], N> : P extends HsmTrKey ? unknown : HsmTypeError<'not a transition key', HsmTrKey>;
};
type HsmCheckTr<X, N extends string> = X extends string
  ? HsmCheckTarget<X, N>
  : X extends readonly unknown[]
    ? { readonly [I in keyof X]: HsmCheckTrObj<X[I], N> }
    : HsmCheckTrObj<X, N>;
type HsmDelayKeyOk<K, DN> = string extends K
  ? true
  : K extends DN
    ? true
    : K extends number | `${number}`
      ? `${K}` extends `-${string}` | `${string}.${string}` | `${string}e${string}` ? false : true
      : false;
type HsmCheckDelays<X, N extends string, DN> = {
  readonly [K in keyof X]: HsmDelayKeyOk<K, DN> extends true
    ? HsmCheckTr<X[K], N>
    : HsmTypeError<'not a delay: a whole number of ms, or a name declared in delays', DN>;
};
type HsmCheckState<X, N extends string, S, DN> = {
  readonly [P in keyof X]: P extends 'initial'
    ? X[P] extends string
      ? HsmCheckTarget<X[P], N>
      : X[P] extends { readonly target: infer G }
        ? { readonly target: HsmCheckTarget<G, N> }
        : unknown
    : P extends 'on'
      ? { readonly [K in keyof X[P]]: K extends keyof S ? HsmCheckTr<X[P][K], N> : HsmTypeError<'not a signal of this machine', keyof S> }
      : P extends 'after' | 'every'
        ? HsmCheckDelays<X[P], N, DN>
        : P extends 'states'
          ? HsmCheckStates<X[P], N, S, DN>
          : P extends HsmStateKey
            ? unknown
            : HsmTypeError<'not a state key', HsmStateKey>;
};
type HsmCheckStates<T, N extends string, S, DN> = { readonly [K in keyof T]: HsmCheckState<T[K], N, S, DN> };

/**
 * What `defineHsm` accepts: an `HsmSpec` whose targets (in `initial`, `on`,
 * `after`, `every`) are checked at compile time against the state names of
 * `states` (`T`, inferred), whose `after`/`every` keys are numbers or names
 * from `delays` (`DN`), and whose `timers` are declared signals. For wrappers
 * of defineHsm (tests' `traced`): declare the same type parameters.
 */
export type HsmCheckedSpec<C, S extends HsmSignals, DN extends string, T> = {
  readonly name: string;
  readonly signals: S;
  readonly context: (() => C) & (() => HsmContext<C>);
  readonly initial: NoInfer<HsmStateNames<T>> | HsmInitialSpec<C, NoInfer<HsmStateNames<T>>>;
  readonly states: T & NoInfer<HsmCheckStates<T, HsmStateNames<T>, S, DN>>;
  readonly delays?: { readonly [K in DN]: HsmDelay<C> };
  readonly timers?: readonly (keyof S & string)[];
  readonly maxDepth?: number;
};

/**
 * The kernel side of a machine's timers: the kernel's `AoPort` implements it
 * (it posts expiries into the AO's queue); tests use a fake.
 *
 * Contract: an expiry arrives as a normal event (sig, p0 = time event id,
 * p1 = due time, p2 = generation, p3 = 0) through the machine's queue. The
 * host drops stale expiries itself (one posted before a disarm or re-arm of
 * that id: the kernel compares the generation when it dispatches), so the
 * machine does no staleness check of its own. `arm` refuses (throws, e.g. the
 * kernel's TimerUsageError) a delay or period outside 0..2^31 - 1 ms or not a
 * number (the kernel rounds a fraction up): a delay function returning one is
 * a bug found there, in the entry that arms.
 */
export interface HsmTimerHost {
  /** Boot/config time: creates a time event that posts `sig` to this machine's queue; returns its id. */
  timeEvent(sig: number): number;
  /** Arms `id`: first expiry after delayMs, then every periodMs if > 0. Returns the first due time. */
  arm(id: number, delayMs: number, periodMs: number): number;
  /** Disarms `id`; true if it was armed. */
  disarm(id: number): boolean;
  /**
   * Optional, read once at construction: per time event id, nonzero while it
   * is armed or its expiry may still be queued (the kernel's
   * TimerTable.live). With it, leaving a state skips the disarm call of a
   * one-shot whose expiry was already handled; without it every exit disarms.
   */
  readonly live?: Uint8Array;
  /**
   * Optional: true while an expiry (id, gen) is current (its time event was
   * not disarmed or re-armed since). With it, a deferred expiry that went
   * stale is dropped at recall instead of dispatched (kernel: TimerTable.isCurrent).
   */
  isCurrent?(id: number, gen: number): boolean;
}

/** What a machine needs from an event queue: `EventQueue` (src/queue.ts) fits. */
export interface HsmEventSink {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
  postUrgent(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
}

export interface HsmOptions<C> {
  /** Name in errors (default: the definition's name). */
  name?: string;
  /** Context to use instead of `spec.context()` (checked the same way in DEBUG builds). */
  context?: C;
  /**
   * Where `post`, `postUrgent` and `recall` put events: the active object's
   * queue under the kernel. Default: the machine's own ring of `queueCapacity`
   * records, drained by `drain()`/`send()`.
   */
  queue?: HsmEventSink;
  /** Capacity of the own queue when no `queue` is given (default 8). */
  queueCapacity?: number;
  /** Defer queue capacity (default 4; may be 0 only if no state defers). */
  deferCapacity?: number;
  /** When the defer queue is full: drop the new event ('reject', default) or the oldest one. Both are counted. */
  deferOverflow?: 'reject' | 'drop-oldest';
  /**
   * Makes, arms and disarms the machine's time events: required when the
   * definition declares timers (`after`, `every`, `timers`). Under the kernel
   * the AO's port (kernel.spawnMachine passes it); standalone, a fake (tests).
   */
  timers?: HsmTimerHost;
  /**
   * Records what the machine does (src/trace.ts): DISPATCH, TRANSITION,
   * EXIT, ENTRY, INIT (state ids of the definition), DEFER, DROP, RECALL,
   * REFUSE. The machine registers itself as an 'hsm' with its definition.
   * kernel.spawnMachine passes the kernel's. Default none (one branch per dispatch).
   */
  trace?: Trace;
  /** The trace object id of the AO running the machine (the registry's owner), 0 for none (default). */
  traceOwner?: number;
}

/** For tools: one timer of a definition (an `after`/`every` entry or a named timer). */
export interface HsmTimerInfo {
  /** The state whose entry arms it (`after`/`every`); null for a named timer (armed by actions). */
  state: string | null;
  /** The signal its expiry posts: synthetic (above the declared ones) for `after`/`every`, the declared one for a named timer. */
  signal: number;
  /** That signal's name, e.g. `after 500 ms (settling)`, or the named timer's signal name. */
  signalName: string;
  /** `every` (true) or `after` / named (false). */
  periodic: boolean;
  /** Milliseconds, or the name of the delay in `delays`; null for a named timer (its action passes the delay). */
  delay: number | string | null;
}

/** For tools: one declared transition. */
export interface HsmTransitionInfo {
  source: string;
  signal: string;
  /** null for an internal transition. */
  target: string | null;
  kind: 'internal' | 'self' | 'local' | 'external';
  guarded: boolean;
  history: boolean;
  /** The state exits stop at (not exited); null for internal transitions. */
  lca: string | null;
}

/** For tools: one state in `HsmDefinition.describe()` (index = state id; 0 is `top`). */
export interface HsmStateDescription {
  name: string;
  /** The parent's name; null for `top`. */
  parent: string | null;
  /** 0 for `top`, 1 for top-level states. */
  depth: number;
  /** Direct substates, in declaration order. */
  children: string[];
  /** The target of the state's initial transition (`top`'s is the spec's `initial`); null for a leaf. */
  initial: string | null;
  /** The initial transition's action; null when it has none. */
  initialAction: HsmStateAction<any> | null;
  history: 'shallow' | 'deep' | null;
  /** Signal names the state defers (`defer`), in signal order. */
  defers: string[];
}

/** For tools: one transition in `HsmDefinition.describe()`, in declaration order. */
export interface HsmTransitionDescription extends HsmTransitionInfo {
  /** The guard function (tools show its `name`); null when unguarded. */
  guard: HsmGuard<any> | null;
  /** The action function; null when it has none. */
  action: HsmAction<any> | null;
  /** Index in `timers` of the after/every entry whose expiry triggers it; -1 for an `on` transition. */
  timer: number;
}

/** For tools (diagrams, trace decoders): everything a definition declares, as plain data. */
export interface HsmDescription {
  name: string;
  /** By state id; `states[0]` is `top`. */
  states: HsmStateDescription[];
  /** Signal names by value ('' for unused values), synthetic timer signals included. */
  signals: string[];
  transitions: HsmTransitionDescription[];
  timers: HsmTimerInfo[];
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

export type HsmDefinitionErrorCode =
  | 'BAD_SPEC'
  | 'BAD_SIGNAL'
  | 'DUPLICATE_SIGNAL'
  | 'UNKNOWN_SIGNAL'
  | 'NO_STATES'
  | 'DUPLICATE_STATE'
  | 'DEPTH_LIMIT'
  | 'TOO_MANY'
  | 'UNKNOWN_TARGET'
  | 'NO_INITIAL'
  | 'INITIAL_ON_LEAF'
  | 'INITIAL_NOT_DESCENDANT'
  | 'HISTORY_ON_LEAF'
  | 'NO_HISTORY'
  | 'DEFER_CONFLICT'
  | 'BAD_CONTEXT'
  | 'BAD_OPTION'
  | 'UNKNOWN_DELAY'
  | 'BAD_DELAY'
  | 'NO_TIMERS';

/** The spec (or construction options) is wrong. Says which machine, which state, what, and what to change. */
export class HsmDefinitionError extends KeelError {
  override name = 'HsmDefinitionError';
  constructor(
    readonly code: HsmDefinitionErrorCode,
    readonly machine: string,
    readonly state: string | undefined,
    what: string,
  ) {
    super(`hsm '${machine}'${state === undefined ? '' : `, state '${state}'`}: ${what} [${code}]`);
  }
}

export type HsmUsageErrorCode = 'REENTRANT_DISPATCH' | 'NOT_STARTED' | 'ALREADY_STARTED' | 'BAD_PARAM' | 'NO_OWN_QUEUE' | 'NOT_A_TIMER' | 'BAD_DELAY';

/** A machine was used wrongly at run time (re-entrant dispatch, dispatch before start, ...). */
export class HsmUsageError extends KeelError {
  override name = 'HsmUsageError';
  constructor(
    readonly code: HsmUsageErrorCode,
    readonly machine: string,
    what: string,
  ) {
    super(`hsm '${machine}': ${what} [${code}]`);
  }
}

// ---------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------

/** `defineSignals(['A', 'B'])` is `{ A: 1, B: 2 }`, frozen. `first` is the first value (default 1). */
export function defineSignals<const N extends readonly string[]>(
  names: N,
  first = 1,
): { readonly [K in N[number]]: number } {
  const out: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    if (Object.prototype.hasOwnProperty.call(out, n))
      throw new HsmDefinitionError('DUPLICATE_SIGNAL', '(signals)', undefined, `signal name '${n}' is listed twice`);
    out[n] = first + i;
  }
  return Object.freeze(out) as { readonly [K in N[number]]: number };
}

// ---------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------

function isFn(v: unknown): boolean {
  return typeof v === 'function';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STATE_KEYS = Object.freeze(['entry', 'exit', 'initial', 'history', 'on', 'after', 'every', 'defer', 'states']);
const TRANSITION_KEYS = Object.freeze(['target', 'guard', 'action', 'kind', 'history']);
const SPEC_KEYS = Object.freeze(['name', 'signals', 'context', 'initial', 'states', 'delays', 'timers', 'maxDepth']);

interface RawState {
  name: string;
  spec: Record<string, unknown>;
  parent: number;
  depth: number;
  children: number[];
}

interface RawTransition {
  source: number;
  sig: number;
  target: number;
  guard: HsmGuard<any> | undefined;
  action: HsmAction<any> | undefined;
  external: boolean;
  history: boolean;
}

interface RawTimer {
  /** The state whose entry arms it; -1 for a named timer. */
  state: number;
  sig: number;
  periodic: boolean;
  /** Fixed delay in ms; -1 when `delayFn` gives it. */
  delayMs: number;
  delayFn: ((ctx: any) => number) | undefined;
  /** The `delays` name used as key, or null. */
  delayName: string | null;
  /** 'after' | 'every' | 'timers'. */
  kind: string;
  /** The key as written (for messages). */
  key: string;
  /** The transitions (after/every). */
  value: unknown;
}

const TIMED_KEYS = Object.freeze(['after', 'every']);

/** The entry of a state with after/every timers: the user's entry, then arm them (made once per definition). */
function armingEntry<C>(state: number, user: HsmStateAction<C> | undefined): HsmStateAction<C> {
  if (user === undefined) return (_c, m) => { m.armStateTimers(state); };
  return (c, m) => {
    user(c, m);
    m.armStateTimers(state);
  };
}

/** The exit of a state with after/every timers: disarm them, then the user's exit (made once per definition). */
function disarmingExit<C>(state: number, user: HsmStateAction<C> | undefined): HsmStateAction<C> {
  if (user === undefined) return (_c, m) => { m.disarmStateTimers(state); };
  return (c, m) => {
    m.disarmStateTimers(state);
    user(c, m);
  };
}

/** armingEntry for a state with one fixed-delay timer (slot `k`): arms it directly. */
function armingEntryOne<C>(k: number, ms: number, period: number, user: HsmStateAction<C> | undefined): HsmStateAction<C> {
  if (user === undefined) return (_c, m) => { m.timerHost!.arm(m.timeEvents[k]!, ms, period); };
  return (c, m) => {
    user(c, m);
    m.timerHost!.arm(m.timeEvents[k]!, ms, period);
  };
}

/** disarmingExit for a state with one timer (slot `k`): skips the call when nothing of it is armed or queued. */
function disarmingExitOne<C>(k: number, user: HsmStateAction<C> | undefined): HsmStateAction<C> {
  if (user === undefined) {
    return (_c, m) => {
      const id = m.timeEvents[k]!;
      const live = m.timerLive;
      if (live === null || live[id] !== 0) m.timerHost!.disarm(id);
    };
  }
  return (c, m) => {
    const id = m.timeEvents[k]!;
    const live = m.timerLive;
    if (live === null || live[id] !== 0) m.timerHost!.disarm(id);
    user(c, m);
  };
}

function looksNumeric(key: string): boolean {
  return !Number.isNaN(Number(key));
}

/**
 * A compiled machine definition: immutable flat tables, shared by every
 * machine made from it. Made by `defineHsm(spec)`.
 */
export class HsmDefinition<C> {
  /** The spec's name. */
  readonly name: string;
  /** State names by id; id 0 is `top`. Ids are depth-first pre-order. */
  readonly stateNames: readonly string[];
  /** Parent id per state (-1 for top). */
  readonly parent: Int16Array;
  /** Depth per state (top 0, top-level states 1). */
  readonly depth: Uint8Array;
  /** Deepest state's depth. */
  readonly maxDepth: number;
  /** The configured limit it was checked against. */
  readonly depthLimit: number;
  /** Signal table width: largest declared signal value + 1. */
  readonly signalSpan: number;
  /** Signal names by value ('' for unused values). */
  readonly signalNames: readonly string[];

  /** @internal (state tables) */
  readonly entry: (HsmStateAction<C> | undefined)[];
  /** @internal */
  readonly exit: (HsmStateAction<C> | undefined)[];
  /** @internal */
  readonly initAction: (HsmStateAction<C> | undefined)[];
  /** @internal initial target per state, -1 for leaves. */
  readonly initTarget: Int16Array;
  /**
   * @internal Handler table for precomputed sequences: index s is entry[s],
   * index stateCount + s is initAction[s]. Sequences list only indices whose
   * handler exists, so the hot loop calls without testing.
   */
  readonly fns: HsmStateAction<C>[];
  /** @internal Handler-index sequences (see fns). */
  readonly seq: Uint16Array;
  /** @internal Per state: the default drill-down (initial actions and entries) down to its default leaf. */
  readonly initSeqStart: Int32Array;
  /** @internal */
  readonly initSeqEnd: Int32Array;
  /** @internal Per state: the leaf its initial transitions end in (itself for a leaf). */
  readonly defaultLeaf: Int16Array;
  /** @internal 0 none, 1 shallow, 2 deep. */
  readonly histKind: Uint8Array;
  /** @internal signal-major: table[sig * stateCount + state] = 0 none, DEFER_MARK, IGNORE_MARK (top), or first transition + 1. */
  readonly table: Uint16Array;
  /** @internal one view of `table` per signal value (rows[sig][state]); undefined beyond the declared range. */
  readonly rows: Uint16Array[];
  /** @internal (transition tables) */
  readonly trGuard: (HsmGuard<C> | undefined)[];
  /** @internal */
  readonly trAction: (HsmAction<C> | undefined)[];
  /** @internal target per transition, -1 internal. */
  readonly trTarget: Int16Array;
  /** @internal exits stop at this state. */
  readonly trLca: Int16Array;
  /** @internal entries below the LCA down to the target, then the target's drill-down (unless entering by history). */
  readonly trSeqStart: Int32Array;
  /** @internal */
  readonly trSeqEnd: Int32Array;
  /** @internal the leaf the transition ends in (the target itself for history transitions, resolved at run time). */
  readonly trLeaf: Int16Array;
  /** @internal TR_HISTORY | TR_RECORD. */
  readonly trFlags: Uint8Array;
  /** @internal end of the (state, signal) group starting at this transition. */
  readonly trGroupEnd: Uint16Array;
  /** @internal */
  readonly trSource: Int16Array;
  /** @internal */
  readonly trSignal: Uint16Array;
  /** @internal */
  readonly makeContext: () => C;
  /** @internal true when some state defers a signal. */
  readonly defers: boolean;
  /** Number of timers: one per `after`/`every` entry plus one per named timer (each is one time event per machine). */
  readonly timerCount: number;
  /** @internal (timer tables, index = timer slot; after/every first, in state order, then named timers) signal posted. */
  readonly tmSignal: Uint16Array;
  /** @internal 1 for `every`. */
  readonly tmPeriodic: Uint8Array;
  /** @internal fixed delay in ms, -1 when tmDelayFn gives it. */
  readonly tmDelayMs: Float64Array;
  /** @internal delay functions (undefined for fixed delays). */
  readonly tmDelayFn: (((ctx: C) => number) | undefined)[];
  /** @internal per state: its after/every timer slots are [stTimerStart, stTimerEnd). */
  readonly stTimerStart: Uint16Array;
  /** @internal */
  readonly stTimerEnd: Uint16Array;
  /** @internal per signal value: the named timer's slot, -1 if the signal is not a named timer. */
  readonly namedTimerOf: Int16Array;
  /** @internal per signal value: the slot of the timer that posts it (named or after/every), -1 if none. */
  readonly timerOf: Int16Array;
  private readonly tmState: Int16Array;
  private readonly tmDelayName: (string | null)[];
  private readonly ids: Map<string, number>;
  private readonly transitionCount: number;
  private readonly trExternal: Uint8Array;

  /** Use `defineHsm(spec)`. */
  constructor(spec: HsmSpec<C, HsmSignals>) {
    if (!isObj(spec)) throw new HsmDefinitionError('BAD_SPEC', '(unnamed)', undefined, 'the spec must be an object');
    const mname = typeof spec.name === 'string' && spec.name.length > 0 ? spec.name : '(unnamed)';
    const fail: (code: HsmDefinitionErrorCode, state: string | undefined, what: string) => never = (code, state, what) => {
      throw new HsmDefinitionError(code, mname, state, what);
    };
    if (mname === '(unnamed)') fail('BAD_SPEC', undefined, "the spec needs a non-empty 'name'");
    for (const k of Object.keys(spec))
      if (SPEC_KEYS.indexOf(k) < 0) fail('BAD_SPEC', undefined, `unknown spec key '${k}' (expected one of ${SPEC_KEYS.join(', ')})`);
    this.name = mname;

    // Signals.
    if (!isObj(spec.signals)) fail('BAD_SPEC', undefined, "'signals' must be an object of name -> small integer");
    const sigByName = new Map<string, number>();
    let maxSig = 0;
    const sigNames: string[] = [];
    for (const n of Object.keys(spec.signals)) {
      const v = spec.signals[n];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > HSM_MAX_SIGNAL)
        fail('BAD_SIGNAL', undefined, `signal '${n}' has value ${String(v)}; signals are integers 1..${HSM_MAX_SIGNAL}`);
      if (sigNames[v!] !== undefined && sigNames[v!] !== '')
        fail('DUPLICATE_SIGNAL', undefined, `signals '${sigNames[v!]}' and '${n}' share the value ${v}; give each its own`);
      while (sigNames.length <= v!) sigNames.push('');
      sigNames[v!] = n;
      sigByName.set(n, v!);
      if (v! > maxSig) maxSig = v!;
    }

    if (!isFn(spec.context)) fail('BAD_SPEC', undefined, "'context' must be a function returning the context");
    this.makeContext = spec.context;

    // Named delays.
    const delays = new Map<string, number | ((ctx: C) => number)>();
    if (spec.delays !== undefined) {
      if (!isObj(spec.delays)) fail('BAD_SPEC', undefined, "'delays' must be an object of name -> milliseconds or (ctx) => milliseconds");
      const dl = spec.delays as Record<string, unknown>;
      for (const dn of Object.keys(dl)) {
        if (looksNumeric(dn)) fail('BAD_SPEC', undefined, `delay name '${dn}' reads as a number; name delays with identifiers (a number key in 'after'/'every' is already a delay in ms)`);
        const v = dl[dn];
        if (typeof v === 'number') {
          // Fractions are the timer host's to round (the kernel's rounds up to whole ms).
          if (!(v >= 0 && v <= HSM_MAX_DELAY_MS))
            fail('BAD_DELAY', undefined, `delay '${dn}' is ${v}; a delay is a number of milliseconds 0..${HSM_MAX_DELAY_MS} (or a function of the context)`);
        } else if (!isFn(v)) fail('BAD_SPEC', undefined, `delay '${dn}' must be a number of milliseconds or a function (ctx) => milliseconds`);
        delays.set(dn, v as number | ((ctx: C) => number));
      }
    }

    const limit = spec.maxDepth === undefined ? HSM_DEFAULT_MAX_DEPTH : spec.maxDepth;
    if (!Number.isInteger(limit) || limit < 1 || limit > HSM_MAX_DEPTH_CEILING)
      fail('BAD_SPEC', undefined, `maxDepth ${String(limit)} is out of range 1..${HSM_MAX_DEPTH_CEILING}`);
    this.depthLimit = limit;

    // States: depth-first pre-order, top = 0.
    if (!isObj(spec.states) || Object.keys(spec.states).length === 0)
      fail('NO_STATES', undefined, "'states' must declare at least one state");
    const raw: RawState[] = [
      { name: 'top', spec: { initial: spec.initial, states: spec.states }, parent: -1, depth: 0, children: [] },
    ];
    const ids = new Map<string, number>();
    ids.set('top', 0);
    let deepest = 0;
    // Explicit stack (pre-order: children pushed in reverse).
    const stack: number[] = [0];
    while (stack.length > 0) {
      const id = stack.pop()!;
      const st = raw[id]!;
      const kids = st.spec.states;
      if (kids === undefined) continue;
      if (!isObj(kids)) fail('BAD_SPEC', st.name, "'states' must be an object of name -> state spec");
      const names = Object.keys(kids);
      const made: number[] = [];
      for (const n of names) {
        if (n.length === 0) fail('BAD_SPEC', st.name, 'a substate has an empty name');
        if (ids.has(n))
          fail('DUPLICATE_STATE', n, `the name '${n}' is used twice${n === 'top' ? " ('top' is the implicit root)" : ''}; state names are unique in a machine`);
        const sub = kids[n];
        if (!isObj(sub)) fail('BAD_SPEC', n, 'the state spec must be an object');
        for (const k of Object.keys(sub!))
          if (STATE_KEYS.indexOf(k) < 0) fail('BAD_SPEC', n, `unknown key '${k}' (expected one of ${STATE_KEYS.join(', ')})`);
        const depth = st.depth + 1;
        if (depth > limit)
          fail('DEPTH_LIMIT', n, `nesting depth ${depth} exceeds the limit ${limit}; flatten the tree or raise 'maxDepth' (at most ${HSM_MAX_DEPTH_CEILING})`);
        if (depth > deepest) deepest = depth;
        const nid = raw.length;
        if (nid >= HSM_MAX_STATES) fail('TOO_MANY', n, `more than ${HSM_MAX_STATES} states`);
        raw.push({ name: n, spec: sub as Record<string, unknown>, parent: id, depth, children: [] });
        ids.set(n, nid);
        made.push(nid);
      }
      st.children = made;
      for (let i = made.length - 1; i >= 0; i--) stack.push(made[i]!);
    }
    // Re-number in pre-order (the stack visited in pre-order but ids were given per level).
    const order: number[] = [];
    const walk: number[] = [0];
    while (walk.length > 0) {
      const id = walk.pop()!;
      order.push(id);
      const ch = raw[id]!.children;
      for (let i = ch.length - 1; i >= 0; i--) walk.push(ch[i]!);
    }
    const newId = new Int32Array(raw.length);
    for (let i = 0; i < order.length; i++) newId[order[i]!] = i;
    const states: RawState[] = order.map((old) => {
      const r = raw[old]!;
      return { name: r.name, spec: r.spec, parent: r.parent < 0 ? -1 : newId[r.parent]!, depth: r.depth, children: r.children.map((c) => newId[c]!) };
    });
    ids.clear();
    for (let i = 0; i < states.length; i++) ids.set(states[i]!.name, i);
    this.ids = ids;
    const n = states.length;
    this.maxDepth = deepest;
    this.stateNames = Object.freeze(states.map((s) => s.name));
    const parent = new Int16Array(n);
    const depthArr = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      parent[i] = states[i]!.parent;
      depthArr[i] = states[i]!.depth;
    }
    this.parent = parent;
    this.depth = depthArr;

    const isAncestor = (a: number, d: number): boolean => {
      // a is a proper ancestor of d
      for (let x = parent[d]!; x >= 0; x = parent[x]!) if (x === a) return true;
      return false;
    };
    const seq: number[] = [];
    const lookup = (state: string, what: string, target: unknown): number => {
      if (typeof target !== 'string') return fail('BAD_SPEC', state, `${what} must name a state (a string)`);
      const id = ids.get(target);
      if (id === undefined || id === 0)
        return fail('UNKNOWN_TARGET', state, `${what} targets '${target}', which is not a state of this machine`);
      return id;
    };
    const fnOrUndef = <F>(state: string, what: string, v: unknown): F | undefined => {
      if (v !== undefined && !isFn(v)) fail('BAD_SPEC', state, `${what} must be a function`);
      return v as F | undefined;
    };

    // Per-state: entry/exit/initial/history.
    this.entry = [];
    this.exit = [];
    this.initAction = [];
    const initTarget = new Int16Array(n).fill(-1);
    const histKind = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const st = states[i]!;
      const sp = st.spec;
      this.entry.push(fnOrUndef<HsmStateAction<C>>(st.name, "'entry'", sp.entry));
      this.exit.push(fnOrUndef<HsmStateAction<C>>(st.name, "'exit'", sp.exit));
      const composite = st.children.length > 0;
      const init = sp.initial;
      if (composite) {
        if (init === undefined)
          fail('NO_INITIAL', st.name, `composite state has no initial transition; add 'initial' naming one of its substates`);
        const initSpec = typeof init === 'string' ? { target: init } : init;
        if (!isObj(initSpec)) fail('BAD_SPEC', st.name, "'initial' must be a state name or { target, action? }");
        const t = lookup(st.name, 'the initial transition', (initSpec as Record<string, unknown>).target);
        if (!isAncestor(i, t))
          fail('INITIAL_NOT_DESCENDANT', st.name, `the initial transition targets '${states[t]!.name}', which is not a substate of '${st.name}'`);
        this.initAction.push(fnOrUndef<HsmStateAction<C>>(st.name, 'the initial action', (initSpec as Record<string, unknown>).action));
        initTarget[i] = t;
      } else {
        if (init !== undefined) fail('INITIAL_ON_LEAF', st.name, "a state without substates cannot have 'initial'");
        this.initAction.push(undefined);
      }
      if (sp.history !== undefined) {
        if (sp.history !== 'shallow' && sp.history !== 'deep')
          fail('BAD_SPEC', st.name, `'history' must be 'shallow' or 'deep', not ${String(sp.history)}`);
        if (!composite) fail('HISTORY_ON_LEAF', st.name, "'history' needs substates to remember");
        histKind[i] = sp.history === 'deep' ? HIST_DEEP : HIST_SHALLOW;
      }
    }
    this.initTarget = initTarget;
    this.histKind = histKind;

    // Timers: one per after/every entry (a synthetic signal each, above the
    // declared ones, armed by the state's entry and disarmed by its exit), then
    // the named timers (declared signals, armed by actions).
    const tms: RawTimer[] = [];
    const stTimerStart = new Uint16Array(n);
    const stTimerEnd = new Uint16Array(n);
    let nextSig = maxSig + 1;
    for (let i = 1; i < n; i++) {
      const st = states[i]!;
      stTimerStart[i] = tms.length;
      for (const kind of TIMED_KEYS) {
        const timed = st.spec[kind];
        if (timed === undefined) continue;
        if (!isObj(timed)) fail('BAD_SPEC', st.name, `'${kind}' must be an object of delay -> transitions (e.g. { 500: 'next' })`);
        const periodic = kind === 'every';
        for (const key of Object.keys(timed)) {
          let delayMs = -1;
          let delayFn: ((ctx: C) => number) | undefined;
          let delayName: string | null = null;
          const named = delays.get(key);
          if (named !== undefined) {
            delayName = key;
            if (typeof named === 'number') delayMs = named;
            else delayFn = named;
          } else if (looksNumeric(key)) {
            const v = Number(key);
            if (!/^[0-9]+$/.test(key) || v > HSM_MAX_DELAY_MS)
              fail('BAD_DELAY', st.name, `'${kind}' key '${key}' is not a delay: a delay is a whole number of milliseconds 0..${HSM_MAX_DELAY_MS}, or a name declared in 'delays'`);
            delayMs = v;
          } else {
            fail(
              'UNKNOWN_DELAY',
              st.name,
              `'${kind}' names delay '${key}', which is not declared in 'delays'` +
                (delays.size === 0 ? " (the spec has no 'delays')" : ` (declared: ${Array.from(delays.keys()).join(', ')})`),
            );
          }
          if (periodic && delayMs === 0)
            fail('BAD_DELAY', st.name, `'every' key '${key}' is a period of 0 ms; a period is 1..${HSM_MAX_DELAY_MS} ms`);
          if (nextSig > HSM_MAX_SIGNAL)
            fail('TOO_MANY', st.name, `'${kind}.${key}' needs signal ${nextSig} (after the declared signals, one per after/every entry), above ${HSM_MAX_SIGNAL}; use fewer timers or smaller signal values`);
          sigNames[nextSig] = `${kind} ${delayName === null ? `${delayMs} ms` : delayName} (${st.name})`;
          tms.push({ state: i, sig: nextSig++, periodic, delayMs, delayFn, delayName, kind, key, value: timed[key] });
        }
      }
      stTimerEnd[i] = tms.length;
    }
    const firstNamed = tms.length;
    if (spec.timers !== undefined) {
      if (!Array.isArray(spec.timers)) fail('BAD_SPEC', undefined, "'timers' must be a list of signal names (e.g. ['BLINK'])");
      for (const tn of spec.timers as unknown[]) {
        if (typeof tn !== 'string') fail('BAD_SPEC', undefined, "'timers' must list signal names (strings)");
        const sig = sigByName.get(tn as string);
        if (sig === undefined) fail('UNKNOWN_SIGNAL', undefined, `'timers' names signal '${tn as string}', which is not in 'signals'`);
        for (let k = firstNamed; k < tms.length; k++)
          if (tms[k]!.sig === sig) fail('BAD_SPEC', undefined, `'timers' lists '${tn as string}' twice`);
        tms.push({ state: -1, sig: sig!, periodic: false, delayMs: -1, delayFn: undefined, delayName: null, kind: 'timers', key: tn as string, value: undefined });
      }
    }
    for (let sg = 0; sg < nextSig; sg++) if (sigNames[sg] === undefined) sigNames[sg] = '';
    this.signalNames = Object.freeze(sigNames);
    const nSig = nextSig;
    this.signalSpan = nSig;
    const nt = tms.length;
    this.timerCount = nt;
    this.tmSignal = new Uint16Array(nt);
    this.tmPeriodic = new Uint8Array(nt);
    this.tmDelayMs = new Float64Array(nt);
    this.tmDelayFn = [];
    this.tmState = new Int16Array(nt);
    this.tmDelayName = [];
    this.namedTimerOf = new Int16Array(nSig).fill(-1);
    this.timerOf = new Int16Array(nSig).fill(-1);
    for (let k = 0; k < nt; k++) {
      const tm = tms[k]!;
      this.tmSignal[k] = tm.sig;
      this.tmPeriodic[k] = tm.periodic ? 1 : 0;
      this.tmDelayMs[k] = tm.delayMs;
      this.tmDelayFn.push(tm.delayFn);
      this.tmState[k] = tm.state;
      this.tmDelayName.push(tm.delayName);
      this.timerOf[tm.sig] = k;
      if (tm.state < 0) this.namedTimerOf[tm.sig] = k;
    }
    this.stTimerStart = stTimerStart;
    this.stTimerEnd = stTimerEnd;
    // A state with after/every timers: entry = user entry, then arm them; exit =
    // disarm them, then user exit. Made once here; states without timers keep
    // their handlers as they are (no cost added to their transitions).
    for (let i = 1; i < n; i++) {
      if (stTimerStart[i] === stTimerEnd[i]) continue;
      const one = stTimerEnd[i]! - stTimerStart[i]! === 1 && this.tmDelayFn[stTimerStart[i]!] === undefined ? stTimerStart[i]! : -1;
      if (one >= 0) {
        // The common case, one timer with a fixed delay: no loop, no method call.
        const ms = this.tmDelayMs[one]!;
        this.entry[i] = armingEntryOne(one, ms, this.tmPeriodic[one] === 1 ? ms : 0, this.entry[i]);
        this.exit[i] = disarmingExitOne(one, this.exit[i]);
      } else {
        this.entry[i] = armingEntry(i, this.entry[i]);
        this.exit[i] = disarmingExit(i, this.exit[i]);
      }
    }

    // Handler sequences: entries (index s) and initial actions (index n + s), only those that exist.
    const fns: HsmStateAction<C>[] = [];
    for (let i = 0; i < n; i++) fns.push(this.entry[i] ?? noop);
    for (let i = 0; i < n; i++) fns.push(this.initAction[i] ?? noop);
    this.fns = fns;
    /** Appends the entries of the states strictly below `from` down to `to`, top-down. */
    const appendEntries = (from: number, to: number): void => {
      const up: number[] = [];
      for (let x = to; x !== from; x = parent[x]!) up.push(x);
      for (let i = up.length - 1; i >= 0; i--) if (this.entry[up[i]!] !== undefined) seq.push(up[i]!);
    };
    /** Appends the drill-down from `s` (initial action, entries, repeat); returns the leaf. */
    const appendDrill = (s: number): number => {
      while (initTarget[s]! >= 0) {
        if (this.initAction[s] !== undefined) seq.push(n + s);
        appendEntries(s, initTarget[s]!);
        s = initTarget[s]!;
      }
      return s;
    };
    const initSeqStart = new Int32Array(n);
    const initSeqEnd = new Int32Array(n);
    const defaultLeaf = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      initSeqStart[i] = seq.length;
      defaultLeaf[i] = appendDrill(i);
      initSeqEnd[i] = seq.length;
    }
    this.initSeqStart = initSeqStart;
    this.initSeqEnd = initSeqEnd;
    this.defaultLeaf = defaultLeaf;

    // Transitions and the dispatch table.
    const trs: RawTransition[] = [];
    const table = new Uint16Array(n * nSig);
    for (let sg = 0; sg < nSig; sg++) table[sg * n] = IGNORE_MARK;
    let defers = false;
    const sigOf = (state: string, name: string, where: string): number => {
      const v = sigByName.get(name);
      if (v === undefined)
        return fail('UNKNOWN_SIGNAL', state, `${where} names signal '${name}', which is not in 'signals'`);
      return v;
    };
    /** Compiles one (state, signal) group: `v` is what `on` accepts. `where` names it in messages ('on.A', 'after.500'). */
    const addGroup = (i: number, sig: number, where: string, onWhat: string, v: unknown): void => {
      const st = states[i]!;
      const list: unknown[] = typeof v === 'string' ? [{ target: v }] : Array.isArray(v) ? v : [v];
      if (list.length === 0) fail('BAD_SPEC', st.name, `'${where}' is an empty list`);
      if (trs.length + list.length > HSM_MAX_TRANSITIONS) fail('TOO_MANY', st.name, `more than ${HSM_MAX_TRANSITIONS} transitions`);
      table[sig * n + i] = trs.length + 1;
      for (const item of list) {
        if (!isObj(item)) fail('BAD_SPEC', st.name, `'${where}' must be a target name, a transition object or a list of them`);
        const tr = item as Record<string, unknown>;
        for (const k of Object.keys(tr))
          if (TRANSITION_KEYS.indexOf(k) < 0)
            fail('BAD_SPEC', st.name, `'${where}' has unknown key '${k}' (expected one of ${TRANSITION_KEYS.join(', ')})`);
        const target = tr.target === undefined ? -1 : lookup(st.name, `the transition ${onWhat}`, tr.target);
        if (tr.kind !== undefined && tr.kind !== 'local' && tr.kind !== 'external')
          fail('BAD_SPEC', st.name, `'${where}.kind' must be 'local' or 'external'`);
        if (tr.history !== undefined && typeof tr.history !== 'boolean')
          fail('BAD_SPEC', st.name, `'${where}.history' must be a boolean`);
        if (tr.history === true) {
          if (target < 0) fail('NO_HISTORY', st.name, `'${where}' asks for history but has no target`);
          if (histKind[target] === HIST_NONE)
            fail('NO_HISTORY', st.name, `'${where}' enters '${states[target]!.name}' through its history, but that state declares no 'history'`);
        }
        if (target < 0 && (tr.kind !== undefined))
          fail('BAD_SPEC', st.name, `'${where}' is internal (no target); 'kind' does not apply`);
        trs.push({
          source: i,
          sig,
          target,
          guard: fnOrUndef<HsmGuard<C>>(st.name, `'${where}.guard'`, tr.guard),
          action: fnOrUndef<HsmAction<C>>(st.name, `'${where}.action'`, tr.action),
          external: tr.kind === 'external',
          history: tr.history === true,
        });
      }
    };
    for (let i = 1; i < n; i++) {
      const st = states[i]!;
      const on = st.spec.on;
      if (on !== undefined) {
        if (!isObj(on)) fail('BAD_SPEC', st.name, "'on' must be an object of signal name -> transitions");
        for (const sname of Object.keys(on)) addGroup(i, sigOf(st.name, sname, "'on'"), `on.${sname}`, `on '${sname}'`, on[sname]);
      }
      // after/every: their synthetic signals are above every declared one, so each group stays contiguous.
      for (let k = stTimerStart[i]!; k < stTimerEnd[i]!; k++) {
        const tm = tms[k]!;
        addGroup(i, tm.sig, `${tm.kind}.${tm.key}`, `'${tm.kind}.${tm.key}'`, tm.value);
      }
      const defer = st.spec.defer;
      if (defer !== undefined) {
        if (!Array.isArray(defer)) fail('BAD_SPEC', st.name, "'defer' must be a list of signal names");
        for (const sname of defer as unknown[]) {
          if (typeof sname !== 'string') fail('BAD_SPEC', st.name, "'defer' must list signal names");
          const sig = sigOf(st.name, sname as string, "'defer'");
          if (table[sig * n + i] !== 0)
            fail('DEFER_CONFLICT', st.name, `signal '${sname as string}' is both deferred and handled (or deferred twice) in this state; keep one`);
          table[sig * n + i] = DEFER_MARK;
          defers = true;
        }
      }
    }
    this.defers = defers;
    this.table = table;
    const rows: Uint16Array[] = [];
    for (let sg = 0; sg < nSig; sg++) rows.push(table.subarray(sg * n, sg * n + n));
    this.rows = rows;

    const m = trs.length;
    this.transitionCount = m;
    this.trGuard = [];
    this.trAction = [];
    this.trTarget = new Int16Array(m);
    this.trLca = new Int16Array(m);
    this.trSeqStart = new Int32Array(m);
    this.trSeqEnd = new Int32Array(m);
    this.trLeaf = new Int16Array(m);
    this.trFlags = new Uint8Array(m);
    this.trGroupEnd = new Uint16Array(m);
    this.trSource = new Int16Array(m);
    this.trSignal = new Uint16Array(m);
    this.trExternal = new Uint8Array(m);
    for (let t = 0; t < m; t++) {
      const tr = trs[t]!;
      this.trGuard.push(tr.guard);
      this.trAction.push(tr.action);
      this.trTarget[t] = tr.target;
      this.trSource[t] = tr.source;
      this.trSignal[t] = tr.sig;
      this.trExternal[t] = tr.external ? 1 : 0;
      // Every entry of a (state, signal) group gets the group's end; dispatch reads the first's.
      if (t === 0 || trs[t - 1]!.source !== tr.source || trs[t - 1]!.sig !== tr.sig) {
        let ge = t + 1;
        while (ge < m && trs[ge]!.source === tr.source && trs[ge]!.sig === tr.sig) ge++;
        this.trGroupEnd[t] = ge;
      } else this.trGroupEnd[t] = this.trGroupEnd[t - 1]!;
      if (tr.target < 0) {
        this.trLca[t] = -1;
        this.trLeaf[t] = -1;
        this.trSeqStart[t] = this.trSeqEnd[t] = seq.length;
        continue;
      }
      const s = tr.source;
      const d = tr.target;
      let lca: number;
      if (s === d) lca = parent[s]!;
      else if (isAncestor(s, d)) lca = tr.external ? parent[s]! : s;
      else if (isAncestor(d, s)) lca = tr.external ? parent[d]! : d;
      else {
        lca = parent[s]!;
        while (!isAncestor(lca, d)) lca = parent[lca]!;
      }
      this.trLca[t] = lca;
      this.trSeqStart[t] = seq.length;
      appendEntries(lca, d);
      let flags = 0;
      if (tr.history) {
        flags |= TR_HISTORY;
        this.trLeaf[t] = d;
      } else this.trLeaf[t] = appendDrill(d);
      this.trSeqEnd[t] = seq.length;
      // Exits record history only if some state below the LCA keeps history.
      for (let x = 1; x < n; x++) if (histKind[x] !== HIST_NONE && isAncestor(lca, x)) flags |= TR_RECORD;
      this.trFlags[t] = flags;
    }
    if (seq.length > 0xffff * 16) fail('TOO_MANY', undefined, 'the precomputed entry sequences are too long');
    this.seq = Uint16Array.from(seq);
    Object.freeze(this);
  }

  /** Number of states, `top` included. */
  get stateCount(): number {
    return this.stateNames.length;
  }

  /** A state's id by name (`top` is 0); -1 if there is no such state. */
  idOf(name: string): number {
    const id = this.ids.get(name);
    return id === undefined ? -1 : id;
  }

  /** Parent id (-1 for top). */
  parentOf(id: number): number {
    return this.parent[id]!;
  }

  /** A signal's name ('' if undeclared). */
  signalName(sig: number): string {
    const n = this.signalNames[sig];
    return n === undefined ? '' : n;
  }

  /** Every declared transition, in declaration order (allocates: for tools). */
  transitions(): HsmTransitionInfo[] {
    const out: HsmTransitionInfo[] = [];
    for (let t = 0; t < this.transitionCount; t++) {
      const s = this.trSource[t]!;
      const d = this.trTarget[t]!;
      let kind: HsmTransitionInfo['kind'];
      if (d < 0) kind = 'internal';
      else if (d === s) kind = 'self';
      else if (this.trExternal[t] === 0 && (this.trLca[t] === s || this.trLca[t] === d)) kind = 'local';
      else kind = 'external';
      out.push({
        source: this.stateNames[s]!,
        signal: this.signalName(this.trSignal[t]!),
        target: d < 0 ? null : this.stateNames[d]!,
        kind,
        guarded: this.trGuard[t] !== undefined,
        history: (this.trFlags[t]! & TR_HISTORY) !== 0,
        lca: d < 0 ? null : this.stateNames[this.trLca[t]!]!,
      });
    }
    return out;
  }

  /** Signal names a state defers (allocates: for tools). */
  deferredIn(id: number): string[] {
    const out: string[] = [];
    for (let s = 1; s < this.signalSpan; s++) if (this.table[s * this.stateCount + id] === DEFER_MARK) out.push(this.signalName(s));
    return out;
  }

  /** Every timer, in time event slot order: after/every entries by state, then the named timers (allocates: for tools). */
  timers(): HsmTimerInfo[] {
    const out: HsmTimerInfo[] = [];
    for (let k = 0; k < this.timerCount; k++) {
      const st = this.tmState[k]!;
      const sig = this.tmSignal[k]!;
      const dn = this.tmDelayName[k]!;
      out.push({
        state: st < 0 ? null : this.stateNames[st]!,
        signal: sig,
        signalName: this.signalName(sig),
        periodic: this.tmPeriodic[k] === 1,
        delay: st < 0 ? null : dn !== null ? dn : this.tmDelayMs[k]!,
      });
    }
    return out;
  }

  /**
   * Everything the definition declares as one plain object: states with
   * parent, children, initial target and action, history and deferred
   * signals; transitions (as `transitions()`, plus guard and action functions
   * and the timer that triggers them); timers (as `timers()`). For tools
   * (`keel diagram`, trace decoders): it allocates on every call, so never
   * call it on a hot path or on a device.
   */
  describe(): HsmDescription {
    const n = this.stateCount;
    const timers = this.timers();
    const states: HsmStateDescription[] = [];
    for (let i = 0; i < n; i++) {
      const children: string[] = [];
      for (let c = i + 1; c < n; c++) if (this.parent[c] === i) children.push(this.stateNames[c]!);
      const it = this.initTarget[i]!;
      const hk = this.histKind[i]!;
      states.push({
        name: this.stateNames[i]!,
        parent: i === 0 ? null : this.stateNames[this.parent[i]!]!,
        depth: this.depth[i]!,
        children,
        initial: it < 0 ? null : this.stateNames[it]!,
        initialAction: this.initAction[i] ?? null,
        history: hk === HIST_DEEP ? 'deep' : hk === HIST_SHALLOW ? 'shallow' : null,
        defers: this.deferredIn(i),
      });
    }
    const transitions: HsmTransitionDescription[] = this.transitions().map((info, t) => {
      const sig = this.trSignal[t]!;
      const k = this.timerOf[sig]!;
      return {
        ...info,
        guard: this.trGuard[t] ?? null,
        action: this.trAction[t] ?? null,
        timer: k >= 0 && this.tmState[k]! >= 0 ? k : -1,
      };
    });
    return { name: this.name, states, signals: this.signalNames.slice(), transitions, timers };
  }
}

/**
 * Compiles a spec into an `HsmDefinition`: validates it (throws
 * `HsmDefinitionError`) and builds the tables. Call once, at start-up.
 * `C` is inferred from `context`; a string, object or array field fails to
 * compile. The state names are inferred from `states` (`T`), so a target in
 * `initial`, `on`, `after` or `every` that names no state fails to compile;
 * `after`/`every` keys are whole numbers or names from `delays` (`DN`);
 * `on`/`defer`/`timers` name declared signals. Handlers get `C` without
 * annotations.
 */
// (One line: the preload check in test/node/manifest.test.ts does not read `<...>` as brackets.)
export function defineHsm<C, const S extends HsmSignals, const DN extends string = never, const T extends HsmStates<C, S, string, DN> = HsmStates<C, S, string, DN>>(
  spec: HsmCheckedSpec<C, S, DN, T>,
): HsmDefinition<C> {
  return new HsmDefinition<C>(spec as unknown as HsmSpec<C, HsmSignals>);
}

// ---------------------------------------------------------------------------
// Event ring (the own RTC queue and the defer queue)
// ---------------------------------------------------------------------------

/** A fixed ring of (signal, 4 numeric parameters) records. Internal; implements HsmEventSink. */
class EventRing implements HsmEventSink {
  readonly sigs: Int32Array;
  readonly params: Float64Array;
  head = 0;
  count = 0;
  highWater = 0;
  /** Parameters of the record last taken by popFront/popBack. */
  p0 = 0;
  p1 = 0;
  p2 = 0;
  p3 = 0;
  constructor(readonly capacity: number) {
    this.sigs = new Int32Array(capacity);
    this.params = new Float64Array(capacity * 4);
  }
  private write(i: number, sig: number, p0: number, p1: number, p2: number, p3: number): void {
    this.sigs[i] = sig;
    const b = i * 4;
    const pa = this.params;
    pa[b] = p0;
    pa[b + 1] = p1;
    pa[b + 2] = p2;
    pa[b + 3] = p3;
    const c = ++this.count;
    if (c > this.highWater) this.highWater = c;
  }
  private read(i: number): number {
    const b = i * 4;
    const pa = this.params;
    this.p0 = pa[b]!;
    this.p1 = pa[b + 1]!;
    this.p2 = pa[b + 2]!;
    this.p3 = pa[b + 3]!;
    this.count--;
    return this.sigs[i]!;
  }
  post(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const cap = this.capacity;
    if (this.count === cap) return false;
    let i = this.head + this.count;
    if (i >= cap) i -= cap;
    this.write(i, sig, p0, p1, p2, p3);
    return true;
  }
  postUrgent(sig: number, p0 = 0, p1 = 0, p2 = 0, p3 = 0): boolean {
    const cap = this.capacity;
    if (this.count === cap) return false;
    const h = this.head === 0 ? cap - 1 : this.head - 1;
    this.head = h;
    this.write(h, sig, p0, p1, p2, p3);
    return true;
  }
  /** Oldest record's signal, or -1 when empty. */
  popFront(): number {
    if (this.count === 0) return -1;
    const i = this.head;
    const h = i + 1;
    this.head = h === this.capacity ? 0 : h;
    return this.read(i);
  }
  /** Newest record's signal, or -1 when empty. */
  popBack(): number {
    if (this.count === 0) return -1;
    let i = this.head + this.count - 1;
    if (i >= this.capacity) i -= this.capacity;
    return this.read(i);
  }
}

// ---------------------------------------------------------------------------
// The machine
// ---------------------------------------------------------------------------

function badParam(p: unknown): boolean {
  // true for anything but a number or undefined (a NaN is a number). Allocation-free for numbers.
  return p !== undefined && p !== +(p as number) && p === p;
}

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
  /** Recalls refused because the queue was full (the event stays deferred). */
  recallFailed = 0;
  /** Deferred timer expiries dropped at recall because their time event was disarmed or re-armed since. */
  staleRecalls = 0;
  /** `post`/`postUrgent` calls the queue refused (release builds: also a signal outside 0..65535). */
  postRejected = 0;
  /** Release builds: `post`/`postUrgent` calls refused because the signal was not an integer 0..65535 (also in postRejected). */
  badSignals = 0;

  private leaf = -1;
  /** LOCK_IDLE, LOCK_BUSY (inside dispatch/start) or LOCK_NOT_STARTED. */
  private lock = LOCK_NOT_STARTED;
  private readonly hist: Int16Array;
  private readonly scratch: Int16Array;
  private readonly deferQ: EventRing;
  private readonly dropOldest: boolean;
  private readonly queue: HsmEventSink;
  private readonly own: EventRing | undefined;
  // Tables copied from the definition: one property load each in dispatch.
  private readonly rows: Uint16Array[];
  private readonly parent: Int16Array;
  private readonly trGuard: (HsmGuard<C> | undefined)[];
  private readonly trAction: (HsmAction<C> | undefined)[];
  private readonly trGroupEnd: Uint16Array;
  private readonly trTarget: Int16Array;
  private readonly trLca: Int16Array;
  private readonly trSeqStart: Int32Array;
  private readonly trSeqEnd: Int32Array;
  private readonly trLeaf: Int16Array;
  private readonly trFlags: Uint8Array;
  private readonly seq: Uint16Array;
  private readonly fns: HsmStateAction<C>[];
  private readonly exitFn: (HsmStateAction<C> | undefined)[];
  private readonly histKind: Uint8Array;
  /** The trace it reports into (option `trace`), or null. */
  readonly trace: Trace | null;
  /** Its trace object id (0 without a trace). */
  readonly traceId: number;
  /** traceId << 16: word 2 of its records without the kind. */
  private readonly traceHead: number;
  /** The trace's `machines` option is 'full' (one record per step). */
  private readonly traceFull: boolean;
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
  private readonly stTimerStart: Uint16Array;
  private readonly stTimerEnd: Uint16Array;
  private readonly tmDelayMs: Float64Array;
  private readonly tmDelayFn: (((ctx: C) => number) | undefined)[];
  private readonly tmPeriodic: Uint8Array;
  private readonly namedTimerOf: Int16Array;
  private readonly timerOf: Int16Array;

  constructor(definition: HsmDefinition<C>, options: HsmOptions<C> = {}) {
    if (!(definition instanceof HsmDefinition))
      throw new HsmDefinitionError('BAD_OPTION', options.name ?? '(unnamed)', undefined, 'new Hsm() needs a definition made by defineHsm(spec)');
    const name = options.name ?? definition.name;
    this.name = name;
    this.definition = definition;
    const ctx = options.context !== undefined ? options.context : definition.makeContext();
    if (DEBUG) checkContext(name, ctx);
    this.ctx = ctx;
    const qcap = options.queueCapacity ?? HSM_DEFAULT_QUEUE_CAPACITY;
    const dcap = options.deferCapacity ?? HSM_DEFAULT_DEFER_CAPACITY;
    if (!Number.isInteger(qcap) || qcap < 1 || qcap > 65535)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, `queueCapacity ${String(qcap)} is out of range 1..65535`);
    if (!Number.isInteger(dcap) || dcap < 0 || dcap > 65535)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, `deferCapacity ${String(dcap)} is out of range 0..65535`);
    if (dcap === 0 && definition.defers)
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, 'deferCapacity is 0 but some state defers signals; give it room (default 4)');
    const ov = options.deferOverflow ?? 'reject';
    if (ov !== 'reject' && ov !== 'drop-oldest')
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, `deferOverflow must be 'reject' or 'drop-oldest', not ${String(ov)}`);
    this.dropOldest = ov === 'drop-oldest';
    this.deferQ = new EventRing(dcap);
    if (options.queue !== undefined) {
      this.queue = options.queue;
      this.own = undefined;
    } else {
      const r = new EventRing(qcap);
      this.queue = r;
      this.own = r;
    }
    const d = definition;
    this.hist = new Int16Array(d.stateCount).fill(-1);
    this.scratch = new Int16Array(d.maxDepth + 1);
    this.rows = d.rows;
    this.parent = d.parent;
    this.trGuard = d.trGuard;
    this.trAction = d.trAction;
    this.trGroupEnd = d.trGroupEnd;
    this.trTarget = d.trTarget;
    this.trLca = d.trLca;
    this.trSeqStart = d.trSeqStart;
    this.trSeqEnd = d.trSeqEnd;
    this.trLeaf = d.trLeaf;
    this.trFlags = d.trFlags;
    this.seq = d.seq;
    this.fns = d.fns;
    this.exitFn = d.exit;
    this.histKind = d.histKind;
    const trace = options.trace ?? null;
    if (trace !== null && !(trace instanceof Trace))
      throw new HsmDefinitionError('BAD_OPTION', name, undefined, 'the trace option must be a Trace (new Trace({ clock })) or omitted');
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
        `the machine declares ${nt} timer${nt === 1 ? '' : 's'} (after/every entries and named timers); ` +
          "run it under the kernel (kernel.spawnMachine passes the AO's port) or pass options.timers (an HsmTimerHost)",
      );
    const ids = new Int16Array(nt);
    for (let k = 0; k < nt; k++) {
      const id = host!.timeEvent(d.tmSignal[k]!);
      if (!Number.isInteger(id) || id < 0 || id > 32767)
        throw new HsmDefinitionError('BAD_OPTION', name, undefined, `timers.timeEvent(${d.tmSignal[k]}) returned ${String(id)}; time event ids are integers 0..32767`);
      ids[k] = id;
    }
    this.timeEvents = ids;
    this.timerHost = host;
    this.timerLive = host !== undefined && host.live !== undefined ? host.live : null;
    this.stTimerStart = d.stTimerStart;
    this.stTimerEnd = d.stTimerEnd;
    this.tmDelayMs = d.tmDelayMs;
    this.tmDelayFn = d.tmDelayFn;
    this.tmPeriodic = d.tmPeriodic;
    this.namedTimerOf = d.namedTimerOf;
    this.timerOf = d.timerOf;
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Takes the top-level initial transition (initial action, entries, drill-down). Once. */
  start(): void {
    if (this.lock === LOCK_BUSY) throw new HsmUsageError('REENTRANT_DISPATCH', this.name, 'start() called from inside an action');
    if (this.leaf >= 0) throw new HsmUsageError('ALREADY_STARTED', this.name, 'start() called twice');
    this.lock = LOCK_BUSY;
    const tr = this.trace;
    if (tr === null) this.leaf = this.drill(0);
    else if (this.traceFull) this.leaf = tr.filter[this.traceId] === 0 ? this.drill(0) : this.drillTraced(0);
    else {
      // Compact: one INIT record; the decoder expands the drill-down from top.
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
        tr.write(this.traceHead | TRACE_INIT | (TRACE_FLAG_IMPLIED << 8), 0xffff, this.definition.initTarget[0]!, 0, 0);
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
    else self.dispatch = this.traceFull ? this.dispatchTraced : this.dispatchCompact;
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
   * Parameters are passed to guards and actions as given: one the caller omits
   * arrives as `undefined` (events taken from a queue always carry 4 numbers).
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

  /**
   * dispatch() of a machine with a 'compact' trace whose filter lets some
   * machine kind through (own property `dispatch`, see traceFilter()): the
   * same steps as dispatch() (keep the two in step), plus one DISPATCH record
   * once the transition is known, before its action: flag TRACE_FLAG_IMPLIED
   * and aux = the transition's index (the decoder expands TRANSITION, EXIT,
   * ENTRY, INIT from the dictionary); without a transition (ignored,
   * deferred) a plain DISPATCH. A history entry adds one INIT record
   * (TRACE_FLAG_HISTORY, aux = the state resumed). Allocates nothing.
   */
  private dispatchCompact(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    if (p3 === undefined) return this.dispatchFilled(sig, p0, p1, p2);
    if (this.lock !== LOCK_IDLE) throw this.lockError();
    if (DEBUG) {
      if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
        throw new HsmUsageError('BAD_PARAM', this.name, 'dispatch() signal and parameters must be numbers');
    }
    const tr = this.trace!;
    const row = this.rows[sig];
    let s = this.leaf;
    if (row === undefined) {
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, (sig & 0xffff) | (s << 16), 0, p0!, p1!);
      this.ignored++;
      return HSM_IGNORED;
    }
    let e = row[s]!;
    while (e === 0) e = row[(s = this.parent[s]!)]!;
    if (e >= IGNORE_MARK) {
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, sig | (this.leaf << 16), 0, p0!, p1!);
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
        if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, sig | (this.leaf << 16), 0, p0!, p1!);
        if (t === -2) return this.defer(sig, p0, p1, p2, p3);
        this.ignored++;
        return HSM_IGNORED;
      }
    }
    // The one record (signals with a row are < 0x10000: no mask needed).
    if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
      tr.write(this.traceHead | (TRACE_DISPATCH | (TRACE_FLAG_IMPLIED << 8)), sig | (this.leaf << 16), t, p0!, p1!);
    const ctx = this.ctx;
    const a = this.trAction[t];
    if (a !== undefined) a(ctx, p0!, p1!, p2!, p3, this);
    const target = this.trTarget[t]!;
    if (target < 0) {
      this.lock = LOCK_IDLE;
      return HSM_HANDLED;
    }
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
    const seq = this.seq;
    const fns = this.fns;
    const end = this.trSeqEnd[t]!;
    for (let i = this.trSeqStart[t]!; i < end; i++) fns[seq[i]!]!(ctx, this);
    if ((flags & TR_HISTORY) === 0) this.leaf = this.trLeaf[t]!;
    else {
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
        tr.write(this.traceHead | (TRACE_INIT | ((TRACE_FLAG_IMPLIED | TRACE_FLAG_HISTORY) << 8)), 0xffff | (target << 16), this.hist[target]!, 0, 0);
      this.leaf = this.enterHistory(target);
    }
    this.lock = LOCK_IDLE;
    return HSM_TRANSITION;
  }

  /**
   * dispatch() with a trace whose filter lets some machine kind through: the
   * same steps, with records, walking the tree instead of the precomputed
   * sequences (those list only states that have handlers): DISPATCH, then
   * TRANSITION (before the action), EXIT per state left, ENTRY per state
   * entered, INIT per initial transition taken (before its entries).
   */
  private dispatchTraced(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    if (p3 === undefined) return this.dispatchFilled(sig, p0, p1, p2);
    if (this.lock !== LOCK_IDLE) throw this.lockError();
    if (DEBUG) {
      if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
        throw new HsmUsageError('BAD_PARAM', this.name, 'dispatch() signal and parameters must be numbers');
    }
    const tr = this.trace!;
    const id = this.traceId;
    tr.rec(TRACE_DISPATCH, id, sig, this.leaf, 0, p0!, p1!);
    const row = this.rows[sig];
    if (row === undefined) {
      this.ignored++;
      return HSM_IGNORED;
    }
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
    const target = this.trTarget[t]!;
    tr.rec(TRACE_TRANSITION, id, sig, this.definition.trSource[t]!, target, p0!, p1!);
    const a = this.trAction[t];
    if (a !== undefined) a(this.ctx, p0!, p1!, p2!, p3, this);
    if (target < 0) {
      this.lock = LOCK_IDLE;
      return HSM_HANDLED;
    }
    const flags = this.trFlags[t]!;
    const lca = this.trLca[t]!;
    this.exitTraced(this.leaf, lca, (flags & TR_RECORD) !== 0);
    this.enterTraced(lca, target);
    this.leaf = (flags & TR_HISTORY) === 0 ? this.drillTraced(target) : this.enterHistoryTraced(target);
    this.lock = LOCK_IDLE;
    return HSM_TRANSITION;
  }

  /** Traced: exits from `x` up to `lca` (not included), an EXIT record before each exit action; records history if asked. */
  private exitTraced(x: number, lca: number, recording: boolean): void {
    const tr = this.trace!;
    const id = this.traceId;
    const parent = this.parent;
    const exit = this.exitFn;
    const histKind = this.histKind;
    const from = x;
    let prev = -1;
    while (x !== lca) {
      if (recording) {
        const hk = histKind[x]!;
        if (hk !== HIST_NONE) this.hist[x] = hk === HIST_DEEP ? from : prev;
      }
      tr.rec(TRACE_EXIT, id, -1, x, 0, 0, 0);
      const f = exit[x];
      if (f !== undefined) f(this.ctx, this);
      prev = x;
      x = parent[x]!;
    }
  }

  /** Traced: enters the states strictly below `from` down to `to`, top-down, an ENTRY record before each entry action. */
  private enterTraced(from: number, to: number): void {
    const tr = this.trace!;
    const id = this.traceId;
    const parent = this.parent;
    const entry = this.definition.entry;
    const sc = this.scratch;
    let k = 0;
    // Bound: depth <= maxDepth = scratch.length - 1.
    for (let x = to; x !== from; x = parent[x]!) sc[k++] = x;
    while (k > 0) {
      const x = sc[--k]!;
      tr.rec(TRACE_ENTRY, id, -1, x, 0, 0, 0);
      const f = entry[x];
      if (f !== undefined) f(this.ctx, this);
    }
  }

  /** Traced drill(): from `s`, per initial transition an INIT record (state, aux = its target), its action, the entries. Returns the leaf. */
  private drillTraced(s: number): number {
    const tr = this.trace!;
    const id = this.traceId;
    const d = this.definition;
    const initTarget = d.initTarget;
    const initAction = d.initAction;
    // Bound: each pass goes one level deeper.
    while (initTarget[s]! >= 0) {
      const to = initTarget[s]!;
      tr.rec(TRACE_INIT, id, -1, s, to, 0, 0);
      const a = initAction[s];
      if (a !== undefined) a(this.ctx, this);
      this.enterTraced(s, to);
      s = to;
    }
    return s;
  }

  /** Traced enterHistory(). */
  private enterHistoryTraced(target: number): number {
    const h = this.hist[target]!;
    if (h < 0) return this.drillTraced(target);
    this.enterTraced(target, h);
    return this.drillTraced(h);
  }

  /** dispatch() with the omitted parameters set to 0. */
  private dispatchFilled(sig: number, p0?: number, p1?: number, p2?: number): number {
    return this.dispatch(sig, p0 === undefined ? 0 : p0, p1 === undefined ? 0 : p1, p2 === undefined ? 0 : p2, 0);
  }

  /**
   * Tries the guards of the group starting at `t` (in state `s`), then bubbles
   * on. Returns the transition to take, -1 (ignored) or -2 (deferred).
   */
  private guarded(row: Uint16Array, s: number, t: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
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

  private lockError(): HsmUsageError {
    if (this.lock === LOCK_NOT_STARTED) return new HsmUsageError('NOT_STARTED', this.name, 'dispatch() before start()');
    return new HsmUsageError(
      'REENTRANT_DISPATCH',
      this.name,
      `dispatch() called while the machine (in '${this.definition.stateNames[this.leaf]}') is still inside a dispatch: ` +
        'from a guard or action (post() instead: events are queued, run-to-completion), or after a handler threw mid-dispatch',
    );
  }

  /** Exits from `x` up to `lca` (not included), recording history of the states exited. */
  private exitRecording(x: number, lca: number): void {
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

  /** `target` was just entered through its history: enter the recorded state (if any), then drill down. Returns the leaf. */
  private enterHistory(target: number): number {
    const h = this.hist[target]!;
    if (h < 0) return this.drill(target);
    const sc = this.scratch;
    const parent = this.parent;
    const entry = this.definition.entry;
    let k = 0;
    for (let x = h; x !== target; x = parent[x]!) sc[k++] = x;
    while (k > 0) {
      const f = entry[sc[--k]!];
      if (f !== undefined) f(this.ctx, this);
    }
    return this.drill(h);
  }

  /** Runs the precomputed drill-down from `s` (initial actions and entries); returns the leaf. */
  private drill(s: number): number {
    const d = this.definition;
    const seq = this.seq;
    const fns = this.fns;
    const end = d.initSeqEnd[s]!;
    for (let i = d.initSeqStart[s]!; i < end; i++) fns[seq[i]!]!(this.ctx, this);
    return d.defaultLeaf[s]!;
  }

  private defer(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
    const q = this.deferQ;
    if (q.count === q.capacity) {
      this.deferDropped++;
      // DROP: aux 1 = the new event ('reject'), 2 = the oldest deferred one ('drop-oldest', signal of the new one).
      if (this.trace !== null) this.trace.rec(TRACE_DROP, this.traceId, sig, this.leaf, this.dropOldest ? 2 : 1, p0!, p1!);
      if (!this.dropOldest) return HSM_DEFER_OVERFLOW;
      q.popFront();
      q.post(sig, p0, p1, p2, p3);
      this.deferred++;
      if (this.trace !== null) this.trace.rec(TRACE_DEFER, this.traceId, sig, this.leaf, q.count, p0!, p1!);
      return HSM_DEFER_OVERFLOW;
    }
    q.post(sig, p0, p1, p2, p3);
    this.deferred++;
    if (this.trace !== null) this.trace.rec(TRACE_DEFER, this.traceId, sig, this.leaf, q.count, p0!, p1!);
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
    this.postRejected++;
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
    this.postRejected++;
    if (this.trace !== null) this.trace.rec(TRACE_REFUSE, this.traceId, sig, -1, 0, p0, p1);
    return false;
  }

  /** DEBUG builds: the error for a posted signal outside 0..65535 (failing path only). */
  private badSignal(sig: number): HsmUsageError {
    return new HsmUsageError('BAD_PARAM', this.name, `post() signal ${sig} must be an integer 0..65535 (a declared signal)`);
  }

  /** Release builds: a posted signal outside 0..65535 is refused and counted (postRejected, badSignals), never stored. */
  private refuseSignal(): boolean {
    this.badSignals++;
    this.postRejected++;
    if (this.trace !== null) this.trace.rec(TRACE_REFUSE, this.traceId, -1, -1, 0, 0, 0);
    return false;
  }

  /**
   * Moves the oldest deferred event to the front of the queue (postUrgent).
   * False if none is deferred, or if the queue is full (the event stays
   * deferred; counted in `recallFailed`).
   */
  recall(): boolean {
    const q = this.deferQ;
    let sig = q.popFront();
    // Bound: each pass drops one record from the finite defer ring.
    while (sig >= 0 && this.staleTimer(sig, q.p0, q.p2)) sig = q.popFront();
    if (sig < 0) return false;
    if (this.queue.postUrgent(sig, q.p0, q.p1, q.p2, q.p3)) {
      this.recalled++;
      if (this.trace !== null) this.trace.rec(TRACE_RECALL, this.traceId, sig, -1, q.count, q.p0, q.p1);
      return true;
    }
    q.postUrgent(sig, q.p0, q.p1, q.p2, q.p3);
    this.recallFailed++;
    return false;
  }

  /**
   * Moves every deferred event to the front of the queue, keeping their order
   * (the oldest is dispatched first, before what was queued already). Returns
   * how many moved; stops early if the queue is full (counted in `recallFailed`).
   */
  recallAll(): number {
    const q = this.deferQ;
    let n = 0;
    for (let sig = q.popBack(); sig >= 0; sig = q.popBack()) {
      if (this.staleTimer(sig, q.p0, q.p2)) continue;
      if (!this.queue.postUrgent(sig, q.p0, q.p1, q.p2, q.p3)) {
        q.post(sig, q.p0, q.p1, q.p2, q.p3);
        this.recallFailed++;
        break;
      }
      this.recalled++;
      if (this.trace !== null) this.trace.rec(TRACE_RECALL, this.traceId, sig, -1, q.count, q.p0, q.p1);
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
    const k = sig < this.timerOf.length ? this.timerOf[sig]! : -1;
    if (k < 0 || this.timeEvents[k] !== p0 || host.isCurrent(p0, p2)) return false;
    this.staleRecalls++;
    return true;
  }

  /** Events waiting in the defer queue. */
  get deferredCount(): number {
    return this.deferQ.count;
  }

  /** Most events the defer queue ever held at once. */
  get deferHighWater(): number {
    return this.deferQ.highWater;
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
    const k = this.namedTimerOf[sig];
    if (k === undefined || k < 0) throw this.notATimer('arm', sig);
    return this.timerHost!.arm(this.timeEvents[k]!, delayMs, periodMs);
  }

  /** Disarms the named timer that posts `sig`; true if it was armed. Throws HsmUsageError('NOT_A_TIMER') for any other signal. */
  disarm(sig: number): boolean {
    const k = this.namedTimerOf[sig];
    if (k === undefined || k < 0) throw this.notATimer('disarm', sig);
    return this.timerHost!.disarm(this.timeEvents[k]!);
  }

  /**
   * The time event id of the timer that posts `sig`: a named timer, or an
   * after/every entry's synthetic signal (see `definition.timers()`); -1 if
   * none. Allocation-free.
   */
  timeEventOf(sig: number): number {
    const k = this.timerOf[sig];
    return k === undefined || k < 0 ? -1 : this.timeEvents[k]!;
  }

  /** @internal Called by the entry of a state with after/every timers (made by defineHsm): arms them. */
  armStateTimers(state: number): void {
    const host = this.timerHost!;
    const ids = this.timeEvents;
    const fixed = this.tmDelayMs;
    const fns = this.tmDelayFn;
    const periodic = this.tmPeriodic;
    const end = this.stTimerEnd[state]!;
    for (let k = this.stTimerStart[state]!; k < end; k++) {
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
    const end = this.stTimerEnd[state]!;
    const live = this.timerLive;
    for (let k = this.stTimerStart[state]!; k < end; k++) {
      const id = ids[k]!;
      // A one-shot whose expiry was handled is neither armed nor queued: nothing to cancel.
      if (live === null || live[id] !== 0) host.disarm(id);
    }
  }

  /** A delay function returned something that is not 0..HSM_MAX_DELAY_MS (failing path: builds the message). */
  private badDelay(state: number, k: number, ms: unknown): HsmUsageError {
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
    return this.own === undefined ? 0 : this.own.count;
  }

  /**
   * Dispatches events from the machine's own queue, one at a time, until it is
   * empty or `max` events were dispatched; returns how many. Throws
   * HsmUsageError('NO_OWN_QUEUE') when a queue was injected (the kernel drains it).
   */
  drain(max = HSM_DEFAULT_DRAIN_LIMIT): number {
    const q = this.own;
    if (q === undefined) throw new HsmUsageError('NO_OWN_QUEUE', this.name, 'drain() on a machine whose queue was injected; the queue owner dispatches');
    let n = 0;
    while (n < max) {
      const sig = q.popFront();
      if (sig < 0) break;
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
    return this.hist[state]!;
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

/**
 * hsm/types: the limits, the declarative spec's types (with the compile-time
 * checks `defineHsm` applies to a spec literal), the timer host, event sink
 * and options of a machine, and the plain-data shapes tools read
 * (`describe()`). Private module: `keel/hsm` (src/hsm.ts) re-exports the
 * public names; the table marks below the public constants are shared by the
 * compiler (define.ts) and the runtime (machine.ts, traced.ts) only.
 *
 * Types and constants, and one DEBUG check (badParam); nothing here allocates.
 */
import type { Trace } from '../trace.js';
import type { Hsm } from './machine.js';

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

// ---- internal to src/hsm/ (not re-exported by keel/hsm) ---------------------

/** Dispatch table entry: the state defers the signal. */
export const DEFER_MARK = 0xffff;
/** Dispatch table entry of `top` for every signal: stop bubbling, ignore. */
export const IGNORE_MARK = 0xfffe;
/** Transition flag: enters its target through the target's history. */
export const TR_HISTORY = 1;
/** Transition flag: some state it exits keeps history (exits record it). */
export const TR_RECORD = 2;
/** History kinds (HsmDefinition.histKind). */
export const HIST_NONE = 0;
export const HIST_SHALLOW = 1;
export const HIST_DEEP = 2;
/** Hsm.lock: idle (between events), inside dispatch/start, before start(). */
export const LOCK_IDLE = 0;
export const LOCK_BUSY = 1;
export const LOCK_NOT_STARTED = 2;

/** DEBUG check of a dispatched or posted value: true for anything but a number or undefined (a NaN is a number). Allocation-free for numbers. */
export function badParam(p: unknown): boolean {
  return p !== undefined && p !== +(p as number) && p === p;
}

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
   * queue under the kernel. Default: the machine's own EventQueue of `queueCapacity`
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

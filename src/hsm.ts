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
 * instance: context, current leaf, history record, a defer queue, its time
 * events and (unless a queue is injected) its own run-to-completion queue
 * (both `EventQueue`s, src/queue.ts). See docs/hsm.md.
 *
 * Compiled ahead of time (keel/rollup, tools/hsm-aot; docs/hsm.md "Compiled
 * ahead of time"): the plugin runs defineHsm at build time and rewrites the
 * call to `defineCompiledHsm(tables, spec, compiled)`: the tables as data in
 * the app's module (`hsmTables({...})`), the spec's handlers taken at boot,
 * and a generated dispatch that every machine made from the definition
 * (untraced) runs instead of the table walk, with the same semantics (the
 * table walk stays the reference). That code imports `keel/hsm-runtime`: the
 * compiler (src/hsm/define.ts) does not ship. `defineHsm(spec, compiled)`
 * also takes a generated dispatch (the definition is then compiled at boot).
 *
 * Files (this module is the public `keel/hsm`; `keel/hsm-runtime` is the same
 * without the compiler; the others are private):
 *   src/hsm.ts          this contract and the re-exports
 *   src/hsm-runtime.ts  the runtime alone (what keel/rollup's generated code imports)
 *   src/hsm/types.ts    limits, spec types and their compile-time checks, options
 *   src/hsm/errors.ts   HsmDefinitionError, HsmUsageError and their codes
 *   src/hsm/define.ts   the definition compiler: defineHsm (named passes)
 *   src/hsm/definition.ts  HsmDefinition (tables + handlers), hsmTables,
 *                       defineCompiledHsm (the runtime half of keel/rollup)
 *   src/hsm/machine.ts  the runtime: Hsm (dispatch, defer/recall, post, timers)
 *   src/hsm/traced.ts   the two traced forms of dispatch (compact, full)
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
 * Allocation: defineHsm() and new Hsm() allocate (tables, queues, context,
 * the composed entry/exit handlers of states with timers, the time events).
 * After start(), dispatch, post, postUrgent, recall, recallAll, drain, send,
 * isIn(id), arm, disarm, timeEventOf and the counters allocate nothing, the
 * first call included (XS tests: leaf, bubbled, guarded, cross-hierarchy,
 * defer + recall, post + drain; test/hsm/hsm-timers-alloc.test.ts: arming on
 * entry with fixed delays and delay functions, disarming on exit, named
 * arm/disarm from actions and directly, expiries of every/after/named
 * timers, history entry that arms; the host's own cost is the host's).
 * Handlers receive (ctx, p0, p1, p2, p3, hsm) or (ctx, hsm) positionally; no
 * event object exists; a parameter the caller omits arrives as 0. Errors (misuse) allocate; the hot path only throws on misuse.
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
 * generated from bench/results by `npm run docs`). Machines without timers
 * pay nothing for them. With timers, a transition between states with `after` adds a
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
 *   dispatch(sig) in a state that defers sig --> defer queue (full: 'reject' drops the
 *   new event, 'drop-oldest' the oldest; both counted in deferDropped)
 *   recall()    --> oldest deferred --postUrgent--> front of the queue (full: stays, recallRefused++)
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
 * in `refused` and `badSignals`; DEBUG: HsmUsageError BAD_PARAM), so
 * the own queue never holds a value that reads back as "empty". DEBUG-only:
 * the type checks of parameters (BAD_PARAM) and of context fields
 * (BAD_CONTEXT); a dispatched signal outside the declared range is ignored
 * and counted in every build. Error messages: DEBUG builds say what, where
 * and what to change; release builds throw the same class, code and fields
 * with the short message `hsm 'name' [CODE]` (docs/errors.md "hsm").
 *
 * Counters: refused = a post the queue did not take (and a recall:
 * recallRefused); dropped = an event accepted into the defer queue and lost
 * later (deferDropped). Old names postRejected and recallFailed are
 * deprecated aliases.
 */
export {
  HSM_DEFAULT_MAX_DEPTH,
  HSM_MAX_DEPTH_CEILING,
  HSM_MAX_SIGNAL,
  HSM_MAX_TRANSITIONS,
  HSM_MAX_STATES,
  HSM_DEFAULT_QUEUE_CAPACITY,
  HSM_DEFAULT_DEFER_CAPACITY,
  HSM_DEFAULT_DRAIN_LIMIT,
  HSM_MAX_DELAY_MS,
  HSM_IGNORED,
  HSM_HANDLED,
  HSM_TRANSITION,
  HSM_DEFERRED,
  HSM_DEFER_OVERFLOW,
  HSM_TOP,
} from './hsm/types.js';
export type {
  HsmSignals,
  HsmContext,
  HsmAction,
  HsmGuard,
  HsmStateAction,
  HsmTransitionSpec,
  HsmTransitions,
  HsmInitialSpec,
  HsmDelay,
  HsmTimedTransitions,
  HsmStateSpec,
  HsmStates,
  HsmSpec,
  HsmStateNames,
  HsmTypeError,
  HsmCheckedSpec,
  HsmTimerHost,
  HsmEventSink,
  HsmOptions,
  HsmTimerInfo,
  HsmTransitionInfo,
  HsmStateDescription,
  HsmTransitionDescription,
  HsmDescription,
} from './hsm/types.js';
export { HsmDefinitionError, HsmUsageError, type HsmDefinitionErrorCode, type HsmUsageErrorCode } from './hsm/errors.js';
export { defineSignals, defineHsm } from './hsm/define.js';
export { HsmDefinition, defineCompiledHsm, hsmTables, type HsmTables } from './hsm/definition.js';
export { Hsm } from './hsm/machine.js';

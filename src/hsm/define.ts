/**
 * hsm/define: the definition compiler. `defineHsm(spec)` validates a spec and
 * compiles it into an `HsmDefinition`: immutable flat typed-array tables that
 * every machine made from it shares (src/hsm/machine.ts runs them).
 *
 * The compiler is a fixed list of named passes over one `Build` record, each
 * a small function that reads what the passes before it made:
 *
 *   checkSpec          name and top-level keys
 *   collectSignals     signal names and values, signal name table
 *   collectDelays      named delays (`delays`)
 *   numberStates       the state tree, ids in depth-first pre-order (top = 0), one pass
 *   compileStates      entry/exit, initial transitions, history kinds
 *   collectTimers      one timer per after/every entry (synthetic signal), then named timers
 *   composeTimerEntries  entry = user entry + arm, exit = disarm + user exit
 *   compileDrills      handler table, default drill-down sequence and leaf per state
 *   compileTransitions `on` and after/every groups into the signal-major dispatch table,
 *     markDefers       then per state its DEFER marks
 *   compileRoutes      per transition: LCA, entry sequence, leaf, history flags
 *
 * Every pass validates what it reads and throws HsmDefinitionError naming the
 * machine, the state and the fix (module errors.ts). Nothing recurses: trees
 * are walked with explicit stacks or parent links. Allocation: all of it, at
 * definition time (start-up); nothing here runs per event.
 */
import type {
  HsmAction,
  HsmDescription,
  HsmGuard,
  HsmSignals,
  HsmSpec,
  HsmStateAction,
  HsmStateDescription,
  HsmStates,
  HsmCheckedSpec,
  HsmTimerInfo,
  HsmTransitionDescription,
  HsmTransitionInfo,
} from './types.js';
import {
  DEFER_MARK,
  HIST_DEEP,
  HIST_NONE,
  HIST_SHALLOW,
  HSM_DEFAULT_MAX_DEPTH,
  HSM_MAX_DELAY_MS,
  HSM_MAX_DEPTH_CEILING,
  HSM_MAX_SIGNAL,
  HSM_MAX_STATES,
  HSM_MAX_TRANSITIONS,
  IGNORE_MARK,
  TR_HISTORY,
  TR_RECORD,
} from './types.js';
import { HsmDefinitionError, type HsmDefinitionErrorCode } from './errors.js';
import type { Hsm } from './machine.js';

/**
 * The dispatch compiled ahead of time from this definition's spec (written
 * by keel/rollup, tools/hsm-aot): every machine made from the definition
 * (`new Hsm`, the kernel's spawnMachine) calls it at the end of its
 * construction; it checks the definition is the one it was compiled from and
 * installs the generated `dispatch` on the machine (untraced machines only).
 */
export type HsmCompiledDispatch<C> = (machine: Hsm<C>, definition: HsmDefinition<C>) => void;

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
      throw new HsmDefinitionError('DUPLICATE_SIGNAL', '(signals)', undefined, DEBUG ? `signal name '${n}' is listed twice` : '');
    out[n] = first + i;
  }
  return Object.freeze(out) as { readonly [K in N[number]]: number };
}

// ---------------------------------------------------------------------------
// The build record the passes fill
// ---------------------------------------------------------------------------

const STATE_KEYS = Object.freeze(['entry', 'exit', 'initial', 'history', 'on', 'after', 'every', 'defer', 'states']);
const TRANSITION_KEYS = Object.freeze(['target', 'guard', 'action', 'kind', 'history']);
const SPEC_KEYS = Object.freeze(['name', 'signals', 'context', 'initial', 'states', 'delays', 'timers', 'maxDepth']);
const TIMED_KEYS = Object.freeze(['after', 'every']);
const noop = (): void => {};

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

/** What the passes make, in pass order. */
interface Build<C> {
  readonly spec: HsmSpec<C, HsmSignals>;
  readonly name: string;
  // collectSignals
  readonly sigByName: Map<string, number>;
  readonly sigNames: string[];
  maxSig: number;
  // collectDelays
  readonly delays: Map<string, number | ((ctx: C) => number)>;
  // numberStates
  depthLimit: number;
  deepest: number;
  readonly states: RawState[];
  readonly ids: Map<string, number>;
  parent: Int16Array;
  // compileStates
  readonly entry: (HsmStateAction<C> | undefined)[];
  readonly exit: (HsmStateAction<C> | undefined)[];
  readonly initAction: (HsmStateAction<C> | undefined)[];
  initTarget: Int16Array;
  histKind: Uint8Array;
  // collectTimers
  readonly timers: RawTimer[];
  stTimerStart: Uint16Array;
  stTimerEnd: Uint16Array;
  signalSpan: number;
  // compileDrills
  readonly fns: HsmStateAction<C>[];
  readonly seq: number[];
  initSeqStart: Int32Array;
  initSeqEnd: Int32Array;
  defaultLeaf: Int16Array;
  // compileTransitions, markDefers
  readonly trs: RawTransition[];
  table: Uint16Array;
  defers: boolean;
}

function isFn(v: unknown): boolean {
  return typeof v === 'function';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksNumeric(key: string): boolean {
  return !Number.isNaN(Number(key));
}

function fail(b: { readonly name: string }, code: HsmDefinitionErrorCode, state: string | undefined, what: string): never {
  throw new HsmDefinitionError(code, b.name, state, what);
}

/** A proper ancestor test by parent links (at most depth steps). */
function isAncestor(parent: Int16Array, a: number, d: number): boolean {
  for (let x = parent[d]!; x >= 0; x = parent[x]!) if (x === a) return true;
  return false;
}

function fnOrUndef<F>(b: { readonly name: string }, state: string, what: string, v: unknown): F | undefined {
  if (v !== undefined && !isFn(v)) fail(b, 'BAD_SPEC', state, DEBUG ? `${what} must be a function` : '');
  return v as F | undefined;
}

/** A target name to its state id (never `top`). */
function lookup(b: { readonly name: string; readonly ids: Map<string, number> }, state: string, what: string, target: unknown): number {
  if (typeof target !== 'string') return fail(b, 'BAD_SPEC', state, DEBUG ? `${what} must name a state (a string)` : '');
  const id = b.ids.get(target);
  if (id === undefined || id === 0)
    return fail(b, 'UNKNOWN_TARGET', state, DEBUG ? `${what} targets '${target}', which is not a state of this machine` : '');
  return id;
}

// ---------------------------------------------------------------------------
// Passes
// ---------------------------------------------------------------------------

/** The spec is an object with a name and known keys; makes the build record. */
function checkSpec<C>(spec: HsmSpec<C, HsmSignals>): Build<C> {
  if (!isObj(spec)) throw new HsmDefinitionError('BAD_SPEC', '(unnamed)', undefined, DEBUG ? 'the spec must be an object' : '');
  const name = typeof spec.name === 'string' && spec.name.length > 0 ? spec.name : '(unnamed)';
  const b: Build<C> = {
    spec, name, sigByName: new Map(), sigNames: [], maxSig: 0, delays: new Map(), depthLimit: 0, deepest: 0,
    states: [], ids: new Map(), parent: new Int16Array(0), entry: [], exit: [], initAction: [],
    initTarget: new Int16Array(0), histKind: new Uint8Array(0), timers: [], stTimerStart: new Uint16Array(0),
    stTimerEnd: new Uint16Array(0), signalSpan: 0, fns: [], seq: [], initSeqStart: new Int32Array(0),
    initSeqEnd: new Int32Array(0), defaultLeaf: new Int16Array(0), trs: [], table: new Uint16Array(0), defers: false,
  };
  if (name === '(unnamed)') fail(b, 'BAD_SPEC', undefined, DEBUG ? "the spec needs a non-empty 'name'" : '');
  for (const k of Object.keys(spec))
    if (SPEC_KEYS.indexOf(k) < 0) fail(b, 'BAD_SPEC', undefined, DEBUG ? `unknown spec key '${k}' (expected one of ${SPEC_KEYS.join(', ')})` : '');
  return b;
}

/** Signals: name -> integer 1..HSM_MAX_SIGNAL, values unique; the name table by value. Then `context`. */
function collectSignals<C>(b: Build<C>): void {
  const signals = b.spec.signals;
  if (!isObj(signals)) fail(b, 'BAD_SPEC', undefined, DEBUG ? "'signals' must be an object of name -> small integer" : '');
  const names = b.sigNames;
  for (const n of Object.keys(signals)) {
    const v = signals[n];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > HSM_MAX_SIGNAL)
      fail(b, 'BAD_SIGNAL', undefined, DEBUG ? `signal '${n}' has value ${String(v)}; signals are integers 1..${HSM_MAX_SIGNAL}` : '');
    if (names[v] !== undefined && names[v] !== '')
      fail(b, 'DUPLICATE_SIGNAL', undefined, DEBUG ? `signals '${names[v]}' and '${n}' share the value ${v}; give each its own` : '');
    while (names.length <= v) names.push('');
    names[v] = n;
    b.sigByName.set(n, v);
    if (v > b.maxSig) b.maxSig = v;
  }
  if (!isFn(b.spec.context)) fail(b, 'BAD_SPEC', undefined, DEBUG ? "'context' must be a function returning the context" : '');
}

/** Named delays: ms 0..HSM_MAX_DELAY_MS or a function of the context; names are not numbers. */
function collectDelays<C>(b: Build<C>): void {
  const dl = b.spec.delays as Record<string, unknown> | undefined;
  if (dl === undefined) return;
  if (!isObj(dl)) fail(b, 'BAD_SPEC', undefined, DEBUG ? "'delays' must be an object of name -> milliseconds or (ctx) => milliseconds" : '');
  for (const dn of Object.keys(dl)) {
    if (looksNumeric(dn))
      fail(b, 'BAD_SPEC', undefined, DEBUG ? `delay name '${dn}' reads as a number; name delays with identifiers (a number key in 'after'/'every' is already a delay in ms)` : '');
    const v = dl[dn];
    if (typeof v === 'number') {
      // Fractions are the timer host's to round (the kernel's rounds up to whole ms).
      if (!(v >= 0 && v <= HSM_MAX_DELAY_MS))
        fail(b, 'BAD_DELAY', undefined, DEBUG ? `delay '${dn}' is ${v}; a delay is a number of milliseconds 0..${HSM_MAX_DELAY_MS} (or a function of the context)` : '');
    } else if (!isFn(v)) fail(b, 'BAD_SPEC', undefined, DEBUG ? `delay '${dn}' must be a number of milliseconds or a function (ctx) => milliseconds` : '');
    b.delays.set(dn, v as number | ((ctx: C) => number));
  }
}

/**
 * The state tree in one depth-first pre-order walk (explicit stack, children
 * pushed in reverse): a state gets its id when it is taken from the stack, so
 * ids are pre-order, `top` is 0 and a state's children are in declaration
 * order. A state's substates are checked when the state itself is taken.
 */
function numberStates<C>(b: Build<C>): void {
  const spec = b.spec;
  const limit = spec.maxDepth === undefined ? HSM_DEFAULT_MAX_DEPTH : spec.maxDepth;
  if (!Number.isInteger(limit) || limit < 1 || limit > HSM_MAX_DEPTH_CEILING)
    fail(b, 'BAD_SPEC', undefined, DEBUG ? `maxDepth ${String(limit)} is out of range 1..${HSM_MAX_DEPTH_CEILING}` : '');
  b.depthLimit = limit;
  if (!isObj(spec.states) || Object.keys(spec.states).length === 0)
    fail(b, 'NO_STATES', undefined, DEBUG ? "'states' must declare at least one state" : '');
  const states = b.states;
  const seen = new Set<string>(['top']);
  let made = 1;
  const stack: RawState[] = [{ name: 'top', spec: { initial: spec.initial, states: spec.states }, parent: -1, depth: 0, children: [] }];
  while (stack.length > 0) {
    const st = stack.pop()!;
    const id = states.length;
    states.push(st);
    b.ids.set(st.name, id);
    if (st.parent >= 0) states[st.parent]!.children.push(id);
    const kids = st.spec.states;
    if (kids === undefined) continue;
    if (!isObj(kids)) fail(b, 'BAD_SPEC', st.name, DEBUG ? "'states' must be an object of name -> state spec" : '');
    const names = Object.keys(kids);
    const depth = st.depth + 1;
    const first = stack.length;
    for (const n of names) {
      if (n.length === 0) fail(b, 'BAD_SPEC', st.name, DEBUG ? 'a substate has an empty name' : '');
      if (seen.has(n))
        fail(b, 'DUPLICATE_STATE', n, DEBUG ? `the name '${n}' is used twice${n === 'top' ? " ('top' is the implicit root)" : ''}; state names are unique in a machine` : '');
      const sub = kids[n];
      if (!isObj(sub)) fail(b, 'BAD_SPEC', n, DEBUG ? 'the state spec must be an object' : '');
      for (const k of Object.keys(sub))
        if (STATE_KEYS.indexOf(k) < 0) fail(b, 'BAD_SPEC', n, DEBUG ? `unknown key '${k}' (expected one of ${STATE_KEYS.join(', ')})` : '');
      if (depth > limit)
        fail(b, 'DEPTH_LIMIT', n, DEBUG ? `nesting depth ${depth} exceeds the limit ${limit}; flatten the tree or raise 'maxDepth' (at most ${HSM_MAX_DEPTH_CEILING})` : '');
      if (depth > b.deepest) b.deepest = depth;
      if (made >= HSM_MAX_STATES) fail(b, 'TOO_MANY', n, DEBUG ? `more than ${HSM_MAX_STATES} states` : '');
      made++;
      seen.add(n);
      stack.push({ name: n, spec: sub, parent: id, depth, children: [] });
    }
    // Reverse this state's children on the stack: the first declared is taken next.
    for (let i = first, j = stack.length - 1; i < j; i++, j--) {
      const t = stack[i]!;
      stack[i] = stack[j]!;
      stack[j] = t;
    }
  }
  const n = states.length;
  const parent = new Int16Array(n);
  for (let i = 0; i < n; i++) parent[i] = states[i]!.parent;
  b.parent = parent;
}

/** Per state: entry/exit functions, the initial transition (composites only) and the history kind. */
function compileStates<C>(b: Build<C>): void {
  const states = b.states;
  const n = states.length;
  const initTarget = new Int16Array(n).fill(-1);
  const histKind = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const st = states[i]!;
    const sp = st.spec;
    b.entry.push(fnOrUndef<HsmStateAction<C>>(b, st.name, "'entry'", sp.entry));
    b.exit.push(fnOrUndef<HsmStateAction<C>>(b, st.name, "'exit'", sp.exit));
    const composite = st.children.length > 0;
    const init = sp.initial;
    if (composite) {
      if (init === undefined)
        fail(b, 'NO_INITIAL', st.name, DEBUG ? `composite state has no initial transition; add 'initial' naming one of its substates` : '');
      const initSpec = typeof init === 'string' ? { target: init } : init;
      if (!isObj(initSpec)) fail(b, 'BAD_SPEC', st.name, DEBUG ? "'initial' must be a state name or { target, action? }" : '');
      const t = lookup(b, st.name, 'the initial transition', initSpec.target);
      if (!isAncestor(b.parent, i, t))
        fail(b, 'INITIAL_NOT_DESCENDANT', st.name, DEBUG ? `the initial transition targets '${states[t]!.name}', which is not a substate of '${st.name}'` : '');
      b.initAction.push(fnOrUndef<HsmStateAction<C>>(b, st.name, 'the initial action', initSpec.action));
      initTarget[i] = t;
    } else {
      if (init !== undefined) fail(b, 'INITIAL_ON_LEAF', st.name, DEBUG ? "a state without substates cannot have 'initial'" : '');
      b.initAction.push(undefined);
    }
    if (sp.history !== undefined) {
      if (sp.history !== 'shallow' && sp.history !== 'deep')
        fail(b, 'BAD_SPEC', st.name, DEBUG ? `'history' must be 'shallow' or 'deep', not ${String(sp.history)}` : '');
      if (!composite) fail(b, 'HISTORY_ON_LEAF', st.name, DEBUG ? "'history' needs substates to remember" : '');
      histKind[i] = sp.history === 'deep' ? HIST_DEEP : HIST_SHALLOW;
    }
  }
  b.initTarget = initTarget;
  b.histKind = histKind;
}

/**
 * Timers: one per after/every entry (a synthetic signal each, above the
 * declared ones, armed by the state's entry and disarmed by its exit), in
 * state order, then the named timers (declared signals, armed by actions).
 */
function collectTimers<C>(b: Build<C>): void {
  const states = b.states;
  const n = states.length;
  const tms = b.timers;
  const sigNames = b.sigNames;
  const delays = b.delays;
  const stTimerStart = new Uint16Array(n);
  const stTimerEnd = new Uint16Array(n);
  let nextSig = b.maxSig + 1;
  for (let i = 1; i < n; i++) {
    const st = states[i]!;
    stTimerStart[i] = tms.length;
    for (const kind of TIMED_KEYS) {
      const timed = st.spec[kind];
      if (timed === undefined) continue;
      if (!isObj(timed)) fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${kind}' must be an object of delay -> transitions (e.g. { 500: 'next' })` : '');
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
            fail(b, 'BAD_DELAY', st.name, DEBUG ? `'${kind}' key '${key}' is not a delay: a delay is a whole number of milliseconds 0..${HSM_MAX_DELAY_MS}, or a name declared in 'delays'` : '');
          delayMs = v;
        } else {
          fail(
            b,
            'UNKNOWN_DELAY',
            st.name,
            DEBUG
              ? `'${kind}' names delay '${key}', which is not declared in 'delays'` +
                  (delays.size === 0 ? " (the spec has no 'delays')" : ` (declared: ${Array.from(delays.keys()).join(', ')})`)
              : '',
          );
        }
        if (periodic && delayMs === 0)
          fail(b, 'BAD_DELAY', st.name, DEBUG ? `'every' key '${key}' is a period of 0 ms; a period is 1..${HSM_MAX_DELAY_MS} ms` : '');
        if (nextSig > HSM_MAX_SIGNAL)
          fail(b, 'TOO_MANY', st.name, DEBUG ? `'${kind}.${key}' needs signal ${nextSig} (after the declared signals, one per after/every entry), above ${HSM_MAX_SIGNAL}; use fewer timers or smaller signal values` : '');
        sigNames[nextSig] = `${kind} ${delayName === null ? `${delayMs} ms` : delayName} (${st.name})`;
        tms.push({ state: i, sig: nextSig++, periodic, delayMs, delayFn, delayName, kind, key, value: timed[key] });
      }
    }
    stTimerEnd[i] = tms.length;
  }
  const firstNamed = tms.length;
  const named = b.spec.timers;
  if (named !== undefined) {
    if (!Array.isArray(named)) fail(b, 'BAD_SPEC', undefined, DEBUG ? "'timers' must be a list of signal names (e.g. ['BLINK'])" : '');
    for (const tn of named as unknown[]) {
      if (typeof tn !== 'string') fail(b, 'BAD_SPEC', undefined, DEBUG ? "'timers' must list signal names (strings)" : '');
      const sig = b.sigByName.get(tn);
      if (sig === undefined) fail(b, 'UNKNOWN_SIGNAL', undefined, DEBUG ? `'timers' names signal '${tn}', which is not in 'signals'` : '');
      for (let k = firstNamed; k < tms.length; k++) if (tms[k]!.sig === sig) fail(b, 'BAD_SPEC', undefined, DEBUG ? `'timers' lists '${tn}' twice` : '');
      tms.push({ state: -1, sig, periodic: false, delayMs: -1, delayFn: undefined, delayName: null, kind: 'timers', key: tn, value: undefined });
    }
  }
  for (let sg = 0; sg < nextSig; sg++) if (sigNames[sg] === undefined) sigNames[sg] = '';
  b.signalSpan = nextSig;
  b.stTimerStart = stTimerStart;
  b.stTimerEnd = stTimerEnd;
}

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

/**
 * A state with after/every timers gets entry = user entry, then arm them, and
 * exit = disarm them, then user exit; states without timers keep their
 * handlers as they are (no cost added to their transitions).
 */
function composeTimerEntries<C>(b: Build<C>): void {
  const tms = b.timers;
  for (let i = 1; i < b.states.length; i++) {
    const start = b.stTimerStart[i]!;
    const end = b.stTimerEnd[i]!;
    if (start === end) continue;
    if (end - start === 1 && tms[start]!.delayFn === undefined) {
      // The common case, one timer with a fixed delay: no loop, no method call.
      const ms = tms[start]!.delayMs;
      b.entry[i] = armingEntryOne(start, ms, tms[start]!.periodic ? ms : 0, b.entry[i]);
      b.exit[i] = disarmingExitOne(start, b.exit[i]);
    } else {
      b.entry[i] = armingEntry(i, b.entry[i]);
      b.exit[i] = disarmingExit(i, b.exit[i]);
    }
  }
}

/** Appends the entries of the states strictly below `from` down to `to`, top-down (only states with an entry). */
function appendEntries<C>(b: Build<C>, from: number, to: number): void {
  const up: number[] = [];
  for (let x = to; x !== from; x = b.parent[x]!) up.push(x);
  for (let i = up.length - 1; i >= 0; i--) if (b.entry[up[i]!] !== undefined) b.seq.push(up[i]!);
}

/** Appends the drill-down from `s` (initial action, entries, repeat); returns the leaf. */
function appendDrill<C>(b: Build<C>, s: number): number {
  const n = b.states.length;
  while (b.initTarget[s]! >= 0) {
    if (b.initAction[s] !== undefined) b.seq.push(n + s);
    appendEntries(b, s, b.initTarget[s]!);
    s = b.initTarget[s]!;
  }
  return s;
}

/** The handler table (entries at s, initial actions at n + s) and each state's default drill-down and leaf. */
function compileDrills<C>(b: Build<C>): void {
  const n = b.states.length;
  for (let i = 0; i < n; i++) b.fns.push(b.entry[i] ?? noop);
  for (let i = 0; i < n; i++) b.fns.push(b.initAction[i] ?? noop);
  b.initSeqStart = new Int32Array(n);
  b.initSeqEnd = new Int32Array(n);
  b.defaultLeaf = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    b.initSeqStart[i] = b.seq.length;
    b.defaultLeaf[i] = appendDrill(b, i);
    b.initSeqEnd[i] = b.seq.length;
  }
}

function signalOf<C>(b: Build<C>, state: string, name: string, where: string): number {
  const v = b.sigByName.get(name);
  if (v === undefined) return fail(b, 'UNKNOWN_SIGNAL', state, DEBUG ? `${where} names signal '${name}', which is not in 'signals'` : '');
  return v;
}

/** Compiles one (state, signal) group: `v` is what `on` accepts. `where` names it in messages ('on.A', 'after.500'). */
function addGroup<C>(b: Build<C>, i: number, sig: number, where: string, onWhat: string, v: unknown): void {
  const st = b.states[i]!;
  const trs = b.trs;
  const list: unknown[] = typeof v === 'string' ? [{ target: v }] : Array.isArray(v) ? v : [v];
  if (list.length === 0) fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}' is an empty list` : '');
  if (trs.length + list.length > HSM_MAX_TRANSITIONS) fail(b, 'TOO_MANY', st.name, DEBUG ? `more than ${HSM_MAX_TRANSITIONS} transitions` : '');
  b.table[sig * b.states.length + i] = trs.length + 1;
  for (const item of list) {
    if (!isObj(item)) fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}' must be a target name, a transition object or a list of them` : '');
    for (const k of Object.keys(item))
      if (TRANSITION_KEYS.indexOf(k) < 0)
        fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}' has unknown key '${k}' (expected one of ${TRANSITION_KEYS.join(', ')})` : '');
    const target = item.target === undefined ? -1 : lookup(b, st.name, `the transition ${onWhat}`, item.target);
    if (item.kind !== undefined && item.kind !== 'local' && item.kind !== 'external')
      fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}.kind' must be 'local' or 'external'` : '');
    if (item.history !== undefined && typeof item.history !== 'boolean') fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}.history' must be a boolean` : '');
    if (item.history === true) {
      if (target < 0) fail(b, 'NO_HISTORY', st.name, DEBUG ? `'${where}' asks for history but has no target` : '');
      if (b.histKind[target] === HIST_NONE)
        fail(b, 'NO_HISTORY', st.name, DEBUG ? `'${where}' enters '${b.states[target]!.name}' through its history, but that state declares no 'history'` : '');
    }
    if (target < 0 && item.kind !== undefined) fail(b, 'BAD_SPEC', st.name, DEBUG ? `'${where}' is internal (no target); 'kind' does not apply` : '');
    trs.push({
      source: i,
      sig,
      target,
      guard: fnOrUndef<HsmGuard<C>>(b, st.name, `'${where}.guard'`, item.guard),
      action: fnOrUndef<HsmAction<C>>(b, st.name, `'${where}.action'`, item.action),
      external: item.kind === 'external',
      history: item.history === true,
    });
  }
}

/**
 * The signal-major dispatch table (signal x state -> first transition + 1),
 * `top`'s column IGNORE_MARK, and per state its `on` groups then its
 * after/every groups (their synthetic signals are above every declared one,
 * so each group stays contiguous), then its `defer` marks.
 */
function compileTransitions<C>(b: Build<C>): void {
  const n = b.states.length;
  const nSig = b.signalSpan;
  const table = new Uint16Array(n * nSig);
  b.table = table;
  for (let sg = 0; sg < nSig; sg++) table[sg * n] = IGNORE_MARK;
  for (let i = 1; i < n; i++) {
    const st = b.states[i]!;
    const on = st.spec.on;
    if (on !== undefined) {
      if (!isObj(on)) fail(b, 'BAD_SPEC', st.name, DEBUG ? "'on' must be an object of signal name -> transitions" : '');
      for (const sname of Object.keys(on)) addGroup(b, i, signalOf(b, st.name, sname, "'on'"), `on.${sname}`, `on '${sname}'`, on[sname]);
    }
    for (let k = b.stTimerStart[i]!; k < b.stTimerEnd[i]!; k++) {
      const tm = b.timers[k]!;
      addGroup(b, i, tm.sig, `${tm.kind}.${tm.key}`, `'${tm.kind}.${tm.key}'`, tm.value);
    }
    markDefers(b, i);
  }
}

/** DEFER marks of state `i`: a deferred signal is neither handled nor deferred twice in the same state. */
function markDefers<C>(b: Build<C>, i: number): void {
  const st = b.states[i]!;
  const defer = st.spec.defer;
  if (defer === undefined) return;
  if (!Array.isArray(defer)) fail(b, 'BAD_SPEC', st.name, DEBUG ? "'defer' must be a list of signal names" : '');
  const n = b.states.length;
  for (const sname of defer as unknown[]) {
    if (typeof sname !== 'string') fail(b, 'BAD_SPEC', st.name, DEBUG ? "'defer' must list signal names" : '');
    const sig = signalOf(b, st.name, sname, "'defer'");
    if (b.table[sig * n + i] !== 0)
      fail(b, 'DEFER_CONFLICT', st.name, DEBUG ? `signal '${sname}' is both deferred and handled (or deferred twice) in this state; keep one` : '');
    b.table[sig * n + i] = DEFER_MARK;
    b.defers = true;
  }
}

/**
 * Per state: 1 when some proper descendant keeps history, so the exits of a
 * transition whose LCA is that state record history (TR_RECORD). One pass in
 * reverse pre-order: every child is seen before its parent.
 */
function historyBelow<C>(b: Build<C>): Uint8Array {
  const n = b.states.length;
  const below = new Uint8Array(n);
  for (let x = n - 1; x >= 1; x--) if (b.histKind[x] !== HIST_NONE || below[x] !== 0) below[b.parent[x]!] = 1;
  return below;
}

/** The least common ancestor exits stop at: local (default) or external when one of source and target contains the other. */
function lcaOf(parent: Int16Array, s: number, d: number, external: boolean): number {
  if (s === d) return parent[s]!;
  if (isAncestor(parent, s, d)) return external ? parent[s]! : s;
  if (isAncestor(parent, d, s)) return external ? parent[d]! : d;
  let lca = parent[s]!;
  while (!isAncestor(parent, lca, d)) lca = parent[lca]!;
  return lca;
}

// ---------------------------------------------------------------------------
// The definition
// ---------------------------------------------------------------------------

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
  /** @internal the dispatch compiled ahead of time for this spec (keel/rollup), or undefined. */
  readonly compiled: HsmCompiledDispatch<C> | undefined;
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

  /** Use `defineHsm(spec)`. Runs the passes (module header), then lays their results out as tables. */
  constructor(spec: HsmSpec<C, HsmSignals>, compiled?: HsmCompiledDispatch<C>) {
    const b = checkSpec(spec);
    collectSignals(b);
    collectDelays(b);
    numberStates(b);
    compileStates(b);
    collectTimers(b);
    composeTimerEntries(b);
    compileDrills(b);
    compileTransitions(b);
    this.name = b.name;
    this.makeContext = spec.context;
    if (compiled !== undefined && typeof compiled !== 'function')
      fail(b, 'BAD_SPEC', undefined, DEBUG ? 'the compiled dispatch (second argument of defineHsm, written by keel/rollup) must be a function' : '');
    this.compiled = compiled;
    this.depthLimit = b.depthLimit;
    this.maxDepth = b.deepest;
    this.ids = b.ids;
    const n = b.states.length;
    this.stateNames = Object.freeze(b.states.map((s) => s.name));
    this.parent = b.parent;
    this.depth = Uint8Array.from(b.states, (s) => s.depth);
    this.entry = b.entry;
    this.exit = b.exit;
    this.initAction = b.initAction;
    this.initTarget = b.initTarget;
    this.histKind = b.histKind;
    this.fns = b.fns;
    this.initSeqStart = b.initSeqStart;
    this.initSeqEnd = b.initSeqEnd;
    this.defaultLeaf = b.defaultLeaf;
    this.signalNames = Object.freeze(b.sigNames);
    this.signalSpan = b.signalSpan;
    this.table = b.table;
    this.defers = b.defers;
    const rows: Uint16Array[] = [];
    for (let sg = 0; sg < b.signalSpan; sg++) rows.push(b.table.subarray(sg * n, sg * n + n));
    this.rows = rows;

    // Timer tables (slot order: after/every by state, then named timers).
    const tms = b.timers;
    const nt = tms.length;
    this.timerCount = nt;
    this.tmSignal = Uint16Array.from(tms, (t) => t.sig);
    this.tmPeriodic = Uint8Array.from(tms, (t) => (t.periodic ? 1 : 0));
    this.tmDelayMs = Float64Array.from(tms, (t) => t.delayMs);
    this.tmDelayFn = tms.map((t) => t.delayFn);
    this.tmState = Int16Array.from(tms, (t) => t.state);
    this.tmDelayName = tms.map((t) => t.delayName);
    this.namedTimerOf = new Int16Array(b.signalSpan).fill(-1);
    this.timerOf = new Int16Array(b.signalSpan).fill(-1);
    for (let k = 0; k < nt; k++) {
      this.timerOf[tms[k]!.sig] = k;
      if (tms[k]!.state < 0) this.namedTimerOf[tms[k]!.sig] = k;
    }
    this.stTimerStart = b.stTimerStart;
    this.stTimerEnd = b.stTimerEnd;

    // Transition tables (compileRoutes): LCA, entry sequence, leaf and flags per transition.
    const trs = b.trs;
    const m = trs.length;
    this.transitionCount = m;
    this.trGuard = trs.map((t) => t.guard);
    this.trAction = trs.map((t) => t.action);
    this.trTarget = Int16Array.from(trs, (t) => t.target);
    this.trSource = Int16Array.from(trs, (t) => t.source);
    this.trSignal = Uint16Array.from(trs, (t) => t.sig);
    this.trExternal = Uint8Array.from(trs, (t) => (t.external ? 1 : 0));
    this.trLca = new Int16Array(m);
    this.trSeqStart = new Int32Array(m);
    this.trSeqEnd = new Int32Array(m);
    this.trLeaf = new Int16Array(m);
    this.trFlags = new Uint8Array(m);
    this.trGroupEnd = new Uint16Array(m);
    compileRoutes(b, this);
    if (b.seq.length > 0xffff * 16) fail(b, 'TOO_MANY', undefined, DEBUG ? 'the precomputed entry sequences are too long' : '');
    this.seq = Uint16Array.from(b.seq);
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
 * Last pass: per transition its group end, LCA, entry sequence (entries below
 * the LCA down to the target, then the target's drill-down unless it enters by
 * history), final leaf and flags. History flags come from one table made once
 * (historyBelow), not from a walk per transition.
 */
function compileRoutes<C>(b: Build<C>, d: HsmDefinition<C>): void {
  const trs = b.trs;
  const m = trs.length;
  const below = historyBelow(b);
  for (let t = 0; t < m; t++) {
    const tr = trs[t]!;
    // Every entry of a (state, signal) group gets the group's end; dispatch reads the first's.
    if (t === 0 || trs[t - 1]!.source !== tr.source || trs[t - 1]!.sig !== tr.sig) {
      let ge = t + 1;
      while (ge < m && trs[ge]!.source === tr.source && trs[ge]!.sig === tr.sig) ge++;
      d.trGroupEnd[t] = ge;
    } else d.trGroupEnd[t] = d.trGroupEnd[t - 1]!;
    if (tr.target < 0) {
      d.trLca[t] = -1;
      d.trLeaf[t] = -1;
      d.trSeqStart[t] = d.trSeqEnd[t] = b.seq.length;
      continue;
    }
    const lca = lcaOf(b.parent, tr.source, tr.target, tr.external);
    d.trLca[t] = lca;
    d.trSeqStart[t] = b.seq.length;
    appendEntries(b, lca, tr.target);
    d.trLeaf[t] = tr.history ? tr.target : appendDrill(b, tr.target);
    d.trSeqEnd[t] = b.seq.length;
    // Exits record history only if some state below the LCA keeps history.
    d.trFlags[t] = (tr.history ? TR_HISTORY : 0) | (below[lca] !== 0 ? TR_RECORD : 0);
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
  compiled?: HsmCompiledDispatch<C>,
): HsmDefinition<C> {
  return new HsmDefinition<C>(spec as unknown as HsmSpec<C, HsmSignals>, compiled);
}

/**
 * hsm/define: the definition compiler. `defineHsm(spec)` validates a spec and
 * compiles it into an `HsmDefinition` (src/hsm/definition.ts): immutable flat
 * typed-array tables (`HsmTables`) and the spec's handlers, shared by every
 * machine made from it (src/hsm/machine.ts runs them). keel/rollup runs this
 * compiler at build time and writes its tables into the app
 * (definition.ts's `defineCompiledHsm`): an app whose machines are all
 * compiled ahead of time does not ship this module.
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
 *   composeTimers      entry = user entry + arm, exit = disarm + user exit (definition.ts)
 *   compileDrills      handler table, default drill-down sequence and leaf per state
 *   compileTransitions `on` and after/every groups into the signal-major dispatch table,
 *     markDefers       then per state its DEFER marks
 *   compileRoutes      per transition: LCA, entry sequence, leaf, history flags
 *   (then the tables: hsmTables, and the definition: tables + handlers)
 *
 * Every pass validates what it reads and throws HsmDefinitionError naming the
 * machine, the state and the fix (module errors.ts). Nothing recurses: trees
 * are walked with explicit stacks or parent links. Allocation: all of it, at
 * definition time (start-up); nothing here runs per event.
 */
import type { HsmAction, HsmGuard, HsmSignals, HsmSpec, HsmStateAction, HsmStates, HsmCheckedSpec } from './types.js';
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
import { composeTimers, HSM_TABLES_VERSION, hsmTables, HsmDefinition, NOOP, type HsmCompiledDispatch } from './definition.js';

export type { HsmCompiledDispatch } from './definition.js';
export { HsmDefinition } from './definition.js';

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

/**
 * A state with after/every timers gets entry = user entry, then arm them, and
 * exit = disarm them, then user exit (composeTimers, shared with
 * defineCompiledHsm); states without timers keep their handlers as they are.
 */
function composeTimerEntries<C>(b: Build<C>): void {
  const tms = b.timers;
  composeTimers(
    { stTimerStart: b.stTimerStart, stTimerEnd: b.stTimerEnd, tmPeriodic: Uint8Array.from(tms, (t) => (t.periodic ? 1 : 0)) },
    b.entry,
    b.exit,
    tms.map((t) => t.delayMs),
    tms.map((t) => t.delayFn),
  );
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
  for (let i = 0; i < n; i++) b.fns.push(b.entry[i] ?? NOOP);
  for (let i = 0; i < n; i++) b.fns.push(b.initAction[i] ?? NOOP);
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
// The definition: tables and handlers
// ---------------------------------------------------------------------------

/** Runs the passes (module header), then lays their results out as tables and handlers. */
function compileDefinition<C>(spec: HsmSpec<C, HsmSignals>, compiled: HsmCompiledDispatch<C> | undefined): HsmDefinition<C> {
  const b = checkSpec(spec);
  collectSignals(b);
  collectDelays(b);
  numberStates(b);
  compileStates(b);
  collectTimers(b);
  composeTimerEntries(b);
  compileDrills(b);
  compileTransitions(b);
  const r = compileRoutes(b);
  if (b.seq.length > 0xffff * 16) fail(b, 'TOO_MANY', undefined, DEBUG ? 'the precomputed entry sequences are too long' : '');
  const tms = b.timers;
  const trs = b.trs;
  const tables = hsmTables({
    v: HSM_TABLES_VERSION,
    name: b.name,
    stateNames: b.states.map((s) => s.name),
    signalNames: b.sigNames,
    parent: b.parent,
    depth: Uint8Array.from(b.states, (s) => s.depth),
    maxDepth: b.deepest,
    depthLimit: b.depthLimit,
    initTarget: b.initTarget,
    histKind: b.histKind,
    seq: Uint16Array.from(b.seq),
    initSeqStart: b.initSeqStart,
    initSeqEnd: b.initSeqEnd,
    defaultLeaf: b.defaultLeaf,
    table: b.table,
    trTarget: Int16Array.from(trs, (t) => t.target),
    trLca: r.trLca,
    trSeqStart: r.trSeqStart,
    trSeqEnd: r.trSeqEnd,
    trLeaf: r.trLeaf,
    trFlags: r.trFlags,
    trGroupEnd: r.trGroupEnd,
    trSource: Int16Array.from(trs, (t) => t.source),
    trSignal: Uint16Array.from(trs, (t) => t.sig),
    trExternal: Uint8Array.from(trs, (t) => (t.external ? 1 : 0)),
    tmSignal: Uint16Array.from(tms, (t) => t.sig),
    tmPeriodic: Uint8Array.from(tms, (t) => (t.periodic ? 1 : 0)),
    tmDelayMs: Float64Array.from(tms, (t) => t.delayMs),
    tmState: Int16Array.from(tms, (t) => t.state),
    tmDelayName: tms.map((t) => t.delayName),
    stTimerStart: b.stTimerStart,
    stTimerEnd: b.stTimerEnd,
  });
  return new HsmDefinition<C>(
    tables,
    {
      makeContext: spec.context,
      fns: b.fns,
      exit: b.exit,
      trGuard: trs.map((t) => t.guard),
      trAction: trs.map((t) => t.action),
      tmDelayMs: tables.tmDelayMs,
      tmDelayFn: tms.map((t) => t.delayFn),
    },
    compiled,
  );
}

/** Per transition (compileRoutes): group end, LCA, entry sequence bounds, final leaf, flags. */
interface Routes {
  trGroupEnd: Uint16Array;
  trLca: Int16Array;
  trSeqStart: Int32Array;
  trSeqEnd: Int32Array;
  trLeaf: Int16Array;
  trFlags: Uint8Array;
}

/**
 * Last pass: per transition its group end, LCA, entry sequence (entries below
 * the LCA down to the target, then the target's drill-down unless it enters by
 * history), final leaf and flags. History flags come from one table made once
 * (historyBelow), not from a walk per transition.
 */
function compileRoutes<C>(b: Build<C>): Routes {
  const trs = b.trs;
  const m = trs.length;
  const d: Routes = {
    trGroupEnd: new Uint16Array(m),
    trLca: new Int16Array(m),
    trSeqStart: new Int32Array(m),
    trSeqEnd: new Int32Array(m),
    trLeaf: new Int16Array(m),
    trFlags: new Uint8Array(m),
  };
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
  return d;
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
  return compileDefinition<C>(spec as unknown as HsmSpec<C, HsmSignals>, compiled);
}

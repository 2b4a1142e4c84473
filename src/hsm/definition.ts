/**
 * hsm/definition: what a machine runs on, without the compiler that makes
 * it. `HsmDefinition` is a definition's two halves:
 *
 *   tables    the structure as data (`HsmTables`: state and signal names,
 *             parent links, the dispatch table and its rows, per-transition
 *             LCA, entry sequences, leaves and flags, timer slots), the same
 *             on every boot and for every machine. `defineHsm` (define.ts,
 *             the compiler) makes them at boot; keel/rollup writes them into
 *             the app's module at build time (`hsmTables({...})`), where a
 *             Moddable preload keeps them in flash;
 *   handlers  the spec's functions (entries, exits, initial actions, guards,
 *             actions, delay functions, the context factory), taken from the
 *             spec at run time (closures over parameters work), plus the
 *             timer-arming entries and disarming exits composed around them.
 *
 * `defineCompiledHsm(tables, spec, compiled)` is the runtime half of
 * keel/rollup: it checks that the spec has the structure the tables were made
 * from (a hash of every key, string, number and list length: `specShape`),
 * takes its functions in walk order into the handler slots the tables name,
 * reads the delays, and makes the definition. The compiler module
 * (define.ts) is not needed: an app whose machines are all compiled ahead of
 * time ships this module, machine.ts and what they import only.
 *
 *   build time (keel/rollup, Node)            boot (device)                       per event
 *   defineHsm(spec) -> tables, slots,  -->  defineCompiledHsm(tables, spec, -->  new Hsm(def): the compiled
 *   specShape(spec), compiled dispatch        compiled): check, handlers          dispatch (or the table walk)
 *
 * Contexts: boot only (allocates: handler arrays, composed timer entries);
 * the getters and `idOf` allocate nothing, `entry`, `initAction`,
 * `transitions()`, `timers()`, `describe()` allocate (tools). Nothing
 * recurses: the spec walk uses an explicit stack and stops at
 * HSM_MAX_SPEC_NODES values (a cyclic spec fails). Preload-safe: classes,
 * functions and frozen constants.
 */
import type { HsmAction, HsmDescription, HsmGuard, HsmStateAction, HsmStateDescription, HsmTimerInfo, HsmTransitionDescription, HsmTransitionInfo } from './types.js';
import { DEFER_MARK, HIST_DEEP, HIST_SHALLOW, HSM_MAX_DELAY_MS, TR_HISTORY } from './types.js';
import { HsmDefinitionError } from './errors.js';
import type { Hsm } from './machine.js';

/**
 * The dispatch compiled ahead of time from a definition's spec (written by
 * keel/rollup, tools/hsm-aot): every machine made from the definition
 * (`new Hsm`, the kernel's spawnMachine) calls it at the end of its
 * construction; it checks the definition is the one it was compiled from and
 * installs the generated `dispatch` on the machine (untraced machines only).
 */
export type HsmCompiledDispatch<C> = (machine: Hsm<C>, definition: HsmDefinition<C>) => void;

/** Format of the tables keel/rollup writes (`hsmTables({ v, ... })`); another value: rebuild. */
export const HSM_TABLES_VERSION = 1;
/** Most values `specShape` visits in one spec (a cyclic spec stops here). */
export const HSM_MAX_SPEC_NODES = 65536;

/** Handler slot kinds in `HsmTables.slots` (kind << 16 | index). */
export const SLOT_ENTRY = 1;
export const SLOT_EXIT = 2;
export const SLOT_INIT = 3;
export const SLOT_GUARD = 4;
export const SLOT_ACTION = 5;
export const SLOT_CONTEXT = 6;

/** The handler of a state without one in `fns` (sequences never call it; the drill-down's table needs a function). */
export const NOOP = (): void => {};
/** Shared by definitions without delay functions (or guards, actions: compiled definitions): read-only, reads give undefined. */
const NONE: readonly undefined[] = Object.freeze([]);

/** The structure of a definition as data (see the module header). Read-only by contract. */
export interface HsmTables {
  readonly name: string;
  /** State names by id; id 0 is `top`. Ids are depth-first pre-order. */
  readonly stateNames: readonly string[];
  /** Signal names by value ('' for unused values), synthetic timer signals included. */
  readonly signalNames: readonly string[];
  readonly parent: Int16Array;
  readonly depth: Uint8Array;
  readonly maxDepth: number;
  readonly depthLimit: number;
  readonly signalSpan: number;
  readonly initTarget: Int16Array;
  readonly histKind: Uint8Array;
  /** Some state keeps history. */
  readonly histories: boolean;
  readonly seq: Uint16Array;
  readonly initSeqStart: Int32Array;
  readonly initSeqEnd: Int32Array;
  readonly defaultLeaf: Int16Array;
  /** signal-major: table[sig * stateCount + state] = 0, DEFER_MARK, IGNORE_MARK (top) or first transition + 1. */
  readonly table: Uint16Array;
  /** One view of `table` per signal value. */
  readonly rows: readonly Uint16Array[];
  readonly trTarget: Int16Array;
  readonly trLca: Int16Array;
  readonly trSeqStart: Int32Array;
  readonly trSeqEnd: Int32Array;
  readonly trLeaf: Int16Array;
  readonly trFlags: Uint8Array;
  readonly trGroupEnd: Uint16Array;
  readonly trSource: Int16Array;
  readonly trSignal: Uint16Array;
  readonly trExternal: Uint8Array;
  readonly defers: boolean;
  readonly timerCount: number;
  readonly tmSignal: Uint16Array;
  readonly tmPeriodic: Uint8Array;
  /** Fixed delay per timer slot, -1 when a named delay gives it (read at run time). */
  readonly tmDelayMs: Float64Array;
  readonly tmState: Int16Array;
  /** The `delays` name per timer slot, or null. */
  readonly tmDelayName: readonly (string | null)[];
  readonly stTimerStart: Uint16Array;
  readonly stTimerEnd: Uint16Array;
  readonly namedTimerOf: Int16Array;
  readonly timerOf: Int16Array;
  /** Compiled tables: the spec's structure hash (specShape), or -1. */
  readonly specShape: number;
  /** Compiled tables: per function met by the spec walk, in order, its handler slot (kind << 16 | index). */
  readonly slots: Int32Array;
  /**
   * Compiled tables: per state with after/every timers, its entry (the
   * user's, kept at fns[2 * stateCount + j] for the j-th such state, then
   * arm them) and exit (disarm, then the user's at exit[stateCount + j]),
   * written by keel/rollup (in flash: no closure per definition); null for
   * other states. Empty: the runtime composes them (closures).
   */
  readonly timedEntry: readonly (HsmStateAction<any> | null)[];
  readonly timedExit: readonly (HsmStateAction<any> | null)[];
}

/** What `hsmTables` takes: the tables' own data (numbers as arrays or typed arrays); the rest is derived. */
export interface HsmRawTables {
  readonly v: number;
  readonly name: string;
  readonly stateNames: readonly string[];
  readonly signalNames: readonly string[];
  readonly parent: ArrayLike<number>;
  readonly depth: ArrayLike<number>;
  readonly maxDepth: number;
  readonly depthLimit: number;
  readonly initTarget: ArrayLike<number>;
  readonly histKind: ArrayLike<number>;
  readonly seq: ArrayLike<number>;
  readonly initSeqStart: ArrayLike<number>;
  readonly initSeqEnd: ArrayLike<number>;
  readonly defaultLeaf: ArrayLike<number>;
  readonly table: ArrayLike<number>;
  readonly trTarget: ArrayLike<number>;
  readonly trLca: ArrayLike<number>;
  readonly trSeqStart: ArrayLike<number>;
  readonly trSeqEnd: ArrayLike<number>;
  readonly trLeaf: ArrayLike<number>;
  readonly trFlags: ArrayLike<number>;
  readonly trGroupEnd: ArrayLike<number>;
  readonly trSource: ArrayLike<number>;
  readonly trSignal: ArrayLike<number>;
  readonly trExternal: ArrayLike<number>;
  readonly tmSignal: ArrayLike<number>;
  readonly tmPeriodic: ArrayLike<number>;
  readonly tmDelayMs: ArrayLike<number>;
  readonly tmState: ArrayLike<number>;
  readonly tmDelayName: readonly (string | null)[];
  readonly stTimerStart: ArrayLike<number>;
  readonly stTimerEnd: ArrayLike<number>;
  readonly specShape?: number;
  readonly slots?: ArrayLike<number>;
  readonly timedEntry?: readonly (HsmStateAction<any> | null)[];
  readonly timedExit?: readonly (HsmStateAction<any> | null)[];
}

const i16 = (a: ArrayLike<number>): Int16Array => (a instanceof Int16Array ? a : Int16Array.from(a));
const u16 = (a: ArrayLike<number>): Uint16Array => (a instanceof Uint16Array ? a : Uint16Array.from(a));
const i32 = (a: ArrayLike<number>): Int32Array => (a instanceof Int32Array ? a : Int32Array.from(a));
const u8 = (a: ArrayLike<number>): Uint8Array => (a instanceof Uint8Array ? a : Uint8Array.from(a));

/**
 * Makes frozen `HsmTables` from their data: typed arrays, the dispatch
 * table's rows, the timer lookups. keel/rollup's generated modules call it at
 * their top level (a Moddable preload keeps the result in flash); defineHsm
 * calls it at definition. Throws HsmDefinitionError 'BAD_SPEC' for tables of
 * another format version (rebuild).
 */
export function hsmTables(raw: HsmRawTables): HsmTables {
  if (raw.v !== HSM_TABLES_VERSION)
    throw new HsmDefinitionError('BAD_SPEC', String(raw.name), undefined, DEBUG ? `tables of format ${String(raw.v)}, this runtime reads ${HSM_TABLES_VERSION}: rebuild with this version of keel/rollup` : '');
  const n = raw.stateNames.length;
  const span = raw.signalNames.length;
  const table = u16(raw.table);
  const rows: Uint16Array[] = [];
  for (let sg = 0; sg < span; sg++) rows.push(table.subarray(sg * n, sg * n + n));
  let defers = false;
  for (let i = 0; i < table.length; i++) if (table[i] === DEFER_MARK) defers = true;
  const tmSignal = u16(raw.tmSignal);
  const tmState = i16(raw.tmState);
  const nt = tmSignal.length;
  const namedTimerOf = new Int16Array(span).fill(-1);
  const timerOf = new Int16Array(span).fill(-1);
  for (let k = 0; k < nt; k++) {
    timerOf[tmSignal[k]!] = k;
    if (tmState[k]! < 0) namedTimerOf[tmSignal[k]!] = k;
  }
  const tmDelayMs = raw.tmDelayMs instanceof Float64Array ? raw.tmDelayMs : Float64Array.from(raw.tmDelayMs);
  const histKind = u8(raw.histKind);
  const tables: HsmTables = {
    name: raw.name,
    stateNames: Object.isFrozen(raw.stateNames) ? raw.stateNames : Object.freeze(raw.stateNames.slice()),
    signalNames: Object.isFrozen(raw.signalNames) ? raw.signalNames : Object.freeze(raw.signalNames.slice()),
    parent: i16(raw.parent),
    depth: u8(raw.depth),
    maxDepth: raw.maxDepth,
    depthLimit: raw.depthLimit,
    signalSpan: span,
    initTarget: i16(raw.initTarget),
    histKind,
    histories: histKind.some((k) => k !== 0),
    seq: u16(raw.seq),
    initSeqStart: i32(raw.initSeqStart),
    initSeqEnd: i32(raw.initSeqEnd),
    defaultLeaf: i16(raw.defaultLeaf),
    table,
    rows: Object.freeze(rows),
    trTarget: i16(raw.trTarget),
    trLca: i16(raw.trLca),
    trSeqStart: i32(raw.trSeqStart),
    trSeqEnd: i32(raw.trSeqEnd),
    trLeaf: i16(raw.trLeaf),
    trFlags: u8(raw.trFlags),
    trGroupEnd: u16(raw.trGroupEnd),
    trSource: i16(raw.trSource),
    trSignal: u16(raw.trSignal),
    trExternal: u8(raw.trExternal),
    defers,
    timerCount: nt,
    tmSignal,
    tmPeriodic: u8(raw.tmPeriodic),
    tmDelayMs,
    tmState,
    tmDelayName: Object.isFrozen(raw.tmDelayName) ? raw.tmDelayName : Object.freeze(raw.tmDelayName.slice()),
    stTimerStart: u16(raw.stTimerStart),
    stTimerEnd: u16(raw.stTimerEnd),
    namedTimerOf,
    timerOf,
    specShape: raw.specShape ?? -1,
    slots: i32(raw.slots ?? []),
    timedEntry: Object.freeze((raw.timedEntry ?? []).slice()),
    timedExit: Object.freeze((raw.timedExit ?? []).slice()),
  };
  return Object.freeze(tables);
}

// ---------------------------------------------------------------------------
// The spec's structure hash (specShape)
// ---------------------------------------------------------------------------

const T_OBJECT = 1;
const T_ARRAY = 2;
const T_STRING = 3;
const T_NUMBER = 4;
const T_TRUE = 5;
const T_FALSE = 6;
const T_UNDEFINED = 7;
const T_NULL = 8;
const T_FUNCTION = 9;
const T_OTHER = 10;
/** Walk mode of a value: hash it; or (the spec's `delays`) hash only its keys. */
const WALK = 0;
const KEYS_ONLY = 1;

/**
 * A 32-bit FNV-1a hash of a spec's structure, from one walk in a fixed order
 * (depth-first, keys in `Object.keys` order): every key, string, number,
 * boolean, null/undefined and list length; a function counts as one mark,
 * never by identity, and is pushed into `found` (with its key path into
 * `paths`, when given) in walk order. The values of the spec's `delays` are
 * not hashed (a delay may be a number or a function, known only at run time):
 * only their names. Returns -1 for a spec of more than HSM_MAX_SPEC_NODES
 * values (cyclic). Explicit stack; allocates (boot and build time only).
 */
export function specShape(spec: unknown, found: unknown[] | null, paths?: (string | number)[][]): number {
  let h = -2128831035;
  const mix = (v: number): void => {
    h = Math.imul(h ^ (v & 0xffff), 16777619);
    h = Math.imul(h ^ ((v >>> 16) & 0xffff), 16777619);
  };
  const str = (s: string): void => {
    mix(s.length);
    for (let k = 0; k < s.length; k++) mix(s.charCodeAt(k));
  };
  const values: unknown[] = [spec];
  const modes: number[] = [WALK];
  const at: (string | number)[][] | null = paths === undefined ? null : [[]];
  let visited = 0;
  while (values.length > 0) {
    if (++visited > HSM_MAX_SPEC_NODES) return -1;
    const v = values.pop();
    const mode = modes.pop()!;
    const path = at === null ? null : at.pop()!;
    if (typeof v === 'function') {
      mix(T_FUNCTION);
      if (found !== null) found.push(v);
      if (path !== null) paths!.push(path);
    } else if (typeof v === 'string') {
      mix(T_STRING);
      str(v);
    } else if (typeof v === 'number') {
      mix(T_NUMBER);
      if ((v | 0) === v) mix(v);
      else {
        mix(-1);
        str(String(v));
      }
    } else if (v === true) mix(T_TRUE);
    else if (v === false) mix(T_FALSE);
    else if (v === undefined) mix(T_UNDEFINED);
    else if (v === null) mix(T_NULL);
    else if (Array.isArray(v)) {
      mix(T_ARRAY);
      mix(v.length);
      for (let i = v.length - 1; i >= 0; i--) {
        values.push(v[i]);
        modes.push(WALK);
        if (at !== null) at.push([...path!, i]);
      }
    } else if (typeof v === 'object') {
      mix(T_OBJECT);
      const keys = Object.keys(v);
      mix(keys.length);
      for (let i = 0; i < keys.length; i++) str(keys[i]!);
      if (mode === KEYS_ONLY) continue;
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i]!;
        values.push((v as Record<string, unknown>)[k]);
        modes.push(visited === 1 && k === 'delays' ? KEYS_ONLY : WALK);
        if (at !== null) at.push([...path!, k]);
      }
    } else mix(T_OTHER);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------
// Timers: the entries that arm and the exits that disarm
// ---------------------------------------------------------------------------

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
 * exit = disarm them, then user exit (in place, in `entry` and `exit`); states
 * without timers keep their handlers as they are (no cost added to their
 * transitions). `delayFn[k]` defined: that timer's delay is a function.
 */
export function composeTimers<C>(
  t: { readonly stTimerStart: Uint16Array; readonly stTimerEnd: Uint16Array; readonly tmPeriodic: Uint8Array },
  entry: (HsmStateAction<C> | undefined)[],
  exit: (HsmStateAction<C> | undefined)[],
  delayMs: ArrayLike<number>,
  delayFn: readonly (((ctx: C) => number) | undefined)[],
): void {
  const n = t.stTimerStart.length;
  for (let i = 1; i < n; i++) {
    const start = t.stTimerStart[i]!;
    const end = t.stTimerEnd[i]!;
    if (start === end) continue;
    if (end - start === 1 && delayFn[start] === undefined) {
      // The common case, one timer with a fixed delay: no loop, no method call.
      const ms = delayMs[start]!;
      entry[i] = armingEntryOne(start, ms, t.tmPeriodic[start] === 1 ? ms : 0, entry[i]);
      exit[i] = disarmingExitOne(start, exit[i]);
    } else {
      entry[i] = armingEntry(i, entry[i]);
      exit[i] = disarmingExit(i, exit[i]);
    }
  }
}

// ---------------------------------------------------------------------------
// The definition
// ---------------------------------------------------------------------------

/** The run-time half of a definition (see the module header). */
export interface HsmHandlers<C> {
  readonly makeContext: () => C;
  /** entry[s] (or NOOP) at s, initial action (or NOOP) at stateCount + s. */
  readonly fns: readonly HsmStateAction<C>[];
  readonly exit: readonly (HsmStateAction<C> | undefined)[];
  readonly trGuard: readonly (HsmGuard<C> | undefined)[];
  readonly trAction: readonly (HsmAction<C> | undefined)[];
  /** Per timer slot: the delay in ms (-1 when tmDelayFn gives it). */
  readonly tmDelayMs: Float64Array;
  readonly tmDelayFn: readonly (((ctx: C) => number) | undefined)[];
}

/**
 * A machine definition: immutable tables (the structure) and the spec's
 * handlers, shared by every machine made from it. Made by `defineHsm(spec)`
 * (compiled at boot) or `defineCompiledHsm(tables, spec, compiled)` (tables
 * compiled at build time by keel/rollup).
 */
export class HsmDefinition<C> {
  /** The spec's name. */
  readonly name: string;
  /** @internal the structure (module header). */
  readonly tables: HsmTables;
  /** @internal */
  readonly makeContext: () => C;
  /**
   * @internal Handler table for precomputed sequences: index s is entry[s],
   * index stateCount + s is initAction[s] (NOOP where there is none).
   * Sequences list only indices whose handler exists, so the hot loop calls
   * without testing.
   */
  readonly fns: readonly HsmStateAction<C>[];
  /** @internal exit per state (undefined: none). */
  readonly exit: readonly (HsmStateAction<C> | undefined)[];
  /** @internal (transition handlers) */
  readonly trGuard: readonly (HsmGuard<C> | undefined)[];
  /** @internal */
  readonly trAction: readonly (HsmAction<C> | undefined)[];
  /** @internal fixed delay in ms per timer slot, -1 when tmDelayFn gives it. */
  readonly tmDelayMs: Float64Array;
  /** @internal delay functions (undefined for fixed delays). */
  readonly tmDelayFn: readonly (((ctx: C) => number) | undefined)[];
  /** @internal the dispatch compiled ahead of time for this spec (keel/rollup), or undefined. */
  readonly compiled: HsmCompiledDispatch<C> | undefined;

  /** @internal Use `defineHsm(spec)` (or keel/rollup's `defineCompiledHsm`). */
  constructor(tables: HsmTables, handlers: HsmHandlers<C>, compiled?: HsmCompiledDispatch<C>) {
    if (compiled !== undefined && typeof compiled !== 'function')
      throw new HsmDefinitionError('BAD_SPEC', tables.name, undefined, DEBUG ? 'the compiled dispatch (second argument of defineHsm, written by keel/rollup) must be a function' : '');
    this.name = tables.name;
    this.tables = tables;
    this.makeContext = handlers.makeContext;
    this.fns = handlers.fns;
    this.exit = handlers.exit;
    this.trGuard = handlers.trGuard;
    this.trAction = handlers.trAction;
    this.tmDelayMs = handlers.tmDelayMs;
    this.tmDelayFn = handlers.tmDelayFn;
    this.compiled = compiled;
    Object.freeze(this);
  }

  /** State names by id; id 0 is `top`. Ids are depth-first pre-order. */
  get stateNames(): readonly string[] {
    return this.tables.stateNames;
  }
  /** Parent id per state (-1 for top). */
  get parent(): Int16Array {
    return this.tables.parent;
  }
  /** Depth per state (top 0, top-level states 1). */
  get depth(): Uint8Array {
    return this.tables.depth;
  }
  /** Deepest state's depth. */
  get maxDepth(): number {
    return this.tables.maxDepth;
  }
  /** The configured limit it was checked against. */
  get depthLimit(): number {
    return this.tables.depthLimit;
  }
  /** Signal table width: largest declared signal value + 1 (+ one per after/every entry). */
  get signalSpan(): number {
    return this.tables.signalSpan;
  }
  /** Signal names by value ('' for unused values). */
  get signalNames(): readonly string[] {
    return this.tables.signalNames;
  }
  /** Number of timers: one per `after`/`every` entry plus one per named timer (each is one time event per machine). */
  get timerCount(): number {
    return this.tables.timerCount;
  }
  /** @internal entry per state (undefined: none; a state with timers has the composed one). Allocates (tools). */
  get entry(): (HsmStateAction<C> | undefined)[] {
    const n = this.stateCount;
    const out: (HsmStateAction<C> | undefined)[] = [];
    for (let s = 0; s < n; s++) out.push(this.fns[s] === NOOP ? undefined : this.fns[s]);
    return out;
  }
  /** @internal initial action per state (undefined: none). Allocates (tools). */
  get initAction(): (HsmStateAction<C> | undefined)[] {
    const n = this.stateCount;
    const out: (HsmStateAction<C> | undefined)[] = [];
    for (let s = 0; s < n; s++) out.push(this.fns[n + s] === NOOP ? undefined : this.fns[n + s]);
    return out;
  }
  /** @internal Initial target per state (-1 for leaves): the trace dictionary reads it (trace-frames TraceMachineInfo). */
  get initTarget(): Int16Array {
    return this.tables.initTarget;
  }
  /** @internal Source state per transition (the trace dictionary). */
  get trSource(): Int16Array {
    return this.tables.trSource;
  }
  /** @internal Target state per transition, -1 internal (the trace dictionary). */
  get trTarget(): Int16Array {
    return this.tables.trTarget;
  }
  /** @internal Signal per transition (the trace dictionary). */
  get trSignal(): Uint16Array {
    return this.tables.trSignal;
  }

  /** Number of states, `top` included. */
  get stateCount(): number {
    return this.tables.stateNames.length;
  }

  /** A state's id by name (`top` is 0); -1 if there is no such state. A search of the names (tools, isIn by name). */
  idOf(name: string): number {
    return this.tables.stateNames.indexOf(name);
  }

  /** Parent id (-1 for top). */
  parentOf(id: number): number {
    return this.tables.parent[id]!;
  }

  /** A signal's name ('' if undeclared). */
  signalName(sig: number): string {
    const n = this.tables.signalNames[sig];
    return n === undefined ? '' : n;
  }

  /** Every declared transition, in declaration order (allocates: for tools). */
  transitions(): HsmTransitionInfo[] {
    const t = this.tables;
    const out: HsmTransitionInfo[] = [];
    const m = t.trTarget.length;
    for (let i = 0; i < m; i++) {
      const s = t.trSource[i]!;
      const d = t.trTarget[i]!;
      let kind: HsmTransitionInfo['kind'];
      if (d < 0) kind = 'internal';
      else if (d === s) kind = 'self';
      else if (t.trExternal[i] === 0 && (t.trLca[i] === s || t.trLca[i] === d)) kind = 'local';
      else kind = 'external';
      out.push({
        source: t.stateNames[s]!,
        signal: this.signalName(t.trSignal[i]!),
        target: d < 0 ? null : t.stateNames[d]!,
        kind,
        guarded: this.trGuard[i] !== undefined,
        history: (t.trFlags[i]! & TR_HISTORY) !== 0,
        lca: d < 0 ? null : t.stateNames[t.trLca[i]!]!,
      });
    }
    return out;
  }

  /** Signal names a state defers (allocates: for tools). */
  deferredIn(id: number): string[] {
    const out: string[] = [];
    for (let s = 1; s < this.tables.signalSpan; s++) if (this.tables.table[s * this.stateCount + id] === DEFER_MARK) out.push(this.signalName(s));
    return out;
  }

  /** Every timer, in time event slot order: after/every entries by state, then the named timers (allocates: for tools). */
  timers(): HsmTimerInfo[] {
    const t = this.tables;
    const out: HsmTimerInfo[] = [];
    for (let k = 0; k < t.timerCount; k++) {
      const st = t.tmState[k]!;
      const sig = t.tmSignal[k]!;
      const dn = t.tmDelayName[k]!;
      out.push({
        state: st < 0 ? null : t.stateNames[st]!,
        signal: sig,
        signalName: this.signalName(sig),
        periodic: t.tmPeriodic[k] === 1,
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
    const t = this.tables;
    const n = this.stateCount;
    const timers = this.timers();
    const initAction = this.initAction;
    const states: HsmStateDescription[] = [];
    for (let i = 0; i < n; i++) {
      const children: string[] = [];
      for (let c = i + 1; c < n; c++) if (t.parent[c] === i) children.push(t.stateNames[c]!);
      const it = t.initTarget[i]!;
      const hk = t.histKind[i]!;
      states.push({
        name: t.stateNames[i]!,
        parent: i === 0 ? null : t.stateNames[t.parent[i]!]!,
        depth: t.depth[i]!,
        children,
        initial: it < 0 ? null : t.stateNames[it]!,
        initialAction: initAction[i] ?? null,
        history: hk === HIST_DEEP ? 'deep' : hk === HIST_SHALLOW ? 'shallow' : null,
        defers: this.deferredIn(i),
      });
    }
    const transitions: HsmTransitionDescription[] = this.transitions().map((info, i) => {
      const sig = t.trSignal[i]!;
      const k = t.timerOf[sig]!;
      return {
        ...info,
        guard: this.trGuard[i] ?? null,
        action: this.trAction[i] ?? null,
        timer: k >= 0 && t.tmState[k]! >= 0 ? k : -1,
      };
    });
    return { name: this.name, states, signals: t.signalNames.slice(), transitions, timers };
  }
}

// ---------------------------------------------------------------------------
// The runtime half of keel/rollup
// ---------------------------------------------------------------------------

/**
 * The definition of `spec` on tables compiled from it at build time (the call
 * keel/rollup writes in place of `defineHsm(spec)`): checks that the spec has
 * the structure the tables were made from (`specShape`; any difference:
 * HsmDefinitionError 'BAD_SPEC', rebuild), takes its functions into the
 * handler slots the tables name, reads the named delays (a number 0..2^31 - 1
 * ms, at least 1 for `every`, or a function of the context: checked here as
 * defineHsm checks them), composes the timer entries and exits, and returns
 * the definition; machines made from it run `compiled` (keel/rollup's
 * generated dispatch). Boot only: allocates the handler arrays and composed
 * timer handlers; the tables are shared (in flash after a Moddable preload).
 */
export function defineCompiledHsm<C>(tables: HsmTables, spec: object, compiled?: HsmCompiledDispatch<C>): HsmDefinition<C> {
  // In steps, each a small function (the boot's peak stack is a sum of frames).
  const h = takeHandlers<C>(tables, spec);
  readDelays(tables, spec, h);
  placeHandlers(tables, h);
  return new HsmDefinition<C>(tables, h, compiled);
}

/** What defineCompiledHsm collects, step by step (then the definition's HsmHandlers). */
interface Collected<C> {
  makeContext: () => C;
  fns: HsmStateAction<C>[];
  entry: (HsmStateAction<C> | undefined)[];
  init: (HsmStateAction<C> | undefined)[];
  exit: (HsmStateAction<C> | undefined)[];
  trGuard: readonly (HsmGuard<C> | undefined)[];
  trAction: readonly (HsmAction<C> | undefined)[];
  tmDelayMs: Float64Array;
  tmDelayFn: readonly (((ctx: C) => number) | undefined)[];
}

/** The spec's structure against the tables (specShape), then its functions into the handler slots the tables name. */
function takeHandlers<C>(tables: HsmTables, spec: object): Collected<C> {
  const found: unknown[] = [];
  const shape = specShape(spec, found);
  const slots = tables.slots;
  if (tables.specShape < 0 || shape !== tables.specShape || found.length !== slots.length)
    throw new HsmDefinitionError(
      'BAD_SPEC',
      tables.name,
      undefined,
      DEBUG
        ? `the spec is not the one keel/rollup compiled these tables from (structure hash ${shape}, compiled ${tables.specShape}): ` +
            'its names, signals, targets or handlers differ at run time (a value keel/rollup could not see at build time?); rebuild, or make the structure static'
        : '',
    );
  const n = tables.stateNames.length;
  const m = tables.trTarget.length;
  const c: Collected<C> = {
    makeContext: NOOP as unknown as () => C,
    fns: new Array(2 * n),
    entry: new Array(n),
    init: new Array(n),
    exit: new Array(n),
    trGuard: NONE,
    trAction: NONE,
    tmDelayMs: tables.tmDelayMs,
    tmDelayFn: NONE,
  };
  let guards: (HsmGuard<C> | undefined)[] | null = null;
  let actions: (HsmAction<C> | undefined)[] | null = null;
  let context = false;
  for (let i = 0; i < slots.length; i++) {
    const f = found[i] as never;
    const k = slots[i]! & 0xffff;
    switch (slots[i]! >>> 16) {
      case SLOT_ENTRY:
        c.entry[k] = f;
        break;
      case SLOT_EXIT:
        c.exit[k] = f;
        break;
      case SLOT_INIT:
        c.init[k] = f;
        break;
      case SLOT_GUARD:
        if (guards === null) c.trGuard = guards = new Array(m);
        guards[k] = f;
        break;
      case SLOT_ACTION:
        if (actions === null) c.trAction = actions = new Array(m);
        actions[k] = f;
        break;
      case SLOT_CONTEXT:
        c.makeContext = f;
        context = true;
        break;
      default:
        throw new HsmDefinitionError('BAD_SPEC', tables.name, undefined, DEBUG ? `tables name handler slot ${slots[i]} (rebuild)` : '');
    }
  }
  if (!context) throw new HsmDefinitionError('BAD_SPEC', tables.name, undefined, DEBUG ? "'context' must be a function returning the context" : '');
  return c;
}

/** The delays: every declared one checked as defineHsm checks them; the named ones of timers read now (a number or a function of the context). */
function readDelays<C>(tables: HsmTables, spec: object, c: Collected<C>): void {
  const name = tables.name;
  const delays = (spec as { delays?: Record<string, unknown> }).delays;
  if (delays === undefined || delays === null) return;
  const names = Object.keys(delays);
  for (let i = 0; i < names.length; i++) {
    const v = delays[names[i]!];
    if (typeof v === 'number' ? !(v >= 0 && v <= HSM_MAX_DELAY_MS) : typeof v !== 'function')
      throw new HsmDefinitionError(
        typeof v === 'number' ? 'BAD_DELAY' : 'BAD_SPEC',
        name,
        undefined,
        DEBUG ? `delay '${names[i]}' is ${String(v)}; a delay is a number of milliseconds 0..${HSM_MAX_DELAY_MS} or a function (ctx) => milliseconds` : '',
      );
  }
  const nt = tables.timerCount;
  let fns: (((ctx: C) => number) | undefined)[] | null = null;
  for (let k = 0; k < nt; k++) {
    const dn = tables.tmDelayName[k];
    if (dn === null || dn === undefined) continue;
    const v = delays[dn];
    if (typeof v === 'number') {
      if (!(v >= tables.tmPeriodic[k]!))
        throw new HsmDefinitionError('BAD_DELAY', name, undefined, DEBUG ? `'every' delay '${dn}' is ${v} ms; a period is 1..${HSM_MAX_DELAY_MS} ms` : '');
      if (c.tmDelayMs === tables.tmDelayMs) c.tmDelayMs = Float64Array.from(tables.tmDelayMs);
      c.tmDelayMs[k] = v;
    } else {
      if (fns === null) c.tmDelayFn = fns = new Array(nt);
      fns[k] = v as (ctx: C) => number;
    }
  }
}

/** Timed states' entries and exits (keel/rollup's, or composed here), then the handler table fns. */
function placeHandlers<C>(tables: HsmTables, c: Collected<C>): void {
  const n = tables.stateNames.length;
  const entry = c.entry;
  const exit = c.exit;
  if (tables.timedEntry.length === n) {
    // keel/rollup's composed timer entries and exits: the user's handlers move to the end of fns / exit.
    let j = 0;
    for (let i = 1; i < n; i++) {
      const te = tables.timedEntry[i];
      if (te === null || te === undefined) continue;
      c.fns[2 * n + j] = entry[i] ?? NOOP;
      exit[n + j] = exit[i];
      entry[i] = te;
      exit[i] = tables.timedExit[i] ?? undefined;
      j++;
    }
  } else composeTimers(tables, entry, exit, c.tmDelayMs, c.tmDelayFn);
  for (let i = 0; i < n; i++) {
    c.fns[i] = entry[i] ?? NOOP;
    c.fns[n + i] = c.init[i] ?? NOOP;
  }
}

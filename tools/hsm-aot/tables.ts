/**
 * tools/hsm-aot/tables: a definition's tables as source text, for keel/rollup
 * (build time, Node; never ships).
 *
 * `tablesSource(spec, def)` returns the expression `hsmTables({...})` that
 * keel/rollup writes at the top of the app's module: the structure of the
 * definition defineHsm made from `spec` at build time (HsmTables: names,
 * parent links, dispatch table, routes, timer slots), plus what the runtime
 * half (`defineCompiledHsm`, src/hsm/definition.ts) needs to take the spec's
 * handlers at boot without the compiler:
 *   - specShape: the structure hash of the spec (specShape in
 *     definition.ts), checked at boot against the run-time spec;
 *   - slots: for each function the same walk meets, in order, the handler
 *     slot it fills (entry, exit, initial action of a state; guard, action of
 *     a transition; the context factory), resolved here from its key path.
 * A function at a path that is none of these, or a spec the walk cannot
 * finish, makes it return a reason instead (keel/rollup then leaves the
 * machine to the table interpreter, with a warning).
 *
 *   build time: defineHsm(spec) -> def;  specShape(spec, found, paths) -> hash, paths -> slots
 *   boot:       defineCompiledHsm(hsmTables({...}), spec, compiled): specShape(spec) === hash, found[i] -> slots[i]
 *
 * Pure: reads the spec and the definition, returns text. No recursion.
 */
import type { HsmDefinition } from '../../src/hsm.js';
import { HSM_TABLES_VERSION, SLOT_ACTION, SLOT_CONTEXT, SLOT_ENTRY, SLOT_EXIT, SLOT_GUARD, SLOT_INIT, specShape } from '../../src/hsm/definition.js';

export interface TablesSource {
  /** `hsmTables({...})` with `hsmTables` renamed to `fn` (a JavaScript expression). */
  expression: string;
  /** The spec's structure hash. */
  shape: number;
  /** Handler slots (one per function in the spec). */
  slots: number;
}

const TIMED = ['after', 'every'] as const;

/** The handler slot of the function at `path` in `spec` (keys from the root), or a reason it has none. */
function slotOf(spec: Record<string, unknown>, def: HsmDefinition<unknown>, path: readonly (string | number)[]): number | string {
  const at = path.join('.');
  if (path.length === 1 && path[0] === 'context') return (SLOT_CONTEXT << 16) | 0;
  // Walk down 'states' pairs to the state the rest of the path belongs to.
  let i = 0;
  let state = 0;
  let stateSpec: Record<string, unknown> = spec;
  while (i + 1 < path.length && path[i] === 'states') {
    const name = path[i + 1];
    const id = typeof name === 'string' ? def.idOf(name) : -1;
    if (id <= 0) return `a function at '${at}' is not in a state of the definition`;
    state = id;
    stateSpec = (stateSpec.states as Record<string, Record<string, unknown>>)[name as string]!;
    i += 2;
  }
  const rest = path.slice(i);
  const n = def.stateCount;
  if (state > 0 && rest.length === 1 && rest[0] === 'entry') return (SLOT_ENTRY << 16) | state;
  if (state > 0 && rest.length === 1 && rest[0] === 'exit') return (SLOT_EXIT << 16) | state;
  if (rest.length === 2 && rest[0] === 'initial' && rest[1] === 'action') return (SLOT_INIT << 16) | state;
  if (state > 0 && rest.length >= 3 && (rest[0] === 'on' || rest[0] === 'after' || rest[0] === 'every')) {
    const last = rest[rest.length - 1];
    if (last !== 'guard' && last !== 'action') return `a function at '${at}' is neither a guard nor an action`;
    const key = String(rest[1]);
    let sig: number;
    if (rest[0] === 'on') {
      sig = def.signalNames.indexOf(key);
      if (sig <= 0) return `'${at}' names no signal`;
    } else {
      // The state's timers are its after keys, then its every keys, in key order (defineHsm's collectTimers).
      let k = def.tables.stTimerStart[state]!;
      let hit = -1;
      for (const kind of TIMED) {
        const timed = stateSpec[kind] as Record<string, unknown> | undefined;
        if (timed === undefined) continue;
        for (const tk of Object.keys(timed)) {
          if (kind === rest[0] && tk === key) hit = k;
          k++;
        }
      }
      if (hit < 0 || hit >= def.tables.stTimerEnd[state]!) return `'${at}' is no timer of the definition`;
      sig = def.tables.tmSignal[hit]!;
    }
    const first = def.tables.table[sig * n + state]! - 1;
    if (first < 0 || first >= def.tables.trTarget.length) return `'${at}' has no transitions in the definition`;
    const index = rest.length === 4 ? rest[2] : 0;
    if (rest.length > 4 || typeof index !== 'number') return `a function at '${at}' is not a transition's guard or action`;
    const t = first + index;
    if (t >= def.tables.trGroupEnd[first]!) return `'${at}' is beyond its transition list`;
    return ((last === 'guard' ? SLOT_GUARD : SLOT_ACTION) << 16) | t;
  }
  return `a function at '${at}' is not a handler (entry, exit, initial action, guard, action, context)`;
}

const list = (a: ArrayLike<number>): string => `[${Array.from(a).join(', ')}]`;

/**
 * The tables of `def` (made by defineHsm from `spec` at build time) as the
 * expression `fn({...})` (see the module header), or a reason why not.
 */
export function tablesSource(spec: unknown, def: HsmDefinition<unknown>, fn = 'hsmTables'): TablesSource | string {
  const paths: (string | number)[][] = [];
  const shape = specShape(spec, null, paths);
  if (shape < 0) return 'its spec is too large or cyclic for the structure hash';
  const slots: number[] = [];
  for (const p of paths) {
    const s = slotOf(spec as Record<string, unknown>, def, p);
    if (typeof s === 'string') return s;
    slots.push(s);
  }
  const t = def.tables;
  // Timed states: their composed entry and exit as functions written here (one per state, no
  // closure at boot); the user's handlers move to fns[2n + j] / exit[n + j] (defineCompiledHsm).
  const n = def.stateCount;
  const timedEntry: string[] = [];
  const timedExit: string[] = [];
  let j = 0;
  for (let st = 0; st < n; st++) {
    if (st === 0 || t.stTimerStart[st] === t.stTimerEnd[st]) {
      timedEntry.push('null');
      timedExit.push('null');
      continue;
    }
    const userEntry = slots.includes((SLOT_ENTRY << 16) | st);
    const userExit = slots.includes((SLOT_EXIT << 16) | st);
    timedEntry.push(`function (c, m) { ${userEntry ? `m.fns[${2 * n + j}](c, m); ` : ''}m.armStateTimers(${st}); }`);
    timedExit.push(`function (c, m) { m.disarmStateTimers(${st});${userExit ? ` m.exitFn[${n + j}](c, m);` : ''} }`);
    j++;
  }
  const fields: [string, string][] = [
    ['v', String(HSM_TABLES_VERSION)],
    ['name', JSON.stringify(t.name)],
    ['stateNames', JSON.stringify(t.stateNames)],
    ['signalNames', JSON.stringify(t.signalNames)],
    ['parent', list(t.parent)],
    ['depth', list(t.depth)],
    ['maxDepth', String(t.maxDepth)],
    ['depthLimit', String(t.depthLimit)],
    ['initTarget', list(t.initTarget)],
    ['histKind', list(t.histKind)],
    ['seq', list(t.seq)],
    ['initSeqStart', list(t.initSeqStart)],
    ['initSeqEnd', list(t.initSeqEnd)],
    ['defaultLeaf', list(t.defaultLeaf)],
    ['table', list(t.table)],
    ['trTarget', list(t.trTarget)],
    ['trLca', list(t.trLca)],
    ['trSeqStart', list(t.trSeqStart)],
    ['trSeqEnd', list(t.trSeqEnd)],
    ['trLeaf', list(t.trLeaf)],
    ['trFlags', list(t.trFlags)],
    ['trGroupEnd', list(t.trGroupEnd)],
    ['trSource', list(t.trSource)],
    ['trSignal', list(t.trSignal)],
    ['trExternal', list(t.trExternal)],
    ['tmSignal', list(t.tmSignal)],
    ['tmPeriodic', list(t.tmPeriodic)],
    // Named delays are read from the spec at boot (-1 here): only literal keys are fixed.
    ['tmDelayMs', list(Array.from(t.tmDelayMs, (ms, k) => (t.tmDelayName[k] === null ? ms : -1)))],
    ['tmState', list(t.tmState)],
    ['tmDelayName', JSON.stringify(t.tmDelayName)],
    ['stTimerStart', list(t.stTimerStart)],
    ['stTimerEnd', list(t.stTimerEnd)],
    ['specShape', String(shape)],
    ['slots', list(slots)],
    ...(j > 0 ? ([['timedEntry', `[${timedEntry.join(', ')}]`], ['timedExit', `[${timedExit.join(', ')}]`]] as [string, string][]) : []),
  ];
  return { expression: `${fn}({ ${fields.map(([k, v]) => `${k}: ${v}`).join(', ')} })`, shape, slots: slots.length };
}

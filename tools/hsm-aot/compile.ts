/**
 * tools/hsm-aot/compile: the ahead-of-time compiler for hsm definitions (a
 * build tool: it never ships in src/ and never runs on a device).
 *
 * `compileHsm(definition)` reads the flat tables of an `HsmDefinition` (made by
 * running the spec's `defineHsm` at build time) and emits straight
 * JavaScript: a function (machine, definition) that installs a generated
 * `dispatch` on the machine. Each (leaf, signal) reaction is resolved here,
 * not at run time, and written out in order: guards of the deepest handling
 * state, then of its ancestors (bubbling), the transition's action, each exit
 * from that leaf up to the LCA (history records written as constants), each
 * entry and initial action of the precomputed sequence, and the final leaf as
 * a constant. Two forms: 'switch' (small machines: a switch on the leaf, then
 * the signal tests, reactions inline, as a hand-written switch) and 'table'
 * (a leaf x signal table of reaction functions: one load and one call,
 * whatever the number of states and signals).
 *
 * Contract of the generated code:
 *   - semantics are the table interpreter's (src/hsm/machine.ts), which stays
 *     the reference; test/hsm/hsm-aot.test.ts differential-tests them;
 *   - handlers are the spec's own functions, never copied: the compiled
 *     dispatch takes them from the definition of the machine it is installed
 *     on (`def.entry`, `def.exit`, `def.fns`, `def.trGuard`, `def.trAction`),
 *     after checking that definition's shape (a 32-bit hash of every table)
 *     equals the one compiled, and that no handler called with fewer
 *     arguments declares more; otherwise HsmDefinitionError 'BAD_OPTION';
 *   - everything else (start, post, defer/recall, timers, drain, counters,
 *     isIn, introspection) is Hsm's, unchanged: only `dispatch` is replaced
 *     (an own property, as the trace hook does); a traced machine keeps the
 *     trace hook's dispatch;
 *   - no allocation per event: the per-machine closures and tables are made
 *     at installation (start-up); dispatch reads arrays and calls functions.
 *
 *   build time                           start-up                                  per event
 *   defineHsm(spec) -> compileHsm(def) -> defineHsm(spec, compiled) -> new Hsm -> dispatch: switch / T[leaf][sig](p0..p3)
 *                      (source text)      (keel/rollup writes the 2nd argument)
 *
 * Nothing recurses at run time; the generator itself walks parent links.
 */
import type { HsmDefinition } from '../../src/hsm.js';
import { DEFER_MARK, HIST_DEEP, HIST_NONE, IGNORE_MARK, TR_HISTORY } from '../../src/hsm/types.js';

/**
 * The definition-shape hash, as JavaScript source: the generated module embeds
 * this text and the generator evaluates the same text, so both compute it the
 * same way. FNV-1a over every table dispatch depends on, plus which handlers exist.
 */
const SHAPE_SOURCE = `function shapeOf(d) {
  let h = -2128831035;
  const mix = (v) => { h = Math.imul(h ^ (v & 0xffff), 16777619); h = Math.imul(h ^ ((v >>> 16) & 0xffff), 16777619); };
  const arr = (a) => { mix(a.length); for (let i = 0; i < a.length; i++) mix(a[i]); };
  const has = (a, n) => { mix(n); for (let i = 0; i < n; i++) mix(a[i] === undefined ? 0 : 1); };
  const names = d.stateNames;
  mix(names.length);
  for (let i = 0; i < names.length; i++) { const s = names[i]; mix(s.length); for (let k = 0; k < s.length; k++) mix(s.charCodeAt(k)); }
  mix(d.signalSpan);
  arr(d.parent); arr(d.table); arr(d.trGroupEnd); arr(d.trTarget); arr(d.trLca); arr(d.trSeqStart);
  arr(d.trSeqEnd); arr(d.trLeaf); arr(d.trFlags); arr(d.seq); arr(d.histKind);
  has(d.trGuard, d.trTarget.length); has(d.trAction, d.trTarget.length);
  has(d.entry, names.length); has(d.exit, names.length); has(d.fns, d.fns.length);
  return h >>> 0;
}`;

const shapeOf = new Function(`return (${SHAPE_SOURCE});`)() as (d: HsmDefinition<unknown>) => number;

/** The shape hash of a definition (what a compiled class checks at construction). */
export function definitionShape(def: HsmDefinition<unknown>): number {
  return shapeOf(def);
}

export interface CompileHsmOptions {
  /** Name of the generated function (default: the machine's name as an identifier + 'Dispatch'). */
  exportName?: string;
  /** Emit the DEBUG parameter checks of Hsm.dispatch (BAD_PARAM). Default false (release). */
  debug?: boolean;
  /**
   * 'switch': reactions inline in dispatch, a switch on the leaf then signal
   * tests (cost grows with leaves and signals); 'table': a leaf x signal table
   * of reaction functions (constant cost); 'auto' (default): switch for at
   * most 4 leaves each reacting to at most 4 signals, else table.
   */
  form?: 'auto' | 'switch' | 'table';
}

export interface CompiledHsm {
  /**
   * A JavaScript function expression `(HsmDefinitionError, HsmUsageError) => compiled`:
   * call it with keel/hsm's error classes to get the compiled dispatch, a
   * function (machine, definition) that checks the definition and installs
   * the generated `dispatch` on the machine (an HsmCompiledDispatch: pass it
   * as defineHsm's second argument, and every machine made from that
   * definition gets it).
   */
  factory: string;
  /** The compiled function's name. */
  exportName: string;
  /** The shape hash the class checks. */
  shape: number;
  /** Table form: reaction templates emitted (reactions that differ only in their handlers share one); switch form: inline reactions. */
  functions: number;
  /** 'switch' (small machines: reactions inline in a switch on the leaf) or 'table' (leaf x signal -> function). */
  form: 'switch' | 'table';
  /** (leaf, signal) pairs that resolve to a reaction function (not ignore/defer). */
  reactions: number;
}

/** Result values and lock states, as in src/hsm/types.ts. */
const IGNORED = 0;
const HANDLED = 1;
const TRANSITION = 2;
const LOCK_IDLE = 0;
const LOCK_BUSY = 1;

function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? '_' + id : id;
}

/**
 * How many arguments a call of handler `fn` needs (its declared parameters),
 * at most `full`; `full` when its source could read more than it declares
 * (`arguments`, a default value or a rest parameter) or cannot be read.
 * Passing fewer arguments saves a push each on XS; the generated class
 * re-checks at construction that the run-time handler declares no more.
 */
export function handlerArity(fn: unknown, full: number): number {
  if (typeof fn !== 'function') return full;
  let src: string;
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    return full;
  }
  if (src.includes('[native code]') || /\barguments\b/.test(src)) return full;
  // The parameter list: up to the first ')' (or the lone parameter of `x => ...`).
  const open = src.indexOf('(');
  const arrow = src.indexOf('=>');
  let params: string;
  if (arrow >= 0 && (open < 0 || open > arrow)) params = src.slice(0, arrow);
  else {
    const close = src.indexOf(')', open);
    if (open < 0 || close < 0) return full;
    params = src.slice(open + 1, close);
  }
  if (params.includes('=') || params.includes('...') || params.includes('{') || params.includes('[')) return full;
  return Math.min(fn.length, full);
}

/** The (leaf x signal) reaction table is a switch inside dispatch when the machine is this small (else a table lookup and a call). */
const SWITCH_MAX_LEAVES = 4;
const SWITCH_MAX_SIGNALS_PER_LEAF = 4;

/**
 * Compiles a definition to the source of a machine class (see the module
 * header). Pure: reads the definition's tables, returns text.
 */
export function compileHsm(def: HsmDefinition<any>, options: CompileHsmOptions = {}): CompiledHsm {
  const d = def;
  const n = d.stateCount;
  const span = d.signalSpan;
  const parent = d.parent;
  const rows = d.rows;
  const isLeaf = new Uint8Array(n).fill(1);
  isLeaf[0] = 0;
  for (let s = 1; s < n; s++) isLeaf[parent[s]!] = 0;

  // Handler references of the reaction being generated: each becomes a
  // parameter of its template ($0, $1, ...), bound to the handler at construction.
  let args: string[] = [];
  // Arity checks the class makes at construction: handler expression -> arguments passed.
  const arity = new Map<string, number>();
  const ref = (init: string, fn: unknown, full: number): string => {
    let k = args.indexOf(init);
    if (k < 0) k = args.push(init) - 1;
    const a = handlerArity(fn, full);
    if (a < full) arity.set(init, a);
    return '$' + k;
  };
  const CALL_STATE = ['ctx', 'm'];
  const CALL_EVENT = ['ctx', 'p0', 'p1', 'p2', 'p3', 'm'];
  const call = (init: string, fn: unknown, params: string[]): string => {
    const name = ref(init, fn, params.length);
    return `${name}(${params.slice(0, handlerArity(fn, params.length)).join(', ')})`;
  };

  /** The code of transition t taken while the current leaf is `leaf`; ends with a return. */
  const transitionCode = (leaf: number, t: number): string => {
    let c = '';
    if (d.trAction[t] !== undefined) c += call(`ac[${t}]`, d.trAction[t], CALL_EVENT) + '; ';
    const target = d.trTarget[t]!;
    if (target < 0) return c + `m.lock = ${LOCK_IDLE}; return ${HANDLED};`;
    const lca = d.trLca[t]!;
    let prev = -1;
    for (let x = leaf; x !== lca; x = parent[x]!) {
      const hk = d.histKind[x]!;
      if (hk !== HIST_NONE) c += `H[${x}] = ${hk === HIST_DEEP ? leaf : prev}; `;
      if (d.exit[x] !== undefined) c += call(`ex[${x}]`, d.exit[x], CALL_STATE) + '; ';
      prev = x;
    }
    const seq = d.seq;
    for (let i = d.trSeqStart[t]!; i < d.trSeqEnd[t]!; i++) c += call(`fns[${seq[i]!}]`, d.fns[seq[i]!], CALL_STATE) + '; ';
    c += (d.trFlags[t]! & TR_HISTORY) !== 0 ? `m.leaf = m.enterHistory(${target}); ` : `m.leaf = ${d.trLeaf[t]!}; `;
    return c + `m.lock = ${LOCK_IDLE}; return ${TRANSITION};`;
  };

  /** The next handling entry at or above s for a row: [state, entry]. */
  const bubble = (row: Uint16Array, s: number): [number, number] => {
    let e = row[s]!;
    while (e === 0) e = row[(s = parent[s]!)]!;
    return [s, e];
  };

  /** The reaction of `leaf` to `sig`: null to ignore, a number (the signal) to defer, else [body, args]. */
  const reaction = (leaf: number, sig: number): null | number | [string, string[]] => {
    const row = rows[sig]!;
    let [s, e] = bubble(row, leaf);
    if (e >= IGNORE_MARK) return e === DEFER_MARK ? sig : null;
    // Guarded candidates in order, bubbling past groups whose guards all fail.
    args = [];
    let body = `m.lock = ${LOCK_BUSY}; `;
    for (;;) {
      const t0 = e - 1;
      const end = d.trGroupEnd[t0]!;
      let closed = false;
      for (let t = t0; t < end; t++) {
        if (d.trGuard[t] === undefined) {
          body += transitionCode(leaf, t);
          closed = true;
          break;
        }
        body += `if (${call(`gu[${t}]`, d.trGuard[t], CALL_EVENT)}) { ${transitionCode(leaf, t)} } `;
      }
      if (closed) break;
      [s, e] = bubble(row, parent[s]!);
      if (e >= IGNORE_MARK) {
        body += `m.lock = ${LOCK_IDLE}; ` + (e === DEFER_MARK ? `return m.defer(${sig}, p0, p1, p2, p3);` : `m.ignored++; return ${IGNORED};`);
        break;
      }
    }
    return [body, args];
  };

  // All reactions, leaf by leaf.
  const leaves: number[] = [];
  for (let leaf = 1; leaf < n; leaf++) if (isLeaf[leaf] !== 0) leaves.push(leaf);
  const table: (null | number | [string, string[]])[][] = leaves.map((leaf) => {
    const r: (null | number | [string, string[]])[] = [];
    for (let sig = 0; sig < span; sig++) r.push(reaction(leaf, sig));
    return r;
  });
  let reactions = 0;
  let busiest = 0;
  for (const r of table) {
    let k = 0;
    for (const x of r) if (x !== null) k++;
    reactions += k;
    busiest = Math.max(busiest, k);
  }
  const small = leaves.length <= SWITCH_MAX_LEAVES && busiest <= SWITCH_MAX_SIGNALS_PER_LEAF;
  const form = options.form === 'switch' || options.form === 'table' ? options.form : small ? 'switch' : 'table';

  const wireLines: string[] = [];
  let dispatchCore: string;
  let templates = 0;
  if (form === 'switch') {
    // One switch on the leaf, then the leaf's signals compared in turn, the reactions inline;
    // handlers are per-instance constants h0, h1, ...
    const names = new Map<string, string>();
    const cases: string[] = [];
    for (let i = 0; i < leaves.length; i++) {
      const tests: string[] = [];
      for (let sig = 0; sig < span; sig++) {
        const x = table[i]![sig]!;
        if (x === null) continue;
        let body: string;
        if (typeof x === 'number') body = `return m.defer(${sig}, p0, p1, p2, p3);`;
        else {
          const [b, a] = x;
          body = b.replace(/\$(\d+)/g, (_m, k: string) => {
            const init = a[Number(k)]!;
            let nm = names.get(init);
            if (nm === undefined) names.set(init, (nm = 'h' + names.size));
            return nm;
          });
          templates++;
        }
        tests.push(`if (sig === ${sig}) { ${body} }`);
      }
      if (tests.length > 0) cases.push(`          case ${leaves[i]}: ${tests.join(' else ')} break;`);
    }
    if (names.size > 0) wireLines.push(`    const ${[...names].map(([init, nm]) => `${nm} = ${init}`).join(', ')};`);
    dispatchCore =
      cases.length === 0
        ? ''
        : `        switch (m.leaf) {\n${cases.join('\n')}\n        }\n`;
    dispatchCore += `        m.ignored++; return ${IGNORED};`;
  } else {
    // Reactions that differ only in which handlers they call share a template:
    // `function kN($0, $1) { return function (p0, p1, p2, p3) { ... } }`, and a
    // cell of the leaf tables is kN(handlers...), made once per instance (a
    // cell used by more than one (leaf, signal) is made once and shared).
    const byCode = new Map<string, string>();
    const cellUses = new Map<string, number>();
    const deferUsed = new Set<number>();
    const cellsOf: string[][] = [];
    for (let i = 0; i < leaves.length; i++) {
      const cells: string[] = [];
      for (let sig = 0; sig < span; sig++) {
        const x = table[i]![sig]!;
        if (x === null) cells.push('ign');
        else if (typeof x === 'number') {
          deferUsed.add(sig);
          cells.push('d' + sig);
        } else {
          const [body, a] = x;
          let name = byCode.get(body);
          if (name === undefined) {
            name = 'k' + byCode.size;
            byCode.set(body, name);
            wireLines.push(`    function ${name}(${a.map((_a, k) => '$' + k).join(', ')}) { return function (p0, p1, p2, p3) { ${body} }; }`);
          }
          const cell = `${name}(${a.join(', ')})`;
          cellUses.set(cell, (cellUses.get(cell) ?? 0) + 1);
          cells.push(cell);
        }
      }
      // Trailing ignores are left out: a missing cell reads undefined, which dispatch ignores.
      while (cells.length > 0 && cells[cells.length - 1] === 'ign') cells.pop();
      cellsOf.push(cells);
    }
    templates = byCode.size;
    wireLines.unshift(`    function ign() { m.ignored++; return ${IGNORED}; }`);
    for (const sig of [...deferUsed].sort((x, y) => x - y)) wireLines.push(`    function d${sig}(p0, p1, p2, p3) { return m.defer(${sig}, p0, p1, p2, p3); }`);
    const shared = new Map<string, string>();
    for (const [cell, uses] of cellUses) {
      if (uses < 2) continue;
      const v = 'c' + shared.size;
      shared.set(cell, v);
      wireLines.push(`    const ${v} = ${cell};`);
    }
    wireLines.push('    const T = [];');
    for (let i = 0; i < leaves.length; i++) wireLines.push(`    T[${leaves[i]}] = [${cellsOf[i]!.map((c) => shared.get(c) ?? c).join(', ')}];`);
    dispatchCore = `        const f = T[m.leaf][sig];\n        if (f === undefined) { m.ignored++; return ${IGNORED}; }\n        return f(p0, p1, p2, p3);`;
  }

  const shape = shapeOf(def);
  const exportName = options.exportName ?? identifier(d.name) + 'Dispatch';
  const debugChecks = options.debug
    ? `        if (bad(sig) || bad(p0) || bad(p1) || bad(p2) || bad(p3)) throw new HsmUsageError('BAD_PARAM', m.name, 'dispatch() signal and parameters must be numbers');\n`
    : '';
  const arityChecks = [...arity].map(([init, a]) => `[${init}, ${a}]`);
  const factory = `(function (HsmDefinitionError, HsmUsageError) {
  "use strict";
  // Generated by keel tools/hsm-aot from machine '${d.name.replace(/[^ -~]|'/g, '?')}': ${n} states, ${span} signal values,
  // ${reactions} reactions, ${form} form (${templates} ${form === 'switch' ? 'inline reactions' : 'templates'}). Do not edit: regenerate from the spec.
  const SHAPE = ${shape};
  const shapeOf = ${SHAPE_SOURCE};
  const bad = (p) => p !== undefined && p !== +p && p === p;
  /** The handlers called with fewer arguments than the full list must not declare more (a different build of the spec). */
  function checkArity(m, def) {
    const en = def.entry, ex = def.exit, fns = def.fns, gu = def.trGuard, ac = def.trAction;
    const list = [${arityChecks.join(', ')}];
    for (let i = 0; i < list.length; i++)
      if (list[i][0].length > list[i][1])
        throw new HsmDefinitionError('BAD_OPTION', m.name, undefined, 'a handler declares ' + list[i][0].length + ' parameters; ${exportName} was compiled to pass ' + list[i][1] + '; rebuild');
  }
  /** The per-instance dispatch: a closure over the machine, its context and its handlers. */
  function wire(m, def) {
    const ctx = m.ctx;
    const H = m.hist;
    const en = def.entry, ex = def.exit, fns = def.fns, gu = def.trGuard, ac = def.trAction;
${wireLines.join('\n')}
    return function (sig, p0, p1, p2, p3) {
        if (p3 === undefined) return m.dispatchFilled(sig, p0, p1, p2);
        if (m.lock !== ${LOCK_IDLE}) throw m.lockError();
${debugChecks}${dispatchCore}
    };
  }
  /** Installs the generated dispatch on machine m (called by the Hsm constructor for a definition made with it). */
  function ${exportName}(m, definition) {
    if (shapeOf(definition) !== SHAPE)
      throw new HsmDefinitionError('BAD_OPTION', m.name, undefined, 'the definition is not the one ${exportName} was compiled from (shape ' + shapeOf(definition) + ', compiled ' + SHAPE + '); rebuild');
    checkArity(m, definition);
    // An own property defined, not assigned: on a Moddable device the preload froze Hsm.prototype (dispatch is read-only there).
    Object.defineProperty(m, 'dispatch', { value: wire(m, definition), writable: true, enumerable: false, configurable: true });
  }
  return ${exportName};
})`;
  return { factory, exportName, shape, functions: templates, reactions, form };
}

/** An ES module that exports the compiled dispatch as `name` (and default), importing keel's hsm errors from `hsmModule`. */
export function compiledModule(c: CompiledHsm, hsmModule = 'keel/hsm'): string {
  return (
    `import { HsmDefinitionError, HsmUsageError } from ${JSON.stringify(hsmModule)};\n` +
    `export const ${c.exportName} = ${c.factory}(HsmDefinitionError, HsmUsageError);\n` +
    `export default ${c.exportName};\n`
  );
}

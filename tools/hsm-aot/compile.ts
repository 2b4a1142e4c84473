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
 * a constant. The forms (CompileHsmOptions.form, docs/hsm.md): 'switch' (a
 * switch on the leaf, a binary search beyond 4 leaves, then the signal
 * tests, reactions inline, as a hand-written switch; one closure per
 * machine), 'table' (a leaf x signal table of reaction closures per machine:
 * one load and one call, whatever the number of states and signals),
 * 'shared' (the same table and reactions made once with the module: nothing
 * per machine, the reactions read the handlers from the machine), and the
 * policies 'auto' and 'compact' (device builds: the least RAM at boot).
 * Templates, shared tables and arity data are made once, with the module
 * (in flash after a Moddable preload); only the per-machine closures of
 * 'switch' and 'table' are made at installation.
 *
 * Contract of the generated code:
 *   - semantics are the table interpreter's (src/hsm/machine.ts), which stays
 *     the reference; test/hsm/hsm-aot.test.ts differential-tests them;
 *   - handlers are the spec's own functions, never copied: the compiled
 *     dispatch takes them from the definition of the machine it is installed
 *     on (`def.exit`, `def.fns`, `def.trGuard`, `def.trAction`), after
 *     checking that definition's shape (a 32-bit hash of every table) equals
 *     the one compiled (skipped for a definition made from the tables of the
 *     same module, option `tables`: defineCompiledHsm checked its spec), and
 *     that no handler called with fewer arguments declares more; otherwise
 *     HsmDefinitionError 'BAD_OPTION';
 *   - everything else (start, post, defer/recall, timers, drain, counters,
 *     isIn, introspection) is Hsm's, unchanged: only `dispatch` is replaced
 *     (an own property, as the trace hook does); a traced machine keeps the
 *     trace hook's dispatch;
 *   - no allocation per event: the per-machine closures and tables are made
 *     at installation (start-up); dispatch reads arrays and calls functions.
 *
 *   build time                           start-up                                         per event
 *   defineHsm(spec) -> compileHsm(def) -> defineCompiledHsm(tables, spec, compiled)    -> dispatch: switch / T[leaf][sig](..)
 *                      (source text)      (keel/rollup), or defineHsm(spec, compiled);
 *                                         new Hsm installs the dispatch
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
  const t = d.tables;
  const names = t.stateNames;
  mix(names.length);
  for (let i = 0; i < names.length; i++) { const s = names[i]; mix(s.length); for (let k = 0; k < s.length; k++) mix(s.charCodeAt(k)); }
  mix(t.signalSpan);
  arr(t.parent); arr(t.table); arr(t.trGroupEnd); arr(t.trTarget); arr(t.trLca); arr(t.trSeqStart);
  arr(t.trSeqEnd); arr(t.trLeaf); arr(t.trFlags); arr(t.seq); arr(t.histKind);
  has(d.trGuard, t.trTarget.length); has(d.trAction, t.trTarget.length);
  has(d.entry, names.length); has(d.exit, names.length); has(d.fns, 2 * names.length);
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
  /**
   * The name of a constant of the same module holding the tables keel/rollup
   * wrote for this definition (hsmTables): a definition made from them
   * (defineCompiledHsm, which checked its spec's structure at boot) is
   * installed without the shape hash (less work and stack at boot).
   */
  tables?: string;
  /** Emit the DEBUG parameter checks of Hsm.dispatch (BAD_PARAM). Default false (release). */
  debug?: boolean;
  /**
   * 'switch': reactions inline in one dispatch closure per machine, found by
   * a switch on the leaf (a binary search on it beyond 4 leaves), then the
   * signal tests (a binary search beyond 4); 'table': a leaf x signal table
   * of reaction closures per machine (one load and one call: constant cost,
   * the fastest for large machines, the most RAM); 'shared': the same table
   * and its reaction functions made once for every machine (in flash after a
   * Moddable preload: no RAM per machine; the reactions read the handlers
   * from the machine, a few XS steps more per event); 'auto' (default):
   * switch for at most 4 leaves each reacting to at most 4 signals, else
   * table; 'compact' (device builds, the least RAM at boot): switch for at
   * most 32 leaves and 256 reactions, else shared.
   */
  form?: 'auto' | 'switch' | 'table' | 'shared' | 'compact';
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
  /** 'switch' (reactions inline in a switch on the leaf), 'table' (leaf x signal -> closure, per machine) or 'shared' (the same, one for every machine). */
  form: 'switch' | 'table' | 'shared';
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
/** form 'compact': the switch form up to this size, else 'shared'. */
const COMPACT_MAX_LEAVES = 32;
const COMPACT_MAX_REACTIONS = 256;
/** A run of at most this many keys is tested in turn; a longer one is split in two by `<` (a binary search). */
const LINEAR_TESTS = 4;

/**
 * `if` tests that run the code of the key equal to `v` (keys ascending, no
 * match: falls through): in turn for a few keys, else a binary search by `<`.
 */
function searchTree(v: string, keys: readonly number[], code: readonly string[], indent: string): string {
  if (keys.length <= LINEAR_TESTS) return keys.map((k, i) => `if (${v} === ${k}) { ${code[i]} }`).join(' else ');
  const mid = keys.length >> 1;
  const inner = indent + '  ';
  return (
    `if (${v} < ${keys[mid]}) {\n${inner}${searchTree(v, keys.slice(0, mid), code.slice(0, mid), inner)}\n${indent}} else {\n` +
    `${inner}${searchTree(v, keys.slice(mid), code.slice(mid), inner)}\n${indent}}`
  );
}

/**
 * Compiles a definition to the source of a machine class (see the module
 * header). Pure: reads the definition's tables, returns text.
 */
export function compileHsm(def: HsmDefinition<any>, options: CompileHsmOptions = {}): CompiledHsm {
  const d = def;
  const tb = def.tables;
  const n = d.stateCount;
  const span = tb.signalSpan;
  const parent = tb.parent;
  const rows = tb.rows;
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
    const target = tb.trTarget[t]!;
    if (target < 0) return c + `m.lock = ${LOCK_IDLE}; return ${HANDLED};`;
    const lca = tb.trLca[t]!;
    let prev = -1;
    for (let x = leaf; x !== lca; x = parent[x]!) {
      const hk = tb.histKind[x]!;
      if (hk !== HIST_NONE) c += `H[${x}] = ${hk === HIST_DEEP ? leaf : prev}; `;
      if (d.exit[x] !== undefined) c += call(`ex[${x}]`, d.exit[x], CALL_STATE) + '; ';
      prev = x;
    }
    const seq = tb.seq;
    for (let i = tb.trSeqStart[t]!; i < tb.trSeqEnd[t]!; i++) c += call(`fns[${seq[i]!}]`, d.fns[seq[i]!], CALL_STATE) + '; ';
    c += (tb.trFlags[t]! & TR_HISTORY) !== 0 ? `m.leaf = m.enterHistory(${target}); ` : `m.leaf = ${tb.trLeaf[t]!}; `;
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
      const end = tb.trGroupEnd[t0]!;
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
  const compactSwitch = leaves.length <= COMPACT_MAX_LEAVES && reactions <= COMPACT_MAX_REACTIONS;
  const form: CompiledHsm['form'] =
    options.form === 'switch' || options.form === 'table' || options.form === 'shared'
      ? options.form
      : options.form === 'compact'
        ? compactSwitch
          ? 'switch'
          : 'shared'
        : small
          ? 'switch'
          : 'table';

  const wireLines: string[] = [];
  const factoryLines: string[] = [];
  let dispatchCore: string;
  let templates = 0;
  if (form === 'switch') {
    // One switch on the leaf (a binary search on it beyond LINEAR_TESTS leaves), then the
    // leaf's signals compared in turn (a binary search beyond LINEAR_TESTS), the reactions
    // inline; handlers are per-instance constants h0, h1, ...
    const names = new Map<string, string>();
    const leafKeys: number[] = [];
    const leafCode: string[] = [];
    for (let i = 0; i < leaves.length; i++) {
      const sigKeys: number[] = [];
      const sigCode: string[] = [];
      for (let sig = 0; sig < span; sig++) {
        const x = table[i]![sig]!;
        if (x === null) continue;
        let body: string;
        if (typeof x === 'number') body = `return m.defer(${sig}, p0, p1, p2, p3);`;
        else {
          const [b, a] = x;
          body = b.replace(/\$(\d+)/g, (_m, k: string) => {
            const init = a[Number(k)]!;
            // 'compact': the handler read from the definition's array (fewer captured variables per machine).
            if (options.form === 'compact') return init;
            let nm = names.get(init);
            if (nm === undefined) names.set(init, (nm = 'h' + names.size));
            return nm;
          });
          templates++;
        }
        sigKeys.push(sig);
        sigCode.push(body);
      }
      if (sigKeys.length === 0) continue;
      leafKeys.push(leaves[i]!);
      leafCode.push(searchTree('sig', sigKeys, sigCode, '            '));
    }
    if (names.size > 0) wireLines.push(`    const ${[...names].map(([init, nm]) => `${nm} = ${init}`).join(', ')};`);
    if (leafKeys.length === 0) dispatchCore = '';
    else if (leafKeys.length <= SWITCH_MAX_LEAVES)
      dispatchCore = `        switch (m.leaf) {\n${leafKeys.map((l, i) => `          case ${l}: ${leafCode[i]} break;`).join('\n')}\n        }\n`;
    else dispatchCore = `        const leaf = m.leaf;\n        ${searchTree('leaf', leafKeys, leafCode, '        ')}\n`;
    dispatchCore += `        m.ignored++; return ${IGNORED};`;
  } else if (form === 'table') {
    // Reactions that differ only in which handlers they call share a template (made once, with
    // the module): `function kN(m, ctx, H, $0, $1) { return function (p0, p1, p2, p3) { ... } }`;
    // a cell of the machine's leaf tables is kN(m, ctx, H, handlers...), made at installation (a
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
            factoryLines.push(`  function ${name}(m, ctx, H${a.map((_a, k) => ', $' + k).join('')}) { return function (p0, p1, p2, p3) { ${body} }; }`);
          }
          const cell = `${name}(m, ctx, H${a.map((x) => ', ' + x).join('')})`;
          cellUses.set(cell, (cellUses.get(cell) ?? 0) + 1);
          cells.push(cell);
        }
      }
      // Trailing ignores are left out: a missing cell reads undefined, which dispatch ignores.
      while (cells.length > 0 && cells[cells.length - 1] === 'ign') cells.pop();
      cellsOf.push(cells);
    }
    templates = byCode.size;
    wireLines.push(`    function ign() { m.ignored++; return ${IGNORED}; }`);
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
  } else {
    // Reactions shared by every machine: functions of (m, p0..p3) made once, with the module
    // (in flash after a Moddable preload), that take the handlers from the machine's tables
    // (m.exitFn, m.fns, m.trGuard, m.trAction: the definition's). Reactions that differ only in
    // which handlers they call share a template `kN($0, ..)` of the handler indices; each cell of
    // the leaf x signal table is kN(indices), made once (a cell used twice is one function). No
    // closure per machine.
    const ARRAYS: [string, string][] = [['ex', 'm.exitFn'], ['fns', 'm.fns'], ['gu', 'm.trGuard'], ['ac', 'm.trAction'], ['H', 'm.hist']];
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
          const [b, a] = x;
          // $k is a handler `arr[index]`: the template keeps `arr[$k]`, the cell passes the index.
          const body = b.replace(/\$(\d+)/g, (_m, k: string) => a[Number(k)]!.replace(/\[\d+\]$/, () => `[$${k}]`));
          const indices = a.map((init) => /\[(\d+)\]$/.exec(init)![1]!);
          let name = byCode.get(body);
          if (name === undefined) {
            name = 'k' + byCode.size;
            byCode.set(body, name);
            const locals = ARRAYS.filter(([v]) => new RegExp(`\\b${v}\\[`).test(body)).map(([v, init]) => `${v} = ${init}`);
            if (/\bctx\b/.test(body)) locals.unshift('ctx = m.ctx');
            const fn = `function (m, p0, p1, p2, p3) { ${locals.length > 0 ? `const ${locals.join(', ')}; ` : ''}${body} }`;
            factoryLines.push(a.length === 0 ? `  const ${name} = ${fn};` : `  function ${name}(${a.map((_a, k) => '$' + k).join(', ')}) { return ${fn}; }`);
          }
          const cell = a.length === 0 ? name : `${name}(${indices.join(', ')})`;
          cellUses.set(cell, (cellUses.get(cell) ?? 0) + 1);
          cells.push(cell);
        }
      }
      // Trailing ignores are left out: a missing cell reads undefined, which dispatch ignores.
      while (cells.length > 0 && cells[cells.length - 1] === 'ign') cells.pop();
      cellsOf.push(cells);
    }
    const shared = new Map<string, string>();
    for (const [cell, uses] of cellUses) {
      if (uses < 2 || !cell.includes('(')) continue;
      const v = 'c' + shared.size;
      shared.set(cell, v);
      factoryLines.push(`  const ${v} = ${cell};`);
    }
    templates = byCode.size;
    factoryLines.unshift(`  function ign(m) { m.ignored++; return ${IGNORED}; }`);
    for (const sig of [...deferUsed].sort((x, y) => x - y)) factoryLines.push(`  function d${sig}(m, p0, p1, p2, p3) { return m.defer(${sig}, p0, p1, p2, p3); }`);
    factoryLines.push('  const T = [];');
    for (let i = 0; i < leaves.length; i++) factoryLines.push(`  T[${leaves[i]}] = Object.freeze([${cellsOf[i]!.map((c) => shared.get(c) ?? c).join(', ')}]);`);
    factoryLines.push('  Object.freeze(T);');
    dispatchCore = `        const f = T[m.leaf][sig];\n        if (f === undefined) { m.ignored++; return ${IGNORED}; }\n        return f(m, p0, p1, p2, p3);`;
  }

  const shape = shapeOf(def);
  const exportName = options.exportName ?? identifier(d.name) + 'Dispatch';
  const debugChecks = options.debug
    ? `        if (bad(sig) || bad(p0) || bad(p1) || bad(p2) || bad(p3)) throw new HsmUsageError('BAD_PARAM', m.name, 'dispatch() signal and parameters must be numbers');\n`
    : '';
  // The definition's handler arrays a piece of generated code reads (only those: `entry` is a getter that allocates).
  const HANDLER_ARRAYS: [string, string][] = [['ex', 'def.exit'], ['fns', 'def.fns'], ['gu', 'def.trGuard'], ['ac', 'def.trAction']];
  const loads = (code: string): string => {
    const used = HANDLER_ARRAYS.filter(([v]) => new RegExp(`\\b${v}\\[`).test(code)).map(([v, init]) => `${v} = ${init}`);
    return used.length > 0 ? `const ${used.join(', ')};` : '';
  };
  // The arity checks as data made once with the module (array, index, arguments passed), not an
  // array literal evaluated per machine: a literal's elements sit on the stack (boot's peak stack).
  const ARRAY_CODES: Record<string, number> = { ex: 0, fns: 1, gu: 2, ac: 3 };
  const arityData: number[] = [];
  for (const [init, a] of arity) {
    const m = /^(ex|fns|gu|ac)\[(\d+)\]$/.exec(init);
    if (m === null) throw new Error(`keel hsm-aot: unexpected handler reference ${init}`);
    arityData.push(ARRAY_CODES[m[1]!]!, Number(m[2]), a);
  }
  const checkArity =
    arityData.length === 0
      ? ''
      : `  /** The handlers called with fewer arguments than the full list must not declare more (a different build of the spec). */
  const ARITY = Object.freeze([${arityData.join(', ')}]);
  function checkArity(m, def) {
    const arrays = [def.exit, def.fns, def.trGuard, def.trAction];
    for (let i = 0; i < ARITY.length; i += 3) {
      const f = arrays[ARITY[i]][ARITY[i + 1]];
      if (f.length > ARITY[i + 2])
        throw new HsmDefinitionError('BAD_OPTION', m.name, undefined, 'a handler declares ' + f.length + ' parameters; ${exportName} was compiled to pass ' + ARITY[i + 2] + '; rebuild');
    }
  }
`;
  const guard = `        if (p3 === undefined) return m.dispatchFilled(sig, p0, p1, p2);
        if (m.lock !== ${LOCK_IDLE}) throw m.lockError();
${debugChecks}${dispatchCore}`;
  let body: string;
  let install: string;
  if (form !== 'shared') {
    const wired = wireLines.join('\n');
    const usesH = /\bH\b/.test(wired) || /\bH\[/.test(dispatchCore);
    body = `${factoryLines.length > 0 ? factoryLines.join('\n') + '\n' : ''}  /** The per-instance dispatch: a closure over the machine, its context and its handlers. */
  function wire(m, def) {
    const ctx = m.ctx;
${usesH ? '    const H = m.hist;\n' : ''}    ${loads(wired + dispatchCore)}
${wired}
    return function (sig, p0, p1, p2, p3) {
${guard}
    };
  }
`;
    install = 'wire(m, definition)';
  } else {
    body = `  // One dispatch and one reaction table for every machine made from the definition (no closure per machine).
${factoryLines.join('\n')}
  function dispatch(sig, p0, p1, p2, p3) {
        const m = this;
${guard}
  }
`;
    install = 'dispatch';
  }
  const factory = `(function (HsmDefinitionError, HsmUsageError) {
  "use strict";
  // Generated by keel tools/hsm-aot from machine '${d.name.replace(/[^ -~]|'/g, '?')}': ${n} states, ${span} signal values,
  // ${reactions} reactions, ${form} form (${templates} ${form === 'switch' ? 'inline reactions' : 'templates'}). Do not edit: regenerate from the spec.
  const SHAPE = ${shape};
  const shapeOf = ${SHAPE_SOURCE};
  const bad = (p) => p !== undefined && p !== +p && p === p;
${checkArity}${body}  /** Installs the generated dispatch on machine m (called by the Hsm constructor for a definition made with it). */
  function ${exportName}(m, definition) {
    if (${options.tables !== undefined ? `definition.tables !== ${options.tables} && ` : ''}shapeOf(definition) !== SHAPE)
      throw new HsmDefinitionError('BAD_OPTION', m.name, undefined, 'the definition is not the one ${exportName} was compiled from (shape ' + shapeOf(definition) + ', compiled ' + SHAPE + '); rebuild');
${arityData.length === 0 ? '' : '    checkArity(m, definition);\n'}    // An own property defined, not assigned: on a Moddable device the preload froze Hsm.prototype (dispatch is read-only there).
    Object.defineProperty(m, 'dispatch', { value: ${install}, writable: true, enumerable: false, configurable: true });
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

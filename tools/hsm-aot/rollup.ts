/**
 * tools/hsm-aot/rollup: the rollup plugin `keel/rollup` (build time, Node).
 *
 * For every `defineHsm({...})` call whose spec it can evaluate statically, it
 * builds the definition at build time, compiles it (tools/hsm-aot/compile.ts),
 * writes its tables (tools/hsm-aot/tables.ts) and rewrites the call to
 * `defineCompiledHsm(tables, {...}, compiled)` (keel/hsm-runtime): at boot the
 * definition is made from the tables and the spec's handlers, without the
 * compiler, and every machine made from it (`new Hsm`, the kernel's
 * spawnMachine) runs the generated dispatch. The tables and the compiled
 * dispatch are constants at the top of the module (in flash once a Moddable
 * build preloads it). When no `defineHsm` call is left, its import goes too:
 * the module then reaches keel/hsm-runtime only, never the compiler
 * (src/hsm/define.ts). The spec's functions stay where they are (closures
 * and all); only the machine's structure must be known at build time, and
 * defineCompiledHsm checks at boot that the run-time spec has that structure
 * (a hash of its keys, names, targets and lists: HsmDefinitionError
 * 'BAD_SPEC' otherwise, "rebuild").
 *
 * Static evaluation: the spec's source text is evaluated in a sandbox where
 *   - `defineSignals` is keel's own;
 *   - an identifier declared in the module (const/let/var, function) is its
 *     declaration's value, evaluated the same way (so `signals: S` after
 *     `const S = defineSignals([...])`, `export const SIG_X = 1`, handler
 *     consts and helper functions work);
 *   - anything else (imports, parameters, globals of the app) is an opaque
 *     placeholder: a function, fine as a handler, delay or context factory
 *     (handlers are never called at build time), not as a signal table,
 *     state name or target.
 * A spec that cannot be evaluated (signals or states from another module, a
 * computed name, a spec that is not an object literal) or that defineHsm
 * rejects is left alone: it runs on the table interpreter, and the build
 * prints a warning naming the machine, the file and line, and why.
 *
 * Use: plugins: [typescript(), keelHsm()] (after the TypeScript plugin: it
 * reads JavaScript). Options: `hsmModule` (where the generated code imports
 * defineCompiledHsm, hsmTables and keel's hsm errors from; default
 * 'keel/hsm-runtime'; 'keel/hsm' works too, with the compiler), `form`
 * (compileHsm's).
 *
 *   build time (Node)                                           boot
 *   defineHsm({...})  --evaluate, defineHsm, compileHsm,   -->  defineCompiledHsm(T, {...}, D): check the spec's
 *                       tablesSource-->  const T = hsmTables({...}); const D = ...;   structure, take its handlers
 */
import type { Plugin, PluginContext, TransformPluginContext } from 'rollup';
import { defineHsm, defineSignals, type HsmDefinition } from '../../src/hsm.js';
import { compileHsm, type CompileHsmOptions } from './compile.js';
import { tablesSource } from './tables.js';

export interface KeelHsmPluginOptions {
  /** Module specifier the generated code imports defineCompiledHsm, hsmTables, HsmDefinitionError and HsmUsageError from. Default 'keel/hsm-runtime' (without the compiler); 'keel/hsm' re-exports them. */
  hsmModule?: string;
  /** compileHsm's form option. Default 'auto'. */
  form?: CompileHsmOptions['form'];
  /** Modules to look at (default: every module whose code contains `defineHsm(`, except keel's own hsm sources). */
  filter?: (id: string) => boolean;
  /** Called once per compiled machine (tools, tests). */
  onCompiled?: (info: { id: string; name: string; line: number; form: string; reactions: number }) => void;
  /** Called once per machine left to the interpreter, with the reason (also a build warning). */
  onSkipped?: (info: { id: string; name: string; line: number; reason: string }) => void;
}

// ---- a small ESTree walk ----------------------------------------------------------

interface Node {
  type: string;
  start: number;
  end: number;
  [k: string]: unknown;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

/** Calls visit(node, ancestors) for every node, parents first (explicit stack, no recursion). */
function walk(root: Node, visit: (n: Node, ancestors: readonly Node[]) => void): void {
  const stack: [Node, Node[]][] = [[root, []]];
  while (stack.length > 0) {
    const [n, anc] = stack.pop()!;
    visit(n, anc);
    const next = [...anc, n];
    const kids: Node[] = [];
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) {
        for (const x of v) if (isNode(x)) kids.push(x);
      } else if (isNode(v)) kids.push(v);
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, next]);
  }
}

interface Decl {
  name: string;
  /** Source text of an expression giving its value, or null (a parameter, an import: unknown). */
  text: string | null;
  /** The scope it is visible in: [start, end) of the enclosing function body / block / program. */
  scope: [number, number];
}

const SCOPES = new Set(['Program', 'BlockStatement', 'FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassBody', 'ForStatement', 'StaticBlock']);

function collectDecls(code: string, ast: Node): Decl[] {
  const out: Decl[] = [];
  walk(ast, (n, anc) => {
    const scopeNode = [...anc].reverse().find((a) => SCOPES.has(a.type)) ?? ast;
    if (n.type === 'VariableDeclarator' && isNode(n.id) && n.id.type === 'Identifier') {
      const init = n.init;
      out.push({ name: n.id.name as string, text: isNode(init) ? code.slice(init.start, init.end) : null, scope: [scopeNode.start, scopeNode.end] });
    } else if (n.type === 'FunctionDeclaration' && isNode(n.id)) {
      out.push({ name: n.id.name as string, text: code.slice(n.start, n.end), scope: [scopeNode.start, scopeNode.end] });
    } else if ((n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') && Array.isArray(n.params)) {
      // Parameters: visible in the function, values unknown.
      for (const p of n.params as Node[]) if (p.type === 'Identifier') out.push({ name: p.name as string, text: null, scope: [n.start, n.end] });
    } else if (n.type === 'ImportDeclaration') {
      for (const s of n.specifiers as Node[]) {
        const local = (s.local as Node).name as string;
        const imported = s.type === 'ImportSpecifier' && isNode(s.imported) ? ((s.imported as Node).name as string) : '';
        // keel's own defineSignals is real; any other import is unknown at build time.
        out.push({ name: local, text: imported === 'defineSignals' ? '__keel_defineSignals' : null, scope: [ast.start, ast.end] });
      }
    }
  });
  return out;
}

// ---- the sandbox ------------------------------------------------------------------

const OPAQUE = Symbol('keel-hsm-aot opaque');

/** A value unknown at build time: callable, constructible, every property another one. */
function opaque(): unknown {
  const target = function () {} as unknown as Record<string | symbol, unknown>;
  return new Proxy(target, {
    get: (t, k) => (k === OPAQUE ? true : k === 'length' || k === 'name' || k === 'prototype' ? t[k] : k === Symbol.toPrimitive ? () => NaN : opaque()),
    apply: () => opaque(),
    construct: () => opaque() as object,
  });
}

function isOpaque(v: unknown): boolean {
  return (typeof v === 'function' || (typeof v === 'object' && v !== null)) && (v as Record<symbol, unknown>)[OPAQUE] === true;
}

class NotStatic extends Error {}

/** Evaluates `text` (an expression at source position `at`) with the module's declarations (see the module header). */
function evaluator(decls: Decl[]): (text: string, at: number) => unknown {
  const values = new Map<Decl, unknown>();
  const busy = new Set<Decl>();
  const lookup = (name: string, at: number): Decl | undefined => {
    let best: Decl | undefined;
    for (const d of decls)
      if (d.name === name && d.scope[0] <= at && at < d.scope[1] && (best === undefined || d.scope[0] >= best.scope[0])) best = d;
    return best;
  };
  const evaluate = (text: string, at: number): unknown => {
    const scope = new Proxy(
      {},
      {
        has: (_t, k) => typeof k === 'string' && (k === '__keel_defineSignals' || lookup(k, at) !== undefined || !(k in globalThis)),
        get: (_t, k) => {
          if (k === Symbol.unscopables) return undefined;
          if (k === '__keel_defineSignals') return defineSignals;
          const d = typeof k === 'string' ? lookup(k, at) : undefined;
          if (d === undefined || d.text === null) return opaque();
          if (values.has(d)) return values.get(d);
          if (busy.has(d)) return opaque(); // a self-reference (recursive helper): unknown
          busy.add(d);
          const text = d.text === '__keel_defineSignals' ? '__keel_defineSignals' : d.text;
          const v = evaluate(text.startsWith('function') || text.startsWith('async function') ? `(${text})` : text, d.scope[0]);
          busy.delete(d);
          values.set(d, v);
          return v;
        },
      },
    );
    // Sloppy mode on purpose: `with` routes every free identifier through the scope above.
    return new Function('__scope', `with (__scope) { return (${text}\n); }`)(scope);
  };
  return evaluate;
}

// ---- the plugin ---------------------------------------------------------------------

function lineOf(code: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (code.charCodeAt(i) === 10) line++;
  return line;
}

/** Why a spec cannot be compiled, from its evaluated value (null if it looks static). */
function staticProblem(spec: unknown): string | null {
  if (isOpaque(spec) || typeof spec !== 'object' || spec === null) return 'the spec is not an object literal known at build time';
  const s = spec as Record<string, unknown>;
  if (isOpaque(s.name) || typeof s.name !== 'string') return "its 'name' is not known at build time";
  if (isOpaque(s.signals)) return "its 'signals' are not known at build time (imported from another module? declare them in this module)";
  if (isOpaque(s.states)) return "its 'states' are not known at build time";
  if (isOpaque(s.initial)) return "its 'initial' is not known at build time";
  return null;
}

/**
 * Removes `defineHsm` from the module's imports when no reference is left
 * besides the calls rewritten (`compiled`): the module then no longer imports
 * the compiler. Only named imports are touched (`import { a, defineHsm } from ..`).
 */
function unusedImportEdits(ast: Node, compiled: Set<Node>): { at: number; end: number; text: string }[] {
  const callees = new Set<Node>();
  for (const c of compiled) callees.add(c.callee as Node);
  let used = false;
  const decls: Node[] = [];
  walk(ast, (n, anc) => {
    if (n.type === 'ImportDeclaration') decls.push(n);
    if (n.type !== 'Identifier' || n.name !== 'defineHsm' || callees.has(n)) return;
    const p = anc[anc.length - 1];
    if (p !== undefined && (p.type === 'ImportSpecifier' || p.type === 'ImportDefaultSpecifier' || p.type === 'ImportNamespaceSpecifier')) return;
    // A property name (x.defineHsm, { defineHsm: 1 }) is no reference.
    if (p !== undefined && p.type === 'MemberExpression' && p.property === n && p.computed !== true) return;
    if (p !== undefined && p.type === 'Property' && p.key === n && p.shorthand !== true && p.computed !== true) return;
    used = true;
  });
  if (used) return [];
  const out: { at: number; end: number; text: string }[] = [];
  for (const d of decls) {
    const specs = d.specifiers as Node[];
    if (!specs.every((x) => x.type === 'ImportSpecifier')) continue;
    const keep = specs.filter((x) => (x.local as Node).name !== 'defineHsm');
    if (keep.length === specs.length) continue;
    const source = JSON.stringify((d.source as Node).value);
    const names = keep.map((x) => {
      const imported = x.imported as Node;
      const name = (imported.name ?? imported.value) as string;
      const local = (x.local as Node).name as string;
      return name === local ? name : `${name} as ${local}`;
    });
    out.push({ at: d.start, end: d.end, text: keep.length === 0 ? '' : `import { ${names.join(', ')} } from ${source};` });
  }
  return out;
}

/** The rollup plugin (see the module header). */
export default function keelHsm(options: KeelHsmPluginOptions = {}): Plugin {
  const hsmModule = options.hsmModule ?? 'keel/hsm-runtime';
  let counter = 0;
  return {
    name: 'keel-hsm-aot',
    transform(this: TransformPluginContext, code: string, id: string) {
      if (!code.includes('defineHsm(')) return null;
      if (options.filter !== undefined ? !options.filter(id) : /[\\/]src[\\/]hsm([\\/]|\.)|[\\/]tools[\\/]hsm-aot[\\/]/.test(id)) return null;
      const ast = this.parse(code) as unknown as Node;
      const calls: Node[] = [];
      walk(ast, (n) => {
        if (n.type === 'CallExpression' && isNode(n.callee) && n.callee.type === 'Identifier' && n.callee.name === 'defineHsm') calls.push(n);
      });
      if (calls.length === 0) return null;
      const evaluate = evaluator(collectDecls(code, ast));
      const edits: { at: number; end: number; text: string }[] = [];
      const consts: string[] = [];
      const compiledCalls = new Set<Node>();
      for (const call of calls) {
        const args = call.arguments as Node[];
        const line = lineOf(code, call.start);
        if (args.length !== 1) continue; // already compiled (two arguments) or not a spec call
        const arg = args[0]!;
        let label = `(line ${line})`;
        const skip = (reason: string): void => {
          (this as PluginContext).warn(`keel/rollup: defineHsm ${label} in ${id}:${line} is not compiled ahead of time: ${reason}; it runs on the table interpreter`);
          options.onSkipped?.({ id, name: label, line, reason });
        };
        if (arg.type !== 'ObjectExpression') {
          skip('its spec is not an object literal written at the call');
          continue;
        }
        let def: HsmDefinition<unknown>;
        let spec: unknown;
        try {
          spec = evaluate(code.slice(arg.start, arg.end), arg.start);
          const name = (spec as { name?: unknown } | null)?.name;
          if (typeof name === 'string') label = `'${name}'`;
          const problem = staticProblem(spec);
          if (problem !== null) throw new NotStatic(problem);
          def = defineHsm(spec as never) as HsmDefinition<unknown>;
        } catch (e) {
          skip(e instanceof NotStatic ? e.message : `evaluating its spec at build time failed (${e instanceof Error ? e.message : String(e)})`);
          continue;
        }
        const tables = tablesSource(spec, def, '__keelHsmTables');
        if (typeof tables === 'string') {
          skip(tables);
          continue;
        }
        const c = compileHsm(def, { form: options.form, exportName: `__keelHsmAot${counter}`, tables: `__keelHsmAot${counter}t` });
        counter++;
        consts.push(`const ${c.exportName}t = ${tables.expression};`);
        consts.push(`const ${c.exportName} = ${c.factory}(__keelHsmDefinitionError, __keelHsmUsageError);`);
        // defineHsm({...}) -> __keelDefineCompiledHsm(tables, {...}, compiled)
        edits.push({ at: call.start, end: arg.start, text: `__keelDefineCompiledHsm(${c.exportName}t, ` });
        edits.push({ at: arg.end, end: arg.end, text: `, ${c.exportName}` });
        compiledCalls.add(call);
        options.onCompiled?.({ id, name: def.name, line, form: c.form, reactions: c.reactions });
      }
      if (edits.length === 0) return null;
      edits.push(...unusedImportEdits(ast, compiledCalls));
      let out = code;
      for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
      const head =
        `import { defineCompiledHsm as __keelDefineCompiledHsm, hsmTables as __keelHsmTables, HsmDefinitionError as __keelHsmDefinitionError, HsmUsageError as __keelHsmUsageError } from ${JSON.stringify(hsmModule)};\n` +
        consts.join('\n') +
        '\n';
      return { code: head + out, map: null };
    },
  };
}

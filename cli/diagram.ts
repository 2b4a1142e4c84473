/**
 * cli/diagram: `keel diagram MODULE [--export NAME]... --format mermaid|svg|dot [--out FILE]`.
 *
 * Imports a built JavaScript module (a file path, or a package specifier
 * resolved from the current directory) and draws every machine definition
 * it exports (an `HsmDefinition` made by `defineHsm`), or only the exports
 * named by --export, in one diagram (cli/render.ts says what it shows).
 * Writes to FILE or to stdout. Host tooling: Node only, allocates freely.
 *
 *   args --parseArgs--> options --import(MODULE)--> exports --pick--> definitions
 *        --render(format)--> text --> stdout | FILE
 *
 * Mistakes are CliUsageErrors (exit code 2, one clear line): an unknown
 * option, a missing or extra MODULE, a bad --format, a module that cannot be
 * found or loaded, one that exports no definition, an --export naming
 * nothing or something that is not a definition, an unwritable --out.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CliUsageError } from './usage.js';
import { DIAGRAM_FORMATS, isDefinition, render, type Describable, type DiagramFormat } from './render.js';

export const USAGE = `usage: keel diagram MODULE [--export NAME]... --format mermaid|svg|dot [--out FILE]

Draws every machine definition (HsmDefinition, made by defineHsm) that a
built JavaScript module exports: nesting, initial transitions, guards,
internal and local transitions, deferral, history, after/every timers.

  MODULE         a .js/.mjs file, or a package specifier (resolved from the current directory)
  --export NAME  draw only this export (repeatable); default: every exported definition
  --format F     mermaid (stateDiagram-v2), dot (Graphviz) or svg (Graphviz in WebAssembly;
                 needs the @viz-js/viz package installed next to keel)
  --out FILE     write there instead of stdout
  --help         this text`;

const COMMAND = 'keel diagram';
const HINT = "run 'keel diagram --help' for usage";

function usage(message: string): CliUsageError {
  return new CliUsageError(COMMAND, message, HINT);
}

/** What `run` writes to (injected by tests). */
export interface DiagramIo {
  cwd: string;
  stdout(text: string): void;
}

const defaultIo: DiagramIo = { cwd: process.cwd(), stdout: (t) => process.stdout.write(t) };

/** Runs the command; returns the exit code (0). Throws CliUsageError for mistakes. */
export async function run(args: readonly string[], io: DiagramIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: args.slice(),
      allowPositionals: true,
      strict: true,
      options: {
        export: { type: 'string', short: 'e', multiple: true },
        format: { type: 'string', short: 'f' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (parsed.positionals.length === 0) throw usage('missing MODULE (a built .js file or a package specifier)');
  if (parsed.positionals.length > 1) throw usage(`one MODULE at a time (got ${parsed.positionals.length}: ${parsed.positionals.join(' ')})`);
  if (v.format === undefined) throw usage(`missing --format (one of ${DIAGRAM_FORMATS.join(', ')})`);
  if (!(DIAGRAM_FORMATS as readonly string[]).includes(v.format)) throw usage(`unknown --format '${v.format}' (use one of ${DIAGRAM_FORMATS.join(', ')})`);
  const format = v.format as DiagramFormat;
  const spec = parsed.positionals[0]!;
  const ns = await loadModule(spec, io.cwd);
  const defs = pick(ns, spec, v.export ?? []);
  let text: string;
  try {
    text = await render(defs, format);
  } catch (e) {
    if (format === 'svg' && isMissingModule(e)) {
      throw usage("--format svg needs the '@viz-js/viz' package (Graphviz in WebAssembly): npm install --save-dev @viz-js/viz");
    }
    throw e;
  }
  if (v.out === undefined) io.stdout(text);
  else {
    const file = resolve(io.cwd, v.out);
    try {
      writeFileSync(file, text);
    } catch (e) {
      throw usage(`cannot write --out ${v.out}: ${(e as Error).message}`);
    }
  }
  return 0;
}

function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** The definitions to draw: the named exports, or every exported definition (each once, in export order). */
export function pick(ns: Record<string, unknown>, spec: string, names: readonly string[]): Describable[] {
  const keys = Object.keys(ns);
  if (names.length > 0) {
    return names.map((n) => {
      if (!(n in ns)) throw usage(`--export ${n}: module ${spec} exports no '${n}' (its exports: ${keys.length === 0 ? 'none' : keys.join(', ')})`);
      const d = ns[n];
      if (!isDefinition(d)) throw usage(`--export ${n}: export '${n}' of ${spec} is not a machine definition (an HsmDefinition made by defineHsm)`);
      return d;
    });
  }
  const out: Describable[] = [];
  for (const k of keys) {
    const d = ns[k];
    if (isDefinition(d) && !out.includes(d)) out.push(d);
  }
  if (out.length === 0)
    throw usage(
      `module ${spec} exports no machine definition (an HsmDefinition made by defineHsm); ` +
        `export one (export const machine = defineHsm({...})) or name it with --export (its exports: ${keys.length === 0 ? 'none' : keys.join(', ')})`,
    );
  return out;
}

/** Imports MODULE: a file path (relative to cwd) or a package specifier resolved from cwd. */
async function loadModule(spec: string, cwd: string): Promise<Record<string, unknown>> {
  const file = looksLikePath(spec) ? resolve(cwd, spec) : resolvePackage(spec, cwd);
  if (!existsSync(file) || !statSync(file).isFile()) throw usage(`module ${spec} not found (no file ${file})`);
  if (/\.[cm]?tsx?$/.test(file)) throw usage(`module ${spec} is TypeScript source; build it to JavaScript first (keel diagram imports a built module)`);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw usage(`cannot load module ${spec}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.[cm]?[jt]sx?$/.test(spec) || spec.includes('\\');
}

/**
 * A package specifier (`pkg`, `pkg/sub`, `@scope/pkg/sub`) to a file, as Node
 * resolves an import from `cwd`: the nearest node_modules/pkg up from cwd, its
 * `exports` (conditions import, node, default; exact subpaths and one `*`
 * pattern), else `main` or index.js for the bare name and the file for a subpath.
 */
function resolvePackage(spec: string, cwd: string): string {
  const m = /^((?:@[^/]+\/)?[^/@][^/]*)(\/.*)?$/.exec(spec);
  if (m === null) throw usage(`module ${spec} is neither a file path nor a package specifier`);
  const name = m[1]!;
  const sub = m[2] === undefined ? '.' : '.' + m[2];
  for (let dir = resolve(cwd); ; ) {
    const pkgDir = join(dir, 'node_modules', name);
    const pj = join(pkgDir, 'package.json');
    if (existsSync(pj)) {
      const pkg = JSON.parse(readFileSync(pj, 'utf8')) as { exports?: unknown; main?: string };
      if (pkg.exports !== undefined) {
        const target = exportTarget(pkg.exports, sub);
        if (target === null) throw usage(`module ${spec}: package ${name} does not export '${sub}'`);
        return join(pkgDir, target);
      }
      return join(pkgDir, sub === '.' ? (pkg.main ?? 'index.js') : sub);
    }
    const up = dirname(dir);
    if (up === dir) throw usage(`module ${spec} not found (no node_modules/${name} from ${cwd} up)`);
    dir = up;
  }
}

function conditional(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const r = conditional(x);
      if (r !== null) return r;
    }
    return null;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const c of ['import', 'node', 'default']) if (c in o) {
      const r = conditional(o[c]);
      if (r !== null) return r;
    }
  }
  return null;
}

function exportTarget(exports: unknown, sub: string): string | null {
  const isMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  if (!isMap) return sub === '.' ? conditional(exports) : null;
  const map = exports as Record<string, unknown>;
  if (sub in map) return conditional(map[sub]);
  for (const [k, v] of Object.entries(map)) {
    const star = k.indexOf('*');
    if (star < 0) continue;
    const pre = k.slice(0, star);
    const post = k.slice(star + 1);
    if (sub.startsWith(pre) && sub.endsWith(post) && sub.length >= pre.length + post.length) {
      const t = conditional(v);
      if (t !== null) return t.replace('*', sub.slice(pre.length, sub.length - post.length));
    }
  }
  return null;
}

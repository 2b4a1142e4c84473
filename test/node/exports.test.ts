// The package's public surface (issue 15): for every subpath of package.json
// "exports", the names a user can import at run time (the built module) and
// the names its declarations export (dist/types, or the host's .d.ts), against
// the reviewed list test/node/exports.reviewed.json. An export added or
// removed without review fails here. To review a change: look at the diff the
// failure prints, then rewrite the list with
//
//   KEEL_UPDATE_EXPORTS=1 node scripts/test.mjs test/node/exports --engine node
//
// and commit test/node/exports.reviewed.json with the change (the diff of the
// list is the review). Also checked: the moddable build exports the same
// names as the Node build, the shipped declarations compile on their own (no
// reference to a name stripInternal removed), and every run-time export is
// named in README.md or a docs/*.md page ("export only what the docs
// document": no exceptions; document a new export where its module is
// documented, or keep it out of the public modules, e.g. in src/internal/).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { findRoot } from '../support/repo-root.js';

const repo = findRoot();
const REVIEWED = join(repo, 'test', 'node', 'exports.reviewed.json');
const UPDATE = process.env.KEEL_UPDATE_EXPORTS === '1';

interface Surface {
  /** Names the module exports at run time (sorted). */
  runtime: string[];
  /** Names the module's declarations export: values and types (sorted). */
  types: string[];
}
type Conditions = { types?: string; moddable?: string; import?: string };
/** test/node/exports.reviewed.json */
interface Reviewed {
  /** Subpath -> its reviewed surface. */
  exports: Record<string, Surface>;
}

/** 'subpath: name' for each run-time export that README.md and docs/*.md never name (./index is '.' again: skipped). */
function findUndocumented(surface: Record<string, Surface>): string[] {
  const docs = [join(repo, 'README.md'), ...readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(repo, 'docs', f))]
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const out: string[] = [];
  for (const [key, s] of Object.entries(surface)) {
    if (key === './index') continue;
    for (const name of s.runtime) {
      if (name === 'default') continue;
      if (!new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/\$/g, '\\$')}($|[^A-Za-z0-9_$])`, 'm').test(docs)) out.push(`${key}: ${name}`);
    }
  }
  return out;
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

/** Export names of the modules at `files` (declarations, or JS with allowJs), by the TypeScript checker. */
function checkerExports(files: string[], values: boolean): Map<string, string[]> {
  const program = ts.createProgram(files, {
    allowJs: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const f of files) {
    const source = program.getSourceFile(f);
    assert.ok(source, `${f} is in the program`);
    const symbol = checker.getSymbolAtLocation(source);
    // A module with no import or export statement has no module symbol: it exports nothing.
    const exported = symbol ? checker.getExportsOfModule(symbol) : [];
    const names = exported
      .filter((s) => {
        if (!values) return true;
        const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
        return (target.flags & ts.SymbolFlags.Value) !== 0 || target.flags === ts.SymbolFlags.None;
      })
      .map((s) => s.getName());
    out.set(f, sorted(names));
  }
  return out;
}

describe('the package exports (reviewed list: test/node/exports.reviewed.json)', function () {
  this.timeout(300000);
  const surface: Record<string, Surface> = {};
  const moddableRuntime: Record<string, string[]> = {};
  let exportsMap: Record<string, Conditions> = {};
  let undocumented: string[] = [];

  before(async function () {
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, `node scripts/build.mjs:\n${r.stdout}\n${r.stderr}`);
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, string | Conditions> };
    exportsMap = {};
    for (const [key, v] of Object.entries(pkg.exports)) if (typeof v !== 'string' && v.types !== undefined) exportsMap[key] = v;
    const declarations = Object.values(exportsMap).map((c) => join(repo, c.types!));
    const typeNames = checkerExports(declarations, false);
    const moddableFiles = Object.values(exportsMap)
      .filter((c) => c.moddable !== undefined)
      .map((c) => join(repo, c.moddable!));
    const moddableNames = checkerExports(moddableFiles, true);
    for (const [key, c] of Object.entries(exportsMap)) {
      let runtime: string[];
      if (c.import !== undefined) {
        const m = (await import(pathToFileURL(join(repo, c.import)).href)) as Record<string, unknown>;
        runtime = sorted(Object.keys(m));
      } else {
        // Moddable-only subpaths (keel/host/*) import SDK modules Node does not have: their names come from the JS.
        runtime = moddableNames.get(join(repo, c.moddable!))!;
      }
      if (c.moddable !== undefined) moddableRuntime[key] = moddableNames.get(join(repo, c.moddable))!;
      surface[key] = { runtime, types: typeNames.get(join(repo, c.types!))! };
    }
    undocumented = findUndocumented(surface);
    if (UPDATE) {
      const ordered: Reviewed = { exports: Object.fromEntries(Object.keys(surface).sort().map((k) => [k, surface[k]!])) };
      writeFileSync(REVIEWED, JSON.stringify(ordered, null, 2) + '\n');
      console.log(`      KEEL_UPDATE_EXPORTS=1: rewrote ${REVIEWED}`);
    }
  });

  it('every subpath with declarations matches the reviewed list, run time and types', function () {
    assert.ok(existsSync(REVIEWED), `${REVIEWED} is missing: KEEL_UPDATE_EXPORTS=1 node scripts/test.mjs test/node/exports --engine node writes it`);
    const reviewed = (JSON.parse(readFileSync(REVIEWED, 'utf8')) as Reviewed).exports;
    const problems: string[] = [];
    for (const key of sorted([...Object.keys(reviewed), ...Object.keys(surface)])) {
      const now = surface[key];
      const was = reviewed[key];
      if (now === undefined) {
        problems.push(`${key}: in the reviewed list, no longer in package.json "exports"`);
        continue;
      }
      if (was === undefined) {
        problems.push(`${key}: new subpath, not reviewed (runtime: ${now.runtime.join(', ') || '-'}; types: ${now.types.join(', ') || '-'})`);
        continue;
      }
      for (const side of ['runtime', 'types'] as const) {
        const added = now[side].filter((n) => !was[side].includes(n));
        const removed = was[side].filter((n) => !now[side].includes(n));
        if (added.length) problems.push(`${key} ${side}: added ${added.join(', ')}`);
        if (removed.length) problems.push(`${key} ${side}: removed ${removed.join(', ')}`);
      }
    }
    assert.deepEqual(
      problems,
      [],
      `the package's exports differ from the reviewed list:\n  ${problems.join('\n  ')}\n` +
        'If the change is intended, review it and rewrite the list with\n' +
        '  KEEL_UPDATE_EXPORTS=1 node scripts/test.mjs test/node/exports --engine node\n' +
        'then commit test/node/exports.reviewed.json with the change (docs/contributing.md, "Public exports").',
    );
  });

  it('the moddable build of each subpath exports the same run-time names as the Node build', function () {
    let n = 0;
    for (const [key, c] of Object.entries(exportsMap)) {
      if (c.import === undefined || c.moddable === undefined) continue;
      assert.deepEqual(moddableRuntime[key], surface[key]!.runtime, `${key}: ${c.moddable} vs ${c.import}`);
      n++;
    }
    assert.ok(n >= 14, `${n} subpaths compared`);
  });

  it('every run-time export is also declared (types include runtime)', function () {
    for (const [key, s] of Object.entries(surface)) {
      const missing = s.runtime.filter((n) => !s.types.includes(n));
      assert.deepEqual(missing, [], `${key}: run-time exports without a declaration`);
    }
  });

  it('the shipped declarations (dist/types) compile on their own: nothing refers to a stripped @internal name', function () {
    const dir = join(repo, 'dist', 'types');
    const files = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => join(dir, f));
    // A consumer's view: the declarations, strict, no skipLibCheck (they are the "library" here).
    const program = ts.createProgram(files, {
      noEmit: true,
      strict: true,
      skipLibCheck: false,
      types: [],
      lib: ['lib.es2022.d.ts'],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.slice(repo.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
      return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
    });
    assert.deepEqual(diagnostics, [], 'dist/types does not compile on its own');
    assert.ok(files.length >= 13, `${files.length} declaration files`);
  });

  it('every run-time export is named in README.md or a docs/*.md page', function () {
    let n = 0;
    for (const s of Object.values(surface)) n += s.runtime.length;
    assert.ok(n >= 100, `${n} run-time exports checked`);
    assert.deepEqual(
      undocumented,
      [],
      'run-time exports no doc names (subpath: name): document each in its module\'s page (README.md, docs/*.md; ' +
        'constants as a name | value | meaning table) or stop exporting it (private helpers go in src/internal/).',
    );
  });
});

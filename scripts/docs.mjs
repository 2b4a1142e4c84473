// `npm run docs`: generated documentation. Today: the state diagrams of the
// example firmware's machines (debouncer, blinker, port, parser), drawn from
// their definitions by the `keel diagram` renderers (cli/render.ts), into
// docs/diagrams/NAME.mmd (Mermaid), NAME.dot (Graphviz) and NAME.svg
// (Graphviz in WebAssembly), and embedded in docs/examples.md between
// `<!-- diagram:NAME -->` and `<!-- /diagram -->`. test/node/diagram.test.ts
// fails when these files are out of date (an example changed without
// `npm run docs`).
// Then the measured tables and figures (scripts/docs-tables.ts): every
// `<!-- bench:table ID -->` and `<!-- bench:value ROW COLUMN -->` block in
// README.md and docs/*.md is rendered from bench/results (specs in
// docs/bench-tables.json); test/node/docs-tables.test.ts fails when a doc
// differs (a bench run without `npm run docs`).
//   node scripts/docs.mjs [--check]   --check: write nothing, exit 1 if a file would change
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleForNode, root } from './bundle.mjs';

const check = process.argv.includes('--check');
const work = join(root, 'build', 'docs', `run-${process.pid}`);
const [entry, tablesEntry] = await bundleForNode([join(root, 'scripts', 'docs-diagrams.ts'), join(root, 'scripts', 'docs-tables.ts')], work);
const gen = await import(entry);
const tables = await import(tablesEntry);
const files = await gen.exampleDiagramFiles();
const md = join(root, 'docs', 'examples.md');
const before = readFileSync(md, 'utf8');
const embedded = gen.embeddedDiagrams(before);
for (const name of gen.DIAGRAM_MACHINES) if (!embedded.includes(name)) console.error(`npm run docs: docs/examples.md embeds no <!-- diagram:${name} --> (only docs/diagrams/ has it)`);
files.set('docs/examples.md', gen.embedDiagrams(before, files));
try {
  for (const [rel, text] of tables.benchDocFiles(root, files)) files.set(rel, text);
} catch (e) {
  if (e?.name !== 'BenchDocsError') throw e;
  console.error(`npm run docs: ${e.message}`);
  process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
const spec = tables.readSpec(root);
const used = new Set(tables.benchDocPaths(root).flatMap((rel) => tables.usedTables(files.get(rel) ?? readFileSync(join(root, rel), 'utf8'))));
for (const id of Object.keys(spec.tables)) if (!used.has(id)) console.error(`npm run docs: table '${id}' of ${tables.SPEC_FILE} is used by no <!-- bench:table ${id} --> marker`);

let changed = 0;
for (const [rel, text] of files) {
  const file = join(root, rel);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : null;
  if (old === text) continue;
  changed++;
  if (check) {
    console.error(`npm run docs: ${rel} is out of date`);
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}
console.log(`npm run docs: ${files.size} files, ${changed} ${check ? 'out of date' : 'changed'}`);
if (check && changed > 0) process.exit(1);

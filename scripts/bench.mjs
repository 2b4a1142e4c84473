// `npm run bench`: runs bench/*.bench.ts on Node (ns/op) and on the keel-xs
// host (XS steps, slots and chunk bytes per op) in one invocation, prints one
// table and writes bench/results/latest.json. Also (Node only, unless filtered
// out) bench/xthread/: SharedEventQueue against ringbuf.js across worker
// threads (rows 'xthread: ...', ns per event).
//
//   node scripts/bench.mjs [--engine node|xs|both] [bench name filters...]
//
// A benchmark, not a test: nothing in `npm test` depends on these numbers.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, basename } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { bundleForNode, bundleForXs, root } from './bundle.mjs';
import { ensureXsHost } from '../hosts/xs/build.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { engine: { type: 'string', default: 'both' }, 'min-ms': { type: 'string', default: '200' } },
});
const minMs = Number(values['min-ms']);

const benchDir = join(root, 'bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => positionals.length === 0 || positionals.some((p) => f.includes(p)))
  .sort()
  .map((f) => join(benchDir, f));
// The cross-thread bench (bench/xthread/: Node worker_threads, Node only) runs unless filtered out.
const xthread = positionals.length === 0 || positionals.some((p) => 'xthread'.includes(p));
if (files.length === 0 && !xthread) {
  console.error('no bench files match');
  process.exit(64);
}

/** Node: ns per op, the median of 5 timed rounds, each long enough to read (>= minMs / 5). */
function timeOnNode(fn, ops) {
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms >= minMs / 5 || n >= 1 << 30) break;
    n *= ms < 1 ? 16 : 2;
  }
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    rounds.push(Number(process.hrtime.bigint() - t0) / (n * ops));
  }
  rounds.sort((a, b) => a - b);
  return rounds[2];
}

const rows = [];

async function runNode() {
  const out = join(root, 'build', 'bench', 'node');
  rmSync(out, { recursive: true, force: true });
  const built = await bundleForNode(files, out);
  for (const f of built) {
    const file = (await import(pathToFileURL(f).href)).default;
    for (const c of file.cases) {
      if (c.xsOnly) continue; // needs the keel-xs host
      const fn = c.make();
      rows.push({
        bench: file.name,
        name: c.name,
        engine: 'node',
        baseline: c.baseline ?? null,
        nsPerOp: timeOnNode(fn, c.opsPerCall ?? 1),
        stepsPerOp: null,
        slotsPerOp: null,
        chunkBytesPerOp: null,
      });
    }
  }
}

async function runXs() {
  const bin = await ensureXsHost();
  for (const f of files) {
    const out = join(root, 'build', 'bench', 'xs', basename(f).replace(/\.ts$/, '.js'));
    const harness = join(root, 'bench', 'harness.ts');
    const entryCode =
      `import file from ${JSON.stringify(f)};\n` +
      `import { runOnXs } from ${JSON.stringify(harness)};\n` +
      `runOnXs(file, (line) => print(line));\n`;
    await bundleForXs([f], out, { entryCode, debug: false });
    const lines = await new Promise((resolvePromise, reject) => {
      const child = spawn(bin, [out], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', (code) =>
        code === 0 ? resolvePromise(text.split('\n')) : reject(new Error(`keel-xs exited with status ${code} running ${basename(f)}`)),
      );
    });
    for (const line of lines) {
      if (!line.startsWith('KEEL-BENCH ')) {
        if (line) console.log(line);
        continue;
      }
      const r = JSON.parse(line.slice('KEEL-BENCH '.length));
      rows.push({
        bench: r.bench,
        name: r.name,
        engine: 'xs',
        baseline: r.baseline,
        nsPerOp: null,
        stepsPerOp: r.stepsPerOp,
        slotsPerOp: r.slotsPerOp,
        chunkBytesPerOp: r.chunkBytesPerOp,
        collections: r.collections,
        figures: r.figures ?? null,
      });
    }
  }
}

/** bench/xthread/run.ts: SharedEventQueue against ringbuf.js across threads; its rows have the same fields. */
async function runXthread() {
  const out = join(root, 'build', 'bench', 'xthread');
  rmSync(out, { recursive: true, force: true });
  const [runner] = await bundleForNode([join(benchDir, 'xthread', 'run.ts'), join(benchDir, 'xthread', 'producer.worker.ts')], out);
  const { runXthread: run } = await import(pathToFileURL(runner).href);
  rows.push(...(await run({ log: (line) => console.log(line) })));
}

if (values.engine !== 'xs' && files.length > 0) await runNode();
if (values.engine !== 'xs' && xthread) await runXthread();
if (values.engine !== 'node' && files.length > 0) await runXs();

for (const r of rows) {
  const base = r.baseline && rows.find((b) => b.bench === r.bench && b.engine === r.engine && b.name === r.baseline);
  const metric = (x) => (r.engine === 'node' ? x.nsPerOp : x.stepsPerOp);
  r.ratio = base ? metric(r) / metric(base) : null;
}

const fmt = (v, d = 1) => (v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(d));
const header = ['bench', 'name', 'engine', 'ns/op', 'XS steps/op', 'slots/op', 'chunk B/op', 'ratio', 'baseline'];
const table = rows.map((r) => [
  r.bench,
  r.name,
  r.engine,
  fmt(r.nsPerOp, 1),
  fmt(r.stepsPerOp, 1),
  fmt(r.slotsPerOp, 2) + (r.collections ? ` (${r.collections} GC)` : ''),
  fmt(r.chunkBytesPerOp, 1),
  r.ratio === null ? '-' : r.ratio.toFixed(2) + 'x',
  r.baseline ?? '(baseline)',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
const line = (cells) => cells.map((c, i) => (i < 3 || i === 8 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const t of table) console.log(line(t));
for (const r of rows.filter((x) => x.figures)) {
  console.log(`\n${r.bench}: ${r.name} (${r.engine}), measured figures:`);
  for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(32)} ${fmt(v, 1)}`);
}

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const json = rows.map((r) => ({
  name: `${r.bench}: ${r.name}`,
  engine: r.engine,
  baseline: r.baseline ? `${r.bench}: ${r.baseline}` : null,
  nsPerOp: r.nsPerOp,
  stepsPerOp: r.stepsPerOp,
  slotsPerOp: r.slotsPerOp,
  chunkBytesPerOp: r.chunkBytesPerOp,
  ratio: r.ratio,
  ...(r.figures ? { figures: r.figures } : {}),
}));
// A partial run (some bench files, or one engine) replaces only its own rows.
const latest = join(root, 'bench', 'results', 'latest.json');
const ran = new Set(rows.map((r) => `${r.bench}:${r.engine}`));
let kept = [];
if (existsSync(latest)) {
  try {
    kept = JSON.parse(readFileSync(latest, 'utf8')).filter((r) => !ran.has(`${r.name.split(':')[0]}:${r.engine}`));
  } catch {
    kept = [];
  }
}
const merged = [...kept, ...json];
writeFileSync(latest, JSON.stringify(merged, null, 2) + '\n');
console.log(`\nwrote bench/results/latest.json (${json.length} rows from this run, ${merged.length} in all)`);

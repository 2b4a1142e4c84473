// `npm start`: runs the example firmware (examples/) on the simulator host
// with a scripted scenario, prints a live trace and ends with a report.
//
//   npm start -- [--example port-reset|blinky|uart-lines|all] [--duration MS]
//                [--engine node|xs] [--seed N] [--faults] [--quiet]
//                [--trace FILE.ktr] [--report FILE.html]
//
// --engine node (default) bundles examples/run.ts for Node and runs it here.
// --engine xs bundles the same code for the keel-xs engine host
// (hosts/xs/build.mjs) and runs it there: the XS side prints the trace and the
// report, including the slots and chunk bytes allocated after boot, measured
// around every simulator step with the engine's own counters.
// Progress ("virtual ms / total") goes to stderr, only when stderr is a TTY.
// --trace / --report switch on the Keel trace ring (src/trace.ts) in the
// kernel and write its records as a .ktr file (docs/trace-format.md; read it
// with `keel trace FILE`) and/or a self-contained HTML report page
// (tools/trace/session.ts). On XS the capture prints `KTR:<hex>` lines that
// this script turns back into the file.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleForNode, bundleForXs, root } from './bundle.mjs';
import { ensureXsHost } from '../hosts/xs/build.mjs';

const USAGE = `usage: npm start -- [options]
  --example NAME   port-reset, blinky, uart-lines, a comma list, or all (default all)
  --duration MS    virtual milliseconds to run (default 4000; the scenario repeats every 4000)
  --engine ENGINE  node (default) or xs (the XS engine host; reports allocation after boot)
  --seed N         simulator seed: contact bounce and fault timing (default 1)
  --faults         add fault injection: interrupt storms and a burst of 10x the queue capacity,
                   a pool hold and a late tick, then normal input to show the machines respond
  --quiet          no live trace, only the report
  --trace FILE     record the Keel trace (kernel, machines, pool) into FILE (.ktr; read with keel trace FILE)
  --report FILE    write one self-contained HTML page: diagrams, timeline, queue depth, pool free, the report
  --help`;

function fail(message) {
  console.error(`npm start: ${message}\n${USAGE}`);
  process.exit(64);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      example: { type: 'string', short: 'e', default: 'all' },
      duration: { type: 'string', short: 'd', default: '4000' },
      engine: { type: 'string', default: 'node' },
      seed: { type: 'string', default: '1' },
      faults: { type: 'boolean', default: false },
      quiet: { type: 'boolean', short: 'q', default: false },
      trace: { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (e) {
  fail(e.message);
}
const v = parsed.values;
if (v.help) {
  console.log(USAGE);
  process.exit(0);
}
const durationMs = Number(v.duration);
if (!(durationMs > 0) || !Number.isFinite(durationMs)) fail(`--duration must be a positive number of ms (got ${v.duration})`);
const seed = Number(v.seed);
if (!Number.isInteger(seed) || seed < 0) fail(`--seed must be a non-negative integer (got ${v.seed})`);
if (v.engine !== 'node' && v.engine !== 'xs') fail(`--engine must be node or xs (got ${v.engine})`);
const EXAMPLES = ['port-reset', 'blinky', 'uart-lines'];
const examples = v.example === 'all' ? EXAMPLES : v.example.split(',').map((s) => s.trim());
for (const e of examples) if (!EXAMPLES.includes(e)) fail(`unknown example "${e}"; use one of ${EXAMPLES.join(', ')} or all`);

if (v.trace === '' || v.report === '') fail('--trace and --report need a file name');
const tracing = v.trace !== undefined || v.report !== undefined;
// Records the trace ring holds between two drains (one simulator step).
const TRACE_RING = 4096;
const options = { examples, durationMs, seed, quiet: v.quiet, faults: v.faults, engine: v.engine, traceCapacity: tracing ? TRACE_RING : 0 };
const sessionEntry = join(root, 'tools', 'trace', 'session.ts');
let session = null;
async function openSession(mod) {
  session = new mod.TraceSession({
    traceFile: v.trace ?? null,
    reportFile: v.report ?? null,
    host: `sim (${v.engine})`,
    title: `keel examples: ${examples.join(', ')} (${v.engine}, ${durationMs} ms, seed ${seed}${v.faults ? ', faults' : ''})`,
  });
}
async function closeSession(definitions) {
  if (session === null) return;
  const d = await session.close(definitions);
  if (v.trace !== undefined) console.error(`npm start: trace written to ${v.trace} (${d.records.length} records, ${d.objects.size} objects)`);
  if (v.report !== undefined) console.error(`npm start: report written to ${v.report}`);
}
const entry = join(root, 'examples', 'run.ts');
const buildDir = join(root, 'build', 'start', `run-${process.pid}`);
const showProgress = process.stderr.isTTY === true;
let progressShown = false;
function progress(now, end) {
  if (!showProgress) return;
  const pct = Math.floor((100 * now) / end);
  process.stderr.write(`\r  ${(now / 1000).toFixed(1)} s / ${(end / 1000).toFixed(1)} s virtual (${pct}%)  `);
  progressShown = true;
}
function clearProgress() {
  if (progressShown) process.stderr.write('\r' + ' '.repeat(50) + '\r');
  progressShown = false;
}
function line(text) {
  clearProgress();
  if (session !== null) session.line(text);
  process.stdout.write(text + '\n');
}

async function runOnNode() {
  const [built, sessionBuilt] = await bundleForNode(tracing ? [entry, sessionEntry] : [entry], join(buildDir, 'node'));
  const mod = await import(pathToFileURL(built).href);
  if (tracing) await openSession(await import(pathToFileURL(sessionBuilt).href));
  mod.runExamples(options, line, progress, null, session === null ? null : session.observer);
  clearProgress();
  if (session !== null) {
    session.end();
    await closeSession(null);
  }
  return 0;
}

async function runOnXs() {
  const bin = await ensureXsHost();
  const file = join(buildDir, 'xs', 'start.js');
  const prelude = readFileSync(join(root, 'hosts', 'xs', 'prelude.js'), 'utf8');
  // Progress lines are a private protocol between the XS script and this process.
  if (tracing) await openSession(await import(pathToFileURL((await bundleForNode([sessionEntry], join(buildDir, 'node')))[0]).href));
  // With --trace/--report the capture runs in XS too and prints each chunk of frames as a KTR:<hex> line.
  const traceImports = tracing
    ? `import { TraceCapture, toHexLine } from ${JSON.stringify(join(root, 'hosts', 'sim', 'trace-capture.ts'))};
import { capacityOf, definitionsOf } from ${JSON.stringify(join(root, 'tools', 'trace', 'run-support.ts'))};
let capture = null;
let traced = null;
const reportLines = [];
let inReport = false;
const observer = {
  boot(run) {
    traced = run;
    capture = new TraceCapture(run.trace, (chunk) => print(toHexLine(chunk)), { host: 'sim (xs)' });
    capture.begin(definitionsOf(run), capacityOf(run));
  },
  step() {
    capture.drain();
  },
};
const out = (line) => {
  print(line);
  if (line === '==== report ====') inReport = true;
  else if (inReport && line !== '') reportLines.push(line);
};
`
    : `const observer = null;
const out = (line) => print(line);
`;
  const entryCode = `import { runExamples } from ${JSON.stringify(entry)};
${traceImports}const progress = (now, end) => print('KEEL-PROGRESS ' + now + ' ' + end);
try {
  runExamples(${JSON.stringify(options)}, out, progress, $xs, observer);
  if (observer !== null) capture.finish(traced.sim.now(), reportLines);
  $xs.exit(0);
} catch (e) {
  print('npm start (xs): ' + e.name + ': ' + e.message);
  $xs.exit(1);
}
`;
  await bundleForXs([], file, { prefix: prelude, entryCode });
  return await new Promise((resolvePromise) => {
    const child = spawn(bin, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (text.startsWith('KEEL-PROGRESS ')) {
          const [now, end] = text.slice('KEEL-PROGRESS '.length).split(' ').map(Number);
          progress(now, end);
        } else if (text.startsWith('KTR:') && session !== null) session.hexLine(text);
        else line(text);
      }
    });
    child.on('close', (code) => {
      if (buffered) line(buffered);
      clearProgress();
      if (session === null || code !== 0) resolvePromise(code ?? 1);
      else closeSession(null).then(() => resolvePromise(0), (e) => {
        console.error(`npm start: ${e && e.stack ? e.stack : e}`);
        resolvePromise(1);
      });
    });
  });
}

let code = 1;
try {
  code = v.engine === 'xs' ? await runOnXs() : await runOnNode();
} catch (e) {
  console.error(`npm start: ${e && e.stack ? e.stack : e}`);
  code = 1;
} finally {
  rmSync(buildDir, { recursive: true, force: true });
}
process.exit(code);

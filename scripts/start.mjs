// `npm start`: runs the example firmware (examples/) on the simulator host
// with a scripted scenario, prints a live trace and ends with a report.
//
//   npm start -- [--example port-reset|blinky|uart-lines|all] [--duration MS]
//                [--engine node|xs] [--seed N] [--faults] [--quiet]
//
// --engine node (default) bundles examples/run.ts for Node and runs it here.
// --engine xs bundles the same code for the keel-xs engine host
// (hosts/xs/build.mjs) and runs it there: the XS side prints the trace and the
// report, including the slots and chunk bytes allocated after boot, measured
// around every simulator step with the engine's own counters.
// Progress ("virtual ms / total") goes to stderr, only when stderr is a TTY.
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

const options = { examples, durationMs, seed, quiet: v.quiet, faults: v.faults, engine: v.engine };
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
  process.stdout.write(text + '\n');
}

async function runOnNode() {
  const [built] = await bundleForNode([entry], join(buildDir, 'node'));
  const mod = await import(pathToFileURL(built).href);
  mod.runExamples(options, line, progress, null);
  clearProgress();
  return 0;
}

async function runOnXs() {
  const bin = await ensureXsHost();
  const file = join(buildDir, 'xs', 'start.js');
  const prelude = readFileSync(join(root, 'hosts', 'xs', 'prelude.js'), 'utf8');
  // Progress lines are a private protocol between the XS script and this process.
  const entryCode = `import { runExamples } from ${JSON.stringify(entry)};
const progress = (now, end) => print('KEEL-PROGRESS ' + now + ' ' + end);
try {
  runExamples(${JSON.stringify(options)}, (line) => print(line), progress, $xs);
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
        } else line(text);
      }
    });
    child.on('close', (code) => {
      if (buffered) line(buffered);
      clearProgress();
      resolvePromise(code ?? 1);
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

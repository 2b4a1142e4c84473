// `npm run soak`: the long seeded hostile-writer fuzz of SharedEventQueue and
// SharedStream (issue 19). `npm test` runs a short version of each part.
//
//   node scripts/soak.mjs [--first SEED] [--seeds N] [--steps N] [--xs-seeds N] [--xs-steps N]
//                         [--hostile-seeds N] [--hostile-ms MS] [--skip node,xs,threads]
//
// 1. node:    fuzzSharedQueue and fuzzSharedStream (test/support/shared-fuzz.ts) on Node,
//             seeds first .. first + seeds - 1, `steps` steps each.
// 2. xs:      the same on the XS engine host, fewer seeds (~50-100x slower).
// 3. threads: test/node/shared-hostile.test.ts (a hostile writer on another
//             thread) with KEEL_SOAK_HOSTILE="hostile-seeds,hostile-ms".
// Prints the seeds, steps and outcome counts of each part; exits 1 on any
// violation (the first ones are printed with their seed and options).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { bundleForNode, bundleForXs, root } from './bundle.mjs';
import { ensureXsHost } from '../hosts/xs/build.mjs';

const { values } = parseArgs({
  options: {
    first: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '1000' },
    steps: { type: 'string', default: '20000' },
    'xs-seeds': { type: 'string', default: '100' },
    'xs-steps': { type: 'string', default: '5000' },
    'hostile-seeds': { type: 'string', default: '20' },
    'hostile-ms': { type: 'string', default: '3000' },
    skip: { type: 'string', default: '' },
  },
});
const num = (k) => {
  const n = Number(values[k]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${k} must be an integer >= 0 (got ${values[k]})`);
    process.exit(64);
  }
  return n;
};
const first = num('first');
const skip = new Set(values.skip.split(',').filter(Boolean));
const fuzz = join(root, 'test', 'support', 'shared-fuzz.ts');
const dir = join(root, 'build', 'soak', `run-${process.pid}`);
let failed = 0;

function report(part, kind, seeds, steps, counts, violations, ms) {
  console.log(`${part} ${kind}: seeds ${first}..${first + seeds - 1} x ${steps} steps, ${ms} ms`);
  console.log(`  outcomes: ${JSON.stringify(counts)}`);
  if (violations.length) {
    failed++;
    console.log(`  VIOLATIONS (first ${violations.length}):`);
    for (const v of violations) console.log(`    ${v}`);
  } else console.log('  violations: none');
}

async function onNode() {
  const seeds = num('seeds');
  const steps = num('steps');
  const [built] = await bundleForNode([fuzz], join(dir, 'node'));
  const f = await import(pathToFileURL(built).href);
  for (const [kind, run, make] of [
    ['SharedEventQueue', f.fuzzSharedQueue, f.queueCounts],
    ['SharedStream', f.fuzzSharedStream, f.streamCounts],
  ]) {
    const counts = make();
    const violations = [];
    const t0 = Date.now();
    for (let s = first; s < first + seeds; s++) {
      run(s, steps, counts, violations);
      if ((s - first + 1) % 100 === 0) process.stdout.write(`  node ${kind}: ${s - first + 1}/${seeds} seeds\r`);
    }
    report('node', kind, seeds, steps, counts, violations, Date.now() - t0);
  }
}

async function onXs() {
  const seeds = num('xs-seeds');
  const steps = num('xs-steps');
  const bin = await ensureXsHost();
  const file = join(dir, 'xs', 'soak.js');
  const entryCode =
    `import { fuzzSharedQueue, fuzzSharedStream, queueCounts, streamCounts } from ${JSON.stringify(fuzz)};\n` +
    `for (const [kind, run, make] of [['SharedEventQueue', fuzzSharedQueue, queueCounts], ['SharedStream', fuzzSharedStream, streamCounts]]) {\n` +
    `  const counts = make(); const violations = []; const t0 = Date.now();\n` +
    `  for (let s = ${first}; s < ${first + seeds}; s++) run(s, ${steps}, counts, violations);\n` +
    `  print('KEEL-SOAK ' + JSON.stringify({ kind, counts, violations, ms: Date.now() - t0 }));\n` +
    `}\n`;
  await bundleForXs([], file, { entryCode });
  const text = await new Promise((resolve, reject) => {
    const child = spawn(bin, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`keel-xs exited with status ${code}`))));
  });
  for (const line of text.split('\n')) {
    if (!line.startsWith('KEEL-SOAK ')) {
      if (line) console.log(line);
      continue;
    }
    const r = JSON.parse(line.slice('KEEL-SOAK '.length));
    report('xs', r.kind, seeds, steps, r.counts, r.violations, r.ms);
  }
}

async function onThreads() {
  const seeds = num('hostile-seeds');
  const ms = num('hostile-ms');
  console.log(`threads: test/node/shared-hostile.test.ts, seeds 1..${seeds} x ${ms} ms per seed and kind`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'test.mjs'), 'test/node/shared-hostile', '--engine', 'node'], {
      stdio: 'inherit',
      env: { ...process.env, KEEL_SOAK_HOSTILE: `${seeds},${ms}` },
    });
    child.on('close', resolve);
  });
  if (code !== 0) failed++;
}

try {
  if (!skip.has('node')) await onNode();
  if (!skip.has('xs')) await onXs();
  if (!skip.has('threads')) await onThreads();
} catch (e) {
  failed++;
  console.error(e && e.message ? e.message : e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? `soak: ${failed} part(s) FAILED` : 'soak: all parts passed');
process.exit(failed ? 1 : 0);

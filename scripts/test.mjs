// `npm test`: the mocha suite on Node, then the same test files on the XS
// engine host (mocha's browser build inside keel-xs). Prints a summary per
// engine and fails if either engine fails.
//
//   node scripts/test.mjs [--engine node|xs|both] [--grep RE] [test files...]
//
// Test files are test/**/*.test.ts. Files under test/node/ use Node APIs
// (worker_threads, ...) and run on Node only.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, rmSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { bundleForNode, bundleForXs, root } from './bundle.mjs';
import { ensureXsHost } from '../hosts/xs/build.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    engine: { type: 'string', default: 'both' },
    grep: { type: 'string' },
  },
});
if (!['node', 'xs', 'both'].includes(values.engine)) {
  console.error(`--engine must be node, xs or both (got ${values.engine})`);
  process.exit(64);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const all = walk(join(root, 'test')).filter((f) => f.endsWith('.test.ts'));
const selected = positionals.length
  ? all.filter((f) => positionals.some((p) => f === resolve(p) || relative(root, f).includes(p)))
  : all;
if (selected.length === 0) {
  console.error(`no test files match ${positionals.join(' ')}`);
  process.exit(64);
}
const isNodeOnly = (f) => relative(root, f).startsWith('test/node/');
const workers = walk(join(root, 'test')).filter((f) => /\.worker\.ts$/.test(f));

const results = [];
// One build directory per run, so runs in parallel do not delete each other's bundles.
const runDir = join(root, 'build', 'test', `run-${process.pid}`);
rmSync(runDir, { recursive: true, force: true });

async function runNode() {
  const out = join(runDir, 'node');
  const files = await bundleForNode([...selected, ...workers], out);
  const testFiles = files.slice(0, selected.length);
  const mocha = new Mocha({ reporter: 'spec', timeout: 60000, grep: values.grep });
  for (const f of testFiles) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const stats = await new Promise((resolvePromise) => {
    const runner = mocha.run(() => resolvePromise(runner.stats));
  });
  results.push({ engine: 'node', passed: stats.passes, failed: stats.failures, pending: stats.pending, crashed: false });
}

async function runXs() {
  const bin = await ensureXsHost();
  const xsFiles = selected.filter((f) => !isNodeOnly(f));
  if (xsFiles.length === 0) {
    results.push({ engine: 'xs', passed: 0, failed: 0, pending: 0, crashed: false });
    return;
  }
  const prelude = readFileSync(join(root, 'hosts', 'xs', 'prelude.js'), 'utf8');
  const mochaJs = readFileSync(join(root, 'node_modules', 'mocha', 'mocha.js'), 'utf8');
  const grep = values.grep ? `mocha.grep(new RegExp(${JSON.stringify(values.grep)}));` : '';
  const setup = `mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 60000 }); ${grep}`;
  // The summary line is printed from the runner's 'end' event, with its stats.
  const runWithStats = `
(function () {
  var runner = mocha.run(function (failures) { $xs.exit(failures ? 1 : 0); });
  runner.on('end', function () {
    var s = runner.stats;
    print('KEEL-SUMMARY ' + JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending }));
  });
})();`;
  const file = join(runDir, 'xs', 'tests.js');
  await bundleForXs(xsFiles, file, { prefix: prelude + '\n' + mochaJs + '\n' + setup, suffix: runWithStats });
  const code = await new Promise((resolvePromise) => {
    const child = spawn(bin, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.on('data', (d) => {
      buffered += d;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('KEEL-SUMMARY ')) {
          const s = JSON.parse(line.slice('KEEL-SUMMARY '.length));
          results.push({ engine: 'xs', ...s, crashed: false });
        } else process.stdout.write(line + '\n');
      }
    });
    child.on('close', (c) => {
      if (buffered) process.stdout.write(buffered);
      resolvePromise(c);
    });
  });
  const xs = results.find((r) => r.engine === 'xs');
  if (!xs) results.push({ engine: 'xs', passed: 0, failed: 1, pending: 0, crashed: true, code });
  else if (code !== 0 && xs.failed === 0) xs.crashed = true;
}

let error;
try {
  if (values.engine !== 'xs') {
    console.log('\n=== Node ' + process.version + ' ===');
    await runNode();
  }
  if (values.engine !== 'node') {
    console.log('\n=== XS engine (keel-xs) ===');
    await runXs();
  }
} catch (e) {
  error = e;
  console.error(e && e.message ? e.message : e);
}

if (!process.env.KEEL_KEEP_BUILD) rmSync(runDir, { recursive: true, force: true });

console.log('\nSummary');
console.log('engine   passed  failed  pending');
for (const r of results) {
  console.log(
    `${r.engine.padEnd(8)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.pending).padStart(7)}` +
      (r.crashed ? `   (the XS host exited abnormally${r.code !== undefined ? ', status ' + r.code : ''})` : ''),
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed + (r.crashed ? 1 : 0), 0) + (error ? 1 : 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// The misuse catalogue (test/misuse-catalogue.ts) against release builds
// (the debug flag replaced by false, as in dist/xs):
//  - on Node: src/ transpiled with the flag off (test/node/release-build.ts);
//  - on the XS host: test/misuse-catalogue.test.ts bundled for XS with the
//    flag off (scripts/bundle.mjs, the same pipeline as `npm test`), run by
//    keel-xs; every case must pass there too.
// (`npm test` runs the same catalogue with the flag on, on Node and on XS.)
import { rmSync, readFileSync, mkdtempSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { strict as assert } from '../support/assert.js';
import { releaseBuild } from './release-build.js';
import { CATALOGUE, describeCatalogue, type Lib } from '../misuse-catalogue.js';

const MODULES = ['index.ts', 'errors.ts', 'pool.ts', 'queue.ts', 'shared-queue.ts', 'hsm.ts', 'timer.ts', 'kernel.ts', 'active-machine.ts', 'stream.ts', 'shared-stream.ts'];

let lib: Lib | undefined;
let dir = '';
describe('misuse catalogue, release build on Node', function () {
  this.timeout(60000);
  before(async function () {
    const [index] = await releaseBuild(MODULES);
    dir = dirname(fileURLToPath(index!));
    lib = (await import(index!)) as Lib;
  });
  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  it('is a release build: a non-number parameter is not checked there', function () {
    const q = new lib!.EventQueue({ capacity: 1 });
    assert.equal(q.post(1, 'x' as never), true);
    assert.equal(q.get(), 1);
  });
  describeCatalogue('cases', () => lib!, false);
});

describe('misuse catalogue: docs/reliability.md', function () {
  it('lists every case, with the counts of the catalogue', function () {
    const doc = readFileSync(join(process.cwd(), 'docs', 'reliability.md'), 'utf8');
    assert.ok(doc.indexOf(`${CATALOGUE.length} cases.`) >= 0, 'the total');
    for (const c of CATALOGUE) assert.ok(doc.indexOf(`| ${c.name.replace(/\|/g, '\\|')} | ${c.debug} | ${c.release} |`) >= 0, `listed: ${c.name}`);
  });
});

describe('misuse catalogue, release bundle on the XS host', function () {
  this.timeout(300000);
  it(`runs all ${CATALOGUE.length} cases with the debug flag off; none fails`, async function () {
    const root = process.cwd();
    // Computed specifiers: loaded at run time from the repository, not bundled into this test.
    const bundle = (await import(pathToFileURL(join(root, 'scripts', 'bundle.mjs')).href)) as {
      bundleForXs: (entries: string[], out: string, o: { prefix: string; suffix: string; debug: boolean }) => Promise<string>;
    };
    const host = (await import(pathToFileURL(join(root, 'hosts', 'xs', 'build.mjs')).href)) as { ensureXsHost: () => Promise<string> };
    const bin = await host.ensureXsHost();
    const out = mkdtempSync(join(tmpdir(), 'keel-xs-release-'));
    try {
      const prelude = readFileSync(join(root, 'hosts', 'xs', 'prelude.js'), 'utf8');
      const mochaJs = readFileSync(join(root, 'node_modules', 'mocha', 'mocha.js'), 'utf8');
      const setup = "mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 60000 });";
      const run = `
(function () {
  var runner = mocha.run(function (failures) { $xs.exit(failures ? 1 : 0); });
  runner.on('end', function () {
    var s = runner.stats;
    print('KEEL-SUMMARY ' + JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending }));
  });
})();`;
      const file = join(out, 'release.js');
      await bundle.bundleForXs([join(root, 'test', 'misuse-catalogue.test.ts')], file, { prefix: prelude + '\n' + mochaJs + '\n' + setup, suffix: run, debug: false });
      const r = spawnSync(bin, [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const text = r.stdout ?? '';
      const line = text.split('\n').find((l) => l.startsWith('KEEL-SUMMARY '));
      assert.ok(line !== undefined, `no summary from keel-xs (status ${r.status}): ${text.slice(-2000)} ${r.stderr ?? ''}`);
      const s = JSON.parse(line.slice('KEEL-SUMMARY '.length)) as { passed: number; failed: number; pending: number };
      assert.ok(/misuse catalogue \(release build\)/.test(text), 'the XS bundle ran as a release build');
      const pending = CATALOGUE.filter((c) => c.pending !== undefined).length;
      // + 1: the release-only allocation test of the counted refusals (test/misuse-catalogue.test.ts).
      assert.deepEqual(s, { passed: CATALOGUE.length - pending + 1, failed: 0, pending }, text.split('\n').filter((l) => /\d+\) |Error/.test(l)).join('\n'));
      assert.equal(r.status, 0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

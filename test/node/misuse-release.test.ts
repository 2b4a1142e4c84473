// The misuse catalogue (test/reliability/misuse-catalogue.ts) against release builds
// (the debug flag replaced by false, as in dist/xs):
//  - on Node: src/ transpiled with the flag off (test/node/release-build.ts);
//  - on the XS host: test/reliability/misuse-catalogue.test.ts bundled for XS with the
//    flag off (scripts/bundle.mjs, the same pipeline as `npm test`), run by
//    keel-xs; every case must pass there too.
// (`npm test` runs the same catalogue with the flag on, on Node and on XS.)
import { rmSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from '../support/assert.js';
import { failures, runReleaseBundleOnXs } from '../support/xs-release.js';
import { releaseBuild } from './release-build.js';
import { CATALOGUE, describeCatalogue, type Lib } from '../reliability/misuse-catalogue.js';

// index.ts imports every module (src/hsm/ and src/internal/ included: releaseBuild follows the imports).
const MODULES = ['index.ts'];

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
    const { summary: s, text, status } = await runReleaseBundleOnXs('test/reliability/misuse-catalogue.test.ts');
    assert.ok(/misuse catalogue \(release build\)/.test(text), 'the XS bundle ran as a release build');
    const pending = CATALOGUE.filter((c) => c.pending !== undefined).length;
    // + 1: the release-only allocation test of the counted refusals (test/reliability/misuse-catalogue.test.ts).
    assert.deepEqual(s, { passed: CATALOGUE.length - pending + 1, failed: 0, pending }, failures(text));
    assert.equal(status, 0);
  });
});

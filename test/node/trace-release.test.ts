// test/trace/trace-alloc.test.ts in the release bundle (the debug flag off, as in
// dist/xs and the bench builds) on the XS host: every traced hook path
// allocates nothing per record there too, beside its positive control.
// (`node scripts/test.mjs test/trace` runs the same file with the flag on.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { strict as assert } from '../support/assert.js';
import { failures, runReleaseBundleOnXs } from '../support/xs-release.js';

describe('trace allocation, release bundle on the XS host', function () {
  this.timeout(300000);
  it('runs test/trace/trace-alloc.test.ts with the debug flag off; every case passes', async function () {
    const { summary: s, text, status } = await runReleaseBundleOnXs('test/trace/trace-alloc.test.ts');
    assert.ok(/first call included \(release build\)/.test(text), 'the XS bundle ran as a release build');
    const cases = (readFileSync(join(process.cwd(), 'test', 'trace', 'trace-alloc.test.ts'), 'utf8').match(/^\s+it\(/gm) ?? []).length;
    assert.ok(cases >= 8, `${cases} cases`);
    assert.deepEqual(s, { passed: cases, failed: 0, pending: 0 }, failures(text));
    assert.equal(status, 0);
  });
});

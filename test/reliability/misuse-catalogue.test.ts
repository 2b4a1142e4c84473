// The misuse catalogue (test/reliability/misuse-catalogue.ts) against the build this bundle
// was made with: `npm test` bundles with the debug flag on (Node and XS); the
// release runs (test/node/misuse-release.test.ts) bundle this same file with it
// off for the XS host, and run the catalogue against a release build on Node.
import * as Keel from '../../src/index.js';
import { describeCatalogue } from './misuse-catalogue.js';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';

const debugBuild: boolean = DEBUG;
describeCatalogue(debugBuild ? 'misuse catalogue (debug build)' : 'misuse catalogue (release build)', () => Keel, debugBuild);

// The refusals a release build counts instead of throwing are on hot paths: on
// XS they allocate nothing, the first call included (beside a positive control).
// Debug builds throw there instead (the catalogue checks that), so this runs in
// the release bundle only (test/node/misuse-release.test.ts).
describe('misuse catalogue: counted refusals allocate nothing (release build, XS)', function () {
  it('EventQueue.post(-1), postUrgent(1.5), kernel.post(ao, -1), Hsm.post(-1): refused, counted, 0 slots and 0 chunk bytes', function () {
    if (debugBuild || !onXs) this.skip();
    const q = new Keel.EventQueue({ capacity: 4 });
    const k = new Keel.Kernel();
    const ao = k.spawn({ create: () => ({ start(): void {}, dispatch(): void {} }) }, 1, 4);
    const m = new Keel.Hsm(Keel.defineHsm({ name: 'm', signals: { A: 1 }, context: () => ({ n: 0 }), initial: 'a', states: { a: {} } }));
    m.start();
    assertNoAllocation(() => {
      q.post(-1);
      q.postUrgent(1.5);
      k.post(ao, -1);
      m.post(-1);
    }, 1000, 'release refusals');
    assert.equal(q.refused, 2000);
    assert.equal(q.length, 0);
    assert.equal(k.queueOf(ao).length, 0);
    assert.equal(m.queued, 0);
    assert.ok(q.post(1) && q.get() === 1, 'the queue still delivers');
    assertCatchesAllocation(() => [q.post(-1)], 100, 'a refusal plus an array literal');
  });
});

// The soak firmware (test/soak/soak-firmware.ts), short: every invariant holds after
// a run, and a step allocates nothing on XS, the first included (beside a
// positive control). `npm run soak` runs 10,000,000 events on a fixed heap.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { bootSoak, soakProblems, soakStep } from './soak-firmware.js';

describe('soak firmware (short)', function () {
  it('kernel + hsm + pool + streams: counters and pool consistent after a run', function () {
    const s = bootSoak();
    const used0 = s.pool.used;
    let events = 0;
    for (let i = 0; i < (onXs ? 2000 : 20000); i++) events += soakStep(s);
    assert.ok(events > (onXs ? 4000 : 40000), `${events} events`);
    assert.deepEqual(soakProblems(s, used0), []);
    assert.ok(s.workers.every((w) => w.ctx.pauses > 10), 'the workers deferred and recalled');
    assert.ok(s.reader.ctx.bytes > 0 && s.reader.ctx.blocks > 0);
  });

  it('a soak step allocates nothing on XS (first call included)', function () {
    const s = bootSoak();
    assertNoAllocation(() => soakStep(s), 5000, 'soak step');
    assertCatchesAllocation(() => [soakStep(s)], 100, 'soak step + an array literal');
  });
});

// Seeded hostile-writer fuzz of SharedEventQueue (issue 19), single-threaded
// on both engines: producers, a consumer with an urgent lane, dead producers
// and recover(), and a writer of random words into the shared buffer between
// the calls. The core and its phases are in ./shared-fuzz.ts; the long run is
// `npm run soak` (scripts/soak.mjs). A concurrent hostile writer on another
// thread: test/node/shared-hostile.test.ts.
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { fuzzSharedQueue, queueCounts } from '../support/shared-fuzz.js';

// Short in `npm test`: XS is ~50-100x slower than Node.
const SEEDS = onXs ? 16 : 64;
const STEPS = onXs ? 2000 : 5000;

describe('SharedEventQueue: seeded hostile-writer fuzz (issue 19)', function () {
  it(`${SEEDS} seeds x ${STEPS} steps: values in range, named errors only, exact when clean, heals`, function () {
    const counts = queueCounts();
    const violations: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) fuzzSharedQueue(seed, STEPS, counts, violations);
    console.log(`      seeds 1..${SEEDS} x ${STEPS} steps: ${JSON.stringify(counts)}`);
    assert.deepEqual(violations, []);
    assert.equal(counts.runs, SEEDS);
    assert.equal(counts.heals, SEEDS * 6, 'every phase ends in a healed queue');
    // The fuzz exercised what it is for.
    assert.ok(counts.hostileWrites > 0 && counts.takeCorruption > 0 && counts.skipped > 0 && counts.checkedRecords > 0, JSON.stringify(counts));
    assert.ok(counts.badInputRefused > 0 && counts.posted > 0 && counts.refused > 0, JSON.stringify(counts));
  });
});

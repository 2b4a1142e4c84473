// Seeded hostile-writer fuzz of SharedStream (issue 19), single-threaded on
// both engines: writeOne/write/next/read/close with a writer of random words
// into the shared header and ring between the calls. The core is in
// ./shared-fuzz.ts; the long run is `npm run soak` (scripts/soak.mjs).
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { fuzzSharedStream, streamCounts } from '../support/shared-fuzz.js';

const SEEDS = onXs ? 16 : 64;
const STEPS = onXs ? 2000 : 5000;

describe('SharedStream: seeded hostile-writer fuzz (issue 19)', function () {
  it(`${SEEDS} seeds x ${STEPS} steps: counts in range, HEAD never back, no read past the ring, exact when clean, heals`, function () {
    const counts = streamCounts();
    const violations: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) fuzzSharedStream(seed, STEPS, counts, violations);
    console.log(`      seeds 1..${SEEDS} x ${STEPS} steps: ${JSON.stringify(counts)}`);
    assert.deepEqual(violations, []);
    assert.equal(counts.runs, SEEDS);
    assert.equal(counts.heals, SEEDS * 6, 'every phase ends in a healed stream');
    assert.ok(counts.hostileWrites > 0 && counts.readCorruption > 0 && counts.writeCorruption > 0 && counts.checkedItems > 0, JSON.stringify(counts));
  });
});

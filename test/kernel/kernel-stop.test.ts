// Kernel stop(): deferred events are recalled and dropped in as many passes
// as the AO's queue capacity needs, so every pool block they hold goes back
// to its pool, even when the queue is full or smaller than the defer ring.
import { strict as assert } from '../support/assert.js';
import { Kernel, KernelUsageError, MAX_RECALL_PASSES, type Behaviour } from '../../src/kernel.js';
import { BlockPool } from '../../src/pool.js';
import { defineHsm, defineSignals, Hsm } from '../../src/hsm.js';

const pools: BlockPool[] = [];
afterEach(function () {
  for (const p of pools) assert.equal(p.used, 0, `pool ${p.name}: blocks still claimed after the test`);
  pools.length = 0;
});

const S = defineSignals(['BLK', 'X']);
const deferrer = defineHsm({
  name: 'd',
  signals: S,
  context: () => ({ n: 0 }),
  initial: 'busy',
  states: { busy: { defer: ['BLK'] } },
});

describe('kernel: stop() releases deferred blocks', function () {
  it('regression: deferred blocks are released when the queue is full at stop()', function () {
    const p = new BlockPool({ name: 'stop-full', blockSize: 8, count: 4 });
    pools.push(p);
    const k = new Kernel({ maxObjects: 2, maxSignals: 8, pool: p });
    const ao = k.spawn({ create: (port) => new Hsm(deferrer, { queue: port }) }, 1, 2);
    k.blockSignal(S.BLK);
    k.subscribe(ao, S.BLK);
    k.publishBlock(S.BLK, p.claim());
    k.run();
    k.publishBlock(S.BLK, p.claim());
    k.run();
    k.post(ao, S.X);
    k.post(ao, S.X); // the AO's queue (capacity 2) is full
    assert.equal(k.queueOf(ao).free, 0);
    assert.equal(p.used, 2, 'both blocks deferred');
    k.stop(ao);
    assert.equal(p.used, 0);
    assert.equal(k.isRunning(ao), false);
    assert.equal(k.used, 0);
  });

  it('more deferred events than queue capacity (defer capacity 4, queue capacity 1): all blocks released', function () {
    const p = new BlockPool({ name: 'stop-small', blockSize: 8, count: 6 });
    pools.push(p);
    const k = new Kernel({ maxObjects: 2, maxSignals: 8, pool: p });
    let m: Hsm<{ n: number }> | null = null;
    const ao = k.spawn({ create: (port) => (m = new Hsm(deferrer, { queue: port, deferCapacity: 4 })) }, 1, 1);
    k.blockSignal(S.BLK);
    k.subscribe(ao, S.BLK);
    for (let i = 0; i < 4; i++) {
      k.publishBlock(S.BLK, p.claim());
      k.run();
    }
    assert.equal(m!.deferredCount, 4);
    k.post(ao, S.BLK, p.claim()); // queued, not yet dispatched: the queue is full
    assert.equal(p.used, 5);
    k.stop(ao);
    assert.equal(p.used, 0);
    assert.equal(m!.deferredCount, 0);
    // A new AO in that slot starts clean.
    const again = k.spawn({ create: (port) => new Hsm(deferrer, { queue: port }) }, 1, 1);
    assert.equal(k.queueOf(again).length, 0);
    k.stop(again);
  });

  it('a recallAll() that never returns 0 is stopped by the guard: the AO stops, then KernelUsageError', function () {
    const k = new Kernel({ name: 'kg' });
    let calls = 0;
    const b: Behaviour = {
      start() {},
      dispatch() {},
      recallAll() {
        calls++;
        return 1; // claims to move an event, moves nothing
      },
    };
    const ao = k.spawn({ create: () => b }, 1, 2);
    assert.throws(
      () => k.stop(ao),
      (e) => e instanceof KernelUsageError && /'kg': stop\(0\)/.test(e.message) && /recallAll\(\) must return how many events it moved/.test(e.message),
    );
    assert.equal(calls, MAX_RECALL_PASSES);
    assert.equal(k.isRunning(ao), false, 'stopped anyway');
    assert.equal(k.used, 0);
  });
});

// PoolSet: size classes over one arena, reserve/tryReserve, zero allocation on XS.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { PoolSet, BlockPool, NO_BLOCK } from '../../src/pool.js';
import { Tracker, assertSetConsistent } from '../support/pool-helpers.js';

const t = new Tracker();

describe('PoolSet', function () {
  afterEach(() => t.checkTracked());

  it('reserve picks the smallest class that fits, at every class boundary', function () {
    const s = t.track(new PoolSet({ name: 'msg', classes: [{ blockSize: 16, count: 4 }, { blockSize: 64, count: 4 }, { blockSize: 256, count: 2 }] }));
    const expect: [number, number][] = [[1, 0], [15, 0], [16, 0], [17, 1], [64, 1], [65, 2], [256, 2]];
    for (const [size, cls] of expect) {
      const h = s.reserve(size);
      assert.equal(s.classOf(h), cls, `reserve(${size})`);
      assert.equal(s.poolOf(h).blockSize, [16, 64, 256][cls]);
      assert.equal(s.refCount(h), 1);
      s.release(h);
    }
    assert.deepEqual([s.capacity, s.used, s.free, s.failures], [10, 0, 10, 0]);
  });

  it('lays classes out in one arena, each region 8-byte aligned; bytes/view are shared', function () {
    const classes = [{ blockSize: 3, count: 3 }, { blockSize: 12, count: 2 }, { blockSize: 40, count: 1 }];
    assert.equal(PoolSet.byteLengthFor(classes), 16 + 24 + 40);
    const s = t.track(new PoolSet({ classes }));
    assert.equal(s.buffer.byteLength, 80);
    assert.deepEqual(s.pools.map((p) => p.byteOffset), [0, 16, 40]);
    for (const p of s.pools) {
      assert.equal(p.buffer, s.buffer);
      assert.equal(p.bytes, s.bytes, 'one byte view for the whole set');
      assert.equal(p.view, s.view);
    }
    const ids = s.pools.map((p) => p.id);
    assert.deepEqual(ids, [s.firstId, s.firstId + 1, s.firstId + 2], 'consecutive ids: the class is in the handle');
  });

  it('uses a region of a caller arena (byteOffset) and set handles reach data through set.view', function () {
    const arena = new ArrayBuffer(256);
    const s = t.track(new PoolSet({ classes: [{ blockSize: 8, count: 2 }, { blockSize: 32, count: 2 }], buffer: arena, byteOffset: 64 }));
    assert.deepEqual(s.pools.map((p) => p.byteOffset), [64, 80]);
    const a = s.reserve(4);
    const b = s.reserve(30);
    s.view.setFloat64(s.offset(a), 1.25, true);
    s.view.setUint32(s.offset(b) + 28, 0xdeadbeef, true);
    assert.equal(s.poolOf(a).view.getFloat64(s.offset(a), true), 1.25);
    assert.equal(new DataView(arena).getUint32(s.offset(b) + 28, true), 0xdeadbeef);
    s.retain(b);
    s.release(b);
    assert.equal(s.refCount(b), 1);
    s.release(a);
    s.release(b);
    assertSetConsistent(s);
  });

  it('classFor reports the class for a size, -1 when none fits', function () {
    const s = t.track(new PoolSet({ classes: [{ blockSize: 16, count: 1 }, { blockSize: 64, count: 1 }] }));
    assert.deepEqual([1, 16, 17, 64, 65, 0, 1.5].map((n) => s.classFor(n)), [0, 0, 1, 1, -1, -1, -1]);
  });

  it('zeroOnClaim applies to every class', function () {
    const s = t.track(new PoolSet({ classes: [{ blockSize: 8, count: 1 }, { blockSize: 16, count: 1 }], zeroOnClaim: true }));
    for (const size of [8, 16]) {
      const h = s.reserve(size);
      s.bytes.fill(9, s.offset(h), s.offset(h) + size);
      s.release(h);
      const h2 = s.reserve(size);
      for (let k = 0; k < size; k++) assert.equal(s.bytes[s.offset(h2) + k], 0);
      s.release(h2);
    }
  });

  describe('zero allocation on XS (first call included)', function () {
    const classes = [{ blockSize: 16, count: 4000 }, { blockSize: 64, count: 4000 }, { blockSize: 256, count: 4000 }];
    const sizes = new Int32Array([12, 40, 200]);

    it('reserve, then release', function () {
      const s = t.track(new PoolSet({ classes }));
      const hs = new Int32Array(10000);
      let k = 0;
      assertNoAllocation(() => { hs[k] = s.reserve(sizes[k % 3]!); k++; }, 10000, 'PoolSet.reserve');
      assert.deepEqual(s.pools.map((p) => p.used), [3334, 3333, 3333]);
      assertNoAllocation(() => s.release(hs[--k]!), 10000, 'PoolSet.release');
      assert.equal(s.used, 0);
    });

    it('tryReserve, then retain, offset, refCount, poolOf', function () {
      const s = t.track(new PoolSet({ classes }));
      const hs = new Int32Array(10000);
      let k = 0;
      assertNoAllocation(() => { hs[k] = s.tryReserve(sizes[k % 3]!); k++; }, 10000, 'PoolSet.tryReserve');
      k = 0;
      assertNoAllocation(() => s.retain(hs[k++]!), 10000, 'PoolSet.retain');
      let sum = 0;
      k = 0;
      assertNoAllocation(() => { sum += s.offset(hs[k++]!); }, 10000, 'PoolSet.offset');
      k = 0;
      assertNoAllocation(() => { sum += s.refCount(hs[k++]!); }, 10000, 'PoolSet.refCount');
      k = 0;
      let bs = 0;
      assertNoAllocation(() => { bs += s.poolOf(hs[k++]!).blockSize; }, 10000, 'PoolSet.poolOf');
      assert.ok(sum > 0 && bs > 0);
      for (let i = 0; i < 10000; i++) {
        s.release(hs[i]!);
        s.release(hs[i]!);
      }
    });

    it('tryReserve refusals: no class fits, class exhausted, bad size', function () {
      const s = t.track(new PoolSet({ classes: [{ blockSize: 16, count: 1 }] }));
      const h = s.reserve(16);
      let x = 0;
      const bad = new Float64Array([17, 8, 0, 1.5]);
      assertNoAllocation(() => { x += s.tryReserve(bad[x & 3]!) === NO_BLOCK ? 1 : 0; }, 10000, 'PoolSet.tryReserve refused');
      assert.equal(x, 10000);
      assert.equal(s.failures, 10000);
      s.release(h);
    });
  });

  it('a BlockPool and a PoolSet can share one static arena', function () {
    const classes = [{ blockSize: 8, count: 2 }, { blockSize: 24, count: 2 }];
    const setBytes = PoolSet.byteLengthFor(classes);
    const arena = new ArrayBuffer(setBytes + 64);
    const s = t.track(new PoolSet({ classes, buffer: arena }));
    const p = t.track(new BlockPool({ blockSize: 16, count: 4, buffer: arena, byteOffset: setBytes }));
    const hs = [s.reserve(8), s.reserve(8), s.reserve(24), s.reserve(24)];
    const hp = [p.claim(), p.claim(), p.claim(), p.claim()];
    const spans = [...hs.map((h) => [s.offset(h), s.poolOf(h).blockSize]), ...hp.map((h) => [p.offset(h), 16])];
    spans.sort((a, b) => a[0]! - b[0]!);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]![0]! + spans[i - 1]![1]! <= spans[i]![0]!, 'no overlap');
    for (const h of hs) s.release(h);
    for (const h of hp) p.release(h);
  });
});

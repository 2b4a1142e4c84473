// BlockPool: behaviour, exact counters, zero allocation on XS, metadata overhead.
import { strict as assert } from '../support/assert.js';
import { allocations, assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import {
  BlockPool,
  NO_BLOCK,
  POISON_BYTE,
  MAX_REFS,
  PoolExhaustedError,
  StaleHandleError,
  DoubleReleaseError,
} from '../../src/pool.js';
import { Tracker, assertConsistent } from '../support/pool-helpers.js';

const t = new Tracker();
const pool = (o: ConstructorParameters<typeof BlockPool>[0]): BlockPool => t.track(new BlockPool(o));

describe('BlockPool', function () {
  afterEach(() => t.checkTracked());

  describe('claim / release', function () {
    it('hands out blocks 0, 1, 2 of a fresh pool, at offsets index * blockSize', function () {
      const p = pool({ name: 'p', blockSize: 16, count: 3 });
      const a = p.claim();
      const b = p.claim();
      const c = p.claim();
      assert.deepEqual([p.offset(a), p.offset(b), p.offset(c)], [0, 16, 32]);
      assert.deepEqual([p.used, p.free, p.minFree, p.failures, p.capacity], [3, 0, 0, 0, 3]);
      p.release(b);
      p.release(a);
      p.release(c);
      assert.deepEqual([p.used, p.free, p.minFree], [0, 3, 0]);
    });

    it('is LIFO: the last released block is the next claimed, with a new generation', function () {
      const p = pool({ blockSize: 8, count: 4 });
      const a = p.claim();
      const b = p.claim();
      p.release(a);
      const c = p.claim();
      assert.equal(p.offset(c), 0, 'block 0 again');
      assert.notEqual(c, a, 'a new handle for the same block');
      assert.equal((c >>> 16) & 0xff, ((a >>> 16) & 0xff) + 1, 'generation + 1');
      assert.equal(p.refCount(a), 0, 'the old claim has ended');
      p.release(b);
      p.release(c);
    });

    it('handles are positive int32s carrying the pool id, generation and index', function () {
      const p = pool({ blockSize: 4, count: 300, id: 77 });
      const hs: number[] = [];
      for (let i = 0; i < 300; i++) hs.push(p.claim());
      for (let i = 0; i < 300; i++) {
        const h = hs[i]!;
        assert.ok(h > 0 && h === (h | 0));
        assert.equal(h >>> 24, 77);
        assert.equal((h >>> 16) & 0xff, 1);
        assert.equal(h & 0xffff, i);
      }
      for (const h of hs) p.release(h);
    });

    it('minFree is the low-water mark; failures counts every refusal', function () {
      const p = pool({ name: 'lw', blockSize: 4, count: 3 });
      const a = p.claim();
      const b = p.claim();
      assert.equal(p.minFree, 1);
      p.release(a);
      p.release(b);
      assert.equal(p.minFree, 1, 'the mark stays');
      const hs = [p.claim(), p.claim(), p.claim()];
      assert.equal(p.tryClaim(), NO_BLOCK);
      assert.equal(p.tryClaim(), NO_BLOCK);
      assert.throws(() => p.claim(), PoolExhaustedError);
      assert.deepEqual([p.minFree, p.failures, p.used], [0, 3, 3]);
      for (const h of hs) p.release(h);
      assert.deepEqual([p.minFree, p.failures, p.used, p.free], [0, 3, 0, 3]);
    });

    it('PoolExhaustedError names the pool, block size, capacity and the option to raise', function () {
      const p = pool({ name: 'rx-frames', blockSize: 64, count: 2 });
      const a = p.claim();
      const b = p.claim();
      let msg = '';
      try {
        p.claim();
      } catch (e) {
        assert.ok(e instanceof PoolExhaustedError);
        assert.equal(e.name, 'PoolExhaustedError');
        msg = e.message;
      }
      assert.ok(/'rx-frames'/.test(msg) && /64 bytes/.test(msg) && /capacity 2/.test(msg) && /count/.test(msg), msg);
      p.release(a);
      p.release(b);
      assertConsistent(p);
    });

    it('tryClaim on an empty pool returns NO_BLOCK (0) and changes nothing but failures', function () {
      const p = pool({ blockSize: 4, count: 1 });
      const h = p.claim();
      assert.equal(NO_BLOCK, 0);
      assert.equal(p.tryClaim(), NO_BLOCK);
      assert.deepEqual([p.used, p.free, p.failures, p.refCount(h)], [1, 0, 1, 1]);
      p.release(h);
    });
  });

  describe('reference counts', function () {
    it('retain shares a block; the last release frees it', function () {
      const p = pool({ blockSize: 8, count: 2 });
      const h = p.claim();
      p.retain(h);
      p.retain(h);
      assert.equal(p.refCount(h), 3);
      p.release(h);
      p.release(h);
      assert.deepEqual([p.refCount(h), p.used], [1, 1]);
      p.release(h);
      assert.deepEqual([p.refCount(h), p.used], [0, 0]);
      assert.throws(() => p.release(h), DoubleReleaseError);
      assert.throws(() => p.retain(h), StaleHandleError);
      assertConsistent(p);
    });

    it('holds up to MAX_REFS (255) references', function () {
      const p = pool({ blockSize: 8, count: 1 });
      const h = p.claim();
      for (let i = 1; i < MAX_REFS; i++) p.retain(h);
      assert.equal(p.refCount(h), 255);
      for (let i = 0; i < MAX_REFS; i++) p.release(h);
      assert.equal(p.used, 0);
    });
  });

  describe('data access', function () {
    it('bytes and view reach the block at offset(h); blocks do not overlap', function () {
      const p = pool({ blockSize: 8, count: 4, poison: false });
      const hs = [p.claim(), p.claim(), p.claim(), p.claim()];
      for (let k = 0; k < 4; k++) p.view.setUint32(p.offset(hs[k]!), 0x01020304 * (k + 1), true);
      for (let k = 0; k < 4; k++) p.bytes[p.offset(hs[k]!) + 4] = 0xa0 + k;
      for (let k = 0; k < 4; k++) {
        assert.equal(p.view.getUint32(p.offset(hs[k]!), true), (0x01020304 * (k + 1)) >>> 0);
        assert.equal(p.bytes[p.offset(hs[k]!) + 4], 0xa0 + k);
      }
      assert.equal(p.bytes.buffer, p.buffer);
      assert.equal(p.view.buffer, p.buffer);
      for (const h of hs) p.release(h);
    });

    it('zeroOnClaim clears the block on claim', function () {
      const p = pool({ blockSize: 8, count: 1, zeroOnClaim: true });
      const h = p.claim();
      p.bytes.fill(0x55, p.offset(h), p.offset(h) + 8);
      p.release(h);
      const h2 = p.claim();
      for (let k = 0; k < 8; k++) assert.equal(p.bytes[p.offset(h2) + k], 0);
      p.release(h2);
    });

    it('debug builds: the arena starts poisoned and a released block is poisoned with 0xDD', function () {
      if (!DEBUG) this.skip();
      const p = pool({ blockSize: 8, count: 2 });
      for (let k = 0; k < 16; k++) assert.equal(p.bytes[k], POISON_BYTE);
      const h = p.claim();
      const off = p.offset(h);
      p.bytes.fill(1, off, off + 8);
      p.release(h);
      for (let k = 0; k < 8; k++) assert.equal(p.bytes[off + k], 0xdd, 'a read after release sees poison');
      const q = pool({ blockSize: 8, count: 1, poison: false });
      assert.equal(q.bytes[0], 0, 'poison: false leaves the arena alone');
    });

    it('a retained block is not poisoned until its last release', function () {
      if (!DEBUG) this.skip();
      const p = pool({ blockSize: 4, count: 1 });
      const h = p.claim();
      p.bytes.fill(7, 0, 4);
      p.retain(h);
      p.release(h);
      assert.equal(p.bytes[0], 7);
      p.release(h);
      assert.equal(p.bytes[0], POISON_BYTE);
    });

    it('uses a region of a caller arena and touches nothing outside it', function () {
      const arena = new ArrayBuffer(100);
      const all = new Uint8Array(arena);
      all.fill(0x11);
      const p = pool({ blockSize: 10, count: 3, buffer: arena, byteOffset: 40, zeroOnClaim: true });
      assert.deepEqual([p.byteOffset, p.byteLength], [40, 30]);
      const hs = [p.claim(), p.claim(), p.claim()];
      assert.deepEqual(hs.map((h) => p.offset(h)), [40, 50, 60]);
      for (const h of hs) p.bytes.fill(0x77, p.offset(h), p.offset(h) + 10);
      for (const h of hs) p.release(h);
      for (let k = 0; k < 100; k++) if (k < 40 || k >= 70) assert.equal(all[k], 0x11, `byte ${k} outside the region changed`);
      assert.equal(p.bytes.byteLength, 100, 'bytes covers the whole buffer; offsets are absolute');
    });
  });

  describe('generation wrap (documented limit)', function () {
    it('generations run 1..255 then 1; a handle kept across exactly 255 re-claims aliases', function () {
      const p = pool({ blockSize: 4, count: 1 });
      const first = p.claim();
      p.release(first);
      const gens: number[] = [];
      let h = 0;
      for (let k = 0; k < 255; k++) {
        h = p.claim();
        gens.push((h >>> 16) & 0xff);
        if (k < 254) p.release(h);
      }
      assert.equal(gens[0], 2);
      assert.equal(gens[253], 255);
      assert.equal(gens[254], 1, 'wraps to 1, never 0');
      assert.equal(h, first, 'the 256th claim reuses the first handle: the documented wrap');
      p.release(h);
    });
  });

  describe('zero allocation on XS (first call included)', function () {
    it('claim', function () {
      const p = pool({ blockSize: 8, count: 10000 });
      const hs = new Int32Array(10000);
      let k = 0;
      assertNoAllocation(() => { hs[k++] = p.claim(); }, 10000, 'BlockPool.claim');
      assert.equal(p.used, 10000);
      for (let i = 0; i < 10000; i++) p.release(hs[i]!);
    });

    it('release', function () {
      const p = pool({ blockSize: 8, count: 10000 });
      const hs = new Int32Array(10000);
      for (let i = 0; i < 10000; i++) hs[i] = p.claim();
      let k = 10000;
      assertNoAllocation(() => p.release(hs[--k]!), 10000, 'BlockPool.release (debug build: poison on)');
      assert.equal(p.used, 0);
    });

    it('claim+release pairs, zeroOnClaim', function () {
      const p = pool({ blockSize: 32, count: 4, zeroOnClaim: true });
      assertNoAllocation(() => p.release(p.claim()), 10000, 'BlockPool claim+release (zeroOnClaim)');
    });

    it('claim+release pairs (the one-word fast path), next to its positive control', function () {
      const p = pool({ blockSize: 8, count: 4 });
      assertNoAllocation(() => p.release(p.claim()), 10000, 'BlockPool claim+release');
      assertCatchesAllocation(() => p.release(p.claim()), 100, 'BlockPool claim+release');
      assert.equal(p.used, 0);
    });

    it('tryClaim on an empty pool', function () {
      const p = pool({ blockSize: 8, count: 2 });
      const a = p.claim();
      const b = p.claim();
      assertNoAllocation(() => p.tryClaim(), 10000, 'BlockPool.tryClaim on empty');
      assert.equal(p.failures, 10000);
      p.release(a);
      p.release(b);
    });

    it('tryClaim', function () {
      const p = pool({ blockSize: 8, count: 10000 });
      const hs = new Int32Array(10000);
      let k = 0;
      assertNoAllocation(() => { hs[k++] = p.tryClaim(); }, 10000, 'BlockPool.tryClaim');
      for (let i = 0; i < 10000; i++) p.release(hs[i]!);
    });

    it('retain', function () {
      const p = pool({ blockSize: 8, count: 10000 });
      const hs = new Int32Array(10000);
      for (let i = 0; i < 10000; i++) hs[i] = p.claim();
      let k = 0;
      assertNoAllocation(() => p.retain(hs[k++]!), 10000, 'BlockPool.retain');
      for (let i = 0; i < 10000; i++) assert.equal(p.refCount(hs[i]!), 2);
      for (let i = 0; i < 10000; i++) {
        p.release(hs[i]!);
        p.release(hs[i]!);
      }
    });

    it('offset and refCount', function () {
      const p = pool({ blockSize: 8, count: 2 });
      const h = p.claim();
      let sum = 0;
      assertNoAllocation(() => { sum += p.offset(h); }, 10000, 'BlockPool.offset');
      assertNoAllocation(() => { sum += p.refCount(h); }, 10000, 'BlockPool.refCount');
      assert.equal(sum, 10000);
      p.release(h);
    });

    it('a block write and read through view and bytes', function () {
      const p = pool({ blockSize: 8, count: 2 });
      const h = p.claim();
      let x = 0;
      assertNoAllocation(() => {
        const at = p.offset(h);
        p.view.setUint32(at, x, true);
        p.bytes[at + 4] = x & 0xff;
        x = p.view.getUint32(at, true) + 1;
      }, 10000, 'block data access');
      assert.equal(x, 10000);
      p.release(h);
    });
  });

  describe('metadata overhead', function () {
    it('is 4 bytes per block and no slot per block (measured on XS: retained memory of 64- vs 4160-block pools)', function () {
      if (!onXs || typeof $xs === 'undefined') this.skip();
      const xs = $xs!;
      const gc = (globalThis as unknown as { gc(): void }).gc;
      const arena = new ArrayBuffer(4160);
      // Retained slots and chunk bytes per pool, after a collection, for `count` blocks over a caller buffer.
      const retained = (count: number): { slots: number; chunks: number } => {
        const keep: BlockPool[] = [];
        gc();
        const s0 = xs.slots();
        const c0 = xs.chunks();
        for (let k = 0; k < 20; k++) keep.push(new BlockPool({ blockSize: 1, count, buffer: arena, id: 100, poison: false }));
        gc();
        const r = { slots: (xs.slots() - s0) / 20, chunks: (xs.chunks() - c0) / 20 };
        assert.equal(keep.length, 20);
        return r;
      };
      const small = retained(64);
      const large = retained(4160);
      const perBlock = (large.chunks - small.chunks) / (4160 - 64);
      assert.ok(perBlock <= 4, `metadata is ${perBlock} chunk bytes per block, over the 4-byte target`);
      assert.equal(large.slots, small.slots, 'no slot (object) per block');
      const fixedChunks = small.chunks - 64 * perBlock;
      // The fixed cost quoted in src/pool.ts and docs/pool.md.
      assert.ok(small.slots <= 48 && fixedChunks <= 128, `fixed cost grew: ${small.slots} slots, ${fixedChunks} chunk bytes`);
      (globalThis as unknown as { print(s: string): void }).print(
        `      [xs] BlockPool retained: ${small.slots} slots + ${fixedChunks} chunk bytes fixed, ${perBlock} B/block`,
      );
    });
  });
});

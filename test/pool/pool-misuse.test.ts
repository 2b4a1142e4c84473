// Misuse catalogue: each misuse throws its named error, and the pool is still
// consistent afterwards (counters, and a full claim-all / release-all cycle).
import { strict as assert } from '../support/assert.js';
import {
  BlockPool,
  PoolSet,
  NO_BLOCK,
  MAX_BLOCKS,
  MAX_CLASSES,
  MAX_REFS,
  HandleError,
  InvalidHandleError,
  ForeignHandleError,
  StaleHandleError,
  DoubleReleaseError,
  RefCountOverflowError,
  PoolConfigError,
  NoSizeClassError,
  PoolExhaustedError,
} from '../../src/pool.js';
import { KeelError } from '../../src/errors.js';
import { Tracker, assertConsistent, assertSetConsistent } from '../support/pool-helpers.js';

const t = new Tracker();

type ErrorClass = abstract new (...args: never[]) => Error;
/** Asserts fn throws exactly `cls` (by instanceof and by name) and returns the message. */
function throwsNamed(fn: () => unknown, cls: ErrorClass, name: string): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${name}, got ${e instanceof Error ? e.name + ': ' + e.message : String(e)}`);
    assert.ok(e instanceof KeelError, 'a KeelError');
    assert.equal((e as Error).name, name);
    return (e as Error).message;
  }
  return assert.fail(`expected ${name}, nothing was thrown`);
}

/** Snapshot of counters that misuse must leave unchanged. */
function snap(p: BlockPool): number[] {
  return [p.used, p.free, p.minFree, p.failures];
}

describe('pool misuse catalogue', function () {
  afterEach(() => t.checkTracked());

  describe('handles', function () {
    it('double release: DoubleReleaseError, free stack untouched', function () {
      const p = t.track(new BlockPool({ name: 'dbl', blockSize: 8, count: 3 }));
      const keep = p.claim();
      const h = p.claim();
      p.release(h);
      const before = snap(p);
      const msg = throwsNamed(() => p.release(h), DoubleReleaseError, 'DoubleReleaseError');
      assert.ok(/'dbl'/.test(msg) && /double release/.test(msg), msg);
      assert.deepEqual(snap(p), before);
      assertConsistent(p); // a corrupted stack would hand the block out twice here
      p.release(keep);
      assertConsistent(p);
    });

    it('stale handle (block claimed again since): StaleHandleError on release, retain and offset', function () {
      const p = t.track(new BlockPool({ name: 'stale', blockSize: 8, count: 2 }));
      const old = p.claim();
      p.release(old);
      const now = p.claim(); // the same block, next generation
      assert.equal(p.offset(now), 0);
      const before = snap(p);
      const msg = throwsNamed(() => p.release(old), StaleHandleError, 'StaleHandleError');
      assert.ok(/stale/.test(msg) && /block 0/.test(msg), msg);
      throwsNamed(() => p.retain(old), StaleHandleError, 'StaleHandleError');
      throwsNamed(() => p.offset(old), StaleHandleError, 'StaleHandleError');
      assert.equal(p.refCount(old), 0);
      assert.deepEqual(snap(p), before);
      assert.equal(p.refCount(now), 1, 'the live claim is unaffected');
      p.release(now);
      assertConsistent(p);
    });

    it('use after the last release (retain, offset): StaleHandleError', function () {
      const p = t.track(new BlockPool({ blockSize: 8, count: 2 }));
      const h = p.claim();
      p.release(h);
      throwsNamed(() => p.retain(h), StaleHandleError, 'StaleHandleError');
      throwsNamed(() => p.offset(h), StaleHandleError, 'StaleHandleError');
      assertConsistent(p);
    });

    it('foreign handle (another pool): ForeignHandleError, both pools intact', function () {
      const a = t.track(new BlockPool({ name: 'a', blockSize: 8, count: 2 }));
      const b = t.track(new BlockPool({ name: 'b', blockSize: 8, count: 2 }));
      assert.notEqual(a.id, b.id);
      const hb = b.claim();
      const ha = a.claim();
      const sa = snap(a);
      const sb = snap(b);
      const msg = throwsNamed(() => a.release(hb), ForeignHandleError, 'ForeignHandleError');
      assert.ok(/'a'/.test(msg) && new RegExp(`pool id ${b.id}`).test(msg), msg);
      throwsNamed(() => a.retain(hb), ForeignHandleError, 'ForeignHandleError');
      throwsNamed(() => a.offset(hb), ForeignHandleError, 'ForeignHandleError');
      throwsNamed(() => a.refCount(hb), ForeignHandleError, 'ForeignHandleError');
      assert.deepEqual(snap(a), sa);
      assert.deepEqual(snap(b), sb);
      assert.equal(b.refCount(hb), 1);
      a.release(ha);
      b.release(hb);
      assertConsistent(a);
      assertConsistent(b);
    });

    it('foreign handle with the same index and generation as a live block is still caught', function () {
      const a = t.track(new BlockPool({ blockSize: 8, count: 1 }));
      const b = t.track(new BlockPool({ blockSize: 8, count: 1 }));
      const ha = a.claim();
      const hb = b.claim();
      assert.equal(ha & 0xffffff, hb & 0xffffff, 'same generation and index');
      throwsNamed(() => a.release(hb), ForeignHandleError, 'ForeignHandleError');
      assert.equal(a.refCount(ha), 1);
      a.release(ha);
      b.release(hb);
    });

    it('non-integer and out-of-range values: InvalidHandleError', function () {
      const p = t.track(new BlockPool({ name: 'inv', blockSize: 8, count: 4, id: 9 }));
      const live = p.claim();
      const before = snap(p);
      const bad: unknown[] = [1.5, live + 0.5, NaN, Infinity, -Infinity, -1, -live, 2 ** 31, 2 ** 32 + live, String(live), undefined, null, {}, [live], true];
      for (const v of bad) {
        for (const op of ['release', 'retain', 'offset', 'refCount'] as const) {
          const msg = throwsNamed(() => (p[op] as (h: unknown) => unknown)(v), InvalidHandleError, 'InvalidHandleError');
          assert.ok(/not a block handle/.test(msg), msg);
        }
      }
      assert.deepEqual(snap(p), before);
      assert.equal(p.refCount(live), 1);
      p.release(live);
      assertConsistent(p);
    });

    it('NO_BLOCK is not a handle: InvalidHandleError that says so', function () {
      const p = t.track(new BlockPool({ blockSize: 8, count: 1 }));
      const msg = throwsNamed(() => p.release(NO_BLOCK), InvalidHandleError, 'InvalidHandleError');
      assert.ok(/NO_BLOCK/.test(msg), msg);
      assertConsistent(p);
    });

    it('forged handles (index out of range, generation 0, a generation of a never-claimed block): InvalidHandleError', function () {
      const p = t.track(new BlockPool({ blockSize: 8, count: 4, id: 10 }));
      const h = p.claim();
      const tag = 10 << 24;
      for (const v of [tag | (1 << 16) | 4, tag | (1 << 16) | 0xffff, tag | 0, tag | 3, tag | 0x10003]) {
        for (const op of ['release', 'retain', 'offset', 'refCount'] as const) {
          throwsNamed(() => p[op](v), InvalidHandleError, 'InvalidHandleError');
        }
      }
      p.release(h);
      assertConsistent(p);
    });

    it('retain past MAX_REFS: RefCountOverflowError, count unchanged', function () {
      const p = t.track(new BlockPool({ name: 'rc', blockSize: 8, count: 1 }));
      const h = p.claim();
      for (let i = 1; i < MAX_REFS; i++) p.retain(h);
      const msg = throwsNamed(() => p.retain(h), RefCountOverflowError, 'RefCountOverflowError');
      assert.ok(/255/.test(msg), msg);
      assert.equal(p.refCount(h), MAX_REFS);
      for (let i = 0; i < MAX_REFS; i++) p.release(h);
      assertConsistent(p);
    });

    it('all handle errors are HandleErrors (one catch for misuse)', function () {
      for (const [cls, code] of [[InvalidHandleError, 'FORGED'], [ForeignHandleError, 'FOREIGN'], [StaleHandleError, 'STALE'], [DoubleReleaseError, 'DOUBLE_RELEASE']] as const) {
        assert.ok(new cls(code, 'x') instanceof HandleError);
      }
    });
  });

  describe('configuration', function () {
    const cases: [string, () => unknown, RegExp][] = [
      ['blockSize 0', () => new BlockPool({ blockSize: 0, count: 4 }), /blockSize must be an integer 1\.\./],
      ['blockSize negative', () => new BlockPool({ blockSize: -8, count: 4 }), /blockSize/],
      ['blockSize not an integer', () => new BlockPool({ blockSize: 2.5, count: 4 }), /blockSize.*got 2\.5/],
      ['blockSize NaN', () => new BlockPool({ blockSize: NaN, count: 4 }), /blockSize/],
      ['blockSize a string', () => new BlockPool({ blockSize: '8' as unknown as number, count: 4 }), /blockSize.*got "8"/],
      ['count 0', () => new BlockPool({ blockSize: 8, count: 0 }), /count must be an integer 1\.\.65536/],
      ['count negative', () => new BlockPool({ blockSize: 8, count: -1 }), /count/],
      ['count not an integer', () => new BlockPool({ blockSize: 8, count: 1.5 }), /count/],
      ['count over MAX_BLOCKS', () => new BlockPool({ blockSize: 1, count: MAX_BLOCKS + 1 }), /MAX_BLOCKS/],
      ['count missing', () => new BlockPool({ blockSize: 8 } as never), /count.*undefined/],
      ['buffer too small', () => new BlockPool({ name: 'small', blockSize: 8, count: 4, buffer: new ArrayBuffer(31) }), /'small'.*buffer too small.*need 32 bytes.*has 31/],
      ['region past the end', () => new BlockPool({ blockSize: 8, count: 4, buffer: new ArrayBuffer(64), byteOffset: 40 }), /need 72 bytes/],
      ['byteOffset negative', () => new BlockPool({ blockSize: 8, count: 4, buffer: new ArrayBuffer(64), byteOffset: -8 }), /byteOffset/],
      ['byteOffset without buffer', () => new BlockPool({ blockSize: 8, count: 4, byteOffset: 8 }), /without a buffer/],
      ['buffer not a buffer', () => new BlockPool({ blockSize: 8, count: 4, buffer: new Uint8Array(64) as unknown as ArrayBuffer }), /ArrayBuffer or a SharedArrayBuffer/],
      ['id 0', () => new BlockPool({ blockSize: 8, count: 4, id: 0 }), /id must be an integer 1\.\.127/],
      ['id 128', () => new BlockPool({ blockSize: 8, count: 4, id: 128 }), /id/],
      ['no options', () => new BlockPool(undefined as never), /options must be an object/],
      ['classes not ascending', () => new PoolSet({ name: 's', classes: [{ blockSize: 64, count: 2 }, { blockSize: 16, count: 2 }] }), /'s'.*strictly ascending.*classes\[1\]\.blockSize 16/],
      ['classes of equal size', () => new PoolSet({ classes: [{ blockSize: 16, count: 2 }, { blockSize: 16, count: 2 }] }), /strictly ascending/],
      ['no classes', () => new PoolSet({ classes: [] }), /number of classes/],
      ['too many classes', () => new PoolSet({ classes: Array.from({ length: MAX_CLASSES + 1 }, (_, i) => ({ blockSize: i + 1, count: 1 })) }), /1\.\.16/],
      ['class count 0', () => new PoolSet({ classes: [{ blockSize: 16, count: 0 }] }), /classes\[0\]\.count/],
      ['class blockSize not an integer', () => new PoolSet({ classes: [{ blockSize: 16, count: 1 }, { blockSize: 31.5, count: 1 }] }), /classes\[1\]\.blockSize/],
      ['set buffer too small', () => new PoolSet({ classes: [{ blockSize: 4, count: 3 }, { blockSize: 8, count: 2 }], buffer: new ArrayBuffer(27) }), /need 32 bytes/],
      ['set firstId leaves no room', () => new PoolSet({ classes: [{ blockSize: 4, count: 1 }, { blockSize: 8, count: 1 }], firstId: 127 }), /firstId/],
    ];
    for (const [what, fn, re] of cases) {
      it(`${what}: PoolConfigError`, function () {
        const msg = throwsNamed(fn, PoolConfigError, 'PoolConfigError');
        assert.ok(re.test(msg), `message ${JSON.stringify(msg)} does not match ${re}`);
        // Nothing half-built leaks: a valid pool made next works end to end.
        const p = t.track(new BlockPool({ blockSize: 8, count: 3 }));
        assertConsistent(p);
      });
    }

    it('a region that exactly fits is accepted', function () {
      const p = t.track(new BlockPool({ blockSize: 8, count: 4, buffer: new ArrayBuffer(64), byteOffset: 32 }));
      assertConsistent(p);
    });
  });

  describe('PoolSet', function () {
    it('reserve bigger than the largest class: NoSizeClassError, counted, set intact', function () {
      const s = t.track(new PoolSet({ name: 'msgs', classes: [{ blockSize: 16, count: 2 }, { blockSize: 64, count: 1 }] }));
      const h = s.reserve(10);
      const msg = throwsNamed(() => s.reserve(65), NoSizeClassError, 'NoSizeClassError');
      assert.ok(/'msgs'/.test(msg) && /reserve\(65\)/.test(msg) && /largest class holds 64 bytes/.test(msg), msg);
      assert.equal(s.tryReserve(65), NO_BLOCK);
      assert.equal(s.failures, 2);
      assert.deepEqual([s.pools[0]!.failures, s.pools[1]!.failures], [0, 0], 'no class was asked');
      assert.equal(s.used, 1);
      s.release(h);
      assertSetConsistent(s);
    });

    it('reserve of a size that is not a positive integer: NoSizeClassError', function () {
      const s = t.track(new PoolSet({ classes: [{ blockSize: 16, count: 2 }] }));
      for (const v of [0, -1, 1.5, NaN, '8' as unknown as number]) {
        const msg = throwsNamed(() => s.reserve(v), NoSizeClassError, 'NoSizeClassError');
        assert.ok(/positive integer/.test(msg), msg);
        assert.equal(s.tryReserve(v), NO_BLOCK);
      }
      assert.equal(s.failures, 10);
      assertSetConsistent(s);
    });

    it('reserve on an exhausted class: PoolExhaustedError naming the class; no fallback to a larger class', function () {
      const s = t.track(new PoolSet({ name: 'ev', classes: [{ blockSize: 16, count: 1 }, { blockSize: 64, count: 1 }] }));
      const h = s.reserve(16);
      const msg = throwsNamed(() => s.reserve(8), PoolExhaustedError, 'PoolExhaustedError');
      assert.ok(/'ev'/.test(msg) && /class 0/.test(msg) && /16 bytes/.test(msg) && /classes\[0\]\.count/.test(msg), msg);
      assert.equal(s.tryReserve(8), NO_BLOCK);
      assert.deepEqual([s.failures, s.pools[0]!.failures, s.pools[1]!.used], [2, 2, 0]);
      s.release(h);
      assertSetConsistent(s);
    });

    it('handles of another set or pool: ForeignHandleError; misuse inside a class is the class pool\'s error', function () {
      const s1 = t.track(new PoolSet({ classes: [{ blockSize: 8, count: 2 }, { blockSize: 32, count: 2 }] }));
      const s2 = t.track(new PoolSet({ classes: [{ blockSize: 8, count: 2 }, { blockSize: 32, count: 2 }] }));
      const p = t.track(new BlockPool({ blockSize: 8, count: 2 }));
      const h2 = s2.reserve(8);
      const hp = p.claim();
      const h1 = s1.reserve(20);
      for (const v of [h2, hp]) {
        throwsNamed(() => s1.release(v), ForeignHandleError, 'ForeignHandleError');
        throwsNamed(() => s1.retain(v), ForeignHandleError, 'ForeignHandleError');
        throwsNamed(() => s1.offset(v), ForeignHandleError, 'ForeignHandleError');
        throwsNamed(() => s1.poolOf(v), ForeignHandleError, 'ForeignHandleError');
      }
      throwsNamed(() => p.release(h1), ForeignHandleError, 'ForeignHandleError');
      for (const v of [1.5, NaN, NO_BLOCK, -5, undefined]) throwsNamed(() => s1.release(v as number), InvalidHandleError, 'InvalidHandleError');
      s1.release(h1);
      throwsNamed(() => s1.release(h1), DoubleReleaseError, 'DoubleReleaseError');
      const again = s1.reserve(20);
      throwsNamed(() => s1.release(h1), StaleHandleError, 'StaleHandleError');
      s1.release(again);
      s2.release(h2);
      p.release(hp);
      assertSetConsistent(s1);
      assertSetConsistent(s2);
      assertConsistent(p);
    });
  });
});

// Type-level misuse that must not compile (checked by `npx tsc --noEmit -p tsconfig.json`).
export function typeTests(p: BlockPool, s: PoolSet): void {
  // @ts-expect-error counters are read-only
  p.capacity = 5;
  // @ts-expect-error counters are read-only
  p.used = 0;
  // @ts-expect-error handles are numbers
  p.release('h');
  // @ts-expect-error the free stack is not public
  p.stack.fill(0);
  // @ts-expect-error count is required
  new BlockPool({ blockSize: 8 });
  // @ts-expect-error reserve needs a size
  s.reserve();
  // @ts-expect-error the class list is read-only
  s.pools.push(p);
}

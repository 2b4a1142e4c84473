// BlockStream: zero-copy block handles with a real BlockPool. Ownership moves
// with the handle; beginWrite/commitWrite/cancelWrite and beginRead/endRead/
// cancelRead; cancel-then-free (a lent block is never released while its
// holder could still touch it); destroy releases each block exactly once;
// readiness; misuse errors; zero allocation on XS. pool.used is back to 0
// after every test.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { BlockStream, StreamConfigError, StreamUsageError, StreamDestroyedError, type Postable, type BlockSource } from '../../src/stream.js';
import { BlockPool, NO_BLOCK, DoubleReleaseError } from '../../src/pool.js';
import { EventQueue } from '../../src/queue.js';
import { Tracker } from '../support/pool-helpers.js';

class Rec implements Postable {
  log: string[] = [];
  post(sig: number, p0 = 0): boolean {
    this.log.push(`${sig}:${p0}`);
    return true;
  }
}

/** A BlockSource that logs every claim and release, in order, around a real pool. */
class LoggedPool implements BlockSource {
  log: string[] = [];
  constructor(readonly pool: BlockPool) {}
  tryClaim(): number {
    const h = this.pool.tryClaim();
    this.log.push(`claim ${h & 0xffff}`);
    return h;
  }
  release(h: number): void {
    this.log.push(`release ${h & 0xffff}`);
    this.pool.release(h);
  }
  offset(h: number): number {
    return this.pool.offset(h);
  }
  get capacity(): number {
    return this.pool.capacity;
  }
}

const t = new Tracker();
function pool(count = 8, blockSize = 16): BlockPool {
  return t.track(new BlockPool({ name: 'blocks', blockSize, count }));
}
function check(s: BlockStream): void {
  assert.equal(s.written, s.taken + s.dropped + s.length, `written ${s.written} != taken ${s.taken} + dropped ${s.dropped} + length ${s.length}`);
}

describe('BlockStream (zero-copy blocks)', function () {
  afterEach(() => t.checkTracked());

  it('send / receive move ownership in FIFO order; the bytes are not copied', function () {
    const p = pool();
    const s = new BlockStream({ capacity: 4, pool: p });
    const a = p.claim();
    const b = p.claim();
    p.bytes[p.offset(a)] = 11;
    p.bytes[p.offset(b)] = 22;
    assert.ok(s.send(a));
    assert.ok(s.send(b));
    assert.deepEqual([s.length, s.free, s.minFree, p.used], [2, 2, 2, 2]);
    const x = s.receive();
    const y = s.receive();
    assert.deepEqual([x, y], [a, b], 'the same handles: zero copy');
    assert.equal(p.bytes[p.offset(x)], 11);
    assert.equal(s.receive(), NO_BLOCK);
    p.release(x);
    p.release(y);
    assert.deepEqual([s.written, s.taken], [2, 2]);
    check(s);
  });

  it('a refused send (full or closed) leaves the handle with the producer, counted', function () {
    const p = pool();
    const s = new BlockStream({ capacity: 1, pool: p });
    const a = p.claim();
    const b = p.claim();
    assert.ok(s.send(a));
    assert.equal(s.send(b), false);
    assert.equal(s.refused, 1);
    assert.equal(p.refCount(b), 1, 'still held by the producer');
    s.close();
    assert.equal(s.receive(), a);
    assert.equal(s.done, true);
    assert.equal(s.send(b), false);
    assert.equal(s.refusedClosed, 1);
    p.release(a);
    p.release(b);
    check(s);
  });

  it('send(NO_BLOCK) and send of a non-handle throw StreamUsageError', function () {
    const p = pool();
    const s = new BlockStream({ capacity: 2, pool: p, name: 'bs' });
    assert.throws(() => s.send(NO_BLOCK), /BlockStream 'bs'\.send\(NO_BLOCK\): the claim was refused/);
    assert.throws(() => s.send(-3), /not a block handle/);
    assert.throws(() => s.send(1.5), StreamUsageError);
    assert.equal(s.length, 0);
  });

  it('beginWrite claims a block for a reserved slot; commitWrite publishes it', function () {
    const lp = new LoggedPool(pool());
    const s = new BlockStream({ capacity: 2, pool: lp });
    const h = s.beginWrite();
    assert.notEqual(h, NO_BLOCK);
    assert.equal(s.pendingWrite, h);
    assert.deepEqual([s.length, s.free], [0, 1], 'the slot is reserved');
    lp.pool.bytes[lp.pool.offset(h)] = 42;
    assert.equal(s.receive(), NO_BLOCK, 'not visible before commit');
    assert.ok(s.commitWrite());
    assert.equal(s.pendingWrite, NO_BLOCK);
    const g = s.receive();
    assert.equal(g, h);
    assert.equal(lp.pool.bytes[lp.pool.offset(g)], 42);
    lp.release(g);
    assert.deepEqual(lp.log, ['claim 0', 'release 0']);
    check(s);
  });

  it('beginWrite returns NO_BLOCK when full (refused), closed (refusedClosed) or the pool is empty (noBlock)', function () {
    const p = pool(1);
    const s = new BlockStream({ capacity: 1, pool: p });
    const q = new BlockStream({ capacity: 4, pool: p });
    const h = s.beginWrite();
    s.commitWrite();
    assert.equal(s.beginWrite(), NO_BLOCK);
    assert.equal(s.refused, 1);
    assert.equal(q.beginWrite(), NO_BLOCK, 'pool empty');
    assert.equal(q.noBlock, 1);
    q.close();
    assert.equal(q.beginWrite(), NO_BLOCK);
    assert.equal(q.refusedClosed, 1);
    p.release(s.receive());
    assert.ok(h > 0);
  });

  it('cancelWrite: cancel first, then free; the slot is free again; double cancel throws', function () {
    const lp = new LoggedPool(pool());
    const s = new BlockStream({ capacity: 1, pool: lp, name: 'cw' });
    const h = s.beginWrite();
    assert.equal(s.free, 0);
    s.cancelWrite();
    assert.equal(lp.pool.refCount(h), 0, 'released');
    assert.deepEqual([s.free, s.cancelledWrites, s.releasedOnCancel, s.written, s.pendingWrite], [1, 1, 1, 0, NO_BLOCK]);
    assert.throws(() => s.cancelWrite(), /BlockStream 'cw'\.cancelWrite\(\): no write is pending \(double cancel/);
    assert.throws(() => s.commitWrite(), /commitWrite\(\): no write is pending; call beginWrite\(\) first/);
    assert.deepEqual(lp.log, ['claim 0', 'release 0']);
    check(s);
  });

  it('one pending write: beginWrite twice, send or close during it throw', function () {
    const p = pool();
    const s = new BlockStream({ capacity: 4, pool: p });
    s.beginWrite();
    assert.throws(() => s.beginWrite(), /a write is pending/);
    const x = p.claim();
    assert.throws(() => s.send(x), /a write is pending/);
    assert.throws(() => s.close(), /a write is pending \(beginWrite\); commitWrite\(\) or cancelWrite\(\) it first/);
    s.cancelWrite();
    p.release(x);
  });

  it('beginRead lends the front block (it stays queued); endRead consumes then releases it; cancelRead leaves it at the front', function () {
    const lp = new LoggedPool(pool());
    const s = new BlockStream({ capacity: 4, pool: lp });
    const a = lp.pool.claim();
    const b = lp.pool.claim();
    s.send(a);
    s.send(b);
    assert.equal(s.beginRead(), a);
    assert.equal(s.pendingRead, a);
    assert.equal(s.length, 2, 'still queued while lent');
    s.cancelRead();
    assert.throws(() => s.cancelRead(), /cancelRead\(\): no read is pending \(double cancel/);
    assert.equal(s.beginRead(), a, 'the same block again: not consumed, not duplicated');
    assert.throws(() => s.beginRead(), /a read is pending/);
    assert.throws(() => s.receive(), /a read is pending/);
    assert.ok(s.endRead());
    assert.equal(lp.pool.refCount(a), 0);
    assert.throws(() => s.endRead(), /endRead\(\): no read is pending/);
    assert.equal(s.receive(), b);
    lp.pool.release(b);
    assert.deepEqual(lp.log, ['release 0']);
    assert.equal(s.beginRead(), NO_BLOCK);
    check(s);
  });

  describe('destroy (cancel-then-free)', function () {
    it('releases every queued block exactly once, in order, and counts them', function () {
      const lp = new LoggedPool(pool());
      const s = new BlockStream({ capacity: 4, pool: lp, initialIndex: -2 });
      const hs = [lp.pool.claim(), lp.pool.claim(), lp.pool.claim()];
      for (const h of hs) assert.ok(s.send(h));
      const first = s.receive();
      assert.equal(first, hs[0], 'the consumer owns block 0 now');
      assert.equal(s.destroy(), 2);
      assert.deepEqual(lp.log, ['release 1', 'release 2']);
      assert.deepEqual([s.dropped, s.releasedOnCancel, s.length, s.destroyed], [2, 2, 0, true]);
      check(s);
      assert.throws(() => s.receive(), StreamDestroyedError);
      assert.throws(() => s.send(5 << 24), StreamDestroyedError);
      assert.throws(() => s.beginWrite(), StreamDestroyedError);
      assert.throws(() => s.beginRead(), StreamDestroyedError);
      assert.throws(() => s.commitWrite(), StreamDestroyedError);
      assert.throws(() => s.endRead(), StreamDestroyedError);
      assert.throws(() => s.destroy(), /BlockStream 'stream'\.destroy\(\): the stream was destroyed/);
      assert.equal(lp.pool.refCount(first), 1, "destroy never touches a received block: it is the consumer's");
      lp.pool.release(first);
    });

    it('a pending write is marked cancelled; its block is NOT released until the producer acknowledges', function () {
      const lp = new LoggedPool(pool());
      const s = new BlockStream({ capacity: 4, pool: lp });
      const h = s.beginWrite();
      const q = lp.pool.claim();
      const off = lp.pool.offset(h);
      assert.equal(s.destroy(), 0);
      // The producer is still filling its block (e.g. across IO callbacks): the block must not be reusable.
      assert.equal(lp.pool.refCount(h), 1, 'still held: no one else can claim it');
      lp.pool.bytes[off] = 99; // harmless: the block is still the producer's
      assert.equal(s.commitWrite(), false, 'the ack: the write was cancelled');
      assert.equal(lp.pool.refCount(h), 0, 'released on the ack, once');
      assert.throws(() => s.commitWrite(), StreamDestroyedError, 'a second ack is misuse');
      assert.throws(() => s.cancelWrite(), StreamDestroyedError);
      assert.equal(s.releasedOnCancel, 1);
      assert.deepEqual(lp.log, ['claim 0', 'release 0']);
      lp.pool.release(q);
    });

    it('cancelWrite is also an ack after destroy', function () {
      const p = pool();
      const s = new BlockStream({ capacity: 4, pool: p });
      const h = s.beginWrite();
      s.destroy();
      s.cancelWrite();
      assert.equal(p.refCount(h), 0);
      assert.throws(() => s.cancelWrite(), StreamDestroyedError);
    });

    it('a pending read is cancelled: the lent block is skipped by destroy and released on the reader ack', function () {
      const lp = new LoggedPool(pool());
      const s = new BlockStream({ capacity: 4, pool: lp });
      const a = lp.pool.claim();
      const b = lp.pool.claim();
      s.send(a);
      s.send(b);
      assert.equal(s.beginRead(), a);
      assert.equal(s.destroy(), 1, 'b only');
      assert.deepEqual(lp.log, ['release 1']);
      assert.equal(lp.pool.refCount(a), 1, 'a: lent, still held');
      assert.deepEqual([s.dropped, s.taken, s.length], [2, 0, 0]);
      assert.equal(s.endRead(), false);
      assert.deepEqual(lp.log, ['release 1', 'release 0']);
      assert.equal(s.releasedOnCancel, 2);
      check(s);
    });

    it('cancelRead is also an ack after destroy', function () {
      const p = pool();
      const s = new BlockStream({ capacity: 4, pool: p });
      const a = p.claim();
      s.send(a);
      s.beginRead();
      s.destroy();
      s.cancelRead();
      assert.equal(p.refCount(a), 0);
    });

    it('destroy(true) (holders gone) releases lent blocks at once; a late ack is a no-op (no double release)', function () {
      const lp = new LoggedPool(pool());
      const s = new BlockStream({ capacity: 4, pool: lp });
      const a = lp.pool.claim();
      s.send(a);
      s.beginRead();
      const w = s.beginWrite();
      assert.equal(s.destroy(true), 2);
      assert.deepEqual(lp.log, ['claim 1', 'release 1', 'release 0']);
      assert.deepEqual([lp.pool.refCount(a), lp.pool.refCount(w), s.releasedOnCancel], [0, 0, 2]);
      assert.equal(s.commitWrite(), false);
      assert.equal(s.endRead(), false);
      assert.equal(lp.log.length, 3, 'no second release');
    });

    it('a double release by the consumer is the pool error (handles are checked)', function () {
      const p = pool();
      const s = new BlockStream({ capacity: 2, pool: p });
      s.send(p.claim());
      const h = s.receive();
      p.release(h);
      assert.throws(() => p.release(h), DoubleReleaseError);
    });
  });

  describe('readiness', function () {
    it('a waiting consumer gets one post when a block is sent or committed; a waiting producer when space frees', function () {
      const p = pool();
      const s = new BlockStream({ capacity: 1, pool: p, tag: 4 });
      const r = new Rec();
      const w = new Rec();
      s.waitReadable(r, 1);
      assert.equal(s.receive(), NO_BLOCK);
      const h = s.beginWrite();
      assert.deepEqual(r.log, [], 'a pending write is not readable');
      s.commitWrite();
      assert.deepEqual(r.log, ['1:4']);
      s.waitWritable(w, 2);
      assert.deepEqual(w.log, [], 'full: armed');
      const x = p.claim();
      assert.equal(s.send(x), false);
      assert.equal(s.beginRead(), h);
      s.cancelRead();
      assert.deepEqual(w.log, [], 'cancelRead frees no space');
      s.beginRead();
      s.endRead();
      assert.deepEqual(w.log, ['2:4']);
      assert.ok(s.send(x));
      assert.equal(s.beginWrite(), NO_BLOCK);
      p.release(s.receive());
      assert.deepEqual(w.log, ['2:4', '2:4']);
      assert.equal(s.receive(), NO_BLOCK);
      s.close();
      assert.deepEqual(r.log, ['1:4', '1:4'], 'close tells the waiting consumer');
    });

    it('destroy posts an armed producer so it can acknowledge', function () {
      const p = pool();
      const s = new BlockStream({ capacity: 1, pool: p });
      const w = new Rec();
      s.send(p.claim());
      s.waitWritable(w, 3);
      s.destroy();
      assert.deepEqual(w.log, ['3:0']);
    });
  });

  it('throws StreamConfigError without a pool or with a bad capacity', function () {
    assert.throws(() => new BlockStream({ capacity: 4, pool: {} as BlockSource, name: 'np' }), /BlockStream 'np': pool must have tryClaim\(\), release\(h\), offset\(h\)/);
    assert.throws(() => new BlockStream({ capacity: 3, pool: pool() }), StreamConfigError);
  });

  it('types: misuse does not compile', function () {
    const p = pool();
    const s = new BlockStream({ capacity: 2, pool: p });
    // @ts-expect-error a handle is a number
    assert.throws(() => s.send('h'), StreamUsageError);
    // @ts-expect-error BlockStream needs a pool
    assert.throws(() => new BlockStream({ capacity: 2 }), StreamConfigError);
    // @ts-expect-error receive takes no destination
    assert.equal(s.receive(new Int32Array(1)), NO_BLOCK);
  });

  describe('zero allocation on XS (first call included)', function () {
    it('claim, send, receive, release with a real BlockPool', function () {
      const p = pool(4);
      const s = new BlockStream({ capacity: 4, pool: p });
      let n = 0;
      assertNoAllocation(
        () => {
          const h = p.tryClaim();
          s.send(h);
          const g = s.receive();
          if (g === h) n++;
          p.release(g);
        },
        10000,
        'tryClaim + send + receive + release',
      );
      assert.equal(n, 10000);
    });

    it('send refused when full and receive on empty', function () {
      const p = pool(4);
      const s = new BlockStream({ capacity: 1, pool: p });
      const a = p.claim();
      const b = p.claim();
      // (a is sent once: sending it again while queued is the named error, in every build.)
      assert.equal(s.send(a), true);
      assertNoAllocation(() => s.send(b), 10000, 'send refused: full (b validated by the pool first)');
      assert.equal(s.refused, 10000);
      assert.equal(s.receive(), a);
      assertNoAllocation(() => s.receive(), 10000, 'receive on empty');
      p.release(a);
      p.release(b);
    });

    it('beginWrite + commitWrite + beginRead + cancelRead + beginRead + endRead', function () {
      const p = pool(2);
      const s = new BlockStream({ capacity: 2, pool: p });
      assertNoAllocation(
        () => {
          const h = s.beginWrite();
          p.bytes[p.offset(h)] = 1;
          s.commitWrite();
          s.beginRead();
          s.cancelRead();
          s.beginRead();
          s.endRead();
        },
        10000,
        'begin/commit write, begin/cancel/begin/end read',
      );
      assert.equal(s.taken, 10000);
    });

    it('beginWrite + cancelWrite, and readiness posts into an EventQueue', function () {
      const p = pool(2);
      const q = new EventQueue({ capacity: 4 });
      const s = new BlockStream({ capacity: 2, pool: p });
      s.waitReadable(q, 1);
      assertNoAllocation(
        () => {
          s.beginWrite();
          s.cancelWrite();
          s.receive(); // empty: arms
          s.send(p.tryClaim()); // posts
          q.get();
          p.release(s.receive());
        },
        10000,
        'beginWrite + cancelWrite + receive(arm) + send(post) + get + receive + release',
      );
      assert.equal(s.posts, 10000);
    });
  });
});


// A pool whose arena is a SharedArrayBuffer. The pool's metadata (free stack,
// generations, reference counts) lives in the pool object, in the context that
// made it; only block bytes are shared. Another context (a worker, the other
// core) sees the arena through its own views at the offsets the owner hands
// over, and hands the block back to the owner to release. Here the "other
// context" is simulated with views made independently over the same memory.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { BlockPool, PoolSet } from '../../src/pool.js';
import { Tracker, assertConsistent, assertSetConsistent } from '../support/pool-helpers.js';

const t = new Tracker();

describe('BlockPool over a SharedArrayBuffer', function () {
  afterEach(() => t.checkTracked());

  before(function () {
    if (typeof SharedArrayBuffer === 'undefined') this.skip();
  });

  it('keeps its metadata out of the shared arena', function () {
    const sab = new SharedArrayBuffer(64);
    const other = new Uint8Array(sab); // the other context's view
    const p = t.track(new BlockPool({ blockSize: 16, count: 4, buffer: sab, poison: false }));
    const hs = [p.claim(), p.claim(), p.claim(), p.claim()];
    for (let k = 0; k < 64; k++) assert.equal(other[k], 0, 'claim wrote nothing into the shared arena');
    for (const h of hs) p.release(h);
    for (let k = 0; k < 64; k++) assert.equal(other[k], 0, 'release wrote nothing into the shared arena');
    assert.ok(p.bytes.buffer === sab && p.view.buffer === sab);
  });

  it('hands a block to another context by offset; its writes (Atomics) are seen by the owner', function () {
    const sab = new SharedArrayBuffer(256);
    const p = t.track(new BlockPool({ name: 'shared', blockSize: 32, count: 8, buffer: sab, byteOffset: 0, zeroOnClaim: true }));
    // The other context: its own Int32Array over the same memory.
    const otherI32 = new Int32Array(sab);
    const h = p.claim();
    const at = p.offset(h); // what the owner posts to the other context
    assert.equal(at % 4, 0, 'blockSize and byteOffset multiples of 4: Int32 / Atomics access is aligned');
    Atomics.store(otherI32, at / 4, 1234);
    Atomics.add(otherI32, at / 4 + 1, 5);
    assert.equal(p.view.getInt32(at, true), 1234);
    assert.equal(p.view.getInt32(at + 4, true), 5);
    // The other context sends the handle back; the owner releases it.
    p.release(h);
    assertConsistent(p);
  });

  it('a PoolSet over a region of a shared static arena', function () {
    const classes = [{ blockSize: 16, count: 2 }, { blockSize: 64, count: 2 }];
    const sab = new SharedArrayBuffer(32 + PoolSet.byteLengthFor(classes));
    const s = t.track(new PoolSet({ classes, buffer: sab, byteOffset: 32 }));
    const h = s.reserve(40);
    const other = new Uint8Array(sab);
    other[s.offset(h) + 39] = 0x5a;
    assert.equal(s.bytes[s.offset(h) + 39], 0x5a);
    s.release(h);
    assertSetConsistent(s);
  });

  it('claim+release on a shared arena allocates nothing on XS', function () {
    const p = t.track(new BlockPool({ blockSize: 16, count: 2, buffer: new SharedArrayBuffer(32) }));
    assertNoAllocation(() => p.release(p.claim()), 10000, 'shared BlockPool claim+release');
  });
});

// Shared helpers for the pool tests (not a test file itself).
import { strict as assert } from './assert.js';
import { BlockPool, PoolSet, NO_BLOCK } from '../../src/pool.js';

/**
 * Pools a test made, with their `used` at registration. `checkTracked()` (run
 * in afterEach) asserts each is back to that value and forgets them.
 */
export class Tracker {
  private pools: { p: BlockPool | PoolSet; used: number }[] = [];
  track<T extends BlockPool | PoolSet>(p: T): T {
    this.pools.push({ p, used: p.used });
    return p;
  }
  checkTracked(): void {
    const list = this.pools;
    this.pools = [];
    for (const { p, used } of list) assert.equal(p.used, used, `${p.name}: used is ${p.used} after the test, was ${used} before`);
  }
}

/**
 * A pool is consistent: its counters agree, and a full claim-all / release-all
 * cycle hands out exactly `free` distinct blocks inside its region, then
 * refuses, then takes them all back. Leaves `used` as it found it.
 */
export function assertConsistent(pool: BlockPool): void {
  const { capacity, used, free } = pool;
  assert.equal(used + free, capacity, `${pool.name}: used ${used} + free ${free} != capacity ${capacity}`);
  assert.ok(pool.minFree <= free, `${pool.name}: minFree ${pool.minFree} > free ${free}`);
  assert.ok(free >= 0 && used >= 0);
  const failures = pool.failures;
  const got: number[] = [];
  const seen = new Set<number>();
  for (;;) {
    const h = pool.tryClaim();
    if (h === NO_BLOCK) break;
    assert.equal(pool.refCount(h), 1);
    const off = pool.offset(h);
    assert.ok(off >= pool.byteOffset && off + pool.blockSize <= pool.byteOffset + pool.byteLength, `offset ${off} outside the region`);
    assert.equal((off - pool.byteOffset) % pool.blockSize, 0, `offset ${off} not on a block boundary`);
    assert.ok(!seen.has(off), `block at ${off} handed out twice`);
    seen.add(off);
    got.push(h);
    assert.ok(got.length <= capacity, 'more claims than capacity');
  }
  assert.equal(got.length, free, `${pool.name}: claimed ${got.length} blocks, free said ${free}`);
  assert.equal(pool.used, capacity);
  assert.equal(pool.free, 0);
  assert.equal(pool.minFree, 0);
  assert.equal(pool.failures, failures + 1, 'the refused tryClaim is counted');
  for (const h of got) pool.release(h);
  assert.equal(pool.used, used);
  assert.equal(pool.free, free);
}

export function assertSetConsistent(set: PoolSet): void {
  let cap = 0;
  let used = 0;
  for (const p of set.pools) {
    assertConsistent(p);
    cap += p.capacity;
    used += p.used;
  }
  assert.equal(set.capacity, cap);
  assert.equal(set.used, used);
  assert.equal(set.free, cap - used);
}

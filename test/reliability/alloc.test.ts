// Positive and negative controls for the allocation probe. They stay in the
// suite for good: if the probe ever stops catching an allocation, or starts
// reporting one where there is none, every zero-allocation test is suspect.
import { strict as assert } from '../support/assert.js';
import { allocations, assertNoAllocation, AllocationError, onXs } from '../support/alloc.js';

describe('allocation probe (controls)', function () {
  it('catches an object literal: () => ({}) allocates', function () {
    if (!onXs) this.skip();
    const a = allocations(() => ({}), 1000)!;
    assert.ok(a.slots >= 1, `expected >= 1 slot/call, got ${a.slots}`);
    assert.throws(() => assertNoAllocation(() => ({}), 1000), AllocationError);
  });

  it('catches an array literal, a closure and string building', function () {
    if (!onXs) this.skip();
    let k = 0;
    assert.throws(() => assertNoAllocation(() => [k, k], 1000), AllocationError);
    assert.throws(() => assertNoAllocation(() => () => k, 1000), AllocationError);
    assert.throws(() => assertNoAllocation(() => 'x' + k++, 1000), AllocationError);
  });

  it('catches a single allocation on the first call only', function () {
    if (!onXs) this.skip();
    let cache: number[] | undefined;
    const lazy = (): number => {
      if (cache === undefined) cache = [1, 2, 3];
      return cache[0]!;
    };
    const a = allocations(lazy, 10000)!;
    assert.ok(a.slots > 0 || a.chunkBytes > 0, 'a lazy first-call allocation must be seen');
    assert.throws(() => assertNoAllocation(() => { cache = undefined; return lazy(); }, 1), AllocationError);
  });

  it('an integer loop allocates nothing', function () {
    let sum = 0;
    const loop = (): number => {
      for (let i = 0; i < 16; i++) sum = (sum + i * 3) | 0;
      return sum;
    };
    const a = assertNoAllocation(loop, 10000, 'an integer loop');
    if (onXs) assert.equal(a!.slots + a!.chunkBytes, 0);
  });

  it('typed-array writes and double arithmetic allocate nothing', function () {
    const f64 = new Float64Array(8);
    let x = 0.5;
    assertNoAllocation(() => {
      x = x * 1.0001 + 0.25;
      f64[3] = x;
    });
  });

  it('XS steps are deterministic from run to run', function () {
    if (!onXs) this.skip();
    let s = 0;
    const fn = (): void => {
      for (let i = 0; i < 8; i++) s += i;
    };
    const a = allocations(fn, 1000)!;
    const b = allocations(fn, 1000)!;
    assert.equal(a.steps, b.steps);
    assert.ok(a.steps > 0);
  });
});

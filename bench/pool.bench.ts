// Pool bench: keel's BlockPool and PoolSet against hand-written free stacks
// doing the same work with no checks: an Int32Array stack with push/pop
// functions (the floor for any free-stack pool on XS), and the same per size
// class with a linear class scan.
import { defineBench } from './harness.js';
import { BlockPool, PoolSet, NO_BLOCK } from '../src/pool.js';

const N = 64;

/** A bare free stack: claim pops an index (-1 when empty), release pushes it back. No handle checks. */
function handStack(n: number): { claim(): number; release(i: number): void; misses: number } {
  const stack = new Int32Array(n);
  for (let i = 0; i < n; i++) stack[i] = n - 1 - i;
  let top = n;
  const s = {
    misses: 0,
    claim(): number {
      if (top === 0) {
        s.misses++;
        return -1;
      }
      return stack[--top]!;
    },
    release(i: number): void {
      stack[top++] = i;
    },
  };
  return s;
}

export default defineBench('pool', [
  {
    name: 'hand-written free stack claim+release (baseline)',
    make() {
      const s = handStack(N);
      return () => s.release(s.claim());
    },
  },
  {
    name: 'hand-written checked free stack claim+release (generation, refcount, handle check)',
    baseline: 'hand-written free stack claim+release (baseline)',
    make() {
      // What the checks cost by themselves: the same 4-byte metadata and handle
      // test as BlockPool, written as closures over locals (the cheapest form on
      // XS), with no low-water mark, counters or error path.
      const tag = 9 << 24;
      const stack = new Uint16Array(N);
      const meta = new Uint16Array(N);
      for (let i = 0; i < N; i++) stack[i] = N - 1 - i;
      let top = N;
      const claim = (): number => {
        if (top === 0) return 0;
        const i = stack[--top]!;
        return tag | (((meta[i] = (meta[i]! % 255) + 0x101) & 0xff) << 16) | i;
      };
      const release = (h: number): void => {
        const m = meta[h & 0xffff]!;
        if (h !== (tag | ((m & 0xff) << 16) | (h & 0xffff)) || !(m >= 0x100)) throw 1;
        if ((meta[h & 0xffff] = m - 0x100) < 0x100) stack[top++] = h & 0xffff;
      };
      return () => release(claim());
    },
  },
  {
    name: 'keel BlockPool claim+release',
    baseline: 'hand-written free stack claim+release (baseline)',
    make() {
      const p = new BlockPool({ blockSize: 32, count: N });
      return () => p.release(p.claim());
    },
  },
  {
    name: 'keel BlockPool tryClaim+release',
    baseline: 'hand-written free stack claim+release (baseline)',
    make() {
      const p = new BlockPool({ blockSize: 32, count: N });
      return () => p.release(p.tryClaim());
    },
  },
  {
    name: 'keel BlockPool claim+retain+release+release (multicast of 2)',
    baseline: 'hand-written free stack claim+release (baseline)',
    make() {
      const p = new BlockPool({ blockSize: 32, count: N });
      return () => {
        const h = p.claim();
        p.retain(h);
        p.release(h);
        p.release(h);
      };
    },
  },
  {
    name: 'keel BlockPool claim+release, zeroOnClaim 32 B',
    baseline: 'hand-written free stack claim+release (baseline)',
    make() {
      const p = new BlockPool({ blockSize: 32, count: N, zeroOnClaim: true });
      return () => p.release(p.claim());
    },
  },
  {
    name: 'hand-written free stack pop on empty (baseline)',
    make() {
      const s = handStack(1);
      s.claim();
      return () => s.claim();
    },
  },
  {
    name: 'keel BlockPool tryClaim on empty',
    baseline: 'hand-written free stack pop on empty (baseline)',
    make() {
      const p = new BlockPool({ blockSize: 32, count: 1 });
      p.claim();
      return () => p.tryClaim();
    },
  },
  {
    name: 'hand-written size-class stacks reserve+release (baseline)',
    make() {
      const sizes = new Int32Array([16, 64, 256]);
      const stacks = [handStack(N), handStack(N), handStack(N)];
      const want = new Int32Array([12, 40, 200]);
      let k = 0;
      return () => {
        const size = want[k]!;
        k = k === 2 ? 0 : k + 1;
        let c = 0;
        while (size > sizes[c]!) c++;
        const st = stacks[c]!;
        st.release(st.claim());
      };
    },
  },
  {
    name: 'keel PoolSet reserve+release',
    baseline: 'hand-written size-class stacks reserve+release (baseline)',
    make() {
      const s = new PoolSet({ classes: [{ blockSize: 16, count: N }, { blockSize: 64, count: N }, { blockSize: 256, count: N }] });
      const want = new Int32Array([12, 40, 200]);
      let k = 0;
      return () => {
        const size = want[k]!;
        k = k === 2 ? 0 : k + 1;
        s.release(s.reserve(size));
      };
    },
  },
  {
    name: 'keel PoolSet tryReserve+release',
    baseline: 'hand-written size-class stacks reserve+release (baseline)',
    make() {
      const s = new PoolSet({ classes: [{ blockSize: 16, count: N }, { blockSize: 64, count: N }, { blockSize: 256, count: N }] });
      const want = new Int32Array([12, 40, 200]);
      let k = 0;
      return () => {
        const size = want[k]!;
        k = k === 2 ? 0 : k + 1;
        const h = s.tryReserve(size);
        if (h !== NO_BLOCK) s.release(h);
      };
    },
  },
]);

// Kernel: events through post -> ready set -> dispatch, against a hand-written
// loop that does the same work (a typed-array ring per object, a priority scan
// and a direct call), plus a time event expiring and a publish to 3 subscribers.
import { defineBench } from './harness.js';
import { Kernel, type Behaviour } from '../src/kernel.js';
import { BlockPool } from '../src/pool.js';

class Work implements Behaviour {
  sum = 0;
  start(): void {}
  dispatch(sig: number, p0: number): void {
    this.sum += sig + p0;
  }
}

/** The same work by hand: 3 objects, one Float64Array ring each, highest index first. */
function handLoop(): () => void {
  const cap = 8;
  const rings = [new Float64Array(cap * 2), new Float64Array(cap * 2), new Float64Array(cap * 2)];
  const heads = new Int32Array(3);
  const tails = new Int32Array(3);
  const work = [new Work(), new Work(), new Work()];
  let i = 0;
  const post = (o: number, sig: number, p0: number): void => {
    const r = rings[o]!;
    const t = tails[o]!;
    r[(t % cap) * 2] = sig;
    r[(t % cap) * 2 + 1] = p0;
    tails[o] = t + 1;
  };
  return () => {
    post(i % 3, 1, i);
    i++;
    for (let guard = 0; guard < 64; guard++) {
      let o = 2;
      while (o >= 0 && heads[o] === tails[o]) o--;
      if (o < 0) break;
      const r = rings[o]!;
      const h = heads[o]!;
      heads[o] = h + 1;
      work[o]!.dispatch(r[(h % cap) * 2]!, r[(h % cap) * 2 + 1]!);
    }
  };
}

export default defineBench('kernel', [
  { name: 'hand-written rings + priority scan (baseline)', make: handLoop },
  {
    name: 'kernel post + run (3 AOs)',
    baseline: 'hand-written rings + priority scan (baseline)',
    make() {
      const k = new Kernel();
      const aos = [1, 2, 3].map((p) => k.spawn({ create: () => new Work() }, p, 8));
      let i = 0;
      return () => {
        k.post(aos[i % 3]!, 1, i);
        i++;
        k.run();
      };
    },
  },
  {
    name: 'time event expiry (arm + tick + run)',
    baseline: 'hand-written rings + priority scan (baseline)',
    make() {
      let now = 0;
      const k = new Kernel({ host: { now: () => now } });
      const ao = k.spawn({ create: () => new Work() }, 1, 4);
      const t = k.timeEvent(ao, 2);
      return () => {
        k.arm(t, 1);
        now += 1;
        k.tick();
        k.run();
      };
    },
  },
  {
    name: 'publish to 3 subscribers + run',
    baseline: 'hand-written rings + priority scan (baseline)',
    opsPerCall: 3,
    make() {
      const k = new Kernel();
      for (let p = 1; p <= 3; p++) k.subscribe(k.spawn({ create: () => new Work() }, p, 4), 1);
      return () => {
        k.publish(1, 7);
        k.run();
      };
    },
  },
  {
    name: 'publishBlock to 3 subscribers (refcounted pool block) + run',
    baseline: 'hand-written rings + priority scan (baseline)',
    opsPerCall: 3,
    make() {
      const pool = new BlockPool({ name: 'bench', blockSize: 32, count: 4 });
      const k = new Kernel({ pool });
      k.blockSignal(2);
      for (let p = 1; p <= 3; p++) k.subscribe(k.spawn({ create: () => new Work() }, p, 4), 2);
      return () => {
        k.publishBlock(2, pool.claim());
        k.run();
      };
    },
  },
]);

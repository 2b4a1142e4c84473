// Event queues: one post + one get (+ reading the 4 parameters back) per op.
// Baselines: a hand-written Int32Array ring doing the same work (a signal and
// four parameters per record, free-running counters, power-of-two mask), and
// a hand-written signal-only ring for the signal-only cases. Peer: array
// push/shift of event objects, the idiom Keel replaces.
import { defineBench } from './harness.js';
import { EventQueue } from '../src/queue.js';
import { SharedEventQueue, singleCoreAtomics } from '../src/shared-queue.js';

const RING = 'Int32Array ring, sig+4 params (baseline)';
const RING_SIG = 'Int32Array ring, signal only (baseline)';

export default defineBench('queue', [
  {
    name: RING,
    make() {
      const N = 16;
      const M = N - 1;
      const ring = new Int32Array(N * 5);
      let head = 0;
      let tail = 0;
      let a = 0;
      let b = 0;
      let c = 0;
      let d = 0;
      const post = (sig: number, p0: number, p1: number, p2: number, p3: number): boolean => {
        if (((tail - head) | 0) >= N) return false;
        const i = (tail & M) * 5;
        ring[i] = sig;
        ring[i + 1] = p0;
        ring[i + 2] = p1;
        ring[i + 3] = p2;
        ring[i + 4] = p3;
        tail = (tail + 1) | 0;
        return true;
      };
      const get = (): number => {
        if (head === tail) return -1;
        const i = (head & M) * 5;
        a = ring[i + 1]!;
        b = ring[i + 2]!;
        c = ring[i + 3]!;
        d = ring[i + 4]!;
        head = (head + 1) | 0;
        return ring[i]!;
      };
      let k = 0;
      let sum = 0;
      return () => {
        post(k & 255, k, 1, 2, 3);
        k++;
        get();
        sum += a + b + c + d;
        return sum;
      };
    },
  },
  {
    name: 'keel EventQueue post+get+p0..p3',
    baseline: RING,
    make() {
      const q = new EventQueue({ name: 'bench', capacity: 16 });
      let k = 0;
      let sum = 0;
      return () => {
        q.post(k & 255, k, 1, 2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
        return sum;
      };
    },
  },
  {
    name: 'keel EventQueue postUrgent+get+p0..p3',
    baseline: RING,
    make() {
      const q = new EventQueue({ name: 'bench', capacity: 16 });
      let k = 0;
      let sum = 0;
      return () => {
        q.postUrgent(k & 255, k, 1, 2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
        return sum;
      };
    },
  },
  {
    name: 'array push/shift of event objects',
    baseline: RING,
    xsCalls: 2000,
    make() {
      const a: { sig: number; p0: number; p1: number; p2: number; p3: number }[] = [];
      let k = 0;
      let sum = 0;
      return () => {
        a.push({ sig: k & 255, p0: k, p1: 1, p2: 2, p3: 3 });
        k++;
        const e = a.shift()!;
        sum += e.p0 + e.p1 + e.p2 + e.p3;
        return sum;
      };
    },
  },
  {
    name: RING_SIG,
    make() {
      const N = 16;
      const M = N - 1;
      const ring = new Int32Array(N);
      let head = 0;
      let tail = 0;
      const post = (sig: number): boolean => {
        if (((tail - head) | 0) >= N) return false;
        ring[tail & M] = sig;
        tail = (tail + 1) | 0;
        return true;
      };
      const get = (): number => {
        if (head === tail) return -1;
        const s = ring[head & M]!;
        head = (head + 1) | 0;
        return s;
      };
      let k = 0;
      return () => {
        post(k & 255);
        k++;
        return get();
      };
    },
  },
  {
    name: 'keel EventQueue post(sig)+get',
    baseline: RING_SIG,
    make() {
      const q = new EventQueue({ name: 'bench', capacity: 16 });
      let k = 0;
      return () => {
        q.post(k & 255);
        k++;
        return q.get();
      };
    },
  },
  {
    name: 'keel SharedEventQueue SPSC post+get+p0..p3',
    baseline: RING,
    make() {
      const q = new SharedEventQueue({ name: 'bench', capacity: 16, producers: 'single' });
      let k = 0;
      let sum = 0;
      return () => {
        q.post(k & 255, k, 1, 2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
        return sum;
      };
    },
  },
  {
    name: 'keel SharedEventQueue MPSC post+get+p0..p3',
    baseline: RING,
    make() {
      const q = new SharedEventQueue({ name: 'bench', capacity: 16, producers: 'multiple' });
      let k = 0;
      let sum = 0;
      return () => {
        q.post(k & 255, k, 1, 2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
        return sum;
      };
    },
  },
  {
    name: 'keel SharedEventQueue MPSC, singleCoreAtomics, ArrayBuffer',
    baseline: RING,
    make() {
      const q = new SharedEventQueue({
        name: 'bench',
        capacity: 16,
        producers: 'multiple',
        atomics: singleCoreAtomics,
        buffer: new ArrayBuffer(SharedEventQueue.byteLength(16)),
      });
      let k = 0;
      let sum = 0;
      return () => {
        q.post(k & 255, k, 1, 2, 3);
        k++;
        q.get();
        sum += q.p0 + q.p1 + q.p2 + q.p3;
        return sum;
      };
    },
  },
]);

// SharedEventQueue batches on one thread (issue 16): one op = one record
// posted by postMany and taken by drainTo, 16 records per call (packed
// [sig, p0, p1, p2, p3] in an Int32Array). Baseline: a hand-written
// Int32Array ring doing the same batch copy (free-running counters,
// power-of-two mask, no checks, no Atomics). Across threads against
// ringbuf.js: bench/xthread/ (the 'xthread' rows of the same run).
import { defineBench } from './harness.js';
import { SharedEventQueue, singleCoreAtomics } from '../src/shared-queue.js';

const BATCH = 16;
const RING = 'Int32Array ring, 16 records of sig+4 params per call (baseline)';

function keelCase(q: SharedEventQueue): () => number {
  const src = new Int32Array(BATCH * 5);
  const dst = new Int32Array(BATCH * 5);
  for (let k = 0; k < BATCH; k++) {
    src[k * 5] = k;
    src[k * 5 + 2] = 1;
    src[k * 5 + 3] = 2;
    src[k * 5 + 4] = 3;
  }
  let k = 0;
  let sum = 0;
  return () => {
    src[1] = k++;
    q.postMany(src, BATCH);
    q.drainTo(dst, BATCH);
    sum += dst[1]! + dst[BATCH * 5 - 1]!;
    return sum;
  };
}

export default defineBench('queue-batch', [
  {
    name: RING,
    opsPerCall: BATCH,
    make() {
      const N = 64;
      const M = N - 1;
      const ring = new Int32Array(N * 5);
      const src = new Int32Array(BATCH * 5);
      const dst = new Int32Array(BATCH * 5);
      for (let k = 0; k < BATCH; k++) {
        src[k * 5] = k;
        src[k * 5 + 2] = 1;
        src[k * 5 + 3] = 2;
        src[k * 5 + 4] = 3;
      }
      let head = 0;
      let tail = 0;
      const postMany = (count: number): number => {
        let n = N - ((tail - head) | 0);
        if (n > count) n = count;
        for (let r = 0, s = 0; r < n; r++, s += 5) {
          const i = ((tail + r) & M) * 5;
          ring[i] = src[s]!;
          ring[i + 1] = src[s + 1]!;
          ring[i + 2] = src[s + 2]!;
          ring[i + 3] = src[s + 3]!;
          ring[i + 4] = src[s + 4]!;
        }
        tail = (tail + n) | 0;
        return n;
      };
      const drainTo = (max: number): number => {
        let n = (tail - head) | 0;
        if (n > max) n = max;
        for (let r = 0, o = 0; r < n; r++, o += 5) {
          const i = ((head + r) & M) * 5;
          dst[o] = ring[i]!;
          dst[o + 1] = ring[i + 1]!;
          dst[o + 2] = ring[i + 2]!;
          dst[o + 3] = ring[i + 3]!;
          dst[o + 4] = ring[i + 4]!;
        }
        head = (head + n) | 0;
        return n;
      };
      let k = 0;
      let sum = 0;
      return () => {
        src[1] = k++;
        postMany(BATCH);
        drainTo(BATCH);
        sum += dst[1]! + dst[BATCH * 5 - 1]!;
        return sum;
      };
    },
  },
  {
    name: 'keel SharedEventQueue SPSC postMany+drainTo, 16 per call',
    baseline: RING,
    opsPerCall: BATCH,
    make: () => keelCase(new SharedEventQueue({ name: 'bench', capacity: 64, producers: 'single' })),
  },
  {
    name: 'keel SharedEventQueue MPSC postMany+drainTo, 16 per call',
    baseline: RING,
    opsPerCall: BATCH,
    make: () => keelCase(new SharedEventQueue({ name: 'bench', capacity: 64, producers: 'multiple' })),
  },
  {
    name: 'keel SharedEventQueue SPSC postMany+drainTo, singleCoreAtomics, ArrayBuffer',
    baseline: RING,
    opsPerCall: BATCH,
    make: () =>
      keelCase(
        new SharedEventQueue({
          name: 'bench',
          capacity: 64,
          producers: 'single',
          atomics: singleCoreAtomics,
          buffer: new ArrayBuffer(SharedEventQueue.byteLength(64)),
        }),
      ),
  },
]);

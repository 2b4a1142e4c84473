// A producer thread that dies between its claim and its publish (issue 19 #2):
// it claims a position on the queue's TAIL by the protocol of
// docs/queue-layout.md (compare-exchange), writes half a record, says it is
// ready and blocks until the test terminates it. Its position stays a hole.
import { workerData } from 'node:worker_threads';
import { LAYOUT } from '../../src/shared-queue.js';

interface DeadData {
  buffer: SharedArrayBuffer;
  /** [1]: ready flag (set here). */
  flags: Int32Array;
}

const { buffer, flags } = workerData as DeadData;
const i32 = new Int32Array(buffer);
for (;;) {
  const h = Atomics.load(i32, LAYOUT.W_HEAD);
  const t = Atomics.load(i32, LAYOUT.W_TAIL);
  if (((t - h) | 0) >= i32[LAYOUT.W_CAPACITY]!) break; // full: nothing to claim
  if (Atomics.compareExchange(i32, LAYOUT.W_TAIL, t, (t + 1) | 0) === t) {
    i32[64 + (t & (i32[LAYOUT.W_SLOTS]! - 1)) * 10 + 1] = 3; // the signal; p0..p3 and the publish never come
    break;
  }
}
Atomics.store(flags, 1, 1);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until terminated

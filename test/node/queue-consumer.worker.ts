// Consumer thread for queue-concurrency.test.ts: attaches with mayBlock (a
// Worker may block in Atomics.wait), takes `total` events and checks each
// producer's sequence (no loss, no duplicate, order kept) and parameters;
// counts waitForEvent calls that returned false before their timeout.
import { parentPort, workerData } from 'node:worker_threads';
import { NO_EVENT } from '../../src/queue.js';
import { SharedEventQueue } from '../../src/shared-queue.js';

interface ConsumerData {
  buffer: SharedArrayBuffer;
  producers: number;
  total: number;
  start: Int32Array;
  /** waitForEvent timeout (default 200 ms). */
  waitMs?: number;
}

const { buffer, producers, total, start, waitMs = 200 } = workerData as ConsumerData;
const q = SharedEventQueue.attach(buffer, { name: 'consumer', mayBlock: true });
const next = new Float64Array(producers); // next expected sequence number per producer
const errors: string[] = [];
let waits = 0;
let earlyFalse = 0;
let blocked = 0;
Atomics.store(start, 1, 1); // consumer ready
Atomics.notify(start, 1);
const t0 = Date.now();
let n = 0;
while (n < total) {
  const s = q.get();
  if (s === NO_EVENT) {
    blocked++;
    const w0 = Date.now();
    if (!q.waitForEvent(waitMs)) {
      waits++;
      if (Date.now() - w0 < waitMs) earlyFalse++; // false before the timeout (issue 19 #5)
    }
    if (Date.now() - t0 > 50000) {
      errors.push(`stalled after ${n} events`);
      break;
    }
    continue;
  }
  n++;
  if (!(s >= 0 && s < producers)) {
    if (errors.length < 10) errors.push(`event ${n}: signal ${s} is no producer`);
    continue;
  }
  const seq = q.p0;
  if (seq !== next[s]) {
    if (errors.length < 10) errors.push(`producer ${s}: got seq ${seq}, expected ${next[s]} (${seq < next[s]! ? 'duplicate or reorder' : 'loss or reorder'})`);
    next[s] = seq + 1;
  } else next[s] = seq + 1;
  if (q.p1 !== -seq || q.p2 !== s || q.p3 !== seq / 2) {
    if (errors.length < 10) errors.push(`producer ${s} seq ${seq}: parameters ${q.p1}, ${q.p2}, ${q.p3} torn`);
  }
}
parentPort!.postMessage({
  taken: q.taken,
  next: Array.from(next),
  errors,
  emptyAfter: q.get() === NO_EVENT,
  timedOutWaits: waits,
  earlyFalse,
  waitCalls: blocked,
  ms: Date.now() - t0,
});

// Producer thread for queue-concurrency.test.ts: attaches to a SharedEventQueue
// and posts `count` events (signal = producer id, p0 = sequence number,
// p1 = -seq, p2 = id, p3 = seq / 2), retrying every refusal (reject policy);
// reports its handle's counters.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedEventQueue } from '../../src/shared-queue.js';

interface ProducerData {
  buffer: SharedArrayBuffer;
  id: number;
  count: number;
  start: Int32Array; // a start gate shared by all threads
}

const { buffer, id, count, start } = workerData as ProducerData;
const q = SharedEventQueue.attach(buffer, { name: `producer ${id}` });
const nap = new Int32Array(new SharedArrayBuffer(4));
let retries = 0;
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 50);
const t0 = Date.now();
for (let seq = 0; seq < count; seq++) {
  while (!q.post(id, seq, -seq, id, seq / 2)) {
    // Full: the refusal is counted (q.refused); back off, then retry the same event.
    retries++;
    if ((retries & 15) === 0) Atomics.wait(nap, 0, 0, 1);
  }
}
parentPort!.postMessage({ id, posted: q.posted, refused: q.refused, retries, ms: Date.now() - t0 });

// Producer thread for queue-batch-concurrency.test.ts: attaches to a
// SharedEventQueue and posts `count` events (signal = producer id,
// p0 = sequence number, p1 = -seq, p2 = id, p3 = seq / 2) in batches of
// 1..64 records through postMany (every seventh batch through post(), one by
// one), from a Float64Array; whatever a full ring did not take is offered
// again (reject policy: counted in refused), with a short nap now and then.
// Reports its handle's counters.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedEventQueue } from '../../src/shared-queue.js';

interface ProducerData {
  buffer: SharedArrayBuffer;
  id: number;
  count: number;
  start: Int32Array; // a start gate shared by all threads
}

const { buffer, id, count, start } = workerData as ProducerData;
const q = SharedEventQueue.attach(buffer, { name: `batch producer ${id}` });
const nap = new Int32Array(new SharedArrayBuffer(4));
const src = new Float64Array(64 * 5);
let rng = 0x9e3779b9 ^ id;
let offered = 0; // records offered and not taken (each one is a refusal)
let fullCalls = 0;
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 50);
const t0 = Date.now();
for (let seq = 0, batch = 0; seq < count; batch++) {
  rng = (Math.imul(rng, 1103515245) + 12345) | 0;
  const b = Math.min(1 + ((rng >>> 8) & 63), count - seq);
  for (let k = 0; k < b; k++) {
    const s = seq + k;
    src[k * 5] = id;
    src[k * 5 + 1] = s;
    src[k * 5 + 2] = -s;
    src[k * 5 + 3] = id;
    src[k * 5 + 4] = s / 2;
  }
  let done = 0;
  while (done < b) {
    let n: number;
    let full: boolean;
    if (batch % 7 === 6) {
      const o = done * 5;
      n = q.post(id, src[o + 1]!, src[o + 2]!, src[o + 3]!, src[o + 4]!) ? 1 : 0;
      full = n === 0;
    } else {
      n = q.postMany(src, b - done, done);
      full = n < b - done;
    }
    if (full) {
      offered += (batch % 7 === 6 ? 1 : b - done) - n;
      if ((++fullCalls & 15) === 0) Atomics.wait(nap, 0, 0, 1); // the ring was full: let the consumer run
    }
    done += n;
  }
  seq += b;
}
parentPort!.postMessage({ id, posted: q.posted, refused: q.refused, offered, fullCalls, ms: Date.now() - t0 });

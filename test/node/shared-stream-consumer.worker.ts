// Consumer thread for shared-stream.test.ts: attaches to a SharedStream and
// reads until it is done (closed and drained), checking every item against
// the producer's sequence (no loss, no duplicate, order kept).
// - 'f64': next(); when empty, blocks in waitReadable (mayBlock handle).
// - 'u8': read() into a 100-byte array with varying max; when empty, polls with
//   a 1 ms nap every 16 misses (a handle that may not block); Adler-32 of all bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedStream } from '../../src/shared-stream.js';

interface ConsumerData {
  buffer: SharedArrayBuffer;
  type: 'f64' | 'u8';
  count: number;
  start: Int32Array;
  waitMs?: number;
}

function u8At(i: number): number {
  return (i * 31 + (i >>> 8)) & 255;
}

const { buffer, type, count, start, waitMs = 200 } = workerData as ConsumerData;
const s = SharedStream.attach(buffer, { name: `${type} consumer`, type, mayBlock: type === 'f64' });
const nap = new Int32Array(new SharedArrayBuffer(4));
const errors: string[] = [];
let n = 0;
let waitCalls = 0;
let falseWaits = 0;
let earlyFalse = 0;
let a = 1;
let b = 0;
Atomics.store(start, 1, 1);
Atomics.notify(start, 1);
const t0 = Date.now();
if (type === 'f64') {
  for (;;) {
    if (s.next()) {
      if (s.value !== n && errors.length < 10)
        errors.push(`item ${n}: got ${s.value} (${s.value < n ? 'duplicate or reorder' : 'loss or reorder'})`);
      n++;
      continue;
    }
    if (s.done) break;
    waitCalls++;
    const w0 = Date.now();
    if (!s.waitReadable(waitMs)) {
      falseWaits++;
      if (Date.now() - w0 < waitMs) earlyFalse++; // false before the timeout (issue 19 #5)
    }
    if (Date.now() - t0 > 50000) {
      errors.push(`stalled after ${n} items`);
      break;
    }
  }
} else {
  const dst = new Uint8Array(100);
  let k = 5;
  let misses = 0;
  for (;;) {
    k = (k * 13 + 7) % 100 + 1; // 1..100
    const got = s.read(dst, 0, k);
    if (got === 0) {
      if (s.done) break;
      if ((++misses & 15) === 0) Atomics.wait(nap, 0, 0, 1);
      if (Date.now() - t0 > 50000) {
        errors.push(`stalled after ${n} items`);
        break;
      }
      continue;
    }
    for (let j = 0; j < got; j++) {
      const v = dst[j]!;
      if (v !== u8At(n) && errors.length < 10) errors.push(`byte ${n}: got ${v}, expected ${u8At(n)}`);
      a = (a + v) % 65521;
      b = (b + a) % 65521;
      n++;
    }
  }
}
parentPort!.postMessage({
  received: n,
  taken: s.taken,
  errors,
  doneAfter: s.done && !s.next(),
  waitCalls,
  falseWaits,
  earlyFalse,
  adler: ((b << 16) | a) >>> 0,
  expectedCount: count,
  ms: Date.now() - t0,
});

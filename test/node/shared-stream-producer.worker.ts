// Producer thread for shared-stream.test.ts: attaches to a SharedStream and
// writes `count` items, then closes it.
// - 'f64': sequence numbers 0..count-1 with writeOne; when the ring is full it
//   blocks in waitWritable (this handle is opened with mayBlock), then retries.
// - 'u8': the byte pattern u8At(i) in chunks of 1..97 items with write(); the
//   items a full ring refused are retried (busy, with a 1 ms nap every 16 misses,
//   on a handle that may not block). Reports an Adler-32 of what it wrote.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedStream } from '../../src/shared-stream.js';

interface ProducerData {
  buffer: SharedArrayBuffer;
  type: 'f64' | 'u8';
  count: number;
  start: Int32Array; // [0]: gate opened by the test, [1]: consumer ready
  waitMs?: number;
}

function u8At(i: number): number {
  return (i * 31 + (i >>> 8)) & 255;
}

const { buffer, type, count, start, waitMs = 200 } = workerData as ProducerData;
const s = SharedStream.attach(buffer, { name: `${type} producer`, type, mayBlock: type === 'f64' });
const nap = new Int32Array(new SharedArrayBuffer(4));
let refusedSeen = 0;
let waitCalls = 0;
let a = 1;
let b = 0;
while (Atomics.load(start, 0) === 0) Atomics.wait(start, 0, 0, 50);
const t0 = Date.now();
if (type === 'f64') {
  for (let seq = 0; seq < count; seq++) {
    while (!s.writeOne(seq)) {
      refusedSeen++;
      waitCalls++;
      s.waitWritable(waitMs);
    }
  }
} else {
  const src = new Uint8Array(128);
  let i = 0;
  let k = 1;
  let misses = 0;
  while (i < count) {
    k = (k * 7 + 3) % 97 + 1; // 1..97
    const n = Math.min(k, count - i);
    for (let j = 0; j < n; j++) {
      const v = u8At(i + j);
      src[j] = v;
      a = (a + v) % 65521;
      b = (b + a) % 65521;
    }
    let off = 0;
    while (off < n) {
      const w = s.write(src, off, n - off);
      refusedSeen += n - off - w;
      off += w;
      if (off < n && (++misses & 15) === 0) Atomics.wait(nap, 0, 0, 1);
    }
    i += n;
  }
}
s.close();
parentPort!.postMessage({ written: s.written, refused: s.refused, refusedSeen, waitCalls, adler: ((b << 16) | a) >>> 0, ms: Date.now() - t0 });

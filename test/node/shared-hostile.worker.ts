// Hostile writer for test/node/shared-hostile.test.ts (issue 19): writes
// seeded random words into a SharedEventQueue's or SharedStream's buffer
// while the test thread uses it, until the stop flag is set. Half of the
// writes hit the index words (HEAD, TAIL and their neighbours), the rest
// anywhere; values are random, near the current value, or extreme.
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '../support/shared-fuzz.js';

interface HostileData {
  buffer: SharedArrayBuffer;
  seed: number;
  /** Int32 indices written most often (HEAD, TAIL, ...). */
  hot: number[];
  /** Writes per pause (a 0 ms Atomics.wait between bursts lets the victim run). */
  burst: number;
  /** [0]: stop flag (set by the test), [1]: ready flag (set here). */
  flags: Int32Array;
}

const { buffer, seed, burst, flags } = workerData as HostileData;
const i32 = new Int32Array(buffer);
const hot = (workerData as HostileData).hot.filter((w) => w < i32.length);
const r = new Rng(seed);
const nap = new Int32Array(new SharedArrayBuffer(4));
let writes = 0;
Atomics.store(flags, 1, 1);
while (Atomics.load(flags, 0) === 0) {
  for (let k = 0; k < burst; k++) {
    const w = r.chance(0.5) ? hot[r.int(hot.length)]! : r.int(i32.length);
    const m = r.int(3);
    const v = m === 0 ? r.u32() | 0 : m === 1 ? (Atomics.load(i32, w) + r.int(129) - 64) | 0 : [0, -1, 0x7fffffff, -0x80000000, 0x10000][r.int(5)]!;
    Atomics.store(i32, w, v);
    writes++;
  }
  Atomics.wait(nap, 0, 0, 1);
}
parentPort!.postMessage({ writes });

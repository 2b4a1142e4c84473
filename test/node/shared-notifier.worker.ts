// Notifier thread for the issue 19 #5 tests: every `everyMs` it bumps (or
// leaves) an int32 word and calls Atomics.notify on it, without publishing
// anything, until the stop flag is set: a late notify meant for an earlier
// position (queue) or a signal bump with nothing written (stream). A waiter
// woken by it must wait again for the time left.
import { parentPort, workerData } from 'node:worker_threads';

interface NotifierData {
  buffer: SharedArrayBuffer;
  /** int32 index of the word to notify. */
  word: number;
  /** Atomics.add(word, 1) before each notify (a stream's signal word); else the word is left as is (a queue's seq word). */
  bump: boolean;
  everyMs: number;
  /** [0]: stop flag (set by the test), [1]: ready flag (set here). */
  flags: Int32Array;
}

const { buffer, word, bump, everyMs, flags } = workerData as NotifierData;
const i32 = new Int32Array(buffer);
const nap = new Int32Array(new SharedArrayBuffer(4));
let notifies = 0;
let woke = 0;
Atomics.store(flags, 1, 1);
while (Atomics.load(flags, 0) === 0) {
  Atomics.wait(nap, 0, 0, everyMs);
  if (bump) Atomics.add(i32, word, 1);
  woke += Atomics.notify(i32, word);
  notifies++;
}
parentPort!.postMessage({ notifies, woke });

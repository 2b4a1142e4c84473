// Observer thread for the issue 19 #1 tests: attaches to a SharedEventQueue
// or a SharedStream and reads length / free (and minFree) in a loop until the
// stop flag is set, reporting the smallest and largest values it saw. Those
// getters promise a snapshot inside 0..capacity on any handle.
import { parentPort, workerData } from 'node:worker_threads';
import { SharedEventQueue } from '../../src/shared-queue.js';
import { SharedStream } from '../../src/shared-stream.js';

interface ObserverData {
  kind: 'queue' | 'stream';
  buffer: SharedArrayBuffer;
  /** [0]: stop flag (set by the test), [1]: ready flag (set here). */
  flags: Int32Array;
}

const { kind, buffer, flags } = workerData as ObserverData;
const h = kind === 'queue' ? SharedEventQueue.attach(buffer, { name: 'observer' }) : SharedStream.attach(buffer, { name: 'observer' });
const q = kind === 'queue' ? (h as SharedEventQueue) : undefined;
const stats = { reads: 0, minLength: Infinity, maxLength: -Infinity, minFree: Infinity, maxFree: -Infinity, minMinFree: Infinity, maxMinFree: -Infinity };
Atomics.store(flags, 1, 1);
while (Atomics.load(flags, 0) === 0) {
  const l = h.length;
  const f = h.free;
  stats.reads++;
  if (l < stats.minLength) stats.minLength = l;
  if (l > stats.maxLength) stats.maxLength = l;
  if (f < stats.minFree) stats.minFree = f;
  if (f > stats.maxFree) stats.maxFree = f;
  if (q !== undefined) {
    const m = q.minFree;
    if (m < stats.minMinFree) stats.minMinFree = m;
    if (m > stats.maxMinFree) stats.maxMinFree = m;
  }
}
parentPort!.postMessage(stats);

// Producer thread of the cross-thread bench (bench/xthread/run.ts). Started
// the same way for every variant: attach to the ring the main thread made,
// say 'ready', block on the start gate, then hand over `events` events of
// three int32 (bench/xthread/events.ts), retrying whatever a full ring did not
// take, and report. One function per variant, so each loop stays monomorphic.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { SharedEventQueue } from '../../src/shared-queue.js';
import { MUL, SIG, XOR, type ProducerData, type ProducerReport } from './events.js';

const data = workerData as ProducerData;

function ringbufOne(rb: RingBuffer, events: number): ProducerReport {
  const ev = new Int32Array(3);
  let full = 0;
  for (let i = 0; i < events; i++) {
    ev[0] = i;
    ev[1] = Math.imul(i, MUL);
    ev[2] = i ^ XOR;
    let w = rb.push(ev, 3);
    while (w < 3) {
      full++;
      w += rb.push(ev, 3 - w, w);
    }
  }
  return { events, fullCalls: full, posted: 0, refused: 0 };
}

function ringbufBatch(rb: RingBuffer, events: number, batch: number): ProducerReport {
  const src = new Int32Array(3 * batch);
  let full = 0;
  for (let i = 0; i < events; ) {
    const m = events - i < batch ? events - i : batch;
    for (let k = 0; k < m; k++, i++) {
      src[3 * k] = i;
      src[3 * k + 1] = Math.imul(i, MUL);
      src[3 * k + 2] = i ^ XOR;
    }
    const len = 3 * m;
    let w = rb.push(src, len);
    while (w < len) {
      full++;
      w += rb.push(src, len - w, w);
    }
  }
  return { events, fullCalls: full, posted: 0, refused: 0 };
}

function keelOne(q: SharedEventQueue, events: number): ProducerReport {
  let full = 0;
  for (let i = 0; i < events; i++) {
    // A refused post (full) is counted in q.refused; retry the same event.
    while (!q.post(SIG, i, Math.imul(i, MUL), i ^ XOR)) full++;
  }
  return { events, fullCalls: full, posted: q.posted, refused: q.refused };
}

function keelBatch(q: SharedEventQueue, events: number, batch: number): ProducerReport {
  const src = new Int32Array(5 * batch);
  for (let k = 0; k < batch; k++) src[5 * k] = SIG; // the signal and p3 (0) never change
  let full = 0;
  for (let i = 0; i < events; ) {
    const m = events - i < batch ? events - i : batch;
    for (let k = 0; k < m; k++, i++) {
      src[5 * k + 1] = i;
      src[5 * k + 2] = Math.imul(i, MUL);
      src[5 * k + 3] = i ^ XOR;
    }
    let w = q.postMany(src, m);
    while (w < m) {
      full++;
      w += q.postMany(src, m - w, w);
    }
  }
  return { events, fullCalls: full, posted: q.posted, refused: q.refused };
}

const { variant, buffer, events, batch, gate } = data;
const keel = variant === 'keel-1' || variant === 'keel-batch';
const q = keel ? SharedEventQueue.attach(buffer, { name: 'xthread producer' }) : undefined;
const rb = keel ? undefined : new RingBuffer(buffer, Int32Array);
parentPort!.postMessage('ready');
while (Atomics.load(gate, 0) === 0) Atomics.wait(gate, 0, 0);
const report =
  variant === 'ringbuf-1'
    ? ringbufOne(rb!, events)
    : variant === 'ringbuf-batch'
      ? ringbufBatch(rb!, events, batch)
      : variant === 'keel-1'
        ? keelOne(q!, events)
        : keelBatch(q!, events, batch);
parentPort!.postMessage(report);

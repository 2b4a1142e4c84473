// SharedStream across real threads (Node worker_threads): a producer worker
// streams 1,000,000 f64 sequence numbers (writeOne, blocking in waitWritable)
// and 1,000,000 u8 bytes (write in chunks, retrying refusals) through a
// capacity-1024 SharedStream to a consumer worker (next + waitReadable, or
// read + polling), then closes it. Checks order, no loss, no duplicates, the
// checksum, exact counters, done after drain; and that a blocked consumer
// (producer) is woken by a write or close (read) on this thread. Issue 19: an
// observer thread's length and free stay in 0..capacity during the runs; a
// wait returns false only after its timeout, also while another thread bumps
// and notifies its signal word with nothing written or taken.
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';
import { SHARED_STREAM_LAYOUT as L, SharedStream } from '../../src/shared-stream.js';

interface ProducerReport {
  written: number;
  refused: number;
  refusedSeen: number;
  waitCalls: number;
  adler: number;
  ms: number;
}
interface ConsumerReport {
  received: number;
  taken: number;
  errors: string[];
  doneAfter: boolean;
  waitCalls: number;
  falseWaits: number;
  earlyFalse: number;
  adler: number;
  ms: number;
}

interface ObserverReport {
  reads: number;
  minLength: number;
  maxLength: number;
  minFree: number;
  maxFree: number;
}

function run<T>(file: string, workerData: unknown): Promise<T> {
  const worker = new Worker(new URL(file, import.meta.url), { workerData });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: T) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${file} exited with code ${code}`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function through(type: 'f64' | 'u8', count: number, initialIndex: number): Promise<void> {
  const s = new SharedStream({ name: `${type} x ${count}`, type, capacity: 1024, initialIndex });
  const start = new Int32Array(new SharedArrayBuffer(8));
  const data = { buffer: s.buffer, type, count, start };
  const consumer = run<ConsumerReport>('./shared-stream-consumer.worker.mjs', data);
  const producer = run<ProducerReport>('./shared-stream-producer.worker.mjs', data);
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const observer = run<ObserverReport>('./shared-observer.worker.mjs', { kind: 'stream', buffer: s.buffer, flags });
  while (Atomics.load(start, 1) === 0 || Atomics.load(flags, 1) === 0) await sleep(5);
  Atomics.store(start, 0, 1); // open the gate
  Atomics.notify(start, 0);
  const [p, c] = await Promise.all([producer, consumer]);
  Atomics.store(flags, 0, 1);
  const o = await observer;
  // Issue 19 #1: an observer's snapshot stays in range (was: length -62722).
  assert.ok(o.reads > 0 && o.minLength >= 0 && o.maxLength <= 1024 && o.minFree >= 0 && o.maxFree <= 1024, JSON.stringify(o));
  assert.equal(c.earlyFalse, 0, `${c.earlyFalse} waitReadable calls returned false before their timeout`);

  assert.deepEqual(c.errors, [], 'no loss, duplicate or reorder');
  assert.equal(c.received, count);
  assert.equal(c.doneAfter, true, 'done after the drain, nothing beyond the items');
  if (type === 'u8') assert.equal(c.adler, p.adler, 'checksum of the bytes read = of the bytes written');
  // Counters exact, on the producer's, the consumer's and this thread's handle.
  assert.deepEqual([p.written, c.taken], [count, count]);
  assert.equal(p.refused, p.refusedSeen, 'every refused item counted (and retried)');
  assert.deepEqual([s.written, s.taken, s.refused, s.refusedClosed, s.length, s.free], [count, count, p.refusedSeen, 0, 0, 1024]);
  assert.equal(s.written, s.taken + s.length);
  assert.equal(s.done, true);
  assert.equal((new Int32Array(s.buffer, 0, 64)[32]! - initialIndex) | 0, count | 0, 'TAIL crossed the wrap by count');
  const ms = Math.max(p.ms, c.ms);
  console.log(
    `      ${type} x ${count}: ${ms} ms, ${p.refusedSeen} refused items retried, ` +
      `${p.waitCalls} waitWritable / ${c.waitCalls} waitReadable calls (${c.falseWaits} timed out), observer: ${o.reads} reads, length ${o.minLength}..${o.maxLength}`,
  );
  assert.ok(ms < 20000, `${ms} ms`);
}

describe('SharedStream across worker threads', function () {
  this.timeout(60000);

  it('f64: 1,000,000 sequence numbers, writeOne/next, both sides blocking, indices crossing the 32-bit wrap', async function () {
    await through('f64', 1000000, 0xffffffff - 300000);
  });

  it('u8: 1,000,000 bytes in chunks, write/read, refusals retried, checksum', async function () {
    await through('u8', 1000000, 0x7fffffff - 300000);
  });

  it('a consumer blocked in waitReadable wakes on each write and on close (Atomics.notify)', async function () {
    const s = new SharedStream({ name: 'wake reader', type: 'f64', capacity: 4 });
    const start = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(start, 0, 1);
    const consumer = run<ConsumerReport>('./shared-stream-consumer.worker.mjs', { buffer: s.buffer, type: 'f64', count: 3, start, waitMs: 10000 });
    while (Atomics.load(start, 1) === 0) await sleep(5);
    for (let seq = 0; seq < 3; seq++) {
      await sleep(100); // the consumer is asleep in Atomics.wait by now
      assert.equal(s.writeOne(seq), true);
    }
    await sleep(100);
    assert.equal(s.close(), true);
    const c = await consumer;
    assert.deepEqual(c.errors, []);
    assert.deepEqual([c.received, c.taken, c.doneAfter], [3, 3, true]);
    assert.ok(c.waitCalls >= 4, `the consumer blocked before each item and before close (${c.waitCalls} waits)`);
    assert.equal(c.falseWaits, 0);
    assert.ok(c.ms < 3000, `woken by notify, not by the 10 s timeout (${c.ms} ms)`);
    assert.deepEqual([s.written, s.taken, s.done], [3, 3, true]);
  });

  it('#5 waitReadable(300) / waitWritable(300) return false only after 300 ms while another thread bumps and notifies their signal word', async function () {
    for (const reader of [true, false]) {
      const s = new SharedStream({ name: 'late signals', type: 'f64', capacity: 1, mayBlock: true });
      if (!reader) s.writeOne(1); // full: a write would wait
      const flags = new Int32Array(new SharedArrayBuffer(8));
      const word = reader ? L.W_RSIGNAL : L.W_WSIGNAL;
      const notifier = run<{ notifies: number; woke: number }>('./shared-notifier.worker.mjs', { buffer: s.buffer, word, bump: true, everyMs: 15, flags });
      while (Atomics.load(flags, 1) === 0) await sleep(5);
      const t0 = Date.now();
      const got = reader ? s.waitReadable(300) : s.waitWritable(300); // blocks this thread; the notifier keeps waking it
      const ms = Date.now() - t0;
      Atomics.store(flags, 0, 1);
      const n = await notifier;
      assert.equal(got, false);
      assert.ok(ms >= 300, `${reader ? 'waitReadable' : 'waitWritable'}: false after ${ms} ms (was: at the first bump, ~15 ms)`);
      assert.ok(n.woke > 1, `woken ${n.woke} times with nothing new`);
    }
  });

  it('a producer blocked in waitWritable wakes when this thread reads', async function () {
    const s = new SharedStream({ name: 'wake writer', type: 'f64', capacity: 1 });
    const start = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(start, 0, 1);
    const producer = run<ProducerReport>('./shared-stream-producer.worker.mjs', { buffer: s.buffer, type: 'f64', count: 4, start, waitMs: 10000 });
    const got: number[] = [];
    const t0 = Date.now();
    while (!s.done && Date.now() - t0 < 5000) {
      await sleep(100); // the producer is asleep in Atomics.wait on a full ring by now
      if (s.next()) got.push(s.value);
    }
    const p = await producer;
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.ok(p.waitCalls >= 3, `the producer blocked (${p.waitCalls} waits)`);
    assert.ok(p.ms < 3000, `woken by notify, not by the 10 s timeout (${p.ms} ms)`);
    assert.deepEqual([s.written, s.taken, s.refused, s.done], [4, 4, p.refusedSeen, true]);
  });
});

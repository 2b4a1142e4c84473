// SharedEventQueue across real threads (Node worker_threads): MPSC with 4
// producers x 250,000 events and SPSC with 1 producer x 1,000,000 events; the
// consumer runs on its own worker (blocking in waitForEvent when empty), not
// on this mocha thread. Checks: no loss, no duplicates, per-producer order,
// parameters not torn, counters exact (every refusal retried and counted),
// waitForEvent never false before its timeout. Issue 19: 6 producers on small
// queues (capacity 1, 8, 64) with an observer thread whose length, free and
// minFree must stay in 0..capacity; waitForEvent against a thread notifying
// the consumer's word without publishing; a producer thread terminated
// between its claim and its publish, skipped by recover().
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';
import { NO_EVENT } from '../../src/queue.js';
import { LAYOUT, SharedEventQueue } from '../../src/shared-queue.js';

interface ProducerReport {
  id: number;
  posted: number;
  refused: number;
  retries: number;
  ms: number;
}
interface ConsumerReport {
  taken: number;
  next: number[];
  errors: string[];
  emptyAfter: boolean;
  timedOutWaits: number;
  earlyFalse: number;
  waitCalls: number;
  ms: number;
}
interface ObserverReport {
  reads: number;
  minLength: number;
  maxLength: number;
  minFree: number;
  maxFree: number;
  minMinFree: number;
  maxMinFree: number;
}

function run<T>(file: string, workerData: unknown): { worker: Worker; done: Promise<T> } {
  const worker = new Worker(new URL(file, import.meta.url), { workerData });
  const done = new Promise<T>((resolve, reject) => {
    worker.once('message', (m: T) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${file} exited with code ${code}`));
    });
  });
  return { worker, done };
}

async function throughQueue(
  producers: number,
  perProducer: number,
  mode: 'single' | 'multiple',
  initialIndex: number,
  capacity = 1024,
): Promise<void> {
  const q = new SharedEventQueue({ name: `${mode} concurrency`, capacity, producers: mode, initialIndex });
  const start = new Int32Array(new SharedArrayBuffer(8));
  const total = producers * perProducer;
  const consumer = run<ConsumerReport>('./queue-consumer.worker.mjs', { buffer: q.buffer, producers, total, start, waitMs: 100 });
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const observer = run<ObserverReport>('./shared-observer.worker.mjs', { kind: 'queue', buffer: q.buffer, flags });
  const ps = [];
  for (let id = 0; id < producers; id++)
    ps.push(run<ProducerReport>('./queue-producer.worker.mjs', { buffer: q.buffer, id, count: perProducer, start }));
  while (Atomics.load(start, 1) === 0 || Atomics.load(flags, 1) === 0) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(start, 0, 1); // open the gate: producers start together
  Atomics.notify(start, 0);
  const reports = await Promise.all(ps.map((p) => p.done));
  const c = await consumer.done;
  Atomics.store(flags, 0, 1);
  const o = await observer.done;
  // Issue 19 #1: an observer's snapshot stays in range (was: length -12081, free 10513 at capacity 8).
  assert.ok(o.reads > 0, 'the observer read');
  assert.ok(o.minLength >= 0 && o.maxLength <= capacity, `observer length in ${o.minLength}..${o.maxLength} (capacity ${capacity})`);
  assert.ok(o.minFree >= 0 && o.maxFree <= capacity, `observer free in ${o.minFree}..${o.maxFree}`);
  assert.ok(o.minMinFree >= 0 && o.maxMinFree <= capacity, `observer minFree in ${o.minMinFree}..${o.maxMinFree}`);
  // Issue 19 #5: false only after the timeout.
  assert.equal(c.earlyFalse, 0, `${c.earlyFalse} waitForEvent calls returned false before their timeout`);

  assert.deepEqual(c.errors, [], 'no loss, duplicate, reorder or torn record');
  assert.equal(c.taken, total);
  assert.deepEqual(c.next, new Array(producers).fill(perProducer), 'every producer\'s last sequence number arrived');
  assert.equal(c.emptyAfter, true, 'nothing beyond the expected events');
  let posted = 0;
  let refused = 0;
  for (const r of reports) {
    assert.equal(r.posted, perProducer, `producer ${r.id} posted each event once`);
    assert.equal(r.refused, r.retries, `producer ${r.id}: every refusal counted and retried`);
    posted += r.posted;
    refused += r.refused;
  }
  // Counters exact: posted = taken + dropped + queued, refusals in the header = the producers' sum.
  assert.equal(posted, c.taken + 0 + q.length);
  assert.equal(q.length, 0);
  assert.equal(q.refusedByAll, refused >>> 0);
  assert.ok(q.minFree >= 0 && q.minFree < q.capacity);
  const max = Math.max(...reports.map((r) => r.ms), c.ms);
  console.log(
    `      ${producers} x ${perProducer} (${mode}, capacity ${capacity}): ${max} ms, ${refused} refusals retried, minFree ${q.minFree}, ` +
      `${c.waitCalls} waitForEvent calls (${c.timedOutWaits} timed out), observer: ${o.reads} reads, length ${o.minLength}..${o.maxLength}`,
  );
}

describe('SharedEventQueue across worker threads', function () {
  this.timeout(60000);

  it('a consumer blocked in waitForEvent wakes when this thread posts (Atomics.notify)', async function () {
    const q = new SharedEventQueue({ name: 'wake', capacity: 4 });
    const start = new Int32Array(new SharedArrayBuffer(8));
    const consumer = run<ConsumerReport>('./queue-consumer.worker.mjs', { buffer: q.buffer, producers: 1, total: 3, start, waitMs: 10000 });
    while (Atomics.load(start, 1) === 0) await new Promise((r) => setTimeout(r, 5));
    for (let seq = 0; seq < 3; seq++) {
      await new Promise((r) => setTimeout(r, 100)); // the consumer is asleep in Atomics.wait by now
      assert.equal(q.post(0, seq, -seq, 0, seq / 2), true);
    }
    const c = await consumer.done;
    assert.deepEqual(c.errors, []);
    assert.equal(c.taken, 3);
    assert.ok(c.waitCalls >= 3, `the consumer blocked (${c.waitCalls} waitForEvent calls)`);
    assert.equal(c.timedOutWaits, 0);
    assert.ok(c.ms < 3000, `woken by notify, not by the 10 s timeout (${c.ms} ms for 3 events 100 ms apart)`);
    assert.equal(q.posted, c.taken + q.length);
  });

  it('MPSC: 4 producers x 250,000 events, consumer on another thread, counters crossing the 32-bit wrap', async function () {
    await throughQueue(4, 250000, 'multiple', 0xffffffff - 500000);
  });

  it('SPSC: 1 producer x 1,000,000 events, consumer on another thread', async function () {
    await throughQueue(1, 1000000, 'single', 0x7fffffff - 300000);
  });

  for (const capacity of [1, 8, 64]) {
    it(`#1 6 producers, capacity ${capacity}, indices crossing 2^32: an observer's length, free and minFree stay in 0..capacity`, async function () {
      await throughQueue(6, capacity === 64 ? 20000 : capacity === 8 ? 4000 : 1000, 'multiple', 0xffffffff - 10000, capacity);
    });
  }

  it('#5 waitForEvent(300) returns false only after 300 ms while another thread notifies its word without publishing', async function () {
    for (const capacity of [1, 4]) {
      const q = new SharedEventQueue({ name: 'late notifies', capacity, mayBlock: true });
      const flags = new Int32Array(new SharedArrayBuffer(8));
      const head = new Int32Array(q.buffer, 0, 64)[LAYOUT.W_HEAD]!;
      const word = 64 + (head & (capacity === 1 ? 0 : 3)) * 10; // the seq word of HEAD's slot, the one the consumer waits on
      const notifier = run<{ notifies: number; woke: number }>('./shared-notifier.worker.mjs', { buffer: q.buffer, word, bump: false, everyMs: 15, flags });
      while (Atomics.load(flags, 1) === 0) await new Promise((r) => setTimeout(r, 5));
      const t0 = Date.now();
      const got = q.waitForEvent(300); // blocks this thread (Node allows it); the notifier keeps waking it
      const ms = Date.now() - t0;
      Atomics.store(flags, 0, 1);
      const n = await notifier.done;
      assert.equal(got, false);
      assert.ok(ms >= 300, `capacity ${capacity}: false after ${ms} ms (was: at the first notify, ~15 ms)`);
      assert.ok(n.woke > 1, `the consumer was woken ${n.woke} times with nothing published`);
      q.post(1);
      assert.equal(q.waitForEvent(300), true);
      assert.equal(q.get(), 1);
    }
  });

  it('#2 a producer thread terminated between its claim and its publish: the hole is skipped by recover() after the timeout, counted', async function () {
    const q = new SharedEventQueue({ name: 'dead producer', capacity: 4 });
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const dead = run<unknown>('./shared-dead-producer.worker.mjs', { buffer: q.buffer, flags });
    while (Atomics.load(flags, 1) === 0) await new Promise((r) => setTimeout(r, 5));
    await dead.worker.terminate(); // claimed, never published
    await dead.done.catch(() => undefined);
    assert.equal(q.post(7, 70), true);
    assert.deepEqual([q.get(), q.ringLength], [NO_EVENT, 2], 'the record behind the hole waits');
    const t0 = Date.now();
    assert.equal(q.recover(50), 0, 'timing starts');
    while (q.recover(50) === 0) {
      await new Promise((r) => setTimeout(r, 5));
      assert.ok(Date.now() - t0 < 5000, 'recover() skipped the hole');
    }
    assert.ok(Date.now() - t0 >= 50, 'not before olderThanMs');
    assert.deepEqual([q.get(), q.p0, q.skipped, q.taken, q.length], [7, 70, 1, 1, 0]);
  });
});

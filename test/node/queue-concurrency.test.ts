// SharedEventQueue across real threads (Node worker_threads): MPSC with 4
// producers x 250,000 events and SPSC with 1 producer x 1,000,000 events; the
// consumer runs on its own worker (blocking in waitForEvent when empty), not
// on this mocha thread. Checks: no loss, no duplicates, per-producer order,
// parameters not torn, counters exact (every refusal retried and counted).
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';
import { SharedEventQueue } from '../../src/shared-queue.js';

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
  waitCalls: number;
  ms: number;
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

async function throughQueue(producers: number, perProducer: number, mode: 'single' | 'multiple', initialIndex: number): Promise<void> {
  const q = new SharedEventQueue({ name: `${mode} concurrency`, capacity: 1024, producers: mode, initialIndex });
  const start = new Int32Array(new SharedArrayBuffer(8));
  const total = producers * perProducer;
  const consumer = run<ConsumerReport>('./queue-consumer.worker.mjs', { buffer: q.buffer, producers, total, start });
  const ps = [];
  for (let id = 0; id < producers; id++)
    ps.push(run<ProducerReport>('./queue-producer.worker.mjs', { buffer: q.buffer, id, count: perProducer, start }));
  while (Atomics.load(start, 1) === 0) await new Promise((r) => setTimeout(r, 5));
  Atomics.store(start, 0, 1); // open the gate: producers start together
  Atomics.notify(start, 0);
  const reports = await Promise.all(ps.map((p) => p.done));
  const c = await consumer.done;

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
  console.log(`      ${producers} x ${perProducer} (${mode}): ${max} ms, ${refused} refusals retried, minFree ${q.minFree}, ${c.waitCalls} waitForEvent calls (${c.timedOutWaits} timed out)`);
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
});

// SharedEventQueue's batch API across real threads (issue 16, Node
// worker_threads): producers post through postMany (batches of 1..64
// records, every seventh batch through post()), the consumer on this thread
// takes with drainTo (1..80 records per call, every fifth call get()) and
// blocks in waitForEvent when the ring is empty (so postMany's notify is
// exercised). SPSC 1 x 1,000,000 and MPSC 4 x 250,000, the 32-bit counters
// crossing the wrap. Checks: no loss, no duplicate, per-producer order,
// parameters not torn (p3 = seq / 2 through a Float64Array), counters exact
// (every record not taken counted as a refusal, posted = taken + queued,
// REFUSED = the producers' sum), minFree in range.
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';
import { NO_EVENT } from '../../src/queue.js';
import { SharedEventQueue } from '../../src/shared-queue.js';

interface ProducerReport {
  id: number;
  posted: number;
  refused: number;
  offered: number;
  fullCalls: number;
  ms: number;
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

async function throughBatches(producers: number, perProducer: number, mode: 'single' | 'multiple', initialIndex: number, capacity: number): Promise<void> {
  const q = new SharedEventQueue({ name: `${mode} batches`, capacity, producers: mode, initialIndex });
  const c = SharedEventQueue.attach(q.buffer, { name: 'consumer', mayBlock: true });
  const start = new Int32Array(new SharedArrayBuffer(4));
  const done: Promise<ProducerReport>[] = [];
  for (let id = 0; id < producers; id++) done.push(run<ProducerReport>('./queue-batch-producer.worker.mjs', { buffer: q.buffer, id, count: perProducer, start }));
  await new Promise((r) => setTimeout(r, 50)); // let the threads start; the gate holds them
  Atomics.store(start, 0, 1);
  Atomics.notify(start, 0);
  const total = producers * perProducer;
  const next = new Float64Array(producers);
  const errors: string[] = [];
  const dst = new Float64Array(80 * 5);
  const t0 = Date.now();
  let n = 0;
  let calls = 0;
  let waits = 0;
  let timedOut = 0;
  const check = (s: number, p0: number, p1: number, p2: number, p3: number): void => {
    n++;
    if (!(s >= 0 && s < producers)) {
      if (errors.length < 10) errors.push(`event ${n}: signal ${s} is no producer`);
      return;
    }
    if (p0 !== next[s]) {
      if (errors.length < 10) errors.push(`producer ${s}: got seq ${p0}, expected ${next[s]} (${p0 < next[s]! ? 'duplicate or reorder' : 'loss or reorder'})`);
    }
    next[s] = p0 + 1;
    if (p1 !== -p0 || p2 !== s || p3 !== p0 / 2) {
      if (errors.length < 10) errors.push(`producer ${s} seq ${p0}: parameters ${p1}, ${p2}, ${p3} torn`);
    }
  };
  while (n < total) {
    calls++;
    let got: number;
    if (calls % 5 === 0) {
      const s = c.get();
      got = s === NO_EVENT ? 0 : 1;
      if (got) check(s, c.p0, c.p1, c.p2, c.p3);
    } else {
      got = c.drainTo(dst, 1 + (calls % 80));
      for (let k = 0; k < got; k++) check(dst[k * 5]!, dst[k * 5 + 1]!, dst[k * 5 + 2]!, dst[k * 5 + 3]!, dst[k * 5 + 4]!);
    }
    if (got === 0) {
      waits++;
      if (!c.waitForEvent(100)) timedOut++; // this (main) thread may block in Node; a producer's publish notifies it
      if (Date.now() - t0 > 50000) {
        errors.push(`stalled after ${n} of ${total} events`);
        break;
      }
    }
  }
  const reports = await Promise.all(done);
  assert.deepEqual(errors, [], 'no loss, duplicate, reorder or torn record');
  assert.equal(n, total);
  assert.deepEqual(Array.from(next), new Array(producers).fill(perProducer), "every producer's last sequence number arrived");
  assert.equal(c.drainTo(dst, 80), 0, 'nothing beyond the expected events');
  let posted = 0;
  let refused = 0;
  for (const r of reports) {
    assert.equal(r.posted, perProducer, `producer ${r.id} posted each event once`);
    assert.equal(r.refused, r.offered, `producer ${r.id}: every record offered and not taken counted as a refusal`);
    posted += r.posted;
    refused += r.refused;
  }
  assert.equal(posted, c.taken + c.dropped + c.length, 'posted = taken + dropped + queued');
  assert.equal(c.length, 0);
  assert.equal(q.refusedByAll, refused >>> 0);
  assert.ok(q.minFree >= 0 && q.minFree < capacity, `minFree ${q.minFree}`);
  const ms = Math.max(...reports.map((r) => r.ms));
  console.log(
    `      ${producers} x ${perProducer} (${mode}, capacity ${capacity}): ${ms} ms, ${refused} records refused and offered again, ` +
      `minFree ${q.minFree}, ${calls} takes, ${waits} waits (${timedOut} timed out)`,
  );
}

describe('SharedEventQueue postMany/drainTo across worker threads', function () {
  this.timeout(120000);

  it('SPSC: 1 producer x 1,000,000 events in batches, the consumer draining on this thread, counters crossing 2^31', async function () {
    await throughBatches(1, 1000000, 'single', 0x7fffffff - 300000, 1024);
  });

  it('MPSC: 4 producers x 250,000 events in batches, counters crossing 2^32', async function () {
    await throughBatches(4, 250000, 'multiple', 0xffffffff - 500000, 1024);
  });

  it('MPSC on a small ring (capacity 8): batches mostly partial, every refusal counted', async function () {
    await throughBatches(3, 20000, 'multiple', 0xffffffff - 10000, 8);
  });
});

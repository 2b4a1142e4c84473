// The native interrupt bridge with real threads, on the XS engine host:
// hosts/native/keel_isr.c is compiled into keel-xs, POSIX threads play
// interrupt handlers posting timestamped edges into a SharedEventQueue, and
// the JavaScript consumer on the VM's thread drains the ring into an active
// object through the kernel (test/isr/isr.fixture.ts). Checked exactly, per run:
//   - every posted edge arrives once and in order per source (p0 = source
//     id, p3 = the source's sequence number, which grows), and the gaps in
//     p3 are exactly the source's refused + glitched edges;
//   - offered == posted + refused + glitched (C counters, per source);
//     sum(posted, C and JS) == taken (the consumer) == interrupts == dispatched;
//     sum(refused, C and JS) == the header's REFUSED word (refusedByAll);
//   - the drain loop allocates 0 slots and 0 chunk bytes (the whole consumer
//     loop, 1,000,000 edges), next to a positive control.
// The tests need $xs.isr* (the keel-xs host): on Node they are skipped, and
// say so in their title.
import { strict as assert } from '../support/assert.js';
import { Bridge, EDGE, LATENCY_BUCKETS, bucketFloor, isrHost, latencyBucket } from './isr.fixture.js';
import { SharedEventQueue } from '../../src/shared-queue.js';

const XS_ONLY = ' [skipped: needs the keel-xs host with $xs.isrStart (POSIX threads running keel_isr.c)]';

function needHost(ctx: Mocha.Context): NonNullable<typeof isrHost> {
  if (isrHost === undefined) {
    const t = ctx.test;
    if (t !== undefined && t.title.indexOf(XS_ONLY) < 0) t.title += XS_ONLY;
    ctx.skip();
  }
  return isrHost!;
}

function collect(): void {
  (globalThis as unknown as { gc(): void }).gc();
}

interface Measured {
  slots: number;
  chunks: number;
  collections: number;
}

/** Runs the consumer loop between two readings of the XS counters (after a collection). */
function consumeMeasured(host: NonNullable<typeof isrHost>, b: Bridge, waitMs: number): Measured {
  collect();
  const g0 = host.gcCount();
  const s0 = host.slots();
  const c0 = host.chunks();
  b.consume(waitMs);
  const s1 = host.slots();
  const c1 = host.chunks();
  return { slots: s1 - s0, chunks: c1 - c0, collections: host.gcCount() - g0 };
}

/** The exact accounting of one finished run with `sources` C sources (ids 0..) and the bridge's JS producer. */
function checkAccounting(host: NonNullable<typeof isrHost>, b: Bridge, sources: number, count: number): { posted: number; refused: number } {
  const q = b.queue;
  const sink = b.sink;
  assert.equal(q.ringLength, 0, 'the ring is empty at the end');
  assert.equal(sink.wrong, 0, 'events with a wrong signal or id');
  assert.equal(sink.disorder, 0, 'events out of order (or twice) for their source');
  let posted = 0;
  let refused = 0;
  for (let i = 0; i < sources; i++) {
    const s = host.isrStats(i);
    assert.equal(s.offered, count, `source ${i}: offered`);
    assert.equal(s.corrupt, 0, `source ${i}: corrupt`);
    assert.equal(s.offered, s.posted + s.refused + s.glitched, `source ${i}: offered == posted + refused + glitched`);
    assert.equal(sink.got[i], s.posted, `source ${i}: every posted edge was dispatched once`);
    // Gaps inside the p3 sequence, plus the edges after the last one taken.
    assert.equal(sink.gaps[i]! + (count - sink.last[i]!), s.refused + s.glitched, `source ${i}: p3 gaps == refused + glitched`);
    posted += s.posted;
    refused += s.refused;
  }
  const js = b.jsProducer;
  assert.equal(js.posted + js.refused, b.jsSeq, 'JS producer: posted + refused == offered');
  assert.equal(sink.got[b.jsId], js.posted, 'JS producer: every posted event was dispatched once');
  assert.equal(sink.gaps[b.jsId]! + (b.jsSeq - sink.last[b.jsId]!), js.refused, 'JS producer: p3 gaps == refused');
  assert.equal(q.taken, posted + js.posted, 'taken == C posted + JS posted');
  assert.equal(q.refusedByAll, refused + js.refused, "header REFUSED == C refused + JS refused");
  assert.equal(b.kernel.interrupts, q.taken, 'every taken record went into the kernel');
  assert.equal(b.kernel.interruptsRefused, 0, 'the AO queue refused nothing');
  assert.equal(b.kernel.dispatched(b.ao), q.taken, 'the AO dispatched every record');
  return { posted, refused };
}

describe('the bridge test rig: latency histogram buckets', () => {
  it('are exact below 1024 us and within 1/64 above, up to 2^31 us, in order', () => {
    let last = -1;
    for (let us = 0; us < 2147483647; us = us < 4096 ? us + 1 : Math.floor(us * 1.01)) {
      const b = latencyBucket(us);
      assert.ok(b >= last && b < LATENCY_BUCKETS, `bucket ${b} of ${us} us`);
      const f = bucketFloor(b);
      assert.ok(f <= us && us - f <= (us < 1024 ? 0 : us / 64), `${us} us: bucket floor ${f}`);
      last = b;
    }
    assert.equal(latencyBucket(2147483646), LATENCY_BUCKETS - 1);
  });
});

describe('native interrupt bridge (keel_isr.c) with POSIX threads on the XS host', function () {
  this.timeout(300000);

  it("single mode: a thread posts 1,000,000 edges at full speed; each posted edge arrives once, in order; offered == taken + refused; the consumer loop allocates 0 slots, 0 chunks", function () {
    const host = needHost(this);
    const N = 1000000;
    const b = new Bridge(host, { capacity: 4096, producers: 'single' });
    assert.equal(host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N }), 1);
    const m = consumeMeasured(host, b, 2);
    const st = host.isrJoin();
    const { posted, refused } = checkAccounting(host, b, 1, N);
    assert.equal(st.offered, N);
    assert.equal(N, b.queue.taken + b.queue.refusedByAll, 'offered == taken + refused (header word)');
    assert.equal(posted + refused, N);
    assert.ok(posted >= 4096, `at least a ring's worth of edges was taken (taken ${posted})`);
    assert.ok(st.wakes >= 1 && st.wakes <= posted, `wakes ${st.wakes} in 1..posted ${posted}`);
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 }, `the consumer loop over ${b.queue.taken} events allocated`);
  });

  it('single mode: 1,000,000 edges at 250 kHz in bursts of 32, the consumer woken per burst: exact counts, 0 allocation', function () {
    const host = needHost(this);
    const N = 1000000;
    const b = new Bridge(host, { capacity: 4096, producers: 'single' });
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N, ratePerSec: 250000, burst: 32 });
    const m = consumeMeasured(host, b, 2);
    const st = host.isrJoin();
    checkAccounting(host, b, 1, N);
    assert.equal(N, b.queue.taken + b.queue.refusedByAll, 'offered == taken + refused (header word)');
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 }, `the consumer loop over ${b.queue.taken} events allocated`);
  });

  it('single mode: 1,000,000 edges paced to the consumer (100 kHz in bursts of 64, ring 65536): refused 0, all 1,000,000 taken once and in order, 0 allocation', function () {
    const host = needHost(this);
    const N = 1000000;
    const CAP = 65536;
    const b = new Bridge(host, { capacity: CAP, producers: 'single' });
    // 100 kHz is below what the XS consumer takes on an idle core (about
    // 140,000 events/s here); maxFill makes the thread wait when a loaded
    // machine slows the consumer, instead of overflowing (counted: throttled).
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N, ratePerSec: 100000, burst: 64, maxFill: CAP - 128 });
    const m = consumeMeasured(host, b, 2);
    const st = host.isrJoin();
    checkAccounting(host, b, 1, N);
    assert.equal(st.refused, 0, `refused (throttled bursts: ${st.throttled})`);
    assert.equal(b.queue.refusedByAll, 0);
    assert.equal(b.queue.taken, N, 'taken == 1,000,000');
    assert.equal(b.sink.got[0], N);
    assert.equal(b.sink.last[0], N, 'the last sequence number dispatched is 1,000,000');
    assert.equal(b.sink.gaps[0], 0, 'no gap in the sequence');
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 }, `the consumer loop over ${b.queue.taken} events allocated`);
  });

  it('multiple mode: 1,000,000 events from two C threads (2 x 490,000 at 50 kHz each) and a JS producer (20,000) on one ring: refused 0, every event taken once, in order per source', function () {
    const host = needHost(this);
    const N = 490000;
    const CAP = 65536;
    const b = new Bridge(host, { capacity: CAP, producers: 'multiple' });
    b.jsCount = 20000;
    b.jsPerPass = 8;
    host.isrStart({ buffer: b.queue.buffer, mode: 'multiple', sig: EDGE, sources: 2, count: N, ratePerSec: 50000, burst: 64, maxFill: CAP - 1024 });
    const m = consumeMeasured(host, b, 1);
    const st = host.isrJoin();
    checkAccounting(host, b, 2, N);
    assert.equal(2 * N + b.jsSeq, 1000000);
    assert.equal(st.refused, 0, `C refused (throttled bursts: ${st.throttled})`);
    assert.equal(b.jsProducer.refused, 0, 'JS refused');
    assert.equal(b.queue.refusedByAll, 0);
    assert.equal(b.queue.taken, 1000000, 'taken == 1,000,000');
    assert.equal(b.sink.got[0]! + b.sink.got[1]! + b.sink.got[b.jsId]!, 1000000);
    assert.equal(b.sink.gaps[0]! + b.sink.gaps[1]! + b.sink.gaps[b.jsId]!, 0, 'no gap in any source');
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 }, `the consumer loop over ${b.queue.taken} events allocated`);
  });

  it('positive control: the same consumer loop with one array literal on one event is caught', function () {
    const host = needHost(this);
    const b = new Bridge(host, { capacity: 256, producers: 'single' });
    b.sink.leakOnce = true;
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: 20000 });
    const m = consumeMeasured(host, b, 2);
    host.isrJoin();
    checkAccounting(host, b, 1, 20000);
    assert.ok(m.slots >= 1, `one allocation must be seen (slots ${m.slots}, chunks ${m.chunks})`);
  });

  it('single mode, the consumer stalled on purpose: the ring overflows; every refusal is counted and posted == taken exactly', function () {
    const host = needHost(this);
    const N = 200000;
    const b = new Bridge(host, { capacity: 1024, producers: 'single' });
    b.stallAt = 1000;
    b.stallUs = 50000; // 50 ms of edges at 200 kHz is ~10,000: ten rings' worth
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N, ratePerSec: 200000, burst: 16 });
    const m = consumeMeasured(host, b, 2);
    host.isrJoin();
    const { refused } = checkAccounting(host, b, 1, N);
    assert.ok(b.stalled, 'the consumer stalled');
    assert.ok(refused > 0, `the stall made the ring overflow (refused ${refused})`);
    assert.equal(N, b.queue.taken + b.queue.refusedByAll);
    assert.ok(b.queue.minFree === 0, 'the producer saw the ring full (PEAK == capacity)');
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 });
  });

  it('multiple mode: two C threads at full speed and a JS producer on the VM thread post at once, with a stall; counts exact per source', function () {
    const host = needHost(this);
    const N = 300000;
    const b = new Bridge(host, { capacity: 1024, producers: 'multiple' });
    b.jsCount = 20000;
    b.jsPerPass = 8;
    b.stallAt = 2000;
    b.stallUs = 20000;
    assert.equal(host.isrStart({ buffer: b.queue.buffer, mode: 'multiple', sig: EDGE, sources: 2, count: N }), 2);
    const m = consumeMeasured(host, b, 1);
    host.isrJoin();
    const { posted, refused } = checkAccounting(host, b, 2, N);
    assert.equal(b.jsSeq, 20000);
    assert.ok(b.jsProducer.posted > 0, 'the JS producer posted');
    assert.equal(2 * N + b.jsSeq, b.queue.taken + b.queue.refusedByAll, 'offered (C and JS) == taken + refused');
    assert.ok(posted > 0 && refused > 0, `both threads posted (${posted}) and the stall overflowed the ring (${refused})`);
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 });
  });

  it('multiple mode at a set rate: four C threads in bursts, a JS producer, nothing out of order', function () {
    const host = needHost(this);
    const N = 50000;
    const b = new Bridge(host, { capacity: 512, producers: 'multiple' });
    b.jsCount = 5000;
    b.jsPerPass = 2;
    host.isrStart({ buffer: b.queue.buffer, mode: 'multiple', sig: EDGE, sources: 4, count: N, ratePerSec: 100000, burst: 32 });
    const m = consumeMeasured(host, b, 1);
    host.isrJoin();
    checkAccounting(host, b, 4, N);
    assert.equal(4 * N + b.jsSeq, b.queue.taken + b.queue.refusedByAll);
    assert.deepEqual(m, { slots: 0, chunks: 0, collections: 0 });
  });

  it('glitch filter: edges closer than glitchUs to the last accepted one are dropped in C and counted (gaps in p3)', function () {
    const host = needHost(this);
    const N = 16000;
    const b = new Bridge(host, { capacity: 1024, producers: 'single' });
    // Bursts of 8 back-to-back edges, 1,000 bursts a second: with a 200 us
    // filter, the later edges of a burst are glitches.
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N, ratePerSec: 8000, burst: 8, glitchUs: 200 });
    b.consume(2);
    const st = host.isrJoin();
    checkAccounting(host, b, 1, N);
    assert.ok(st.glitched > 0 && st.posted > 0, `glitched ${st.glitched}, posted ${st.posted}`);
    assert.equal(b.queue.refusedByAll, st.refused, 'filtered edges are not ring refusals');
  });

  it('wakes the VM once per burst, not once per edge', function () {
    const host = needHost(this);
    const N = 64 * 200;
    const b = new Bridge(host, { capacity: 1024, producers: 'single' });
    // 200 bursts of 64 back-to-back edges, 2 ms apart.
    b.sink.measureLatency = true;
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: N, ratePerSec: 32000, burst: 64 });
    b.consume(20);
    const st = host.isrJoin();
    checkAccounting(host, b, 1, N);
    assert.equal(b.sink.latencyCount, st.posted, 'a latency for every edge taken');
    const p50 = b.sink.percentile(0.5);
    const p99 = b.sink.percentile(0.99);
    assert.ok(p50 <= p99 && p99 <= b.sink.latencyMax, `p50 ${p50} <= p99 ${p99} <= max ${b.sink.latencyMax}`);
    // One wake per burst: the burst's first edge finds wake_pending 0. A second
    // one only when the VM cleared wake_pending (at the start of its wake)
    // while the same burst was still being posted; a VM descheduled for more
    // than the 2 ms between bursts serves two bursts with one wake.
    assert.ok(st.wakes >= 1 && st.wakes <= 2 * 200, `wakes ${st.wakes} for 200 bursts (${st.posted} edges): at most 2 per burst`);
  });

  it('C edges from the VM thread (isrEdges) across the 32-bit wrap of the positions: taken in order, 0 allocation per edge + drain', function () {
    const host = needHost(this);
    const b = new Bridge(host, { capacity: 64, producers: 'multiple', initialIndex: 4294967296 - 1000 });
    host.isrStart({ buffer: b.queue.buffer, mode: 'multiple', sig: EDGE, id: 3, count: 0 });
    let moved = 0;
    collect(); // the first edge and the first drain are measured too
    const s0 = host.slots();
    const c0 = host.chunks();
    for (let i = 0; i < 100; i++) {
      host.isrEdges(0, 40); // 40 edges: 4000 in all, across position 2^32
      moved += b.drain(64);
    }
    const s1 = host.slots();
    const c1 = host.chunks();
    const st = host.isrJoin();
    assert.equal(st.posted, 4000);
    assert.equal(moved, 4000);
    assert.equal(b.sink.got[3], 4000);
    assert.equal(b.sink.last[3], 4000);
    assert.equal(b.sink.disorder, 0);
    assert.equal(s1 - s0, 0, 'slots');
    assert.equal(c1 - c0, 0, 'chunk bytes');
  });

  it('boot errors: a buffer keel_isr cannot use, a mode the queue cannot take, a second run while one posts', function () {
    const host = needHost(this);
    const q = new SharedEventQueue({ name: 'boot', capacity: 8, producers: 'single' });
    assert.throws(() => host.isrStart({ buffer: new ArrayBuffer(600), sig: EDGE }), /SharedArrayBuffer/);
    assert.throws(() => host.isrStart({ buffer: new SharedArrayBuffer(600), sig: EDGE }), /KEEL_ISR_EMAGIC/);
    assert.throws(() => host.isrStart({ buffer: q.buffer, mode: 'multiple', sig: EDGE }), /KEEL_ISR_EMODE/);
    assert.throws(() => host.isrStart({ buffer: q.buffer, mode: 'sometimes' as 'single', sig: EDGE }), /KEEL_ISR_EMODE/);
    assert.throws(() => host.isrStart({ buffer: q.buffer, mode: 'single', sig: 65536 }), /sig must be an integer 0\.\.65535/);
    assert.throws(() => host.isrStart({ buffer: q.buffer, mode: 'single', sig: -1 }), /sig must be an integer 0\.\.65535/);
    const short = new SharedArrayBuffer(SharedEventQueue.byteLength(8) - 8);
    const inShort = new Int32Array(short);
    inShort.set(new Int32Array(q.buffer, 0, 64));
    assert.throws(() => host.isrStart({ buffer: short, mode: 'single', sig: EDGE }), /KEEL_ISR_ESIZE/);
    const b = new Bridge(host, { capacity: 64, producers: 'single' });
    host.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: 2000, ratePerSec: 20000 });
    assert.throws(() => host.isrStart({ buffer: q.buffer, mode: 'single', sig: EDGE }), /still post/);
    b.consume(2);
    host.isrJoin();
    checkAccounting(host, b, 1, 2000);
  });
});

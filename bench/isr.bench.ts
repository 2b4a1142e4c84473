// The native interrupt bridge (hosts/native/keel_isr.c, docs/interrupts.md):
// what the VM's thread pays per event when a C producer posts, and what a
// thread playing an interrupt sees end to end on the XS host.
//
// One op = one event: posted (by C, or by JavaScript for the baseline), taken
// from the SharedEventQueue, put into an active object's queue with
// kernel.interrupt() and dispatched to it by kernel.run() (test/isr/isr.fixture.ts:
// batches of 64). XS steps, slots and chunk bytes per op are the VM's side
// only: a C post runs no JavaScript (the case calls $xs.isrEdges once per 64
// events, which keel_isr_edge()s them on the VM's thread).
//
// Figures (measured after the counters, stored in the row's `figures`):
//   - host ns per event: wall clock of C post + JS take on the VM's thread, and
//     of the JS consumer's loop against a C thread posting at full speed;
//   - latency: a C thread posts edges at a set rate; at dispatch the Sink
//     reads the producers' clock (CLOCK_MONOTONIC, us) and subtracts the
//     edge's timestamp (p2): p50 / p99 / max in microseconds.
// XS host only (the $xs.isr* functions): Node skips these cases.
import { defineBench } from './harness.js';
import { Bridge, EDGE, isrHost } from '../test/isr/isr.fixture.js';

const JS_BASELINE = 'JS producer: SharedEventQueue post + take into the kernel (baseline)';
const XS_ONLY = 'needs $xs.isr* (the keel-xs host with keel_isr.c)';
const PER_CALL = 64;

function host(): NonNullable<typeof isrHost> {
  if (isrHost === undefined) throw new Error(`bench isr: ${XS_ONLY}`);
  return isrHost;
}

/** A bridge whose source 0 is posted from the VM's thread by isrEdges (no producer thread). */
function syncBridge(measureLatency: boolean): { bridge: Bridge; op: () => number } {
  const h = host();
  const b = new Bridge(h, { capacity: 256, producers: 'single' });
  b.sink.measureLatency = measureLatency;
  h.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count: 0 });
  return {
    bridge: b,
    op: () => {
      h.isrEdges(0, PER_CALL);
      return b.drain(PER_CALL);
    },
  };
}

/** Wall clock (ns per event) of `calls` calls of `op`, each PER_CALL events. */
function nsPerEvent(op: () => number, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) op();
  return ((performance.now() - t0) * 1e6) / (calls * PER_CALL);
}

/** A C thread posts `count` edges at `rate` (0: full speed) in bursts; the JS consumer drains. */
function threadRun(rate: number, burst: number, count: number, latency: boolean): Record<string, number> {
  const h = host();
  const b = new Bridge(h, { capacity: 4096, producers: 'single' });
  b.sink.measureLatency = latency;
  h.isrStart({ buffer: b.queue.buffer, mode: 'single', sig: EDGE, count, ratePerSec: rate, burst });
  const t0 = h.isrNowUs();
  b.consume(rate === 0 ? 0 : 5);
  const t1 = h.isrNowUs();
  const st = h.isrJoin();
  if (b.sink.disorder !== 0 || b.sink.got[0] !== st.posted || st.offered !== b.queue.taken + b.queue.refusedByAll)
    throw new Error(`bench isr: counts do not add up (disorder ${b.sink.disorder}, got ${b.sink.got[0]}, posted ${st.posted})`);
  const r: Record<string, number> = {
    edges: st.offered,
    taken: b.queue.taken,
    refused: b.queue.refusedByAll,
    wakes: st.wakes,
    producerUs: st.lastUs - st.firstUs,
    consumerUs: t1 - t0,
  };
  if (latency) {
    r.p50Us = b.sink.percentile(0.5);
    r.p99Us = b.sink.percentile(0.99);
    r.maxUs = b.sink.latencyMax;
  }
  return r;
}

export default defineBench('isr', [
  {
    name: JS_BASELINE,
    xsOnly: XS_ONLY,
    opsPerCall: PER_CALL,
    xsCalls: 2000,
    make() {
      const b = new Bridge(host(), { capacity: 256, producers: 'multiple' });
      return () => {
        for (let i = 0; i < PER_CALL; i++) b.jsPost();
        return b.drain(PER_CALL);
      };
    },
  },
  {
    name: 'C keel_isr_edge (isrEdges, VM thread) + JS take into the kernel',
    baseline: JS_BASELINE,
    xsOnly: XS_ONLY,
    opsPerCall: PER_CALL,
    xsCalls: 2000,
    make() {
      return syncBridge(false).op;
    },
    figures() {
      const { op } = syncBridge(false);
      const sync = nsPerEvent(op, 4000); // before threadRun, which starts a new run
      const full = threadRun(0, 1, 1000000, false);
      return {
        'VM thread C post + JS take, host ns/event': sync,
        'C thread full speed: edges': full.edges!,
        'C thread full speed: taken': full.taken!,
        'C thread full speed: refused': full.refused!,
        'C thread full speed: producer ns/edge': (full.producerUs! * 1000) / full.edges!,
        'C thread full speed: consumer ns/event taken': (full.consumerUs! * 1000) / full.taken!,
      };
    },
  },
  {
    name: 'C keel_isr_edge + JS take with a latency clock read per event',
    baseline: JS_BASELINE,
    xsOnly: XS_ONLY,
    opsPerCall: PER_CALL,
    xsCalls: 2000,
    make() {
      return syncBridge(true).op;
    },
    figures() {
      const slow = threadRun(10000, 1, 20000, true);
      const fast = threadRun(100000, 16, 200000, true);
      return {
        '10 kHz x 2 s: edges': slow.edges!,
        '10 kHz: refused': slow.refused!,
        '10 kHz: wakes': slow.wakes!,
        '10 kHz: latency p50 us': slow.p50Us!,
        '10 kHz: latency p99 us': slow.p99Us!,
        '10 kHz: latency max us': slow.maxUs!,
        '100 kHz bursts of 16 x 2 s: edges': fast.edges!,
        '100 kHz: refused': fast.refused!,
        '100 kHz: wakes': fast.wakes!,
        '100 kHz: latency p50 us': fast.p50Us!,
        '100 kHz: latency p99 us': fast.p99Us!,
        '100 kHz: latency max us': fast.maxUs!,
      };
    },
  },
]);

// The shipped InterruptSource (hosts/moddable/interrupt/source.ts, bundled
// as the Moddable build compiles it) on the XS engine host, over the stand-in
// test/support/moddable/interrupt-native.ts: real POSIX threads run
// hosts/native/keel_isr.c and post into the ring; deliverWakes() plays the VM
// loop's delivery of a wake (lin's GSource dispatch) and calls the source's
// onWake(), whose drain feeds an active object through the kernel.
// Checked exactly:
//   - onWake/drain allocate 0 slots and 0 chunk bytes per event, first call
//     included (the measured window starts before the first wake), next to a
//     positive control;
//   - every posted edge is dispatched once, in order (p3 grows), and
//     taken == forwarded + dropped, posted == taken + ringLength;
//   - exceptions: an action's exception from a wake is caught, counted in
//     wakeErrors, kept in lastError, given to onError; from poll() it
//     propagates; a target's QueueOverflowError propagates with the record
//     counted as taken and dropped; a QueueCorruptionError of the ring is
//     caught and counted and the drain goes on; a stopped AO's records are
//     dropped and counted.
// XS host only ($xs.isr*): on Node the tests are skipped and say so.
/// <reference path="../../hosts/moddable/interrupt/xs-native.d.ts" />
import { strict as assert } from '../support/assert.js';
import { EDGE, Sink, isrHost } from './isr.fixture.js';
import { Kernel, type Behaviour } from '../../src/kernel.js';
import { EventQueue, QueueOverflowError } from '../../src/queue.js';
import { SharedEventQueue, singleCoreAtomics } from '../../src/shared-queue.js';
import { EDGE_BOTH, InterruptSource, type InterruptSourceOptions } from '../../hosts/moddable/interrupt/source.js';
import type { InterruptNative as RealNative } from '../../hosts/moddable/interrupt/native.js';
import {
  InterruptNative as StandInNative,
  deliverWakes,
  producersRunning,
  setProducerOptions,
  standInCounters,
} from '../support/moddable/interrupt-native.js';

// ---- the stand-in has the real binding's shape (compile time) ----
type NativeMethods = 'open' | 'simulate' | 'close' | 'wakeDone' | 'counter';
type SameShape = Pick<RealNative, NativeMethods> extends Pick<StandInNative, NativeMethods>
  ? Pick<StandInNative, NativeMethods> extends Pick<RealNative, NativeMethods>
    ? true
    : never
  : never;
const sameShape: SameShape = true;
const nowShape: () => number = StandInNative.now;
void sameShape;
void nowShape;

const XS_ONLY = ' [skipped: needs the keel-xs host with $xs.isr* (POSIX threads running keel_isr.c)]';
const PIN = 7;

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

/** A kernel with one Sink AO (queue 64) and a ring the source drains into it. */
class Rig {
  readonly ring: SharedEventQueue;
  readonly kernel: Kernel;
  readonly sink: Sink;
  readonly ao: number;
  source: InterruptSource | null = null;
  constructor(host: NonNullable<typeof isrHost>, capacity: number, producers: 'single' | 'multiple', behaviour?: Behaviour) {
    this.ring = new SharedEventQueue({ name: 'irq', capacity, producers });
    this.kernel = new Kernel({ name: 'irq', maxObjects: 2, maxBurst: 64 });
    const sink = new Sink(() => host.isrNowUs());
    this.sink = sink;
    this.ao = this.kernel.spawn({ create: () => behaviour ?? sink }, 1, 64);
  }
  open(extra: Partial<InterruptSourceOptions> = {}): InterruptSource {
    this.source = new InterruptSource({ name: 'irq', pin: PIN, edge: EDGE_BOTH, queue: this.ring, signal: EDGE, kernel: this.kernel, ao: this.ao, ...extra });
    return this.source;
  }
  /** The VM loop: deliver wakes until the producers are done and the ring is empty (a final poll picks up the rest). */
  loop(waitMs: number): void {
    const s = this.source!;
    // Bound: the producers' counts (each pass waits or delivers).
    for (;;) {
      const running = producersRunning();
      deliverWakes(running > 0 ? waitMs : 0);
      if (running === 0 && this.ring.ringLength === 0) return;
      if (running === 0) s.poll();
    }
  }
  close(): void {
    if (this.source !== null) this.source.close();
    this.source = null;
  }
}

function checkCounts(r: Rig, s: InterruptSource): void {
  assert.equal(s.taken, s.forwarded + s.dropped, 'taken == forwarded + dropped');
  assert.equal(s.posted, s.taken + r.ring.ringLength, 'posted == taken + ringLength (C is the only producer)');
  assert.equal(s.offered, s.posted + s.refused + s.glitched + s.corrupt, 'offered == posted + refused + glitched + corrupt');
}

describe('InterruptSource (the shipped source.ts) over real C threads on the XS host', function () {
  this.timeout(120000);
  let rig: Rig | null = null;
  afterEach(() => {
    if (rig !== null) rig.close();
    rig = null;
    setProducerOptions({});
  });

  it('onWake + drain into the kernel: every edge once, in order; 0 slots and 0 chunks per event, first wake included', function () {
    const host = needHost(this);
    const r = (rig = new Rig(host, 4096, 'single'));
    const s = r.open();
    // 200,000 edges at 100 kHz in bursts of 16; maxFill keeps a loaded machine from overflowing the ring.
    setProducerOptions({ maxFill: 4096 - 64 });
    assert.equal(s.simulate({ hz: 6250, seconds: 2, burst: 16 }), undefined);
    collect();
    const s0 = host.slots();
    const c0 = host.chunks();
    const g0 = host.gcCount();
    r.loop(2);
    const slots = host.slots() - s0;
    const chunks = host.chunks() - c0;
    const gcs = host.gcCount() - g0;
    assert.equal(s.offered, 200000);
    assert.equal(s.refused, 0, 'nothing refused (the thread is paced to the consumer)');
    checkCounts(r, s);
    assert.equal(s.taken, 200000);
    assert.equal(s.forwarded, 200000);
    assert.equal(r.sink.got[PIN], 200000, 'every edge dispatched once');
    assert.equal(r.sink.last[PIN], 200000, 'the last sequence number');
    assert.equal(r.sink.disorder, 0, 'in order');
    assert.equal(r.sink.wrong, 0);
    assert.ok(s.wakeCalls >= 1 && s.wakeCalls === s.wakeups, `wakeCalls ${s.wakeCalls} == onWake calls ${s.wakeups}`);
    assert.ok(s.wakes <= s.posted, `at most one wake per edge (wakes ${s.wakes})`);
    assert.equal(s.wakeErrors, 0);
    assert.deepEqual({ slots, chunks, gcs }, { slots: 0, chunks: 0, gcs: 0 }, `onWake/drain over ${s.taken} events (${s.wakeups} wakes) allocated ${slots} slots ${chunks} chunks ${gcs} gcs`);
  });

  it('positive control: the same loop with one array literal in one dispatch is caught', function () {
    const host = needHost(this);
    const r = (rig = new Rig(host, 1024, 'single'));
    const s = r.open();
    r.sink.leakOnce = true;
    s.simulate({ hz: 1000, seconds: 1, burst: 8 });
    collect();
    const s0 = host.slots();
    r.loop(2);
    checkCounts(r, s);
    assert.ok(host.slots() - s0 >= 1, `one allocation must be seen (slots ${host.slots() - s0})`);
  });

  it("an action's exception from a wake is caught and counted (wakeErrors, lastError, onError); the next wakes drain the rest; counts stay exact", function () {
    const host = needHost(this);
    const boom = new Error('action failed');
    const throwAt = 100; // the dispatch that throws (once), by sequence number
    const sink = new Sink(() => host.isrNowUs());
    const thrower: Behaviour = {
      start() {},
      dispatch(sig, p0, p1, p2, p3) {
        sink.dispatch(sig, p0, p1, p2, p3);
        if (p3 === throwAt) throw boom;
      },
    };
    const r = (rig = new Rig(host, 1024, 'single', thrower));
    const reported: unknown[] = [];
    const s = r.open({ onError: (e, src) => reported.push(e, src) });
    s.simulate({ hz: 500, seconds: 1, burst: 4 }); // 2,000 edges
    r.loop(2);
    assert.equal(s.wakeErrors, 1, 'one exception, from a wake');
    assert.equal(s.lastError, boom);
    assert.deepEqual(reported, [boom, s]);
    checkCounts(r, s);
    assert.equal(s.taken, 2000);
    // The thrown event left the AO's queue with its dispatch; every other one was dispatched.
    assert.equal(sink.got[PIN], 2000);
    assert.equal(sink.disorder, 0);
  });

  it("an action's exception from poll() propagates to the caller (not counted in wakeErrors); the record was taken and forwarded", function () {
    const host = needHost(this);
    const boom = new Error('action failed');
    const thrower: Behaviour = {
      start() {},
      dispatch(_sig, _p0, _p1, _p2, p3) {
        if (p3 === 3) throw boom;
      },
    };
    const r = (rig = new Rig(host, 64, 'single', thrower));
    const s = r.open();
    host.isrEdges(0, 5); // no thread: source 0 posts from the VM thread, sequence numbers 1..5
    assert.throws(() => s.poll(), (e: unknown) => e === boom);
    assert.equal(s.wakeErrors, 0, 'poll() does not catch');
    assert.equal(s.taken, 5, 'the drain forwarded all five before its final kernel.run() threw');
    checkCounts(r, s);
    assert.equal(r.kernel.dispatched(r.ao), 2, 'dispatched 1 and 2; 3 threw; 4 and 5 wait in the AO queue');
    assert.equal(s.poll(), 0);
    assert.equal(r.kernel.dispatched(r.ao), 4);
  });

  it('a stopped AO: the wake drains and drops its records, counted (dropped, droppedStopped), nothing thrown', function () {
    const host = needHost(this);
    const r = (rig = new Rig(host, 1024, 'single'));
    const s = r.open();
    r.kernel.stop(r.ao);
    s.simulate({ hz: 100, seconds: 1, burst: 10 }); // 1,000 edges
    r.loop(2);
    assert.equal(s.wakeErrors, 0);
    assert.equal(s.taken, 1000);
    assert.equal(s.forwarded, 0);
    assert.equal(s.dropped, 1000);
    assert.equal(s.droppedStopped, 1000);
    checkCounts(r, s);
  });

  it("a target whose post() throws (QueueOverflowError): poll() rethrows; the record is counted as taken and dropped", function () {
    const host = needHost(this);
    const ring = new SharedEventQueue({ name: 'irq', capacity: 64, producers: 'single' });
    const target = new EventQueue({ name: 'strict', capacity: 4, overflow: 'throw' });
    const s = new InterruptSource({ name: 'strict', pin: PIN, edge: EDGE_BOTH, queue: ring, signal: EDGE, target });
    try {
      host.isrEdges(0, 6);
      assert.throws(() => s.poll(), QueueOverflowError);
      assert.equal(s.taken, 5);
      assert.equal(s.forwarded, 4);
      assert.equal(s.dropped, 1, 'the fifth record: taken, its forward threw');
      assert.equal(ring.ringLength, 1, 'the sixth is still in the ring');
      assert.equal(s.posted, s.taken + ring.ringLength);
      assert.equal(s.taken, s.forwarded + s.dropped);
    } finally {
      s.close();
    }
  });

  it('a corrupt record in the ring: QueueCorruptionError is caught, counted in corrupted, and the drain goes on', function () {
    const host = needHost(this);
    const r = (rig = new Rig(host, 64, 'single'));
    const s = r.open();
    host.isrEdges(0, 3);
    // Record 0 (slot 0, the ring starts at position 0): its signal word (int32 index 64 + 10 * 0 + 1) out of range.
    new Int32Array(r.ring.buffer)[65] = 70000;
    assert.equal(s.poll(), 2, 'two good records taken');
    assert.equal(s.corrupted, 1);
    assert.equal(r.ring.corrupted, 1);
    assert.equal(s.taken, 2);
    assert.equal(r.sink.got[PIN], 2);
    assert.equal(r.sink.last[PIN], 3);
    assert.equal(s.taken, s.forwarded + s.dropped);
  });

  it('boot errors through the real source.ts: a plain ArrayBuffer, a pin in use, a mode the queue cannot take', function () {
    const host = needHost(this);
    const r = (rig = new Rig(host, 64, 'single'));
    const plain = new SharedEventQueue({ name: 'plain', capacity: 8, producers: 'single', buffer: new ArrayBuffer(SharedEventQueue.byteLength(8)), atomics: singleCoreAtomics });
    assert.throws(() => new InterruptSource({ pin: 1, edge: EDGE_BOTH, queue: plain, signal: EDGE, target: r.ring }), /InterruptQueueError|plain ArrayBuffer/);
    r.open();
    const other = new SharedEventQueue({ name: 'other', capacity: 8, producers: 'single' });
    assert.throws(() => new InterruptSource({ pin: PIN, edge: EDGE_BOTH, queue: other, signal: EDGE, target: r.ring }), /already used/);
    r.close();
    assert.throws(
      () => new InterruptSource({ pin: 2, edge: EDGE_BOTH, queue: other, signal: EDGE, target: r.ring, mode: 'multiple' }),
      /KEEL_ISR_EMODE/,
    );
    void standInCounters;
  });
});

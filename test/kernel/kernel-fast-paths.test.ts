// Kernel hot paths (src/kernel.ts, "Hot paths"): post(), run() and step()
// read and write the AO queues' rings themselves, tick() and arm() do the
// usual time-event cases with the TimerTable's arrays. Checked here: the same
// results as the queue's and the table's own methods (a differential property
// test: an int32 clock takes the kernel's paths, a clock with a half ms the
// table's), what an action that throws leaves behind, a queue emptied behind
// the kernel's back, the counters those paths keep, and zero allocation on XS
// on the paths that fall back to the table.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { Kernel, NO_SLOT, type ActiveObjectDef, type Behaviour, type KernelHost } from '../../src/kernel.js';
import { BlockPool } from '../../src/pool.js';
import { Trace, TRACE_DISPATCH, TRACE_POST } from '../../src/trace.js';

class Clock implements KernelHost {
  /** Whole ms (an int32, as a device's Time.ticks). */
  t = 0;
  /** Added to t by now(): 0 (an int32 clock) or a fraction (a double clock). */
  constructor(readonly fraction = 0) {}
  now(): number {
    // A fraction away from zero, so `now | 0` is t again.
    return this.t + (this.t < 0 ? -this.fraction : this.fraction);
  }
}

/** Logs every dispatch as numbers: [ao, sig, p0, p1, p2, p3]. */
class Logger implements Behaviour {
  constructor(
    readonly ao: number,
    readonly log: number[],
  ) {}
  start(): void {}
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): void {
    this.log.push(this.ao, sig, p0, p1, p2, p3);
  }
}

type Cmd =
  | { k: 'arm'; t: number; delay: number; period: number | undefined }
  | { k: 'disarm'; t: number }
  | { k: 'tick'; dt: number }
  | { k: 'run' }
  | { k: 'step' }
  | { k: 'post'; ao: number; sig: number; p0: number }
  | { k: 'urgent'; ao: number; sig: number };

const TIMERS = 4;
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('arm' as const),
      t: fc.integer({ min: 0, max: TIMERS - 1 }),
      delay: fc.integer({ min: 0, max: 12 }),
      period: fc.oneof(fc.constant(undefined), fc.constant(0), fc.integer({ min: 1, max: 6 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('disarm' as const), t: fc.integer({ min: 0, max: TIMERS - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 9 }) }) },
  { weight: 2, arbitrary: fc.constant({ k: 'run' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'step' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('post' as const), ao: fc.integer({ min: 0, max: 1 }), sig: fc.integer({ min: 0, max: 9 }), p0: fc.integer({ min: -5, max: 5 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('urgent' as const), ao: fc.integer({ min: 0, max: 1 }), sig: fc.integer({ min: 0, max: 9 }) }) },
);

/** A kernel with 2 AOs (queues of 3: refusals happen) and 4 time events (signals 20..23, 2 per AO). */
function rig(clock: Clock): { k: Kernel; log: number[]; ids: number[] } {
  const k = new Kernel({ name: 'fp', host: clock, timers: TIMERS });
  const log: number[] = [];
  const aos = [0, 1].map((i) => k.spawn({ create: () => new Logger(i, log) } satisfies ActiveObjectDef, 2 - i, 3));
  const ids = [0, 1, 2, 3].map((i) => k.timeEvent(aos[i & 1]!, 20 + i));
  return { k, log, ids };
}

/** Everything the kernel, its queues and its timer table show. */
function state(k: Kernel, ids: number[], now: number): number[] {
  const s = [k.dispatchedTotal, k.idleCount, k.staleExpiries, k.timerRefused, k.timers.expired, k.timers.missed, k.timers.armed, k.ready ? 1 : 0, k.nextDelay(now)];
  for (const ao of [0, 1]) {
    const q = k.queueOf(ao);
    s.push(k.dispatched(ao), q.posted, q.taken, q.dropped, q.refused, q.length, q.minFree, q.peek());
    assert.equal(q.posted, q.taken + q.dropped + q.length, 'posted = taken + dropped + length');
  }
  for (const id of ids) s.push(k.timers.isArmed(id) ? 1 : 0, k.timers.live[id]!, k.timers.remaining(id, now));
  return s;
}

describe("kernel: the hot paths give the queue's and the timer table's results", function () {
  it('an int32 clock (the kernel arms and expires) and a double clock (the table does) agree on every result, dispatch and counter', function () {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648 + 1, max: 2147483647 - 2000 }), fc.array(cmd, { minLength: 1, maxLength: 60 }), (start, cmds) => {
        const clocks = [new Clock(0), new Clock(0.5)];
        const rigs = clocks.map((c) => {
          c.t = start;
          return rig(c);
        });
        for (const c of cmds) {
          const out: number[] = [];
          for (let v = 0; v < 2; v++) {
            const { k, ids } = rigs[v]!;
            const clock = clocks[v]!;
            switch (c.k) {
              case 'arm':
                out.push(c.period === undefined ? k.arm(ids[c.t]!, c.delay) : k.arm(ids[c.t]!, c.delay, c.period));
                break;
              case 'disarm':
                out.push(k.disarm(ids[c.t]!) ? 1 : 0);
                break;
              case 'tick':
                clock.t = (clock.t + c.dt) | 0;
                out.push(k.tick());
                break;
              case 'run':
                out.push(k.run());
                break;
              case 'step':
                out.push(k.step());
                break;
              case 'post':
                out.push(k.post(c.ao, c.sig, c.p0) ? 1 : 0);
                break;
              case 'urgent':
                out.push(k.postUrgent(c.ao, c.sig) ? 1 : 0);
                break;
            }
          }
          assert.equal(out[0], out[1], `${c.k}: the same result`);
          assert.deepEqual(rigs[0]!.log, rigs[1]!.log, `${c.k}: the same dispatches`);
          assert.deepEqual(state(rigs[0]!.k, rigs[0]!.ids, clocks[0]!.now()), state(rigs[1]!.k, rigs[1]!.ids, clocks[1]!.now()), `${c.k}: the same state`);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('arm() of a one-shot that becomes the first armed event, and of one that does not, keep due order and arming order', function () {
    const clock = new Clock();
    const { k, log, ids } = rig(clock);
    k.arm(ids[0]!, 10); // the first (an empty list)
    k.arm(ids[1]!, 5); // before it: the new first
    k.arm(ids[2]!, 5); // due with ids[1]: after it (arming order)
    k.arm(ids[3]!, 0, 0); // period 0: a one-shot, the new first
    clock.t = 10;
    assert.equal(k.tick(), 4);
    assert.equal(k.run(), 4);
    // Expiry order: ids[3] (due 0), ids[1] and ids[2] (due 5, in arming
    // order), ids[0] (due 10); AO 0 (priority 2: ids[0], ids[2]) runs before
    // AO 1 (ids[1], ids[3]). Each record: ao, sig, id, due, generation, 0.
    assert.deepEqual(log, [0, 22, ids[2]!, 5, 1, 0, 0, 20, ids[0]!, 10, 1, 0, 1, 23, ids[3]!, 0, 1, 0, 1, 21, ids[1]!, 5, 1, 0]);
  });
});

describe('kernel: what an action that throws leaves behind', function () {
  /** AO 0 throws on signal 7; AO 1 logs. Signal 5 carries a pool block. */
  function throwing(): { k: Kernel; pool: BlockPool; log: number[]; clock: Clock } {
    const clock = new Clock();
    const pool = new BlockPool({ name: 'fp', blockSize: 8, count: 2 });
    const k = new Kernel({ name: 'thr', pool, host: clock });
    const log: number[] = [];
    k.blockSignal(5);
    k.spawn(
      {
        create: () => ({
          start() {},
          dispatch(sig: number) {
            log.push(sig);
            if (sig === 7 || sig === 5) throw new Error(`boom ${sig}`);
          },
        }),
      },
      2,
      4,
    );
    k.spawn({ create: () => new Logger(1, log) }, 1, 4);
    return { k, pool, log, clock };
  }

  it('run(): the error goes on to the caller; the next run() goes on with the next event', function () {
    const { k, log } = throwing();
    k.post(0, 7);
    k.post(0, 8);
    k.post(1, 9);
    assert.throws(() => k.run(), /boom 7/);
    assert.deepEqual(log, [7]);
    assert.equal(k.dispatched(0), 0, 'the event that threw is not counted as dispatched');
    assert.equal(k.run(), 2, 'not REENTRANT: no AO is left marked as dispatching');
    assert.deepEqual(log, [7, 8, 1, 9, 0, 0, 0, 0]);
    assert.equal(k.queueOf(0).taken, 2);
  });

  it("step(), and tick() afterwards: the same; the event's pool block is released", function () {
    const { k, pool, log, clock } = throwing();
    k.post(0, 5, pool.claim());
    assert.equal(pool.used, 1);
    assert.throws(() => k.step(), /boom 5/);
    assert.equal(pool.used, 0, 'released as if the action had returned');
    k.publishBlock(5, pool.claim());
    k.subscribe(0, 5);
    k.publishBlock(5, pool.claim());
    assert.throws(() => k.run(), /boom 5/);
    assert.equal(pool.used, 0);
    const t = k.timeEvent(1, 3);
    k.arm(t, 1);
    clock.t = 1;
    assert.equal(k.tick(), 1, 'tick() is not refused as called during a dispatch');
    assert.equal(k.step(), 1);
    assert.deepEqual(log.slice(-6), [1, 3, t, 1, 1, 0]);
  });
});

describe('kernel: counters of the hot paths', function () {
  it("a queue emptied behind the kernel's back: run() finds nothing, and the AO is not ready any more", function () {
    const k = new Kernel({ name: 'emp' });
    const log: number[] = [];
    k.spawn({ create: () => new Logger(0, log) }, 1, 4);
    k.post(0, 1);
    k.post(0, 2);
    assert.equal(k.queueOf(0).clear(), 2);
    assert.equal(k.ready, true, 'the kernel has not looked yet');
    assert.equal(k.run(), 0);
    assert.equal(k.ready, false);
    assert.equal(k.idleCount, 1);
    k.post(0, 3);
    k.queueOf(0).get();
    assert.equal(k.step(), NO_SLOT);
    assert.equal(k.ready, false);
    assert.deepEqual(log, []);
  });

  it("the kernel's takes count in the queue's taken; dispatchedTotal keeps the counts of stopped and replaced AOs", function () {
    const clock = new Clock();
    const k = new Kernel({ name: 'cnt', host: clock });
    const log: number[] = [];
    const a = k.spawn({ create: () => new Logger(0, log) }, 1, 2);
    const t = k.timeEvent(a, 4);
    k.arm(t, 0);
    clock.t = 1;
    k.tick();
    k.disarm(t); // the queued expiry is stale now
    k.post(a, 1);
    assert.equal(k.post(a, 2), false, 'full');
    const q = k.queueOf(a);
    assert.deepEqual([q.posted, q.taken, q.refused, q.length], [2, 0, 1, 2]);
    assert.equal(k.run(), 1);
    assert.deepEqual([q.posted, q.taken, q.refused, q.length, k.staleExpiries], [2, 2, 1, 0, 1]);
    assert.deepEqual([k.dispatched(a), k.dispatchedTotal], [1, 1]);
    k.stop(a);
    assert.equal(k.dispatchedTotal, 1, 'a stopped AO still counts');
    const b = k.spawn({ create: () => new Logger(1, log) }, 2, 2);
    assert.equal(b, a, 'the same slot');
    k.post(b, 3);
    k.post(b, 3);
    k.run();
    assert.deepEqual([k.dispatched(b), k.dispatchedTotal, q.taken], [2, 3, 2]);
  });
});

describe('kernel: the paths that fall back to the timer table allocate nothing on XS (first call included)', function () {
  it('re-arming an armed event, arming behind another, two expiries in one tick, a refused expiry, a double clock', function () {
    const clock = new Clock();
    const half = new Clock(0.5);
    const k = new Kernel({ name: 'al', host: clock, timers: 4 });
    const kd = new Kernel({ name: 'ald', host: half, timers: 2 });
    const sink = new Float64Array(4);
    const counter: Behaviour = {
      start() {},
      dispatch(sig: number) {
        sink[sig & 3]!++;
      },
    };
    const a = k.spawn({ create: () => counter }, 1, 1);
    const [t0, t1, t2] = [k.timeEvent(a, 0), k.timeEvent(a, 1), k.timeEvent(a, 2)];
    const d = kd.spawn({ create: () => counter }, 1, 2);
    const td = kd.timeEvent(d, 3);
    assertNoAllocation(() => {
      k.arm(t0!, 1);
      k.arm(t0!, 2); // armed: re-armed by the table
      k.arm(t1!, 3); // behind t0: the table inserts it
      k.arm(t2!, 2); // due with t0: behind it
      clock.t += 3;
      k.tick(); // t0 by the kernel, t2 and t1 by the table; the queue holds 1: two refused
      k.run();
      kd.arm(td!, 1, 1);
      half.t += 1;
      kd.tick();
      kd.run();
      kd.disarm(td!);
    }, 3000, 'the fallback paths');
    assert.equal(k.timerRefused, 2 * 3000);
    assert.deepEqual([sink[0], sink[1], sink[2], sink[3]], [3000, 0, 0, 3000]);
    // Positive control on the same paths: the counters catch one array literal per call.
    assertCatchesAllocation(() => {
      k.arm(t0!, 1);
      k.arm(t1!, 3);
      clock.t += 3;
      k.tick();
      k.run();
    }, 100, 'the fallback paths');
  });
});

describe('kernel: tracing switched on by an action mid-burst', function () {
  it('the rest of the burst is traced: every event after the switch has its DISPATCH record', function () {
    const trace = new Trace({ clock: null, capacity: 64, kinds: 0 });
    const k = new Kernel({ name: 'mid', trace });
    const seen: number[] = [];
    const a = k.spawn({
      create: () => ({
        start() {},
        dispatch(sig: number) {
          seen.push(sig);
          if (sig === 1) trace.setKinds(-1);
        },
      }),
    }, 1, 4);
    k.post(a, 1);
    k.post(a, 2);
    k.post(a, 3);
    assert.equal(trace.length, 0, 'nothing traced while the kinds are 0');
    assert.equal(k.run(), 3);
    assert.deepEqual(seen, [1, 2, 3]);
    const kinds: number[] = [];
    for (let i = 0; i < trace.length; i++) kinds.push(trace.kindAt(i));
    assert.deepEqual(kinds, [TRACE_DISPATCH, TRACE_DISPATCH], 'signals 2 and 3 dispatched with tracing on');
    // Posts after the switch are traced too, and a later run() is the traced one.
    k.post(a, 4);
    assert.equal(k.run(), 1);
    assert.equal(trace.kindAt(2), TRACE_POST);
    assert.equal(trace.kindAt(3), TRACE_DISPATCH);
    assert.deepEqual([k.queueOf(a).posted, k.queueOf(a).taken, k.dispatchedTotal], [4, 4, 4]);
  });

  it('taken and dispatchedTotal stay assignable counters', function () {
    const k = new Kernel({ name: 'cnt' });
    const a = k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 1, 4);
    for (let i = 0; i < 3; i++) k.post(a, 1);
    k.run();
    const q = k.queueOf(a);
    q.posted = q.dropped = q.taken = 0;
    k.dispatchedTotal = 0;
    k.post(a, 1);
    k.post(a, 1);
    k.run();
    assert.deepEqual([q.posted, q.taken, q.dropped, q.length, k.dispatchedTotal], [2, 2, 0, 0, 2]);
  });
});

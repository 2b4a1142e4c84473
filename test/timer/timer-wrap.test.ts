// Time events across the millisecond clock's wrap. A Moddable device's
// Time.ticks is a 32-bit counter read as a signed int32: it goes negative at
// 2^31 ms and wraps to 0 at 2^32 ms; the simulator and Node pass doubles.
// The timer table and the kernel must expire time events at the same times,
// in the same order and with the same due times (p1, modulo 2^32 as a signed
// int32) whichever of these clocks drives them, right across both points.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { MAX_DELAY_MS, TimerTable, TimerUsageError, type TimerSink } from '../../src/timer.js';
import { Kernel, type AoPort, type Behaviour, type KernelHost } from '../../src/kernel.js';
import { Simulator } from '../../hosts/sim/simulator.js';
import type { Tickable } from '../../hosts/sim/driver.js';
import { SimConfigError, SimReplayError } from '../../hosts/sim/errors.js';

const P31 = 2 ** 31;
const P32 = 2 ** 32;

/** The three ways a host can present the same instant (ms) to the kernel. */
const VIEWS: readonly { name: string; of: (t: number) => number }[] = [
  { name: 'a double (simulator, Node)', of: (t) => t },
  { name: 'a signed int32 (device Time.ticks)', of: (t) => t | 0 },
  { name: 'an unsigned 32-bit value', of: (t) => t >>> 0 },
];

/** A device-like clock: `t` ms, read as a signed int32 like Moddable's Time.ticks. */
class DeviceClock implements KernelHost {
  constructor(public t: number) {}
  now(): number {
    return this.t | 0;
  }
}

class Sink implements TimerSink {
  readonly log: number[] = [];
  postTimeEvent(_owner: number, sig: number, _id: number, due: number): boolean {
    this.log.push(sig, due);
    return true;
  }
}

class CountSink implements TimerSink {
  n = 0;
  postTimeEvent(): boolean {
    this.n++;
    return true;
  }
}

describe('timer table across the clock wrap', function () {
  for (const base of [P31, P32]) {
    for (const view of VIEWS) {
      it(`expires one-shot, periodic and equal-deadline events in order across ${base === P31 ? '2^31' : '2^32'} ms, now as ${view.name}`, function () {
        const s = new Sink();
        const t = new TimerTable({ capacity: 8 }, s);
        const S = base - 50;
        const now = (rel: number): number => view.of(S + rel);
        const a = t.create(0, 1);
        const b = t.create(0, 2);
        const c = t.create(0, 3);
        const d = t.create(0, 4);
        const e = t.create(0, 5);
        const f = t.create(0, 6);
        // Returned due times: (S + delay) modulo 2^32 as a signed int32.
        assert.equal(t.arm(a, now(0), 30), (S + 30) | 0);
        assert.equal(t.arm(b, now(0), 50), base | 0, 'due exactly at the wrap point');
        assert.equal(t.arm(c, now(0), 70), (S + 70) | 0);
        t.arm(d, now(0), 20, 20);
        t.arm(f, now(0), 60); // equal deadline, armed first
        t.arm(e, now(0), 60);
        assert.equal(t.nextDelay(now(0)), 20);
        const got: string[] = [];
        for (let rel = 1; rel <= 100; rel++) {
          if (rel === 49) assert.equal(t.remaining(b, now(rel)), 1);
          if (rel === 50) assert.equal(t.remaining(c, now(rel)), 20, 'remaining across the wrap');
          s.log.length = 0;
          t.tick(now(rel));
          for (let i = 0; i < s.log.length; i += 2) got.push(`${rel} sig${s.log[i]} due ${s.log[i + 1]}`);
        }
        const want = [
          [20, 4, 20], [30, 1, 30], [40, 4, 40], [50, 2, 50],
          [60, 6, 60], [60, 5, 60], [60, 4, 60], [70, 3, 70], [80, 4, 80], [100, 4, 100],
        ].map(([rel, sig, due]) => `${rel} sig${sig} due ${(S + due!) | 0}`);
        assert.deepEqual(got, want);
        assert.equal(t.armed, 1, 'only the periodic event stays armed');
        assert.equal(t.nextDelay(now(100)), 20);
        assert.equal(t.remaining(d, now(110)), 10);
        assert.equal(t.missed, 0);
      });
    }
  }

  for (const view of VIEWS) {
    it(`a late tick across 2^32 posts a periodic event once and counts the missed periods, now as ${view.name}`, function () {
      const s = new Sink();
      const t = new TimerTable({ capacity: 2 }, s);
      const S = P32 - 25;
      const now = (rel: number): number => view.of(S + rel);
      const p = t.create(0, 7);
      t.arm(p, now(0), 10, 10);
      assert.equal(t.tick(now(10)), 1);
      // Due at 20, 30, 40 and 50 (the wrap is at 25): one post (due 20), three skipped; next due 60.
      assert.equal(t.tick(now(57)), 1);
      assert.equal(t.missed, 3);
      assert.equal(t.remaining(p, now(57)), 3);
      assert.equal(t.tick(now(59)), 0);
      assert.equal(t.tick(now(60)), 1);
      assert.deepEqual(s.log, [7, (S + 10) | 0, 7, (S + 20) | 0, 7, (S + 60) | 0]);
    });
  }

  it('a delay of MAX_DELAY_MS (2^31 - 1) works next to an overdue event, across the wrap', function () {
    const s = new Sink();
    const t = new TimerTable({ capacity: 4 }, s);
    const t0 = P31 - 7;
    const a = t.create(0, 1);
    const b = t.create(0, 2);
    t.arm(a, t0, 5);
    // No tick until t0 + 10: `a` is 5 ms overdue when `b` is armed 2^31 - 1 ahead.
    t.arm(b, t0 + 10, MAX_DELAY_MS);
    assert.equal(t.nextDelay(t0 + 10), 0, 'the overdue event stays first');
    assert.equal(t.remaining(b, t0 + 10), MAX_DELAY_MS);
    assert.equal(t.tick(t0 + 10), 1);
    assert.deepEqual(s.log, [1, (t0 + 5) | 0]);
    assert.equal(t.nextDelay((t0 + 10) | 0), MAX_DELAY_MS);
    const due = t0 + 10 + MAX_DELAY_MS; // past 2^32
    assert.equal(t.tick((due - 1) | 0), 0);
    assert.equal(t.tick(due >>> 0), 1);
    assert.deepEqual(s.log, [1, (t0 + 5) | 0, 2, due | 0]);
    assert.equal(t.nextDelay(due), -1, 'none armed');
  });

  it('refuses a delay or period over MAX_DELAY_MS with TimerUsageError naming the limit and what to change', function () {
    const t = new TimerTable({ name: 'tw', capacity: 2 }, new Sink());
    const a = t.create(0, 1);
    assert.equal(MAX_DELAY_MS, 2 ** 31 - 1);
    const named = (e: unknown): boolean =>
      e instanceof TimerUsageError && /'tw'/.test(e.message) && /2147483647/.test(e.message) && /chain shorter time events/.test(e.message);
    assert.throws(() => t.arm(a, 0, 2 ** 31), named);
    assert.throws(() => t.arm(a, 0, 5, 2 ** 31), named);
    assert.throws(() => t.arm(a, 0, 2 ** 32), named);
    assert.throws(() => t.arm(a, 0, -1), named);
    assert.throws(() => t.arm(a, 0, NaN), named);
    assert.equal(t.isArmed(a), false, 'a refused arm changes nothing');
    assert.equal(t.arm(a, 0, MAX_DELAY_MS, MAX_DELAY_MS), MAX_DELAY_MS);
    assert.equal(t.arm(a, 10, 0.5), 11, 'a fraction of a ms is rounded up');
  });

  it('refuses a now that is not a finite number (a host whose now() returns undefined would stall every timer)', function () {
    const s = new Sink();
    const t = new TimerTable({ name: 'tw', capacity: 2 }, s);
    const a = t.create(0, 1);
    t.arm(a, 100, 5);
    const named = (op: string) => (e: unknown): boolean =>
      e instanceof TimerUsageError && new RegExp(`'tw': ${op}\\(\\) needs now as a finite number of ms`).test(e.message);
    for (const bad of [undefined, NaN, Infinity, -Infinity]) {
      assert.throws(() => t.arm(a, bad as unknown as number, 1), named('arm'));
      assert.throws(() => t.tick(bad as unknown as number), named('tick'));
    }
    // Nothing changed: still armed for 105, and tick() is not left marked as running.
    assert.equal(t.remaining(a, 100), 5);
    assert.equal(t.tick(104), 0);
    assert.equal(t.tick(105), 1);
    assert.deepEqual(s.log, [1, 105]);
  });

  it('a zero delay is due at now and expires on the next tick, also at the wrap point', function () {
    const s = new Sink();
    const t = new TimerTable({ capacity: 2 }, s);
    const a = t.create(0, 1);
    assert.equal(t.arm(a, P31, 0), -P31);
    assert.equal(t.remaining(a, P31), 0);
    assert.equal(t.tick(-P31), 1);
    assert.deepEqual(s.log, [1, -P31]);
  });

  it('arm + tick across 2^31 (double now) and 2^32 (signed int32 now) allocate nothing on XS (first call included)', function () {
    const s = new CountSink();
    const t = new TimerTable({ capacity: 8 }, s);
    const a = t.create(0, 1);
    const b = t.create(0, 2);
    const p = t.create(0, 3);
    let now = P31 - 5000;
    t.arm(p, now, 3, 3);
    assertNoAllocation(() => {
      t.arm(a, now, 1);
      t.arm(b, now, 2);
      now += 1;
      t.tick(now);
    }, 10000, 'timer arm+tick across 2^31, double now');
    let dev = P32 - 5000;
    t.arm(p, dev | 0, 3, 3);
    assertNoAllocation(() => {
      t.arm(a, dev | 0, 1);
      t.arm(b, dev | 0, 2);
      dev += 1;
      t.tick(dev | 0);
    }, 10000, 'timer arm+tick across 2^32, signed int32 now');
    assert.ok(s.n >= 20000 + 6000, `${s.n} posts`);
    assert.equal(t.missed, 0);
    assertCatchesAllocation(() => {
      t.arm(a, dev | 0, 1);
      dev += 1;
      t.tick(dev | 0);
    }, 100, 'timer arm+tick across 2^32');
  });
});

/** Records "rel sig p1" per dispatched event; `onEvent` may arm more time events. */
class Recorder implements Behaviour {
  readonly log: string[] = [];
  constructor(
    readonly sim: Simulator,
    readonly startMs: number,
    readonly onEvent: (sig: number) => void,
  ) {}
  start(): void {}
  dispatch(sig: number, _p0: number, p1: number): void {
    this.log.push(`${this.sim.now() - this.startMs} sig${sig} due ${p1}`);
    this.onEvent(sig);
  }
}

describe('kernel time events on the simulator across the clock wrap', function () {
  // The kernel's clock (host.now()) and what the tick source passes to tick().
  const clocks: readonly { name: string; host: (sim: Simulator) => KernelHost; tickable: (sim: Simulator, k: Kernel) => Tickable }[] = [
    { name: "the simulator's double clock", host: (sim) => sim, tickable: (_sim, k) => k },
    {
      name: 'a device-like signed int32 clock (sim.ticks())',
      host: (sim) => ({ now: () => sim.ticks() }),
      tickable: (sim, k) => ({ tick: () => k.tick(sim.ticks()) }),
    },
    {
      name: 'an unsigned 32-bit clock',
      host: (sim) => ({ now: () => sim.ticks() >>> 0 }),
      tickable: (sim, k) => ({ tick: () => k.tick(sim.ticks() >>> 0) }),
    },
  ];
  for (const base of [P31, P32]) {
    for (const clock of clocks) {
      it(`one-shot, periodic, equal deadlines and re-arms from actions across ${base === P31 ? '2^31' : '2^32'} ms, clock: ${clock.name}`, function () {
        const S = base - 50;
        const sim = new Simulator({ startMs: S });
        const k = new Kernel({ host: clock.host(sim), timers: 12 });
        const ids: number[] = [];
        let rec: Recorder | undefined;
        const ao = k.spawn(
          {
            create: (_port: AoPort) => {
              rec = new Recorder(sim, S, (sig) => {
                if (sig === 7) {
                  k.arm(ids[8]!, 25); // from an action, due after the wrap
                  k.arm(ids[9]!, 0); // zero delay: due now, expires on the next tick
                }
              });
              return rec;
            },
          },
          1,
          16,
        );
        for (let sig = 0; sig <= 9; sig++) ids.push(k.timeEvent(ao, sig));
        sim.attach(clock.tickable(sim, k), k);
        assert.equal(k.arm(ids[1]!, 30), (S + 30) | 0);
        k.arm(ids[2]!, 50);
        k.arm(ids[3]!, 70);
        k.arm(ids[4]!, 20, 20);
        k.arm(ids[6]!, 60); // equal deadline, armed before 5
        k.arm(ids[5]!, 60);
        k.arm(ids[7]!, 40);
        assert.equal(k.nextDelay(), 20);
        sim.runUntil(S + 100);
        const want = [
          [20, 4, 20], [30, 1, 30], [40, 7, 40], [40, 4, 40], [41, 9, 40], [50, 2, 50],
          [60, 6, 60], [60, 5, 60], [60, 4, 60], [65, 8, 65], [70, 3, 70], [80, 4, 80], [100, 4, 100],
        ].map(([rel, sig, due]) => `${rel} sig${sig} due ${(S + due!) | 0}`);
        assert.deepEqual(rec!.log, want);
        assert.equal(k.timers.armed, 1);
        assert.equal(k.nextDelay(), 20);
        assert.equal(k.timers.missed, 0);
        assert.equal(k.queueOf(ao).length, 0);
      });
    }
  }

  it('arm + tick + run through the kernel across 2^32 on a device-like clock allocate nothing on XS (first call included)', function () {
    const clock = new DeviceClock(P32 - 5000);
    const k = new Kernel({ host: clock });
    let n = 0;
    const ao = k.spawn({ create: () => ({ start(): void {}, dispatch(): void { n++; } }) }, 1, 4);
    const a = k.timeEvent(ao, 1);
    const p = k.timeEvent(ao, 2);
    k.arm(p, 2, 2);
    assertNoAllocation(() => {
      k.arm(a, 1);
      clock.t += 1;
      k.tick();
      k.run();
    }, 10000, 'kernel arm+tick+run across 2^32');
    assert.equal(n, 10000 + 5000);
    assertCatchesAllocation(() => {
      k.arm(a, 1);
      clock.t += 1;
      k.tick();
      k.run();
    }, 100, 'kernel arm+tick+run across 2^32');
  });
});

describe('simulator startMs', function () {
  it('starts the clock at startMs: first tick one period later, earlier scenario times refused, ticks() is the device view', function () {
    const S = P31 - 2;
    const sim = new Simulator({ startMs: S, tickPeriodMs: 1 });
    assert.equal(sim.now(), S);
    assert.equal(sim.nextStepMs(), S + 1);
    assert.equal(sim.ticks(), S);
    assert.throws(() => sim.inputs.edge(0, 1, S - 1), /before now/);
    const seen: number[] = [];
    sim.attach({ tick: (ms) => seen.push(ms, sim.ticks()) }, null);
    sim.runUntil(S + 3);
    assert.deepEqual(seen, [S + 1, S + 1, S + 2, -P31, S + 3, -P31 + 1]);
    const late = new Simulator({ startMs: P32 + 0.5 });
    assert.equal(late.ticks(), 0);
    assert.throws(() => new Simulator({ name: 'bad', startMs: -1 }), (e) => e instanceof SimConfigError && /'bad'/.test(e.message) && /startMs/.test(e.message));
    assert.throws(() => new Simulator({ startMs: NaN }), SimConfigError);
    assert.throws(() => new Simulator({ startMs: 2 ** 44 }), SimConfigError);
  });

  it('a run started near 2^32 replays into a simulator with the same startMs; another startMs is refused', function () {
    const S = P32 - 30;
    const make = (startMs: number): { sim: Simulator; k: Kernel; got: number[] } => {
      const sim = new Simulator({ startMs, seed: 9 });
      const k = new Kernel({ host: { now: () => sim.ticks() } });
      const got: number[] = [];
      const ao = k.spawn({ create: () => ({ start(): void {}, dispatch: (sig: number, _p0: number, p1: number): void => void got.push(sig, p1) }) }, 1, 8);
      const t = k.timeEvent(ao, 3);
      sim.inputs.onInterrupt((_pin, level) => {
        k.post(ao, 1, level);
        sim.outputs.write(0, level);
        k.arm(t, 20);
      });
      sim.attach({ tick: () => k.tick(sim.ticks()) }, k);
      return { sim, k, got };
    };
    const a = make(S);
    a.sim.inputs.setBounce(0, 4, 6);
    a.sim.inputs.press(0, S + 10, 15);
    a.sim.runUntil(S + 60);
    assert.ok(a.got.length >= 4);
    assert.equal(a.got[a.got.length - 2], 3, 'the debounce-like timer expired after the wrap');
    assert.ok(a.got[a.got.length - 1]! >= 0 && a.got[a.got.length - 1]! < 60);
    const b = make(S);
    b.sim.replay(a.sim.trace);
    assert.equal(b.sim.trace.firstDifference(a.sim.trace), -1);
    assert.deepEqual(b.got, a.got);
    const c = make(S + 1);
    assert.throws(() => c.sim.startReplay(a.sim.trace), (e) => e instanceof SimReplayError && /startMs/.test(e.message));
  });
});

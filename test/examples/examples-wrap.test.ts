// The examples across the millisecond clock's wrap: the kernel drops stale
// expiries by generation (zero-delay arms fire, stale expiries never arrive),
// and blinky + port-reset running their scripted scenario across
// 2^31 and 2^32 ms on the simulator (startMs) doing exactly what they do in
// an early cycle, shifted in time.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { bootSim, scheduleScenario, SCENARIO_MS, type SimFirmware } from '../../examples/sim.js';
import { REC_FIRST_OUTPUT, REC_LOG } from '../../hosts/sim/trace.js';
import { Kernel, type KernelHost } from '../../src/kernel.js';
import { timeEventCodes } from '../support/examples-support.js';

const P31 = 2 ** 31;
const P32 = 2 ** 32;

/** A device-like clock: `t` ms, read as a signed int32 like Moddable's Time.ticks. */
class DeviceClock implements KernelHost {
  constructor(public t: number) {}
  now(): number {
    return this.t | 0;
  }
}

describe('examples: stale expiries across the clock wrap (the kernel drops them)', function () {
  it('a zero-delay arm fires; an expiry queued before a re-arm (delay 2 or 0) is never dispatched (device-like clock at 2^31)', function () {
    const clock = new DeviceClock(P31 - 2);
    const k = new Kernel({ host: clock });
    const got: number[] = [];
    const ao = k.spawn({ create: () => ({ start(): void {}, dispatch: (_sig: number, _p0: number, p1: number): void => void got.push(p1) }) }, 1, 4);
    const t = k.timeEvent(ao, 1);
    // Zero delay: due now; the expiry (next tick) carries exactly the returned due time.
    let dueAt = k.arm(t, 0);
    clock.t += 1;
    k.tick();
    k.run();
    assert.deepEqual(got, [dueAt]);
    // Armed 2 ms ahead, across 2^31: it expires and is queued; before it is
    // dispatched the machine re-arms (delay 2): only the new arming's expiry arrives.
    got.length = 0;
    k.arm(t, 2);
    clock.t += 2; // now 2^31 + 1
    k.tick(); // the old arming's expiry is queued (due 2^31 + 1)
    dueAt = k.arm(t, 2);
    k.run();
    assert.deepEqual(got, []);
    assert.equal(k.staleExpiries, 1);
    clock.t += 2;
    k.tick();
    k.run();
    assert.deepEqual(got, [dueAt]);
    // Queued, then a zero-delay re-arm one ms later: the stale one is dropped, the new one fires.
    k.arm(t, 5);
    clock.t += 5;
    k.tick(); // queued
    clock.t += 1;
    dueAt = k.arm(t, 0);
    k.run();
    assert.equal(k.staleExpiries, 2);
    clock.t += 1;
    k.tick();
    k.run();
    assert.deepEqual(got, [got[0]!, dueAt]);
    // The same ms: queued, then a zero-delay re-arm with the same due time (the old hand-written guard's blind spot).
    k.arm(t, 0);
    k.tick(); // queued, due now
    dueAt = k.arm(t, 0); // same id, same due time, new generation
    clock.t += 1;
    k.tick();
    k.run();
    assert.equal(k.staleExpiries, 3);
    assert.deepEqual(got.slice(2), [dueAt]);
  });
});

/** One scenario cycle of blinky + port-reset on a simulator whose clock starts at `startMs` (the cycle's time 0). */
function runScenario(startMs: number): SimFirmware {
  const r = bootSim({ examples: ['blinky', 'port-reset'], seed: 5, sim: { startMs } });
  // scheduleScenario offsets the script by cycle * SCENARIO_MS: a cycle of startMs / SCENARIO_MS starts it at startMs.
  scheduleScenario(r.sim, r.fw, startMs / SCENARIO_MS);
  r.sim.runUntil(startMs + SCENARIO_MS);
  return r;
}

describe('examples: blinky and port-reset across the clock wrap', function () {
  this.timeout(120000);
  let ref: SimFirmware;
  before(function () {
    ref = runScenario(SCENARIO_MS);
  });
  // Where the wrap falls in the script: slow blinking and a power loss (1000),
  // the double-blink phases (2350), inside a reset pulse (2510), the last press (3310).
  for (const [label, base] of [['2^31', P31], ['2^32', P32]] as const) {
    for (const at of [1000, 2350, 2510, 3310]) {
      it(`the scenario with ${label} ms at ${at} ms into it: the same trace, states and counters as an early run, shifted`, function () {
        const startMs = base - at;
        const wrap = runScenario(startMs);
        const shiftUs = (startMs - SCENARIO_MS) * 1000;
        const a = ref.sim.trace;
        const b = wrap.sim.trace;
        assert.equal(a.lost + b.lost, 0);
        assert.equal(b.end(), a.end(), 'same number of trace records');
        const codes = timeEventCodes(ref);
        let outputs = 0;
        let timeEvents = 0;
        let afterWrap = 0;
        for (let i = 0; i < a.end(); i++) {
          const where = `record ${i} (${a.timeMs(i) - SCENARIO_MS} ms into the scenario)`;
          assert.equal(b.timeUs(i) - a.timeUs(i), shiftUs, where);
          assert.equal(b.kind(i), a.kind(i), where);
          assert.equal(b.a(i), a.a(i), where);
          assert.equal(b.b(i), a.b(i), where);
          if (a.kind(i) === REC_LOG && codes.has(a.a(i))) {
            // p1 is the due time modulo 2^32 as a signed int32: shifted by the same amount.
            assert.equal((b.c(i) - a.c(i)) | 0, (shiftUs / 1000) | 0, where);
            timeEvents++;
            if (b.timeUs(i) >= base * 1000) afterWrap++;
          } else assert.equal(b.c(i), a.c(i), where);
          if (a.kind(i) >= REC_FIRST_OUTPUT) outputs++;
        }
        assert.ok(timeEvents > 40 && outputs > 100, `${timeEvents} time events, ${outputs} outputs compared`);
        assert.ok(afterWrap > 0, 'time events expired after the wrap');
        assert.deepEqual(wrap.fw.states(), ref.fw.states());
        assert.deepEqual(wrap.fw.counters(), ref.fw.counters());
        const blinker = wrap.fw.blinky!.blinker.hsm.ctx;
        assert.ok(blinker.toggles > 20 && blinker.patterns === 3, `${blinker.toggles} toggles, ${blinker.patterns} patterns`);
        assert.ok(wrap.fw.portReset!.port.hsm.ctx.enables >= 2);
      });
    }
  }

  it('allocates nothing on XS: 4000 simulator steps of the scenario across 2^32 ms, the first included', function () {
    const startMs = P32 - 1000;
    const r = bootSim({ examples: ['blinky', 'port-reset'], seed: 7, sim: { startMs } });
    scheduleScenario(r.sim, r.fw, startMs / SCENARIO_MS);
    assertNoAllocation(() => r.sim.step(), 4000, 'blinky + port-reset, one simulator step across 2^32 ms');
    assert.ok(r.sim.now() > P32, `ran to ${r.sim.now()} ms`);
    assert.ok(r.fw.blinky!.blinker.hsm.ctx.toggles > 10);
    assertCatchesAllocation(() => r.sim.step(), 100, 'one simulator step across 2^32 ms');
  });
});

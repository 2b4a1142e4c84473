// The simulator's tickless idle (SimOptions.tickless): the tick source sleeps
// until the kernel's next time event or the next input, so a run covers days
// of virtual time in few steps. A tickless run of the examples' scenario
// produces exactly the outputs, states and counters of a ticking run; its
// trace replays; and the examples run for days across the 2^31 ms wrap with
// every scenario cycle's outputs equal to the first one's, shifted (the
// 40-day run is `npm run soak`: scripts/soak-days.mjs).
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { bootSim, scheduleScenario, SCENARIO_MS, type SimFirmware } from '../../examples/sim.js';
import { runDays } from '../soak/soak-days.js';
import { EXAMPLE_NAMES } from '../../examples/firmware.js';
import { Trace, type TraceJson } from '../../hosts/sim/trace.js';

function run(tickless: boolean, cycles: number, startMs = 0): SimFirmware {
  const r = bootSim({ examples: EXAMPLE_NAMES, seed: 4, sim: { tickless, startMs, traceCapacity: 1 << 17 } });
  for (let c = 0; c < cycles; c++) scheduleScenario(r.sim, r.fw, startMs / SCENARIO_MS + c);
  r.sim.runUntil(startMs + cycles * SCENARIO_MS);
  return r;
}

describe('simulator: tickless idle', function () {
  this.timeout(120000);

  it('the examples scenario: the same outputs, states and counters as a ticking run, in far fewer steps', function () {
    const a = run(false, 2);
    const b = run(true, 2);
    assert.equal(b.sim.trace.firstDifference(a.sim.trace, true), -1, 'same outputs, record for record');
    assert.deepEqual(b.fw.states(), a.fw.states());
    assert.deepEqual(b.fw.counters(), a.fw.counters());
    assert.ok(b.sim.steps * 2 < a.sim.steps, `${b.sim.steps} steps tickless vs ${a.sim.steps}`);
    assert.ok(b.sim.clock.merged > 1000, `${b.sim.clock.merged} grid points slept through`);
  });

  it('a tickless run replays from its trace', function () {
    const a = run(true, 1);
    const b = bootSim({ examples: EXAMPLE_NAMES, seed: 99, sim: { tickless: true, traceCapacity: 1 << 17 } });
    b.sim.replay(Trace.fromJSON(JSON.parse(JSON.stringify(a.sim.trace.toJSON())) as TraceJson));
    assert.equal(b.sim.trace.firstDifference(a.sim.trace), -1);
    assert.deepEqual(b.fw.counters(), a.fw.counters());
  });

  it('72 hours across the 2^31 ms wrap: every scenario cycle (one every 6 h, one straddling the wrap) shows the outputs of the first, shifted', function () {
    const hours = onXs ? 12 : 72;
    const r = runDays(2 ** 31 - (hours / 2) * 3600000, hours * 3600000, 6 * 3600000);
    assert.deepEqual(r.wraps, [2 ** 31]);
    assert.ok(r.cycles >= hours / 6, `${r.cycles} cycles`);
    assert.ok(r.outputsPerCycle > 100, `${r.outputsPerCycle} outputs per cycle`);
    assert.deepEqual(r.mismatches, []);
    assert.ok(r.steps < r.cycles * 6000, `${r.steps} steps for ${hours} h`);
  });
});

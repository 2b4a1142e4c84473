// examples/port-reset on the simulator: exact state and output traces for
// scripted request / power-good sequences (in time, retries then fault,
// recovery, power lost, requests while resetting), the counters, and zero
// allocation of every simulator step after boot on XS.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation, onXs } from '../support/alloc.js';
import { bootPortReset, SIG_POWER_GOOD, SIG_REQUEST } from '../../examples/port-reset.js';
import { scheduleScenario } from '../../examples/sim.js';
import { Kernel } from '../../src/kernel.js';
import { ExampleConfigError } from '../../examples/io.js';
import { boot, eventTimes, outputLog, PORT, stateLog, timerSignals } from '../support/examples-support.js';

const REQ = 1;
const PG = 2;
const RESET = 1;
const ENABLE = 2;
const FAULT = 3;

function request(r: ReturnType<typeof boot>, atMs: number): void {
  r.sim.inputs.edge(REQ, 1, atMs);
  r.sim.inputs.edge(REQ, 0, atMs + 10);
}

describe('examples/port-reset', function () {
  it('power good in time: idle -> asserting (20 ms reset pulse) -> waiting -> enabled', function () {
    const r = boot(['port-reset']);
    request(r, 100);
    r.sim.inputs.edge(PG, 1, 150);
    r.sim.runUntil(400);
    assert.deepEqual(stateLog(r, PORT), ['0 idle', '100 asserting', '120 waiting', '150 enabled']);
    assert.deepEqual(outputLog(r, RESET), ['100 1', '120 0']);
    assert.deepEqual(outputLog(r, ENABLE), ['150 1']);
    assert.deepEqual(outputLog(r, FAULT), []);
    const c = r.fw.portReset!.port.hsm.ctx;
    assert.deepEqual([c.cycles, c.attempts, c.retries, c.timeouts, c.enables, c.faults], [1, 1, 0, 0, 1, 0]);
    // The falling edge of the request line is not an event; the timer fired once (the pulse).
    assert.deepEqual(eventTimes(r, PORT, SIG_REQUEST), [100]);
    assert.deepEqual(eventTimes(r, PORT, timerSignals(r.fw.portReset!.port.hsm.definition)), [120]);
    assert.deepEqual(eventTimes(r, PORT, SIG_POWER_GOOD), [150]);
  });

  it('no power good: 1 + maxRetries attempts (pulse 20 ms + timeout 100 ms each), then fault; a request from fault recovers', function () {
    const r = boot(['port-reset']);
    request(r, 100);
    request(r, 600);
    r.sim.inputs.edge(PG, 1, 630);
    r.sim.runUntil(800);
    assert.deepEqual(stateLog(r, PORT), [
      '0 idle',
      '100 asserting',
      '120 waiting',
      '220 asserting', // timeout 1: retry (resetting is exited and re-entered)
      '240 waiting',
      '340 asserting', // timeout 2: retry
      '360 waiting',
      '460 fault', // timeout 3: attempts (3) > maxRetries (2)
      '600 asserting',
      '620 waiting',
      '630 enabled',
    ]);
    assert.deepEqual(outputLog(r, RESET), ['100 1', '120 0', '220 1', '240 0', '340 1', '360 0', '600 1', '620 0']);
    assert.deepEqual(outputLog(r, FAULT), ['460 1', '600 0']);
    assert.deepEqual(outputLog(r, ENABLE), ['630 1']);
    const c = r.fw.portReset!.port.hsm.ctx;
    assert.deepEqual([c.cycles, c.attempts, c.retries, c.timeouts, c.enables, c.faults], [2, 1, 2, 3, 1, 1]);
    assert.deepEqual(eventTimes(r, PORT, timerSignals(r.fw.portReset!.port.hsm.definition)), [120, 220, 240, 340, 360, 460, 620]);
  });

  it('power good in the same ms as the timeout: enabled; the queued timeout is dropped by the kernel, never dispatched', function () {
    const r = boot(['port-reset']);
    request(r, 100);
    r.sim.inputs.edge(PG, 1, 220); // the edge is delivered before the tick that expires the timeout
    r.sim.runUntil(400);
    assert.deepEqual(stateLog(r, PORT), ['0 idle', '100 asserting', '120 waiting', '220 enabled']);
    const c = r.fw.portReset!.port.hsm.ctx;
    assert.deepEqual([c.timeouts, c.retries, c.enables], [0, 0, 1]);
    assert.equal(r.fw.kernel.staleExpiries, 1);
    assert.equal(r.fw.portReset!.port.hsm.ignored, 0, 'the machine never saw it');
    assert.deepEqual(eventTimes(r, PORT, timerSignals(r.fw.portReset!.port.hsm.definition)), [120]);
  });

  it('power good on a retry: enabled after the second attempt', function () {
    const r = boot(['port-reset']);
    request(r, 100);
    r.sim.inputs.edge(PG, 1, 260);
    r.sim.runUntil(500);
    assert.deepEqual(stateLog(r, PORT), ['0 idle', '100 asserting', '120 waiting', '220 asserting', '240 waiting', '260 enabled']);
    const c = r.fw.portReset!.port.hsm.ctx;
    assert.deepEqual([c.attempts, c.retries, c.timeouts], [2, 1, 1]);
  });

  it('ignores requests and power good while resetting (counted); power lost in enabled starts a new cycle', function () {
    const r = boot(['port-reset']);
    request(r, 100);
    request(r, 112); // while asserting: ignored
    r.sim.inputs.edge(PG, 1, 110); // while asserting: ignored (only waiting listens)
    r.sim.inputs.edge(PG, 0, 115);
    r.sim.inputs.edge(PG, 1, 130); // waiting: enabled
    r.sim.inputs.edge(PG, 0, 300); // power lost
    r.sim.inputs.edge(PG, 1, 330);
    r.sim.runUntil(500);
    assert.deepEqual(stateLog(r, PORT), ['0 idle', '100 asserting', '120 waiting', '130 enabled', '300 asserting', '320 waiting', '330 enabled']);
    const hsm = r.fw.portReset!.port.hsm;
    assert.equal(hsm.ignored, 3);
    assert.deepEqual([hsm.ctx.cycles, hsm.ctx.powerLost, hsm.ctx.enables], [2, 1, 2]);
    assert.deepEqual(outputLog(r, ENABLE), ['130 1', '300 0', '330 1']);
  });

  it('the scripted scenario of npm start: exact state trace', function () {
    const r = boot(['port-reset']);
    scheduleScenario(r.sim, r.fw, 0);
    r.sim.runUntil(4000);
    assert.deepEqual(stateLog(r, PORT), [
      '0 idle',
      '100 asserting',
      '120 waiting',
      '150 enabled',
      '1000 asserting', // power lost
      '1020 waiting',
      '1060 enabled',
      '1500 asserting', // request; power good never returns
      '1520 waiting',
      '1620 asserting',
      '1640 waiting',
      '1740 asserting',
      '1760 waiting',
      '1860 fault',
      '2500 asserting',
      '2520 waiting',
      '2540 enabled',
    ]);
    const c = r.fw.portReset!.port.hsm.ctx;
    assert.deepEqual([c.cycles, c.enables, c.retries, c.timeouts, c.faults, c.powerLost], [4, 3, 2, 3, 1, 1]);
    assert.equal(r.fw.portReset!.port.hsm.ignored, 1); // PG falling while asserting at 1505
  });

  it('allocates nothing after boot: 4000 simulator steps of the scenario on XS, the first included', function () {
    const r = boot(['port-reset']);
    scheduleScenario(r.sim, r.fw, 0);
    const a = assertNoAllocation(() => r.sim.step(), 4000, 'port-reset firmware, one simulator step');
    assert.ok(r.sim.now() > 3900, `ran to ${r.sim.now()} ms`);
    assert.equal(r.fw.portReset!.port.hsm.ctx.faults, 1);
    assert.equal(r.fw.portReset!.port.hsm.ctx.enables, 3);
    if (onXs) assert.ok(a!.steps > 0);
  });

  it('configuration: misuse does not compile, and bad values throw ExampleConfigError naming the option', function () {
    const io = { now: () => 0, write: () => {}, tx: () => true, logState: () => {}, logEvent: () => {} };
    // @ts-expect-error pulseMs is a number of ms
    assert.throws(() => bootPortReset(new Kernel(), io, { pulseMs: '20' }), ExampleConfigError);
    assert.throws(() => bootPortReset(new Kernel(), io, { maxRetries: -1 }), /Example 'port-reset': option maxRetries must be an integer in 0\.\.1000, got -1/);
    // @ts-expect-error an ExampleIo needs tx and logEvent
    const p = bootPortReset(new Kernel(), { now: () => 0, write: () => {}, logState: () => {} }, { priority: 2 });
    assert.equal(p.port.hsm.currentName, 'idle');
  });
});

// The example firmware under injected faults, and replay:
// - a storm (or burst) of 10x the queue capacity into each example's queue
//   gives counted refusals, no crash, and the machine handles a later normal
//   event;
// - a run (all examples, the npm start scenario with faults) replayed from its
//   JSON trace into a fresh simulator and firmware reaches the same final
//   state: machine states, counters, trace record for record, UART output;
// - the whole faulty run allocates nothing per simulator step on XS.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { EXAMPLE_NAMES, type ExampleName } from '../../examples/firmware.js';
import { scheduleScenario } from '../../examples/sim.js';
import { SIG_RX_READY } from '../../examples/uart-lines.js';
import { Trace } from '../../hosts/sim/trace.js';
import { BLINKER, boot, PORT, stateLog } from '../support/examples-support.js';

describe('examples under fault injection', function () {
  it('blinky: a storm of 10x the queue capacity on the button is refused and counted; the next press is handled', function () {
    const r = boot(['blinky']);
    const cap = r.fw.queueCapacity;
    r.sim.inputs.press(0, 300, 100);
    r.sim.faults.storm(0, 10 * cap, 1000, 0.5); // 80 edges between two ticks
    r.sim.inputs.press(0, 1500, 100);
    r.sim.runUntil(2000);
    const q = r.fw.kernel.queueOf(r.fw.blinky!.debouncer.ao);
    assert.equal(q.refused, 10 * cap - cap, 'the queue took `capacity` edges and refused the rest');
    assert.equal(r.fw.blinky!.refusedEdges, q.refused);
    assert.equal(q.minFree, 0);
    // The storm's accepted edges end at the level they started from: no press. The later press is one.
    assert.deepEqual(stateLog(r, BLINKER), ['0 off', '320 slow', '1520 fast']);
    assert.equal(r.fw.blinky!.debouncer.hsm.ctx.presses, 2);
    assert.equal(q.length, 0);
  });

  it('port-reset: a storm on power good while enabled is refused and counted; a later request is handled', function () {
    const r = boot(['port-reset']);
    const cap = r.fw.queueCapacity;
    r.sim.inputs.edge(1, 1, 100);
    r.sim.inputs.edge(1, 0, 110);
    r.sim.inputs.edge(2, 1, 150);
    r.sim.faults.storm(2, 10 * cap, 1000, 0.5);
    r.sim.inputs.edge(2, 0, 1990);
    r.sim.inputs.edge(1, 1, 2000);
    r.sim.inputs.edge(2, 1, 2030);
    r.sim.runUntil(2500);
    const q = r.fw.kernel.queueOf(r.fw.portReset!.port.ao);
    assert.equal(q.refused, 9 * cap);
    assert.equal(r.fw.portReset!.refusedEdges, q.refused);
    const log = stateLog(r, PORT);
    // The first accepted storm edge is PG = 0 in enabled: power lost, a reset cycle that ends in fault
    // (the pin settles high, so no rising edge ends it); then the normal request brings the port up.
    assert.deepEqual(log.slice(0, 4), ['0 idle', '100 asserting', '120 waiting', '150 enabled']);
    assert.equal(log[4], '1001 asserting');
    assert.ok(log.includes('1361 fault'), log.join(', '));
    assert.deepEqual(log.slice(-3), ['2000 asserting', '2020 waiting', '2030 enabled']);
    assert.equal(r.fw.portReset!.port.hsm.ctx.powerLost, 1);
  });

  it('uart-lines: a burst of 10x the queue capacity into the parser is refused and counted; the next line is answered', function () {
    const r = boot(['uart-lines']);
    const cap = r.fw.queueCapacity;
    r.sim.uart.inject(10, 'PING\n');
    r.sim.faults.burst(0, SIG_RX_READY, 10 * cap, 100);
    r.sim.uart.inject(200, 'GET\n');
    r.sim.runUntil(300);
    const q = r.fw.kernel.queueOf(r.fw.uart!.parserAo);
    assert.equal(q.refused, 9 * cap);
    assert.equal(r.sim.uart.txText(), 'PONG\n0\n');
    assert.equal(r.fw.uart!.pool.free, r.fw.uart!.pool.capacity);
  });

  it('all examples with the npm start faults: drops counted in every stormed queue, and each machine responds after', function () {
    const r = boot(EXAMPLE_NAMES);
    scheduleScenario(r.sim, r.fw, 0, true);
    r.sim.runUntil(4000);
    const k = r.fw.kernel;
    assert.ok(k.queueOf(r.fw.blinky!.debouncer.ao).refused > 0);
    assert.ok(k.queueOf(r.fw.portReset!.port.ao).refused > 0);
    assert.ok(k.queueOf(r.fw.uart!.parserAo).refused > 0);
    const c = r.fw.counters();
    assert.equal(c['parser.txDropped'], 1, 'the PING during the pool hold lost its reply');
    assert.ok(r.sim.uart.txText().endsWith('ERR CMD\nOK\n65535\n65535\n'), 'GET after the faults is answered');
    // The press at 3800 (after the 3300 press turned the blinker off) starts the slow pattern again.
    assert.equal(stateLog(r, BLINKER, 3800).map((l) => l.split(' ')[1]).join(), 'slow');
    // The port, stormed into fault at 3520, comes up again on the request at 3850.
    const port = stateLog(r, PORT, 3800).map((l) => l.split(' ')[1]);
    assert.equal(port[port.length - 1], 'enabled', `port states after 3800: ${port.join()}`);
    assert.equal(r.sim.trace.count(6 /* REC_TICK_DELAY */), 1);
  });

  for (const examples of [['port-reset'], ['blinky'], ['uart-lines'], EXAMPLE_NAMES] as (readonly ExampleName[])[]) {
    it(`replay (${examples.join(', ')}): the run replayed from its JSON trace reaches the same states, counters and trace`, function () {
      const a = boot(examples, 11);
      scheduleScenario(a.sim, a.fw, 0, true);
      a.sim.runUntil(4000);
      assert.equal(a.sim.trace.complete, true);
      const json = JSON.parse(JSON.stringify(a.sim.trace.toJSON()));
      const b = boot(examples, 999); // any seed: every random input comes from the trace
      b.sim.replay(Trace.fromJSON(json));
      assert.equal(b.sim.now(), 4000);
      assert.equal(b.sim.trace.firstDifference(a.sim.trace), -1);
      assert.equal(b.sim.trace.end(), a.sim.trace.end());
      assert.equal(b.sim.steps, a.sim.steps, 'the same steps (boot-time outputs are no step)');
      assert.deepEqual(b.fw.states(), a.fw.states());
      assert.deepEqual(b.fw.counters(), a.fw.counters());
      assert.deepEqual(b.fw.queues(), a.fw.queues());
      assert.equal(b.sim.uart.txText(), a.sim.uart.txText());
      for (let o = 0; o < 4; o++) assert.deepEqual(b.sim.outputs.waveform(o), a.sim.outputs.waveform(o));
      assert.ok(a.fw.kernel.dispatchedTotal > 20);
    });
  }

  it('allocates nothing after boot: all examples with faults (storms, burst, pool hold, late tick), 4100 steps on XS, the first included', function () {
    const r = boot(EXAMPLE_NAMES, 3);
    scheduleScenario(r.sim, r.fw, 0, true);
    assertNoAllocation(() => r.sim.step(), 4100, 'all examples with faults, one simulator step');
    assert.ok(r.sim.now() > 3800, `ran to ${r.sim.now()} ms`);
    assert.ok(r.fw.kernel.queueOf(r.fw.blinky!.debouncer.ao).refused > 0);
    assert.equal(r.fw.counters()['parser.txDropped'], 1);
  });
});

// Trace recording and replay: a run replayed from its (JSON round-tripped)
// trace into a fresh simulator and a fresh firmware reaches the same final
// state and produces the same trace; replay refuses traces it cannot
// reproduce; the pretty-printer's lines; ring traces.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { Simulator, type SimOptions } from '../../hosts/sim/simulator.js';
import { SimReplayError, SimUsageError } from '../../hosts/sim/errors.js';
import { TracePrinter, formatRecord } from '../../hosts/sim/printer.js';
import { REC_EDGE, REC_OUT, REC_STATE, REC_TICK, REC_TX, Trace, type TraceJson } from '../../hosts/sim/trace.js';
import { SIG_BURST, StandIn, StandInPool } from '../support/sim-standin.js';

interface Rig {
  sim: Simulator;
  fw: StandIn;
  pool: StandInPool;
}

/** The same wiring for the recording and the replaying run. */
function rig(options: SimOptions, maxBurst = 1000): Rig {
  const sim = new Simulator({ inputs: 2, outputs: 1, schedulerCapacity: 512, ...options });
  const fw = new StandIn(sim, 16, maxBurst).boot();
  const pool = new StandInPool(8);
  sim.faults.addTarget(fw);
  sim.faults.addPool(pool);
  return { sim, fw, pool };
}

function scenario(r: Rig): void {
  const { sim } = r;
  sim.inputs.setBounce(0, 4, 6);
  for (let t = 30; t < 900; t += 170) sim.inputs.press(0, t, 40);
  sim.uart.inject(15, 'HELLO\n');
  sim.uart.inject(400, 'A VERY LONG LINE INDEED\nOK\n');
  sim.faults.storm(1, 64, 200, 3);
  sim.faults.burst(0, SIG_BURST, 40, 250);
  sim.faults.delayTick(300, 4);
  sim.faults.holdPool(0, 5, 350, 120);
}

function roundTrip(t: Trace): Trace {
  return Trace.fromJSON(JSON.parse(JSON.stringify(t.toJSON())) as TraceJson);
}

function expectSameFinalState(a: Rig, b: Rig): void {
  assert.deepEqual(b.fw.state(), a.fw.state());
  assert.equal(b.sim.now(), a.sim.now());
  assert.equal(b.sim.trace.firstDifference(a.sim.trace), -1, 'same trace, record for record');
  assert.equal(b.sim.trace.firstDifference(a.sim.trace, true), -1, 'same outputs');
  assert.deepEqual(b.sim.outputs.waveform(0), a.sim.outputs.waveform(0));
  assert.equal(b.sim.uart.txText(), a.sim.uart.txText());
  assert.equal(b.pool.free, a.pool.free);
  assert.equal(b.sim.steps, a.sim.steps);
  assert.equal(b.sim.dispatched, a.sim.dispatched);
  assert.equal(b.sim.inputs.interrupts, a.sim.inputs.interrupts);
  assert.equal(b.sim.uart.overruns, a.sim.uart.overruns);
}

describe('sim trace: record and replay', function () {
  for (const runOn of ['tick', 'step'] as const) {
    it(`a run replayed from its JSON trace reaches the same final state (runOn '${runOn}')`, function () {
      const a = rig({ seed: 11, runOn }, 3);
      scenario(a);
      a.sim.runUntil(1000);
      assert.ok(a.sim.trace.complete);
      // The recorded run did exercise every input kind.
      assert.ok(a.fw.dropped > 0 && a.fw.lines === 2 && a.fw.badLines === 1 && a.sim.faults.blocksClaimed === 5);
      const b = rig({ seed: 999, runOn }, 3); // another seed: replay must not draw from the PRNG
      const steps = b.sim.replay(roundTrip(a.sim.trace));
      assert.equal(steps, a.sim.steps);
      assert.equal(b.sim.prng.draws, 0);
      expectSameFinalState(a, b);
    });
  }

  it('a replay detects a firmware that behaves differently (the comparison is not vacuous)', function () {
    const a = rig({ seed: 11 });
    scenario(a);
    a.sim.runUntil(1000);
    const b = rig({});
    b.sim.uart.onReadable(null); // this firmware never hears about UART bytes
    b.sim.replay(roundTrip(a.sim.trace));
    assert.notEqual(b.sim.trace.firstDifference(a.sim.trace, true), -1);
    assert.notEqual(b.fw.hash, a.fw.hash);
  });

  it('a step that records nothing (an edge to the level the pin already has) is replayed as a step', function () {
    // fast-check's counterexample: overlapping presses make an edge that changes nothing.
    const a = rig({ seed: 0 }, 1);
    a.sim.inputs.setBounce(0, 3, 4);
    a.sim.inputs.press(0, 154, 7);
    a.sim.inputs.press(0, 147, 7);
    a.sim.faults.storm(1, 1, 100, 2);
    a.sim.faults.burst(0, SIG_BURST, 1, 150);
    a.sim.faults.delayTick(160, 7);
    a.sim.faults.holdPool(0, 3, 170, 20);
    a.sim.runUntil(300);
    assert.ok(a.sim.inputs.ignored > 0, 'the scenario has an ignored edge');
    const b = rig({}, 1);
    assert.equal(b.sim.replay(roundTrip(a.sim.trace)), a.sim.steps);
    expectSameFinalState(a, b);
  });

  it('property: random scenarios replay to the same state', function () {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 }),
          presses: fc.array(fc.integer({ min: 1, max: 280 }), { maxLength: 6 }),
          bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }),
          storm: fc.integer({ min: 1, max: 60 }),
          burst: fc.integer({ min: 1, max: 40 }),
          delay: fc.integer({ min: 1, max: 9 }),
          runOn: fc.constantFrom('tick' as const, 'step' as const),
          maxBurst: fc.integer({ min: 1, max: 20 }),
        }),
        (s) => {
          const a = rig({ seed: s.seed, runOn: s.runOn }, s.maxBurst);
          a.sim.inputs.setBounce(0, 3, 4);
          for (const t of s.presses) a.sim.inputs.press(0, t, 7);
          a.sim.uart.inject(5, s.bytes);
          a.sim.faults.storm(1, s.storm, 100, 2);
          a.sim.faults.burst(0, SIG_BURST, s.burst, 150);
          a.sim.faults.delayTick(160, s.delay);
          a.sim.faults.holdPool(0, 3, 170, 20);
          a.sim.runUntil(300);
          const b = rig({ runOn: s.runOn }, s.maxBurst);
          b.sim.replay(roundTrip(a.sim.trace));
          expectSameFinalState(a, b);
        },
      ),
      { numRuns: onXs ? 8 : 60 },
    );
  });

  it('refuses what it cannot replay, with named errors', function () {
    const a = rig({ traceCapacity: 50 });
    a.sim.runUntil(100); // 100 ticks and the blink at 100 ms into 50 records: 51 lost
    assert.equal(a.sim.trace.lost, 51);
    assert.throws(() => rig({}).sim.startReplay(a.sim.trace), SimReplayError);
    assert.throws(() => rig({}).sim.startReplay(a.sim.trace), /lost 51 records/);

    const good = rig({});
    good.sim.inputs.edge(1, 1, 2);
    good.sim.runUntil(5);
    const used = rig({});
    used.sim.runUntil(1);
    assert.throws(() => used.sim.startReplay(good.sim.trace), SimUsageError);
    const fewerPins = new Simulator({ inputs: 1 });
    assert.throws(() => fewerPins.startReplay(good.sim.trace), /names input pin 1, which this simulator lacks/);
    const otherRunOn = rig({ runOn: 'step' });
    assert.throws(() => otherRunOn.sim.startReplay(good.sim.trace), /runOn 'tick'/);
    assert.throws(() => Trace.fromJSON({ format: 'nope' } as unknown as TraceJson), SimReplayError);

    const r = rig({});
    r.sim.startReplay(good.sim.trace);
    assert.throws(() => r.sim.inputs.edge(0, 1, 3), /while replaying a trace/);
    r.sim.runUntil(5);
    assert.equal(r.sim.trace.firstDifference(good.sim.trace), -1);
  });

  it('exports a plain JSON structure', function () {
    const sim = new Simulator({ seed: 3, tickPeriodMs: 5 });
    sim.inputs.edge(0, 1, 2);
    sim.runUntil(5);
    assert.deepEqual(sim.trace.toJSON(), {
      format: 'keel-sim-trace',
      version: 1,
      start: 0,
      lost: 0,
      seed: 3,
      tickPeriodUs: 5000,
      endUs: 5000,
      startUs: 0,
      runOn: 'tick',
      records: [
        [2000, REC_EDGE, 0, 1, 0],
        [5000, REC_TICK, 1, 0, 0],
      ],
    });
  });
});

describe('sim trace: modes and printing', function () {
  it('a ring trace keeps the newest records and counts the overwritten ones', function () {
    const t = new Trace(4, 'ring');
    for (let i = 0; i < 10; i++) t.record(i * 1000, REC_TICK, i, 0, 0);
    assert.equal(t.start(), 6);
    assert.equal(t.end(), 10);
    assert.equal(t.length, 4);
    assert.equal(t.lost, 6);
    assert.equal(t.complete, false);
    assert.deepEqual([t.a(6), t.a(9)], [6, 9]);
    const lin = new Trace(4);
    for (let i = 0; i < 10; i++) lin.record(i, REC_TICK, i, 0, 0);
    assert.deepEqual([lin.start(), lin.end(), lin.lost, lin.a(3)], [0, 4, 6, 3]);
  });

  it('prints a readable live trace with names, hiding ticks and merging UART bytes', function () {
    const sim = new Simulator({ inputs: 1, outputs: 1, seed: 2 });
    const fw = new StandIn(sim, 4).boot();
    const pool = new StandInPool(2);
    sim.faults.addTarget(fw);
    sim.faults.addPool(pool);
    sim.inputs.edge(0, 1, 50.25);
    sim.uart.inject(60, 'HI\n');
    sim.faults.burst(0, SIG_BURST, 6, 70);
    sim.faults.holdPool(0, 3, 80, 5);
    sim.faults.storm(0, 2, 90, 1);
    sim.faults.delayTick(95, 0.5);
    sim.log(1, 7, 8);
    const names = {
      pins: ['button'],
      outputs: ['led'],
      uarts: ['console'],
      signals: ['', 'EDGE', 'RX', 'BLINK', 'BURST'],
      targets: ['app'],
      pools: ['buffers'],
      machines: ['blinker'],
      machineStates: [['Slow', 'Fast']],
      logs: ['boot', 'hello'],
    };
    const printer = new TracePrinter(sim.trace, names);
    const lines: string[] = [];
    printer.drain((l) => lines.push(l));
    assert.deepEqual(lines, ['     0.000 ms  log    hello 7 8']);
    sim.runUntil(100);
    printer.drain((l) => lines.push(l));
    assert.equal(lines.length > 10, true);
    const text = lines.join('\n');
    for (const expected of [
      '    50.250 ms  irq    button = 1',
      '    51.000 ms  state  blinker -> Fast',
      '    60.000 ms  rx     console "HI\\n" (3 bytes, to 60.174 ms)',
      '    61.000 ms  tx     console "2\\n" (2 bytes, to 61.000 ms)',
      '    70.000 ms  FAULT  burst: 6 x BURST -> app',
      '    70.000 ms  result burst -> app: 4 accepted, 2 refused',
      '    80.000 ms  FAULT  pool hold: buffers, 2 of 3 blocks claimed',
      '    85.000 ms  FAULT  pool release: buffers, hold #0, 2 blocks',
      '    90.000 ms  FAULT  storm: button, 2 edges in 1.000 ms',
      '   100.000 ms  out    led = 1',
    ])
      assert.ok(text.includes(expected), `missing line: ${expected}\n--- got:\n${text}`);
    assert.ok(/    95\.000 ms  FAULT  tick delay: next tick 0\.\d{3} ms late/.test(text));
    assert.ok(/ms  irq    button = [01] \(storm\)/.test(text));
    assert.ok(!/ms  tick /.test(text), 'ticks hidden by default');
    assert.equal(pool.free, 2);
    // A tick line when asked for, and formatRecord for one record.
    const withTicks = new TracePrinter(sim.trace, names, { ticks: true });
    const all: string[] = [];
    withTicks.drain((l) => all.push(l));
    assert.ok(all.includes('     1.000 ms  tick   #1'));
    let firstOut = -1;
    for (let i = 0; i < sim.trace.end(); i++) if (sim.trace.kind(i) === REC_OUT) firstOut = firstOut < 0 ? i : firstOut;
    assert.equal(formatRecord(sim.trace, firstOut, names), '   100.000 ms  out    led = 1');
    assert.equal(sim.trace.count(REC_STATE), 2, 'the press, then the storm\'s second (rising) edge');
    assert.equal(sim.trace.count(REC_TX), 2);
  });

  it('a printer behind a ring trace says how many records it skipped', function () {
    const sim = new Simulator({ traceCapacity: 8, traceMode: 'ring' });
    const printer = new TracePrinter(sim.trace, {}, { ticks: true });
    sim.runUntil(20);
    const lines: string[] = [];
    printer.drain((l) => lines.push(l));
    assert.equal(lines[0], '           ...  12 records overwritten before they were printed (ring trace)');
    assert.equal(lines.length, 9);
    assert.equal(lines[8], '    20.000 ms  tick   #20');
    assert.equal(printer.skipped, 12);
  });
});

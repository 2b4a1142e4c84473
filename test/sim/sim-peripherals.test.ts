// Simulated peripherals: digital inputs with seeded contact bounce, output
// waveforms (blink-pattern measurements), and the UART's RX ring and TX log.
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import { Simulator } from '../../hosts/sim/simulator.js';
import { NO_BYTE } from '../../hosts/sim/uart.js';
import { CAUSE_BOUNCE, CAUSE_SCENARIO, REC_EDGE, REC_OUT, REC_RX, REC_TX, type Trace } from '../../hosts/sim/trace.js';
import { StandIn } from '../support/sim-standin.js';

/** [timeUs, level, cause] of every edge record. */
function edges(t: Trace): number[][] {
  const out: number[][] = [];
  for (let i = t.start(); i < t.end(); i++) if (t.kind(i) === REC_EDGE) out.push([t.timeUs(i), t.b(i), t.c(i)]);
  return out;
}

function bounceRun(seed: number): { sim: Simulator; irqs: number[][] } {
  const sim = new Simulator({ seed, inputs: 1 });
  const irqs: number[][] = [];
  sim.inputs.onInterrupt((pin, v, t) => irqs.push([pin, v, t]));
  sim.inputs.setBounce(0, 5, 6);
  for (let i = 0; i < 20; i++) sim.inputs.press(0, 10 + i * 50, 20);
  sim.runUntil(1100);
  return { sim, irqs };
}

describe('sim digital inputs: edges and bounce', function () {
  it('a scenario edge raises one interrupt with (pin, level, timeMs); an edge to the same level raises none', function () {
    const sim = new Simulator({ inputs: 2 });
    const irqs: number[][] = [];
    sim.inputs.onInterrupt((pin, v, t) => irqs.push([pin, v, t]));
    sim.inputs.edge(1, 1, 3.25);
    sim.inputs.edge(1, 1, 4);
    sim.inputs.press(0, 5, 2);
    sim.runUntil(10);
    assert.deepEqual(irqs, [
      [1, 1, 3.25],
      [0, 1, 5],
      [0, 0, 7],
    ]);
    assert.equal(sim.inputs.ignored, 1);
    assert.equal(sim.inputs.interrupts, 3);
    assert.equal(sim.inputs.read(1), 1);
    assert.equal(sim.inputs.read(0), 0);
  });

  it('bounce adds an even, seeded number of extra toggles inside the window after each edge, ending at the scenario level', function () {
    const { sim, irqs } = bounceRun(1234);
    const e = edges(sim.trace);
    assert.equal(e.length, irqs.length);
    assert.equal(e.length, 40 + sim.inputs.bounceToggles);
    assert.ok(sim.inputs.bounceToggles > 0, 'some bounce was drawn');
    // Walk the edges: each scenario edge is followed by k bounce toggles, k even, k <= 6, within (t, t + 5 ms].
    let i = 0;
    let presses = 0;
    while (i < e.length) {
      const [t0, level, cause] = e[i]!;
      assert.equal(cause, CAUSE_SCENARIO);
      let k = 0;
      let prev = t0!;
      let lv = level!;
      i++;
      while (i < e.length && e[i]![2] === CAUSE_BOUNCE) {
        const [t, l] = e[i]!;
        assert.ok(t! > prev, 'toggle times strictly increase');
        assert.ok(t! <= t0! + 5000, `toggle at ${t} is inside the 5 ms window after ${t0}`);
        assert.equal(l, lv ^ 1);
        lv = l!;
        prev = t!;
        k++;
        i++;
      }
      assert.equal(k % 2, 0, 'an even number of extra toggles');
      assert.ok(k <= 6);
      assert.equal(lv, level, 'the pin rests at the scenario level');
      presses++;
    }
    assert.equal(presses, 40);
    assert.equal(sim.inputs.read(0), 0);
  });

  it('same seed gives the same edges; a different seed gives different ones', function () {
    const a = bounceRun(1234);
    const b = bounceRun(1234);
    const c = bounceRun(4321);
    assert.deepEqual(a.irqs, b.irqs);
    assert.equal(a.sim.prng.draws, b.sim.prng.draws);
    assert.notEqual(JSON.stringify(a.irqs), JSON.stringify(c.irqs));
  });

  it('setBounce(pin, w, 0) turns bounce off', function () {
    const sim = new Simulator({ inputs: 1 });
    sim.inputs.setBounce(0, 5, 0);
    sim.inputs.press(0, 1, 10);
    sim.runUntil(20);
    assert.equal(sim.inputs.interrupts, 2);
    assert.equal(sim.prng.draws, 0);
  });
});

describe('sim digital outputs: waveforms', function () {
  it('records each level change with its time; redundant writes are counted, not recorded', function () {
    const sim = new Simulator({ outputs: 2 });
    let phase = 0;
    sim.attach(
      {
        tick: (t) => {
          if (t % 10 === 0) sim.outputs.write(1, (phase++ & 1) === 0);
          sim.outputs.write(0, 0);
        },
      },
      null,
    );
    sim.runUntil(50);
    assert.deepEqual(sim.outputs.waveform(1), [
      [10, 1],
      [20, 0],
      [30, 1],
      [40, 0],
      [50, 1],
    ]);
    assert.equal(sim.outputs.transitions(0), 0);
    assert.equal(sim.outputs.writes, 55);
    assert.equal(sim.outputs.changes, 5);
    assert.equal(sim.trace.count(REC_OUT), 5);
    assert.equal(sim.outputs.read(1), 1);
  });

  it('measures a blink pattern: transitions, intervals, period (stand-in blinks every 100 ms, 40 ms after a press)', function () {
    const sim = new Simulator({ inputs: 1, outputs: 1 });
    new StandIn(sim).boot();
    sim.inputs.press(0, 1000.5, 10);
    sim.runUntil(2000);
    const o = sim.outputs;
    assert.equal(o.countTransitions(0, 0, 1000), 9); // at 100, 200, ..., 900
    assert.equal(o.periodMs(0, 0, 1000), 200);
    const iv = new Float64Array(32);
    const n = o.intervals(0, iv, 0, 1000);
    assert.equal(n, 8);
    for (let i = 0; i < n; i++) assert.equal(iv[i], 100);
    assert.equal(o.periodMs(0, 1150, 2000), 80);
    // Blinks at 1100 (armed before the press), then every 40 ms: 1140, 1180, ..., 1980.
    assert.equal(o.countTransitions(0, 1150, 2000), 21);
    assert.equal(o.countTransitions(0, 1150, 2000, 1) + o.countTransitions(0, 1150, 2000, 0), 21);
    assert.ok(Number.isNaN(o.periodMs(0, 0, 150)));
  });

  it('keeps the last waveformCapacity transitions', function () {
    const sim = new Simulator({ outputs: 1, waveformCapacity: 4 });
    let v = 0;
    sim.attach({ tick: () => sim.outputs.write(0, (v ^= 1)) }, null);
    sim.runUntil(10);
    assert.equal(sim.outputs.transitions(0), 10);
    assert.equal(sim.outputs.retained(0), 4);
    assert.deepEqual(sim.outputs.waveform(0), [
      [7, 1],
      [8, 0],
      [9, 1],
      [10, 0],
    ]);
  });

  it('write() allocates nothing (XS)', function () {
    const sim = new Simulator({ outputs: 1, traceCapacity: 8, traceMode: 'ring' });
    let v = 0;
    assertNoAllocation(() => sim.outputs.write(0, (v ^= 1)), 10000, 'DigitalOutputs.write');
    assert.equal(sim.outputs.transitions(0), 10000);
  });
});

describe('sim UART', function () {
  it('delivers injected bytes at baud spacing into the RX ring, with onReadable(available)', function () {
    const sim = new Simulator({ uartBaud: 115200 });
    const seen: number[][] = [];
    sim.uart.onReadable((n) => seen.push([sim.nowUs(), n]));
    const end = sim.uart.inject(10, 'HELLO\n');
    assert.equal(sim.uart.byteTimeUs, 87);
    assert.equal(end, 10 + (6 * 87) / 1000);
    sim.runUntil(11);
    assert.deepEqual(seen, [
      [10000, 1],
      [10087, 2],
      [10174, 3],
      [10261, 4],
      [10348, 5],
      [10435, 6],
    ]);
    assert.equal(sim.uart.available(), 6);
    const buf = new Uint8Array(8);
    assert.equal(sim.uart.readInto(buf, 1), 6);
    assert.deepEqual(Array.from(buf), [0, 72, 69, 76, 76, 79, 10, 0]);
    assert.equal(sim.uart.read(), NO_BYTE);
    assert.equal(sim.uart.received, 6);
    assert.equal(sim.trace.count(REC_RX), 6);
  });

  it('honours a custom spacing and byte arrays', function () {
    const sim = new Simulator();
    const got: number[] = [];
    sim.uart.onReadable(() => {
      for (let b = sim.uart.read(); b !== NO_BYTE; b = sim.uart.read()) got.push(b, sim.now());
    });
    sim.uart.inject(2, [1, 2, 0x1ff], 0.5);
    sim.runUntil(5);
    assert.deepEqual(got, [1, 2, 2, 2.5, 0xff, 3]);
  });

  it('drops bytes that find the RX ring full, counts overruns and records them (c = 0)', function () {
    const sim = new Simulator({ uartRxCapacity: 4 });
    sim.uart.inject(1, 'ABCDEF');
    sim.runUntil(5);
    assert.equal(sim.uart.available(), 4);
    assert.equal(sim.uart.overruns, 2);
    assert.equal(sim.uart.received + sim.uart.overruns, 6);
    const t = sim.trace;
    const rx: number[][] = [];
    for (let i = 0; i < t.end(); i++) if (t.kind(i) === REC_RX) rx.push([t.b(i), t.c(i)]);
    assert.deepEqual(rx, [
      [65, 1],
      [66, 1],
      [67, 1],
      [68, 1],
      [69, 0],
      [70, 0],
    ]);
    let s = '';
    for (let b = sim.uart.read(); b >= 0; b = sim.uart.read()) s += String.fromCharCode(b);
    assert.equal(s, 'ABCD');
  });

  it('records TX bytes in the trace and a TX log ring', function () {
    const sim = new Simulator({ uartTxCapacity: 4 });
    for (const c of 'OK:42\n') sim.uart.write(c.charCodeAt(0));
    assert.equal(sim.uart.txLength(), 6);
    assert.equal(sim.uart.txText(), ':42\n');
    assert.equal(sim.uart.txByte(0), -1);
    assert.equal(sim.uart.txByte(5), 10);
    assert.equal(sim.trace.count(REC_TX), 6);
  });

  it('a line protocol round trip through the stand-in: RX lines in, TX replies out', function () {
    const sim = new Simulator();
    const fw = new StandIn(sim).boot();
    sim.uart.inject(5, 'HI\nHELLO\n');
    sim.uart.inject(20, 'THIS LINE IS TOO LONG FOR THE BUFFER\nOK\n');
    sim.runUntil(40);
    assert.equal(fw.lines, 3);
    assert.equal(fw.badLines, 1);
    assert.equal(sim.uart.txText(), '2\n5\n2\n');
  });
});

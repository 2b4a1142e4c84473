// Simulator main loop: what a step does and in which order, the step
// boundary a caller measures, hooks and progress, misuse errors, and zero
// allocation of the steady-state step on XS (10,000 virtual ms with edges,
// bounce and UART bytes flowing into a pre-built stand-in firmware).
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation, onXs } from '../support/alloc.js';
import { Simulator } from '../../hosts/sim/simulator.js';
import { SimConfigError, SimSchedulerFullError, SimUsageError } from '../../hosts/sim/errors.js';
import { REC_EDGE, REC_OUT, REC_RX, REC_STEP, REC_TICK, REC_TX } from '../../hosts/sim/trace.js';
import { SIG_BLINK, SIG_EDGE, SIG_RX, StandIn } from '../support/sim-standin.js';

describe('sim Simulator: the step', function () {
  function orderRun(runOn: 'tick' | 'step'): { sim: Simulator; log: string[] } {
    const sim = new Simulator({ inputs: 3, runOn });
    const log: string[] = [];
    sim.inputs.onInterrupt((pin, v, t) => log.push(`irq ${pin}=${v} @${t}`));
    sim.uart.onReadable((n) => log.push(`readable ${n} @${sim.now()}`));
    sim.attach({ tick: (t) => log.push(`tick @${t}`) }, { run: () => (log.push(`run @${sim.now()}`), 0) });
    sim.inputs.edge(2, 1, 2);
    sim.inputs.edge(0, 1, 2);
    sim.uart.inject(2, 'A');
    sim.inputs.edge(1, 1, 2);
    sim.inputs.edge(1, 0, 2.5);
    assert.equal(sim.runUntil(3), 4);
    return { sim, log };
  }

  it("runOn 'tick' (default): due events in (time, insertion) order, then tick(now), then run(); events between ticks arrive at their own time without a run()", function () {
    const { sim, log } = orderRun('tick');
    assert.deepEqual(log, [
      'tick @1',
      'run @1',
      'irq 2=1 @2',
      'irq 0=1 @2',
      'readable 1 @2',
      'irq 1=1 @2',
      'tick @2',
      'run @2',
      'irq 1=0 @2.5',
      'tick @3',
      'run @3',
    ]);
    assert.equal(sim.steps, 4);
    assert.equal(sim.delivered, 5);
    assert.equal(sim.clock.ticks, 3);
  });

  it("runOn 'step': run() after every step, events-only steps included", function () {
    const { log } = orderRun('step');
    assert.deepEqual(log.slice(8, 10), ['irq 1=0 @2.5', 'run @2.5']);
    assert.equal(log.length, 12);
  });

  it('step() does exactly one step at or before the limit; runUntil() leaves the clock at the end', function () {
    const sim = new Simulator({ tickPeriodMs: 10 });
    let runs = 0;
    sim.attach(null, { run: () => (runs++, 0) });
    assert.equal(sim.nextStepMs(), 10);
    assert.equal(sim.step(5), false);
    assert.equal(sim.now(), 0);
    assert.equal(sim.step(), true);
    assert.equal(sim.now(), 10);
    assert.equal(runs, 1);
    assert.equal(sim.runUntil(35), 2);
    assert.equal(sim.now(), 35);
    assert.equal(runs, 3);
    assert.equal(sim.runFor(5), 1);
    assert.equal(sim.now(), 40);
    assert.equal(sim.trace.endUs, 40000);
  });

  it('records a tick per tick, and a REC_STEP for a step that called run() and recorded nothing else', function () {
    const sim = new Simulator({ tickPeriodMs: 10, runOn: 'step' });
    sim.inputs.setLevel(0, 1);
    sim.inputs.edge(0, 1, 3); // same level: no edge, no interrupt
    sim.runUntil(10);
    assert.equal(sim.inputs.ignored, 1);
    const t = sim.trace;
    assert.deepEqual(
      [t.kind(0), t.timeUs(0), t.kind(1), t.timeUs(1), t.a(1)],
      [REC_STEP, 3000, REC_TICK, 10000, 1],
    );
    assert.equal(t.end(), 2);
  });

  it('calls the step hooks around every step, outside the firmware calls', function () {
    const sim = new Simulator();
    const log: string[] = [];
    sim.attach({ tick: () => log.push('tick') }, { run: () => (log.push('run'), 2) });
    sim.setStepHooks(
      (t) => log.push(`before ${t}`),
      (t, n) => log.push(`after ${t} ${n}`),
    );
    sim.runUntil(2);
    assert.deepEqual(log, ['before 1', 'tick', 'run', 'after 1 2', 'before 2', 'tick', 'run', 'after 2 2']);
    assert.equal(sim.dispatched, 4);
  });

  it('reports progress every N virtual ms and at the end', function () {
    const sim = new Simulator({ tickPeriodMs: 7 });
    const seen: string[] = [];
    sim.setProgress(20, (now, end) => seen.push(`${now}/${end}`));
    sim.runUntil(65);
    assert.deepEqual(seen, ['21/65', '42/65', '63/65']);
    sim.runUntil(100);
    assert.deepEqual(seen.slice(3), ['84/100', '100/100']);
  });

  it('type-checks the driver interfaces (misuse does not compile)', function () {
    const sim = new Simulator();
    // @ts-expect-error tick must take a number
    sim.attach({ tick: (now: string) => now }, null);
    // @ts-expect-error run must return the number of events dispatched
    sim.attach(null, { run: () => 'done' });
    // @ts-expect-error a pool's tryClaim returns a numeric handle
    sim.faults.addPool({ tryClaim: () => 'h', release: () => {} });
    // @ts-expect-error a burst target's post returns whether it accepted the event
    sim.faults.addTarget({ post: () => undefined });
    // @ts-expect-error the interrupt callback receives numbers
    sim.inputs.onInterrupt((pin: string) => pin);
    // @ts-expect-error runOn is 'tick' or 'step'
    assert.throws(() => new Simulator({ runOn: 'event' }), SimConfigError);
    assert.equal(sim.faults.targetCount, 1);
  });

  it('throws named errors for misuse, with the simulator name', function () {
    const sim = new Simulator({ name: 'bench', inputs: 2, schedulerCapacity: 4 });
    sim.runUntil(10);
    assert.throws(() => sim.inputs.edge(0, 1, 5), SimUsageError);
    assert.throws(() => sim.inputs.edge(0, 1, 5), /'bench': inputs\.edge\(\) at 5 ms, which is before now \(10 ms\)/);
    assert.throws(() => sim.inputs.edge(2, 1, 20), /input pin 2 does not exist \(it has 2: 0\.\.1\); raise the inputs option/);
    assert.throws(() => sim.runUntil(5), SimUsageError);
    assert.throws(() => sim.outputs.write(9, 1), SimConfigError);
    assert.throws(() => sim.uart.inject(20, 'HELLO'), SimSchedulerFullError);
    assert.throws(() => new Simulator({ uarts: 0 }), SimConfigError);
    assert.throws(() => new Simulator({ inputs: 300 }), SimConfigError);
    assert.throws(() => sim.setProgress(-1, () => {}), SimConfigError);
  });
});

describe('sim Simulator: zero allocation (XS)', function () {
  function build(): { sim: Simulator; fw: StandIn } {
    const sim = new Simulator({ inputs: 2, outputs: 2, schedulerCapacity: 2048, traceCapacity: 65536, seed: 5 });
    const fw = new StandIn(sim, 16).boot();
    sim.inputs.setBounce(0, 3, 6);
    for (let t = 50; t < 10000; t += 100) sim.inputs.press(0, t, 30);
    const line = new Uint8Array([72, 69, 76, 76, 79, 10]); // "HELLO\n"
    for (let t = 20; t < 10000; t += 50) sim.uart.inject(t, line);
    // The hooks and progress callback exist but do nothing (they are the CLI's printing slot).
    let hookCalls = 0;
    sim.setStepHooks(null, () => {
      hookCalls++;
    });
    sim.setProgress(1000, () => {
      hookCalls++;
    });
    return { sim, fw };
  }

  it('10,000 virtual ms of steps (edges with bounce, UART lines, ticks, LED writes) allocate nothing, the first step included', function () {
    const { sim, fw } = build();
    const a = assertNoAllocation(() => sim.runUntil(sim.now() + 1), 10000, 'Simulator.runUntil(+1 ms) with a stand-in firmware');
    assert.equal(sim.now(), 10000);
    // The run did real work: every kind of input reached the firmware.
    assert.equal(fw.counts[SIG_EDGE]! > 200, true, `edges: ${fw.counts[SIG_EDGE]}`);
    assert.equal(fw.lines, 200);
    assert.equal(fw.counts[SIG_RX], 1200);
    assert.equal(fw.counts[SIG_BLINK]! > 100, true);
    assert.equal(sim.uart.txLength(), 400);
    assert.equal(sim.trace.complete, true);
    assert.equal(sim.trace.count(REC_TICK), 10000);
    assert.equal(sim.trace.count(REC_RX), 1200);
    assert.equal(sim.trace.count(REC_TX), 400);
    assert.equal(sim.trace.count(REC_EDGE), sim.inputs.interrupts);
    assert.equal(sim.inputs.interrupts, 200 + sim.inputs.bounceToggles);
    assert.equal(sim.trace.count(REC_OUT), sim.outputs.changes);
    assert.equal(fw.dropped, 0);
    if (onXs) assert.ok(a!.steps > 0);
  });

  it('step() alone allocates nothing either (the CLI measures each step)', function () {
    const { sim } = build();
    assertNoAllocation(() => sim.step(), 10000, 'Simulator.step()');
    assert.ok(sim.steps === 10000);
  });
});

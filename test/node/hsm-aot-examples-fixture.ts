// The examples on the simulator for test/node/hsm-aot-rollup.test.ts: bundled
// once as they are (table interpreter) and once through keel/rollup
// (compiled); the same scenario runs on both and everything observable is
// returned for comparison.
import { bootSim, scheduleScenario } from '../../examples/sim.js';
import { EXAMPLE_NAMES } from '../../examples/firmware.js';

export interface ExamplesRun {
  trace: string;
  states: Record<string, string>;
  counters: Record<string, number>;
  queues: unknown;
  tx: string;
  waves: unknown[];
  dispatched: number;
  /** Machines whose dispatch is the compiled one (an own property). */
  compiledMachines: number;
}

export function runExamples(seed: number, faults: boolean, cycles: number): ExamplesRun {
  const r = bootSim({ examples: EXAMPLE_NAMES, seed, sim: { traceCapacity: 1 << 18 } });
  for (let c = 0; c < cycles; c++) scheduleScenario(r.sim, r.fw, c, faults);
  r.sim.runUntil(cycles * 4000);
  const fw = r.fw;
  const machines = [fw.blinky!.debouncer.hsm, fw.blinky!.blinker.hsm, fw.portReset!.port.hsm, fw.uart!.parser.hsm];
  return {
    trace: JSON.stringify(r.sim.trace.toJSON()),
    states: fw.states(),
    counters: fw.counters(),
    queues: fw.queues(),
    tx: r.sim.uart.txText(),
    waves: [0, 1, 2, 3].map((o) => r.sim.outputs.waveform(o)),
    dispatched: fw.kernel.dispatchedTotal,
    compiledMachines: machines.filter((m) => Object.prototype.hasOwnProperty.call(m, 'dispatch')).length,
  };
}

import { bootSim } from '../examples/sim.js';
import { TracePrinter } from '../hosts/sim/printer.js';
import { simNames } from '../examples/sim.js';
export function main() {
  const r = bootSim({ examples: ['uart-lines'], seed: 1 });
  const flood = new Uint8Array(200).fill(65);
  r.sim.uart.inject(10, flood, 0.001);
  r.sim.uart.inject(20, '\nPING\n');
  r.sim.runUntil(40);
  const p = new TracePrinter(r.sim.trace, simNames(r.fw));
  p.drain((l) => { if (!/rx/.test(l)) console.log(l); });
  const u = r.fw.uart!;
  console.log(u.rx.refused, u.rx.written, r.sim.uart.overruns, JSON.stringify(r.fw.counters()), u.rx.readerWaiting);
}

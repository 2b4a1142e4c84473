// Helpers for the example firmware tests (test/examples-*.test.ts): boot an
// example on the simulator and read back what it did from the trace.
import { bootSim, eventCode, type SimFirmware } from '../../examples/sim.js';
import type { ExampleName } from '../../examples/firmware.js';
import { MACHINE_NAMES } from '../../examples/firmware.js';
import { REC_LOG, REC_OUT, REC_STATE } from '../../hosts/sim/trace.js';
import type { HsmDefinition } from '../../src/hsm.js';

export const DEBOUNCER = 0;
export const BLINKER = 1;
export const PORT = 2;
export const PARSER = 3;

export function boot(examples: readonly ExampleName[], seed = 1, traceCapacity = 65536): SimFirmware {
  return bootSim({ examples, seed, sim: { traceCapacity } });
}

/** "timeMs state" for each state change of `machine`, in order, between fromMs and toMs. */
export function stateLog(r: SimFirmware, machine: number, fromMs = 0, toMs = Infinity): string[] {
  const t = r.sim.trace;
  const names = r.fw.machineStates()[machine]!;
  const out: string[] = [];
  for (let i = t.start(); i < t.end(); i++) {
    if (t.kind(i) !== REC_STATE || t.a(i) !== machine) continue;
    const ms = t.timeMs(i);
    if (ms >= fromMs && ms <= toMs) out.push(`${ms} ${names[t.b(i)]!}`);
  }
  return out;
}

/** "timeMs level" for each change of output `index`. */
export function outputLog(r: SimFirmware, index: number, fromMs = 0, toMs = Infinity): string[] {
  const t = r.sim.trace;
  const out: string[] = [];
  for (let i = t.start(); i < t.end(); i++) {
    if (t.kind(i) !== REC_OUT || t.a(i) !== index) continue;
    const ms = t.timeMs(i);
    if (ms >= fromMs && ms <= toMs) out.push(`${ms} ${t.b(i)}`);
  }
  return out;
}

/** Times (ms) at which `machine` was dispatched signal `sig` (or any of several), from the event log. */
export function eventTimes(r: SimFirmware, machine: number, sig: number | readonly number[]): number[] {
  const t = r.sim.trace;
  const codes = (typeof sig === 'number' ? [sig] : sig).map((s) => eventCode(machine, s));
  const out: number[] = [];
  for (let i = t.start(); i < t.end(); i++) if (t.kind(i) === REC_LOG && codes.includes(t.a(i))) out.push(t.timeMs(i));
  return out;
}

/** The signals a definition's timers post: those armed by the given states (`after`/`every`), or all of them. */
export function timerSignals<C>(definition: HsmDefinition<C>, ...states: string[]): number[] {
  return definition
    .timers()
    .filter((t) => states.length === 0 || (t.state !== null && states.includes(t.state)))
    .map((t) => t.signal);
}

/** Current leaf names by machine name. */
export function states(r: SimFirmware): Record<string, string> {
  return r.fw.states();
}

export { MACHINE_NAMES };

/** The REC_LOG codes of every loaded machine's time events (their logged p1, in c, is a due time). */
export function timeEventCodes(r: SimFirmware): Set<number> {
  const defs = r.fw.definitions();
  const out = new Set<number>();
  for (let m = 0; m < defs.length; m++) if (defs[m]) for (const sig of timerSignals(defs[m]!)) out.add(eventCode(m, sig));
  return out;
}

// Days of virtual time with the three examples on the tickless simulator
// (issue 13): a scenario cycle every `everyMs`, plus cycles straddling the
// device clock's wraps at 2^31 and 2^32 ms when the run covers them. Every
// cycle after the first must produce the outputs of cycle 1 (LED, reset,
// enable and fault lines, UART bytes, state changes, logged events; time
// events' due times by wrap-safe difference), shifted to its start. Contact
// bounce is off (its random toggles would shift each cycle by a few ms).
// Used by test/sim/sim-tickless.test.ts (72 hours) and scripts/soak-days.mjs (40 days).
import { bootSim, scheduleScenario, SCENARIO_MS } from '../../examples/sim.js';
import { EXAMPLE_NAMES } from '../../examples/firmware.js';
import { REC_FIRST_OUTPUT, REC_LOG, type Trace } from '../../hosts/sim/trace.js';
import { timeEventCodes } from '../support/examples-support.js';

export interface DaysResult {
  startMs: number;
  endMs: number;
  cycles: number;
  steps: number;
  ticks: number;
  merged: number;
  wraps: number[];
  /** Cycles whose outputs differ from cycle 1 (at most 5 listed). */
  mismatches: string[];
  outputsPerCycle: number;
  states: Record<string, string>;
  counters: Record<string, number>;
}

/** Output records [from, to) as "t kind a b c", times relative to `t0`; due times by wrap-safe difference. */
function outputs(t: Trace, t0: number, from: number, to: number, timeCodes: Set<number>): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) {
    const k = t.kind(i);
    if (k < REC_FIRST_OUTPUT) continue;
    const c = k === REC_LOG && timeCodes.has(t.a(i)) ? `due+${(t.c(i) - t0) | 0}` : String(t.c(i));
    out.push(`${t.timeUs(i) / 1000 - t0} ${k} ${t.a(i)} ${t.b(i)} ${c}`);
  }
  return out;
}

export function runDays(startMs: number, durationMs: number, everyMs: number): DaysResult {
  const r = bootSim({ examples: EXAMPLE_NAMES, seed: 4, sim: { tickless: true, startMs, traceCapacity: 1 << 16, traceMode: 'ring' } });
  const end = startMs + durationMs;
  const starts: number[] = [];
  for (let t = startMs; t + SCENARIO_MS <= end; t += everyMs) starts.push(t === startMs ? t : t + everyMs / 6);
  const wraps = [2 ** 31, 2 ** 32].filter((w) => w > startMs + SCENARIO_MS && w + SCENARIO_MS < end);
  for (const w of wraps) starts.push(w - 2000);
  starts.sort((a, b) => a - b);
  const codes = timeEventCodes(r);
  let ref: string[] | null = null;
  const mismatches: string[] = [];
  let cycles = 0;
  for (let i = 0; i < starts.length; i++) {
    const t0 = starts[i]!;
    if (i > 0 && t0 < starts[i - 1]! + SCENARIO_MS) continue; // overlaps the previous cycle
    r.sim.runUntil(t0);
    const mark = r.sim.trace.end();
    scheduleScenario(r.sim, r.fw, t0 / SCENARIO_MS);
    r.sim.inputs.setBounce(r.fw.blinky!.buttonPin, 0, 1);
    r.sim.runUntil(t0 + SCENARIO_MS);
    cycles++;
    const t = r.sim.trace;
    if (t.end() - mark > t.length) throw new Error(`a cycle wrote more than the trace ring holds (${t.length})`);
    const got = outputs(t, t0, Math.max(mark, t.start()), t.end(), codes);
    if (i === 1) ref = got;
    else if (i > 1 && got.join('\n') !== ref!.join('\n') && mismatches.length < 5) {
      const k = got.findIndex((g, j) => g !== ref![j]);
      mismatches.push(`cycle at ${t0} ms: output ${k}: got "${got[k]}", cycle 1 had "${ref![k]}"`);
    }
  }
  r.sim.runUntil(end);
  return {
    startMs,
    endMs: end,
    cycles,
    steps: r.sim.steps,
    ticks: r.sim.clock.ticks,
    merged: r.sim.clock.merged,
    wraps,
    mismatches,
    outputsPerCycle: ref ? ref.length : 0,
    states: r.fw.states(),
    counters: r.fw.counters(),
  };
}

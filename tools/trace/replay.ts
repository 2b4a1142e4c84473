/**
 * tools/trace/replay: the same scenario on two hosts, compared record for
 * record. The device side is an example entry of the Moddable app table
 * (hosts/moddable/examples.ts) built for mcsim with tracing on (keelTrace
 * "text") and a scripted button (keelStimulus); its `KTR:` lines are decoded
 * by decodeCapture (tools/trace/lines.ts). The Node side boots the same
 * example with the same configuration (hosts/moddable/app-configs.ts, the
 * desktop board) on the Node simulator with the device's tick period and
 * posts the same button steps at the same times (runNodeReplay).
 *
 * What is compared (docs/trace-format.md "Device capture"): the dictionary
 * (object ids, types, names, owners, state and signal names) and, for every
 * record, seq, kind, object, signal, state, aux, p0 and p1, except the
 * fields that carry the host's clock: the record's time, and the `due` time
 * of a time event (TIME_EXPIRE p0; the p1 of the DISPATCH / TRANSITION
 * records of a time event, which carry (id, due)). The two clocks differ
 * (mcsim: Time.ticks since the process started, with the host's scheduling
 * jitter; Node: virtual ms from 0), so absolute times cannot agree; the order
 * and content of events can, as long as no two causally independent events
 * fall within the jitter of each other: the scenarios keep every button
 * step at least 40 ms from any timer expiry. STATUS frames are not records
 * and are not compared. A scenario whose device keeps running after the
 * script (blinky blinking) is compared as a prefix: the device's first N
 * records against the Node run's N.
 *
 * Host tooling (Node): allocates freely.
 */
import { Simulator } from '../../hosts/sim/simulator.js';
import { Kernel } from '../../src/kernel.js';
import { Trace, TRACE_DISPATCH, TRACE_TIME_EXPIRE, TRACE_TIME_STALE, TRACE_TRANSITION, TRACE_KIND_NAMES } from '../../src/trace.js';
import type { HsmDefinition } from '../../src/hsm.js';
import { bootBlinky } from '../../examples/blinky.js';
import { bootPortReset } from '../../examples/port-reset.js';
import { SimIo } from '../../examples/sim.js';
import desktopBoard from '../../hosts/moddable/desktop/board.js';
import { blinkyConfig, kernelConfig, portResetConfig } from '../../hosts/moddable/app-configs.js';
import { TraceCapture } from '../../hosts/sim/trace-capture.js';
import { decodeTrace, type DecodedTrace, type TraceRecord } from './decode.js';
import { concat } from './session.js';

export interface ReplayScenario {
  /** Name of the check. */
  name: string;
  /** The app table entry (keelApp). */
  app: 'blinky' | 'port-reset';
  /** keelStimulus: "ms:pressed,..." after boot. */
  stimulus: string;
  /** Virtual ms the Node side runs. */
  nodeMs: number;
  /** True: the firmware keeps producing records after nodeMs (compare a prefix). */
  continues: boolean;
}

/**
 * port-reset: a request (3 attempts time out -> fault), then a request from
 * fault and one while resetting (ignored), all steps >= 40 ms from the
 * attempts' 20 / 100 ms timers. blinky: a press and release (off -> slow),
 * then a press held (slow -> fast), each >= 100 ms from a slow toggle; fast
 * then blinks on its own.
 */
export const REPLAY_SCENARIOS: readonly ReplayScenario[] = Object.freeze([
  { name: 'port-reset', app: 'port-reset', stimulus: '300:1,400:0,1500:1,1540:0,1580:1,1680:0', nodeMs: 3000, continues: false },
  { name: 'blinky', app: 'blinky', stimulus: '300:1,420:0,1450:1', nodeMs: 2500, continues: true },
]);

/** "ms:pressed,..." -> [[ms, pressed], ...]. */
export function stimulusSteps(text: string): [number, number][] {
  return text.split(',').map((p) => {
    const m = /^\s*(\d+)\s*:\s*([01])\s*$/.exec(p);
    if (m === null) throw new Error(`stimulus step "${p}" is not "ms:pressed"`);
    return [Number(m[1]), Number(m[2])];
  });
}

/** Runs the scenario on the Node simulator with the device's board, kernel and example configuration; returns the decoded trace. */
export function runNodeReplay(s: ReplayScenario): DecodedTrace {
  const board = desktopBoard;
  const sim = new Simulator({ seed: 1, inputs: 3, outputs: 4, tickPeriodMs: board.tickMs, schedulerCapacity: 512 });
  const io = new SimIo(sim);
  const trace = new Trace({ name: 'device', clock: () => sim.now(), capacity: 4096 });
  const kernel = new Kernel({ ...kernelConfig(board, s.app), host: sim, trace });
  let machines: HsmDefinition<any>[];
  let onEdge: (pin: number, level: number) => boolean;
  if (s.app === 'blinky') {
    const app = bootBlinky(kernel, io, blinkyConfig(board));
    machines = [app.debouncer.hsm.definition, app.blinker.hsm.definition];
    onEdge = (pin, level) => app.onEdge(pin, level);
  } else {
    const app = bootPortReset(kernel, io, portResetConfig(board));
    machines = [app.port.hsm.definition];
    onEdge = (pin, level) => app.onEdge(pin, level);
  }
  sim.inputs.onInterrupt((pin, level) => {
    onEdge(pin, level);
  });
  sim.attach(kernel, kernel);
  for (const [at, pressed] of stimulusSteps(s.stimulus)) sim.inputs.edge(0, pressed, at);
  const chunks: Uint8Array[] = [];
  const capture = new TraceCapture(trace, (c) => chunks.push(c), { host: `node sim ${s.app}` });
  capture.begin(machines);
  while (sim.step(s.nodeMs)) capture.drain();
  capture.finish(sim.now());
  return decodeTrace(concat(chunks));
}

/** One record with the host-clock fields blanked, as text (what is compared). */
export function comparableRecord(r: TraceRecord, timeSignals: Set<string>, owners: Map<number, number>): string {
  let p0: string = String(r.p0);
  let p1: string = String(r.p1);
  const owner = owners.get(r.object) ?? 0;
  const timed = timeSignals.has(`${r.object}:${r.signal}`) || timeSignals.has(`${owner}:${r.signal}`);
  if (r.kind === TRACE_TIME_EXPIRE) p0 = 'due';
  else if (timed && (r.kind === TRACE_DISPATCH || r.kind === TRACE_TRANSITION)) p1 = 'due';
  const sig = r.signal < 0 ? '-' : String(r.signal);
  const st = r.state < 0 ? '-' : String(r.state);
  return `seq ${r.seq} ${TRACE_KIND_NAMES[r.kind] ?? `KIND${r.kind}`} obj ${r.object} sig ${sig} state ${st} aux ${r.aux} p0 ${p0} p1 ${p1}`;
}

/** The comparable lines of a trace's records: time events are recognised by (object, signal) from its TIME_EXPIRE / TIME_STALE records. */
export function comparableRecords(d: DecodedTrace): string[] {
  const timeSignals = new Set<string>();
  for (const r of d.records) if (r.kind === TRACE_TIME_EXPIRE || r.kind === TRACE_TIME_STALE) timeSignals.add(`${r.object}:${r.signal}`);
  const owners = new Map<number, number>();
  for (const o of d.objects.values()) owners.set(o.id, o.link);
  return d.records.map((r) => comparableRecord(r, timeSignals, owners));
}

/** The dictionary as comparable lines (the kernel's name and capacities are compared too: both sides use the device's). */
export function comparableDictionary(d: DecodedTrace): string[] {
  return [...d.objects.values()]
    .sort((a, b) => a.id - b.id)
    .map((o) => `${o.id} ${o.type} ${o.name} owner ${o.link} states ${o.states.map((s) => `${s.name}<${s.parent}`).join(',')} signals ${o.signals.join(',')} transitions ${o.transitions.length}`);
}

export interface ReplayResult {
  /** Records compared (the Node run's, all of them). */
  compared: number;
  nodeRecords: number;
  deviceRecords: number;
  /** Differences, in order (empty: the traces agree). At most 10 listed. */
  differences: string[];
}

/** Compares the device's trace with the Node run's (see the header for what is compared). */
export function compareReplay(node: DecodedTrace, device: DecodedTrace, s: ReplayScenario): ReplayResult {
  const diffs: string[] = [];
  const dn = comparableDictionary(node);
  const dd = comparableDictionary(device);
  for (let i = 0; i < Math.max(dn.length, dd.length); i++) if (dn[i] !== dd[i]) diffs.push(`dictionary entry ${i + 1}: node "${dn[i] ?? '(none)'}", device "${dd[i] ?? '(none)'}"`);
  const a = comparableRecords(node);
  const b = comparableRecords(device);
  if (b.length < a.length) diffs.push(`the device sent ${b.length} records, the Node run ${a.length}: the capture ended early (run mcsim longer)`);
  else if (!s.continues && b.length > a.length) diffs.push(`the device sent ${b.length - a.length} records more than the Node run (${a.length}); first extra: ${b[a.length]}`);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n && diffs.length < 10; i++) if (a[i] !== b[i]) diffs.push(`record ${i}: node "${a[i]}", device "${b[i]}"`);
  if (device.seqGaps !== 0) diffs.push(`the device trace has ${device.seqGaps} records missing by sequence number (ring overflow or dropped frames)`);
  return { compared: n, nodeRecords: a.length, deviceRecords: b.length, differences: diffs.slice(0, 10) };
}

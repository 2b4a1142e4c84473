/**
 * examples/run: the engine-neutral body of `npm start` (scripts/start.mjs).
 * The same code runs on Node and, bundled, on the XS engine host.
 *
 * runExamples(options, out, progress, probe):
 *   1. boot: bootSim() (simulator + kernel + the selected examples), the
 *      trace printer, scenario cycle 0;
 *   2. loop, one simulator step at a time:
 *        [probe: gcCount, slots, chunks]  sim.step(end)  [probe again]
 *        print the new trace records (outside the measured step)
 *        at each cycle boundary schedule the next scenario cycle; progress
 *   3. the report: events dispatched, per-queue minFree/refused/dropped, pool
 *      minFree, stream counters, machine states and counters, and with a
 *      probe (XS) the slots and chunk bytes allocated by all firmware steps
 *      after boot, the first one included, summed from per-step differences.
 *
 * The probe brackets exactly `sim.step()`: everything the firmware does runs
 * inside it (interrupt callbacks, UART callbacks, tick, run), and nothing
 * else does (printing, scheduling, progress are between steps). A step during
 * which the collector ran (gcCount changed) is reported as not measured.
 */
import { TracePrinter } from '../hosts/sim/printer.js';
import { REC_RX, REC_STEP, REC_TICK, type Trace } from '../hosts/sim/trace.js';
import { EXAMPLE_NAMES, type ExampleName } from './firmware.js';
import { bootSim, scheduleScenario, simNames, SCENARIO_MS, type SimFirmware } from './sim.js';

export interface RunOptions {
  examples: readonly ExampleName[];
  durationMs: number;
  seed: number;
  quiet: boolean;
  faults: boolean;
  /** 'node' or 'xs', for the report. */
  engine: string;
  /** Virtual ms between progress calls. Default 1000. */
  progressMs?: number;
  /** Records of the Keel trace ring the kernel reports into (`--trace`/`--report`); 0 or absent: no trace. */
  traceCapacity?: number;
}

/** Sees the run between simulator steps (outside the measured step): `--trace` drains the trace ring here. */
export interface RunObserver {
  /** After boot, before the first step. */
  boot(run: SimFirmware): void;
  /** After each simulator step. */
  step(run: SimFirmware): void;
}

/** The XS host's counters ($xs), or null on Node. */
export interface AllocationCounters {
  slots(): number;
  chunks(): number;
  gcCount(): number;
}

export interface RunResult {
  run: SimFirmware;
  steps: number;
  /** Slots / chunk bytes allocated by firmware steps after boot (null without a probe). */
  slots: number | null;
  chunkBytes: number | null;
  /** Steps during which a collection ran (their numbers are not counted). */
  collectedSteps: number;
  lines: number;
}

/** Parses an --example value: a name or 'all'. Throws RangeError naming the choices. */
export function parseExamples(value: string): ExampleName[] {
  if (value === 'all') return EXAMPLE_NAMES.slice();
  const out: ExampleName[] = [];
  for (const part of value.split(',')) {
    const name = part.trim() as ExampleName;
    if (!EXAMPLE_NAMES.includes(name)) throw new RangeError(`unknown example "${part}"; use one of ${EXAMPLE_NAMES.join(', ')} or all`);
    out.push(name);
  }
  return out;
}

export function runExamples(
  options: RunOptions,
  out: (line: string) => void,
  progress: ((nowMs: number, endMs: number) => void) | null,
  probe: AllocationCounters | null,
  observer: RunObserver | null = null,
): RunResult {
  const run = bootSim({
    examples: options.examples,
    seed: options.seed,
    sim: { traceMode: 'ring', traceCapacity: 65536 },
    traceCapacity: options.traceCapacity ?? 0,
  });
  const { sim, fw } = run;
  const printer = new TracePrinter(sim.trace, simNames(fw));
  const print = (line: string): void => out(eventLine(line));
  const end = options.durationMs;
  const every = options.progressMs ?? 1000;
  out(`keel examples: ${options.examples.join(', ')} on the simulator (${options.engine}), ${end} ms virtual, seed ${options.seed}${options.faults ? ', faults on' : ''}`);
  if (!options.quiet) printer.drain(print); // boot: initial states
  if (observer !== null) observer.boot(run);
  let cycle = 0;
  scheduleScenario(sim, fw, cycle, options.faults);
  let nextCycle = SCENARIO_MS;
  let nextProgress = every;
  let steps = 0;
  let slots = 0;
  let chunks = 0;
  let collected = 0;
  let lines = 0;
  // ---- the measured loop: only sim.step() between the counter reads ----
  for (;;) {
    const t = sim.nextStepMs();
    if (t > end) break;
    if (t >= nextCycle) {
      cycle++;
      scheduleScenario(sim, fw, cycle, options.faults);
      nextCycle += SCENARIO_MS;
      continue;
    }
    let did: boolean;
    if (probe !== null) {
      const g0 = probe.gcCount();
      const s0 = probe.slots();
      const c0 = probe.chunks();
      did = sim.step(end);
      const c1 = probe.chunks();
      const s1 = probe.slots();
      const g1 = probe.gcCount();
      if (g1 !== g0) collected++;
      else {
        slots += s1 - s0;
        chunks += c1 - c0;
      }
    } else did = sim.step(end);
    if (!did) break;
    steps++;
    if (observer !== null) observer.step(run);
    if (!options.quiet && !midLine(sim.trace)) lines += printer.drain(print);
    if (progress !== null && sim.now() >= nextProgress) {
      progress(sim.now(), end);
      nextProgress = (Math.floor(sim.now() / every) + 1) * every;
    }
  }
  sim.runUntil(end);
  if (observer !== null) observer.step(run);
  if (!options.quiet) lines += printer.drain(print);
  if (progress !== null) progress(end, end);
  const result: RunResult = {
    run,
    steps,
    slots: probe !== null ? slots : null,
    chunkBytes: probe !== null ? chunks : null,
    collectedSteps: collected,
    lines,
  };
  report(result, options, out);
  return result;
}

/**
 * True while the newest visible trace record is a received byte other than
 * '\n': printing waits for the end of the line, so the printer can merge the
 * line's bytes (each arrives in its own simulator step) into one line.
 */
function midLine(trace: Trace): boolean {
  const start = trace.start();
  for (let i = trace.end() - 1, n = 0; i >= start && n < 64; i--, n++) {
    const k = trace.kind(i);
    if (k === REC_TICK || k === REC_STEP) continue;
    return k === REC_RX && trace.b(i) !== 10 && trace.c(i) === 1;
  }
  return false;
}

const LOG_LINE = /^(.*)  log    (.*) (-?[0-9.e+]+) (-?[0-9.e+]+)$/;

/** The printer shows firmware logs as "log NAME a b"; event logs read better as "event machine <- SIGNAL (p0, p1)". */
function eventLine(line: string): string {
  const m = LOG_LINE.exec(line);
  return m === null ? line : `${m[1]}  event  ${m[2]} (${m[3]}, ${m[4]})`;
}

function pad(s: string | number, n: number): string {
  const t = String(s);
  return t.length >= n ? t : t + ' '.repeat(n - t.length);
}

/** Prints the report (tooling: allocates). */
export function report(r: RunResult, options: RunOptions, out: (line: string) => void): void {
  const { sim, fw } = r.run;
  const k = fw.kernel;
  const c = fw.counters();
  out('');
  out('==== report ====');
  out(`virtual time ${sim.now()} ms, ${r.steps} simulator steps, ${sim.clock.ticks} ticks, ${sim.inputs.interrupts} interrupts, ${sim.trace.lost} trace records rotated out`);
  out(`events dispatched: ${k.dispatchedTotal} (kernel idle passes ${k.idleCount}, time events refused ${k.timerRefused}, stale expiries dropped ${k.staleExpiries})`);
  out('queues (capacity / minFree / refused when full / dropped / dispatched):');
  for (const q of fw.queues()) out(`  ${pad(q.name, 12)} capacity ${pad(q.capacity, 3)} minFree ${pad(q.minFree, 3)} refused ${pad(q.refused, 5)} dropped ${pad(q.dropped, 3)} dispatched ${q.dispatched}`);
  if (fw.uart !== null) {
    const u = fw.uart;
    out(`pool uart-tx: ${u.pool.capacity} blocks, minFree ${u.pool.minFree}, free now ${u.pool.free}, claims refused ${u.pool.refused}`);
    out(`stream uart-rx (u8): capacity ${u.rx.capacity}, minFree ${u.rx.minFree}, written ${u.rx.written}, refused ${u.rx.refused}; stream uart-tx (blocks): minFree ${u.tx.minFree}, written ${u.tx.written}, refusedNoBlock ${u.tx.refusedNoBlock}, refused ${u.tx.refused}`);
  }
  const states = fw.states();
  out('machines: ' + Object.keys(states).map((m) => `${m} in ${states[m]}`).join(', '));
  if (fw.blinky !== null) {
    out(`  blinky: edges ${c['debouncer.edges']}, presses ${c['debouncer.presses']}, releases ${c['debouncer.releases']}, patterns entered ${c['blinker.patterns']}, LED toggles ${c['blinker.toggles']}, LED transitions ${sim.outputs.transitions(fw.blinky.ledOut)}, refused edges ${c['blinky.refusedEdges']}`);
  }
  if (fw.portReset !== null) {
    out(`  port-reset: cycles ${c['port.cycles']}, enables ${c['port.enables']}, retries ${c['port.retries']}, timeouts ${c['port.timeouts']}, faults ${c['port.faults']}, power lost ${c['port.powerLost']}, refused edges ${c['port.refusedEdges']}`);
  }
  if (fw.uart !== null) {
    out(`  uart-lines: lines ${c['parser.lines']} (ping ${c['parser.pings']}, set ${c['parser.sets']}, get ${c['parser.gets']}), empty ${c['parser.empty']}, errors: bad command ${c['parser.badCommand']}, bad number ${c['parser.badNumber']}, too long ${c['parser.tooLong']}; replies lost ${c['parser.txDropped']}; TX ${c['tx.bytes']} bytes in ${c['tx.blocks']} blocks; RX overruns ${sim.uart.overruns}`);
  }
  if (r.slots === null) {
    out('allocation after boot: not measured on Node (the XS engine has the counters: npm start -- --engine xs)');
  } else {
    const measured = r.steps - r.collectedSteps;
    out(
      `allocation after boot (XS): ${r.slots} slots, ${r.chunkBytes} chunk bytes over ${measured} firmware steps (sim.step(), the first included)` +
        (r.collectedSteps > 0 ? `; ${r.collectedSteps} steps not measured: a collection ran during them` : '; no collection during any step'),
    );
  }
}

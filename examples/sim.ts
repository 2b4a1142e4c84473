/**
 * examples/sim: the example firmware on the simulator host (hosts/sim), and
 * the scripted scenario `npm start` and the tests run.
 *
 *   const { sim, fw } = bootSim({ examples: ['blinky'], seed: 1 });
 *   scheduleScenario(sim, fw, 0);          // one 4000 ms cycle of the script
 *   sim.runUntil(4000);
 *
 * `SimIo` implements the examples' `ExampleIo` over the simulator: outputs
 * are recorded as waveforms, UART bytes in the TX log, state changes in the
 * trace (REC_STATE), so a run can be printed live and replayed.
 *
 * Boot (`bootSim`): Simulator -> Kernel({ host: sim }) -> Firmware; the
 * simulator's interrupt callback calls fw.onEdge(pin, level), its UART
 * onReadable reads every byte into fw.onRxByte(byte); sim.attach(kernel,
 * kernel) makes each tick `kernel.tick(now)` + `kernel.run()`. The burst
 * targets (faults.addTarget) are the AO ports, in machine order; the pool
 * (faults.addPool) is the UART reply pool. All callbacks are made here, once.
 *
 * The scenario (one cycle = SCENARIO_MS of virtual time; cycle k is offset by
 * k * SCENARIO_MS, so long runs repeat it):
 *   blinky      button bounces (4 ms, up to 6 extra toggles); presses at 300,
 *               1300, 2300, 3300 ms (held 120 ms): off -> slow -> fast -> double -> off
 *   port-reset  (PG off at 50: a no-op in cycle 0, power lost in later
 *               cycles) request at 100, PG up at 150 (enabled); PG lost at 1000, back
 *               at 1060; request at 1500 with PG dropping at 1505 and never
 *               coming back (3 attempts, fault); request at 2500, PG at 2540
 *   uart-lines  one line every 200 ms from 200 ms: good lines and each kind
 *               of malformed line (SCENARIO_LINES)
 *   faults      (options.faults) at 3500: a storm of 10x the queue capacity
 *               on the button and on power good, a burst of 10x the capacity
 *               into the parser, a pool hold, a late tick; at 3800 a normal
 *               line and press show the machines still respond
 */
import { NO_BYTE } from '../hosts/sim/uart.js';
import { Trace } from '../src/trace.js';
import { Simulator, type SimOptions } from '../hosts/sim/simulator.js';
import type { SimNames } from '../hosts/sim/printer.js';
import { Firmware, FIRMWARE_OUTPUTS, FIRMWARE_PINS, MACHINE_NAMES, OUTPUT_NAMES, PIN_NAMES, type ExampleName } from './firmware.js';
import type { ExampleIo } from './io.js';
import { SIG_RX_READY } from './uart-lines.js';

/** One cycle of the scripted scenario, ms. */
export const SCENARIO_MS = 4000;

/** The UART lines of one scenario cycle, sent every 200 ms from 200 ms. */
export const SCENARIO_LINES: readonly string[] = Object.freeze([
  'PING\n', // PONG
  'SET 42\n', // OK
  'GET\n', // 42
  'SET 70000\n', // ERR NUM (out of range)
  'HELLO\n', // ERR CMD (unknown)
  'SET\n', // ERR NUM (missing)
  'SET 4x2\n', // ERR NUM (not decimal)
  'GET 1\n', // ERR CMD (GET takes no argument)
  'SET 123456789012345678901234567890123\n', // ERR LONG (over 32 bytes)
  'PING\r\n', // PONG (CR ignored)
  '\n', // empty: no reply
  'set 1\n', // ERR CMD (lower case)
  'SET 65535\n', // OK
  'GET\n', // 65535
]);

export class SimIo implements ExampleIo {
  constructor(readonly sim: Simulator) {}
  now(): number {
    return this.sim.now();
  }
  write(index: number, level: number): void {
    this.sim.outputs.write(index, level);
  }
  /** The simulated line has no backpressure: every byte is taken (true), so uart-lines never waits for onTxReady here. */
  tx(byte: number): boolean {
    return this.sim.uart.write(byte);
  }
  logState(machine: number, state: number): void {
    this.sim.logState(machine, state);
  }
  /** REC_LOG with code = eventCode(machine, sig): the printer names it "machine <- SIGNAL". */
  logEvent(machine: number, sig: number, p0: number, p1: number): void {
    this.sim.log(eventCode(machine, sig), p0, p1);
  }
}

/** Log code of an event: machine * 16 + signal (signals of the examples are < 16). */
export function eventCode(machine: number, sig: number): number {
  return machine * 16 + sig;
}

export interface BootSimOptions {
  examples: readonly ExampleName[];
  seed?: number;
  /** AO queue capacity. Default 8. */
  queueCapacity?: number;
  /** Passed to the Simulator (trace size and mode, runOn, ...). */
  sim?: SimOptions;
  /** Records of a Keel trace ring (src/trace.ts, clock: the simulator's ms) the kernel reports into; 0 (default): none. */
  traceCapacity?: number;
}

export interface SimFirmware {
  sim: Simulator;
  fw: Firmware;
  io: SimIo;
  /** The Keel trace ring (option traceCapacity), or null. */
  trace: Trace | null;
}

/** Boots the firmware on a new simulator (boot time; allocates). Same options + same scenario = same run. */
export function bootSim(options: BootSimOptions): SimFirmware {
  const sim = new Simulator({
    seed: options.seed ?? 1,
    inputs: FIRMWARE_PINS,
    outputs: FIRMWARE_OUTPUTS,
    schedulerCapacity: 2048,
    ...options.sim,
  });
  const io = new SimIo(sim);
  const trace = (options.traceCapacity ?? 0) > 0 ? new Trace({ name: 'sim', clock: () => sim.now(), capacity: options.traceCapacity, maxObjects: 64 }) : null;
  const fw = new Firmware(sim, io, options.examples, { queueCapacity: options.queueCapacity ?? 8, trace: trace ?? undefined });
  sim.inputs.onInterrupt((pin, level) => {
    fw.onEdge(pin, level);
  });
  const uart = sim.uart;
  sim.uart.onReadable(() => {
    // Bound: the RX ring holds at most rxCapacity bytes.
    for (let guard = uart.rxCapacity; guard > 0; guard--) {
      const b = uart.read();
      if (b === NO_BYTE) break;
      fw.onRxByte(b);
    }
  });
  sim.attach(fw.kernel, fw.kernel);
  if (fw.uart !== null) {
    sim.faults.addTarget(fw.kernel.port(fw.uart.parserAo));
    sim.faults.addPool(fw.uart.pool);
  }
  return { sim, fw, io, trace };
}

/** Names for the TracePrinter: pins, outputs, machines and their states, and events ("machine <- SIGNAL"). */
export function simNames(fw: Firmware): SimNames {
  const signals: string[] = [];
  signals[SIG_RX_READY] = 'RX_READY';
  const logs: string[] = [];
  const states = fw.machineStates();
  const defs = fw.definitions();
  for (let m = 0; m < MACHINE_NAMES.length; m++) {
    const d = defs[m];
    if (d === undefined || states[m] === undefined) continue;
    for (let sig = 1; sig < 16; sig++) {
      const n = d.signalName(sig);
      if (n !== '') logs[eventCode(m, sig)] = MACHINE_NAMES[m] + ' <- ' + n;
    }
  }
  logs[eventCode(3, SIG_RX_READY)] = 'parser <- RX_READY';
  return {
    logs,
    pins: PIN_NAMES,
    outputs: OUTPUT_NAMES,
    uarts: ['uart'],
    machines: MACHINE_NAMES,
    machineStates: fw.machineStates(),
    signals,
    targets: ['parser'],
    pools: ['uart-tx'],
  };
}

/** Schedules scenario cycle `cycle` (times offset by cycle * SCENARIO_MS); scenario code, between steps. */
export function scheduleScenario(sim: Simulator, fw: Firmware, cycle: number, faults = false): void {
  const t0 = cycle * SCENARIO_MS;
  const cap = fw.queueCapacity;
  if (fw.blinky !== null) {
    sim.inputs.setBounce(fw.blinky.buttonPin, 4, 6);
    for (const at of [300, 1300, 2300, 3300]) sim.inputs.press(fw.blinky.buttonPin, t0 + at, 120);
  }
  if (fw.portReset !== null) {
    const req = fw.portReset.requestPin;
    const pg = fw.portReset.powerGoodPin;
    const pulse = (at: number): void => {
      sim.inputs.edge(req, 1, t0 + at);
      sim.inputs.edge(req, 0, t0 + at + 10);
    };
    sim.inputs.edge(pg, 0, t0 + 50); // later cycles: power off first (enabled -> power lost -> resetting)
    pulse(100);
    sim.inputs.edge(pg, 1, t0 + 150);
    sim.inputs.edge(pg, 0, t0 + 1000);
    sim.inputs.edge(pg, 1, t0 + 1060);
    pulse(1500);
    sim.inputs.edge(pg, 0, t0 + 1505);
    pulse(2500);
    sim.inputs.edge(pg, 1, t0 + 2540);
  }
  if (fw.uart !== null) {
    for (let i = 0; i < SCENARIO_LINES.length; i++) sim.uart.inject(t0 + 200 + i * 200, SCENARIO_LINES[i]!);
  }
  if (faults) {
    const n = 10 * cap;
    if (fw.blinky !== null) sim.faults.storm(fw.blinky.buttonPin, n, t0 + 3500, 0.5);
    if (fw.portReset !== null) {
      const pr = fw.portReset;
      sim.faults.storm(pr.powerGoodPin, n, t0 + 3520, 0.5);
      // The storm's power losses run the port through its retries into fault
      // (about 3880 ms). Afterwards a normal reset request with power good
      // must bring it up again.
      sim.inputs.edge(pr.powerGoodPin, 0, t0 + 3840);
      sim.inputs.edge(pr.requestPin, 1, t0 + 3920);
      sim.inputs.edge(pr.requestPin, 0, t0 + 3930);
      sim.inputs.edge(pr.powerGoodPin, 1, t0 + 3960);
    }
    if (fw.uart !== null) {
      sim.faults.burst(0, SIG_RX_READY, n, t0 + 3540);
      sim.faults.holdPool(0, fw.uart.pool.capacity, t0 + 3560, 100);
      sim.uart.inject(t0 + 3600, 'PING\n'); // no block for the reply: txDropped
      sim.uart.inject(t0 + 3800, 'GET\n'); // answered again
    }
    sim.faults.delayTick(t0 + 3700, 3);
    if (fw.blinky !== null) sim.inputs.press(fw.blinky.buttonPin, t0 + 3800, 120);
  }
}

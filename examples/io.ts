/**
 * examples/io: the small platform interface the example firmware is written
 * against, and the adapter that runs a `Hsm` as a kernel active object.
 *
 * The examples (port-reset, blinky, uart-lines) never name a platform. They
 * get an `ExampleIo` at boot (outputs, UART TX, clock, a state log) and
 * expose `onEdge(pin, level)` / `onRxByte(byte)` entry points that the
 * platform's IO callbacks call. Two platforms implement it:
 *
 *   simulator (examples/sim.ts)        Moddable device (hosts/moddable/examples.ts)
 *   now()       sim.now()              Time.ticks
 *   write(o, v) sim.outputs.write      the board LED (output 0); others counted
 *   tx(byte)    sim.uart.write         embedded:io/serial write(byte) while onWritable room lasts
 *   logState    sim.logState (trace)   counted (no printing on the hot path)
 *   logEvent    sim.log (trace)        counted
 *
 * `MachineAo` is the adapter between the kernel and a state machine: the
 * kernel calls `dispatch(sig, p0..p3)`, the adapter reports the event through
 * `io.logEvent(machine, sig, p0, p1)`, dispatches it to the Hsm and reports a
 * change of the machine's leaf state through `io.logState(machine, state)`
 * (numbers only: names are looked up by tools, never on the device).
 * `spawnMachine` is `kernel.spawn({ create: (port) => new MachineAo(...) })`.
 *
 * Allocation: `spawnMachine`, the constructors and the definitions allocate
 * (boot). `MachineAo.dispatch` allocates nothing (a method call, two number
 * compares); what the machine's actions do is each example's guarantee.
 *
 * Contexts: `dispatch`/`start` are called by the kernel only (step/run and
 * spawn). The `ExampleIo` methods are called from actions (dispatch context).
 *
 * Stale time events: a time event that expired and was queued before the
 * machine disarmed or re-armed it may still be dispatched afterwards. The
 * examples keep `dueAt` (the first due time of their current arming, which
 * `kernel.arm` returns) and accept a time event only if its due time (p1) is
 * not earlier: `fresh(p1, dueAt)`, compared by wrap-safe difference. A stale
 * one fails the guard and is counted in the machine's `ignored`.
 */
import { KeelError } from '../src/errors.js';
import type { AoPort, Behaviour, Kernel } from '../src/kernel.js';
import { Hsm, type HsmDefinition } from '../src/hsm.js';

/** An example's configuration option is out of range or not a number (boot time). */
export class ExampleConfigError extends KeelError {
  override name = 'ExampleConfigError';
}

/** Boot-time check of a numeric option; returns it. Throws ExampleConfigError naming the example, option and range. */
export function checkOption(example: string, option: string, value: unknown, min: number, max: number, integer = true): number {
  const ok = typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new ExampleConfigError(
      `${example}: option ${option} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value as number;
}

/** What the firmware may do to the outside world. Every method must be allocation-free. */
export interface ExampleIo {
  /**
   * Milliseconds on the kernel's clock. It may wrap: on a device it is
   * `Time.ticks`, a signed int32 that goes negative after 2^31 ms. Compare
   * two values only by difference, `((a - b) | 0)` (see src/timer.ts).
   */
  now(): number;
  /** Drives digital output `index` (LEDs, reset and enable lines) to `level` (0 | 1). */
  write(index: number, level: number): void;
  /**
   * Offers one byte to the UART. True: the port took it. False: the port is
   * full now; the caller keeps the byte and offers it again after the
   * platform's TX-ready signal (uart-lines: `onTxReady()`). Never throws.
   */
  tx(byte: number): boolean;
  /** `machine` entered leaf state `state` (ids: HsmDefinition.stateNames[state]). */
  logState(machine: number, state: number): void;
  /** `machine` is about to handle event `sig` with parameters p0, p1 (numbers only). */
  logEvent(machine: number, sig: number, p0: number, p1: number): void;
}

/** A state machine running as an active object, with its kernel id. */
export interface RunningMachine<C> {
  /** The kernel's id of the active object (for post, queueOf, dispatched). */
  readonly ao: number;
  /** The machine id passed to io.logState. */
  readonly machine: number;
  readonly hsm: Hsm<C>;
  readonly adapter: MachineAo<C>;
}

/** Runs a Hsm as the behaviour of an active object and logs leaf-state changes. */
export class MachineAo<C> implements Behaviour {
  readonly hsm: Hsm<C>;
  /** State changes reported through io.logState. */
  changes = 0;
  private last = -1;

  constructor(
    definition: HsmDefinition<C>,
    port: AoPort,
    private readonly io: ExampleIo,
    readonly machine: number,
    /** false: dispatch() does not call io.logEvent (a caller that feeds many internal events logs its own). */
    private readonly logEvents = true,
  ) {
    this.hsm = new Hsm(definition, { queue: port, deferCapacity: 0 });
  }

  start(): void {
    this.hsm.start();
    this.note();
  }

  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): void {
    if (this.logEvents) this.io.logEvent(this.machine, sig, p0, p1);
    this.hsm.dispatch(sig, p0, p1, p2, p3);
    this.note();
  }

  /** Reports the current leaf if it changed since the last report. */
  note(): void {
    const s = this.hsm.current;
    if (s !== this.last) {
      this.last = s;
      this.changes++;
      this.io.logState(this.machine, s);
    }
  }
}

/**
 * Spawns `definition` as an active object (boot time). The machine's initial
 * transition runs inside spawn, so its initial states must not use time events
 * that are created after it (the examples' initial states arm none).
 */
export function spawnMachine<C>(
  kernel: Kernel,
  definition: HsmDefinition<C>,
  io: ExampleIo,
  machine: number,
  priority: number,
  queueCapacity: number,
): RunningMachine<C> {
  let adapter: MachineAo<C> | undefined;
  const ao = kernel.spawn(
    {
      create(port: AoPort): Behaviour {
        adapter = new MachineAo(definition, port, io, machine);
        return adapter;
      },
    },
    priority,
    queueCapacity,
  );
  const a = adapter!;
  return { ao, machine, hsm: a.hsm, adapter: a };
}

/**
 * True when a time event due at `due` (its p1) comes from the current arming,
 * whose first due time is `dueAt` (what `kernel.arm` returned), and not from
 * an earlier one (stale). A stale expiry was posted before the re-arm, so it
 * is due at or before the arming time, earlier than `dueAt` for any delay
 * > 0; an expiry of the current arming is due at `dueAt` or later (periods).
 * A zero-delay arm is accepted (due === dueAt). Its one blind spot: a stale
 * expiry posted in the same millisecond as a zero-delay re-arm has the same
 * id and due time, so it cannot be told apart (the examples' delays are >= 1).
 *
 * Wrap-safe: due times are signed int32 milliseconds modulo 2^32 (see
 * src/timer.ts), so they are compared by difference, `((due - dueAt) | 0) >= 0`,
 * which is right while the two are less than 2^31 ms (24.8 days) apart. A
 * machine with a periodic time event therefore moves `dueAt` to each due time
 * it accepts. Allocation-free.
 */
export function fresh(due: number, dueAt: number): boolean {
  return ((due - dueAt) | 0) >= 0;
}

/** What the platform's IO callbacks call. Allocation-free; false = refused (counted by the queue). */
export interface InputSink {
  /** A digital input changed: `pin` (platform-neutral number), `level` 0 | 1. */
  onEdge(pin: number, level: number): boolean;
}

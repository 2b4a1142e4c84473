/**
 * examples/io: the small platform interface the example firmware is written
 * against.
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
 * Machines run through the library's `kernel.spawnMachine` (src/active-machine.ts)
 * with the `ExampleIo` as their monitor: it reports each event through
 * `io.logEvent(machine, sig, p0, p1)` and each change of the machine's leaf
 * state through `io.logState(machine, state)` (numbers only: names are
 * looked up by tools, never on the device). Time events live in the
 * machines' specs (`after`, `every`), and the kernel drops stale expiries,
 * so the examples keep no guard of their own.
 *
 * Allocation: the definitions allocate (boot). What the machines' actions do
 * is each example's guarantee.
 *
 * Contexts: the `ExampleIo` methods are called from actions (dispatch
 * context) and by the machines' monitor calls.
 */
import { KeelError } from '../src/errors.js';

export type ExampleConfigErrorCode = 'BAD_OPTION';

/**
 * An example's configuration option is out of range or not a number (boot
 * time). Code 'BAD_OPTION' (docs/errors.md "examples"). The message is the long
 * one in every build: the examples are also compiled for devices
 * (dist/moddable) without the DEBUG replacement, and they raise it at boot only.
 */
export class ExampleConfigError extends KeelError {
  override name = 'ExampleConfigError';
  declare readonly code: ExampleConfigErrorCode;
}

/** Boot-time check of a numeric option; returns it. Throws ExampleConfigError naming the example, option and range. */
export function checkOption(example: string, option: string, value: unknown, min: number, max: number, integer = true): number {
  const ok = typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (!ok) {
    throw new ExampleConfigError(
      'BAD_OPTION',
      `Example '${example}': option ${option} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)} [BAD_OPTION]`,
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

/** What the platform's IO callbacks call. Allocation-free; false = refused (counted by the queue). */
export interface InputSink {
  /** A digital input changed: `pin` (platform-neutral number), `level` 0 | 1. */
  onEdge(pin: number, level: number): boolean;
}

/**
 * hosts/moddable/digital-output: an ECMA-419 digital output (`embedded:io/digital`,
 * mode Digital.Output) for the board LED, used by the examples.
 *
 * `write(1)` turns the LED on whatever its wiring: the board's active level is
 * applied here. `writes` counts writes; `on` is the logical state.
 *
 * Allocation: `start()` allocates the Digital instance; `write` and `toggle`
 * allocate nothing (numbers and a native call).
 *
 * Proven on the XS engine host (test/moddable/moddable-host.test.ts): 10,000 write()
 * and 10,000 toggle(), 0 slots and 0 chunk bytes.
 *
 * Contexts: start()/close() at boot or shutdown; write()/toggle() from a tick
 * or an IO callback (both run on the main VM's task).
 *
 * Lifecycle:
 *
 *   [created] --start()--> [open] --close()--> [closed]
 *                            |  ^
 *                            +--+ write(on) / toggle()
 *
 * A board without an LED (NO_PIN) keeps the logical state and counts writes;
 * nothing is driven.
 */
import Digital from 'embedded:io/digital';
import { NO_PIN, type LedWriter } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

export interface LedOutputOptions {
  readonly name: string;
  readonly pin: number;
  /** Level that turns the LED on (0 or 1). */
  readonly activeLevel: number;
}

export class LedOutput implements LedWriter {
  readonly name: string;
  readonly pin: number;
  readonly activeLevel: number;
  /** Logical state: 1 on, 0 off. */
  on = 0;
  /** write() and toggle() calls. */
  writes = 0;
  private io: Digital | undefined = undefined;

  constructor(options: LedOutputOptions) {
    this.name = options.name;
    if (options.activeLevel !== 0 && options.activeLevel !== 1) {
      throw new DeviceHostError('BAD_ACTIVE_LEVEL', `LedOutput '${options.name}': activeLevel must be 0 or 1 (got ${options.activeLevel}); fix ledActiveLevel in the board config [BAD_ACTIVE_LEVEL]`);
    }
    this.pin = options.pin;
    this.activeLevel = options.activeLevel;
  }

  /** Boot only: opens the pin and drives it off. */
  start(): void {
    if (this.pin === NO_PIN) return;
    if (this.io !== undefined) {
      throw new DeviceHostError('STARTED_TWICE', `LedOutput '${this.name}': start() called twice on pin ${this.pin}; call close() first [STARTED_TWICE]`);
    }
    this.io = new Digital({ pin: this.pin, mode: Digital.Output });
    this.drive();
  }

  write(on: number): void {
    this.on = on ? 1 : 0;
    this.writes++;
    this.drive();
  }

  toggle(): void {
    this.write(this.on ^ 1);
  }

  close(): void {
    if (this.io === undefined) return;
    this.io.close();
    this.io = undefined;
  }

  private drive(): void {
    if (this.io !== undefined) this.io.write(this.on === 1 ? (this.activeLevel as 0 | 1) : ((this.activeLevel ^ 1) as 0 | 1));
  }
}

/**
 * hosts/moddable/digital-input: an ECMA-419 digital input (`embedded:io/digital`)
 * whose edges become signals in a Postable (a Keel event queue).
 *
 * On every edge, Moddable calls `onReadable`; the callback reads the pin and
 * posts `post(signal, pin, level, Time.ticks)`. A refused post (queue full) is
 * counted in `refused`, never dropped silently; `posted + refused === edges`.
 *
 * Allocation: `start()` allocates once (the Digital instance and the one
 * `onReadable` closure). An edge allocates nothing on the JavaScript side:
 * `read()` returns a number, `Time.ticks` is a number, `post` takes numbers.
 *
 * Proven on the XS engine host (test/moddable/moddable-host.test.ts, Moddable
 * stand-ins): 10,000 edges posted and drained, and 10,000 refused, 0 slots
 * and 0 chunk bytes, the first included.
 *
 * Contexts:
 *   start(), close()  main VM, boot or shutdown
 *   onReadable        Moddable delivers it on the main VM's task (the GPIO
 *                     interrupt only schedules it), between turns: never inside
 *                     a tick, so `post` here is not concurrent with the kernel.
 * Cost: not benched (needs a device); the JavaScript work per edge is one
 * `read()`, one `Time.ticks` and one `post`.
 *
 * Lifecycle:
 *
 *   [created] --start()--> [armed] --close()--> [closed]
 *                            |  ^
 *                            +--+ edge: onReadable -> read() -> target.post(...)
 *
 * ECMA-419 mapping: mode Digital.Input / InputPullUp / InputPullDown from
 * `pull`; edge Digital.Rising | Digital.Falling; the callback's `this` is the
 * Digital instance (ECMA-419 callbacks are invoked on the IO object).
 */
import Digital from 'embedded:io/digital';
import Time from 'time';
import { NO_PIN, PULL_DOWN, PULL_NONE, PULL_UP, type Postable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

export interface DigitalInputOptions {
  readonly name: string;
  /** GPIO number; NO_PIN makes start() a no-op (board without this input). */
  readonly pin: number;
  /** PULL_NONE, PULL_UP or PULL_DOWN. */
  readonly pull: number;
  /** Signal number posted on each edge. */
  readonly signal: number;
  readonly target: Postable;
}

export class DigitalInputSource {
  readonly name: string;
  readonly pin: number;
  readonly pull: number;
  readonly signal: number;
  /** Edges seen (onReadable calls). */
  edges = 0;
  /** Edges posted into the target. */
  posted = 0;
  /** Edges the target refused (queue full). */
  refused = 0;
  /** Last level read (0 or 1), -1 before the first edge. */
  level = -1;
  private readonly target: Postable;
  private io: Digital | undefined = undefined;

  constructor(options: DigitalInputOptions) {
    this.name = options.name;
    if (options.pull !== PULL_NONE && options.pull !== PULL_UP && options.pull !== PULL_DOWN) {
      throw new DeviceHostError('BAD_PULL', `DigitalInputSource '${options.name}': pull must be PULL_NONE (0), PULL_UP (1) or PULL_DOWN (2) (got ${options.pull}); fix buttonPull in the board config [BAD_PULL]`);
    }
    if (!(options.signal >= 0) || Math.floor(options.signal) !== options.signal) {
      throw new DeviceHostError('BAD_SIGNAL', `DigitalInputSource '${options.name}': signal must be an integer >= 0 (got ${options.signal}) [BAD_SIGNAL]`);
    }
    this.pin = options.pin;
    this.pull = options.pull;
    this.signal = options.signal;
    this.target = options.target;
  }

  get armed(): boolean {
    return this.io !== undefined;
  }

  /** Boot only: opens the pin and arms the edge callback. */
  start(): void {
    if (this.pin === NO_PIN) return;
    if (this.io !== undefined) {
      throw new DeviceHostError('STARTED_TWICE', `DigitalInputSource '${this.name}': start() called twice on pin ${this.pin}; call close() first [STARTED_TWICE]`);
    }
    const self = this;
    const mode = this.pull === PULL_UP ? Digital.InputPullUp : this.pull === PULL_DOWN ? Digital.InputPullDown : Digital.Input;
    this.io = new Digital({
      pin: this.pin,
      mode,
      edge: Digital.Rising | Digital.Falling,
      // The only closure: made once here, called on every edge.
      onReadable(this: Digital): void {
        self.onEdge(this.read(), Time.ticks);
      },
    });
  }

  /** One edge: exposed for the callback; allocation-free. */
  onEdge(level: number, nowMs: number): void {
    this.edges++;
    this.level = level;
    if (this.target.post(this.signal, this.pin, level, nowMs)) this.posted++;
    else this.refused++;
  }

  close(): void {
    if (this.io === undefined) return;
    this.io.close();
    this.io = undefined;
  }
}

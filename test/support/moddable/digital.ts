/**
 * test/support/moddable/digital: stand-in for ECMA-419's digital IO class as
 * Moddable implements it (`embedded:io/digital`, documentation/io/io.md,
 * "Digital"). scripts/bundle.mjs aliases `embedded:io/digital` to this file
 * for hosts/moddable and the boards.
 *
 * Kept from the API the device host uses:
 *   new Digital({ pin, mode, edge?, onReadable?, format?, target? })
 *     mode: Digital.Input 0, InputPullUp 1, InputPullDown 2, InputPullUpDown 3,
 *           Output 8, OutputOpenDrain 9 (Moddable's values)
 *     edge: Digital.Rising 1 | Digital.Falling 2; required with onReadable
 *     a pin already open throws (ECMA-419: the resource is in use)
 *   read(): 0 | 1        the pin level
 *   write(0 | 1)         output modes only (drives the level)
 *   close()              frees the pin; any later call throws
 *   format               "number" only
 *   onReadable           called with `this` = the Digital instance (ECMA-419
 *                        invokes callbacks on the IO object) and no argument,
 *                        when an enabled edge occurs
 *
 * Test drive (the GPIO interrupt stand-in):
 *   Digital.at(pin)            the open instance on `pin`, or undefined
 *   d.simulateEdge(level)      sets the input level; if that is an edge the
 *                              instance listens for, calls onReadable once.
 *                              Returns true when the callback ran.
 *   d.level, d.writes, d.reads the pin as the outside world sees it
 *   Digital.open               open instances (assert 0 in afterEach)
 *
 * Allocation: the constructor allocates (boot); read, write, simulateEdge and
 * the callback dispatch allocate nothing (numbers, one method call).
 * Limits: pins 0..MAX_PIN-1. Module state: the pin table is static state of
 * this test stand-in (never preloaded).
 */

/** Pins the stand-in accepts (0..MAX_PIN-1). */
export const MAX_PIN = 64;

export interface DigitalOptions {
  pin: number;
  mode: number;
  edge?: number;
  onReadable?: (this: Digital) => void;
  format?: 'number';
  target?: unknown;
}

const INPUT = 0;
const INPUT_PULL_UP = 1;
const INPUT_PULL_DOWN = 2;
const INPUT_PULL_UP_DOWN = 3;
const OUTPUT = 8;
const OUTPUT_OPEN_DRAIN = 9;
const RISING = 1;
const FALLING = 2;
const NUMBER_FORMAT = 'number';

export default class Digital {
  static readonly Input = INPUT;
  static readonly InputPullUp = INPUT_PULL_UP;
  static readonly InputPullDown = INPUT_PULL_DOWN;
  static readonly InputPullUpDown = INPUT_PULL_UP_DOWN;
  static readonly Output = OUTPUT;
  static readonly OutputOpenDrain = OUTPUT_OPEN_DRAIN;
  static readonly Rising = RISING;
  static readonly Falling = FALLING;

  /** Open instances. */
  static open = 0;
  private static readonly pins: (Digital | undefined)[] = new Array<Digital | undefined>(MAX_PIN).fill(undefined);

  readonly pin: number;
  readonly mode: number;
  readonly edge: number;
  readonly target: unknown;
  /** The pin level (inputs: set by simulateEdge; outputs: the last write). */
  level: 0 | 1;
  /** read() and write() calls; onReadable calls. */
  reads = 0;
  writes = 0;
  readables = 0;
  closed = false;
  /** The callback, called as a method so `this` is the instance. */
  private readonly onReadable: ((this: Digital) => void) | undefined;

  constructor(options: DigitalOptions) {
    const pin = options.pin;
    if (!Number.isInteger(pin) || pin < 0 || pin >= MAX_PIN) throw new RangeError(`Digital: invalid pin ${String(pin)}`);
    const mode = options.mode;
    if (mode !== INPUT && mode !== INPUT_PULL_UP && mode !== INPUT_PULL_DOWN && mode !== INPUT_PULL_UP_DOWN && mode !== OUTPUT && mode !== OUTPUT_OPEN_DRAIN) {
      throw new RangeError(`Digital: invalid mode ${String(mode)}`);
    }
    if (options.format !== undefined && options.format !== NUMBER_FORMAT) throw new RangeError(`Digital: unsupported format ${String(options.format)}`);
    const edge = options.edge ?? 0;
    if (options.onReadable !== undefined) {
      if (mode === OUTPUT || mode === OUTPUT_OPEN_DRAIN) throw new RangeError('Digital: onReadable on an output');
      if (edge === 0 || (edge & ~(RISING | FALLING)) !== 0) throw new RangeError(`Digital: onReadable needs edge Rising, Falling or both (got ${String(options.edge)})`);
    }
    if (Digital.pins[pin] !== undefined) throw new Error(`Digital: pin ${pin} in use`);
    this.pin = pin;
    this.mode = mode;
    this.edge = edge;
    this.target = options.target;
    this.onReadable = options.onReadable;
    // Idle level: pulled-up inputs read 1, everything else starts at 0.
    this.level = mode === INPUT_PULL_UP ? 1 : 0;
    Digital.pins[pin] = this;
    Digital.open++;
  }

  read(): 0 | 1 {
    if (this.closed) throw new Error(`Digital: read() on closed pin ${this.pin}`);
    this.reads++;
    return this.level;
  }

  write(value: 0 | 1): void {
    if (this.closed) throw new Error(`Digital: write() on closed pin ${this.pin}`);
    if (this.mode !== OUTPUT && this.mode !== OUTPUT_OPEN_DRAIN) throw new Error(`Digital: write() on input pin ${this.pin}`);
    this.writes++;
    this.level = value ? 1 : 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Digital.pins[this.pin] = undefined;
    Digital.open--;
  }

  get format(): 'number' {
    return NUMBER_FORMAT;
  }
  set format(value: 'number') {
    if (value !== NUMBER_FORMAT) throw new RangeError(`Digital: unsupported format ${String(value)}`);
  }

  /** Test hook: the open instance on `pin`. */
  static at(pin: number): Digital | undefined {
    return Digital.pins[pin];
  }

  /** Test hook: closes every open instance (afterEach safety net). */
  static closeAll(): void {
    for (let i = 0; i < MAX_PIN; i++) {
      const d = Digital.pins[i];
      if (d !== undefined) d.close();
    }
  }

  /**
   * Test hook (the interrupt): sets the input to `level`; a change that is an
   * enabled edge calls onReadable with `this` = the instance. Allocation-free.
   */
  simulateEdge(level: number): boolean {
    if (this.closed) throw new Error(`Digital: edge on closed pin ${this.pin}`);
    const next: 0 | 1 = level ? 1 : 0;
    if (next === this.level) return false;
    this.level = next;
    if (this.onReadable === undefined || (this.edge & (next === 1 ? RISING : FALLING)) === 0) return false;
    this.readables++;
    this.onReadable();
    return true;
  }
}

/**
 * test/support/moddable/digital: stand-in for ECMA-419's digital IO class as
 * Moddable implements it (`embedded:io/digital`). scripts/bundle.mjs aliases
 * `embedded:io/digital` to this file for hosts/moddable and the boards.
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/io/digital/digital.js      Digital extends DigitalBank: pin ->
 *     pins = 1 << (pin & 31), bank = pin >> 5; edge -> rises/falls; read()
 *     returns `super.read() ? 1 : 0`; write(v) writes `Number(v) ? ~0 : 0`
 *     (any truthy number drives the active level); Rising 1, Falling 2
 *   modules/io/digital/digitalbank.js  modes Input 0, InputPullUp 1,
 *     InputPullDown 2, InputPullUpDown 3, Output 8, OutputOpenDrain 9,
 *     ActiveLow 16; `format` getter "number", setter throws RangeError for
 *     anything else (no message)
 *   modules/io/digital/esp32/digitalbank.c and pico/digitalbank.c
 *     (constructor checks in source order, see below; read/write/close; the
 *     GPIO ISR `digitalISR` and `digitalDeliver`)
 *   modules/io/common/builtinCommon.c  the shared pin table (builtin.ts)
 *
 * Constructor errors (message text of a release build):
 *   pin undefined                          Error "invalid"        (digital.js)
 *   bank (pin >> 5) >= 2                   Error "invalid bank"
 *   esp32: pin not a valid GPIO            Error "invalid pin"
 *   pin used by another Digital or Serial  Error "in use"
 *   mode undefined                         Error "invalid"
 *   mode not one of the six               RangeError "invalid mode"
 *   onReadable not callable                Error "not a function"
 *   onReadable with no edge                RangeError "invalid edges"
 *   pico: onReadable on an output mode     RangeError "invalid mode"
 *     (esp32 ignores onReadable on outputs: no callback, no error)
 *   esp32: output mode on GPIO 34..39      RangeError "input only"
 *   format other than "number"             RangeError "invalid format"
 *   (a falsy format keeps "number")
 * Methods:
 *   read()      input modes: the level (XOR activeLow) as 0 | 1; on an
 *               output Error "can't read output"
 *   write(v)    output modes; on an input Error "can't write input"
 *   close()     frees the pin; a second close() does nothing; read, write
 *               and format after close throw SyntaxError
 *               "C: xsGetHostData: invalid host data"
 *   onReadable  called as onReadable.call(instance, triggered): `this` is the
 *               Digital and the one argument is the bit mask of the pins that
 *               triggered (1 << (pin & 31)), NOT a count and not nothing
 * Interrupt delivery (digitalISR / digitalDeliver): an enabled edge sets the
 * pin's bit in `triggered` and, only if `triggered` was 0, posts ONE message
 * to the VM; the message runs later, clears `triggered` and calls onReadable
 * once. Several edges before the delivery therefore give ONE callback, which
 * reads the level as it is then. A message pending at close() is dropped (no
 * callback). `activeLow` swaps rises and falls (edges are logical).
 *
 * Test drive (the GPIO interrupt and the event loop):
 *   Digital.at(pin)          the open instance on `pin`, or undefined
 *   d.interrupt(level)       sets the pin's level (the outside world); an
 *                            enabled edge marks it triggered (the ISR).
 *                            Returns true when a message was posted.
 *   d.deliver()              runs the posted message (digitalDeliver): calls
 *                            onReadable(triggered) once. True if it ran.
 *   d.simulateEdge(level)    interrupt(level) then deliver(): true if the
 *                            callback ran
 *   d.level, d.reads, d.writes, d.readables, d.lastTriggered
 *   Digital.open             open instances (assert 0 in afterEach)
 *
 * Allocation: the constructor allocates (boot); read, write, interrupt,
 * deliver, simulateEdge and the callback dispatch allocate nothing (numbers,
 * one method call). Limits: pins 0..MAX_PIN-1 in the lookup table.
 * Module state: the instance table (a test stand-in, never preloaded).
 */
import {
  arePinsFree,
  esp32OutputMask,
  esp32ValidMask,
  FORMAT_NUMBER,
  freePins,
  getCallback,
  getSignedInteger,
  initializeFormat,
  invalidHostData,
  PICO,
  platform,
  requireDevicePlatform,
  resetPins,
  toUnsigned,
  usePins,
} from './builtin.js';

/** Pins the lookup table covers (0..MAX_PIN-1). */
export const MAX_PIN = 64;

export type ReadableCallback = (this: Digital, triggered: number) => void;

export interface DigitalOptions {
  pin: number;
  mode: number;
  edge?: number;
  onReadable?: ReadableCallback;
  format?: 'number';
  target?: unknown;
  activeLow?: boolean;
  initialValue?: number;
}

const INPUT = 0;
const INPUT_PULL_UP = 1;
const INPUT_PULL_DOWN = 2;
const INPUT_PULL_UP_DOWN = 3;
const OUTPUT = 8;
const OUTPUT_OPEN_DRAIN = 9;
const ACTIVE_LOW = 16;
const RISING = 1;
const FALLING = 2;
const NUMBER_FORMAT = 'number';

function isInputMode(mode: number): boolean {
  return mode >= INPUT && mode <= INPUT_PULL_UP_DOWN;
}
function isOutputMode(mode: number): boolean {
  return mode === OUTPUT || mode === OUTPUT_OPEN_DRAIN;
}

export default class Digital {
  static readonly Input = INPUT;
  static readonly InputPullUp = INPUT_PULL_UP;
  static readonly InputPullDown = INPUT_PULL_DOWN;
  static readonly InputPullUpDown = INPUT_PULL_UP_DOWN;
  static readonly Output = OUTPUT;
  static readonly OutputOpenDrain = OUTPUT_OPEN_DRAIN;
  static readonly ActiveLow = ACTIVE_LOW;
  static readonly Rising = RISING;
  static readonly Falling = FALLING;

  /** Open instances. */
  static open = 0;
  private static readonly pins: (Digital | undefined)[] = new Array<Digital | undefined>(MAX_PIN).fill(undefined);

  readonly pin: number;
  readonly mode: number;
  /** Logical edges asked for (Rising | Falling), 0 without a callback. */
  readonly edge: number;
  /** options.target, set only when given (builtinInitializeTarget). */
  readonly target?: unknown;
  /** The pin's electrical level (inputs: set by interrupt(); outputs: driven by write()). */
  level: 0 | 1;
  /** read() and write() calls; onReadable calls; the last `triggered` argument. */
  reads = 0;
  writes = 0;
  readables = 0;
  lastTriggered = 0;
  /** Messages posted by the ISR stand-in. */
  posted = 0;
  closed = false;
  private readonly bank: number;
  private readonly mask: number;
  private readonly activeLow: number;
  private readonly isInput: boolean;
  /** Electrical edges that trigger (rises/falls after the activeLow swap). */
  private readonly risesPhysical: boolean;
  private readonly fallsPhysical: boolean;
  /** digitalDeliver's `triggered`; non-zero while a message is pending. */
  private triggered = 0;
  /** The callback, called as a method so `this` is the instance. */
  private readonly onReadable: ReadableCallback | undefined;

  constructor(options: DigitalOptions) {
    requireDevicePlatform('embedded:io/digital');
    const pico = platform() === PICO;
    // digital.js
    let pin: unknown = options.pin;
    if (pin === undefined) throw new Error('invalid');
    if ((pin as { port?: unknown }).port !== undefined) pin = (pin as { pin: unknown }).pin;
    const p = Number(pin) | 0;
    const pins = (1 << (p & 0x1f)) >>> 0;
    const bank = (p >> 5) & 0xff;
    const edge = options.edge ?? 0;
    const rises = (edge & RISING) !== 0;
    const falls = (edge & FALLING) !== 0;
    // digitalbank.c
    if (bank >= 2) throw new Error('invalid bank');
    if (pico) {
      // pico/digitalbank.c checks bank 0 whatever the bank (source as is).
      if (!arePinsFree(0, pins)) throw new Error('in use');
    } else {
      if ((pins & esp32ValidMask(bank)) >>> 0 !== pins) throw new Error('invalid pin');
      if (!arePinsFree(bank, pins)) throw new Error('in use');
    }
    const mode = getSignedInteger(options.mode);
    if (pico && bank === 1 && mode !== INPUT && mode !== OUTPUT) throw new RangeError('invalid mode');
    if (!isInputMode(mode) && !isOutputMode(mode)) throw new RangeError('invalid mode');
    const activeLow = 'activeLow' in options && options.activeLow ? pins : 0;
    let onReadable: ReadableCallback | undefined;
    let initialValue = 0;
    if (pico) {
      if (isOutputMode(mode) && 'initialValue' in options) initialValue = toUnsigned(Number(options.initialValue) ? pins : 0) & pins;
      onReadable = getCallback<ReadableCallback>(options, 'onReadable');
      if (bank === 0 && onReadable !== undefined) {
        if (!isInputMode(mode)) throw new RangeError('invalid mode');
        if (!rises && !falls) throw new RangeError('invalid edges');
      } else if (bank === 1 && onReadable !== undefined) throw new RangeError('invalid mode');
    } else if (isInputMode(mode)) {
      onReadable = getCallback<ReadableCallback>(options, 'onReadable');
      if (onReadable !== undefined && !rises && !falls) throw new RangeError('invalid edges');
    } else {
      if ((pins & esp32OutputMask(bank)) >>> 0 !== pins) throw new RangeError('input only');
      if ('initialValue' in options) initialValue = toUnsigned(Number(options.initialValue) ? pins : 0) & pins;
    }
    if ('target' in options) this.target = options.target;
    if (initializeFormat(options, FORMAT_NUMBER) !== FORMAT_NUMBER) throw new RangeError('invalid format');
    usePins(bank, pins);
    this.pin = p;
    this.bank = bank;
    this.mask = pins;
    this.mode = mode;
    this.activeLow = activeLow;
    this.isInput = isInputMode(mode);
    this.onReadable = onReadable;
    this.edge = onReadable === undefined ? 0 : edge & (RISING | FALLING);
    // activeLow swaps rises and falls: the edges asked for are logical.
    this.risesPhysical = activeLow !== 0 ? falls : rises;
    this.fallsPhysical = activeLow !== 0 ? rises : falls;
    // The outside world: a pulled-up input idles high; an output starts at initialValue ^ activeLow.
    if (this.isInput) this.level = mode === INPUT_PULL_UP || mode === INPUT_PULL_UP_DOWN ? 1 : 0;
    else this.level = ((initialValue ^ activeLow) & pins) !== 0 ? 1 : 0;
    if (p >= 0 && p < MAX_PIN) Digital.pins[p] = this;
    Digital.open++;
  }

  read(): 0 | 1 {
    if (this.closed) invalidHostData();
    if (!this.isInput) throw new Error("can't read output");
    this.reads++;
    return ((this.level !== 0 ? this.mask : 0) ^ this.activeLow) !== 0 ? 1 : 0;
  }

  write(value: 0 | 1): void {
    if (this.closed) invalidHostData();
    if (this.isInput) throw new Error("can't write input");
    this.writes++;
    // digital.js: Number(value) ? ~0 : 0; digitalbank.c: (value ^ activeLow) & pins.
    const v = Number(value) ? ~0 : 0;
    this.level = ((v ^ this.activeLow) & this.mask) !== 0 ? 1 : 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.triggered = 0; // digitalDeliver of a pending message frees the record without calling back
    freePins(this.bank, this.mask);
    if (this.pin >= 0 && this.pin < MAX_PIN && Digital.pins[this.pin] === this) Digital.pins[this.pin] = undefined;
    Digital.open--;
  }

  get format(): 'number' {
    if (this.closed) invalidHostData();
    return NUMBER_FORMAT;
  }
  set format(value: 'number') {
    if (this.closed) invalidHostData();
    if (value !== NUMBER_FORMAT) throw new RangeError();
  }

  /** Test hook: the open instance on `pin`. */
  static at(pin: number): Digital | undefined {
    return Digital.pins[pin];
  }

  /** Test hook: closes every open instance and frees every pin (afterEach safety net). */
  static closeAll(): void {
    for (let i = 0; i < MAX_PIN; i++) {
      const d = Digital.pins[i];
      if (d !== undefined) d.close();
    }
    Digital.open = 0;
    resetPins();
  }

  /**
   * Test hook (the GPIO and its ISR): sets the pin's level; an enabled edge
   * sets its bit in `triggered` and posts a message only if none is pending.
   * Returns true when a message was posted. Allocation-free.
   */
  interrupt(level: number): boolean {
    if (this.closed) throw new Error(`Digital stand-in: interrupt on closed pin ${this.pin}`);
    const next: 0 | 1 = level ? 1 : 0;
    if (next === this.level) return false;
    this.level = next;
    if (this.onReadable === undefined) return false;
    if (next === 1 ? !this.risesPhysical : !this.fallsPhysical) return false;
    const was = this.triggered;
    this.triggered = was | this.mask;
    if (was !== 0) return false;
    this.posted++;
    return true;
  }

  /** Test hook (the event loop): runs the pending message; true if onReadable ran. Allocation-free. */
  deliver(): boolean {
    const t = this.triggered;
    if (t === 0 || this.closed) return false;
    this.triggered = 0;
    this.readables++;
    this.lastTriggered = t;
    this.onReadable!(t);
    return true;
  }

  /** Test hook: interrupt(level) then deliver(). True when the callback ran. */
  simulateEdge(level: number): boolean {
    this.interrupt(level);
    return this.deliver();
  }
}

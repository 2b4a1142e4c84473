/**
 * test/support/moddable/serial: stand-in for ECMA-419's serial IO class as
 * Moddable implements it on ESP32 and Pico (`embedded:io/serial`).
 * scripts/bundle.mjs aliases `embedded:io/serial` to this file for
 * hosts/moddable and the boards. The platform comes from builtin.ts
 * (setPlatform; 'esp32' by default).
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/io/serial/esp32/serial.js, serial.c   (ESP32)
 *   modules/io/serial/pico/serial.js, serial.c    (Pico; same serial.js)
 *   modules/io/common/builtinCommon.c             pins, callbacks, formats
 *   build/devices/esp32/lib/debugger/debugger_uart.c  installs the ESP-IDF
 *     UART driver on UART 0 (the console/xsbug port); xsProj-esp32/main/
 *     CMakeLists.txt compiles it into debug (-d) and instrumented (-i)
 *     builds (a plain release build gets debugger_none.c: UART 0 is free)
 *
 * Constructor (xs_serial_constructor), in source order; release-build texts:
 *   transmit / receive pin: undefined Error "invalid", negative RangeError
 *     "negative", taken by any IO object (the shared pin table) or not a GPIO
 *     Error "in use"; neither given Error "invalid"
 *   esp32: port (default 0) outside 0..2                  RangeError "invalid port"
 *   baud <= 0 or > 20000000                               RangeError "invalid baud"
 *   onReadable / onWritable not callable                  Error "not a function"
 *   format: default "buffer"; other than number/buffer    RangeError "invalid format"
 *   esp32: the ESP-IDF driver is installed on the port (UART 0 in debug and
 *     instrumented builds, the stand-in's default; setConsolePort(-1) for a
 *     plain release build)                                RangeError "port in use"
 *   esp32: transmit on GPIO 34..39 (uart_set_pin fails)   Error "uart failed"
 *   pico: `port` is ignored; the UART comes from the pins (UART0 TX 0/12/16/28,
 *     RX 1/13/17/29; UART1 TX 4/8/20/24, RX 5/9/21/25), else Error "invalid";
 *     that UART already opened (even if closed since: see close)  RangeError "port in use"
 *   esp32 does NOT detect a second open of the same UART with other pins
 *   (it only checks the ESP-IDF driver): no error, as in the SDK.
 * Callbacks: onReadable(count) and onWritable(count), called with `this` =
 *   the Serial (xsCallFunction1(..., serial->obj, count)) from ONE message
 *   (serialDeliver): onReadable first, then onWritable, each only if its
 *   count is > 0. count = bytes readable now / bytes write() accepts now.
 *   onReadable is armed only with a receive pin, onWritable only with a
 *   transmit pin.
 * Transmit side and onWritable:
 *   esp32: the 128-byte hardware TX FIFO (SOC_UART_FIFO_LEN); writable count
 *     = 128 - bytes queued (uart_ll_get_txfifo_len). The TX-empty interrupt
 *     (threshold kTransmitTreshold = 10) is enabled at open, so onWritable(128)
 *     is delivered right after open; the ISR disables it when it fires and
 *     write() re-enables it, so after each write onWritable comes again once
 *     fewer than 10 bytes are queued.
 *   pico: a 128-byte software FIFO (serial.c FIFO_SIZE) in front of the
 *     RP2040's 32-byte hardware FIFO; writable count = 128 - software FIFO
 *     length. uart_irq() runs at open, on every read()/write() and on the
 *     UART interrupt, and posts onWritable whenever the software FIFO is not
 *     full: onWritable(128) right after open and after every write.
 *   write(byte) ("number"): (uint8_t)ToInteger(byte) (no range check: 256
 *     sends 0); with no room: Error "output full". write(buffer) ("buffer"):
 *     more bytes than room: Error "output full".
 * Receive side: esp32 reads the 128-byte hardware RX FIFO; pico a 128-byte
 *   software FIFO filled from the 32-byte hardware FIFO by uart_irq (when the
 *   software FIFO is full the RX interrupt is disabled and bytes wait in, then
 *   overflow, the hardware FIFO). read() ("number") with nothing to read:
 *   esp32 returns undefined, pico throws Error "no data".
 * close(): frees the pins; a second close() does nothing; read, write and
 *   format after close throw SyntaxError "C: xsGetHostData: invalid host
 *   data"; a message pending at close is dropped. pico: the UART stays marked
 *   in use (uart_in_use[] is never cleared by the destructor), so opening it
 *   again throws RangeError "port in use" until a reboot (resetSerialPorts()).
 * format getter: "number" | "buffer"; setter: unknown name RangeError
 *   "unknown", another known format RangeError "unimplemented".
 * Not simulated: line timing (the test moves bytes), the ESP32 RX FIFO-full
 *   threshold and idle timeout (every arriving byte raises the RX interrupt
 *   while it is enabled), flush/purge, flow control.
 *
 * Test drive (the wire and the event loop):
 *   Serial.at(port)   the open instance on UART `port` (the last opened), or undefined
 *   s.inject(byte)    one byte arrives (false and rxOverflow++ when the FIFO is full)
 *   s.deliver()       runs one posted message (serialDeliver); true if a callback ran
 *   s.deliverAll()    runs every posted message; how many callbacks ran
 *   s.takeTx()        the line sends the oldest queued byte: returns it, or -1
 *   s.rxWaiting, s.txWaiting, s.txRoom (what write() accepts now), s.messages,
 *   s.rxOverflow, s.readables, s.writables, s.lastReadableCount, s.lastWritableCount
 *   Serial.open       open instances (assert 0 in afterEach)
 *   Serial.txCapacity()  bytes write() takes with no drain before "output full"
 *                     (esp32 128; pico 128 + 32 moved on to the hardware FIFO)
 *
 * Allocation: the constructor allocates (FIFOs, boot). inject, deliver,
 * takeTx, read and write in "number" format allocate nothing; "buffer"
 * read() allocates its ArrayBuffer, as in the SDK.
 * Module state: the instance table (a test stand-in, never preloaded).
 */
import {
  FORMAT_BUFFER,
  FORMAT_NUMBER,
  formatName,
  freePin,
  getCallback,
  getSignedInteger,
  getUnsignedInteger,
  initializeFormat,
  invalidHostData,
  isPinFree,
  PICO,
  platform,
  requireDevicePlatform,
  setFormat,
  toInteger,
  usePin,
} from './builtin.js';

/** ESP32: hardware UART FIFO bytes per direction (ESP-IDF SOC_UART_FIFO_LEN). */
export const ESP32_UART_FIFO_BYTES = 128;
/** ESP32 serial.c kTransmitTreshold: the TX-empty interrupt fires below this many queued bytes. */
export const ESP32_TX_EMPTY_THRESHOLD = 10;
/** ESP32: UART ports 0..2 (UART_NUM_MAX). */
export const ESP32_UART_PORTS = 3;
/** Pico serial.c FIFO_SIZE: the software FIFO per direction. */
export const PICO_SERIAL_FIFO_BYTES = 128;
/** RP2040 PL011 hardware FIFO per direction. */
export const RP2040_UART_FIFO_BYTES = 32;
/** Open instances the stand-in tracks at once. */
export const MAX_OPEN = 8;

const PICO_UART0_TX = Object.freeze([0, 12, 16, 28]);
const PICO_UART0_RX = Object.freeze([1, 13, 17, 29]);
const PICO_UART1_TX = Object.freeze([4, 8, 20, 24]);
const PICO_UART1_RX = Object.freeze([5, 9, 21, 25]);
const NO_PIN = -1;

export type CountCallback = (this: Serial, count: number) => void;

export interface SerialOptions {
  port?: number;
  receive?: number;
  transmit?: number;
  baud: number;
  format?: 'number' | 'buffer';
  onReadable?: CountCallback;
  onWritable?: CountCallback;
  target?: unknown;
}

/** A byte ring (boot-time allocation; put/get allocation-free). */
class Fifo {
  readonly bytes: Uint8Array;
  head = 0;
  length = 0;
  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }
  get full(): boolean {
    return this.length === this.capacity;
  }
  put(b: number): boolean {
    if (this.length === this.capacity) return false;
    let t = this.head + this.length;
    if (t >= this.capacity) t -= this.capacity;
    this.bytes[t] = b;
    this.length++;
    return true;
  }
  /** The oldest byte, or -1. */
  get(): number {
    if (this.length === 0) return -1;
    const b = this.bytes[this.head]!;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.length--;
    return b;
  }
  clear(): void {
    this.head = 0;
    this.length = 0;
  }
}

interface PortTable {
  /** esp32: the ESP-IDF driver installed on the port (UART 0: the console). */
  readonly driverInstalled: Uint8Array;
  /** pico: uart_in_use[] (never cleared by close). */
  readonly picoInUse: Uint8Array;
}
const portTable: PortTable = { driverInstalled: new Uint8Array(ESP32_UART_PORTS), picoInUse: new Uint8Array(2) };
portTable.driverInstalled[0] = 1;

/** Test hook: the ESP32 port whose ESP-IDF driver is installed (the console: 0 in -d/-i builds, the default); -1 for none (plain release). */
export function setConsolePort(port: number): void {
  portTable.driverInstalled.fill(0);
  if (port >= 0 && port < ESP32_UART_PORTS) portTable.driverInstalled[port] = 1;
}

/** Test hook: a reboot for the port bookkeeping (pico uart_in_use cleared, esp32 console on UART 0). */
export function resetSerialPorts(): void {
  portTable.picoInUse.fill(0);
  setConsolePort(0);
}

function picoUartFor(transmit: number, receive: number): number {
  if (transmit !== NO_PIN) {
    if (PICO_UART0_TX.indexOf(transmit) >= 0) return 0;
    if (PICO_UART1_TX.indexOf(transmit) >= 0) return 1;
  } else if (receive !== NO_PIN) {
    if (PICO_UART0_RX.indexOf(receive) >= 0) return 0;
    if (PICO_UART1_RX.indexOf(receive) >= 0) return 1;
  }
  return -1;
}

export default class Serial {
  static open = 0;
  private static readonly instances: (Serial | undefined)[] = new Array<Serial | undefined>(MAX_OPEN).fill(undefined);

  /** The UART number (esp32: options.port; pico: from the pins). */
  readonly port: number;
  readonly receive: number | undefined;
  readonly transmit: number | undefined;
  readonly baud: number;
  readonly target?: unknown;
  closed = false;
  /** Bytes lost because the receive FIFO(s) were full. */
  rxOverflow = 0;
  /** onReadable / onWritable calls and their last counts. */
  readables = 0;
  writables = 0;
  lastReadableCount = 0;
  lastWritableCount = 0;
  /** Messages posted and not yet delivered. */
  messages = 0;
  /** Bytes the line has sent (takeTx). */
  sent = 0;
  private fmt: number;
  private readonly pico: boolean;
  private readonly onReadable: CountCallback | undefined;
  private readonly onWritable: CountCallback | undefined;
  /** esp32: the hardware FIFOs; pico: the software FIFOs. */
  private readonly rx: Fifo;
  private readonly tx: Fifo;
  /** pico only: the RP2040 hardware FIFOs. */
  private readonly hwRx: Fifo;
  private readonly hwTx: Fifo;
  private txInterrupt = false;
  private rxInterrupt = false;
  private isReadable = false;
  private isWritable = false;
  /** pico: msgOut (one message at a time). */
  private msgOut = 0;

  constructor(options: SerialOptions) {
    requireDevicePlatform('embedded:io/serial');
    const pico = platform() === PICO;
    let transmit = NO_PIN;
    let receive = NO_PIN;
    if ('transmit' in options) {
      transmit = getUnsignedInteger(options.transmit);
      if (!isPinFree(transmit)) throw new Error('in use');
    }
    if ('receive' in options) {
      receive = getUnsignedInteger(options.receive);
      if (!isPinFree(receive)) throw new Error('in use');
    } else if (transmit === NO_PIN) throw new Error('invalid');
    let port = 0;
    if (!pico && 'port' in options) {
      port = getSignedInteger(options.port);
      if (port < 0 || port >= ESP32_UART_PORTS) throw new RangeError('invalid port');
    }
    const baud = toInteger(options.baud);
    if (baud <= 0 || baud > 20000000) throw new RangeError('invalid baud');
    const onReadable = getCallback<CountCallback>(options, 'onReadable');
    const onWritable = getCallback<CountCallback>(options, 'onWritable');
    if ('target' in options) this.target = options.target;
    const format = initializeFormat(options, FORMAT_BUFFER);
    if (format !== FORMAT_NUMBER && format !== FORMAT_BUFFER) throw new RangeError('invalid format');
    if (pico) {
      port = picoUartFor(transmit, receive);
      if (port < 0) throw new Error('invalid');
      if (portTable.picoInUse[port] !== 0) throw new RangeError('port in use');
    } else {
      if (portTable.driverInstalled[port] !== 0) throw new RangeError('port in use');
      if (transmit !== NO_PIN && transmit >= 34) throw new Error('uart failed');
    }
    let slot = -1;
    for (let i = 0; i < MAX_OPEN; i++) {
      if (Serial.instances[i] === undefined) {
        slot = i;
        break;
      }
    }
    if (slot < 0) throw new Error(`Serial stand-in: more than ${MAX_OPEN} open instances; close some (Serial.closeAll() in afterEach)`);
    this.port = port;
    this.transmit = transmit === NO_PIN ? undefined : transmit;
    this.receive = receive === NO_PIN ? undefined : receive;
    this.baud = baud;
    this.fmt = format;
    this.pico = pico;
    this.onReadable = receive !== NO_PIN ? onReadable : undefined;
    this.onWritable = transmit !== NO_PIN ? onWritable : undefined;
    this.rx = new Fifo(pico ? PICO_SERIAL_FIFO_BYTES : ESP32_UART_FIFO_BYTES);
    this.tx = new Fifo(pico ? PICO_SERIAL_FIFO_BYTES : ESP32_UART_FIFO_BYTES);
    this.hwRx = new Fifo(pico ? RP2040_UART_FIFO_BYTES : 1);
    this.hwTx = new Fifo(pico ? RP2040_UART_FIFO_BYTES : 1);
    if (pico) portTable.picoInUse[port] = 1;
    if (transmit !== NO_PIN) usePin(transmit);
    if (receive !== NO_PIN) usePin(receive);
    Serial.instances[slot] = this;
    Serial.open++;
    if (pico) {
      this.rxInterrupt = this.onReadable !== undefined;
      this.txInterrupt = this.onWritable !== undefined;
      Serial.picoIrq();
    } else {
      // esp32: the RX interrupt is enabled with onReadable; the TX-empty
      // interrupt with onWritable, and it fires at once (the FIFO is empty).
      this.rxInterrupt = this.onReadable !== undefined;
      this.txInterrupt = this.onWritable !== undefined;
      this.esp32Isr();
    }
  }

  // ---- the SDK's methods ---------------------------------------------------------

  read(): number | undefined;
  read(byteLength: number): ArrayBuffer | undefined;
  read(buffer: ArrayBuffer | ArrayBufferView): number | undefined;
  read(arg?: number | ArrayBuffer | ArrayBufferView): number | ArrayBuffer | undefined {
    if (this.closed) invalidHostData();
    if (this.pico) return this.picoRead(arg);
    const available = this.rx.length;
    if (available === 0) return undefined;
    let result: number | ArrayBuffer | undefined;
    if (this.fmt === FORMAT_NUMBER) result = this.rx.get();
    else result = this.readBuffer(arg, available, false);
    if (this.onReadable !== undefined) this.rxInterrupt = true;
    return result;
  }

  write(value: number | ArrayBuffer | ArrayBufferView): void {
    if (this.closed) invalidHostData();
    const room = this.txRoom;
    if (this.fmt === FORMAT_NUMBER) {
      if (room === 0) throw new Error('output full');
      this.tx.put(toInteger(value) & 0xff);
    } else {
      const bytes = Serial.bytesOf(value);
      if (bytes.length > room) throw new Error('output full');
      for (let i = 0; i < bytes.length; i++) this.tx.put(bytes[i]!);
    }
    if (this.pico) {
      this.txInterrupt = this.onWritable !== undefined;
      Serial.picoIrq();
    } else if (this.onWritable !== undefined && !this.txInterrupt) {
      this.txInterrupt = true;
      this.esp32Isr();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.txInterrupt = false;
    this.rxInterrupt = false;
    if (this.transmit !== undefined) freePin(this.transmit);
    if (this.receive !== undefined) freePin(this.receive);
    for (let i = 0; i < MAX_OPEN; i++) if (Serial.instances[i] === this) Serial.instances[i] = undefined;
    Serial.open--;
  }

  get format(): 'number' | 'buffer' {
    if (this.closed) invalidHostData();
    return formatName(this.fmt) as 'number' | 'buffer';
  }
  set format(value: 'number' | 'buffer') {
    if (this.closed) invalidHostData();
    const f = setFormat(value);
    if (f !== FORMAT_NUMBER && f !== FORMAT_BUFFER) throw new RangeError('unimplemented');
    this.fmt = f;
  }

  // ---- test drive ------------------------------------------------------------------

  /** Bytes received and not yet read (software + hardware FIFOs on pico). */
  get rxWaiting(): number {
    return this.rx.length + (this.pico ? this.hwRx.length : 0);
  }
  /** Bytes written and not yet sent on the line. */
  get txWaiting(): number {
    return this.tx.length + (this.pico ? this.hwTx.length : 0);
  }
  /** What write() accepts now: the count onWritable would report. */
  get txRoom(): number {
    return this.tx.capacity - this.tx.length;
  }

  /** Bytes write() takes with no drain before "output full" on the current platform. */
  static txCapacity(): number {
    return platform() === PICO ? PICO_SERIAL_FIFO_BYTES + RP2040_UART_FIFO_BYTES : ESP32_UART_FIFO_BYTES;
  }

  /** Test hook: the open instance on UART `port` (the last opened), or undefined. */
  static at(port: number): Serial | undefined {
    let found: Serial | undefined;
    for (let i = 0; i < MAX_OPEN; i++) {
      const s = Serial.instances[i];
      if (s !== undefined && s.port === port) found = s;
    }
    return found;
  }

  /** Test hook: closes every open instance and reboots the port bookkeeping. */
  static closeAll(): void {
    for (let i = 0; i < MAX_OPEN; i++) {
      const s = Serial.instances[i];
      if (s !== undefined) s.close();
    }
    Serial.open = 0;
    resetSerialPorts();
  }

  /** Test hook: one byte arrives on the wire. False (rxOverflow++) when it is lost to a full FIFO. Allocation-free. */
  inject(byte: number): boolean {
    if (this.closed) throw new Error(`Serial stand-in: inject on closed UART ${this.port}`);
    if (this.pico) {
      if (!this.hwRx.put(byte & 0xff)) {
        this.rxOverflow++;
        return false;
      }
      if (this.rxInterrupt) Serial.picoIrq();
      return true;
    }
    if (!this.rx.put(byte & 0xff)) {
      this.rxOverflow++;
      return false;
    }
    if (this.rxInterrupt) this.esp32Isr(true);
    return true;
  }

  /** Test hook: the line sends the oldest queued byte; returns it, or -1. Allocation-free. */
  takeTx(): number {
    if (this.pico) {
      const b = this.hwTx.get();
      if (b < 0) return -1;
      this.sent++;
      if (this.txInterrupt && !this.closed) Serial.picoIrq();
      return b;
    }
    const b = this.tx.get();
    if (b < 0) return -1;
    this.sent++;
    if (this.txInterrupt && !this.closed) this.esp32Isr();
    return b;
  }

  /** Test hook: runs one posted message (serialDeliver). True when a callback ran. Allocation-free. */
  deliver(): boolean {
    if (this.messages === 0) return false;
    this.messages--;
    if (this.closed) return false;
    let ran = false;
    if (this.pico) this.msgOut = 0;
    if (this.isReadable && this.onReadable !== undefined) {
      this.isReadable = false;
      const count = this.rx.length;
      if (count !== 0) {
        this.readables++;
        this.lastReadableCount = count;
        this.onReadable(count);
        ran = true;
      }
      if (!this.pico && !this.closed) this.rxInterrupt = true;
    }
    if (this.isWritable && this.onWritable !== undefined && !this.closed) {
      this.isWritable = false;
      const count = this.tx.capacity - this.tx.length;
      if (count !== 0) {
        this.writables++;
        this.lastWritableCount = count;
        this.onWritable(count);
        ran = true;
      }
    }
    return ran;
  }

  /** Test hook: runs every posted message; returns how many callbacks ran. */
  deliverAll(): number {
    let n = 0;
    for (let guard = 1000; guard > 0 && this.messages > 0; guard--) if (this.deliver()) n++;
    return n;
  }

  // ---- internals ---------------------------------------------------------------

  /** esp32 serial_isr: the TX-empty and RX conditions, one message per newly set flag. */
  private esp32Isr(rxArrived = false): void {
    let post = false;
    if (this.txInterrupt && this.tx.length < ESP32_TX_EMPTY_THRESHOLD && this.onWritable !== undefined) {
      post = post || !this.isWritable;
      this.isWritable = true;
      this.txInterrupt = false;
    }
    if (rxArrived && this.rxInterrupt && this.onReadable !== undefined) {
      post = post || !this.isReadable;
      this.isReadable = true;
      this.rxInterrupt = false;
    }
    if (post) this.messages++;
  }

  /** pico uart_irq(): services every open UART (the `post` flag carries over, as in the source). */
  private static picoIrq(): void {
    let post = false;
    for (let i = 0; i < MAX_OPEN; i++) {
      const s = Serial.instances[i];
      if (s === undefined || !s.pico) continue;
      while (!s.hwTx.full && s.tx.length !== 0) s.hwTx.put(s.tx.get());
      s.txInterrupt = false;
      if (!s.tx.full && s.onWritable !== undefined) {
        post = post || !s.isWritable;
        s.isWritable = true;
      }
      if (s.tx.length !== 0) s.txInterrupt = true;
      while (s.hwRx.length !== 0 && !s.rx.full) s.rx.put(s.hwRx.get());
      if (s.rx.full) s.rxInterrupt = false;
      else if (s.onReadable !== undefined) {
        post = post || !s.isReadable;
        s.isReadable = true;
      }
      if (post && s.msgOut === 0) {
        s.msgOut++;
        s.messages++;
      }
    }
  }

  private picoRead(arg?: number | ArrayBuffer | ArrayBufferView): number | ArrayBuffer | undefined {
    let result: number | ArrayBuffer | undefined;
    if (this.fmt === FORMAT_NUMBER) {
      if (this.rx.length === 0) throw new Error('no data');
      result = this.rx.get();
    } else result = this.readBuffer(arg, this.rx.length, true);
    this.rxInterrupt = this.onReadable !== undefined;
    Serial.picoIrq();
    return result;
  }

  /** "buffer" format read: () all available, (n) n bytes, (buffer) into it. */
  private readBuffer(arg: number | ArrayBuffer | ArrayBufferView | undefined, available: number, strict: boolean): number | ArrayBuffer {
    let requested: number;
    let into: Uint8Array | undefined;
    if (arg === undefined) requested = available;
    else if (typeof arg === 'object') {
      into = arg instanceof ArrayBuffer ? new Uint8Array(arg) : new Uint8Array(arg.buffer, arg.byteOffset, arg.byteLength);
      requested = strict ? into.length : Math.min(into.length, available);
    } else requested = toInteger(arg);
    if (requested <= 0 || (strict && requested > available)) throw new Error('invalid');
    if (requested > available) throw new Error(`Serial stand-in: read(${requested}) with ${available} bytes in the FIFO reads stale FIFO bytes on esp32; not simulated`);
    const out = into ?? new Uint8Array(requested);
    for (let i = 0; i < requested; i++) out[i] = this.rx.get();
    return into !== undefined ? requested : out.buffer as ArrayBuffer;
  }

  private static bytesOf(value: unknown): Uint8Array {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw new TypeError('Serial stand-in: write() in "buffer" format needs an ArrayBuffer or a view');
  }
}

/**
 * test/support/moddable/serial: stand-in for ECMA-419's serial IO class as
 * Moddable implements it (`embedded:io/serial`, documentation/io/io.md,
 * "Serial"), in "number" format. scripts/bundle.mjs aliases
 * `embedded:io/serial` to this file for hosts/moddable and the boards.
 *
 * Kept from the API the device host uses:
 *   new Serial({ port, receive?, transmit?, baud, format?, onReadable?, onWritable?, target? })
 *     one of receive/transmit is required; baud > 0; a port already open throws
 *   read()      "number" format: the next received byte, or undefined when
 *               none is waiting
 *   write(byte) "number" format: sends one byte (0..255)
 *   close()     frees the port; any later call throws
 *   onReadable(count)  called with `this` = the instance and the number of
 *               bytes waiting, when bytes arrive
 * The "buffer" format is not simulated (the constructor throws for it).
 *
 * Test drive (the UART stand-in):
 *   Serial.at(port)        the open instance on `port`, or undefined
 *   s.inject(byte)         one received byte into the RX FIFO (false: FIFO full)
 *   s.deliver()            calls onReadable(waiting) once if bytes wait
 *   s.takeTx()             the next byte written, or -1
 *   s.rxWaiting, s.txWaiting, s.rxOverflow
 *   Serial.open            open instances (assert 0 in afterEach)
 *
 * Allocation: the constructor allocates (two Uint8Array FIFOs, boot); read,
 * write, inject, deliver and takeTx allocate nothing.
 * Limits: FIFO_BYTES per direction, ports 0..MAX_PORT-1.
 */

export const FIFO_BYTES = 1024;
export const MAX_PORT = 4;
const NUMBER_FORMAT = 'number';

export interface SerialOptions {
  port: number;
  receive?: number;
  transmit?: number;
  baud: number;
  format?: 'number' | 'buffer';
  onReadable?: (this: Serial, count: number) => void;
  onWritable?: (this: Serial, count: number) => void;
  target?: unknown;
}

export default class Serial {
  static open = 0;
  private static readonly ports: (Serial | undefined)[] = new Array<Serial | undefined>(MAX_PORT).fill(undefined);

  readonly port: number;
  readonly receive: number | undefined;
  readonly transmit: number | undefined;
  readonly baud: number;
  readonly target: unknown;
  closed = false;
  /** Bytes refused by inject() because the RX FIFO was full. */
  rxOverflow = 0;
  /** onReadable calls. */
  readables = 0;
  private readonly onReadable: ((this: Serial, count: number) => void) | undefined;
  private readonly rx = new Uint8Array(FIFO_BYTES);
  private rxHead = 0;
  private rxCount = 0;
  private readonly tx = new Uint8Array(FIFO_BYTES);
  private txHead = 0;
  private txCount = 0;

  constructor(options: SerialOptions) {
    const port = options.port;
    if (!Number.isInteger(port) || port < 0 || port >= MAX_PORT) throw new RangeError(`Serial: invalid port ${String(port)}`);
    if (options.receive === undefined && options.transmit === undefined) throw new RangeError('Serial: receive or transmit pin required');
    if (!(options.baud > 0)) throw new RangeError(`Serial: invalid baud ${String(options.baud)}`);
    if (options.format !== undefined && options.format !== NUMBER_FORMAT) throw new RangeError(`Serial stand-in: only the "number" format is simulated (got ${String(options.format)})`);
    if (Serial.ports[port] !== undefined) throw new Error(`Serial: port ${port} in use`);
    this.port = port;
    this.receive = options.receive;
    this.transmit = options.transmit;
    this.baud = options.baud;
    this.target = options.target;
    this.onReadable = options.onReadable;
    Serial.ports[port] = this;
    Serial.open++;
  }

  get rxWaiting(): number {
    return this.rxCount;
  }
  get txWaiting(): number {
    return this.txCount;
  }

  read(): number | undefined {
    if (this.closed) throw new Error(`Serial: read() on closed port ${this.port}`);
    if (this.rxCount === 0) return undefined;
    const b = this.rx[this.rxHead]!;
    this.rxHead = (this.rxHead + 1) % FIFO_BYTES;
    this.rxCount--;
    return b;
  }

  write(value: number): void {
    if (this.closed) throw new Error(`Serial: write() on closed port ${this.port}`);
    if (!(value >= 0 && value <= 255 && (value | 0) === value)) throw new RangeError(`Serial: write() of ${String(value)}: a byte 0..255 in "number" format`);
    if (this.txCount === FIFO_BYTES) throw new Error(`Serial stand-in: TX FIFO full (${FIFO_BYTES} bytes); drain it with takeTx()`);
    this.tx[(this.txHead + this.txCount) % FIFO_BYTES] = value;
    this.txCount++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Serial.ports[this.port] = undefined;
    Serial.open--;
  }

  get format(): 'number' {
    return NUMBER_FORMAT;
  }
  set format(value: 'number') {
    if (value !== NUMBER_FORMAT) throw new RangeError(`Serial stand-in: only the "number" format is simulated (got ${String(value)})`);
  }

  /** Test hook: the open instance on `port`. */
  static at(port: number): Serial | undefined {
    return Serial.ports[port];
  }

  /** Test hook: closes every open instance. */
  static closeAll(): void {
    for (let i = 0; i < MAX_PORT; i++) {
      const s = Serial.ports[i];
      if (s !== undefined) s.close();
    }
  }

  /** Test hook: one byte arrives. False (counted in rxOverflow) when the RX FIFO is full. */
  inject(byte: number): boolean {
    if (this.rxCount === FIFO_BYTES) {
      this.rxOverflow++;
      return false;
    }
    this.rx[(this.rxHead + this.rxCount) % FIFO_BYTES] = byte;
    this.rxCount++;
    return true;
  }

  /** Test hook: if bytes wait, calls onReadable(waiting) once with `this` = the instance. Returns true if it ran. */
  deliver(): boolean {
    if (this.closed || this.rxCount === 0 || this.onReadable === undefined) return false;
    this.readables++;
    this.onReadable(this.rxCount);
    return true;
  }

  /** Test hook: the oldest byte written and not yet taken, or -1. */
  takeTx(): number {
    if (this.txCount === 0) return -1;
    const b = this.tx[this.txHead]!;
    this.txHead = (this.txHead + 1) % FIFO_BYTES;
    this.txCount--;
    return b;
  }
}

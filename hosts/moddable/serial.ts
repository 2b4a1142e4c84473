/**
 * hosts/moddable/serial: the UART of the line-protocol example, over an
 * ECMA-419 serial port (`embedded:io/serial`) in "number" format: `read()`
 * returns one byte as a number and `write(byte)` sends one, so neither side
 * makes an ArrayBuffer per byte.
 *
 * Receive: each onReadable(count) reads `count` bytes (at most
 * MAX_READ_PER_CALLBACK; never more than the port reported, so a Pico's
 * read() never throws "no data") into the sink's `onRxByte`; a byte the sink
 * refuses (its stream is full) is counted in `refused`.
 *
 * Transmit honours onWritable. On Moddable a "number" write() into a full
 * transmit FIFO throws Error "output full" (ESP32: the 128-byte hardware
 * FIFO; Pico: a 128-byte software FIFO before the 32-byte hardware one). The
 * port reports room only through onWritable(count): "count bytes can be
 * written now". Both SDK ports call it right after open (ESP32: the TX-empty
 * interrupt is armed at open; Pico: uart_irq() runs at the end of the
 * constructor) with the whole FIFO, and again after writes (ESP32: once fewer
 * than 10 bytes are queued; Pico: after every write that leaves room). So:
 *   `room` = the count of the last onWritable minus the bytes written since
 *           (0 before the first onWritable: nothing is written blind);
 *   write(byte): boolean  writes only while room > 0 and returns true; with
 *           no room it returns false and counts `txFull`: the caller keeps
 *           the byte and offers it again after `sink.onTxReady()`;
 *   onWritable(count) sets room = count and calls `sink.onTxReady()` (the
 *           example posts a readiness signal to its transmitter).
 * Since the FIFO only drains between two onWritable calls, the counted room
 * never exceeds the real one and "output full" cannot happen. If a write()
 * throws anyway (a port shared with other code, a closed port), the byte is
 * not taken: write returns false, `writeErrors` counts it, room drops to 0,
 * and the next onWritable resumes. Nothing is thrown out of an action and no
 * byte is lost by the port.
 *
 * Counters: received, refused (sink full), written (bytes the port took),
 * txFull (offers refused for lack of room), writeErrors (write() threw),
 * writables (onWritable calls), dropped (written on a board without a UART).
 *
 * Allocation: `start()` allocates once (the Serial instance and its two
 * callbacks). Receiving, onWritable and write allocate nothing on the
 * JavaScript side (numbers and native calls; try/catch without a throw is
 * free on XS; the catch path runs only on an anomaly).
 *
 * Proven on the XS engine host (test/moddable/moddable-host.test.ts, serial
 * stand-in): 10,000 x (one byte received to the sink + one written + the
 * line sends it + onWritable), and the refused-write path, 0 slots and 0
 * chunk bytes, the first call included.
 *
 * Contexts:
 *   start(), close()          main VM, boot or shutdown
 *   onReadable, onWritable    delivered by Moddable on the main VM's task,
 *                             between turns: never inside a tick
 *   write                     from actions (a tick) on the main VM
 *
 * Lifecycle:
 *
 *   [created] --start(sink)--> [open] --close()--> [closed]
 *                                |  ^
 *                                +--+ onReadable(n): n x read() -> sink.onRxByte(b)
 *                                +--+ onWritable(n): room = n, sink.onTxReady()
 *                                +--+ write(b): room > 0 ? io.write(b), room-- : txFull++ (false)
 *
 * A board without a UART for examples (uartTxPin NO_PIN) opens nothing:
 * write() counts the byte in `written` and `dropped` and returns true (there
 * is no line to wait for), nothing is received.
 */
import Serial from 'embedded:io/serial';
import { NO_PIN } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** Where received bytes go, and who hears that the port can transmit again. Allocation-free. */
export interface ByteSink {
  /** One received byte; false when refused (counted by the port). */
  onRxByte(byte: number): boolean;
  /** The port has room again (onWritable): a transmitter that was refused may resume. */
  onTxReady(): void;
}

export interface SerialPortOptions {
  readonly name: string;
  readonly port: number;
  readonly txPin: number;
  readonly rxPin: number;
  readonly baud: number;
}

/** Largest number of bytes one onReadable call reads (a bound on the callback). */
export const MAX_READ_PER_CALLBACK = 256;

export class SerialPort {
  readonly name: string;
  readonly options: SerialPortOptions;
  /** Bytes received / refused by the sink / taken by the port. */
  received = 0;
  refused = 0;
  written = 0;
  /** write() offers refused because the port had no room (the caller kept the byte). */
  txFull = 0;
  /** write() calls the port threw on (the byte was not taken; room set to 0). */
  writeErrors = 0;
  /** onWritable calls. */
  writables = 0;
  /** Bytes written on a board without a UART (counted, no line). */
  dropped = 0;
  /** Bytes the port accepts now: the last onWritable count minus bytes written since. */
  room = 0;
  private readonly noUart: boolean;
  private io: Serial | undefined = undefined;

  constructor(options: SerialPortOptions) {
    this.name = options.name;
    this.options = options;
    this.noUart = options.txPin === NO_PIN;
  }

  /** Boot only: opens the port; received bytes and TX readiness go to `sink`. */
  start(sink: ByteSink): void {
    const o = this.options;
    if (this.noUart) return;
    if (this.io !== undefined) {
      throw new DeviceHostError('STARTED_TWICE', `SerialPort '${this.name}': start() called twice on UART ${o.port}; call close() first [STARTED_TWICE]`);
    }
    const self = this;
    this.room = 0;
    this.io = new Serial({
      port: o.port,
      transmit: o.txPin,
      receive: o.rxPin,
      baud: o.baud,
      format: 'number',
      // The two callbacks are made once here. `this` is the Serial instance.
      onReadable(this: Serial, count: number): void {
        const n = count < MAX_READ_PER_CALLBACK ? count : MAX_READ_PER_CALLBACK;
        for (let i = 0; i < n; i++) {
          const b = this.read() as number;
          self.received++;
          if (!sink.onRxByte(b)) self.refused++;
        }
      },
      onWritable(this: Serial, count: number): void {
        self.writables++;
        self.room = count;
        sink.onTxReady();
      },
    });
  }

  /** Offers one byte: true when the port took it; false (txFull or writeErrors counted) to offer it again later. */
  write(byte: number): boolean {
    const io = this.io;
    if (io === undefined) {
      if (this.noUart) {
        this.written++;
        this.dropped++;
        return true;
      }
      this.txFull++;
      return false;
    }
    if (this.room <= 0) {
      this.txFull++;
      return false;
    }
    try {
      io.write(byte);
    } catch {
      this.writeErrors++;
      this.room = 0;
      return false;
    }
    this.room--;
    this.written++;
    return true;
  }

  close(): void {
    if (this.io === undefined) return;
    this.io.close();
    this.io = undefined;
    this.room = 0;
  }
}

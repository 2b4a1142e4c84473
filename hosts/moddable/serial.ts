/**
 * hosts/moddable/serial: the UART of the line-protocol example, over an
 * ECMA-419 serial port (`embedded:io/serial`) in "number" format: `read()`
 * returns one byte as a number and `write(byte)` sends one, so neither side
 * makes an ArrayBuffer per byte.
 *
 * Received bytes go to a `ByteSink` (the example's `onRxByte`); a byte the
 * sink refuses (its stream is full) is counted in `refused`. Written bytes
 * are counted in `written`.
 *
 * Allocation: `start()` allocates once (the Serial instance and its one
 * `onReadable` closure). Receiving and `write` allocate nothing on the
 * JavaScript side (numbers and native calls).
 *
 * Proven on the XS engine host (test/moddable-host.test.ts, serial
 * stand-in): 10,000 x (one byte received to the sink + one written), 0 slots
 * and 0 chunk bytes, the first included.
 *
 * Contexts:
 *   start(), close()  main VM, boot or shutdown
 *   onReadable        delivered by Moddable on the main VM's task, between
 *                     turns: never inside a tick, so the sink runs alone
 *   write             from actions (a tick) on the main VM
 *
 * Lifecycle:
 *
 *   [created] --start(sink)--> [open] --close()--> [closed]
 *                                |  ^
 *                                +--+ onReadable(n): n x read() -> sink.onRxByte(b);  write(b)
 *
 * A board without a UART for examples (uartTxPin NO_PIN) opens nothing:
 * writes are counted and dropped, nothing is received.
 */
import Serial from 'embedded:io/serial';
import { NO_PIN } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** Where received bytes go. */
export interface ByteSink {
  onRxByte(byte: number): boolean;
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
  /** Bytes received / refused by the sink / written. */
  received = 0;
  refused = 0;
  written = 0;
  private io: Serial | undefined = undefined;

  constructor(options: SerialPortOptions) {
    this.name = options.name;
    this.options = options;
  }

  /** Boot only: opens the port and delivers received bytes to `sink`. */
  start(sink: ByteSink): void {
    const o = this.options;
    if (o.txPin === NO_PIN) return;
    if (this.io !== undefined) {
      throw new DeviceHostError(`SerialPort "${this.name}": start() called twice on UART ${o.port}; call close() first`);
    }
    const self = this;
    this.io = new Serial({
      port: o.port,
      transmit: o.txPin,
      receive: o.rxPin,
      baud: o.baud,
      format: 'number',
      // The only closure: made once here. `this` is the Serial instance.
      onReadable(this: Serial, count: number): void {
        const n = count < MAX_READ_PER_CALLBACK ? count : MAX_READ_PER_CALLBACK;
        for (let i = 0; i < n; i++) {
          const b = this.read() as number;
          self.received++;
          if (!sink.onRxByte(b)) self.refused++;
        }
      },
    });
  }

  write(byte: number): void {
    this.written++;
    if (this.io !== undefined) this.io.write(byte);
  }

  close(): void {
    if (this.io === undefined) return;
    this.io.close();
    this.io = undefined;
  }
}

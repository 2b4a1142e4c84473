/**
 * hosts/moddable/desktop/serial: `keel/host/serial` for the desktop simulator
 * builds. No UART on the desktop: nothing is received, and write() takes
 * every byte (counted in `written` and `dropped`; there is no line to wait
 * for, so it never refuses and never calls onTxReady). Same API as
 * ../serial.ts (platform-contract.ts checks it); allocation-free.
 */
import type { ByteSink, SerialPortOptions } from '../serial.js';

export class SerialPort {
  readonly name: string;
  readonly options: SerialPortOptions;
  received = 0;
  refused = 0;
  written = 0;
  txFull = 0;
  writeErrors = 0;
  writables = 0;
  dropped = 0;
  room = 0;

  constructor(options: SerialPortOptions) {
    this.name = options.name;
    this.options = options;
  }

  start(_sink: ByteSink): void {}

  write(_byte: number): boolean {
    this.written++;
    this.dropped++;
    return true;
  }

  close(): void {}
}

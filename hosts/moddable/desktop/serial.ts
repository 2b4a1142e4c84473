/**
 * hosts/moddable/desktop/serial: `keel/host/serial` for the desktop simulator
 * builds. No UART on the desktop: writes are counted and dropped, nothing is
 * received (same API as ../serial.ts, allocation-free).
 */
import type { ByteSink, SerialPortOptions } from '../serial.js';

export class SerialPort {
  readonly name: string;
  readonly options: SerialPortOptions;
  received = 0;
  refused = 0;
  written = 0;

  constructor(options: SerialPortOptions) {
    this.name = options.name;
    this.options = options;
  }

  start(_sink: ByteSink): void {}

  write(_byte: number): void {
    this.written++;
  }

  close(): void {}
}

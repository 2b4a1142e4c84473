/**
 * sim/uart: a simulated UART port: an RX byte stream the scenario feeds and
 * a TX side that records what the firmware writes.
 *
 * RX. `inject(atMs, bytes)` schedules one event per byte, spaced by the byte
 * time at the port's baud rate (10 bits per byte, 8N1: 86.8 us at 115200,
 * rounded to whole us), or by `spacingMs`. When a byte is due it enters the
 * RX ring (`rxCapacity` bytes) and the onReadable handler set at boot runs
 * with the number of bytes now available; the firmware reads them with
 * `read()` (NO_BYTE when empty) or `readInto()`. A byte that finds the ring
 * full is dropped and counted in `overruns` (a hardware FIFO overrun).
 *
 * TX. `write(byte)` records the byte (REC_TX in the trace, and a TX log ring
 * of `txCapacity` bytes read by `txText()`/`txByte()`) and returns true. The
 * simulated line has no backpressure: every write is accepted, so firmware
 * written against a flow-controlled port (ExampleIo.tx returning false when
 * full, resuming on a TX-ready signal) never waits here. The Moddable
 * device host's serial port and its test stand-in model the refusal.
 *
 *   inject() --byte due--> [RX ring] --onReadable(n)--> firmware --read()-->
 *                              \--full--> overruns++
 *   firmware --write(b)--> REC_TX + TX log
 *
 * Allocation: the constructor allocates both rings. read, readInto, write,
 * available and the internal delivery allocate nothing. inject (scenario
 * code) allocates nothing for a Uint8Array; txText() is tooling.
 *
 * | method                      | who calls it                           |
 * |-----------------------------|----------------------------------------|
 * | onReadable                  | boot                                   |
 * | inject                      | scenario code (throws named errors)    |
 * | available, read, readInto, write | firmware, any time                |
 * | txText, txByte, txLength    | tests, CLI                             |
 */
import type { SimCore } from './core.js';
import { SimConfigError, SimSchedulerFullError } from './errors.js';
import { EV_RX, msToUs } from './events.js';
import { REC_RX, REC_TX } from './trace.js';

/** read() returns this when the RX ring is empty. */
export const NO_BYTE = -1;

/** The onReadable callback: set once at boot; `available` bytes are waiting. */
export type ReadableHandler = (available: number) => void;

export class SimUart {
  readonly port: number;
  readonly baud: number;
  /** Time of one byte on the line, us (10 bits per byte). */
  readonly byteTimeUs: number;
  readonly rxCapacity: number;
  readonly txCapacity: number;
  private readonly rx: Uint8Array;
  private rxHead = 0;
  private rxCount = 0;
  private readonly tx: Uint8Array;
  private txTotal = 0;
  private handler: ReadableHandler | null = null;
  /** Bytes that entered the RX ring. */
  received = 0;
  /** Bytes dropped because the RX ring was full. */
  overruns = 0;
  /** Bytes the firmware wrote. */
  transmitted = 0;

  constructor(private readonly core: SimCore, port: number, baud: number, rxCapacity: number, txCapacity: number) {
    if (!(baud > 0) || !Number.isFinite(baud))
      throw new SimConfigError(
        'BAD_BAUD',
        DEBUG
          ? `Simulator '${core.name}': uartBaud must be a finite number > 0 (got ${baud}) [BAD_BAUD]`
          : `Simulator '${core.name}' [BAD_BAUD]`,
      );
    if (!Number.isInteger(rxCapacity) || rxCapacity < 1)
      throw new SimConfigError(
        'BAD_UART_CAPACITY',
        DEBUG
          ? `Simulator '${core.name}': uartRxCapacity must be a positive integer (got ${rxCapacity}) [BAD_UART_CAPACITY]`
          : `Simulator '${core.name}' [BAD_UART_CAPACITY]`,
      );
    if (!Number.isInteger(txCapacity) || txCapacity < 1)
      throw new SimConfigError(
        'BAD_UART_CAPACITY',
        DEBUG
          ? `Simulator '${core.name}': uartTxCapacity must be a positive integer (got ${txCapacity}) [BAD_UART_CAPACITY]`
          : `Simulator '${core.name}' [BAD_UART_CAPACITY]`,
      );
    this.port = port;
    this.baud = baud;
    this.byteTimeUs = Math.max(1, Math.round(10e6 / baud));
    this.rxCapacity = rxCapacity;
    this.txCapacity = txCapacity;
    this.rx = new Uint8Array(rxCapacity);
    this.tx = new Uint8Array(txCapacity);
  }

  /** Sets the onReadable handler (boot). */
  onReadable(handler: ReadableHandler | null): void {
    this.handler = handler;
  }

  /**
   * Schedules `bytes` to arrive from `atMs`, one per byte time (or per
   * `spacingMs`). A string is sent as its char codes & 0xff (Latin-1).
   * Returns the time (ms) just after the last byte. Scenario code.
   */
  inject(atMs: number, bytes: string | ArrayLike<number>, spacingMs?: number): number {
    const core = this.core;
    let stepUs = this.byteTimeUs;
    if (spacingMs !== undefined) {
      core.checkDuration('inject spacingMs', spacingMs);
      stepUs = msToUs(spacingMs);
    }
    const n = bytes.length;
    const free = core.scheduler.capacity - core.scheduler.length;
    if (n > free && !core.replaying)
      throw new SimSchedulerFullError(
        'INJECT_TOO_LONG',
        DEBUG
          ? `Simulator '${core.name}': uart${this.port}.inject() of ${n} bytes needs ${n} scheduler entries and ${free} of ` +
              `${core.scheduler.capacity} are free; raise the schedulerCapacity option or inject later [INJECT_TOO_LONG]`
          : `Simulator '${core.name}' [INJECT_TOO_LONG]`,
      );
    const startUs = msToUs(atMs);
    for (let i = 0; i < n; i++) {
      const b = typeof bytes === 'string' ? bytes.charCodeAt(i) & 0xff : (bytes[i]! & 0xff);
      core.scheduleAt((startUs + i * stepUs) / 1000, EV_RX, this.port, b, 0, 0, 'uart.inject()');
    }
    return (startUs + n * stepUs) / 1000;
  }

  /** Bytes waiting in the RX ring. */
  available(): number {
    return this.rxCount;
  }

  /** The next received byte, or NO_BYTE (-1) when none. */
  read(): number {
    if (this.rxCount === 0) return NO_BYTE;
    const b = this.rx[this.rxHead]!;
    this.rxHead = this.rxHead + 1 === this.rxCapacity ? 0 : this.rxHead + 1;
    this.rxCount--;
    return b;
  }

  /** Reads up to `max` bytes into dst[offset..]; returns how many. */
  readInto(dst: Uint8Array, offset = 0, max: number = dst.length - offset): number {
    let n = 0;
    const lim = Math.min(max, dst.length - offset);
    while (n < lim && this.rxCount > 0) dst[offset + n++] = this.read();
    return n;
  }

  /** Transmits one byte (recorded). Always true: no backpressure (see the header). */
  write(byte: number): boolean {
    const b = byte & 0xff;
    this.tx[this.txTotal % this.txCapacity] = b;
    this.txTotal++;
    this.transmitted++;
    this.core.record(REC_TX, this.port, b, 0);
    return true;
  }

  /** Bytes written since the start. */
  txLength(): number {
    return this.txTotal;
  }

  /** TX byte i (absolute; only the last txCapacity are kept; -1 when not kept). */
  txByte(i: number): number {
    if (i < 0 || i >= this.txTotal || i < this.txTotal - this.txCapacity) return -1;
    return this.tx[i % this.txCapacity]!;
  }

  /** The kept TX bytes from absolute index `from` as a Latin-1 string (tooling; allocates). */
  txText(from = 0): string {
    let s = '';
    const first = Math.max(from, this.txTotal - this.txCapacity, 0);
    for (let i = first; i < this.txTotal; i++) s += String.fromCharCode(this.tx[i % this.txCapacity]!);
    return s;
  }

  // ---- simulator internals (allocation-free) ----------------------------------

  /** A byte is due (live or replay). */
  deliverRx(byte: number): void {
    const core = this.core;
    if (this.rxCount === this.rxCapacity) {
      this.overruns++;
      core.record(REC_RX, this.port, byte, 0);
      return;
    }
    let tail = this.rxHead + this.rxCount;
    if (tail >= this.rxCapacity) tail -= this.rxCapacity;
    this.rx[tail] = byte;
    this.rxCount++;
    this.received++;
    core.record(REC_RX, this.port, byte, 1);
    const h = this.handler;
    if (h !== null) h(this.rxCount);
  }
}

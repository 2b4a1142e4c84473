/**
 * hosts/moddable/examples: the application table (`keel/app`) with the
 * example firmware of examples/ on a Moddable device, plus the bring-up app.
 *
 *   keelApp      what runs                                     board IO used
 *   bringup      hosts/moddable/bringup (no kernel)            button, LED
 *   blinky       examples/blinky: debounced button cycles      button (pin 0), LED (output 0)
 *                LED blink patterns
 *   port-reset   examples/port-reset: the button requests a    button (request), LED = port
 *                reset; the LED shows "enabled"                enable; power good: no pin on
 *                                                              the boards yet, so every
 *                                                              attempt times out -> fault
 *   uart-lines   examples/uart-lines: the line protocol on     the board's example UART
 *                the board's example UART                      (keel/host/serial)
 *
 * Choose with `npm run build:esp32 -- --app blinky` (mcconfig keelApp=blinky).
 *
 * Each example gets its own Kernel whose clock is `Time.ticks`, and a
 * `DeviceIo` (examples/io.ts's ExampleIo): output 0 of the example is the
 * board LED, other outputs are latched and counted (the boards have one
 * LED), UART TX goes to the serial port (flow-controlled by its onWritable
 * room; the port's TX-ready callback reaches the example's `onTxReady`),
 * state changes and events are counted (no printing on the hot path; the
 * device host's periodic report is the place for text, and uart-lines adds
 * its counters to it through `status()`). The tick driver calls
 * `tick(now)`: the kernel's `tick(now)` then `run()`. The button's edges arrive as
 * `post(buttonSignal, pin, level, ticks)`; `ButtonRoute` turns them into the
 * example's `onEdge(examplePin, pressed ? 1 : 0)`.
 *
 * Tracing (manifest config keelTrace, off by default): the kernel gets the
 * DeviceContext's trace ring (and passes it to the machines it spawns), and
 * each entry lists its machines' definitions for the trace dictionary; see
 * hosts/moddable/trace-drain.ts and docs/moddable.md "Tracing".
 *
 * Allocation: boot() allocates (kernel, machines, closures made once);
 * tick, post, the serial callback and every DeviceIo method allocate nothing.
 * Preload-safe: classes, functions and one frozen table.
 */
import Time from 'time';
import { Kernel, type KernelHost } from 'keel/kernel';
import type { AppInstance, AppTable, BoardConfig, DeviceApp, DeviceContext, LedWriter, Postable, Tickable } from 'keel/host/types';
import { SerialPort } from 'keel/host/serial';
import { bringup } from 'keel/host/bringup';
import type { ExampleIo, InputSink } from 'keel/examples/io';
import { bootBlinky } from 'keel/examples/blinky';
import { bootPortReset } from 'keel/examples/port-reset';
import { blinkyConfig, kernelConfig, portResetConfig, type KernelApp } from 'keel/host/app-configs';
import { DeviceHostError } from 'keel/host/errors';
import { bootUartLines, type UartLines } from 'keel/examples/uart-lines';

/** The signal the button posts (any number: ButtonRoute accepts only this one). */
export const SIG_BUTTON = 1;
/** Outputs an example may use (index 0 is the LED). */
export const DEVICE_OUTPUTS = 4;

/**
 * The ExampleIo of a device: LED, latched outputs, serial TX, counters.
 * tx(byte) offers the byte to the serial port, which takes it only while its
 * onWritable room lasts (false: the example keeps the byte and resumes on
 * onTxReady; see hosts/moddable/serial.ts). An app without a serial port
 * takes and counts every byte (`txDropped`).
 */
export class DeviceIo implements ExampleIo {
  readonly levels = new Uint8Array(DEVICE_OUTPUTS);
  writes = 0;
  states = 0;
  events = 0;
  /** Bytes offered with no serial port (taken and dropped). */
  txDropped = 0;
  constructor(
    private readonly led: LedWriter,
    private readonly serial: SerialPort | null,
  ) {}
  now(): number {
    return Time.ticks;
  }
  write(index: number, level: number): void {
    this.writes++;
    if (index >= 0 && index < DEVICE_OUTPUTS) this.levels[index] = level;
    if (index === 0) this.led.write(level);
  }
  tx(byte: number): boolean {
    if (this.serial !== null) return this.serial.write(byte);
    this.txDropped++;
    return true;
  }
  logState(_machine: number, _state: number): void {
    this.states++;
  }
  logEvent(_machine: number, _sig: number, _p0: number, _p1: number): void {
    this.events++;
  }
}

/** The tick driver's target: expire time events, then run the kernel to completion. */
export class KernelTicker implements Tickable {
  ticks = 0;
  constructor(private readonly kernel: Kernel) {}
  tick(nowMs: number): void {
    this.ticks++;
    this.kernel.tick(nowMs);
    this.kernel.run();
  }
}

/** The button's Postable: maps the board button to an example input pin, pressed = 1. */
export class ButtonRoute implements Postable {
  refused = 0;
  constructor(
    private readonly sink: InputSink,
    private readonly pin: number,
    private readonly activeLevel: number,
  ) {}
  post(sig: number, _pin = 0, level = 0): boolean {
    if (sig === SIG_BUTTON && this.sink.onEdge(this.pin, level === this.activeLevel ? 1 : 0)) return true;
    this.refused++;
    return false;
  }
}

/** The kernel's host: Time.ticks. */
class DeviceClock implements KernelHost {
  now(): number {
    return Time.ticks;
  }
}

/** The app's kernel, sized for it (app-configs' KERNEL_NEEDS); with ctx.trace (manifest config keelTrace) it and its machines report into the trace ring. */
function kernelFor(ctx: DeviceContext, app: KernelApp): Kernel {
  const k = kernelConfig(ctx.board, app);
  return new Kernel({ name: k.name, host: new DeviceClock(), maxObjects: k.maxObjects, timers: k.timers, maxSignals: k.maxSignals, trace: ctx.trace });
}

function serialFor(board: BoardConfig): SerialPort {
  return new SerialPort({ name: 'uart', port: board.uartPort, txPin: board.uartTxPin, rxPin: board.uartRxPin, baud: board.uartBaud });
}

/** A sink for boards' buttons in apps that use no input. */
class NoInput implements InputSink {
  onEdge(): boolean {
    return false;
  }
}

export const blinkyApp: DeviceApp = Object.freeze({
  name: 'blinky',
  boot(ctx: DeviceContext): AppInstance {
    const kernel = kernelFor(ctx, 'blinky');
    const io = new DeviceIo(ctx.led, null);
    const app = bootBlinky(kernel, io, blinkyConfig(ctx.board));
    const machines = [app.debouncer.hsm.definition, app.blinker.hsm.definition];
    return { tickable: new KernelTicker(kernel), events: new ButtonRoute(app, 0, ctx.board.buttonActiveLevel), buttonSignal: SIG_BUTTON, machines };
  },
});

export const portResetApp: DeviceApp = Object.freeze({
  name: 'port-reset',
  boot(ctx: DeviceContext): AppInstance {
    const kernel = kernelFor(ctx, 'port-reset');
    const io = new DeviceIo(ctx.led, null);
    const app = bootPortReset(kernel, io, portResetConfig(ctx.board));
    return { tickable: new KernelTicker(kernel), events: new ButtonRoute(app, 0, ctx.board.buttonActiveLevel), buttonSignal: SIG_BUTTON, machines: [app.port.hsm.definition] };
  },
});

/** What the uart-lines entry's boot returns: the AppInstance plus its parts (tests, xsbug). */
export interface UartLinesInstance extends AppInstance {
  readonly serial: SerialPort;
  readonly lines: UartLines;
  readonly io: DeviceIo;
  status(): string;
  stop(): void;
}

export const uartLinesApp: DeviceApp = Object.freeze({
  name: 'uart-lines',
  boot(ctx: DeviceContext): UartLinesInstance {
    if (ctx.traceTransport === 'serial') {
      throw new DeviceHostError('UART_IN_USE', 'uart-lines: keelTrace "serial" would take the example UART this app uses; use keelTrace "text" (trace() lines) with uart-lines [UART_IN_USE]');
    }
    const kernel = kernelFor(ctx, 'uart-lines');
    const serial = serialFor(ctx.board);
    const io = new DeviceIo(ctx.led, serial);
    const lines = bootUartLines(kernel, io, { queueCapacity: ctx.board.queueCapacity });
    serial.start(lines);
    return {
      tickable: new KernelTicker(kernel),
      events: new ButtonRoute(new NoInput(), 0, ctx.board.buttonActiveLevel),
      buttonSignal: SIG_BUTTON,
      serial,
      lines,
      io,
      machines: [lines.parser.hsm.definition],
      status(): string {
        const c = lines.parser.hsm.ctx;
        const t = lines.transmitter;
        return `uart rx ${serial.received} refused ${serial.refused} tx ${serial.written} full ${serial.txFull} errors ${serial.writeErrors} writables ${serial.writables}; lines ${c.lines} replies dropped ${c.txDropped} tx stalls ${t.stalls}`;
      },
      stop(): void {
        serial.close();
      },
    };
  },
});

const table: AppTable = Object.freeze([bringup, blinkyApp, portResetApp, uartLinesApp]);
export default table;

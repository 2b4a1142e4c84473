/**
 * examples/firmware: one kernel running any of the three examples side by
 * side, with the platform-neutral pin and output map they share, the
 * input routing the platform's IO callbacks call, and the names and stats
 * tools print (the live trace and the report of `npm start`).
 *
 *   pin 0  button (blinky, bouncing)        out 0  LED (blinky)
 *   pin 1  reset request (port-reset)       out 1  reset line (port-reset)
 *   pin 2  power good (port-reset)          out 2  port enable (port-reset)
 *                                           out 3  fault indicator (port-reset)
 *   UART 0 line protocol (uart-lines)
 *
 *   machine ids (io.logState): 0 debouncer, 1 blinker, 2 port, 3 parser
 *   priorities: debouncer 6, blinker 5, port 4, parser 3, transmitter 2
 *
 * Allocation: the constructor boots the selected examples (allocates).
 * onEdge and onRxByte (IO callbacks) allocate nothing. names(), stats() and
 * the report are tooling: they allocate, call them between steps.
 */
import { Kernel, type KernelHost } from '../src/kernel.js';
import type { HsmDefinition } from '../src/hsm.js';
import type { EventQueue } from '../src/queue.js';
import type { Trace } from '../src/trace.js';
import { bootBlinky, type Blinky } from './blinky.js';
import type { ExampleIo, InputSink } from './io.js';
import { bootPortReset, type PortReset } from './port-reset.js';
import { bootUartLines, type UartLines } from './uart-lines.js';

export const EXAMPLE_NAMES = Object.freeze(['port-reset', 'blinky', 'uart-lines'] as const);
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

export const MACHINE_NAMES = Object.freeze(['debouncer', 'blinker', 'port', 'parser'] as const);
export const PIN_NAMES = Object.freeze(['button', 'request', 'power-good'] as const);
export const OUTPUT_NAMES = Object.freeze(['led', 'reset', 'enable', 'fault'] as const);

/** Inputs and outputs the firmware uses (the simulator is built with these). */
export const FIRMWARE_PINS = 3;
export const FIRMWARE_OUTPUTS = 4;

export interface FirmwareOptions {
  /** AO queue capacity of every example. Default 8. */
  readonly queueCapacity?: number;
  /** A trace ring the kernel (and the machines it spawns) report into (src/trace.ts); none by default. */
  readonly trace?: Trace;
}

/** One queue's numbers for the report. */
export interface QueueStats {
  name: string;
  capacity: number;
  minFree: number;
  refused: number;
  dropped: number;
  dispatched: number;
}

export class Firmware implements InputSink {
  readonly kernel: Kernel;
  readonly blinky: Blinky | null;
  readonly portReset: PortReset | null;
  readonly uart: UartLines | null;
  readonly examples: readonly ExampleName[];
  /** Capacity of every example's AO queues. */
  readonly queueCapacity: number;
  /** Edges on pins no example uses. */
  unrouted = 0;
  private readonly byPin: (InputSink | null)[];

  constructor(host: KernelHost, io: ExampleIo, examples: readonly ExampleName[], options: FirmwareOptions = {}) {
    for (const e of examples) {
      if (!EXAMPLE_NAMES.includes(e)) throw new RangeError(`Firmware: unknown example "${String(e)}"; use one of ${EXAMPLE_NAMES.join(', ')}`);
    }
    this.examples = Object.freeze(examples.slice());
    const cap = options.queueCapacity ?? 8;
    this.queueCapacity = cap;
    // Time events: blinky's machines declare 7 (debounce; slow, fast and four double-blink phases), port-reset's 2.
    this.kernel = new Kernel({ name: 'firmware', host, maxObjects: 8, timers: 12, trace: options.trace });
    this.blinky = examples.includes('blinky') ? bootBlinky(this.kernel, io, { queueCapacity: cap }) : null;
    this.portReset = examples.includes('port-reset') ? bootPortReset(this.kernel, io, { queueCapacity: cap }) : null;
    this.uart = examples.includes('uart-lines') ? bootUartLines(this.kernel, io, { queueCapacity: cap }) : null;
    this.byPin = new Array<InputSink | null>(FIRMWARE_PINS).fill(null);
    if (this.blinky !== null) this.byPin[this.blinky.buttonPin] = this.blinky;
    if (this.portReset !== null) {
      this.byPin[this.portReset.requestPin] = this.portReset;
      this.byPin[this.portReset.powerGoodPin] = this.portReset;
    }
  }

  /** IO callback: a digital input edge. */
  onEdge(pin: number, level: number): boolean {
    const sink = pin >= 0 && pin < FIRMWARE_PINS ? this.byPin[pin]! : null;
    if (sink === null) {
      this.unrouted++;
      return false;
    }
    return sink.onEdge(pin, level);
  }

  /** IO callback: one UART byte. */
  onRxByte(byte: number): boolean {
    const u = this.uart;
    return u !== null && u.onRxByte(byte);
  }

  // ---- tooling (allocates) --------------------------------------------------

  /** State names per machine id, for the trace printer. */
  machineStates(): (readonly string[] | undefined)[] {
    const out: (readonly string[] | undefined)[] = [undefined, undefined, undefined, undefined];
    if (this.blinky !== null) {
      out[0] = this.blinky.debouncer.hsm.definition.stateNames;
      out[1] = this.blinky.blinker.hsm.definition.stateNames;
    }
    if (this.portReset !== null) out[2] = this.portReset.port.hsm.definition.stateNames;
    if (this.uart !== null) out[3] = this.uart.parser.hsm.definition.stateNames;
    return out;
  }

  /** The machines' definitions by machine id (undefined when not loaded). */
  definitions(): (HsmDefinition<unknown> | undefined)[] {
    const out: (HsmDefinition<unknown> | undefined)[] = [undefined, undefined, undefined, undefined];
    if (this.blinky !== null) {
      out[0] = this.blinky.debouncer.hsm.definition as HsmDefinition<unknown>;
      out[1] = this.blinky.blinker.hsm.definition as HsmDefinition<unknown>;
    }
    if (this.portReset !== null) out[2] = this.portReset.port.hsm.definition as HsmDefinition<unknown>;
    if (this.uart !== null) out[3] = this.uart.parser.hsm.definition as HsmDefinition<unknown>;
    return out;
  }

  /** Every active object's queue, in priority order (highest first). */
  queues(): QueueStats[] {
    const list: [string, number][] = [];
    if (this.blinky !== null) list.push(['debouncer', this.blinky.debouncer.ao], ['blinker', this.blinky.blinker.ao]);
    if (this.portReset !== null) list.push(['port', this.portReset.port.ao]);
    if (this.uart !== null) list.push(['parser', this.uart.parserAo], ['transmitter', this.uart.transmitterAo]);
    return list.map(([name, ao]) => {
      const q: EventQueue = this.kernel.queueOf(ao);
      return { name, capacity: q.capacity, minFree: q.minFree, refused: q.refused, dropped: q.dropped, dispatched: this.kernel.dispatched(ao) };
    });
  }

  /** Current leaf state of each machine, by name ('' when the example is not loaded). */
  states(): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.blinky !== null) {
      out.debouncer = this.blinky.debouncer.hsm.currentName;
      out.blinker = this.blinky.blinker.hsm.currentName;
    }
    if (this.portReset !== null) out.port = this.portReset.port.hsm.currentName;
    if (this.uart !== null) out.parser = this.uart.parser.hsm.currentName;
    return out;
  }

  /** Machine counters and other example numbers, flat, for reports and replay comparisons. */
  counters(): Record<string, number> {
    const out: Record<string, number> = { dispatched: this.kernel.dispatchedTotal, unrouted: this.unrouted, timerRefused: this.kernel.timerRefused, staleExpiries: this.kernel.staleExpiries };
    const add = (prefix: string, o: object): void => {
      for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && k !== 'dueAt') out[prefix + '.' + k] = v;
    };
    if (this.blinky !== null) {
      add('debouncer', this.blinky.debouncer.hsm.ctx);
      add('blinker', this.blinky.blinker.hsm.ctx);
      out['debouncer.ignored'] = this.blinky.debouncer.hsm.ignored;
      out['blinker.ignored'] = this.blinky.blinker.hsm.ignored;
      out['blinky.refusedEdges'] = this.blinky.refusedEdges;
    }
    if (this.portReset !== null) {
      add('port', this.portReset.port.hsm.ctx);
      out['port.ignored'] = this.portReset.port.hsm.ignored;
      out['port.refusedEdges'] = this.portReset.refusedEdges;
    }
    if (this.uart !== null) {
      const c = this.uart.parser.hsm.ctx;
      for (const k of ['lines', 'pings', 'gets', 'sets', 'empty', 'badCommand', 'badNumber', 'tooLong', 'txDropped', 'stored'] as const) out['parser.' + k] = c[k];
      out['parser.ignored'] = this.uart.parser.hsm.ignored;
      out['parser.bytes'] = this.uart.feeder.bytes;
      out['rx.refused'] = this.uart.rx.refused;
      out['rx.minFree'] = this.uart.rx.minFree;
      out['tx.blocks'] = this.uart.transmitter.blocks;
      out['tx.bytes'] = this.uart.transmitter.bytes;
      out['pool.minFree'] = this.uart.pool.minFree;
      out['pool.free'] = this.uart.pool.free;
    }
    return out;
  }
}

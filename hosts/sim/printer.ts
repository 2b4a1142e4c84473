/**
 * sim/printer: turns trace records into readable lines for the live trace
 * (timestamps, state changes, events, faults), with names from a lookup
 * table given at boot. Tooling: it builds strings, so it allocates; call it
 * between simulator steps (`afterStep` hook, progress callback, or after
 * `step()` returns), never from firmware code.
 *
 *     12.345 ms  irq    button = 1 (bounce)
 *     20.000 ms  state  blinker -> FastBlink
 *     20.000 ms  out    led = 1
 *     30.000 ms  rx     uart0 "HELLO\n" (6 bytes)
 *     40.000 ms  FAULT  burst: 160 x BUTTON -> queue
 *     40.000 ms  result burst -> queue: 16 accepted, 144 refused
 *
 * `TracePrinter.drain()` prints the records written since its last call
 * (ticks and empty steps hidden by default; consecutive RX or TX bytes of one
 * port merged into one line). With a ring trace that overwrote records the
 * printer had not printed yet, it says how many it skipped.
 */
import {
  CAUSE_BOUNCE,
  CAUSE_STORM,
  REC_BURST,
  REC_BURST_RESULT,
  REC_EDGE,
  REC_FAULT_REFUSED,
  REC_LOG,
  REC_OUT,
  REC_POOL_HOLD,
  REC_POOL_RELEASE,
  REC_RX,
  REC_STATE,
  REC_STEP,
  REC_STORM,
  REC_TICK,
  REC_TICK_DELAY,
  REC_TX,
  type Trace,
} from './trace.js';
import { EV_POOL_HOLD, EV_SERIES, EV_STORM } from './events.js';

/** Names for the numbers in trace records; any may be omitted (numbers are printed). */
export interface SimNames {
  pins?: readonly string[];
  outputs?: readonly string[];
  uarts?: readonly string[];
  signals?: readonly string[];
  targets?: readonly string[];
  pools?: readonly string[];
  machines?: readonly string[];
  /** State names by state id, for every machine. */
  states?: readonly string[];
  /** State names per machine (overrides `states` for that machine). */
  machineStates?: readonly (readonly string[] | undefined)[];
  /** Names of firmware log codes (sim.log(code, a, b)). */
  logs?: readonly string[];
}

export interface PrinterOptions {
  /** Print REC_TICK records. Default false. */
  ticks?: boolean;
  /** Print REC_STEP records. Default false. */
  steps?: boolean;
  /** Merge consecutive RX/TX bytes of one port into one line. Default true. */
  coalesceBytes?: boolean;
}

function nameOf(list: readonly string[] | undefined, i: number, fallback: string): string {
  const s = list !== undefined ? list[i] : undefined;
  return s !== undefined ? s : fallback + i;
}

function stateName(names: SimNames, machine: number, state: number): string {
  const per = names.machineStates !== undefined ? names.machineStates[machine] : undefined;
  if (per !== undefined && per[state] !== undefined) return per[state]!;
  return nameOf(names.states, state, 'state');
}

function byteText(b: number): string {
  if (b === 10) return '\\n';
  if (b === 13) return '\\r';
  if (b === 9) return '\\t';
  if (b === 34) return '\\"';
  if (b === 92) return '\\\\';
  if (b >= 32 && b < 127) return String.fromCharCode(b);
  return '\\x' + (b < 16 ? '0' : '') + b.toString(16);
}

/** The "     12.345 ms" column. */
export function formatTime(us: number): string {
  return (us / 1000).toFixed(3).padStart(10) + ' ms';
}

function line(us: number, tag: string, text: string): string {
  return formatTime(us) + '  ' + tag.padEnd(6) + ' ' + text;
}

/** One record as a line. */
export function formatRecord(trace: Trace, i: number, names: SimNames = {}): string {
  const us = trace.timeUs(i);
  const a = trace.a(i);
  const b = trace.b(i);
  const c = trace.c(i);
  switch (trace.kind(i)) {
    case REC_EDGE:
      return line(us, 'irq', nameOf(names.pins, a, 'pin') + ' = ' + b + (c === CAUSE_BOUNCE ? ' (bounce)' : c === CAUSE_STORM ? ' (storm)' : ''));
    case REC_RX:
      return line(us, 'rx', nameOf(names.uarts, a, 'uart') + ' "' + byteText(b) + '"' + (c === 0 ? ' DROPPED (RX ring full)' : ''));
    case REC_TICK:
      return line(us, 'tick', '#' + a + (b > 0 ? ' (late: ' + b + ' ticks merged)' : ''));
    case REC_STORM:
      return line(us, 'FAULT', 'storm: ' + nameOf(names.pins, a, 'pin') + ', ' + b + ' edges in ' + (c / 1000).toFixed(3) + ' ms');
    case REC_BURST:
      return line(us, 'FAULT', 'burst: ' + c + ' x ' + nameOf(names.signals, b, 'sig') + ' -> ' + nameOf(names.targets, a, 'target'));
    case REC_TICK_DELAY:
      return line(us, 'FAULT', 'tick delay: next tick ' + (a / 1000).toFixed(3) + ' ms late');
    case REC_POOL_HOLD:
      return line(us, 'FAULT', 'pool hold: ' + nameOf(names.pools, a, 'pool') + ', ' + c + ' of ' + b + ' blocks claimed');
    case REC_POOL_RELEASE:
      return line(us, 'FAULT', 'pool release: ' + nameOf(names.pools, a, 'pool') + ', hold #' + b + ', ' + c + ' blocks');
    case REC_FAULT_REFUSED: {
      const what = a === EV_SERIES ? 'edge series on ' + nameOf(names.pins, b, 'pin') : a === EV_POOL_HOLD ? 'pool hold' : a === EV_STORM ? 'storm' : 'event ' + a;
      return line(us, 'FAULT', 'refused (scheduler full): ' + what + ', ' + c);
    }
    case REC_STEP:
      return line(us, 'step', '');
    case REC_OUT:
      return line(us, 'out', nameOf(names.outputs, a, 'out') + ' = ' + b);
    case REC_TX:
      return line(us, 'tx', nameOf(names.uarts, a, 'uart') + ' "' + byteText(b) + '"');
    case REC_STATE:
      return line(us, 'state', nameOf(names.machines, a, 'machine') + ' -> ' + stateName(names, a, b));
    case REC_LOG:
      return line(us, 'log', nameOf(names.logs, a, 'code') + ' ' + b + ' ' + c);
    case REC_BURST_RESULT:
      return line(us, 'result', 'burst -> ' + nameOf(names.targets, a, 'target') + ': ' + b + ' accepted, ' + c + ' refused');
    default:
      return line(us, '?', 'kind ' + trace.kind(i) + ' ' + a + ' ' + b + ' ' + c);
  }
}

export class TracePrinter {
  /** Absolute index of the next record to print. */
  cursor = 0;
  /** Records the ring overwrote before they were printed. */
  skipped = 0;
  private readonly ticks: boolean;
  private readonly steps: boolean;
  private readonly coalesce: boolean;

  constructor(
    readonly trace: Trace,
    readonly names: SimNames = {},
    options: PrinterOptions = {},
  ) {
    this.ticks = options.ticks ?? false;
    this.steps = options.steps ?? false;
    this.coalesce = options.coalesceBytes ?? true;
  }

  private hidden(k: number): boolean {
    return (k === REC_TICK && !this.ticks) || (k === REC_STEP && !this.steps);
  }

  /** Prints (through `write`) the records written since the last drain; returns the lines written. */
  drain(write: (line: string) => void, maxLines = Infinity): number {
    const t = this.trace;
    const end = t.end();
    let lines = 0;
    if (this.cursor < t.start()) {
      const n = t.start() - this.cursor;
      this.skipped += n;
      write('           ...  ' + n + ' records overwritten before they were printed (ring trace)');
      lines++;
      this.cursor = t.start();
    }
    while (this.cursor < end && lines < maxLines) {
      const i = this.cursor++;
      const k = t.kind(i);
      if (this.hidden(k)) continue;
      if (this.coalesce && (k === REC_RX || k === REC_TX) && (k === REC_TX || t.c(i) === 1)) {
        let text = byteText(t.b(i));
        let n = 1;
        let j = this.cursor;
        let lastUs = t.timeUs(i);
        while (j < end) {
          const kj = t.kind(j);
          if (this.hidden(kj)) {
            j++;
            continue;
          }
          if (kj !== k || t.a(j) !== t.a(i) || (k === REC_RX && t.c(j) !== 1)) break;
          text += byteText(t.b(j));
          lastUs = t.timeUs(j);
          n++;
          j++;
          this.cursor = j;
          if (t.b(j - 1) === 10) break;
        }
        if (n > 1) {
          const tag = k === REC_RX ? 'rx' : 'tx';
          write(line(t.timeUs(i), tag, nameOf(this.names.uarts, t.a(i), 'uart') + ' "' + text + '" (' + n + ' bytes, to ' + (lastUs / 1000).toFixed(3) + ' ms)'));
          lines++;
          continue;
        }
      }
      write(formatRecord(t, i, this.names));
      lines++;
    }
    return lines;
  }
}

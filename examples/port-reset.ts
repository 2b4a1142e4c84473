/**
 * examples/port-reset: a port-reset controller with a timeout and bounded
 * retries (think of a USB or PoE port, or a peripheral's reset pin).
 *
 *   +------+ REQUEST  +--------------------------------------------+
 *   | idle | -------> | resetting (entry: attempts++)              |
 *   +------+          |  +-----------+  TIMER [fresh]   +--------+ |  TIMER [fresh] [attempts <= maxRetries]
 *                     |  | asserting | ---------------> | waiting| |-----> resetting (self: next attempt)
 *                     |  +-----------+                  +--------+ |
 *                     |  reset line = 1 for pulseMs     reset line = 0, wait for PG = 1 up to timeoutMs
 *                     +--------------------------------------------+
 *                        | PG = 1 (in waiting)                 | TIMER [fresh] [attempts > maxRetries]
 *                        v                                     v
 *                   +---------+  PG = 0 (power lost)     +-------+
 *                   | enabled | --> resetting            | fault | --REQUEST--> resetting (attempts = 0)
 *                   +---------+  REQUEST --> resetting   +-------+
 *                   enable line = 1                      fault line = 1, faults++
 *
 * - REQUEST (a rising edge on the request input, or post(SIG_REQUEST)) starts
 *   a reset cycle from idle, enabled or fault. In resetting it is ignored
 *   (counted in the machine's `ignored`).
 * - One attempt: assert the reset line for `pulseMs`, release it and wait up
 *   to `timeoutMs` for the power-good input (PG) to read 1. PG = 1 ends the
 *   cycle in enabled. A timeout retries (a self-transition of resetting: exit,
 *   entry, attempts++) while attempts <= maxRetries, so 1 + maxRetries
 *   attempts in all; then fault.
 * - Counters (context): attempts (this cycle), retries and timeouts (all
 *   cycles), cycles, enables, faults, powerLost.
 *
 * Allocation: `bootPortReset` allocates the machine, its queue and one time
 * event. Every event after boot allocates nothing (XS test over simulator steps).
 */
import type { Kernel } from '../src/kernel.js';
import { defineHsm, type HsmDefinition } from '../src/hsm.js';
import { checkOption, fresh, spawnMachine, type ExampleIo, type InputSink, type RunningMachine } from './io.js';

export const SIG_REQUEST = 1;
export const SIG_POWER_GOOD = 2;
export const SIG_TIMER = 3;

const SIGNALS = Object.freeze({ REQUEST: SIG_REQUEST, PG: SIG_POWER_GOOD, TIMER: SIG_TIMER });

export interface PortResetConfig {
  /** Platform pin numbers of the request input (rising edge) and power-good input. Defaults 1 and 2. */
  readonly requestPin?: number;
  readonly powerGoodPin?: number;
  /** Output indices: reset line, port enable, fault indicator. Defaults 1, 2, 3. */
  readonly resetOut?: number;
  readonly enableOut?: number;
  readonly faultOut?: number;
  /** Reset pulse, ms. Default 20. */
  readonly pulseMs?: number;
  /** Time allowed for power good after the pulse, ms. Default 100. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt. Default 2 (3 attempts). */
  readonly maxRetries?: number;
  readonly priority?: number;
  readonly queueCapacity?: number;
  /** Machine id for io.logState. Default 2. */
  readonly machine?: number;
}

export interface PortCtx {
  attempts: number;
  retries: number;
  timeouts: number;
  cycles: number;
  enables: number;
  faults: number;
  powerLost: number;
  /** First due time of the current TIMER arming (kernel.arm's result; see fresh()). */
  dueAt: number;
}

export class PortReset implements InputSink {
  readonly port: RunningMachine<PortCtx>;
  readonly timer: number;
  readonly requestPin: number;
  readonly powerGoodPin: number;
  readonly resetOut: number;
  readonly enableOut: number;
  readonly faultOut: number;
  readonly pulseMs: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Input edges the machine's queue refused. */
  refusedEdges = 0;

  constructor(
    readonly kernel: Kernel,
    readonly io: ExampleIo,
    config: PortResetConfig = {},
  ) {
    const opt = (name: string, v: unknown, min: number, max: number): number => checkOption('port-reset', name, v, min, max);
    this.requestPin = opt('requestPin', config.requestPin ?? 1, 0, 255);
    this.powerGoodPin = opt('powerGoodPin', config.powerGoodPin ?? 2, 0, 255);
    this.resetOut = opt('resetOut', config.resetOut ?? 1, 0, 255);
    this.enableOut = opt('enableOut', config.enableOut ?? 2, 0, 255);
    this.faultOut = opt('faultOut', config.faultOut ?? 3, 0, 255);
    this.pulseMs = opt('pulseMs', config.pulseMs ?? 20, 1, 60000);
    this.timeoutMs = opt('timeoutMs', config.timeoutMs ?? 100, 1, 600000);
    this.maxRetries = opt('maxRetries', config.maxRetries ?? 2, 0, 1000);
    this.port = spawnMachine(kernel, portDefinition(this), io, config.machine ?? 2, config.priority ?? 4, config.queueCapacity ?? 8);
    this.timer = kernel.timeEvent(this.port.ao, SIG_TIMER);
  }

  /** IO callback: request input (rising edge = REQUEST) or power-good input (PG with the level). */
  onEdge(pin: number, level: number): boolean {
    let ok: boolean;
    if (pin === this.requestPin) {
      if (level !== 1) return true; // falling edge of the request line: nothing to do
      ok = this.kernel.post(this.port.ao, SIG_REQUEST);
    } else if (pin === this.powerGoodPin) ok = this.kernel.post(this.port.ao, SIG_POWER_GOOD, level);
    else return false;
    if (!ok) this.refusedEdges++;
    return ok;
  }

  /** Arms the one-shot TIMER and records its due time (fresh() tells its expiry from a stale one). */
  arm(c: PortCtx, ms: number): void {
    c.dueAt = this.kernel.arm(this.timer, ms);
  }
}

function portDefinition(app: PortReset): HsmDefinition<PortCtx> {
  const isFresh = (c: PortCtx, _id: number, due: number): boolean => fresh(due, c.dueAt);
  const newCycle = (c: PortCtx): void => {
    c.cycles++;
    c.attempts = 0;
  };
  return defineHsm({
    name: 'port',
    signals: SIGNALS,
    context: (): PortCtx => ({ attempts: 0, retries: 0, timeouts: 0, cycles: 0, enables: 0, faults: 0, powerLost: 0, dueAt: 0 }),
    initial: 'idle',
    states: {
      idle: { on: { REQUEST: { target: 'resetting', action: newCycle } } },
      resetting: {
        initial: 'asserting',
        entry: (c) => {
          c.attempts++;
        },
        exit: () => {
          app.kernel.disarm(app.timer);
          app.io.write(app.resetOut, 0);
        },
        states: {
          asserting: {
            entry: (c) => {
              app.io.write(app.resetOut, 1);
              app.arm(c, app.pulseMs);
            },
            on: { TIMER: { guard: isFresh, target: 'waiting' } },
          },
          waiting: {
            entry: (c) => {
              app.io.write(app.resetOut, 0);
              app.arm(c, app.timeoutMs);
            },
            on: {
              PG: { guard: (_c, level) => level === 1, target: 'enabled' },
              TIMER: [
                {
                  guard: (c, _id, due) => fresh(due, c.dueAt) && c.attempts <= app.maxRetries,
                  target: 'resetting',
                  kind: 'external', // exit and re-enter resetting: its entry counts the attempt
                  action: (c) => {
                    c.timeouts++;
                    c.retries++;
                  },
                },
                {
                  guard: isFresh,
                  target: 'fault',
                  action: (c) => {
                    c.timeouts++;
                  },
                },
              ],
            },
          },
        },
      },
      enabled: {
        entry: (c) => {
          c.enables++;
          app.io.write(app.enableOut, 1);
        },
        exit: () => {
          app.io.write(app.enableOut, 0);
        },
        on: {
          REQUEST: { target: 'resetting', action: newCycle },
          PG: {
            guard: (_c, level) => level === 0,
            target: 'resetting',
            action: (c) => {
              c.powerLost++;
              newCycle(c);
            },
          },
        },
      },
      fault: {
        entry: (c) => {
          c.faults++;
          app.io.write(app.faultOut, 1);
        },
        exit: () => {
          app.io.write(app.faultOut, 0);
        },
        on: { REQUEST: { target: 'resetting', action: newCycle } },
      },
    },
  });
}

/** Boots the example on `kernel` (boot time; allocates). */
export function bootPortReset(kernel: Kernel, io: ExampleIo, config: PortResetConfig = {}): PortReset {
  return new PortReset(kernel, io, config);
}

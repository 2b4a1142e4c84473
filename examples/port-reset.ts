/**
 * examples/port-reset: a port-reset controller with a timeout and bounded
 * retries (think of a USB or PoE port, or a peripheral's reset pin).
 *
 *   +------+ REQUEST  +--------------------------------------------+
 *   | idle | -------> | resetting (entry: attempts++)              |
 *   +------+          |  +-----------+  after pulse     +--------+ |  after timeout [attempts <= maxRetries]
 *                     |  | asserting | ---------------> | waiting| |-----> resetting (self: next attempt)
 *                     |  +-----------+                  +--------+ |
 *                     |  reset line = 1 for pulseMs     reset line = 0, wait for PG = 1 up to timeoutMs
 *                     +--------------------------------------------+
 *                        | PG = 1 (in waiting)                 | after timeout [attempts > maxRetries]
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
 * Timers: `asserting` and `waiting` each declare an `after` timer, armed on
 * entry and disarmed on exit; the kernel drops an expiry queued before a
 * disarm, so a power-good that ends `waiting` can never be followed by a
 * stale timeout.
 *
 * Allocation: `bootPortReset` allocates the machine, its queue and its two
 * time events. Every event after boot allocates nothing (XS test over
 * simulator steps).
 */
import type { ActiveMachine } from '../src/active-machine.js';
import type { Kernel } from '../src/kernel.js';
import { defineHsm } from '../src/hsm.js';
import { checkOption, type ExampleIo, type InputSink } from './io.js';

export const SIG_REQUEST = 1;
export const SIG_POWER_GOOD = 2;

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
}

export class PortReset implements InputSink {
  readonly port: ActiveMachine<PortCtx>;
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
    this.port = kernel.spawnMachine(portDefinition(this), {
      priority: config.priority ?? 4, queueCapacity: config.queueCapacity ?? 8, monitor: io, machine: config.machine ?? 2,
    });
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
}

function portDefinition(app: PortReset) {
  const write = (out: number, level: number) => (): void => app.io.write(out, level);
  const restart = { target: 'resetting', action: (c: PortCtx): void => { c.cycles++; c.attempts = 0; } } as const;
  return defineHsm({
    name: 'port',
    signals: { REQUEST: SIG_REQUEST, PG: SIG_POWER_GOOD },
    context: (): PortCtx => ({ attempts: 0, retries: 0, timeouts: 0, cycles: 0, enables: 0, faults: 0, powerLost: 0 }),
    delays: { pulse: app.pulseMs, timeout: app.timeoutMs },
    initial: 'idle',
    states: {
      idle: { on: { REQUEST: restart } },
      resetting: {
        initial: 'asserting',
        entry: (c) => { c.attempts++; },
        exit: write(app.resetOut, 0),
        states: {
          asserting: { entry: write(app.resetOut, 1), after: { pulse: 'waiting' } },
          waiting: {
            entry: write(app.resetOut, 0),
            on: { PG: { guard: (_c, level) => level === 1, target: 'enabled' } },
            after: {
              timeout: [
                // external: exit and re-enter resetting, whose entry counts the attempt
                { guard: (c) => c.attempts <= app.maxRetries, target: 'resetting', kind: 'external', action: (c) => { c.timeouts++; c.retries++; } },
                { target: 'fault', action: (c) => { c.timeouts++; } },
              ],
            },
          },
        },
      },
      enabled: {
        entry: (c) => { c.enables++; app.io.write(app.enableOut, 1); },
        exit: write(app.enableOut, 0),
        on: {
          REQUEST: restart,
          PG: { guard: (_c, level) => level === 0, target: 'resetting', action: (c) => { c.powerLost++; restart.action(c); } },
        },
      },
      fault: {
        entry: (c) => { c.faults++; app.io.write(app.faultOut, 1); },
        exit: write(app.faultOut, 0),
        on: { REQUEST: restart },
      },
    },
  });
}

/** Boots the example on `kernel` (boot time; allocates). */
export function bootPortReset(kernel: Kernel, io: ExampleIo, config: PortResetConfig = {}): PortReset {
  return new PortReset(kernel, io, config);
}

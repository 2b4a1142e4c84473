/**
 * examples/blinky: a debounced button cycles LED blink patterns.
 *
 * Two active objects:
 *
 *  debouncer (flat)                          blinker (hierarchical, depth 3)
 *
 *   +--------+  EDGE / raw = level,           +-----+  PRESS   +--------------------------------------+
 *   | stable | ---- arm(debounceMs) ---+      | off | -------> | on                                   |
 *   +--------+                         v      +-----+ <------- |  +------+ PRESS +------+ PRESS      |
 *       ^                       +----------+     ^    PRESS    |  | slow | ----> | fast | ------+    |
 *       |  DEBOUNCE [fresh] /   | settling |     |   (from     |  +------+       +------+       v    |
 *       |  raw != stable:       +----------+     |   double)   |  BLINK [fresh]: toggle LED  +--------+ |
 *       |  stable = raw,          |  EDGE / raw = level,       |  (periodic half-period)     | double | |
 *       |  press -> post PRESS    |  re-arm (quiet window)     |                             +--------+ |
 *       +-------------------------+                            |  double: flash1 -> gap1 -> flash2 -> pause -> flash1 ...
 *                                                              |          (one-shot BLINK [fresh] each) |
 *                                                              +--------------------------------------+
 *
 * - Debounce: an edge (any level) arms a one-shot DEBOUNCE time event
 *   `debounceMs` ahead; each further edge re-arms it (the input must be quiet
 *   for debounceMs). When it expires, the last level seen is the stable level;
 *   a change to the active level is a press, posted to the blinker as PRESS.
 *   Bounce never reaches the blinker: `edges` counts every edge, `presses`
 *   and `releases` the debounced changes.
 * - Patterns: each press cycles off -> slow -> fast -> double -> off. slow and
 *   fast arm the BLINK time event periodically (half of `slowMs`/`fastMs`) and
 *   toggle the LED; double is a composite of four one-shot phases
 *   (flash, gap, flash, pause). Leaving `on` disarms BLINK and turns the LED off.
 *
 * LED periods (rising edge to rising edge): slow `slowMs`, fast `fastMs`,
 * double `2 * flashMs + gapMs + pauseMs` with two flashes.
 *
 * Allocation: `bootBlinky` allocates the two machines, their queues and two
 * time events. Handling EDGE, DEBOUNCE, PRESS and BLINK allocates nothing
 * (test/examples-blinky.test.ts measures whole simulator steps on XS).
 */
import type { Kernel } from '../src/kernel.js';
import { defineHsm, type HsmDefinition } from '../src/hsm.js';
import { checkOption, fresh, spawnMachine, type ExampleIo, type InputSink, type RunningMachine } from './io.js';

/** Debouncer signals. */
export const SIG_EDGE = 1;
export const SIG_DEBOUNCE = 2;
/** Blinker signals. */
export const SIG_PRESS = 1;
export const SIG_BLINK = 2;

const DEBOUNCER_SIGNALS = Object.freeze({ EDGE: SIG_EDGE, DEBOUNCE: SIG_DEBOUNCE });
const BLINKER_SIGNALS = Object.freeze({ PRESS: SIG_PRESS, BLINK: SIG_BLINK });

export interface BlinkyConfig {
  /** Platform pin number of the button (what onEdge receives). Default 0. */
  readonly buttonPin?: number;
  /** Level read while pressed. Default 1. */
  readonly activeLevel?: number;
  /** Output index of the LED. Default 0. */
  readonly ledOut?: number;
  /** Quiet time that makes a level stable, ms. Default 20. */
  readonly debounceMs?: number;
  /** Blink periods, ms. Defaults 500 / 100. */
  readonly slowMs?: number;
  readonly fastMs?: number;
  /** Double-blink phases, ms. Defaults 60 / 80 / 400 (period 600). */
  readonly flashMs?: number;
  readonly gapMs?: number;
  readonly pauseMs?: number;
  /** Kernel priorities (unique per kernel). Defaults 6 (debouncer) and 5 (blinker). */
  readonly debouncerPriority?: number;
  readonly blinkerPriority?: number;
  /** AO queue capacity. Default 8. */
  readonly queueCapacity?: number;
  /** Machine ids for io.logState. Defaults 0 and 1. */
  readonly debouncerMachine?: number;
  readonly blinkerMachine?: number;
}

export interface DebouncerCtx {
  raw: number;
  stable: number;
  /** First due time of the current DEBOUNCE arming (kernel.arm's result; see fresh()). */
  dueAt: number;
  edges: number;
  presses: number;
  releases: number;
}

export interface BlinkerCtx {
  led: number;
  /** Due time of the current BLINK arming, moved to each accepted periodic BLINK (see fresh()). */
  dueAt: number;
  toggles: number;
  patterns: number;
}

/** The running example: machines, time events, settings. */
export class Blinky implements InputSink {
  readonly debouncer: RunningMachine<DebouncerCtx>;
  readonly blinker: RunningMachine<BlinkerCtx>;
  readonly debounceTimer: number;
  readonly blinkTimer: number;
  readonly buttonPin: number;
  readonly ledOut: number;
  readonly activeLevel: number;
  readonly debounceMs: number;
  readonly slowHalfMs: number;
  readonly fastHalfMs: number;
  readonly flashMs: number;
  readonly gapMs: number;
  readonly pauseMs: number;
  /** Edges the debouncer's queue refused (also counted by the queue). */
  refusedEdges = 0;

  constructor(
    readonly kernel: Kernel,
    readonly io: ExampleIo,
    config: BlinkyConfig = {},
  ) {
    const opt = (name: string, v: unknown, min: number, max: number): number => checkOption('blinky', name, v, min, max);
    this.buttonPin = opt('buttonPin', config.buttonPin ?? 0, 0, 255);
    this.ledOut = opt('ledOut', config.ledOut ?? 0, 0, 255);
    this.activeLevel = opt('activeLevel', config.activeLevel ?? 1, 0, 1);
    this.debounceMs = opt('debounceMs', config.debounceMs ?? 20, 1, 10000);
    this.slowHalfMs = opt('slowMs', config.slowMs ?? 500, 2, 600000) / 2;
    this.fastHalfMs = opt('fastMs', config.fastMs ?? 100, 2, 600000) / 2;
    this.flashMs = opt('flashMs', config.flashMs ?? 60, 1, 600000);
    this.gapMs = opt('gapMs', config.gapMs ?? 80, 1, 600000);
    this.pauseMs = opt('pauseMs', config.pauseMs ?? 400, 1, 600000);
    const cap = config.queueCapacity ?? 8;
    this.blinker = spawnMachine(kernel, blinkerDefinition(this), io, config.blinkerMachine ?? 1, config.blinkerPriority ?? 5, cap);
    this.debouncer = spawnMachine(kernel, debouncerDefinition(this), io, config.debouncerMachine ?? 0, config.debouncerPriority ?? 6, cap);
    this.debouncer.hsm.ctx.stable = this.activeLevel ^ 1;
    this.debouncer.hsm.ctx.raw = this.activeLevel ^ 1;
    this.debounceTimer = kernel.timeEvent(this.debouncer.ao, SIG_DEBOUNCE);
    this.blinkTimer = kernel.timeEvent(this.blinker.ao, SIG_BLINK);
  }

  /** IO callback: a button edge. */
  onEdge(pin: number, level: number): boolean {
    if (pin !== this.buttonPin) return false;
    if (this.kernel.post(this.debouncer.ao, SIG_EDGE, level)) return true;
    this.refusedEdges++;
    return false;
  }

  /** Arms the blink time event (one-shot when periodMs is 0) and records its first due time. */
  armBlink(ctx: BlinkerCtx, delayMs: number, periodMs: number): void {
    ctx.dueAt = this.kernel.arm(this.blinkTimer, delayMs, periodMs);
  }

  setLed(ctx: BlinkerCtx, level: number): void {
    ctx.led = level;
    this.io.write(this.ledOut, level);
  }
}

function debouncerDefinition(app: Blinky): HsmDefinition<DebouncerCtx> {
  const onEdge = (c: DebouncerCtx, level: number): void => {
    c.edges++;
    c.raw = level;
    c.dueAt = app.kernel.arm(app.debounceTimer, app.debounceMs);
  };
  return defineHsm({
    name: 'debouncer',
    signals: DEBOUNCER_SIGNALS,
    context: (): DebouncerCtx => ({ raw: 0, stable: 0, dueAt: 0, edges: 0, presses: 0, releases: 0 }),
    initial: 'stable',
    states: {
      stable: { on: { EDGE: { target: 'settling', action: onEdge } } },
      settling: {
        on: {
          EDGE: { action: onEdge },
          DEBOUNCE: {
            guard: (c, _id, due) => fresh(due, c.dueAt),
            target: 'stable',
            action: (c) => {
              if (c.raw === c.stable) return;
              c.stable = c.raw;
              if (c.stable === app.activeLevel) {
                c.presses++;
                app.kernel.post(app.blinker.ao, SIG_PRESS);
              } else c.releases++;
            },
          },
        },
      },
    },
  });
}

function blinkerDefinition(app: Blinky): HsmDefinition<BlinkerCtx> {
  // A periodic BLINK moves dueAt to its own due time: the next period is due
  // later, and fresh() compares by a difference that must stay under 2^31 ms.
  const toggle = (c: BlinkerCtx, _id: number, due: number): void => {
    c.dueAt = due;
    c.toggles++;
    app.setLed(c, c.led ^ 1);
  };
  const isFresh = (c: BlinkerCtx, _id: number, due: number): boolean => fresh(due, c.dueAt);
  const phase = (level: number, ms: () => number) => (c: BlinkerCtx): void => {
    app.setLed(c, level);
    app.armBlink(c, ms(), 0);
  };
  return defineHsm({
    name: 'blinker',
    signals: BLINKER_SIGNALS,
    context: (): BlinkerCtx => ({ led: 0, dueAt: 0, toggles: 0, patterns: 0 }),
    initial: 'off',
    states: {
      off: { on: { PRESS: 'on' } },
      on: {
        initial: 'slow',
        exit: (c) => {
          app.kernel.disarm(app.blinkTimer);
          app.setLed(c, 0);
        },
        on: { PRESS: 'off' },
        states: {
          slow: {
            entry: (c) => {
              c.patterns++;
              app.setLed(c, 1);
              app.armBlink(c, app.slowHalfMs, app.slowHalfMs);
            },
            on: { PRESS: 'fast', BLINK: { guard: isFresh, action: toggle } },
          },
          fast: {
            entry: (c) => {
              c.patterns++;
              app.setLed(c, 1);
              app.armBlink(c, app.fastHalfMs, app.fastHalfMs);
            },
            on: { PRESS: 'double', BLINK: { guard: isFresh, action: toggle } },
          },
          double: {
            initial: 'flash1',
            entry: (c) => {
              c.patterns++;
            },
            states: {
              flash1: { entry: phase(1, () => app.flashMs), on: { BLINK: { guard: isFresh, target: 'gap1' } } },
              gap1: { entry: phase(0, () => app.gapMs), on: { BLINK: { guard: isFresh, target: 'flash2' } } },
              flash2: { entry: phase(1, () => app.flashMs), on: { BLINK: { guard: isFresh, target: 'pause' } } },
              pause: { entry: phase(0, () => app.pauseMs), on: { BLINK: { guard: isFresh, target: 'flash1' } } },
            },
          },
        },
      },
    },
  });
}

/** Boots the example on `kernel` (boot time; allocates). */
export function bootBlinky(kernel: Kernel, io: ExampleIo, config: BlinkyConfig = {}): Blinky {
  return new Blinky(kernel, io, config);
}

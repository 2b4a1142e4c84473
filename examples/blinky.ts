/**
 * examples/blinky: a debounced button cycles LED blink patterns.
 *
 * Two active objects:
 *
 *  debouncer (flat)                          blinker (hierarchical, depth 3)
 *
 *   +--------+  EDGE / raw = level            +-----+  PRESS   +--------------------------------------+
 *   | stable | ----------------------+        | off | -------> | on                                   |
 *   +--------+                       v        +-----+ <------- |  +------+ PRESS +------+ PRESS      |
 *       ^                     +----------+       ^    PRESS    |  | slow | ----> | fast | ------+    |
 *       |  after debounce /   | settling | --+   |   (from     |  +------+       +------+       v    |
 *       |  raw != stable:     +----------+   |   |   double)   |  every slowHalf / fastHalf:  +--------+ |
 *       |  stable = raw,          ^   EDGE / raw = level       |  toggle LED                  | double | |
 *       |  press -> post PRESS    +---(self: re-arms after)    |                              +--------+ |
 *       +------------------------------------+                 |  double: flash1 -> gap1 -> flash2 -> pause -> flash1 ...
 *                                                              |          (after flash / gap / flash / pause)  |
 *                                                              +--------------------------------------+
 *
 * - Debounce: an edge (any level) enters `settling`, whose `after: { debounce }`
 *   timer fires `debounceMs` later; each further edge re-enters settling (a
 *   self-transition), which re-arms it: the input must be quiet for
 *   debounceMs. Then the last level seen is the stable level; a change to the
 *   active level is a press, posted to the blinker as PRESS. Bounce never
 *   reaches the blinker: `edges` counts every edge, `presses` and `releases`
 *   the debounced changes.
 * - Patterns: each press cycles off -> slow -> fast -> double -> off. slow and
 *   fast toggle the LED `every` half period; double is a composite of four
 *   one-shot phases (flash, gap, flash, pause). Leaving `on` turns the LED off;
 *   leaving a state disarms its timers (the kernel drops an expiry queued
 *   before that, so no stale BLINK ever arrives).
 *
 * LED periods (rising edge to rising edge): slow `slowMs`, fast `fastMs`,
 * double `2 * flashMs + gapMs + pauseMs` with two flashes.
 *
 * Allocation: `bootBlinky` allocates the two machines, their queues and
 * their seven time events. Handling EDGE, PRESS and every timer expiry
 * allocates nothing (test/examples/examples-blinky.test.ts measures whole simulator
 * steps on XS).
 */
import type { ActiveMachine } from '../src/active-machine.js';
import type { Kernel } from '../src/kernel.js';
import { defineHsm } from '../src/hsm.js';
import { checkOption, type ExampleIo, type InputSink } from './io.js';

/** Debouncer signal. */
export const SIG_EDGE = 1;
/** Blinker signal. */
export const SIG_PRESS = 1;

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
  edges: number;
  presses: number;
  releases: number;
}

export interface BlinkerCtx {
  led: number;
  toggles: number;
  patterns: number;
}

/** The running example: machines and settings. */
export class Blinky implements InputSink {
  readonly debouncer: ActiveMachine<DebouncerCtx>;
  readonly blinker: ActiveMachine<BlinkerCtx>;
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
    const queueCapacity = config.queueCapacity ?? 8;
    this.blinker = kernel.spawnMachine(blinkerDefinition(this), {
      priority: config.blinkerPriority ?? 5, queueCapacity, monitor: io, machine: config.blinkerMachine ?? 1,
    });
    this.debouncer = kernel.spawnMachine(debouncerDefinition(this), {
      priority: config.debouncerPriority ?? 6, queueCapacity, monitor: io, machine: config.debouncerMachine ?? 0,
    });
  }

  /** IO callback: a button edge. */
  onEdge(pin: number, level: number): boolean {
    if (pin !== this.buttonPin) return false;
    if (this.kernel.post(this.debouncer.ao, SIG_EDGE, level)) return true;
    this.refusedEdges++;
    return false;
  }

  setLed(ctx: BlinkerCtx, level: number): void {
    ctx.led = level;
    this.io.write(this.ledOut, level);
  }
}

function debouncerDefinition(app: Blinky) {
  const edge = { target: 'settling', action: (c: DebouncerCtx, level: number): void => { c.edges++; c.raw = level; } } as const;
  const released = app.activeLevel ^ 1;
  // The quiet window passed: a changed level is stable; a change to the active level is a press.
  const settle = (c: DebouncerCtx): void => {
    if (c.raw === c.stable) return;
    c.stable = c.raw;
    if (c.stable === app.activeLevel) {
      c.presses++;
      app.kernel.post(app.blinker.ao, SIG_PRESS);
    } else c.releases++;
  };
  return defineHsm({
    name: 'debouncer',
    signals: { EDGE: SIG_EDGE },
    context: (): DebouncerCtx => ({ raw: released, stable: released, edges: 0, presses: 0, releases: 0 }),
    delays: { debounce: app.debounceMs },
    initial: 'stable',
    states: {
      stable: { on: { EDGE: edge } },
      settling: {
        on: { EDGE: edge }, // a self-transition: re-entering settling re-arms its timer
        after: { debounce: { target: 'stable', action: settle } },
      },
    },
  });
}

function blinkerDefinition(app: Blinky) {
  const toggle = { action: (c: BlinkerCtx): void => { c.toggles++; app.setLed(c, c.led ^ 1); } };
  const pattern = (c: BlinkerCtx): void => { c.patterns++; app.setLed(c, 1); };
  const ledOn = (c: BlinkerCtx): void => app.setLed(c, 1);
  const ledOff = (c: BlinkerCtx): void => app.setLed(c, 0);
  return defineHsm({
    name: 'blinker',
    signals: { PRESS: SIG_PRESS },
    context: (): BlinkerCtx => ({ led: 0, toggles: 0, patterns: 0 }),
    delays: { slowHalf: app.slowHalfMs, fastHalf: app.fastHalfMs, flash: app.flashMs, gap: app.gapMs, pause: app.pauseMs },
    initial: 'off',
    states: {
      off: { on: { PRESS: 'on' } },
      on: {
        initial: 'slow',
        exit: (c) => app.setLed(c, 0),
        on: { PRESS: 'off' },
        states: {
          slow: { entry: pattern, every: { slowHalf: toggle }, on: { PRESS: 'fast' } },
          fast: { entry: pattern, every: { fastHalf: toggle }, on: { PRESS: 'double' } },
          double: {
            initial: 'flash1',
            entry: (c) => { c.patterns++; },
            states: {
              flash1: { entry: ledOn, after: { flash: 'gap1' } },
              gap1: { entry: ledOff, after: { gap: 'flash2' } },
              flash2: { entry: ledOn, after: { flash: 'pause' } },
              pause: { entry: ledOff, after: { pause: 'flash1' } },
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

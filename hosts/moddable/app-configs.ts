/**
 * hosts/moddable/app-configs: the example configurations the device app
 * table (hosts/moddable/examples.ts) boots, as plain functions of the board,
 * so the trace replay (tools/trace/replay.ts) boots the very same firmware on
 * the Node simulator. No runtime imports (types only): preload-safe and
 * importable from Node.
 */
import type { BoardConfig } from './types.js';
import type { BlinkyConfig } from '../../examples/blinky.js';
import type { PortResetConfig } from '../../examples/port-reset.js';

/** The blinky entry: the button on example pin 0 (pressed = 1), LED = output 0. */
export function blinkyConfig(board: BoardConfig): BlinkyConfig {
  return { buttonPin: 0, activeLevel: 1, ledOut: 0, queueCapacity: board.queueCapacity };
}

/** The port-reset entry: the button is the reset request; no power-good pin on the boards yet. */
export function portResetConfig(board: BoardConfig): PortResetConfig {
  return { requestPin: 0, powerGoodPin: 1, enableOut: 0, resetOut: 1, faultOut: 2, queueCapacity: board.queueCapacity };
}

/** The example entries that run a kernel. */
export type KernelApp = 'blinky' | 'port-reset' | 'uart-lines';

/**
 * What each example's kernel holds, and no more (boot RAM: every slot, port
 * and time event is allocated by the Kernel constructor): its active
 * objects, its time events (one per after/every entry and named timer of its
 * machines) and the signals it publishes or marks as block signals (none: 1,
 * the kernel's minimum). The board's kernelMaxActiveObjects and
 * kernelMaxTimeEvents cap them. An app that outgrows its entry fails at boot
 * (KernelSlotsFullError, TimerTableFullError), never silently.
 */
export const KERNEL_NEEDS = Object.freeze({
  blinky: Object.freeze({ objects: 2, timers: 7, signals: 1 }),
  'port-reset': Object.freeze({ objects: 1, timers: 2, signals: 1 }),
  'uart-lines': Object.freeze({ objects: 2, timers: 1, signals: 1 }),
});

/** The kernel options of an example entry (name 'device'), without host and trace: KERNEL_NEEDS, capped by the board. */
export function kernelConfig(board: BoardConfig, app: KernelApp): { name: string; maxObjects: number; timers: number; maxSignals: number } {
  const need = KERNEL_NEEDS[app];
  return {
    name: 'device',
    maxObjects: Math.min(need.objects, board.kernelMaxActiveObjects),
    timers: Math.min(need.timers, board.kernelMaxTimeEvents),
    maxSignals: need.signals,
  };
}

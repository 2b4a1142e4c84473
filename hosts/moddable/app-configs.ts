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

/** The kernel options of every example entry (name 'device'), without host and trace. */
export function kernelConfig(board: BoardConfig): { name: string; maxObjects: number; timers: number } {
  return { name: 'device', maxObjects: board.kernelMaxActiveObjects, timers: board.kernelMaxTimeEvents };
}

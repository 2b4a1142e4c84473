/**
 * hosts/moddable/platform-contract: compile-time check (types only, emits
 * nothing, not in the manifest) that every per-platform module mapped under
 * one specifier has the same shape, so `main` links against any of them:
 *
 *   keel/host/crosscore       esp32/crosscore   | local/crosscore
 *   keel/host/digital-input   digital-input     | desktop/digital-input
 *   keel/host/digital-output  digital-output    | desktop/digital-output
 *   keel/host/serial          serial            | desktop/serial
 *   keel/board                boards/esp32      | boards/rp2040 | desktop/board
 *
 * `npm run typecheck` (hosts/moddable/tsconfig.json) fails if one drifts.
 */
import type { BoardConfig, CrossCoreModule } from 'keel/host/types';
import type * as Esp32Link from './esp32/crosscore.js';
import type * as LocalLink from './local/crosscore.js';
import type * as DeviceInput from './digital-input.js';
import type * as DesktopInput from './desktop/digital-input.js';
import type * as DeviceOutput from './digital-output.js';
import type * as DesktopOutput from './desktop/digital-output.js';
import type * as DeviceSerial from './serial.js';
import type * as DesktopSerial from './desktop/serial.js';
import type * as Esp32Board from '../../boards/esp32/board.js';
import type * as Rp2040Board from '../../boards/rp2040/board.js';
import type * as DesktopBoard from './desktop/board.js';

type Is<T extends U, U> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export type CrossCoreEsp32 = Is<typeof Esp32Link, CrossCoreModule>;
export type CrossCoreLocal = Is<typeof LocalLink, CrossCoreModule>;
type PublicOf<C> = C extends new (...args: infer A) => infer I ? { args: A; instance: { [K in keyof I]: I[K] } } : never;
export type InputSame = Is<Same<PublicOf<typeof DeviceInput.DigitalInputSource>, PublicOf<typeof DesktopInput.DigitalInputSource>>, true>;
export type OutputSame = Is<Same<PublicOf<typeof DeviceOutput.LedOutput>, PublicOf<typeof DesktopOutput.LedOutput>>, true>;
export type SerialSame = Is<Same<PublicOf<typeof DeviceSerial.SerialPort>, PublicOf<typeof DesktopSerial.SerialPort>>, true>;
export type Boards = Is<typeof Esp32Board.default | typeof Rp2040Board.default | typeof DesktopBoard.default, BoardConfig>;

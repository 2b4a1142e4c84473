/**
 * hosts/moddable/desktop/board: `keel/board` for the desktop simulator builds
 * (mcconfig -p lin / mac / win). No pins (the desktop hosts have no GPIO), no
 * second VM (local cross-core fallback), 64-bit slots (32 bytes). Sizes match
 * boards/esp32/board.ts so an app sees the same bounds.
 *
 * Moddable's simulator ignores `creation.static` and allocates on demand
 * (manifest.md, "static memory allocations"): the fixed heap is a device
 * property. On the desktop, rely on the allocation probe's report.
 * Preload-safe: one frozen object of numbers, and no runtime imports (only
 * a type), so Node tests can import it too.
 */
import type { BoardConfig } from '../types.js';

const board: BoardConfig = Object.freeze({
  buttonPin: -1, // NO_PIN
  buttonPull: 0, // PULL_NONE
  buttonActiveLevel: 0,
  ledPin: -1, // NO_PIN
  ledActiveLevel: 1,
  uartPort: -1, // NO_PIN
  uartTxPin: -1, // NO_PIN
  uartRxPin: -1, // NO_PIN
  uartBaud: 115200,
  tickMs: 10,
  reportMs: 1000,
  poolBlocks: 16,
  poolBlockBytes: 64,
  queueCapacity: 16,
  crossQueueCapacity: 0,
  kernelMaxActiveObjects: 8,
  kernelMaxTimeEvents: 16,
  hsmMaxDepth: 6,
  crossCore: 0,
  slotBytes: 32,
  workerChunkBytes: 0,
  workerHeapSlots: 0,
  workerStackSlots: 0,
});

export default board;

/**
 * boards/esp32/board: Espressif ESP32-DevKitC (ESP32-WROOM-32), module
 * specifier `keel/board` on `mcconfig -p esp32` (boards/esp32/manifest.json).
 *
 * Pin map:
 *   button  GPIO 0   the BOOT button, to ground; pull-up; pressed reads 0
 *   LED     GPIO 2   the on-board LED of common DevKit V1 boards (the
 *                    official DevKitC has none: wire an LED + resistor to
 *                    GPIO 2), active high
 *   UART 2  TX GPIO 17, RX GPIO 16, 115200 baud (line-protocol example;
 *           UART 0 on GPIO 1/3 stays the console / xsbug link)
 *
 * Sizes: bounds for Keel's pools, queues and kernel. The XS heap itself is
 * fixed in manifest.json ("creation"). crossCore 1: cross-core events travel
 * through a SharedArrayBuffer queue shared with a Worker VM whose budget is
 * the worker* numbers (fixed too: incremental 0).
 *
 * Preload-safe: one frozen object of numbers, and no runtime imports (only
 * a type), so Node tests can import it too.
 */
import type { BoardConfig } from '../../hosts/moddable/types.js';

const board: BoardConfig = Object.freeze({
  buttonPin: 0,
  buttonPull: 1, // PULL_UP
  buttonActiveLevel: 0,
  ledPin: 2,
  ledActiveLevel: 1,
  uartPort: 2,
  uartTxPin: 17,
  uartRxPin: 16,
  uartBaud: 115200,
  tickMs: 10,
  reportMs: 5000,
  poolBlocks: 16,
  poolBlockBytes: 64,
  queueCapacity: 16,
  crossQueueCapacity: 32,
  kernelMaxActiveObjects: 8,
  kernelMaxTimeEvents: 16,
  hsmMaxDepth: 6,
  crossCore: 1,
  slotBytes: 16,
  workerChunkBytes: 8192,
  workerHeapSlots: 512,
  workerStackSlots: 128,
});

export default board;

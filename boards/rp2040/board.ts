/**
 * boards/rp2040/board: Raspberry Pi Pico (RP2040), module specifier
 * `keel/board` on `mcconfig -p pico` (boards/rp2040/manifest.json).
 *
 * Pin map:
 *   button  GP14     push button to ground; pull-up; pressed reads 0
 *   LED     GP25     the on-board LED of the Pico (on a Pico W the LED hangs
 *                    off the Wi-Fi chip, not a GPIO: wire an LED to GP15 and
 *                    change ledPin)
 *   UART 0  TX GP0, RX GP1, 115200 baud (line-protocol example)
 *
 * Single core: Moddable runs JavaScript on one RP2040 core, with no Atomics
 * and no Workers (pico.md lists both as future work). crossCore is 0, so the
 * app uses a local queue; `keel/host/crosscore` maps to the local fallback.
 *
 * Sizes are smaller than the ESP32's: 264 KB RAM in total.
 * Preload-safe: one frozen object of numbers, and no runtime imports (only
 * a type), so Node tests can import it too.
 */
import type { BoardConfig } from '../../hosts/moddable/types.js';

const board: BoardConfig = Object.freeze({
  buttonPin: 14,
  buttonPull: 1, // PULL_UP
  buttonActiveLevel: 0,
  ledPin: 25,
  ledActiveLevel: 1,
  uartPort: 0,
  uartTxPin: 0,
  uartRxPin: 1,
  uartBaud: 115200,
  tickMs: 10,
  reportMs: 5000,
  poolBlocks: 8,
  poolBlockBytes: 64,
  queueCapacity: 8,
  crossQueueCapacity: 0,
  kernelMaxActiveObjects: 4,
  kernelMaxTimeEvents: 8,
  hsmMaxDepth: 6,
  crossCore: 0,
  slotBytes: 16,
  workerChunkBytes: 0,
  workerHeapSlots: 0,
  workerStackSlots: 0,
});

export default board;

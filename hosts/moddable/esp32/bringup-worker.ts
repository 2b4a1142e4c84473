/**
 * hosts/moddable/esp32/bringup-worker: the worker side of the bring-up app
 * (module specifier `keel/app/worker` until the examples provide theirs).
 *
 * Proves on a new ESP32 board that the second VM runs and shares memory with
 * the main VM: on attach it writes MAGIC into word 1 of the buffer, then a
 * Timer in the worker VM increments word 0 every HEARTBEAT_MS with
 * Atomics.add. The main VM's bring-up app reads word 0 with Atomics.load.
 *
 * Allocation: attach() allocates once (an Int32Array view and the timer
 * callback); each heartbeat is one Atomics.add (allocation-free).
 * Context: the worker VM only. Preload-safe: exports a frozen table.
 */
import Timer from 'timer';
import type { WorkerApp } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** Word 1 after attach: 'KEEL' in ASCII. */
export const MAGIC = 0x4b45454c;
export const HEARTBEAT_MS = 100;
/** Bytes the buffer needs: word 0 heartbeat, word 1 magic. */
export const BRINGUP_BUFFER_BYTES = 8;

const bringupWorker: WorkerApp = Object.freeze({
  attach(buffer: SharedArrayBuffer): void {
    if (buffer.byteLength < BRINGUP_BUFFER_BYTES) {
      throw new DeviceHostError('BUFFER_TOO_SMALL', `bringup worker: buffer has ${buffer.byteLength} bytes, needs ${BRINGUP_BUFFER_BYTES} [BUFFER_TOO_SMALL]`);
    }
    const words = new Int32Array(buffer, 0, 2);
    Atomics.store(words, 1, MAGIC);
    Timer.repeat(function beat(): void {
      Atomics.add(words, 0, 1);
    }, HEARTBEAT_MS);
  },
});

export default bringupWorker;

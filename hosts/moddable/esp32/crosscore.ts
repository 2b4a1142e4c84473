/**
 * hosts/moddable/esp32/crosscore: the ESP32 cross-core link. Module specifier
 * `keel/host/crosscore`, mapped to this file by boards/esp32/manifest.json
 * (RP2040 and the desktop map the same specifier to ../local/crosscore).
 *
 * At boot the main VM creates a SharedArrayBuffer (the app's cross-core event
 * queue, laid out by Keel's SharedArrayBuffer queue) and calls `start(buffer)`.
 * This starts a Moddable Worker (a second XS VM in its own FreeRTOS task,
 * preemptively scheduled; ESP-IDF may run it on either core) from the module
 * `keel-worker` (./worker.ts) with a fixed heap, then posts it the buffer.
 * From then on the two VMs talk only through the buffer with Atomics: no
 * postMessage on the hot path (postMessage marshals and allocates).
 *
 * Protocol (boot only, both messages allocate, once):
 *
 *   main VM                                   worker VM (keel-worker)
 *   new KeelWorker('keel-worker', budget) --> module runs, installs self.onmessage
 *   postMessage({keel: 'attach', version: 1, buffer})
 *                                         --> WorkerApp.attach(buffer)   (keel/app/worker)
 *   onmessage({keel: 'attached', byteLength}) <--   (or {keel: 'error', message})
 *   attached = 1
 *   ... events flow through the SharedArrayBuffer (Atomics), both ways as the
 *       app's queue layout defines; no further messages ...
 *
 * Allocation: start() allocates (the Worker, one message); the link does
 * nothing per event.
 *
 * Contexts: start()/stop() on the main VM at boot/shutdown; the worker's
 * reply is delivered on the main VM's task (Moddable message queue).
 *
 * Lifecycle:
 *
 *   [idle] --start(buffer)--> [starting] --'attached'--> [attached] --stop()--> [stopped]
 *                                 |
 *                                 +--'error'--> [failed] (`error` holds the worker's message)
 */
import Worker from 'worker';
import type { CrossCoreLinkLike, CrossCoreOptions } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** Module specifier of the worker entry (not preloaded: it installs self.onmessage). */
export const WORKER_MODULE = 'keel-worker';
/** Protocol version carried by the attach message. */
export const PROTOCOL_VERSION = 1;

/** Subclass with an onmessage method: Moddable's recommended, cheaper form. */
class KeelWorker extends Worker {
  link: CrossCoreLink | undefined = undefined;
  override onmessage(message: unknown): void {
    if (this.link !== undefined) this.link.onWorkerMessage(message);
  }
}

export class CrossCoreLink implements CrossCoreLinkLike {
  readonly supported = 1;
  readonly name: string;
  attached = 0;
  /** Worker's error message when attach failed, else ''. */
  error = '';
  private readonly options: CrossCoreOptions;
  private worker: KeelWorker | undefined = undefined;

  constructor(options: CrossCoreOptions) {
    this.name = options.name;
    if (!(options.workerChunkBytes > 0) || !(options.workerHeapSlots > 0) || !(options.workerStackSlots > 0)) {
      throw new DeviceHostError('BAD_WORKER_BUDGET', `CrossCoreLink '${options.name}': worker budget must be > 0 (chunk ${options.workerChunkBytes} B, heap ${options.workerHeapSlots} slots, stack ${options.workerStackSlots} slots); set workerChunkBytes/workerHeapSlots/workerStackSlots in boards/esp32/board.ts [BAD_WORKER_BUDGET]`);
    }
    this.options = options;
  }

  start(buffer: SharedArrayBuffer): void {
    if (this.worker !== undefined) {
      throw new DeviceHostError('STARTED_TWICE', `CrossCoreLink '${this.name}': start() called twice; one worker per link [STARTED_TWICE]`);
    }
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw new DeviceHostError('NOT_SHARED', `CrossCoreLink '${this.name}': start() needs a SharedArrayBuffer (got ${typeof buffer}); create the cross-core queue over a SharedArrayBuffer [NOT_SHARED]`);
    }
    const o = this.options;
    // Fixed budget, incremental 0: the worker VM cannot grow either.
    const worker = new KeelWorker(WORKER_MODULE, {
      static: 0,
      chunk: { initial: o.workerChunkBytes, incremental: 0 },
      heap: { initial: o.workerHeapSlots, incremental: 0 },
      stack: o.workerStackSlots,
    });
    worker.link = this;
    this.worker = worker;
    worker.postMessage({ keel: 'attach', version: PROTOCOL_VERSION, buffer });
  }

  /** The worker's reply (boot only). */
  onWorkerMessage(message: unknown): void {
    const m = message as { keel?: unknown; message?: unknown } | null;
    if (m !== null && typeof m === 'object' && m.keel === 'attached') this.attached = 1;
    else if (m !== null && typeof m === 'object' && m.keel === 'error') this.error = String(m.message);
  }

  stop(): void {
    if (this.worker === undefined) return;
    this.worker.link = undefined;
    this.worker.terminate();
    this.worker = undefined;
    this.attached = 0;
  }
}

/**
 * hosts/moddable/types: the contracts between the Moddable device host, the
 * board configurations and the application (kernel + examples).
 *
 * Types only, plus two numeric constants: nothing here runs on the hot path
 * and nothing here holds state (preload-safe).
 *
 *   Tickable  - what the tick driver drives (the kernel implements it).
 *   Postable  - what IO callbacks post into (the queue module's EventQueue
 *               has exactly this `post`).
 *   DeviceApp - one entry of the application table (`keel/app`): `boot`
 *               builds the app once and returns its Tickable and Postable.
 *   BoardConfig - the frozen, numbers-only configuration of a board
 *               (`keel/board`, chosen by the manifest "platforms" section).
 */
import type { Trace } from 'keel/trace';
import type { TraceMachineInfo } from 'keel/trace-frames';

/** Driven once per tick by `TickDriver`. `nowMs` is `Time.ticks` (ms, monotonic). */
export interface Tickable {
  tick(nowMs: number): void;
}

/**
 * Accepts a signal with up to four numeric parameters. Returns false when it
 * refuses (queue full); the caller counts the refusal. Must not allocate.
 */
export interface Postable {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
}

/** A pin number that means "this board has no such pin": the host creates no IO for it. */
export const NO_PIN = -1;

/** `BoardConfig.buttonPull` values. */
export const PULL_NONE = 0;
export const PULL_UP = 1;
export const PULL_DOWN = 2;

/**
 * A board: pin map, sizes and heap budget, all numbers (so `Object.freeze`d
 * boards are plain constants that preload into flash).
 */
export interface BoardConfig {
  /** Pin of the user button (digital input), or NO_PIN. */
  readonly buttonPin: number;
  /** PULL_NONE, PULL_UP or PULL_DOWN. */
  readonly buttonPull: number;
  /** Level read when the button is pressed (0 for a button to ground with pull-up). */
  readonly buttonActiveLevel: number;
  /** Pin of the user LED (digital output), or NO_PIN. */
  readonly ledPin: number;
  /** Level that turns the LED on. */
  readonly ledActiveLevel: number;
  /** UART used by the line-protocol example (not the console): port, pins, baud. */
  readonly uartPort: number;
  readonly uartTxPin: number;
  readonly uartRxPin: number;
  readonly uartBaud: number;
  /** Tick period of the TickDriver, ms. */
  readonly tickMs: number;
  /** Period of the allocation report printed by the device host, ms. */
  readonly reportMs: number;
  /** Pool sizes: number of blocks and bytes per block. */
  readonly poolBlocks: number;
  readonly poolBlockBytes: number;
  /** Event queue capacity (records) of each active object's queue. */
  readonly queueCapacity: number;
  /** Capacity (records) of the cross-core queue; 0 when crossCore is 0. */
  readonly crossQueueCapacity: number;
  /** Kernel bounds: active objects, time events, HSM nesting depth. */
  readonly kernelMaxActiveObjects: number;
  readonly kernelMaxTimeEvents: number;
  readonly hsmMaxDepth: number;
  /**
   * 1: events from the other core travel through a SharedArrayBuffer queue
   * owned by a Worker (ESP32). 0: no second VM; the app uses a local queue
   * (RP2040: Moddable runs on one core and has no Atomics).
   */
  readonly crossCore: number;
  /** Bytes per XS slot on this target (16 on 32-bit MCUs, 32 on 64-bit desktops). */
  readonly slotBytes: number;
  /** Worker VM budget (crossCore 1 only; 0 otherwise): chunk bytes, slots, stack slots. */
  readonly workerChunkBytes: number;
  readonly workerHeapSlots: number;
  readonly workerStackSlots: number;
}

/** What `startDevice` hands to `DeviceApp.boot`. Built once at boot. */
export interface DeviceContext {
  readonly board: BoardConfig;
  /** The board LED (writes are allocation-free). */
  readonly led: LedWriter;
  /** The trace ring the app's kernel reports into (manifest config keelTrace; see hosts/moddable/trace-drain.ts), or undefined: tracing off. */
  readonly trace?: Trace;
  /** The trace transport when tracing is on: 'serial' takes the board's example UART (an app that uses that UART refuses it). */
  readonly traceTransport?: 'text' | 'serial';
}

/** A digital output the examples can drive. */
export interface LedWriter {
  /** 1 = on, 0 = off (the active level is applied by the writer). */
  write(on: number): void;
  toggle(): void;
  readonly on: number;
}

/** One running application, as returned by `DeviceApp.boot`. */
export interface AppInstance {
  /** Driven by the TickDriver (the kernel). */
  readonly tickable: Tickable;
  /** Receives IO events (the kernel's or an active object's queue). */
  readonly events: Postable;
  /** Signal number posted for button edges: post(buttonSignal, pin, level, ticks). */
  readonly buttonSignal: number;
  /**
   * When set (and the board has crossCore 1), the host starts the worker and
   * hands it this buffer at boot (see docs/moddable.md, "Cross-core").
   */
  readonly crossCoreBuffer?: SharedArrayBuffer;
  /**
   * Optional: the app's counters as text, appended to the device host's
   * periodic report (outside the allocation windows; may allocate).
   */
  status?(): string;
  /** Optional: closes what boot opened (e.g. the app's serial port); called by stopDevice. */
  stop?(): void;
  /** Optional: the definitions of the app's machines, for the trace dictionary (states' nesting, transitions). */
  readonly machines?: readonly TraceMachineInfo[];
}

/** An entry of the application table. `boot` runs once, at start-up. */
export interface DeviceApp {
  readonly name: string;
  boot(ctx: DeviceContext): AppInstance;
}

/** The application table exported (default) by the `keel/app` module. */
export type AppTable = readonly DeviceApp[];

/** Options of the cross-core link (numbers from the board). */
export interface CrossCoreOptions {
  readonly name: string;
  readonly workerChunkBytes: number;
  readonly workerHeapSlots: number;
  readonly workerStackSlots: number;
}

/** The platform's cross-core link (module `keel/host/crosscore`). */
export interface CrossCoreLinkLike {
  /** 1 when this platform can run a second VM with shared memory. */
  readonly supported: number;
  /** 1 once the worker has acknowledged the buffer. */
  readonly attached: number;
  /**
   * Boot only: starts the worker and posts it the buffer. Throws
   * DeviceHostError where the platform has no second VM (RP2040, desktop).
   */
  start(buffer: SharedArrayBuffer): void;
  stop(): void;
}

/** Shape every `keel/host/crosscore` implementation exports. */
export interface CrossCoreModule {
  CrossCoreLink: new (options: CrossCoreOptions) => CrossCoreLinkLike;
}

/** Worker side: the `keel/app/worker` module's default export. */
export interface WorkerApp {
  /** Called once in the worker VM with the buffer the main VM created. */
  attach(buffer: SharedArrayBuffer): void;
}

/**
 * hosts/sim: the simulator host. Runs Keel firmware on a virtual clock with
 * simulated inputs (bounce), outputs (waveforms), UARTs, seeded faults and a
 * replayable trace. Engine-neutral (Node and XS). See docs/simulator.md.
 */
export { Simulator, type SimOptions, type StepHook, type AfterStepHook, type ProgressHook } from './simulator.js';
export type { Tickable, Runnable, Postable, PoolLike } from './driver.js';
export { DigitalInputs, DigitalOutputs, type InterruptHandler } from './digital.js';
export { SimUart, NO_BYTE, type ReadableHandler } from './uart.js';
export { FaultInjector } from './faults.js';
export { Scheduler } from './scheduler.js';
export { SimClock } from './clock.js';
export { Prng } from './prng.js';
export * from './trace.js';
export { TracePrinter, formatRecord, formatTime, type SimNames, type PrinterOptions } from './printer.js';
export { SimConfigError, SimSchedulerFullError, SimUsageError, SimReplayError } from './errors.js';
export type { SimConfigErrorCode, SimSchedulerFullErrorCode, SimUsageErrorCode, SimReplayErrorCode } from './errors.js';

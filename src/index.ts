/**
 * Keel: zero-allocation building blocks for firmware in JavaScript on the
 * Moddable XS engine. Each module is one noun; import the ones you use
 * (`keel/pool`, `keel/queue`, ...) or everything from here.
 */
export * from './errors.js';
export * from './pool.js';
export {
  EventQueue,
  NO_EVENT,
  MAX_SIGNAL,
  MAX_CAPACITY,
  QueueConfigError,
  QueueEventError,
  QueueOverflowError,
  type OverflowPolicy,
  type EventQueueOptions,
  type QueueConfigErrorCode,
  type QueueEventErrorCode,
  type QueueOverflowErrorCode,
} from './queue.js';
export * from './shared-queue.js';
export * from './hsm.js';
export * from './timer.js';
export * from './kernel.js';
export * from './active-machine.js';
export * from './stream.js';
export * from './shared-stream.js';
export * from './trace.js';

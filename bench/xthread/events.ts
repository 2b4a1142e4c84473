/**
 * The cross-thread bench's events and variants, shared by its producer thread
 * (producer.worker.ts) and its consumer (run.ts, the main thread).
 *
 * Event i is three int32: [i, imul(i, MUL), i ^ XOR]. Both producers make it
 * the same way, per event; both consumers check every event's three values in
 * order (so a lost, duplicated, reordered or torn event fails the run).
 * SharedEventQueue carries them as p0..p2 of a record whose signal is SIG
 * (p3 = 0); ringbuf.js as three consecutive int32 elements.
 */

/** Multiplier and mask of an event's second and third values. */
export const MUL = 0x9e3779b1 | 0;
export const XOR = 0x5bd1e995;
/** The signal of every SharedEventQueue record in the bench. */
export const SIG = 1;

/**
 * How a variant moves events:
 *  - 'ringbuf-1': ringbuf.js push(3 int32) / pop(3 int32), one event per call;
 *  - 'ringbuf-batch': ringbuf.js push / pop of `batch` events (3 * batch int32) per call;
 *  - 'keel-1': SharedEventQueue post(SIG, a, b, c) / get() + p0..p2, one event per call;
 *  - 'keel-batch': SharedEventQueue postMany / drainTo, `batch` records per call.
 */
export type Variant = 'ringbuf-1' | 'ringbuf-batch' | 'keel-1' | 'keel-batch';

/** What the main thread hands a producer thread. */
export interface ProducerData {
  variant: Variant;
  /** The ring: a SharedEventQueue's buffer, or ringbuf.js storage. */
  buffer: SharedArrayBuffer;
  events: number;
  batch: number;
  /** [0] the start gate (0 closed, 1 open). */
  gate: Int32Array;
}

/** What a producer thread reports when it is done. */
export interface ProducerReport {
  /** Events the producer handed over (all of them). */
  events: number;
  /** Calls that moved nothing or only part (the ring was full), retried. */
  fullCalls: number;
  /** SharedEventQueue only: the producer handle's counters. */
  posted: number;
  refused: number;
}

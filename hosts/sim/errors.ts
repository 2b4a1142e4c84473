/**
 * sim/errors: the simulator's named errors.
 *
 * The simulator's hot path (stepping, delivering events, recording) never
 * throws: a scheduling or recording refusal there is counted (and recorded in
 * the trace). These errors are for scenario and configuration code (tests, the
 * CLI), raised when it is called, and they say what went wrong, on which
 * simulator (its `name`), the limit and what to change.
 */
import { KeelError } from '../../src/errors.js';

/** A bad option or argument: a pin, output or port out of range, a capacity below 1, a negative duration. */
export class SimConfigError extends KeelError {
  override name = 'SimConfigError';
}

/** Scenario code scheduled an event while the scheduler table was full. */
export class SimSchedulerFullError extends KeelError {
  override name = 'SimSchedulerFullError';
}

/** Scenario code used the simulator out of order: a time in the past, scheduling while replaying. */
export class SimUsageError extends KeelError {
  override name = 'SimUsageError';
}

/** A trace cannot be replayed: records were lost, the format is unknown, or it names a pin/port the simulator lacks. */
export class SimReplayError extends KeelError {
  override name = 'SimReplayError';
}

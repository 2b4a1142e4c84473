/**
 * sim/errors: the simulator's named errors.
 *
 * The simulator's hot path (stepping, delivering events, recording) never
 * throws: a scheduling or recording refusal there is counted (and recorded in
 * the trace). These errors are for scenario and configuration code (tests, the
 * CLI), raised when it is called, and they say what went wrong, on which
 * simulator (its `name`), the limit and what to change.
 *
 * Each carries a stable `code` (docs/errors.md "simulator" lists every one
 * with its cause and fix). Messages follow src/errors.ts: the owner first
 * (`Simulator 'name'`, `Scheduler 'name'`, `SimClock`, `Trace`), the code last
 * in brackets. The simulator is bundled with the DEBUG replacement like the
 * tests: debug builds carry the long text, a release bundle (DEBUG false)
 * the short `Owner 'name' [CODE]`.
 */
import { KeelError } from '../../src/errors.js';

export type SimConfigErrorCode =
  | 'BAD_START'
  | 'BAD_TICK_PERIOD'
  | 'BAD_SCHEDULER_CAPACITY'
  | 'BAD_TRACE_CAPACITY'
  | 'BAD_TRACE_MODE'
  | 'BAD_INPUTS'
  | 'BAD_OUTPUTS'
  | 'BAD_WAVEFORM_CAPACITY'
  | 'BAD_UARTS'
  | 'BAD_BAUD'
  | 'BAD_UART_CAPACITY'
  | 'BAD_MAX_HELD'
  | 'BAD_RUN_ON'
  | 'BAD_PROGRESS_EVERY'
  | 'BAD_TIME'
  | 'BAD_DURATION'
  | 'INDEX_OUT_OF_RANGE'
  | 'BAD_BOUNCE'
  | 'BAD_COUNT'
  | 'BAD_SIGNAL'
  | 'BAD_DELAY';

/** A bad option or argument: a pin, output or port out of range, a capacity below 1, a negative duration. */
export class SimConfigError extends KeelError {
  override name = 'SimConfigError';
  declare readonly code: SimConfigErrorCode;
}

export type SimSchedulerFullErrorCode = 'FULL' | 'INJECT_TOO_LONG';

/** Scenario code scheduled an event while the scheduler table was full. */
export class SimSchedulerFullError extends KeelError {
  override name = 'SimSchedulerFullError';
  declare readonly code: SimSchedulerFullErrorCode;
}

export type SimUsageErrorCode = 'IN_THE_PAST' | 'REPLAYING' | 'NOT_FRESH';

/** Scenario code used the simulator out of order: a time in the past, scheduling while replaying. */
export class SimUsageError extends KeelError {
  override name = 'SimUsageError';
  declare readonly code: SimUsageErrorCode;
}

export type SimReplayErrorCode =
  | 'BAD_FORMAT'
  | 'BAD_RECORD'
  | 'BAD_START'
  | 'INCOMPLETE'
  | 'OUT_OF_ORDER'
  | 'NO_SUCH_PERIPHERAL'
  | 'START_MISMATCH'
  | 'RUN_ON_MISMATCH';

/** A trace cannot be replayed: records were lost, the format is unknown, or it names a pin/port the simulator lacks. */
export class SimReplayError extends KeelError {
  override name = 'SimReplayError';
  declare readonly code: SimReplayErrorCode;
}

/**
 * hosts/moddable/errors: the device host's named error.
 *
 * Thrown only at start-up (configuration and misuse), never from a tick or an
 * IO callback. Preload-safe: a class declaration, no state.
 */
import { KeelError } from 'keel/errors';

/**
 * The codes of DeviceHostError (docs/errors.md "device host"). The host has no
 * DEBUG build flag: its messages are the long ones in every build (start-up only).
 */
export type DeviceHostErrorCode =
  | 'BAD_ACTIVE_LEVEL'
  | 'STARTED_TWICE'
  | 'BAD_RECORDS_PER_TICK'
  | 'BAD_STATUS_EVERY'
  | 'BAD_DICTIONARY_BYTES'
  | 'DICTIONARY_TOO_SMALL'
  | 'TOO_MANY_STEPS'
  | 'BAD_STEP'
  | 'STEP_TOO_LATE'
  | 'STEPS_OUT_OF_ORDER'
  | 'BAD_WORKER_BUDGET'
  | 'NOT_SHARED'
  | 'BUFFER_TOO_SMALL'
  | 'UART_IN_USE'
  | 'UNKNOWN_APP'
  | 'BAD_TRACE_TRANSPORT'
  | 'NO_TRACE_UART'
  | 'NO_CROSS_CORE'
  | 'BAD_INTERVAL'
  | 'BAD_TARGETS'
  | 'BAD_PULL'
  | 'BAD_SIGNAL'
  | 'BAD_SLOT_BYTES';

/** Misuse or bad configuration of a device host object (tick driver, IO, link, probe). */
export class DeviceHostError extends KeelError {
  override name = 'DeviceHostError';
  declare readonly code: DeviceHostErrorCode;
}

/**
 * hosts/moddable/errors: the device host's named error.
 *
 * Thrown only at start-up (configuration and misuse), never from a tick or an
 * IO callback. Preload-safe: a class declaration, no state.
 */
import { KeelError } from 'keel/errors';

/** Misuse or bad configuration of a device host object (tick driver, IO, link, probe). */
export class DeviceHostError extends KeelError {
  override name = 'DeviceHostError';
}

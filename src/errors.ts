/**
 * errors: the base of Keel's named errors.
 *
 * Hot paths never throw: they return a sentinel or `false` and count the
 * refusal. Errors are for configuration mistakes and misuse, and each one says
 * what went wrong, on which object, the limit involved, and what to change.
 *
 * Each subclass names itself with a field (`override name = 'PoolExhaustedError'`)
 * rather than relying on the class's name, which bundlers may rename.
 *
 * Allocation: constructing an error allocates (slots for the object, chunks
 * for the message). That is fine: errors are raised off the hot path, or on a
 * path that is already failing.
 */
export class KeelError extends Error {
  override name = 'KeelError';
}

/**
 * A value as an error message shows it: numbers as they are, anything else
 * with its type (a string '10' is not the number 10). Failing paths only.
 */
export function showValue(x: unknown): string {
  if (typeof x === 'number') return String(x);
  if (typeof x === 'string') return `the string '${x}'`;
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

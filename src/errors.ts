/**
 * errors: the base of Keel's named errors.
 *
 * Hot paths never throw: they return a sentinel or `false` and count the
 * refusal. Errors are for configuration mistakes and misuse, and each one says
 * what went wrong, on which object, the limit involved, and what to change.
 *
 * Which checks run in a release build (`DEBUG=false`, dist/xs) is decided by
 * one written rule, docs/reliability.md "The rule": a release build may skip a
 * check, but it must never store a value that later corrupts state. Each
 * module's header says which of its checks survive release.
 *
 * Every error carries a stable `code` (UPPER_SNAKE_CASE, unique within its
 * class, never reused for another cause). docs/errors.md lists every
 * `Class.CODE` with its cause and fix; a test fails when a thrown code is
 * missing there or a listed code is never thrown. Code on `code`, never on the
 * message: programs branch on `err.code`, people read the message.
 *
 * Message rule: DEBUG builds build the long text, release builds a short one.
 *
 *   throw new PoolConfigError('BAD_BLOCK_SIZE', DEBUG
 *     ? `BlockPool 'rx': blockSize must be an integer in 1..65536, got 0 [BAD_BLOCK_SIZE]`
 *     : `BlockPool 'rx' [BAD_BLOCK_SIZE]`);
 *
 *   - long (debug):  `Owner 'name': what, the limit, what to change [CODE]`
 *   - short (release): `Owner 'name' [CODE]`
 *
 * The owner is the class of the object and its name in single quotes
 * (`Kernel 'main'`, `EventQueue 'q'`, `BlockPool 'rx'`). The bundler folds
 * `false ? long : short` to `short`, so the long text does not ship in dist/xs;
 * a release build throws the same class with the same code.
 *
 * Each subclass names itself with a field (`override name = 'PoolExhaustedError'`)
 * rather than relying on the class's name, which bundlers may rename, and
 * narrows `code` to its union of codes:
 *
 *   export type PoolConfigErrorCode = 'NO_OPTIONS' | 'BAD_BLOCK_SIZE' | ...;
 *   export class PoolConfigError extends KeelError {
 *     override name = 'PoolConfigError';
 *     declare readonly code: PoolConfigErrorCode;
 *   }
 *
 * Allocation: constructing an error allocates (slots for the object, chunks
 * for the message). That is fine: errors are raised off the hot path, or on a
 * path that is already failing.
 */
export class KeelError extends Error {
  override name = 'KeelError';
  /** Stable code of the cause (UPPER_SNAKE_CASE); listed with its fix in docs/errors.md. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
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

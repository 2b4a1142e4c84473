/**
 * hsm/errors: the two error classes of keel/hsm, each with a stable `code`
 * (docs/errors.md "hsm" lists every code with its cause and fix).
 *
 * Message rule (src/errors.ts): DEBUG builds say which machine, which state,
 * what is wrong and what to change, `hsm 'm', state 's': what [CODE]`;
 * release builds throw the same class with the same code and fields and the
 * short message `hsm 'm' [CODE]`. Call sites pass their text as
 * `DEBUG ? text : ''`, so the long texts do not ship in release builds.
 *
 * Allocation: constructing an error allocates; errors are thrown at
 * definition, at construction, or on a path that is already failing.
 */
import { KeelError } from '../errors.js';

export type HsmDefinitionErrorCode =
  | 'BAD_SPEC'
  | 'BAD_SIGNAL'
  | 'DUPLICATE_SIGNAL'
  | 'UNKNOWN_SIGNAL'
  | 'NO_STATES'
  | 'DUPLICATE_STATE'
  | 'DEPTH_LIMIT'
  | 'TOO_MANY'
  | 'UNKNOWN_TARGET'
  | 'NO_INITIAL'
  | 'INITIAL_ON_LEAF'
  | 'INITIAL_NOT_DESCENDANT'
  | 'HISTORY_ON_LEAF'
  | 'NO_HISTORY'
  | 'DEFER_CONFLICT'
  | 'BAD_CONTEXT'
  | 'BAD_OPTION'
  | 'UNKNOWN_DELAY'
  | 'BAD_DELAY'
  | 'NO_TIMERS';

/** The spec (or construction options) is wrong. Says which machine, which state, what, and what to change. */
export class HsmDefinitionError extends KeelError {
  override name = 'HsmDefinitionError';
  declare readonly code: HsmDefinitionErrorCode;
  constructor(
    code: HsmDefinitionErrorCode,
    readonly machine: string,
    readonly state: string | undefined,
    what: string,
  ) {
    super(code, DEBUG ? `hsm '${machine}'${state === undefined ? '' : `, state '${state}'`}: ${what} [${code}]` : `hsm '${machine}' [${code}]`);
  }
}

export type HsmUsageErrorCode = 'REENTRANT_DISPATCH' | 'NOT_STARTED' | 'ALREADY_STARTED' | 'BAD_PARAM' | 'NO_OWN_QUEUE' | 'NOT_A_TIMER' | 'BAD_DELAY';

/** A machine was used wrongly at run time (re-entrant dispatch, dispatch before start, ...). */
export class HsmUsageError extends KeelError {
  override name = 'HsmUsageError';
  declare readonly code: HsmUsageErrorCode;
  constructor(
    code: HsmUsageErrorCode,
    readonly machine: string,
    what: string,
  ) {
    super(code, DEBUG ? `hsm '${machine}': ${what} [${code}]` : `hsm '${machine}' [${code}]`);
  }
}

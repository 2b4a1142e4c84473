/**
 * internal/event: what EventQueue (src/queue.ts) and SharedEventQueue
 * (src/shared-queue.ts) share about an event record: the signal range, the
 * overflow option, and the checks of a post's arguments. Private to Keel.
 *
 * Calling contexts: policyCode at construction; checkEvent and checkMargin on
 * every post in EventQueue's DEBUG builds and on SharedEventQueue's failing
 * path (every build). They allocate nothing unless they throw, and throw
 * before the caller changes anything. No module state.
 */
import type { ErrorClass } from './checks.js';
import { showValue } from '../errors.js';
import { POLICY_DROP_OLDEST, POLICY_REJECT, POLICY_THROW } from './layout.js';

/** Largest signal (signals are integers 0..MAX_SIGNAL, 16 bits as in QP). */
export const MAX_SIGNAL = 0xffff;

/** Float64 words of one record in EventQueue's ring and SharedEventQueue's urgent lane: [sig, p0, p1, p2, p3]. */
export const RECORD_WIDTH = 5;

// A string literal in a hot function is copied into a chunk on each use on the
// XS host; a module constant is not (typeof itself does not allocate).
const NUMBER = 'number';

/** The overflow option as a POLICY_* code, if it is one of `allowed`. */
export function policyCode(owner: string, overflow: unknown, allowed: readonly string[], Err: ErrorClass<'BAD_OVERFLOW'>): number {
  const code =
    overflow === 'reject' ? POLICY_REJECT : overflow === 'drop-oldest' ? POLICY_DROP_OLDEST : overflow === 'throw' ? POLICY_THROW : -1;
  if (code < 0 || allowed.indexOf(overflow as string) < 0)
    throw new Err(
      'BAD_OVERFLOW',
      DEBUG
        ? `${owner}: overflow must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${String(overflow)}); change the \`overflow\` option [BAD_OVERFLOW]`
        : `${owner} [BAD_OVERFLOW]`,
    );
  return code;
}

/**
 * One post's arguments: the signal an integer 0..MAX_SIGNAL, p0..p3 numbers.
 * (`(sig & MAX_SIGNAL) !== sig` rejects fractions, NaN, negatives and
 * too-large values at once.) The owner is `kind` and `name` (the message
 * starts `EventQueue 'name'`): they are passed apart, and joined only when the
 * check throws, because a post must not build a string (pass `kind` as a
 * module constant, not a literal: see NUMBER above).
 */
export function checkEvent(
  kind: string,
  name: string,
  sig: number,
  p0: number,
  p1: number,
  p2: number,
  p3: number,
  Err: ErrorClass<'BAD_SIGNAL' | 'BAD_PARAMETER'>,
): void {
  // typeof first: `&` would run a valueOf() or throw on a BigInt or a Symbol.
  if (typeof sig !== NUMBER || (sig & MAX_SIGNAL) !== sig) {
    const owner = `${kind} '${name}'`;
    throw new Err(
      'BAD_SIGNAL',
      DEBUG
        ? `${owner}: signal must be an integer 0..${MAX_SIGNAL} (got ${showValue(sig)}); ` +
            'use a small non-negative integer signal [BAD_SIGNAL]'
        : `${owner} [BAD_SIGNAL]`,
    );
  }
  if (typeof p0 !== NUMBER || typeof p1 !== NUMBER || typeof p2 !== NUMBER || typeof p3 !== NUMBER) {
    const owner = `${kind} '${name}'`;
    const bad = typeof p0 !== NUMBER ? 0 : typeof p1 !== NUMBER ? 1 : typeof p2 !== NUMBER ? 2 : 3;
    throw new Err(
      'BAD_PARAMETER',
      DEBUG
        ? `${owner}: parameter p${bad} of signal ${sig} must be a number (got ${typeof [p0, p1, p2, p3][bad]}); ` +
            'events carry numbers only: pass a pool handle or an index instead of an object [BAD_PARAMETER]'
        : `${owner} [BAD_PARAMETER]`,
    );
  }
}

/** A margin: an integer >= 0 (EventQueue, DEBUG builds). Owner as checkEvent's. */
export function checkMargin(kind: string, name: string, margin: number, Err: ErrorClass<'BAD_MARGIN'>): void {
  if (typeof margin !== NUMBER || !Number.isInteger(margin) || margin < 0) {
    const owner = `${kind} '${name}'`;
    throw new Err('BAD_MARGIN', DEBUG ? `${owner}: margin must be an integer >= 0 (got ${String(margin)}) [BAD_MARGIN]` : `${owner} [BAD_MARGIN]`);
  }
}

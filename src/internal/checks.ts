/**
 * internal/checks: the construction and argument checks that EventQueue,
 * SharedEventQueue, Stream, BlockStream and SharedStream share. Private to
 * Keel (not a `keel/*` export; `keel/internal/*` in manifest.json).
 *
 * Each check names the error class to throw: the caller passes its own
 * module's class (QueueConfigError, StreamConfigError, ...), whose code union
 * must hold the check's code (the `ErrorClass<C>` parameter type says which).
 * Messages follow src/errors.ts: DEBUG builds build the long text, release
 * builds `Owner 'name' [CODE]`.
 *
 * Calling contexts: constructors and failing paths only (the per-post event
 * checks, checkEvent and checkMargin, are in internal/event.ts). No module
 * state.
 */
import type { KeelError } from '../errors.js';
import type { AtomicsLike } from './layout.js';

/** A KeelError subclass whose code union holds `C`. */
export type ErrorClass<C extends string> = new (code: C, message: string) => KeelError;

/** Largest capacity of one ring (EventQueue, SharedEventQueue, Stream, BlockStream, SharedStream). */
export const MAX_RING_CAPACITY = 65536;

/** A value as the pool, queue and stream messages show it: strings quoted, bigints with `n`, objects by their tag. Failing paths only. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return String(v) + 'n';
  if (typeof v === 'object' && v !== null) return Object.prototype.toString.call(v);
  return String(v);
}

/** True for a SharedArrayBuffer (false on a host without one). */
export function isShared(b: unknown): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

/** The nearest power of two >= n (n >= 1). */
export function ceilPow2(n: number): number {
  let s = 1;
  while (s < n) s *= 2;
  return s;
}

/**
 * A capacity option: an integer 1..MAX_RING_CAPACITY, and a power of two when
 * `pow2` (the streams index their ring with `& (capacity - 1)`).
 */
export function checkCapacity(
  owner: string,
  capacity: unknown,
  Err: ErrorClass<'BAD_CAPACITY' | 'CAPACITY_NOT_POWER_OF_TWO'>,
  pow2: boolean,
): number {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_RING_CAPACITY)
    throw new Err(
      'BAD_CAPACITY',
      DEBUG
        ? `${owner}: capacity must be an integer 1..${MAX_RING_CAPACITY} (got ${show(capacity)}); change the \`capacity\` option [BAD_CAPACITY]`
        : `${owner} [BAD_CAPACITY]`,
    );
  if (pow2 && (capacity & (capacity - 1)) !== 0) {
    const p = ceilPow2(capacity);
    throw new Err(
      'CAPACITY_NOT_POWER_OF_TWO',
      DEBUG
        ? `${owner}: capacity must be a power of two (got ${capacity}); use ${p} (or ${p / 2}) as the \`capacity\` option [CAPACITY_NOT_POWER_OF_TWO]`
        : `${owner} [CAPACITY_NOT_POWER_OF_TWO]`,
    );
  }
  return capacity;
}

/** The `initialIndex` option (for tests: where the 32-bit head/tail counters start): 0 when undefined. */
export function checkInitialIndex(owner: string, index: unknown, Err: ErrorClass<'BAD_INITIAL_INDEX'>): number {
  if (index === undefined) return 0;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < -0x80000000 || index > 0xffffffff)
    throw new Err(
      'BAD_INITIAL_INDEX',
      DEBUG ? `${owner}: initialIndex must be a 32-bit integer (got ${show(index)}) [BAD_INITIAL_INDEX]` : `${owner} [BAD_INITIAL_INDEX]`,
    );
  return index | 0;
}

/** The host's Atomics, or a named error saying what to pass instead (`instead`: the single-VM alternative). */
export function defaultAtomics(owner: string, Err: ErrorClass<'NO_ATOMICS'>, instead: string): AtomicsLike {
  if (typeof Atomics === 'undefined')
    throw new Err(
      'NO_ATOMICS',
      DEBUG
        ? `${owner}: this host has no Atomics (Moddable on RP2040 has none); pass \`atomics: singleCoreAtomics\` ` +
            `and a plain ArrayBuffer (one core only), or use ${instead} [NO_ATOMICS]`
        : `${owner} [NO_ATOMICS]`,
    );
  return Atomics as unknown as AtomicsLike;
}

/**
 * The one mark by which SharedEventQueue and SharedStream tell their
 * constructor that a handle is attached (the header is read and checked by
 * the private static `#attached()` factory behind `attach()`, not written).
 * Only options built by that factory carry it: the symbol is not exported
 * from any public module, so `new X(options)` always formats.
 */
export const ATTACHED: unique symbol = Symbol('keel attached');
/** Options as `#attached()` builds them. */
export type Attached<O> = O & { readonly [ATTACHED]: true };
/** Whether `options` were built by `#attached()`. */
export function isAttached(options: object): boolean {
  return (options as { [ATTACHED]?: true })[ATTACHED] === true;
}

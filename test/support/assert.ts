// A minimal engine-neutral assert (node:assert is not available on XS).
// Same names and semantics as node:assert/strict for what the suite uses.
export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object' && v !== null) {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

type ErrorClass = abstract new (...args: never[]) => Error;

function matches(e: unknown, expected?: ErrorClass | RegExp | ((e: unknown) => boolean)): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(e instanceof Error ? e.message : String(e));
  if (expected.prototype instanceof Error || expected === Error) return e instanceof (expected as ErrorClass);
  return (expected as (e: unknown) => boolean)(e);
}

type Expected = ErrorClass | RegExp | ((e: unknown) => boolean);
export interface Assert {
  ok(value: unknown, message?: string): asserts value;
  equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
  notEqual(actual: unknown, expected: unknown, message?: string): void;
  deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T;
  throws(fn: () => unknown, expected?: Expected, message?: string): void;
  doesNotThrow(fn: () => unknown, message?: string): void;
  fail(message: string): never;
}

export const strict: Assert = {
  ok(value: unknown, message?: string): asserts value {
    if (!value) throw new AssertionError(message ?? `expected a truthy value, got ${show(value)}`);
  },
  equal<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
    if (!Object.is(actual, expected))
      throw new AssertionError(message ?? `expected ${show(actual)} to equal ${show(expected)}`);
  },
  notEqual(actual: unknown, expected: unknown, message?: string): void {
    if (Object.is(actual, expected)) throw new AssertionError(message ?? `expected ${show(actual)} to differ`);
  },
  deepEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
    if (!deepEqual(actual, expected))
      throw new AssertionError(message ?? `expected ${show(actual)} to deep-equal ${show(expected)}`);
  },
  throws(fn: () => unknown, expected?: ErrorClass | RegExp | ((e: unknown) => boolean), message?: string): void {
    try {
      fn();
    } catch (e) {
      if (!matches(e, expected))
        throw new AssertionError(message ?? `threw the wrong error: ${e instanceof Error ? e.name + ': ' + e.message : show(e)}`);
      return;
    }
    throw new AssertionError(message ?? 'expected the function to throw');
  },
  doesNotThrow(fn: () => unknown, message?: string): void {
    try {
      fn();
    } catch (e) {
      throw new AssertionError(message ?? `did not expect a throw: ${e instanceof Error ? e.message : show(e)}`);
    }
  },
  fail(message: string): never {
    throw new AssertionError(message);
  },
};
export default strict;

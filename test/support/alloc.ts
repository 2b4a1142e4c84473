/**
 * Allocation probes for tests and benches.
 *
 * On the keel-xs host they read XS's own counters (slots in use, chunk bytes in
 * use, compute steps) around `n` calls of `fn`, after a forced collection and
 * with no warm-up of `fn`: its first call is counted. The host heap is fixed and
 * large, so no collection runs during a measurement unless `fn` allocates a
 * lot; if one does run, the counters were recomputed mid-measurement and the
 * probe reports it (`collections > 0`), which `assertNoAllocation` also fails on.
 *
 * On Node there are no such counters: `allocations` returns null, and
 * `assertNoAllocation` only runs `fn` (behaviour) and says so in the test title.
 */
export interface Allocation {
  /** Slots allocated per call. */
  slots: number;
  /** Chunk bytes allocated per call. */
  chunkBytes: number;
  /** XS steps per call, including ~22 steps of loop and call overhead. */
  steps: number;
  /** Garbage collections that ran during the measurement (should be 0). */
  collections: number;
  /** Number of calls measured. */
  calls: number;
}

type Host = NonNullable<typeof $xs>;
const host: Host | undefined = typeof $xs === 'undefined' ? undefined : $xs;

/** True when running on the keel-xs engine host. */
export const onXs = host !== undefined;
/** The engine these tests run on. */
export const engine: 'xs' | 'node' = onXs ? 'xs' : 'node';

function collect(): void {
  (globalThis as unknown as { gc(): void }).gc();
}

function measure(h: Host, fn: () => unknown, n: number): Allocation {
  collect();
  const g0 = h.gcCount();
  const s0 = h.slots();
  const c0 = h.chunks();
  const t0 = h.steps();
  for (let i = 0; i < n; i++) fn();
  const t1 = h.steps();
  const s1 = h.slots();
  const c1 = h.chunks();
  const g1 = h.gcCount();
  // steps is a u32 that wraps; the difference modulo 2^32 is right for any run under 4e9 steps.
  const steps = (t1 - t0 + 4294967296) % 4294967296;
  return { slots: (s1 - s0) / n, chunkBytes: (c1 - c0) / n, steps: steps / n, collections: g1 - g0, calls: n };
}

let warmed = false;
function noop(): void {}

/**
 * Per-call allocation of `fn` over `n` calls on XS, the first call included.
 * Returns null on engines without allocation counters (Node).
 */
export function allocations(fn: () => unknown, n = 10000): Allocation | null {
  if (host === undefined) return null;
  if (!warmed) {
    // Warm the probe itself (host calls, this function's code) once, not `fn`.
    measure(host, noop, 1);
    warmed = true;
  }
  return measure(host, fn, n);
}

export class AllocationError extends Error {
  constructor(message: string, readonly measured: Allocation) {
    super(message);
    this.name = 'AllocationError';
  }
}

interface TitledTest {
  title: string;
}
let currentTest: TitledTest | undefined;
const NODE_NOTE = ' [node: behaviour only; allocation is counted on XS]';

// A root hook: remember the running test so a Node-only check can say so in its title.
if (typeof beforeEach === 'function') {
  beforeEach(function () {
    currentTest = this.currentTest as TitledTest | undefined;
  });
}

/**
 * Fails on XS if `n` calls of `fn` (the first after setup included) allocate any
 * slot or chunk byte. On Node, runs `fn` `n` times (behaviour only) and marks the
 * test title. Returns the measurement (null on Node).
 */
export function assertNoAllocation(fn: () => unknown, n = 10000, what = 'the operation'): Allocation | null {
  const a = allocations(fn, n);
  if (a === null) {
    for (let i = 0; i < n; i++) fn();
    if (currentTest !== undefined && currentTest.title.indexOf(NODE_NOTE) < 0) currentTest.title += NODE_NOTE;
    return null;
  }
  if (a.slots !== 0 || a.chunkBytes !== 0 || a.collections !== 0) {
    throw new AllocationError(
      `${what} allocated on XS over ${n} calls (first call included): ${a.slots} slots/call, ` +
        `${a.chunkBytes} chunk bytes/call, ${a.collections} garbage collections; expected 0`,
      a,
    );
  }
  return a;
}

/**
 * The positive control that stands next to an assertNoAllocation: the same
 * operation, in the same setting, plus one array literal per call must be
 * caught (AllocationError). Shows the counters see an allocation on exactly
 * this path (stand-ins, timers and all), so a 0 beside it means something.
 * XS only: on Node there are no counters, and it returns false.
 */
export function assertCatchesAllocation(fn: () => unknown, n = 100, what = 'the operation'): boolean {
  if (allocations(() => 0, 1) === null) return false;
  let caught = false;
  try {
    assertNoAllocation(
      () => {
        fn();
        return [n];
      },
      n,
      what + ' + one array literal (positive control)',
    );
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    if (e.measured.slots <= 0) throw new Error(`positive control for ${what}: caught, but ${e.measured.slots} slots/call`);
    caught = true;
  }
  if (!caught) throw new Error(`positive control for ${what}: an array literal per call was not caught; the probe cannot see this path`);
  return true;
}

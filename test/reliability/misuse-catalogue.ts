// The misuse catalogue (issue 13, docs/reliability.md): bad input against every
// public constructor and method, as data. Each case says what a debug build and
// a release build do with it:
//   'named error'       a KeelError subclass (class, name and code checked in
//                       every build; a message fragment in debug builds only:
//                       release builds throw the short `Owner 'name' [CODE]`)
//   'counted refusal'   false / NO_BLOCK / NO_EVENT / 0, and a counter that went up
//   'documented limit'  a misuse the module does not detect, documented in its
//                       header; the case checks the documented behaviour and that
//                       no state is corrupted
// and after the misuse, each case checks that the object is fully usable:
// counters consistent (posted = taken + dropped + length; written = taken +
// dropped + length), pool.used back where it started, the queue still
// delivering, the machine still dispatching.
//
// The cases take the library as a parameter (`K`, the module namespace of
// src/index.ts), so the same catalogue runs against a debug bundle (what
// `npm test` runs, Node and XS: test/reliability/misuse-catalogue.test.ts) and a release
// bundle of the same sources (test/node/misuse-release.test.ts: Node, and the
// XS host with a release bundle). Nothing here imports a value from src/.
import { strict as assert } from '../support/assert.js';
import type * as Keel from '../../src/index.js';

export type Lib = typeof Keel;
export type Outcome = 'named error' | 'counted refusal' | 'documented limit';

export interface MisuseCase {
  /** What is done wrong (the catalogue's row). */
  readonly name: string;
  /** Module / object family. */
  readonly module: string;
  /** Behaviour in a debug build. */
  readonly debug: Outcome;
  /** Behaviour in a release build (DEBUG=false). */
  readonly release: Outcome;
  /** Set when the case waits for another issue (listed, run as pending). */
  readonly pending?: string;
  readonly run: (K: Lib, debug: boolean) => void;
}

// ---- helpers (boot-time code: allocation does not matter here) --------------

type Ctor = abstract new (...args: never[]) => Error;

/**
 * Whether the build under test makes the long messages (debug) or the short
 * ones (release: `Owner 'name' [CODE]`); set by describeCatalogue for each case.
 */
let debugMessages = true;

/**
 * fn throws an instance of `cls` (a KeelError) whose name is `name` and whose
 * `code` is `code`, in every build; its message ends with `[code]` in every
 * build and matches `re` in a debug build (release builds make the short
 * message, docs/errors.md).
 */
function named(K: Lib, fn: () => unknown, cls: Ctor, name: string, code: string, re: RegExp): Error {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof cls, `expected ${name}, got ${String(caught)}`);
  assert.ok(caught instanceof K.KeelError, `${name} is a KeelError`);
  assert.equal(caught.name, name);
  assert.ok(code !== '', 'a code is expected');
  assert.equal((caught as InstanceType<typeof K.KeelError>).code, code, `code of ${name}: ${caught.message}`);
  assert.ok(caught.message.endsWith(`[${code}]`), `message of ${name} ends with [${code}]: ${caught.message}`);
  if (debugMessages) assert.ok(re.test(caught.message), `message of ${name}: ${caught.message}`);
  return caught;
}

function queueIdentity(q: { posted: number; taken: number; dropped: number; length: number }, what = 'queue'): void {
  assert.equal(q.posted, q.taken + q.dropped + q.length, `${what}: posted ${q.posted} = taken ${q.taken} + dropped ${q.dropped} + length ${q.length}`);
}

/** The queue keeps its identity and still delivers FIFO, parameters included; it is left empty. */
function queueDelivers(q: Keel.EventQueue): void {
  queueIdentity(q);
  q.clear();
  assert.equal(q.post(7, 1, 2, 3, 4), true, 'a good post is accepted');
  assert.equal(q.get(), 7);
  assert.deepEqual([q.p0, q.p1, q.p2, q.p3], [1, 2, 3, 4]);
  assert.equal(q.post(8), true);
  assert.equal(q.get(), 8);
  assert.equal(q.get(), K_NO_EVENT);
  queueIdentity(q);
}
const K_NO_EVENT = -1;

/** pool.used is back at `used0`, and a claim/release still works. */
function poolUsable(pool: Keel.BlockPool, used0: number): void {
  assert.equal(pool.used, used0, `pool '${pool.name}' used ${pool.used}, started at ${used0}`);
  if (pool.free > 0) {
    const h = pool.claim();
    pool.view.setUint8(pool.offset(h), 1);
    pool.release(h);
  }
  assert.equal(pool.used, used0);
}

function setUsable(set: Keel.PoolSet, used0: number): void {
  assert.equal(set.used, used0);
  const h = set.reserve(1);
  set.release(h);
  assert.equal(set.used, used0);
}

function pool(K: Lib, count = 4, blockSize = 16, name = 'cat'): Keel.BlockPool {
  return new K.BlockPool({ name, blockSize, count });
}

interface Rig {
  k: Keel.Kernel;
  ao: number;
  seen: number[];
}
/** A kernel with one AO that records the signals it is dispatched. */
function rig(K: Lib, capacity = 4, opts: Keel.KernelOptions = {}): Rig {
  const seen: number[] = [];
  const k = new K.Kernel({ name: 'cat', ...opts });
  const ao = k.spawn({ create: () => ({ start() {}, dispatch: (sig: number) => void seen.push(sig) }) }, 1, capacity);
  return { k, ao, seen };
}
/** The AO still gets its events in order; its queue's identity holds. */
function kernelDispatches(r: Rig): void {
  r.k.run();
  r.seen.length = 0;
  assert.equal(r.k.post(r.ao, 5, 1), true);
  r.k.run();
  assert.equal(r.k.post(r.ao, 6), true);
  r.k.run();
  assert.deepEqual(r.seen, [5, 6]);
  queueIdentity(r.k.queueOf(r.ao), 'AO queue');
}

const sigs = (K: Lib) => K.defineSignals(['A', 'B']);
function machine(K: Lib, name = 'cat') {
  const S = sigs(K);
  const def = K.defineHsm({
    name,
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'a',
    states: { a: { on: { A: 'b', B: { action: (c) => void c.n++ } } }, b: { on: { A: 'a' } } },
  });
  return { S, def };
}
function hsmWorks(m: Keel.Hsm<{ n: number }>, S: { A: number; B: number }): void {
  const n = m.ctx.n;
  m.send(S.B);
  assert.equal(m.ctx.n, n + 1, 'the machine still dispatches');
  assert.equal(m.queued, 0, 'its own queue drained');
}

class Sink {
  n = 0;
  accept = true;
  postTimeEvent(): boolean {
    this.n++;
    return this.accept;
  }
}
/** Destroys every created time event, then shows that the table still creates, arms and expires. */
function timersWork(K: Lib, t: Keel.TimerTable, sink: { n: number }, now: number): void {
  for (let id = 0; id < t.capacity; id++) {
    try {
      t.destroy(id);
    } catch (e) {
      assert.ok(e instanceof K.TimerUsageError, String(e)); // not created
    }
  }
  assert.deepEqual([t.created, t.armed], [0, 0]);
  const id = t.create(0, 1);
  const n = sink.n;
  t.arm(id, now, 1);
  t.tick(now + 1);
  assert.equal(sink.n, n + 1, 'the table still expires');
  t.destroy(id);
}

function streamWorks(s: Keel.Stream<'f64'>): void {
  assert.equal(s.written, s.taken + s.dropped + s.length);
  while (s.next());
  assert.equal(s.writeOne(42), true);
  assert.equal(s.next(), true);
  assert.equal(s.value, 42);
  assert.equal(s.written, s.taken + s.dropped + s.length);
}
function blockStreamWorks(s: Keel.BlockStream, p: Keel.BlockPool, used0: number): void {
  assert.equal(s.written, s.taken + s.dropped + s.length);
  const h = p.claim();
  assert.equal(s.send(h), true);
  assert.equal(s.receive(), h);
  p.release(h);
  assert.equal(s.written, s.taken + s.dropped + s.length);
  assert.equal(p.used, used0);
}

/** A trace still records and drains after a misuse: seq without gaps, nothing lost, the records taken intact. */
function traceWorks(K: Lib, t: Keel.Trace): void {
  const n0 = t.length;
  const lost0 = t.lost;
  assert.equal(t.rec(K.TRACE_USER, 0, 7, 1, 2, 3.5, -1), true);
  assert.equal(t.length, n0 + 1);
  assert.equal(t.lost, lost0, 'nothing lost by the misuse');
  assert.equal(t.signalAt(n0), 7);
  assert.equal(t.p0At(n0), 3.5);
  const dst = new Int32Array(K.TRACE_RECORD_WORDS * (n0 + 1));
  assert.equal(t.take(dst), n0 + 1);
  assert.equal(t.length, 0);
}
function trace(K: Lib, maxObjects = 4): Keel.Trace {
  return new K.Trace({ clock: () => 0, capacity: 8, maxObjects });
}

const both = (o: Outcome) => ({ debug: o, release: o });

// ---- the catalogue ---------------------------------------------------------

export const CATALOGUE: readonly MisuseCase[] = [
  // BlockPool: configuration
  ...[
    ['no options', (K: Lib) => new K.BlockPool(undefined as never), /options must be an object/, 'BAD_OPTIONS'],
    ['blockSize 0', (K: Lib) => new K.BlockPool({ blockSize: 0, count: 1 }), /blockSize must be an integer 1\.\./, 'BAD_BLOCK_SIZE'],
    ['blockSize 1.5', (K: Lib) => new K.BlockPool({ blockSize: 1.5, count: 1 }), /blockSize/, 'BAD_BLOCK_SIZE'],
    ['count above MAX_BLOCKS', (K: Lib) => new K.BlockPool({ blockSize: 1, count: 65537 }), /count must be an integer 1\.\.65536/, 'BAD_COUNT'],
    ['blockSize 65536 x count 65536 (4 GiB; was a bare RangeError)', (K: Lib) => new K.BlockPool({ blockSize: 65536, count: 65536 }), /MAX_ARENA_BYTES/, 'ARENA_TOO_LARGE'],
    ['blockSize 0x7fffffff x count 1 (was: XS aborted, memory full)', (K: Lib) => new K.BlockPool({ blockSize: 0x7fffffff, count: 1 }), /MAX_ARENA_BYTES = 16777216/, 'ARENA_TOO_LARGE'],
    ['buffer too small', (K: Lib) => new K.BlockPool({ blockSize: 16, count: 4, buffer: new ArrayBuffer(32) }), /buffer too small/, 'BUFFER_TOO_SMALL'],
    ['buffer not a buffer', (K: Lib) => new K.BlockPool({ blockSize: 16, count: 4, buffer: new Uint8Array(64) as never }), /buffer must be an ArrayBuffer/, 'BAD_BUFFER'],
    ['byteOffset without a buffer', (K: Lib) => new K.BlockPool({ blockSize: 16, count: 4, byteOffset: 8 }), /without a buffer/, 'OFFSET_WITHOUT_BUFFER'],
    ['pool id 0', (K: Lib) => new K.BlockPool({ blockSize: 16, count: 4, id: 0 }), /id must be an integer 1\.\.127/, 'BAD_ID'],
  ].map(
    ([what, make, re, code]): MisuseCase => ({
      name: `new BlockPool: ${what as string}`,
      module: 'pool',
      ...both('named error'),
      run(K) {
        named(K, () => (make as (K: Lib) => unknown)(K), K.PoolConfigError, 'PoolConfigError', code as string, re as RegExp);
        poolUsable(pool(K), 0);
      },
    }),
  ),
  // BlockPool: handles
  {
    name: 'claim() on an exhausted pool',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const p = pool(K, 1);
      const h = p.claim();
      named(K, () => p.claim(), K.PoolExhaustedError, 'PoolExhaustedError', 'EXHAUSTED', /exhausted: all 1 blocks/);
      assert.deepEqual([p.used, p.refused, p.failures], [1, 1, 1]);
      p.release(h);
      poolUsable(p, 0);
    },
  },
  {
    name: 'tryClaim() on an exhausted pool',
    module: 'pool',
    ...both('counted refusal'),
    run(K) {
      const p = pool(K, 1);
      const h = p.claim();
      assert.equal(p.tryClaim(), K.NO_BLOCK);
      assert.deepEqual([p.used, p.refused, p.minFree], [1, 1, 0]);
      p.release(h);
      poolUsable(p, 0);
    },
  },
  {
    name: 'release() twice (double release)',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const p = pool(K);
      const h = p.claim();
      p.release(h);
      named(K, () => p.release(h), K.DoubleReleaseError, 'DoubleReleaseError', 'DOUBLE_RELEASE', /double release/);
      assert.ok(named(K, () => p.release(h), K.HandleError, 'DoubleReleaseError', 'DOUBLE_RELEASE', /already released/));
      poolUsable(p, 0);
    },
  },
  {
    name: 'release() of a stale handle (its block claimed again)',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const p = pool(K, 1);
      const old = p.claim();
      p.release(old);
      const h = p.claim();
      named(K, () => p.release(old), K.StaleHandleError, 'StaleHandleError', 'STALE', /stale handle/);
      assert.equal(p.refCount(h), 1, 'the live claim is untouched');
      p.release(h);
      poolUsable(p, 0);
    },
  },
  {
    name: 'release() of another pool\'s handle',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const a = pool(K, 2, 16, 'a');
      const b = pool(K, 2, 16, 'b');
      const h = b.claim();
      named(K, () => a.release(h), K.ForeignHandleError, 'ForeignHandleError', 'FOREIGN', /belongs to pool id/);
      b.release(h);
      poolUsable(a, 0);
      poolUsable(b, 0);
    },
  },
  ...[
    ['NO_BLOCK', 0, /NO_BLOCK/, 'NO_BLOCK'],
    ['1.5', 1.5, /not a block handle/, 'NOT_A_HANDLE'],
    ["the string '1'", '1', /not a block handle/, 'NOT_A_HANDLE'],
    ['-1', -1, /not a block handle/, 'NOT_A_HANDLE'],
    ['a forged handle (block never claimed)', -2, /never claimed|no claim of this pool/, 'NEVER_CLAIMED'],
  ].map(
    ([what, value, re, code]): MisuseCase => ({
      name: `release(${what as string})`,
      module: 'pool',
      ...both('named error'),
      run(K) {
        const p = pool(K);
        const h = p.claim();
        const bad = value === -2 ? (p.id << 24) | (1 << 16) | 3 : value;
        named(K, () => p.release(bad as number), K.InvalidHandleError, 'InvalidHandleError', code as string, re as RegExp);
        p.release(h);
        poolUsable(p, 0);
      },
    }),
  ),
  {
    name: 'retain() past MAX_REFS',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const p = pool(K);
      const h = p.claim();
      for (let i = 1; i < K.MAX_REFS; i++) p.retain(h);
      named(K, () => p.retain(h), K.RefCountOverflowError, 'RefCountOverflowError', 'TOO_MANY_REFS', /MAX_REFS = 255/);
      assert.equal(p.refCount(h), K.MAX_REFS);
      for (let i = 0; i < K.MAX_REFS; i++) p.release(h);
      poolUsable(p, 0);
    },
  },
  {
    name: 'offset() after the last release (use after release)',
    module: 'pool',
    ...both('named error'),
    run(K) {
      const p = pool(K);
      const h = p.claim();
      p.release(h);
      named(K, () => p.offset(h), K.StaleHandleError, 'StaleHandleError', 'USE_AFTER_RELEASE', /use after release/);
      poolUsable(p, 0);
    },
  },
  {
    name: 'a handle kept across exactly 255 re-claims of its block (generation wrap)',
    module: 'pool',
    ...both('documented limit'),
    run(K) {
      const p = pool(K, 1);
      const old = p.claim();
      p.release(old);
      let h = 0;
      for (let i = 0; i < K.MAX_GENERATION; i++) {
        h = p.claim();
        if (i < K.MAX_GENERATION - 1) p.release(h);
      }
      assert.equal(h, old, 'the 255th re-claim gives the same handle back: the documented limit of stale detection');
      p.release(old);
      poolUsable(p, 0);
    },
  },
  // PoolSet
  ...[
    ['classes not ascending', (K: Lib) => new K.PoolSet({ classes: [{ blockSize: 32, count: 1 }, { blockSize: 16, count: 1 }] }), /strictly ascending/, 'CLASSES_NOT_ASCENDING'],
    ['17 classes', (K: Lib) => new K.PoolSet({ classes: Array.from({ length: 17 }, (_, i) => ({ blockSize: i + 1, count: 1 })) }), /number of classes must be an integer 1\.\.16/, 'BAD_CLASS_COUNT'],
    ['no classes option', (K: Lib) => new K.PoolSet({} as never), /options must be an object with classes/, 'BAD_OPTIONS'],
    ['one class above MAX_ARENA_BYTES', (K: Lib) => new K.PoolSet({ classes: [{ blockSize: 65536, count: 65536 }, { blockSize: 0x7fffffff, count: 1 }] }), /MAX_ARENA_BYTES/, 'ARENA_TOO_LARGE'],
    ['the classes together above MAX_ARENA_BYTES', (K: Lib) => new K.PoolSet({ classes: [{ blockSize: 1024, count: 16384 }, { blockSize: 2048, count: 8192 }] }), /classes need \d+ bytes.*MAX_ARENA_BYTES/, 'ARENA_TOO_LARGE'],
  ].map(
    ([what, make, re, code]): MisuseCase => ({
      name: `new PoolSet: ${what as string}`,
      module: 'pool set',
      ...both('named error'),
      run(K) {
        named(K, () => (make as (K: Lib) => unknown)(K), K.PoolConfigError, 'PoolConfigError', code as string, re as RegExp);
        setUsable(new K.PoolSet({ classes: [{ blockSize: 8, count: 2 }] }), 0);
      },
    }),
  ),
  {
    name: 'PoolSet.reserve() above the largest class',
    module: 'pool set',
    ...both('named error'),
    run(K) {
      const s = new K.PoolSet({ name: 'set', classes: [{ blockSize: 8, count: 2 }, { blockSize: 32, count: 2 }] });
      named(K, () => s.reserve(33), K.NoSizeClassError, 'NoSizeClassError', 'NO_CLASS_FITS', /no size class fits; the largest class holds 32 bytes/);
      named(K, () => s.reserve(0), K.NoSizeClassError, 'NoSizeClassError', 'BAD_SIZE', /positive integer/);
      assert.equal(s.refused, 2);
      setUsable(s, 0);
    },
  },
  {
    name: 'PoolSet.tryReserve() of no class, or of an exhausted class (no fallback)',
    module: 'pool set',
    ...both('counted refusal'),
    run(K) {
      const s = new K.PoolSet({ classes: [{ blockSize: 8, count: 1 }, { blockSize: 32, count: 2 }] });
      assert.equal(s.tryReserve(64), K.NO_BLOCK);
      assert.equal(s.tryReserve(NaN), K.NO_BLOCK);
      const h = s.reserve(8);
      assert.equal(s.tryReserve(8), K.NO_BLOCK, 'class 0 is exhausted; class 1 is not used instead');
      assert.deepEqual([s.refused, s.used], [3, 1]);
      s.release(h);
      setUsable(s, 0);
    },
  },
  {
    name: 'PoolSet.reserve() of an exhausted class',
    module: 'pool set',
    ...both('named error'),
    run(K) {
      const s = new K.PoolSet({ classes: [{ blockSize: 8, count: 1 }] });
      const h = s.reserve(4);
      named(K, () => s.reserve(4), K.PoolExhaustedError, 'PoolExhaustedError', 'EXHAUSTED', /exhausted/);
      s.release(h);
      setUsable(s, 0);
    },
  },
  {
    name: 'PoolSet.release() of another set\'s handle',
    module: 'pool set',
    ...both('named error'),
    run(K) {
      const a = new K.PoolSet({ name: 'a', classes: [{ blockSize: 8, count: 1 }] });
      const b = new K.PoolSet({ name: 'b', classes: [{ blockSize: 8, count: 1 }] });
      const h = b.reserve(8);
      named(K, () => a.release(h), K.ForeignHandleError, 'ForeignHandleError', 'FOREIGN', /not to this set/);
      b.release(h);
      setUsable(a, 0);
      setUsable(b, 0);
    },
  },

  // EventQueue: configuration
  ...[
    ['no options (was a bare TypeError)', (K: Lib) => new K.EventQueue(undefined as never), /options must be an object with a capacity/, 'NO_OPTIONS'],
    ['null options', (K: Lib) => new K.EventQueue(null as never), /options must be an object/, 'NO_OPTIONS'],
    ['capacity 0', (K: Lib) => new K.EventQueue({ capacity: 0 }), /capacity must be an integer 1\.\.65536/, 'BAD_CAPACITY'],
    ['capacity 65537', (K: Lib) => new K.EventQueue({ capacity: 65537 }), /capacity must be an integer/, 'BAD_CAPACITY'],
    ["overflow 'explode'", (K: Lib) => new K.EventQueue({ capacity: 2, overflow: 'explode' as never }), /overflow must be one of/, 'BAD_OVERFLOW'],
    ['initialIndex 1.5', (K: Lib) => new K.EventQueue({ capacity: 2, initialIndex: 1.5 }), /initialIndex must be a 32-bit integer/, 'BAD_INITIAL_INDEX'],
  ].map(
    ([what, make, re, code]): MisuseCase => ({
      name: `new EventQueue: ${what as string}`,
      module: 'queue',
      ...both('named error'),
      run(K) {
        named(K, () => (make as (K: Lib) => unknown)(K), K.QueueConfigError, 'QueueConfigError', code as string, re as RegExp);
        queueDelivers(new K.EventQueue({ capacity: 2 }));
      },
    }),
  ),
  // EventQueue: signals (debug: QueueEventError; release: refused, counted, never stored)
  ...(
    [
      ['post(-1) (was: stored, read back as NO_EVENT)', -1, false],
      ['postUrgent(-1) (was: stored at the front as NO_EVENT)', -1, true],
      ['post(1.5)', 1.5, false],
      ['post(NaN)', NaN, false],
      ['post(0x10000) (a forged time-event tag)', 0x10000, false],
      ["post('1')", '1', false],
      ['postUrgent(70000)', 70000, true],
    ] as const
  ).map(
    ([what, sig, urgent]): MisuseCase => ({
      name: `EventQueue.${what}`,
      module: 'queue',
      debug: 'named error',
      release: 'counted refusal',
      run(K, debug) {
        const q = new K.EventQueue({ name: 'sigq', capacity: 4 });
        q.post(1);
        const call = () => (urgent ? q.postUrgent(sig as number) : q.post(sig as number));
        if (debug) {
          named(K, call, K.QueueEventError, 'QueueEventError', 'BAD_SIGNAL', /EventQueue 'sigq': signal must be an integer 0\.\.65535/);
          assert.deepEqual([q.posted, q.refused, q.length], [1, 0, 1]);
        } else {
          assert.equal(call(), false);
          assert.deepEqual([q.posted, q.refused, q.badSignals, q.length], [1, 1, 1, 1], 'refused, counted, not stored');
        }
        q.post(2);
        assert.equal(q.get(), 1, 'the loop `while ((s = q.get()) !== NO_EVENT)` reaches every later event');
        assert.equal(q.get(), 2);
        queueDelivers(q);
      },
    }),
  ),
  {
    name: "EventQueue.post(1, 'x') (a parameter that is not a number)",
    module: 'queue',
    debug: 'named error',
    release: 'documented limit',
    run(K, debug) {
      const q = new K.EventQueue({ capacity: 2 });
      if (debug) named(K, () => q.post(1, 'x' as never), K.QueueEventError, 'QueueEventError', 'BAD_PARAMETER', /parameter p0 of signal 1 must be a number/);
      else {
        assert.equal(q.post(1, 'x' as never), true, 'release: parameters are not checked');
        assert.equal(q.get(), 1);
        assert.ok(Number.isNaN(q.p0), 'stored as the Float64Array converts it: a value, not queue state');
      }
      queueDelivers(q);
    },
  },
  {
    name: 'EventQueue.postWithMargin(-1, ..) (a negative margin)',
    module: 'queue',
    debug: 'named error',
    release: 'documented limit',
    run(K, debug) {
      const q = new K.EventQueue({ capacity: 2 });
      q.post(1);
      q.post(2);
      if (debug) named(K, () => q.postWithMargin(-1, 3), K.QueueEventError, 'QueueEventError', 'BAD_MARGIN', /margin must be an integer >= 0/);
      else assert.equal(q.postWithMargin(-1, 3), false, 'release: behaves as post() (full: refused by the overflow policy); capacity holds');
      assert.equal(q.length, 2);
      queueDelivers(q);
    },
  },
  {
    name: "EventQueue.post() to a full 'reject' queue",
    module: 'queue',
    ...both('counted refusal'),
    run(K) {
      const q = new K.EventQueue({ capacity: 1 });
      q.post(1);
      assert.equal(q.post(2), false);
      assert.deepEqual([q.refused, q.length, q.minFree], [1, 1, 0]);
      queueDelivers(q);
    },
  },
  {
    name: "EventQueue.post() to a full 'throw' queue",
    module: 'queue',
    ...both('named error'),
    run(K) {
      const q = new K.EventQueue({ name: 'tq', capacity: 1, overflow: 'throw' });
      q.post(1);
      named(K, () => q.post(2), K.QueueOverflowError, 'QueueOverflowError', 'FULL', /'tq' is full \(capacity 1\)/);
      assert.deepEqual([q.refused, q.length], [1, 1]);
      queueDelivers(q);
    },
  },
  {
    name: 'EventQueue.postWithMargin() with the margin not met',
    module: 'queue',
    ...both('counted refusal'),
    run(K) {
      const q = new K.EventQueue({ capacity: 4, overflow: 'drop-oldest' });
      q.post(1);
      assert.equal(q.postWithMargin(3, 2), false);
      assert.deepEqual([q.refused, q.dropped, q.length], [1, 0, 1], 'never drops, never throws');
      queueDelivers(q);
    },
  },

  // Hsm
  ...(
    [
      ['a transition to a state that does not exist', 'UNKNOWN_TARGET', { a: { on: { A: 'nowhere' } } }, /targets 'nowhere'/],
      ['a composite state without an initial transition', 'NO_INITIAL', { a: { states: { x: {} } } }, /initial/],
      ['a transition on an undeclared signal', 'UNKNOWN_SIGNAL', { a: { on: { Z: 'a' } } }, /'Z'/],
    ] as const
  ).map(
    ([what, code, states, re]): MisuseCase => ({
      name: `defineHsm: ${what}`,
      module: 'hsm',
      ...both('named error'),
      run(K) {
        named(
          K,
          () => K.defineHsm({ name: 'bad', signals: sigs(K), context: () => ({ n: 0 }), initial: 'a', states } as never),
          K.HsmDefinitionError,
          'HsmDefinitionError',
          code,
          re,
        );
        const { S, def } = machine(K);
        const m = new K.Hsm(def);
        m.start();
        hsmWorks(m, S);
      },
    }),
  ),
  {
    name: 'defineSignals: a signal value out of range',
    module: 'hsm',
    ...both('named error'),
    run(K) {
      named(
        K,
        () => K.defineHsm({ name: 'bad', signals: { A: 0 } as never, context: () => ({ n: 0 }), initial: 'a', states: { a: {} } } as never),
        K.HsmDefinitionError,
        'HsmDefinitionError',
        'BAD_SIGNAL',
        /signals are integers 1\.\.4095/,
      );
    },
  },
  {
    name: 'new Hsm: queueCapacity 0',
    module: 'hsm',
    ...both('named error'),
    run(K) {
      const { S, def } = machine(K);
      named(K, () => new K.Hsm(def, { queueCapacity: 0 }), K.HsmDefinitionError, 'HsmDefinitionError', 'BAD_OPTION', /queueCapacity 0 is out of range/);
      const m = new K.Hsm(def);
      m.start();
      hsmWorks(m, S);
    },
  },
  {
    name: 'Hsm.dispatch() before start()',
    module: 'hsm',
    ...both('named error'),
    run(K) {
      const { S, def } = machine(K);
      const m = new K.Hsm(def);
      named(K, () => m.dispatch(S.A), K.HsmUsageError, 'HsmUsageError', 'NOT_STARTED', /dispatch\(\) before start\(\)/);
      m.start();
      hsmWorks(m, S);
    },
  },
  {
    name: 'Hsm.start() twice',
    module: 'hsm',
    ...both('named error'),
    run(K) {
      const { S, def } = machine(K);
      const m = new K.Hsm(def);
      m.start();
      named(K, () => m.start(), K.HsmUsageError, 'HsmUsageError', 'ALREADY_STARTED', /start\(\) called twice/);
      hsmWorks(m, S);
    },
  },
  {
    name: 'Hsm.dispatch() from an action (re-entrant)',
    module: 'hsm',
    ...both('named error'),
    run(K) {
      const S = sigs(K);
      let inner: unknown;
      const def = K.defineHsm({
        name: 'reent',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            on: {
              A: { action: (_c, _p0, _p1, _p2, _p3, m) => { try { m.dispatch(S.B); } catch (e) { inner = e; } } },
              B: { action: (c) => void c.n++ },
            },
          },
        },
      });
      const m = new K.Hsm(def);
      m.start();
      m.dispatch(S.A);
      named(K, () => { throw inner; }, K.HsmUsageError, 'HsmUsageError', 'REENTRANT_DISPATCH', /still inside a dispatch/);
      hsmWorks(m, S);
    },
  },
  ...(
    [
      ['post(-1) (was: stored, drain() stopped at it for good)', -1, false],
      ['postUrgent(-1)', -1, true],
      ['post(1.5)', 1.5, false],
      ['post(70000)', 70000, false],
    ] as const
  ).map(
    ([what, sig, urgent]): MisuseCase => ({
      name: `Hsm.${what}`,
      module: 'hsm',
      debug: 'named error',
      release: 'counted refusal',
      run(K, debug) {
        const { S, def } = machine(K);
        const m = new K.Hsm(def);
        m.start();
        const call = () => (urgent ? m.postUrgent(sig) : m.post(sig));
        if (debug) named(K, call, K.HsmUsageError, 'HsmUsageError', 'BAD_PARAM', /must be an integer 0\.\.65535/);
        else {
          assert.equal(call(), false);
          assert.deepEqual([m.postRejected, m.badSignals], [1, 1]);
        }
        assert.equal(m.queued, 0, 'nothing stored');
        m.post(S.B);
        m.post(S.B);
        assert.equal(m.drain(), 2, 'drain reaches every later event');
        hsmWorks(m, S);
      },
    }),
  ),
  {
    name: "Hsm.dispatch(A, 'x') (a parameter that is not a number)",
    module: 'hsm',
    debug: 'named error',
    release: 'documented limit',
    run(K, debug) {
      const { S, def } = machine(K);
      const m = new K.Hsm(def);
      m.start();
      if (debug) named(K, () => m.dispatch(S.B, 'x' as never, 0, 0, 0), K.HsmUsageError, 'HsmUsageError', 'BAD_PARAM', /must be numbers/);
      else m.dispatch(S.B, 'x' as never, 0, 0, 0); // handed to the handler as is: the handler's value, not machine state
      hsmWorks(m, S);
    },
  },
  {
    name: 'Hsm.dispatch() of a signal outside the declared range',
    module: 'hsm',
    ...both('counted refusal'),
    run(K) {
      const { S, def } = machine(K);
      const m = new K.Hsm(def);
      m.start();
      m.dispatch(999);
      m.dispatch(-5);
      assert.equal(m.ignored, 2);
      hsmWorks(m, S);
    },
  },

  // Kernel
  {
    name: 'kernel.post(ao, -1) (was: taken from the queue, never dispatched)',
    module: 'kernel',
    debug: 'named error',
    release: 'counted refusal',
    run(K, debug) {
      const r = rig(K);
      const q = r.k.queueOf(r.ao);
      if (debug) named(K, () => r.k.post(r.ao, -1), K.QueueEventError, 'QueueEventError', 'BAD_SIGNAL', /signal must be an integer/);
      else {
        assert.equal(r.k.post(r.ao, -1), false);
        assert.deepEqual([q.refused, q.badSignals], [1, 1]);
      }
      assert.deepEqual([q.posted, q.length], [0, 0]);
      assert.equal(r.k.run(), 0);
      kernelDispatches(r);
    },
  },
  {
    name: 'kernel.post(ao, 0x10000 + sig) (a forged time-event expiry)',
    module: 'kernel',
    debug: 'named error',
    release: 'counted refusal',
    run(K, debug) {
      const r = rig(K, 4, { timers: 2 });
      const t = r.k.timeEvent(r.ao, 9);
      if (debug) named(K, () => r.k.post(r.ao, 0x10000 + 9, t, 0, 0), K.QueueEventError, 'QueueEventError', 'BAD_SIGNAL', /signal must be an integer/);
      else assert.equal(r.k.post(r.ao, 0x10000 + 9, t, 0, 0), false);
      r.k.run();
      assert.deepEqual(r.seen, [], 'never dispatched as an expiry');
      kernelDispatches(r);
    },
  },
  {
    name: 'kernel.interrupt(ao, -1)',
    module: 'kernel',
    debug: 'named error',
    release: 'counted refusal',
    run(K, debug) {
      const r = rig(K);
      if (debug) named(K, () => r.k.interrupt(r.ao, -1), K.QueueEventError, 'QueueEventError', 'BAD_SIGNAL', /signal/);
      else {
        assert.equal(r.k.interrupt(r.ao, -1), false);
        assert.equal(r.k.interruptsRefused, 1);
      }
      kernelDispatches(r);
    },
  },
  {
    name: 'kernel.post() to a full AO queue',
    module: 'kernel',
    ...both('counted refusal'),
    run(K) {
      const r = rig(K, 1);
      r.k.post(r.ao, 1);
      assert.equal(r.k.post(r.ao, 2), false);
      assert.equal(r.k.queueOf(r.ao).refused, 1);
      kernelDispatches(r);
      assert.deepEqual(r.k.dispatched(r.ao), 3);
    },
  },
  ...(
    [
      ['post() to a slot with no running AO', (r: Rig) => r.k.post(5, 1), 'KernelUsageError', /not a running active object/, 'NOT_RUNNING'],
      ["post() to ao '0' (a string)", (r: Rig) => r.k.post('0' as never, 1), 'KernelUsageError', /pass an id from spawn\(\)/, 'NOT_RUNNING'],
      ['spawn() with priority 0', (r: Rig) => r.k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 0, 2), 'KernelConfigError', /priority/, 'BAD_PRIORITY'],
      ['spawn() with a priority in use', (r: Rig) => r.k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 1, 2), 'KernelConfigError', /priority 1/, 'PRIORITY_IN_USE'],
      ['spawn() with queueCapacity 0', (r: Rig) => r.k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 2, 0), 'KernelConfigError', /queueCapacity/, 'BAD_QUEUE_CAPACITY'],
      ['subscribe() to a signal above maxSignals', (r: Rig) => r.k.subscribe(r.ao, 1000), 'KernelUsageError', /pass a signal below maxSignals/, 'BAD_SIGNAL'],
      ['stop() of a slot with no running AO', (r: Rig) => r.k.stop(7), 'KernelUsageError', /pass an id from spawn\(\)/, 'NOT_RUNNING'],
      ['arm() with a delay of -1', (r: Rig) => r.k.arm(r.k.timeEvent(r.ao, 3), -1), 'TimerUsageError', /needs delay and period as numbers/, 'BAD_DELAY'],
      ['tick(NaN)', (r: Rig) => r.k.tick(NaN), 'TimerUsageError', /finite number/, 'BAD_NOW'],
      ['new Kernel({ maxObjects: 0 })', (_r: Rig, K: Lib) => new K.Kernel({ maxObjects: 0 }), 'KernelConfigError', /maxObjects/, 'BAD_MAX_OBJECTS'],
    ] as const
  ).map(
    ([what, call, err, re, code]): MisuseCase => ({
      name: `kernel.${what}`,
      module: 'kernel',
      ...both('named error'),
      run(K) {
        const r = rig(K, 4, { timers: 2 });
        const cls = err === 'KernelUsageError' ? K.KernelUsageError : err === 'KernelConfigError' ? K.KernelConfigError : K.TimerUsageError;
        named(K, () => call(r, K), cls, err, code, re);
        assert.equal(r.k.used, 1, 'no slot left behind');
        kernelDispatches(r);
      },
    }),
  ),
  {
    name: 'kernel.step() from an action (re-entrant)',
    module: 'kernel',
    ...both('named error'),
    run(K) {
      let inner: unknown;
      const seen: number[] = [];
      const k = new K.Kernel({ name: 'cat' });
      const ao = k.spawn(
        {
          create: () => ({
            start() {},
            dispatch: (sig: number) => {
              seen.push(sig);
              if (sig === 1) {
                try {
                  k.step();
                } catch (e) {
                  inner = e;
                }
              }
            },
          }),
        },
        1,
        4,
      );
      k.post(ao, 1);
      k.run();
      named(K, () => { throw inner; }, K.KernelUsageError, 'KernelUsageError', 'REENTRANT', /step\(\) called during dispatch/);
      kernelDispatches({ k, ao, seen });
    },
  },

  // TimerTable
  ...(
    [
      ['new TimerTable: capacity 0', (K: Lib) => new K.TimerTable({ capacity: 0 }, new Sink()), 'TimerConfigError', /capacity/, 'BAD_CAPACITY'],
      ['create() on a full table', (K: Lib, t: Keel.TimerTable) => (t.create(0, 1), t.create(0, 2), t.create(0, 3)), 'TimerTableFullError', /timers option/, 'TABLE_FULL'],
      ['arm() of a destroyed id', (K: Lib, t: Keel.TimerTable) => { const id = t.create(0, 1); t.destroy(id); t.arm(id, 0, 5); }, 'TimerUsageError', /arm\(/, 'NOT_A_TIMER'],
      ['arm() with a delay of 2^31', (K: Lib, t: Keel.TimerTable) => t.arm(t.create(0, 1), 0, 2 ** 31), 'TimerUsageError', /needs delay and period as numbers/, 'BAD_DELAY'],
      ["arm() with the delay '10' (a string)", (K: Lib, t: Keel.TimerTable) => t.arm(t.create(0, 1), 0, '10' as never), 'TimerUsageError', /needs delay and period as numbers/, 'BAD_DELAY'],
      ['tick(undefined)', (K: Lib, t: Keel.TimerTable) => t.tick(undefined as never), 'TimerUsageError', /finite number/, 'BAD_NOW'],
      ['create() with signal -1', (K: Lib, t: Keel.TimerTable) => t.create(0, -1), 'TimerUsageError', /signal/, 'BAD_OWNER_OR_SIGNAL'],
    ] as const
  ).map(
    ([what, call, err, re, code]): MisuseCase => ({
      name: `TimerTable.${what}`,
      module: 'timer',
      ...both('named error'),
      run(K) {
        const sink = new Sink();
        const t = new K.TimerTable({ name: 'tt', capacity: 2 }, sink);
        const cls = err === 'TimerConfigError' ? K.TimerConfigError : err === 'TimerTableFullError' ? K.TimerTableFullError : K.TimerUsageError;
        named(K, () => call(K, t), cls, err, code, re);
        assert.equal(t.armed, 0, 'nothing armed');
        timersWork(K, t, sink, 100);
      },
    }),
  ),
  {
    name: 'TimerTable.tick() from inside an expiry (re-entrant)',
    module: 'timer',
    ...both('named error'),
    run(K) {
      let inner: unknown;
      let t: Keel.TimerTable | null = null;
      const sink = {
        n: 0,
        reenter: true,
        postTimeEvent(): boolean {
          this.n++;
          if (this.reenter) {
            try {
              t!.tick(50);
            } catch (e) {
              inner = e;
            }
          }
          return true;
        },
      };
      t = new K.TimerTable({ capacity: 2 }, sink);
      const id = t.create(0, 1);
      t.arm(id, 0, 1);
      t.tick(1);
      named(K, () => { throw inner; }, K.TimerReentryError, 'TimerReentryError', 'REENTRANT_TICK', /tick/);
      sink.reenter = false;
      timersWork(K, t, sink, 100);
    },
  },
  {
    name: 'TimerTable: an expiry the owner\'s full queue refuses',
    module: 'timer',
    ...both('counted refusal'),
    run(K) {
      const sink = new Sink();
      sink.accept = false;
      const t = new K.TimerTable({ capacity: 2 }, sink);
      const id = t.create(0, 1);
      t.arm(id, 0, 1);
      t.tick(1);
      assert.equal(t.refused, 1);
      sink.accept = true;
      timersWork(K, t, sink, 10);
    },
  },

  // ActiveMachine / spawnMachine
  ...(
    [
      ['no options', undefined, /KernelConfigError|options/, 'BAD_OPTIONS'],
      ['priority 0', { priority: 0, queueCapacity: 4 }, /priority/, 'BAD_PRIORITY'],
      ['queueCapacity 0', { priority: 1, queueCapacity: 0 }, /queueCapacity/, 'BAD_QUEUE_CAPACITY'],
    ] as const
  ).map(
    ([what, opts, re, code]): MisuseCase => ({
      name: `kernel.spawnMachine: ${what}`,
      module: 'active-machine',
      ...both('named error'),
      run(K) {
        const k = new K.Kernel({ name: 'cat' });
        const { S, def } = machine(K);
        named(K, () => k.spawnMachine(def, opts as never), K.KernelConfigError, 'KernelConfigError', code, re);
        assert.deepEqual([k.used, k.timers.created], [0, 0], 'nothing left behind');
        const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
        k.post(m.ao, S.B);
        k.run();
        assert.equal(m.hsm.ctx.n, 1, 'a good spawn still dispatches');
      },
    }),
  ),
  {
    name: 'kernel.spawnMachine: more time events than the timers option',
    module: 'active-machine',
    ...both('named error'),
    run(K) {
      const k = new K.Kernel({ name: 'cat', timers: 1 });
      const S = sigs(K);
      const def = K.defineHsm({ name: 't2', signals: S, context: () => ({ n: 0 }), initial: 'a', states: { a: { after: { 5: 'b' }, every: { 7: { action: (c) => void c.n++ } } }, b: {} } });
      named(K, () => k.spawnMachine(def, { priority: 1, queueCapacity: 4 }), K.TimerTableFullError, 'TimerTableFullError', 'TABLE_FULL', /timers option/);
      assert.deepEqual([k.used, k.timers.created], [0, 0]);
      const { def: d2 } = machine(K);
      const m = k.spawnMachine(d2, { priority: 1, queueCapacity: 4 });
      k.post(m.ao, S.B);
      k.run();
      assert.equal(m.hsm.ctx.n, 1);
    },
  },
  {
    name: 'ActiveMachine: hsm.post(-1) through the AO queue',
    module: 'active-machine',
    debug: 'named error',
    release: 'counted refusal',
    run(K, debug) {
      const k = new K.Kernel({ name: 'cat' });
      const { S, def } = machine(K);
      const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
      if (debug) named(K, () => m.hsm.post(-1), K.HsmUsageError, 'HsmUsageError', 'BAD_PARAM', /must be an integer 0\.\.65535/);
      else {
        assert.equal(m.hsm.post(-1), false);
        assert.equal(m.hsm.badSignals, 1);
      }
      queueIdentity(k.queueOf(m.ao));
      k.post(m.ao, S.B);
      k.run();
      assert.equal(m.hsm.ctx.n, 1);
    },
  },

  // Stream
  ...(
    [
      ['no options', (K: Lib) => new K.Stream(undefined as never), /options must be an object/, 'NO_OPTIONS'],
      ['capacity 3 (not a power of two)', (K: Lib) => new K.Stream({ type: 'f64', capacity: 3 }), /power of two/, 'CAPACITY_NOT_POWER_OF_TWO'],
      ["type 'u64'", (K: Lib) => new K.Stream({ type: 'u64' as never, capacity: 4 }), /type must be one of/, 'BAD_TYPE'],
      ['byteOffset not a multiple of the element size', (K: Lib) => new K.Stream({ type: 'f64', capacity: 4, buffer: new ArrayBuffer(64), byteOffset: 4 }), /byteOffset/, 'BAD_BYTE_OFFSET'],
    ] as const
  ).map(
    ([what, make, re, code]): MisuseCase => ({
      name: `new Stream: ${what}`,
      module: 'stream',
      ...both('named error'),
      run(K) {
        named(K, () => make(K), K.StreamConfigError, 'StreamConfigError', code, re);
        streamWorks(new K.Stream({ type: 'f64', capacity: 4 }));
      },
    }),
  ),
  ...(
    [
      ['read(null, 0, 1) (was a bare TypeError)', (s: Keel.Stream<'f64'>) => s.read(null as never, 0, 1), /read\(null, \.\.\): pass a typed array/, 'BAD_ARRAY'],
      ['read(undefined, 0, 1)', (s: Keel.Stream<'f64'>) => s.read(undefined as never, 0, 1), /pass a typed array/, 'BAD_ARRAY'],
      ['write(null, 0, 1) (was a bare TypeError)', (s: Keel.Stream<'f64'>) => s.write(null as never, 0, 1), /write\(null, \.\.\): pass a typed array/, 'BAD_ARRAY'],
      ['write(array, -1, 1)', (s: Keel.Stream<'f64'>) => s.write([1, 2], -1, 1), /offset and count must be integers >= 0/, 'BAD_RANGE'],
      ['read(array of 2, 1, 2) (past the end)', (s: Keel.Stream<'f64'>) => s.read(new Float64Array(2), 1, 2), /offset \+ count <= the array's length/, 'BAD_RANGE'],
      ['write(array, 0, 1.5)', (s: Keel.Stream<'f64'>) => s.write([1, 2], 0, 1.5), /integers/, 'BAD_RANGE'],
    ] as const
  ).map(
    ([what, call, re, code]): MisuseCase => ({
      name: `Stream.${what}`,
      module: 'stream',
      ...both('named error'),
      run(K) {
        const s = new K.Stream({ name: 'st', type: 'f64', capacity: 4 });
        s.writeOne(1);
        named(K, () => call(s), K.StreamUsageError, 'StreamUsageError', code, re);
        assert.deepEqual([s.written, s.length], [1, 1], 'nothing changed');
        streamWorks(s);
      },
    }),
  ),
  {
    name: 'Stream.writeOne() to a full stream',
    module: 'stream',
    ...both('counted refusal'),
    run(K) {
      const s = new K.Stream({ type: 'f64', capacity: 1 });
      s.writeOne(1);
      assert.equal(s.writeOne(2), false);
      assert.equal(s.write([3, 4], 0, 2), 0);
      assert.equal(s.refused, 3);
      streamWorks(s);
    },
  },
  {
    name: 'Stream.writeOne() / write() after close()',
    module: 'stream',
    ...both('counted refusal'),
    run(K) {
      const s = new K.Stream({ type: 'f64', capacity: 4 });
      s.writeOne(1);
      s.close();
      assert.equal(s.writeOne(2), false);
      assert.equal(s.write([3, 4], 0, 2), 0);
      assert.equal(s.refusedClosed, 3);
      assert.equal(s.next(), true);
      assert.equal(s.done, true);
      assert.equal(s.written, s.taken + s.dropped + s.length);
    },
  },
  {
    name: 'Stream: any use after destroy()',
    module: 'stream',
    ...both('named error'),
    run(K) {
      const s = new K.Stream({ name: 'gone', type: 'f64', capacity: 4 });
      s.writeOne(1);
      assert.equal(s.destroy(), 1);
      named(K, () => s.writeOne(2), K.StreamDestroyedError, 'StreamDestroyedError', 'DESTROYED', /'gone'/);
      named(K, () => s.next(), K.StreamDestroyedError, 'StreamDestroyedError', 'DESTROYED', /next/);
      named(K, () => s.destroy(), K.StreamDestroyedError, 'StreamDestroyedError', 'DESTROYED', /destroy/);
      assert.equal(s.written, s.taken + s.dropped + s.length);
      streamWorks(new K.Stream({ type: 'f64', capacity: 4 }));
    },
  },
  {
    name: "Stream.writeOne('x') (not a number)",
    module: 'stream',
    debug: 'named error',
    release: 'documented limit',
    run(K, debug) {
      const s = new K.Stream({ type: 'f64', capacity: 4 });
      if (debug) named(K, () => s.writeOne('x' as never), K.StreamUsageError, 'StreamUsageError', 'BAD_VALUE', /items are numbers/);
      else {
        assert.equal(s.writeOne('x' as never), true, 'release: stored with typed-array conversion');
        assert.equal(s.next(), true);
        assert.ok(Number.isNaN(s.value));
      }
      streamWorks(s);
    },
  },

  // BlockStream
  ...(
    [
      ['send() of a stale handle (was: accepted)', 'StaleHandleError', /stale handle/, 'STALE'],
      ['send() of a released handle (use after release; was: accepted)', 'StaleHandleError', /use after release/, 'USE_AFTER_RELEASE'],
      ["send() of another pool's handle (was: accepted)", 'ForeignHandleError', /belongs to pool id/, 'FOREIGN'],
      ['send() of the same handle twice (was: accepted, later a double release)', 'StreamUsageError', /already queued in this stream/, 'ALREADY_QUEUED'],
      ['send(NO_BLOCK)', 'StreamUsageError', /NO_BLOCK/, 'SENT_NO_BLOCK'],
      ['send(1.5)', 'StreamUsageError', /not a block handle/, 'NOT_A_HANDLE'],
    ] as const
  ).map(
    ([what, err, re, code]): MisuseCase => ({
      name: `BlockStream.${what}`,
      module: 'block stream',
      ...both('named error'),
      run(K) {
        const p = pool(K, 4, 8, 'bsp');
        const other = pool(K, 2, 8, 'other');
        const s = new K.BlockStream({ name: 'bs', capacity: 4, pool: p });
        let bad = 0;
        let keep = 0;
        if (err === 'StaleHandleError' && /stale/.test(what)) {
          const old = p.claim();
          p.release(old);
          keep = p.claim(); // the same block, next generation
          bad = old;
        } else if (err === 'StaleHandleError') {
          bad = p.claim();
          p.release(bad);
        } else if (err === 'ForeignHandleError') bad = other.claim();
        else if (/twice/.test(what)) {
          bad = p.claim();
          assert.equal(s.send(bad), true);
        } else bad = what.indexOf('NO_BLOCK') >= 0 ? K.NO_BLOCK : 1.5;
        const cls = err === 'StaleHandleError' ? K.StaleHandleError : err === 'ForeignHandleError' ? K.ForeignHandleError : K.StreamUsageError;
        const written = s.written;
        named(K, () => s.send(bad), cls, err, code, re);
        assert.equal(s.written, written, 'not stored');
        // Drain, release what is ours: destroy() or receive never meets a bad handle.
        for (let h = s.receive(); h !== K.NO_BLOCK; h = s.receive()) p.release(h);
        if (keep !== 0) p.release(keep);
        if (err === 'ForeignHandleError') other.release(bad);
        assert.equal(p.used, 0);
        assert.equal(other.used, 0);
        blockStreamWorks(s, p, 0);
        const h = p.claim();
        s.send(h);
        assert.equal(s.destroy(), 1, 'destroy releases every queued block, once');
        assert.equal(p.used, 0);
      },
    }),
  ),
  {
    name: 'BlockStream.commitWrite() without beginWrite()',
    module: 'block stream',
    ...both('named error'),
    run(K) {
      const p = pool(K);
      const s = new K.BlockStream({ capacity: 2, pool: p });
      named(K, () => s.commitWrite(), K.StreamUsageError, 'StreamUsageError', 'NO_WRITE_PENDING', /no write is pending/);
      blockStreamWorks(s, p, 0);
    },
  },
  {
    name: 'BlockStream.send() to a full stream',
    module: 'block stream',
    ...both('counted refusal'),
    run(K) {
      const p = pool(K);
      const s = new K.BlockStream({ capacity: 1, pool: p });
      const a = p.claim();
      const b = p.claim();
      s.send(a);
      assert.equal(s.send(b), false, 'the producer keeps b');
      assert.equal(s.refused, 1);
      p.release(b);
      p.release(s.receive());
      blockStreamWorks(s, p, 0);
    },
  },
  {
    name: 'BlockStream.beginWrite() with the pool empty',
    module: 'block stream',
    ...both('counted refusal'),
    run(K) {
      const p = pool(K, 1);
      const s = new K.BlockStream({ capacity: 2, pool: p });
      const h = p.claim();
      assert.equal(s.beginWrite(), K.NO_BLOCK);
      assert.equal(s.noBlock, 1);
      p.release(h);
      blockStreamWorks(s, p, 0);
    },
  },
  {
    name: 'new BlockStream: a pool without offset() and capacity',
    module: 'block stream',
    ...both('named error'),
    run(K) {
      const p = pool(K);
      named(
        K,
        () => new K.BlockStream({ capacity: 2, pool: { tryClaim: () => 0, release() {} } as never }),
        K.StreamConfigError,
        'StreamConfigError',
        'BAD_POOL',
        /pool must have tryClaim\(\), release\(h\), offset\(h\)/,
      );
      blockStreamWorks(new K.BlockStream({ capacity: 2, pool: p }), p, 0);
    },
  },
  {
    name: 'a block released by its producer after send() (ownership moved)',
    module: 'block stream',
    ...both('documented limit'),
    run(K) {
      const p = pool(K);
      const s = new K.BlockStream({ capacity: 2, pool: p });
      const h = p.claim();
      s.send(h);
      p.release(h); // the misuse: the block is the consumer's now
      const r = s.receive();
      assert.equal(r, h);
      named(K, () => p.release(r), K.DoubleReleaseError, 'DoubleReleaseError', 'DOUBLE_RELEASE', /double release/);
      assert.equal(p.used, 0, 'the pool stays consistent: the consumer\'s release is the named error');
      blockStreamWorks(s, p, 0);
    },
  },
  // Trace: configuration (checked in every build)
  ...[
    ['no options', (K: Lib) => new K.Trace(undefined as never), /options must be an object/, 'BAD_OPTION'],
    ['clock a number', (K: Lib) => new K.Trace({ clock: 5 as never }), /clock must be a function returning ms .* or null/, 'BAD_OPTION'],
    ['capacity 0', (K: Lib) => new K.Trace({ clock: null, capacity: 0 }), /capacity must be an integer 1\.\.65536/, 'BAD_OPTION'],
    ['capacity 65537', (K: Lib) => new K.Trace({ clock: null, capacity: 65537 }), /capacity must be an integer 1\.\.65536/, 'BAD_OPTION'],
    ["mode 'wrap'", (K: Lib) => new K.Trace({ clock: null, mode: 'wrap' as never }), /mode must be 'ring'/, 'BAD_OPTION'],
    ['maxObjects 0', (K: Lib) => new K.Trace({ clock: null, maxObjects: 0 }), /maxObjects must be an integer 1\.\./, 'BAD_OPTION'],
    ['kinds 1.5', (K: Lib) => new K.Trace({ clock: null, kinds: 1.5 }), /kinds must be a mask/, 'BAD_OPTION'],
    ["machines 'some'", (K: Lib) => new K.Trace({ clock: null, machines: 'some' as never }), /machines must be 'compact'/, 'BAD_OPTION'],
  ].map(
    ([what, make, re, code]): MisuseCase => ({
      name: `new Trace: ${what as string}`,
      module: 'trace',
      ...both('named error'),
      run(K) {
        named(K, () => (make as (K: Lib) => unknown)(K), K.TraceConfigError, 'TraceConfigError', code as string, re as RegExp);
        traceWorks(K, trace(K));
      },
    }),
  ),
  // Trace: use (checked in every build)
  ...[
    ['register() of an unknown type', 'BAD_TYPE', (_K: Lib, t: Keel.Trace) => t.register('widget' as never, 'w'), /type must be one of/],
    ['register() past maxObjects', 'REGISTRY_FULL', (_K: Lib, t: Keel.Trace) => { t.register('ao', 'a'); t.register('ao', 'b'); }, /all 1 object ids are taken; raise the trace's maxObjects/],
    ['register() of a machine without a definition', 'BAD_DEFINITION', (_K: Lib, t: Keel.Trace) => t.register('hsm', 'm', {} as never), /definition must be an HsmDefinition/],
    ['setKinds(1.5)', 'BAD_KIND', (_K: Lib, t: Keel.Trace) => t.setKinds(1.5), /pass an int32 mask/],
    ['enableKind(0)', 'BAD_KIND', (_K: Lib, t: Keel.Trace) => t.enableKind(0, true), /a kind is an integer 1\.\.31/],
    ['enableObject() of an id never registered', 'UNKNOWN_OBJECT', (_K: Lib, t: Keel.Trace) => t.enableObject(3, false), /not a registered object id/],
    ['timeAt() past length', 'BAD_INDEX', (_K: Lib, t: Keel.Trace) => t.timeAt(t.length), /is not an integer 0\.\./],
    ['take() into a plain array (not an Int32Array)', 'BAD_BUFFER', (_K: Lib, t: Keel.Trace) => t.take([0, 0, 0] as never), /an Int32Array of 10 words per record/],
  ].map(
    ([what, code, misuse, re]): MisuseCase => ({
      name: `Trace: ${what as string}`,
      module: 'trace',
      ...both('named error'),
      run(K) {
        const t = trace(K, 1);
        named(K, () => (misuse as (K: Lib, t: Keel.Trace) => unknown)(K, t), K.TraceUsageError, 'TraceUsageError', code as string, re as RegExp);
        traceWorks(K, t);
      },
    }),
  ),
  {
    name: 'a trace option that is not a Trace (kernel, machine, pool, queue, stream)',
    module: 'trace',
    ...both('named error'),
    run(K) {
      const fake = { rec() {} } as never;
      named(K, () => new K.Kernel({ trace: fake }), K.KernelConfigError, 'KernelConfigError', 'BAD_TRACE', /trace option must be a Trace/);
      named(K, () => new K.BlockPool({ blockSize: 8, count: 2, trace: fake }), K.PoolConfigError, 'PoolConfigError', 'BAD_TRACE', /trace option must be a Trace/);
      named(K, () => new K.EventQueue({ capacity: 2, trace: fake }), K.QueueConfigError, 'QueueConfigError', 'BAD_TRACE', /trace option must be a Trace/);
      named(K, () => new K.Stream({ type: 'f64', capacity: 2, trace: fake }), K.StreamConfigError, 'StreamConfigError', 'BAD_TRACE', /trace option must be a Trace/);
      const t = trace(K, 8);
      const k = new K.Kernel({ maxObjects: 2, trace: t });
      const ao = k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 1, 2);
      assert.equal(k.post(ao, 1), true);
      assert.equal(k.run(), 1);
      assert.ok(t.length >= 2, 'the good kernel records POST and DISPATCH');
      poolUsable(pool(K), 0);
    },
  },
];

/** Counts per module and outcome, for docs/reliability.md. */
export function catalogueCounts(): { total: number; debug: Record<Outcome, number>; release: Record<Outcome, number> } {
  const zero = (): Record<Outcome, number> => ({ 'named error': 0, 'counted refusal': 0, 'documented limit': 0 });
  const debug = zero();
  const release = zero();
  for (const c of CATALOGUE) {
    debug[c.debug]++;
    release[c.release]++;
  }
  return { total: CATALOGUE.length, debug, release };
}

/**
 * Registers one mocha test per case. `lib()` returns the library under test
 * (called when the test runs, so a release build can be loaded in a before hook).
 */
export function describeCatalogue(title: string, lib: () => Lib, debug: boolean): void {
  describe(title, function () {
    for (const c of CATALOGUE) {
      const label = `${c.module}: ${c.name} -> ${debug ? c.debug : c.release}`;
      if (c.pending !== undefined) it.skip(`${label} (${c.pending})`, function () {});
      else
        it(label, function () {
          debugMessages = debug;
          c.run(lib(), debug);
        });
    }
  });
}

// Trace (src/trace.ts): the record layout, overflow in both modes with the
// gaps it leaves in seq, the 32-bit clock wrap, filters changed while
// running, the drain API, misuse errors; and the hooks: an hsm's records in
// exactly the order of the existing trace fixtures (PSiCC2's book sequence,
// history), a kernel + machine scenario record by record (post, dispatch,
// time events), pools, queues and streams.
import { strict as assert } from '../support/assert.js';
import {
  Trace,
  TraceConfigError,
  TraceUsageError,
  traceBit,
  TRACE_ALL_KINDS,
  TRACE_DEFER,
  TRACE_DISPATCH,
  TRACE_DROP,
  TRACE_ENTRY,
  TRACE_EXIT,
  TRACE_INIT,
  TRACE_KIND_NAMES,
  TRACE_MAX_KIND,
  TRACE_POOL_CLAIM,
  TRACE_POOL_CLAIM_FAIL,
  TRACE_POOL_RELEASE,
  TRACE_POST,
  TRACE_RECALL,
  TRACE_RECORD_WORDS,
  TRACE_REFUSE,
  TRACE_STREAM_REFUSE,
  TRACE_TIME_ARM,
  TRACE_TIME_DISARM,
  TRACE_TIME_EXPIRE,
  TRACE_TIME_STALE,
  TRACE_TRANSITION,
  TRACE_USER,
} from '../../src/trace.js';
import { defineHsm, defineSignals, Hsm, HsmDefinitionError } from '../../src/hsm.js';
import { Kernel, KernelConfigError, type Behaviour } from '../../src/kernel.js';
import { BlockPool, NO_BLOCK, PoolConfigError, PoolSet } from '../../src/pool.js';
import { EventQueue, QueueConfigError } from '../../src/queue.js';
import { BlockStream, Stream, StreamConfigError } from '../../src/stream.js';
import { psicc2, PS, TraceLog } from '../hsm/hsm-psicc2.fixture.js';
import { traced } from '../hsm/hsm-trace.fixture.js';

/** A settable clock: `clock.t = ...`. */
function makeClock(): { t: number; now: () => number } {
  const c = { t: 0, now: (): number => c.t };
  return c;
}

/** Record k as a tuple [kind, object, signal, state, aux, p0, p1]. */
function rec(tr: Trace, k: number): number[] {
  return [tr.kindAt(k), tr.objectAt(k), tr.signalAt(k), tr.stateAt(k), tr.auxAt(k), tr.p0At(k), tr.p1At(k)];
}

/** Every record held, as tuples, then discarded. */
function drain(tr: Trace): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < tr.length; k++) out.push(rec(tr, k));
  tr.discard(tr.length);
  return out;
}

/** Every held record of the machine kinds rendered in the PSiCC2 TraceLog format ('s1-ENTRY;', 's21-A;'), then discarded. */
function renderBook(tr: Trace, sigNames: readonly string[]): string {
  let s = '';
  for (let k = 0; k < tr.length; k++) {
    const o = tr.object(tr.objectAt(k));
    const kind = tr.kindAt(k);
    const st = o.stateNames[tr.stateAt(k)];
    if (kind === TRACE_ENTRY) s += st + '-ENTRY;';
    else if (kind === TRACE_EXIT) s += st + '-EXIT;';
    else if (kind === TRACE_INIT) s += st + '-INIT;';
    else if (kind === TRACE_TRANSITION) s += st + '-' + sigNames[tr.signalAt(k)] + ';';
  }
  tr.discard(tr.length);
  return s;
}

/** The same in hsm-trace.fixture's format ('h1:entry', 'o:BACK'). */
function renderFixture(tr: Trace): string[] {
  const out: string[] = [];
  for (let k = 0; k < tr.length; k++) {
    const o = tr.object(tr.objectAt(k));
    const kind = tr.kindAt(k);
    const st = o.stateNames[tr.stateAt(k)];
    if (kind === TRACE_ENTRY) out.push(st + ':entry');
    else if (kind === TRACE_EXIT) out.push(st + ':exit');
    else if (kind === TRACE_INIT) out.push(st + ':init');
    else if (kind === TRACE_TRANSITION) out.push(st + ':' + o.signalNames[tr.signalAt(k)]);
  }
  tr.discard(tr.length);
  return out;
}

describe('trace: the ring', function () {
  it('stores each field where the layout says (words and params views, accessors)', function () {
    const c = makeClock();
    const tr = new Trace({ clock: c.now, capacity: 4 });
    const u = tr.register('user', 'app');
    c.t = 1234;
    assert.equal(tr.rec(TRACE_USER, u, 7, 3, -5, 1.5, -2.25), true);
    assert.equal(tr.length, 1);
    assert.deepEqual(rec(tr, 0), [TRACE_USER, u, 7, 3, -5, 1.5, -2.25]);
    assert.equal(tr.seqAt(0), 0);
    assert.equal(tr.timeAt(0), 1234);
    assert.equal(tr.flagsAt(0), 0);
    const w = tr.words;
    assert.deepEqual(Array.from(w.subarray(0, 6)), [0, 1234, TRACE_USER | (u << 16), 7 | (3 << 16), -5, 0]);
    assert.equal(tr.params[3], 1.5);
    assert.equal(tr.params[4], -2.25);
    // None: -1 in, 0xFFFF stored, -1 out.
    tr.rec(TRACE_USER, u, -1, -1, 0, 0, 0);
    assert.equal((w[13]! & 0xffff) >>> 0, 0xffff);
    assert.equal(w[13]! >>> 16, 0xffff);
    assert.equal(tr.signalAt(1), -1);
    assert.equal(tr.stateAt(1), -1);
  });

  it("'ring' mode: a full ring overwrites the oldest, counts it, and the reader sees the gap in seq", function () {
    const tr = new Trace({ clock: () => 0, capacity: 4, mode: 'ring' });
    for (let i = 0; i < 6; i++) tr.rec(TRACE_USER, 0, i, -1, i, 0, 0);
    assert.equal(tr.length, 4);
    assert.equal(tr.overwritten, 2);
    assert.equal(tr.refused, 0);
    assert.equal(tr.lost, 2);
    assert.equal(tr.written, 6);
    assert.deepEqual([0, 1, 2, 3].map((k) => tr.seqAt(k)), [2, 3, 4, 5]);
    assert.deepEqual([0, 1, 2, 3].map((k) => tr.auxAt(k)), [2, 3, 4, 5]);
    // A reader that last took seq 1 sees 2 next: no gap; one that took nothing sees 0, 1 missing.
    const buf = new Int32Array(2 * TRACE_RECORD_WORDS);
    assert.equal(tr.take(buf), 2);
    assert.deepEqual([buf[0], buf[10]], [2, 3]);
    for (let i = 6; i < 9; i++) tr.rec(TRACE_USER, 0, i, -1, i, 0, 0);
    // Held: 4, 5, 6, 7, 8 would be 5 > 4: 4 was overwritten.
    assert.equal(tr.overwritten, 3);
    assert.deepEqual([0, 1, 2, 3].map((k) => tr.seqAt(k)), [5, 6, 7, 8]);
  });

  it("'stop' mode: a full ring refuses the new record, counts it, and the next stored one shows the gap", function () {
    const tr = new Trace({ clock: () => 0, capacity: 3, mode: 'stop' });
    for (let i = 0; i < 5; i++) tr.rec(TRACE_USER, 0, i, -1, i, 0, 0);
    assert.equal(tr.length, 3);
    assert.equal(tr.refused, 2);
    assert.equal(tr.overwritten, 0);
    assert.equal(tr.written, 3);
    assert.deepEqual([0, 1, 2].map((k) => tr.auxAt(k)), [0, 1, 2], 'the oldest are kept');
    assert.equal(tr.discard(3), 3);
    tr.rec(TRACE_USER, 0, 9, -1, 9, 0, 0);
    assert.equal(tr.seqAt(0), 5, 'seq 3 and 4 were used by the refused records: a gap');
    assert.equal(tr.nextSequence, 6);
  });

  it('time is the clock modulo 2^32, read as u32: device ticks (signed int32) and Node doubles across the wrap', function () {
    const c = makeClock();
    const tr = new Trace({ clock: c.now, capacity: 8 });
    const times = [0xfffffffe, 0x100000003, -2, 2147483647, -2147483648, 4294967296 * 3 + 10];
    for (const t of times) {
      c.t = t;
      tr.rec(TRACE_USER, 0, 0, 0, 0, 0, 0);
    }
    assert.deepEqual(
      times.map((_t, k) => tr.timeAt(k)),
      [4294967294, 3, 4294967294, 2147483647, 2147483648, 10],
    );
    // Compared by difference, the wrap is 5 ms.
    assert.equal((tr.timeAt(1) - tr.timeAt(0)) | 0, 5);
  });

  it('clock: null: records carry trace.now, which Kernel.tick(now) sets (u32, across the wrap)', function () {
    const tr = new Trace({ clock: null, capacity: 8 });
    const k = new Kernel({ trace: tr });
    const ao = k.spawn({ create: () => new Sum() }, 1, 4);
    assert.equal(tr.now, 0);
    tr.rec(TRACE_USER, 0, 0, 0, 0, 0, 0);
    k.tick(0xfffffffe);
    assert.equal(k.post(ao, 3, 1), true);
    k.tick(0x100000003);
    assert.equal(k.run(), 1);
    tr.now = 7; // a host without a kernel tick sets it itself
    tr.rec(TRACE_USER, 0, 0, 0, 0, 0, 0);
    assert.deepEqual([0, 1, 2, 3].map((i) => tr.timeAt(i)), [0, 4294967294, 3, 7]);
    assert.deepEqual([1, 2].map((i) => tr.kindAt(i)), [TRACE_POST, TRACE_DISPATCH]);
  });

  it('filters by kind, by object and by type, changed while running; filtered records use no seq', function () {
    const tr = new Trace({ clock: () => 0, capacity: 16 });
    const a = tr.register('user', 'a');
    const b = tr.register('hsm', 'b');
    assert.equal(tr.kinds, TRACE_ALL_KINDS);
    tr.setKinds(traceBit(TRACE_POST));
    assert.equal(tr.rec(TRACE_USER, a, 0, 0, 0, 0, 0), false);
    assert.equal(tr.rec(TRACE_POST, a, 0, 0, 0, 0, 0), true);
    tr.enableKind(TRACE_USER, true);
    tr.enableObject(a, false);
    assert.equal(tr.objectEnabled(a), false);
    assert.equal(tr.rec(TRACE_USER, a, 0, 0, 0, 0, 0), false);
    assert.equal(tr.rec(TRACE_USER, b, 0, 0, 0, 0, 0), true);
    tr.enableType('hsm', false);
    assert.equal(tr.rec(TRACE_USER, b, 0, 0, 0, 0, 0), false);
    tr.enableObject(a, true);
    tr.enableKind(TRACE_POST, false);
    assert.equal(tr.rec(TRACE_POST, a, 0, 0, 0, 0, 0), false);
    assert.equal(tr.rec(TRACE_USER, a, 0, 0, 0, 0, 0), true);
    assert.equal(tr.length, 3);
    assert.deepEqual([0, 1, 2].map((k) => tr.seqAt(k)), [0, 1, 2], 'no gap: filtering is not loss');
    assert.equal(tr.lost, 0);
    // An object registered after setKinds gets the current mask.
    tr.setKinds(0);
    const c = tr.register('user', 'c');
    assert.equal(tr.rec(TRACE_USER, c, 0, 0, 0, 0, 0), false);
    assert.equal(tr.filter[c], 0);
  });

  it('take() copies whole records oldest first (a Float64Array over the buffer reads p0/p1); discard() and clear()', function () {
    const tr = new Trace({ clock: () => 5, capacity: 4 });
    for (let i = 0; i < 6; i++) tr.rec(TRACE_USER, 0, i, i, i, i + 0.5, -i);
    const buf = new ArrayBuffer(3 * 40);
    const dst = new Int32Array(buf);
    const f = new Float64Array(buf);
    assert.equal(tr.take(dst), 3);
    assert.deepEqual([dst[0], dst[10], dst[20]], [2, 3, 4]);
    assert.deepEqual([f[3], f[4], f[8], f[9], f[13], f[14]], [2.5, -2, 3.5, -3, 4.5, -4]);
    assert.equal(tr.length, 1);
    assert.equal(tr.take(new Int32Array(9)), 0, 'room for no whole record');
    assert.equal(tr.discard(10), 1);
    tr.rec(TRACE_USER, 0, 0, 0, 0, 0, 0);
    assert.equal(tr.clear(), 1);
    assert.equal(tr.length, 0);
    assert.equal(tr.lost, 2, 'clear and discard are not loss; the 2 overwritten are');
  });

  it('the dictionary: names, types, owners, and a machine\'s state and signal names', function () {
    const tr = new Trace({ clock: () => 0 });
    const k = new Kernel({ name: 'k', maxObjects: 2, trace: tr });
    const def = psicc2(() => {});
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
    const d = tr.dictionary();
    assert.deepEqual(
      d.map((o) => [o.id, o.type, o.name, o.owner]),
      [
        [1, 'kernel', 'k', 0],
        [2, 'ao', 'k.ao0', 1],
        [3, 'ao', 'k.ao1', 1],
        [4, 'hsm', 'psicc2', 2],
      ],
    );
    assert.equal(k.traceId, 1);
    assert.equal(k.traceIdOf(m.ao), 2);
    assert.equal(m.hsm.traceId, 4);
    assert.equal(d[3]!.stateNames, def.stateNames);
    assert.equal(d[3]!.signalNames, def.signalNames);
    assert.deepEqual(d[0]!.stateNames, []);
    assert.equal(TRACE_KIND_NAMES.length, TRACE_MAX_KIND + 1);
  });
});

describe('trace: misuse (named errors with codes)', function () {
  const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;
  it('options', function () {
    assert.throws(() => new Trace(null as never), (e: unknown) => e instanceof TraceConfigError && code('BAD_OPTION')(e));
    assert.throws(() => new Trace({} as never), /clock must be a function/);
    assert.throws(() => new Trace({ clock: () => 0, capacity: 0 }), /capacity must be an integer 1\.\.65536/);
    assert.throws(() => new Trace({ clock: () => 0, capacity: 65537 }), TraceConfigError);
    assert.throws(() => new Trace({ clock: () => 0, mode: 'wrap' as never }), /mode must be 'ring'/);
    assert.throws(() => new Trace({ clock: () => 0, maxObjects: 0 }), /maxObjects/);
    assert.throws(() => new Trace({ clock: () => 0, kinds: 1.5 }), /kinds/);
  });
  it('register, filters, accessors, take', function () {
    const tr = new Trace({ clock: () => 0, maxObjects: 1, name: 'tr' });
    assert.throws(() => tr.register('gizmo' as never, 'x'), (e: unknown) => e instanceof TraceUsageError && code('BAD_TYPE')(e));
    assert.throws(() => tr.register('user', 5 as never), code('BAD_NAME'));
    assert.throws(() => tr.register('hsm', 'm', {} as never), code('BAD_DEFINITION'));
    assert.throws(() => tr.register('user', 'x', undefined, 3), code('BAD_OWNER'));
    tr.register('user', 'one');
    assert.throws(
      () => tr.register('user', 'two'),
      (e: unknown) => e instanceof TraceUsageError && code('REGISTRY_FULL')(e) && /all 1 object ids are taken; raise the trace's maxObjects/.test((e as Error).message),
    );
    assert.throws(() => tr.enableObject(2, false), code('UNKNOWN_OBJECT'));
    assert.throws(() => tr.object(0), code('UNKNOWN_OBJECT'));
    assert.throws(() => tr.enableKind(0, true), code('BAD_KIND'));
    assert.throws(() => tr.enableKind(32, true), code('BAD_KIND'));
    assert.throws(() => tr.setKinds(2 ** 33), code('BAD_KIND'));
    assert.throws(() => tr.seqAt(0), (e: unknown) => code('BAD_INDEX')(e) && /records held: 0/.test((e as Error).message));
    tr.rec(TRACE_USER, 0, 0, 0, 0, 0, 0);
    assert.throws(() => tr.p0At(1), code('BAD_INDEX'));
    assert.throws(() => tr.kindAt(-1), code('BAD_INDEX'));
    assert.throws(() => tr.discard(-1), code('BAD_INDEX'));
    assert.throws(() => tr.take(new Float64Array(10) as never), code('BAD_BUFFER'));
  });
  it('a trace option that is not a Trace is refused by every constructor', function () {
    const bad = { rec() {} } as never;
    assert.throws(() => new Kernel({ trace: bad }), KernelConfigError);
    assert.throws(() => new Hsm(psicc2(() => {}), { trace: bad }), HsmDefinitionError);
    assert.throws(() => new BlockPool({ blockSize: 4, count: 1, trace: bad }), PoolConfigError);
    assert.throws(() => new EventQueue({ capacity: 1, trace: bad }), QueueConfigError);
    assert.throws(() => new Stream({ type: 'f64', capacity: 2, trace: bad }), StreamConfigError);
  });
});

describe('trace: hsm records (state ids of the definition)', function () {
  it("PSiCC2's book sequence: TRANSITION, EXIT, ENTRY and INIT records in exactly the fixture's order, event by event", function () {
    const log = new TraceLog();
    const tr = new Trace({ machines: 'full', clock: () => 0, capacity: 64 });
    const m = new Hsm(psicc2(log.mark), { trace: tr });
    m.start();
    assert.equal(renderBook(tr, PS_NAMES), 'top-INIT;s-ENTRY;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;');
    assert.equal(log.take(), 'top-INIT;s-ENTRY;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;');
    const seq: (keyof typeof PS)[] = ['A', 'B', 'D', 'E', 'I', 'F', 'I', 'I', 'F', 'A', 'B', 'D', 'D', 'E', 'G', 'H', 'H', 'C', 'G', 'C', 'C'];
    let n = 0;
    for (const s of seq) {
      m.dispatch(PS[s], 0, 0, 0, 0);
      const fromTrace = renderBook(tr, PS_NAMES);
      assert.equal(fromTrace, log.take(), `event ${n} (${s})`);
      n++;
    }
    assert.equal(tr.lost, 0);
    // Two rows of the book, written out (Samek, PSiCC2 2nd ed., 2.3.15).
    m.dispatch(PS.G, 0, 0, 0, 0);
    assert.equal(renderBook(tr, PS_NAMES), 's11-G;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;');
    m.dispatch(PS.H, 0, 0, 0, 0);
    assert.equal(renderBook(tr, PS_NAMES), 's211-H;s211-EXIT;s21-EXIT;s2-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;');
  });

  it('one dispatch record by record: DISPATCH (leaf, p0, p1), TRANSITION (source, target), EXIT, ENTRY, INIT (target)', function () {
    const tr = new Trace({ machines: 'full', clock: () => 42, capacity: 32 });
    const def = psicc2(() => {});
    const m = new Hsm(def, { trace: tr });
    m.start();
    tr.clear();
    const id = m.traceId;
    const s = (n: string) => def.idOf(n);
    m.dispatch(PS.D, 3, 4, 0, 0); // s211-D: s211 -> s21 (local), s21-INIT, s211-ENTRY
    assert.deepEqual(drain(tr), [
      [TRACE_DISPATCH, id, PS.D, s('s211'), 0, 3, 4],
      [TRACE_TRANSITION, id, PS.D, s('s211'), s('s21'), 3, 4],
      [TRACE_EXIT, id, -1, s('s211'), 0, 0, 0],
      [TRACE_INIT, id, -1, s('s21'), s('s211'), 0, 0],
      [TRACE_ENTRY, id, -1, s('s211'), 0, 0, 0],
    ]);
    m.dispatch(PS.I, 0, 0, 0, 0); // s2-I (guard foo === 0): internal
    assert.deepEqual(drain(tr), [
      [TRACE_DISPATCH, id, PS.I, s('s211'), 0, 0, 0],
      [TRACE_TRANSITION, id, PS.I, s('s2'), -1, 0, 0],
    ]);
    m.dispatch(9999, 0, 0, 0, 0); // undeclared: ignored, still a DISPATCH
    assert.deepEqual(drain(tr), [[TRACE_DISPATCH, id, 9999, s('s211'), 0, 0, 0]]);
  });

  it('states without handlers are entered and exited in the records too; history entries as the fixture logs them', function () {
    const S = defineSignals(['NEXT', 'LEAVE', 'BACK']);
    const spec = {
      name: 'bare',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'h',
      states: {
        h: {
          history: 'shallow',
          initial: 'h1',
          on: { LEAVE: 'o' },
          states: { h1: { initial: 'h11', states: { h11: { on: { NEXT: 'h12' } }, h12: {} } } },
        },
        o: { on: { BACK: { target: 'h', history: true } } },
      },
    } as const;
    // Without handlers (a plain definition).
    const tr = new Trace({ machines: 'full', clock: () => 0, capacity: 64 });
    const m = new Hsm(defineHsm(spec), { trace: tr });
    m.start();
    assert.deepEqual(renderFixture(tr), ['top:init', 'h:entry', 'h:init', 'h1:entry', 'h1:init', 'h11:entry']);
    m.dispatch(S.NEXT, 0, 0, 0, 0);
    m.dispatch(S.LEAVE, 0, 0, 0, 0);
    renderFixture(tr);
    m.dispatch(S.BACK, 0, 0, 0, 0);
    assert.deepEqual(renderFixture(tr), ['o:BACK', 'o:exit', 'h:entry', 'h1:entry', 'h1:init', 'h11:entry']);
    // The instrumented fixture machine: the trace equals its log, call for call.
    const tr2 = new Trace({ machines: 'full', clock: () => 0, capacity: 64 });
    const t = traced(spec, { trace: tr2 });
    assert.deepEqual(renderFixture(tr2), t.take());
    for (const sig of [S.NEXT, S.LEAVE, S.BACK, S.NEXT, S.LEAVE, S.BACK]) {
      t.m.dispatch(sig, 0, 0, 0, 0);
      assert.deepEqual(renderFixture(tr2), t.take());
    }
  });

  it('DEFER, DROP (defer ring full), RECALL and REFUSE (own queue full)', function () {
    const S = defineSignals(['WORK', 'DONE']);
    const tr = new Trace({ machines: 'full', clock: () => 0, capacity: 32 });
    const m = new Hsm(
      defineHsm({
        name: 'd',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'busy',
        states: {
          busy: { defer: ['WORK'], on: { DONE: 'idle' } },
          idle: { entry: (_c, h) => { h.recall(); } },
        },
      }),
      { trace: tr, deferCapacity: 1, queueCapacity: 1 },
    );
    m.start();
    tr.clear();
    const id = m.traceId;
    m.dispatch(S.WORK, 5, 6, 0, 0);
    m.dispatch(S.WORK, 7, 8, 0, 0);
    const busy = m.definition.idOf('busy');
    const idle = m.definition.idOf('idle');
    assert.deepEqual(drain(tr), [
      [TRACE_DISPATCH, id, S.WORK, busy, 0, 5, 6],
      [TRACE_DEFER, id, S.WORK, busy, 1, 5, 6],
      [TRACE_DISPATCH, id, S.WORK, busy, 0, 7, 8],
      [TRACE_DROP, id, S.WORK, busy, 1, 7, 8],
    ]);
    m.dispatch(S.DONE, 0, 0, 0, 0);
    assert.deepEqual(drain(tr), [
      [TRACE_DISPATCH, id, S.DONE, busy, 0, 0, 0],
      [TRACE_TRANSITION, id, S.DONE, busy, idle, 0, 0],
      [TRACE_EXIT, id, -1, busy, 0, 0, 0],
      [TRACE_ENTRY, id, -1, idle, 0, 0, 0],
      [TRACE_RECALL, id, S.WORK, -1, 0, 5, 6],
    ]);
    assert.equal(m.post(S.DONE), false, 'the own queue (1) holds the recalled WORK');
    assert.deepEqual(drain(tr), [[TRACE_REFUSE, id, S.DONE, -1, 0, 0, 0]]);
  });

  it("filtered out (object or every machine kind off): no records, and the machine behaves the same", function () {
    const tr = new Trace({ machines: 'full', clock: () => 0, capacity: 8 });
    const log = new TraceLog();
    const m = new Hsm(psicc2(log.mark), { trace: tr });
    m.start();
    tr.clear();
    log.take();
    tr.enableObject(m.traceId, false);
    m.dispatch(PS.G, 0, 0, 0, 0);
    assert.equal(tr.length, 0);
    assert.equal(log.take(), 's21-G;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;');
    tr.enableObject(m.traceId, true);
    tr.setKinds(traceBit(TRACE_POST));
    m.dispatch(PS.G, 0, 0, 0, 0);
    assert.equal(tr.length, 0);
    // Only EXIT on: the traced path, EXIT records only.
    tr.setKinds(traceBit(TRACE_EXIT));
    m.dispatch(PS.C, 0, 0, 0, 0);
    assert.equal(renderBook(tr, PS_NAMES), 's211-EXIT;s21-EXIT;s2-EXIT;');
  });
});

const PS_NAMES = ['', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'];

class Sum implements Behaviour {
  sum = 0;
  start(): void {}
  dispatch(sig: number, p0: number): void {
    this.sum += sig + p0;
  }
}

describe('trace: kernel records', function () {
  it('post, refuse, dispatch, publish per AO; records carry the AO object ids', function () {
    const c = makeClock();
    const tr = new Trace({ machines: 'full', clock: c.now, capacity: 32 });
    const k = new Kernel({ name: 'k', maxObjects: 2, trace: tr });
    const a = k.spawn({ create: () => new Sum() }, 2, 1);
    const b = k.spawn({ create: () => new Sum() }, 1, 2);
    const A = k.traceIdOf(a);
    const B = k.traceIdOf(b);
    c.t = 10;
    assert.equal(k.post(b, 3, 30, 31), true);
    assert.equal(k.post(a, 4, 40), true);
    assert.equal(k.post(a, 5, 50), false);
    k.subscribe(a, 6);
    k.subscribe(b, 6);
    assert.equal(k.publish(6, 60), 1, 'a is full');
    c.t = 11;
    assert.equal(k.run(), 3);
    assert.deepEqual(drain(tr), [
      [TRACE_POST, B, 3, -1, 1, 30, 31],
      [TRACE_POST, A, 4, -1, 1, 40, 0],
      [TRACE_REFUSE, A, 5, -1, 1, 50, 0],
      [TRACE_REFUSE, A, 6, -1, 1, 60, 0],
      [TRACE_POST, B, 6, -1, 2, 60, 0],
      // run(): a (priority 2) first, then b's two.
      [TRACE_DISPATCH, A, 4, -1, 0, 40, 0],
      [TRACE_DISPATCH, B, 3, -1, 1, 30, 31],
      [TRACE_DISPATCH, B, 6, -1, 0, 60, 0],
    ]);
    assert.equal(tr.nextSequence, 8);
  });

  it('a machine under the kernel: time events (arm on entry, expiry, disarm on exit, stale) and the machine records, in order', function () {
    const S = defineSignals(['GO', 'STOP']);
    const c = makeClock();
    const tr = new Trace({ machines: 'full', clock: c.now, capacity: 64 });
    const k = new Kernel({ name: 'k', maxObjects: 1, trace: tr, host: { now: c.now } });
    const def = defineHsm({
      name: 'blink',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'off',
      states: {
        off: { on: { GO: 'on' } },
        on: { after: { 100: 'off' }, on: { STOP: 'off' } },
      },
    });
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
    const AO = k.traceIdOf(m.ao);
    const H = m.hsm.traceId;
    const off = def.idOf('off');
    const on = def.idOf('on');
    const te = m.timeEvents[0]!;
    const tsig = def.timers()[0]!.signal;
    assert.deepEqual(drain(tr), [
      [TRACE_INIT, H, -1, 0, off, 0, 0],
      [TRACE_ENTRY, H, -1, off, 0, 0, 0],
    ]);
    // GO at t=0: on's entry arms the one-shot (100 ms); its expiry at t=100 takes the machine back to off.
    k.post(m.ao, S.GO);
    k.run();
    c.t = 100;
    k.tick();
    k.run();
    assert.deepEqual(drain(tr), [
      [TRACE_POST, AO, S.GO, -1, 1, 0, 0],
      [TRACE_DISPATCH, AO, S.GO, -1, 0, 0, 0],
      [TRACE_DISPATCH, H, S.GO, off, 0, 0, 0],
      [TRACE_TRANSITION, H, S.GO, off, on, 0, 0],
      [TRACE_EXIT, H, -1, off, 0, 0, 0],
      [TRACE_ENTRY, H, -1, on, 0, 0, 0],
      [TRACE_TIME_ARM, AO, -1, -1, te, 100, 0],
      [TRACE_TIME_EXPIRE, AO, tsig, -1, te, 100, 1],
      [TRACE_DISPATCH, AO, tsig, -1, 0, te, 100],
      [TRACE_DISPATCH, H, tsig, on, 0, te, 100],
      [TRACE_TRANSITION, H, tsig, on, off, te, 100],
      // The one-shot's expiry was taken: nothing armed or queued, so on's exit skips the disarm.
      [TRACE_EXIT, H, -1, on, 0, 0, 0],
      [TRACE_ENTRY, H, -1, off, 0, 0, 0],
    ]);
    // GO, then STOP before the expiry: the exit disarms (was armed: 1).
    k.post(m.ao, S.GO);
    k.post(m.ao, S.STOP);
    k.run();
    const recs = drain(tr).filter((r) => r[0] === TRACE_TIME_ARM || r[0] === TRACE_TIME_DISARM);
    assert.deepEqual(recs, [
      [TRACE_TIME_ARM, AO, -1, -1, te, 100, 0],
      [TRACE_TIME_DISARM, AO, -1, -1, te, 1, 0],
    ]);
    // A stale expiry: arm, let it expire into the queue, disarm before run().
    k.post(m.ao, S.GO);
    k.run();
    c.t = 300;
    k.tick();
    k.disarm(te);
    tr.clear();
    k.run();
    assert.deepEqual(drain(tr), [[TRACE_TIME_STALE, AO, tsig, -1, te, 4, 0]]);
    assert.equal(k.staleExpiries, 1);
  });
});

describe('trace: pool, queue and stream records', function () {
  it('BlockPool: POOL_CLAIM (handle, used), POOL_RELEASE (handle, refs left, used), POOL_CLAIM_FAIL (capacity, failures)', function () {
    const tr = new Trace({ clock: () => 0, capacity: 16 });
    const p = new BlockPool({ name: 'p', blockSize: 8, count: 2, trace: tr });
    const P = p.traceId;
    const h1 = p.claim();
    const h2 = p.tryClaim();
    assert.equal(p.tryClaim(), NO_BLOCK);
    assert.throws(() => p.claim());
    p.retain(h1);
    p.release(h1);
    p.release(h1);
    p.release(h2);
    assert.deepEqual(drain(tr), [
      [TRACE_POOL_CLAIM, P, -1, -1, h1, 1, 0],
      [TRACE_POOL_CLAIM, P, -1, -1, h2, 2, 0],
      [TRACE_POOL_CLAIM_FAIL, P, -1, -1, 2, 1, 0],
      [TRACE_POOL_CLAIM_FAIL, P, -1, -1, 2, 2, 0],
      [TRACE_POOL_RELEASE, P, -1, -1, h1, 1, 2],
      [TRACE_POOL_RELEASE, P, -1, -1, h1, 0, 1],
      [TRACE_POOL_RELEASE, P, -1, -1, h2, 0, 0],
    ]);
    assert.equal(p.failures, 2);
    assert.equal(p.used, 0);
    // zeroOnClaim and a PoolSet (each class registers).
    const z = new BlockPool({ name: 'z', blockSize: 4, count: 1, zeroOnClaim: true, trace: tr });
    const hz = z.claim();
    assert.deepEqual(Array.from(z.bytes.subarray(z.offset(hz), z.offset(hz) + 4)), [0, 0, 0, 0]);
    z.release(hz);
    const set = new PoolSet({ name: 's', classes: [{ blockSize: 4, count: 1 }, { blockSize: 16, count: 1 }], trace: tr });
    const hs = set.reserve(10);
    set.release(hs);
    const names = tr.dictionary().map((o) => o.name);
    assert.deepEqual(names, ['p', 'z', 's[4]', 's[16]']);
    assert.deepEqual(drain(tr).map((r) => [r[0], r[1], r[4]]), [
      [TRACE_POOL_CLAIM, z.traceId, hz],
      [TRACE_POOL_RELEASE, z.traceId, hz],
      [TRACE_POOL_CLAIM, set.pools[1]!.traceId, hs],
      [TRACE_POOL_RELEASE, set.pools[1]!.traceId, hs],
    ]);
  });

  it('EventQueue: REFUSE (reject, margin), DROP (drop-oldest, clear); successful posts record nothing', function () {
    const tr = new Trace({ clock: () => 0, capacity: 16 });
    const q = new EventQueue({ name: 'q', capacity: 1, trace: tr });
    const d = new EventQueue({ name: 'd', capacity: 1, overflow: 'drop-oldest', trace: tr });
    q.post(1, 10);
    q.post(2, 20, 21);
    q.get();
    q.postWithMargin(1, 3, 30);
    d.post(4);
    d.post(5, 50);
    d.clear();
    assert.deepEqual(drain(tr), [
      [TRACE_REFUSE, q.traceId, 2, -1, 1, 20, 21],
      [TRACE_REFUSE, q.traceId, 3, -1, 0, 30, 0],
      [TRACE_DROP, d.traceId, 5, -1, 1, 50, 0],
      [TRACE_DROP, d.traceId, -1, -1, 1, 0, 0],
    ]);
    assert.equal(q.posted, q.taken + q.dropped + q.length);
  });

  it('Stream and BlockStream: STREAM_REFUSE (full, partial write, closed) and DROP (destroy)', function () {
    const tr = new Trace({ clock: () => 0, capacity: 16 });
    const s = new Stream({ name: 's', type: 'f64', capacity: 2, trace: tr });
    s.writeOne(1);
    s.writeOne(2);
    s.writeOne(3);
    s.next();
    assert.equal(s.write(new Float64Array([7, 8, 9]), 0, 3), 1);
    s.close();
    s.writeOne(4);
    assert.equal(s.destroy(), 2);
    const pool = new BlockPool({ blockSize: 4, count: 2 });
    const b = new BlockStream({ name: 'b', capacity: 1, pool, trace: tr });
    b.send(pool.claim());
    const h = pool.claim();
    assert.equal(b.send(h), false);
    pool.release(h);
    assert.deepEqual(drain(tr), [
      [TRACE_STREAM_REFUSE, s.traceId, -1, -1, 1, 2, 0],
      [TRACE_STREAM_REFUSE, s.traceId, -1, -1, 2, 1, 0],
      [TRACE_STREAM_REFUSE, s.traceId, -1, -1, 1, 2, 1],
      [TRACE_DROP, s.traceId, -1, -1, 2, 0, 1],
      [TRACE_STREAM_REFUSE, b.traceId, -1, -1, 1, 1, 0],
    ]);
    assert.equal(s.written, s.taken + s.dropped + s.length);
  });
});

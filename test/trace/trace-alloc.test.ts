// Tracing allocates nothing on XS per record, the first call included, on
// every hook path: kernel post + run (trace on, and filtered out), time
// events (arm, expiry, disarm, stale), an hsm's dispatch with transitions
// (PSiCC2's book sequence) standalone and under the kernel, pool claim /
// release / refused claim, refusals and drops (kernel, hsm, queue, stream),
// both overflow modes, and the drain (take, accessors, discard). Each stands
// next to a positive control: the same call plus one array literal is caught.
// On Node these run for behaviour only. The same file also runs in the
// release bundle (debug flag off) on XS: test/node/trace-release.test.ts.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { Trace, TRACE_RECORD_WORDS, TRACE_USER, traceBit, TRACE_POST } from '../../src/trace.js';
import { Kernel, type Behaviour } from '../../src/kernel.js';
import { defineHsm, defineSignals, Hsm } from '../../src/hsm.js';
import { BlockPool, NO_BLOCK } from '../../src/pool.js';
import { EventQueue } from '../../src/queue.js';
import { Stream } from '../../src/stream.js';
import { psicc2, PS } from '../hsm/hsm-psicc2.fixture.js';

declare const DEBUG: boolean;
const build = DEBUG ? 'debug build' : 'release build';

class Work implements Behaviour {
  sum = 0;
  start(): void {}
  dispatch(sig: number, p0: number): void {
    this.sum += sig + p0;
  }
}

const BOOK = [PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C];

/** A clock that moves: 32-bit wrap included (starts just below 2^32). */
function movingClock(): () => number {
  const c = new Float64Array([4294967290]);
  return () => (c[0]! += 1);
}

function check(fn: () => unknown, what: string, n = 10000): void {
  assertNoAllocation(fn, n, what);
  assertCatchesAllocation(fn, 100, what);
}

describe(`trace: no allocation per record on XS, first call included (${build})`, function () {
  it("kernel post + run, trace on ('ring' mode, wrapping), records POST and DISPATCH", function () {
    const tr = new Trace({ clock: movingClock(), capacity: 64 });
    const k = new Kernel({ trace: tr });
    const aos = [k.spawn({ create: () => new Work() }, 1, 8), k.spawn({ create: () => new Work() }, 2, 8)];
    let i = 0;
    check(() => {
      k.post(aos[i & 1]!, 1, i);
      i++;
      return k.run();
    }, 'traced kernel post + run');
    assert.ok(tr.overwritten > 0, 'the ring wrapped');
    assert.equal(tr.written, tr.length + tr.overwritten);
  });

  it('kernel tick + post + run, trace on with clock: null (records carry trace.now, set by tick)', function () {
    const tr = new Trace({ clock: null, capacity: 64 });
    const k = new Kernel({ trace: tr });
    const aos = [k.spawn({ create: () => new Work() }, 1, 8), k.spawn({ create: () => new Work() }, 2, 8)];
    let i = 0;
    check(() => {
      k.tick(4294967290 + i);
      k.post(aos[i & 1]!, 1, i);
      i++;
      return k.run();
    }, 'clock: null kernel tick + post + run');
    assert.ok(tr.overwritten > 0, 'the ring wrapped');
  });

  it("kernel post + run, trace present but filtered out (kinds off, then object off); 'stop' mode full", function () {
    const tr = new Trace({ clock: movingClock(), capacity: 4, mode: 'stop' });
    const k = new Kernel({ trace: tr });
    const ao = k.spawn({ create: () => new Work() }, 1, 8);
    tr.setKinds(0);
    let i = 0;
    check(() => {
      k.post(ao, 1, i++);
      return k.run();
    }, 'kernel post + run, kinds filtered out');
    tr.setKinds(traceBit(TRACE_POST));
    tr.enableObject(k.traceIdOf(ao), false);
    check(() => {
      k.post(ao, 1, i++);
      return k.run();
    }, 'kernel post + run, object filtered out');
    tr.enableObject(k.traceIdOf(ao), true);
    check(() => {
      k.post(ao, 1, i++);
      return k.run();
    }, "kernel post + run, 'stop' mode ring full (refused, counted)");
    assert.ok(tr.refused > 0);
  });

  it('time events with a trace: arm, tick (expiry), run (dispatch), disarm, and a stale expiry dropped', function () {
    let now = 0;
    const clock = (): number => now;
    const tr = new Trace({ clock, capacity: 32 });
    const k = new Kernel({ trace: tr, host: { now: clock } });
    const ao = k.spawn({ create: () => new Work() }, 1, 4);
    const t = k.timeEvent(ao, 2);
    check(() => {
      k.arm(t, 1);
      now += 1;
      k.tick();
      k.run();
      k.arm(t, 0);
      now += 1;
      k.tick();
      k.disarm(t);
      return k.run();
    }, 'traced arm + tick + run + disarm + stale');
    assert.ok(k.staleExpiries > 0);
  });

  it("an hsm's dispatch with transitions: PSiCC2's book sequence, traced (records every exit, entry, init)", function () {
    const tr = new Trace({ clock: movingClock(), capacity: 128 });
    const marks = new Int32Array(4);
    const m = new Hsm(psicc2((kind) => { marks[kind]!++; }), { trace: tr });
    m.start();
    let i = 0;
    check(() => m.dispatch(BOOK[i++ % BOOK.length]!, i, 0, 0, 0), 'traced PSiCC2 dispatch');
    assert.ok(tr.written > 10000);
  });

  it("'full' machines, a history transition (compact: the INIT + HISTORY record), and filter changes that swap the traced forms in and out", function () {
    const full = new Trace({ machines: 'full', clock: movingClock(), capacity: 128 });
    const mf = new Hsm(psicc2(() => {}), { trace: full });
    mf.start();
    let i = 0;
    check(() => mf.dispatch(BOOK[i++ % BOOK.length]!, i, 0, 0, 0), "'full' PSiCC2 dispatch");
    assert.ok(full.written > 5 * 10000);
    const S = defineSignals(['LEAVE', 'BACK']);
    const tr = new Trace({ clock: movingClock(), capacity: 16 });
    const mh = new Hsm(
      defineHsm({
        name: 'hist',
        signals: S,
        context: () => ({}),
        initial: 'h',
        states: { h: { history: 'deep', initial: 'h1', on: { LEAVE: 'o' }, states: { h1: {} } }, o: { on: { BACK: { target: 'h', history: true } } } },
      }),
      { trace: tr },
    );
    mh.start();
    const k = new Kernel({ maxObjects: 1, trace: tr });
    const ao = k.spawn({ create: () => new Work() }, 1, 4);
    const pool = new BlockPool({ name: 'p', blockSize: 8, count: 2, trace: tr });
    let n = 0;
    check(() => {
      // Off, then on again: the machine's, the kernel's and the pool's methods are swapped (own properties that exist).
      if ((n & 1) === 0) tr.setKinds(0);
      else tr.setKinds(-2);
      tr.enableObject(mh.traceId, (n & 2) === 0);
      mh.dispatch(S.LEAVE, 0, 0, 0, 0);
      mh.dispatch(S.BACK, 0, 0, 0, 0);
      k.post(ao, 1, n);
      k.run();
      pool.release(pool.claim());
      n++;
    }, 'history dispatch, kernel and pool with filter swaps');
    assert.ok(tr.written > 10000);
  });

  it('an hsm under the kernel (spawnMachine passes the trace): post + run with transitions, defer and recall', function () {
    const S = defineSignals(['WORK', 'DONE']);
    const tr = new Trace({ clock: movingClock(), capacity: 64 });
    const k = new Kernel({ trace: tr });
    const m = k.spawnMachine(
      defineHsm({
        name: 'worker',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'idle',
        states: {
          idle: { entry: (_c, h) => { h.recall(); }, on: { WORK: 'busy' } },
          busy: { defer: ['WORK'], on: { DONE: 'idle' } },
        },
      }),
      { priority: 1, queueCapacity: 8 },
    );
    check(() => {
      k.post(m.ao, S.WORK);
      k.post(m.ao, S.WORK);
      k.post(m.ao, S.DONE);
      k.post(m.ao, S.DONE);
      return k.run();
    }, 'traced machine under the kernel');
    assert.ok(m.hsm.recalled > 0 && m.hsm.deferred > 0);
  });

  it('pool claim / release / retain and a refused claim, traced', function () {
    const tr = new Trace({ clock: movingClock(), capacity: 16 });
    const p = new BlockPool({ blockSize: 8, count: 1, trace: tr });
    check(() => {
      const h = p.claim();
      p.retain(h);
      const none = p.tryClaim();
      p.release(h);
      p.release(h);
      const h2 = p.tryClaim();
      p.release(h2);
      return none === NO_BLOCK;
    }, 'traced pool claim/release/refused');
    assert.equal(p.used, 0);
  });

  it('refusals and drops: kernel post to a full queue, hsm post to a full queue, EventQueue reject/drop-oldest, stream full', function () {
    const tr = new Trace({ clock: movingClock(), capacity: 16 });
    const k = new Kernel({ trace: tr });
    const ao = k.spawn({ create: () => new Work() }, 1, 1);
    k.post(ao, 1);
    const m = new Hsm(psicc2(() => {}), { trace: tr, queueCapacity: 1 });
    m.start();
    m.post(PS.A);
    const q = new EventQueue({ capacity: 1, trace: tr });
    q.post(1);
    const d = new EventQueue({ capacity: 1, overflow: 'drop-oldest', trace: tr });
    const s = new Stream({ type: 'f64', capacity: 1, trace: tr });
    s.writeOne(1);
    check(() => {
      k.post(ao, 2, 3);
      m.post(PS.B, 1);
      q.post(2, 5);
      d.post(3, 6);
      return s.writeOne(2);
    }, 'traced refusals and drops');
    assert.ok(q.refused > 0 && d.dropped > 0 && s.refused > 0 && m.postRejected > 0);
  });

  it('user records through rec(), and the drain: take() into a buffer, the accessors and discard()', function () {
    const tr = new Trace({ clock: movingClock(), capacity: 8 });
    const u = tr.register('user', 'app');
    const buf = new Int32Array(4 * TRACE_RECORD_WORDS);
    let sum = 0;
    check(() => {
      for (let j = 0; j < 6; j++) tr.rec(TRACE_USER, u, j, -1, j, j * 0.5, 0);
      const n = tr.take(buf);
      sum += n + buf[0]!;
      for (let k = 0; k < tr.length; k++) sum += tr.seqAt(k) + tr.timeAt(k) + tr.kindAt(k) + tr.objectAt(k) + tr.signalAt(k) + tr.stateAt(k) + tr.auxAt(k) + tr.p0At(k) + tr.p1At(k);
      return tr.discard(tr.length);
    }, 'rec + take + accessors + discard');
    assert.ok(sum > 0);
  });
});

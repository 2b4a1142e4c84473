// Deferral, recall and run-to-completion posting. A state that lists a signal
// in `defer` puts the event (signal and 4 parameters) into the machine's
// fixed-capacity defer queue; recall() moves the oldest one to the front of the
// machine's queue (postUrgent), recallAll() moves all, keeping their order.
import { strict as assert } from '../support/assert.js';
import {
  defineHsm,
  defineSignals,
  Hsm,
  HsmUsageError,
  HSM_DEFERRED,
  HSM_DEFER_OVERFLOW,
  HSM_HANDLED,
  HSM_TRANSITION,
  type HsmEventSink,
} from '../../src/hsm.js';
import { traced } from './hsm-trace.fixture.js';
import { EventQueue, NO_EVENT } from '../../src/queue.js';

const S = defineSignals(['WORK', 'DONE', 'OTHER', 'PING', 'PONG', 'KICK', 'NEST']);

type Opts = { deferCapacity?: number; deferOverflow?: 'reject' | 'drop-oldest'; queueCapacity?: number; queue?: HsmEventSink };

function machine(opts: Opts = {}, recallAll = false) {
  return traced(
    {
      name: 'defer',
      signals: S,
      context: () => ({ sum: 0, last: 0 }),
      initial: 'busy',
      states: {
        busy: {
          defer: ['WORK'],
          on: {
            DONE: 'idle',
            NEST: 'nest',
            OTHER: { action: (c, p0) => { c.last = p0; } },
            PING: { action: (_c, p0, _p1, _p2, _p3, m) => { m.post(S.PONG, p0 + 1); } },
            PONG: { action: (c, p0) => { c.last = p0; } },
          },
        },
        idle: {
          entry: (_c, m) => { if (recallAll) m.recallAll(); else m.recall(); },
          on: {
            WORK: { target: 'busy', action: (c, p0) => { c.sum = c.sum * 10 + p0; } },
            OTHER: { action: (c, p0) => { c.last = p0; } },
          },
        },
        nest: {
          initial: 'inner',
          defer: ['KICK'],
          on: { WORK: 'busy' },
          states: { inner: { defer: ['WORK'], on: { KICK: { action: (c) => { c.last = -1; } } } } },
        },
      },
    },
    opts as never,
  );
}

describe('hsm: deferral, recall and run-to-completion', function () {
  it('a deferred event is kept with its parameters and handled after recall', function () {
    const t = machine();
    t.take();
    assert.equal(t.m.dispatch(S.WORK, 7), HSM_DEFERRED);
    assert.deepEqual(t.take(), []);
    assert.equal(t.m.deferredCount, 1);
    assert.equal(t.m.send(S.DONE), HSM_TRANSITION); // idle entry recalls WORK(7) to the front; send drains it
    assert.deepEqual(t.take(), ['busy:DONE', 'busy:exit', 'idle:entry', 'idle:WORK', 'idle:exit', 'busy:entry']);
    assert.equal(t.m.ctx.sum, 7);
    assert.equal(t.m.deferredCount, 0);
    assert.equal(t.m.deferred, 1);
    assert.equal(t.m.recalled, 1);
  });

  it("recall puts the event at the front: before events already queued", function () {
    const t = machine();
    t.m.dispatch(S.WORK, 1);
    assert.equal(t.m.post(S.OTHER, 5), true);
    t.take();
    t.m.dispatch(S.DONE);
    assert.equal(t.m.queued, 2);
    t.m.drain();
    // WORK ran first (idle -> busy), then OTHER in busy.
    assert.deepEqual(t.take(), ['busy:DONE', 'busy:exit', 'idle:entry', 'idle:WORK', 'idle:exit', 'busy:entry', 'busy:OTHER']);
  });

  it('recallAll keeps the deferred order, ahead of the queue', function () {
    const t = machine({}, true);
    t.m.dispatch(S.WORK, 1);
    t.m.dispatch(S.WORK, 2);
    t.m.dispatch(S.WORK, 3);
    t.m.post(S.OTHER, 9);
    t.m.dispatch(S.DONE); // idle entry: recallAll -> queue: WORK1 WORK2 WORK3 OTHER
    assert.equal(t.m.queued, 4);
    t.m.drain();
    // WORK1 handled in idle (-> busy); WORK2, WORK3 deferred again in busy; OTHER handled in busy.
    assert.equal(t.m.ctx.sum, 1);
    assert.equal(t.m.ctx.last, 9);
    assert.equal(t.m.deferredCount, 2);
    t.m.send(S.DONE);
    t.m.send(S.DONE);
    assert.equal(t.m.ctx.sum, 123);
    assert.equal(t.m.deferredCount, 0);
  });

  it("overflow 'reject' (default): the new event is dropped and counted", function () {
    const t = machine({ deferCapacity: 2 });
    assert.equal(t.m.dispatch(S.WORK, 1), HSM_DEFERRED);
    assert.equal(t.m.dispatch(S.WORK, 2), HSM_DEFERRED);
    assert.equal(t.m.dispatch(S.WORK, 3), HSM_DEFER_OVERFLOW);
    assert.equal(t.m.deferDropped, 1);
    assert.equal(t.m.deferHighWater, 2);
    t.m.send(S.DONE);
    t.m.send(S.DONE);
    assert.equal(t.m.ctx.sum, 12);
  });

  it("overflow 'drop-oldest': the oldest is dropped and counted", function () {
    const t = machine({ deferCapacity: 2, deferOverflow: 'drop-oldest' });
    t.m.dispatch(S.WORK, 1);
    t.m.dispatch(S.WORK, 2);
    assert.equal(t.m.dispatch(S.WORK, 3), HSM_DEFER_OVERFLOW);
    assert.equal(t.m.deferDropped, 1);
    t.m.send(S.DONE);
    t.m.send(S.DONE);
    assert.equal(t.m.ctx.sum, 23);
  });

  it('recall with a full queue fails, is counted, and keeps the event deferred', function () {
    const t = machine({ queueCapacity: 1 });
    t.m.dispatch(S.WORK, 4);
    t.m.post(S.OTHER, 1); // queue full
    t.m.dispatch(S.DONE); // idle entry: recall fails
    assert.equal(t.m.recallRefused, 1);
    assert.equal(t.m.recallFailed, 1); // the deprecated alias reads the same counter
    assert.equal(t.m.deferredCount, 1);
    t.m.drain(); // OTHER in idle
    assert.equal(t.m.recall(), true);
    t.m.drain();
    assert.equal(t.m.ctx.sum, 4);
    assert.equal(t.m.post(S.OTHER), true);
    assert.equal(t.m.post(S.OTHER), false);
    assert.equal(t.m.refused, 1);
    assert.equal(t.m.postRejected, 1); // the deprecated alias reads the same counter
    t.m.drain();
  });

  it('the deepest state decides: a substate deferral beats an ancestor transition, a substate handler beats an ancestor deferral', function () {
    const t = machine();
    t.m.dispatch(S.NEST);
    assert.equal(t.m.currentName, 'inner');
    t.take();
    assert.equal(t.m.dispatch(S.WORK, 5), HSM_DEFERRED); // inner defers WORK; nest's WORK -> busy is not taken
    assert.equal(t.m.dispatch(S.KICK), HSM_HANDLED); // inner handles KICK; nest's deferral does not apply
    assert.deepEqual(t.take(), ['inner:KICK']);
    assert.equal(t.m.ctx.last, -1);
    assert.equal(t.m.deferredCount, 1);
    const d = t.m.definition;
    assert.deepEqual(d.deferredIn(d.idOf('inner')), ['WORK']);
    assert.deepEqual(d.deferredIn(d.idOf('nest')), ['KICK']);
    assert.equal(t.m.recall(), true);
    t.m.drain(); // WORK deferred again in inner
    assert.equal(t.m.deferredCount, 1);
    assert.equal(t.m.deferred, 2);
  });

  it('run-to-completion: an event posted from an action runs after the current transition completes', function () {
    const t = machine();
    t.take();
    assert.equal(t.m.send(S.PING, 1), HSM_HANDLED);
    assert.deepEqual(t.take(), ['busy:PING', 'busy:PONG']);
    assert.equal(t.m.ctx.last, 2);
  });

  it('an injected queue receives post, postUrgent and recall; drain() is refused', function () {
    const calls: string[] = [];
    const sink: HsmEventSink = {
      post: (sig, p0) => { calls.push(`post ${sig} ${p0}`); return true; },
      postUrgent: (sig, p0) => { calls.push(`urgent ${sig} ${p0}`); return true; },
    };
    const t = machine({ queue: sink });
    t.m.dispatch(S.WORK, 6);
    t.m.dispatch(S.PING, 1);
    t.m.dispatch(S.DONE);
    assert.deepEqual(calls, [`post ${S.PONG} 2`, `urgent ${S.WORK} 6`]);
    assert.equal(t.m.queued, 0);
    assert.throws(() => t.m.drain(), (e: unknown) => e instanceof HsmUsageError && e.code === 'NO_OWN_QUEUE');
  });

  it("kernel style: the active object's EventQueue injected; the owner get()s and dispatches one event at a time", function () {
    const q = new EventQueue({ name: 'ao', capacity: 8 });
    const t = machine({ queue: q });
    t.m.dispatch(S.WORK, 3); // deferred
    t.m.dispatch(S.PING, 4); // posts PONG(5) to q
    t.m.dispatch(S.DONE); // idle entry recalls WORK(3) to the front of q
    t.take();
    const order: number[] = [];
    for (let sig = q.get(); sig !== NO_EVENT; sig = q.get()) {
      order.push(sig);
      t.m.dispatch(sig, q.p0, q.p1, q.p2, q.p3);
    }
    assert.deepEqual(order, [S.WORK, S.PONG]);
    assert.deepEqual(t.take(), ['idle:WORK', 'idle:exit', 'busy:entry', 'busy:PONG']);
    assert.equal(t.m.ctx.sum, 3);
    assert.equal(t.m.ctx.last, 5);
  });

  it('deferCapacity 0 (no state defers): no defer queue; recall() is false, recallAll() 0, the counters 0', function () {
    const def = defineHsm({
      name: 'nodefer',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'a',
      states: { a: { on: { WORK: { action: (c) => { c.n++; } } } } },
    });
    const m = new Hsm(def, { deferCapacity: 0 });
    m.start();
    assert.equal(m.dispatch(S.WORK), HSM_HANDLED);
    assert.equal(m.recall(), false);
    assert.equal(m.recallAll(), 0);
    assert.equal(m.deferredCount, 0);
    assert.equal(m.deferHighWater, 0);
    assert.equal(m.recallRefused, 0);
    assert.equal(m.ctx.n, 1);
  });
});

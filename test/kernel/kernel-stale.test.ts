// Kernel: stale time-event expiries are dropped by the kernel itself. An
// expiry is queued tagged (sig + TIME_EVENT_TAG, id, due, generation); at
// dispatch the kernel asks the timer table whether that generation is still
// current, so an expiry of a time event that was disarmed, re-armed or
// destroyed after it was queued is never dispatched (counted in
// kernel.staleExpiries). Also: AoPort as a state machine's timer host.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { Kernel, NO_SLOT, KernelUsageError, type AoPort, type Behaviour, type KernelHost } from '../../src/kernel.js';
import { QueueEventError, TIME_EVENT_TAG } from '../../src/queue.js';
import { TimerUsageError } from '../../src/timer.js';
import { BlockPool } from '../../src/pool.js';

class Clock implements KernelHost {
  t = 0;
  now(): number {
    return this.t;
  }
}

/** Logs "sig p0 p1 p2 p3" per dispatched event; an optional hook runs after. */
class Log implements Behaviour {
  readonly got: string[] = [];
  port: AoPort | null = null;
  hook: ((sig: number, p0: number) => number | void) | null = null;
  start(): void {}
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): number | void {
    this.got.push(`${sig} ${p0} ${p1} ${p2} ${p3}`);
    return this.hook === null ? undefined : this.hook(sig, p0);
  }
}

interface Rig {
  k: Kernel;
  clock: Clock;
  log: Log;
  ao: number;
}

const kernels: Kernel[] = [];
function rig(queueCapacity = 8, options: { pool?: BlockPool } = {}): Rig {
  const clock = new Clock();
  const k = new Kernel({ name: 'ks', host: clock, timers: 8, pool: options.pool });
  kernels.push(k);
  const log = new Log();
  const ao = k.spawn(
    {
      create: (port) => {
        log.port = port;
        return log;
      },
    },
    1,
    queueCapacity,
  );
  return { k, clock, log, ao };
}

/** posted === taken + dropped + queued on every running AO's queue. */
function assertIdentity(k: Kernel): void {
  for (let ao = 0; ao < k.maxObjects; ao++) {
    if (!k.isRunning(ao)) continue;
    const q = k.queueOf(ao);
    assert.equal(q.posted, q.taken + q.dropped + q.length, `AO ${ao}: posted ${q.posted} taken ${q.taken} dropped ${q.dropped} queued ${q.length}`);
  }
}

afterEach(function () {
  for (const k of kernels) {
    assertIdentity(k);
    for (let ao = 0; ao < k.maxObjects; ao++) if (k.isRunning(ao)) assert.equal(k.queueOf(ao).length, 0, `AO ${ao}: queue left non-empty`);
  }
  kernels.length = 0;
});

describe('kernel: stale time-event expiries', function () {
  it('a current expiry is dispatched untagged with (id, due, generation, 0)', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 9);
    const due = k.arm(t, 10);
    clock.t = 10;
    assert.equal(k.tick(), 1);
    assert.equal(k.queueOf(ao).peek(), 9 + TIME_EVENT_TAG, 'queued tagged');
    assert.equal(k.run(), 1);
    assert.equal(log.got.length, 1);
    const [sig, id, p1, gen, p3] = log.got[0]!.split(' ').map(Number);
    assert.deepEqual([sig, id, p1, p3], [9, t, due, 0]);
    assert.ok(k.timers.isCurrent(t, gen!), 'p2 is the generation of the arm');
    assert.equal(k.staleExpiries, 0);
  });

  it('an expiry queued, then disarm: not dispatched, counted in staleExpiries', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 9);
    k.arm(t, 5);
    clock.t = 5;
    k.tick();
    assert.equal(k.queueOf(ao).length, 1);
    assert.equal(k.disarm(t), false, 'the one-shot already expired: not armed, but its queued expiry is now stale');
    assert.equal(k.run(), 0);
    assert.deepEqual(log.got, []);
    assert.equal(k.staleExpiries, 1);
    assert.equal(k.dispatched(ao), 0);
    assert.equal(k.dispatchedTotal, 0);
  });

  it('a periodic expiry queued, then disarm (it was armed): not dispatched', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 4);
    k.arm(t, 2, 2);
    clock.t = 2;
    k.tick();
    assert.equal(k.disarm(t), true);
    k.run();
    assert.deepEqual(log.got, []);
    assert.equal(k.staleExpiries, 1);
  });

  it('an expiry queued, then re-armed with delay 5: only the new one is dispatched, at its time', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 9);
    k.arm(t, 10);
    clock.t = 10;
    k.tick();
    const due = k.arm(t, 5); // due 15
    assert.equal(k.run(), 0, 'the queued expiry is stale');
    assert.equal(k.staleExpiries, 1);
    clock.t = 14;
    k.tick();
    assert.equal(k.run(), 0);
    clock.t = 15;
    assert.equal(k.tick(), 1);
    assert.equal(k.run(), 1);
    assert.equal(log.got.length, 1);
    assert.equal(log.got[0]!.split(' ').slice(0, 3).join(' '), `9 ${t} ${due}`);
    assert.equal(k.staleExpiries, 1);
  });

  it('a zero-delay arm then tick: dispatched', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 3);
    clock.t = 7;
    assert.equal(k.arm(t, 0), 7);
    assert.equal(k.tick(), 1);
    assert.equal(k.run(), 1);
    assert.equal(log.got.length, 1);
    assert.equal(k.staleExpiries, 0);
  });

  it('a zero-delay re-arm in the same ms as a queued expiry of the same id (same due time): only one is dispatched', function () {
    // The blind spot of a guard that compares due times: both expiries carry due 20.
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 6);
    k.arm(t, 20);
    clock.t = 20;
    k.tick(); // expiry 1 queued (due 20)
    assert.equal(k.arm(t, 0), 20, 'the re-arm is due at 20 too');
    k.tick(); // expiry 2 queued (due 20)
    assert.equal(k.queueOf(ao).length, 2);
    assert.equal(k.run(), 1);
    assert.equal(log.got.length, 1);
    assert.equal(log.got[0]!.split(' ').slice(0, 3).join(' '), `6 ${t} 20`);
    assert.equal(k.staleExpiries, 1);
  });

  it('a periodic event with two expiries queued: both are dispatched', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 2);
    k.arm(t, 1, 1);
    clock.t = 1;
    k.tick();
    clock.t = 2;
    k.tick();
    assert.equal(k.queueOf(ao).length, 2);
    assert.equal(k.run(), 2);
    assert.deepEqual(
      log.got.map((s) => s.split(' ').slice(0, 3).join(' ')),
      [`2 ${t} 1`, `2 ${t} 2`],
    );
    assert.equal(k.staleExpiries, 0);
    k.disarm(t);
  });

  it('an action that disarms another time event drops that one\'s queued expiry (an exit action cancelling its timeout)', function () {
    const { k, clock, log, ao } = rig();
    const a = k.timeEvent(ao, 1);
    const b = k.timeEvent(ao, 2);
    log.hook = (sig) => {
      if (sig === 1) k.disarm(b);
    };
    k.arm(a, 5);
    k.arm(b, 5);
    clock.t = 5;
    assert.equal(k.tick(), 2);
    assert.equal(k.run(), 1);
    assert.deepEqual(log.got.map((s) => s.split(' ')[0]), ['1']);
    assert.equal(k.staleExpiries, 1);
  });

  it('a time event destroyed through the table while its expiry is queued: dropped', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 3);
    k.arm(t, 1);
    clock.t = 1;
    k.tick();
    k.timers.destroy(t);
    k.timeEvent(ao, 4); // reuses the id: the old expiry must not pass for it
    assert.equal(k.run(), 0);
    assert.deepEqual(log.got, []);
    assert.equal(k.staleExpiries, 1);
  });

  it('step() drops stale expiries on its way to the next current event; NO_SLOT when only stale ones were ready', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 3);
    k.arm(t, 1);
    clock.t = 1;
    k.tick();
    k.disarm(t);
    k.post(ao, 8, 1);
    assert.equal(k.step(), ao, 'the stale expiry is dropped, the post is dispatched');
    assert.deepEqual(log.got, ['8 1 0 0 0']);
    assert.equal(k.staleExpiries, 1);
    k.arm(t, 0);
    k.tick();
    k.disarm(t);
    assert.equal(k.ready, true);
    assert.equal(k.step(), NO_SLOT, 'only a stale expiry was ready');
    assert.equal(k.ready, false);
    assert.equal(k.staleExpiries, 2);
    assert.equal(k.dispatched(ao), 1);
  });

  it('run() counts dispatched events only: maxBurst is not used up by stale expiries', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock, maxBurst: 2, timers: 4 });
    kernels.push(k);
    const log = new Log();
    const ao = k.spawn({ create: () => log }, 1, 8);
    const ids = [k.timeEvent(ao, 1), k.timeEvent(ao, 2), k.timeEvent(ao, 3)];
    for (const id of ids) k.arm(id, 1);
    clock.t = 1;
    k.tick();
    for (const id of ids) k.disarm(id);
    k.post(ao, 5);
    k.post(ao, 6);
    k.post(ao, 7);
    assert.equal(k.run(), 2, 'three stale expiries dropped, then maxBurst = 2 events');
    assert.equal(k.staleExpiries, 3);
    assert.equal(k.idleCount, 0);
    assert.equal(k.run(), 1);
    assert.equal(k.run(), 0);
    assert.equal(k.idleCount, 1, 'an idle pass only when nothing was dispatched');
    assert.deepEqual(log.got.map((s) => s.split(' ')[0]), ['5', '6', '7']);
  });

  it('the queue identity posted = taken + dropped + queued holds through stale drops (they are taken)', function () {
    const { k, clock, ao } = rig(8);
    const q = k.queueOf(ao);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(k.timeEvent(ao, i));
    for (let i = 0; i < 6; i++) {
      k.arm(ids[i]!, 0);
      clock.t = i;
      k.tick();
      assertIdentity(k);
    }
    for (let i = 0; i < 6; i += 2) k.disarm(ids[i]!);
    k.post(ao, 9);
    assert.equal(k.step(), ao);
    assertIdentity(k);
    k.run();
    assert.equal(q.posted, 7);
    assert.equal(q.taken, 7);
    assert.equal(k.dispatched(ao), 4);
    assertIdentity(k);
    assert.equal(k.staleExpiries, 3);
  });

  it('a user post of a signal above 0xFFFF (a forged tag) is refused with QueueEventError (debug builds)', function () {
    if (!DEBUG) this.skip();
    const { k, log, ao } = rig();
    const t = k.timeEvent(ao, 1);
    for (const sig of [TIME_EVENT_TAG, TIME_EVENT_TAG + 1, 0x1ffff]) {
      assert.throws(() => k.post(ao, sig, t, 0, 0), QueueEventError);
      assert.throws(() => k.postUrgent(ao, sig, t, 0, 0), QueueEventError);
      assert.throws(() => k.postWithMargin(ao, 0, sig, t), QueueEventError);
      assert.throws(() => k.interrupt(ao, sig, t), QueueEventError);
      assert.throws(() => log.port!.post(sig, t), QueueEventError);
      assert.throws(() => log.port!.postUrgent(sig, t), QueueEventError);
    }
    assert.equal(k.queueOf(ao).posted, 0);
    assert.equal(k.run(), 0);
  });

  it('stop() with expiries and block events queued releases every block and indexes no tagged value as a signal', function () {
    const pool = new BlockPool({ name: 'ks-stop', blockSize: 8, count: 2 });
    const { k, clock, ao } = rig(8, { pool });
    k.blockSignal(1);
    const t = k.timeEvent(ao, 0); // tagged: 0x10000, one past the largest block signal index
    k.arm(t, 1, 1);
    clock.t = 1;
    k.tick();
    k.post(ao, 1, pool.claim());
    clock.t = 2;
    k.tick();
    assert.equal(k.queueOf(ao).length, 3);
    k.stop(ao);
    assert.equal(pool.used, 0);
    assert.equal(k.timers.created, 0);
  });

  it('a deferred expiry, recalled later, comes back untagged and is dispatched without a new check', function () {
    const { k, clock, log, ao } = rig();
    const t = k.timeEvent(ao, 5);
    let held = true;
    let stash = [0, 0, 0];
    log.hook = (sig, p0) => {
      if (sig === 5 && held) {
        stash = [sig, p0, 0];
        log.got.pop();
        return 3; // BEHAVIOUR_DEFERRED
      }
      if (sig === 7) {
        held = false;
        log.port!.postUrgent(stash[0]!, stash[1]!); // the recall
      }
      return 1;
    };
    k.arm(t, 1);
    clock.t = 1;
    k.tick();
    k.run();
    assert.equal(log.got.length, 0, 'deferred');
    k.disarm(t); // after the deferral: the kernel no longer sees a tagged record
    k.post(ao, 7);
    k.run();
    assert.deepEqual(log.got.map((s) => s.split(' ').slice(0, 2).join(' ')), ['7 0', `5 ${t}`]);
    assert.equal(k.staleExpiries, 0);
  });

  it('timeEvent refuses a block signal (an expiry carries its id in p0, not a block)', function () {
    const pool = new BlockPool({ name: 'ks-blk', blockSize: 8, count: 1 });
    const { k, ao } = rig(4, { pool });
    k.blockSignal(3);
    assert.throws(() => k.timeEvent(ao, 3), (e) => e instanceof KernelUsageError && /'ks'/.test(e.message) && /carries a pool block/.test(e.message));
    assert.equal(k.timers.created, 0);
  });

  it('arm + tick + run with a stale expiry dropped each time allocate nothing on XS (first call included), next to a positive control', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock, timers: 4 });
    kernels.push(k);
    let n = 0;
    const ao = k.spawn({ create: () => ({ start(): void {}, dispatch(): void { n++; } }) }, 1, 4);
    const t = k.timeEvent(ao, 1);
    const op = (): void => {
      k.arm(t, 0);
      k.tick(); // expiry 1 queued
      k.arm(t, 1); // re-arm: expiry 1 is stale
      clock.t += 1;
      k.tick(); // expiry 2 queued, current
      k.run(); // drops 1, dispatches 2
    };
    assertNoAllocation(op, 10000, 'kernel arm+tick+run dropping a stale expiry');
    assert.equal(n, 10000);
    assert.equal(k.staleExpiries, 10000);
    assertCatchesAllocation(op, 100, 'kernel arm+tick+run dropping a stale expiry');
  });
});

/** The timer host an Hsm expects (src/hsm.ts HsmTimerHost), restated here: AoPort must fit it structurally. */
interface TimerHostShape {
  timeEvent(sig: number): number;
  arm(id: number, delayMs: number, periodMs: number): number;
  disarm(id: number): boolean;
}

describe('kernel: AoPort as a state machine timer host', function () {
  it('timeEvent, arm and disarm act on the kernel time events of the port AO', function () {
    const { k, clock, log, ao } = rig();
    const host: TimerHostShape = log.port!;
    const t = host.timeEvent(4);
    assert.equal(k.timers.ownerOf(t), ao);
    clock.t = 3;
    assert.equal(host.arm(t, 5, 0), 8);
    assert.equal(log.port!.arm(t, 5), 8, 'periodMs defaults to 0');
    assert.equal(host.disarm(t), true);
    assert.equal(host.disarm(t), false);
    host.arm(t, 2, 2);
    clock.t = 5;
    k.tick();
    clock.t = 7;
    k.tick();
    k.run();
    assert.deepEqual(log.got.map((s) => s.split(' ').slice(0, 3).join(' ')), [`4 ${t} 5`, `4 ${t} 7`]);
    host.disarm(t);
    assert.throws(() => host.arm(t, '5' as unknown as number, 0), TimerUsageError);
    assert.throws(() => host.timeEvent(-1), KernelUsageError);
  });

  it('port arm and disarm allocate nothing on XS (first call included), next to a positive control', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock, timers: 2 });
    kernels.push(k);
    let n = 0;
    const ao = k.spawn({ create: () => ({ start(): void {}, dispatch(): void { n++; } }) }, 1, 4);
    const port = k.port(ao);
    const t = port.timeEvent(1);
    const op = (): void => {
      port.arm(t, 1);
      port.arm(t, 2, 0);
      port.disarm(t);
      port.arm(t, 0);
      clock.t += 1;
      k.tick();
      k.run();
    };
    assertNoAllocation(op, 10000, 'AoPort arm/disarm + tick + run');
    assert.equal(n, 10000);
    assertCatchesAllocation(op, 100, 'AoPort arm/disarm + tick + run');
  });
});

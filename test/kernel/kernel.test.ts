// Kernel: scheduling order, run-to-completion, time events, publish/subscribe,
// slots, pool-block reference counting, and zero allocation on XS.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import {
  Kernel,
  KernelConfigError,
  KernelSlotsFullError,
  KernelUsageError,
  NO_SLOT,
  type ActiveObjectDef,
  type AoPort,
  type Behaviour,
  type KernelHost,
} from '../../src/kernel.js';
import { BlockPool } from '../../src/pool.js';
import { defineHsm, defineSignals, Hsm } from '../../src/hsm.js';

/** A test behaviour that records "<name>:<sig>" and runs an optional hook per event. */
class Recorder implements Behaviour {
  constructor(
    readonly name: string,
    readonly log: string[],
    readonly port: AoPort,
    readonly onEvent?: (self: Recorder, sig: number, p0: number, p1: number) => void,
  ) {}
  start(): void {
    this.log.push(`${this.name}:init`);
  }
  dispatch(sig: number, p0: number, p1: number): void {
    this.log.push(`${this.name}:${sig}`);
    if (this.onEvent) this.onEvent(this, sig, p0, p1);
    this.log.push(`${this.name}:${sig}:done`);
  }
}

function recorder(name: string, log: string[], onEvent?: Recorder['onEvent']): ActiveObjectDef {
  return { create: (port) => new Recorder(name, log, port, onEvent) };
}

/** A behaviour for allocation tests: counts into a typed array, no strings. */
class Counter implements Behaviour {
  readonly counts = new Float64Array(64);
  sum = 0;
  start(): void {}
  dispatch(sig: number, p0: number): void {
    this.counts[sig]!++;
    this.sum += p0;
  }
}

class ManualClock implements KernelHost {
  t = 0;
  idles = 0;
  now(): number {
    return this.t;
  }
  idle(): void {
    this.idles++;
  }
}

function assertQueuesEmpty(k: Kernel): void {
  for (let ao = 0; ao < k.maxObjects; ao++) {
    if (k.isRunning(ao)) assert.equal(k.queueOf(ao).length, 0, `queue of AO ${ao} not empty`);
  }
}

// Clean state after every test: every kernel's queues are empty and every
// pool is back to 0 blocks used (each test makes its own through these).
const kernels: Kernel[] = [];
const pools: BlockPool[] = [];
function kernel(options?: ConstructorParameters<typeof Kernel>[0]): Kernel {
  const k = new Kernel(options);
  kernels.push(k);
  return k;
}
function blockPool(options: ConstructorParameters<typeof BlockPool>[0]): BlockPool {
  const p = new BlockPool(options);
  pools.push(p);
  return p;
}
afterEach(function () {
  for (const k of kernels) assertQueuesEmpty(k);
  for (const p of pools) assert.equal(p.used, 0, `pool ${p.name}: blocks still claimed after the test`);
  kernels.length = 0;
  pools.length = 0;
});

describe('kernel: scheduling order', function () {
  let k: Kernel;
  let log: string[];
  beforeEach(function () {
    k = kernel({ name: 'k' });
    log = [];
  });
  afterEach(function () {
    assertQueuesEmpty(k);
  });

  it('always runs the highest-priority AO with a pending event', function () {
    const a = k.spawn(recorder('A', log), 1, 4);
    const b = k.spawn(recorder('B', log), 3, 4);
    const c = k.spawn(recorder('C', log), 2, 4);
    log.length = 0;
    k.post(a, 10);
    k.post(b, 11);
    k.post(c, 12);
    k.post(b, 13);
    assert.equal(k.run(), 4);
    assert.deepEqual(log, ['B:11', 'B:11:done', 'B:13', 'B:13:done', 'C:12', 'C:12:done', 'A:10', 'A:10:done']);
  });

  it('runs to completion: an event posted to a higher priority during an action waits for the action', function () {
    let hi = -1;
    const lo = k.spawn(
      recorder('L', log, (self, sig) => {
        if (sig === 1) self.port.kernel.post(hi, 2);
      }),
      1,
      4,
    );
    hi = k.spawn(recorder('H', log), 5, 4);
    log.length = 0;
    k.post(lo, 1);
    k.run();
    assert.deepEqual(log, ['L:1', 'L:1:done', 'H:2', 'H:2:done']);
  });

  it('delivers events an AO posts to itself after the current one, FIFO; postUrgent goes first', function () {
    const a = k.spawn(
      recorder('A', log, (self, sig) => {
        if (sig === 1) {
          self.port.post(2);
          self.port.post(3);
          self.port.postUrgent(4);
        }
      }),
      1,
      4,
    );
    log.length = 0;
    k.post(a, 1);
    k.run();
    assert.deepEqual(log, ['A:1', 'A:1:done', 'A:4', 'A:4:done', 'A:2', 'A:2:done', 'A:3', 'A:3:done']);
  });

  it('step() dispatches exactly one event and returns its AO, NO_SLOT when idle', function () {
    const a = k.spawn(recorder('A', log), 1, 4);
    k.post(a, 1);
    k.post(a, 2);
    assert.equal(k.step(), a);
    assert.equal(k.step(), a);
    assert.equal(k.step(), NO_SLOT);
    assert.equal(k.dispatched(a), 2);
  });

  it('counts idle passes and calls the host idle hook', function () {
    const clock = new ManualClock();
    const k2 = kernel({ host: clock });
    k2.spawn(recorder('A', log), 1, 2);
    assert.equal(k2.run(), 0);
    assert.equal(k2.run(), 0);
    assert.equal(k2.idleCount, 2);
    assert.equal(clock.idles, 2);
  });

  it('run() stops after maxBurst events (an AO that posts to itself forever cannot starve the host)', function () {
    const k2 = kernel({ maxBurst: 10 });
    const a = k2.spawn(recorder('A', [], (self) => void self.port.post(1)), 1, 2);
    k2.post(a, 1);
    assert.equal(k2.run(), 10);
    assert.ok(k2.ready);
    k2.stop(a);
  });

  it('refuses and counts a post to a full queue; minFree and dropped per AO', function () {
    const a = k.spawn(recorder('A', log), 1, 2);
    assert.equal(k.post(a, 1), true);
    assert.equal(k.post(a, 2), true);
    assert.equal(k.post(a, 3), false);
    const q = k.queueOf(a);
    assert.equal(q.minFree, 0);
    assert.equal(q.refused + q.dropped, 1);
    assert.equal(q.posted, q.taken + q.dropped + q.length);
    k.run();
  });

  it('throws named errors for misuse, and stays consistent', function () {
    const a = k.spawn(recorder('A', log), 2, 2);
    assert.throws(() => k.post(7, 1), KernelUsageError);
    assert.throws(() => k.spawn(recorder('B', log), 2, 2), (e) => e instanceof KernelConfigError && /priority 2 is already used/.test(e.message));
    assert.throws(() => k.spawn(recorder('B', log), 33, 2), KernelConfigError);
    assert.throws(() => k.spawn(recorder('B', log), 0, 2), KernelConfigError);
    assert.throws(() => new Kernel({ maxObjects: 33 }), KernelConfigError);
    assert.throws(() => k.subscribe(a, 1000), KernelUsageError);
    assert.equal(k.used, 1, 'failed spawns return their slots');
    const b = k.spawn(recorder('B', log), 3, 2);
    k.post(b, 1);
    k.post(a, 1);
    log.length = 0;
    k.run();
    assert.deepEqual(log, ['B:1', 'B:1:done', 'A:1', 'A:1:done']);
  });

  it('refuses to step or tick from inside an action (re-entrant dispatch)', function () {
    let inner: unknown;
    const a = k.spawn(
      recorder('A', log, (self) => {
        try {
          self.port.kernel.step();
        } catch (e) {
          inner = e;
        }
      }),
      1,
      2,
    );
    k.post(a, 1);
    k.post(a, 2);
    k.step();
    assert.ok(inner instanceof KernelUsageError);
    inner = undefined;
    const b = k.spawn(
      recorder('B', log, (self) => {
        try {
          self.port.kernel.tick(0);
        } catch (e) {
          inner = e;
        }
      }),
      2,
      2,
    );
    k.post(b, 1);
    k.run();
    assert.ok(inner instanceof KernelUsageError);
  });
});

describe('kernel: slots', function () {
  it('spawn throws KernelSlotsFullError naming the limit; tryClaim returns NO_SLOT and changes nothing', function () {
    const k = kernel({ name: 'tiny', maxObjects: 2 });
    const log: string[] = [];
    k.spawn(recorder('A', log), 1, 2);
    k.spawn(recorder('B', log), 2, 2);
    assert.throws(
      () => k.spawn(recorder('C', log), 3, 2),
      (e) => e instanceof KernelSlotsFullError && /all 2 active-object slots/.test(e.message) && /maxObjects/.test(e.message),
    );
    assert.equal(k.tryClaim(), NO_SLOT);
    assert.equal(k.used, 2);
  });

  it('claim() reserves a slot to start later; releaseClaim returns it', function () {
    const k = kernel({ maxObjects: 2 });
    const log: string[] = [];
    const s = k.claim();
    assert.equal(k.used, 1);
    assert.equal(k.isRunning(s), false);
    k.releaseClaim(s);
    assert.equal(k.used, 0);
    assert.throws(() => k.releaseClaim(s), KernelUsageError);
    const s2 = k.claim();
    k.start(s2, recorder('A', log), 4, 2);
    assert.ok(k.isRunning(s2));
    assert.throws(() => k.releaseClaim(s2), KernelUsageError);
    assert.deepEqual(log, ['A:init']);
  });

  it('stop returns the slot and its queue; a restart in that slot reuses the queue', function () {
    const k = kernel({ maxObjects: 1 });
    const log: string[] = [];
    const a = k.spawn(recorder('A', log), 1, 4);
    const q = k.queueOf(a);
    k.post(a, 1);
    k.post(a, 2);
    k.stop(a);
    assert.equal(k.used, 0);
    assert.equal(k.isRunning(a), false);
    assert.throws(() => k.post(a, 1), KernelUsageError);
    const b = k.spawn(recorder('B', log), 7, 4);
    assert.equal(b, a);
    assert.equal(k.queueOf(b), q, 'same queue object reused');
    assert.equal(q.length, 0, 'events of the stopped AO are gone');
    k.post(b, 3);
    log.length = 0;
    k.run();
    assert.deepEqual(log, ['B:3', 'B:3:done']);
  });

  it('a behaviour that throws in start() leaves the slot claimed and the priority free', function () {
    const k = kernel({ maxObjects: 1 });
    const bad: ActiveObjectDef = {
      create: () => ({
        start() {
          throw new Error('boom');
        },
        dispatch() {},
      }),
    };
    assert.throws(() => k.spawn(bad, 1, 2), /boom/);
    assert.equal(k.used, 0);
    k.spawn(recorder('A', []), 1, 2);
  });
});

describe('kernel: time events', function () {
  let clock: ManualClock;
  let k: Kernel;
  let log: string[];
  beforeEach(function () {
    clock = new ManualClock();
    k = kernel({ host: clock, timers: 8 });
    log = [];
  });
  afterEach(function () {
    assertQueuesEmpty(k);
  });

  it('one-shot: posts its signal once, at its due time, with its id and due time', function () {
    const got: number[] = [];
    const a = k.spawn(recorder('A', log, (_s, sig, p0, p1) => void got.push(sig, p0, p1)), 1, 4);
    const t = k.timeEvent(a, 9);
    k.arm(t, 100);
    clock.t = 99;
    k.tick();
    assert.equal(k.run(), 0);
    clock.t = 100;
    assert.equal(k.tick(), 1);
    k.run();
    clock.t = 300;
    k.tick();
    k.run();
    assert.deepEqual(got, [9, t, 100]);
    assert.equal(k.timers.isArmed(t), false);
  });

  it('equal deadlines expire in arming order; earlier deadlines first', function () {
    const a = k.spawn(recorder('A', log), 1, 8);
    const t1 = k.timeEvent(a, 1);
    const t2 = k.timeEvent(a, 2);
    const t3 = k.timeEvent(a, 3);
    const t4 = k.timeEvent(a, 4);
    k.arm(t2, 50);
    k.arm(t1, 50);
    k.arm(t4, 20);
    k.arm(t3, 50);
    clock.t = 60;
    k.tick();
    log.length = 0;
    k.run();
    assert.deepEqual(log.filter((s) => !s.endsWith('done')), ['A:4', 'A:2', 'A:1', 'A:3']);
  });

  it('periodic: fires every period; a late tick fires once and counts the missed periods', function () {
    const a = k.spawn(recorder('A', log), 1, 8);
    const t = k.timeEvent(a, 5);
    k.arm(t, 10, 10);
    for (clock.t = 1; clock.t <= 30; clock.t++) k.tick();
    log.length = 0;
    k.run();
    assert.equal(log.filter((s) => s === 'A:5').length, 3);
    clock.t = 75; // due 40, 50, 60, 70 missed: one post, three skipped
    assert.equal(k.tick(), 1);
    assert.equal(k.timers.missed, 3);
    clock.t = 79;
    assert.equal(k.tick(), 0);
    clock.t = 80;
    assert.equal(k.tick(), 1);
    k.run();
    assert.ok(k.disarm(t));
    assert.equal(k.disarm(t), false);
  });

  it('actions can arm, disarm and re-arm time events', function () {
    let timer = -1;
    const a = k.spawn(
      recorder('A', log, (self, sig) => {
        if (sig === 1) self.port.kernel.arm(timer, 10); // start
        if (sig === 2) self.port.kernel.arm(timer, 10); // re-arm (restart the timeout)
        if (sig === 3) self.port.kernel.disarm(timer); // cancel
      }),
      1,
      4,
    );
    timer = k.timeEvent(a, 7);
    k.post(a, 1);
    k.run();
    clock.t = 5;
    k.post(a, 2); // re-armed at t=5: now due at 15
    k.run();
    clock.t = 12;
    assert.equal(k.tick(), 0);
    clock.t = 15;
    assert.equal(k.tick(), 1);
    k.run();
    k.post(a, 1); // due 25
    k.post(a, 3); // cancelled
    k.run();
    clock.t = 100;
    assert.equal(k.tick(), 0);
    assert.equal(log.filter((s) => s === 'A:7').length, 1);
  });

  it('stopping an AO destroys its time events', function () {
    const a = k.spawn(recorder('A', log), 1, 4);
    const t = k.timeEvent(a, 1);
    k.arm(t, 5);
    assert.equal(k.timers.created, 1);
    k.stop(a);
    assert.equal(k.timers.created, 0);
    clock.t = 10;
    assert.equal(k.tick(), 0);
  });
});

describe('kernel: publish/subscribe', function () {
  const EV = 3;
  const BLOCK = 4;
  let pool: BlockPool;
  let k: Kernel;
  let log: string[];
  beforeEach(function () {
    pool = blockPool({ name: 'pubsub', blockSize: 16, count: 4 });
    k = kernel({ pool });
    log = [];
  });
  afterEach(function () {
    assertQueuesEmpty(k);
    assert.equal(pool.used, 0, 'every published block is back in its pool');
  });

  it('multicasts to every subscriber, highest priority first, and only to subscribers', function () {
    const a = k.spawn(recorder('A', log), 1, 4);
    const b = k.spawn(recorder('B', log), 9, 4);
    const c = k.spawn(recorder('C', log), 5, 4);
    k.spawn(recorder('D', log), 2, 4);
    k.subscribe(a, EV);
    k.subscribe(b, EV);
    k.subscribe(c, EV);
    assert.equal(k.subscriberCount(EV), 3);
    log.length = 0;
    assert.equal(k.publish(EV, 42), 3);
    k.run();
    assert.deepEqual(log.filter((s) => !s.endsWith('done')), ['B:3', 'C:3', 'A:3']);
    k.unsubscribe(b, EV);
    assert.equal(k.publish(EV), 2);
    k.run();
  });

  it('a published pool block returns to the pool after the last subscriber handled it', function () {
    const seen: number[] = [];
    const mk = (name: string): ActiveObjectDef =>
      recorder(name, log, (_self, sig, h) => {
        if (sig === BLOCK) seen.push(pool.refCount(h));
      });
    const a = k.spawn(mk('A'), 1, 4);
    const b = k.spawn(mk('B'), 2, 4);
    const c = k.spawn(mk('C'), 3, 4);
    k.blockSignal(BLOCK);
    k.subscribe(a, BLOCK);
    k.subscribe(b, BLOCK);
    k.subscribe(c, BLOCK);
    const h = pool.claim();
    pool.bytes[pool.offset(h)] = 0xab;
    assert.equal(k.publishBlock(BLOCK, h), 3);
    assert.equal(pool.refCount(h), 3, 'one reference per queued delivery');
    k.run();
    assert.deepEqual(seen, [3, 2, 1]);
    assert.equal(pool.used, 0);
  });

  it('publishBlock with no subscriber releases the block at once; publish() refuses a block signal', function () {
    k.blockSignal(BLOCK);
    const h = pool.claim();
    assert.equal(k.publishBlock(BLOCK, h), 0);
    assert.equal(pool.used, 0);
    assert.throws(() => k.publish(BLOCK, 1), KernelUsageError);
    assert.throws(() => k.publishBlock(EV, 1), KernelUsageError);
  });

  it('a full subscriber queue refuses its delivery without leaking a block reference', function () {
    const a = k.spawn(recorder('A', log), 1, 1);
    const b = k.spawn(recorder('B', log), 2, 4);
    k.blockSignal(BLOCK);
    k.subscribe(a, BLOCK);
    k.subscribe(b, BLOCK);
    k.post(a, EV); // fills A's queue
    const h = pool.claim();
    assert.equal(k.publishBlock(BLOCK, h), 1);
    assert.equal(pool.refCount(h), 1);
    k.run();
  });

  it('stopping an AO releases the blocks still queued for it', function () {
    const a = k.spawn(recorder('A', log), 1, 4);
    k.blockSignal(BLOCK);
    k.subscribe(a, BLOCK);
    k.publishBlock(BLOCK, pool.claim());
    k.publishBlock(BLOCK, pool.claim());
    assert.equal(pool.used, 2);
    k.stop(a);
    assert.equal(pool.used, 0);
  });
});

describe('kernel: no allocation on XS (first event included)', function () {
  it('post + schedule + dispatch', function () {
    const k = kernel();
    const c = new Counter();
    const a = k.spawn({ create: () => c }, 1, 4);
    let i = 0;
    assertNoAllocation(() => {
      k.post(a, 1, i++);
      k.run();
    }, 10000, 'kernel post+run');
    assert.equal(c.counts[1], 10000);
    assert.equal(k.dispatched(a), 10000);
    // Positive control on the same fast path (post into the ring, run reading it).
    assertCatchesAllocation(() => {
      k.post(a, 1, i++);
      k.run();
    }, 100, 'kernel post+run');
  });

  it('a time event expiring (arm, tick, dispatch)', function () {
    const clock = new ManualClock();
    const k = kernel({ host: clock });
    const c = new Counter();
    const a = k.spawn({ create: () => c }, 1, 4);
    const t = k.timeEvent(a, 2);
    assertNoAllocation(() => {
      k.arm(t, 1);
      clock.t += 1;
      k.tick();
      k.run();
    }, 10000, 'time event expiry');
    assert.equal(c.counts[2], 10000);
    // Positive control on the same fast path (the kernel's own arm and tick of the first armed event).
    assertCatchesAllocation(() => {
      k.arm(t, 1);
      clock.t += 1;
      k.tick();
      k.run();
    }, 100, 'time event expiry');
  });

  it('a periodic time event across many ticks', function () {
    const clock = new ManualClock();
    const k = kernel({ host: clock });
    const c = new Counter();
    const a = k.spawn({ create: () => c }, 1, 4);
    const t = k.timeEvent(a, 2);
    k.arm(t, 3, 3);
    assertNoAllocation(() => {
      clock.t += 1;
      k.tick();
      k.run();
    }, 9000, 'periodic tick');
    assert.equal(c.counts[2], 3000);
  });

  it('publish to 3 subscribers, with pool-block reference counting', function () {
    const pool = blockPool({ name: 'alloc', blockSize: 8, count: 2 });
    const k = kernel({ pool });
    const cs = [new Counter(), new Counter(), new Counter()];
    const aos = [0, 1, 2].map((i) => k.spawn({ create: () => cs[i]! }, i + 1, 4));
    k.blockSignal(5);
    for (const ao of aos) {
      k.subscribe(ao, 5);
      k.subscribe(ao, 6);
    }
    assertNoAllocation(() => {
      k.publish(6, 1);
      k.publishBlock(5, pool.claim(), 2);
      k.run();
    }, 10000, 'publish + publishBlock to 3 subscribers');
    assert.equal(pool.used, 0);
    for (const c of cs) {
      assert.equal(c.counts[5], 10000);
      assert.equal(c.counts[6], 10000);
    }
  });
});

describe('kernel: a restarted slot starts with fresh queue counters', function () {
  it('minFree, dropped and dispatch count belong to the new AO', function () {
    const k = kernel({ maxObjects: 1 });
    const a = k.spawn(recorder('A', []), 1, 2);
    k.post(a, 1);
    k.post(a, 1);
    k.post(a, 1); // refused
    k.stop(a);
    const b = k.spawn(recorder('B', []), 1, 2);
    const q = k.queueOf(b);
    assert.equal(q.minFree, 2);
    assert.equal(q.refused + q.dropped + q.posted + q.taken, 0);
    assert.equal(k.dispatched(b), 0);
  });
});

describe('kernel: failures and edge cases (review findings)', function () {
  it('a start() that posts, subscribes and arms before throwing leaves nothing behind', function () {
    const pool = blockPool({ name: 'k-fail', blockSize: 8, count: 2 });
    const k = kernel({ maxObjects: 2, pool });
    k.blockSignal(9);
    const log: string[] = [];
    const healthy = k.spawn(recorder('H', log), 2, 4);
    const bad: ActiveObjectDef = {
      create: (port) => ({
        start() {
          const kk = port.kernel;
          kk.subscribe(port.id, 5);
          kk.arm(kk.timeEvent(port.id, 6), 1);
          port.post(1);
          kk.post(port.id, 9, pool.claim());
          throw new Error('boom in start');
        },
        dispatch() {},
      }),
    };
    assert.throws(() => k.spawn(bad, 1, 4), /boom in start/);
    assert.equal(pool.used, 0, 'the queued block was released');
    assert.equal(k.timers.created, 0, 'its time events were destroyed');
    assert.equal(k.subscriberCount(5), 0, 'its subscriptions were dropped');
    assert.equal(k.used, 1);
    k.post(healthy, 3);
    log.length = 0;
    assert.equal(k.run(), 1, 'healthy AOs still run');
    assert.deepEqual(log, ['H:3', 'H:3:done']);
    const again = k.spawn(recorder('N', log), 1, 4);
    assert.equal(k.publish(5), 0, 'the next AO at that priority did not inherit the subscription');
    k.stop(again);
  });

  it('a deferred block event keeps its block until it is recalled and handled', function () {
    const pool = blockPool({ name: 'k-defer', blockSize: 8, count: 2 });
    const k = kernel({ pool });
    const BLK = 7;
    const GO = 8;
    k.blockSignal(BLK);
    const seen: number[] = [];
    class Deferrer implements Behaviour {
      held = true;
      stash = 0;
      start(): void {}
      dispatch(sig: number, p0: number): number {
        if (sig === BLK && this.held) {
          this.stash = p0;
          return 3; // BEHAVIOUR_DEFERRED: keep it
        }
        if (sig === BLK) seen.push(pool.refCount(p0), pool.bytes[pool.offset(p0)]!);
        if (sig === GO) {
          this.held = false;
          k.postUrgent(ao, BLK, this.stash); // the recall
        }
        return 1;
      }
    }
    const ao = k.spawn({ create: () => new Deferrer() }, 1, 4);
    const h = pool.claim();
    pool.bytes[pool.offset(h)] = 42;
    k.post(ao, BLK, h);
    k.run();
    assert.equal(pool.used, 1, 'deferred: still referenced');
    const extra = pool.tryClaim();
    assert.equal(extra !== h, true);
    k.post(ao, GO);
    k.run();
    assert.deepEqual(seen, [1, 42]);
    assert.equal(pool.used, 1, 'only the extra claim above is left');
    pool.release(extra);
  });

  it('stop() recalls what an hsm-like behaviour deferred, so deferred blocks are released', function () {
    const pool = blockPool({ name: 'k-stop', blockSize: 8, count: 2 });
    const k = kernel({ pool });
    k.blockSignal(7);
    let port: AoPort | null = null;
    let stash = 0;
    let held = false;
    const b: Behaviour = {
      start() {},
      dispatch(sig: number, p0: number) {
        stash = p0;
        held = sig === 7;
        return sig === 7 ? 3 : 1;
      },
      recallAll() {
        // Like Hsm.recallAll: moves what it holds, returns how many moved (0 when none is left).
        if (!held || !port!.postUrgent(7, stash)) return 0;
        held = false;
        return 1;
      },
    };
    const ao = k.spawn({ create: (p) => ((port = p), b) }, 1, 4);
    k.post(ao, 7, pool.claim());
    k.run();
    assert.equal(pool.used, 1);
    k.stop(ao);
    assert.equal(pool.used, 0);
  });

  it('interrupt() posts like post() and counts what a full queue refused', function () {
    const k = kernel();
    const c = new Counter();
    const ao = k.spawn({ create: () => c }, 1, 1);
    assert.equal(k.interrupt(ao, 2, 5), true);
    assert.equal(k.interrupt(ao, 2, 6), false);
    assert.equal(k.interrupts, 2);
    assert.equal(k.interruptsRefused, 1);
    k.run();
    assert.equal(c.sum, 5);
  });

  it('rejects a fractional or out-of-range signal for publish and timeEvent with named errors', function () {
    const k = kernel();
    const ao = k.spawn(recorder('A', []), 1, 2);
    assert.throws(() => k.publish(1.5), KernelUsageError);
    assert.throws(() => k.timeEvent(ao, 70000.5), KernelUsageError);
    assert.throws(() => k.timeEvent(ao, -1), KernelUsageError);
    assert.equal(k.timers.created, 0);
  });

  it('interrupt, postUrgent, postWithMargin and step allocate nothing on XS (first call included)', function () {
    const k = kernel();
    const c = new Counter();
    const ao = k.spawn({ create: () => c }, 1, 4);
    assertNoAllocation(() => {
      k.interrupt(ao, 1, 1);
      k.postUrgent(ao, 2, 1);
      k.postWithMargin(ao, 1, 3, 1);
      k.step();
      k.step();
      k.step();
    }, 10000, 'kernel interrupt/postUrgent/postWithMargin/step');
    assert.equal(c.sum, 30000);
    assert.equal(k.queueOf(ao).length, 0);
  });
});

describe('kernel + hsm: deferral of pool-block events', function () {
  it('an Hsm that defers a block signal keeps the block until its recall is handled; stop() releases deferred blocks', function () {
    const pool = blockPool({ name: 'k-hsm', blockSize: 8, count: 4 });
    const k = kernel({ pool });
    const S = defineSignals(['BLK', 'GO']);
    k.blockSignal(S.BLK);
    const got = new Float64Array(4);
    const def = defineHsm({
      name: 'deferrer',
      signals: S,
      context: () => ({ handled: 0 }),
      initial: 'busy',
      states: {
        busy: { defer: ['BLK'], on: { GO: 'idle' } },
        idle: {
          entry: (_c, m) => void m.recallAll(),
          on: {
            BLK: { action: (c, h) => { got[c.handled++] = pool.bytes[pool.offset(h)]!; } },
          },
        },
      },
    });
    const ao = k.spawn({ create: (port) => new Hsm(def, { queue: port }) }, 1, 4);
    const h1 = pool.claim();
    pool.bytes[pool.offset(h1)] = 11;
    k.post(ao, S.BLK, h1);
    k.run();
    assert.equal(pool.used, 1, 'deferred, still held');
    const other = pool.claim();
    assert.notEqual(other & 0xffff, h1 & 0xffff, 'the deferred block is not handed out again');
    pool.release(other);
    k.post(ao, S.GO);
    k.run();
    assert.equal(got[0], 11);
    assert.equal(pool.used, 0);

    const ao2 = k.spawn({ create: (port) => new Hsm(def, { queue: port }) }, 2, 4);
    k.post(ao2, S.BLK, pool.claim());
    k.run();
    assert.equal(pool.used, 1);
    k.stop(ao2);
    assert.equal(pool.used, 0, 'stop() released the deferred block');
  });
});

describe('kernel: time events for a claimed slot', function () {
  it('a claimed slot can own time events that its initial transition arms; releaseClaim destroys them', function () {
    const clock = new ManualClock();
    const k = kernel({ host: clock });
    const slot = k.claim();
    const t = k.timeEvent(slot, 4);
    const log: string[] = [];
    k.start(slot, { create: () => ({ start: () => k.arm(t, 5), dispatch: (sig: number) => void log.push(`got ${sig}`) }) }, 1, 2);
    clock.t = 5;
    k.tick();
    k.run();
    assert.deepEqual(log, ['got 4']);
    const s2 = k.claim();
    k.timeEvent(s2, 1);
    assert.equal(k.timers.created, 2);
    k.releaseClaim(s2);
    assert.equal(k.timers.created, 1);
    assert.throws(() => k.timeEvent(s2, 1), KernelUsageError);
  });
});

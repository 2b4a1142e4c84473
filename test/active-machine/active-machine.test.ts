// kernel.spawnMachine (src/active-machine.ts): a state machine as an active
// object in one call. Timers declared in the spec get their time events at
// spawn (so the initial state may arm); the kernel drops stale expiries; a
// zero-delay `after` fires; deferral reaches the kernel (deferred pool
// blocks stay referenced until recalled and handled, stop() releases all);
// the monitor sees events and leaf changes; post/expire allocate nothing on XS.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { ActiveMachine, type MachineMonitor } from '../../src/active-machine.js';
import { defineHsm, defineSignals, HsmDefinitionError, HsmUsageError } from '../../src/hsm.js';
import { Kernel, KernelConfigError, KernelUsageError, type KernelHost } from '../../src/kernel.js';
import { BlockPool } from '../../src/pool.js';

class Clock implements KernelHost {
  t = 0;
  now(): number {
    return this.t;
  }
}

/** Ticks and runs the kernel once per ms up to `ms` more. */
function advance(k: Kernel, clock: Clock, ms: number): void {
  for (let i = 0; i < ms; i++) {
    clock.t += 1;
    k.tick();
    k.run();
  }
}

/** Records monitor calls as strings (boot-time tests only: strings allocate). */
class Log implements MachineMonitor {
  lines: string[] = [];
  logEvent(machine: number, sig: number, p0: number, _p1: number): void {
    this.lines.push(`m${machine} event ${sig} ${p0}`);
  }
  logState(machine: number, state: number): void {
    this.lines.push(`m${machine} state ${state}`);
  }
}

const S = defineSignals(['PRESS', 'STOP', 'BLK', 'GO']);

function blinker() {
  return defineHsm({
    name: 'blinker',
    signals: S,
    context: () => ({ toggles: 0, led: 0, entered: 0 }),
    delays: { half: 5 },
    initial: 'slow', // the initial state arms at spawn: its time event exists already
    states: {
      slow: {
        entry: (c) => { c.entered++; },
        every: { half: { action: (c) => { c.toggles++; c.led ^= 1; } } },
        on: { PRESS: 'off' },
      },
      off: { on: { PRESS: 'slow' }, after: { 0: { target: 'idle' } } },
      idle: { on: { PRESS: 'slow' } },
    },
  });
}

describe('kernel.spawnMachine', function () {
  it('one call: the AO id, the Hsm and its time events; the initial state arms at spawn and fires on time', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock, timers: 4 });
    const m = k.spawnMachine(blinker(), { priority: 3, queueCapacity: 4 });
    assert.ok(m instanceof ActiveMachine);
    assert.equal(k.isRunning(m.ao), true);
    assert.equal(k.priorityOf(m.ao), 3);
    assert.equal(m.timeEvents.length, 2, 'slow every + off after');
    assert.equal(k.timers.isArmed(m.timeEvents[0]!), true, 'armed by the initial transition');
    assert.equal(m.hsm.currentName, 'slow');
    advance(k, clock, 20);
    assert.equal(m.ctx.toggles, 4, 'every 5 ms: 5, 10, 15, 20');
    assert.equal(k.staleExpiries, 0);
  });

  it('leaving a state disarms its timers; an expiry already queued is dropped by the kernel (never dispatched)', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const m = k.spawnMachine(blinker(), { priority: 1, queueCapacity: 4 });
    clock.t = 5;
    k.tick(); // the every-timer's expiry (due 5) is queued
    k.postUrgent(m.ao, S.PRESS); // ahead of it: slow -> off disarms the every-timer
    k.run();
    assert.equal(m.ctx.toggles, 0, 'the expiry queued behind PRESS was stale after the exit');
    assert.equal(k.staleExpiries, 1);
    assert.equal(m.hsm.ignored, 0, 'the machine never saw it');
    assert.equal(k.timers.isArmed(m.timeEvents[0]!), false);
  });

  it('a one-shot whose expiry is queued when another event leaves the state is dropped; one already handled is not disarmed again', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const def = defineHsm({
      name: 'oneshot',
      signals: S,
      context: () => ({ fired: 0 }),
      initial: 'wait',
      states: {
        wait: { after: { 5: { target: 'done', action: (c) => { c.fired++; } } }, on: { STOP: 'done' } },
        done: { on: { GO: 'wait' } },
      },
    });
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
    const id = m.timeEvents[0]!;
    clock.t = 5;
    k.tick(); // the expiry is queued; the one-shot is no longer armed but still live
    assert.equal(k.timers.isArmed(id), false);
    assert.equal(k.timers.live[id], 1);
    k.postUrgent(m.ao, S.STOP); // leaves wait first
    k.run();
    assert.equal(m.ctx.fired, 0);
    assert.equal(k.staleExpiries, 1);
    assert.equal(k.timers.live[id], 0);
    // Back to wait; this time the expiry is handled: the exit it causes needs no disarm (live is 0 already).
    k.post(m.ao, S.GO);
    k.run();
    assert.equal(k.timers.live[id], 1);
    advance(k, clock, 5);
    assert.equal(m.ctx.fired, 1);
    assert.equal(m.hsm.currentName, 'done');
    assert.equal(k.timers.live[id], 0);
    assert.equal(k.staleExpiries, 1);
  });

  it("a zero-delay 'after' fires on the next tick", function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const m = k.spawnMachine(blinker(), { priority: 1, queueCapacity: 4 });
    k.post(m.ao, S.PRESS);
    k.run();
    assert.equal(m.hsm.currentName, 'off');
    advance(k, clock, 1);
    assert.equal(m.hsm.currentName, 'idle');
    assert.equal(k.staleExpiries, 0);
  });

  it('the monitor sees every event and each leaf change (numbers only); logEvents: false keeps the state reports', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const log = new Log();
    const def = blinker();
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4, monitor: log, machine: 7 });
    k.post(m.ao, S.PRESS);
    k.run();
    advance(k, clock, 1);
    const slow = def.idOf('slow');
    const off = def.idOf('off');
    const idle = def.idOf('idle');
    const after0 = def.timers()[1]!.signal;
    assert.deepEqual(log.lines, [
      `m7 state ${slow}`,
      `m7 event ${S.PRESS} 0`,
      `m7 state ${off}`,
      `m7 event ${after0} ${m.timeEvents[1]}`,
      `m7 state ${idle}`,
    ]);
    assert.equal(m.changes, 3);
    const quiet = new Log();
    const q = k.spawnMachine(blinker(), { priority: 2, queueCapacity: 4, monitor: quiet, logEvents: false });
    k.post(q.ao, S.PRESS);
    k.run();
    assert.deepEqual(quiet.lines, [`m${q.ao} state ${slow}`, `m${q.ao} state ${off}`]);
  });

  it('deferral end to end: a deferred pool-block event keeps its block until recalled and handled; stop() releases everything', function () {
    const pool = new BlockPool({ blockSize: 8, count: 4 });
    const k = new Kernel({ maxSignals: 8, pool });
    k.blockSignal(S.BLK);
    let handled = 0;
    const def = defineHsm({
      name: 'worker',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'busy',
      states: {
        busy: { defer: ['BLK'], on: { GO: 'ready' } },
        ready: { entry: (_c, h) => { h.recallAll(); }, on: { BLK: { action: () => { handled++; } }, STOP: 'busy' } },
      },
    });
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 2, deferCapacity: 3 });
    k.subscribe(m.ao, S.BLK);
    k.publishBlock(S.BLK, pool.claim());
    k.run();
    k.publishBlock(S.BLK, pool.claim());
    k.run();
    assert.equal(m.hsm.deferredCount, 2);
    assert.equal(pool.used, 2, 'deferred blocks stay referenced');
    k.post(m.ao, S.GO);
    k.run();
    assert.equal(handled, 2);
    assert.equal(pool.used, 0, 'released after the recalled events were handled');
    // Defer again, fill the queue, stop: nothing leaks.
    k.post(m.ao, S.STOP);
    k.run();
    for (let i = 0; i < 3; i++) {
      k.publishBlock(S.BLK, pool.claim());
      k.run();
    }
    assert.equal(pool.used, 3);
    k.post(m.ao, S.STOP);
    k.post(m.ao, S.STOP);
    k.stop(m.ao);
    assert.equal(pool.used, 0);
    assert.equal(k.used, 0);
  });

  it('the defer ring defaults to 4 when a state defers and to 0 otherwise; a bad capacity is a named error', function () {
    const k = new Kernel();
    const deferring = defineHsm({ name: 'd', signals: S, context: () => ({ n: 0 }), initial: 'a', states: { a: { defer: ['GO'] } } });
    const m = k.spawnMachine(deferring, { priority: 1, queueCapacity: 8 });
    for (let i = 0; i < 5; i++) k.post(m.ao, S.GO);
    k.run();
    assert.equal(m.hsm.deferredCount, 4);
    assert.equal(m.hsm.deferDropped, 1);
    assert.throws(() => k.spawnMachine(deferring, { priority: 2, queueCapacity: 8, deferCapacity: 0 }), HsmDefinitionError);
    assert.equal(k.used, 1, 'the failed spawn left no slot behind');
  });

  it('refuses bad options with named errors and leaves nothing behind', function () {
    const k = new Kernel({ timers: 1 });
    // @ts-expect-error: options are required
    assert.throws(() => k.spawnMachine(blinker()), KernelConfigError);
    assert.throws(() => k.spawnMachine(blinker(), { priority: 0, queueCapacity: 4 }), KernelConfigError);
    assert.throws(() => k.spawnMachine(blinker(), { priority: 1, queueCapacity: 0 }), KernelConfigError);
    // Two time events needed, one in the table: the table's named error; the slot and the time event are returned.
    assert.throws(() => k.spawnMachine(blinker(), { priority: 1, queueCapacity: 4 }), /timers option/);
    assert.equal(k.used, 0);
    assert.equal(k.timers.created, 0);
  });

  it('a deferred expiry of a named timer that is disarmed (or re-armed) while deferred is dropped at recall, not dispatched', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const T = defineSignals(['BLINK', 'GO', 'CANCEL', 'REARM']);
    const def = defineHsm({
      name: 'named',
      signals: T,
      timers: ['BLINK'],
      context: () => ({ blinks: 0 }),
      initial: 'busy',
      states: {
        busy: {
          defer: ['BLINK'],
          on: {
            GO: 'idle',
            CANCEL: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.disarm(T.BLINK); } },
            REARM: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.arm(T.BLINK, 3); } },
          },
        },
        idle: { entry: (_c, m) => { m.recallAll(); }, on: { BLINK: { action: (c) => { c.blinks++; } }, GO: 'busy' } },
      },
    });
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
    m.hsm.arm(T.BLINK, 2);
    advance(k, clock, 2); // expires in busy: deferred
    assert.equal(m.hsm.deferredCount, 1);
    k.post(m.ao, T.CANCEL);
    k.post(m.ao, T.GO); // idle recalls it: stale
    k.run();
    assert.equal(m.ctx.blinks, 0);
    assert.equal(m.hsm.staleRecalls, 1);
    // Re-armed while deferred: the old expiry is dropped at recall, the new one arrives once.
    k.post(m.ao, T.GO);
    k.run();
    m.hsm.arm(T.BLINK, 1);
    advance(k, clock, 1);
    k.post(m.ao, T.REARM);
    k.post(m.ao, T.GO);
    k.run();
    assert.equal(m.hsm.staleRecalls, 2);
    advance(k, clock, 3);
    assert.equal(m.ctx.blinks, 1);
    // Not disarmed while deferred: recalled and handled.
    k.post(m.ao, T.GO);
    k.run();
    m.hsm.arm(T.BLINK, 1);
    advance(k, clock, 1);
    k.post(m.ao, T.GO);
    k.run();
    assert.equal(m.ctx.blinks, 2);
    assert.equal(m.hsm.staleRecalls, 2);
  });

  it('an AO cannot stop itself from its own dispatch (KernelUsageError); another AO or the host loop can', function () {
    const k = new Kernel();
    let caught: unknown = null;
    let victim = -1;
    const def = defineHsm({
      name: 'self',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'a',
      states: {
        a: {
          on: {
            STOP: { action: (_c, _p0, _p1, _p2, _p3, h) => { try { k.stop(k.isRunning(victim) ? victim : -1); } catch (e) { caught = e; } void h; } },
            GO: { action: () => { try { k.stop(self.ao); } catch (e) { caught = e; } } },
          },
          after: { 10: 'a' },
        },
      },
    });
    const self = k.spawnMachine(def, { priority: 2, queueCapacity: 4 });
    victim = k.spawnMachine(def, { priority: 1, queueCapacity: 4 }).ao;
    k.post(self.ao, S.GO);
    k.run();
    assert.ok(caught instanceof KernelUsageError && /own dispatch/.test(caught.message), String(caught));
    assert.equal(k.isRunning(self.ao), true);
    caught = null;
    k.post(self.ao, S.STOP); // stops the other AO: allowed
    k.run();
    assert.equal(caught, null);
    assert.equal(k.isRunning(victim), false);
    k.stop(self.ao); // from the host loop
    assert.equal(k.used, 0);
  });

  it('blockSignal refuses a signal a time event posts; take() refuses a record whose generation or signal does not match', function () {
    const pool = new BlockPool({ blockSize: 8, count: 2 });
    const clock = new Clock();
    const k = new Kernel({ host: clock, pool, maxSignals: 8 });
    const T = defineSignals(['BLINK']);
    const m = k.spawnMachine(defineHsm({ name: 'n', signals: T, timers: ['BLINK'], context: () => ({ n: 0 }), initial: 'a', states: { a: {} } }), {
      priority: 1,
      queueCapacity: 2,
    });
    assert.throws(() => k.blockSignal(T.BLINK), /a time event posts signal 1/);
    const id = m.hsm.timeEventOf(T.BLINK);
    m.hsm.arm(T.BLINK, 1);
    clock.t = 1;
    k.tick(); // queued: (BLINK, id, 1, gen 1: the first arm)
    assert.equal(k.queueOf(m.ao).length, 1);
    assert.equal(k.timers.isCurrent(id, 1), true);
    assert.equal(k.timers.take(id, 2, T.BLINK), false, 'another generation');
    assert.equal(k.timers.take(id, 1, T.BLINK + 1), false, 'another signal');
    assert.equal(k.timers.take(id, 1, T.BLINK), true, 'the real one');
    k.queueOf(m.ao).clear();
  });

  it('a delay function returning NaN, or 0 for every, is BAD_DELAY naming the machine, state and delay', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const def = defineHsm({
      name: 'delays',
      signals: S,
      context: () => ({ ms: 0 }),
      delays: { backoff: (c) => c.ms, tick: (c) => c.ms },
      initial: 'a',
      states: {
        a: { on: { GO: 'b', PRESS: 'c' } },
        b: { after: { backoff: 'a' } },
        c: { every: { tick: { action: () => {} } } },
      },
    });
    const m = k.spawnMachine(def, { priority: 1, queueCapacity: 4 });
    m.ctx.ms = NaN;
    let caught: unknown = null;
    try {
      m.hsm.dispatch(S.GO, 0, 0, 0, 0);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof HsmUsageError && caught.code === 'BAD_DELAY', String(caught));
    assert.ok(/'delays'.*entering 'b'.*'backoff'.*NaN/.test((caught as Error).message), (caught as Error).message);
    const m2 = k.spawnMachine(def, { priority: 2, queueCapacity: 4 });
    m2.ctx.ms = 0;
    assert.throws(() => m2.hsm.dispatch(S.PRESS, 0, 0, 0, 0), /'tick' of every returned 0.*1\.\./);
  });

  it('spawnMachine names itself in option errors', function () {
    const k = new Kernel();
    assert.throws(() => k.spawnMachine(blinker(), { priority: 1 } as never), /spawnMachine\(\): queueCapacity/);
    assert.throws(() => k.spawnMachine(blinker(), null as never), /got null/);
  });

  it('post + run, and every / after expiries with their disarm and re-arm, allocate nothing on XS (first call included)', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const m = k.spawnMachine(blinker(), { priority: 1, queueCapacity: 4, monitor: { logEvent(): void {}, logState(): void {} } });
    assertNoAllocation(() => {
      clock.t += 1;
      k.tick(); // every 5 ms a toggle
      k.run();
    }, 1000, 'spawnMachine: tick + run of an every timer');
    assert.equal(m.ctx.toggles, 200);
    assertNoAllocation(() => {
      k.post(m.ao, S.PRESS); // slow -> off (disarm every, arm after 0) or idle -> slow
      k.run();
      clock.t += 1;
      k.tick(); // off: after 0 -> idle
      k.run();
    }, 1000, 'spawnMachine: post + run with disarm, zero-delay after, re-arm');
    assert.equal(k.staleExpiries, 0);
    assertCatchesAllocation(() => {
      k.post(m.ao, S.PRESS);
      k.run();
      return [clock.t];
    }, 100, 'the same step plus an array literal');
  });
});

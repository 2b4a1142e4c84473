// after/every/named timers end to end under the kernel: kernel.spawnMachine
// gives the machine its AO's port as timer host (HsmTimerHost, structurally),
// tick() posts expiries as (sig, id, due, gen, 0), and the kernel drops a
// stale one (queued before a disarm or re-arm), so a state's after
// transitions never see it.
import { strict as assert } from '../support/assert.js';
import { defineHsm, defineSignals } from '../../src/hsm.js';
import { Kernel } from '../../src/kernel.js';

const S = defineSignals(['EDGE', 'PRESS', 'BLINK']);

function rig() {
  const clock = { t: 0 };
  const k = new Kernel({ name: 'hsm-timers', timers: 8, host: { now: () => clock.t } });
  return { k, clock };
}

describe('hsm timers under the kernel (spawnMachine: the AO port is the timer host)', function () {
  it('a debouncer: after re-armed by a self-transition; a stale expiry is dropped by the kernel', function () {
    const { k, clock } = rig();
    const def = defineHsm({
      name: 'debouncer',
      signals: S,
      context: () => ({ raw: 0, stable: 0, settled: 0 }),
      initial: 'stable',
      delays: { debounce: 20 },
      states: {
        stable: { on: { EDGE: { target: 'settling', action: (c, level) => { c.raw = level; } } } },
        settling: {
          on: { EDGE: { target: 'settling', action: (c, level) => { c.raw = level; } } },
          after: { debounce: { target: 'stable', action: (c) => { c.stable = c.raw; c.settled++; } } },
        },
      },
    });
    const d = k.spawnMachine(def, { priority: 3, queueCapacity: 4 });
    assert.equal(d.timeEvents.length, 1);
    const id = d.timeEvents[0]!;
    assert.equal(d.hsm.timeEventOf(S.BLINK + 1), id);
    k.post(d.ao, S.EDGE, 1);
    k.run();
    assert.equal(d.hsm.currentName, 'settling');
    assert.equal(k.timers.isArmed(id), true);
    // The expiry at 20 is queued; an edge arrives (urgent, ahead of it) and re-enters settling: re-armed to 40.
    clock.t = 20;
    k.tick();
    k.postUrgent(d.ao, S.EDGE, 0);
    k.run();
    assert.equal(k.staleExpiries, 1, 'the expiry of the cancelled arming is dropped');
    assert.equal(d.hsm.currentName, 'settling');
    assert.equal(d.hsm.ctx.settled, 0);
    clock.t = 39;
    k.tick();
    k.run();
    assert.equal(d.hsm.currentName, 'settling');
    clock.t = 40;
    k.tick();
    k.run();
    assert.equal(d.hsm.currentName, 'stable');
    assert.deepEqual([d.hsm.ctx.stable, d.hsm.ctx.settled], [0, 1]);
    assert.equal(k.timers.isArmed(id), false);
    assert.equal(d.hsm.ignored, 0);
    k.stop(d.ao);
  });

  it('a blinker: every while in a state, named timer armed from an action, disarmed on exit', function () {
    const { k, clock } = rig();
    const def = defineHsm({
      name: 'blinker',
      signals: S,
      context: () => ({ toggles: 0, blinks: 0 }),
      initial: 'off',
      timers: ['BLINK'],
      states: {
        off: { on: { PRESS: 'slow' } },
        slow: { every: { 100: { action: (c) => { c.toggles++; } } }, on: { PRESS: 'named' } },
        named: {
          entry: (_c, m) => { m.arm(S.BLINK, 50, 50); },
          exit: (_c, m) => { m.disarm(S.BLINK); },
          on: { PRESS: 'off', BLINK: { action: (c) => { c.blinks++; } } },
        },
      },
    });
    const b = k.spawnMachine(def, { priority: 4, queueCapacity: 4 });
    assert.equal(b.timeEvents.length, 2);
    k.post(b.ao, S.PRESS);
    k.run();
    for (let t = 10; t <= 1000; t += 10) {
      clock.t = t;
      k.tick();
      k.run();
    }
    assert.equal(b.hsm.ctx.toggles, 10);
    k.post(b.ao, S.PRESS);
    k.run();
    assert.equal(k.timers.isArmed(b.timeEvents[0]!), false, 'every disarmed on exit');
    for (let t = 1010; t <= 1500; t += 10) {
      clock.t = t;
      k.tick();
      k.run();
    }
    assert.equal(b.hsm.ctx.blinks, 10);
    k.post(b.ao, S.PRESS);
    k.run();
    assert.equal(k.timers.isArmed(b.timeEvents[1]!), false, 'named timer disarmed by the exit action');
    assert.equal(b.hsm.currentName, 'off');
    assert.equal(b.hsm.ignored + k.staleExpiries, 0);
    k.stop(b.ao);
  });
});

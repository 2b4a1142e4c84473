// examples/blinky on the simulator: exact state traces of the debouncer and
// the blinker for clean presses, the same pattern sequence through contact
// bounce (bounce never reaches the blinker), LED periods measured from the
// simulator's waveform, a property test against a counting model, and zero
// allocation of every simulator step after boot on XS.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation, onXs } from '../support/alloc.js';
import { SIG_PRESS } from '../../examples/blinky.js';
import { scheduleScenario } from '../../examples/sim.js';
import { BLINKER, boot, DEBOUNCER, eventTimes, stateLog, timerSignals } from '../support/examples-support.js';

const BUTTON = 0;
const LED = 0;
/** Press times chosen so that no debounce expiry coincides with a blink toggle (see the traces below). */
const PRESSES = [300, 2350, 4375, 6450];

function run(seed: number, bounce: boolean): ReturnType<typeof boot> {
  const r = boot(['blinky'], seed);
  if (bounce) r.sim.inputs.setBounce(BUTTON, 4, 6);
  for (const t of PRESSES) r.sim.inputs.press(BUTTON, t, 120);
  r.sim.runUntil(7000);
  return r;
}

/** The blinker's expected trace for presses debounced at 320, 2370, 4395, 6470 ms. */
function expectedBlinker(): string[] {
  const out = ['0 off', '320 slow', '2370 fast'];
  for (let c = 4395; c < 6470; c += 600) {
    for (const [dt, s] of [[0, 'flash1'], [60, 'gap1'], [140, 'flash2'], [200, 'pause']] as const) if (c + dt < 6470) out.push(`${c + dt} ${s}`);
  }
  out.push('6470 off');
  return out;
}

describe('examples/blinky', function () {
  it('clean presses: exact debouncer and blinker traces (off -> slow -> fast -> double -> off)', function () {
    const r = run(1, false);
    assert.deepEqual(stateLog(r, DEBOUNCER), [
      '0 stable',
      '300 settling', '320 stable', '420 settling', '440 stable',
      '2350 settling', '2370 stable', '2470 settling', '2490 stable',
      '4375 settling', '4395 stable', '4495 settling', '4515 stable',
      '6450 settling', '6470 stable', '6570 settling', '6590 stable',
    ]);
    assert.deepEqual(stateLog(r, BLINKER), expectedBlinker());
    assert.deepEqual(eventTimes(r, BLINKER, SIG_PRESS), [320, 2370, 4395, 6470]);
    const d = r.fw.blinky!.debouncer.hsm.ctx;
    assert.deepEqual([d.edges, d.presses, d.releases], [8, 4, 4]);
    assert.equal(r.fw.blinky!.blinker.hsm.ctx.patterns, 3);
    // Off again: the LED is off and every blinker timer is disarmed (no timer event after 6470).
    assert.equal(r.sim.outputs.read(LED), 0);
    const blinker = r.fw.blinky!.blinker;
    assert.equal(blinker.timeEvents.length, 6, 'slow, fast and the four double phases');
    for (const id of blinker.timeEvents) assert.equal(r.fw.kernel.timers.isArmed(id), false);
    const blinks = eventTimes(r, BLINKER, timerSignals(blinker.hsm.definition));
    assert.ok(blinks.length > 20 && blinks[blinks.length - 1]! < 6470);
    assert.equal(r.fw.kernel.staleExpiries, 0, 'no expiry was queued when its state was left');
  });

  it('bouncing contacts: many more edges, the same four presses and the same pattern sequence', function () {
    for (const seed of [1, 2, 3]) {
      const r = run(seed, true);
      const d = r.fw.blinky!.debouncer.hsm.ctx;
      assert.ok(d.edges > 8 && r.sim.inputs.bounceToggles > 0, `seed ${seed}: ${d.edges} edges`);
      assert.deepEqual([d.presses, d.releases], [4, 4], `seed ${seed}`);
      const presses = eventTimes(r, BLINKER, SIG_PRESS);
      assert.equal(presses.length, 4);
      // Each press is recognised debounceMs after the contact's last bounce (window 4 ms, dispatched on the next tick).
      for (let i = 0; i < 4; i++) assert.ok(presses[i]! >= PRESSES[i]! + 20 && presses[i]! <= PRESSES[i]! + 25, `seed ${seed}: press ${i} at ${presses[i]}`);
      const names = stateLog(r, BLINKER).map((l) => l.split(' ')[1]);
      assert.deepEqual(names.slice(0, 4), ['off', 'slow', 'fast', 'flash1']);
      assert.equal(names[names.length - 1], 'off');
      assert.equal(r.fw.kernel.queueOf(r.fw.blinky!.debouncer.ao).refused, 0);
    }
  });

  it('LED periods measured on the waveform: slow 500 ms, fast 100 ms, double 60/80/60/400 (600 ms)', function () {
    const r = run(1, false);
    const out = r.sim.outputs;
    assert.equal(out.periodMs(LED, 320, 2360), 500);
    assert.equal(out.periodMs(LED, 2370, 4390), 100);
    const iv = new Float64Array(64);
    // At 4395 the fast pattern had just turned the LED on, so flash1's write is
    // not a transition: the first kept one of the double pattern is gap1's at 4455.
    assert.equal(out.countTransitions(LED, 4395, 4455), 0);
    const n = out.intervals(LED, iv, 4455, 6460);
    assert.ok(n >= 12, `${n} intervals`);
    for (let i = 0; i < n; i++) assert.equal(iv[i], [80, 60, 400, 60][i % 4], `interval ${i}`);
    assert.equal(out.countTransitions(LED, 6470, Infinity), 0);
  });

  it('property: n clean-or-bouncy presses leave the blinker in pattern n mod 4, with n presses counted', function () {
    const PATTERN = ['off', 'slow', 'fast', 'double'];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(fc.record({ gap: fc.integer({ min: 200, max: 900 }), hold: fc.integer({ min: 40, max: 300 }) }), { minLength: 1, maxLength: 6 }),
        (seed, presses) => {
          const r = boot(['blinky'], seed);
          r.sim.inputs.setBounce(BUTTON, 4, 6);
          let t = 0;
          for (const p of presses) {
            t += p.gap;
            r.sim.inputs.press(BUTTON, t, p.hold);
            t += p.hold;
          }
          r.sim.runUntil(t + 100);
          const b = r.fw.blinky!;
          assert.equal(b.debouncer.hsm.ctx.presses, presses.length);
          const expected = PATTERN[presses.length % 4]!;
          assert.ok(b.blinker.hsm.isIn(expected), `${presses.length} presses: in ${b.blinker.hsm.currentName}, expected ${expected}`);
        },
      ),
      { numRuns: onXs ? 4 : 40 },
    );
  });

  it('allocates nothing after boot: 4000 simulator steps with bouncing presses on XS, the first included', function () {
    const r = boot(['blinky'], 7);
    scheduleScenario(r.sim, r.fw, 0);
    assertNoAllocation(() => r.sim.step(), 4000, 'blinky firmware, one simulator step');
    const d = r.fw.blinky!.debouncer.hsm.ctx;
    assert.equal(d.presses, 4);
    assert.ok(d.edges > 8);
    assert.ok(r.fw.blinky!.blinker.hsm.ctx.toggles > 10);
  });
});

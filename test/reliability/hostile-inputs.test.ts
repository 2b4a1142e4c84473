// Hostile inputs that are not shared memory (issue 13, item 3): a corrupted
// simulator trace file, and random UART bytes at full rate into the
// uart-lines example. A corrupt trace gets a named SimReplayError /
// SimUsageError (or replays, when the corruption happens to be a valid
// trace), never another error or a hang. Garbage on the UART is refused and
// counted (RX overruns, bad lines, too-long lines), allocates nothing on XS,
// and the parser answers the next good line.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { SimReplayError, SimUsageError } from '../../hosts/sim/errors.js';
import { Trace, type TraceJson } from '../../hosts/sim/trace.js';
import { bootSim, scheduleScenario } from '../../examples/sim.js';
import { boot } from '../support/examples-support.js';

/** A small recorded run of all three examples (its JSON is what gets corrupted). */
function recorded(): TraceJson {
  const r = bootSim({ examples: ['blinky', 'port-reset', 'uart-lines'], seed: 2 });
  scheduleScenario(r.sim, r.fw, 0);
  r.sim.runUntil(600);
  return r.sim.trace.toJSON();
}

describe('hostile inputs: a corrupted trace file', function () {
  this.timeout(120000);
  it('property: a corrupted trace is refused with a named error or replays; nothing else is thrown, nothing hangs', function () {
    const good = recorded();
    const counts = { refused: 0, replayed: 0 };
    const junk = fc.oneof(fc.integer(), fc.double(), fc.constant(NaN), fc.constant(Infinity), fc.string({ maxLength: 3 }), fc.constant(null), fc.constant(undefined), fc.constant([]));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ where: fc.constant('record' as const), i: fc.nat(), f: fc.integer({ min: 0, max: 5 }), v: junk }),
            fc.record({ where: fc.constant('field' as const), key: fc.constantFrom('format', 'version', 'start', 'lost', 'seed', 'tickPeriodUs', 'endUs', 'startUs', 'runOn', 'records'), v: junk }),
            fc.record({ where: fc.constant('drop' as const), i: fc.nat() }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (edits) => {
          const j = JSON.parse(JSON.stringify(good)) as TraceJson & Record<string, unknown>;
          for (const e of edits) {
            const recs = j.records as unknown[];
            if (e.where === 'record' && Array.isArray(recs) && recs.length > 0) {
              const rec = recs[e.i % recs.length] as unknown[];
              if (Array.isArray(rec)) rec[e.f] = e.v;
            } else if (e.where === 'field') (j as Record<string, unknown>)[e.key] = e.v;
            else if (e.where === 'drop' && Array.isArray(recs) && recs.length > 0) recs.splice(e.i % recs.length, 1);
          }
          const replayer = bootSim({ examples: ['blinky', 'port-reset', 'uart-lines'], seed: 9 });
          try {
            replayer.sim.replay(Trace.fromJSON(j));
            counts.replayed++;
          } catch (err) {
            assert.ok(err instanceof SimReplayError || err instanceof SimUsageError, `only named errors: got ${String(err)}`);
            counts.refused++;
          }
        },
      ),
      { numRuns: onXs ? 20 : 300, seed: 13 },
    );
    assert.ok(counts.refused > 0, `refused ${counts.refused}, replayed ${counts.replayed}`);
  });
});

describe('hostile inputs: random UART bytes into uart-lines', function () {
  this.timeout(120000);

  it('random bytes at full rate are refused and counted; the parser answers the next good line', function () {
    for (const seed of [1, 2, 3]) {
      const r = boot(['uart-lines'], seed);
      const u = r.fw.uart!;
      let x = seed * 2654435761;
      const bytes: number[] = [];
      for (let i = 0; i < 3000; i++) {
        x = (Math.imul(x, 1103515245) + 12345) | 0;
        bytes.push((x >>> 16) & 0xff);
      }
      // Back to back at the UART's byte time (87 us), in chunks the scheduler holds.
      for (let k = 0; k < 3; k++) {
        r.sim.uart.inject(10 + k * 100, bytes.slice(k * 1000, k * 1000 + 1000));
        r.sim.runUntil(10 + k * 100 + 95);
      }
      r.sim.uart.inject(700, '\nPING\n');
      r.sim.runUntil(800);
      const c = u.parser.hsm.ctx;
      const refused = c.badCommand + c.badNumber + c.tooLong + c.empty;
      assert.ok(refused > 0, `seed ${seed}: garbage lines counted (${refused})`);
      assert.ok(r.sim.uart.txText().endsWith('PONG\n'), `seed ${seed}: answered the PING after the garbage: ${JSON.stringify(r.sim.uart.txText().slice(-20))}`);
      assert.equal(u.rx.written, u.rx.taken + u.rx.length, 'RX stream identity');
      assert.equal(u.feeder.bytes + u.rx.refused + r.sim.uart.overruns, bytes.length + 6, `seed ${seed}: every byte parsed or counted as refused`);
      assert.equal(u.pool.free, u.pool.capacity, 'every reply block back');
    }
  });

  it('parsing garbage allocates nothing on XS (whole simulator steps, the first included)', function () {
    const r = boot(['uart-lines'], 5);
    const bytes: number[] = [];
    for (let i = 0; i < 2000; i++) bytes.push((i * 151 + 7) & 0xff);
    r.sim.uart.inject(1, bytes);
    assertNoAllocation(() => r.sim.step(), 2000, 'uart-lines step with garbage bytes');
    assertCatchesAllocation(() => [r.sim.step()], 50, 'the same step plus an array literal');
  });
});

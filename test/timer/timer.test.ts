// TimerTable on its own: ordering, bounds and misuse (the kernel tests cover it through the kernel).
import { strict as assert } from '../support/assert.js';
import { assertNoAllocation } from '../support/alloc.js';
import {
  NO_TIMER,
  TimerConfigError,
  TimerReentryError,
  TimerTable,
  TimerTableFullError,
  TimerUsageError,
  type TimerSink,
} from '../../src/timer.js';

class Sink implements TimerSink {
  readonly log: number[] = [];
  accept = true;
  table: TimerTable | null = null;
  reenter = false;
  postTimeEvent(owner: number, sig: number, id: number, due: number): boolean {
    this.log.push(owner, sig, id, due);
    if (this.reenter && this.table) this.table.tick(due);
    return this.accept;
  }
}

class CountSink implements TimerSink {
  n = 0;
  postTimeEvent(): boolean {
    this.n++;
    return true;
  }
}

describe('timer table', function () {
  it('rejects a bad capacity with a named error', function () {
    assert.throws(() => new TimerTable({ capacity: 0 }, new Sink()), TimerConfigError);
    assert.throws(() => new TimerTable({ capacity: 1.5 }, new Sink()), TimerConfigError);
    assert.throws(() => new TimerTable({ capacity: 40000 }, new Sink()), TimerConfigError);
  });

  it('create throws TimerTableFullError naming the option; tryCreate returns NO_TIMER', function () {
    const t = new TimerTable({ name: 'tt', capacity: 2 }, new Sink());
    t.create(0, 1);
    t.create(0, 2);
    assert.equal(t.tryCreate(0, 3), NO_TIMER);
    assert.throws(() => t.create(0, 3), (e) => e instanceof TimerTableFullError && /all 2 time events/.test(e.message) && /timers option/.test(e.message));
    assert.equal(t.created, 2);
  });

  it('destroyed ids come back; using one afterwards is a named error', function () {
    const t = new TimerTable({ capacity: 2 }, new Sink());
    const a = t.create(0, 1);
    t.arm(a, 0, 10);
    t.destroy(a);
    assert.equal(t.armed, 0);
    assert.throws(() => t.arm(a, 0, 5), TimerUsageError);
    assert.throws(() => t.disarm(99), TimerUsageError);
    assert.throws(() => t.arm(t.create(0, 1), 0, -1), TimerUsageError);
    assert.equal(t.created, 1);
  });

  it('posts owner, signal, id and due time; counts refused posts', function () {
    const s = new Sink();
    const t = new TimerTable({ capacity: 4 }, s);
    const a = t.create(3, 7);
    t.arm(a, 100, 5);
    assert.equal(t.remaining(a, 102), 3);
    assert.equal(t.nextDelay(102), 3);
    s.accept = false;
    assert.equal(t.tick(105), 1);
    assert.deepEqual(s.log, [3, 7, a, 105]);
    assert.equal(t.refused, 1);
    assert.equal(t.expired, 1);
    assert.equal(t.remaining(a, 200), -1);
    assert.equal(t.nextDelay(200), -1);
  });

  it('a tick from inside an expiry is refused with TimerReentryError', function () {
    const s = new Sink();
    const t = new TimerTable({ capacity: 2 }, s);
    s.table = t;
    s.reenter = true;
    t.arm(t.create(0, 1), 0, 1);
    assert.throws(() => t.tick(1), TimerReentryError);
    s.reenter = false;
    t.arm(t.create(0, 2), 1, 1);
    assert.equal(t.tick(2), 1, 'the table still works afterwards');
  });

  it('arm, disarm and tick allocate nothing on XS (first call included)', function () {
    const s = new CountSink();
    const t = new TimerTable({ capacity: 8 }, s);
    const ids = [t.create(0, 1), t.create(0, 2), t.create(0, 3)];
    const a = ids[0]!;
    const b = ids[1]!;
    const c = ids[2]!;
    let now = 0;
    assertNoAllocation(() => {
      t.arm(a, now, 2);
      t.arm(b, now, 1, 3);
      t.arm(c, now, 5);
      t.disarm(c);
      now += 2;
      t.tick(now);
    }, 10000, 'timer arm/disarm/tick');
    assert.ok(s.n >= 10000);
  });
});

class GenSink implements TimerSink {
  readonly gens: number[] = [];
  postTimeEvent(_owner: number, _sig: number, _id: number, _due: number, gen: number): boolean {
    this.gens.push(gen);
    return true;
  }
}

describe('timer table: generations and stale expiries', function () {
  it('every expiry carries the generation of its arm; arm, re-arm, disarm and destroy advance it, tick does not', function () {
    const s = new GenSink();
    const t = new TimerTable({ capacity: 2 }, s);
    const a = t.create(0, 1);
    t.arm(a, 0, 1, 1);
    t.tick(1);
    t.tick(2);
    const g = s.gens[0]!;
    assert.deepEqual(s.gens, [g, g], 'a periodic event keeps its generation across periods');
    assert.ok(t.isCurrent(a, g));
    t.arm(a, 2, 1); // re-arm
    assert.equal(t.isCurrent(a, g), false, 're-arm: the queued expiries are stale');
    t.tick(3);
    const g2 = s.gens[2]!;
    assert.notEqual(g2, g);
    assert.ok(t.isCurrent(a, g2), 'a one-shot that just expired keeps its generation');
    assert.equal(t.disarm(a), false, 'not armed any more');
    assert.equal(t.isCurrent(a, g2), false, 'disarm of an expired one-shot still makes its queued expiry stale');
    t.arm(a, 3, 5);
    const g3 = s.gens.length;
    assert.equal(g3, 3);
    assert.equal(t.disarm(a), true);
    t.arm(a, 3, 0); // zero delay fires
    assert.equal(t.tick(3), 1);
    const g4 = s.gens[3]!;
    assert.ok(t.isCurrent(a, g4));
    t.destroy(a);
    assert.equal(t.isCurrent(a, g4), false, 'destroyed');
    const b = t.create(0, 2); // reuses the id
    assert.equal(b, a);
    assert.equal(t.isCurrent(b, g4), false, 'a re-created id does not revive old expiries');
  });

  it('isCurrent is false for anything that is not a created time event, and never throws', function () {
    const t = new TimerTable({ capacity: 2 }, new GenSink());
    const a = t.create(0, 1);
    assert.equal(t.isCurrent(a, 0), true, 'created, never armed: generation 0');
    for (const id of [-1, 1, 2, 1.5, NaN, '0' as unknown as number, undefined as unknown as number, 40000]) {
      assert.equal(t.isCurrent(id, 0), false, `isCurrent(${String(id)})`);
    }
    assert.equal(t.isCurrent(a, 0.5), false);
  });

  it('the generation wraps as a signed 32-bit counter', function () {
    const s = new GenSink();
    const t = new TimerTable({ capacity: 1 }, s);
    const a = t.create(0, 1);
    // Reach 2^31 - 1 quickly through the internal array, then arm once more.
    (t as unknown as { gen: Int32Array }).gen[a] = 0x7fffffff;
    t.arm(a, 0, 0);
    t.tick(0);
    assert.deepEqual(s.gens, [-0x80000000]);
    assert.ok(t.isCurrent(a, -0x80000000));
  });

  it('arm refuses a delay or period that is not a number in range, in every build, and changes nothing', function () {
    const s = new GenSink();
    const t = new TimerTable({ name: 'tv', capacity: 2 }, s);
    const a = t.create(0, 1);
    t.arm(a, 0, 10);
    t.tick(0);
    const bad: unknown[] = ['10', '0', undefined, null, true, NaN, Infinity, -Infinity, -1, -0.5, 2 ** 31, [5], {}, 10n, Symbol('d')];
    for (const d of bad) {
      assert.throws(
        () => t.arm(a, 0, d as number),
        (e) => e instanceof TimerUsageError && /'tv': arm\(0\) needs delay and period as numbers from 0 to 2147483647/.test(e.message) && /pass a number/.test(e.message),
        `delay ${typeof d === 'symbol' ? 'symbol' : String(d)}`,
      );
      if (d !== undefined) assert.throws(() => t.arm(a, 0, 5, d as number), TimerUsageError, `period ${typeof d === 'symbol' ? 'symbol' : String(d)}`);
    }
    assert.throws(() => t.arm(a, 0, '10' as unknown as number), (e) => e instanceof TimerUsageError && /the string '10'/.test(e.message));
    assert.equal(t.remaining(a, 0), 10, 'still armed for 10');
    assert.equal(t.tick(10), 1);
    assert.equal(s.gens.length, 1);
    assert.equal(t.arm(a, 10, 0.5, undefined), 11, 'an omitted (undefined) period is 0');
  });

  it('arm, disarm and the other id-taking methods refuse an id that is not an integer id of the table', function () {
    const t = new TimerTable({ name: 'ti', capacity: 2 }, new GenSink());
    t.create(0, 1);
    for (const id of [1.5, '0', NaN, -1, 2, 1, undefined, null]) {
      const named = (e: unknown): boolean => e instanceof TimerUsageError && /'ti'/.test(e.message) && /pass an id from create\(\)/.test(e.message);
      assert.throws(() => t.arm(id as number, 0, 1), named, `arm(${String(id)})`);
      assert.throws(() => t.disarm(id as number), named, `disarm(${String(id)})`);
      assert.throws(() => t.isArmed(id as number), named);
      assert.throws(() => t.remaining(id as number, 0), named);
      assert.throws(() => t.ownerOf(id as number), named);
      assert.throws(() => t.destroy(id as number), named);
    }
    assert.equal(t.created, 1);
  });

  it('nextDelay and remaining refuse a now that is not a finite number', function () {
    const t = new TimerTable({ name: 'tn', capacity: 2 }, new GenSink());
    const a = t.create(0, 1);
    t.arm(a, 0, 5);
    for (const bad of [NaN, undefined, Infinity, '3']) {
      assert.throws(() => t.nextDelay(bad as number), (e) => e instanceof TimerUsageError && /'tn': nextDelay\(\) needs now as a finite number/.test(e.message));
      assert.throws(() => t.remaining(a, bad as number), (e) => e instanceof TimerUsageError && /remaining\(\) needs now/.test(e.message));
    }
    assert.equal(t.nextDelay(2), 3);
  });

  it('isCurrent and a disarm of a disarmed event allocate nothing on XS (first call included)', function () {
    const s = new CountSink();
    const t = new TimerTable({ capacity: 4 }, s);
    const a = t.create(0, 1);
    let ok = 0;
    assertNoAllocation(() => {
      if (t.isCurrent(a, ok)) ok++;
      t.disarm(a);
      t.isCurrent(99, 0);
    }, 10000, 'timer isCurrent/disarm');
    assert.equal(ok, 10000, 'each disarm advanced the generation by one, in step with ok');
  });
});

describe('timer table: create checks its arguments', function () {
  it('create and tryCreate refuse an owner or signal that is not an integer in range, with TimerUsageError', function () {
    const t = new TimerTable({ name: 'tc', capacity: 2 }, new GenSink());
    for (const [owner, sig] of [[NaN, 1], ['0', 1], [-1, 1], [32768, 1], [0, 1.5], [0, -1], [0, 65536], [0, '1'], [0, undefined]] as [number, number][]) {
      const named = (e: unknown): boolean => e instanceof TimerUsageError && /'tc': create\(/.test(e.message) && /pass those/.test(e.message);
      assert.throws(() => t.create(owner, sig), named, `create(${String(owner)}, ${String(sig)})`);
      assert.throws(() => t.tryCreate(owner, sig), named);
    }
    assert.equal(t.created, 0);
    assert.equal(t.create(32767, 65535), 0);
  });
});

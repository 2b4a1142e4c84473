// TimerTable on its own: ordering, bounds and misuse (the kernel tests cover it through the kernel).
import { strict as assert } from './support/assert.js';
import { assertNoAllocation } from './support/alloc.js';
import {
  NO_TIMER,
  TimerConfigError,
  TimerReentryError,
  TimerTable,
  TimerTableFullError,
  TimerUsageError,
  type TimerSink,
} from '../src/timer.js';

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

// Kernel misuse: re-entrant step()/run(), clocks that are not numbers, and
// arguments that are not (finite, integer) numbers. Each gets a named error in
// every build, whose message names the kernel, the call, the bad value and
// what to pass; nothing changes.
import { strict as assert } from '../support/assert.js';
import { Kernel, KernelConfigError, KernelUsageError, type Behaviour, type KernelHost } from '../../src/kernel.js';
import { TimerUsageError } from '../../src/timer.js';
import { BlockPool } from '../../src/pool.js';

class Clock implements KernelHost {
  t = 0;
  idles = 0;
  now(): number {
    return this.t;
  }
  idle(): void {
    this.idles++;
  }
}

function show(x: unknown): string {
  return typeof x === 'symbol' ? 'symbol' : typeof x === 'string' ? `'${x}'` : x !== null && typeof x === 'object' ? '{}' : String(x);
}

describe('kernel misuse: step() and run() during dispatch', function () {
  for (const call of ['step', 'run'] as const) {
    it(`${call}() from an action throws KernelUsageError even when no other AO is ready`, function () {
      const clock = new Clock();
      const k = new Kernel({ name: 'kr', host: clock });
      let inner: unknown;
      let returned: unknown = 'nothing';
      const b: Behaviour = {
        start() {},
        dispatch() {
          try {
            returned = call === 'step' ? k.step() : k.run();
          } catch (e) {
            inner = e;
          }
        },
      };
      const ao = k.spawn({ create: () => b }, 1, 2);
      k.post(ao, 1);
      assert.equal(k.run(), 1);
      assert.ok(inner instanceof KernelUsageError, `inner ${String(inner)}`);
      assert.ok(new RegExp(`'kr': ${call}\\(\\) called during dispatch`).test(inner.message) && /post an event instead/.test(inner.message), inner.message);
      assert.equal(returned, 'nothing');
      assert.equal(k.idleCount, 0, 'no idle pass was counted from inside the action');
      assert.equal(clock.idles, 0, 'host.idle() was not called from inside the action');
      assert.equal(k.dispatched(ao), 1);
      // The kernel still works.
      k.post(ao, 1);
      inner = undefined;
      assert.equal(k.step(), ao);
      assert.ok(inner instanceof KernelUsageError);
    });
  }
});

describe('kernel misuse: a clock that is not a finite number never fires time events', function () {
  it('tick(NaN) and tick(undefined-like values) throw TimerUsageError; nothing is posted; the event stays armed', function () {
    const clock = new Clock();
    const k = new Kernel({ name: 'kt', host: clock });
    let n = 0;
    const ao = k.spawn({ create: () => ({ start() {}, dispatch: () => void n++ }) }, 1, 4);
    const t = k.timeEvent(ao, 1);
    k.arm(t, 5);
    for (const bad of [NaN, Infinity, -Infinity, '10', null]) {
      assert.throws(
        () => k.tick(bad as number),
        (e) => e instanceof TimerUsageError && /'kt.timers': tick\(\) needs now as a finite number of ms/.test(e.message),
        `tick(${show(bad)})`,
      );
    }
    assert.equal(k.queueOf(ao).length, 0);
    assert.equal(k.queueOf(ao).posted, 0);
    assert.equal(k.timers.expired, 0);
    assert.equal(k.timers.isArmed(t), true);
    assert.equal(k.run(), 0);
    assert.equal(n, 0);
    clock.t = 5;
    assert.equal(k.tick(), 1, 'a good tick still works');
    k.run();
    assert.equal(n, 1);
  });

  it('a host whose now() returns undefined: tick(), arm() and nextDelay() throw TimerUsageError, nothing fires', function () {
    const host = { now: (): number => undefined as unknown as number };
    const k = new Kernel({ name: 'ku', host });
    let n = 0;
    const ao = k.spawn({ create: () => ({ start() {}, dispatch: () => void n++ }) }, 1, 4);
    const t = k.timeEvent(ao, 1);
    k.timers.arm(t, 0, 0); // due at 0: a clock read as 0 would fire it
    assert.throws(() => k.tick(), (e) => e instanceof TimerUsageError && /tick\(\) needs now/.test(e.message) && /got undefined/.test(e.message));
    assert.throws(() => k.arm(t, 1), (e) => e instanceof TimerUsageError && /arm\(\) needs now/.test(e.message));
    assert.throws(() => k.nextDelay(), (e) => e instanceof TimerUsageError && /nextDelay\(\) needs now/.test(e.message));
    assert.equal(k.queueOf(ao).posted, 0);
    assert.equal(k.timers.expired, 0);
    assert.equal(k.run(), 0);
    assert.equal(n, 0);
    assert.equal(k.timers.remaining(t, 0), 0, 'still armed, due at 0');
    k.disarm(t);
  });
});

describe('kernel misuse: arguments that are not numbers of the right kind', function () {
  const NON_INTEGERS: unknown[] = [NaN, Infinity, -Infinity, 1.5, '1', undefined, null, true, {}];

  interface Case {
    call: string;
    run: (k: Kernel, bad: unknown) => unknown;
    error: new (...args: never[]) => Error;
    /** The message mentions this (the call, as written in the message). */
    says: RegExp;
    /** The message says what to pass. */
    pass: RegExp;
    values?: unknown[];
  }

  const AO = 0; // the running AO of each fresh kernel
  const cases: Case[] = [
    { call: 'timeEvent ao', run: (k, v) => k.timeEvent(v as number, 1), error: KernelUsageError, says: /timeEvent\(/, pass: /pass an id from claim\(\) or spawn\(\)/ },
    { call: 'timeEvent sig', run: (k, v) => k.timeEvent(AO, v as number), error: KernelUsageError, says: /timeEvent\(0, /, pass: /pass the signal/, values: [...NON_INTEGERS, -1, 65536] },
    { call: 'spawn priority', run: (k, v) => k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, v as number, 2), error: KernelConfigError, says: /spawn\(\): priority/, pass: /pass a priority/, values: [...NON_INTEGERS, 0, 33] },
    { call: 'spawn queueCapacity', run: (k, v) => k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 5, v as number), error: KernelConfigError, says: /spawn\(\): queueCapacity/, pass: /pass the number of events/, values: [...NON_INTEGERS, 0, 65537] },
    { call: 'start priority', run: (k, v) => k.start(k.claim(), { create: () => ({ start() {}, dispatch() {} }) }, v as number, 2), error: KernelConfigError, says: /start\(\): priority/, pass: /pass a priority/ },
    { call: 'start queueCapacity', run: (k, v) => k.start(k.claim(), { create: () => ({ start() {}, dispatch() {} }) }, 5, v as number), error: KernelConfigError, says: /start\(\): queueCapacity/, pass: /pass the number of events/ },
    { call: 'start slot', run: (k, v) => k.start(v as number, { create: () => ({ start() {}, dispatch() {} }) }, 5, 2), error: KernelUsageError, says: /start\(/, pass: /needs a slot from claim\(\)/ },
    { call: 'spawn definition', run: (k, v) => k.spawn(v as never, 5, 2), error: KernelConfigError, says: /spawn\(\): the definition/, pass: /must be an object with create\(port\)/, values: [undefined, null, {}, 5] },
    { call: 'subscribe ao', run: (k, v) => k.subscribe(v as number, 1), error: KernelUsageError, says: /subscribe\(/, pass: /pass an id from spawn\(\)/ },
    { call: 'subscribe sig', run: (k, v) => k.subscribe(AO, v as number), error: KernelUsageError, says: /subscribe: signal/, pass: /pass a signal below maxSignals/, values: [...NON_INTEGERS, -1, 64] },
    { call: 'unsubscribe sig', run: (k, v) => k.unsubscribe(AO, v as number), error: KernelUsageError, says: /unsubscribe: signal/, pass: /pass a signal below maxSignals/ },
    { call: 'blockSignal', run: (k, v) => k.blockSignal(v as number), error: KernelUsageError, says: /blockSignal: signal/, pass: /pass a signal below maxSignals/ },
    { call: 'publish', run: (k, v) => k.publish(v as number), error: KernelUsageError, says: /publish: signal/, pass: /pass a signal below maxSignals/ },
    { call: 'stop', run: (k, v) => k.stop(v as number), error: KernelUsageError, says: /stop\(/, pass: /pass an id from spawn\(\)/ },
    { call: 'port', run: (k, v) => k.port(v as number), error: KernelUsageError, says: /port\(/, pass: /pass an id from claim\(\) or spawn\(\)/, values: [...NON_INTEGERS, -1, 8] },
    { call: 'post ao', run: (k, v) => k.post(v as number, 1), error: KernelUsageError, says: /post to /, pass: /pass an id from spawn\(\)/, values: [...NON_INTEGERS, -1, 8, 31, 32] },
    { call: 'nextDelay now', run: (k, v) => k.nextDelay(v as number), error: TimerUsageError, says: /nextDelay\(\) needs now/, pass: /pass the clock's value/, values: [NaN, Infinity, '1', null] },
    { call: 'arm id', run: (k, v) => k.arm(v as number, 1), error: TimerUsageError, says: /arm\(/, pass: /pass an id from create\(\) \(the kernel: timeEvent\(\)\)/, values: [...NON_INTEGERS, -1, 16] },
    { call: 'disarm id', run: (k, v) => k.disarm(v as number), error: TimerUsageError, says: /disarm\(/, pass: /pass an id from create\(\)/ },
    { call: 'arm delay', run: (k, v) => k.arm(k.timeEvent(AO, 1), v as number), error: TimerUsageError, says: /arm\(\d+\) needs delay and period as numbers/, pass: /pass a number in that range/, values: ['10', undefined, null, NaN, Infinity, -1, 2 ** 31, true] },
    { call: 'arm period', run: (k, v) => k.arm(k.timeEvent(AO, 1), 1, v as number), error: TimerUsageError, says: /arm\(\d+\) needs delay and period as numbers/, pass: /pass a number in that range/, values: ['10', null, NaN, Infinity, -1, 2 ** 31, true] },
  ];

  for (const c of cases) {
    it(`${c.call}: ${(c.values ?? NON_INTEGERS).map(show).join(', ')} -> ${c.error.name}`, function () {
      for (const bad of c.values ?? NON_INTEGERS) {
        const pool = new BlockPool({ name: 'misuse', blockSize: 8, count: 1 });
        const k = new Kernel({ name: 'km', pool });
        k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 1, 2);
        const before = [k.used, k.timers.created, k.timers.armed, k.queueOf(AO).posted];
        let caught: unknown;
        try {
          c.run(k, bad);
        } catch (e) {
          caught = e;
        }
        assert.ok(caught instanceof c.error, `${c.call}(${show(bad)}): expected ${c.error.name}, got ${String(caught)}`);
        const m = caught.message;
        assert.ok(/'km/.test(m), `names the kernel: ${m}`);
        assert.ok(c.says.test(m), `names the call: ${m}`);
        assert.ok(c.pass.test(m), `says what to pass: ${m}`);
        if (typeof bad === 'string') assert.ok(m.indexOf(`'${bad}'`) >= 0, `shows the bad string: ${m}`);
        else if (typeof bad === 'number' && !Number.isNaN(bad)) assert.ok(m.indexOf(String(bad)) >= 0, `shows the bad value: ${m}`);
        else if (bad === undefined || (typeof bad === 'number' && Number.isNaN(bad))) assert.ok(m.indexOf(String(bad)) >= 0, `shows the bad value: ${m}`);
        // Nothing changed, except what the case itself set up (a claim, a time event).
        const after = [k.used, k.timers.created, k.timers.armed, k.queueOf(AO).posted];
        assert.equal(after[2], before[2], 'nothing armed');
        assert.equal(after[3], before[3], 'nothing posted');
      }
    });
  }

  it('arm(id, "10") is refused in every build; the old path turned it into 11 ms', function () {
    const clock = new Clock();
    const k = new Kernel({ host: clock });
    const ao = k.spawn({ create: () => ({ start() {}, dispatch() {} }) }, 1, 2);
    const t = k.timeEvent(ao, 1);
    assert.throws(() => k.arm(t, '10' as unknown as number), (e) => e instanceof TimerUsageError && /the string '10'/.test(e.message));
    assert.equal(k.timers.isArmed(t), false);
    assert.equal(k.arm(t, 10), 10);
  });
});

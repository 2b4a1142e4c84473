// Time in the state machine spec (issue 12): `after` (one-shot, armed on
// entry, disarmed on exit), `every` (periodic while in the state), named
// `delays` (ms or a function of the context, evaluated on each entry) and
// named `timers` (declared signals armed from actions with hsm.arm). Exact
// traces (Zephyr smf style): entries/exits/actions from the trace fixture and
// `arm <id> <delay> <period>` / `disarm <id>` from a fake timer host, in one log.
import { strict as assert } from '../support/assert.js';
import {
  defineHsm,
  defineSignals,
  Hsm,
  HsmDefinitionError,
  HsmUsageError,
  HSM_HANDLED,
  HSM_IGNORED,
  HSM_MAX_SIGNAL,
  HSM_TRANSITION,
  type HsmDefinitionErrorCode,
} from '../../src/hsm.js';
import { traced, type Traced } from './hsm-trace.fixture.js';
import { FakeTimers } from './hsm-timers.fixture.js';

const S = defineSignals(['GO', 'BACK', 'SELF', 'NEXT', 'RESET', 'OUT', 'BLINK', 'PING']);
// The first synthetic signal: one above the largest declared one.
const T0 = S.PING + 1;

/** Links the fake host's trace to the machine's and starts it. */
function run<C>(t: Traced<C>, ft: FakeTimers): Traced<C> {
  ft.log = t.log;
  t.m.start();
  return t;
}

function defErr(fn: () => unknown, code: HsmDefinitionErrorCode, state: string | undefined, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof HsmDefinitionError, `expected HsmDefinitionError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.state, state);
  assert.ok(re.test(caught.message), `message: ${caught.message}`);
}

function notATimer(fn: () => unknown, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof HsmUsageError, `expected HsmUsageError NOT_A_TIMER, got ${String(caught)}`);
  assert.equal(caught.code, 'NOT_A_TIMER');
  assert.ok(re.test(caught.message), `message: ${caught.message}`);
}

const any = (spec: object) => defineHsm(spec as never);
const ctx = () => ({ n: 0 });

interface Seen {
  p0: number;
  p1: number;
  p2: number;
  p3: number;
  ok: boolean;
  retry: boolean;
}

function settler(ft: FakeTimers) {
  return run(
    traced(
      {
        name: 'settler',
        signals: S,
        context: (): Seen => ({ p0: -1, p1: -1, p2: -1, p3: -1, ok: false, retry: false }),
        initial: 'idle',
        states: {
          idle: { on: { GO: 'settling' } },
          settling: {
            after: {
              500: {
                target: 'on',
                action: (c, p0, p1, p2, p3) => {
                  c.p0 = p0;
                  c.p1 = p1;
                  c.p2 = p2;
                  c.p3 = p3;
                },
              },
            },
            on: { SELF: 'settling', BACK: 'idle' },
          },
          on: { on: { BACK: 'idle' } },
        },
      },
      { timers: ft },
      false,
    ),
    ft,
  );
}

describe('hsm timers: after (one-shot, armed on entry, disarmed on exit)', function () {
  it('entering a state with after arms its time event once, with the delay and no period; leaving disarms it', function () {
    const ft = new FakeTimers();
    const t = settler(ft);
    assert.deepEqual(t.take(), ['top:init', 'idle:entry']);
    assert.equal(ft.count, 1, 'one time event, made by the constructor');
    assert.equal(ft.sig[0], T0, 'it posts the synthetic signal');
    assert.equal(t.m.dispatch(S.GO), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['idle:GO', 'idle:exit', 'settling:entry', 'arm 0 500 0']);
    assert.deepEqual(ft.armedIds(), [0]);
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['settling:BACK', 'disarm 0', 'settling:exit', 'idle:entry']);
    assert.deepEqual(ft.armedIds(), []);
    assert.equal(ft.arms, 1);
    assert.equal(ft.disarms, 1);
  });

  it('the expiry takes the transition; its action gets (id, due, generation, 0)', function () {
    const ft = new FakeTimers();
    const t = settler(ft);
    ft.now = 1000;
    t.m.dispatch(S.GO);
    t.take();
    assert.equal(ft.advance(t.m, 499), 0);
    assert.equal(t.m.currentName, 'settling');
    assert.equal(ft.advance(t.m, 1), 1);
    assert.deepEqual(t.take(), ['settling:after.500', 'disarm 0', 'settling:exit', 'on:entry']);
    assert.equal(t.m.currentName, 'on');
    const c = t.m.ctx;
    assert.deepEqual([c.p0, c.p1, c.p2, c.p3], [0, 1500, 1, 0]);
  });

  it('a self-transition re-arms: disarm (exit) then arm (entry), and the delay restarts', function () {
    const ft = new FakeTimers();
    const t = settler(ft);
    t.m.dispatch(S.GO);
    ft.advance(t.m, 300);
    t.take();
    t.m.dispatch(S.SELF);
    assert.deepEqual(t.take(), ['settling:SELF', 'disarm 0', 'settling:exit', 'settling:entry', 'arm 0 500 0']);
    assert.equal(ft.due[0], 800);
    assert.equal(ft.advance(t.m, 499), 0);
    assert.equal(ft.advance(t.m, 1), 1);
    assert.equal(t.m.currentName, 'on');
  });

  it('the initial state arms at start(); a zero delay is legal and fires on the next tick', function () {
    const ft = new FakeTimers();
    const t = run(
      traced({ name: 'zero', signals: S, context: ctx, initial: 'a', states: { a: { after: { 0: 'b' } }, b: {} } }, { timers: ft }, false),
      ft,
    );
    assert.deepEqual(t.take(), ['top:init', 'a:entry', 'arm 0 0 0']);
    assert.equal(ft.advance(t.m, 0), 1);
    assert.deepEqual(t.take(), ['a:after.0', 'disarm 0', 'a:exit', 'b:entry']);
  });

  it('guards on an after transition: tried in order; all false: ignored (counted), the one-shot is spent', function () {
    const ft = new FakeTimers();
    const t = run(
      traced(
        {
          name: 'guarded',
          signals: S,
          context: () => ({ ok: false, retry: false }),
          initial: 'wait',
          states: {
            wait: { after: { 100: [{ guard: (c) => c.ok, target: 'done' }, { guard: (c) => c.retry, target: 'wait' }] } },
            done: {},
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
    t.take();
    assert.equal(ft.fire(t.m, 0), HSM_IGNORED);
    assert.equal(t.m.ignored, 1);
    assert.deepEqual(ft.armedIds(), []);
    assert.deepEqual(t.take(), []);
    // Arm it again by hand; now the retry branch holds.
    t.m.ctx.retry = true;
    ft.arm(0, 100, 0);
    t.take();
    assert.equal(ft.fire(t.m, 0), HSM_TRANSITION);
    assert.deepEqual(t.take(), ['wait:after.100', 'disarm 0', 'wait:exit', 'wait:entry', 'arm 0 100 0']);
    t.m.ctx.ok = true;
    assert.equal(ft.fire(t.m, 0), HSM_TRANSITION);
    assert.equal(t.m.currentName, 'done');
  });

  it('an expiry that reaches a state which does not declare it is ignored (a stale expiry from an earlier state is harmless)', function () {
    const ft = new FakeTimers();
    const t = settler(ft);
    t.m.dispatch(S.GO);
    const due = ft.due[0]!;
    const gen = ft.gen[0]!;
    t.m.dispatch(S.BACK);
    assert.equal(t.m.dispatch(T0, 0, due, gen, 0), HSM_IGNORED);
    assert.equal(t.m.currentName, 'idle');
  });
});

describe('hsm timers: every (periodic while in the state)', function () {
  it('arms with the period as delay and period; internal transitions keep it armed; leaving disarms it', function () {
    const ft = new FakeTimers();
    const t = run(
      traced(
        {
          name: 'blinker',
          signals: S,
          context: () => ({ toggles: 0 }),
          initial: 'off',
          states: {
            off: { on: { GO: 'blinking' } },
            blinking: { every: { 250: { action: (c) => { c.toggles++; } } }, on: { BACK: 'off' } },
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
    assert.deepEqual(t.take(), ['top:init', 'off:entry']);
    t.m.dispatch(S.GO);
    assert.deepEqual(t.take(), ['off:GO', 'off:exit', 'blinking:entry', 'arm 0 250 250']);
    assert.equal(ft.advance(t.m, 1000), 4);
    assert.equal(t.m.ctx.toggles, 4);
    assert.deepEqual(t.take(), ['blinking:every.250', 'blinking:every.250', 'blinking:every.250', 'blinking:every.250']);
    assert.deepEqual(ft.armedIds(), [0]);
    t.m.dispatch(S.BACK);
    assert.deepEqual(t.take(), ['blinking:BACK', 'disarm 0', 'blinking:exit', 'off:entry']);
    assert.equal(ft.advance(t.m, 1000), 0);
  });

  it('an every transition with a target leaves the state (and disarms it)', function () {
    const ft = new FakeTimers();
    const t = run(
      traced({ name: 'ev', signals: S, context: ctx, initial: 'a', states: { a: { every: { 100: 'b' } }, b: { on: { BACK: 'a' } } } }, { timers: ft }, false),
      ft,
    );
    assert.deepEqual(t.take(), ['top:init', 'a:entry', 'arm 0 100 100']);
    assert.equal(ft.advance(t.m, 350), 1);
    assert.deepEqual(t.take(), ['a:every.100', 'disarm 0', 'a:exit', 'b:entry']);
  });

  it('several timers in one state: after entries, then every entries, each in key order; each its own time event', function () {
    const ft = new FakeTimers();
    const t = run(
      traced(
        {
          name: 'many',
          signals: S,
          context: ctx,
          initial: 'a',
          delays: { late: 900 },
          states: {
            a: {
              after: { late: 'b', 300: { action: (c) => { c.n += 1; } } },
              every: { 100: { action: (c) => { c.n += 10; } } },
            },
            b: {},
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
    // Integer keys come first in JS property order.
    assert.deepEqual(t.take(), ['top:init', 'a:entry', 'arm 0 300 0', 'arm 1 900 0', 'arm 2 100 100']);
    // every: 100..800 (at 300 after its id-0 sibling); at 900 'late' (id 1) goes first and leaves: the exit disarms every.
    assert.equal(ft.advance(t.m, 900), 8 + 1 + 1);
    assert.equal(t.m.currentName, 'b');
    assert.equal(t.m.ctx.n, 1 + 8 * 10);
    assert.deepEqual(ft.armedIds(), []);
  });
});

describe('hsm timers: delays (named; functions of the context, evaluated on each entry)', function () {
  it('a delay function is called with the context on each entry, after the entry action', function () {
    const ft = new FakeTimers();
    const t = run(
      traced(
        {
          name: 'backoff',
          signals: S,
          context: () => ({ attempt: 0 }),
          initial: 'waiting',
          delays: { backoff: (c) => c.attempt * 100 },
          states: {
            waiting: { entry: (c) => { c.attempt++; }, after: { backoff: 'waiting' }, on: { GO: 'done' } },
            done: {},
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
    assert.deepEqual(t.take(), ['top:init', 'waiting:entry', 'arm 0 100 0']);
    ft.advance(t.m, 100);
    assert.deepEqual(t.take(), ['waiting:after.backoff', 'disarm 0', 'waiting:exit', 'waiting:entry', 'arm 0 200 0']);
    ft.advance(t.m, 200);
    assert.deepEqual(t.take(), ['waiting:after.backoff', 'disarm 0', 'waiting:exit', 'waiting:entry', 'arm 0 300 0']);
    assert.equal(t.m.ctx.attempt, 3);
    assert.equal(t.m.definition.signalName(T0), 'after backoff (waiting)');
  });

  it('a named numeric delay in every; signal names for tools', function () {
    const ft = new FakeTimers();
    const def = defineHsm({
      name: 'named',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'slow',
      delays: { slowHalf: 250, fastHalf: (c) => 50 + c.n },
      states: {
        slow: { every: { slowHalf: { action: (c) => { c.n++; } } }, on: { GO: 'fast' } },
        fast: { every: { fastHalf: { action: (c) => { c.n++; } } }, after: { 500: 'slow' } },
      },
    });
    const names = def.signalNames.slice(T0);
    assert.deepEqual(names, ['every slowHalf (slow)', 'after 500 ms (fast)', 'every fastHalf (fast)']);
    const m = new Hsm(def, { timers: ft });
    m.start();
    assert.equal(ft.delay[0], 250);
    assert.equal(ft.period[0], 250);
    ft.advance(m, 500);
    assert.equal(m.ctx.n, 2);
    m.dispatch(S.GO);
    assert.deepEqual([ft.delay[1], ft.period[1], ft.delay[2], ft.period[2]], [500, 0, 52, 52]);
  });
});

describe('hsm timers: hierarchy and history', function () {
  //   idle;  active (deep history, after 1000 -> idle) > a1 (after 100 -> a2), a2, a3 (every 50)
  function nested(ft: FakeTimers) {
    return run(
      traced(
        {
          name: 'nested',
          signals: S,
          context: ctx,
          initial: 'idle',
          states: {
            idle: { on: { GO: 'active', RESET: { target: 'active', history: true } } },
            active: {
              history: 'deep',
              initial: 'a1',
              after: { 1000: 'idle' },
              on: { BACK: 'idle', OUT: { target: 'active', kind: 'external' } },
              states: {
                a1: { after: { 100: 'a2' }, on: { NEXT: 'a2' } },
                a2: { on: { NEXT: 'a3', SELF: 'active' } },
                a3: { every: { 50: { action: (c) => { c.n++; } } }, on: { NEXT: 'a1' } },
              },
            },
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
  }

  it("a composite's after stays armed while moving between its children; leaving the composite disarms it", function () {
    const ft = new FakeTimers();
    const t = nested(ft);
    t.take();
    t.m.dispatch(S.GO);
    assert.deepEqual(t.take(), ['idle:GO', 'idle:exit', 'active:entry', 'arm 0 1000 0', 'active:init', 'a1:entry', 'arm 1 100 0']);
    t.m.dispatch(S.NEXT);
    assert.deepEqual(t.take(), ['a1:NEXT', 'disarm 1', 'a1:exit', 'a2:entry']);
    assert.deepEqual(ft.armedIds(), [0]);
    t.m.dispatch(S.NEXT);
    assert.deepEqual(t.take(), ['a2:NEXT', 'a2:exit', 'a3:entry', 'arm 2 50 50']);
    assert.deepEqual(ft.armedIds(), [0, 2]);
    t.m.dispatch(S.NEXT);
    assert.deepEqual(t.take(), ['a3:NEXT', 'disarm 2', 'a3:exit', 'a1:entry', 'arm 1 100 0']);
    assert.deepEqual(ft.armedIds(), [0, 1]);
    assert.equal(ft.arms, 4, 'the composite was armed once');
    // a1's after fires at 100 (to a2); the composite's at 1000 (to idle), bubbling up from a2.
    assert.equal(ft.advance(t.m, 1000), 2);
    assert.deepEqual(t.take(), [
      'a1:after.100', 'disarm 1', 'a1:exit', 'a2:entry',
      'active:after.1000', 'a2:exit', 'disarm 0', 'active:exit', 'idle:entry',
    ]);
    assert.deepEqual(ft.armedIds(), []);
  });

  it('a local transition to the composite keeps its timer; an external one re-arms it', function () {
    const ft = new FakeTimers();
    const t = nested(ft);
    t.m.dispatch(S.GO);
    t.m.dispatch(S.NEXT);
    ft.now = 30;
    t.take();
    t.m.dispatch(S.SELF); // a2 -> active, local by default: active stays (and stays armed)
    assert.deepEqual(t.take(), ['a2:SELF', 'a2:exit', 'active:init', 'a1:entry', 'arm 1 100 0']);
    assert.equal(ft.due[0], 1000);
    t.m.dispatch(S.OUT); // external: exits and re-enters active
    assert.deepEqual(t.take(), [
      'active:OUT', 'disarm 1', 'a1:exit', 'disarm 0', 'active:exit',
      'active:entry', 'arm 0 1000 0', 'active:init', 'a1:entry', 'arm 1 100 0',
    ]);
    assert.equal(ft.due[0], 1030);
  });

  it('entering by history arms the composite and the restored states', function () {
    const ft = new FakeTimers();
    const t = nested(ft);
    t.m.dispatch(S.GO);
    t.m.dispatch(S.NEXT);
    t.m.dispatch(S.NEXT);
    t.take();
    t.m.dispatch(S.BACK); // recorded: a3 (deep)
    assert.deepEqual(t.take(), ['active:BACK', 'disarm 2', 'a3:exit', 'disarm 0', 'active:exit', 'idle:entry']);
    assert.deepEqual(ft.armedIds(), []);
    t.m.dispatch(S.RESET);
    assert.deepEqual(t.take(), ['idle:RESET', 'idle:exit', 'active:entry', 'arm 0 1000 0', 'a3:entry', 'arm 2 50 50']);
    assert.equal(t.m.currentName, 'a3');
    assert.deepEqual(ft.armedIds(), [0, 2]);
    assert.equal(ft.advance(t.m, 100), 2);
    assert.equal(t.m.ctx.n, 2);
  });
});

describe('hsm timers: named timers (spec.timers, hsm.arm/disarm from actions)', function () {
  const B = defineSignals(['PRESS', 'BLINK', 'HOLD', 'WORK']);
  function blinky(ft: FakeTimers, disarmOnExit: boolean) {
    return run(
      traced(
        {
          name: 'named-timers',
          signals: B,
          context: () => ({ toggles: 0, due: 0 }),
          initial: 'off',
          timers: ['BLINK'],
          states: {
            off: { on: { PRESS: 'on' } },
            on: {
              entry: (c, m) => { c.due = m.arm(B.BLINK, 250, 250); },
              exit: (_c, m) => { if (disarmOnExit) m.disarm(B.BLINK); },
              on: { PRESS: 'off', HOLD: 'busy', BLINK: { action: (c) => { c.toggles++; } } },
            },
            busy: { defer: ['BLINK'], on: { WORK: 'on' } },
          },
        },
        { timers: ft },
        false,
      ),
      ft,
    );
  }

  it('an action arms the timer with the signal number; expiries arrive as that signal, handled in on', function () {
    const ft = new FakeTimers();
    const t = blinky(ft, true);
    assert.equal(ft.count, 1);
    assert.equal(ft.sig[0], B.BLINK);
    assert.equal(t.m.timeEventOf(B.BLINK), 0);
    assert.equal(t.m.timeEventOf(B.PRESS), -1);
    assert.deepEqual(t.take(), ['top:init', 'off:entry'], 'nothing armed at start');
    ft.now = 40;
    t.m.dispatch(B.PRESS);
    assert.equal(t.m.ctx.due, 290);
    assert.deepEqual(t.take(), ['off:PRESS', 'off:exit', 'on:entry', 'arm 0 250 250']);
    assert.equal(ft.advance(t.m, 760), 3);
    assert.equal(t.m.ctx.toggles, 3);
    t.m.dispatch(B.PRESS);
    assert.deepEqual(t.take().slice(-3), ['on:exit', 'disarm 0', 'off:entry']); // the exit action disarms
    assert.deepEqual(ft.armedIds(), []);
  });

  it('named timers are not disarmed on exit by themselves: without a disarm in an exit action it keeps running', function () {
    const ft = new FakeTimers();
    const t = blinky(ft, false);
    t.m.dispatch(B.PRESS);
    t.m.dispatch(B.PRESS);
    assert.deepEqual(ft.armedIds(), [0]);
    assert.equal(ft.advance(t.m, 250), 1);
    assert.equal(t.m.ignored, 1, 'BLINK in off: nobody handles it');
    assert.equal(t.m.disarm(B.BLINK), true);
    assert.equal(t.m.disarm(B.BLINK), false);
  });

  it('a named timer signal can be deferred like any signal', function () {
    const ft = new FakeTimers();
    const t = blinky(ft, true);
    t.m.dispatch(B.PRESS);
    t.m.dispatch(B.HOLD); // on -> busy: exit disarms; arm it again by hand
    t.m.arm(B.BLINK, 10);
    assert.equal(ft.advance(t.m, 10), 1);
    assert.equal(t.m.deferredCount, 1);
    t.m.dispatch(B.WORK);
    t.m.recall();
    t.m.drain();
    assert.equal(t.m.ctx.toggles, 1);
  });

  it('hsm.arm/disarm on a signal that is not a named timer: NOT_A_TIMER', function () {
    const ft = new FakeTimers();
    const t = blinky(ft, true);
    notATimer(() => t.m.arm(B.PRESS, 10), /hsm 'named-timers': arm\(1\): signal 1 \('PRESS'\) is not a named timer of this machine; list its name in the spec's 'timers'/);
    notATimer(() => t.m.disarm(99), /disarm\(99\): signal 99 is not a named timer/);
    notATimer(() => t.m.arm(B.BLINK + 0.5, 10), /not a named timer/);
    // @ts-expect-error: the signal number, not its name
    notATimer(() => t.m.arm('BLINK', 10), /pass the signal number \(e\.g\. S\.BLINK\), not its name/);
    assert.equal(ft.arms, 0);
    // an after timer's synthetic signal is not armed by hand either
    const ft2 = new FakeTimers();
    const t2 = settler(ft2);
    notATimer(() => t2.m.arm(T0, 10), /signal 9 \('after 500 ms \(settling\)'\) is not a named timer/);
    assert.equal(t2.m.timeEventOf(T0), 0);
  });
});

describe('hsm timers: definition, introspection, errors', function () {
  it('definition: timerCount, timers(), signal names, transitions() with the timer signals; frozen', function () {
    const def = defineHsm({
      name: 'intro',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'a',
      delays: { slow: (c) => c.n },
      timers: ['BLINK', 'PING'],
      states: {
        a: { after: { 500: [{ guard: (c) => c.n > 0, target: 'b' }, { action: (c) => { c.n++; } }] }, on: { GO: 'b' } },
        b: { every: { slow: { action: (c) => { c.n++; } } }, after: { 0: { target: 'a', kind: 'external' } } },
      },
    });
    assert.ok(Object.isFrozen(def));
    assert.equal(def.timerCount, 5);
    assert.equal(def.signalSpan, T0 + 3);
    assert.deepEqual(def.timers(), [
      { state: 'a', signal: T0, signalName: 'after 500 ms (a)', periodic: false, delay: 500 },
      { state: 'b', signal: T0 + 1, signalName: 'after 0 ms (b)', periodic: false, delay: 0 },
      { state: 'b', signal: T0 + 2, signalName: 'every slow (b)', periodic: true, delay: 'slow' },
      { state: null, signal: S.BLINK, signalName: 'BLINK', periodic: false, delay: null },
      { state: null, signal: S.PING, signalName: 'PING', periodic: false, delay: null },
    ]);
    assert.deepEqual(def.transitions(), [
      { source: 'a', signal: 'GO', target: 'b', kind: 'external', guarded: false, history: false, lca: 'top' },
      { source: 'a', signal: 'after 500 ms (a)', target: 'b', kind: 'external', guarded: true, history: false, lca: 'top' },
      { source: 'a', signal: 'after 500 ms (a)', target: null, kind: 'internal', guarded: false, history: false, lca: null },
      { source: 'b', signal: 'after 0 ms (b)', target: 'a', kind: 'external', guarded: false, history: false, lca: 'top' },
      { source: 'b', signal: 'every slow (b)', target: null, kind: 'internal', guarded: false, history: false, lca: null },
    ]);
    const ft = new FakeTimers();
    ft.count = 3; // ids need not start at 0
    const m = new Hsm(def, { timers: ft });
    assert.deepEqual(Array.from(m.timeEvents), [3, 4, 5, 6, 7]);
    assert.deepEqual([T0, T0 + 1, T0 + 2, S.BLINK, S.PING, S.GO].map((s) => m.timeEventOf(s)), [3, 4, 5, 6, 7, -1]);
    // A machine without timers has none and needs no host.
    const plain = new Hsm(defineHsm({ name: 'plain', signals: S, context: ctx, initial: 'a', states: { a: {} } }));
    assert.equal(plain.timeEvents.length, 0);
    assert.equal(plain.definition.timerCount, 0);
    assert.deepEqual(plain.definition.timers(), []);
  });

  it('NO_TIMERS: a definition with timers, built without a timer host', function () {
    const def = defineHsm({ name: 'needs', signals: S, context: ctx, initial: 'a', timers: ['BLINK'], states: { a: { after: { 10: 'a' } } } });
    defErr(
      () => new Hsm(def),
      'NO_TIMERS', undefined,
      /hsm 'needs': the machine declares 2 timers .*run it under the kernel \(kernel\.spawnMachine passes the AO's port\) or pass options\.timers/,
    );
    defErr(() => new Hsm(def, { name: 'n1', timers: { timeEvent: () => -1, arm: () => 0, disarm: () => false } }), 'BAD_OPTION', undefined, /timeEvent\(9\) returned -1/);
  });

  it('UNKNOWN_DELAY and BAD_DELAY', function () {
    defErr(
      () => any({ name: 'd1', signals: S, context: ctx, initial: 'a', states: { a: { after: { slowHalf: 'a' } } } }),
      'UNKNOWN_DELAY', 'a', /hsm 'd1', state 'a': 'after' names delay 'slowHalf', which is not declared in 'delays' \(the spec has no 'delays'\)/,
    );
    defErr(
      () => any({ name: 'd2', signals: S, context: ctx, initial: 'a', delays: { slow: 5, fast: 1 }, states: { a: { every: { medium: 'a' } } } }),
      'UNKNOWN_DELAY', 'a', /'every' names delay 'medium'.*\(declared: slow, fast\)/,
    );
    const range = /is not a delay: a delay is a whole number of milliseconds 0\.\.2147483647, or a name declared in 'delays'/;
    defErr(() => any({ name: 'd3', signals: S, context: ctx, initial: 'a', states: { a: { after: { [-5]: 'a' } } } }), 'BAD_DELAY', 'a', /'after' key '-5'/);
    defErr(() => any({ name: 'd4', signals: S, context: ctx, initial: 'a', states: { a: { after: { 0.5: 'a' } } } }), 'BAD_DELAY', 'a', range);
    defErr(() => any({ name: 'd5', signals: S, context: ctx, initial: 'a', states: { a: { every: { 2147483648: 'a' } } } }), 'BAD_DELAY', 'a', /'every' key '2147483648' is not a delay/);
    assert.doesNotThrow(() => any({ name: 'd5b', signals: S, context: ctx, initial: 'a', states: { a: { after: { 2147483647: 'a' } } } }));
    defErr(() => any({ name: 'd6', signals: S, context: ctx, initial: 'a', states: { a: { every: { 0: 'a' } } } }), 'BAD_DELAY', 'a', /'every' key '0' is a period of 0 ms/);
    defErr(() => any({ name: 'd7', signals: S, context: ctx, initial: 'a', delays: { z: 0 }, states: { a: { every: { z: 'a' } } } }), 'BAD_DELAY', 'a', /period of 0 ms/);
    defErr(() => any({ name: 'd8', signals: S, context: ctx, initial: 'a', delays: { x: -1 }, states: { a: {} } }), 'BAD_DELAY', undefined, /delay 'x' is -1; a delay is a number of milliseconds 0\.\.2147483647/);
    defErr(() => any({ name: 'd9', signals: S, context: ctx, initial: 'a', delays: { x: NaN }, states: { a: {} } }), 'BAD_DELAY', undefined, /delay 'x' is NaN/);
    defErr(() => any({ name: 'd9b', signals: S, context: ctx, initial: 'a', delays: { x: 2 ** 31 }, states: { a: {} } }), 'BAD_DELAY', undefined, /delay 'x' is 2147483648/);
    // A fraction in 'delays' (e.g. a half period from a config) is the host's to round (the kernel's rounds up).
    const half = new FakeTimers();
    const hm = new Hsm(any({ name: 'd9c', signals: S, context: ctx, initial: 'a', delays: { x: 250.5 }, states: { a: { every: { x: 'a' } } } }), { timers: half });
    hm.start();
    assert.deepEqual([half.delay[0], half.period[0]], [251, 251]);
    defErr(() => any({ name: 'd10', signals: S, context: ctx, initial: 'a', delays: { x: '10' }, states: { a: {} } }), 'BAD_SPEC', undefined, /delay 'x' must be a number of milliseconds or a function/);
    defErr(() => any({ name: 'd11', signals: S, context: ctx, initial: 'a', delays: { 10: 5 }, states: { a: {} } }), 'BAD_SPEC', undefined, /delay name '10' reads as a number/);
    defErr(() => any({ name: 'd12', signals: S, context: ctx, initial: 'a', delays: 5, states: { a: {} } }), 'BAD_SPEC', undefined, /'delays' must be an object/);
  });

  it('UNKNOWN_SIGNAL and BAD_SPEC in timers', function () {
    defErr(() => any({ name: 't1', signals: S, context: ctx, initial: 'a', timers: ['NOPE'], states: { a: {} } }), 'UNKNOWN_SIGNAL', undefined, /'timers' names signal 'NOPE', which is not in 'signals'/);
    defErr(() => any({ name: 't2', signals: S, context: ctx, initial: 'a', timers: 'BLINK', states: { a: {} } }), 'BAD_SPEC', undefined, /'timers' must be a list of signal names/);
    defErr(() => any({ name: 't3', signals: S, context: ctx, initial: 'a', timers: ['BLINK', 'BLINK'], states: { a: {} } }), 'BAD_SPEC', undefined, /lists 'BLINK' twice/);
    defErr(() => any({ name: 't4', signals: S, context: ctx, initial: 'a', timers: [3], states: { a: {} } }), 'BAD_SPEC', undefined, /must list signal names/);
  });

  it("BAD_SPEC inside after/every: an unknown key in a transition object, a value that is not a transition, 'after' not an object", function () {
    defErr(
      () => any({ name: 'b1', signals: S, context: ctx, initial: 'a', states: { a: { after: { 500: { target: 'a', gaurd: () => true } } } } }),
      'BAD_SPEC', 'a', /'after\.500' has unknown key 'gaurd' \(expected one of target, guard, action, kind, history\)/,
    );
    defErr(() => any({ name: 'b2', signals: S, context: ctx, initial: 'a', states: { a: { every: { 5: 7 } } } }), 'BAD_SPEC', 'a', /'every\.5' must be a target name, a transition object or a list/);
    defErr(() => any({ name: 'b3', signals: S, context: ctx, initial: 'a', states: { a: { after: 'a' } } }), 'BAD_SPEC', 'a', /'after' must be an object of delay -> transitions/);
    defErr(() => any({ name: 'b4', signals: S, context: ctx, initial: 'a', states: { a: { after: { 5: [] } } } }), 'BAD_SPEC', 'a', /'after\.5' is an empty list/);
    defErr(() => any({ name: 'b5', signals: S, context: ctx, initial: 'a', states: { a: { after: { 5: 'nowhere' } } } }), 'UNKNOWN_TARGET', 'a', /the transition 'after\.5' targets 'nowhere'/);
    defErr(() => any({ name: 'b6', signals: S, context: ctx, initial: 'a', states: { a: { after: { 5: { target: 'a', history: true } } } } }), 'NO_HISTORY', 'a', /'after\.5' enters 'a' through its history/);
    defErr(() => any({ name: 'b7', signals: S, context: ctx, initial: 'a', states: { a: { every: { 5: { kind: 'external' } } } } }), 'BAD_SPEC', 'a', /'every\.5' is internal/);
  });

  it('STATE_KEYS and SPEC_KEYS name after/every and delays/timers', function () {
    defErr(() => any({ name: 'k1', signals: S, context: ctx, initial: 'a', states: { a: { aftr: {} } } }), 'BAD_SPEC', 'a', /unknown key 'aftr' \(expected one of entry, exit, initial, history, on, after, every, defer, states\)/);
    defErr(() => any({ name: 'k2', signals: S, context: ctx, initial: 'a', delay: {}, states: { a: {} } }), 'BAD_SPEC', undefined, /unknown spec key 'delay' \(expected one of name, signals, context, initial, states, delays, timers, maxDepth\)/);
  });

  it('TOO_MANY: the synthetic signals of after/every must stay within HSM_MAX_SIGNAL', function () {
    const top = { LAST: HSM_MAX_SIGNAL - 1 };
    assert.equal(any({ name: 'm1', signals: top, context: ctx, initial: 'a', states: { a: { after: { 1: 'a' } } } }).signalSpan, HSM_MAX_SIGNAL + 1);
    defErr(
      () => any({ name: 'm2', signals: top, context: ctx, initial: 'a', states: { a: { after: { 1: 'a', 2: 'a' } } } }),
      'TOO_MANY', 'a', /'after\.2' needs signal 4096 .*above 4095/,
    );
  });

  it('machines without timers: entry/exit tables and dispatch results unchanged', function () {
    const def = defineHsm({ name: 'plain2', signals: S, context: ctx, initial: 'a', states: { a: { on: { GO: 'b' } }, b: { on: { GO: { action: (c) => { c.n++; } } } } } });
    assert.equal(def.entry[1], undefined);
    assert.equal(def.exit[2], undefined);
    const m = new Hsm(def);
    m.start();
    assert.equal(m.dispatch(S.GO), HSM_TRANSITION);
    assert.equal(m.dispatch(S.GO), HSM_HANDLED);
  });
});

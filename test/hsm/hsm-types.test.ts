// The no-allocation profile at compile time: event parameters and context
// fields are numbers or booleans (or the context is a typed array). Each
// `@ts-expect-error` below must be a type error (`npx tsc` fails on an unused
// one). At run time (DEBUG builds) the same mistakes are definition or usage
// errors; the tests run them where they are checkable.
import { strict as assert } from '../support/assert.js';
import { defineHsm, defineSignals, Hsm, HsmDefinition, HsmDefinitionError, HsmUsageError } from '../../src/hsm.js';

const S = defineSignals(['A', 'B']);

function build<T>(f: () => T): unknown {
  try {
    return f();
  } catch (e) {
    return e;
  }
}

describe('hsm: compile-time profile (@ts-expect-error) and its run-time twin', function () {
  it('a string context field does not compile, and is BAD_CONTEXT at run time', function () {
    const r = build(() =>
      new Hsm(
        // @ts-expect-error: context field 'label' is a string
        defineHsm({ name: 't1', signals: S, context: () => ({ n: 0, label: 'x' }), initial: 'a', states: { a: {} } }),
      ),
    );
    assert.ok(r instanceof HsmDefinitionError && r.code === 'BAD_CONTEXT', String(r));
  });

  it('object and array context fields do not compile, and are BAD_CONTEXT at run time', function () {
    const r1 = build(() =>
      // @ts-expect-error: context field 'pos' is an object
      new Hsm(defineHsm({ name: 't2', signals: S, context: () => ({ pos: { x: 1 } }), initial: 'a', states: { a: {} } })),
    );
    const r2 = build(() =>
      // @ts-expect-error: context field 'xs' is an array
      new Hsm(defineHsm({ name: 't3', signals: S, context: () => ({ xs: [1, 2] }), initial: 'a', states: { a: {} } })),
    );
    assert.ok(r1 instanceof HsmDefinitionError && r1.code === 'BAD_CONTEXT');
    assert.ok(r2 instanceof HsmDefinitionError && r2.code === 'BAD_CONTEXT');
  });

  it('numbers, booleans and typed-array contexts compile and run', function () {
    const m1 = new Hsm(defineHsm({ name: 't4', signals: S, context: () => ({ n: 0, on: false }), initial: 'a', states: { a: { on: { A: { action: (c) => { c.on = true; c.n = 2; } } } } } }));
    m1.start();
    m1.dispatch(S.A);
    assert.deepEqual({ n: m1.ctx.n, on: m1.ctx.on }, { n: 2, on: true });
    const m2 = new Hsm(defineHsm({ name: 't5', signals: S, context: () => new Int32Array(2), initial: 'a', states: { a: { on: { A: { action: (c, p0) => { c[1] = p0; } } } } } }));
    m2.start();
    m2.dispatch(S.A, 9);
    assert.equal(m2.ctx[1], 9);
  });

  it('string and object event parameters do not compile, and are BAD_PARAM at run time', function () {
    const m = new Hsm(defineHsm({ name: 't6', signals: S, context: () => ({ n: 0 }), initial: 'a', states: { a: {} } }));
    m.start();
    // @ts-expect-error: a string parameter
    const r1 = build(() => m.dispatch(S.A, 'hello'));
    // @ts-expect-error: an object parameter
    const r2 = build(() => m.post(S.A, { x: 1 }));
    // @ts-expect-error: a string signal
    const r3 = build(() => m.postUrgent('A'));
    for (const r of [r1, r2, r3]) assert.ok(r instanceof HsmUsageError && r.code === 'BAD_PARAM', String(r));
    assert.equal(m.queued, 0);
  });

  it('handlers that take string or object parameters, non-boolean guards and string writes to the context do not compile', function () {
    // These definitions are compile-time checks only; they are valid at run time, so build them and check they do.
    const defs = [
      defineHsm({
        name: 't7',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            on: {
              // @ts-expect-error: an action whose parameter is a string
              A: { action: (_c: { n: number }, s: string) => { void s; } },
              // @ts-expect-error: a guard that returns a number
              B: { guard: (c: { n: number }) => c.n, target: 'a' },
            },
          },
        },
      }),
      defineHsm({
        name: 't8',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            // @ts-expect-error: writing a string into a number field
            entry: (c) => { c.n = 'x'; },
            on: { A: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.post(S.B, 1, 2, 3, 4); } } },
          },
        },
      }),
    ];
    assert.equal(defs.length, 2);
  });

  it('unknown signal names in on/defer do not compile, and are UNKNOWN_SIGNAL at run time', function () {
    const r1 = build(() =>
      defineHsm({
        name: 't9',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'a',
        // @ts-expect-error: 'C' is not a declared signal
        states: { a: { on: { C: 'a' } } },
      }),
    );
    const r2 = build(() =>
      defineHsm({
        name: 't10',
        signals: S,
        context: () => ({ n: 0 }),
        initial: 'a',
        // @ts-expect-error: 'Z' is not a declared signal
        states: { a: { defer: ['Z'] } },
      }),
    );
    assert.ok(r1 instanceof HsmDefinitionError && r1.code === 'UNKNOWN_SIGNAL');
    assert.ok(r2 instanceof HsmDefinitionError && r2.code === 'UNKNOWN_SIGNAL');
  });
});

describe('hsm: targets, delays and timers are checked at compile time (state names inferred from states)', function () {
  const T = defineSignals(['A', 'B', 'BLINK']);
  const code = (r: unknown): string => (r instanceof HsmDefinitionError ? r.code : String(r));

  it('a target in on that names no state does not compile, and is UNKNOWN_TARGET at run time', function () {
    const r1 = build(() =>
      defineHsm({
        name: 'on-target',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            on: {
              // @ts-expect-error: 'nowhere' is not a state
              A: 'nowhere',
            },
          },
        },
      }),
    );
    const r2 = build(() =>
      defineHsm({
        name: 'on-target-obj',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            on: {
              A: [
                { guard: (c) => c.n > 0, target: 'a' },
                // @ts-expect-error: 'b' is not a state (in a list)
                { target: 'b', action: (c) => { c.n++; } },
              ],
            },
          },
        },
      }),
    );
    assert.equal(code(r1), 'UNKNOWN_TARGET');
    assert.equal(code(r2), 'UNKNOWN_TARGET');
  });

  it('a target in after or every that names no state does not compile, and is UNKNOWN_TARGET at run time', function () {
    const r1 = build(() =>
      defineHsm({
        name: 'after-target',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            after: {
              // @ts-expect-error: 'onn' is not a state
              500: 'onn',
            },
          },
          on: {},
        },
      }),
    );
    const r2 = build(() =>
      defineHsm({
        name: 'every-target',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            every: {
              // @ts-expect-error: 'zz' is not a state
              250: { target: 'zz', action: (c) => { c.n++; } },
            },
          },
        },
      }),
    );
    assert.equal(code(r1), 'UNKNOWN_TARGET');
    assert.equal(code(r2), 'UNKNOWN_TARGET');
  });

  it("an initial target that names no state does not compile (top level, nested, object form)", function () {
    const r1 = build(() =>
      defineHsm({
        name: 'initial-target',
        signals: T,
        context: () => ({ n: 0 }),
        // @ts-expect-error: 'zz' is not a state
        initial: 'zz',
        states: { a: {} },
      }),
    );
    const r2 = build(() =>
      defineHsm({
        name: 'initial-nested',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'p',
        states: {
          p: {
            // @ts-expect-error: 'q2' is not a state
            initial: 'q2',
            states: { q: {} },
          },
        },
      }),
    );
    const r3 = build(() =>
      defineHsm({
        name: 'initial-obj',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'p',
        states: {
          p: {
            // @ts-expect-error: 'q2' is not a state
            initial: { target: 'q2', action: (c) => { c.n = 1; } },
            states: { q: {} },
          },
        },
      }),
    );
    assert.equal(code(r1), 'UNKNOWN_TARGET');
    assert.equal(code(r2), 'UNKNOWN_TARGET');
    assert.equal(code(r3), 'UNKNOWN_TARGET');
  });

  it('targets naming states anywhere in the tree compile (a nested state to a deeper state elsewhere; the top initial to a leaf)', function () {
    const def = defineHsm({
      name: 'deep-ok',
      signals: T,
      context: () => ({ n: 0 }),
      initial: { target: 'leaf', action: (c) => { c.n = 1; } },
      states: {
        a: {
          initial: 'a1',
          states: {
            a1: { on: { A: 'leaf', B: { target: 'b2', history: false } }, after: { 10: 'b1' } },
          },
        },
        b: {
          initial: 'b1',
          states: {
            b1: { every: { 5: { target: 'a1', kind: 'external' } } },
            b2: { initial: 'b3', states: { b3: { initial: 'leaf', states: { leaf: { on: { A: 'a' } } } } } },
          },
        },
      },
    });
    assert.equal(def.stateCount, 8);
    assert.equal(def.timerCount, 2);
  });

  it('after/every keys: numbers or names from delays; anything else does not compile', function () {
    const r1 = build(() =>
      defineHsm({
        name: 'delay-name',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        delays: { slow: (c) => c.n * 10, fast: 5 },
        states: {
          a: {
            after: {
              slow: 'a',
              // @ts-expect-error: 'medium' is not declared in delays
              medium: 'a',
            },
            every: { fast: { action: (c) => { c.n++; } }, 100: { action: () => {} } },
          },
        },
      }),
    );
    const r2 = build(() =>
      defineHsm({
        name: 'delay-neg',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            after: {
              // @ts-expect-error: a negative delay
              [-5]: 'a',
            },
          },
        },
      }),
    );
    const r3 = build(() =>
      defineHsm({
        name: 'delay-frac',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            after: {
              // @ts-expect-error: a fraction of a ms
              0.5: 'a',
            },
          },
        },
      }),
    );
    const r4 = build(() =>
      defineHsm({
        name: 'delay-fn',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        // @ts-expect-error: a delay function returns a number
        delays: { d: (c) => `${c.n}` },
        states: { a: { after: { d: 'a' } } },
      }),
    );
    assert.equal(code(r1), 'UNKNOWN_DELAY');
    assert.equal(code(r2), 'BAD_DELAY');
    assert.equal(code(r3), 'BAD_DELAY');
    assert.ok(r4 instanceof HsmDefinition, 'a function is accepted at definition (its result is checked by the timer host)');
  });

  it("an unknown key in an after transition object does not compile, and is BAD_SPEC at run time", function () {
    const r = build(() =>
      defineHsm({
        name: 'after-key',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        states: {
          a: {
            after: {
              // @ts-expect-error: 'gaurd' is not a transition key
              500: { target: 'a', gaurd: () => true },
            },
          },
        },
      }),
    );
    assert.equal(code(r), 'BAD_SPEC');
  });

  it('timers name declared signals; hsm.arm takes the signal number, not the name', function () {
    const r = build(() =>
      defineHsm({
        name: 'timers-sig',
        signals: T,
        context: () => ({ n: 0 }),
        initial: 'a',
        // @ts-expect-error: 'BLNK' is not a signal
        timers: ['BLNK'],
        states: { a: {} },
      }),
    );
    assert.equal(code(r), 'UNKNOWN_SIGNAL');
    const def = defineHsm({
      name: 'timers-ok',
      signals: T,
      context: () => ({ n: 0 }),
      initial: 'a',
      timers: ['BLINK'],
      states: { a: { entry: (_c, m) => { m.arm(T.BLINK, 250, 250); }, on: { BLINK: { action: (c) => { c.n++; } } } } },
    });
    const host = { timeEvent: () => 0, arm: () => 0, disarm: () => false };
    const m = new Hsm(def, { timers: host });
    m.start();
    // @ts-expect-error: the name, not the number
    const e = build(() => m.arm('BLINK', 10));
    assert.ok(e instanceof HsmUsageError && e.code === 'NOT_A_TIMER', String(e));
  });
});

// The no-allocation profile at compile time: event parameters and context
// fields are numbers or booleans (or the context is a typed array). Each
// `@ts-expect-error` below must be a type error (`npx tsc` fails on an unused
// one). At run time (DEBUG builds) the same mistakes are definition or usage
// errors; the tests run them where they are checkable.
import { strict as assert } from './support/assert.js';
import { defineHsm, defineSignals, Hsm, HsmDefinitionError, HsmUsageError } from '../src/hsm.js';

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

// The definition-error catalogue: each mistake throws a named error with a
// code, the machine's name, the state, what is wrong and what to change.
// Plus run-time misuse (HsmUsageError): re-entrant dispatch, dispatch before
// start, start twice, non-number parameters (DEBUG).
import { strict as assert } from '../support/assert.js';
import {
  defineHsm,
  defineSignals,
  Hsm,
  HsmDefinitionError,
  HsmUsageError,
  HSM_DEFAULT_MAX_DEPTH,
  type HsmDefinitionErrorCode,
  type HsmUsageErrorCode,
} from '../../src/hsm.js';
import { KeelError } from '../../src/errors.js';

const S = defineSignals(['A', 'B']);

function defErr(fn: () => unknown, code: HsmDefinitionErrorCode, state: string | undefined, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof HsmDefinitionError, `expected HsmDefinitionError ${code}, got ${String(caught)}`);
  assert.ok(caught instanceof KeelError);
  assert.equal(caught.name, 'HsmDefinitionError');
  assert.equal(caught.code, code);
  assert.equal(caught.state, state);
  assert.ok(re.test(caught.message), `message: ${caught.message}`);
  assert.ok(caught.message.indexOf(`hsm '${caught.machine}'`) === 0, caught.message);
}

function useErr(fn: () => unknown, code: HsmUsageErrorCode, re: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof HsmUsageError, `expected HsmUsageError ${code}, got ${String(caught)}`);
  assert.equal(caught.name, 'HsmUsageError');
  assert.equal(caught.code, code);
  assert.ok(re.test(caught.message), `message: ${caught.message}`);
}

const ctx = () => ({ n: 0 });
const any = (spec: object) => defineHsm(spec as never);

describe('hsm: definition errors (named, with machine, state and what to change)', function () {
  it('UNKNOWN_TARGET: a transition to a state that does not exist', function () {
    defErr(
      // @ts-expect-error: 'nowhere' is not a state (compile time too)
      () => defineHsm({ name: 'm1', signals: S, context: ctx, initial: 'a', states: { a: { on: { A: 'nowhere' } } } }),
      'UNKNOWN_TARGET', 'a', /hsm 'm1', state 'a': the transition on 'A' targets 'nowhere', which is not a state/,
    );
    // @ts-expect-error: 'zz' is not a state (compile time too)
    defErr(() => defineHsm({ name: 'm1b', signals: S, context: ctx, initial: 'zz', states: { a: {} } }), 'UNKNOWN_TARGET', 'top', /targets 'zz'/);
  });

  it('NO_INITIAL: a composite state without an initial transition', function () {
    defErr(
      () => defineHsm({ name: 'm2', signals: S, context: ctx, initial: 'p', states: { p: { states: { c: {} } } } }),
      'NO_INITIAL', 'p', /composite state has no initial transition; add 'initial'/,
    );
  });

  it('INITIAL_NOT_DESCENDANT: an initial transition to a state outside the composite', function () {
    defErr(
      () => defineHsm({ name: 'm3', signals: S, context: ctx, initial: 'p', states: { p: { initial: 'q', states: { c: {} } }, q: {} } }),
      'INITIAL_NOT_DESCENDANT', 'p', /targets 'q', which is not a substate of 'p'/,
    );
    defErr(
      () => defineHsm({ name: 'm3b', signals: S, context: ctx, initial: 'p', states: { p: { initial: 'p', states: { c: {} } } } }),
      'INITIAL_NOT_DESCENDANT', 'p', /not a substate/,
    );
  });

  it('DUPLICATE_STATE: the same name twice (anywhere in the tree), or the reserved name top', function () {
    defErr(
      () => defineHsm({ name: 'm4', signals: S, context: ctx, initial: 'a', states: { a: { initial: 'x', states: { x: {} } }, b: { initial: 'x', states: { x: {} } } } }),
      'DUPLICATE_STATE', 'x', /the name 'x' is used twice/,
    );
    defErr(() => defineHsm({ name: 'm4b', signals: S, context: ctx, initial: 'top', states: { top: {} } }), 'DUPLICATE_STATE', 'top', /implicit root/);
  });

  it(`DEPTH_LIMIT: nesting deeper than maxDepth (default ${HSM_DEFAULT_MAX_DEPTH})`, function () {
    const chain = (n: number): object => (n === 1 ? {} : { initial: 'd' + (n - 1), states: { ['d' + (n - 1)]: chain(n - 1) } });
    const spec = (depth: number, maxDepth?: number) => ({ name: 'm5', signals: S, context: ctx, initial: 'd' + depth, states: { ['d' + depth]: chain(depth) }, maxDepth });
    assert.equal(any(spec(HSM_DEFAULT_MAX_DEPTH)).maxDepth, HSM_DEFAULT_MAX_DEPTH);
    defErr(() => any(spec(HSM_DEFAULT_MAX_DEPTH + 1)), 'DEPTH_LIMIT', 'd1', /nesting depth 9 exceeds the limit 8; flatten the tree or raise 'maxDepth'/);
    defErr(() => any(spec(5, 4)), 'DEPTH_LIMIT', 'd1', /depth 5 exceeds the limit 4/);
    assert.equal(any(spec(12, 12)).maxDepth, 12);
  });

  it('UNKNOWN_SIGNAL: a transition or deferral on a signal not in `signals`', function () {
    defErr(() => any({ name: 'm6', signals: S, context: ctx, initial: 'a', states: { a: { on: { C: 'a' } } } }), 'UNKNOWN_SIGNAL', 'a', /names signal 'C', which is not in 'signals'/);
    defErr(() => any({ name: 'm6b', signals: S, context: ctx, initial: 'a', states: { a: { defer: ['Z'] } } }), 'UNKNOWN_SIGNAL', 'a', /'defer' names signal 'Z'/);
  });

  it('bad signals: values out of range, shared values, names listed twice', function () {
    defErr(() => any({ name: 'm7', signals: { A: 0 }, context: ctx, initial: 'a', states: { a: {} } }), 'BAD_SIGNAL', undefined, /signal 'A' has value 0; signals are integers 1\.\.4095/);
    defErr(() => any({ name: 'm7b', signals: { A: 1, B: 1 }, context: ctx, initial: 'a', states: { a: {} } }), 'DUPLICATE_SIGNAL', undefined, /'A' and 'B' share the value 1/);
    defErr(() => defineSignals(['X', 'X']), 'DUPLICATE_SIGNAL', undefined, /'X' is listed twice/);
  });

  it('other structural mistakes: initial on a leaf, history on a leaf or missing, defer conflicts, unknown keys, no states', function () {
    defErr(() => any({ name: 'm8', signals: S, context: ctx, initial: 'a', states: { a: { initial: 'a' } } }), 'INITIAL_ON_LEAF', 'a', /without substates cannot have 'initial'/);
    defErr(() => any({ name: 'm8b', signals: S, context: ctx, initial: 'a', states: { a: { history: 'deep' } } }), 'HISTORY_ON_LEAF', 'a', /needs substates/);
    defErr(
      () => any({ name: 'm8c', signals: S, context: ctx, initial: 'a', states: { a: { on: { A: { target: 'p', history: true } } }, p: { initial: 'c', states: { c: {} } } } }),
      'NO_HISTORY', 'a', /enters 'p' through its history, but that state declares no 'history'/,
    );
    defErr(() => any({ name: 'm8d', signals: S, context: ctx, initial: 'a', states: { a: { defer: ['A'], on: { A: {} } } } }), 'DEFER_CONFLICT', 'a', /both deferred and handled/);
    defErr(() => any({ name: 'm8e', signals: S, context: ctx, initial: 'a', states: { a: { entery: () => {} } } }), 'BAD_SPEC', 'a', /unknown key 'entery'/);
    defErr(() => any({ name: 'm8f', signals: S, context: ctx, initial: 'a', states: {} }), 'NO_STATES', undefined, /at least one state/);
    defErr(() => any({ name: 'm8g', signals: S, context: ctx, initial: 'a', states: { a: { on: { A: { target: 'a', kind: 'sideways' } } } } }), 'BAD_SPEC', 'a', /'local' or 'external'/);
    defErr(() => any({ name: '', signals: S, context: ctx, initial: 'a', states: { a: {} } }), 'BAD_SPEC', undefined, /non-empty 'name'/);
  });

  it('BAD_CONTEXT (debug builds): a context field that is not a number or boolean', function () {
    const def = any({ name: 'm9', signals: S, context: () => ({ n: 0, label: 'x' }), initial: 'a', states: { a: {} } });
    defErr(() => new Hsm(def), 'BAD_CONTEXT', undefined, /context field 'label' is a string; the no-allocation profile allows numbers and booleans only/);
    const def2 = any({ name: 'm9b', signals: S, context: () => ({ buf: [1, 2] }), initial: 'a', states: { a: {} } });
    defErr(() => new Hsm(def2), 'BAD_CONTEXT', undefined, /context field 'buf' is a object/);
    const def3 = any({ name: 'm9c', signals: S, context: () => new Float64Array(4), initial: 'a', states: { a: {} } });
    assert.doesNotThrow(() => new Hsm(def3));
  });

  it('BAD_OPTION: capacities and overflow policy', function () {
    const def = any({ name: 'm10', signals: S, context: ctx, initial: 'a', states: { a: { defer: ['A'] } } });
    defErr(() => new Hsm(def, { deferCapacity: 0 }), 'BAD_OPTION', undefined, /deferCapacity is 0 but some state defers/);
    defErr(() => new Hsm(def, { queueCapacity: 0 }), 'BAD_OPTION', undefined, /queueCapacity 0 is out of range/);
    defErr(() => new Hsm(def, { deferOverflow: 'explode' as never }), 'BAD_OPTION', undefined, /'reject' or 'drop-oldest'/);
  });
});

describe('hsm: usage errors', function () {
  it('REENTRANT_DISPATCH: an action that dispatches instead of posting', function () {
    const def = defineHsm({
      name: 'reent',
      signals: S,
      context: ctx,
      initial: 'a',
      states: { a: { on: { A: { action: (_c, _p0, _p1, _p2, _p3, m) => { m.dispatch(S.B); } }, B: { action: (c) => { c.n++; } } } } },
    });
    const m = new Hsm(def);
    m.start();
    useErr(() => m.dispatch(S.A), 'REENTRANT_DISPATCH', /hsm 'reent': dispatch\(\) called while the machine \(in 'a'\) is still inside a dispatch.*post\(\) instead/);
    assert.equal(m.ctx.n, 0);
  });

  it('REENTRANT_DISPATCH from a guard and from an entry action; start() from an action', function () {
    const def = defineHsm({
      name: 'reent2',
      signals: S,
      context: ctx,
      initial: 'a',
      states: {
        a: { on: { A: { guard: (_c, _p0, _p1, _p2, _p3, m) => m.dispatch(S.A) === 0, target: 'b' }, B: 'b' } },
        b: { entry: (_c, m) => { m.start(); } },
      },
    });
    const m1 = new Hsm(def);
    m1.start();
    useErr(() => m1.dispatch(S.A), 'REENTRANT_DISPATCH', /inside a dispatch/);
    const m2 = new Hsm(def);
    m2.start();
    useErr(() => m2.dispatch(S.B), 'REENTRANT_DISPATCH', /start\(\) called from inside an action/);
  });

  it('NOT_STARTED, ALREADY_STARTED, BAD_PARAM (debug builds)', function () {
    const def = defineHsm({ name: 'use', signals: S, context: ctx, initial: 'a', states: { a: {} } });
    const m = new Hsm(def);
    useErr(() => m.dispatch(S.A), 'NOT_STARTED', /dispatch\(\) before start\(\)/);
    m.start();
    useErr(() => m.start(), 'ALREADY_STARTED', /start\(\) called twice/);
    useErr(() => m.dispatch(S.A, 'x' as never), 'BAD_PARAM', /must be numbers/);
    useErr(() => m.post(S.A, {} as never), 'BAD_PARAM', /must be numbers/);
    assert.equal(m.queued, 0);
  });
});

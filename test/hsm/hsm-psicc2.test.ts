// PSiCC2 test machine (QHsmTst): the book's published trace, event by event,
// then every signal A..I tried in every leaf configuration (s11 / s211, foo 0 / 1)
// against expectations written out by hand from the statechart.
import { strict as assert } from '../support/assert.js';
import { Hsm, HSM_HANDLED, HSM_IGNORED, HSM_TRANSITION } from '../../src/hsm.js';
import { psicc2, PS, TraceLog, type PsCtx } from './hsm-psicc2.fixture.js';

function make(): { m: Hsm<PsCtx>; log: TraceLog } {
  const log = new TraceLog();
  const m = new Hsm(psicc2(log.mark));
  return { m, log };
}

// Samek, PSiCC2 2nd ed., section 2.3.15 (QHsmTst), the published run.
const BOOK: ReadonlyArray<readonly [keyof typeof PS, string]> = [
  ['A', 's21-A;s211-EXIT;s21-EXIT;s21-ENTRY;s21-INIT;s211-ENTRY;'],
  ['B', 's21-B;s211-EXIT;s211-ENTRY;'],
  ['D', 's211-D;s211-EXIT;s21-INIT;s211-ENTRY;'],
  ['E', 's-E;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;'],
  ['I', 's1-I;'],
  ['F', 's1-F;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;'],
  ['I', 's2-I;'],
  ['I', 's-I;'],
  ['F', 's2-F;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;'],
  ['A', 's1-A;s11-EXIT;s1-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;'],
  ['B', 's1-B;s11-EXIT;s11-ENTRY;'],
  ['D', 's1-D;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;'],
  ['D', 's11-D;s11-EXIT;s1-INIT;s11-ENTRY;'],
  ['E', 's-E;s11-EXIT;s1-EXIT;s1-ENTRY;s11-ENTRY;'],
  ['G', 's11-G;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;'],
  ['H', 's211-H;s211-EXIT;s21-EXIT;s2-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;'],
  ['H', 's11-H;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;'],
  ['C', 's1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;'],
  ['G', 's21-G;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;'],
  ['C', 's1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;'],
  ['C', 's2-C;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;'],
];

// Every signal in every leaf configuration: [leaf, foo before, signal, trace, leaf after, foo after].
type Row = readonly [string, number, keyof typeof PS, string, string, number];
const ALL: readonly Row[] = [
  ['s11', 0, 'A', 's1-A;s11-EXIT;s1-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 0],
  ['s11', 0, 'B', 's1-B;s11-EXIT;s11-ENTRY;', 's11', 0],
  ['s11', 0, 'C', 's1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;', 's211', 0],
  ['s11', 0, 'D', 's1-D;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s11', 0, 'E', 's-E;s11-EXIT;s1-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 0],
  ['s11', 0, 'F', 's1-F;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;', 's211', 0],
  ['s11', 0, 'G', 's11-G;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;', 's211', 0],
  ['s11', 0, 'H', 's11-H;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;', 's11', 0],
  ['s11', 0, 'I', 's1-I;', 's11', 0],
  ['s11', 1, 'A', 's1-A;s11-EXIT;s1-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 1],
  ['s11', 1, 'B', 's1-B;s11-EXIT;s11-ENTRY;', 's11', 1],
  ['s11', 1, 'C', 's1-C;s11-EXIT;s1-EXIT;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;', 's211', 1],
  ['s11', 1, 'D', 's11-D;s11-EXIT;s1-INIT;s11-ENTRY;', 's11', 0],
  ['s11', 1, 'E', 's-E;s11-EXIT;s1-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s11', 1, 'F', 's1-F;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;', 's211', 1],
  ['s11', 1, 'G', 's11-G;s11-EXIT;s1-EXIT;s2-ENTRY;s21-ENTRY;s211-ENTRY;', 's211', 1],
  ['s11', 1, 'H', 's11-H;s11-EXIT;s1-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s11', 1, 'I', 's1-I;', 's11', 1],
  ['s211', 0, 'A', 's21-A;s211-EXIT;s21-EXIT;s21-ENTRY;s21-INIT;s211-ENTRY;', 's211', 0],
  ['s211', 0, 'B', 's21-B;s211-EXIT;s211-ENTRY;', 's211', 0],
  ['s211', 0, 'C', 's2-C;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 0],
  ['s211', 0, 'D', 's211-D;s211-EXIT;s21-INIT;s211-ENTRY;', 's211', 0],
  ['s211', 0, 'E', 's-E;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 0],
  ['s211', 0, 'F', 's2-F;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 0],
  ['s211', 0, 'G', 's21-G;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 0],
  ['s211', 0, 'H', 's211-H;s211-EXIT;s21-EXIT;s2-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;', 's11', 0],
  ['s211', 0, 'I', 's2-I;', 's211', 1],
  ['s211', 1, 'A', 's21-A;s211-EXIT;s21-EXIT;s21-ENTRY;s21-INIT;s211-ENTRY;', 's211', 1],
  ['s211', 1, 'B', 's21-B;s211-EXIT;s211-ENTRY;', 's211', 1],
  ['s211', 1, 'C', 's2-C;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 1],
  ['s211', 1, 'D', 's211-D;s211-EXIT;s21-INIT;s211-ENTRY;', 's211', 1],
  ['s211', 1, 'E', 's-E;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s211', 1, 'F', 's2-F;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s211', 1, 'G', 's21-G;s211-EXIT;s21-EXIT;s2-EXIT;s1-ENTRY;s1-INIT;s11-ENTRY;', 's11', 1],
  ['s211', 1, 'H', 's211-H;s211-EXIT;s21-EXIT;s2-EXIT;s-INIT;s1-ENTRY;s11-ENTRY;', 's11', 1],
  ['s211', 1, 'I', 's-I;', 's211', 0],
];

describe('hsm: PSiCC2 test machine (QHsmTst)', function () {
  it('start: top-INIT;s-ENTRY;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;', function () {
    const { m, log } = make();
    m.start();
    assert.equal(log.take(), 'top-INIT;s-ENTRY;s2-ENTRY;s2-INIT;s21-ENTRY;s211-ENTRY;');
    assert.equal(m.currentName, 's211');
    assert.equal(m.ctx.foo, 0);
  });

  it("reproduces the book's published trace, event by event (A B D E I F I I F A B D D E G H H C G C C)", function () {
    const { m, log } = make();
    m.start();
    log.take();
    const got: string[] = [];
    const want: string[] = [];
    for (const [sig, trace] of BOOK) {
      const r = m.dispatch(PS[sig]);
      got.push(sig + ': ' + log.take());
      want.push(sig + ': ' + trace);
      assert.equal(r, trace.indexOf('-EXIT;') >= 0 || trace.indexOf('-INIT;') >= 0 ? HSM_TRANSITION : HSM_HANDLED, `result of ${sig}`);
    }
    for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `event #${i + 1}`);
    assert.equal(m.ignored, 0);
    assert.equal(m.currentName, 's11');
  });

  for (const [leaf, foo, sig, trace, after, fooAfter] of ALL) {
    it(`${leaf} (foo=${foo}) + ${sig} -> ${trace}`, function () {
      const { m, log } = make();
      m.start();
      if (leaf === 's11') m.dispatch(PS.E); // s211 -> s11 (s-E)
      m.ctx.foo = foo;
      assert.equal(m.currentName, leaf);
      log.take();
      m.dispatch(PS[sig]);
      assert.equal(log.take(), trace);
      assert.equal(m.currentName, after);
      assert.equal(m.ctx.foo, fooAfter);
      assert.ok(m.isIn('s') && m.isIn(after) && m.isIn('top'));
    });
  }

  it('signals outside A..I are ignored and counted, with no trace', function () {
    const { m, log } = make();
    m.start();
    log.take();
    assert.equal(m.dispatch(0), HSM_IGNORED);
    assert.equal(m.dispatch(10), HSM_IGNORED);
    assert.equal(m.dispatch(4095), HSM_IGNORED);
    assert.equal(log.take(), '');
    assert.equal(m.ignored, 3);
    assert.equal(m.currentName, 's211');
  });

  it('introspection: names, parents, transitions, isIn', function () {
    const { m } = make();
    const d = m.definition;
    assert.deepEqual(d.stateNames, ['top', 's', 's1', 's11', 's2', 's21', 's211']);
    assert.deepEqual(
      d.stateNames.map((_, i) => d.parentOf(i)),
      [-1, 0, 1, 2, 1, 4, 5],
    );
    assert.equal(d.maxDepth, 4); // s 1, s2 2, s21 3, s211 4
    const tr = d.transitions();
    assert.equal(tr.length, 19);
    assert.deepEqual(tr[0], { source: 's', signal: 'E', target: 's11', kind: 'local', guarded: false, history: false, lca: 's' });
    const h = tr.find((t) => t.source === 's11' && t.signal === 'H')!;
    assert.deepEqual(h, { source: 's11', signal: 'H', target: 's', kind: 'local', guarded: false, history: false, lca: 's' });
    const c = tr.find((t) => t.source === 's1' && t.signal === 'C')!;
    assert.equal(c.kind, 'external');
    assert.equal(c.lca, 's');
    assert.equal(tr.find((t) => t.source === 's1' && t.signal === 'A')!.kind, 'self');
    assert.equal(tr.find((t) => t.source === 's1' && t.signal === 'I')!.kind, 'internal');
    assert.equal(m.current, -1);
    assert.equal(m.isIn('s'), false);
    m.start();
    assert.equal(m.current, d.idOf('s211'));
    assert.ok(m.isIn(d.idOf('s21')) && m.isIn('s2') && !m.isIn('s1') && !m.isIn('nope'));
  });
});

// 'compact' machines (src/trace.ts TraceOptions.machines, the default): one
// DISPATCH record per transition, expanded by the decoder
// (tools/trace/expand.ts) from the dictionary. The expanded records of a
// machine equal, record for record, what a 'full' machine writes for the same
// run: PSiCC2's book sequence (test/hsm/hsm-psicc2.fixture.ts, whose exact
// entry/exit order test/trace/trace.test.ts checks against the fixture's log), and
// the history fixture (test/hsm/hsm-trace.fixture.ts), including history entries.
import { strict as assert } from 'node:assert';
import { defineHsm, defineSignals, Hsm, type HsmDefinition } from '../../src/hsm.js';
import { Kernel } from '../../src/kernel.js';
import { Trace, TRACE_DISPATCH, TRACE_FLAG_IMPLIED, TRACE_FLAG_SENDER_MASK, TRACE_INIT, TRACE_POST } from '../../src/trace.js';
import { TraceCapture } from '../../hosts/sim/trace-capture.js';
import { decodeTrace, type DecodedTrace } from '../../tools/trace/decode.js';
import { expandRecord } from '../../tools/trace/expand.js';
import { formatLine, TraceNames } from '../../tools/trace/format.js';
import { psicc2, PS } from '../hsm/hsm-psicc2.fixture.js';
import { traced } from '../hsm/hsm-trace.fixture.js';

type Tuple = [kind: number, state: number, aux: number, signal: number, p0: number, p1: number];

/** Every record of the full ring, as tuples (the ring is left empty). */
function ringTuples(tr: Trace): Tuple[] {
  const out: Tuple[] = [];
  for (let k = 0; k < tr.length; k++) out.push([tr.kindAt(k), tr.stateAt(k), tr.auxAt(k), tr.signalAt(k), tr.p0At(k), tr.p1At(k)]);
  tr.clear();
  return out;
}

/** Runs `drive` with a compact trace captured into .ktr bytes; returns the decoded trace. */
function captureCompact(make: (tr: Trace) => { definition: HsmDefinition<any> }, drive: () => void): DecodedTrace {
  const tr = new Trace({ clock: () => 0, capacity: 4096 });
  make(tr);
  const chunks: Uint8Array[] = [];
  const cap = new TraceCapture(tr, (c) => chunks.push(c), { host: 'test' });
  // No definitions passed: the registry's TraceObject.definition is enough.
  cap.begin();
  drive();
  cap.drain();
  cap.finish(0, []);
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return decodeTrace(bytes);
}

const tuples = (d: DecodedTrace): Tuple[] => d.records.map((r) => [r.kind, r.state, r.aux, r.signal, r.p0, r.p1]);

const BOOK = [PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C, 9999];

describe('trace: compact machines (expanded by the decoder)', function () {
  it("PSiCC2's book sequence: the expanded records equal the full machine's, record for record; one record per event on the wire", function () {
    const full = new Trace({ machines: 'full', clock: () => 0, capacity: 4096 });
    const mf = new Hsm(psicc2(() => {}), { trace: full });
    mf.start();
    for (let i = 0; i < BOOK.length; i++) mf.dispatch(BOOK[i]!, i, i / 4, 0, 0);
    const want = ringTuples(full);

    let m: Hsm<any> | null = null;
    const d = captureCompact(
      (tr) => (m = new Hsm(psicc2(() => {}), { trace: tr })),
      () => {
        m!.start();
        for (let i = 0; i < BOOK.length; i++) m!.dispatch(BOOK[i]!, i, i / 4, 0, 0);
      },
    );
    assert.deepEqual(tuples(d), want);
    assert.ok(want.length > 5 * BOOK.length, `${want.length} full records`);
    // On the wire: one INIT for start(), one record per event.
    assert.equal(d.recordsRead, 1 + BOOK.length);
    assert.equal(d.end!.recordsWritten, d.recordsRead);
    assert.equal(d.records.filter((r) => !r.implied).length, BOOK.length, 'each DISPATCH is the wire record; the start INIT is expanded');
    assert.ok(d.records.every((r) => r.expandError === undefined));
    // The DISPATCH of a transition names it.
    const first = d.records.find((r) => r.kind === TRACE_DISPATCH)!;
    const taken = psicc2(() => {}).transitions()[first.transition!]!;
    assert.deepEqual([taken.source, taken.signal, taken.target], ['s21', 'A', 's21'], "the book's first event (in s211): s21's self-transition on A");
    // keel trace's readable lines: an implied record shows its DISPATCH's seq followed by '+'.
    const names = new TraceNames(d.objects);
    const lines = d.records.map((r) => formatLine(r, names, 0));
    const marked = lines.filter((l) => /#\d+\+/.test(l)).length;
    assert.equal(marked, d.records.filter((r) => r.implied === true).length);
    assert.equal(lines.length - marked, BOOK.length, 'the wire records carry no mark');
    const dispatch = d.records.indexOf(first);
    assert.match(lines[dispatch]!, new RegExp(`#${first.seq} `));
    assert.match(lines[dispatch + 1]!, new RegExp(`#${first.seq}\\+`), 'the records a DISPATCH implies follow it with its seq');
  });

  it('history entries and states without handlers (the history fixture): expanded = full, call for call', function () {
    const S = defineSignals(['NEXT', 'LEAVE', 'BACK', 'DEEP']);
    const spec = {
      name: 'bare',
      signals: S,
      context: () => ({ n: 0 }),
      initial: 'h',
      states: {
        h: {
          history: 'shallow',
          initial: 'h1',
          on: { LEAVE: 'o' },
          states: { h1: { initial: 'h11', states: { h11: { on: { NEXT: 'h12' } }, h12: {} } } },
        },
        o: { on: { BACK: { target: 'h', history: true }, NEXT: 'o' } },
      },
    } as const;
    const seq = [S.NEXT, S.LEAVE, S.BACK, S.NEXT, S.LEAVE, S.NEXT, S.BACK, S.LEAVE, S.BACK];
    const full = new Trace({ machines: 'full', clock: () => 0, capacity: 512 });
    const t = traced(spec, { trace: full });
    for (const s of seq) t.m.dispatch(s, 0, 0, 0, 0);
    const want = ringTuples(full);

    let m: Hsm<any> | null = null;
    const d = captureCompact(
      (tr) => (m = new Hsm(defineHsm(spec), { trace: tr })),
      () => {
        m!.start();
        for (const s of seq) m!.dispatch(s, 0, 0, 0, 0);
      },
    );
    assert.deepEqual(tuples(d), want);
    // Each BACK (a history transition) adds one INIT + HISTORY record on the wire.
    assert.equal(d.recordsRead, 1 + seq.length + 3);
  });

  it('a kernel: POST records say which AO posted from its dispatch (flags = slot + 1; 0 from outside)', function () {
    const T = defineSignals(['PING', 'PONG']);
    const tr = new Trace({ clock: () => 0, capacity: 64 });
    const k = new Kernel({ name: 'k', maxObjects: 2, trace: tr });
    let other = -1;
    const a = k.spawnMachine(defineHsm({ name: 'a', signals: T, context: () => ({}), initial: 's', states: { s: { on: { PING: { target: 's', action: () => { k.post(other, T.PONG); } } } } } }), { priority: 2, queueCapacity: 4 });
    const b = k.spawnMachine(defineHsm({ name: 'b', signals: T, context: () => ({}), initial: 's', states: { s: { on: { PONG: 's' } } } }), { priority: 1, queueCapacity: 4 });
    other = b.ao;
    k.run();
    tr.clear();
    k.post(a.ao, T.PING);
    k.run();
    const posts: number[][] = [];
    for (let i = 0; i < tr.length; i++) if (tr.kindAt(i) === TRACE_POST) posts.push([tr.objectAt(i), tr.flagsAt(i) & TRACE_FLAG_SENDER_MASK]);
    assert.deepEqual(posts, [
      [k.traceIdOf(a.ao), 0],
      [k.traceIdOf(b.ao), a.ao + 1],
    ]);
    // The sender's object id: the kernel's id + 1 + slot.
    assert.equal(k.traceId + 1 + (posts[1]![1]! - 1), k.traceIdOf(a.ao));
    // The registry carries the machine's definition and the registered capacities.
    assert.equal(tr.object(a.hsm.traceId).definition, a.hsm.definition);
  });

  it('the expander never throws: unknown objects, bad transition ids and states pass through with expandError', function () {
    const def = psicc2(() => {});
    const objects = new Map([[1, { id: 1, type: 'hsm' as const, name: 'm', capacity: 0, link: 0, states: def.describe().states.map((s, i) => ({ name: s.name, parent: def.parentOf(i), initial: s.initial === null ? -1 : def.idOf(s.initial) })), signals: [], transitions: [] }]]);
    const base = { offset: 0, seq: 0, time: 0, t: 0, object: 1, signal: 1, p0: 0, p1: 0 };
    for (const r of [
      { ...base, kind: TRACE_DISPATCH, flags: TRACE_FLAG_IMPLIED, state: 2, aux: 0 },
      { ...base, kind: TRACE_DISPATCH, flags: TRACE_FLAG_IMPLIED, state: 2, aux: 0, object: 9 },
      { ...base, kind: TRACE_INIT, flags: TRACE_FLAG_IMPLIED, state: 999, aux: 0 },
      { ...base, kind: TRACE_INIT, flags: TRACE_FLAG_IMPLIED | 2, state: 1, aux: 999 },
    ]) {
      const out: unknown[] = [];
      expandRecord(r, objects, (x) => out.push(x));
      assert.equal(out.length, 1);
      assert.equal(typeof (out[0] as { expandError?: string }).expandError, 'string');
    }
  });
});

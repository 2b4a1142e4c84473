// hsm bench: Keel's table-driven Hsm against hand-written switches (the
// fastest possible code for the same machine), against XState 5 and robot3
// (peers), and 8 states against 256 states (dispatch must not grow with the
// number of states or signals). Every handler bumps a typed-array counter, in
// every implementation, so all cases do the same observable work.
import './hsm-console-shim.js';
import { defineBench } from './harness.js';
import { defineHsm, defineSignals, Hsm } from '../src/hsm.js';
import { psicc2, PS, ENTRY, EXIT, INIT, ACT, S, S1, S11, S2, S21, S211, TraceLog, type Mark } from '../test/hsm/hsm-psicc2.fixture.js';
import { compiledMachine } from '../tools/hsm-aot/load.js';
import { createMachine, createActor, assign } from 'xstate';
import { createMachine as robotMachine, state as robotState, transition as robotTransition, interpret as robotInterpret, action as robotAction } from 'robot3';

const BOOK = [PS.A, PS.B, PS.D, PS.E, PS.I, PS.F, PS.I, PS.I, PS.F, PS.A, PS.B, PS.D, PS.D, PS.E, PS.G, PS.H, PS.H, PS.C, PS.G, PS.C, PS.C];
const BOOK_NAMES = ['A', 'B', 'D', 'E', 'I', 'F', 'I', 'I', 'F', 'A', 'B', 'D', 'D', 'E', 'G', 'H', 'H', 'C', 'G', 'C', 'C'];

// ---------------------------------------------------------------------------
// Flat 3-state machine: a -NEXT-> b -NEXT-> c -NEXT-> a, TICK internal in each.
// ---------------------------------------------------------------------------
const F = defineSignals(['NEXT', 'TICK']);
const FLAT_SEQ = [F.NEXT, F.TICK, F.NEXT, F.TICK, F.TICK, F.NEXT]; // 3 transitions, 3 internal

interface FlatHandlers {
  enter: () => void;
  exit: () => void;
  tick: (c: { ticks: number }) => void;
}
function flatHandlers(counts: Int32Array): FlatHandlers {
  return {
    enter: () => { counts[0]!++; },
    exit: () => { counts[1]!++; },
    tick: (c) => { c.ticks++; },
  };
}

function flatHsm(h: FlatHandlers, aot = false): Hsm<{ ticks: number }> {
  const def = defineHsm({
    name: 'flat3',
    signals: F,
    context: () => ({ ticks: 0 }),
    initial: 'a',
    states: {
      a: { entry: h.enter, exit: h.exit, on: { NEXT: 'b', TICK: { action: h.tick } } },
      b: { entry: h.enter, exit: h.exit, on: { NEXT: 'c', TICK: { action: h.tick } } },
      c: { entry: h.enter, exit: h.exit, on: { NEXT: 'a', TICK: { action: h.tick } } },
    },
  });
  // aot: compiled ahead of time (tools/hsm-aot), evaluated here at setup.
  const m = aot ? compiledMachine(def) : new Hsm(def);
  m.start();
  return m;
}

/** The same flat machine by hand: a switch on the state, then on the signal, calling the same handlers. */
function flatSwitch(h: FlatHandlers): (sig: number) => void {
  const ctx = { ticks: 0 };
  let st = 0;
  return (sig: number): void => {
    switch (st) {
      case 0:
        if (sig === F.NEXT) { h.exit(); h.enter(); st = 1; } else if (sig === F.TICK) h.tick(ctx);
        break;
      case 1:
        if (sig === F.NEXT) { h.exit(); h.enter(); st = 2; } else if (sig === F.TICK) h.tick(ctx);
        break;
      default:
        if (sig === F.NEXT) { h.exit(); h.enter(); st = 0; } else if (sig === F.TICK) h.tick(ctx);
    }
  };
}

/** The same again with the handler bodies inlined (no calls at all): the floor. */
function flatSwitchInlined(counts: Int32Array): (sig: number) => void {
  const ctx = { ticks: 0 };
  let st = 0;
  return (sig: number): void => {
    switch (st) {
      case 0:
        if (sig === F.NEXT) { counts[1]!++; counts[0]!++; st = 1; } else if (sig === F.TICK) ctx.ticks++;
        break;
      case 1:
        if (sig === F.NEXT) { counts[1]!++; counts[0]!++; st = 2; } else if (sig === F.TICK) ctx.ticks++;
        break;
      default:
        if (sig === F.NEXT) { counts[1]!++; counts[0]!++; st = 0; } else if (sig === F.TICK) ctx.ticks++;
    }
  };
}

// ---------------------------------------------------------------------------
// PSiCC2 by hand: nested switch, hierarchy unrolled, exits/entries written out.
// ---------------------------------------------------------------------------
function psicc2Switch(mark: Mark): { dispatch(sig: number): void; start(): void } {
  // The same handler closures as the Hsm's spec (test/hsm/hsm-psicc2.fixture.ts),
  // made once; guards are written inline, as a hand-written HSM would.
  const ctx = { foo: 0 };
  const en = (st: number) => () => mark(ENTRY, st, 0);
  const ex = (st: number) => () => mark(EXIT, st, 0);
  const ini = (st: number) => () => mark(INIT, st, 0);
  const act = (st: number, sig: number) => () => mark(ACT, st, sig);
  const enS = en(S), enS1 = en(S1), enS11 = en(S11), enS2 = en(S2), enS21 = en(S21), enS211 = en(S211);
  const exS1 = ex(S1), exS11 = ex(S11), exS2 = ex(S2), exS21 = ex(S21), exS211 = ex(S211);
  const inS = ini(S), inS1 = ini(S1), inS2 = ini(S2), inS21 = ini(S21);
  const topInit = (c: { foo: number }): void => { c.foo = 0; mark(INIT, 0, 0); };
  const sE = act(S, PS.E);
  const sI = (c: { foo: number }): void => { c.foo = 0; mark(ACT, S, PS.I); };
  const s1A = act(S1, PS.A), s1B = act(S1, PS.B), s1C = act(S1, PS.C), s1F = act(S1, PS.F), s1I = act(S1, PS.I);
  const s1D = (c: { foo: number }): void => { c.foo = 1; mark(ACT, S1, PS.D); };
  const s11D = (c: { foo: number }): void => { c.foo = 0; mark(ACT, S11, PS.D); };
  const s11G = act(S11, PS.G), s11H = act(S11, PS.H);
  const s2C = act(S2, PS.C), s2F = act(S2, PS.F);
  const s2I = (c: { foo: number }): void => { c.foo = 1; mark(ACT, S2, PS.I); };
  const s21A = act(S21, PS.A), s21B = act(S21, PS.B), s21G = act(S21, PS.G);
  const s211D = act(S211, PS.D), s211H = act(S211, PS.H);
  let st = S211;
  const toS11FromS = (): void => { inS(); enS1(); enS11(); st = S11; };
  const exitS11S1 = (): void => { exS11(); exS1(); };
  const exitS211S21S2 = (): void => { exS211(); exS21(); exS2(); };
  const enterS2Init = (): void => { enS2(); inS2(); enS21(); enS211(); st = S211; };
  const enterS1Init = (): void => { enS1(); inS1(); enS11(); st = S11; };
  return {
    start(): void {
      topInit(ctx);
      enS();
      enterS2Init();
    },
    dispatch(sig: number): void {
      if (st === S11) {
        switch (sig) {
          case PS.D:
            if (ctx.foo !== 0) { s11D(ctx); exS11(); inS1(); enS11(); return; }
            break;
          case PS.G: s11G(); exitS11S1(); enS2(); enS21(); enS211(); st = S211; return;
          case PS.H: s11H(); exitS11S1(); toS11FromS(); return;
        }
        switch (sig) {
          case PS.A: s1A(); exitS11S1(); enterS1Init(); return;
          case PS.B: s1B(); exS11(); enS11(); return;
          case PS.C: s1C(); exitS11S1(); enterS2Init(); return;
          case PS.D:
            if (ctx.foo === 0) { s1D(ctx); exitS11S1(); toS11FromS(); return; }
            break;
          case PS.F: s1F(); exitS11S1(); enS2(); enS21(); enS211(); st = S211; return;
          case PS.I: s1I(); return;
        }
      } else {
        switch (sig) {
          case PS.D: s211D(); exS211(); inS21(); enS211(); return;
          case PS.H: s211H(); exitS211S21S2(); toS11FromS(); return;
        }
        switch (sig) {
          case PS.A: s21A(); exS211(); exS21(); enS21(); inS21(); enS211(); return;
          case PS.B: s21B(); exS211(); enS211(); return;
          case PS.G: s21G(); exitS211S21S2(); enterS1Init(); return;
        }
        switch (sig) {
          case PS.C: s2C(); exitS211S21S2(); enterS1Init(); return;
          case PS.F: s2F(); exitS211S21S2(); enS1(); enS11(); st = S11; return;
          case PS.I:
            if (ctx.foo === 0) { s2I(ctx); return; }
            break;
        }
      }
      switch (sig) {
        case PS.E:
          sE();
          if (st === S11) exitS11S1(); else exitS211S21S2();
          enS1(); enS11(); st = S11;
          return;
        case PS.I:
          if (ctx.foo !== 0) sI(ctx);
          return;
      }
    },
  };
}

// Setup-time check (allocates, not measured): the hand-written switch produces the book's trace, as Keel's Hsm does.
function checkSameTrace(): void {
  const a = new TraceLog();
  const b = new TraceLog();
  const m = new Hsm(psicc2(a.mark));
  const h = psicc2Switch(b.mark);
  m.start();
  h.start();
  for (const s of BOOK) {
    m.dispatch(s);
    h.dispatch(s);
  }
  if (a.text !== b.text) throw new Error('hsm bench: the hand-written PSiCC2 switch does not match the Hsm trace:\n' + a.text + '\n' + b.text);
}

// ---------------------------------------------------------------------------
// XState 5 and robot3
// ---------------------------------------------------------------------------
function xstateFlat(counts: Int32Array): (sig: number) => void {
  const machine = createMachine({
    context: { ticks: 0 },
    initial: 'a',
    states: {
      a: { entry: () => { counts[0]!++; }, exit: () => { counts[1]!++; }, on: { NEXT: 'b', TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } },
      b: { entry: () => { counts[0]!++; }, exit: () => { counts[1]!++; }, on: { NEXT: 'c', TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } },
      c: { entry: () => { counts[0]!++; }, exit: () => { counts[1]!++; }, on: { NEXT: 'a', TICK: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } },
    },
  });
  const actor = createActor(machine).start();
  const NEXT = { type: 'NEXT' } as const;
  const TICK = { type: 'TICK' } as const;
  return (sig: number) => { actor.send(sig === F.NEXT ? NEXT : TICK); };
}

function robotFlat(counts: Int32Array): (sig: number) => void {
  const bump = robotAction(() => { counts[1]!++; counts[0]!++; });
  const tick = robotAction(() => { counts[2]!++; });
  const machine = robotMachine({
    a: robotState(robotTransition('NEXT', 'b', bump), robotTransition('TICK', 'a', tick)),
    b: robotState(robotTransition('NEXT', 'c', bump), robotTransition('TICK', 'b', tick)),
    c: robotState(robotTransition('NEXT', 'a', bump), robotTransition('TICK', 'c', tick)),
  });
  const service = robotInterpret(machine, () => {});
  return (sig: number) => { service.send(sig === F.NEXT ? 'NEXT' : 'TICK'); };
}

function xstatePsicc2(mark: Mark): (sig: number) => void {
  const act = (st: number, sig: number) => () => mark(ACT, st, sig);
  const ent = (st: number) => () => mark(ENTRY, st, 0);
  const ext = (st: number) => () => mark(EXIT, st, 0);
  const machine = createMachine({
    context: { foo: 0 },
    initial: 's',
    entry: [assign({ foo: 0 }), () => mark(INIT, 0, 0)],
    states: {
      s: {
        entry: ent(S), exit: ext(S), initial: 's2',
        on: {
          E: { target: '.s1.s11', actions: act(S, PS.E) },
          I: { guard: ({ context }) => context.foo !== 0, actions: [assign({ foo: 0 }), act(S, PS.I)] },
        },
        states: {
          s1: {
            entry: ent(S1), exit: ext(S1), initial: 's11',
            on: {
              A: { target: 's1', reenter: true, actions: act(S1, PS.A) },
              B: { target: '.s11', reenter: true, actions: act(S1, PS.B) },
              C: { target: 's2', actions: act(S1, PS.C) },
              D: { target: '#ps.s', guard: ({ context }) => context.foo === 0, actions: [assign({ foo: 1 }), act(S1, PS.D)] },
              F: { target: 's2.s21.s211', actions: act(S1, PS.F) },
              I: { actions: act(S1, PS.I) },
            },
            states: {
              s11: {
                entry: ent(S11), exit: ext(S11),
                on: {
                  D: { target: '#ps.s.s1', guard: ({ context }) => context.foo !== 0, actions: [assign({ foo: 0 }), act(S11, PS.D)] },
                  G: { target: '#ps.s.s2.s21.s211', actions: act(S11, PS.G) },
                  H: { target: '#ps.s', actions: act(S11, PS.H) },
                },
              },
            },
          },
          s2: {
            entry: ent(S2), exit: ext(S2), initial: 's21',
            on: {
              C: { target: 's1', actions: act(S2, PS.C) },
              F: { target: 's1.s11', actions: act(S2, PS.F) },
              I: { guard: ({ context }) => context.foo === 0, actions: [assign({ foo: 1 }), act(S2, PS.I)] },
            },
            states: {
              s21: {
                entry: ent(S21), exit: ext(S21), initial: 's211',
                on: {
                  A: { target: 's21', reenter: true, actions: act(S21, PS.A) },
                  B: { target: '.s211', reenter: true, actions: act(S21, PS.B) },
                  G: { target: '#ps.s.s1', actions: act(S21, PS.G) },
                },
                states: {
                  s211: {
                    entry: ent(S211), exit: ext(S211),
                    on: {
                      D: { target: '#ps.s.s2.s21', actions: act(S211, PS.D) },
                      H: { target: '#ps.s', actions: act(S211, PS.H) },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    id: 'ps',
  });
  const actor = createActor(machine).start();
  const events = BOOK_NAMES.map((type) => ({ type }));
  const byNumber: { type: string }[] = [];
  for (let i = 0; i < BOOK.length; i++) byNumber[BOOK[i]!] = events[i]!;
  return (sig: number) => { actor.send(byNumber[sig]!); };
}

// ---------------------------------------------------------------------------
// 8 vs 256 states: a ring of N leaves under 4 composites; NEXT moves to the next leaf.
// ---------------------------------------------------------------------------
function ringHsm(nStates: number, nSignals: number, counts: Int32Array, aot = false, form?: 'compact'): Hsm<{ n: number }> {
  const names: string[] = [];
  for (let i = 0; i < nSignals; i++) names.push('X' + i);
  const sigs: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) sigs[names[i]!] = i + 1;
  const groups = 4;
  const per = nStates / groups;
  const states: Record<string, object> = {};
  for (let g = 0; g < groups; g++) {
    const kids: Record<string, object> = {};
    for (let i = 0; i < per; i++) {
      const k = g * per + i;
      const on: Record<string, object> = { X0: { target: 'l' + ((k + 1) % nStates) } };
      // Other signals handled too, so the table is full-width and the state has many transitions.
      for (let s = 1; s < nSignals; s++) on['X' + s] = { action: () => { counts[2]!++; } };
      kids['l' + k] = { entry: () => { counts[0]!++; }, exit: () => { counts[1]!++; }, on };
    }
    states['g' + g] = { initial: 'l' + g * per, states: kids };
  }
  const def = defineHsm({
    name: `ring${nStates}`,
    signals: sigs,
    context: () => ({ n: 0 }),
    initial: 'g0',
    states: states as never,
  });
  const m = aot ? compiledMachine(def, {}, { form }) : new Hsm(def);
  m.start();
  return m;
}

// ---------------------------------------------------------------------------
// The machine's own queue and its defer queue: busy defers WORK; DONE goes to
// idle, whose entry recalls it; drain() dispatches it (idle -WORK-> busy).
// ---------------------------------------------------------------------------
const Q = defineSignals(['WORK', 'DONE', 'NEXT']);

function queueHsm(counts: Int32Array): Hsm<{ n: number }> {
  const def = defineHsm({
    name: 'queues',
    signals: Q,
    context: () => ({ n: 0 }),
    initial: 'busy',
    states: {
      busy: { defer: ['WORK'], on: { DONE: 'idle', NEXT: { action: () => { counts[0]!++; } } } },
      idle: { entry: (_c, m) => { m.recall(); }, on: { WORK: 'busy' } },
    },
  });
  const m = new Hsm(def);
  m.start();
  return m;
}

// keel Hsm cases pass all four parameters, as the kernel does for every event
// taken from a queue (an omitted parameter costs a slow path that fills in 0).
export default defineBench('hsm', [
  {
    name: 'hand-written switch: flat 3-state, same handlers (baseline)',
    make() {
      const d = flatSwitch(flatHandlers(new Int32Array(4)));
      let i = 0;
      return () => { d(FLAT_SEQ[i]!); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'hand-written switch: flat 3-state, handlers inlined',
    baseline: 'hand-written switch: flat 3-state, same handlers (baseline)',
    make() {
      const d = flatSwitchInlined(new Int32Array(4));
      let i = 0;
      return () => { d(FLAT_SEQ[i]!); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel Hsm: flat 3-state',
    baseline: 'hand-written switch: flat 3-state, same handlers (baseline)',
    make() {
      const m = flatHsm(flatHandlers(new Int32Array(4)));
      let i = 0;
      return () => { m.dispatch(FLAT_SEQ[i]!, 0, 0, 0, 0); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel AOT flat 3-state',
    baseline: 'hand-written switch: flat 3-state, same handlers (baseline)',
    make() {
      const m = flatHsm(flatHandlers(new Int32Array(4)), true);
      let i = 0;
      return () => { m.dispatch(FLAT_SEQ[i]!, 0, 0, 0, 0); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'XState 5: flat 3-state',
    baseline: 'keel Hsm: flat 3-state',
    xsCalls: 500,
    make() {
      const counts = new Int32Array(4);
      const d = xstateFlat(counts);
      let i = 0;
      return () => { d(FLAT_SEQ[i]!); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'robot3: flat 3-state',
    baseline: 'keel Hsm: flat 3-state',
    xsCalls: 500,
    make() {
      const counts = new Int32Array(4);
      const d = robotFlat(counts);
      let i = 0;
      return () => { d(FLAT_SEQ[i]!); i = i === 5 ? 0 : i + 1; };
    },
  },
  {
    name: 'hand-written nested switch: PSiCC2 book sequence (baseline)',
    make() {
      checkSameTrace();
      const marks = new Int32Array(4);
      const h = psicc2Switch((k) => { marks[k]!++; });
      h.start();
      let i = 0;
      return () => { h.dispatch(BOOK[i]!); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel Hsm: PSiCC2 book sequence',
    baseline: 'hand-written nested switch: PSiCC2 book sequence (baseline)',
    make() {
      const marks = new Int32Array(4);
      const m = new Hsm(psicc2((k) => { marks[k]!++; }));
      m.start();
      let i = 0;
      return () => { m.dispatch(BOOK[i]!, 0, 0, 0, 0); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel AOT PSiCC2',
    baseline: 'hand-written nested switch: PSiCC2 book sequence (baseline)',
    make() {
      const marks = new Int32Array(4);
      const m = compiledMachine(psicc2((k) => { marks[k]!++; }));
      m.start();
      let i = 0;
      return () => { m.dispatch(BOOK[i]!, 0, 0, 0, 0); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel AOT PSiCC2, device form (compact: switch)',
    baseline: 'hand-written nested switch: PSiCC2 book sequence (baseline)',
    make() {
      const marks = new Int32Array(4);
      const m = compiledMachine(psicc2((k) => { marks[k]!++; }), {}, { form: 'compact' });
      m.start();
      let i = 0;
      return () => { m.dispatch(BOOK[i]!, 0, 0, 0, 0); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel AOT PSiCC2, shared table (no closure per machine)',
    baseline: 'hand-written nested switch: PSiCC2 book sequence (baseline)',
    make() {
      const marks = new Int32Array(4);
      const m = compiledMachine(psicc2((k) => { marks[k]!++; }), {}, { form: 'shared' });
      m.start();
      let i = 0;
      return () => { m.dispatch(BOOK[i]!, 0, 0, 0, 0); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'XState 5: PSiCC2 book sequence',
    baseline: 'keel Hsm: PSiCC2 book sequence',
    xsCalls: 500,
    make() {
      const marks = new Int32Array(4);
      const d = xstatePsicc2((k) => { marks[k]!++; });
      let i = 0;
      return () => { d(BOOK[i]!); i = i === 20 ? 0 : i + 1; };
    },
  },
  {
    name: 'keel Hsm: 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(8, 4, counts);
      let k = 0;
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k + 1, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel Hsm: 256 states, 64 signals',
    baseline: 'keel Hsm: 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(256, 64, counts);
      let k = 0;
      // Same mix as the 8-state case: one transition (X0) per 3 internal events.
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k === 0 ? 1 : 1 + k * 21, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel AOT: 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(8, 4, counts, true);
      let k = 0;
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k + 1, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel AOT: 256 states, 64 signals',
    baseline: 'keel AOT: 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(256, 64, counts, true);
      let k = 0;
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k === 0 ? 1 : 1 + k * 21, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel AOT, device form (compact: switch): 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(8, 4, counts, true, 'compact');
      let k = 0;
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k + 1, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel AOT, device form (compact: shared table): 256 states, 64 signals',
    baseline: 'keel AOT, device form (compact: switch): 8 states, 4 signals',
    make() {
      const counts = new Int32Array(4);
      const m = ringHsm(256, 64, counts, true, 'compact');
      let k = 0;
      return () => { k = k === 3 ? 0 : k + 1; m.dispatch(k === 0 ? 1 : 1 + k * 21, 0, 0, 0, 0); };
    },
  },
  {
    name: 'keel Hsm: post + drain (own queue), one internal event',
    make() {
      const m = queueHsm(new Int32Array(4));
      return () => { m.post(Q.NEXT, 0, 0, 0, 0); m.drain(); };
    },
  },
  {
    name: 'keel Hsm: defer, then a transition whose entry recalls it, drain (own queue)',
    baseline: 'keel Hsm: post + drain (own queue), one internal event',
    make() {
      const m = queueHsm(new Int32Array(4));
      return () => { m.dispatch(Q.WORK, 0, 0, 0, 0); m.dispatch(Q.DONE, 0, 0, 0, 0); m.drain(); };
    },
  },
]);

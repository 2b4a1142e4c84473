// Differential property test: random machines (trees up to depth 5, guards,
// internal/self/local/external transitions, shallow and deep history,
// deferral with recall, actions that post) and random event sequences, run on
// Keel's table-driven Hsm and on a simple recursive reference interpreter
// written here from the semantics in docs/hsm.md. Traces (every entry, exit,
// initial action and transition action, with parameters), final states,
// contexts and counters must be identical.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { defineHsm, Hsm, type HsmStateSpec } from '../../src/hsm.js';
import { Prng } from '../../hosts/sim/prng.js';

const NSIG = 4;
const SIGNALS = { A: 1, B: 2, C: 3, D: 4 } as const;
const SIGNAMES = ['', 'A', 'B', 'C', 'D'];
const DEFER_CAP = 3;
const QUEUE_CAP = 4;
// 10,000 on both engines (about 7 s on XS).
const RUNS = 10000;

// ---- random machine description (plain data) ----------------------------------

interface Tr {
  target: number; // -1 internal
  guard: number; // 0 none, 1: p0 % 2 === arg, 2: ctx.v % 3 === arg
  arg: number;
  post: number; // 0 none, else signal to post (while budget lasts)
  external: boolean;
  history: boolean;
}
interface St {
  name: string;
  parent: number; // -1 for top
  kids: number[];
  init: number; // -1 leaf
  history: 0 | 1 | 2;
  recall: 0 | 1 | 2; // entry: 0 nothing, 1 recall(), 2 recallAll()
  on: (Tr[] | undefined)[]; // by signal
  defer: number[];
}

/** The simulator's seeded mulberry32 generator, as a function. */
function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

function depthOf(sts: St[], i: number): number {
  let d = 0;
  for (let x = i; x > 0; x = sts[x]!.parent) d++;
  return d;
}
function isAnc(sts: St[], a: number, d: number): boolean {
  for (let x = sts[d]!.parent; x >= 0; x = sts[x]!.parent) if (x === a) return true;
  return false;
}

function randomMachine(seed: number): St[] {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const n = 1 + int(9);
  const sts: St[] = [{ name: 'top', parent: -1, kids: [], init: -1, history: 0, recall: 0, on: [], defer: [] }];
  for (let i = 1; i <= n; i++) {
    let p = int(i);
    while (p > 0 && depthOf(sts, p) >= 5) p = sts[p]!.parent;
    sts.push({ name: 's' + i, parent: p, kids: [], init: -1, history: 0, recall: 0, on: [], defer: [] });
    sts[p]!.kids.push(i);
  }
  for (let i = 0; i <= n; i++) {
    const st = sts[i]!;
    if (st.kids.length > 0) {
      const desc: number[] = [];
      for (let j = 1; j <= n; j++) if (isAnc(sts, i, j)) desc.push(j);
      st.init = desc[int(desc.length)]!;
      if (i > 0) st.history = int(3) as 0 | 1 | 2;
    }
  }
  for (let i = 1; i <= n; i++) {
    const st = sts[i]!;
    st.recall = int(4) === 0 ? (1 + int(2)) as 1 | 2 : 0;
    for (let sig = 1; sig <= NSIG; sig++) {
      const roll = r();
      if (roll < 0.35) {
        const list: Tr[] = [];
        const k = 1 + int(2);
        for (let j = 0; j < k; j++) {
          const target = int(5) === 0 ? -1 : 1 + int(n);
          const g = int(3);
          const hist = target > 0 && sts[target]!.history !== 0 && int(2) === 0;
          list.push({ target, guard: g, arg: int(g === 2 ? 3 : 2), post: int(4) === 0 ? 1 + int(NSIG) : 0, external: target > 0 && int(3) === 0, history: hist });
        }
        st.on[sig] = list;
      } else if (roll < 0.45) st.defer.push(sig);
    }
  }
  return sts;
}

// ---- shared handler semantics ------------------------------------------------------

interface Ctx {
  v: number;
  budget: number;
}
function guardHolds(tr: Tr, c: Ctx, p0: number): boolean {
  if (tr.guard === 1) return p0 % 2 === tr.arg;
  if (tr.guard === 2) return c.v % 3 === tr.arg;
  return true;
}
function act(c: Ctx, sig: number, p0: number): void {
  c.v = (c.v * 5 + sig + p0) % 11;
}

// ---- Keel machine from the description ------------------------------------------------

function build(sts: St[], log: string[]): Hsm<Ctx> {
  const spec = (i: number): HsmStateSpec<Ctx, typeof SIGNALS> => {
    const st = sts[i]!;
    const on: Record<string, unknown> = {};
    for (let sig = 1; sig <= NSIG; sig++) {
      const list = st.on[sig];
      if (list === undefined) continue;
      on[SIGNAMES[sig]!] = list.map((tr) => ({
        target: tr.target < 0 ? undefined : sts[tr.target]!.name,
        guard: tr.guard === 0 ? undefined : (c: Ctx, p0: number) => guardHolds(tr, c, p0),
        action: (c: Ctx, p0: number, p1: number, _p2: number, _p3: number, m: Hsm<Ctx>) => {
          log.push(`${st.name}:${SIGNAMES[sig]}(${p0},${p1})`);
          act(c, sig, p0);
          if (tr.post !== 0 && c.budget > 0) {
            c.budget--;
            m.post(tr.post, c.v, p0);
          }
        },
        kind: tr.target < 0 ? undefined : tr.external ? 'external' : 'local',
        history: tr.history ? true : undefined,
      }));
    }
    const kids: Record<string, HsmStateSpec<Ctx, typeof SIGNALS>> = {};
    for (const k of st.kids) kids[sts[k]!.name] = spec(k);
    return {
      entry: (_c, m) => {
        log.push(st.name + ':entry');
        if (st.recall === 1) m.recall();
        else if (st.recall === 2) m.recallAll();
      },
      exit: () => { log.push(st.name + ':exit'); },
      initial: st.init < 0 ? undefined : { target: sts[st.init]!.name, action: () => { log.push(st.name + ':init'); } },
      history: st.history === 0 ? undefined : st.history === 1 ? 'shallow' : 'deep',
      on: on as never,
      defer: st.defer.length === 0 ? undefined : st.defer.map((s) => SIGNAMES[s]! as keyof typeof SIGNALS),
      states: st.kids.length === 0 ? undefined : kids,
    };
  };
  const topKids: Record<string, HsmStateSpec<Ctx, typeof SIGNALS>> = {};
  for (const k of sts[0]!.kids) topKids[sts[k]!.name] = spec(k);
  const def = defineHsm({
    name: 'random',
    signals: SIGNALS,
    context: () => ({ v: 0, budget: 0 }),
    initial: { target: sts[sts[0]!.init]!.name, action: () => { log.push('top:init'); } },
    states: topKids,
  });
  return new Hsm(def, { deferCapacity: DEFER_CAP, queueCapacity: QUEUE_CAP });
}

// ---- the reference interpreter (recursive, allocation-happy, obvious) ------------------

interface Ev {
  sig: number;
  p0: number;
  p1: number;
}
class Reference {
  leaf = -1;
  ctx: Ctx = { v: 0, budget: 0 };
  hist = new Map<number, number>();
  queue: Ev[] = [];
  deferQ: Ev[] = [];
  ignored = 0;
  deferred = 0;
  deferDropped = 0;
  recalled = 0;
  recallFailed = 0;
  postRejected = 0;
  constructor(readonly sts: St[], readonly log: string[]) {}

  ancestorsOf(s: number): number[] {
    return s < 0 ? [] : [s, ...this.ancestorsOf(this.sts[s]!.parent)];
  }
  contains(a: number, d: number): boolean {
    return a !== d && this.ancestorsOf(d).includes(a);
  }
  start(): void {
    this.leaf = this.drill(0);
  }
  post(e: Ev): void {
    if (this.queue.length >= QUEUE_CAP) this.postRejected++;
    else this.queue.push(e);
  }
  recall(): boolean {
    const e = this.deferQ.shift();
    if (e === undefined) return false;
    if (this.queue.length >= QUEUE_CAP) {
      this.deferQ.unshift(e);
      this.recallFailed++;
      return false;
    }
    this.queue.unshift(e);
    this.recalled++;
    return true;
  }
  recallAll(): void {
    while (this.deferQ.length > 0) {
      if (this.queue.length >= QUEUE_CAP) {
        this.recallFailed++;
        return;
      }
      this.queue.unshift(this.deferQ.pop()!);
      this.recalled++;
    }
  }
  enter(s: number): void {
    const st = this.sts[s]!;
    this.log.push(st.name + ':entry');
    if (st.recall === 1) this.recall();
    else if (st.recall === 2) this.recallAll();
  }
  /** Enters the states strictly below `from` down to `to`, top-down (recursively). */
  enterDown(from: number, to: number): void {
    if (to === from) return;
    this.enterDown(from, this.sts[to]!.parent);
    this.enter(to);
  }
  drill(s: number): number {
    const st = this.sts[s]!;
    if (st.init < 0) return s;
    this.log.push(st.name + ':init');
    this.enterDown(s, st.init);
    return this.drill(st.init);
  }
  exitUpTo(s: number, lca: number, from: number, prev: number): void {
    if (s === lca) return;
    const st = this.sts[s]!;
    if (st.history === 1) this.hist.set(s, prev);
    if (st.history === 2) this.hist.set(s, from);
    this.log.push(st.name + ':exit');
    this.exitUpTo(st.parent, lca, from, s);
  }
  lca(src: number, tgt: number, external: boolean): number {
    if (src === tgt) return this.sts[src]!.parent;
    if (this.contains(src, tgt)) return external ? this.sts[src]!.parent : src;
    if (this.contains(tgt, src)) return external ? this.sts[tgt]!.parent : tgt;
    const up = this.ancestorsOf(tgt);
    return this.ancestorsOf(src).find((a) => up.includes(a))!;
  }
  /** Finds the handler by recursion from `s` upward. */
  handle(s: number, e: Ev): void {
    if (s === 0) {
      this.ignored++;
      return;
    }
    const st = this.sts[s]!;
    const list = st.on[e.sig];
    if (list !== undefined) {
      for (const tr of list) if (guardHolds(tr, this.ctx, e.p0)) return this.fire(s, tr, e);
    }
    if (st.defer.includes(e.sig)) {
      if (this.deferQ.length >= DEFER_CAP) this.deferDropped++;
      else {
        this.deferQ.push(e);
        this.deferred++;
      }
      return;
    }
    this.handle(st.parent, e);
  }
  fire(src: number, tr: Tr, e: Ev): void {
    this.log.push(`${this.sts[src]!.name}:${SIGNAMES[e.sig]}(${e.p0},${e.p1})`);
    act(this.ctx, e.sig, e.p0);
    if (tr.post !== 0 && this.ctx.budget > 0) {
      this.ctx.budget--;
      this.post({ sig: tr.post, p0: this.ctx.v, p1: e.p0 });
    }
    if (tr.target < 0) return;
    const lca = this.lca(src, tr.target, tr.external);
    this.exitUpTo(this.leaf, lca, this.leaf, -1);
    this.enterDown(lca, tr.target);
    const h = this.hist.get(tr.target);
    if (tr.history && h !== undefined) {
      this.enterDown(tr.target, h);
      this.leaf = this.drill(h);
    } else this.leaf = this.drill(tr.target);
  }
  send(e: Ev): void {
    this.handle(this.leaf, e);
    for (let n = 0; n < 1000 && this.queue.length > 0; n++) this.handle(this.leaf, this.queue.shift()!);
  }
}

describe('hsm: differential test against a recursive reference interpreter', function () {
  this.timeout(onXs ? 120000 : 60000);

  it(`${RUNS} random machines and event sequences give identical traces (${onXs ? 'XS' : 'Node'})`, function () {
    let transitions = 0;
    fc.assert(
      fc.property(
        fc.integer(),
        fc.array(fc.record({ sig: fc.integer({ min: 1, max: NSIG }), p0: fc.integer({ min: 0, max: 9 }), p1: fc.integer({ min: 0, max: 9 }) }), { maxLength: 25 }),
        (seed, events) => {
          const sts = randomMachine(seed);
          const got: string[] = [];
          const want: string[] = [];
          const m = build(sts, got);
          const ref = new Reference(sts, want);
          m.start();
          ref.start();
          for (const e of events) {
            m.ctx.budget = 3;
            ref.ctx.budget = 3;
            m.send(e.sig, e.p0, e.p1);
            ref.send(e);
            assert.equal(m.currentName, sts[ref.leaf]!.name);
          }
          assert.deepEqual(got, want);
          assert.equal(m.ctx.v, ref.ctx.v);
          assert.deepEqual(
            [m.ignored, m.deferred, m.deferDropped, m.recalled, m.recallFailed, m.postRejected, m.deferredCount, m.queued],
            [ref.ignored, ref.deferred, ref.deferDropped, ref.recalled, ref.recallFailed, ref.postRejected, ref.deferQ.length, ref.queue.length],
          );
          for (const line of got) if (line.endsWith(':exit')) transitions++;
        },
      ),
      { numRuns: RUNS },
    );
    assert.ok(transitions > RUNS, `the random machines must exercise transitions (saw ${transitions} exits)`);
  });
});

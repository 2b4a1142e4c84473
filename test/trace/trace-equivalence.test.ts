// Tracing changes what the firmware does by nothing (issue 18): the traced
// hot paths are deliberate copies of the untraced ones (the kernel's post and
// run loop, the pool's claim/tryClaim/release, the hsm's dispatch in its
// compact and full forms), swapped in as own properties by the trace's
// onFilter hook. Property test (fast-check) on both engines: one random
// sequence of operations (post, postUrgent, interrupt, publish, publishBlock,
// run, step, arm, disarm, tick, pool claim and release, direct dispatch, post
// and drain of a machine with its own queue) runs on identical worlds (a
// kernel, two machines and a plain behaviour under it, a pool, a standalone
// machine) that differ only in their trace:
//   none         no trace option
//   filtered     a trace whose kind mask is 0 from the start (records nothing)
//   ring         a 'ring' trace of 8 records (overflows: overwrites)
//   stop         a 'stop' trace of 8 records, clock null (overflows: refuses)
//   ring-full    a 'ring' trace, machines 'full' (the hsm's step-by-step copy)
//   stop-full    a 'stop' trace of 5 records, machines 'full'
// and, in the four recording worlds only, filter changes while running
// (setKinds, enableObject, enableType: the onFilter swaps in both directions)
// and records taken out of the ring. Every world must give the same log of
// entries, exits, actions, guards and behaviour dispatches in the same order,
// the same return value from every operation, and the same counters after
// every operation (kernel, each AO queue, each machine, the pool). The
// recording worlds must have recorded, and overflowed, somewhere in the run;
// the filtered world must have recorded nothing. Public APIs only.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { Trace, TRACE_ALL_KINDS, TRACE_DISPATCH, TRACE_HSM_KINDS, TRACE_POOL_CLAIM, TRACE_POOL_RELEASE, TRACE_POST, traceBit, type TraceOptions } from '../../src/trace.js';
import { defineHsm, defineSignals, Hsm, type HsmTimerHost } from '../../src/hsm.js';
import { Kernel, type ActiveObjectDef, type AoPort } from '../../src/kernel.js';
import type { ActiveMachine } from '../../src/active-machine.js';
import { BlockPool, NO_BLOCK } from '../../src/pool.js';

const S = defineSignals(['GO', 'STOP', 'TOGGLE', 'HOLD', 'RESUME', 'PING', 'NAMED', 'BLK', 'TICK']);
/** Signals the generator posts (TICK only comes from C's time event). */
const POSTED: readonly number[] = [S.GO, S.STOP, S.TOGGLE, S.HOLD, S.RESUME, S.PING, S.NAMED];

type Mode = 'none' | 'filtered' | 'ring' | 'stop' | 'ring-full' | 'stop-full';
const MODES: readonly Mode[] = ['none', 'filtered', 'ring', 'stop', 'ring-full', 'stop-full'];

/** Kind masks the filter operations set (all, none, the hottest hooks alone, machines, pool). */
const MASKS: readonly number[] = [
  TRACE_ALL_KINDS,
  0,
  traceBit(TRACE_POST),
  traceBit(TRACE_DISPATCH),
  TRACE_HSM_KINDS,
  traceBit(TRACE_POOL_CLAIM) | traceBit(TRACE_POOL_RELEASE),
  traceBit(TRACE_POST) | traceBit(TRACE_DISPATCH),
];

type Op =
  | { readonly op: 'post' | 'urgent' | 'interrupt'; readonly to: number; readonly sig: number; readonly p0: number }
  | { readonly op: 'publish'; readonly sig: number; readonly p0: number }
  | { readonly op: 'publishBlock' | 'run' | 'step' | 'disarm' | 'claim' | 'soloDrain' }
  /** Not generated: the end of every sequence (stop() releases queued and deferred blocks). */
  | { readonly op: 'stopAll' }
  | { readonly op: 'arm'; readonly delay: number; readonly period: number }
  | { readonly op: 'tick'; readonly ms: number }
  | { readonly op: 'release'; readonly k: number }
  | { readonly op: 'dispatch' | 'soloPost'; readonly sig: number; readonly p0: number }
  | { readonly op: 'kinds'; readonly mask: number }
  | { readonly op: 'object'; readonly id: number; readonly on: boolean }
  | { readonly op: 'type'; readonly type: 'ao' | 'hsm' | 'pool'; readonly on: boolean }
  | { readonly op: 'discard'; readonly n: number };

const sigArb = fc.constantFrom(...POSTED);
const p0Arb = fc.integer({ min: 0, max: 9 });
/** AO `to`: 0 C, 1 A, 2 B (the machines more often). */
const toArb = fc.constantFrom(0, 1, 1, 2, 2);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ op: fc.constant('post' as const), to: toArb, sig: sigArb, p0: p0Arb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('urgent' as const, 'interrupt' as const), to: toArb, sig: sigArb, p0: p0Arb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('publish' as const), sig: fc.constantFrom(S.GO, S.STOP, S.PING), p0: p0Arb }) },
  { weight: 7, arbitrary: fc.record({ op: fc.constant('run' as const) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('step' as const, 'publishBlock' as const, 'claim' as const, 'disarm' as const, 'soloDrain' as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('arm' as const), delay: fc.integer({ min: 0, max: 80 }), period: fc.constantFrom(0, 0, 15, 40) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 70 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), k: fc.nat(7) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('dispatch' as const, 'soloPost' as const), sig: sigArb, p0: p0Arb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('kinds' as const), mask: fc.constantFrom(...MASKS) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('object' as const), id: fc.integer({ min: 1, max: 12 }), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('type' as const), type: fc.constantFrom('ao' as const, 'hsm' as const, 'pool' as const), on: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('discard' as const), n: fc.integer({ min: 1, max: 8 }) }) },
);

interface Ctx {
  n: number;
  m: number;
}

/** The machine every world runs (three instances): hierarchy, guards, internal/self/external transitions, deferral (a block signal too), history, after/every and a named timer, posts from actions. */
function machineDefinition(log: string[], postToC: (sig: number, p0: number) => boolean) {
  return defineHsm({
    name: 'eq',
    signals: S,
    context: (): Ctx => ({ n: 0, m: 0 }),
    initial: { target: 'idle', action: (_c, h) => void log.push(`${h.name}:init`) },
    timers: ['NAMED'],
    states: {
      idle: {
        entry: (c, h) => {
          log.push(`${h.name}:idle+`);
          c.m += h.recallAll();
        },
        exit: (_c, h) => void log.push(`${h.name}:idle-`),
        defer: ['HOLD'],
        on: {
          GO: [
            {
              target: 'active',
              guard: function evenP0(_c, p0, _p1, _p2, _p3, h) {
                log.push(`${h.name}:evenP0?${p0}`);
                return (p0 & 1) === 0;
              },
            },
            { target: 'fast', action: (c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:go-fast:${(c.n += p0)}`) },
          ],
          TOGGLE: { action: (c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:count:${(c.n += 1 + p0)}`) },
          PING: { action: (_c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:ping-c:${postToC(S.PING, p0)}`) },
          NAMED: { action: (_c, p0, p1, _p2, _p3, h) => void log.push(`${h.name}:named:${p0}:${p1}`) },
          BLK: { action: (_c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:blk:${p0}`) },
        },
      },
      active: {
        entry: (_c, h) => void log.push(`${h.name}:active+:${h.recall()}`),
        exit: (_c, h) => void log.push(`${h.name}:active-`),
        initial: 'slow',
        history: 'shallow',
        after: { 50: { target: 'idle', action: (_c, p0, p1, _p2, _p3, h) => void log.push(`${h.name}:timeout:${p0}:${p1}`) } },
        on: {
          STOP: 'idle',
          HOLD: { target: 'held', action: (_c, _p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:arm-named:${h.arm(S.NAMED, 30)}`) },
          RESUME: { target: 'active', kind: 'external' },
        },
        states: {
          slow: {
            entry: (_c, h) => void log.push(`${h.name}:slow+`),
            exit: (_c, h) => void log.push(`${h.name}:slow-`),
            every: { 20: { action: (c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:beat:${p0}:${(c.m += 1)}`) } },
            on: { TOGGLE: 'fast', GO: 'slow' },
          },
          fast: {
            entry: (_c, h) => void log.push(`${h.name}:fast+`),
            exit: (_c, h) => void log.push(`${h.name}:fast-`),
            on: {
              TOGGLE: [
                {
                  target: 'slow',
                  guard: function small(c) {
                    return c.n < 20;
                  },
                },
                { action: (c, _p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:big:${c.n}`) },
              ],
              PING: { action: (_c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:self-post:${h.post(S.RESUME, p0)}`) },
            },
          },
        },
      },
      held: {
        entry: (_c, h) => void log.push(`${h.name}:held+`),
        exit: (_c, h) => void log.push(`${h.name}:held-:${h.disarm(S.NAMED)}`),
        defer: ['PING', 'BLK'],
        on: {
          RESUME: { target: 'active', history: true, action: (_c, _p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:resume`) },
          NAMED: 'idle',
          GO: { action: (_c, p0, _p1, _p2, _p3, h) => void log.push(`${h.name}:rearm:${h.arm(S.NAMED, 10 + p0)}`) },
        },
      },
    },
  });
}

/** The standalone machine's timer host (no kernel): logs and answers deterministically. */
function loggingTimers(log: string[]): HsmTimerHost {
  let next = 0;
  return {
    timeEvent: () => next++,
    arm: (id: number, delay: number, period: number) => {
      log.push(`solo-timers:arm:${id}:${delay}:${period}`);
      return delay;
    },
    disarm: (id: number) => {
      log.push(`solo-timers:disarm:${id}`);
      return true;
    },
  };
}

class World {
  readonly log: string[] = [];
  readonly results: string[] = [];
  readonly clock = { t: 0 };
  readonly trace: Trace | null;
  readonly kernel: Kernel;
  readonly pool: BlockPool;
  readonly a: ActiveMachine<Ctx>;
  readonly b: ActiveMachine<Ctx>;
  readonly c: number;
  readonly te: number;
  readonly solo: Hsm<Ctx>;
  readonly held: number[] = [];
  /** C, A and B (the kernel's slots, in the order the operations' `to` names them). */
  readonly aos: number[];

  constructor(readonly mode: Mode) {
    const clock = (): number => this.clock.t;
    const options: { [m in Mode]: TraceOptions | null } = {
      none: null,
      filtered: { clock, capacity: 8, kinds: 0 },
      ring: { clock, capacity: 8 },
      stop: { clock: null, capacity: 8, mode: 'stop' },
      'ring-full': { clock, capacity: 8, machines: 'full' },
      'stop-full': { clock, capacity: 5, mode: 'stop', machines: 'full' },
    };
    const o = options[mode];
    this.trace = o === null ? null : new Trace(o);
    const trace = this.trace ?? undefined;
    const log = this.log;
    // A fixed pool id: handles (in p0 and in the log) are the same numbers in every world.
    this.pool = new BlockPool({ name: 'blocks', blockSize: 8, count: 3, id: 9, trace });
    this.kernel = new Kernel({ name: 'k', maxObjects: 4, maxBurst: 64, pool: this.pool, host: { now: clock }, trace });
    const k = this.kernel;
    k.blockSignal(S.BLK);
    const cDef: ActiveObjectDef = {
      create: (port: AoPort) => ({
        start: () => void log.push('C:start'),
        dispatch: (sig: number, p0: number, p1: number, p2: number) => {
          log.push(`C:${sig}:${p0}:${p1}:${p2}`);
          if (sig === S.PING) log.push(`C:toggle-a:${port.kernel.post(this.a.ao, S.TOGGLE, p0 + 1)}`);
        },
      }),
    };
    this.c = k.spawn(cDef, 1, 3);
    const def = machineDefinition(log, (sig, p0) => k.post(this.c, sig, p0));
    this.a = k.spawnMachine(def, { name: 'A', priority: 3, queueCapacity: 4 });
    this.b = k.spawnMachine(def, { name: 'B', priority: 2, queueCapacity: 3 });
    this.aos = [this.c, this.a.ao, this.b.ao];
    k.subscribe(this.a.ao, S.GO);
    k.subscribe(this.b.ao, S.GO);
    k.subscribe(this.b.ao, S.STOP);
    k.subscribe(this.c, S.PING);
    k.subscribe(this.b.ao, S.BLK);
    k.subscribe(this.c, S.BLK);
    this.te = k.timeEvent(this.c, S.TICK);
    this.solo = new Hsm(def, { name: 'solo', queueCapacity: 3, timers: loggingTimers(log), trace });
    this.solo.start();
  }

  /** Runs one operation; its return value (and the counters after it) go into `results`. */
  apply(op: Op): void {
    const k = this.kernel;
    let r: string;
    switch (op.op) {
      case 'post':
        r = String(k.post(this.aos[op.to]!, op.sig, op.p0, op.p0 * 2));
        break;
      case 'urgent':
        r = String(k.postUrgent(this.aos[op.to]!, op.sig, op.p0));
        break;
      case 'interrupt':
        r = String(k.interrupt(this.aos[op.to]!, op.sig, op.p0));
        break;
      case 'publish':
        r = String(k.publish(op.sig, op.p0));
        break;
      case 'publishBlock': {
        const h = this.pool.tryClaim();
        r = h === NO_BLOCK ? 'no block' : `${h}:${k.publishBlock(S.BLK, h, 7)}`;
        break;
      }
      case 'run':
        r = String(k.run());
        break;
      case 'step':
        r = String(k.step());
        break;
      case 'arm':
        r = String(k.arm(this.te, op.delay, op.period));
        break;
      case 'disarm':
        r = String(k.disarm(this.te));
        break;
      case 'tick':
        this.clock.t += op.ms;
        r = String(k.tick());
        break;
      case 'claim': {
        const h = this.pool.tryClaim();
        if (h !== NO_BLOCK) this.held.push(h);
        r = String(h);
        break;
      }
      case 'release': {
        if (this.held.length === 0) {
          r = 'none held';
          break;
        }
        const h = this.held.splice(op.k % this.held.length, 1)[0]!;
        this.pool.release(h);
        r = `released ${h}`;
        break;
      }
      case 'dispatch':
        r = String(this.solo.dispatch(op.sig, op.p0, 1, 2, 3));
        break;
      case 'soloPost':
        r = String(this.solo.post(op.sig, op.p0));
        break;
      case 'soloDrain':
        r = String(this.solo.drain());
        break;
      case 'stopAll':
        for (const ao of this.aos) k.stop(ao);
        r = String(k.used);
        break;
      // Filters and taking records: only the recording worlds (the 'filtered' world keeps its mask of 0).
      case 'kinds':
        if (this.recording) this.trace!.setKinds(op.mask);
        r = '';
        break;
      case 'object':
        if (this.recording && op.id <= this.trace!.objectCount) this.trace!.enableObject(op.id, op.on);
        r = '';
        break;
      case 'type':
        if (this.recording) this.trace!.enableType(op.type, op.on);
        r = '';
        break;
      case 'discard':
        if (this.trace !== null) this.trace.discard(op.n);
        r = '';
        break;
    }
    this.results.push(`${r} | ${this.counters()}`);
  }

  get recording(): boolean {
    return this.trace !== null && this.mode !== 'filtered';
  }

  /** Every counter the operations can move, as one line. */
  counters(): string {
    const k = this.kernel;
    const n: (number | boolean)[] = [k.dispatchedTotal, k.idleCount, k.staleExpiries, k.timerRefused, k.interrupts, k.interruptsRefused, k.used, k.ready, k.nextDelay()];
    for (const ao of this.aos) {
      if (!k.isRunning(ao)) continue;
      const q = k.queueOf(ao);
      n.push(q.posted, q.taken, q.dropped, q.refused, q.length, q.minFree, q.badSignals, q.cleared, k.dispatched(ao));
    }
    for (const h of [this.a.hsm, this.b.hsm, this.solo]) {
      n.push(h.current, h.ignored, h.deferred, h.deferDropped, h.recalled, h.recallFailed, h.staleRecalls, h.postRejected, h.badSignals, h.deferredCount, h.deferHighWater, h.ctx.n, h.ctx.m);
    }
    n.push(this.solo.queued, this.pool.used, this.pool.free, this.pool.minFree, this.pool.failures);
    for (const h of this.held) n.push(this.pool.refCount(h));
    return n.join(',');
  }
}

/** Fails at the first entry where `got` differs from `want`, naming it and the operations up to it. */
function sameLines(got: readonly string[], want: readonly string[], what: string, ops: readonly Op[] | null): void {
  const n = got.length < want.length ? got.length : want.length;
  for (let i = 0; i < n; i++) {
    if (got[i] !== want[i]) {
      const where = ops === null ? '' : `, after operations ${JSON.stringify(ops.slice(0, i + 1))}`;
      assert.fail(`${what}: entry ${i} is ${JSON.stringify(got[i])}, untraced ${JSON.stringify(want[i])}${where}`);
    }
  }
  assert.equal(got.length, want.length, `${what}: ${got.length} entries, untraced ${want.length}`);
}

describe('trace: traced and untraced hot paths behave the same', function () {
  this.timeout(onXs ? 300000 : 60000);
  const runs = onXs ? 150 : 400;

  it(`${runs} random operation sequences: identical logs, return values and counters with no trace, a filtered-out trace, 'ring' and 'stop' traces (compact and full machines) that overflow, filters changed while running`, function () {
    const seen = { records: 0, overwritten: 0, refused: 0, filterOps: 0, dispatched: 0, held: 0, resumed: 0, timeouts: 0, beats: 0, deferred: 0, recalled: 0, blocks: 0 };
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), (ops) => {
        const worlds = MODES.map((m) => new World(m));
        for (const op of ops) for (const w of worlds) w.apply(op);
        // Then what is still queued runs, the test's blocks go back, and the AOs stop (same in every world).
        for (const w of worlds) {
          w.apply({ op: 'run' });
          w.apply({ op: 'soloDrain' });
          while (w.held.length > 0) w.apply({ op: 'release', k: 0 });
        }
        const queues = worlds.map((w) => w.aos.map((ao) => w.kernel.queueOf(ao)));
        for (const w of worlds) w.apply({ op: 'stopAll' });
        const base = worlds[0]!;
        for (let i = 1; i < worlds.length; i++) {
          const w = worlds[i]!;
          sameLines(w.log, base.log, `log of the '${w.mode}' world`, null);
          sameLines(w.results, base.results, `results of the '${w.mode}' world`, ops);
        }
        for (let i = 0; i < worlds.length; i++) {
          const w = worlds[i]!;
          // posted = taken + dropped + queued for every AO queue (stop() empties it: counted in dropped);
          // every block is back in the pool once the AOs stopped (queued and deferred ones released).
          for (const q of queues[i]!) assert.equal(q.posted, q.taken + q.dropped + q.length, `'${w.mode}': an AO queue's counters`);
          assert.deepEqual([w.pool.used, w.kernel.used], [0, 0], `'${w.mode}': pool blocks and kernel slots back after stop()`);
          const t = w.trace;
          if (t === null) continue;
          if (w.mode === 'filtered') {
            assert.deepEqual([t.nextSequence, t.length, t.lost], [0, 0, 0], 'the filtered-out trace recorded nothing');
            continue;
          }
          assert.equal(t.lost, t.overwritten + t.refused);
          if (t.mode === 'ring') assert.equal(t.refused, 0);
          else assert.equal(t.overwritten, 0);
          seen.records += t.nextSequence;
          seen.overwritten += t.overwritten;
          seen.refused += t.refused;
        }
        seen.dispatched += base.kernel.dispatchedTotal;
        for (const line of base.log) {
          if (line.endsWith(':held+')) seen.held++;
          else if (line.endsWith(':resume')) seen.resumed++;
          else if (line.indexOf(':timeout:') > 0) seen.timeouts++;
          else if (line.indexOf(':beat:') > 0) seen.beats++;
          else if (line.startsWith('C:' + S.BLK + ':') || line.indexOf(':blk:') > 0) seen.blocks++;
        }
        for (const h of [base.a.hsm, base.b.hsm, base.solo]) {
          seen.deferred += h.deferred;
          seen.recalled += h.recalled;
        }
        for (const op of ops) if (op.op === 'kinds' || op.op === 'object' || op.op === 'type') seen.filterOps++;
      }),
      { numRuns: runs },
    );
    // The property above is only as good as what it exercised.
    assert.ok(seen.dispatched > runs, `events dispatched: ${seen.dispatched}`);
    for (const [what, n] of [
      ['entries of held (defers PING and the block signal)', seen.held],
      ['returns from held through history', seen.resumed],
      ["'after' expiries", seen.timeouts],
      ["'every' expiries", seen.beats],
      ['block events handled', seen.blocks],
      ['events deferred', seen.deferred],
      ['deferred events recalled', seen.recalled],
    ] as const)
      assert.ok(n > 0, `${what}: ${n}`);
    assert.ok(seen.records > runs, `records written by the recording worlds: ${seen.records}`);
    assert.ok(seen.overwritten > 0, "a 'ring' trace overflowed (overwrote)");
    assert.ok(seen.refused > 0, "a 'stop' trace overflowed (refused)");
    assert.ok(seen.filterOps > 0, 'filters were changed while running');
  });
});

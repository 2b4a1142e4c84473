// Worker for frozen-prototypes.test.ts: freezes every prototype of Keel's
// classes first, as a Moddable preload does, then runs the code paths that
// swap methods on instances (the trace's onFilter hooks in Kernel, Hsm and
// BlockPool, a 'stop' Trace's write, a zeroOnClaim pool). In strict code a
// plain assignment over a method inherited from a frozen prototype throws, so
// each swap must go to an own property. Runs in its own thread so that the
// freeze does not reach the other tests' realm.
import { parentPort } from 'node:worker_threads';
import { Kernel, type Behaviour } from '../../src/kernel.js';
import { defineHsm, defineSignals, Hsm } from '../../src/hsm.js';
import { BlockPool, PoolSet } from '../../src/pool.js';
import { EventQueue } from '../../src/queue.js';
import { Stream, BlockStream } from '../../src/stream.js';
import { Trace, traceBit, TRACE_POST, TRACE_DISPATCH, TRACE_POOL_CLAIM } from '../../src/trace.js';

const steps: string[] = [];
try {
  for (const c of [Kernel, Hsm, BlockPool, PoolSet, EventQueue, Stream, BlockStream, Trace]) Object.freeze(c.prototype);

  class Work implements Behaviour {
    n = 0;
    start(): void {}
    dispatch(): void {
      this.n++;
    }
  }
  const S = defineSignals(['GO', 'STOP']);
  const def = defineHsm({
    name: 'blink',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'off',
    states: {
      off: { on: { GO: 'on' } },
      on: { after: { 100: 'off' }, on: { STOP: 'off' } },
    },
  });

  const plain = defineHsm({
    name: 'toggle',
    signals: S,
    context: () => ({ n: 0 }),
    initial: 'off',
    states: {
      off: { on: { GO: 'on' } },
      on: { on: { STOP: 'off' } },
    },
  });

  for (const mode of ['ring', 'stop'] as const) {
    for (const clock of [() => 0, null]) {
      const tr = new Trace({ clock, capacity: 8, mode });
      const k = new Kernel({ trace: tr });
      const ao = k.spawn({ create: () => new Work() }, 1, 4);
      const m = k.spawnMachine(def, { priority: 2, queueCapacity: 4 });
      const pool = new BlockPool({ name: 'p', blockSize: 8, count: 2, trace: tr, zeroOnClaim: true });
      const hsm = new Hsm(plain, { trace: tr });
      hsm.start();
      for (let round = 0; round < 3; round++) {
        // Filter changes swap the traced and untraced methods in and out.
        tr.setKinds(round === 1 ? 0 : round === 2 ? traceBit(TRACE_POST) | traceBit(TRACE_DISPATCH) | traceBit(TRACE_POOL_CLAIM) : (1 << 20) - 2);
        tr.enableObject(k.traceIdOf(ao), round !== 2);
        if (!k.post(ao, S.GO)) throw new Error('post refused');
        k.post(m.ao, S.GO);
        k.tick(100 * (round + 1));
        k.run();
        hsm.dispatch(S.GO, 0, 0, 0, 0);
        hsm.dispatch(S.STOP, 0, 0, 0, 0);
        const h = pool.claim();
        pool.release(h);
      }
      steps.push(`${mode}/${clock === null ? 'null' : 'fn'}: written ${tr.written}`);
    }
  }
  // An untraced zeroOnClaim pool and a PoolSet.
  const z = new BlockPool({ name: 'z', blockSize: 8, count: 2, zeroOnClaim: true });
  z.release(z.claim());
  const set = new PoolSet({ name: 's', classes: [{ blockSize: 8, count: 2 }], trace: new Trace({ clock: null }) });
  set.release(set.reserve(8));
  steps.push('zeroOnClaim and PoolSet');
  parentPort!.postMessage({ ok: true, steps });
} catch (e) {
  parentPort!.postMessage({ ok: false, steps, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
}

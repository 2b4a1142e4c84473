// Issue 19, corrupted memory with real concurrency: a hostile worker thread
// (./shared-hostile.worker.ts, seeded) writes random words into the buffer of
// a SharedEventQueue or a SharedStream while this thread produces and
// consumes on it. Checked on every call: signals in 0..65535, counts in
// range, lengths in 0..capacity, only the documented errors (QueueCorruptionError,
// StreamCorruptionError, QueueOverflowError for a 'throw' queue), and every
// call returns (bounded loops). When the writer stops, the documented recovery
// heals the queue or stream and it is exact again. The long run: `npm run soak`.
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';
import { NO_EVENT, QueueOverflowError } from '../../src/queue.js';
import { LAYOUT, QueueCorruptionError, SharedEventQueue } from '../../src/shared-queue.js';
import { SHARED_STREAM_LAYOUT as SL, SharedStream, StreamCorruptionError } from '../../src/shared-stream.js';
import { Rng } from '../support/shared-fuzz.js';

function run<T>(file: string, workerData: unknown): Promise<T> {
  const worker = new Worker(new URL(file, import.meta.url), { workerData });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (m: T) => resolve(m));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${file} exited with code ${code}`));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Seeds and milliseconds per seed; scripts/soak.mjs sets KEEL_SOAK_HOSTILE="seeds,ms" for the long run. */
const [SEEDS, MS] = (process.env.KEEL_SOAK_HOSTILE ?? '3,400').split(',').map(Number) as [number, number];

interface Outcome {
  ops: number;
  ok: number;
  empty: number;
  corruption: number;
  overflow: number;
  violations: string[];
}

function outcome(): Outcome {
  return { ops: 0, ok: 0, empty: 0, corruption: 0, overflow: 0, violations: [] };
}

async function underAttack(seed: number, buffer: SharedArrayBuffer, hot: number[], step: (r: Rng, o: Outcome) => void): Promise<Outcome & { writes: number }> {
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const hostile = run<{ writes: number }>('./shared-hostile.worker.mjs', { buffer, seed, hot, burst: 32, flags });
  while (Atomics.load(flags, 1) === 0) await sleep(2);
  const r = new Rng(seed * 7919);
  const o = outcome();
  const t0 = Date.now();
  while (Date.now() - t0 < MS) {
    for (let i = 0; i < 200; i++) {
      o.ops++;
      step(r, o);
    }
  }
  Atomics.store(flags, 0, 1);
  const { writes } = await hostile;
  return { ...o, writes };
}

describe('a hostile thread writes random words into the buffer while this thread uses it (issue 19)', function () {
  this.timeout(120000);

  it(`SharedEventQueue: ${SEEDS} seeds x ${MS} ms: in range, named errors only, heals, exact again`, async function () {
    const total = { ops: 0, ok: 0, empty: 0, corruption: 0, overflow: 0, writes: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const capacity = [1, 5, 8, 64][seed % 4]!;
      const overflow = seed % 2 === 0 ? 'throw' : 'reject';
      const q = new SharedEventQueue({ name: 'attacked', capacity, overflow, initialIndex: 0xffffffff - seed * 100 });
      const p = SharedEventQueue.attach(q.buffer, { name: 'attacked producer' });
      const hot = [LAYOUT.W_HEAD, LAYOUT.W_TAIL, LAYOUT.W_PEAK, LAYOUT.W_WAITING, 64, 65, 74, 75];
      let now = 0;
      const o = await underAttack(seed, q.buffer as SharedArrayBuffer, hot, (r, o) => {
        const a = r.int(10);
        try {
          if (a < 4) {
            const ok = p.post(r.int(0x10000), r.double(), 0, 0, 0);
            if (ok) o.ok++;
          } else if (a < 8) {
            const s = q.get();
            if (s === NO_EVENT) o.empty++;
            else if (!(s >= 0 && s <= 0xffff && s === Math.floor(s))) o.violations.push(`get() returned ${s}`);
          } else if (a < 9) {
            const n = q.recover(5, (now += 3));
            if (n !== 0 && n !== 1) o.violations.push(`recover() returned ${n}`);
          } else {
            for (const h of [q, p])
              for (const n of [h.length, h.ringLength, h.free, h.minFree])
                if (!(n >= 0 && n <= capacity)) o.violations.push(`'${h.name}': a length/free of ${n} (capacity ${capacity})`);
          }
        } catch (e) {
          if (e instanceof QueueCorruptionError) o.corruption++;
          else if (e instanceof QueueOverflowError && overflow === 'throw') o.overflow++;
          else o.violations.push(`threw ${String(e)}`);
        }
      });
      assert.deepEqual(o.violations.slice(0, 5), [], `seed ${seed}: ${o.violations.slice(0, 5).join(" | ")}`);
      // Heal: recover() until no hole or bad index, clear; then one lap; then exact.
      // At least one pass: ringLength is clamped to 0..capacity, so a corrupt
      // negative TAIL - HEAD reads 0 until clear() (or get/recover) resyncs it.
      for (let i = 0; i === 0 || (i < 4 * capacity + 8 && q.ringLength > 0); i++) {
        q.recover(0, (now += 1));
        try {
          q.get();
        } catch (e) {
          if (!(e instanceof QueueCorruptionError)) throw e;
        }
        q.clear();
      }
      assert.equal(q.ringLength, 0, `seed ${seed}: healed`);
      const slots = (q.buffer.byteLength - 256) / 40;
      for (let i = 0; i <= slots; i++) {
        p.post(1);
        try {
          q.get();
        } catch (e) {
          if (!(e instanceof QueueCorruptionError)) throw e;
        }
      }
      q.clear();
      for (let k = 0; k < 3 * capacity; k++) {
        assert.equal(p.post(k % 0x10000, k, -k), true);
        assert.equal(q.get(), k % 0x10000);
        assert.deepEqual([q.p0, q.p1], [k, -k]);
      }
      for (const key of ['ops', 'ok', 'empty', 'corruption', 'overflow', 'writes'] as const) total[key] += o[key];
    }
    console.log(`      seeds 1..${SEEDS} x ${MS} ms: ${JSON.stringify(total)}`);
    assert.ok(total.writes > 0 && total.ops > 0 && total.ok > 0);
  });

  it(`SharedStream: ${SEEDS} seeds x ${MS} ms: counts in range, named errors only, heals, exact again`, async function () {
    const total = { ops: 0, ok: 0, empty: 0, corruption: 0, overflow: 0, writes: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const capacity = [1, 4, 8, 64][seed % 4]!;
      const s = new SharedStream({ name: 'attacked', type: 'i32', capacity, initialIndex: 0x7fffffff - seed * 100 });
      const c = SharedStream.attach(s.buffer, { name: 'attacked consumer', type: 'i32' });
      const hot = [SL.W_HEAD, SL.W_TAIL, SL.W_READER_WAITING, SL.W_WRITER_WAITING, SL.W_RSIGNAL, SL.W_WSIGNAL];
      const src = new Int32Array(2 * capacity + 2);
      const dst: (number | undefined)[] = new Array(2 * capacity + 4).fill(undefined);
      const o = await underAttack(seed + 100, s.buffer as SharedArrayBuffer, hot, (r, o) => {
        const a = r.int(10);
        try {
          if (a < 3) {
            if (s.writeOne(r.int(1000))) o.ok++;
          } else if (a < 5) {
            const n = r.int(src.length + 1);
            const got = s.write(src, 0, n);
            if (!(got >= 0 && got <= n && got <= capacity)) o.violations.push(`write(${n}) returned ${got}`);
            o.ok += got;
          } else if (a < 7) {
            // A drain (the writer may move TAIL forward meanwhile, as a producer would: the loop has its own guard).
            let n = 0;
            while (n < 4 * capacity && c.next()) n++;
            if (n === 0) o.empty++;
          } else if (a < 9) {
            const max = r.int(2 * capacity + 3);
            dst.fill(undefined);
            const n = c.read(dst as unknown as number[], 1, max);
            if (!(n >= 0 && n <= max && n <= capacity)) o.violations.push(`read(${max}) returned ${n}`);
            for (let i = 0; i < dst.length; i++)
              if ((i >= 1 && i < 1 + n) !== (dst[i] !== undefined)) o.violations.push(`read(${max}) = ${n} copied index ${i}: ${dst[i]}`);
            if (n === 0) o.empty++;
          } else {
            for (const h of [s, c]) if (!(h.length >= 0 && h.length <= capacity && h.free >= 0 && h.free <= capacity)) o.violations.push(`length ${h.length}, free ${h.free}`);
          }
        } catch (e) {
          if (e instanceof StreamCorruptionError) o.corruption++;
          else o.violations.push(`threw ${String(e)}`);
        }
      });
      assert.deepEqual(o.violations.slice(0, 5), [], `seed ${seed}: ${o.violations.slice(0, 5).join(" | ")}`);
      for (let i = 0; i < 4 * capacity + 8; i++) {
        try {
          if (!c.next() && c.length === 0) break;
        } catch (e) {
          if (!(e instanceof StreamCorruptionError)) throw e;
        }
      }
      assert.equal(c.length, 0, `seed ${seed}: healed`);
      if (!s.closed) {
        for (let k = 0; k < 3 * capacity; k++) {
          assert.equal(s.writeOne(k), true);
          assert.equal(c.next() && c.value, k);
        }
      } else assert.equal(c.done, true, 'closed (by a hostile write of CLOSED) and drained: done');
      for (const key of ['ops', 'ok', 'empty', 'corruption', 'overflow', 'writes'] as const) total[key] += o[key];
    }
    console.log(`      seeds 1..${SEEDS} x ${MS} ms: ${JSON.stringify(total)}`);
    assert.ok(total.writes > 0 && total.ops > 0 && total.ok > 0);
  });
});

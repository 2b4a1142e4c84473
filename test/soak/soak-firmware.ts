// The soak firmware (issue 13, item 4): kernel + hsm (spawnMachine, `after`,
// `every`, deferral and recall of pool-block events) + pool (publishBlock
// reference counts) + Stream (u8) + BlockStream, driven one virtual ms at a
// time: `tick(now)` then `run()`. Engine-neutral: runs on Node (a short run in
// `npm test`) and on the XS host with a fixed heap (`npm run soak`: 10,000,000
// dispatched events, 0 collections, slots and chunks unchanged).
//
// Per ms: the producer's `every: 1` emits. Every 2nd ms it publishes a pool
// block (refcounted to two subscribers), writes 4 bytes into the byte stream,
// and every 4th ms sends a block through the block stream. The worker defers
// the block signal while `paused` (entered every 16 events, left by
// `after: 3`) and recalls on re-entry. The reader drains both streams on their
// readiness signals. Everything allocated at boot; nothing per event.
import { BlockPool, NO_BLOCK } from '../../src/pool.js';
import { Kernel } from '../../src/kernel.js';
import { defineHsm, defineSignals } from '../../src/hsm.js';
import { BlockStream, Stream } from '../../src/stream.js';
import type { ActiveMachine } from '../../src/active-machine.js';

const S = defineSignals(['BLK', 'RX_READY', 'TX_READY', 'PAUSE']);

interface ProducerCtx {
  n: number;
  published: number;
  delivered: number;
  noBlock: number;
  bytes: number;
  sent: number;
}
interface WorkerCtx {
  handled: number;
  sum: number;
  pauses: number;
}

export interface SoakState {
  readonly kernel: Kernel;
  readonly pool: BlockPool;
  readonly rx: Stream<'u8'>;
  readonly tx: BlockStream;
  readonly producer: ActiveMachine<ProducerCtx>;
  readonly workers: ActiveMachine<WorkerCtx>[];
  readonly reader: ActiveMachine<{ bytes: number; blocks: number; check: number }>;
  /** The kernel's clock, ms. */
  readonly clock: { t: number };
}

export function bootSoak(): SoakState {
  const pool = new BlockPool({ name: 'soak', blockSize: 16, count: 16 });
  const clock = { t: 0 };
  const now = (): number => clock.t;
  const kernel = new Kernel({ name: 'soak', maxObjects: 6, maxSignals: 8, timers: 8, pool, host: { now } });
  kernel.blockSignal(S.BLK);
  const rx = new Stream({ type: 'u8', capacity: 64, name: 'soak-rx' });
  const tx = new BlockStream({ name: 'soak-tx', capacity: 4, pool });
  const bytes = pool.bytes;
  const producer = kernel.spawnMachine(
    defineHsm({
      name: 'producer',
      signals: S,
      context: (): ProducerCtx => ({ n: 0, published: 0, delivered: 0, noBlock: 0, bytes: 0, sent: 0 }),
      initial: 'running',
      states: {
        running: {
          every: {
            1: {
              action: (c) => {
                c.n++;
                if ((c.n & 1) !== 0) return;
                const h = pool.tryClaim();
                if (h === NO_BLOCK) c.noBlock++;
                else {
                  bytes[pool.offset(h)] = c.n & 0xff;
                  c.delivered += kernel.publishBlock(S.BLK, h, c.n);
                  c.published++;
                }
                for (let i = 0; i < 4; i++) if (rx.writeOne((c.n + i) & 0xff)) c.bytes++;
                if ((c.n & 3) === 0) {
                  const b = pool.tryClaim();
                  if (b === NO_BLOCK) c.noBlock++;
                  else if (tx.send(b)) c.sent++;
                  else pool.release(b);
                }
              },
            },
          },
        },
      },
    }),
    { priority: 5, queueCapacity: 8 },
  );
  const workerDef = defineHsm({
    name: 'worker',
    signals: S,
    context: (): WorkerCtx => ({ handled: 0, sum: 0, pauses: 0 }),
    initial: 'working',
    states: {
      working: {
        entry: (_c, m) => {
          m.recallAll();
        },
        on: {
          BLK: [
            { guard: (c) => (c.handled & 15) === 15, target: 'paused', action: (c, h) => { c.handled++; c.sum = (c.sum + bytes[pool.offset(h)]!) | 0; c.pauses++; } },
            { action: (c, h) => { c.handled++; c.sum = (c.sum + bytes[pool.offset(h)]!) | 0; } },
          ],
        },
      },
      paused: { defer: ['BLK'], after: { 3: 'working' } },
    },
  });
  const workers = [
    kernel.spawnMachine(workerDef, { priority: 4, queueCapacity: 8, deferCapacity: 4 }),
    kernel.spawnMachine(workerDef, { priority: 3, queueCapacity: 8, deferCapacity: 4 }),
  ];
  for (const w of workers) kernel.subscribe(w.ao, S.BLK);
  const reader = kernel.spawnMachine(
    defineHsm({
      name: 'reader',
      signals: S,
      context: () => ({ bytes: 0, blocks: 0, check: 0 }),
      initial: 'reading',
      states: {
        reading: {
          on: {
            RX_READY: {
              action: (c, _p0, _p1, _p2, _p3, m) => {
                for (let g = rx.capacity + 1; g > 0 && rx.next(); g--) {
                  c.bytes++;
                  c.check = (c.check + rx.value) | 0;
                }
                rx.waitReadable(m, S.RX_READY);
              },
            },
            TX_READY: {
              action: (c, _p0, _p1, _p2, _p3, m) => {
                for (let g = tx.capacity + 1; g > 0; g--) {
                  const h = tx.receive();
                  if (h === NO_BLOCK) break;
                  c.blocks++;
                  pool.release(h);
                }
                tx.waitReadable(m, S.TX_READY);
              },
            },
          },
        },
      },
    }),
    { priority: 2, queueCapacity: 4 },
  );
  rx.waitReadable(reader.hsm, S.RX_READY);
  tx.waitReadable(reader.hsm, S.TX_READY);
  return { kernel, pool, rx, tx, producer, workers, reader, clock };
}

/** One virtual ms: tick, then run to completion. Returns the events dispatched. Allocation-free. */
export function soakStep(s: SoakState): number {
  const t = ++s.clock.t;
  s.kernel.tick(t);
  return s.kernel.run();
}

/** The invariants after a run (allocates: for the report). Empty when all hold. */
export function soakProblems(s: SoakState, poolUsedAtBoot: number): string[] {
  const out: string[] = [];
  const k = s.kernel;
  // Let what is queued finish, with the clock stopped (no new emissions).
  for (let i = 0; i < 16 && k.ready; i++) k.run();
  const aos = [s.producer.ao, ...s.workers.map((w) => w.ao), s.reader.ao];
  for (const ao of aos) {
    const q = k.queueOf(ao);
    if (q.posted !== q.taken + q.dropped + q.length) out.push(`ao ${ao}: posted ${q.posted} != taken ${q.taken} + dropped ${q.dropped} + queued ${q.length}`);
  }
  const deferred = s.workers.reduce((n, w) => n + w.hsm.deferredCount, 0);
  const inStream = s.tx.length;
  const expectUsed = poolUsedAtBoot + deferred + inStream;
  if (s.pool.used !== expectUsed) out.push(`pool.used ${s.pool.used} != at boot ${poolUsedAtBoot} + deferred ${deferred} + in the block stream ${inStream}`);
  if (s.rx.written !== s.rx.length + s.reader.ctx.bytes) out.push(`byte stream: written ${s.rx.written} != read ${s.reader.ctx.bytes} + queued ${s.rx.length}`);
  if (s.producer.ctx.bytes !== s.rx.written) out.push(`producer wrote ${s.producer.ctx.bytes} bytes, the stream counted ${s.rx.written}`);
  if (s.producer.ctx.sent !== s.reader.ctx.blocks + s.tx.length) out.push(`block stream: sent ${s.producer.ctx.sent} != received ${s.reader.ctx.blocks} + queued ${s.tx.length}`);
  const handled = s.workers.reduce((n, w) => n + w.ctx.handled, 0);
  if (handled + deferred !== s.producer.ctx.delivered) out.push(`workers handled ${handled} + deferred ${deferred} != ${s.producer.ctx.delivered} block deliveries`);
  if (s.workers.some((w) => w.hsm.deferDropped !== 0)) out.push('a worker dropped a deferred event');
  return out;
}

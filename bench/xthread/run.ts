/**
 * The cross-thread bench (issue 16): SharedEventQueue SPSC against ringbuf.js
 * (padenot's wait-free SPSC ring over a SharedArrayBuffer) on Node
 * worker_threads, in one run. Called by scripts/bench.mjs (`npm run bench`,
 * `node scripts/bench.mjs xthread --engine node`); its rows land in
 * bench/results/latest.json beside the others (bench 'xthread', engine
 * 'node', nsPerOp = ns per event, ratio to the baseline row).
 *
 * Both sides equal: the same `events` (1,000,000) of the same three int32
 * (bench/xthread/events.ts), made per event by the producer; the producer in
 * a Worker started the same way for every variant (new Worker, attach,
 * 'ready', block on a start gate: producer.worker.ts); the consumer on this
 * thread, spinning (no waits), checking every event's three values in order;
 * the same capacity (CAPACITY events: SharedEventQueue capacity CAPACITY,
 * ringbuf.js 3 * CAPACITY int32 elements). Timed from opening the gate to
 * the last event taken. Each round runs every variant once, the order rotated
 * by round; a row is the median of ROUNDS rounds (min and max in its
 * figures). A run that loses, duplicates, reorders or tears an event, or
 * whose counters do not add up, throws: no row is written from it.
 *
 * Variants (events.ts): one event per call on both sides, and BATCH events
 * per call on both sides (ringbuf.js push/pop of 3 * BATCH int32;
 * SharedEventQueue postMany/drainTo of BATCH records).
 *
 * Wall-clock numbers from threads: they depend on the machine, its cores and
 * its load. Compare rows of one run only.
 */
import { Worker } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { NO_EVENT } from '../../src/queue.js';
import { SharedEventQueue } from '../../src/shared-queue.js';
import { MUL, SIG, XOR, type ProducerData, type ProducerReport, type Variant } from './events.js';

export const EVENTS = 1_000_000;
export const CAPACITY = 1024;
export const BATCH = 64;
export const ROUNDS = 7;

/** A row as scripts/bench.mjs keeps them before it writes bench/results/latest.json. */
export interface XthreadRow {
  bench: string;
  name: string;
  engine: 'node';
  baseline: string | null;
  nsPerOp: number;
  stepsPerOp: null;
  slotsPerOp: null;
  chunkBytesPerOp: null;
  figures: Record<string, number>;
}

/** What the consumer saw in one timed run. */
interface Run {
  ms: number;
  /** Consumer calls that found nothing (it spins). */
  emptyCalls: number;
}

/** Stop spinning after this long without finishing (a dead producer), and fail the run. */
const STALL_MS = 60000;

function stalled(t0: number, got: number, events: number, variant: Variant): void {
  if (performance.now() - t0 > STALL_MS)
    throw new Error(`xthread bench: ${variant}: only ${got} of ${events} events arrived in ${STALL_MS} ms (producer stalled or died)`);
}

function badEvent(variant: Variant, i: number, a: number, b: number, c: number, sig: number): never {
  throw new Error(
    `xthread bench: ${variant}: event ${i} arrived as [${a}, ${b}, ${c}]${sig === SIG ? '' : ` with signal ${sig}`}; ` +
      `expected [${i}, ${Math.imul(i, MUL)}, ${i ^ XOR}] (lost, duplicated, reordered or torn)`,
  );
}

function consumeRingbufOne(rb: RingBuffer, events: number, t0: number): number {
  const ev = new Int32Array(3);
  let empty = 0;
  let have = 0;
  for (let i = 0; i < events; ) {
    have += rb.pop(ev, 3 - have, have);
    if (have < 3) {
      if ((++empty & 0xfffff) === 0) stalled(t0, i, events, 'ringbuf-1');
      continue;
    }
    const a = ev[0]!;
    const b = ev[1]!;
    const c = ev[2]!;
    if (a !== i || b !== Math.imul(i, MUL) || c !== (i ^ XOR)) badEvent('ringbuf-1', i, a, b, c, SIG);
    i++;
    have = 0;
  }
  return empty;
}

function consumeRingbufBatch(rb: RingBuffer, events: number, batch: number, t0: number): number {
  const buf = new Int32Array(3 * batch);
  let empty = 0;
  let have = 0;
  for (let i = 0; i < events; ) {
    const got = rb.pop(buf, buf.length - have, have);
    if (got === 0) {
      if ((++empty & 0xfffff) === 0) stalled(t0, i, events, 'ringbuf-batch');
      continue;
    }
    have += got;
    let e = 0;
    for (; e + 3 <= have; e += 3, i++) {
      const a = buf[e]!;
      const b = buf[e + 1]!;
      const c = buf[e + 2]!;
      if (a !== i || b !== Math.imul(i, MUL) || c !== (i ^ XOR)) badEvent('ringbuf-batch', i, a, b, c, SIG);
    }
    // Keep a partial event (1 or 2 int32) for the next pop.
    for (let k = e; k < have; k++) buf[k - e] = buf[k]!;
    have -= e;
  }
  return empty;
}

function consumeKeelOne(q: SharedEventQueue, events: number, t0: number): number {
  let empty = 0;
  for (let i = 0; i < events; ) {
    const s = q.get();
    if (s === NO_EVENT) {
      if ((++empty & 0xfffff) === 0) stalled(t0, i, events, 'keel-1');
      continue;
    }
    const a = q.p0;
    const b = q.p1;
    const c = q.p2;
    if (s !== SIG || a !== i || b !== Math.imul(i, MUL) || c !== (i ^ XOR) || q.p3 !== 0) badEvent('keel-1', i, a, b, c, s);
    i++;
  }
  return empty;
}

function consumeKeelBatch(q: SharedEventQueue, events: number, batch: number, t0: number): number {
  const dst = new Int32Array(5 * batch);
  let empty = 0;
  for (let i = 0; i < events; ) {
    const n = q.drainTo(dst, batch);
    if (n === 0) {
      if ((++empty & 0xfffff) === 0) stalled(t0, i, events, 'keel-batch');
      continue;
    }
    for (let k = 0, o = 0; k < n; k++, o += 5, i++) {
      const s = dst[o]!;
      const a = dst[o + 1]!;
      const b = dst[o + 2]!;
      const c = dst[o + 3]!;
      if (s !== SIG || a !== i || b !== Math.imul(i, MUL) || c !== (i ^ XOR) || dst[o + 4] !== 0) badEvent('keel-batch', i, a, b, c, s);
    }
  }
  return empty;
}

/** One timed run of `variant`: start its producer, open the gate, take every event, check, report. */
async function runOnce(variant: Variant, events: number, batch: number): Promise<Run> {
  const keel = variant === 'keel-1' || variant === 'keel-batch';
  const q = keel ? new SharedEventQueue({ name: `xthread ${variant}`, capacity: CAPACITY, producers: 'single' }) : undefined;
  const buffer = keel ? (q!.buffer as SharedArrayBuffer) : RingBuffer.getStorageForCapacity(3 * CAPACITY, Int32Array);
  const rb = keel ? undefined : new RingBuffer(buffer, Int32Array);
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const data: ProducerData = { variant, buffer, events, batch, gate };
  const worker = new Worker(new URL('./producer.worker.mjs', import.meta.url), { workerData: data });
  let report: ProducerReport | undefined;
  const done = new Promise<void>((resolve, reject) => {
    worker.on('message', (m: unknown) => {
      if (m !== 'ready') report = m as ProducerReport;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`xthread bench: ${variant} producer exited with code ${code}`))));
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(new Error(`xthread bench: ${variant}: expected 'ready'`))));
    worker.once('error', reject);
  });
  const t0 = performance.now();
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  const emptyCalls =
    variant === 'ringbuf-1'
      ? consumeRingbufOne(rb!, events, t0)
      : variant === 'ringbuf-batch'
        ? consumeRingbufBatch(rb!, events, batch, t0)
        : variant === 'keel-1'
          ? consumeKeelOne(q!, events, t0)
          : consumeKeelBatch(q!, events, batch, t0);
  const ms = performance.now() - t0;
  await done;
  if (report === undefined || report.events !== events) throw new Error(`xthread bench: ${variant}: the producer did not report ${events} events`);
  if (keel) {
    // Counters exact: posted = taken + dropped + queued on the two handles; every full call refused and counted.
    const c = q!;
    if (report.posted !== events || c.taken !== events || c.dropped !== 0 || c.length !== 0 || c.refusedByAll !== report.refused >>> 0)
      throw new Error(
        `xthread bench: ${variant}: counters do not add up: posted ${report.posted}, taken ${c.taken}, dropped ${c.dropped}, ` +
          `length ${c.length}, refused ${report.refused}, refusedByAll ${c.refusedByAll}`,
      );
  } else if (!rb!.empty()) throw new Error(`xthread bench: ${variant}: events left in the ring`);
  return { ms, emptyCalls };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface XthreadOptions {
  events?: number;
  rounds?: number;
  batch?: number;
  /** Default all four. */
  variants?: Variant[];
  log?: (line: string) => void;
}

/** Runs every variant `rounds` times (interleaved) and returns one row per variant. */
export async function runXthread(options: XthreadOptions = {}): Promise<XthreadRow[]> {
  const events = options.events ?? EVENTS;
  const rounds = options.rounds ?? ROUNDS;
  const batch = options.batch ?? BATCH;
  const log = options.log ?? ((): void => {});
  const variants: Variant[] = options.variants ?? ['ringbuf-1', 'keel-1', 'ringbuf-batch', 'keel-batch'];
  const ms = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]!;
      const run = await runOnce(v, events, batch);
      ms.get(v)!.push(run.ms);
      log(`xthread round ${r + 1}/${rounds} ${v}: ${(events / run.ms / 1000).toFixed(2)} M events/s (${run.emptyCalls} empty takes)`);
    }
  }
  const BASE = `ringbuf.js push+pop, 1 event (3 int32) per call (baseline)`;
  const names: Record<Variant, [string, string | null]> = {
    'ringbuf-1': [BASE, null],
    'keel-1': ['keel SharedEventQueue SPSC post+get, 1 event per call', BASE],
    'ringbuf-batch': [`ringbuf.js push+pop, ${batch} events per call`, BASE],
    'keel-batch': [`keel SharedEventQueue SPSC postMany+drainTo, ${batch} events per call`, BASE],
  };
  return variants.map((v) => {
    const xs = ms.get(v)!;
    const mid = median(xs);
    return {
      bench: 'xthread',
      name: names[v][0],
      engine: 'node',
      baseline: names[v][1],
      nsPerOp: (mid * 1e6) / events,
      stepsPerOp: null,
      slotsPerOp: null,
      chunkBytesPerOp: null,
      figures: {
        'M events/s, median': Math.round(events / mid / 10) / 100,
        'M events/s, best round': Math.round(events / Math.min(...xs) / 10) / 100,
        'M events/s, worst round': Math.round(events / Math.max(...xs) / 10) / 100,
        rounds,
        events,
        capacity: CAPACITY,
      },
    };
  });
}

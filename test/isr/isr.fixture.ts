// Test and bench helper for the native interrupt bridge on the XS host
// (hosts/native/keel_isr.c, driven through $xs.isr*; docs/interrupts.md).
//
// A Bridge is what a firmware's bridge does on the VM's thread, made once at
// set-up: a SharedEventQueue that C producers post into, and a kernel with one
// active object (a Sink) that the drain feeds through kernel.interrupt(). The
// Sink checks every event as it is dispatched: per source id (p0), the
// sequence number (p3) must grow; the gaps it leaves are the edges that did
// not arrive (refused or filtered), summed per source. It can also record the
// latency, the consumer's clock at dispatch minus the edge's timestamp (p2),
// in a log-linear histogram (1 us below 1 ms, 1/64 above). Everything on
// the drain path is numbers and typed arrays: the drain allocates nothing
// (measured by the tests).
//
//   producers (C threads, isrEdges, a JS handle) --> ring --drain()--> kernel.interrupt(ao, ..)
//        --> AO queue --kernel.run()--> Sink.dispatch(sig, id, level, timeUs, seq)
import { Kernel, type Behaviour } from '../../src/kernel.js';
import { NO_EVENT } from '../../src/queue.js';
import { SharedEventQueue } from '../../src/shared-queue.js';

type Host = NonNullable<typeof $xs>;
/** The keel-xs host when it has the bridge's functions (a host built with hosts/native/keel_isr.c). */
export const isrHost: Host | undefined =
  typeof $xs !== 'undefined' && typeof ($xs as Partial<Host>).isrStart === 'function' ? $xs : undefined;

/** Source ids the Sink tracks: 0..MAX_IDS-1. */
export const MAX_IDS = 128;
/**
 * Latency histogram, log-linear: 1-us buckets below 1024 us, then 64 buckets
 * per power of two (1/64 resolution, about 1.6 %) up to 2^31 us.
 */
export const LATENCY_BUCKETS = 1024 + 21 * 64;

/** The histogram bucket of a latency in whole us (0 <= us < 2^31). */
export function latencyBucket(us: number): number {
  if (us < 1024) return us;
  const e = 31 - Math.clz32(us); // 10..30
  return 1024 + (e - 10) * 64 + ((us >>> (e - 6)) & 63);
}

/** The lowest latency (us) of a bucket. */
export function bucketFloor(b: number): number {
  if (b < 1024) return b;
  const e = 10 + ((b - 1024) >> 6);
  return (64 + ((b - 1024) & 63)) * 2 ** (e - 6);
}
/** The signal the bridge's producers post. */
export const EDGE = 5;
/** Records moved into the kernel per drain batch (the AO queue's capacity and kernel.maxBurst). */
export const BATCH = 64;

export class Sink implements Behaviour {
  readonly last = new Float64Array(MAX_IDS);
  readonly got = new Float64Array(MAX_IDS);
  readonly gaps = new Float64Array(MAX_IDS);
  /** Events whose p3 did not grow for their source (order broken or a duplicate). */
  disorder = 0;
  /** Events with another signal or a source id out of range. */
  wrong = 0;
  readonly latency = new Uint32Array(LATENCY_BUCKETS);
  latencyMax = 0;
  latencyCount = 0;
  measureLatency = false;
  /** Positive control: allocate one array on the next event. */
  leakOnce = false;
  kept: unknown = null;
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }
  start(): void {}
  dispatch(sig: number, p0: number, _p1: number, p2: number, p3: number): void {
    const id = p0 | 0;
    if (sig !== EDGE || id !== p0 || id < 0 || id >= MAX_IDS) {
      this.wrong++;
      return;
    }
    const l = this.last[id]!;
    if (!(p3 > l)) this.disorder++;
    this.gaps[id] += p3 - l - 1;
    this.last[id] = p3;
    this.got[id]++;
    if (this.measureLatency) {
      const us = this.now() - p2;
      this.latency[latencyBucket(us < 0 ? 0 : us < 2147483647 ? us | 0 : 2147483647)]++;
      if (us > this.latencyMax) this.latencyMax = us;
      this.latencyCount++;
    }
    if (this.leakOnce) {
      this.leakOnce = false;
      this.kept = [p0];
    }
  }
  /**
   * The latency (us) at `fraction` of the events: the lowest value of the
   * histogram bucket that holds that event (exact below 1024 us, within
   * 1/64 above).
   */
  percentile(fraction: number): number {
    const want = Math.ceil(this.latencyCount * fraction);
    let n = 0;
    for (let b = 0; b < LATENCY_BUCKETS; b++) {
      n += this.latency[b]!;
      if (n >= want && n > 0) return bucketFloor(b);
    }
    return 0;
  }
}

export interface BridgeOptions {
  capacity: number;
  producers: 'single' | 'multiple';
  initialIndex?: number;
}

export class Bridge {
  readonly queue: SharedEventQueue;
  readonly kernel: Kernel;
  readonly ao: number;
  readonly sink: Sink;
  /** A second handle on the same buffer, for a JavaScript producer on the VM's thread. */
  readonly jsProducer: SharedEventQueue;
  /** The JS producer's next sequence number (counts posts offered, like the C side's p3). */
  jsSeq = 0;
  jsId = 100;
  /** Consumer passes; the stall (once, when taken reaches stallAt). */
  passes = 0;
  stallAt = -1;
  stallUs = 0;
  stalled = false;
  /** JS posts to make, jsPerPass per consumer pass. */
  jsCount = 0;
  jsPerPass = 0;
  private readonly host: Host;

  constructor(host: Host, options: BridgeOptions) {
    this.host = host;
    this.queue = new SharedEventQueue({
      name: 'isr',
      capacity: options.capacity,
      producers: options.producers,
      initialIndex: options.initialIndex,
    });
    this.jsProducer = SharedEventQueue.attach(this.queue.buffer, { name: 'isr-js' });
    this.kernel = new Kernel({ name: 'isr', maxObjects: 1, maxBurst: BATCH });
    const sink = new Sink(() => host.isrNowUs());
    this.sink = sink;
    this.ao = this.kernel.spawn({ create: () => sink }, 1, BATCH);
  }

  /**
   * Moves at most `limit` records (rounded up to BATCH) from the ring into the
   * kernel, BATCH at a time, running the kernel after each batch. Returns the
   * number moved.
   */
  drain(limit: number): number {
    const q = this.queue;
    const k = this.kernel;
    const ao = this.ao;
    let total = 0;
    // Bound: limit / BATCH batches of at most BATCH records.
    while (total < limit) {
      let n = 0;
      for (; n < BATCH; n++) {
        const sig = q.get();
        if (sig === NO_EVENT) break;
        k.interrupt(ao, sig, q.p0, q.p1, q.p2, q.p3);
      }
      if (n === 0) break;
      k.run();
      total += n;
      if (n < BATCH) break;
    }
    return total;
  }

  /** One JS producer post (timestamp from the producers' clock). */
  jsPost(): boolean {
    this.jsSeq++;
    return this.jsProducer.post(EDGE, this.jsId, this.jsSeq & 1, this.host.isrNowUs(), this.jsSeq);
  }

  /**
   * The consumer's loop on the VM's thread, until every producer thread is
   * done, the JS posts are made and the ring is empty: wait for a wake (or
   * `waitMs`), drain, post the JS producer's share, stall once if asked.
   */
  consume(waitMs: number): void {
    const host = this.host;
    const q = this.queue;
    // Bound: the producers' counts (each pass drains or waits).
    for (;;) {
      this.passes++;
      const running = host.isrRunning();
      host.isrWait(running > 0 ? waitMs : 0);
      for (let j = 0; j < this.jsPerPass && this.jsSeq < this.jsCount; j++) this.jsPost();
      this.drain(q.capacity);
      if (!this.stalled && this.stallAt >= 0 && q.taken >= this.stallAt) {
        this.stalled = true;
        host.sleepUs(this.stallUs);
      }
      if (running === 0 && this.jsSeq >= this.jsCount && q.ringLength === 0) return;
    }
  }
}

/**
 * hosts/moddable/interrupt/bridge-app: the interrupt bridge's proof app
 * (`keel/app` of hosts/moddable/interrupt/manifest_bridge.json), run in
 * mcsim by `npm run check:moddable` ("interrupt bridge" rows).
 *
 * What it does: one InterruptSource on simulated pin 0 (lin: a POSIX thread
 * plays the interrupt, from the first tick on, at config.keelBridgeHz for config.keelBridgeSeconds,
 * keelBridgeBurst edges per period keelBridgeGapUs apart, glitch filter
 * keelBridgeGlitchUs) posts into a SharedEventQueue ring (capacity
 * RING_CAPACITY); on each wake the source drains the ring into an active
 * object whose dispatch checks the record and measures the latency from
 * the record's timestamp (p2) to the dispatch, in a fixed-size histogram.
 * In mode 'multiple' (config.keelBridgeMode) every tick also posts one
 * record from JavaScript into the same ring (a second producer, its own
 * sequence).
 *
 * Checked, exactly (status() prints `exact yes` only if all hold):
 *   C:  offered == posted + refused + glitched + corrupt
 *   ring -> AO: takenC == posted (once the simulation ended and the ring is
 *       drained), taken == forwarded + dropped
 *   AO: edges seen == forwarded edges; p3 strictly increasing (in order per
 *       source); the sequence numbers never dispatched (gaps, and those after
 *       the last record) == refused + glitched + corrupt (every missing edge
 *       is a counted one); JS records consecutive 1, 2, 3...
 *   done: offered == hz * seconds * burst (the thread played every edge)
 * Allocation: after boot, the wake, drain, dispatch, histogram and tick
 * allocate nothing (the device host's probe windows; status() allocates and
 * runs outside them).
 *
 * Latency histogram: LATENCY_BUCKETS counters: 1 us wide below 1 ms, 100 us
 * wide from 1 ms to 100 ms, one overflow bucket; max kept exactly.
 * Percentiles report the upper edge of their bucket.
 *
 * Preload-safe: constants, classes, one frozen table.
 */
import config from 'mc/config';
import Time from 'time';
import { Kernel, type ActiveObjectDef, type AoPort, type Behaviour, type KernelHost } from 'keel/kernel';
import { SharedEventQueue, singleCoreAtomics } from 'keel/shared-queue';
import type { AppInstance, AppTable, DeviceApp, DeviceContext, Postable, Tickable } from 'keel/host/types';
import { EDGE_BOTH, InterruptSource, type SimulateOptions } from 'keel/host/interrupt/source';

export const SIG_EDGE = 1;
export const SIG_JS = 2;
export const RING_CAPACITY = 256;
export const AO_CAPACITY = 64;
export const LATENCY_BUCKETS = 1991;

/** Fixed-size latency histogram in microseconds. add() allocates nothing. */
export class LatencyHistogram {
  readonly counts = new Uint32Array(LATENCY_BUCKETS);
  count = 0;
  max = 0;
  add(us: number): void {
    const v = us > 0 ? us : 0;
    const i = v < 1000 ? Math.floor(v) : v < 100000 ? 1000 + Math.floor((v - 1000) / 100) : LATENCY_BUCKETS - 1;
    this.counts[i]++;
    this.count++;
    if (v > this.max) this.max = v;
  }
  /** Upper edge (us) of the bucket holding the q-quantile (0 < q <= 1); the exact max for the last bucket. */
  quantile(q: number): number {
    const need = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < LATENCY_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= need && seen > 0) return i < 1000 ? i + 1 : i < LATENCY_BUCKETS - 1 ? 1000 + (i - 999) * 100 : this.max;
    }
    return 0;
  }
}

/** The AO: checks each record and measures its latency. */
class EdgeChecker implements Behaviour {
  readonly hist = new LatencyHistogram();
  edges = 0;
  lastSeq = 0;
  gaps = 0;
  seqErrors = 0;
  badRecords = 0;
  jsRecords = 0;
  jsSeqErrors = 0;
  start(): void {}
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): void {
    if (sig === SIG_EDGE) {
      this.hist.add(InterruptSource.now() - p2);
      this.edges++;
      if (p3 <= this.lastSeq) this.seqErrors++;
      else this.gaps += p3 - this.lastSeq - 1;
      this.lastSeq = p3;
      if (p0 !== 0 || (p1 !== 0 && p1 !== 1)) this.badRecords++;
    } else if (sig === SIG_JS) {
      this.jsRecords++;
      if (p3 !== this.jsRecords) this.jsSeqErrors++;
    } else this.badRecords++;
  }
}

class CheckerDef implements ActiveObjectDef {
  constructor(readonly checker: EdgeChecker) {}
  create(_port: AoPort): Behaviour {
    return this.checker;
  }
}

class TicksClock implements KernelHost {
  now(): number {
    return Time.ticks;
  }
}

/** The bridge app's tickable: kernel, then the source's poll, then the JS producer (mode 'multiple'). */
class BridgeTicker implements Tickable {
  jsPosted = 0;
  jsRefused = 0;
  started = false;
  constructor(
    private readonly kernel: Kernel,
    private readonly source: InterruptSource,
    private readonly queue: SharedEventQueue,
    private readonly jsProducer: boolean,
    private readonly simulation: SimulateOptions,
  ) {}
  tick(nowMs: number): void {
    // The simulation starts on the first tick, once the VM's loop runs (not during boot).
    if (!this.started) {
      this.started = true;
      this.source.simulate(this.simulation);
    }
    this.kernel.tick(nowMs);
    this.kernel.run();
    this.source.poll();
    if (this.jsProducer && this.source.simulating !== 0) {
      if (this.queue.post(SIG_JS, 1, 0, InterruptSource.now(), this.jsPosted + 1)) this.jsPosted++;
      else this.jsRefused++;
    }
  }
}

function num(name: string, fallback: number): number {
  const v = (config as Record<string, unknown>)[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

class NoEvents implements Postable {
  post(): boolean {
    return false;
  }
}

export const bridgeApp: DeviceApp = Object.freeze({
  name: 'interrupt-bridge',
  boot(_ctx: DeviceContext): AppInstance {
    const hz = num('keelBridgeHz', 10000);
    const seconds = num('keelBridgeSeconds', 10);
    const burst = num('keelBridgeBurst', 1);
    const gapUs = num('keelBridgeGapUs', 0);
    const glitchUs = num('keelBridgeGlitchUs', 0);
    const multiple = (config as Record<string, unknown>).keelBridgeMode === 'multiple';
    const kernel = new Kernel({ name: 'bridge', host: new TicksClock(), maxObjects: 2, timers: 2 });
    const checker = new EdgeChecker();
    const ao = kernel.spawn(new CheckerDef(checker), 1, AO_CAPACITY);
    const shared = typeof SharedArrayBuffer !== 'undefined' && typeof Atomics !== 'undefined';
    const queue = new SharedEventQueue({
      name: 'irq-ring',
      capacity: RING_CAPACITY,
      producers: multiple ? 'multiple' : 'single',
      buffer: shared ? undefined : InterruptSource.ring(RING_CAPACITY),
      atomics: shared ? undefined : singleCoreAtomics,
    });
    const source = new InterruptSource({ name: 'edge', pin: 0, edge: EDGE_BOTH, queue, signal: SIG_EDGE, glitchUs, kernel, ao });
    const expected = Math.floor(hz * seconds + 0.5) * burst;
    const ticker = new BridgeTicker(kernel, source, queue, multiple, Object.freeze({ hz, seconds, burst, gapUs }));
    return {
      tickable: ticker,
      events: new NoEvents(),
      buttonSignal: 0,
      status(): string {
        const s = source;
        const c = checker;
        const done = ticker.started && s.simulating === 0 && queue.ringLength === 0;
        const takenC = c.edges; // the C records the AO saw (dropped must be 0)
        // Sequence numbers never dispatched: gaps between records, and after the last one (offered - lastSeq).
        const missing = c.gaps + (s.offered - c.lastSeq);
        const exact =
          s.offered === s.posted + s.refused + s.glitched + s.corrupt &&
          s.taken === s.forwarded + s.dropped &&
          s.taken === c.edges + c.jsRecords + s.dropped &&
          c.seqErrors === 0 &&
          c.jsSeqErrors === 0 &&
          c.badRecords === 0 &&
          s.dropped === 0 &&
          s.corrupted === 0 &&
          s.wakeErrors === 0 &&
          (!done || (takenC === s.posted && missing === s.refused + s.glitched + s.corrupt && s.offered === expected && c.jsRecords === ticker.jsPosted));
        const h = c.hist;
        return (
          `bridge ${done ? 'done' : 'running'} mode ${multiple ? 'multiple' : 'single'}: offered ${s.offered} of ${expected} posted ${s.posted} refused ${s.refused} glitched ${s.glitched} corrupt ${s.corrupt}; ` +
          `taken ${s.taken} forwarded ${s.forwarded} dropped ${s.dropped} edges ${c.edges} gaps ${missing} seqErrors ${c.seqErrors} js ${c.jsRecords}/${ticker.jsPosted} (refused ${ticker.jsRefused}); ` +
          `wakes ${s.wakes} calls ${s.wakeCalls} lost ${s.wakesLost} drains ${s.drains}; ring peak ${queue.capacity - queue.minFree}; ` +
          `latency us p50 ${h.quantile(0.5)} p99 ${h.quantile(0.99)} max ${Math.round(h.max)} n ${h.count}; exact ${exact ? 'yes' : 'NO'}`
        );
      },
      stop(): void {
        source.close();
      },
    };
  },
});

const table: AppTable = Object.freeze([bridgeApp]);
export default table;

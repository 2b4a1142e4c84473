/**
 * Stand-in for hosts/moddable/interrupt/native.ts (`keel/host/interrupt/native`)
 * on the XS engine host, so the shipped InterruptSource (source.ts) runs
 * unchanged over real C threads: the same classes, methods, arguments,
 * return codes and counters, backed by keel-xs's $xs.isr* bench, which
 * compiles the same producer (hosts/native/keel_isr.c). scripts/bundle.mjs
 * maps the name to this file for imports from hosts/moddable.
 *
 *   native.ts (Moddable)                      this stand-in (keel-xs)
 *   open: keel_isr_attach, claim pin, arm     $xs.isrStart({ count: 0 }): keel_isr_attach;
 *                                             pins 0..63 claimed in a table here
 *   simulate(hz, seconds, burst, gapUs):      $xs.isrStart({ count: hz*seconds*burst,
 *     lin's thread                              ratePerSec: hz*burst, burst }): a POSIX thread
 *   the wake: a GSource / from-ISR message,   the wake semaphore; deliverWakes(ms) plays the
 *     then kip_deliver -> target.onWake()       VM loop's delivery: onWake() if a wake arrived
 *   wakeDone(): keel_isr_wake_done            $xs.isrWakeDone()
 *   counter(i): KIP_C_*                       $xs.isrCounter (0..5), wakesLost 0,
 *                                             delivered (counted here), simulating
 *   close(): disarm, join                     $xs.isrJoin()
 *   static now(): the records' clock          $xs.isrNowUs() (CLOCK_MONOTONIC, us)
 *
 * Differences (the host has one producer run at a time): one open source at a
 * time (a second gets KIP_EPLATFORM, 105); simulate's gapUs must be 0 (the
 * bench posts a burst back to back); InterruptRing is a plain ArrayBuffer here
 * (no memory the collector never moves), so open() refuses it with
 * KIP_EBUFFER_MOVES as it would a plain ArrayBuffer. Test-only extras:
 * deliverWakes(), setProducerOptions() (extra $xs.isrStart options for the
 * next simulate(), e.g. sources, maxFill) and the counters below.
 *
 * Allocation: wakeDone, counter, now and deliverWakes allocate nothing; open,
 * simulate and close build option objects (boot).
 */

type Host = NonNullable<typeof $xs>;

const KIP_OK = 0;
const KIP_EPIN_UNKNOWN = 100;
const KIP_EPIN_BUSY = 101;
const KIP_EBUFFER_MOVES = 102;
const KIP_EPLATFORM = 105;
const KIP_EOPEN = 106;
const KIP_ESIM_BUSY = 108;
const KIP_EEDGE = 109;
const KIP_ESIM_ARGS = 110;
const PINS = 64;
/** keel_isr.h attach codes by name. */
const ATTACH_CODES: Record<string, number> = { EALIGN: 1, ESIZE: 2, EMAGIC: 3, EVERSION: 4, ELAYOUT: 5, EMODE: 6, EINDEX: 7, EARG: 8 };

/** The keel-xs host, read once (a global lookup per call would cost a chunk on XS). */
const xsHost: Host | undefined = typeof $xs !== 'undefined' && typeof ($xs as Partial<Host>).isrStart === 'function' ? $xs : undefined;

function host(): Host {
  if (xsHost === undefined) throw new Error('interrupt-native stand-in: needs the keel-xs host with $xs.isr* (run on --engine xs)');
  return xsHost;
}

const pinsInUse = new Uint8Array(PINS);
let current: InterruptNative | null = null;
let extra: Record<string, number> = {};

/** The open stand-in's delivered wakes and the number of deliverWakes() calls that found none. */
export const standInCounters = { delivered: 0, idle: 0 };

/** Extra $xs.isrStart options (sources, maxFill, ...) for the next simulate(). Boot / test set-up. */
export function setProducerOptions(options: Record<string, number>): void {
  extra = options;
}

/**
 * The VM loop's part (lin: the GSource dispatch; esp32/pico: the message
 * delivery): waits up to `timeoutMs` for a wake; if one came and a source is
 * open, calls its target's onWake() (which calls wakeDone() first). Returns
 * 1 when it delivered, else 0. Allocates nothing.
 */
export function deliverWakes(timeoutMs: number): number {
  const h = host();
  const n = current;
  if (n === null || n.target === null) return 0;
  if (h.isrWait(timeoutMs, false) === 0) {
    standInCounters.idle++;
    return 0;
  }
  standInCounters.delivered++;
  n.delivered++;
  (n.target as { onWake(): void }).onWake();
  return 1;
}

/** Producer threads still posting (the lin counter `simulating`). */
export function producersRunning(): number {
  return host().isrRunning();
}

export class InterruptNative {
  /** @internal the JS target while open. */
  target: object | null = null;
  /** @internal onWake deliveries. */
  delivered = 0;
  private buffer: SharedArrayBuffer | null = null;
  private pin = -1;
  private signal = 0;
  private glitchUs = 0;
  private mode = 0;

  open(target: object, buffer: object, pin: number, edge: number, signal: number, glitchUs: number, mode: number): number {
    if (this.target !== null) return KIP_EOPEN;
    if (edge < 1 || edge > 3) return KIP_EEDGE;
    if (!(buffer instanceof SharedArrayBuffer)) return KIP_EBUFFER_MOVES;
    if (!(pin >= 0 && pin < PINS)) return KIP_EPIN_UNKNOWN;
    if (pinsInUse[pin] !== 0) return KIP_EPIN_BUSY;
    if (current !== null) return KIP_EPLATFORM;
    try {
      host().isrStart({ buffer, mode, sig: signal, id: pin, glitchUs, count: 0 });
    } catch (e) {
      const m = /KEEL_ISR_(E[A-Z]+)/.exec(String((e as Error).message));
      if (m !== null && ATTACH_CODES[m[1]!] !== undefined) return ATTACH_CODES[m[1]!]!;
      throw e;
    }
    pinsInUse[pin] = 1;
    this.target = target;
    this.buffer = buffer;
    this.pin = pin;
    this.signal = signal;
    this.glitchUs = glitchUs;
    this.mode = mode;
    current = this;
    return KIP_OK;
  }

  simulate(hz: number, seconds: number, burst: number, gapUs: number): number {
    if (this.target === null) return KIP_EOPEN;
    if (!(hz >= 1 && hz <= 1000000) || !(seconds > 0 && seconds <= 86400) || !(burst >= 1 && burst <= 1024) || gapUs !== 0)
      return KIP_ESIM_ARGS;
    const h = host();
    if (h.isrRunning() > 0) return KIP_ESIM_BUSY;
    const count = Math.round(hz * seconds) * burst;
    h.isrStart({ ...extra, buffer: this.buffer!, mode: this.mode, sig: this.signal, id: this.pin, glitchUs: this.glitchUs, count, ratePerSec: hz * burst, burst });
    return KIP_OK;
  }

  close(): void {
    if (this.target === null) return;
    host().isrJoin();
    pinsInUse[this.pin] = 0;
    this.target = null;
    this.buffer = null;
    if (current === this) current = null;
  }

  wakeDone(): void {
    if (this.target !== null) host().isrWakeDone();
  }

  counter(index: number): number {
    if (this.target === null) return 0;
    if (index >= 0 && index <= 5) return host().isrCounter(index);
    if (index === 7) return this.delivered;
    if (index === 8) return host().isrRunning() > 0 ? 1 : 0;
    return 0; // 6 wakesLost: a semaphore post is never refused
  }

  static now(): number {
    return host().isrNowUs();
  }
}

/** Ring memory: a plain ArrayBuffer here (see the header: open() refuses it). */
export class InterruptRing extends ArrayBuffer {
  constructor(byteLength: number) {
    super(byteLength);
  }
}

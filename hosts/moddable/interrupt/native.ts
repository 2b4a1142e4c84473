/**
 * hosts/moddable/interrupt/native: the host objects of the interrupt bridge,
 * bound to keel_interrupt.c through XS's Native API (xsc compiles
 * `native("x").call(this, ...)` to a direct host call). Used by source.ts
 * only; applications use InterruptSource.
 *
 *   InterruptNative  one bridge: open(...) returns a code (0 or KEEL_ISR_E* /
 *                    KIP_E*, mapped to named errors by source.ts); close();
 *                    wakeDone(); counter(i); simulate(...) (lin); static now()
 *   InterruptRing    ring memory that never moves (c_calloc), a host buffer
 *                    with `byteLength`, to format with SharedEventQueue where
 *                    there is no SharedArrayBuffer with Atomics (RP2040)
 *
 * Allocation: counter(), wakeDone() and now() return numbers or nothing
 * (no allocation). The constructors allocate (boot).
 * Preload-safe: class declarations only (native functions are defined, not
 * called, at preload).
 */

/** One bridge's host object (C: kip_source). */
export class InterruptNative extends Native('xs_keel_interrupt_destructor') {
  constructor() {
    super();
  }
  /** Boot: attach the ring, claim the pin, arm the interrupt. 0 or an error code. */
  open(target: object, buffer: object, pin: number, edge: number, signal: number, glitchUs: number, mode: number): number {
    return native('xs_keel_interrupt_open').call(this, target, buffer, pin, edge, signal, glitchUs, mode) as number;
  }
  /** lin (mcsim) only: start the thread that plays the interrupt. 0 or an error code. */
  simulate(hz: number, seconds: number, burst: number, gapUs: number): number {
    return native('xs_keel_interrupt_simulate').call(this, hz, seconds, burst, gapUs) as number;
  }
  close(): void {
    native('xs_keel_interrupt_close').call(this);
  }
  /** VM thread, before draining: the next edge wakes the VM again. */
  wakeDone(): void {
    native('xs_keel_interrupt_wake_done').call(this);
  }
  /** A counter of keel_interrupt.h (KIP_C_*); 0 once closed. */
  counter(index: number): number {
    return native('xs_keel_interrupt_counter').call(this, index) as number;
  }
  /** Microseconds on the clock the records' timestamps (p2) use. */
  static now(): number {
    return native('xs_keel_interrupt_now').call(this) as number;
  }
}

/** Ring memory in C (never moved by the XS collector), usable as a SharedEventQueue buffer. */
export class InterruptRing extends Native('xs_keel_interrupt_ring_destructor') {
  constructor(byteLength: number) {
    super();
    native('xs_keel_interrupt_ring').call(this, byteLength);
  }
  get byteLength(): number {
    return native('xs_keel_interrupt_ring_get_byteLength').call(this) as number;
  }
}

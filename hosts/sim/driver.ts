/**
 * sim/driver: the structural interfaces between the simulator and the
 * firmware it drives. The kernel (src/kernel.ts) satisfies Tickable,
 * Runnable and Postable without importing anything from here; so do the
 * tests' stand-in firmwares and a src/queue.ts event queue (Postable).
 *
 * Every call the simulator makes through these interfaces is a "firmware
 * step" (see simulator.ts): it must allocate nothing for the run to report 0.
 */

/** The kernel's time-event tick: called once per tick period with the virtual time. */
export interface Tickable {
  tick(nowMs: number): unknown;
  /**
   * Optional, for the simulator's `tickless` option (the kernel has it): ms
   * until the next time event expires (0 if due), or -1 when none is armed.
   */
  nextDelay?(nowMs: number): number;
}

/** Run to completion of everything ready; returns the number of events dispatched. */
export interface Runnable {
  run(): number;
  /** Optional, for the simulator's `tickless` option (the kernel has it): true while some event waits to run. */
  readonly ready?: boolean;
}

/** An event queue or an active object: accepts an event or refuses it (false) and counts the refusal. */
export interface Postable {
  post(sig: number, p0?: number, p1?: number, p2?: number, p3?: number): boolean;
}

/** A block pool, for the pool-exhaustion fault: tryClaim returns a handle or the pool's sentinel (src/pool.ts: NO_BLOCK = 0). */
export interface PoolLike {
  tryClaim(): number;
  release(handle: number): void;
}

/**
 * sim/prng: a small seeded pseudo-random number generator (mulberry32).
 *
 * Everything random in the simulator (bounce toggle counts and times, storm
 * edge times, tick delays) is drawn from one `Prng` seeded at construction,
 * in a fixed order, so the same seed and the same scenario give the same run,
 * bit for bit, on Node and on XS (only 32-bit integer arithmetic and
 * `Math.imul`; the float conversion is exact).
 *
 * Allocation: none after construction (the state is one number).
 * Contexts: simulator internals and scenario code; not shared across workers.
 */
export class Prng {
  private s: number;
  /** Numbers drawn so far (nextU32 calls), for diagnostics. */
  draws = 0;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The current state; `new Prng(p.state)` continues the same sequence. */
  get state(): number {
    return this.s;
  }

  /** Next 32-bit unsigned integer (mulberry32). */
  nextU32(): number {
    this.draws++;
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (0 when n <= 1). */
  below(n: number): number {
    if (n <= 1) return 0;
    return Math.floor(this.next() * n);
  }
}

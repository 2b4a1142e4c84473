// Hand-written rings: the baselines of bench/stream.bench.ts and
// bench/shared-stream.bench.ts. A typed-array ring with head/tail indices and
// a mask; no counters, no readiness, no checks, no atomics.

/** Ring capacity of every stream bench. */
export const CAP = 128;

/** One f64 item in and out per call (closure locals). */
export function handRingOne(): () => unknown {
  const ring = new Float64Array(CAP);
  const mask = CAP - 1;
  let head = 0;
  let tail = 0;
  let v = 0;
  let out = 0;
  return () => {
    if (((tail - head) | 0) !== CAP) {
      ring[tail & mask] = v++;
      tail = (tail + 1) | 0;
    }
    if (head !== tail) {
      out = ring[head & mask]!;
      head = (head + 1) | 0;
    }
    return out;
  };
}

/** Up to 64 items in and 64 out per call, indexed copy loops. */
export function handRing64<A extends Float64Array | Uint8Array>(ring: A, src: A, dst: A): () => unknown {
  const mask = ring.length - 1;
  let head = 0;
  let tail = 3; // misaligned so the copies cross the ring end
  return () => {
    let n = ring.length - ((tail - head) | 0);
    if (n > 64) n = 64;
    for (let i = 0; i < n; i++) ring[(tail + i) & mask] = src[i]!;
    tail = (tail + n) | 0;
    let m = (tail - head) | 0;
    if (m > 64) m = 64;
    for (let i = 0; i < m; i++) dst[i] = ring[(head + i) & mask]!;
    head = (head + m) | 0;
    return m;
  };
}

// Streams against hand-written rings doing the same work: a typed-array ring
// with head/tail indices and a mask, no counters, no readiness, no checks.
// - single item: writeOne + next (f64), vs the hand ring (closure locals) and
//   the same ring as a class with put()/take() methods (fields, method calls);
// - 64 items: write(64) + read(64) per call (f64 and u8), vs indexed copy loops;
// - blocks: tryClaim + send + receive + release with a real BlockPool, vs an
//   Int32Array handle ring around the same pool calls; and the lend path
//   beginWrite + commitWrite + beginRead + endRead.
import { defineBench } from './harness.js';
import { Stream, BlockStream } from '../src/stream.js';
import { BlockPool } from '../src/pool.js';
import { CAP, handRing64, handRingOne } from './rings.js';

/** The same ring as a class with two methods: shows what method calls and fields cost on their own. */
class HandRing {
  readonly ring = new Float64Array(CAP);
  head = 0;
  tail = 0;
  value = 0;
  put(v: number): boolean {
    const t = this.tail;
    if (((t - this.head) | 0) === CAP) return false;
    this.ring[t & (CAP - 1)] = v;
    this.tail = (t + 1) | 0;
    return true;
  }
  take(): boolean {
    const h = this.head;
    if (h === this.tail) return false;
    this.value = this.ring[h & (CAP - 1)]!;
    this.head = (h + 1) | 0;
    return true;
  }
}


function keel64(type: 'f64' | 'u8', src: Float64Array | Uint8Array, dst: Float64Array | Uint8Array): () => unknown {
  const s = new Stream({ type, capacity: CAP });
  s.writeOne(0);
  s.writeOne(0);
  s.writeOne(0);
  return () => {
    s.write(src, 0, 64);
    return s.read(dst, 0, 64);
  };
}

export default defineBench('stream', [
  { name: 'hand ring f64 write+take one (baseline)', make: handRingOne },
  {
    name: 'hand ring class f64 put() + take() (no counters, no readiness)',
    baseline: 'hand ring f64 write+take one (baseline)',
    make() {
      const r = new HandRing();
      let v = 0;
      return () => {
        r.put(v++);
        r.take();
        return r.value;
      };
    },
  },
  {
    name: 'Stream<f64> writeOne + next',
    baseline: 'hand ring f64 write+take one (baseline)',
    make() {
      const s = new Stream({ type: 'f64', capacity: CAP });
      let v = 0;
      return () => {
        s.writeOne(v++);
        s.next();
        return s.value;
      };
    },
  },
  {
    name: 'Stream<f64> next on empty (no item)',
    baseline: 'hand ring f64 write+take one (baseline)',
    make() {
      const s = new Stream({ type: 'f64', capacity: CAP });
      return () => s.next();
    },
  },
  {
    name: 'hand ring f64 copy 64 in + 64 out (baseline)',
    make: () => handRing64(new Float64Array(CAP), new Float64Array(64), new Float64Array(64)),
  },
  {
    name: 'Stream<f64> write(64) + read(64)',
    baseline: 'hand ring f64 copy 64 in + 64 out (baseline)',
    make: () => keel64('f64', new Float64Array(64), new Float64Array(64)),
  },
  {
    name: 'hand ring u8 copy 64 in + 64 out (baseline)',
    make: () => handRing64(new Uint8Array(CAP), new Uint8Array(64), new Uint8Array(64)),
  },
  {
    name: 'Stream<u8> write(64) + read(64)',
    baseline: 'hand ring u8 copy 64 in + 64 out (baseline)',
    make: () => keel64('u8', new Uint8Array(64), new Uint8Array(64)),
  },
  {
    name: 'hand handle ring + pool claim/release (baseline)',
    make() {
      const pool = new BlockPool({ blockSize: 32, count: 8 });
      const ring = new Int32Array(8);
      let head = 0;
      let tail = 0;
      return () => {
        const h = pool.tryClaim();
        ring[tail & 7] = h;
        tail = (tail + 1) | 0;
        const g = ring[head & 7]!;
        head = (head + 1) | 0;
        pool.release(g);
        return g;
      };
    },
  },
  {
    name: 'BlockStream tryClaim + send + receive + release',
    baseline: 'hand handle ring + pool claim/release (baseline)',
    make() {
      const pool = new BlockPool({ blockSize: 32, count: 8 });
      const s = new BlockStream({ capacity: 8, pool });
      return () => {
        s.send(pool.tryClaim());
        const g = s.receive();
        pool.release(g);
        return g;
      };
    },
  },
  {
    name: 'BlockStream beginWrite + commitWrite + beginRead + endRead',
    baseline: 'hand handle ring + pool claim/release (baseline)',
    make() {
      const pool = new BlockPool({ blockSize: 32, count: 8 });
      const s = new BlockStream({ capacity: 8, pool });
      return () => {
        s.beginWrite();
        s.commitWrite();
        const g = s.beginRead();
        s.endRead();
        return g;
      };
    },
  },
]);

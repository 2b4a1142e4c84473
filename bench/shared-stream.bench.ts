// SharedStream (src/shared-stream.ts) against the same hand-written rings as
// bench/stream.bench.ts (a typed-array ring with head/tail indices and a mask,
// no counters, no checks, no atomics), one thread:
// - single item: writeOne + next (f64), over Atomics + SharedArrayBuffer and
//   over singleCoreAtomics + ArrayBuffer (the RP2040 fallback), with the
//   single-context Stream<f64> as a peer row;
// - 64 items: write(64) + read(64) per call (f64 and u8), vs indexed copy loops.
import { defineBench } from './harness.js';
import { Stream } from '../src/stream.js';
import { SharedStream } from '../src/shared-stream.js';
import { singleCoreAtomics } from '../src/shared-queue.js';

import { CAP, handRing64, handRingOne } from './rings.js';

function shared(type: 'f64' | 'u8', single: boolean): SharedStream {
  return single
    ? new SharedStream({ type, capacity: CAP, atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedStream.byteLength(type, CAP)) })
    : new SharedStream({ type, capacity: CAP });
}

function one(single: boolean): () => unknown {
  const s = shared('f64', single);
  let v = 0;
  return () => {
    s.writeOne(v++);
    s.next();
    return s.value;
  };
}

function bulk(type: 'f64' | 'u8', single: boolean): () => unknown {
  const s = shared(type, single);
  const src = type === 'f64' ? new Float64Array(64) : new Uint8Array(64);
  const dst = type === 'f64' ? new Float64Array(64) : new Uint8Array(64);
  s.writeOne(0);
  s.writeOne(0);
  s.writeOne(0);
  return () => {
    s.write(src, 0, 64);
    return s.read(dst, 0, 64);
  };
}

const ONE = 'hand ring f64 write+take one (baseline)';
const F64 = 'hand ring f64 copy 64 in + 64 out (baseline)';
const U8 = 'hand ring u8 copy 64 in + 64 out (baseline)';

export default defineBench('shared-stream', [
  { name: ONE, make: handRingOne },
  {
    name: 'Stream<f64> writeOne + next (one context, peer)',
    baseline: ONE,
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
  { name: 'SharedStream<f64> writeOne + next (Atomics, SAB)', baseline: ONE, make: () => one(false) },
  { name: 'SharedStream<f64> writeOne + next (singleCoreAtomics)', baseline: ONE, make: () => one(true) },
  {
    name: 'SharedStream<f64> next on empty (Atomics)',
    baseline: ONE,
    make() {
      const s = shared('f64', false);
      return () => s.next();
    },
  },
  { name: F64, make: () => handRing64(new Float64Array(CAP), new Float64Array(64), new Float64Array(64)) },
  { name: 'SharedStream<f64> write(64) + read(64) (Atomics, SAB)', baseline: F64, make: () => bulk('f64', false) },
  { name: 'SharedStream<f64> write(64) + read(64) (singleCoreAtomics)', baseline: F64, make: () => bulk('f64', true) },
  { name: U8, make: () => handRing64(new Uint8Array(CAP), new Uint8Array(64), new Uint8Array(64)) },
  { name: 'SharedStream<u8> write(64) + read(64) (Atomics, SAB)', baseline: U8, make: () => bulk('u8', false) },
]);

// SharedStream (src/shared-stream.ts), single-threaded on both engines: the
// Stream API over one (Shared)ArrayBuffer with Atomics or singleCoreAtomics,
// attach() and its header validation, two streams in one buffer, the 32-bit
// wrap, close/done, misuse, a fast-check model test, the regressions of
// issue 19 (length snapshots, waits that end only at the timeout, corrupted
// indices) and zero allocation on XS. Real threads:
// test/node/shared-stream.test.ts; the hostile-writer fuzz:
// test/stream/shared-stream-fuzz.test.ts.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { StreamConfigError, StreamUsageError, type StreamType } from '../../src/stream.js';
import { singleCoreAtomics, type AtomicsLike } from '../../src/shared-queue.js';
import {
  SHARED_STREAM_LAYOUT as L,
  SharedStream,
  SharedStreamBlockingError,
  SharedStreamLayoutError,
  StreamCorruptionError,
  type SharedStreamOptions,
} from '../../src/shared-stream.js';

const made: SharedStream[] = [];
function track<S extends SharedStream>(s: S): S {
  made.push(s as unknown as SharedStream);
  return s;
}

afterEach(function () {
  // Per stream (handles on one buffer/offset share it): written === taken + length; drain it, back to empty.
  for (const s of made) {
    assert.equal(s.written, s.taken + s.length, `identity on '${s.name}'`);
    const sink = new Float64Array(64);
    while (s.read(sink, 0, 64) > 0) {}
    assert.equal(s.length, 0);
    assert.equal(s.free, s.capacity);
  }
  made.length = 0;
});

type Extra = (type: StreamType, capacity: number) => Partial<SharedStreamOptions<StreamType>>;
const variants: { label: string; extra: Extra }[] = [
  { label: 'Atomics + SharedArrayBuffer', extra: () => ({}) },
  {
    label: 'singleCoreAtomics + ArrayBuffer',
    extra: (type, capacity) => ({ atomics: singleCoreAtomics, buffer: new ArrayBuffer(SharedStream.byteLength(type, capacity)) }),
  },
];

function drain(s: SharedStream): number[] {
  const out: number[] = [];
  while (s.next()) out.push(s.value);
  return out;
}

for (const v of variants) {
  const make = <T extends StreamType>(o: SharedStreamOptions<T>): SharedStream<T> =>
    track(new SharedStream<T>({ ...o, ...v.extra(o.type, o.capacity) } as SharedStreamOptions<T>));

  describe(`SharedStream (${v.label})`, function () {
    it('writeOne/next: FIFO, full refusal counted, counters', function () {
      const s = make({ name: 'fifo', type: 'f64', capacity: 4 });
      assert.equal(s.next(), false, 'empty: no item');
      assert.deepEqual([s.length, s.free, s.capacity, s.done, s.closed], [0, 4, 4, false, false]);
      for (const x of [1.5, NaN, -0, 1e300]) assert.equal(s.writeOne(x), true);
      assert.equal(s.writeOne(5), false, 'full');
      assert.deepEqual([s.length, s.free, s.written, s.refused, s.taken], [4, 0, 4, 1, 0]);
      const got = drain(s);
      assert.equal(got.length, 4);
      assert.equal(got[0], 1.5);
      assert.ok(Number.isNaN(got[1]), 'NaN is an item');
      assert.ok(Object.is(got[2], -0));
      assert.equal(got[3], 1e300);
      assert.deepEqual([s.length, s.free, s.written, s.taken, s.refused, s.refusedClosed], [0, 4, 4, 4, 1, 0]);
    });

    it('element types convert as typed arrays do (u8 wraps, i16 wraps, f32 rounds)', function () {
      const cases: [StreamType, number, number][] = [
        ['u8', 257, 1],
        ['u8', -1, 255],
        ['i16', 32768, -32768],
        ['i32', 2 ** 31, -(2 ** 31)],
        ['f32', 0.1, Math.fround(0.1)],
        ['f64', 0.1, 0.1],
      ];
      for (const [type, x, want] of cases) {
        const s = make({ name: type, type, capacity: 2 });
        assert.equal(s.type, type);
        s.writeOne(x);
        assert.equal(s.next(), true);
        assert.equal(s.value, want, `${type} ${x}`);
      }
    });

    it('write/read: partial writes counted in refused, copies cross the ring end', function () {
      const s = make({ name: 'bulk', type: 'i32', capacity: 8 });
      const src = Int32Array.from([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      const dst = new Int32Array(12);
      assert.equal(s.write(src, 0, 5), 5);
      assert.equal(s.read(dst, 0, 3), 3);
      assert.equal(s.write(src, 5, 5), 5, 'wraps at the ring end');
      assert.equal(s.write(src, 0, 3), 1, 'one slot left: 2 refused');
      assert.deepEqual([s.length, s.written, s.refused], [8, 11, 2]);
      assert.equal(s.write(src, 0, 0), 0, 'zero items: no data');
      assert.equal(s.read(dst, 3, 9), 8);
      assert.deepEqual(Array.from(dst.subarray(0, 11)), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 10]);
      assert.equal(s.read(dst, 0, 4), 0, 'empty');
      const plain = [1, 2, 3];
      const out = [0, 0, 0, 0];
      assert.equal(s.write(plain, 1, 2), 2, 'number arrays work too');
      assert.equal(s.read(out, 1, 3), 2);
      assert.deepEqual(out, [0, 2, 3, 0]);
      assert.deepEqual([s.written, s.taken, s.refused], [13, 13, 2]);
    });

    it('close: writes refused and counted, the consumer drains, then done; close twice is false', function () {
      const s = make({ name: 'close', type: 'u8', capacity: 4 });
      s.writeOne(7);
      s.write(Uint8Array.of(8, 9), 0, 2);
      assert.equal(s.close(), true);
      assert.equal(s.close(), false);
      assert.equal(s.closed, true);
      assert.equal(s.writeOne(1), false);
      assert.equal(s.write(Uint8Array.of(1, 2, 3), 0, 3), 0);
      assert.deepEqual([s.refusedClosed, s.refused, s.written, s.done], [4, 0, 3, false]);
      assert.equal(s.next(), true);
      assert.equal(s.value, 7);
      assert.equal(s.done, false);
      const dst = new Uint8Array(4);
      assert.equal(s.read(dst, 0, 4), 2);
      assert.deepEqual(Array.from(dst), [8, 9, 0, 0]);
      assert.equal(s.done, true);
      assert.equal(s.next(), false);
    });

    for (const start of [0x7ffffff0, 0xfffffff0, -5]) {
      it(`order and counters across the 32-bit wrap (initialIndex ${start})`, function () {
        const s = make({ name: 'wrap', type: 'f64', capacity: 8, initialIndex: start });
        const src = new Float64Array(5);
        const dst = new Float64Array(5);
        let next = 0;
        let expect = 0;
        for (let i = 0; i < 40; i++) {
          while (s.writeOne(next)) next++;
          for (let k = 0; k < 3; k++) {
            assert.equal(s.next(), true);
            assert.equal(s.value, expect++);
          }
          for (let k = 0; k < 5; k++) src[k] = next + k;
          next += s.write(src, 0, 5);
          const n = s.read(dst, 0, 5);
          for (let k = 0; k < n; k++) assert.equal(dst[k], expect++);
        }
        assert.deepEqual([s.written, s.taken, s.refused, s.length], [next, expect, 40 + 40 * 2, next - expect]);
      });
    }

    it('a consumer handle attached to the buffer sees what the producer handle writes', function () {
      const p = make({ name: 'producer', type: 'i16', capacity: 16 });
      const extra = v.extra('i16', 16);
      const c = track(SharedStream.attach(p.buffer, { name: 'consumer', type: 'i16', atomics: extra.atomics }));
      assert.deepEqual([c.type, c.capacity, c.byteOffset, c.length], ['i16', 16, 0, 0]);
      p.write(Int16Array.of(1, -2, 3), 0, 3);
      assert.equal(c.length, 3);
      assert.equal(c.next(), true);
      assert.equal(c.value, 1);
      assert.deepEqual([c.written, c.taken, p.taken, p.length, c.free], [3, 1, 1, 2, 14], 'counters live in the buffer');
      p.close();
      assert.equal(c.closed, true);
      assert.deepEqual(drain(c), [-2, 3]);
      assert.equal(c.done, true);
      assert.equal(p.done, true);
    });
  });
}

describe('SharedStream: layout and attach', function () {
  it('the header holds the documented words; the ring starts at byte 256', function () {
    const s = track(new SharedStream({ name: 'hdr', type: 'i32', capacity: 8, initialIndex: 7 }));
    assert.equal(s.buffer.byteLength, 256 + 8 * 4);
    assert.equal(SharedStream.byteLength('u8', 1), 264, 'rounded up to 8');
    assert.equal(SharedStream.byteLength('f64', 1024), 256 + 8192);
    const h = new Int32Array(s.buffer, 0, 64);
    assert.deepEqual([h[0], h[1], h[2], h[3], h[4], h[5], h[16], h[32], h[34]], [L.MAGIC, 1, 256, 3, 4, 8, 7, 7, 0]);
    s.writeOne(42);
    s.writeOne(43);
    assert.equal(new Int32Array(s.buffer, 256, 8)[7 & 7], 42, 'position 7 in slot 7');
    assert.equal(new Int32Array(s.buffer, 256, 8)[0], 43, 'position 8 wraps to slot 0');
    assert.equal(h[32], 9, 'TAIL');
    const f = new Float64Array(s.buffer, 0, 32);
    assert.equal(f[L.F_WRITTEN], 2);
    s.next();
    assert.deepEqual([h[16], f[L.F_TAKEN]], [8, 1]);
    s.close();
    assert.equal(h[L.W_CLOSED], 1);
    s.writeOne(1);
    s.writeOne(1);
    assert.deepEqual([f[L.F_REFUSED], f[L.F_REFUSED_CLOSED]], [0, 2]);
  });

  it('two streams in one buffer at byteOffsets, each attached separately', function () {
    const a = SharedStream.byteLength('u8', 8);
    const buffer = new SharedArrayBuffer(a + SharedStream.byteLength('f32', 4));
    const s1 = track(new SharedStream({ name: 'one', type: 'u8', capacity: 8, buffer }));
    const s2 = track(new SharedStream({ name: 'two', type: 'f32', capacity: 4, buffer, byteOffset: a }));
    s1.writeOne(200);
    s2.writeOne(0.5);
    const c2 = track(SharedStream.attach(buffer, { byteOffset: a, type: 'f32' }));
    const c1 = track(SharedStream.attach(buffer, { type: 'u8' }));
    assert.equal(c2.next() && c2.value, 0.5);
    assert.equal(c1.next() && c1.value, 200);
    assert.deepEqual([s1.taken, s2.taken, s1.length, s2.length], [1, 1, 0, 0]);
    assert.throws(() => SharedStream.attach(buffer, { byteOffset: 8 }), /magic/);
  });

  it('a wrong magic, version, size, type or capacity raises SharedStreamLayoutError; the stream still works', function () {
    const s = track(new SharedStream({ name: 'victim', type: 'f64', capacity: 4 }));
    s.writeOne(11);
    const h = new Int32Array(s.buffer, 0, 64);
    const cases: [number, number, RegExp][] = [
      [0, 0x12345678, /magic/],
      [1, 2, /version 2/],
      [2, 128, /header size 128/],
      [3, 9, /type code 9/],
      [4, 4, /element size 4/],
      [5, 6, /capacity 6/],
      [5, 4096, /needs/],
      [32, 100, /TAIL - HEAD/],
    ];
    for (const [word, bad, re] of cases) {
      const saved = h[word]!;
      h[word] = bad;
      let caught: unknown;
      try {
        SharedStream.attach(s.buffer, { name: 'peer' });
      } catch (e) {
        caught = e;
      }
      h[word] = saved;
      assert.ok(caught instanceof SharedStreamLayoutError, `word ${word}`);
      assert.equal(caught.name, 'SharedStreamLayoutError');
      assert.ok(re.test(caught.message) && /'peer'/.test(caught.message) && /version 1/.test(caught.message), caught.message);
    }
    assert.throws(() => SharedStream.attach(s.buffer, { type: 'u8' }), /holds 'f64' elements, this side expects 'u8'/);
    assert.throws(() => SharedStream.attach(new ArrayBuffer(64)), SharedStreamLayoutError);
    assert.throws(() => SharedStream.attach(s.buffer.slice(0, 260) as ArrayBuffer), /needs 288/);
    assert.throws(() => SharedStream.attach(s.buffer, { byteOffset: 4 }), /multiple of 8/);
    assert.throws(() => SharedStream.attach(new Uint8Array(512) as unknown as ArrayBuffer), SharedStreamLayoutError);
    assert.equal(s.writeOne(22), true);
    assert.deepEqual(drain(s), [11, 22]);
    assert.ok(SharedStream.attach(s.buffer, { type: 'f64' }) instanceof SharedStream);
  });
});

describe('SharedStream: configuration and misuse', function () {
  it('bad options raise StreamConfigError naming the stream', function () {
    for (const capacity of [0, 3, 2.5, -1, 65537, 131072]) {
      let caught: unknown;
      try {
        new SharedStream({ name: 'cfg', type: 'u8', capacity });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof StreamConfigError, String(capacity));
      assert.ok(/'cfg'/.test(caught.message) && /capacity/.test(caught.message), caught.message);
    }
    assert.throws(() => new SharedStream({ capacity: 6, type: 'u8' }), /use 8 \(or 4\)/);
    assert.throws(() => new SharedStream({ capacity: 4, type: 'u16' as 'u8' }), /type must be one of/);
    assert.throws(() => new SharedStream({ capacity: 4, type: 'f64', buffer: new SharedArrayBuffer(200) }), /need 288 bytes/);
    assert.throws(() => new SharedStream({ capacity: 4, type: 'f64', buffer: new SharedArrayBuffer(600), byteOffset: 4 }), /multiple of 8/);
    assert.throws(() => new SharedStream({ capacity: 4, type: 'f64', byteOffset: 8 }), /without a buffer/);
    assert.throws(() => new SharedStream({ capacity: 4, type: 'f64', initialIndex: 2 ** 33 }), /initialIndex/);
    assert.throws(
      () => new SharedStream({ capacity: 4, type: 'f64', buffer: new ArrayBuffer(288), atomics: singleCoreAtomics, mayBlock: true }),
      /mayBlock needs a SharedArrayBuffer/,
    );
    assert.throws(() => SharedStream.byteLength('f64', 5), StreamConfigError);
  });

  it('non-number items (debug builds) and bad ranges raise StreamUsageError; nothing changes', function () {
    const s = track(new SharedStream({ name: 'use', type: 'f64', capacity: 4 }));
    s.writeOne(1);
    if (DEBUG) {
      let caught: unknown;
      try {
        s.writeOne('2' as unknown as number);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof StreamUsageError);
      assert.ok(/'use'/.test(caught.message) && /numbers/.test(caught.message), caught.message);
    }
    const a = new Float64Array(4);
    assert.throws(() => s.write(a, 2, 3), /offset \+ count/);
    assert.throws(() => s.read(a, -1, 1), StreamUsageError);
    assert.throws(() => s.read(a, 0.5, 1), StreamUsageError);
    assert.throws(() => s.write({} as unknown as Float64Array, 0, 1), /typed array or a number array/);
    assert.deepEqual([s.written, s.refused, s.length], [1, 0, 1]);
  });

  it('waitReadable/waitWritable: SharedStreamBlockingError unless opened with mayBlock; true at once when ready', function () {
    const s = track(new SharedStream({ name: 'main', type: 'u8', capacity: 2 }));
    for (const f of [() => s.waitReadable(0), () => s.waitWritable(0)]) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof SharedStreamBlockingError);
      assert.equal(caught.name, 'SharedStreamBlockingError');
      assert.ok(/'main'/.test(caught.message) && /mayBlock/.test(caught.message) && /main VM/.test(caught.message), caught.message);
    }
    const w = track(SharedStream.attach(s.buffer, { name: 'worker', mayBlock: true }));
    assert.equal(w.waitWritable(1000), true, 'space');
    s.writeOne(3);
    assert.equal(w.waitReadable(1000), true, 'an item');
    s.writeOne(4);
    assert.equal(w.next() && w.value, 3);
    assert.equal(w.next() && w.value, 4);
    s.close();
    assert.equal(w.waitReadable(1000), true, 'closed: a read would not wait');
  });

  it('waits time out with false and reset their flags (Node: Atomics.wait on this thread)', function () {
    if (onXs) this.skip();
    const s = track(new SharedStream({ name: 'w', type: 'u8', capacity: 1, mayBlock: true }));
    assert.equal(s.waitReadable(5), false);
    s.writeOne(1);
    assert.equal(s.waitWritable(5), false);
    const h = new Int32Array(s.buffer, 0, 64);
    assert.deepEqual([h[L.W_READER_WAITING], h[L.W_WRITER_WAITING]], [0, 0]);
  });

  it('type tests: misuse that must not compile', function () {
    const s = track(new SharedStream({ type: 'f64', capacity: 2 }));
    const d: Float64Array = s.data;
    // @ts-expect-error the data of an f64 stream is a Float64Array
    const u: Uint8Array = s.data;
    // @ts-expect-error not an element type
    assert.throws(() => new SharedStream({ type: 'u16', capacity: 2 }), StreamConfigError);
    // @ts-expect-error items are numbers
    if (!DEBUG) s.writeOne('1');
    // @ts-expect-error read needs a destination array
    assert.throws(() => s.read(3, 0, 1), StreamUsageError);
    const c = SharedStream.attach(s.buffer, { type: 'f64' });
    const e: Float64Array = c.data;
    assert.ok(d === s.data && (u as unknown) === s.data && e instanceof Float64Array);
  });
});

describe('SharedStream: property test against an array model (wrap-around included)', function () {
  type Cmd =
    | { k: 'one'; x: number }
    | { k: 'write'; xs: number[] }
    | { k: 'next' }
    | { k: 'read'; n: number }
    | { k: 'close' };
  const x = fc.integer({ min: -100000, max: 100000 });
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ k: fc.constant('one' as const), x }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('write' as const), xs: fc.array(x, { maxLength: 20 }) }) },
    { weight: 4, arbitrary: fc.constant({ k: 'next' as const }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('read' as const), n: fc.integer({ min: 0, max: 20 }) }) },
    { weight: 1, arbitrary: fc.constant({ k: 'close' as const }) },
  );
  const start = fc.oneof(
    fc.constantFrom(0, 0x7fffffff, 0xffffffff, -1),
    fc.integer({ min: 0xffffff00, max: 0xffffffff }),
    fc.integer({ min: 0x7fffff00, max: 0x7fffffff }),
  );
  const type = fc.constantFrom<StreamType>('u8', 'i16', 'i32', 'f32', 'f64');
  const runs = onXs ? 40 : 400;

  for (const v of variants) {
    it(`${v.label}: same items, counters and done as the model`, function () {
      fc.assert(
        fc.property(type, fc.integer({ min: 0, max: 5 }), start, fc.array(cmd, { maxLength: 60 }), (t, log2, initialIndex, cmds) => {
          const capacity = 1 << log2;
          const s = new SharedStream({ name: 'prop', type: t, capacity, initialIndex, ...v.extra(t, capacity) });
          const c = SharedStream.attach(s.buffer, { name: 'prop consumer', atomics: v.extra(t, capacity).atomics });
          const conv = new ({ u8: Uint8Array, i16: Int16Array, i32: Int32Array, f32: Float32Array, f64: Float64Array }[t])(1);
          const model: number[] = [];
          let closed = false;
          let written = 0;
          let taken = 0;
          let refused = 0;
          let refusedClosed = 0;
          const dst = new Float64Array(20);
          for (const m of cmds) {
            if (m.k === 'one') {
              const ok = s.writeOne(m.x);
              if (closed) {
                assert.equal(ok, false);
                refusedClosed++;
              } else if (model.length === capacity) {
                assert.equal(ok, false);
                refused++;
              } else {
                assert.equal(ok, true);
                conv[0] = m.x;
                model.push(conv[0]!);
                written++;
              }
            } else if (m.k === 'write') {
              const n = s.write(m.xs, 0, m.xs.length);
              const want: number = closed ? 0 : Math.min(m.xs.length, capacity - model.length);
              assert.equal(n, want);
              if (closed) refusedClosed += m.xs.length;
              else refused += m.xs.length - n;
              for (let i = 0; i < n; i++) {
                conv[0] = m.xs[i]!;
                model.push(conv[0]!);
              }
              written += n;
            } else if (m.k === 'next') {
              const ok = c.next();
              assert.equal(ok, model.length > 0);
              if (ok) {
                assert.equal(c.value, model.shift());
                taken++;
              }
            } else if (m.k === 'read') {
              const n = c.read(dst, 0, m.n);
              assert.equal(n, Math.min(m.n, model.length));
              for (let i = 0; i < n; i++) assert.equal(dst[i], model.shift());
              taken += n;
            } else {
              assert.equal(s.close(), !closed);
              closed = true;
            }
            assert.deepEqual(
              [c.length, c.free, s.written, c.written, c.taken, s.refused, s.refusedClosed, c.done],
              [model.length, capacity - model.length, written, written, taken, refused, refusedClosed, closed && model.length === 0],
            );
            assert.equal(s.written, c.taken + c.length);
          }
        }),
        { numRuns: runs },
      );
    });
  }
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** `base` with a hook that runs right after a load of int32 word `word` (while `armed` > 0, once per load). */
function hooked(base: AtomicsLike, word: number, hook: () => void): AtomicsLike & { armed: number } {
  const h = {
    armed: 0,
    load(a: Int32Array, i: number): number {
      const v = base.load(a, i);
      if (i === word && h.armed > 0) {
        h.armed--;
        hook();
      }
      return v;
    },
    store: (a: Int32Array, i: number, v: number): number => base.store(a, i, v),
    add: (a: Int32Array, i: number, v: number): number => base.add(a, i, v),
    compareExchange: (a: Int32Array, i: number, e: number, r: number): number => base.compareExchange(a, i, e, r),
    notify: (a: Int32Array, i: number, c?: number): number => base.notify(a, i, c),
  };
  return h;
}

/** Atomics whose wait() returns 'ok' at once (a wake-up that finds nothing new) after calling onWait(n). */
function earlyWakes(): AtomicsLike & { waits: number; onWait: (n: number) => void } {
  const A = Atomics as unknown as AtomicsLike;
  const f = {
    waits: 0,
    onWait: (_n: number): void => {},
    load: (a: Int32Array, i: number): number => A.load(a, i),
    store: (a: Int32Array, i: number, v: number): number => A.store(a, i, v),
    add: (a: Int32Array, i: number, v: number): number => A.add(a, i, v),
    compareExchange: (a: Int32Array, i: number, e: number, r: number): number => A.compareExchange(a, i, e, r),
    notify: (a: Int32Array, i: number, c?: number): number => A.notify(a, i, c),
    wait(_a: Int32Array, _i: number, _v: number, _t?: number): string {
      f.waits++;
      f.onWait(f.waits);
      return 'ok';
    },
  };
  return f;
}

for (const v of variants) {
  const base = (v.extra('u8', 1).atomics ?? Atomics) as AtomicsLike;
  const make = <T extends StreamType>(o: SharedStreamOptions<T>): SharedStream<T> =>
    track(new SharedStream<T>({ ...o, ...v.extra(o.type, o.capacity) } as SharedStreamOptions<T>));
  /** Not tracked: corruption loses items, so written === taken + length does not hold. */
  const loose = <T extends StreamType>(o: SharedStreamOptions<T>): SharedStream<T> =>
    new SharedStream<T>({ ...o, ...v.extra(o.type, o.capacity) } as SharedStreamOptions<T>);

  describe(`SharedStream: issue 19 regressions and corrupted memory (${v.label})`, function () {
    it('#1 length and free stay in 0..capacity on an observer handle while the sides write and take between its loads', function () {
      const s = make({ name: 'observed', type: 'f64', capacity: 8 });
      const at = hooked(base, L.W_TAIL, () => {
        for (let i = 0; i < 3; i++) {
          s.writeOne(i);
          s.next();
        }
      });
      const o = track(SharedStream.attach(s.buffer, { name: 'observer', atomics: at }));
      at.armed = 1;
      assert.equal(o.length, 0, 'length (was -3: TAIL read before, HEAD after three writeOne+next pairs)');
      at.armed = 1;
      assert.equal(o.free, 8, 'free (was 11)');
      at.armed = Infinity; // no two TAIL reads agree: still clamped to 0..capacity
      const l = o.length;
      const f = o.free;
      at.armed = 0;
      assert.ok(l >= 0 && l <= 8 && f >= 0 && f <= 8 && l + f === 8, `length ${l}, free ${f}`);
    });

    it('writeOne refuses TAIL - HEAD above capacity (was: only === capacity was full): StreamCorruptionError, nothing written', function () {
      const s = loose({ name: 'over', type: 'i32', capacity: 4 });
      const c = SharedStream.attach(s.buffer, { name: 'consumer', atomics: base });
      const h = new Int32Array(s.buffer, 0, 64);
      s.writeOne(1);
      h[L.W_TAIL] = (h[L.W_HEAD]! + 5) | 0; // one more than capacity
      const tail = h[L.W_TAIL];
      for (const f of [() => s.writeOne(2), () => s.write([2, 3], 0, 2)]) {
        const e = thrown(f);
        assert.ok(e instanceof StreamCorruptionError, String(e));
        assert.equal(e.name, 'StreamCorruptionError');
        assert.ok(/'over'/.test(e.message) && /TAIL - HEAD is 5, outside 0\.\.4/.test(e.message) && /Nothing was written/.test(e.message), e.message);
      }
      assert.equal(h[L.W_TAIL], tail, 'TAIL unchanged');
      assert.equal(s.corrupted, 2);
      // The consumer resyncs on its next call, then the stream works again.
      const e = thrown(() => c.next());
      assert.ok(e instanceof StreamCorruptionError && /HEAD was moved to TAIL/.test(e.message), String(e));
      assert.deepEqual([c.corrupted, c.length, s.length], [1, 0, 0]);
      assert.equal(s.writeOne(7), true);
      assert.equal(c.next() && c.value, 7);
    });

    it('next/read with HEAD past TAIL (was: read returned a negative count and moved HEAD back; a next() drain ran ~2^32 times): resync, StreamCorruptionError', function () {
      const s = loose({ name: 'back', type: 'f64', capacity: 8 });
      const h = new Int32Array(s.buffer, 0, 64);
      s.write([1, 2, 3], 0, 3);
      for (const op of ['next', 'read'] as const) {
        h[L.W_HEAD] = (h[L.W_TAIL]! + 62722) | 0;
        const before = h[L.W_HEAD]!;
        const dst: (number | undefined)[] = new Array(8).fill(undefined);
        const e = thrown(() => (op === 'next' ? s.next() : s.read(dst as unknown as number[], 0, 8)));
        assert.ok(e instanceof StreamCorruptionError && /TAIL - HEAD is -62722/.test(e.message), `${op}: ${String(e)}`);
        assert.equal(h[L.W_HEAD], h[L.W_TAIL], 'HEAD = TAIL');
        assert.notEqual(h[L.W_HEAD], before);
        assert.ok(dst.every((x) => x === undefined), 'nothing copied');
        let n = 0;
        while (s.next()) if (++n > 8) break; // bounded: the stream is empty now
        assert.equal(n, 0);
        s.write([4, 5], 0, 2);
      }
      assert.equal(s.corrupted, 2);
      const dst = [0, 0, 0, 0];
      assert.equal(s.read(dst, 1, 3), 2);
      assert.deepEqual(dst, [0, 4, 5, 0]);
    });

    it('read with TAIL far ahead never copies more than capacity nor past the ring (was: values from past the end)', function () {
      const s = loose({ name: 'ahead', type: 'u8', capacity: 4 });
      const h = new Int32Array(s.buffer, 0, 64);
      s.write([9, 8], 0, 2);
      h[L.W_TAIL] = (h[L.W_HEAD]! + 100) | 0;
      const dst: (number | undefined)[] = new Array(20).fill(undefined);
      const e = thrown(() => s.read(dst as unknown as number[], 0, 20));
      assert.ok(e instanceof StreamCorruptionError, String(e));
      assert.ok(dst.every((x) => x === undefined), 'nothing copied');
      assert.deepEqual([s.length, s.free], [0, 4]);
      assert.equal(s.write([1, 2, 3, 4, 5, 6], 0, 6), 4, 'a write takes at most capacity');
      assert.equal(s.read(dst as unknown as number[], 0, 20), 4);
      assert.deepEqual(dst.slice(0, 5), [1, 2, 3, 4, undefined]);
    });

    it('length and free stay in range with garbage in HEAD and TAIL', function () {
      const s = loose({ name: 'getters', type: 'i16', capacity: 16 });
      const h = new Int32Array(s.buffer, 0, 64);
      for (const [w, x] of [[L.W_HEAD, 123456], [L.W_TAIL, -77], [L.W_HEAD, 0x7fffffff], [L.W_TAIL, -0x80000000]]) {
        h[w!] = x!;
        const [l, f] = [s.length, s.free];
        assert.ok(l >= 0 && l <= 16 && f >= 0 && f <= 16 && l + f === 16, `word ${w} = ${x}: ${l} ${f}`);
      }
    });
  });
}

describe('SharedStream: waits end only at their timeout (issue 19 #5)', function () {
  it('#5 waitReadable/waitWritable return false only once the timeout has passed, across wake-ups that find nothing', function () {
    const at = earlyWakes();
    const s = track(new SharedStream({ name: 'waiter', type: 'f64', capacity: 1, atomics: at, mayBlock: true }));
    let t0 = Date.now();
    assert.equal(s.waitReadable(40), false);
    let ms = Date.now() - t0;
    assert.ok(ms >= 40 && at.waits >= 2, `waitReadable returned false after ${ms} ms, ${at.waits} waits (was: at the first wake-up)`);
    s.writeOne(1);
    at.waits = 0;
    t0 = Date.now();
    assert.equal(s.waitWritable(40), false);
    ms = Date.now() - t0;
    assert.ok(ms >= 40 && at.waits >= 2, `waitWritable returned false after ${ms} ms, ${at.waits} waits`);
    const h = new Int32Array(s.buffer, 0, 64);
    assert.deepEqual([h[L.W_READER_WAITING], h[L.W_WRITER_WAITING]], [0, 0]);
  });

  it('#5 true when a wake-up finds the stream ready; false at once for a timeout of 0; bad timeouts are StreamUsageError', function () {
    const at = earlyWakes();
    const s = track(new SharedStream({ name: 'waiter', type: 'i32', capacity: 2, atomics: at, mayBlock: true }));
    at.onWait = (n) => {
      if (n === 3) s.writeOne(5);
    };
    assert.equal(s.waitReadable(10000), true);
    assert.equal(at.waits, 3);
    assert.equal(s.next() && s.value, 5);
    at.onWait = () => {};
    at.waits = 0;
    assert.equal(s.waitReadable(0), false);
    assert.equal(at.waits, 1);
    for (const ms of [NaN, -1, '5', undefined]) {
      for (const f of [() => s.waitReadable(ms as number), () => s.waitWritable(ms as number)]) {
        const e = thrown(f);
        assert.ok(e instanceof StreamUsageError && /'waiter'/.test(e.message) && /timeout/.test(e.message), String(e));
      }
    }
  });
});

describe('SharedStream: no allocation on XS (10,000 calls, the first included), each beside its positive control', function () {
  for (const v of variants) {
    it(`${v.label}: writeOne + next (f64), next on empty, writeOne on full, lengths`, function () {
      const s = track(new SharedStream({ name: 'alloc1', type: 'f64', capacity: 8, ...v.extra('f64', 8) }));
      let k = 0;
      let sum = 0;
      const one = (): void => {
        s.writeOne(k++);
        s.next();
        sum += s.value;
      };
      assertNoAllocation(one, 10000, 'SharedStream writeOne+next');
      assertCatchesAllocation(one, 100, 'SharedStream writeOne+next');
      assertNoAllocation(() => s.next(), 10000, 'SharedStream next on empty');
      assertCatchesAllocation(() => s.next(), 100, 'SharedStream next on empty');
      const full = (): number | false => s.writeOne(1) && s.length + s.free;
      assertNoAllocation(full, 10000, 'SharedStream writeOne until full, then refused');
      assertCatchesAllocation(full, 100, 'SharedStream writeOne refused, length, free');
      const n = onXs ? 10100 : 10000;
      assert.equal(sum, (n * (n - 1)) / 2);
      assert.deepEqual([s.written, s.refused], [n + 8, n - 8]);
    });

    for (const type of ['f64', 'u8'] as const) {
      it(`${v.label}: write(64) + read(64) (${type}), counters, done`, function () {
        const s = track(new SharedStream({ name: 'alloc64', type, capacity: 128, ...v.extra(type, 128) }));
        const src = type === 'f64' ? new Float64Array(64) : new Uint8Array(64);
        const dst = type === 'f64' ? new Float64Array(64) : new Uint8Array(64);
        for (let i = 0; i < 64; i++) src[i] = i * 3;
        let moved = 0;
        const bulk = (): boolean => {
          s.write(src, 0, 64);
          moved += s.read(dst, 0, 64);
          return s.done;
        };
        assertNoAllocation(bulk, 10000, `SharedStream<${type}> write(64)+read(64)`);
        assertCatchesAllocation(bulk, 100, `SharedStream<${type}> write(64)+read(64)`);
        const n = onXs ? 10100 : 10000;
        assert.equal(moved, 64 * n);
        assert.equal(dst[63], 189);
        assert.equal(s.close(), true);
        const closed = (): boolean => s.writeOne(1) || s.close() || s.done;
        assertNoAllocation(closed, 1000, 'SharedStream refused after close, close, done');
        assertCatchesAllocation(closed, 100, 'SharedStream refused after close, close, done');
        assert.deepEqual([s.written, s.taken, s.refusedClosed, s.done], [64 * n, 64 * n, onXs ? 1100 : 1000, true]);
      });
    }
  }

  it('waitReadable/waitWritable that find the stream ready (mayBlock handle)', function () {
    const s = track(new SharedStream({ name: 'ready', type: 'i32', capacity: 4, mayBlock: true }));
    s.writeOne(1);
    const ready = (): boolean => s.waitReadable(0) && s.waitWritable(0);
    assertNoAllocation(ready, 10000, 'SharedStream waitReadable/waitWritable when ready');
    assertCatchesAllocation(ready, 100, 'SharedStream waitReadable/waitWritable when ready');
  });
});

// Stream (scalars): construction and its errors, single-item and multi-item
// paths with exact counters, close and destroy, readiness posts (edge, exactly
// once), zero allocation on XS (first call included), property tests against
// an array model, and type tests for misuse that must not compile.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import {
  Stream,
  StreamConfigError,
  StreamUsageError,
  StreamDestroyedError,
  MAX_STREAM_CAPACITY,
  type Postable,
  type StreamType,
} from '../../src/stream.js';
import { EventQueue, NO_EVENT } from '../../src/queue.js';
import { Kernel, type AoPort, type Behaviour } from '../../src/kernel.js';

/** A Postable that records "sig:p0" and can refuse. */
class Rec implements Postable {
  log: string[] = [];
  accept = true;
  post(sig: number, p0 = 0): boolean {
    this.log.push(`${sig}:${p0}`);
    return this.accept;
  }
}

/** Counter identity and bounds, after every call. */
function checkIdentity(s: Stream): void {
  assert.equal(s.written, s.taken + s.dropped + s.length, `${s.name}: written ${s.written} != taken ${s.taken} + dropped ${s.dropped} + length ${s.length}`);
  assert.equal(s.free, s.capacity - s.length);
  assert.ok(s.minFree <= s.free && s.minFree >= 0, `minFree ${s.minFree} free ${s.free}`);
}

const TYPES: StreamType[] = ['u8', 'i16', 'i32', 'f32', 'f64'];

// Streams a test made; afterEach checks the identity holds on each and forgets them.
let made: Stream[] = [];
function stream<T extends StreamType>(o: ConstructorParameters<typeof Stream<T>>[0]): Stream<T> {
  const s = new Stream<T>(o);
  made.push(s);
  return s;
}

describe('Stream (scalars)', function () {
  afterEach(function () {
    const list = made;
    made = [];
    for (const s of list) checkIdentity(s);
  });

  describe('construction', function () {
    it('resolves the element type to its typed array, capacity elements long', function () {
      const ctors = [Uint8Array, Int16Array, Int32Array, Float32Array, Float64Array];
      for (let k = 0; k < TYPES.length; k++) {
        const s = stream({ type: TYPES[k]!, capacity: 16 });
        assert.ok(s.data instanceof ctors[k]!, TYPES[k]);
        assert.equal(s.data.length, 16);
        assert.equal(s.type, TYPES[k]);
        assert.deepEqual([s.capacity, s.length, s.free, s.minFree, s.closed, s.done, s.destroyed], [16, 0, 16, 16, false, false, false]);
      }
    });

    it('lays the ring over a caller-supplied ArrayBuffer / SharedArrayBuffer at byteOffset', function () {
      const buf = new ArrayBuffer(256);
      const s = stream({ type: 'i16', capacity: 8, buffer: buf, byteOffset: 32, name: 'ext' });
      assert.equal(s.data.buffer, buf);
      assert.equal(s.data.byteOffset, 32);
      s.writeOne(-2);
      assert.equal(new Int16Array(buf, 32, 1)[0], -2, 'the item is in the caller buffer');
      if (typeof SharedArrayBuffer !== 'undefined') {
        const sab = new SharedArrayBuffer(64);
        const f = stream({ type: 'f64', capacity: 8, buffer: sab });
        f.writeOne(0.25);
        assert.equal(new Float64Array(sab)[0], 0.25);
        assert.ok(f.next());
        assert.equal(f.value, 0.25);
      }
      assert.ok(s.next());
    });

    it('throws StreamConfigError for a bad type, capacity, buffer or byteOffset, naming the option', function () {
      const bad = (o: unknown, re: RegExp): void =>
        assert.throws(() => new Stream(o as { type: 'u8'; capacity: number }), (e: unknown) => e instanceof StreamConfigError && re.test((e as Error).message));
      bad({ type: 'u16', capacity: 8, name: 'x' }, /Stream 'x': type must be one of 'u8'.*got "u16".*`type` option/);
      bad({ type: 'u8', capacity: 12 }, /capacity must be a power of two \(got 12\); use 16/);
      bad({ type: 'u8', capacity: 0 }, /capacity must be an integer 1\.\.65536/);
      bad({ type: 'u8', capacity: MAX_STREAM_CAPACITY * 2 }, /capacity must be an integer 1\.\.65536/);
      bad({ type: 'u8', capacity: 1.5 }, /capacity/);
      bad({ type: 'f64', capacity: 8, buffer: new ArrayBuffer(63) }, /buffer too small: 8 'f64' elements \(8 bytes each\) at byteOffset 0 need 64 bytes, the buffer has 63/);
      bad({ type: 'i32', capacity: 8, buffer: new ArrayBuffer(64), byteOffset: 2 }, /byteOffset must be a non-negative multiple of 4/);
      bad({ type: 'u8', capacity: 8, byteOffset: 4 }, /byteOffset 4 given without a buffer/);
      bad({ type: 'u8', capacity: 8, buffer: [1, 2] }, /buffer must be an ArrayBuffer or a SharedArrayBuffer/);
      bad({ type: 'u8', capacity: 8, tag: 'a' }, /tag must be a number/);
      bad(null, /options must be an object/);
      const e = new StreamConfigError('BAD_CAPACITY', 'm');
      assert.equal(e.name, 'StreamConfigError');
      assert.equal(new StreamDestroyedError('DESTROYED', 'm').name, 'StreamDestroyedError');
      assert.ok(new StreamDestroyedError('DESTROYED', 'm') instanceof StreamUsageError);
    });
  });

  describe('single item: writeOne / next', function () {
    it('is FIFO; next() returns false with no item, value keeps the last item', function () {
      const s = stream({ type: 'i32', capacity: 4 });
      assert.equal(s.next(), false);
      assert.ok(s.writeOne(10));
      assert.ok(s.writeOne(-20));
      assert.ok(s.next());
      assert.equal(s.value, 10);
      assert.ok(s.next());
      assert.equal(s.value, -20);
      assert.equal(s.next(), false);
      assert.equal(s.value, -20);
      assert.deepEqual([s.written, s.taken, s.refused, s.length], [2, 2, 0, 0]);
    });

    it('a full ring refuses and counts; minFree is the low-water mark', function () {
      const s = stream({ type: 'u8', capacity: 2 });
      assert.ok(s.writeOne(1));
      assert.equal(s.minFree, 1);
      assert.ok(s.writeOne(2));
      assert.equal(s.writeOne(3), false);
      assert.equal(s.writeOne(4), false);
      assert.deepEqual([s.length, s.free, s.minFree, s.refused, s.written], [2, 0, 0, 2, 2]);
      s.next();
      s.next();
      assert.deepEqual([s.free, s.minFree], [2, 0]);
    });

    it('every f64 bit pattern is an item: NaN, -0, Infinity pass through (no in-band sentinel)', function () {
      const s = stream({ type: 'f64', capacity: 4 });
      s.writeOne(NaN);
      s.writeOne(-0);
      s.writeOne(-Infinity);
      assert.ok(s.next());
      assert.ok(Number.isNaN(s.value));
      assert.ok(s.next());
      assert.ok(Object.is(s.value, -0));
      assert.ok(s.next());
      assert.equal(s.value, -Infinity);
      assert.equal(s.next(), false);
    });

    it('stores with typed-array conversion (u8 wraps, i16 wraps, f32 rounds)', function () {
      const u = stream({ type: 'u8', capacity: 2 });
      u.writeOne(257);
      u.next();
      assert.equal(u.value, 1);
      const i = stream({ type: 'i16', capacity: 2 });
      i.writeOne(40000);
      i.next();
      assert.equal(i.value, 40000 - 65536);
      const f = stream({ type: 'f32', capacity: 2 });
      f.writeOne(0.1);
      f.next();
      assert.equal(f.value, Math.fround(0.1));
    });

    it('debug builds: writeOne of a non-number throws StreamUsageError before anything changes', function () {
      const s = stream({ type: 'f64', capacity: 2, name: 'dbg' });
      assert.throws(() => s.writeOne('1' as unknown as number), /Stream 'dbg'\.writeOne\("1"\): items are numbers/);
      assert.equal(s.length, 0);
    });

    it('crosses the 32-bit wrap of head/tail (initialIndex)', function () {
      const s = stream({ type: 'i32', capacity: 4, initialIndex: 0x7ffffffe });
      for (let k = 0; k < 20; k++) {
        assert.ok(s.writeOne(k));
        assert.ok(s.writeOne(k + 100));
        assert.equal(s.length, 2);
        assert.ok(s.next());
        assert.equal(s.value, k);
        assert.ok(s.next());
        assert.equal(s.value, k + 100);
      }
      assert.equal(s.length, 0);
    });
  });

  describe('multi item: write / read', function () {
    it('copies across the ring end in order and returns counts; refusals count items', function () {
      const s = stream({ type: 'f64', capacity: 8 });
      const src = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.equal(s.write(src, 0, 5), 5);
      const dst = new Float64Array(10);
      assert.equal(s.read(dst, 0, 3), 3);
      assert.deepEqual(Array.from(dst.slice(0, 3)), [1, 2, 3]);
      // tail at 5, head at 3: writing 7 wraps; only 6 fit.
      assert.equal(s.write(src, 3, 7), 6);
      assert.equal(s.refused, 1);
      assert.equal(s.length, 8);
      assert.equal(s.read(dst, 2, 8), 8);
      assert.deepEqual(Array.from(dst), [1, 2, 4, 5, 4, 5, 6, 7, 8, 9]);
      assert.equal(s.read(dst, 0, 4), 0);
      assert.deepEqual([s.written, s.taken, s.refused, s.minFree], [11, 11, 1, 0]);
    });

    it('works with number arrays and mixes with writeOne/next', function () {
      const s = stream({ type: 'i16', capacity: 4 });
      s.writeOne(7);
      assert.equal(s.write([8, 9, 10, 11], 1, 3), 3);
      const out = [0, 0, 0, 0, 0];
      assert.ok(s.next());
      assert.equal(s.value, 7);
      assert.equal(s.read(out, 1, 4), 3);
      assert.deepEqual(out, [0, 9, 10, 11, 0]);
    });

    it('throws StreamUsageError for ranges outside the caller array or non-integers, before anything changes', function () {
      const s = stream({ type: 'u8', capacity: 4, name: 'r' });
      const a = new Uint8Array(4);
      assert.throws(() => s.write(a, 2, 3), /Stream 'r'\.write\(array of 4, 2, 3\): offset and count must be integers >= 0/);
      assert.throws(() => s.write(a, -1, 1), StreamUsageError);
      assert.throws(() => s.write(a, 0.5, 1), StreamUsageError);
      assert.throws(() => s.read(a, 0, 5), StreamUsageError);
      assert.throws(() => s.read(a, 0, NaN), StreamUsageError);
      assert.throws(() => s.read({} as unknown as Uint8Array, 0, 1), /pass a typed array or a number array/);
      assert.equal(s.write(a, 0, 0), 0);
      assert.equal(s.read(a, 4, 0), 0);
      assert.deepEqual([s.length, s.written, s.refused], [0, 0, 0]);
    });
  });

  describe('close', function () {
    it('the consumer drains what is queued, then sees done; writes after close are refused and counted', function () {
      const s = stream({ type: 'i32', capacity: 4 });
      s.writeOne(1);
      s.writeOne(2);
      assert.equal(s.close(), true);
      assert.equal(s.close(), false, 'the second close is a no-op');
      assert.deepEqual([s.closed, s.done], [true, false]);
      assert.equal(s.writeOne(3), false);
      assert.equal(s.write([4, 5], 0, 2), 0);
      assert.deepEqual([s.refusedClosed, s.refused], [3, 0]);
      assert.ok(s.next());
      assert.equal(s.value, 1);
      const dst = new Int32Array(4);
      assert.equal(s.read(dst, 0, 4), 1);
      assert.equal(dst[0], 2);
      assert.equal(s.done, true);
      assert.equal(s.next(), false);
      assert.equal(s.read(dst, 0, 4), 0);
    });
  });

  describe('destroy', function () {
    it('drops what is queued (counted), then any use throws StreamDestroyedError naming the stream', function () {
      const s = stream({ type: 'f64', capacity: 4, name: 'gone' });
      s.writeOne(1);
      s.writeOne(2);
      assert.equal(s.destroy(), 2);
      assert.deepEqual([s.dropped, s.length, s.destroyed, s.closed, s.done], [2, 0, true, true, true]);
      const e = (re: RegExp) => (x: unknown): boolean => x instanceof StreamDestroyedError && re.test((x as Error).message);
      assert.throws(() => s.next(), e(/Stream 'gone'\.next\(\): the stream was destroyed \(written 2, taken 0, dropped 2\)/));
      assert.throws(() => s.writeOne(1), e(/\.write\(\)/));
      assert.throws(() => s.write([1], 0, 1), StreamDestroyedError);
      assert.throws(() => s.read([0], 0, 1), StreamDestroyedError);
      assert.throws(() => s.close(), StreamDestroyedError);
      assert.throws(() => s.destroy(), StreamDestroyedError);
      assert.throws(() => s.waitReadable(new Rec(), 1), StreamDestroyedError);
      assert.throws(() => s.waitWritable(new Rec(), 1), StreamDestroyedError);
    });
  });

  describe('readiness', function () {
    it('a consumer that found nothing gets exactly one post when data arrives (edge), with the tag as p0', function () {
      const s = stream({ type: 'u8', capacity: 4, tag: 7 });
      const r = new Rec();
      s.waitReadable(r, 5);
      assert.deepEqual(r.log, [], 'empty: armed, no post yet');
      assert.equal(s.readerWaiting, true);
      s.writeOne(1);
      s.writeOne(2);
      assert.deepEqual(r.log, ['5:7'], 'one post for two items');
      assert.equal(s.readerWaiting, false);
      s.next();
      s.next();
      assert.deepEqual(r.log, ['5:7']);
      assert.equal(s.next(), false, 'empty again: re-arms (the target stays bound)');
      assert.equal(s.readerWaiting, true);
      assert.equal(s.read(new Uint8Array(2), 0, 2), 0, 'a second failed read does not post twice');
      s.write([3, 4], 0, 2);
      assert.deepEqual(r.log, ['5:7', '5:7']);
      assert.deepEqual([s.posts, s.missedPosts], [2, 0]);
      s.read(new Uint8Array(2), 0, 2);
    });

    it('waitReadable on a readable (or closed) stream posts at once', function () {
      const s = stream({ type: 'u8', capacity: 4 });
      const r = new Rec();
      s.writeOne(1);
      s.waitReadable(r, 1);
      assert.deepEqual(r.log, ['1:0']);
      s.next();
      s.close();
      s.waitReadable(r, 2);
      assert.deepEqual(r.log, ['1:0', '2:0']);
    });

    it('close posts a waiting consumer once; next() on a closed empty stream does not re-arm', function () {
      const s = stream({ type: 'u8', capacity: 4 });
      const r = new Rec();
      s.waitReadable(r, 3);
      s.close();
      assert.deepEqual(r.log, ['3:0']);
      assert.equal(s.next(), false);
      assert.equal(s.readerWaiting, false);
      assert.equal(s.done, true);
    });

    it('a producer that found the ring full gets one post when space frees up', function () {
      const s = stream({ type: 'i32', capacity: 2 });
      const w = new Rec();
      s.waitWritable(w, 9);
      assert.deepEqual(w.log, ['9:0'], 'space now: posts at once');
      s.writeOne(1);
      s.writeOne(2);
      assert.equal(s.writeOne(3), false, 'full: arms the bound writer');
      assert.equal(s.write([3, 4], 0, 2), 0);
      assert.equal(s.writerWaiting, true);
      s.next();
      assert.deepEqual(w.log, ['9:0', '9:0']);
      s.next();
      assert.deepEqual(w.log, ['9:0', '9:0'], 'exactly once per wait');
    });

    it('a refused post is counted in missedPosts and the wait stays armed; the next data posts again', function () {
      const s = stream({ type: 'u8', capacity: 4 });
      const r = new Rec();
      r.accept = false;
      s.waitReadable(r, 1);
      s.writeOne(1);
      assert.deepEqual([s.posts, s.missedPosts, s.readerWaiting], [0, 1, true]);
      r.accept = true;
      s.writeOne(2);
      assert.deepEqual([s.posts, s.missedPosts, s.readerWaiting], [1, 1, false]);
      assert.deepEqual(r.log, ['1:0', '1:0']);
      s.read([0, 0], 0, 2);
    });

    it('destroy posts armed waits once and forgets the targets; clearReader disarms', function () {
      const s = stream({ type: 'u8', capacity: 1 });
      const r = new Rec();
      const w = new Rec();
      s.waitReadable(r, 1);
      s.writeOne(1);
      s.writeOne(2);
      s.waitWritable(w, 2);
      assert.deepEqual([r.log, w.log], [['1:0'], []]);
      s.next();
      assert.deepEqual(w.log, ['2:0']);
      s.next();
      assert.equal(s.readerWaiting, true);
      s.clearReader();
      s.writeOne(3);
      assert.deepEqual(r.log, ['1:0'], 'cleared: no post');
      s.waitReadable(r, 4); // readable now: posts at once
      s.next();
      s.next(); // arms
      s.writeOne(5);
      s.writeOne(6); // full: arms the writer
      s.next(); // posts the writer
      s.next(); // empty, arms the reader
      s.writeOne(7);
      s.writeOne(8); // arms the writer
      const before = [r.log.length, w.log.length];
      s.destroy();
      assert.deepEqual([r.log.length, w.log.length], [before[0], before[1]! + 1], 'the armed writer is told once');
    });

    it('rejects a target without post() and a signal outside 0..65535', function () {
      const s = stream({ type: 'u8', capacity: 1, name: 't' });
      assert.throws(() => s.waitReadable({} as Postable, 1), /Stream 't'\.waitReadable.*post\(sig, p0\)/);
      assert.throws(() => s.waitWritable(new Rec(), 70000), /signal must be an integer 0\.\.65535/);
      assert.throws(() => s.waitWritable(new Rec(), 1.5), StreamUsageError);
    });

    it('posts into a real EventQueue (the kernel AoPort has the same post signature)', function () {
      const q = new EventQueue({ capacity: 4, name: 'ao' });
      const s = stream({ type: 'f32', capacity: 4, tag: 3 });
      s.waitReadable(q, 12);
      s.writeOne(1.5);
      assert.equal(q.get(), 12);
      assert.equal(q.p0, 3);
      assert.equal(q.get(), NO_EVENT);
      s.next();
    });
  });

  describe('with the kernel: an active object consumes on its readiness signal', function () {
    it('an AoPort is a Postable: the AO drains the stream on each signal and re-arms by finding it empty', function () {
      const SIG_DATA = 5;
      const k = new Kernel({ name: 'k' });
      const s = stream({ type: 'i32', capacity: 8, tag: 2 });
      const got: number[] = [];
      class Consumer implements Behaviour {
        constructor(readonly port: AoPort) {}
        start(): void {
          s.waitReadable(this.port, SIG_DATA);
        }
        dispatch(sig: number, p0: number): void {
          got.push(-sig, -p0);
          while (s.next()) got.push(s.value);
        }
      }
      k.spawn({ create: (port) => new Consumer(port) }, 1, 4);
      k.run();
      assert.deepEqual(got, []);
      s.writeOne(10);
      s.writeOne(11); // one signal for both
      k.run();
      s.write([12, 13, 14], 0, 3);
      k.run();
      k.run();
      assert.deepEqual(got, [-5, -2, 10, 11, -5, -2, 12, 13, 14]);
      assert.deepEqual([s.posts, s.missedPosts], [2, 0]);
    });
  });

  describe('zero allocation on XS (first call included)', function () {
    it('writeOne and next, each element type (including full and empty refusals)', function () {
      for (const type of TYPES) {
        const s = stream({ type, capacity: 64 });
        let v = 0;
        assertNoAllocation(() => s.writeOne(v++), 10000, `Stream<${type}>.writeOne (64 accepted, then refused)`);
        assertNoAllocation(() => s.next(), 10000, `Stream<${type}>.next (64 items, then empty)`);
        const t = stream({ type, capacity: 64 });
        assertNoAllocation(
          () => {
            t.writeOne(v++);
            t.next();
          },
          10000,
          `Stream<${type}> writeOne+next`,
        );
        assert.equal(t.taken, 10000);
        // Positive control on the same fast path.
        assertCatchesAllocation(
          () => {
            t.writeOne(v++);
            t.next();
          },
          100,
          `Stream<${type}> writeOne+next`,
        );
      }
    });

    it('write and read of 64 items across the ring end (f64 and u8)', function () {
      const s = stream({ type: 'f64', capacity: 128, initialIndex: 100 });
      const src = new Float64Array(64);
      const dst = new Float64Array(64);
      for (let i = 0; i < 64; i++) src[i] = i * 0.5;
      let sum = 0;
      assertNoAllocation(
        () => {
          s.write(src, 0, 64);
          s.read(dst, 0, 64);
          sum += dst[63]!;
        },
        10000,
        'Stream<f64> write(64) + read(64)',
      );
      assert.equal(sum, 10000 * 31.5);
      const b = stream({ type: 'u8', capacity: 128 });
      const s8 = new Uint8Array(64);
      const d8 = new Uint8Array(64);
      b.writeOne(0); // misalign so the copies wrap
      assertNoAllocation(
        () => {
          b.write(s8, 0, 64);
          b.read(d8, 0, 64);
        },
        10000,
        'Stream<u8> write(64) + read(64)',
      );
      b.next();
    });

    it('readiness: a waiting consumer gets a post into an EventQueue', function () {
      const q = new EventQueue({ capacity: 4 });
      const s = stream({ type: 'i32', capacity: 8 });
      s.waitReadable(q, 1);
      let got = 0;
      assertNoAllocation(
        () => {
          s.next(); // empty: arms
          s.writeOne(got); // posts
          if (q.get() === 1) got++;
          s.next();
        },
        10000,
        'Stream next (arm) + writeOne (post into EventQueue) + get + next',
      );
      assert.equal(got, 10000);
      assert.equal(s.posts, 10000);
    });

    it('waitReadable / waitWritable and close', function () {
      const q = new EventQueue({ capacity: 4 });
      const s = stream({ type: 'u8', capacity: 8 });
      assertNoAllocation(
        () => {
          s.waitReadable(q, 2);
          s.waitWritable(q, 3); // space: posts at once
          q.get();
        },
        10000,
        'waitReadable + waitWritable',
      );
      assertNoAllocation(() => s.close(), 1000, 'close');
    });
  });

  describe('properties against an array model (fast-check)', function () {
    type Cmd =
      | { k: 'one'; v: number }
      | { k: 'next' }
      | { k: 'write'; vs: number[]; off: number }
      | { k: 'read'; max: number; off: number }
      | { k: 'close' };
    const cmd = (val: fc.Arbitrary<number>): fc.Arbitrary<Cmd> =>
      fc.oneof(
        { weight: 4, arbitrary: val.map((v) => ({ k: 'one' as const, v })) },
        { weight: 4, arbitrary: fc.constant({ k: 'next' as const }) },
        { weight: 3, arbitrary: fc.record({ vs: fc.array(val, { maxLength: 12 }), off: fc.nat(3) }).map((r) => ({ k: 'write' as const, ...r })) },
        { weight: 3, arbitrary: fc.record({ max: fc.nat(12), off: fc.nat(3) }).map((r) => ({ k: 'read' as const, ...r })) },
        { weight: 1, arbitrary: fc.constant({ k: 'close' as const }) },
      );
    const runs = onXs ? 15 : 150;

    for (const type of TYPES) {
      it(`${type}: every command sequence matches a bounded FIFO model (values, counts, counters)`, function () {
        const val = type === 'f64' ? fc.double() : type === 'f32' ? fc.float({ noNaN: true }) : fc.integer({ min: -70000, max: 70000 });
        fc.assert(
          fc.property(fc.constantFrom<number>(1, 2, 4, 8), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.array(cmd(val), { maxLength: 60 }), (cap, start, cmds) => {
            const s = new Stream({ type, capacity: cap, initialIndex: start });
            const conv = new (s.data.constructor as new (n: number) => typeof s.data)(1);
            const model: number[] = [];
            let closed = false;
            let written = 0;
            let refused = 0;
            let refusedClosed = 0;
            let minFree = cap;
            for (const c of cmds) {
              if (c.k === 'one') {
                const ok = s.writeOne(c.v);
                if (closed) {
                  assert.equal(ok, false);
                  refusedClosed++;
                } else if (model.length === cap) {
                  assert.equal(ok, false);
                  refused++;
                } else {
                  assert.equal(ok, true);
                  conv[0] = c.v;
                  model.push(conv[0]!);
                  written++;
                }
              } else if (c.k === 'next') {
                const ok = s.next();
                assert.equal(ok, model.length > 0);
                if (ok) assert.ok(Object.is(s.value, model.shift()), `next value ${s.value}`);
              } else if (c.k === 'write') {
                const src = new Float64Array(c.off + c.vs.length);
                for (let i = 0; i < c.vs.length; i++) src[c.off + i] = c.vs[i]!;
                const n = s.write(src, c.off, c.vs.length);
                if (closed) {
                  assert.equal(n, 0);
                  refusedClosed += c.vs.length;
                } else {
                  const fit = Math.min(cap - model.length, c.vs.length);
                  assert.equal(n, fit);
                  refused += c.vs.length - fit;
                  for (let i = 0; i < fit; i++) {
                    conv[0] = c.vs[i]!;
                    model.push(conv[0]!);
                  }
                  written += fit;
                }
              } else if (c.k === 'read') {
                const dst = new Float64Array(c.off + c.max).fill(-1);
                const n = s.read(dst, c.off, c.max);
                const want = Math.min(model.length, c.max);
                assert.equal(n, want);
                for (let i = 0; i < n; i++) assert.ok(Object.is(dst[c.off + i], model.shift()), 'read value');
                for (let i = 0; i < c.off; i++) assert.equal(dst[i], -1, 'read wrote before offset');
              } else {
                assert.equal(s.close(), !closed);
                closed = true;
              }
              minFree = Math.min(minFree, cap - model.length);
              assert.equal(s.length, model.length);
              assert.deepEqual([s.written, s.refused, s.refusedClosed, s.minFree, s.done], [written, refused, refusedClosed, minFree, closed && model.length === 0]);
              checkIdentity(s);
            }
          }),
          { numRuns: runs, seed: 7 },
        );
      });
    }
  });

  describe('types', function () {
    it('misuse does not compile (checked by tsc)', function () {
      const s = new Stream({ type: 'u8', capacity: 4 });
      // @ts-expect-error items are numbers
      assert.throws(() => s.writeOne('1'), StreamUsageError);
      // @ts-expect-error 'u16' is not an element type
      assert.throws(() => new Stream({ type: 'u16', capacity: 4 }), StreamConfigError);
      // @ts-expect-error read needs a destination array, an offset and a count
      assert.throws(() => s.read(4));
      // @ts-expect-error value is a number, not a method
      assert.throws(() => s.value());
      const f: Float64Array = new Stream({ type: 'f64', capacity: 2 }).data;
      // @ts-expect-error a u8 stream's data is a Uint8Array
      const g: Float64Array = s.data;
      assert.ok(f instanceof Float64Array && g instanceof Uint8Array);
    });
  });
});

describe('stream: a zero-item write is not data', function () {
  it('does not wake a waiting reader', function () {
    const q = new EventQueue({ name: 'wake', capacity: 4 });
    const s = new Stream({ type: 'u8', capacity: 4 });
    s.waitReadable(q, 3);
    assert.equal(s.write(new Uint8Array(2), 0, 0), 0);
    assert.equal(q.length, 0);
    assert.equal(s.write(new Uint8Array(2), 0, 1), 1);
    assert.equal(q.length, 1);
  });
});

// Stream's fast paths (issue 16): writeOne tests one bound (`wmark`) for
// closed, full, a new low-water mark and an armed reader, and head/tail count
// without wrapping so that `written` and `taken` are derived from them. These
// tests pin that the folding changes nothing a user sees: readiness posts
// (exact sequence) and counters against a model over random command
// sequences that mix waits, clears and refusing targets; targets that re-enter
// the stream from inside a post; counters past 2^31; assignable counters.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { onXs } from '../support/alloc.js';
import { Stream, StreamDestroyedError, type Postable } from '../../src/stream.js';

/** A Postable that records its signals into a shared log and can refuse. */
class Rec implements Postable {
  accept = true;
  constructor(
    private readonly log: number[],
    private readonly who: number,
  ) {}
  post(sig: number): boolean {
    this.log.push(this.who * 100 + sig);
    return this.accept;
  }
}

type Cmd =
  | { k: 'one'; v: number }
  | { k: 'next' }
  | { k: 'write'; n: number }
  | { k: 'read'; max: number }
  | { k: 'close' }
  | { k: 'waitR'; sig: number }
  | { k: 'waitW'; sig: number }
  | { k: 'clearR' }
  | { k: 'clearW' }
  | { k: 'acceptR'; on: boolean }
  | { k: 'acceptW'; on: boolean };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 255 }).map((v) => ({ k: 'one' as const, v })) },
  { weight: 5, arbitrary: fc.constant({ k: 'next' as const }) },
  { weight: 2, arbitrary: fc.nat(6).map((n) => ({ k: 'write' as const, n })) },
  { weight: 2, arbitrary: fc.nat(6).map((max) => ({ k: 'read' as const, max })) },
  { weight: 1, arbitrary: fc.constant({ k: 'close' as const }) },
  { weight: 2, arbitrary: fc.nat(9).map((sig) => ({ k: 'waitR' as const, sig })) },
  { weight: 2, arbitrary: fc.nat(9).map((sig) => ({ k: 'waitW' as const, sig })) },
  { weight: 1, arbitrary: fc.constant({ k: 'clearR' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'clearW' as const }) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ k: 'acceptR' as const, on })) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ k: 'acceptW' as const, on })) },
);

/** The documented readiness and counter rules (src/stream.ts header), written out plainly. */
class Model {
  items: number[] = [];
  closed = false;
  written = 0;
  taken = 0;
  refused = 0;
  refusedClosed = 0;
  posts = 0;
  wakeRefused = 0;
  minFree: number;
  reader: Rec | null = null;
  readerSig = 0;
  readWaiting = false;
  writer: Rec | null = null;
  writerSig = 0;
  writeWaiting = false;
  constructor(readonly cap: number) {
    this.minFree = cap;
  }
  wakeR(): void {
    this.readWaiting = false;
    if (this.reader === null) return;
    if (this.reader.post(this.readerSig)) this.posts++;
    else {
      this.wakeRefused++;
      this.readWaiting = true;
    }
  }
  wakeW(): void {
    this.writeWaiting = false;
    if (this.writer === null) return;
    if (this.writer.post(this.writerSig)) this.posts++;
    else {
      this.wakeRefused++;
      this.writeWaiting = true;
    }
  }
  /** Offers n items; returns how many were taken. */
  write(n: number): number {
    if (this.closed) {
      this.refusedClosed += n;
      return 0;
    }
    const fit = Math.min(n, this.cap - this.items.length);
    if (fit < n) {
      this.refused += n - fit;
      if (this.writer !== null) this.writeWaiting = true;
    }
    for (let i = 0; i < fit; i++) this.items.push(this.written + i);
    this.written += fit;
    this.minFree = Math.min(this.minFree, this.cap - this.items.length);
    if (fit > 0 && this.readWaiting) this.wakeR();
    return fit;
  }
  /** Takes up to max items; returns them. */
  read(max: number): number[] {
    const n = Math.min(max, this.items.length);
    if (n === 0) {
      if (!this.closed && max > 0 && this.reader !== null) this.readWaiting = true;
      return [];
    }
    const out = this.items.splice(0, n);
    this.taken += n;
    if (this.writeWaiting) this.wakeW();
    return out;
  }
}

describe('Stream fast paths keep what users see (issue 16)', function () {
  it('readiness posts, counters and minFree match the model over random waits, clears and refusing targets', function () {
    const runs = onXs ? 20 : 300;
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8), fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.array(cmdArb, { maxLength: 80 }), (cap, start, cmds) => {
        const logS: number[] = [];
        const logM: number[] = [];
        const rS = new Rec(logS, 1);
        const wS = new Rec(logS, 2);
        const rM = new Rec(logM, 1);
        const wM = new Rec(logM, 2);
        const s = new Stream({ type: 'i32', capacity: cap, initialIndex: start });
        const m = new Model(cap);
        let next = 0; // the value the next written item carries (its sequence number)
        for (const c of cmds) {
          switch (c.k) {
            case 'one': {
              const ok = s.writeOne(next);
              const n = m.write(1);
              assert.equal(ok, n === 1, 'writeOne');
              next += n;
              break;
            }
            case 'next': {
              const want = m.read(1);
              assert.equal(s.next(), want.length === 1, 'next');
              if (want.length === 1) assert.equal(s.value, want[0]);
              break;
            }
            case 'write': {
              const src = new Int32Array(c.n);
              for (let i = 0; i < c.n; i++) src[i] = next + i;
              const got = s.write(src, 0, c.n);
              const n = m.write(c.n);
              assert.equal(got, n, 'write');
              next += n;
              break;
            }
            case 'read': {
              const dst = new Int32Array(c.max);
              const got = s.read(dst, 0, c.max);
              const want = m.read(c.max);
              assert.deepEqual(Array.from(dst.subarray(0, got)), want, 'read');
              break;
            }
            case 'close':
              assert.equal(s.close(), !m.closed, 'close');
              if (!m.closed) {
                m.closed = true;
                if (m.readWaiting) m.wakeR();
              }
              break;
            case 'waitR':
              s.waitReadable(rS, c.sig);
              m.reader = rM;
              m.readerSig = c.sig;
              m.readWaiting = true;
              if (m.items.length > 0 || m.closed) m.wakeR();
              break;
            case 'waitW':
              s.waitWritable(wS, c.sig);
              m.writer = wM;
              m.writerSig = c.sig;
              m.writeWaiting = true;
              if (m.items.length < cap) m.wakeW();
              break;
            case 'clearR':
              s.clearReader();
              m.reader = null;
              m.readWaiting = false;
              break;
            case 'clearW':
              s.clearWriter();
              m.writer = null;
              m.writeWaiting = false;
              break;
            case 'acceptR':
              rS.accept = rM.accept = c.on;
              break;
            case 'acceptW':
              wS.accept = wM.accept = c.on;
              break;
          }
          assert.deepEqual(logS, logM, `posts after ${c.k}`);
          assert.deepEqual(
            [s.length, s.written, s.taken, s.refused, s.refusedClosed, s.posts, s.wakeRefused, s.minFree, s.readerWaiting, s.writerWaiting, s.done],
            [m.items.length, m.written, m.taken, m.refused, m.refusedClosed, m.posts, m.wakeRefused, m.minFree, m.readWaiting, m.writeWaiting, m.closed && m.items.length === 0],
            `state after ${c.k}`,
          );
        }
      }),
      { numRuns: runs, seed: 16 },
    );
  });

  it('a reader target that closes the stream inside its post: the write that posted counts, later writes are refused as closed', function () {
    const s = new Stream({ type: 'f64', capacity: 8 });
    const log: string[] = [];
    s.writeOne(1);
    s.writeOne(2); // low-water mark at 6 free: the next writes below it take the fast path
    s.next();
    s.next();
    s.waitReadable(
      {
        post(sig: number): boolean {
          log.push(`post ${sig}, length ${s.length}`);
          s.close();
          return true;
        },
      },
      4,
    );
    assert.equal(s.writeOne(3), true);
    assert.deepEqual(log, ['post 4, length 1']);
    assert.equal(s.writeOne(4), false);
    assert.deepEqual([s.written, s.refusedClosed, s.length, s.closed], [3, 1, 1, true]);
    assert.equal(s.next(), true);
    assert.equal(s.value, 3);
    assert.equal(s.done, true);
  });

  it('a reader target that drains and re-arms inside its post gets one post per write, and the writes stay exact', function () {
    const s = new Stream({ type: 'i32', capacity: 4 });
    const got: number[] = [];
    const target: Postable = {
      post(): boolean {
        while (s.next()) got.push(s.value);
        return true; // next() on empty re-armed the wait (the target stays bound)
      },
    };
    s.waitReadable(target, 1);
    for (let i = 0; i < 10; i++) assert.equal(s.writeOne(i), true);
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual([s.posts, s.written, s.taken, s.length, s.minFree, s.readerWaiting], [10, 10, 10, 0, 3, true]);
  });

  it('a reader target that destroys the stream inside its post: the write returns true, the next use throws', function () {
    const s = new Stream({ type: 'u8', capacity: 4 });
    s.waitReadable(
      {
        post(): boolean {
          s.destroy();
          return true;
        },
      },
      2,
    );
    assert.equal(s.writeOne(7), true);
    assert.deepEqual([s.written, s.taken, s.dropped, s.length, s.destroyed], [1, 0, 1, 0, true]);
    assert.throws(() => s.writeOne(8), StreamDestroyedError);
    assert.throws(() => s.next(), StreamDestroyedError);
  });

  it('clearReader after an armed wait brings back the low-water mark (minFree) on later writes', function () {
    const s = new Stream({ type: 'u8', capacity: 8 });
    s.waitReadable({ post: () => true }, 1);
    s.clearReader();
    for (let i = 0; i < 5; i++) s.writeOne(i);
    assert.deepEqual([s.minFree, s.free], [3, 3]);
    s.read(new Uint8Array(5), 0, 5);
    s.writeOne(9);
    assert.deepEqual([s.minFree, s.free], [3, 7]);
  });

  for (const start of [0x7ffffff0, -0x80000000 + 3, -5, 0xfffffff0]) {
    it(`counters and order stay exact across 2^31 and 2^32 (initialIndex ${start})`, function () {
      const s = new Stream({ type: 'i32', capacity: 4, initialIndex: start });
      let v = 0;
      let want = 0;
      for (let k = 0; k < 40; k++) {
        assert.ok(s.writeOne(v++));
        assert.ok(s.writeOne(v++));
        assert.ok(s.next());
        assert.equal(s.value, want++);
        assert.equal(s.write([v, v + 1], 0, 2), 2);
        v += 2;
        const dst = new Int32Array(3);
        assert.equal(s.read(dst, 0, 3), 3);
        assert.deepEqual(Array.from(dst), [want, want + 1, want + 2]);
        want += 3;
      }
      assert.deepEqual([s.written, s.taken, s.length, s.refused], [160, 160, 0, 0]);
      s.writeOne(v);
      assert.equal(s.destroy(), 1);
      assert.deepEqual([s.written, s.taken, s.dropped], [161, 160, 1]);
    });
  }

  it('written and taken can be assigned, as the other counters (they count on from the value given)', function () {
    const s = new Stream({ type: 'f64', capacity: 4 });
    s.writeOne(1);
    s.writeOne(2);
    s.next();
    s.written = 0;
    s.taken = 10;
    s.writeOne(3);
    s.next();
    s.next();
    assert.deepEqual([s.written, s.taken, s.length], [1, 12, 0]);
  });
});

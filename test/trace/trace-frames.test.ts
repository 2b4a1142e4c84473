// The device-side frame writer (src/trace-frames.ts): draining a trace ring
// into frames and pumping them into a byte sink allocates nothing on XS, the
// first call included (beside a positive control), and a frame that does
// not fit the sink waits, and is dropped and counted only with dropAfter.
import { strict as assert } from '../support/assert.js';
import { allocations, assertNoAllocation, AllocationError, onXs } from '../support/alloc.js';
import { Trace, TRACE_POST, TRACE_TRANSITION } from '../../src/trace.js';
import { FRAME_HEADER_BYTES, FRAME_RECORDS, FRAME_SYNC0, FRAME_SYNC1, FRAME_TRAILER_BYTES, TraceFrameError, TraceFrameWriter, type TraceByteSink } from '../../src/trace-frames.js';

/** A sink with `space` bytes of room per pump that keeps only a running checksum (no allocation). */
class CountingSink implements TraceByteSink {
  bytes = 0;
  sum = 0;
  space = 1 << 30;
  room(): number {
    return this.space;
  }
  write(byte: number): boolean {
    if (this.space <= 0) return false;
    this.space--;
    this.bytes++;
    this.sum = (this.sum + byte) | 0;
    return true;
  }
}

function ring(capacity = 64): Trace {
  let now = 0;
  const t = new Trace({ clock: () => now++, capacity });
  t.register('user', 'probe');
  return t;
}

describe('trace-frames: the frame writer', function () {
  it('drain + pump allocate nothing, the first call included (ints, floats, seq runs)', function () {
    const t = ring();
    const w = new TraceFrameWriter({ maxPayload: 256 });
    const sink = new CountingSink();
    const buf = new Int32Array(8 * 10);
    const f64 = new Float64Array(buf.buffer);
    let k = 0;
    const drainOnce = (): void => {
      k++;
      t.rec(TRACE_POST, 1, 3, -1, k, k, 0.5 * k);
      t.rec(TRACE_TRANSITION, 1, 3, 2, -1, 0, 0);
      const n = t.take(buf);
      for (let i = 0; i < n; i++) {
        if (!w.addRecord(buf, f64, i)) {
          w.pump(sink);
          w.addRecord(buf, f64, i);
        }
      }
      w.pump(sink);
      if ((k & 63) === 0) {
        w.status(k, t.lost);
        w.pump(sink);
      }
    };
    assertNoAllocation(drainOnce, 2000, 'drain two records into a frame and pump it');
    assert.equal(w.recordsWritten, 2 * 2000);
    assert.equal(w.framesDropped, 0);
    assert.ok(sink.bytes > 0);
  });

  it('positive control: the same drain with a new Float64Array view per call allocates', function () {
    if (!onXs) this.skip();
    const w = new TraceFrameWriter();
    const buf = new Int32Array(10);
    assert.throws(
      () =>
        assertNoAllocation(() => {
          const view = new Float64Array(buf.buffer, 0, 5);
          w.addRecord(buf, view, 0);
          w.copyFrame(new Uint8Array(64), 0);
        }, 100),
      AllocationError,
    );
    const a = allocations(() => new Float64Array(buf.buffer, 0, 5), 100)!;
    assert.ok(a.slots > 0 || a.chunkBytes > 0);
  });

  it('frames: sync, type, length, CRC over type..payload', function () {
    const w = new TraceFrameWriter({ maxPayload: 64 });
    const buf = new Int32Array(10);
    const f64 = new Float64Array(buf.buffer);
    buf[0] = 7; // seq
    buf[2] = TRACE_POST | (1 << 16);
    assert.equal(w.addRecord(buf, f64, 0), true);
    const size = w.seal();
    const b = w.bytes;
    assert.equal(b[0], FRAME_SYNC0);
    assert.equal(b[1], FRAME_SYNC1);
    assert.equal(b[2], FRAME_RECORDS);
    const len = b[3]! | (b[4]! << 8);
    // enc, seq, time, word2, word3 (aux and params 0: absent).
    assert.equal(len, 17);
    assert.equal(size, FRAME_HEADER_BYTES + len + FRAME_TRAILER_BYTES);
    const crc = b[size - 2]! | (b[size - 1]! << 8);
    assert.equal(crc, w.crc(b, 2, size - 2));
  });

  it('a frame waits for room; with dropAfter it is dropped and counted', function () {
    const w = new TraceFrameWriter({ maxPayload: 64, dropAfter: 3 });
    const sink = new CountingSink();
    sink.space = 5;
    const buf = new Int32Array(10);
    const f64 = new Float64Array(buf.buffer);
    w.addRecord(buf, f64, 0);
    assert.equal(w.pump(sink), 0);
    assert.equal(w.pump(sink), 0);
    assert.equal(w.ready, true);
    assert.equal(w.addRecord(buf, f64, 0), false, 'no new records while a frame waits');
    assert.equal(w.pump(sink), 0);
    assert.equal(w.waits, 3);
    assert.equal(w.framesDropped, 1);
    assert.equal(w.recordsDropped, 1);
    assert.equal(w.recordsWritten, 0);
    assert.equal(sink.bytes, 0, 'nothing of a frame that did not fit was sent');
    // Without dropAfter the frame waits, then goes whole.
    const w2 = new TraceFrameWriter({ maxPayload: 64 });
    w2.addRecord(buf, f64, 0);
    for (let i = 0; i < 10; i++) w2.pump(sink);
    assert.equal(w2.framesDropped, 0);
    sink.space = 100;
    const n = w2.pump(sink);
    assert.equal(n, 24);
    assert.equal(w2.idle, true);
  });

  it('configuration errors are TraceFrameErrors that say what to change', function () {
    assert.throws(() => new TraceFrameWriter({ maxPayload: 10 }), (e: unknown) => e instanceof TraceFrameError && /maxPayload must be an integer 64\.\.16384/.test(e.message));
    const w = new TraceFrameWriter({ maxPayload: 64 });
    assert.throws(() => w.object(1, 3, 'x'.repeat(100)), (e: unknown) => e instanceof TraceFrameError && /does not fit one frame of 64 payload bytes/.test(e.message));
    assert.equal(w.idle, true, 'a refused entry leaves the writer idle');
  });
});

// hosts/moddable/trace-drain on both test engines: the device's trace drain
// (ring -> frames -> a sink, in idle time). Whole frames, the dictionary
// first, every record once (the decoding round trip is in
// test/node/trace-replay.test.ts); a sink without room makes frames wait (records stay in the ring)
// and, with dropAfter, drops and counts them; the text transport's lines
// are `KTR:<hex>`. Allocation (XS): tick() with records to drain, the text
// sink and STATUS frames included (trace() stubbed by a function that
// allocates nothing), allocates nothing, the first call included, beside a
// positive control. The serial transport, over the real SerialPort
// (hosts/moddable/serial.ts) on the SDK's serial stand-in
// (test/support/moddable/serial.ts: onWritable room, a throwing write when
// the FIFO is full): a frame half sent when a write fails is finished before
// a resent dictionary (the line carries whole frames with good CRCs only), and
// tick() with the serial sink, the line draining and onWritable between
// ticks, allocates nothing either. The scripted button (stimulus.ts) posts
// each step once.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import { resetTime } from '../support/moddable/time.js';
import Serial, { ESP32_UART_FIFO_BYTES } from '../support/moddable/serial.js';
import { resetPlatform } from '../support/moddable/builtin.js';
import { Trace, TRACE_USER } from '../../src/trace.js';
import { FRAME_HEADER_BYTES, FRAME_HELLO, FRAME_OBJECT, FRAME_RECORDS, FRAME_STATUS, FRAME_SYNC0, FRAME_SYNC1, FRAME_TRAILER_BYTES, TraceFrameWriter } from '../../src/trace-frames.js';
import { TraceDrain, TraceSerialSink, TraceTextSink, TRACE_LINE_PREFIX, type TraceFrameSink } from '../../hosts/moddable/trace-drain.js';
import { SerialPort } from '../../hosts/moddable/serial.js';
import { TRACE_SERIAL_PAYLOAD } from '../../hosts/moddable/device.js';
import { MAX_STIMULUS_MS, Stimulus, parseStimulus } from '../../hosts/moddable/stimulus.js';
import { DeviceHostError } from '../../hosts/moddable/errors.js';
import type { Postable } from '../../hosts/moddable/types.js';

/** A sink over a fixed buffer, with a settable room; counts frame ends. Allocation-free. */
class BufferSink implements TraceFrameSink {
  readonly bytes = new Uint8Array(1 << 16);
  length = 0;
  frames = 0;
  roomLeft = 1 << 30;
  room(): number {
    return this.roomLeft;
  }
  write(byte: number): boolean {
    if (this.roomLeft <= 0 || this.length >= this.bytes.length) return false;
    this.bytes[this.length++] = byte;
    this.roomLeft--;
    return true;
  }
  endFrame(): void {
    this.frames++;
  }
}

function ring(capacity = 64): { trace: Trace; clock: { t: number } } {
  const clock = { t: 0 };
  const trace = new Trace({ name: 't', capacity, clock: () => clock.t });
  trace.register('user', 'app');
  return { trace, clock };
}

const g = globalThis as unknown as { trace?: (...m: unknown[]) => void };

/** The trace UART as the device host opens it (device.ts: the board's example UART), on the ESP32 stand-in. */
const UART = 2;
const UART_OPTIONS = Object.freeze({ name: 'trace', port: UART, txPin: 17, rxPin: 16, baud: 115200 });

/**
 * The frame types on a line, in order. Fails at the first byte that does not
 * start a whole frame with a good CRC, naming its offset.
 */
function frameTypes(bytes: Uint8Array, length: number, crc: TraceFrameWriter): number[] {
  const types: number[] = [];
  let at = 0;
  while (at < length) {
    assert.ok(bytes[at] === FRAME_SYNC0 && bytes[at + 1] === FRAME_SYNC1, `no frame sync at byte ${at} of ${length}`);
    const end = at + FRAME_HEADER_BYTES + (bytes[at + 3]! | (bytes[at + 4]! << 8));
    assert.ok(end + FRAME_TRAILER_BYTES <= length, `the frame at byte ${at} runs past the end of the line (${length} bytes)`);
    assert.equal(bytes[end]! | (bytes[end + 1]! << 8), crc.crc(bytes, at + 2, end), `CRC of the frame at byte ${at}`);
    types.push(bytes[at + 2]!);
    at = end + FRAME_TRAILER_BYTES;
  }
  return types;
}

describe('hosts/moddable trace drain', () => {
  beforeEach(() => resetTime());
  afterEach(() => {
    // A failed test may leave its port open; a passing one closes it (asserted at its end).
    Serial.closeAll();
    resetPlatform();
  });

  it('sends HELLO and the dictionary first, then every record in order, as whole frames', () => {
    const { trace, clock } = ring();
    const sink = new BufferSink();
    const drain = new TraceDrain(trace, sink, { maxPayload: 64, statusEveryMs: 0 });
    drain.begin();
    for (let i = 0; i < 20; i++) {
      clock.t = i;
      trace.rec(TRACE_USER, 1, i, -1, i * 3, i, -i);
    }
    drain.tick(100);
    assert.equal(trace.length, 0);
    assert.equal(drain.records, 20);
    assert.equal(drain.dictionaryFrames, 2); // HELLO + one object
    // Every frame: sync a5 4b, then header; frames counted by endFrame().
    let at = 0;
    let frames = 0;
    while (at < sink.length) {
      assert.equal(sink.bytes[at], 0xa5);
      assert.equal(sink.bytes[at + 1], 0x4b);
      at += 5 + (sink.bytes[at + 3]! | (sink.bytes[at + 4]! << 8)) + 2;
      frames++;
    }
    assert.equal(at, sink.length);
    assert.equal(frames, sink.frames);
    assert.equal(drain.writer.recordsWritten, 20);
    assert.ok(drain.writer.framesSent >= 20 / 2, `frames of at most 64 payload bytes: ${drain.writer.framesSent}`);
  });

  it('a sink without room: frames wait (records stay in the ring), then go; with dropAfter they are dropped and counted', () => {
    const { trace } = ring(8);
    const sink = new BufferSink();
    const drain = new TraceDrain(trace, sink, { maxPayload: 64, statusEveryMs: 0 });
    drain.begin();
    drain.tick(0); // dictionary out
    const after = sink.length;
    sink.roomLeft = 0;
    for (let i = 0; i < 3; i++) trace.rec(TRACE_USER, 1, i, -1, 0, 0, 0);
    drain.tick(10);
    assert.equal(sink.length, after);
    assert.ok(drain.waits > 0);
    assert.equal(drain.writer.ready, true);
    sink.roomLeft = 1 << 30;
    drain.tick(20);
    assert.equal(drain.writer.recordsWritten, 3);
    assert.equal(drain.writer.framesDropped, 0);

    const drop = new TraceDrain(trace, sink, { maxPayload: 64, statusEveryMs: 0, dropAfter: 2 });
    drop.begin();
    drop.tick(0);
    sink.roomLeft = 0;
    for (let i = 0; i < 3; i++) trace.rec(TRACE_USER, 1, i, -1, 0, 0, 0);
    for (let k = 0; k < 4; k++) drop.tick(30 + k);
    // 64-byte payloads: two of these records fit a frame, so two frames were dropped.
    assert.equal(drop.writer.framesDropped, 2);
    assert.equal(drop.writer.recordsDropped, 3);
    assert.equal(drop.records, drop.writer.recordsWritten + drop.writer.recordsDropped);
  });

  it('the text sink writes one KTR:<hex> line per frame', () => {
    const saved = g.trace;
    let out = '';
    g.trace = (m: unknown) => void (out += String(m));
    try {
      const { trace } = ring();
      const sink = new TraceTextSink();
      const drain = new TraceDrain(trace, sink, { statusEveryMs: 0 });
      drain.begin();
      trace.rec(TRACE_USER, 1, 5, 6, 7, 8, 9);
      drain.tick(0);
      const lines = out.split('\n');
      assert.equal(lines.pop(), '');
      assert.equal(lines.length, 3); // HELLO, OBJECT, RECORDS
      for (const l of lines) assert.ok(new RegExp(`^${TRACE_LINE_PREFIX}(a54b)([0-9a-f]{2})+$`).test(l), l);
      assert.equal(sink.lines, 3);
      assert.equal(sink.bytes * 2 + 3 * (TRACE_LINE_PREFIX.length + 1), out.length);
    } finally {
      g.trace = saved;
    }
  });

  it('a second begin() and bad options throw DeviceHostError', () => {
    const { trace } = ring();
    const drain = new TraceDrain(trace, new BufferSink());
    drain.begin();
    assert.throws(() => drain.begin(), DeviceHostError);
    assert.throws(() => new TraceDrain(trace, new BufferSink(), { recordsPerTick: 0 }), DeviceHostError);
    assert.throws(() => new TraceDrain(trace, new BufferSink(), { statusEveryMs: -1 }), DeviceHostError);
    assert.throws(() => new TraceDrain(trace, new BufferSink(), { dictionaryBytes: 10 }), DeviceHostError);
  });

  it('tick() with records to drain allocates nothing (first call included), text sink and STATUS frames included', () => {
    const saved = g.trace;
    // The stand-in for Moddable's native trace() counts calls (reading the string's length would box it: 2 slots).
    let calls = 0;
    g.trace = function count(_m: unknown): void {
      calls++;
    };
    try {
      const { trace, clock } = ring(256);
      const sink = new TraceTextSink();
      const drain = new TraceDrain(trace, sink, { statusEveryMs: 50 });
      drain.begin();
      drain.tick(0);
      let now = 0;
      const step = (): void => {
        now += 10;
        clock.t = now;
        trace.rec(TRACE_USER, 1, 1, 2, now, now, 0.5);
        trace.rec(TRACE_USER, 1, 3, -1, -now, 0, 0);
        drain.tick(now);
      };
      assertNoAllocation(step, 2000, 'TraceDrain.tick (2 records per tick, text sink)');
      assert.equal(drain.records, 4000);
      assert.equal(trace.lost, 0);
      assert.ok(drain.statuses >= 399, `STATUS every 50 ms: ${drain.statuses}`);
      assert.ok(calls > 4000 * 2, `one trace() call per byte: ${calls}`);
      if (onXs) assertCatchesAllocation(step, 100, 'TraceDrain.tick');
    } finally {
      g.trace = saved;
    }
  });

  it('serial: resendDictionary() while a RECORDS frame is half sent (a write threw) finishes that frame first; the line has whole frames only', () => {
    const { trace } = ring(64);
    const port = new SerialPort(UART_OPTIONS);
    const sink = new TraceSerialSink(port);
    port.start(sink);
    const s = Serial.at(UART)!;
    const drain = new TraceDrain(trace, sink, { maxPayload: TRACE_SERIAL_PAYLOAD, statusEveryMs: 0 });
    drain.begin();
    const line = new Uint8Array(4096);
    let n = 0;
    /** The line sends everything queued; the port's callbacks run (onWritable). */
    const wire = (): void => {
      for (let b = s.takeTx(); b >= 0; b = s.takeTx()) line[n++] = b;
      s.deliverAll();
    };
    s.deliverAll(); // onWritable(128) from open
    for (let k = 0; k < 10 && drain.sendingDictionary; k++) {
      drain.tick(0);
      wire();
    }
    assert.equal(drain.sendingDictionary, false);
    assert.equal(drain.dictionaryFrames, 2);
    // Another writer fills all but 20 bytes of the FIFO behind the port's back:
    // the port still counts 128 bytes of room, so the next frame starts and its
    // 21st write throws "output full" (counted in writeErrors; room 0).
    const other = ESP32_UART_FIFO_BYTES - 20;
    for (let i = 0; i < other; i++) s.write(0x55);
    for (let i = 0; i < 4; i++) trace.rec(TRACE_USER, 1, i, -1, i, i, 0); // one RECORDS frame of about 90 bytes
    const written = port.written;
    drain.tick(10);
    assert.deepEqual([port.writeErrors, port.written - written], [1, 20]);
    assert.equal(drain.writer.ready, true, 'the RECORDS frame is half sent');
    assert.ok(drain.writer.pending > 0);
    drain.resendDictionary();
    const otherAt = n;
    for (let k = 0; k < 20 && (drain.sendingDictionary || !drain.writer.idle || trace.length > 0); k++) {
      wire();
      drain.tick(20 + k);
    }
    wire();
    assert.equal(drain.sendingDictionary, false);
    assert.equal(drain.writer.idle, true);
    // The other writer's bytes went out first (they were queued first); the rest is the drain's.
    for (let i = 0; i < other; i++) assert.equal(line[otherAt + i], 0x55);
    line.copyWithin(otherAt, otherAt + other, n);
    n -= other;
    assert.deepEqual(frameTypes(line, n, drain.writer), [FRAME_HELLO, FRAME_OBJECT, FRAME_RECORDS, FRAME_HELLO, FRAME_OBJECT]);
    assert.deepEqual([drain.records, drain.writer.recordsWritten, drain.writer.framesDropped, drain.dictionaryFrames], [4, 4, 0, 4]);
    port.close();
    assert.equal(Serial.open, 0);
  });

  it('serial: tick() with records to drain allocates nothing (first call included), the line draining and onWritable between ticks, STATUS frames included', () => {
    const { trace, clock } = ring(256);
    const port = new SerialPort(UART_OPTIONS);
    const sink = new TraceSerialSink(port);
    port.start(sink);
    const s = Serial.at(UART)!;
    s.deliverAll(); // onWritable(128) from open
    const drain = new TraceDrain(trace, sink, { maxPayload: TRACE_SERIAL_PAYLOAD, statusEveryMs: 50 });
    drain.begin();
    const line = new Uint8Array(1 << 18);
    let n = 0;
    const wire = (): void => {
      for (let b = s.takeTx(); b >= 0; b = s.takeTx()) line[n++] = b;
      s.deliverAll();
    };
    for (let k = 0; k < 10 && drain.sendingDictionary; k++) {
      drain.tick(0);
      wire();
    }
    assert.equal(drain.sendingDictionary, false);
    let now = 0;
    const step = (): void => {
      now += 10;
      clock.t = now;
      trace.rec(TRACE_USER, 1, 1, 2, now, now, 0.5);
      trace.rec(TRACE_USER, 1, 3, -1, -now, 0, 0);
      drain.tick(now);
      wire();
    };
    assertNoAllocation(step, 2000, 'TraceDrain.tick (2 records per tick, serial sink over SerialPort, line + onWritable)');
    assert.deepEqual([drain.records, drain.writer.recordsWritten, trace.lost, drain.writer.framesDropped], [4000, 4000, 0, 0]);
    assert.ok(drain.statuses >= 399, `STATUS every 50 ms: ${drain.statuses}`);
    assert.deepEqual([port.writeErrors, port.written, s.txWaiting], [0, n, 0]);
    assert.ok(sink.txReady > 0 && sink.txReady === port.writables, `onWritable reached the sink: ${sink.txReady} of ${port.writables}`);
    const types = frameTypes(line, n, drain.writer);
    assert.deepEqual([types[0], types[1]], [FRAME_HELLO, FRAME_OBJECT]);
    let statuses = 0;
    for (let i = 2; i < types.length; i++) {
      if (types[i] === FRAME_STATUS) statuses++;
      else assert.equal(types[i], FRAME_RECORDS, `frame ${i}`);
    }
    assert.equal(statuses, drain.statuses);
    if (onXs) assertCatchesAllocation(step, 100, 'TraceDrain.tick (serial sink)');
    port.close();
    assert.equal(Serial.open, 0);
  });

  it('the stimulus posts each step once, at its time, as pressed/released board levels', () => {
    const posts: number[] = [];
    const target: Postable = {
      post(sig: number, pin = 0, level = 0, at = 0): boolean {
        posts.push(sig, pin, level, at);
        return posts.length <= 8;
      },
    };
    const s = new Stimulus(parseStimulus('20:1, 20:0,35:1'), target, 7, 4, 0);
    s.start(1000);
    s.tick(1010);
    assert.deepEqual(posts, []);
    s.tick(1020);
    s.tick(1030);
    s.tick(1040);
    // pressed = the active level (0 here), released = 1
    assert.deepEqual(posts, [7, 4, 0, 1020, 7, 4, 1, 1020, 7, 4, 0, 1040]);
    assert.equal(s.posted, 2);
    assert.equal(s.refused, 1);
    assert.equal(s.left, 0);
    assert.throws(() => parseStimulus('10:1,5:0'), (e) => e instanceof DeviceHostError && /step 2 at 5 ms comes before the step before it \(10 ms\)/.test(e.message));
    assert.throws(() => parseStimulus('10:2'), DeviceHostError);
    assert.equal(parseStimulus(`10:1,${MAX_STIMULUS_MS}:0`)[2], MAX_STIMULUS_MS);
    assert.throws(
      () => parseStimulus(`10:1,${MAX_STIMULUS_MS + 1}:0`),
      (e) => e instanceof DeviceHostError && /step 2 "2147483648:0" is at 2147483648 ms, past the limit of 2147483647 ms \(2\^31-1/.test(e.message) && !/comes before/.test(e.message),
    );
  });
});

/**
 * tools/trace/decode: reads Keel trace frames (docs/trace-format.md) on the
 * host: a whole .ktr file (decodeTrace, strict) or a live byte stream from a
 * serial port, a growing file or a pipe (TraceStream, resynchronising).
 *
 * Guarantees (fuzzed in test/node/trace-fuzz.test.ts): any input either
 * decodes or throws TraceDecodeError naming the byte offset where it went
 * wrong (truncated, corrupted, another version); nothing else is thrown, and
 * every loop advances at least one byte, so no input makes it loop forever.
 * Tooling: allocates freely.
 *
 *   bytes --decodeTrace()--> DecodedTrace { objects (dictionary), records, status, end, notes }
 *   chunks --TraceStream.push()--> callbacks: object / record / status / end / note / problem
 */
import {
  FRAME_END,
  FRAME_HEADER_BYTES,
  FRAME_HELLO,
  FRAME_MAX_PAYLOAD,
  FRAME_NOTE,
  FRAME_OBJECT,
  FRAME_RECORDS,
  FRAME_STATUS,
  FRAME_SYNC0,
  FRAME_SYNC1,
  FRAME_TRAILER_BYTES,
  KTR_FILE_HEADER_BYTES,
  KTR_MAGIC0,
  KTR_MAGIC1,
  KTR_MAGIC2,
  KTR_MAGIC3,
  KTR_VERSION,
  OBJ_AO,
  OBJ_HSM,
  OBJ_KERNEL,
  OBJ_POOL,
  OBJ_QUEUE,
  OBJ_STREAM,
  REC_AUX,
  REC_P0_SHIFT,
  REC_P1_SHIFT,
  REC_P_I32,
  REC_P_ZERO,
  REC_RESERVED_MASK,
  REC_SEQ_NEXT,
  STATUS_PAYLOAD_BYTES,
  TR_FLAG_GUARDED,
  TR_FLAG_HISTORY,
} from '../../src/trace-frames.js';

import { expandRecord } from './expand.js';

export class TraceDecodeError extends Error {
  override name = 'TraceDecodeError';
  constructor(
    /** Byte offset in the input where the problem is. */
    readonly offset: number,
    message: string,
  ) {
    super(`byte ${offset}: ${message}`);
  }
}

export type TraceObjectType = 'other' | 'kernel' | 'ao' | 'hsm' | 'pool' | 'queue' | 'stream';
const TYPE_NAMES: Record<number, TraceObjectType> = { [OBJ_KERNEL]: 'kernel', [OBJ_AO]: 'ao', [OBJ_HSM]: 'hsm', [OBJ_POOL]: 'pool', [OBJ_QUEUE]: 'queue', [OBJ_STREAM]: 'stream' };

export interface TraceState {
  name: string;
  parent: number;
  /** Initial transition target (-1: a leaf). */
  initial: number;
}
export interface TraceTransition {
  source: number;
  /** -1: internal. */
  target: number;
  signal: number;
  kind: 'internal' | 'self' | 'local' | 'external';
  guarded: boolean;
  history: boolean;
}
export interface TraceObject {
  id: number;
  type: TraceObjectType;
  name: string;
  capacity: number;
  /** The id of the object it belongs to (a machine's AO, an AO's kernel); 0 none. */
  link: number;
  states: TraceState[];
  signals: string[];
  transitions: TraceTransition[];
}
export interface TraceRecord {
  /** Byte offset of the frame that carried the record. */
  offset: number;
  seq: number;
  /** The record's u32 clock value, and the same unwrapped (monotonic) from the first record. */
  time: number;
  t: number;
  kind: number;
  flags: number;
  object: number;
  /** -1 when none (0xFFFF). */
  signal: number;
  state: number;
  aux: number;
  p0: number;
  p1: number;
  /** A record the decoder derived from a 'compact' machine's record and the dictionary (tools/trace/expand.ts); it shares that record's seq, time and offset. */
  implied?: boolean;
  /** A compact machine DISPATCH: the index of the transition taken (its record's aux before expansion). */
  transition?: number;
  /** Why a compact record could not be expanded (passed on as it is). */
  expandError?: string;
}
export interface TraceCounters {
  time: number;
  ringLost: number;
  framesDropped: number;
  recordsDropped: number;
  recordsWritten: number;
}
export interface TraceNote {
  kind: number;
  text: string;
}
export interface DecodedTrace {
  version: number;
  host: string;
  ticksPerSecond: number;
  objects: Map<number, TraceObject>;
  records: TraceRecord[];
  /** The last STATUS frame (null if none). */
  status: TraceCounters | null;
  /** The END frame's counters (null: the stream has not ended). */
  end: TraceCounters | null;
  notes: TraceNote[];
  /** Records missing by sequence number (ring overwrote them, or frames were dropped). */
  seqGaps: number;
  /** Records read from RECORDS frames (before compact machine records were expanded: `records` also holds the implied ones). */
  recordsRead: number;
  bytes: number;
}

/** Bounds-checked little-endian reader over one frame's payload; errors name absolute offsets. */
class Reader {
  at: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly base: number,
    private readonly what: string,
  ) {
    this.at = start;
  }
  private need(n: number, field: string): void {
    if (this.at + n > this.end)
      throw new TraceDecodeError(this.base + this.at, `${this.what}: payload ends inside ${field} (needs ${n} bytes, ${this.end - this.at} left)`);
  }
  u8(field: string): number {
    this.need(1, field);
    return this.b[this.at++]!;
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.b[this.at]! | (this.b[this.at + 1]! << 8);
    this.at += 2;
    return v;
  }
  i16(field: string): number {
    const v = this.u16(field);
    return v >= 0x8000 ? v - 0x10000 : v;
  }
  u32(field: string): number {
    this.need(4, field);
    const b = this.b;
    const v = (b[this.at]! | (b[this.at + 1]! << 8) | (b[this.at + 2]! << 16) | (b[this.at + 3]! << 24)) >>> 0;
    this.at += 4;
    return v;
  }
  i32(field: string): number {
    return this.u32(field) | 0;
  }
  f64(field: string): number {
    this.need(8, field);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.at, 8).getFloat64(0, true);
    this.at += 8;
    return v;
  }
  str(field: string): string {
    const n = this.u16(field + ' length');
    this.need(n, field);
    const s = new TextDecoder('utf-8', { fatal: false }).decode(this.b.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  get left(): number {
    return this.end - this.at;
  }
  done(): void {
    if (this.at !== this.end) throw new TraceDecodeError(this.base + this.at, `${this.what}: ${this.end - this.at} unexpected bytes at the end of the payload`);
  }
}

const crcTable = ((): Uint16Array => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = (c & 0x8000) !== 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/CCITT-FALSE of b[start..end). */
export function crc16(b: Uint8Array, start: number, end: number): number {
  let c = 0xffff;
  for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ crcTable[((c >>> 8) ^ b[i]!) & 0xff]!;
  return c;
}

export const FRAME_NAMES: Record<number, string> = {
  [FRAME_HELLO]: 'HELLO',
  [FRAME_OBJECT]: 'OBJECT',
  [FRAME_RECORDS]: 'RECORDS',
  [FRAME_STATUS]: 'STATUS',
  [FRAME_END]: 'END',
  [FRAME_NOTE]: 'NOTE',
};

/** One frame located in a buffer. */
interface FrameAt {
  type: number;
  payloadStart: number;
  payloadEnd: number;
  next: number;
}

/**
 * Reads the frame at `off` (which must hold the sync bytes). Returns the frame,
 * or the number of bytes the frame needs in total (a positive number) when
 * `end` cuts it short. Throws TraceDecodeError for a bad sync, length or CRC.
 * `base` is added to offsets in messages.
 */
function frameAt(b: Uint8Array, off: number, end: number, base: number): FrameAt | number {
  if (end - off < FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES;
  if (b[off] !== FRAME_SYNC0 || b[off + 1] !== FRAME_SYNC1)
    throw new TraceDecodeError(base + off, `bad frame sync (expected a5 4b, found ${hex(b[off]!)} ${hex(b[off + 1]!)})`);
  const type = b[off + 2]!;
  const len = b[off + 3]! | (b[off + 4]! << 8);
  if (FRAME_NAMES[type] === undefined) throw new TraceDecodeError(base + off + 2, `unknown frame type ${type} (known: 1..6)`);
  if (len > FRAME_MAX_PAYLOAD) throw new TraceDecodeError(base + off + 3, `${FRAME_NAMES[type]} frame declares ${len} payload bytes (at most ${FRAME_MAX_PAYLOAD})`);
  const total = FRAME_HEADER_BYTES + len + FRAME_TRAILER_BYTES;
  if (end - off < total) return total;
  const crcAt = off + FRAME_HEADER_BYTES + len;
  const want = b[crcAt]! | (b[crcAt + 1]! << 8);
  const got = crc16(b, off + 2, crcAt);
  if (want !== got)
    throw new TraceDecodeError(base + off, `checksum mismatch in ${FRAME_NAMES[type]} frame of ${len} payload bytes (stored ${hex4(want)}, computed ${hex4(got)}): corrupted`);
  return { type, payloadStart: off + FRAME_HEADER_BYTES, payloadEnd: crcAt, next: off + total };
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

export interface TraceSink {
  hello?(version: number, host: string, ticksPerSecond: number): void;
  object?(o: TraceObject): void;
  record?(r: TraceRecord): void;
  status?(c: TraceCounters): void;
  end?(c: TraceCounters): void;
  note?(n: TraceNote): void;
}

/** Decodes frame payloads into a sink; keeps the cross-frame state (unwrapped time, sequence). */
class FrameDecoder {
  version = -1;
  lastTime = 0;
  t = 0;
  haveTime = false;
  lastSeq = -1;
  seqGaps = 0;
  /** Records read from RECORDS frames (before expansion). */
  recordsRead = 0;
  /** The dictionary so far: compact machine records are expanded from it (expandRecord). */
  private readonly objects = new Map<number, TraceObject>();
  private readonly emit: (r: TraceRecord) => void;
  constructor(private readonly sink: TraceSink) {
    this.emit = (r) => this.sink.record?.(r);
  }

  frame(b: Uint8Array, f: FrameAt, base: number, frameOffset: number): void {
    const what = `${FRAME_NAMES[f.type]} frame at byte ${base + frameOffset}`;
    const r = new Reader(b, f.payloadStart, f.payloadEnd, base, what);
    switch (f.type) {
      case FRAME_HELLO: {
        const versionAt = base + r.at;
        const version = r.u16('version');
        if (version !== KTR_VERSION) throw new TraceDecodeError(versionAt, `trace format version ${version}; this decoder reads version ${KTR_VERSION}`);
        const wordsAt = base + r.at;
        const words = r.u16('record words');
        if (words !== 10) throw new TraceDecodeError(wordsAt, `${what}: record layout of ${words} words; version 1 has 10`);
        const tps = r.u32('ticks per second');
        const host = r.str('host name');
        r.done();
        this.version = version;
        // A new HELLO (a device that restarted): sequence and time start over.
        this.lastSeq = -1;
        this.haveTime = false;
        this.sink.hello?.(version, host, tps);
        return;
      }
      case FRAME_OBJECT: {
        const id = r.u16('id');
        const typeCode = r.u8('type');
        r.u8('reserved');
        const capacity = r.u32('capacity');
        const link = r.u16('link');
        const name = r.str('name');
        const o: TraceObject = { id, type: TYPE_NAMES[typeCode] ?? 'other', name, capacity, link, states: [], signals: [], transitions: [] };
        const ns = r.u16('state count');
        for (let s = 0; s < ns; s++) {
          const parent = r.i16('state parent');
          const initial = r.i16('state initial');
          o.states.push({ name: r.str('state name'), parent, initial });
        }
        const ng = r.u16('signal count');
        for (let g = 0; g < ng; g++) o.signals.push(r.str('signal name'));
        const nt = r.u16('transition count');
        for (let t = 0; t < nt; t++) {
          const source = r.i16('transition source');
          const target = r.i16('transition target');
          const signal = r.u16('transition signal');
          const flags = r.u8('transition flags');
          o.transitions.push({
            source,
            target,
            signal,
            kind: (['internal', 'self', 'local', 'external'] as const)[flags & 3]!,
            guarded: (flags & TR_FLAG_GUARDED) !== 0,
            history: (flags & TR_FLAG_HISTORY) !== 0,
          });
        }
        r.done();
        this.objects.set(o.id, o);
        this.sink.object?.(o);
        return;
      }
      case FRAME_RECORDS: {
        let first = true;
        let prevSeq = 0;
        while (r.left > 0) {
          const recAt = base + r.at;
          const enc = r.u8('record encoding');
          if ((enc & REC_RESERVED_MASK) !== 0) throw new TraceDecodeError(recAt, `${what}: record encoding ${hex(enc)} sets reserved bits`);
          const p0e = (enc >> REC_P0_SHIFT) & 3;
          const p1e = (enc >> REC_P1_SHIFT) & 3;
          if (p0e === 3 || p1e === 3) throw new TraceDecodeError(recAt, `${what}: record encoding ${hex(enc)} has an unknown parameter encoding 3`);
          let seq: number;
          if ((enc & REC_SEQ_NEXT) !== 0) {
            if (first) throw new TraceDecodeError(recAt, `${what}: the first record of a frame must carry its sequence number`);
            seq = (prevSeq + 1) >>> 0;
          } else seq = r.u32('record seq');
          const time = r.u32('record time');
          const w2 = r.u32('record kind/flags/object');
          const w3 = r.u32('record signal/state');
          const aux = (enc & REC_AUX) !== 0 ? r.i32('record aux') : 0;
          const p0 = p0e === REC_P_ZERO ? 0 : p0e === REC_P_I32 ? r.i32('record p0') : r.f64('record p0');
          const p1 = p1e === REC_P_ZERO ? 0 : p1e === REC_P_I32 ? r.i32('record p1') : r.f64('record p1');
          if (this.lastSeq >= 0) {
            const gap = (seq - this.lastSeq - 1) >>> 0;
            if (gap > 0 && gap < 0x80000000) this.seqGaps += gap;
          }
          this.lastSeq = seq;
          prevSeq = seq;
          first = false;
          if (!this.haveTime) {
            this.haveTime = true;
            this.t = time;
          } else this.t += (time - this.lastTime) >>> 0;
          this.lastTime = time;
          const sig = w3 & 0xffff;
          const st = w3 >>> 16;
          this.recordsRead++;
          expandRecord({
            offset: base + frameOffset,
            seq,
            time,
            t: this.t,
            kind: w2 & 0xff,
            flags: (w2 >>> 8) & 0xff,
            object: w2 >>> 16,
            signal: sig === 0xffff ? -1 : sig,
            state: st === 0xffff ? -1 : st,
            aux,
            p0,
            p1,
          }, this.objects, this.emit);
        }
        return;
      }
      case FRAME_STATUS:
      case FRAME_END: {
        if (r.left !== STATUS_PAYLOAD_BYTES) throw new TraceDecodeError(base + f.payloadStart, `${what}: payload is ${r.left} bytes; expected ${STATUS_PAYLOAD_BYTES}`);
        const c: TraceCounters = { time: r.u32('time'), ringLost: r.u32('ring lost'), framesDropped: r.u32('frames dropped'), recordsDropped: r.u32('records dropped'), recordsWritten: r.u32('records written') };
        if (f.type === FRAME_END) this.sink.end?.(c);
        else this.sink.status?.(c);
        return;
      }
      case FRAME_NOTE: {
        const kind = r.u8('note kind');
        const text = r.str('note text');
        r.done();
        this.sink.note?.({ kind, text });
        return;
      }
    }
  }
}

/** A sink that collects everything into a DecodedTrace (whole files, and captured logs: tools/trace/lines.ts). */
export function collector(bytes = 0): { sink: TraceSink; out: DecodedTrace } {
  const out: DecodedTrace = { version: 0, host: '', ticksPerSecond: 1000, objects: new Map(), records: [], status: null, end: null, notes: [], seqGaps: 0, recordsRead: 0, bytes };
  const sink: TraceSink = {
    hello(version, host, tps) {
      out.version = version;
      out.host = host;
      out.ticksPerSecond = tps;
    },
    object(o) {
      out.objects.set(o.id, o);
    },
    record(r) {
      out.records.push(r);
    },
    status(c) {
      out.status = c;
    },
    end(c) {
      out.end = c;
    },
    note(n) {
      out.notes.push(n);
    },
  };
  return { sink, out };
}

/**
 * Decodes a whole .ktr file. Strict: the file header, HELLO first, every
 * frame intact and contiguous, END last and nothing after it. Throws
 * TraceDecodeError (with `offset`) otherwise.
 */
export function decodeTrace(bytes: Uint8Array): DecodedTrace {
  const n = bytes.length;
  if (n < KTR_FILE_HEADER_BYTES) throw new TraceDecodeError(n, `truncated: a .ktr file starts with an ${KTR_FILE_HEADER_BYTES}-byte header; the input has ${n} bytes`);
  if (bytes[0] !== KTR_MAGIC0 || bytes[1] !== KTR_MAGIC1 || bytes[2] !== KTR_MAGIC2 || bytes[3] !== KTR_MAGIC3)
    throw new TraceDecodeError(0, `not a Keel trace: the magic is ${[0, 1, 2, 3].map((i) => hex(bytes[i]!)).join(' ')}, expected 4b 54 52 1a ("KTR" 0x1a)`);
  const version = bytes[4]! | (bytes[5]! << 8);
  if (version !== KTR_VERSION) throw new TraceDecodeError(4, `trace format version ${version}; this decoder reads version ${KTR_VERSION}`);
  const flags = bytes[6]! | (bytes[7]! << 8);
  if (flags !== 0) throw new TraceDecodeError(6, `file header flags ${hex4(flags)}; version 1 defines none (0)`);
  const { sink, out } = collector();
  const dec = new FrameDecoder(sink);
  let off = KTR_FILE_HEADER_BYTES;
  let frames = 0;
  while (off < n) {
    if (out.end !== null) throw new TraceDecodeError(off, `${n - off} bytes after the END frame`);
    const f = frameAt(bytes, off, n, 0);
    if (typeof f === 'number') throw new TraceDecodeError(off, `truncated frame: it needs ${f} bytes, the file ends after ${n - off}`);
    if (frames === 0 && f.type !== FRAME_HELLO) throw new TraceDecodeError(off, `the first frame is ${FRAME_NAMES[f.type]}; a trace starts with HELLO`);
    if (frames > 0 && f.type === FRAME_HELLO) throw new TraceDecodeError(off, 'a second HELLO frame in one file');
    dec.frame(bytes, f, 0, off);
    frames++;
    off = f.next;
  }
  if (frames === 0) throw new TraceDecodeError(off, 'truncated: no frames after the file header (a trace starts with HELLO)');
  if (out.end === null) throw new TraceDecodeError(off, 'truncated: the file ends without the END frame');
  out.version = version;
  out.seqGaps = dec.seqGaps;
  out.recordsRead = dec.recordsRead;
  out.bytes = n;
  return out;
}

/** A problem a live stream recovered from (bytes skipped, a bad frame). */
export interface TraceStreamProblem {
  offset: number;
  message: string;
}

/**
 * Live decoding: push chunks as they arrive (a serial port, a growing file,
 * stdin). Accepts an optional file header at the start, binary frames, and
 * text lines `KTR:<hex of one frame>` (the text transport of trace()/stdout);
 * other bytes (console text) are skipped and counted. A corrupted frame is
 * reported to `problem` with its offset and skipped (resynchronising on the
 * next sync bytes). Never throws for bad input; bounded: each step consumes
 * at least one byte or waits for more.
 */
export class TraceStream {
  private buf = new Uint8Array(0);
  /** Absolute offset of buf[0] in the stream. */
  private base = 0;
  private readonly dec: FrameDecoder;
  private started = false;
  /** Bytes skipped (not part of a frame). */
  skipped = 0;
  /** Frames rejected (bad checksum, length, payload). */
  badFrames = 0;
  frames = 0;
  /** Text lines seen between frames (console output), passed to `text` when given. */
  constructor(
    private readonly sink: TraceSink,
    private readonly problem: (p: TraceStreamProblem) => void = () => {},
    private readonly text: ((line: string) => void) | null = null,
  ) {
    this.dec = new FrameDecoder(sink);
  }

  get seqGaps(): number {
    return this.dec.seqGaps;
  }

  /** Records read from RECORDS frames (before compact machine records were expanded). */
  get recordsRead(): number {
    return this.dec.recordsRead;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf, 0);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    const b = this.buf;
    let off = 0;
    const n = b.length;
    if (!this.started) {
      if (n < 4) return;
      this.started = true;
      if (b[0] === KTR_MAGIC0 && b[1] === KTR_MAGIC1 && b[2] === KTR_MAGIC2 && b[3] === KTR_MAGIC3) {
        if (n < KTR_FILE_HEADER_BYTES) {
          this.started = false;
          return;
        }
        const version = b[4]! | (b[5]! << 8);
        if (version !== KTR_VERSION) this.problem({ offset: this.base + 4, message: `trace format version ${version}; this decoder reads version ${KTR_VERSION}` });
        off = KTR_FILE_HEADER_BYTES;
      }
    }
    let textStart = off;
    while (off < n) {
      const c = b[off]!;
      if (c === FRAME_SYNC0) {
        if (n - off < 2) break;
        if (b[off + 1] === FRAME_SYNC1) {
          this.flushText(b, textStart, off);
          let f: FrameAt | number;
          try {
            f = frameAt(b, off, n, this.base);
          } catch (e) {
            this.reject(e, off);
            off++;
            textStart = off;
            continue;
          }
          if (typeof f === 'number') break; // wait for the rest
          this.decodeFrame(b, f, off);
          off = f.next;
          textStart = off;
          continue;
        }
      } else if (c === 0x4b && (off === 0 || b[off - 1] === 0x0a) && n - off >= 4 && b[off + 1] === 0x54 && b[off + 2] === 0x52 && b[off + 3] === 0x3a) {
        // "KTR:" + hex + "\n"
        let nl = off + 4;
        while (nl < n && b[nl] !== 0x0a) nl++;
        if (nl >= n) break;
        this.flushText(b, textStart, off);
        this.hexLine(b, off, nl);
        off = nl + 1;
        textStart = off;
        continue;
      } else if (c === 0x4b && (off === 0 || b[off - 1] === 0x0a) && n - off < 4) break;
      off++;
    }
    // Keep an unfinished text line together with what follows.
    if (this.text !== null && textStart < off) {
      let lastNl = -1;
      for (let i = off - 1; i >= textStart; i--) if (b[i] === 0x0a) {
        lastNl = i;
        break;
      }
      if (lastNl >= 0) {
        this.flushText(b, textStart, lastNl + 1);
        off = lastNl + 1;
      } else off = textStart;
    } else if (textStart < off) this.skipped += off - textStart;
    this.buf = b.slice(off);
    this.base += off;
  }

  private flushText(b: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    if (this.text === null) {
      this.skipped += end - start;
      return;
    }
    this.skipped += end - start;
    const s = new TextDecoder().decode(b.subarray(start, end));
    for (const line of s.split('\n')) if (line.trim() !== '') this.text(line.replace(/\r$/, ''));
  }

  private hexLine(b: Uint8Array, start: number, nl: number): void {
    let end = nl;
    if (end > start + 4 && b[end - 1] === 0x0d) end--;
    const digits = end - (start + 4);
    if (digits % 2 !== 0) {
      this.badFrames++;
      this.problem({ offset: this.base + start, message: 'KTR: line with an odd number of hex digits' });
      return;
    }
    const bytes = new Uint8Array(digits / 2);
    for (let i = 0; i < bytes.length; i++) {
      const hi = hexVal(b[start + 4 + 2 * i]!);
      const lo = hexVal(b[start + 5 + 2 * i]!);
      if (hi < 0 || lo < 0) {
        this.badFrames++;
        this.problem({ offset: this.base + start + 4 + 2 * i, message: 'KTR: line with a character that is not a hex digit' });
        return;
      }
      bytes[i] = (hi << 4) | lo;
    }
    // A line holds whole frames (and may start with the file header). Offsets inside it are reported at the line's start.
    let at = 0;
    if (bytes.length >= KTR_FILE_HEADER_BYTES && bytes[0] === KTR_MAGIC0 && bytes[1] === KTR_MAGIC1 && bytes[2] === KTR_MAGIC2 && bytes[3] === KTR_MAGIC3) at = KTR_FILE_HEADER_BYTES;
    while (at < bytes.length) {
      let f: FrameAt | number;
      try {
        f = frameAt(bytes, at, bytes.length, this.base + start);
        if (typeof f === 'number') throw new TraceDecodeError(this.base + start, `KTR: line ends inside a frame that needs ${f} bytes`);
      } catch (e) {
        this.reject(e, 0);
        return;
      }
      this.decodeFrame(bytes, f, at, this.base + start);
      at = f.next;
    }
  }

  private decodeFrame(b: Uint8Array, f: FrameAt, off: number, lineBase = -1): void {
    try {
      if (f.type === FRAME_HELLO) this.dec.version = -1;
      if (lineBase >= 0) this.dec.frame(b, f, lineBase, off);
      else this.dec.frame(b, f, this.base, off);
      this.frames++;
    } catch (e) {
      this.reject(e, off);
    }
  }

  private reject(e: unknown, off: number): void {
    this.badFrames++;
    if (e instanceof TraceDecodeError) this.problem({ offset: e.offset, message: e.message.replace(/^byte \d+: /, '') });
    else this.problem({ offset: this.base + off, message: String(e) });
  }
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

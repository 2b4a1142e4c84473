/**
 * trace-frames: the frame writer that takes trace records out of the
 * in-memory ring (src/trace.ts) as compact, checksummed frames, the same on a
 * serial link and in a .ktr file. The format is docs/trace-format.md; the
 * host-side decoder is tools/trace/decode.ts.
 *
 * Why in src/: the device host (hosts/moddable) and the simulator both drain
 * the ring with it, it must be zero-allocation and preload-safe like the rest
 * of the library, and it contains no platform code: it only fills a
 * Uint8Array and offers bytes to a sink the host supplies (TraceByteSink).
 *
 * A frame (little-endian):
 *
 *   0xA5 0x4B | type u8 | length u16 | payload (length bytes) | crc16 u16
 *
 * crc16 is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over type, length
 * and payload. Types: HELLO 1, OBJECT 2 (one dictionary entry), RECORDS 3,
 * STATUS 4, END 5, NOTE 6. A file is the 8-byte file header (magic "KTR" 0x1A,
 * u16 version, u16 flags 0) followed by frames; a serial stream is frames
 * only, starting with HELLO (which carries the version again).
 *
 * One frame is built at a time in a buffer allocated at construction
 * (`maxPayload` bytes of payload). Records are added until the next one
 * might not fit (a record takes at most RECORD_MAX_BYTES); the frame is then
 * sealed and sent with pump(sink): a frame starts only when the sink has room
 * for all of it (a frame that does not fit waits; nothing is interleaved),
 * and it continues where it stopped if the sink refuses a byte. While a frame
 * waits, no new one is built: records stay in the ring (whose overflow the
 * ring counts). With `dropAfter` > 0, a frame that waited that many pump()
 * calls is dropped and counted (framesDropped, recordsDropped); the next
 * STATUS frame carries both counts, and the reader sees the gap in `seq`.
 *
 * Lifecycle:
 *
 *   new TraceFrameWriter(opts)        (boot: allocates the buffer and the CRC table)
 *        |
 *   hello() / object() x N            (boot: the dictionary; each seals a frame)
 *        v
 *   IDLE --addRecord()--> BUILDING --addRecord() false / seal()--> READY
 *    ^                                                              |
 *    +---- pump(sink) sent the last byte, or copyFrame(), or drop --+
 *   status() / end() / note(): from IDLE, seal a frame (READY)
 *
 * | method                          | context                     | allocates |
 * |---------------------------------|-----------------------------|-----------|
 * | constructor, hello, object, note | boot / tooling             | yes / no  |
 * | addRecord, seal, status, end    | idle time (never in a dispatch) | no    |
 * | pump, copyFrame                 | idle time                   | no        |
 * Errors: TraceFrameError (configuration: a bad maxPayload, a dictionary
 * entry larger than the frame buffer, a call in the wrong state).
 */
import { KeelError } from './errors.js';
import { TRACE_P0_SLOT, TRACE_RECORD_BYTES, TRACE_RECORD_WORDS } from './trace.js';

export type TraceFrameErrorCode = 'BAD_MAX_PAYLOAD' | 'BAD_DROP_AFTER' | 'FRAME_PENDING' | 'BAD_OBJECT_ID' | 'TOO_BIG_FOR_FRAME' | 'TEXT_TOO_LONG';
/** A TraceFrameWriter option out of range, an entry larger than a frame, or a call while a frame is pending. */
export class TraceFrameError extends KeelError {
  override name = 'TraceFrameError';
  declare readonly code: TraceFrameErrorCode;
}

/** File magic: "KTR" 0x1A. */
export const KTR_MAGIC0 = 0x4b;
export const KTR_MAGIC1 = 0x54;
export const KTR_MAGIC2 = 0x52;
export const KTR_MAGIC3 = 0x1a;
/** Format version written by this module (file header and HELLO). */
export const KTR_VERSION = 1;
/** Bytes of the file header: magic (4), version u16, flags u16. */
export const KTR_FILE_HEADER_BYTES = 8;

export const FRAME_SYNC0 = 0xa5;
export const FRAME_SYNC1 = 0x4b;
/** sync (2) + type (1) + length (2). */
export const FRAME_HEADER_BYTES = 5;
/** crc16. */
export const FRAME_TRAILER_BYTES = 2;
/** Largest payload any reader accepts (a writer's maxPayload is at most this). */
export const FRAME_MAX_PAYLOAD = 16384;
/** Smallest maxPayload a writer accepts (HELLO and STATUS fit). */
export const FRAME_MIN_PAYLOAD = 64;

export const FRAME_HELLO = 1;
export const FRAME_OBJECT = 2;
export const FRAME_RECORDS = 3;
export const FRAME_STATUS = 4;
export const FRAME_END = 5;
export const FRAME_NOTE = 6;

/** Record encoding byte (first byte of each record in a RECORDS payload). */
export const REC_SEQ_NEXT = 0x01; // seq omitted: previous record's seq + 1 (not on a frame's first record)
export const REC_AUX = 0x02; // aux i32 present (else 0)
/** p0 encoding: bits 2..3; p1: bits 4..5. 0 = the value 0 (absent), 1 = int32, 2 = float64. */
export const REC_P0_SHIFT = 2;
export const REC_P1_SHIFT = 4;
export const REC_P_ZERO = 0;
export const REC_P_I32 = 1;
export const REC_P_F64 = 2;
/** Bits 6..7 must be 0 in version 1. */
export const REC_RESERVED_MASK = 0xc0;
/** The most bytes one record takes: enc, seq, time, word2, word3, aux, p0, p1. */
export const RECORD_MAX_BYTES = 1 + 4 + 4 + 4 + 4 + 4 + 8 + 8;

/** Words of one in-memory record: TRACE_RECORD_WORDS (the layout lives in src/trace.ts; see docs/trace-format.md). */
export const FRAME_RECORD_WORDS = TRACE_RECORD_WORDS;
/** Float64 slots per record (p0 at slot * F64_PER_RECORD + TRACE_P0_SLOT, p1 one after). */
const F64_PER_RECORD = TRACE_RECORD_BYTES / 8;

/** Object types in OBJECT frames. */
export const OBJ_OTHER = 0;
export const OBJ_KERNEL = 1;
export const OBJ_AO = 2;
export const OBJ_HSM = 3;
export const OBJ_POOL = 4;
export const OBJ_QUEUE = 5;
export const OBJ_STREAM = 6;

/** STATUS / END payload bytes: time, ringLost, framesDropped, recordsDropped, recordsWritten (u32 each). */
export const STATUS_PAYLOAD_BYTES = 20;

/** Where frame bytes go: a UART, a file, `trace()`. Must not allocate. */
export interface TraceByteSink {
  /** Bytes the sink takes now without refusing. */
  room(): number;
  /** Offers one byte; false when refused (the writer offers it again on the next pump). */
  write(byte: number): boolean;
}

/** The parts of a machine definition the dictionary carries (HsmDefinition has them). */
export interface TraceMachineInfo {
  readonly stateNames: readonly string[];
  readonly parent: ArrayLike<number>;
  readonly signalNames: readonly string[];
  readonly initTarget?: ArrayLike<number>;
  /** Per transition (tools read them): source, target (-1 internal), signal. */
  readonly trSource?: ArrayLike<number>;
  readonly trTarget?: ArrayLike<number>;
  readonly trSignal?: ArrayLike<number>;
  transitions?(): readonly { kind: string; guarded: boolean; history: boolean }[];
}

export interface TraceFrameWriterOptions {
  /** Payload bytes per frame, FRAME_MIN_PAYLOAD..FRAME_MAX_PAYLOAD. Default 1024. */
  readonly maxPayload?: number;
  /** Drop a frame after it waited this many pump() calls; 0 (default): wait forever. */
  readonly dropAfter?: number;
}

const IDLE = 0;
const BUILDING = 1;
const READY = 2;

/** Transition kind codes in OBJECT frames (bits 0..1 of a transition's flags). */
export const TR_KIND_INTERNAL = 0;
export const TR_KIND_SELF = 1;
export const TR_KIND_LOCAL = 2;
export const TR_KIND_EXTERNAL = 3;
export const TR_FLAG_GUARDED = 4;
export const TR_FLAG_HISTORY = 8;

export class TraceFrameWriter {
  readonly maxPayload: number;
  readonly dropAfter: number;
  /** The frame being built or sent: header, payload, crc. */
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly crcTable: Uint16Array;
  private state = IDLE;
  /** Payload bytes written so far. */
  private len = 0;
  private type = 0;
  /** Sealed frame size and the next byte to send. */
  private size = 0;
  private sent = 0;
  private lastSeq = 0;
  private recordsInFrame = 0;
  private waited = 0;

  /** Frames sealed. */
  framesSealed = 0;
  /** Frames fully handed to a sink (pump or copyFrame). */
  framesSent = 0;
  /** Records sealed into RECORDS frames. */
  recordsWritten = 0;
  /** Frames dropped after waiting `dropAfter` pumps, and the records in them. */
  framesDropped = 0;
  recordsDropped = 0;
  /** pump() calls on which a sealed frame did not fit the sink's room. */
  waits = 0;

  constructor(options: TraceFrameWriterOptions = {}) {
    const max = options.maxPayload ?? 1024;
    if (!Number.isInteger(max) || max < FRAME_MIN_PAYLOAD || max > FRAME_MAX_PAYLOAD)
      throw new TraceFrameError(
        'BAD_MAX_PAYLOAD',
        DEBUG
          ? `TraceFrameWriter: maxPayload must be an integer ${FRAME_MIN_PAYLOAD}..${FRAME_MAX_PAYLOAD} bytes (got ${String(max)}); pick a size that fits the link's transmit buffer [BAD_MAX_PAYLOAD]`
          : `TraceFrameWriter [BAD_MAX_PAYLOAD]`,
      );
    const drop = options.dropAfter ?? 0;
    if (!Number.isInteger(drop) || drop < 0)
      throw new TraceFrameError(
        'BAD_DROP_AFTER',
        DEBUG
          ? `TraceFrameWriter: dropAfter must be a whole number of pump() calls >= 0 (got ${String(drop)}); 0 waits forever [BAD_DROP_AFTER]`
          : `TraceFrameWriter [BAD_DROP_AFTER]`,
      );
    this.maxPayload = max;
    this.dropAfter = drop;
    this.bytes = new Uint8Array(FRAME_HEADER_BYTES + max + FRAME_TRAILER_BYTES);
    this.view = new DataView(this.bytes.buffer);
    const table = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i << 8;
      for (let k = 0; k < 8; k++) c = (c & 0x8000) !== 0 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
      table[i] = c;
    }
    this.crcTable = table;
  }

  /** True when no frame is being built or waiting to be sent. */
  get idle(): boolean {
    return this.state === IDLE;
  }
  /** True when a sealed frame waits for pump()/copyFrame(). */
  get ready(): boolean {
    return this.state === READY;
  }
  /** Bytes of the sealed frame not yet sent (0 unless ready). */
  get pending(): number {
    return this.state === READY ? this.size - this.sent : 0;
  }
  /** Records in the frame being built or waiting. */
  get records(): number {
    return this.recordsInFrame;
  }

  /** Writes the 8-byte file header into dst at `at`; returns the bytes written. */
  static writeFileHeader(dst: Uint8Array, at: number): number {
    dst[at] = KTR_MAGIC0;
    dst[at + 1] = KTR_MAGIC1;
    dst[at + 2] = KTR_MAGIC2;
    dst[at + 3] = KTR_MAGIC3;
    dst[at + 4] = KTR_VERSION & 0xff;
    dst[at + 5] = KTR_VERSION >>> 8;
    dst[at + 6] = 0;
    dst[at + 7] = 0;
    return KTR_FILE_HEADER_BYTES;
  }

  // ---- records (idle time; no allocation) -----------------------------------

  /**
   * Adds the record in `slot` of the ring's views (Int32Array words at
   * slot * TRACE_RECORD_WORDS; p0, p1 at Float64Array indexes slot * 5 + TRACE_P0_SLOT, + 1)
   * to the RECORDS frame being built (starting one when idle). Returns false,
   * taking nothing, when a frame is waiting to be sent, or when the frame is
   * full (it is then sealed: pump it, then add again).
   */
  addRecord(i32: Int32Array, f64: Float64Array, slot: number): boolean {
    if (this.state === READY) return false;
    if (this.state === IDLE) this.begin(FRAME_RECORDS);
    else if (this.type !== FRAME_RECORDS) return false;
    if (this.len + RECORD_MAX_BYTES > this.maxPayload) {
      this.seal();
      return false;
    }
    const w = slot * FRAME_RECORD_WORDS;
    const seq = i32[w]! >>> 0;
    const aux = i32[w + 4]! | 0;
    const p0 = f64[slot * F64_PER_RECORD + TRACE_P0_SLOT]!;
    const p1 = f64[slot * F64_PER_RECORD + TRACE_P0_SLOT + 1]!;
    const v = this.view;
    let at = FRAME_HEADER_BYTES + this.len;
    const encAt = at;
    at++;
    let enc = 0;
    if (this.recordsInFrame > 0 && seq === ((this.lastSeq + 1) >>> 0)) enc |= REC_SEQ_NEXT;
    else {
      v.setUint32(at, seq, true);
      at += 4;
    }
    v.setUint32(at, i32[w + 1]! >>> 0, true);
    v.setUint32(at + 4, i32[w + 2]! >>> 0, true);
    v.setUint32(at + 8, i32[w + 3]! >>> 0, true);
    at += 12;
    if (aux !== 0) {
      enc |= REC_AUX;
      v.setInt32(at, aux, true);
      at += 4;
    }
    at = this.param(p0, at);
    enc |= this.lastEnc << REC_P0_SHIFT;
    at = this.param(p1, at);
    enc |= this.lastEnc << REC_P1_SHIFT;
    this.bytes[encAt] = enc;
    this.len = at - FRAME_HEADER_BYTES;
    this.lastSeq = seq;
    this.recordsInFrame++;
    return true;
  }

  private lastEnc = 0;
  private param(p: number, at: number): number {
    if (p === 0 && 1 / p > 0) {
      this.lastEnc = REC_P_ZERO;
      return at;
    }
    if (p === (p | 0) && p !== 0) {
      this.lastEnc = REC_P_I32;
      this.view.setInt32(at, p, true);
      return at + 4;
    }
    this.lastEnc = REC_P_F64;
    this.view.setFloat64(at, p, true);
    return at + 8;
  }

  /** Seals the frame being built (no-op unless building). Returns the frame size, 0 if nothing was sealed. */
  seal(): number {
    if (this.state !== BUILDING) return 0;
    const len = this.len;
    const b = this.bytes;
    b[0] = FRAME_SYNC0;
    b[1] = FRAME_SYNC1;
    b[2] = this.type;
    b[3] = len & 0xff;
    b[4] = len >>> 8;
    const end = FRAME_HEADER_BYTES + len;
    const crc = this.crc(b, 2, end);
    b[end] = crc & 0xff;
    b[end + 1] = crc >>> 8;
    this.size = end + FRAME_TRAILER_BYTES;
    this.sent = 0;
    this.waited = 0;
    this.state = READY;
    this.framesSealed++;
    if (this.type === FRAME_RECORDS) this.recordsWritten += this.recordsInFrame;
    return this.size;
  }

  /** CRC-16/CCITT-FALSE of bytes[start..end). */
  crc(bytes: Uint8Array, start: number, end: number): number {
    const t = this.crcTable;
    let c = 0xffff;
    for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ t[((c >>> 8) ^ bytes[i]!) & 0xff]!;
    return c;
  }

  // ---- sending ---------------------------------------------------------------

  /**
   * Sends the sealed frame to `sink`. A frame starts only when sink.room()
   * covers all of it (else it waits: `waits` counted, and with dropAfter it
   * is dropped after that many waits); once started, bytes go while the sink
   * takes them. Returns the bytes sent by this call. Seals a frame being built.
   */
  pump(sink: TraceByteSink): number {
    if (this.state === BUILDING) this.seal();
    if (this.state !== READY) return 0;
    if (this.sent === 0 && sink.room() < this.size) {
      this.waits++;
      this.waited++;
      if (this.dropAfter > 0 && this.waited >= this.dropAfter) {
        this.framesDropped++;
        if (this.type === FRAME_RECORDS) {
          this.recordsDropped += this.recordsInFrame;
          this.recordsWritten -= this.recordsInFrame;
        }
        this.reset();
      }
      return 0;
    }
    const b = this.bytes;
    const size = this.size;
    let n = 0;
    while (this.sent < size) {
      if (!sink.write(b[this.sent]!)) break;
      this.sent++;
      n++;
    }
    if (this.sent >= size) {
      this.framesSent++;
      this.reset();
    }
    return n;
  }

  /** Copies the sealed frame (its unsent part) into dst at `at` and marks it sent; returns the bytes copied (0 if none, or if dst is too small). */
  copyFrame(dst: Uint8Array, at: number): number {
    if (this.state === BUILDING) this.seal();
    if (this.state !== READY) return 0;
    const n = this.size - this.sent;
    if (at + n > dst.length) return 0;
    const b = this.bytes;
    for (let i = 0; i < n; i++) dst[at + i] = b[this.sent + i]!;
    this.framesSent++;
    this.reset();
    return n;
  }

  private begin(type: number): void {
    this.state = BUILDING;
    this.type = type;
    this.len = 0;
    this.recordsInFrame = 0;
  }

  private reset(): void {
    this.state = IDLE;
    this.len = 0;
    this.size = 0;
    this.sent = 0;
    this.waited = 0;
    this.recordsInFrame = 0;
  }

  private need(what: string): void {
    if (this.state !== IDLE)
      throw new TraceFrameError(
        'FRAME_PENDING',
        DEBUG
          ? `TraceFrameWriter.${what}: a frame is still being built or waiting to be sent; pump() or copyFrame() it first [FRAME_PENDING]`
          : `TraceFrameWriter [FRAME_PENDING]`,
      );
  }

  // ---- status (idle time; no allocation) -------------------------------------

  /**
   * Seals a STATUS frame: time (u32), records the ring lost (overwritten or
   * refused), this writer's framesDropped and recordsDropped, and records
   * written. Returns false (nothing sealed) unless idle.
   */
  status(time: number, ringLost: number): boolean {
    return this.counters(FRAME_STATUS, time, ringLost);
  }
  /** The same as status() as the END frame: the last frame of a complete file. */
  end(time: number, ringLost: number): boolean {
    return this.counters(FRAME_END, time, ringLost);
  }
  private counters(type: number, time: number, ringLost: number): boolean {
    if (this.state !== IDLE) return false;
    this.begin(type);
    const v = this.view;
    const at = FRAME_HEADER_BYTES;
    v.setUint32(at, time >>> 0, true);
    v.setUint32(at + 4, ringLost >>> 0, true);
    v.setUint32(at + 8, this.framesDropped >>> 0, true);
    v.setUint32(at + 12, this.recordsDropped >>> 0, true);
    v.setUint32(at + 16, this.recordsWritten >>> 0, true);
    this.len = STATUS_PAYLOAD_BYTES;
    this.seal();
    return true;
  }

  // ---- dictionary and notes (boot / tooling) ---------------------------------

  /** Seals the HELLO frame: version, clock ticks per second (1000: ms), and the host's name. */
  hello(hostName: string, ticksPerSecond = 1000): void {
    this.need('hello');
    this.begin(FRAME_HELLO);
    const v = this.view;
    let at = FRAME_HEADER_BYTES;
    v.setUint16(at, KTR_VERSION, true);
    v.setUint16(at + 2, FRAME_RECORD_WORDS, true);
    v.setUint32(at + 4, ticksPerSecond >>> 0, true);
    at = this.str(at + 8, hostName, 'hello', 'host name');
    this.len = at - FRAME_HEADER_BYTES;
    this.seal();
  }

  /**
   * Seals one OBJECT frame (a dictionary entry): id 1..65534, type (OBJ_*),
   * name, capacity (queue/pool size; 0 if none), owner (the id of the
   * object it belongs to: a machine's AO, an AO's kernel; 0 none), and for machines the states (name,
   * parent, initial target), signal names and transitions. Boot time.
   */
  object(id: number, type: number, name: string, capacity = 0, owner = 0, machine: TraceMachineInfo | null = null): void {
    this.need('object');
    if (!Number.isInteger(id) || id < 1 || id > 65534) throw new TraceFrameError(
      'BAD_OBJECT_ID',
      DEBUG
        ? `TraceFrameWriter.object: id of '${name}' must be 1..65534 (got ${String(id)}) [BAD_OBJECT_ID]`
        : `TraceFrameWriter [BAD_OBJECT_ID]`,
    );
    this.begin(FRAME_OBJECT);
    const v = this.view;
    let at = FRAME_HEADER_BYTES;
    const what = `object '${name}'`;
    this.room(at, 10, what);
    v.setUint16(at, id, true);
    this.bytes[at + 2] = type & 0xff;
    this.bytes[at + 3] = 0;
    v.setUint32(at + 4, capacity >>> 0, true);
    v.setUint16(at + 8, owner & 0xffff, true);
    at = this.str(at + 10, name, 'object', what);
    if (machine === null) {
      this.room(at, 6, what);
      v.setUint16(at, 0, true);
      v.setUint16(at + 2, 0, true);
      v.setUint16(at + 4, 0, true);
      at += 6;
    } else {
      const n = machine.stateNames.length;
      this.room(at, 2, what);
      v.setUint16(at, n, true);
      at += 2;
      for (let s = 0; s < n; s++) {
        this.room(at, 4, what);
        v.setInt16(at, machine.parent[s] ?? -1, true);
        v.setInt16(at + 2, machine.initTarget === undefined ? -1 : (machine.initTarget[s] ?? -1), true);
        at = this.str(at + 4, machine.stateNames[s] ?? '', 'object', what);
      }
      const ns = machine.signalNames.length;
      this.room(at, 2, what);
      v.setUint16(at, ns, true);
      at += 2;
      for (let g = 0; g < ns; g++) at = this.str(at, machine.signalNames[g] ?? '', 'object', what);
      const src = machine.trSource;
      const dst = machine.trTarget;
      const sig = machine.trSignal;
      const info = machine.transitions === undefined ? null : machine.transitions();
      const nt = src === undefined || dst === undefined || sig === undefined ? 0 : src.length;
      this.room(at, 2, what);
      v.setUint16(at, nt, true);
      at += 2;
      for (let t = 0; t < nt; t++) {
        this.room(at, 7, what);
        v.setInt16(at, src![t]!, true);
        v.setInt16(at + 2, dst![t]!, true);
        v.setUint16(at + 4, sig![t]!, true);
        let flags = dst![t]! < 0 ? TR_KIND_INTERNAL : dst![t] === src![t] ? TR_KIND_SELF : TR_KIND_EXTERNAL;
        const it = info === null ? undefined : info[t];
        if (it !== undefined) {
          if (it.kind === 'local') flags = TR_KIND_LOCAL;
          if (it.guarded) flags |= TR_FLAG_GUARDED;
          if (it.history) flags |= TR_FLAG_HISTORY;
        }
        this.bytes[at + 6] = flags;
        at += 7;
      }
    }
    this.len = at - FRAME_HEADER_BYTES;
    this.seal();
  }

  /** Seals a NOTE frame: u8 kind (1: a line of the host's final report) and UTF-8 text. Tooling. */
  note(kind: number, text: string): void {
    this.need('note');
    this.begin(FRAME_NOTE);
    this.room(FRAME_HEADER_BYTES, 1, 'note');
    this.bytes[FRAME_HEADER_BYTES] = kind & 0xff;
    const at = this.str(FRAME_HEADER_BYTES + 1, text, 'note', 'note');
    this.len = at - FRAME_HEADER_BYTES;
    this.seal();
  }

  private room(at: number, n: number, what: string): void {
    if (at + n > FRAME_HEADER_BYTES + this.maxPayload) {
      this.reset();
      throw new TraceFrameError(
        'TOO_BIG_FOR_FRAME',
        DEBUG
          ? `TraceFrameWriter: ${what} does not fit one frame of ${this.maxPayload} payload bytes; construct the writer with a larger maxPayload (up to ${FRAME_MAX_PAYLOAD}) [TOO_BIG_FOR_FRAME]`
          : `TraceFrameWriter [TOO_BIG_FOR_FRAME]`,
      );
    }
  }

  /** u16 byte length + UTF-8 (names; boot/tooling). Returns the offset after it. */
  private str(at: number, s: string, method: string, what: string): number {
    const lenAt = at;
    this.room(at, 2, what);
    at += 2;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      const b = this.bytes;
      if (c < 0x80) {
        this.room(at, 1, what);
        b[at++] = c;
      } else if (c < 0x800) {
        this.room(at, 2, what);
        b[at++] = 0xc0 | (c >> 6);
        b[at++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        this.room(at, 3, what);
        b[at++] = 0xe0 | (c >> 12);
        b[at++] = 0x80 | ((c >> 6) & 63);
        b[at++] = 0x80 | (c & 63);
      } else {
        this.room(at, 4, what);
        b[at++] = 0xf0 | (c >> 18);
        b[at++] = 0x80 | ((c >> 12) & 63);
        b[at++] = 0x80 | ((c >> 6) & 63);
        b[at++] = 0x80 | (c & 63);
      }
    }
    const n = at - lenAt - 2;
    if (n > 0xffff) throw new TraceFrameError(
      'TEXT_TOO_LONG',
      DEBUG
        ? `TraceFrameWriter.${method}: ${what} is ${n} bytes; names and notes are at most 65535 [TEXT_TOO_LONG]`
        : `TraceFrameWriter [TEXT_TOO_LONG]`,
    );
    this.view.setUint16(lenAt, n, true);
    return at;
  }
}

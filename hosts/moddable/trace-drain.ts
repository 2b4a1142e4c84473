/**
 * hosts/moddable/trace-drain: takes the Keel trace ring (src/trace.ts) off a
 * Moddable device in idle time, as the frames of docs/trace-format.md
 * (src/trace-frames.ts), over one of two transports:
 *
 *   text    `trace()`: one line `KTR:<hex of one frame>` per frame. Where
 *           trace() goes: mcsim's stdout, xsbug's console, a board's serial
 *           console. Read with `keel trace --follow -` (or --lines FILE).
 *   binary  raw frames on a UART (keel/host/serial), flow-controlled by the
 *           port's onWritable room. Read with `keel trace --follow /dev/ttyUSB0`.
 *
 * Draining never blocks a dispatch: the drain is a Tickable the TickDriver
 * calls after the kernel's tick + run (the queues are empty), and one call
 * handles at most `recordsPerTick` records. A frame starts only when the
 * sink has room for all of it; a frame that does not fit waits for a later
 * tick (records stay in the ring, whose overflow the ring counts:
 * `trace.lost`); with `dropAfter` > 0 a frame that waited that many ticks is
 * dropped and counted (TraceFrameWriter.framesDropped / recordsDropped).
 * Every `statusEveryMs` a STATUS frame carries both counts to the reader.
 *
 * Boot: begin() encodes HELLO and the dictionary (one OBJECT frame per
 * registered object) into a buffer made once; tick() sends it first, frame
 * by frame (a dictionary frame may go in parts as room allows: nothing else
 * is sent until it is out, and it may be larger than a UART FIFO), then
 * records. `resendDictionary()` sends it again (a reader that attached
 * late), after the frame the writer holds, if any, is out whole: frames
 * never interleave on the sink, even one half sent when a write was refused.
 *
 * Allocation: the constructor and begin() allocate (boot). tick(), the
 * record path, STATUS frames and both sinks' write/endFrame allocate nothing:
 * numbers, typed arrays, and for the text sink one native trace() call per
 * byte with a string from a frozen table of 256 two-digit strings made when
 * the module loads (preloaded into flash). Proven on the real engine by
 * check:moddable's trace runs (probe windows with tracing on: 0 slots, 0
 * chunk bytes) and on the XS engine host (test/trace/trace-drain.test.ts).
 *
 * Contexts: begin() at boot (main VM); tick() from the TickDriver's timer
 * callback, after the kernel (never inside a dispatch); the serial sink's
 * onTxReady/onRxByte from the port's callbacks (they only count).
 *
 * Lifecycle:
 *
 *   new TraceDrain(trace, sink, opts) --begin(machines)--> DICTIONARY
 *   DICTIONARY --tick(): dictionary frames sent, as room allows--> RECORDS
 *   RECORDS --tick(): take <= recordsPerTick records -> frames -> pump(sink)
 *              (a frame waits for room; dropAfter ticks: dropped, counted)
 *   RECORDS --every statusEveryMs--> STATUS frame
 *   RECORDS --resendDictionary()--> DICTIONARY
 */
import Time from 'time';
import { Trace } from 'keel/trace';
import {
  FRAME_HEADER_BYTES,
  FRAME_TRAILER_BYTES,
  OBJ_AO,
  OBJ_HSM,
  OBJ_KERNEL,
  OBJ_OTHER,
  OBJ_POOL,
  OBJ_QUEUE,
  OBJ_STREAM,
  TraceFrameWriter,
  type TraceByteSink,
  type TraceMachineInfo,
} from 'keel/trace-frames';
import type { Tickable } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

/** A frame sink that also hears where a frame ends (the text transport ends its line). */
export interface TraceFrameSink extends TraceByteSink {
  /** After the last byte of a frame. */
  endFrame(): void;
}

/** The text transport's line prefix (tools/trace/decode.ts TraceStream reads it). */
export const TRACE_LINE_PREFIX = 'KTR:';

/**
 * The one other string the text sink prints, made once when the module loads
 * (a string literal evaluated on the hot path allocates a chunk on XS each
 * time it is passed to trace()).
 */
const NEWLINE = '\n';

const HEX: readonly string[] = (function hexTable(): readonly string[] {
  const t: string[] = [];
  const d = '0123456789abcdef';
  for (let i = 0; i < 256; i++) t.push(d[i >> 4] + d[i & 15]);
  return Object.freeze(t);
})();

/**
 * The text transport: `trace()` lines `KTR:<hex>`, one per frame. Never
 * refuses (trace() takes everything), so a frame goes out in one tick.
 */
export class TraceTextSink implements TraceFrameSink {
  /** Frame lines and frame bytes written. */
  lines = 0;
  bytes = 0;
  private open = false;
  room(): number {
    return 0x7fffffff;
  }
  write(byte: number): boolean {
    if (!this.open) {
      trace(TRACE_LINE_PREFIX);
      this.open = true;
    }
    trace(HEX[byte & 255]);
    this.bytes++;
    return true;
  }
  endFrame(): void {
    if (!this.open) return;
    trace(NEWLINE);
    this.open = false;
    this.lines++;
  }
}

/** What the binary transport needs of a serial port (keel/host/serial's SerialPort). */
export interface TraceSerialPort {
  readonly room: number;
  write(byte: number): boolean;
}

/**
 * The binary transport over a serial port: room is the port's onWritable
 * room; bytes it refuses are offered again on a later tick. Also the port's
 * ByteSink: received bytes are counted and refused (the trace link is
 * transmit-only).
 */
export class TraceSerialSink implements TraceFrameSink {
  /** Bytes received on the trace port (ignored) and onWritable calls seen. */
  received = 0;
  txReady = 0;
  constructor(private readonly port: TraceSerialPort) {}
  room(): number {
    return this.port.room;
  }
  write(byte: number): boolean {
    return this.port.write(byte);
  }
  endFrame(): void {}
  onRxByte(_byte: number): boolean {
    this.received++;
    return false;
  }
  onTxReady(): void {
    this.txReady++;
  }
}

export interface TraceDrainOptions {
  /** Name in error messages. Default 'trace-drain'. */
  readonly name?: string;
  /** Host name in the HELLO frame. Default 'moddable'. */
  readonly host?: string;
  /** Frame payload bytes (TraceFrameWriter maxPayload): at most the sink's room (a UART FIFO minus 7). Default 1024. */
  readonly maxPayload?: number;
  /** Most records one tick() takes from the ring (bounds the idle turn). Default 64. */
  readonly recordsPerTick?: number;
  /** Drop a frame that waited this many ticks for room (counted); 0 (default): wait. */
  readonly dropAfter?: number;
  /** Period of STATUS frames (ring lost, frames dropped), ms; 0: none. Default 1000. */
  readonly statusEveryMs?: number;
  /** Bytes for HELLO and the dictionary frames (boot). Default 4096. */
  readonly dictionaryBytes?: number;
}

/** Records taken from the ring at a time (the staging buffer). */
const STAGE_RECORDS = 16;

const TYPE_CODES: Readonly<Record<string, number>> = Object.freeze({ kernel: OBJ_KERNEL, ao: OBJ_AO, hsm: OBJ_HSM, pool: OBJ_POOL, queue: OBJ_QUEUE, stream: OBJ_STREAM });

export class TraceDrain implements Tickable {
  readonly name: string;
  readonly writer: TraceFrameWriter;
  readonly recordsPerTick: number;
  readonly statusEveryMs: number;
  /** Records taken from the ring into frames. */
  records = 0;
  /** tick() calls, and those that found a frame waiting for room. */
  ticks = 0;
  waits = 0;
  /** STATUS frames sealed. */
  statuses = 0;
  /** Dictionary frames sent (HELLO included). */
  dictionaryFrames = 0;
  private readonly host: string;
  private readonly dict: Uint8Array;
  private dictLen = 0;
  /** Next dictionary byte to send; dictLen: all sent. */
  private dictAt = 0;
  /** Bytes of the current dictionary frame sent (0: not started). */
  private dictSent = 0;
  private readonly stageWords: Int32Array;
  private readonly stageParams: Float64Array;
  private stageAt = 0;
  private stageLen = 0;
  private lastStatus = 0;
  private begun = false;

  constructor(
    readonly trace: Trace,
    readonly sink: TraceFrameSink,
    options: TraceDrainOptions = {},
  ) {
    this.name = options.name ?? 'trace-drain';
    const who = `TraceDrain '${this.name}'`;
    const rpt = options.recordsPerTick ?? 64;
    if (!Number.isInteger(rpt) || rpt < 1 || rpt > 4096) throw new DeviceHostError('BAD_RECORDS_PER_TICK', `${who}: recordsPerTick must be an integer 1..4096 (got ${String(rpt)}) [BAD_RECORDS_PER_TICK]`);
    const every = options.statusEveryMs ?? 1000;
    if (!Number.isInteger(every) || every < 0) throw new DeviceHostError('BAD_STATUS_EVERY', `${who}: statusEveryMs must be an integer >= 0 ms (got ${String(every)}); 0 sends no STATUS frames [BAD_STATUS_EVERY]`);
    const dictBytes = options.dictionaryBytes ?? 4096;
    if (!Number.isInteger(dictBytes) || dictBytes < 256) throw new DeviceHostError('BAD_DICTIONARY_BYTES', `${who}: dictionaryBytes must be an integer >= 256 (got ${String(dictBytes)}) [BAD_DICTIONARY_BYTES]`);
    this.recordsPerTick = rpt;
    this.statusEveryMs = every;
    this.host = options.host ?? 'moddable';
    this.writer = new TraceFrameWriter({ maxPayload: options.maxPayload ?? 1024, dropAfter: options.dropAfter ?? 0 });
    this.dict = new Uint8Array(dictBytes);
    const stage = new ArrayBuffer(STAGE_RECORDS * 40);
    this.stageWords = new Int32Array(stage);
    this.stageParams = new Float64Array(stage);
  }

  /**
   * Boot: HELLO and one OBJECT frame per registered object into the
   * dictionary buffer (sent by the next ticks). `machines`: the definitions
   * of the traced machines (their states' parents, initial targets and
   * transitions go into the dictionary; an hsm without one gets its names
   * only; the registry's definition wins when it has one). `capacityOf`: the
   * capacity written for an object, by default the registry's. Allocates.
   */
  begin(machines: readonly TraceMachineInfo[] = [], capacityOf: ((id: number) => number) | null = null): void {
    if (this.begun) throw new DeviceHostError('STARTED_TWICE', `TraceDrain '${this.name}': begin() called twice [STARTED_TWICE]`);
    this.begun = true;
    // The dictionary's own writer (boot only): an OBJECT frame of a machine is larger than a record frame may be.
    const w = new TraceFrameWriter({ maxPayload: this.dict.length - FRAME_HEADER_BYTES - FRAME_TRAILER_BYTES < 16384 ? this.dict.length - FRAME_HEADER_BYTES - FRAME_TRAILER_BYTES : 16384 });
    w.hello(this.host, 1000);
    this.keep(w);
    const n = this.trace.objectCount;
    for (let id = 1; id <= n; id++) {
      const o = this.trace.object(id);
      let info: TraceMachineInfo | null = null;
      if (o.stateNames.length > 0) {
        // The registry holds the machine's definition (register()); `machines` serves a trace registered without one.
        info = o.definition;
        if (info === null) for (let i = 0; i < machines.length; i++) if (machines[i].stateNames === o.stateNames) info = machines[i];
        if (info === null) info = { stateNames: o.stateNames, signalNames: o.signalNames, parent: [] };
      }
      w.object(id, TYPE_CODES[o.type] ?? OBJ_OTHER, o.name, capacityOf === null ? o.capacity : capacityOf(id), o.owner, info);
      this.keep(w);
    }
    this.dictAt = 0;
    this.dictSent = 0;
    this.lastStatus = Time.ticks;
  }

  private keep(w: TraceFrameWriter): void {
    const n = w.copyFrame(this.dict, this.dictLen);
    if (n === 0) {
      throw new DeviceHostError('DICTIONARY_TOO_SMALL', `TraceDrain '${this.name}': the dictionary (HELLO and ${this.trace.objectCount} objects) does not fit ${this.dict.length} bytes; raise dictionaryBytes [DICTIONARY_TOO_SMALL]`);
    }
    this.dictLen += n;
  }

  /**
   * Sends HELLO and the dictionary again before the next records (a reader
   * attached late). A frame already sealed (perhaps half sent) goes out
   * first, whole: frames never interleave on the sink.
   */
  resendDictionary(): void {
    if (this.dictAt < this.dictLen) return;
    this.dictAt = 0;
    this.dictSent = 0;
  }

  /** True while dictionary frames are still to be sent. */
  get sendingDictionary(): boolean {
    return this.dictAt < this.dictLen;
  }

  /** Idle time: dictionary, then records and STATUS frames, as the sink's room allows. Allocates nothing. */
  tick(nowMs: number): void {
    this.ticks++;
    if (!this.begun) return;
    const w = this.writer;
    const t = this.trace;
    if (this.dictAt < this.dictLen) {
      // A frame waiting in the writer (resendDictionary() came after it was sealed) leaves first: it
      // may be half sent (a write refused mid-frame), and dictionary bytes must not land inside it.
      if (w.ready && !this.pump()) return;
      if (!this.sendDictionary()) return;
    }
    if (w.ready && !this.pump()) return;
    let budget = this.recordsPerTick;
    while (budget > 0) {
      if (this.stageAt === this.stageLen) {
        // Up to STAGE_RECORDS at a time; what the budget leaves staged goes out on the next tick.
        this.stageLen = t.take(this.stageWords);
        this.stageAt = 0;
        if (this.stageLen === 0) break;
      }
      if (w.addRecord(this.stageWords, this.stageParams, this.stageAt)) {
        this.stageAt++;
        this.records++;
        budget--;
        continue;
      }
      // The frame is full (sealed): send it, then add again.
      if (!this.pump()) return;
    }
    if (!w.idle && !this.pump()) return;
    if (this.statusEveryMs > 0 && ((nowMs - this.lastStatus) | 0) >= this.statusEveryMs) {
      this.lastStatus = nowMs;
      if (w.status(nowMs, t.lost)) {
        this.statuses++;
        this.pump();
      }
    }
  }

  /** Pumps the writer's frame; true when it left (sent whole, or dropped), false when it waits. */
  private pump(): boolean {
    const w = this.writer;
    const sent = w.framesSent;
    w.pump(this.sink);
    if (w.framesSent !== sent) {
      this.sink.endFrame();
      return true;
    }
    if (w.ready) {
      this.waits++;
      return false;
    }
    return true; // dropped after dropAfter waits (counted by the writer)
  }

  /** Sends dictionary frames from the boot buffer; true when all are out. */
  private sendDictionary(): boolean {
    const d = this.dict;
    const sink = this.sink;
    while (this.dictAt < this.dictLen) {
      const at = this.dictAt;
      const size = FRAME_HEADER_BYTES + (d[at + 3] | (d[at + 4] << 8)) + FRAME_TRAILER_BYTES;
      // Nothing else is sent before the dictionary is out, so a dictionary frame may go in parts (it may be larger than a UART FIFO).
      while (this.dictSent < size) {
        if (!sink.write(d[at + this.dictSent])) {
          this.waits++;
          return false;
        }
        this.dictSent++;
      }
      sink.endFrame();
      this.dictionaryFrames++;
      this.dictAt = at + size;
      this.dictSent = 0;
    }
    return true;
  }
}

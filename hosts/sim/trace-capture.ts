/**
 * sim/trace-capture: drains a Keel trace ring (src/trace.ts) into .ktr bytes
 * (src/trace-frames.ts; docs/trace-format.md) between simulator steps: what
 * `npm start -- --trace FILE` and `--report FILE` write. Engine-neutral (no
 * Node built-ins): the bytes go to an `emit` callback (a file on Node; a
 * `KTR:<hex>` line per frame on the XS engine host, see toHexLine).
 *
 *   new TraceCapture(trace, emit, opts)
 *   begin(definitions, capacityOf)   file header, HELLO, one OBJECT frame per registered object
 *   drain()                          between steps: every record held -> RECORDS frames -> emit
 *   finish(now, notes)               last drain, NOTE frames (the final report), END
 *
 * Tooling: begin() and finish() allocate; drain() allocates only the chunk
 * it hands to `emit` (one per drain that produced bytes). It runs between
 * simulator steps, outside the firmware step the allocation probe measures.
 */
import type { HsmDefinition } from '../../src/hsm.js';
import { Trace, type TraceObject } from '../../src/trace.js';
import {
  OBJ_AO,
  OBJ_HSM,
  OBJ_KERNEL,
  OBJ_OTHER,
  OBJ_POOL,
  OBJ_QUEUE,
  OBJ_STREAM,
  TraceFrameWriter,
  type TraceMachineInfo,
} from '../../src/trace-frames.js';

const TYPE_CODES: Record<string, number> = { kernel: OBJ_KERNEL, ao: OBJ_AO, hsm: OBJ_HSM, pool: OBJ_POOL, queue: OBJ_QUEUE, stream: OBJ_STREAM };

/** NOTE kind of a line of the host's final report. */
export const NOTE_REPORT = 1;

export interface TraceCaptureOptions {
  /** Host name written in HELLO. Default 'sim'. */
  host?: string;
  /** Frame payload bytes. Default 1024. */
  maxPayload?: number;
  /** Write the 8-byte file header first (a .ktr file). Default true. */
  fileHeader?: boolean;
}

export class TraceCapture {
  readonly writer: TraceFrameWriter;
  private readonly words: Int32Array;
  private readonly params: Float64Array;
  private out: Uint8Array;
  private outLen = 0;
  /** Bytes emitted. */
  bytes = 0;

  constructor(
    readonly trace: Trace,
    private readonly emit: (chunk: Uint8Array) => void,
    private readonly options: TraceCaptureOptions = {},
  ) {
    this.writer = new TraceFrameWriter({ maxPayload: options.maxPayload ?? 1024 });
    // Records are taken 64 at a time; the float64 view needs an 8-byte aligned buffer (it is: offset 0).
    const buf = new ArrayBuffer(64 * 40);
    this.words = new Int32Array(buf);
    this.params = new Float64Array(buf);
    this.out = new Uint8Array(64 * 1024);
  }

  /** The file header (unless fileHeader: false), HELLO and the dictionary. */
  begin(definitions: readonly HsmDefinition<any>[] = [], capacityOf: (o: TraceObject) => number = () => 0): void {
    if (this.options.fileHeader !== false) {
      this.reserve(8);
      this.outLen += TraceFrameWriter.writeFileHeader(this.out, this.outLen);
    }
    const w = this.writer;
    w.hello(this.options.host ?? 'sim', 1000);
    this.flushFrame();
    for (const o of this.trace.dictionary()) {
      let machine: TraceMachineInfo | null = null;
      if (o.stateNames.length > 0) {
        const def = o.definition ?? definitions.find((d) => d.stateNames === o.stateNames);
        machine = def !== undefined ? def : { stateNames: o.stateNames, signalNames: o.signalNames, parent: [] };
      }
      w.object(o.id, TYPE_CODES[o.type] ?? OBJ_OTHER, o.name, capacityOf(o) || o.capacity, o.owner, machine);
      this.flushFrame();
    }
    this.flush();
  }

  /** Takes every record held into frames and emits them; returns the records taken. */
  drain(): number {
    const t = this.trace;
    const w = this.writer;
    let total = 0;
    for (;;) {
      const n = t.take(this.words);
      if (n === 0) break;
      total += n;
      for (let k = 0; k < n; k++) {
        if (!w.addRecord(this.words, this.params, k)) {
          this.flushFrame();
          w.addRecord(this.words, this.params, k);
        }
      }
    }
    if (!w.idle) this.flushFrame();
    this.flush();
    return total;
  }

  /** Emits a STATUS frame (time in ms; the ring's losses and the writer's drops). */
  status(nowMs: number): void {
    this.drain();
    this.writer.status(nowMs, this.trace.lost);
    this.flushFrame();
    this.flush();
  }

  /** The last drain, the notes (the host's final report lines) and END. */
  finish(nowMs: number, notes: readonly string[] = []): void {
    this.drain();
    for (const line of notes) {
      this.writer.note(NOTE_REPORT, line);
      this.flushFrame();
    }
    this.writer.end(nowMs, this.trace.lost);
    this.flushFrame();
    this.flush();
  }

  private reserve(n: number): void {
    if (this.outLen + n <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.outLen + n));
    bigger.set(this.out.subarray(0, this.outLen));
    this.out = bigger;
  }

  private flushFrame(): void {
    const w = this.writer;
    this.reserve(w.pending + w.maxPayload + 16);
    this.outLen += w.copyFrame(this.out, this.outLen);
  }

  private flush(): void {
    if (this.outLen === 0) return;
    const chunk = this.out.slice(0, this.outLen);
    this.bytes += this.outLen;
    this.outLen = 0;
    this.emit(chunk);
  }
}

/** A frame or chunk as a `KTR:<hex>` text line (the text transport: XS print(), mcsim's stdout). */
export function toHexLine(chunk: Uint8Array): string {
  let s = 'KTR:';
  for (let i = 0; i < chunk.length; i++) s += (chunk[i]! < 16 ? '0' : '') + chunk[i]!.toString(16);
  return s;
}

/**
 * tools/trace/lines: decodes a captured console log (mcsim's stdout, a
 * serial console saved to a file, xsbug's log) whose trace frames came as
 * `KTR:<hex>` lines (hosts/moddable/trace-drain.ts, text transport) or as raw
 * frames among other output. Unlike decodeTrace (a strict .ktr file), it
 * skips console text, needs no file header and no END frame (a device never
 * ends its trace), and reports a bad frame with its byte offset instead of
 * stopping. `keel trace --lines FILE` uses it. Host tooling: allocates freely.
 *
 *   bytes --decodeCapture()--> { trace: DecodedTrace, problems, text lines, frames }
 */
import { collector, TraceStream, type DecodedTrace, type TraceStreamProblem } from './decode.js';

export interface DecodedCapture {
  /** What the frames said (version 0 and host '' when no HELLO came). */
  trace: DecodedTrace;
  /** Frames rejected, with their byte offsets. */
  problems: TraceStreamProblem[];
  /** The console lines between frames. */
  text: string[];
  /** Frames decoded. */
  frames: number;
}

/** Decodes every frame of a captured log; never throws for bad input (problems lists it). */
export function decodeCapture(bytes: Uint8Array): DecodedCapture {
  const { sink, out: trace } = collector(bytes.length);
  const problems: TraceStreamProblem[] = [];
  const text: string[] = [];
  const stream = new TraceStream(
    sink,
    (p) => problems.push(p),
    (line) => text.push(line),
  );
  stream.push(bytes);
  // A last line without its newline (the capture was cut): complete it so it is read.
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) stream.push(new Uint8Array([0x0a]));
  trace.seqGaps = stream.seqGaps;
  trace.recordsRead = stream.recordsRead;
  return { trace, problems, text, frames: stream.frames };
}

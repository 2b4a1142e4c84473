/**
 * cli/trace: `keel trace FILE` decodes a Keel trace (.ktr, docs/trace-format.md)
 * into readable lines with object, state and signal names from the trace's
 * dictionary; `--json` one JSON document, `--mermaid` a sequence diagram
 * (one lane per active object), `--follow` live records from a growing file,
 * a serial port (a device path: configure it first, e.g.
 * `stty -F /dev/ttyUSB0 115200 raw`) or stdin (`-`; e.g. mcsim's output
 * piped in, whose `KTR:<hex>` lines carry the frames). Host tooling (Node).
 *
 * Exit codes: 0 decoded; 1 the input is not a valid trace (the message names
 * the byte offset: truncated, corrupted, another version); 2 a mistake on
 * the command line (CliUsageError, printed by cli/keel.ts).
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError } from './usage.js';
import { decodeTrace, TraceDecodeError, TraceStream, type TraceObject, type TraceRecord } from '../tools/trace/decode.js';
import { formatJson, formatLine, formatMermaid, formatText, headerLine, recordJson, TraceNames } from '../tools/trace/format.js';

export const USAGE = `usage: keel trace FILE [--json | --mermaid] [--follow]
  FILE       a .ktr file (npm start -- --trace FILE), a serial port device, or - for stdin
  --json     one JSON document (with --follow: one JSON object per record, per line)
  --mermaid  a Mermaid sequence diagram: one lane per active object
  --lines    FILE is a captured console log (mcsim's output, a saved serial console): decode its
             KTR:<hex> lines and frames, skip other text, no .ktr header or END needed
  --follow   keep reading as FILE grows (or from the port / stdin) and print records as they
             arrive; stops at the trace's END frame or on Ctrl-C. Bad frames are reported
             with their byte offset and skipped.
  --help`;

export interface TraceIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Input for FILE '-' (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** --follow: ms between reads of a regular file that has not grown (default 100). */
  pollMs?: number;
}

const defaultIo: TraceIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs `keel trace` with `args` (after the command name); resolves to the exit code. */
export async function run(args: readonly string[], io: TraceIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: args as string[],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        mermaid: { type: 'boolean', default: false },
        follow: { type: 'boolean', short: 'f', default: false },
        lines: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new CliUsageError('keel trace', (e as Error).message, USAGE);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout(USAGE + '\n');
    return 0;
  }
  if (parsed.positionals.length !== 1) throw new CliUsageError('keel trace', parsed.positionals.length === 0 ? 'missing FILE' : `one FILE only (got ${parsed.positionals.length})`, USAGE);
  if (v.json && v.mermaid) throw new CliUsageError('keel trace', '--json and --mermaid exclude each other', USAGE);
  if (v.follow && v.mermaid) throw new CliUsageError('keel trace', '--mermaid draws a whole trace; it cannot --follow', USAGE);
  const file = parsed.positionals[0]!;
  if (v.follow) return follow(file, v.json === true, io);
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? await readAll(io.stdin ?? process.stdin) : readFileSync(file);
  } catch (e) {
    throw new CliUsageError('keel trace', `cannot read ${file}: ${(e as Error).message}`);
  }
  let d;
  try {
    if (v.lines) {
      // tools/trace/lines.ts: frames among console text (a device's capture); bad frames are reported and skipped.
      const { decodeCapture } = await import('../tools/trace/lines.js');
      const c = decodeCapture(bytes);
      for (const p of c.problems) io.stderr(`keel trace: ${file}: byte ${p.offset}: ${p.message} (skipped)\n`);
      if (c.frames === 0) {
        io.stderr(`keel trace: ${file}: no trace frames in ${bytes.length} bytes (expected KTR:<hex> lines or frames)\n`);
        return 1;
      }
      d = c.trace;
    } else d = decodeTrace(bytes);
  } catch (e) {
    if (e instanceof TraceDecodeError) {
      io.stderr(`keel trace: ${file}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  io.stdout((v.json ? formatJson(d) : v.mermaid ? formatMermaid(d) : formatText(d)) + '\n');
  return 0;
}

async function readAll(s: NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(parts);
}

/** Live decoding; resolves at the END frame, at the end of stdin / a port, or never for a file that stops growing (Ctrl-C). */
async function follow(file: string, json: boolean, io: TraceIo): Promise<number> {
  const objects = new Map<number, TraceObject>();
  let names = new TraceNames(objects);
  let t0 = -1;
  let ended = false;
  let problems = 0;
  const stream = new TraceStream(
    {
      hello(version, host) {
        if (!json) io.stdout(`# keel trace version ${version} from ${host} (following ${file})\n`);
      },
      object(o) {
        objects.set(o.id, o);
        names = new TraceNames(objects);
      },
      record(r: TraceRecord) {
        if (t0 < 0) {
          t0 = r.t;
          if (!json) io.stdout(headerLine({ host: '', version: 1, objects }).replace(/^# keel trace version 1 from an unnamed host: /, '# objects: ') + '\n');
        }
        io.stdout((json ? JSON.stringify(recordJson(r, names)) : formatLine(r, names, t0)) + '\n');
      },
      status(c) {
        if (!json) io.stdout(`# status at ${c.time} ms: ring lost ${c.ringLost}, frames dropped ${c.framesDropped} (${c.recordsDropped} records)\n`);
      },
      end(c) {
        ended = true;
        if (!json) io.stdout(`# end at ${c.time} ms: ${c.recordsWritten} records written, ring lost ${c.ringLost}, frames dropped ${c.framesDropped}\n`);
      },
      note(n) {
        if (!json) io.stdout(`# ${n.text}\n`);
      },
    },
    (p) => {
      problems++;
      io.stderr(`keel trace: ${file}: byte ${p.offset}: ${p.message} (skipped)\n`);
    },
  );
  if (file === '-') {
    for await (const c of io.stdin ?? process.stdin) {
      stream.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
      if (ended) break;
    }
    return problems > 0 && stream.frames === 0 ? 1 : 0;
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new CliUsageError('keel trace', `cannot open ${file}: ${(e as Error).message}`);
  }
  const regular = fstatSync(fd).isFile();
  if (!regular) {
    // A serial port or a pipe: a stream that blocks until bytes arrive.
    closeSync(fd);
    for await (const c of createReadStream(file)) {
      stream.push(c as Buffer);
      if (ended) break;
    }
    return 0;
  }
  const buf = Buffer.alloc(64 * 1024);
  let pos = 0;
  const pollMs = io.pollMs ?? 100;
  try {
    while (!ended) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n > 0) {
        pos += n;
        stream.push(buf.subarray(0, n));
        continue;
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    closeSync(fd);
  }
  return 0;
}

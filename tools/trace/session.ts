/**
 * tools/trace/session: `npm start -- --trace FILE --report FILE` on Node
 * (scripts/start.mjs). Boots a trace capture on the run's trace ring
 * (hosts/sim/trace-capture.ts), drains it between simulator steps into the
 * .ktr file (written as it grows, so `keel trace --follow FILE` can watch
 * it), ends it with the final report as NOTE frames and END, and builds the
 * report page from the decoded file (tools/trace/report.ts), with diagrams
 * from cli/render.ts (Graphviz WebAssembly) when it loads.
 *
 * With --engine xs the run happens in the XS engine host: there the capture
 * prints each chunk as a `KTR:<hex>` line (the text transport) and this
 * module takes those lines (`hexLine`) instead of running a capture itself.
 * Host tooling (Node): allocates freely.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import type { HsmDefinition } from '../../src/hsm.js';
import type { RunObserver } from '../../examples/run.js';
import type { SimFirmware } from '../../examples/sim.js';
import { TraceCapture } from '../../hosts/sim/trace-capture.js';
import { decodeTrace, type DecodedTrace } from './decode.js';
import { buildReport } from './report.js';
import { capacityOf, definitionsOf } from './run-support.js';

export interface TraceSessionOptions {
  traceFile: string | null;
  reportFile: string | null;
  host: string;
  title: string;
}

const REPORT_MARK = '==== report ====';

export class TraceSession {
  private readonly chunks: Uint8Array[] = [];
  private fd: number | null = null;
  private capture: TraceCapture | null = null;
  private run: SimFirmware | null = null;
  private inReport = false;
  readonly reportLines: string[] = [];
  /** The observer runExamples calls between steps (Node engine). */
  readonly observer: RunObserver;

  constructor(private readonly options: TraceSessionOptions) {
    if (options.traceFile !== null) this.fd = openSync(options.traceFile, 'w');
    this.observer = {
      boot: (run) => {
        if (run.trace === null) throw new Error('trace session: the run has no trace ring (traceCapacity 0)');
        this.run = run;
        this.capture = new TraceCapture(run.trace, (chunk) => this.bytes(chunk), { host: options.host });
        this.capture.begin(definitionsOf(run), capacityOf(run));
      },
      step: () => {
        this.capture?.drain();
      },
    };
  }

  /** Every output line of the run: the lines after the report mark become NOTE frames. */
  line(text: string): void {
    if (text === REPORT_MARK) this.inReport = true;
    else if (this.inReport && text !== '') this.reportLines.push(text);
  }

  /** One `KTR:<hex>` line from the XS engine's capture. */
  hexLine(text: string): void {
    const hex = text.slice(4).trim();
    const b = new Uint8Array(hex.length >> 1);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    this.bytes(b);
  }

  private bytes(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    if (this.fd !== null) writeSync(this.fd, chunk);
  }

  /** Node engine: ends the capture (final report as NOTE frames, END). */
  end(): void {
    if (this.capture !== null && this.run !== null) this.capture.finish(this.run.sim.now(), this.reportLines);
  }

  /** Closes the file and writes the report page. Returns the decoded trace. */
  async close(definitions: readonly HsmDefinition<any>[] | null = null): Promise<DecodedTrace> {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    const all = concat(this.chunks);
    const decoded = decodeTrace(all);
    if (this.options.reportFile !== null) {
      const defs = definitions ?? (this.run === null ? [] : definitionsOf(this.run));
      const svgs = await diagrams(decoded, defs);
      writeFileSync(this.options.reportFile, buildReport({ trace: decoded, svgs, title: this.options.title }));
    }
    return decoded;
  }
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** SVG per machine object id, from the definitions with the same state names (Graphviz WebAssembly); empty when the renderer does not load. */
export async function diagrams(d: DecodedTrace, defs: readonly HsmDefinition<any>[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let render: typeof import('../../cli/render.js');
  try {
    render = await import('../../cli/render.js');
  } catch {
    return out;
  }
  for (const o of d.objects.values()) {
    if (o.type !== 'hsm') continue;
    const key = o.states.map((s) => s.name).join('\u0000');
    const def = defs.find((x) => x.stateNames.join('\u0000') === key);
    if (def === undefined) continue;
    try {
      out.set(o.id, await render.dotToSvg(render.toDot([def])));
    } catch {
      // No @viz-js/viz: the report draws its simple diagram.
    }
  }
  return out;
}

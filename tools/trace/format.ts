/**
 * tools/trace/format: a decoded trace (tools/trace/decode.ts) as readable
 * lines, JSON, or a Mermaid sequence diagram, with object, state and signal
 * names from the trace's dictionary. Host tooling: allocates freely.
 *
 * Lanes: one per active object. A machine owned by an active object (the
 * kernel's spawnMachine) shares its AO's lane and name; a machine without
 * an AO, a pool, a queue or a stream has a lane of its own.
 */
import {
  TRACE_DEFER,
  TRACE_DISPATCH,
  TRACE_DROP,
  TRACE_ENTRY,
  TRACE_EXIT,
  TRACE_INIT,
  TRACE_KIND_NAMES,
  TRACE_POOL_CLAIM,
  TRACE_POOL_CLAIM_FAIL,
  TRACE_POOL_RELEASE,
  TRACE_POST,
  TRACE_RECALL,
  TRACE_REFUSE,
  TRACE_STREAM_REFUSE,
  TRACE_TIME_ARM,
  TRACE_TIME_DISARM,
  TRACE_TIME_EXPIRE,
  TRACE_TIME_STALE,
  TRACE_TRANSITION,
} from '../../src/trace.js';
import type { DecodedTrace, TraceObject, TraceRecord } from './decode.js';

export function kindName(kind: number): string {
  return TRACE_KIND_NAMES[kind] ?? `KIND_${kind}`;
}

/** Names and lanes for the objects of one trace's dictionary. */
export class TraceNames {
  /** hsm id -> its AO's id (the lane), and AO id -> its machine's id. */
  private readonly aoOfMachine = new Map<number, number>();
  private readonly machineOfAo = new Map<number, number>();
  constructor(readonly objects: Map<number, TraceObject>) {
    for (const o of objects.values()) {
      if (o.type === 'hsm' && o.link !== 0 && objects.get(o.link)?.type === 'ao') {
        this.aoOfMachine.set(o.id, o.link);
        this.machineOfAo.set(o.link, o.id);
      }
    }
  }
  /** The machine whose state and signal names a record of `id` uses (itself, or an AO's machine). */
  machine(id: number): TraceObject | undefined {
    const o = this.objects.get(id);
    if (o === undefined) return undefined;
    if (o.type === 'hsm') return o;
    const m = this.machineOfAo.get(id);
    return m === undefined ? undefined : this.objects.get(m);
  }
  /** The lane (object id) a record of `id` belongs to. */
  lane(id: number): number {
    return this.aoOfMachine.get(id) ?? id;
  }
  /** A readable name: an AO with a machine is called by the machine's name. */
  name(id: number): string {
    const o = this.objects.get(id);
    if (o === undefined) return id === 0 ? '-' : `#${id}`;
    if (o.type === 'ao') {
      const m = this.machineOfAo.get(id);
      if (m !== undefined) return this.objects.get(m)!.name;
    }
    return o.name;
  }
  signal(id: number, sig: number): string {
    if (sig < 0) return '-';
    const m = this.machine(id);
    const n = m?.signals[sig];
    return n === undefined || n === '' ? `sig ${sig}` : n;
  }
  state(id: number, st: number): string {
    if (st < 0) return '-';
    const m = this.machine(id);
    const n = m?.states[st]?.name;
    return n === undefined ? `state ${st}` : n;
  }
  /** Lanes of the timeline, in id order: AOs, then objects not owned by an AO (machines, pools, queues, streams). */
  lanes(records: readonly TraceRecord[]): number[] {
    const used = new Set<number>();
    for (const r of records) used.add(this.lane(r.object));
    const out: number[] = [];
    for (const o of this.objects.values()) {
      if (o.type === 'kernel') continue;
      const lane = this.lane(o.id);
      if (lane !== o.id) continue;
      if (o.type === 'ao' && !this.machineOfAo.has(o.id) && !used.has(o.id)) continue; // an empty kernel slot
      if (!out.includes(lane)) out.push(lane);
    }
    for (const l of used) if (!out.includes(l)) out.push(l);
    return out.sort((a, b) => a - b);
  }
  /** The capacity of a pool/queue (0 unknown). */
  capacity(id: number): number {
    return this.objects.get(id)?.capacity ?? 0;
  }
}

function num(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function params(r: TraceRecord): string {
  return r.p0 === 0 && r.p1 === 0 && !Object.is(r.p0, -0) && !Object.is(r.p1, -0) ? '' : ` (${num(r.p0)}, ${num(r.p1)})`;
}

/** What a record says, in words (without time and object). */
export function describe(r: TraceRecord, n: TraceNames): string {
  const o = n.objects.get(r.object);
  const sig = n.signal(r.object, r.signal);
  const sigSp = r.signal < 0 ? '' : sig + ' ';
  const st = (s: number): string => n.state(r.object, s);
  switch (r.kind) {
    case TRACE_DISPATCH:
      return o?.type === 'hsm' ? `${sig} in ${st(r.state)}${params(r)}` : `${sig}${params(r)}, queue ${r.aux} left`;
    case TRACE_ENTRY:
    case TRACE_EXIT:
      return st(r.state);
    case TRACE_TRANSITION:
      return r.aux < 0 ? `${st(r.state)} internal on ${sig}` : `${st(r.state)} -> ${st(r.aux)} on ${sig}`;
    case TRACE_INIT:
      return `${st(r.state)} -> ${st(r.aux)} (initial)`;
    case TRACE_POST:
      return `${sig}${params(r)}, queue ${r.aux}`;
    case TRACE_REFUSE:
      return `${sig}${params(r)} refused, queue ${r.aux}`;
    case TRACE_DROP:
      return `${r.aux} dropped${r.signal >= 0 ? ` (${sig})` : ''}`;
    case TRACE_TIME_ARM:
      return `${sigSp}time event ${r.aux} in ${num(r.p0)} ms${r.p1 !== 0 ? `, every ${num(r.p1)} ms` : ''}`;
    case TRACE_TIME_DISARM:
      return `${sigSp}time event ${r.aux}${r.p0 === 1 ? '' : ' (was not armed)'}`;
    case TRACE_TIME_EXPIRE:
      return `${sigSp}time event ${r.aux}, due ${num(r.p0)}, generation ${num(r.p1)}`;
    case TRACE_TIME_STALE:
      return `${sigSp}time event ${r.aux} stale, generation ${num(r.p0)}`;
    case TRACE_POOL_CLAIM: {
      const cap = n.capacity(r.object);
      return `handle ${r.aux}, used ${num(r.p0)}${cap > 0 ? `, free ${cap - r.p0}` : ''}`;
    }
    case TRACE_POOL_RELEASE: {
      const cap = n.capacity(r.object);
      return `handle ${r.aux}, refs left ${num(r.p0)}, used ${num(r.p1)}${cap > 0 ? `, free ${cap - r.p1}` : ''}`;
    }
    case TRACE_POOL_CLAIM_FAIL:
      return `no block (capacity ${r.aux}), refused ${num(r.p0)}`;
    case TRACE_STREAM_REFUSE:
      return `${r.aux} refused, length ${num(r.p0)}${r.p1 === 1 ? ', closed' : ''}`;
    case TRACE_DEFER:
      return `${sig}${params(r)} in ${st(r.state)}, ${r.aux} deferred`;
    case TRACE_RECALL:
      return `${sig}${params(r)}, ${r.aux} deferred`;
    default:
      return `signal ${r.signal} state ${r.state} aux ${r.aux}${params(r)}`;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padLeft(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

/**
 * One readable line: time (ms since the first record), seq, object, kind,
 * details. A record the decoder derived from a compact machine's DISPATCH
 * (implied: not on the wire) shows that record's seq followed by '+'.
 */
export function formatLine(r: TraceRecord, n: TraceNames, t0: number): string {
  const seq = r.implied === true ? `${r.seq}+` : String(r.seq);
  return `${padLeft(String(r.t - t0), 8)} ms  #${pad(seq, 6)} ${pad(n.name(r.object), 12)} ${pad(kindName(r.kind), 15)} ${describe(r, n)}`.trimEnd();
}

export function headerLine(d: { host: string; version: number; objects: Map<number, TraceObject> }): string {
  const by = new Map<string, number>();
  for (const o of d.objects.values()) by.set(o.type, (by.get(o.type) ?? 0) + 1);
  return `# keel trace version ${d.version} from ${d.host === '' ? 'an unnamed host' : d.host}: ${[...by].map(([t, c]) => `${c} ${t}`).join(', ')}`;
}

export function summaryLine(d: DecodedTrace): string {
  const c = d.end ?? d.status;
  const lost = c === null ? '' : `, ring lost ${c.ringLost}, frames dropped ${c.framesDropped} (${c.recordsDropped} records)`;
  return `# ${d.records.length} records, ${d.seqGaps} missing by sequence number${lost}${d.end === null ? ', no END frame' : ''}`;
}

/** The whole trace as readable lines (no trailing newline). */
export function formatText(d: DecodedTrace): string {
  const n = new TraceNames(d.objects);
  const t0 = d.records.length > 0 ? d.records[0]!.t : 0;
  const lines = [headerLine(d)];
  for (const r of d.records) lines.push(formatLine(r, n, t0));
  lines.push(summaryLine(d));
  return lines.join('\n');
}

/** One record as a JSON-able object, with names. */
export function recordJson(r: TraceRecord, n: TraceNames): Record<string, unknown> {
  const out: Record<string, unknown> = {
    seq: r.seq,
    time: r.time,
    kind: kindName(r.kind),
    object: n.name(r.object),
    objectId: r.object,
    signal: r.signal < 0 ? null : n.signal(r.object, r.signal),
    state: r.state < 0 ? null : n.state(r.object, r.state),
    aux: r.aux,
    p0: r.p0,
    p1: r.p1,
  };
  if ((r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT) && r.aux >= 0) out.target = n.state(r.object, r.aux);
  if (r.flags !== 0) out.flags = r.flags;
  return out;
}

/** The whole trace as one JSON document. */
export function formatJson(d: DecodedTrace): string {
  const n = new TraceNames(d.objects);
  return JSON.stringify(
    {
      format: 'keel-trace',
      version: d.version,
      host: d.host,
      ticksPerSecond: d.ticksPerSecond,
      objects: [...d.objects.values()].map((o) => ({
        id: o.id,
        type: o.type,
        name: o.name,
        owner: o.link,
        capacity: o.capacity,
        states: o.states.map((s) => s.name),
        signals: o.signals,
      })),
      records: d.records.map((r) => recordJson(r, n)),
      seqGaps: d.seqGaps,
      status: d.status,
      end: d.end,
      notes: d.notes.map((x) => x.text),
    },
    null,
    2,
  );
}

function mermaidText(s: string): string {
  return s.replace(/[;#:<>"]/g, (c) => `#${c.charCodeAt(0)};`);
}

/**
 * A Mermaid sequence diagram: one participant per lane (plus `env` for
 * interrupts and the host). Posts are arrows (from the active object whose
 * dispatch was running at the same ms, else from env: records carry no
 * sender), refusals crossed arrows, expiries self-arrows, transitions notes.
 */
export function formatMermaid(d: DecodedTrace): string {
  const n = new TraceNames(d.objects);
  const lanes = n.lanes(d.records);
  const out = ['sequenceDiagram', '  participant env as env (interrupts, host)'];
  for (const l of lanes) out.push(`  participant o${l} as ${mermaidText(n.name(l))}`);
  let current = -1;
  let currentTime = -1;
  for (const r of d.records) {
    const lane = n.lane(r.object);
    const o = n.objects.get(r.object);
    const sender = current >= 0 && currentTime === r.t && current !== lane ? `o${current}` : 'env';
    switch (r.kind) {
      case TRACE_DISPATCH:
        if (o?.type === 'ao') {
          current = lane;
          currentTime = r.t;
        }
        break;
      case TRACE_POST:
        out.push(`  ${sender}->>o${lane}: ${mermaidText(n.signal(r.object, r.signal))}`);
        break;
      case TRACE_REFUSE:
        out.push(`  ${sender}-xo${lane}: ${mermaidText(n.signal(r.object, r.signal))} refused`);
        break;
      case TRACE_TIME_EXPIRE:
        out.push(`  o${lane}-)o${lane}: ${mermaidText(n.signal(r.object, r.signal))}`);
        break;
      case TRACE_TRANSITION:
        if (r.aux >= 0) out.push(`  Note over o${lane}: ${mermaidText(`${n.state(r.object, r.state)} -> ${n.state(r.object, r.aux)}`)}`);
        break;
      case TRACE_DROP:
      case TRACE_POOL_CLAIM_FAIL:
      case TRACE_STREAM_REFUSE:
      case TRACE_TIME_STALE:
        out.push(`  Note over o${lane}: ${mermaidText(`${kindName(r.kind)} ${describe(r, n)}`)}`);
        break;
      default:
        break;
    }
  }
  return out.join('\n');
}

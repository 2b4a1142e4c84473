/**
 * tools/trace/report: one self-contained HTML page from a decoded trace
 * (`npm start -- --report report.html`). No network, no CDN, no framework:
 * inline CSS, inline SVG, a few lines of inline JS. Host tooling: allocates.
 *
 * Sections:
 *  - every machine's state diagram (SVG from cli/render.ts via Graphviz
 *    WebAssembly when given, else a simple SVG drawn here), states visited
 *    (class `visited`) and transitions taken (class `taken`) highlighted;
 *  - a timeline, one lane per active object: posts, dispatches, state
 *    changes, time events, refusals and drops (`.ev` marks); clicking a
 *    mark shows the record and highlights its transition in the diagram
 *    (class `focus`);
 *  - queue depth per active object and pool free over time (step charts);
 *  - the host's final report (the trace's NOTE frames).
 *
 * Element contract (the Chromium test counts these against the trace):
 *   section#machines > figure.machine[data-machine=ID]  one per machine in the dictionary
 *   svg#timeline g.lane[data-lane=ID]                   one per lane (TraceNames.lanes)
 *   g.ev[data-i=INDEX]                                  one per record of TIMELINE_KINDS
 *   svg .state[data-state=N], .tr[data-from=A][data-to=B]   diagram elements
 *   svg.chart[data-series=queue|pool] path.series       one per queue / pool series
 */
import {
  TRACE_DISPATCH,
  TRACE_DROP,
  TRACE_ENTRY,
  TRACE_INIT,
  TRACE_POOL_CLAIM,
  TRACE_POOL_CLAIM_FAIL,
  TRACE_POOL_RELEASE,
  TRACE_POST,
  TRACE_REFUSE,
  TRACE_STREAM_REFUSE,
  TRACE_TIME_EXPIRE,
  TRACE_TIME_STALE,
  TRACE_TRANSITION,
} from '../../src/trace.js';
import type { DecodedTrace, TraceObject, TraceRecord } from './decode.js';
import { describe, formatLine, kindName, TraceNames } from './format.js';

/** Kinds drawn on the timeline (every record of these kinds is one `.ev` mark). */
export const TIMELINE_KINDS: readonly number[] = Object.freeze([
  TRACE_POST,
  TRACE_DISPATCH,
  TRACE_TRANSITION,
  TRACE_INIT,
  TRACE_TIME_EXPIRE,
  TRACE_TIME_STALE,
  TRACE_REFUSE,
  TRACE_DROP,
  TRACE_POOL_CLAIM_FAIL,
  TRACE_STREAM_REFUSE,
]);

export interface ReportInput {
  trace: DecodedTrace;
  /** SVG per machine object id (from cli/render.ts); a machine without one gets a simple built-in drawing. */
  svgs?: Map<number, string>;
  title?: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tags a Graphviz SVG of one machine (cli/render.ts toDot node ids `s<N>`, `s<N>_init`, ...) with data-state / data-from / data-to. */
export function tagGraphvizSvg(svg: string, visited: Set<number>, taken: Set<string>): string {
  let out = svg.replace(/^[\s\S]*?(<svg)/, '$1'); // drop the XML prolog and doctype
  out = out.replace(/<g id="([^"]+)" class="(node|cluster|edge)">\s*<title>([^<]*)<\/title>/g, (all, id: string, cls: string, title: string) => {
    const t = title.replace(/&#45;/g, '-').replace(/&gt;/g, '>');
    if (cls === 'edge') {
      const m = /^s(\d+)(?:_[A-Za-z]+)?->s(\d+)(?:_[A-Za-z]+)?$/.exec(t);
      if (m === null) return all;
      const key = `${m[1]}-${m[2]}`;
      return `<g id="${id}" class="edge tr${taken.has(key) ? ' taken' : ''}" data-from="${m[1]}" data-to="${m[2]}"><title>${title}</title>`;
    }
    const m = /^(?:cluster_)?s(\d+)$/.exec(t);
    if (m === null) return all;
    const n = Number(m[1]);
    return `<g id="${id}" class="${cls} state${visited.has(n) ? ' visited' : ''}" data-state="${n}"><title>${title}</title>`;
  });
  return out;
}

/** A simple diagram when no Graphviz SVG is given: states as boxes indented by depth, transitions as arrows. */
export function simpleMachineSvg(o: TraceObject, visited: Set<number>, taken: Set<string>): string {
  const rowH = 26;
  const depth = (s: number): number => {
    let d = 0;
    for (let p = o.states[s]?.parent ?? -1, guard = 0; p >= 0 && guard < 64; p = o.states[p]?.parent ?? -1, guard++) d++;
    return d;
  };
  const ys = new Map<number, number>();
  const parts: string[] = [];
  let y = 10;
  for (let s = 1; s < o.states.length; s++) {
    const x = 10 + 18 * (depth(s) - 1);
    ys.set(s, y);
    parts.push(
      `<g class="node state${visited.has(s) ? ' visited' : ''}" data-state="${s}"><title>${esc(o.states[s]!.name)}</title><rect x="${x}" y="${y}" width="150" height="20" rx="6"/><text x="${x + 8}" y="${y + 14}">${esc(o.states[s]!.name)}</text></g>`,
    );
    y += rowH;
  }
  let lane = 0;
  for (const t of o.transitions) {
    if (t.target < 0) continue;
    const y1 = (ys.get(t.source) ?? 10) + 10;
    const y2 = (ys.get(t.target) ?? 10) + 10;
    const x = 190 + 14 * (lane++ % 12);
    const key = `${t.source}-${t.target}`;
    const label = o.signals[t.signal] ?? '';
    parts.push(
      `<g class="edge tr${taken.has(key) ? ' taken' : ''}" data-from="${t.source}" data-to="${t.target}"><title>${esc(label)}</title><path d="M165 ${y1} C ${x} ${y1}, ${x} ${y2}, 165 ${y2}" fill="none" marker-end="url(#arrow)"/></g>`,
    );
  }
  const h = Math.max(y + 10, 40);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="380" height="${h}" viewBox="0 0 380 ${h}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L10 5L0 10z"/></marker></defs>${parts.join('')}</svg>`;
}

/** States visited (entered, or a dispatch's leaf) and transitions taken ("source-target", incl. initial ones) per machine id. */
export function coverage(d: DecodedTrace): Map<number, { visited: Set<number>; taken: Set<string> }> {
  const out = new Map<number, { visited: Set<number>; taken: Set<string> }>();
  for (const o of d.objects.values()) if (o.type === 'hsm') out.set(o.id, { visited: new Set(), taken: new Set() });
  for (const r of d.records) {
    const c = out.get(r.object);
    if (c === undefined) continue;
    if ((r.kind === TRACE_ENTRY || r.kind === TRACE_DISPATCH) && r.state >= 0) c.visited.add(r.state);
    if ((r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT) && r.aux >= 0 && r.state >= 0) {
      c.taken.add(`${r.state}-${r.aux}`);
      c.visited.add(r.aux);
    }
  }
  return out;
}

interface Series {
  id: number;
  name: string;
  points: [number, number][];
  max: number;
}

/** Queue length per AO (POST, kernel DISPATCH, REFUSE carry it in aux) and pool free (capacity - used) over time. */
export function seriesOf(d: DecodedTrace, n: TraceNames): { queues: Series[]; pools: Series[] } {
  const queues = new Map<number, Series>();
  const pools = new Map<number, Series>();
  for (const r of d.records) {
    const o = d.objects.get(r.object);
    if (o === undefined) continue;
    if (o.type === 'ao' && (r.kind === TRACE_POST || r.kind === TRACE_DISPATCH || r.kind === TRACE_REFUSE)) {
      let s = queues.get(o.id);
      if (s === undefined) queues.set(o.id, (s = { id: o.id, name: n.name(o.id), points: [], max: Math.max(1, o.capacity) }));
      s.points.push([r.t, r.aux]);
      if (r.aux > s.max) s.max = r.aux;
    } else if (o.type === 'pool' && (r.kind === TRACE_POOL_CLAIM || r.kind === TRACE_POOL_RELEASE || r.kind === TRACE_POOL_CLAIM_FAIL)) {
      let s = pools.get(o.id);
      const cap = o.capacity > 0 ? o.capacity : r.kind === TRACE_POOL_CLAIM_FAIL ? r.aux : 0;
      if (s === undefined) pools.set(o.id, (s = { id: o.id, name: o.name, points: [], max: Math.max(1, cap) }));
      const used = r.kind === TRACE_POOL_CLAIM ? r.p0 : r.kind === TRACE_POOL_RELEASE ? r.p1 : cap;
      const free = cap > 0 ? cap - used : -used;
      s.points.push([r.t, free]);
      if (Math.abs(free) > s.max) s.max = Math.abs(free);
    }
  }
  return { queues: [...queues.values()], pools: [...pools.values()] };
}

function chart(kind: 'queue' | 'pool', series: Series[], t0: number, t1: number, width: number, label: string): string {
  if (series.length === 0) return `<p class="none">No ${kind} records in this trace.</p>`;
  const h = 60;
  const span = Math.max(1, t1 - t0);
  const rows = series.map((s, k) => {
    const y0 = 10 + k * (h + 24);
    const sx = (t: number): number => 120 + ((t - t0) / span) * (width - 130);
    const sy = (v: number): number => y0 + h - (v / s.max) * h;
    // Before the first record: an empty queue, a pool with every block free.
    let path = `M${sx(t0).toFixed(1)} ${sy(kind === 'queue' ? 0 : s.max).toFixed(1)}`;
    for (const [t, v] of s.points) path += ` H${sx(t).toFixed(1)} V${sy(v).toFixed(1)}`;
    path += ` H${sx(t1).toFixed(1)}`;
    return `<g data-object="${s.id}"><text x="4" y="${y0 + h / 2}">${esc(s.name)}</text><text class="axis" x="112" y="${y0 + 8}" text-anchor="end">${s.max}</text><text class="axis" x="112" y="${y0 + h}" text-anchor="end">0</text><line class="base" x1="120" x2="${width - 10}" y1="${y0 + h}" y2="${y0 + h}"/><path class="series" d="${path}"/></g>`;
  });
  const height = 10 + series.length * (h + 24);
  return `<svg class="chart" data-series="${kind}" width="${width}" height="${height}" aria-label="${esc(label)}">${rows.join('')}</svg>`;
}

const CSS = `
body{font:14px/1.4 system-ui,Helvetica,Arial,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 8px;border-bottom:1px solid #ddd}
.meta{color:#666}
#machines{display:flex;flex-wrap:wrap;gap:12px}
figure.machine{margin:0;border:1px solid #ddd;border-radius:6px;padding:6px;max-width:100%;overflow:auto}
figure.machine figcaption{font-weight:600;margin-bottom:4px}
figure.machine svg{max-width:520px;height:auto}
.state rect,.state polygon,.state path,.state ellipse{fill:#fff;stroke:#999}
.state.visited>rect,.state.visited>polygon,.state.visited>path,.state.visited>ellipse{fill:#e4f4e4;stroke:#2a8a2a;stroke-width:1.5}
.tr path{stroke:#bbb}.tr polygon{fill:#bbb;stroke:#bbb}.tr text{fill:#888}
.tr.taken path{stroke:#2a8a2a;stroke-width:1.6}.tr.taken polygon{fill:#2a8a2a;stroke:#2a8a2a}.tr.taken text{fill:#1d5f1d}
.tr.focus path{stroke:#d9480f;stroke-width:3.5}.tr.focus polygon{fill:#d9480f;stroke:#d9480f}.tr.focus text{fill:#d9480f;font-weight:700}
.state.focus>rect,.state.focus>polygon,.state.focus>path{stroke:#d9480f;stroke-width:3}
figure.machine.focus{border-color:#d9480f}
.scroll{overflow-x:auto;border:1px solid #ddd;border-radius:6px}
#timeline text{font-size:11px}
.lane rect.bg{fill:#fafafa}.lane:nth-child(even) rect.bg{fill:#f1f3f5}
.ev{cursor:pointer}.ev .m{stroke:none}
.k-POST .m{fill:#4c6ef5}.k-DISPATCH .m{fill:#adb5bd}.k-TRANSITION .m,.k-INIT .m{fill:#2a8a2a}
.k-TIME_EXPIRE .m{fill:#f59f00}.k-TIME_STALE .m{fill:#ffd43b}
.k-REFUSE .m,.k-DROP .m,.k-POOL_CLAIM_FAIL .m,.k-STREAM_REFUSE .m{fill:#e03131}
.ev.sel .m{stroke:#000;stroke-width:2}
#info{font-family:ui-monospace,Menlo,monospace;white-space:pre;background:#f8f9fa;border:1px solid #ddd;padding:6px;min-height:1.4em}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.chart text{font-size:11px}.chart .axis{fill:#888}.chart .base{stroke:#ccc}.chart .series{fill:none;stroke:#4c6ef5;stroke-width:1.5}
.chart[data-series=pool] .series{stroke:#2a8a2a}
pre.report{background:#f8f9fa;border:1px solid #ddd;padding:8px;overflow-x:auto}
.none{color:#888}
`;

const SCRIPT = `
(function(){
  var records = JSON.parse(document.getElementById('records').textContent);
  var info = document.getElementById('info');
  function clear(){
    var f = document.querySelectorAll('.focus, .ev.sel');
    for (var i = 0; i < f.length; i++) f[i].classList.remove('focus', 'sel');
  }
  function select(ev){
    clear();
    ev.classList.add('sel');
    var r = records[Number(ev.getAttribute('data-i'))];
    info.textContent = r.line;
    if (r.machine < 0) return;
    var fig = document.querySelector('figure.machine[data-machine="' + r.machine + '"]');
    if (!fig) return;
    fig.classList.add('focus');
    if (r.from >= 0 && r.to >= 0) {
      var tr = fig.querySelectorAll('.tr[data-from="' + r.from + '"][data-to="' + r.to + '"]');
      for (var i = 0; i < tr.length; i++) tr[i].classList.add('focus');
    }
    var st = r.to >= 0 ? r.to : r.state;
    if (st >= 0) {
      var s = fig.querySelectorAll('.state[data-state="' + st + '"]');
      for (var j = 0; j < s.length; j++) s[j].classList.add('focus');
    }
    fig.scrollIntoView({block: 'nearest'});
  }
  document.getElementById('timeline').addEventListener('click', function(e){
    var el = e.target;
    while (el && !(el.classList && el.classList.contains('ev'))) el = el.parentNode;
    if (el && el.classList) select(el);
  });
})();
`;

/** The report page. */
export function buildReport(input: ReportInput): string {
  const d = input.trace;
  const n = new TraceNames(d.objects);
  const cov = coverage(d);
  const t0 = d.records.length > 0 ? d.records[0]!.t : 0;
  const t1 = d.records.length > 0 ? d.records[d.records.length - 1]!.t : 1;
  const span = Math.max(1, t1 - t0);
  const title = input.title ?? 'Keel trace report';

  // Machines.
  const figures: string[] = [];
  for (const o of d.objects.values()) {
    if (o.type !== 'hsm') continue;
    const c = cov.get(o.id)!;
    const given = input.svgs?.get(o.id);
    const svg = given !== undefined ? tagGraphvizSvg(given, c.visited, c.taken) : simpleMachineSvg(o, c.visited, c.taken);
    const states = o.states.length - 1;
    figures.push(
      `<figure class="machine" data-machine="${o.id}"><figcaption>${esc(n.name(o.id))} <span class="meta">${c.visited.size}/${states} states visited, ${c.taken.size} transitions taken</span></figcaption>${svg}</figure>`,
    );
  }

  // Timeline.
  const lanes = n.lanes(d.records);
  const laneH = 28;
  const width = Math.round(Math.max(1000, Math.min(24000, span * 0.6))) + 140;
  const x = (t: number): number => 130 + ((t - t0) / span) * (width - 140);
  const laneY = new Map<number, number>();
  lanes.forEach((l, k) => laneY.set(l, 20 + k * laneH));
  const marks = new Map<number, string[]>();
  for (const l of lanes) marks.set(l, []);
  const kinds = new Set(TIMELINE_KINDS);
  const data: { line: string; machine: number; from: number; to: number; state: number }[] = [];
  const t0line = t0;
  // Transition marks at (nearly) the same time would hide one another: each one goes at least 9 px right of the previous in its lane.
  const lastDiamond = new Map<number, number>();
  let svgWidth = width;
  d.records.forEach((r: TraceRecord) => {
    if (!kinds.has(r.kind)) return;
    const lane = n.lane(r.object);
    const y = laneY.get(lane);
    if (y === undefined) return;
    const i = data.length;
    const o = d.objects.get(r.object);
    const isMachine = o?.type === 'hsm';
    const trans = isMachine && (r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT);
    data.push({
      line: formatLine(r, n, t0line),
      machine: isMachine ? r.object : (n.machine(r.object)?.id ?? -1),
      from: trans ? r.state : -1,
      to: trans ? r.aux : -1,
      state: isMachine ? r.state : -1,
    });
    let px = x(r.t);
    if (r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT) {
      const last = lastDiamond.get(lane) ?? -Infinity;
      if (px < last + 9) px = last + 9;
      lastDiamond.set(lane, px);
      if (px + 20 > svgWidth) svgWidth = Math.ceil(px + 20);
    }
    const cx = px.toFixed(1);
    const k = kindName(r.kind);
    let shape: string;
    const cy = y + laneH / 2;
    if (r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT) shape = `<path class="m" d="M${cx} ${cy - 7}l6 7l-6 7l-6 -7z"/>`;
    else if (r.kind === TRACE_POST) shape = `<rect class="m" x="${(+cx - 1.5).toFixed(1)}" y="${y + 4}" width="3" height="8"/>`;
    else if (r.kind === TRACE_DISPATCH) shape = `<rect class="m" x="${(+cx - 1.5).toFixed(1)}" y="${y + 16}" width="3" height="8"/>`;
    else if (r.kind === TRACE_TIME_EXPIRE || r.kind === TRACE_TIME_STALE) shape = `<circle class="m" cx="${cx}" cy="${cy}" r="4"/>`;
    else shape = `<path class="m" d="M${+cx - 5} ${cy - 5}l10 10m0 -10l-10 10" stroke-width="3" style="stroke:#e03131"/><rect class="m" x="${+cx - 5}" y="${cy - 5}" width="10" height="10" fill-opacity="0.25"/>`;
    marks.get(lane)!.push(`<g class="ev k-${k}" data-i="${i}"><title>${esc(`${r.t - t0} ms ${k} ${describe(r, n)}`)}</title>${shape}</g>`);
  });
  const laneSvg = lanes.map((l) => {
    const y = laneY.get(l)!;
    return `<g class="lane" data-lane="${l}"><rect class="bg" x="0" y="${y}" width="${svgWidth}" height="${laneH}"/><text x="6" y="${y + 18}">${esc(n.name(l))}</text>${marks.get(l)!.join('')}</g>`;
  });
  const ticks: string[] = [];
  const step = niceStep(span / 10);
  for (let t = 0; t <= span; t += step) ticks.push(`<text x="${x(t0 + t).toFixed(1)}" y="12" text-anchor="middle">${t} ms</text>`);
  const timelineH = 24 + lanes.length * laneH;

  const { queues, pools } = seriesOf(d, n);
  const chartW = Math.min(width, 1400);
  const notes = d.notes.map((x) => x.text).join('\n');
  const c = d.end ?? d.status;
  const legend = [
    ['POST', '#4c6ef5'],
    ['DISPATCH', '#adb5bd'],
    ['TRANSITION / INIT', '#2a8a2a'],
    ['TIME_EXPIRE', '#f59f00'],
    ['REFUSE / DROP / claim fail', '#e03131'],
  ]
    .map(([k, col]) => `<span><i style="background:${col}"></i>${k}</span>`)
    .join('');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">host ${esc(d.host)}, trace format version ${d.version}; ${d.records.length} records over ${span} ms; ${d.objects.size} objects; ${d.seqGaps} records missing by sequence number${c === null ? '' : `; ring lost ${c.ringLost}, frames dropped ${c.framesDropped}`}</p>
<h2>Machines</h2>
<p class="meta">Green: states visited and transitions taken in this run. Click a mark on the timeline to highlight its transition.</p>
<section id="machines">${figures.join('\n')}</section>
<h2>Timeline</h2>
<p class="legend">${legend}</p>
<div id="info">Click a mark.</div>
<div class="scroll"><svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${timelineH}">${ticks.join('')}${laneSvg.join('')}</svg></div>
<h2>Queue depth</h2>
<div class="scroll">${chart('queue', queues, t0, t1, chartW, 'queue length per active object')}</div>
<h2>Pool free</h2>
<div class="scroll">${chart('pool', pools, t0, t1, chartW, 'free blocks per pool')}</div>
<h2>Final report</h2>
${notes === '' ? '<p class="none">The trace carries no report.</p>' : `<pre class="report">${esc(notes)}</pre>`}
<script type="application/json" id="records">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

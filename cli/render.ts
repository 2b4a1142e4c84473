/**
 * cli/render: state diagrams from machine definitions, as text. Host tooling
 * only (Node): it reads `definition.describe()` (src/hsm.ts), allocates
 * freely and never runs on a device.
 *
 *   HsmDefinition --describe()--> HsmDescription --toMermaid()--> stateDiagram-v2 text
 *                                                 --toDot()-----> Graphviz DOT text --toSvg()--> SVG
 *
 * What a diagram shows (the same in both formats):
 *  - nesting: a composite state is a box around its substates (a Mermaid
 *    composite state, a DOT cluster);
 *  - initial transitions: from a black dot in the machine and in every
 *    composite, labelled `/ action` when the initial action has a name;
 *  - transitions: `EVENT [guard] / action`; EVENT is the signal, or
 *    `after D` / `every D` for a timer of the state (D = `500 ms` or the
 *    name in `delays`); `[else]` for an unguarded alternative after guarded
 *    ones of the same event; ` (local)` or ` (external)` when source and
 *    target contain one another (the kind decides whether the container is
 *    exited);
 *  - internal transitions (no target) and deferred signals (`SIG / defer`)
 *    are listed inside their state, UML style, one per line;
 *  - history: an `H` (shallow) or `H*` (deep) node in the composite; a
 *    transition that enters by history points at it.
 * Guards are shown by their function's name. An anonymous guard, or one
 * whose only name is the inferred `guard` of `{ guard: (c) => ... }`, is
 * shown by its expression when it is an arrow function with a short
 * expression body (at most 40 characters), else as `guard`. Actions are
 * shown only when they have a name of their own (not `action`).
 *
 * Output is deterministic: the same definition gives the same text (docs
 * and tests compare it byte for byte). SVG comes from Graphviz compiled to
 * WebAssembly (`@viz-js/viz`, loaded on first use): no system Graphviz, no browser.
 */
import type { HsmDescription, HsmStateDescription, HsmTransitionDescription } from '../src/hsm.js';

/** What the renderers need from a definition: `HsmDefinition` fits (any copy of src/hsm.ts). */
export interface Describable {
  readonly name: string;
  describe(): HsmDescription;
}

/** True for a value that looks like an `HsmDefinition` (duck-typed: a user's bundle has its own copy of the class). */
export function isDefinition(v: unknown): v is Describable {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return typeof d.describe === 'function' && typeof d.name === 'string' && Array.isArray(d.stateNames) && typeof d.transitions === 'function';
}

export type DiagramFormat = 'mermaid' | 'dot' | 'svg';
export const DIAGRAM_FORMATS: readonly DiagramFormat[] = Object.freeze(['mermaid', 'dot', 'svg']);

const MAX_GUARD_TEXT = 40;
const ARROW = /^\s*(?:async\s*)?(?:\([^()]*\)|[A-Za-z_$][\w$]*)\s*=>\s*([^{\s][\s\S]*)$/;

/** How a guard is shown: its name, or its short arrow expression when it has no name of its own. */
export function guardLabel(fn: (...args: never[]) => unknown): string {
  const name = fn.name;
  if (name !== '' && name !== 'guard') return name;
  const m = ARROW.exec(Function.prototype.toString.call(fn));
  if (m !== null) {
    const body = m[1]!.trim().replace(/\s+/g, ' ');
    if (body.length <= MAX_GUARD_TEXT && !body.includes('\n')) return body;
  }
  return 'guard';
}

/** How an action is shown: its own name, or nothing (anonymous or only the inferred `action`). */
export function actionLabel(fn: ((...args: never[]) => unknown) | null): string | null {
  if (fn === null) return null;
  const name = fn.name;
  return name === '' || name === 'action' ? null : name;
}

/** One machine, prepared for both renderers. */
interface Model {
  d: HsmDescription;
  /** Per state id: the transitions with a target, and the internal ones (listed in the state). */
  external: { t: HsmTransitionDescription; label: string; from: number; to: number }[];
  inside: string[][];
  composite: boolean[];
  ids: Map<string, number>;
}

function eventOf(d: HsmDescription, t: HsmTransitionDescription): string {
  if (t.timer < 0) return t.signal;
  const tm = d.timers[t.timer]!;
  const delay = typeof tm.delay === 'number' ? `${tm.delay} ms` : String(tm.delay);
  return `${tm.periodic ? 'every' : 'after'} ${delay}`;
}

function model(def: Describable): Model {
  const d = def.describe();
  const ids = new Map<string, number>();
  d.states.forEach((s, i) => ids.set(s.name, i));
  const inside: string[][] = d.states.map(() => []);
  const composite = d.states.map((s) => s.children.length > 0);
  const external: Model['external'] = [];
  const ts = d.transitions;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    // An unguarded transition after guarded ones of the same (state, event) is their else branch.
    let guardedBefore = false;
    for (let j = i - 1; j >= 0 && ts[j]!.source === t.source && ts[j]!.signal === t.signal; j--) if (ts[j]!.guard !== null) guardedBefore = true;
    let label = eventOf(d, t);
    if (t.guard !== null) label += ` [${guardLabel(t.guard)}]`;
    else if (guardedBefore) label += ' [else]';
    const act = actionLabel(t.action);
    if (act !== null) label += ` / ${act}`;
    const from = ids.get(t.source)!;
    if (t.target === null) {
      inside[from]!.push(label);
      continue;
    }
    const to = ids.get(t.target)!;
    // Source and target nested: the kind decides whether the container is exited; say which.
    if (from !== to && related(d, from, to)) label += t.kind === 'local' ? ' (local)' : ' (external)';
    external.push({ t, label, from, to });
  }
  d.states.forEach((s, i) => {
    for (const sig of s.defers) inside[i]!.push(`${sig} / defer`);
  });
  return { d, external, inside, composite, ids };
}

/** True when state a is a proper ancestor of state b or b of a (ids). */
function related(d: HsmDescription, a: number, b: number): boolean {
  const up = (x: number, y: number): boolean => {
    const target = d.states[x]!.name;
    for (let p = d.states[y]!.parent; p !== null; p = d.states.find((s) => s.name === p)!.parent) if (p === target) return true;
    return false;
  };
  return up(a, b) || up(b, a);
}

function initialLabel(s: HsmStateDescription): string {
  const a = s.initialAction === null ? null : actionLabel(s.initialAction);
  return a === null ? '' : `/ ${a}`;
}

// ---------------------------------------------------------------------------
// Mermaid (stateDiagram-v2)
// ---------------------------------------------------------------------------

const MERMAID_RESERVED = new Set(['state', 'note', 'end', 'direction', 'class', 'classDef', 'style', 'as', 'left', 'right', 'of', 'default', 'click']);

/** Text as Mermaid shows it: characters its parser reads get entity codes. */
function mmText(s: string): string {
  return s.replace(/[#;:<>{}"]/g, (c) => `#${c.charCodeAt(0)};`);
}

/**
 * Mermaid's stateDiagram-v2 for one or more machines. One machine draws at
 * the diagram's top level; several are composite states side by side (their
 * state ids prefixed `m0_`, `m1_`, ...). Every state is declared inside its
 * composite first; a transition is written there only when both ends are
 * direct substates of it, all others at the top level after the composites
 * (Mermaid puts a state in the last composite that mentions it).
 */
export function toMermaid(defs: readonly Describable[]): string {
  const out: string[] = ['stateDiagram-v2'];
  const tail: string[] = [];
  defs.forEach((def, k) => {
    const m = model(def);
    const { d } = m;
    const multi = defs.length > 1;
    const prefix = multi ? `m${k}_` : '';
    const id = d.states.map((s, i) => {
      const ok = /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name) && !MERMAID_RESERVED.has(s.name);
      return prefix + (ok ? s.name : `s${i}`);
    });
    const histId = (i: number): string => `${id[i]}_H`;
    const emitState = (i: number, ind: string): void => {
      const s = d.states[i]!;
      if (id[i] !== s.name) out.push(`${ind}state "${mmText(s.name)}" as ${id[i]}`);
      if (m.composite[i]) {
        out.push(`${ind}state ${id[i]} {`);
        emitBody(i, ind + '  ');
        out.push(`${ind}}`);
        if (m.inside[i]!.length > 0) {
          out.push(`${ind}note right of ${id[i]}`);
          for (const line of m.inside[i]!) out.push(`${ind}  ${mmText(line)}`);
          out.push(`${ind}end note`);
        }
      } else {
        if (id[i] === s.name && m.inside[i]!.length === 0) out.push(`${ind}${id[i]}`);
        for (const line of m.inside[i]!) out.push(`${ind}${id[i]} : ${mmText(line)}`);
      }
    };
    const emitBody = (p: number, ind: string): void => {
      const s = d.states[p]!;
      const il = initialLabel(s);
      out.push(`${ind}[*] --> ${id[m.ids.get(s.initial!)!]}${il === '' ? '' : ` : ${mmText(il)}`}`);
      if (s.history !== null) out.push(`${ind}state "${s.history === 'deep' ? 'H*' : 'H'}" as ${histId(p)}`);
      for (const c of s.children) emitState(m.ids.get(c)!, ind);
      for (const e of m.external) {
        if (e.t.history) continue;
        if (d.states[e.from]!.parent === s.name && d.states[e.to]!.parent === s.name) out.push(`${ind}${id[e.from]} --> ${id[e.to]} : ${mmText(e.label)}`);
      }
    };
    if (multi) {
      out.push(`  state "${mmText(d.name)}" as m${k}`);
      out.push(`  state m${k} {`);
      emitBody(0, '    ');
      out.push('  }');
    } else emitBody(0, '  ');
    for (const e of m.external) {
      const a = d.states[e.from]!.parent;
      const sameParent = !e.t.history && a === d.states[e.to]!.parent && (multi || a !== null);
      if (sameParent) continue;
      const to = e.t.history ? histId(e.to) : id[e.to];
      tail.push(`  ${id[e.from]} --> ${to} : ${mmText(e.label)}`);
    }
  });
  return out.concat(tail).join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Graphviz DOT
// ---------------------------------------------------------------------------

function dq(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** A DOT label: the first line centred, the compartment lines left-aligned. */
function dotLabel(name: string, lines: readonly string[]): string {
  const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  if (lines.length === 0) return '"' + esc(name) + '"';
  return '"' + esc(name) + '\\n' + lines.map((l) => esc(l) + '\\l').join('') + '"';
}

/**
 * Graphviz DOT for one or more machines (several: one cluster per machine,
 * node ids prefixed `m0_`, ...). Composite states are clusters; an edge to or
 * from a composite is clipped at its border (compound=true, lhead/ltail); an
 * edge into a composite ends at its initial dot (entering it runs its initial
 * transition); a transition from a composite to one of its own substates, and
 * a composite's self-transition, start at an invisible point just inside it.
 */
export function toDot(defs: readonly Describable[]): string {
  const multi = defs.length > 1;
  const title = multi ? 'machines' : defs[0]!.name;
  const out: string[] = [
    `digraph ${dq(title)} {`,
    '  graph [compound=true, rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.5' + (multi ? '' : `, label=${dq(title)}, labelloc=t`) + '];',
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  defs.forEach((def, k) => {
    const m = model(def);
    const { d } = m;
    const p = multi ? `m${k}_` : '';
    const nid = (i: number): string => dq(`${p}s${i}`);
    const init = (i: number): string => dq(`${p}s${i}_init`);
    const anchor = (i: number): string => dq(`${p}s${i}_in`);
    const hist = (i: number): string => dq(`${p}s${i}_H`);
    const cluster = (i: number): string => dq(`cluster_${p}s${i}`);
    const needAnchor = new Set<number>();
    for (const e of m.external) {
      if (e.t.history) continue;
      if (m.composite[e.from] && e.from === e.to) needAnchor.add(e.from);
      if (m.composite[e.from] && related(d, e.from, e.to) && e.from !== e.to) needAnchor.add(e.from);
    }
    const emitInside = (s: number, ind: string): void => {
      const st = d.states[s]!;
      out.push(`${ind}${init(s)} [shape=point, width=0.12, label=""];`);
      if (needAnchor.has(s)) out.push(`${ind}${anchor(s)} [shape=point, style=invis, width=0.01, label=""];`);
      if (st.history !== null) out.push(`${ind}${hist(s)} [shape=circle, width=0.3, fixedsize=true, label=${dq(st.history === 'deep' ? 'H*' : 'H')}];`);
      for (const c of st.children) emitState(m.ids.get(c)!, ind);
    };
    const emitState = (s: number, ind: string): void => {
      const st = d.states[s]!;
      if (!m.composite[s]) {
        out.push(`${ind}${nid(s)} [label=${dotLabel(st.name, m.inside[s]!)}];`);
        return;
      }
      out.push(`${ind}subgraph ${cluster(s)} {`);
      out.push(`${ind}  graph [label=${dotLabel(st.name, m.inside[s]!)}, labeljust=l, style=rounded];`);
      emitInside(s, ind + '  ');
      out.push(`${ind}}`);
    };
    if (multi) {
      out.push(`  subgraph ${dq(`cluster_${p}machine`)} {`);
      out.push(`    graph [label=${dq(d.name)}, labeljust=c, style=solid];`);
      emitInside(0, '    ');
      out.push('  }');
    } else emitInside(0, '  ');
    // Initial transitions.
    for (let s = 0; s < d.states.length; s++) {
      const st = d.states[s]!;
      if (st.initial === null) continue;
      const t = m.ids.get(st.initial)!;
      const attrs: string[] = [];
      if (m.composite[t]) attrs.push(`lhead=${cluster(t)}`);
      const il = initialLabel(st);
      if (il !== '') attrs.push(`label=${dq(il)}`);
      out.push(`  ${init(s)} -> ${m.composite[t] ? init(t) : nid(t)}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
    }
    for (const e of m.external) {
      const attrs: string[] = [];
      const nested = e.from !== e.to && related(d, e.from, e.to);
      let tail: string;
      let head: string;
      if (!m.composite[e.from]) tail = nid(e.from);
      else if (nested) tail = anchor(e.from);
      else {
        tail = init(e.from);
        attrs.push(`ltail=${cluster(e.from)}`);
      }
      if (e.t.history) head = hist(e.to);
      else if (!m.composite[e.to]) head = nid(e.to);
      else {
        // Entering a composite is its initial transition: the edge ends at its
        // initial dot (clipped at the border when coming from outside).
        head = init(e.to);
        if (!nested) attrs.push(`lhead=${cluster(e.to)}`);
      }
      if (m.composite[e.from] && e.from === e.to) {
        // A composite's self-transition: a loop on the point just inside it.
        tail = anchor(e.from);
        head = anchor(e.to);
        attrs.length = 0;
      }
      attrs.push(`label=${dq(e.label)}`);
      out.push(`  ${tail} -> ${head} [${attrs.join(', ')}];`);
    }
  });
  out.push('}');
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// SVG (Graphviz in WebAssembly)
// ---------------------------------------------------------------------------

interface VizInstance {
  renderString(src: string, options: { format: string; engine?: string }): string;
}
let vizPromise: Promise<VizInstance> | null = null;

/** Renders DOT text to SVG with `@viz-js/viz` (loaded on first use; throws a CliUsage-worthy message when it is not installed). */
export async function dotToSvg(dot: string): Promise<string> {
  if (vizPromise === null) {
    const spec = '@viz-js/viz';
    vizPromise = (import(spec) as Promise<{ instance(): Promise<VizInstance> }>).then((m) => m.instance());
    vizPromise.catch(() => {
      vizPromise = null;
    });
  }
  const viz = await vizPromise;
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}

/** The diagram of `defs` in `format` (svg goes through DOT). */
export async function render(defs: readonly Describable[], format: DiagramFormat): Promise<string> {
  if (format === 'mermaid') return toMermaid(defs);
  const dot = toDot(defs);
  return format === 'dot' ? dot : dotToSvg(dot);
}

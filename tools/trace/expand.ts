/**
 * tools/trace/expand: turns the records of a 'compact' machine (src/trace.ts,
 * TraceOptions.machines) back into the records a 'full' machine writes, from
 * the dictionary (states with parent and initial target, transitions with
 * source, target, kind and history flag):
 *
 *   DISPATCH + TRACE_FLAG_IMPLIED (state = leaf, aux = transition index t)
 *     --> DISPATCH (aux 0, flags 0, transition t)
 *         TRANSITION (state = source of t, aux = its target, -1 internal)
 *         EXIT per state from the leaf up to the LCA (not included)
 *         ENTRY per state from below the LCA down to the target
 *         the target's drill-down: INIT (state, aux = initial target), ENTRY .., per level
 *           (not for a history transition: its INIT + HISTORY record follows)
 *   INIT + IMPLIED (start(): state = top)        --> the drill-down from `state`
 *   INIT + IMPLIED + HISTORY (state = target, aux = resumed h, -1 none)
 *     --> ENTRY per state below the target down to h, then the drill-down from h (or the target)
 *
 * Implied records get `implied: true` and the compact record's seq, time and
 * offset. The sequence is the one a 'full' machine writes (the same exits,
 * entries and initial transitions in the same order; test/node/trace-format
 * checks it against the fixtures' logs); records written by actions while
 * the transition ran come after the implied ones instead of between them.
 *
 * A record that names a transition or state the dictionary does not have
 * (an unknown object, a corrupted id) is passed on unexpanded with
 * `expandError` set: expansion never throws, and every walk is bounded by the
 * number of states (a corrupted parent chain cannot loop).
 */
import { TRACE_DISPATCH, TRACE_ENTRY, TRACE_EXIT, TRACE_FLAG_HISTORY, TRACE_FLAG_IMPLIED, TRACE_INIT, TRACE_TRANSITION } from '../../src/trace.js';
import type { TraceObject, TraceRecord } from './decode.js';

/** True when `r` is a compact record the expander turns into several. */
export function isCompact(r: TraceRecord): boolean {
  return (r.kind === TRACE_DISPATCH || r.kind === TRACE_INIT) && (r.flags & TRACE_FLAG_IMPLIED) !== 0;
}

/**
 * Expands one record (see the header) into `out`, in order; other records
 * are passed through as they are. `objects` is the dictionary seen so far.
 */
export function expandRecord(r: TraceRecord, objects: ReadonlyMap<number, TraceObject>, out: (r: TraceRecord) => void): void {
  if (!isCompact(r)) {
    out(r);
    return;
  }
  const o = objects.get(r.object);
  if (o === undefined || o.type !== 'hsm' || o.states.length === 0) {
    out({ ...r, expandError: `object ${r.object} is not a machine in the dictionary` });
    return;
  }
  const e = new Expansion(r, o, out);
  if (r.kind === TRACE_DISPATCH) e.dispatch();
  else if ((r.flags & TRACE_FLAG_HISTORY) !== 0) e.history();
  else if (e.state(r.state)) e.drill(r.state);
  else out({ ...r, expandError: `state ${r.state} is not in the dictionary of '${o.name}'` });
}

class Expansion {
  private readonly n: number;
  constructor(
    private readonly r: TraceRecord,
    private readonly o: TraceObject,
    private readonly out: (r: TraceRecord) => void,
  ) {
    this.n = o.states.length;
  }

  state(s: number): boolean {
    return Number.isInteger(s) && s >= 0 && s < this.n;
  }

  private parent(s: number): number {
    return this.o.states[s]!.parent;
  }

  /** a is a proper ancestor of d (bounded by the state count). */
  private isAncestor(a: number, d: number): boolean {
    let x = this.parent(d);
    for (let k = 0; k < this.n && this.state(x); k++, x = this.parent(x)) if (x === a) return true;
    return false;
  }

  private emit(kind: number, state: number, aux: number, withEvent: boolean): void {
    const r = this.r;
    this.out({
      offset: r.offset,
      seq: r.seq,
      time: r.time,
      t: r.t,
      kind,
      flags: 0,
      object: r.object,
      signal: withEvent ? r.signal : -1,
      state,
      aux,
      p0: withEvent ? r.p0 : 0,
      p1: withEvent ? r.p1 : 0,
      implied: true,
    });
  }

  private fail(why: string): void {
    this.out({ ...this.r, expandError: why });
  }

  /** ENTRY per state strictly below `from` down to `to`, top-down. False if `to` is not below `from`. */
  private enter(from: number, to: number): boolean {
    const path: number[] = [];
    let x = to;
    for (let k = 0; x !== from; k++) {
      if (!this.state(x) || k > this.n) return false;
      path.push(x);
      x = this.parent(x);
    }
    for (let i = path.length - 1; i >= 0; i--) this.emit(TRACE_ENTRY, path[i]!, 0, false);
    return true;
  }

  /** The drill-down from `s`: per level INIT (s, aux = its initial target), then the entries. */
  drill(s: number): void {
    for (let k = 0; k <= this.n; k++) {
      const to = this.o.states[s]!.initial;
      if (to < 0) return;
      if (!this.state(to)) return this.fail(`state ${s}'s initial target ${to} is not a state`);
      this.emit(TRACE_INIT, s, to, false);
      if (!this.enter(s, to)) return this.fail(`state ${s}'s initial target ${to} is not below it`);
      s = to;
    }
  }

  dispatch(): void {
    const r = this.r;
    const t = r.aux;
    const tr = this.o.transitions[t];
    const leaf = r.state;
    if (tr === undefined || !this.state(leaf)) return this.fail(`transition ${t} or leaf ${leaf} is not in the dictionary of '${this.o.name}'`);
    this.out({ ...r, aux: 0, flags: 0, transition: t });
    const s = tr.source;
    const d = tr.target;
    this.emit(TRACE_TRANSITION, s, d, true);
    if (d < 0) return;
    if (!this.state(s) || !this.state(d)) return this.fail(`transition ${t}'s source ${s} or target ${d} is not a state`);
    let lca: number;
    if (tr.kind === 'self' || s === d) lca = this.parent(s);
    else if (this.isAncestor(s, d)) lca = tr.kind === 'local' ? s : this.parent(s);
    else if (this.isAncestor(d, s)) lca = tr.kind === 'local' ? d : this.parent(d);
    else {
      lca = this.parent(s);
      for (let k = 0; k <= this.n && this.state(lca) && !this.isAncestor(lca, d); k++) lca = this.parent(lca);
    }
    // Exits from the leaf up to the LCA (not included).
    let x = leaf;
    for (let k = 0; x !== lca; k++) {
      if (!this.state(x) || k > this.n) return this.fail(`the leaf ${leaf} is not below transition ${t}'s LCA ${lca}`);
      this.emit(TRACE_EXIT, x, 0, false);
      x = this.parent(x);
    }
    if (!this.enter(lca, d)) return this.fail(`transition ${t}'s target ${d} is not below its LCA ${lca}`);
    if (!tr.history) this.drill(d);
  }

  history(): void {
    const target = this.r.state;
    const h = this.r.aux;
    if (!this.state(target)) return this.fail(`history target ${target} is not a state`);
    if (h < 0) return this.drill(target);
    if (!this.state(h) || !this.enter(target, h)) return this.fail(`resumed state ${h} is not below the history target ${target}`);
    this.drill(h);
  }
}

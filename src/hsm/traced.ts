/**
 * hsm/traced: the two traced forms of `Hsm.dispatch` (src/hsm/machine.ts).
 * While a trace's filter lets some hsm step kind through, the trace's onFilter
 * hook makes a machine's `dispatch` an own property bound to one of these
 * (`Hsm.traceFilter`); otherwise the machine runs the prototype's untraced
 * dispatch, which has no trace branch at all.
 *
 *   dispatchCompact  ('compact', the default) the same steps as dispatch(),
 *                    plus one DISPATCH record per event; the decoder expands
 *                    the transition from the definition.
 *   dispatchTraced   ('full') walks the tree instead of the precomputed
 *                    sequences, one record per step (DISPATCH, TRANSITION,
 *                    EXIT, ENTRY, INIT).
 *
 * Keep both in step with `Hsm.dispatch` (test/trace/trace-equivalence.test.ts
 * compares them). Called in the machine's context only; no allocation (XS
 * tests in test/trace/trace-alloc.test.ts); loops bounded by the definition's depth.
 */
import {
  TRACE_DISPATCH,
  TRACE_ENTRY,
  TRACE_EXIT,
  TRACE_FLAG_HISTORY,
  TRACE_FLAG_IMPLIED,
  TRACE_HSM_STEP_KINDS,
  TRACE_INIT,
  TRACE_TRANSITION,
} from '../trace.js';
import { HsmUsageError } from './errors.js';
import { NOOP } from './definition.js';
import type { Hsm } from './machine.js';
import {
  badParam,
  DEFER_MARK,
  HIST_DEEP,
  HIST_NONE,
  HSM_HANDLED,
  HSM_IGNORED,
  HSM_TRANSITION,
  IGNORE_MARK,
  LOCK_BUSY,
  LOCK_IDLE,
  TR_HISTORY,
  TR_RECORD,
} from './types.js';

/**
 * dispatch() of a machine with a 'compact' trace whose filter lets some
 * machine kind through (own property `dispatch`, see traceFilter()): the
 * same steps as dispatch() (keep the two in step), plus one DISPATCH record
 * once the transition is known, before its action: flag TRACE_FLAG_IMPLIED
 * and aux = the transition's index (the decoder expands TRANSITION, EXIT,
 * ENTRY, INIT from the dictionary); without a transition (ignored,
 * deferred) a plain DISPATCH. A history entry adds one INIT record
 * (TRACE_FLAG_HISTORY, aux = the state resumed). Allocates nothing.
 */
export function dispatchCompact(this: Hsm<unknown>, sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
  if (p3 === undefined) return this.dispatchFilled(sig, p0, p1, p2);
  if (this.lock !== LOCK_IDLE) throw this.lockError();
  if (DEBUG) {
    if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
      throw new HsmUsageError('BAD_PARAM', this.name, 'dispatch() signal and parameters must be numbers');
  }
  const tr = this.trace!;
  const row = this.rows[sig];
  let s = this.leaf;
  if (row === undefined) {
    if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, (sig & 0xffff) | (s << 16), 0, p0!, p1!);
    this.ignored++;
    return HSM_IGNORED;
  }
  let e = row[s]!;
  while (e === 0) e = row[(s = this.parent[s]!)]!;
  if (e >= IGNORE_MARK) {
    if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, sig | (this.leaf << 16), 0, p0!, p1!);
    if (e === DEFER_MARK) return this.defer(sig, p0, p1, p2, p3);
    this.ignored++;
    return HSM_IGNORED;
  }
  this.lock = LOCK_BUSY;
  let t = e - 1;
  if (this.trGuard[t] !== undefined) {
    t = this.guarded(row, s, t, p0, p1, p2, p3);
    if (t < 0) {
      this.lock = LOCK_IDLE;
      if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0) tr.write(this.traceHead | TRACE_DISPATCH, sig | (this.leaf << 16), 0, p0!, p1!);
      if (t === -2) return this.defer(sig, p0, p1, p2, p3);
      this.ignored++;
      return HSM_IGNORED;
    }
  }
  // The one record (signals with a row are < 0x10000: no mask needed).
  if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
    tr.write(this.traceHead | (TRACE_DISPATCH | (TRACE_FLAG_IMPLIED << 8)), sig | (this.leaf << 16), t, p0!, p1!);
  const ctx = this.ctx;
  const a = this.trAction[t];
  if (a !== undefined) a(ctx, p0!, p1!, p2!, p3, this);
  const target = this.trTarget[t]!;
  if (target < 0) {
    this.lock = LOCK_IDLE;
    return HSM_HANDLED;
  }
  const flags = this.trFlags[t]!;
  const lca = this.trLca[t]!;
  s = this.leaf;
  if ((flags & TR_RECORD) !== 0) this.exitRecording(s, lca);
  else {
    const exit = this.exitFn;
    const parent = this.parent;
    while (s !== lca) {
      const f = exit[s];
      if (f !== undefined) f(ctx, this);
      s = parent[s]!;
    }
  }
  const seq = this.seq;
  const fns = this.fns;
  const end = this.trSeqEnd[t]!;
  for (let i = this.trSeqStart[t]!; i < end; i++) fns[seq[i]!]!(ctx, this);
  if ((flags & TR_HISTORY) === 0) this.leaf = this.trLeaf[t]!;
  else {
    if ((tr.filter[this.traceId]! & TRACE_HSM_STEP_KINDS) !== 0)
      tr.write(this.traceHead | (TRACE_INIT | ((TRACE_FLAG_IMPLIED | TRACE_FLAG_HISTORY) << 8)), 0xffff | (target << 16), this.hist[target]!, 0, 0);
    this.leaf = this.enterHistory(target);
  }
  this.lock = LOCK_IDLE;
  return HSM_TRANSITION;
}

/**
 * dispatch() with a trace whose filter lets some machine kind through: the
 * same steps, with records, walking the tree instead of the precomputed
 * sequences (those list only states that have handlers): DISPATCH, then
 * TRANSITION (before the action), EXIT per state left, ENTRY per state
 * entered, INIT per initial transition taken (before its entries).
 */
export function dispatchTraced(this: Hsm<unknown>, sig: number, p0?: number, p1?: number, p2?: number, p3?: number): number {
  if (p3 === undefined) return this.dispatchFilled(sig, p0, p1, p2);
  if (this.lock !== LOCK_IDLE) throw this.lockError();
  if (DEBUG) {
    if (badParam(sig) || badParam(p0) || badParam(p1) || badParam(p2) || badParam(p3))
      throw new HsmUsageError('BAD_PARAM', this.name, 'dispatch() signal and parameters must be numbers');
  }
  const tr = this.trace!;
  const id = this.traceId;
  tr.rec(TRACE_DISPATCH, id, sig, this.leaf, 0, p0!, p1!);
  const row = this.rows[sig];
  if (row === undefined) {
    this.ignored++;
    return HSM_IGNORED;
  }
  let s = this.leaf;
  let e = row[s]!;
  while (e === 0) e = row[(s = this.parent[s]!)]!;
  if (e >= IGNORE_MARK) {
    if (e === DEFER_MARK) return this.defer(sig, p0, p1, p2, p3);
    this.ignored++;
    return HSM_IGNORED;
  }
  this.lock = LOCK_BUSY;
  let t = e - 1;
  if (this.trGuard[t] !== undefined) {
    t = this.guarded(row, s, t, p0, p1, p2, p3);
    if (t < 0) {
      this.lock = LOCK_IDLE;
      if (t === -2) return this.defer(sig, p0, p1, p2, p3);
      this.ignored++;
      return HSM_IGNORED;
    }
  }
  const target = this.trTarget[t]!;
  tr.rec(TRACE_TRANSITION, id, sig, this.definition.tables.trSource[t]!, target, p0!, p1!);
  const a = this.trAction[t];
  if (a !== undefined) a(this.ctx, p0!, p1!, p2!, p3, this);
  if (target < 0) {
    this.lock = LOCK_IDLE;
    return HSM_HANDLED;
  }
  const flags = this.trFlags[t]!;
  const lca = this.trLca[t]!;
  exitTraced(this, this.leaf, lca, (flags & TR_RECORD) !== 0);
  enterTraced(this, lca, target);
  this.leaf = (flags & TR_HISTORY) === 0 ? drillTraced(this, target) : enterHistoryTraced(this, target);
  this.lock = LOCK_IDLE;
  return HSM_TRANSITION;
}

/** Traced: exits from `x` up to `lca` (not included), an EXIT record before each exit action; records history if asked. */
function exitTraced(m: Hsm<unknown>, x: number, lca: number, recording: boolean): void {
  const tr = m.trace!;
  const id = m.traceId;
  const parent = m.parent;
  const exit = m.exitFn;
  const histKind = m.histKind;
  const from = x;
  let prev = -1;
  while (x !== lca) {
    if (recording) {
      const hk = histKind[x]!;
      if (hk !== HIST_NONE) m.hist[x] = hk === HIST_DEEP ? from : prev;
    }
    tr.rec(TRACE_EXIT, id, -1, x, 0, 0, 0);
    const f = exit[x];
    if (f !== undefined) f(m.ctx, m);
    prev = x;
    x = parent[x]!;
  }
}

/** Traced: enters the states strictly below `from` down to `to`, top-down, an ENTRY record before each entry action. */
function enterTraced(m: Hsm<unknown>, from: number, to: number): void {
  const tr = m.trace!;
  const id = m.traceId;
  const parent = m.parent;
  const fns = m.fns;
  const sc = m.scratch;
  let k = 0;
  // Bound: depth <= maxDepth = scratch.length - 1.
  for (let x = to; x !== from; x = parent[x]!) sc[k++] = x;
  while (k > 0) {
    const x = sc[--k]!;
    tr.rec(TRACE_ENTRY, id, -1, x, 0, 0, 0);
    const f = fns[x]!;
    if (f !== NOOP) f(m.ctx, m);
  }
}

/** Traced drill(): from `s`, per initial transition an INIT record (state, aux = its target), its action, the entries. Returns the leaf. */
export function drillTraced(m: Hsm<unknown>, s: number): number {
  const tr = m.trace!;
  const id = m.traceId;
  const initTarget = m.definition.tables.initTarget;
  const fns = m.fns;
  const n = initTarget.length;
  // Bound: each pass goes one level deeper.
  while (initTarget[s]! >= 0) {
    const to = initTarget[s]!;
    tr.rec(TRACE_INIT, id, -1, s, to, 0, 0);
    const a = fns[n + s]!;
    if (a !== NOOP) a(m.ctx, m);
    enterTraced(m, s, to);
    s = to;
  }
  return s;
}

/** Traced enterHistory(). */
function enterHistoryTraced(m: Hsm<unknown>, target: number): number {
  const h = m.hist[target]!;
  if (h < 0) return drillTraced(m, target);
  enterTraced(m, target, h);
  return drillTraced(m, h);
}


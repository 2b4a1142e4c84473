/**
 * The bench harness: engine-neutral definitions, run by scripts/bench.mjs on
 * Node (wall-clock ns/op) and on the keel-xs host (XS steps, slots and chunk
 * bytes per op, read from the engine's own counters).
 *
 * A bench file (bench/NAME.bench.ts) default-exports `defineBench(...)`: a
 * list of cases. A case names its `baseline`: another case in the same file
 * that does the same work by hand (or with a peer library), and the report
 * gives the ratio to it: ns/op on Node, steps/op on XS.
 */
import { allocations } from '../test/support/alloc.js';

export interface BenchCase {
  /** Unique within the file, e.g. "keel BlockPool claim+release". */
  name: string;
  /** Name of the case in the same file this one is compared to. Omit for baselines. */
  baseline?: string;
  /** Setup, run once per engine; returns the operation to measure. */
  make(): () => unknown;
  /** Operations done by one call of the returned function (default 1). Results are per operation. */
  opsPerCall?: number;
  /** Calls measured on XS (default 10,000). Lower it for cases that allocate, so no GC runs mid-measurement. */
  xsCalls?: number;
  /** Set for a case that runs on the keel-xs host only (it needs $xs functions); says why. Node skips it. */
  xsOnly?: string;
  /**
   * XS only: further measured figures of the case (e.g. latency percentiles
   * from a thread run), named with their unit; run after the counters'
   * measurement, stored in the row's `figures`.
   */
  figures?: () => Record<string, number>;
}

export interface BenchFile {
  name: string;
  cases: BenchCase[];
}

export function defineBench(name: string, cases: BenchCase[]): BenchFile {
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`bench ${name}: duplicate case name "${c.name}"`);
    names.add(c.name);
  }
  for (const c of cases) {
    if (c.baseline !== undefined && !names.has(c.baseline))
      throw new Error(`bench ${name}: case "${c.name}" names baseline "${c.baseline}", which is not a case in this file`);
  }
  return { name, cases };
}

export interface XsRow {
  bench: string;
  name: string;
  baseline: string | null;
  stepsPerOp: number;
  slotsPerOp: number;
  chunkBytesPerOp: number;
  collections: number;
  figures?: Record<string, number>;
}

/** Runs every case on the XS host and prints one `KEEL-BENCH {json}` line per case. */
export function runOnXs(file: BenchFile, emit: (line: string) => void): void {
  for (const c of file.cases) {
    const fn = c.make();
    const ops = c.opsPerCall ?? 1;
    const calls = c.xsCalls ?? 10000;
    const a = allocations(fn, calls);
    if (a === null) throw new Error('runOnXs: not on the keel-xs host');
    const row: XsRow = {
      bench: file.name,
      name: c.name,
      baseline: c.baseline ?? null,
      stepsPerOp: a.steps / ops,
      slotsPerOp: a.slots / ops,
      chunkBytesPerOp: a.chunkBytes / ops,
      collections: a.collections,
    };
    if (c.figures !== undefined) row.figures = c.figures();
    emit('KEEL-BENCH ' + JSON.stringify(row));
  }
}

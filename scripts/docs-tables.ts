// The measured tables and figures in docs/*.md and README.md, generated from
// bench results (issue 15, item 5), for `npm run docs` (scripts/docs.mjs
// writes them) and test/node/docs-tables.test.ts (renders them in memory and
// compares with the committed docs). A number that comes from a bench run is
// never typed by hand: it sits between markers and is rewritten from the
// results file, so a doc cannot disagree with bench/results.
//
//   bench/results/latest.json --(docs/bench-tables.json: tables, row names)-->
//   <!-- bench:table ID -->           a markdown table, spec in docs/bench-tables.json
//   ...generated...
//   <!-- /bench -->
//   <!-- bench:value ROW COLUMN -->699<!-- /bench -->   one number in prose
//
// ROW is an alias from the spec's "rows" or a quoted full row name
// ("kernel: kernel post + run (3 AOs)", as bench/results/latest.json spells
// it: "<bench>: <case>"). COLUMN is ENGINE.FIELD: xs.steps, xs.slots,
// xs.chunks, xs.ratio, node.ns, node.ratio, or xs.figure:KEY / node.figure:KEY
// for a row's extra measured figures (quote an item with spaces:
// "xs.figure:10 kHz: latency p99 us"). `file=PATH` (on a marker, or "file" on a
// table spec) reads another results file: one with a "runs" array (e.g.
// bench/results/moddable-bridge.json) names a row by its "run" and "mode"
// ("single -i") and a column by a dotted path into the run ("latencyUs.p99").
// `digits=N` overrides the decimals. A missing row or value is a
// BenchDocsError naming the file, the marker and the row, and what to run.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A results row as scripts/bench.mjs writes it to bench/results/latest.json. */
export interface BenchRow {
  name: string;
  engine: 'node' | 'xs';
  baseline: string | null;
  nsPerOp: number | null;
  stepsPerOp: number | null;
  slotsPerOp: number | null;
  chunkBytesPerOp: number | null;
  ratio: number | null;
  figures?: Record<string, number>;
}

/**
 * A column: [heading, value] with value 'label' or a COLUMN; the optional
 * third item sets decimals (`digits`) or reads the row's baseline row
 * (`of: 'baseline'`, e.g. a "before" column beside its "after" row).
 */
export type ColumnSpec = [string, string] | [string, string, ColumnOptions];
export interface ColumnOptions {
  digits?: number;
  of?: 'baseline';
}
/**
 * A table row: [label, ROW], or [label, [ROW | null, ...]] with one ROW per
 * non-label column (null: '-'), for a table whose columns are different rows
 * (no trace / traced, before / after).
 */
export type RowSpec = [string, string | Array<string | null>];

export interface TableSpec {
  /** Results file relative to the repository root (default bench/results/latest.json). */
  file?: string;
  columns: ColumnSpec[];
  rows: RowSpec[];
}

export interface TablesSpec {
  /** Aliases: short name -> full row name. */
  rows?: Record<string, string>;
  tables: Record<string, TableSpec>;
}

/** A doc that cannot be generated: which file, which marker, what is missing, what to run. */
export class BenchDocsError extends Error {
  override name = 'BenchDocsError';
}

export const DEFAULT_RESULTS = 'bench/results/latest.json';
export const SPEC_FILE = 'docs/bench-tables.json';

/** Reads a results file's parsed JSON by path relative to the repository root. */
export type ResultsLoader = (file: string) => unknown;

const FIELDS: Record<string, keyof BenchRow> = {
  steps: 'stepsPerOp',
  slots: 'slotsPerOp',
  chunks: 'chunkBytesPerOp',
  ns: 'nsPerOp',
  ratio: 'ratio',
};

/** The default decimals of a column: ratios 2 (and an x), everything else 1. */
function defaultDigits(column: string): number {
  return /(^|\.)ratio$/.test(column) ? 2 : 1;
}

/**
 * One number as the docs print it: `digits` decimals (1 by default; a ratio 2
 * and an `x`), trailing `.0` dropped when digits is 1 (699.0034 -> 699,
 * 641.33 -> 641.3), null as `-`.
 */
export function formatValue(value: number | null, column: string, digits?: number): string {
  if (value === null) return '-';
  const d = digits ?? defaultDigits(column);
  if (/(^|\.)ratio$/.test(column)) return value.toFixed(d) + 'x';
  const s = value.toFixed(d);
  return digits === undefined && d === 1 ? s.replace(/\.0$/, '') : s;
}

/** Splits marker attributes on spaces, keeping "double quoted" items whole. */
export function splitAttributes(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2]!);
  return out;
}

interface Where {
  doc: string;
  marker: string;
}

function fail(where: Where, what: string): never {
  throw new BenchDocsError(`${where.doc}: ${where.marker}: ${what}`);
}

/** What to run to (re)make a results file's row. */
function remedy(file: string, data: unknown, rowName: string): string {
  if (file === DEFAULT_RESULTS) {
    const bench = rowName.includes(':') ? rowName.slice(0, rowName.indexOf(':')) : '<name>';
    return `run \`node scripts/bench.mjs ${bench}\`, then \`npm run docs\``;
  }
  const command = data !== null && typeof data === 'object' && 'command' in data ? String((data as { command: unknown }).command) : null;
  return command ? `run \`${command}\`, then \`npm run docs\`` : `re-make ${file}, then \`npm run docs\``;
}

/** The value of ROW/COLUMN in a results file; throws for a missing row or value. */
export function lookup(where: Where, file: string, data: unknown, rowName: string, column: string): number | null {
  if (Array.isArray(data)) {
    const m = /^(xs|node)\.(steps|slots|chunks|ns|ratio|figure:(.+))$/.exec(column);
    if (!m) fail(where, `column '${column}' is not one of xs|node . steps, slots, chunks, ns, ratio, figure:KEY`);
    const engine = m[1] as 'xs' | 'node';
    const row = (data as BenchRow[]).find((r) => r.name === rowName && r.engine === engine);
    if (row === undefined) fail(where, `no row "${rowName}" (engine ${engine}) in ${file}; ${remedy(file, data, rowName)}`);
    if (m[3] !== undefined) {
      const v = row.figures?.[m[3]];
      if (v === undefined) fail(where, `row "${rowName}" (engine ${engine}) in ${file} has no figure "${m[3]}"; ${remedy(file, data, rowName)}`);
      return v;
    }
    const v = row[FIELDS[m[2]!]!] as number | null;
    // A baseline row has no ratio: '-'; any other missing field is an error.
    if (v === null && !(m[2] === 'ratio' && row.baseline === null)) fail(where, `row "${rowName}" (engine ${engine}) in ${file} has no ${column}; ${remedy(file, data, rowName)}`);
    return v;
  }
  if (data !== null && typeof data === 'object' && Array.isArray((data as { runs?: unknown }).runs)) {
    const runs = (data as { runs: Array<Record<string, unknown>> }).runs;
    const run = runs.find((r) => [r['run'], r['mode']].filter((x) => x !== undefined).join(' ') === rowName);
    if (run === undefined) {
      const names = runs.map((r) => `"${[r['run'], r['mode']].filter((x) => x !== undefined).join(' ')}"`).join(', ');
      fail(where, `no run "${rowName}" in ${file} (it has ${names}); ${remedy(file, data, rowName)}`);
    }
    let v: unknown = run;
    for (const key of column.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    if (typeof v !== 'number') fail(where, `run "${rowName}" in ${file} has no number at '${column}'; ${remedy(file, data, rowName)}`);
    return v;
  }
  return fail(where, `${file} is neither a bench rows array nor an object with "runs"`);
}

/** The baseline row name of ROW (bench rows only). */
function baselineOf(where: Where, file: string, data: unknown, rowName: string, column: string): string {
  const engine = column.slice(0, column.indexOf('.'));
  const row = Array.isArray(data) ? (data as BenchRow[]).find((r) => r.name === rowName && r.engine === engine) : undefined;
  if (row === undefined) fail(where, `no row "${rowName}" (engine ${engine}) in ${file}; ${remedy(file, data, rowName)}`);
  if (row.baseline === null) fail(where, `row "${rowName}" in ${file} has no baseline (column of: 'baseline')`);
  return row.baseline;
}

function resolveRow(spec: TablesSpec, ref: string): string {
  return spec.rows?.[ref] ?? ref;
}

function attrs(where: Where, items: string[]): { positional: string[]; named: Map<string, string> } {
  const positional: string[] = [];
  const named = new Map<string, string>();
  for (const item of items) {
    const eq = /^(file|digits)=(.*)$/.exec(item);
    if (eq) named.set(eq[1]!, eq[2]!);
    else positional.push(item);
  }
  const digits = named.get('digits');
  if (digits !== undefined && !/^\d$/.test(digits)) fail(where, `digits=${digits} is not 0..9`);
  return { positional, named };
}

/** The markdown table of spec table `id` (ends with a newline). */
export function renderTable(where: Where, spec: TablesSpec, id: string, load: ResultsLoader, fileOverride?: string): string {
  const table = spec.tables[id];
  if (table === undefined) fail(where, `no table '${id}' in ${SPEC_FILE} (it has ${Object.keys(spec.tables).join(', ')})`);
  const file = fileOverride ?? table.file ?? DEFAULT_RESULTS;
  const data = load(file);
  const heads = table.columns.map((c) => c[0]);
  const lines = [`| ${heads.join(' | ')} |`, `|${table.columns.map((c) => (c[1] === 'label' ? '---' : '---:')).join('|')}|`];
  const valueColumns = table.columns.filter((c) => c[1] !== 'label').length;
  for (const [label, ref] of table.rows) {
    if (Array.isArray(ref) && ref.length !== valueColumns) fail(where, `table '${id}' row '${label}' names ${ref.length} rows for ${valueColumns} value columns`);
    let i = 0;
    const cells = table.columns.map(([, column, opts]) => {
      if (column === 'label') return label;
      const cellRef = Array.isArray(ref) ? (ref[i++] ?? null) : ref;
      if (cellRef === null) return '-';
      const rowName = resolveRow(spec, cellRef);
      const name = opts?.of === 'baseline' ? baselineOf(where, file, data, rowName, column) : rowName;
      return formatValue(lookup(where, file, data, name, column), column, opts?.digits);
    });
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

const TABLE = /<!-- bench:table ([^>\n]*?) -->\n([\s\S]*?)<!-- \/bench -->/g;
const VALUE = /<!-- bench:value ([^>\n]*?) -->([^<\n]*)<!-- \/bench -->/g;
const ANY = /<!-- bench:(\S+)/g;

/**
 * `markdown` (the text of `doc`, a path for messages) with every bench
 * marker's contents rendered from the results. Throws BenchDocsError for a
 * malformed marker, an unknown table, or a missing row or value.
 */
export function renderBenchBlocks(doc: string, markdown: string, spec: TablesSpec, load: ResultsLoader): string {
  const opened = Array.from(markdown.matchAll(ANY)).length;
  const found = Array.from(markdown.matchAll(TABLE)).length + Array.from(markdown.matchAll(VALUE)).length;
  if (opened !== found) {
    const bad = Array.from(markdown.matchAll(ANY)).find((m) => m[1] !== 'table' && m[1] !== 'value');
    throw new BenchDocsError(
      `${doc}: ${opened - found} bench marker(s) not closed or malformed${bad ? ` (<!-- bench:${bad[1]}: use bench:table or bench:value)` : ''}; ` +
        'write <!-- bench:table ID -->, a newline, <!-- /bench --> or <!-- bench:value ROW COLUMN -->N<!-- /bench --> on one line',
    );
  }
  const tables = markdown.replace(TABLE, (_all, attrText: string) => {
    const marker = `<!-- bench:table ${attrText} -->`;
    const where = { doc, marker };
    const { positional, named } = attrs(where, splitAttributes(attrText));
    if (positional.length !== 1) fail(where, 'write <!-- bench:table ID [file=PATH] --> with ID a table of ' + SPEC_FILE);
    return `${marker}\n${renderTable(where, spec, positional[0]!, load, named.get('file'))}<!-- /bench -->`;
  });
  return tables.replace(VALUE, (_all, attrText: string) => {
    const marker = `<!-- bench:value ${attrText} -->`;
    const where = { doc, marker };
    const { positional, named } = attrs(where, splitAttributes(attrText));
    if (positional.length !== 2) fail(where, 'write <!-- bench:value ROW COLUMN [file=PATH] [digits=N] -->');
    const [ref, column] = positional as [string, string];
    const file = named.get('file') ?? DEFAULT_RESULTS;
    const digits = named.get('digits');
    const v = lookup(where, file, load(file), resolveRow(spec, ref), column);
    if (v === null) fail(where, `${column} of "${resolveRow(spec, ref)}" is empty (a baseline row has no ratio)`);
    return `${marker}${formatValue(v, column, digits === undefined ? undefined : Number(digits))}<!-- /bench -->`;
  });
}

/** The docs the tables step reads: README.md and docs/*.md, relative to the root. */
export function benchDocPaths(root: string): string[] {
  return ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
}

/** A loader reading results files under `root`, each parsed once. */
export function fileLoader(root: string): ResultsLoader {
  const cache = new Map<string, unknown>();
  return (file) => {
    if (!cache.has(file)) {
      let text: string;
      try {
        text = readFileSync(join(root, file), 'utf8');
      } catch {
        throw new BenchDocsError(`${file} not found; run \`node scripts/bench.mjs\` (or the run that writes it), then \`npm run docs\``);
      }
      cache.set(file, JSON.parse(text));
    }
    return cache.get(file);
  };
}

/** The spec file under `root`. */
export function readSpec(root: string): TablesSpec {
  return JSON.parse(readFileSync(join(root, SPEC_FILE), 'utf8')) as TablesSpec;
}

/** The table ids of `markdown`'s bench:table markers. */
export function usedTables(markdown: string): string[] {
  return Array.from(markdown.matchAll(TABLE), (m) => splitAttributes(m[1]!)[0]!);
}

/**
 * Every doc with bench markers, rendered: path relative to the root -> text.
 * `texts` gives a doc's current text when it differs from the file (docs.mjs
 * passes docs/examples.md with its diagrams regenerated).
 */
export function benchDocFiles(root: string, texts: ReadonlyMap<string, string> = new Map()): Map<string, string> {
  const spec = readSpec(root);
  const load = fileLoader(root);
  const out = new Map<string, string>();
  for (const rel of benchDocPaths(root)) {
    const text = texts.get(rel) ?? readFileSync(join(root, rel), 'utf8');
    if (!text.includes('<!-- bench:')) continue;
    out.set(rel, renderBenchBlocks(rel, text, spec, load));
  }
  return out;
}

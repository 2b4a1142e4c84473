// Issue 15, item 5: measured numbers live in bench/results and nowhere else.
// - The committed docs (README.md, docs/*.md) are exactly what `npm run docs`
//   renders from the committed bench/results/latest.json (a bench run without
//   `npm run docs` fails here, naming the doc).
// - The renderer (scripts/docs-tables.ts): number formats, tables (one row per
//   line, a baseline column, one row per cell, '-' cells), values in prose,
//   a results file with "runs" (file=), and each error: missing row (naming
//   the doc, the marker, the row and the command to run), missing figure,
//   unknown table, malformed or unclosed marker.
// - Source comments in src/ and hosts/ quote no measured numbers (XS steps,
//   ns, measured ratios) and no issue-status lines: they point to the docs.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findRoot } from '../support/repo-root.js';
import {
  BenchDocsError,
  benchDocFiles,
  benchDocPaths,
  formatValue,
  readSpec,
  renderBenchBlocks,
  splitAttributes,
  usedTables,
  type BenchRow,
  type ResultsLoader,
  type TablesSpec,
} from '../../scripts/docs-tables.js';

const repo = findRoot();

function row(name: string, engine: 'xs' | 'node', baseline: string | null, v: Partial<BenchRow>): BenchRow {
  return { name, engine, baseline, nsPerOp: null, stepsPerOp: null, slotsPerOp: null, chunkBytesPerOp: null, ratio: null, ...v };
}

const BASE = 'k: loop (baseline)';
const POST = 'k: post + run';
const ROWS: BenchRow[] = [
  row(BASE, 'xs', null, { stepsPerOp: 356.0042, slotsPerOp: 0, chunkBytesPerOp: 0 }),
  row(POST, 'xs', BASE, { stepsPerOp: 699.0034, slotsPerOp: 0, chunkBytesPerOp: 0, ratio: 1.9635, figures: { 'p99 us': 1168 } }),
  row('k: publish', 'xs', BASE, { stepsPerOp: 641.3344666, slotsPerOp: 837.32, chunkBytesPerOp: 5976.576, ratio: 1.80152 }),
  row(BASE, 'node', null, { nsPerOp: 104.5915 }),
  row(POST, 'node', BASE, { nsPerOp: 199.968, ratio: 1.9119 }),
];
const BRIDGE = {
  command: 'node scripts/check-moddable.mjs --bridge-only',
  runs: [{ run: 'single', mode: '-i', refused: 12, latencyUs: { p50: 47, p99: 4100 } }],
};
const FILES: Record<string, unknown> = { 'bench/results/latest.json': ROWS, 'bench/results/bridge.json': BRIDGE };
const load: ResultsLoader = (file) => {
  if (!(file in FILES)) throw new BenchDocsError(`${file} not found`);
  return FILES[file];
};
const SPEC: TablesSpec = {
  rows: { 'k/post': POST, 'k/pub': 'k: publish' },
  tables: {
    cost: {
      columns: [['operation', 'label'], ['XS steps', 'xs.steps'], ['slots', 'xs.slots', { digits: 0 }], ['ratio', 'xs.ratio'], ['Node ns', 'node.ns']],
      rows: [['loop', BASE], ['post', 'k/post']],
    },
    before: {
      columns: [['case', 'label'], ['before', 'xs.steps', { of: 'baseline' }], ['after', 'xs.steps'], ['ratio', 'xs.ratio']],
      rows: [['post', 'k/post']],
    },
    cells: {
      columns: [['case', 'label'], ['off', 'xs.steps'], ['on', 'xs.steps'], ['ratio', 'xs.ratio']],
      rows: [['post', [BASE, 'k/post', 'k/post']], ['publish only', [null, 'k/pub', null]]],
    },
    bridge: {
      file: 'bench/results/bridge.json',
      columns: [['run', 'label'], ['refused', 'refused'], ['p99 us', 'latencyUs.p99']],
      rows: [['10 kHz', 'single -i']],
    },
    missing: { columns: [['case', 'label'], ['XS steps', 'xs.steps']], rows: [['gone', 'kernel: removed case']] },
  },
};
const render = (md: string): string => renderBenchBlocks('docs/x.md', md, SPEC, load);
const table = (id: string): string => render(`a\n<!-- bench:table ${id} -->\nstale\n<!-- /bench -->\nb\n`);
const throwsWith = (fn: () => unknown, ...parts: string[]): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BenchDocsError, String(e));
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
};

describe('docs tables (issue 15: numbers from bench/results)', function () {
  describe('committed docs', function () {
    it('README.md and docs/*.md are what `npm run docs` renders from the committed bench/results', function () {
      const rendered = benchDocFiles(repo);
      assert.ok(rendered.size > 0, 'no doc has a bench marker');
      const stale: string[] = [];
      for (const [rel, text] of rendered) if (readFileSync(join(repo, rel), 'utf8') !== text) stale.push(rel);
      assert.deepEqual(stale, [], `${stale.join(', ')} differ from bench/results: run \`npm run docs\` (after \`node scripts/bench.mjs\`) and commit the docs with the results`);
    });

    it('every table of docs/bench-tables.json is used by a marker, and every marker names a table it has', function () {
      const spec = readSpec(repo);
      const used = new Set(benchDocPaths(repo).flatMap((rel) => usedTables(readFileSync(join(repo, rel), 'utf8'))));
      assert.deepEqual(Object.keys(spec.tables).filter((id) => !used.has(id)), []);
      assert.deepEqual([...used].filter((id) => spec.tables[id] === undefined), []);
    });

    it('the converted docs have measured tables (the kernel, hsm, queue, pool, stream, simulator, trace docs and README)', function () {
      const rendered = benchDocFiles(repo);
      for (const rel of ['README.md', 'docs/kernel.md', 'docs/hsm.md', 'docs/queue.md', 'docs/pool.md', 'docs/stream.md', 'docs/simulator.md', 'docs/trace.md'])
        assert.ok(rendered.has(rel), `${rel} has no bench marker`);
    });
  });

  describe('formatValue', function () {
    it('prints steps with one decimal, dropping .0; ratios with two and an x; null as -', function () {
      assert.equal(formatValue(699.0034, 'xs.steps'), '699');
      assert.equal(formatValue(641.3344666, 'xs.steps'), '641.3');
      assert.equal(formatValue(0, 'xs.slots'), '0');
      assert.equal(formatValue(1.9635, 'xs.ratio'), '1.96x');
      assert.equal(formatValue(0.5, 'node.ratio'), '0.50x');
      assert.equal(formatValue(null, 'xs.ratio'), '-');
      assert.equal(formatValue(47, 'latencyUs.p50'), '47');
    });

    it('uses the given decimals as given (digits=0 rounds, digits=1 keeps .0)', function () {
      assert.equal(formatValue(837.32, 'xs.slots', 0), '837');
      assert.equal(formatValue(5976.576, 'xs.chunks', 0), '5977');
      assert.equal(formatValue(699.0034, 'xs.steps', 1), '699.0');
      assert.equal(formatValue(1.9635, 'xs.ratio', 1), '2.0x');
    });
  });

  describe('renderBenchBlocks', function () {
    it('renders a table between its markers, numeric columns right-aligned, a baseline ratio as -', function () {
      assert.equal(
        table('cost'),
        'a\n<!-- bench:table cost -->\n' +
          '| operation | XS steps | slots | ratio | Node ns |\n' +
          '|---|---:|---:|---:|---:|\n' +
          '| loop | 356 | 0 | - | 104.6 |\n' +
          '| post | 699 | 0 | 1.96x | 200 |\n' +
          '<!-- /bench -->\nb\n',
      );
    });

    it('reads the baseline row for an { of: "baseline" } column', function () {
      assert.ok(table('before').includes('| post | 356 | 699 | 1.96x |\n'), table('before'));
    });

    it('takes one row per cell when a row lists them, and - for null', function () {
      const t = table('cells');
      assert.ok(t.includes('| post | 356 | 699 | 1.96x |\n'), t);
      assert.ok(t.includes('| publish only | - | 641.3 | - |\n'), t);
    });

    it('renders values in prose by alias or quoted full name, with digits= and a figure', function () {
      assert.equal(
        render('post <!-- bench:value k/post xs.steps -->1<!-- /bench --> steps, <!-- bench:value "k: publish" xs.slots digits=0 --><!-- /bench --> slots, p99 <!-- bench:value k/post "xs.figure:p99 us" -->0<!-- /bench --> us'),
        'post <!-- bench:value k/post xs.steps -->699<!-- /bench --> steps, <!-- bench:value "k: publish" xs.slots digits=0 -->837<!-- /bench --> slots, p99 <!-- bench:value k/post "xs.figure:p99 us" -->1168<!-- /bench --> us',
      );
    });

    it('reads another results file: a table with "file", a value with file= (runs named "run mode", dotted columns)', function () {
      assert.ok(table('bridge').includes('| 10 kHz | 12 | 4100 |\n'), table('bridge'));
      assert.equal(
        render('<!-- bench:value "single -i" latencyUs.p50 file=bench/results/bridge.json -->?<!-- /bench -->'),
        '<!-- bench:value "single -i" latencyUs.p50 file=bench/results/bridge.json -->47<!-- /bench -->',
      );
    });

    it('is idempotent and leaves text without markers as it is', function () {
      const once = table('cost');
      assert.equal(render(once), once);
      assert.equal(render('no markers, 699 steps\n'), 'no markers, 699 steps\n');
    });

    it('a missing row names the doc, the marker, the row, the engine and what to run', function () {
      throwsWith(() => table('missing'), 'docs/x.md', '<!-- bench:table missing -->', '"kernel: removed case"', 'engine xs', '`node scripts/bench.mjs kernel`', '`npm run docs`');
      throwsWith(() => render('<!-- bench:value "k: gone" node.ns -->1<!-- /bench -->'), 'docs/x.md', '<!-- bench:value "k: gone" node.ns -->', 'no row "k: gone" (engine node)', '`node scripts/bench.mjs k`');
    });

    it('a missing run names the runs the file has and its command', function () {
      throwsWith(
        () => render('<!-- bench:value "multiple -i" refused file=bench/results/bridge.json -->1<!-- /bench -->'),
        'no run "multiple -i"',
        '"single -i"',
        '`node scripts/check-moddable.mjs --bridge-only`',
      );
    });

    it('a missing figure, an empty value, a bad column, an unknown table are errors', function () {
      throwsWith(() => render('<!-- bench:value k/post xs.figure:nope -->1<!-- /bench -->'), 'has no figure "nope"');
      throwsWith(() => render('<!-- bench:value k/post xs.ns -->1<!-- /bench -->'), `has no xs.ns`);
      throwsWith(() => render(`<!-- bench:value "${BASE}" xs.ratio -->1<!-- /bench -->`), 'is empty (a baseline row has no ratio)');
      throwsWith(() => render('<!-- bench:value k/post xs.speed -->1<!-- /bench -->'), "column 'xs.speed'");
      throwsWith(() => table('nope'), "no table 'nope'", 'cost, before');
    });

    it('an unclosed or misspelt marker is an error naming the doc', function () {
      throwsWith(() => render('<!-- bench:table cost -->\n| old |\n'), 'docs/x.md', 'not closed or malformed');
      throwsWith(() => render('<!-- bench:tabel cost -->\n<!-- /bench -->\n'), 'docs/x.md', 'bench:tabel');
      throwsWith(() => render('<!-- bench:value k/post -->1<!-- /bench -->'), 'write <!-- bench:value ROW COLUMN');
    });

    it('splitAttributes keeps quoted items whole', function () {
      assert.deepEqual(splitAttributes('"kernel: post + run (3 AOs)" xs.steps  digits=0'), ['kernel: post + run (3 AOs)', 'xs.steps', 'digits=0']);
    });
  });

  describe('source comments', function () {
    // A measured number in a source comment drifts from bench/results: the
    // comment points to the doc section instead. Limits and sizes are contracts
    // and stay. Allowed: none today; add `file: text` here only with a reason.
    const ALLOWED: string[] = [];
    const MEASURED = [
      /\b\d+(\.\d+)? (XS )?steps\b/,
      /~\d+ (XS )?steps\b/,
      /\b\d+(\.\d+)? ?ns\b/,
      /\b\d+(\.\d+)?x (the|faster|slower|fewer|more)\b/,
      /\b\d+\.\d+x\b/,
      /\btargets? (from|of) issue \d+/i,
    ];

    function sources(dir: string): string[] {
      const out: string[] = [];
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) out.push(...sources(p));
        else if (/\.(ts|mts|mjs|js|c|h)$/.test(name)) out.push(p);
      }
      return out;
    }

    /** The comment text of each line (block comments and // tails; strings are not parsed). */
    function comments(text: string): Array<[number, string]> {
      const out: Array<[number, string]> = [];
      let inBlock = false;
      text.split('\n').forEach((line, i) => {
        let rest = line;
        let found = '';
        for (;;) {
          if (inBlock) {
            const end = rest.indexOf('*/');
            found += ' ' + (end < 0 ? rest : rest.slice(0, end));
            if (end < 0) break;
            inBlock = false;
            rest = rest.slice(end + 2);
            continue;
          }
          const block = rest.indexOf('/*');
          const lineC = rest.indexOf('//');
          if (lineC >= 0 && (block < 0 || lineC < block)) {
            found += ' ' + rest.slice(lineC + 2);
            break;
          }
          if (block < 0) break;
          inBlock = true;
          rest = rest.slice(block + 2);
        }
        if (found.trim()) out.push([i + 1, found]);
      });
      return out;
    }

    it('src/ and hosts/ comments quote no measured steps, ns or ratios and no issue targets', function () {
      const hits: string[] = [];
      for (const file of [...sources(join(repo, 'src')), ...sources(join(repo, 'hosts'))]) {
        const rel = relative(repo, file);
        for (const [n, c] of comments(readFileSync(file, 'utf8')))
          for (const re of MEASURED) {
            const m = re.exec(c);
            if (m && !ALLOWED.includes(`${rel}: ${m[0]}`)) hits.push(`${rel}:${n}: "${m[0]}" in ${c.trim()}`);
          }
      }
      assert.deepEqual(hits, [], 'measured numbers belong in docs generated from bench/results (npm run docs); point to the doc section instead');
    });

    it('the scan finds a measured number in a comment (positive control)', function () {
      const found = comments('const a = 1; // flat dispatch 22.3 ns\n/*\n * 699 XS steps\n */\nconst steps = 3; /* a limit: 32 */\n').map(([n, c]) => [n, MEASURED.some((re) => re.test(c))]);
      assert.deepEqual(found, [[1, true], [3, true], [5, false]]);
    });
  });
});

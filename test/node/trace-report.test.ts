// `npm start -- --trace FILE --report FILE` end to end, and the report page
// in a real headless Chromium (Debian's chromium, driven by playwright-core;
// no browser download): it loads with no console errors, every machine's
// diagram, every lane and every timeline mark of the trace renders (counted
// against the decoded .ktr), and a click on a transition mark highlights
// that transition in its machine's diagram. Skipped with a message only when
// /usr/bin/chromium is absent (CI installs it: .ci/run).
// KEEL_SCREENSHOT=1 also saves docs/report.png.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TRACE_INIT, TRACE_TRANSITION } from '../../src/trace.js';
import { decodeTrace, type DecodedTrace } from '../../tools/trace/decode.js';
import { TraceNames } from '../../tools/trace/format.js';
import { coverage, TIMELINE_KINDS } from '../../tools/trace/report.js';

// The page functions below run in Chromium (this project's type-check has no DOM lib).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any;

const CHROMIUM = process.env.KEEL_CHROMIUM ?? '/usr/bin/chromium';
const root = resolve(process.cwd());

describe('npm start --trace/--report and the report page in Chromium', function () {
  this.timeout(240000);
  let dir: string;
  let ktr: string;
  let html: string;
  let d: DecodedTrace;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'keel-report-'));
    ktr = join(dir, 'run.ktr');
    html = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), '--quiet', '--faults', '--trace', ktr, '--report', html], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /trace written to .*run\.ktr \(\d+ records, \d+ objects\)/);
    d = decodeTrace(readFileSync(ktr));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the .ktr file holds the run: dictionary, records without gaps, the final report, END', function () {
    const types = [...d.objects.values()].map((o) => o.type);
    assert.equal(types.filter((t) => t === 'hsm').length, 4, 'debouncer, blinker, port, parser');
    assert.equal(types.filter((t) => t === 'pool').length, 1, 'uart-tx');
    assert.ok(d.records.length > 500, `${d.records.length} records`);
    assert.equal(d.seqGaps, 0);
    assert.notEqual(d.end, null);
    assert.equal(d.end!.ringLost, 0);
    // Compact machines: records also holds the records the decoder derived (implied); recordsRead counts the wire's.
    assert.equal(d.end!.recordsWritten, d.recordsRead);
    assert.equal(d.records.filter((r) => r.expandError !== undefined).length, 0, 'every compact record expanded');
    const notes = d.notes.map((n) => n.text);
    assert.ok(notes.some((l) => /^events dispatched: \d+/.test(l)), notes.join('\n'));
    // The faults scenario refuses events: they are in the trace.
    assert.ok(d.records.some((r) => r.kind === 7), 'a REFUSE record');
  });

  it('loads in Chromium with no console errors; diagrams, lanes and marks match the trace; a click highlights the transition', async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      (skipped: ${CHROMIUM} is absent; install Debian's chromium: apt-get install -y chromium)`);
      this.skip();
    }
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(html).href);
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [], 'no network');

      const names = new TraceNames(d.objects);
      const machines = [...d.objects.values()].filter((o) => o.type === 'hsm');
      const lanes = names.lanes(d.records);
      const kinds = new Set(TIMELINE_KINDS);
      const marks = d.records.filter((r) => kinds.has(r.kind) && lanes.includes(names.lane(r.object))).length;
      const cov = coverage(d);
      const counts = await page.evaluate(() => ({
        figures: document.querySelectorAll('figure.machine').length,
        withStates: [...document.querySelectorAll('figure.machine')].filter((f) => f.querySelectorAll('svg .state').length > 0).length,
        lanes: document.querySelectorAll('#timeline g.lane').length,
        marks: document.querySelectorAll('#timeline g.ev').length,
        visited: [...document.querySelectorAll('figure.machine')].map((f) => [f.getAttribute('data-machine'), new Set([...f.querySelectorAll('.state.visited')].map((s) => s.getAttribute('data-state'))).size]),
        queueSeries: document.querySelectorAll('svg.chart[data-series=queue] path.series').length,
        poolSeries: document.querySelectorAll('svg.chart[data-series=pool] path.series').length,
        report: document.querySelector('pre.report')?.textContent ?? '',
      }));
      assert.equal(counts.figures, machines.length);
      assert.equal(counts.withStates, machines.length, 'every diagram drew its states');
      assert.equal(counts.lanes, lanes.length);
      assert.equal(counts.marks, marks);
      for (const [id, n] of counts.visited as [string, number][]) assert.equal(n, cov.get(Number(id))!.visited.size, `visited states of machine ${id}`);
      assert.equal(counts.queueSeries, 5, 'debouncer, blinker, port, parser, transmitter');
      assert.equal(counts.poolSeries, 1);
      assert.match(counts.report, /events dispatched: \d+/);

      // Click the mark of a transition with a target (the port's idle -> resetting, say) and find it highlighted.
      const idx = d.records.findIndex((r) => (r.kind === TRACE_TRANSITION || r.kind === TRACE_INIT) && r.aux >= 0 && r.aux !== r.state && d.objects.get(r.object)!.name === 'port' && r.kind === TRACE_TRANSITION);
      assert.ok(idx >= 0);
      const rec = d.records[idx]!;
      const markIndex = d.records.slice(0, idx).filter((r) => kinds.has(r.kind) && lanes.includes(names.lane(r.object))).length;
      await page.click(`#timeline g.ev[data-i="${markIndex}"]`);
      const focus = await page.evaluate((m) => {
        const fig = document.querySelector(`figure.machine[data-machine="${m}"]`)!;
        return {
          figure: fig.classList.contains('focus'),
          edges: [...fig.querySelectorAll('.tr.focus')].map((e) => `${e.getAttribute('data-from')}-${e.getAttribute('data-to')}`),
          others: document.querySelectorAll('.tr.focus').length,
          info: document.getElementById('info')!.textContent,
        };
      }, rec.object);
      assert.equal(focus.figure, true);
      assert.ok(focus.edges.length >= 1, 'the transition is highlighted');
      for (const e of focus.edges) assert.equal(e, `${rec.state}-${rec.aux}`);
      assert.equal(focus.others, focus.edges.length, 'nothing else is highlighted');
      assert.match(focus.info!, /port +TRANSITION +\w+ -> \w+ on \w+/);
      assert.deepEqual(errors, []);
      if (process.env.KEEL_SCREENSHOT === '1') await page.screenshot({ path: join(root, 'docs', 'report.png'), fullPage: true, clip: { x: 0, y: 0, width: 1400, height: 1750 } });
    } finally {
      await browser.close();
    }
  });
});

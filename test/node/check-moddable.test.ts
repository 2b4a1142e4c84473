/**
 * `npm run check:moddable`'s reading of an mcsim run (scripts/check-moddable.mjs):
 * the boot line, XS aborts, the probe windows and the simulator's
 * once-a-second instrument samples. The traces below are lines printed by
 * Keel's apps in the Moddable SDK 8.2.3 lin simulator (mcsim), shortened.
 * Node only: the script runs on the developer's machine, not on XS.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BRIDGE_RUNS, EARLY_EXIT, bridgeFinished, bridgeResults, judge, judgeBridge, judgeConsumer, measure, parseBridge, parseTrace } from '../../scripts/check-moddable.mjs';

const KEY =
  'instruments key: Pixels drawn,Frames drawn,Network bytes read,Network bytes written,Network sockets,Timers,Files,Poco display list used,Piu command List used,Chunk used,Chunk available,Slot used,Slot available,Stack used,Stack available,Garbage collections,Keys used,Modules loaded,Parser used,Floating Point,Promises settled';

const BOOTED = [
  KEY,
  'instruments: 0,0,0,0,0,0,0,0,0,0,24576,896,49120,0,12288,0,0,0,0,0,0',
  'keel: app "uart-lines" running, tick 10 ms, button pin none, led pin none, cross-core local',
  'instruments: 0,0,0,0,0,2,0,0,0,10552,24576,37408,49120,8576,12288,12,2,1,0,61,0',
  'instruments: 0,0,0,0,0,2,0,0,0,10552,24576,37408,49120,2208,12288,0,2,1,0,25,0',
  'keel: window 1: slots -34 chunks -824 B gc 1 (0 counted, 1 inferred): not valid (a collection ran; the deltas are not allocations); ticks 94 late 1 maxLate 13 ms',
  'instruments: 0,0,0,0,0,2,0,0,0,15608,24576,37408,49120,2240,12288,0,2,1,0,476,0',
  'keel: window 2: slots 0 chunks 0 B gc 0: clean (nothing allocated); ticks 190 late 1 maxLate 13 ms',
].join('\n');

describe('check:moddable reads an mcsim run', () => {
  it('a booted app with one window that saw a collection and one clean window passes', () => {
    const p = parseTrace(BOOTED);
    assert.equal(p.booted, true);
    assert.equal(p.app, 'uart-lines');
    assert.deepEqual(
      p.windows.map((w) => [w.n, w.slots, w.chunks, w.gc]),
      [
        [1, -34, -824, 1],
        [2, 0, 0, 0],
      ],
    );
    assert.deepEqual(judge(p, 'uart-lines'), []);
    // After boot: 37408 B of 32-byte slots = 1169 slots, 10552 chunk bytes;
    // peak stack is the largest "Stack used" sample, 8576 B = 268 slots.
    const m = measure(p);
    assert.equal(m.bootSlots, 1169);
    assert.equal(m.bootChunks, 10552);
    assert.equal(m.peakStack, 268);
    assert.equal(m.collections, 12);
  });

  it('an allocation in a valid window fails, with the window named', () => {
    const p = parseTrace(BOOTED + '\nkeel: window 3: slots 2 chunks 48 B gc 0: ALLOCATED on the hot path; ticks 280');
    assert.deepEqual(judge(p, 'uart-lines'), ['window 3: 2 slots, 48 chunk bytes after boot']);
  });

  it('a stack overflow at boot fails: no boot line, and the abort is reported', () => {
    const p = parseTrace([KEY, 'instruments: 0,0,0,0,0,0,0,0,0,0,24576,896,49120,0,8192,0,0,0,0,0,0', 'XS abort: JavaScript stack overflow'].join('\n'));
    assert.deepEqual(judge(p, 'blinky'), ['no boot line', 'XS abort: JavaScript stack overflow']);
  });

  it('a run whose windows all saw a collection proves nothing and fails', () => {
    const p = parseTrace(BOOTED.split('\n').slice(0, 6).join('\n'));
    assert.match(judge(p, 'uart-lines').join('\n'), /no valid probe window/);
  });

  it('an app that stops or crashes before its time fails, even after a clean window', () => {
    for (const how of ['exit status 0', 'exit status 1', 'signal SIGSEGV']) {
      const p = parseTrace(`${BOOTED}\n${EARLY_EXIT} (${how}, before 5 s)`);
      assert.deepEqual(judge(p, 'uart-lines'), [`${EARLY_EXIT} (${how}, before 5 s)`]);
    }
  });

  it('the wrong app booting fails', () => {
    assert.deepEqual(judge(parseTrace(BOOTED), 'blinky'), ['booted "uart-lines", not "blinky"']);
  });

  it("a starter app's run (templates/app) passes with clean windows after the boot collection, and fails otherwise", () => {
    const line = (n: number, s: number, c: number, gc: number, outcome: string): string =>
      `keel app: window ${n}: slots ${s} chunks ${c} B gc ${gc}: ${outcome}; ticks ${n * 97}, toggles ${n}, stale 0`;
    const good = [line(1, -720, -13128, 1, 'not valid (a collection ran)'), 'instruments: 0,0', line(2, 0, 0, 0, 'clean'), line(3, 0, 0, 0, 'clean')].join('\n');
    assert.deepEqual(judgeConsumer(good).why, []);
    assert.equal(judgeConsumer(good).windows.length, 3);
    const allocated = good + '\n' + line(4, 3, 48, 0, 'ALLOCATED (or no instruments: build with -d or -i)');
    assert.match(judgeConsumer(allocated).why.join(), /a window allocated: 3 slots, 48 chunk B/);
    assert.match(judgeConsumer(line(1, -720, -13128, 1, 'not valid (a collection ran)')).why.join(), /1 probe windows/);
    assert.match(judgeConsumer(good + `\n${EARLY_EXIT} (exit status 1, before 5 s)`).why.join(), /ended before its time/);
    assert.match(judgeConsumer('# exception: throw!\n' + good).why.join(), /exception/);
  });

  it('without MODDABLE it says so in one line and exits 0', () => {
    // The bundled test runs from build/test/...: walk up to the repository.
    let root = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(root, 'scripts', 'check-moddable.mjs'))) root = dirname(root);
    const env = { ...process.env };
    delete env.MODDABLE;
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-moddable.mjs')], { cwd: root, env, encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    assert.match(lines[0]!, /skipped, MODDABLE is not set \(nothing was checked\).*xs-dev setup/);
  });
});

describe('check:moddable reads an interrupt bridge run', () => {
  // Lines printed by hosts/moddable/interrupt/bridge-app.ts in mcsim (SDK 8.2.3, lin), shortened.
  const status = (state: string, o: Partial<Record<string, number | string>> = {}): string => {
    const v = { offered: 30000, expected: 30000, posted: 30000, refused: 0, glitched: 0, corrupt: 0, taken: 30000, forwarded: 30000, dropped: 0, edges: 30000, gaps: 0, seq: 0, js: 0, jsPosted: 0, wakes: 20983, calls: 20983, n: 30000, exact: 'yes', ...o };
    return (
      `bridge ${state} mode single: offered ${v.offered} of ${v.expected} posted ${v.posted} refused ${v.refused} glitched ${v.glitched} corrupt ${v.corrupt}; ` +
      `taken ${v.taken} forwarded ${v.forwarded} dropped ${v.dropped} edges ${v.edges} gaps ${v.gaps} seqErrors ${v.seq} js ${v.js}/${v.jsPosted} (refused 0); ` +
      `wakes ${v.wakes} calls ${v.calls} lost 0 drains 21269; ring peak 231; latency us p50 67 p99 8100 max 20464 n ${v.n}; exact ${v.exact}`
    );
  };
  const boot = 'keel: app "interrupt-bridge" running, tick 10 ms, button pin none, led pin none, cross-core local';
  const win = (n: number, s: string): string => `keel: window ${n}: slots 0 chunks 0 B gc 0: clean (nothing allocated); ticks ${n * 95} late 3 maxLate 22 ms; edges 0 posted 0 refused 0; led writes 0; worker none; ${s}`;
  const run = (...statuses: string[]): string => [boot, ...statuses.map((s, i) => win(i + 1, s))].join('\n');

  it('a finished run with exact counts and clean windows passes; its last status is read', () => {
    const text = run(status('running', { offered: 9972, posted: 9972, taken: 9972, forwarded: 9972, edges: 9972, n: 9972 }), status('done'));
    assert.deepEqual(judgeBridge(text), []);
    const b = parseBridge(text)!;
    assert.equal(b.state, 'done');
    assert.deepEqual([b.offered, b.p50, b.p99, b.max, b.n, b.ringPeak], [30000, 67, 8100, 20464, 30000, 231]);
  });

  it('refused and glitched edges pass when every sequence gap is one of them, and fail otherwise', () => {
    const counted = { posted: 15019, refused: 485, glitched: 14496, taken: 15277, forwarded: 15277, edges: 15019, gaps: 14981, js: 258, jsPosted: 258, n: 15019 };
    assert.deepEqual(judgeBridge(run(status('done', counted))), []);
    assert.match(judgeBridge(run(status('done', { ...counted, gaps: 14980 }))).join(), /sequence gaps 14980 != refused \+ glitched \+ corrupt 14981/);
  });

  it('fails a run that did not finish, lost or reordered a record, or where the app itself says NO', () => {
    assert.match(judgeBridge(run(status('running', { offered: 9000, posted: 9000, taken: 9000, forwarded: 9000, edges: 9000, n: 9000 }))).join(), /did not finish.*offered 9000 of 30000/);
    assert.match(judgeBridge(run(status('done', { edges: 29999, taken: 29999, forwarded: 29999, n: 29999 }))).join(), /posted 30000, dispatched 29999 C records/);
    assert.match(judgeBridge(run(status('done', { seq: 2 }))).join(), /2 records out of order/);
    assert.match(judgeBridge(run(status('done', { posted: 29999 }))).join(), /offered 30000 != posted 29999/);
    assert.match(judgeBridge(run(status('done', { exact: 'NO' }))).join(), /exact NO/);
    assert.match(judgeBridge(run(status('done', { calls: 20982 }))).join(), /wakes 20983 asked, 20982 delivered/);
  });

  it('fails on an allocating window, an abort, or no status at all, like the other apps', () => {
    const allocating = run(status('done')) + '\nkeel: window 9: slots 2 chunks 48 B gc 0: ALLOCATED on the hot path; ' + status('done');
    assert.match(judgeBridge(allocating).join(), /window 9: 2 slots, 48 chunk bytes after boot/);
    assert.match(judgeBridge(run(status('done')) + '\nXS abort: unhandled exception').join(), /XS abort/);
    assert.deepEqual(judgeBridge([boot, 'keel: window 1: slots 0 chunks 0 B gc 0: clean (nothing allocated); ticks 95'].join('\n')), ['no bridge status line']);
  });

  it('a run stops early only after two windows reported "done"', () => {
    assert.equal(bridgeFinished(run(status('running'), status('done'))), false);
    assert.equal(bridgeFinished(run(status('running'), status('done'), status('done'))), true);
    assert.equal(bridgeFinished(status('done') + '\n' + status('done')), false, 'status text outside a window line does not count');
  });

  it('the runs are 10,000 edges per second for 10 s, in both producer modes', () => {
    for (const r of BRIDGE_RUNS) {
      const c = r.config;
      assert.equal(c.keelBridgeHz * c.keelBridgeBurst, 10000, r.name);
      assert.equal(c.keelBridgeSeconds, 10);
    }
    assert.deepEqual([...new Set(BRIDGE_RUNS.map((r) => r.config.keelBridgeMode))].sort(), ['multiple', 'single']);
  });

  it('saves the figures of a check only when every bridge run ran and passed, copied from the status lines', () => {
    const text = run(status('running'), status('done'));
    const rows = BRIDGE_RUNS.map((r) => ({ run: r, b: parseBridge(text)!, windows: parseTrace(text).windows, why: judgeBridge(text) }));
    const meta = { sdk: '8.2.3', date: '2026-01-01T00:00:00.000Z', command: 'node scripts/check-moddable.mjs --bridge-only', machine: { cpus: 2, loadAverage1m: 1.5, platform: 'linux' } };
    const saved = bridgeResults(rows, meta)!;
    assert.equal(saved.runs.length, BRIDGE_RUNS.length);
    assert.deepEqual(
      saved.runs.map((r) => [r.run, r.mode, r.offered, r.refused, r.latencyUs.p50, r.latencyUs.p99, r.latencyUs.max, r.latencyUs.samples, r.cleanWindows, r.windows]),
      BRIDGE_RUNS.map((r) => [r.name, r.mode, 30000, 0, 67, 8100, 20464, 30000, 2, 2]),
    );
    assert.equal(saved.command, meta.command);
    assert.equal(bridgeResults(rows.slice(1), meta), null, 'a partial check');
    assert.equal(bridgeResults([{ ...rows[0]!, why: ['x'] }, ...rows.slice(1)], meta), null, 'a failed run');
  });
});

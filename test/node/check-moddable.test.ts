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
import { EARLY_EXIT, judge, judgeConsumer, measure, parseTrace } from '../../scripts/check-moddable.mjs';

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

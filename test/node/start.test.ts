/**
 * `npm start` (scripts/start.mjs) as a child process: the live trace, the
 * report, the allocation line on the XS engine host (0 slots and 0 chunk
 * bytes after boot, measured), and argument errors. Node only: spawns Node.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'keel') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root (package.json "keel") not found');
    dir = up;
  }
}
const root = findRoot();

function start(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs'), ...args], { cwd: root, encoding: 'utf8', timeout: 180000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm start (scripts/start.mjs)', function () {
  this.timeout(200000);

  it('package.json runs it as "start"', function () {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts.start, 'node scripts/start.mjs');
  });

  it('node: prints a live trace with names and ends with the report (events, queues, pool)', function () {
    const r = start('--duration', '1200');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^keel examples: port-reset, blinky, uart-lines on the simulator \(node\), 1200 ms virtual, seed 1$/m);
    assert.match(r.out, /^ +100\.000 ms {2}state {2}port -> asserting$/m);
    assert.match(r.out, /^ +324\.000 ms {2}event {2}blinker <- PRESS \(0, 0\)$/m);
    assert.match(r.out, /^ +201\.000 ms {2}tx {5}uart "PONG\\n" \(5 bytes/m);
    assert.match(r.out, /^==== report ====$/m);
    assert.match(r.out, /^events dispatched: \d+ /m);
    for (const q of ['debouncer', 'blinker', 'port', 'parser', 'transmitter']) assert.match(r.out, new RegExp(`^  ${q} +capacity 8 +minFree \\d+ +refused \\d+ +dropped \\d+ +dispatched \\d+$`, 'm'));
    assert.match(r.out, /^pool uart-tx: 4 blocks, minFree \d+/m);
    assert.match(r.out, /^allocation after boot: not measured on Node/m);
    assert.equal(r.err, '', 'no progress output when stderr is not a TTY');
  });

  it('xs: the XS engine host prints the same report and 0 slots, 0 chunk bytes allocated after boot', function () {
    const r = start('--engine', 'xs', '--duration', '2000', '--faults', '--quiet');
    assert.equal(r.code, 0, r.err + r.out);
    const m = /^allocation after boot \(XS\): (\d+) slots, (\d+) chunk bytes over (\d+) firmware steps/m.exec(r.out);
    assert.ok(m, r.out);
    assert.equal(Number(m![1]), 0);
    assert.equal(Number(m![2]), 0);
    assert.ok(Number(m![3]) > 2000, `${m![3]} steps measured`);
    assert.match(r.out, /no collection during any step/);
    assert.doesNotMatch(r.out, / ms {2}state /, '--quiet prints no trace');
    const node = start('--duration', '2000', '--faults', '--quiet');
    const dispatched = (s: string): string | undefined => /^events dispatched: (\d+)/m.exec(s)?.[1];
    assert.equal(dispatched(r.out), dispatched(node.out), 'the same run on both engines');
  });

  it('one example, another seed; argument errors exit 64 with the usage', function () {
    const r = start('--example', 'blinky', '--duration', '800', '--seed', '5', '--quiet');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^machines: debouncer in \w+, blinker in slow$/m);
    assert.doesNotMatch(r.out, /uart-lines:/);
    const bad = start('--example', 'nope');
    assert.equal(bad.code, 64);
    assert.match(bad.err, /unknown example "nope"; use one of port-reset, blinky, uart-lines or all/);
    assert.equal(start('--engine', 'java').code, 64);
    assert.equal(start('--duration', '-5').code, 64);
  });
});

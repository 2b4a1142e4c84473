/**
 * hosts/native/keel_isr.c alone, with the machine's C compiler: the C unit
 * test hosts/native/test/keel_isr_test.c (every KEEL_ISR_E* attach code, the
 * glitch filter's counts, posts across the 32-bit wrap of the positions,
 * corrupt words, one wake per burst, and producer threads against a C
 * consumer with exact counts), built plain with -Wall -Wextra -Werror, with
 * ThreadSanitizer and with AddressSanitizer + UndefinedBehaviorSanitizer.
 * keel_isr.c must also compile as C99 and C11 with -pedantic and no warning
 * (the esp32 and pico ports include it). Node only: it runs cc.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  // The bundle runs from build/test/...; the sources are found from the repository root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'hosts', 'native', 'keel_isr.c'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error('isr-native test: cannot find hosts/native/keel_isr.c above ' + fileURLToPath(import.meta.url));
}

const cc = process.env.CC || 'cc';
const haveCc = spawnSync(cc, ['--version']).status === 0;

describe('keel_isr.c alone (C unit test, sanitizers)', function () {
  this.timeout(180000);
  let root = '';
  let out = '';
  before(function () {
    if (!haveCc) this.skip();
    root = findRoot();
    out = mkdtempSync(join(tmpdir(), 'keel-isr-'));
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const compile = (args: string[]): void => {
    const r = spawnSync(cc, args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `${cc} ${args.join(' ')}\n${r.stderr}`);
    assert.equal(r.stderr, '', `warnings from ${cc} ${args.join(' ')}:\n${r.stderr}`);
  };

  it('compiles as C99 and C11 with -Wall -Wextra -Werror -pedantic, no warning', () => {
    for (const std of ['c99', 'c11'])
      compile([`-std=${std}`, '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2', '-c', join(root, 'hosts/native/keel_isr.c'), '-o', join(out, `isr-${std}.o`)]);
  });

  it('KEEL_ISR_FN places exactly the interrupt path (keel_isr_post, keel_isr_edge and their helpers) in a section of its own', function () {
    const objdump = spawnSync('objdump', ['--version']);
    if (objdump.status !== 0) this.skip();
    const obj = join(out, 'isr-section.o');
    // -O0: the static helpers stay functions of their own (at -O2 they are inlined into their callers).
    compile(['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O0', '-DKEEL_ISR_FN=__attribute__((section(".text.keel_isr")))', '-c', join(root, 'hosts/native/keel_isr.c'), '-o', obj]);
    const table = spawnSync('objdump', ['-t', obj], { encoding: 'utf8' }).stdout;
    const inSection = new Set<string>();
    const all = new Set<string>();
    for (const line of table.split('\n')) {
      const m = /\sF\s+(\S+)\s+[0-9a-f]+\s+(\w+)$/.exec(line);
      if (!m) continue;
      all.add(m[2]!);
      if (m[1] === '.text.keel_isr') inSection.add(m[2]!);
    }
    assert.deepEqual([...inSection].sort(), ['count_refusal', 'keel_isr_edge', 'keel_isr_post', 'next_pos', 'raise_peak', 'words']);
    assert.ok(all.has('keel_isr_attach') && !inSection.has('keel_isr_attach'), 'boot code stays in .text');
  });

  const variants: [string, string[], string][] = [
    ['plain -O2', ['-O2'], '1000000'],
    ['-fsanitize=thread', ['-O1', '-g', '-fsanitize=thread'], '200000'],
    ['-fsanitize=address,undefined', ['-O1', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all'], '200000'],
  ];
  for (const [name, flags, events] of variants) {
    it(`the C unit test passes, built ${name} (producer threads: ${events} edges per run)`, () => {
      const bin = join(out, `keel_isr_test-${name.replace(/[^a-z0-9]+/gi, '_')}`);
      compile([
        '-std=c11', '-Wall', '-Wextra', '-Werror', '-pthread', ...flags,
        `-I${join(root, 'hosts/native')}`,
        join(root, 'hosts/native/keel_isr.c'),
        join(root, 'hosts/native/test/keel_isr_test.c'),
        '-o', bin,
      ]);
      const r = spawnSync(bin, [events], { encoding: 'utf8', env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1' } });
      assert.equal(r.status, 0, `${bin} failed:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /KEEL-ISR-TEST PASS/);
      assert.equal(r.stderr, '', `sanitizer or test output on stderr:\n${r.stderr}`);
      for (const group of ['attach errors', 'across the 32-bit wrap', 'glitch filter counts', 'threads: mode 1', 'threads: mode 2'])
        assert.ok(r.stdout.includes(group), `group "${group}" ran:\n${r.stdout}`);
    });
  }
});

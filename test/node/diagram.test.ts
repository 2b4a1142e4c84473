// `keel diagram` (issue 18, item 3) and `npm run docs`: the exact Mermaid and
// DOT text for a machine with every feature a diagram shows
// (test/node/diagram-fixture.ts: nesting, initial action, named guard, an
// anonymous guard shown by its expression, else branch, internal, local,
// external and self transitions, deferral, shallow and deep history, after
// and every timers); the SVG (Graphviz in WebAssembly) is well-formed XML
// naming every state; the built `keel` binary (dist layout, in a build
// folder) draws a built module, resolves a package specifier, and answers
// every mistake with one clear line and exit code 2; docs/diagrams/ and the
// diagrams embedded in docs/examples.md are what `npm run docs` makes from the
// examples now (an example changed without `npm run docs` fails here).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { door, lamp } from './diagram-fixture.js';
import { findRoot } from '../support/repo-root.js';
import { dotToSvg, guardLabel, render, toDot, toMermaid } from '../../cli/render.js';
import { main } from '../../cli/keel.js';
import { embedDiagrams, exampleDefinitions, exampleDiagramFiles } from '../../scripts/docs-diagrams.js';

const repo = findRoot();

const LAMP_MERMAID = [
  'stateDiagram-v2',
  '  [*] --> off : / powerUp',
  '  off : HOLD / defer',
  '  state on {',
  '    [*] --> dim',
  '    state "H*" as on_H',
  '    dim',
  '    state bright {',
  '      [*] --> steady',
  '      state "H" as bright_H',
  '      steady',
  '      flicker',
  '      flicker --> steady : HOLD',
  '    }',
  '    note right of bright',
  '      every blink / count',
  '    end note',
  '    dim --> bright : after 500 ms',
  '    bright --> bright : GO',
  '    bright --> dim : TICK [c.n #62; 3]',
  '  }',
  '  note right of on',
  '    TICK / count',
  '  end note',
  '  fault',
  '  off --> on : GO [isReady]',
  '  off --> fault : GO [else]',
  '  on --> off : BACK',
  '  on --> dim : RESET (local)',
  '  dim --> on : GO (external)',
  '  fault --> on_H : RESET',
].join('\n') + '\n';

const LAMP_DOT = [
  'digraph "lamp" {',
  '  graph [compound=true, rankdir=TB, fontname="Helvetica", fontsize=12, nodesep=0.4, ranksep=0.5, label="lamp", labelloc=t];',
  '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
  '  edge [fontname="Helvetica", fontsize=10];',
  '  "s0_init" [shape=point, width=0.12, label=""];',
  '  "s1" [label="off\\nHOLD / defer\\l"];',
  '  subgraph "cluster_s2" {',
  '    graph [label="on\\nTICK / count\\l", labeljust=l, style=rounded];',
  '    "s2_init" [shape=point, width=0.12, label=""];',
  '    "s2_in" [shape=point, style=invis, width=0.01, label=""];',
  '    "s2_H" [shape=circle, width=0.3, fixedsize=true, label="H*"];',
  '    "s3" [label="dim"];',
  '    subgraph "cluster_s4" {',
  '      graph [label="bright\\nevery blink / count\\l", labeljust=l, style=rounded];',
  '      "s4_init" [shape=point, width=0.12, label=""];',
  '      "s4_in" [shape=point, style=invis, width=0.01, label=""];',
  '      "s4_H" [shape=circle, width=0.3, fixedsize=true, label="H"];',
  '      "s5" [label="steady"];',
  '      "s6" [label="flicker"];',
  '    }',
  '  }',
  '  "s7" [label="fault"];',
  '  "s0_init" -> "s1" [label="/ powerUp"];',
  '  "s2_init" -> "s3";',
  '  "s4_init" -> "s5";',
  '  "s1" -> "s2_init" [lhead="cluster_s2", label="GO [isReady]"];',
  '  "s1" -> "s7" [label="GO [else]"];',
  '  "s2_init" -> "s1" [ltail="cluster_s2", label="BACK"];',
  '  "s2_in" -> "s3" [label="RESET (local)"];',
  '  "s3" -> "s2_init" [label="GO (external)"];',
  '  "s3" -> "s4_init" [lhead="cluster_s4", label="after 500 ms"];',
  '  "s4_in" -> "s4_in" [label="GO"];',
  '  "s4_init" -> "s3" [ltail="cluster_s4", label="TICK [c.n > 3]"];',
  '  "s6" -> "s5" [label="HOLD"];',
  '  "s7" -> "s2_H" [label="RESET"];',
  '}',
].join('\n') + '\n';

/** The text of every <text> element of an SVG, entities decoded. */
function svgTexts(svg: string): string[] {
  const dec = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return Array.from(svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g), (m) => dec(m[1]!));
}

describe('keel diagram: rendering', function () {
  it('Mermaid stateDiagram-v2 of a machine with every feature, exactly', function () {
    assert.equal(toMermaid([lamp]), LAMP_MERMAID);
  });

  it('Graphviz DOT of the same machine, exactly', function () {
    assert.equal(toDot([lamp]), LAMP_DOT);
  });

  it('describe() names every state, transition and timer the renderers use', function () {
    const d = lamp.describe();
    assert.deepEqual(
      d.states.map((s) => [s.name, s.parent, s.initial, s.history, s.defers.join(',')]),
      [
        ['top', null, 'off', null, ''],
        ['off', 'top', null, null, 'HOLD'],
        ['on', 'top', 'dim', 'deep', ''],
        ['dim', 'on', null, null, ''],
        ['bright', 'on', 'steady', 'shallow', ''],
        ['steady', 'bright', null, null, ''],
        ['flicker', 'bright', null, null, ''],
        ['fault', 'top', null, null, ''],
      ],
    );
    assert.equal(d.states[0]!.initialAction!.name, 'powerUp');
    assert.deepEqual(d.states[2]!.children, ['dim', 'bright']);
    assert.equal(d.transitions.length, lamp.transitions().length);
    const timed = d.transitions.filter((t) => t.timer >= 0).map((t) => [t.source, t.signal, d.timers[t.timer]!.delay, d.timers[t.timer]!.periodic]);
    assert.deepEqual(timed, [
      ['dim', 'after 500 ms (dim)', 500, false],
      ['bright', 'every blink (bright)', 'blink', true],
    ]);
    assert.equal(d.transitions.find((t) => t.guard !== null)!.guard!.name, 'isReady');
  });

  it('guards: by name; an unnamed one by its short arrow expression, else "guard"', function () {
    function named(): boolean {
      return true;
    }
    assert.equal(guardLabel(named), 'named');
    const o = { guard: (c: { n: number }) => c.n > 3 };
    assert.equal(guardLabel(o.guard), 'c.n > 3');
    const long = { guard: (c: { n: number }) => c.n > 3 && c.n < 100 && c.n !== 17 && c.n !== 18 && c.n !== 19 };
    assert.equal(guardLabel(long.guard), 'guard');
    const block = {
      guard: (c: { n: number }) => {
        return c.n > 3;
      },
    };
    assert.equal(guardLabel(block.guard), 'guard');
  });

  it('several machines: one diagram, each machine a composite (Mermaid) or cluster (DOT) with prefixed ids', function () {
    const mm = toMermaid([lamp, door]);
    assert.ok(mm.startsWith('stateDiagram-v2\n  state "lamp" as m0\n  state m0 {\n    [*] --> m0_off : / powerUp\n'), mm);
    assert.ok(mm.includes('  state "door" as m1\n  state m1 {\n    [*] --> m1_closed\n    state "closed" as m1_closed\n'), mm);
    assert.ok(mm.includes('\n  m0_fault --> m0_on_H : RESET\n'), mm);
    assert.equal(mm.split('\n').filter((l) => l.trim() === 'stateDiagram-v2').length, 1);
    const dot = toDot([lamp, door]);
    assert.ok(dot.startsWith('digraph "machines" {'), dot);
    assert.ok(dot.includes('  subgraph "cluster_m0_machine" {\n    graph [label="lamp"'), dot);
    assert.ok(dot.includes('  subgraph "cluster_m1_machine" {\n    graph [label="door"'), dot);
    assert.ok(dot.includes('  "m1_s1" -> "m1_s2" [label="OPEN"];'), dot);
  });

  it('SVG (Graphviz in WebAssembly) is well-formed XML and names every state', async function () {
    this.timeout(60000);
    const svg = await dotToSvg(toDot([lamp]));
    assert.equal(XMLValidator.validate(svg), true);
    assert.ok(svg.includes('<svg'), 'an svg element');
    const texts = svgTexts(svg);
    for (const s of lamp.stateNames.slice(1)) assert.ok(texts.includes(s), `state ${s} is a text of the SVG (${texts.join(' | ')})`);
    for (const label of ['GO [isReady]', 'after 500 ms', 'RESET (local)', 'H*', 'H', 'HOLD / defer', 'TICK [c.n > 3]']) assert.ok(texts.includes(label), `${label} in the SVG`);
    assert.equal(await render([lamp], 'svg'), svg, 'the same DOT gives the same SVG');
  });
});

describe('keel diagram: the built command line', function () {
  this.timeout(180000);
  const work = join(repo, 'build', 'cli-test', `run-${process.pid}`);
  let bin = '';
  let fixture = '';

  interface Ran {
    status: number | null;
    stdout: string;
    stderr: string;
  }
  const keel = (args: string[], cwd = work): Ran => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const usageError = (r: Ran, what: RegExp): void => {
    assert.equal(r.status, 2, `exit code 2 (stderr: ${r.stderr})`);
    assert.match(r.stderr, what);
    assert.equal(r.stdout, '');
    assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
  };

  before(async function () {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const buildCli = ((await import(pathToFileURL(join(repo, 'scripts', 'build-cli.mjs')).href)) as { buildCli(out: string): Promise<string> }).buildCli;
    const bundle = (await import(pathToFileURL(join(repo, 'scripts', 'bundle.mjs')).href)) as { bundleForNode(entries: string[], out: string): Promise<string[]> };
    const cli = await buildCli(join(work, 'cli'));
    bin = join(cli, 'bin.js');
    [fixture] = await bundle.bundleForNode([join(repo, 'test', 'node', 'diagram-fixture.ts')], join(work, 'fixture'));
    writeFileSync(join(work, 'none.mjs'), 'export const answer = 42;\nexport function f() {}\n');
    const pkg = join(work, 'app', 'node_modules', 'machines');
    mkdirSync(join(pkg, 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'machines', type: 'module', exports: { '.': { import: './lib/index.js' }, './door': './lib/door.js' } }));
    writeFileSync(join(pkg, 'lib', 'index.js'), `export { lamp } from ${JSON.stringify(pathToFileURL(fixture).href)};\n`);
    writeFileSync(join(pkg, 'lib', 'door.js'), `export { door as default } from ${JSON.stringify(pathToFileURL(fixture).href)};\n`);
  });

  after(function () {
    rmSync(work, { recursive: true, force: true });
  });

  it('the bin starts with #!/usr/bin/env node; --help and diagram --help exit 0', function () {
    assert.ok(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n'));
    const h = keel(['--help']);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /^usage: keel <command>/);
    assert.match(h.stdout, /\n {2}diagram /);
    assert.match(h.stdout, /\n {2}trace /);
    const d = keel(['diagram', '--help']);
    assert.equal(d.status, 0, d.stderr);
    assert.match(d.stdout, /^usage: keel diagram MODULE \[--export NAME\]\.\.\. --format mermaid\|svg\|dot \[--out FILE\]/);
  });

  it('draws every definition a built module exports (export order), and only --export ones', function () {
    const all = keel(['diagram', fixture, '--format', 'mermaid']);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(all.stdout, toMermaid([door, lamp]));
    const one = keel(['diagram', fixture, '--export', 'lamp', '--format', 'mermaid']);
    assert.equal(one.stdout, LAMP_MERMAID);
    const out = join(work, 'lamp.dot');
    const dot = keel(['diagram', fixture, '-e', 'lamp', '--format', 'dot', '--out', out]);
    assert.equal(dot.status, 0, dot.stderr);
    assert.equal(dot.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), LAMP_DOT);
  });

  it('--format svg writes well-formed SVG naming every state', function () {
    const r = keel(['diagram', fixture, '--export', 'door', '--format', 'svg']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(XMLValidator.validate(r.stdout), true);
    const texts = svgTexts(r.stdout);
    for (const s of ['door', 'closed', 'open', 'OPEN', 'CLOSE']) assert.ok(texts.includes(s), `${s} in ${texts.join(' | ')}`);
  });

  it('a package specifier resolves from the current directory (exports, subpaths, default export)', function () {
    const cwd = join(work, 'app');
    const main_ = keel(['diagram', 'machines', '--format', 'mermaid'], cwd);
    assert.equal(main_.status, 0, main_.stderr);
    assert.equal(main_.stdout, LAMP_MERMAID);
    const sub = keel(['diagram', 'machines/door', '--format', 'dot'], cwd);
    assert.equal(sub.status, 0, sub.stderr);
    assert.equal(sub.stdout, toDot([door]));
    usageError(keel(['diagram', 'machines/nothing', '--format', 'dot'], cwd), /^keel diagram: module machines\/nothing: package machines does not export '\.\/nothing'\n/);
    usageError(keel(['diagram', 'no-such-package', '--format', 'dot'], cwd), /^keel diagram: module no-such-package not found \(no node_modules\/no-such-package from /);
  });

  it('mistakes: one clear line, exit code 2', function () {
    usageError(keel(['diagram', './missing.js', '--format', 'mermaid']), /^keel diagram: module \.\/missing\.js not found \(no file .*missing\.js\)\nrun 'keel diagram --help' for usage\n$/);
    usageError(keel(['diagram', 'none.mjs', '--format', 'mermaid']), /^keel diagram: module none\.mjs exports no machine definition \(an HsmDefinition made by defineHsm\); .*\(its exports: answer, f\)\n/);
    usageError(keel(['diagram', fixture, '--export', 'nope', '--format', 'mermaid']), /^keel diagram: --export nope: module .* exports no 'nope' \(its exports: answer, door, lamp\)\n/);
    usageError(keel(['diagram', fixture, '--export', 'answer', '--format', 'mermaid']), /^keel diagram: --export answer: export 'answer' of .* is not a machine definition/);
    usageError(keel(['diagram', fixture, '--format', 'png']), /^keel diagram: unknown --format 'png' \(use one of mermaid, dot, svg\)\n/);
    usageError(keel(['diagram', fixture]), /^keel diagram: missing --format \(one of mermaid, dot, svg\)\n/);
    usageError(keel(['diagram', '--format', 'dot']), /^keel diagram: missing MODULE/);
    usageError(keel(['diagram', fixture, fixture, '--format', 'dot']), /^keel diagram: one MODULE at a time/);
    usageError(keel(['diagram', fixture, '--format', 'dot', '--bogus']), /^keel diagram: Unknown option '--bogus'/);
    usageError(keel(['diagram', fixture, '--format']), /^keel diagram: Option '-f, --format <value>' argument missing/);
    usageError(keel(['diagram', join(repo, 'test', 'node', 'diagram-fixture.ts'), '--format', 'dot']), /is TypeScript source; build it to JavaScript first/);
    usageError(keel(['diagram', fixture, '--format', 'dot', '--out', join(work, 'no', 'such', 'dir', 'x.dot')]), /^keel diagram: cannot write --out /);
    usageError(keel([]), /^keel: missing command\nusage: keel <command>/);
    usageError(keel(['draw']), /^keel: unknown command 'draw' \(commands: diagram, trace\)\n/);
    usageError(keel(['--bogus']), /^keel: unknown option '--bogus'/);
    if (!existsSync(join(repo, 'cli', 'trace.ts'))) usageError(keel(['trace', 'x.ktr']), /^keel trace: not built: /);
  });

  it('main() in process: the same messages through the injected output', async function () {
    let err = '';
    let out = '';
    const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
    assert.equal(await main(['diagram', '--format', 'svg', '--nope'], io), 2);
    assert.match(err, /^keel diagram: Unknown option '--nope'/);
    assert.equal(await main(['--help'], io), 0);
    assert.match(out, /^usage: keel <command>/);
  });
});

describe('npm run docs: the example diagrams are up to date', function () {
  this.timeout(120000);

  it('docs/diagrams/*.mmd, .dot, .svg are what the examples make now', async function () {
    const files = await exampleDiagramFiles();
    assert.equal(files.size, 12, [...files.keys()].join(', '));
    for (const [rel, text] of files) {
      const file = join(repo, rel);
      assert.ok(existsSync(file), `${rel} exists (run npm run docs)`);
      assert.ok(readFileSync(file, 'utf8') === text, `${rel} is out of date: run npm run docs`);
    }
    for (const [rel, text] of files) if (rel.endsWith('.svg')) assert.equal(XMLValidator.validate(text), true, rel);
  });

  it('docs/examples.md embeds each machine diagram as generated', async function () {
    const md = readFileSync(join(repo, 'docs', 'examples.md'), 'utf8');
    const files = await exampleDiagramFiles();
    assert.ok(embedDiagrams(md, files) === md, 'docs/examples.md is out of date: run npm run docs');
    for (const name of exampleDefinitions().keys()) {
      assert.ok(md.includes(`<!-- diagram:${name} -->\n\`\`\`mermaid\n${files.get(`docs/diagrams/${name}.mmd`)!}\`\`\``), `${name} embedded`);
    }
  });
});

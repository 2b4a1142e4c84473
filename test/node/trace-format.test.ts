// The trace file format (docs/trace-format.md): a kernel + machine scenario
// captured into .ktr bytes decodes to exactly what the ring held; `keel
// trace` prints exact lines, --json and --mermaid; truncated, corrupted and
// other-version inputs get errors naming the byte offset; --follow reads a
// growing file and KTR:<hex> lines from a pipe.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { defineHsm, defineSignals } from '../../src/hsm.js';
import { Kernel, type KernelHost } from '../../src/kernel.js';
import { Trace, TRACE_USER } from '../../src/trace.js';
import { TraceCapture, toHexLine } from '../../hosts/sim/trace-capture.js';
import { decodeTrace, TraceDecodeError, type DecodedTrace } from '../../tools/trace/decode.js';
import { formatMermaid, formatText } from '../../tools/trace/format.js';
import { run } from '../../cli/trace.js';

class Clock implements KernelHost {
  t = 0;
  now(): number {
    return this.t;
  }
}

const S = defineSignals(['OPEN', 'CLOSE']);
function doorDefinition() {
  return defineHsm({
    name: 'door',
    signals: S,
    context: () => ({ opened: 0 }),
    initial: 'closed',
    states: {
      closed: { on: { OPEN: { target: 'open', action: (c) => { c.opened++; } } } },
      open: { after: { 10: 'closed' }, on: { CLOSE: 'closed' } },
    },
  });
}

/** The scenario: OPEN at 1 ms, the door closes itself after 10 ms; 3 CLOSEs posted at once into a queue of 2 (one refused). */
function scenario(maxPayload = 1024): { bytes: Uint8Array; trace: Trace } {
  const clock = new Clock();
  // 'full' machines: the exact lines below are one record per step (test/node/trace-compact.test.ts checks compact = full).
  const trace = new Trace({ machines: 'full', clock: () => clock.now(), capacity: 256 });
  const k = new Kernel({ name: 'k', host: clock, maxObjects: 2, timers: 2, trace });
  const door = k.spawnMachine(doorDefinition(), { priority: 1, queueCapacity: 2 });
  const chunks: Uint8Array[] = [];
  const cap = new TraceCapture(trace, (c) => chunks.push(c), { host: 'test', maxPayload });
  cap.begin([door.hsm.definition], (o) => (o.type === 'ao' && o.id === k.traceIdOf(door.ao) ? 2 : 0));
  const step = (): void => {
    clock.t++;
    k.tick();
    k.run();
    cap.drain();
  };
  k.run();
  cap.drain();
  step(); // 1 ms
  k.post(door.ao, S.OPEN, 7, 0.25);
  k.run();
  cap.drain();
  for (let i = 0; i < 12; i++) step(); // the after 10 ms fires at 11 ms
  k.post(door.ao, S.CLOSE);
  k.post(door.ao, S.CLOSE);
  k.post(door.ao, S.CLOSE); // refused: the queue holds 2
  step();
  cap.finish(clock.now(), ['report line 1', 'report line 2']);
  let n = 0;
  for (const c of chunks) n += c.length;
  const bytes = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, trace };
}

class Out {
  out = '';
  err = '';
  stdout = (t: string): void => {
    this.out += t;
  };
  stderr = (t: string): void => {
    this.err += t;
  };
}

let dir: string;
before(function () {
  dir = mkdtempSync(join(tmpdir(), 'keel-trace-'));
});
after(function () {
  rmSync(dir, { recursive: true, force: true });
});

describe('trace format: encode and decode', function () {
  it('a kernel + machine run decodes with its dictionary, in order, with no gaps', function () {
    const { bytes, trace } = scenario();
    const d = decodeTrace(bytes);
    assert.equal(d.version, 1);
    assert.equal(d.host, 'test');
    assert.deepEqual(
      [...d.objects.values()].map((o) => `${o.id} ${o.type} ${o.name} owner ${o.link} capacity ${o.capacity}`),
      ['1 kernel k owner 0 capacity 0', '2 ao k.ao0 owner 1 capacity 2', '3 ao k.ao1 owner 1 capacity 0', '4 hsm door owner 2 capacity 0'],
    );
    const door = d.objects.get(4)!;
    assert.deepEqual(door.states.map((s) => `${s.name}<${s.parent}`), ['top<-1', 'closed<0', 'open<0']);
    assert.deepEqual(door.signals.slice(1, 3), ['OPEN', 'CLOSE']);
    assert.deepEqual(
      door.transitions.map((t) => `${door.states[t.source]!.name} -${door.signals[t.signal]}-> ${t.target < 0 ? '-' : door.states[t.target]!.name} ${t.kind}`),
      ['closed -OPEN-> open external', 'open -CLOSE-> closed external', 'open -after 10 ms (open)-> closed external'],
    );
    assert.equal(d.records.length, trace.written);
    d.records.forEach((r, i) => assert.equal(r.seq, i));
    assert.equal(d.seqGaps, 0);
    assert.deepEqual(d.end, { time: 14, ringLost: 0, framesDropped: 0, recordsDropped: 0, recordsWritten: trace.written });
    assert.deepEqual(
      d.notes.map((n) => n.text),
      ['report line 1', 'report line 2'],
    );
  });

  it('small frames (128-byte payloads) carry the same records', function () {
    const a = decodeTrace(scenario().bytes);
    const b = decodeTrace(scenario(128).bytes);
    const strip = (d: DecodedTrace) => d.records.map(({ offset: _o, ...r }) => r);
    assert.deepEqual(strip(b), strip(a));
  });

  it('round trip of arbitrary records (fast-check): every field, -0, NaN, fractions, int32 edges, seq gaps', function () {
    const num = fc.oneof(fc.double(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, -0, 2 ** 31, -(2 ** 31) - 1, NaN));
    const rec = fc.record({
      kind: fc.integer({ min: 1, max: 31 }),
      sig: fc.integer({ min: -1, max: 0xfffe }),
      state: fc.integer({ min: -1, max: 0xfffe }),
      aux: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      p0: num,
      p1: num,
      dt: fc.integer({ min: 0, max: 2 ** 31 }),
      skip: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 80 }), fc.integer({ min: 64, max: 600 }), (list, maxPayload) => {
        let now = 2 ** 32 - 100; // the clock wraps during the run
        const t = new Trace({ clock: () => now, capacity: 128, kinds: -2 });
        const id = t.register('user', 'u');
        const chunks: Uint8Array[] = [];
        const cap = new TraceCapture(t, (c) => chunks.push(c), { maxPayload });
        cap.begin();
        const expect: { seq: number; kind: number; sig: number; state: number; aux: number; p0: number; p1: number; time: number }[] = [];
        let seq = 0;
        for (const r of list) {
          now += r.dt;
          if (r.skip) {
            // A record lost before it was framed: a gap in seq.
            t.rec(r.kind, id, r.sig, r.state, r.aux, r.p0, r.p1);
            t.discard(t.length);
            seq++;
            continue;
          }
          t.rec(r.kind, id, r.sig, r.state, r.aux, r.p0, r.p1);
          expect.push({ seq, kind: r.kind, sig: r.sig, state: r.state, aux: r.aux, p0: r.p0, p1: r.p1, time: now % 2 ** 32 });
          seq++;
          cap.drain();
        }
        cap.finish(0);
        const total = chunks.reduce((n, c) => n + c.length, 0);
        const bytes = new Uint8Array(total);
        let at = 0;
        for (const c of chunks) {
          bytes.set(c, at);
          at += c.length;
        }
        const d = decodeTrace(bytes);
        assert.equal(d.records.length, expect.length);
        d.records.forEach((r, i) => {
          const e = expect[i]!;
          assert.equal(r.seq, e.seq);
          assert.equal(r.kind, e.kind);
          assert.equal(r.object, id);
          assert.equal(r.signal, e.sig);
          assert.equal(r.state, e.state);
          assert.equal(r.aux, e.aux);
          assert.ok(Object.is(r.p0, e.p0), `p0 ${r.p0} vs ${e.p0}`);
          assert.ok(Object.is(r.p1, e.p1), `p1 ${r.p1} vs ${e.p1}`);
          assert.equal(r.time, Math.trunc(e.time) >>> 0);
        });
        assert.equal(d.seqGaps, list.filter((r, i) => r.skip && list.slice(i + 1).some((x) => !x.skip) && list.slice(0, i).some((x) => !x.skip)).length);
      }),
      { numRuns: 150 },
    );
    void TRACE_USER;
  });
});

const EXPECTED_TEXT = `# keel trace version 1 from test: 1 kernel, 2 ao, 1 hsm
       0 ms  #0      door         INIT            top -> closed (initial)
       0 ms  #1      door         ENTRY           closed
       1 ms  #2      door         POST            OPEN (7, 0.25), queue 1
       1 ms  #3      door         DISPATCH        OPEN (7, 0.25), queue 0 left
       1 ms  #4      door         DISPATCH        OPEN in closed (7, 0.25)
       1 ms  #5      door         TRANSITION      closed -> open on OPEN
       1 ms  #6      door         EXIT            closed
       1 ms  #7      door         ENTRY           open
       1 ms  #8      door         TIME_ARM        time event 0 in 10 ms
      11 ms  #9      door         TIME_EXPIRE     after 10 ms (open) time event 0, due 11, generation 1
      11 ms  #10     door         DISPATCH        after 10 ms (open) (0, 11), queue 0 left
      11 ms  #11     door         DISPATCH        after 10 ms (open) in open (0, 11)
      11 ms  #12     door         TRANSITION      open -> closed on after 10 ms (open)
      11 ms  #13     door         EXIT            open
      11 ms  #14     door         ENTRY           closed
      13 ms  #15     door         POST            CLOSE, queue 1
      13 ms  #16     door         POST            CLOSE, queue 2
      13 ms  #17     door         REFUSE          CLOSE refused, queue 2
      14 ms  #18     door         DISPATCH        CLOSE, queue 1 left
      14 ms  #19     door         DISPATCH        CLOSE in closed
      14 ms  #20     door         DISPATCH        CLOSE, queue 0 left
      14 ms  #21     door         DISPATCH        CLOSE in closed
# 22 records, 0 missing by sequence number, ring lost 0, frames dropped 0 (0 records)`;

describe('keel trace (cli/trace.ts)', function () {
  let file: string;
  before(function () {
    file = join(dir, 'door.ktr');
    writeFileSync(file, scenario().bytes);
  });

  it('prints readable lines with state and signal names from the dictionary', async function () {
    const o = new Out();
    assert.equal(await run([file], o), 0);
    assert.equal(o.err, '');
    assert.equal(o.out, EXPECTED_TEXT + '\n');
    assert.equal(formatText(decodeTrace(scenario().bytes)), EXPECTED_TEXT);
  });

  it('--json: one document with names, targets and the final report', async function () {
    const o = new Out();
    assert.equal(await run([file, '--json'], o), 0);
    const j = JSON.parse(o.out);
    assert.equal(j.format, 'keel-trace');
    assert.equal(j.records.length, 22);
    assert.deepEqual(j.records[5], { seq: 5, time: 1, kind: 'TRANSITION', object: 'door', objectId: 4, signal: 'OPEN', state: 'closed', aux: 2, p0: 7, p1: 0.25, target: 'open' });
    assert.deepEqual(j.records[17], { seq: 17, time: 13, kind: 'REFUSE', object: 'door', objectId: 2, signal: 'CLOSE', state: null, aux: 2, p0: 0, p1: 0 });
    assert.deepEqual(j.notes, ['report line 1', 'report line 2']);
    assert.deepEqual(
      j.objects.map((x: { name: string; type: string }) => `${x.type}:${x.name}`),
      ['kernel:k', 'ao:k.ao0', 'ao:k.ao1', 'hsm:door'],
    );
  });

  it('--mermaid: a sequence diagram with one lane per active object', async function () {
    const o = new Out();
    assert.equal(await run([file, '--mermaid'], o), 0);
    assert.equal(
      o.out,
      `sequenceDiagram
  participant env as env (interrupts, host)
  participant o2 as door
  env->>o2: OPEN
  Note over o2: closed -#62; open
  o2-)o2: after 10 ms (open)
  Note over o2: open -#62; closed
  env->>o2: CLOSE
  env->>o2: CLOSE
  env-xo2: CLOSE refused
`,
    );
    assert.equal(formatMermaid(decodeTrace(scenario().bytes)) + '\n', o.out);
  });

  it('errors name the byte offset: truncated, corrupted, other version, not a trace; exit code 1', async function () {
    const good = scenario().bytes;
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated mid-frame', good.subarray(0, 100), /^keel trace: .*: byte \d+: truncated frame: it needs \d+ bytes, the file ends after \d+\n$/],
      ['truncated at a frame boundary', good.subarray(0, good.length - 27), /byte \d+: truncated: the file ends without the END frame/],
      ['a flipped bit', flip(good, 60), /byte \d+: checksum mismatch in (OBJECT|RECORDS) frame/],
      ['version 2', patch(good, 4, 2), /byte 4: trace format version 2; this decoder reads version 1/],
      ['not a trace', new TextEncoder().encode('hello world, no trace'), /byte 0: not a Keel trace: the magic is 68 65 6c 6c/],
      ['empty', new Uint8Array(0), /byte 0: truncated: a \.ktr file starts with an 8-byte header; the input has 0 bytes/],
    ];
    for (const [what, bytes, re] of cases) {
      const f = join(dir, 'bad.ktr');
      writeFileSync(f, bytes);
      const o = new Out();
      assert.equal(await run([f], o), 1, what);
      assert.equal(o.out, '', what);
      assert.match(o.err, re, what);
    }
    // The offset is where the damage is: a flip in frame k is reported at frame k's start.
    const e = catchDecode(flip(good, 60));
    assert.ok(e.offset <= 60 && e.offset >= 8, `offset ${e.offset}`);
    const v = catchDecode(patch(good, 4, 2));
    assert.equal(v.offset, 4);
  });

  it('command-line mistakes are usage errors', async function () {
    await assert.rejects(run([], new Out()), /missing FILE/);
    await assert.rejects(run([file, '--json', '--mermaid'], new Out()), /exclude each other/);
    await assert.rejects(run([join(dir, 'nope.ktr')], new Out()), /cannot read .*nope\.ktr/);
    await assert.rejects(run([file, '--bogus'], new Out()), /Unknown option '--bogus'/);
  });

  it('--follow: a file that grows prints records as they arrive and stops at END', async function () {
    const bytes = scenario().bytes;
    const f = join(dir, 'growing.ktr');
    writeFileSync(f, bytes.subarray(0, 300));
    const o = new Out();
    const done = run([f, '--follow'], { ...o, stdout: o.stdout, stderr: o.stderr, pollMs: 5 });
    await new Promise((r) => setTimeout(r, 60));
    const partial = o.out.split('\n').filter((l) => / ms  #/.test(l)).length;
    assert.ok(partial > 0 && partial < 22, `records before the file grew: ${partial}`);
    appendFileSync(f, bytes.subarray(300));
    assert.equal(await done, 0);
    const lines = o.out.split('\n').filter((l) => / ms  #/.test(l));
    assert.deepEqual(lines, EXPECTED_TEXT.split('\n').filter((l) => / ms  #/.test(l)));
    assert.match(o.out, /# end at 14 ms: 22 records written, ring lost 0, frames dropped 0/);
    assert.equal(o.err, '');
  });

  it('--follow -: KTR:<hex> lines between console text (mcsim stdout), a corrupted line reported and skipped', async function () {
    const bytes = scenario().bytes;
    const stdin = new PassThrough();
    const o = new Out();
    const done = run(['-', '--follow', '--json'], { stdout: o.stdout, stderr: o.stderr, stdin });
    // Frames in three lines: the first line is corrupted in a copy sent before it.
    const cut = frameEnds(bytes).find((e) => e >= 200)!;
    const a = bytes.subarray(0, cut);
    const bad = flip(a, 150);
    stdin.write('booting...\n' + toHexLine(bad) + '\n');
    stdin.write('some console output\n' + toHexLine(a) + '\nmore text\n');
    stdin.write(toHexLine(bytes.subarray(cut)) + '\n');
    stdin.end();
    assert.equal(await done, 0);
    const recs = o.out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(recs.length, 22);
    assert.deepEqual(recs.map((r: { seq: number }) => r.seq), [...Array(22).keys()]);
    assert.match(o.err, /^keel trace: -: byte \d+: checksum mismatch in \w+ frame .* \(skipped\)\n$/);
  });
});

function flip(b: Uint8Array, at: number): Uint8Array {
  const c = b.slice();
  c[at] = c[at]! ^ 0x10;
  return c;
}
function patch(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  c[at] = v;
  return c;
}
function catchDecode(b: Uint8Array): TraceDecodeError {
  try {
    decodeTrace(b);
  } catch (e) {
    if (e instanceof TraceDecodeError) return e;
    throw e;
  }
  throw new Error('decoded');
}

/** Byte offsets where each frame of a .ktr file ends. */
function frameEnds(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 8; at + 5 <= b.length; ) {
    at += 5 + (b[at + 3]! | (b[at + 4]! << 8)) + 2;
    out.push(at);
  }
  return out;
}

/**
 * The trace replay across hosts (docs/trace-format.md "Device capture"):
 * tools/trace/replay.ts and tools/trace/lines.ts on Node, and, where
 * $MODDABLE is set, the real thing: `check:moddable --trace-only` builds the
 * blinky and port-reset apps for mcsim with tracing on and a scripted
 * button, decodes their `KTR:` lines and compares them with the Node
 * simulator's trace of the same scenario, record for record. Without
 * $MODDABLE that part is skipped with a message.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as keelTrace } from '../../cli/trace.js';
import { REPLAY_SCENARIOS, compareReplay, comparableRecords, runNodeReplay } from '../../tools/trace/replay.js';
import { decodeCapture } from '../../tools/trace/lines.js';
import { toHexLine } from '../../hosts/sim/trace-capture.js';
import { Trace, TRACE_USER } from '../../src/trace.js';
import { TraceFrameWriter } from '../../src/trace-frames.js';

/** The frames of a decoded Node run re-sent as a device does: KTR:<hex> lines, one per frame, among console text, no file header, no END. */
function asDeviceLog(records: number): { text: string; trace: Trace } {
  const trace = new Trace({ name: 'device', clock: () => 0, capacity: 256 });
  trace.register('user', 'app');
  const w = new TraceFrameWriter({ maxPayload: 64 });
  const out: string[] = ['keel: app "blinky" running, tick 10 ms'];
  const frame = (): void => {
    w.seal(); // a frame being built (the last one) is sealed; a sealed one stays as it is
    const b = new Uint8Array(w.pending);
    const n = w.copyFrame(b, 0);
    out.push(toHexLine(b.subarray(0, n)));
  };
  w.hello('moddable blinky');
  frame();
  w.object(1, 0, 'app');
  frame();
  for (let i = 0; i < records; i++) trace.rec(TRACE_USER, 1, i, -1, i, i * 0.5, 0);
  const buf = new Int32Array(10 * records);
  const f = new Float64Array(buf.buffer);
  trace.take(buf);
  for (let k = 0; k < records; k++) {
    if (!w.addRecord(buf, f, k)) {
      frame();
      w.addRecord(buf, f, k);
    }
    if (k === 3) out.push('keel: window 1: slots 0 chunks 0 B gc 0: clean (nothing allocated)');
  }
  frame();
  return { text: out.join('\n') + '\n', trace };
}

describe('trace replay across hosts', () => {
  it('a device log of KTR: lines among console text decodes to every record, in order, without header or END', () => {
    const { text } = asDeviceLog(12);
    const c = decodeCapture(new TextEncoder().encode(text));
    assert.deepEqual(c.problems, []);
    assert.equal(c.trace.host, 'moddable blinky');
    assert.deepEqual([...c.trace.objects.values()].map((o) => o.name), ['app']);
    assert.deepEqual(c.trace.records.map((r) => [r.seq, r.signal, r.aux, r.p0]), Array.from({ length: 12 }, (_, i) => [i, i, i, i * 0.5]));
    assert.equal(c.trace.end, null);
    assert.deepEqual(c.text, ['keel: app "blinky" running, tick 10 ms', 'keel: window 1: slots 0 chunks 0 B gc 0: clean (nothing allocated)']);
  });

  it('a corrupted KTR: line is reported with its byte offset and skipped; the other frames decode', () => {
    const { text } = asDeviceLog(12);
    const lines = text.split('\n');
    const i = lines.findIndex((l, k) => k > 3 && l.startsWith('KTR:'));
    lines[i] = lines[i]!.slice(0, 20) + (lines[i]![20] === '0' ? '1' : '0') + lines[i]!.slice(21);
    const bad = lines.join('\n');
    const c = decodeCapture(new TextEncoder().encode(bad));
    assert.equal(c.problems.length, 1);
    assert.equal(c.problems[0]!.offset, bad.indexOf(lines[i]!));
    assert.ok(c.trace.records.length > 0 && c.trace.records.length < 12);
    assert.ok(c.trace.seqGaps > 0, 'the skipped frame shows as a gap in seq');
  });

  it('keel trace --lines FILE prints a device log\'s records; a log without frames exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-lines-'));
    try {
      const file = join(dir, 'run.log');
      writeFileSync(file, asDeviceLog(5).text);
      let out = '';
      let err = '';
      const io = { stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) };
      assert.equal(await keelTrace(['--lines', file], io), 0);
      assert.equal(err, '');
      assert.equal(out.split('\n').filter((l) => / USER /.test(l)).length, 5, out);
      assert.match(out, /moddable blinky/);
      writeFileSync(file, 'keel: app "blinky" running\n');
      assert.equal(await keelTrace(['--lines', file], io), 1);
      assert.match(err, /no trace frames in 27 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const s of REPLAY_SCENARIOS) {
    it(`${s.name}: the Node run is deterministic, and the comparison finds a changed record`, () => {
      const a = runNodeReplay(s);
      const b = runNodeReplay(s);
      assert.ok(a.records.length > 50, `${a.records.length} records`);
      assert.deepEqual(compareReplay(a, b, s).differences, []);
      // A device trace that differs in one record's state: named, with its index.
      const k = a.records.findIndex((r) => r.kind === 3); // an EXIT
      const changed = { ...b, records: b.records.map((r, i) => (i === k ? { ...r, state: r.state + 1 } : r)) };
      const d = compareReplay(a, changed, s).differences;
      assert.equal(d.length, 1);
      assert.ok(d[0]!.startsWith(`record ${k}: node "${comparableRecords(a)[k]}"`), d[0]);
      // Host-clock fields are not compared: shifting every time by 7 ms changes nothing.
      const shifted = { ...b, records: b.records.map((r) => ({ ...r, time: r.time + 7, t: r.t + 7, p0: r.kind === 10 ? r.p0 + 7 : r.p0 })) };
      assert.deepEqual(compareReplay(a, shifted, s).differences, []);
      // A short device trace is named as such.
      const short = { ...b, records: b.records.slice(0, 10) };
      assert.match(compareReplay(a, short, s).differences[0]!, /the device sent 10 records, the Node run \d+/);
    });
  }

  describe('mcsim (real XS) against the Node simulator', function () {
    this.timeout(20 * 60 * 1000);
    it('check:moddable --trace-only: every scenario matches record for record, probe windows clean with tracing on', function () {
      const sdk = process.env.MODDABLE;
      if (!sdk) {
        console.log('      (skipped: MODDABLE is not set; set it to a built Moddable SDK, e.g. MODDABLE=/opt/moddable, to run the mcsim trace replay)');
        this.skip();
      }
      const root = process.cwd();
      assert.ok(existsSync(join(root, 'scripts', 'check-moddable.mjs')), `run from the repository root (cwd ${root})`);
      const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-moddable.mjs'), '--trace-only'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
      const out = `${r.stdout}${r.stderr}`;
      const summary = /keel check:moddable: (\d+) of (\d+) checks passed.*/.exec(out);
      assert.ok(summary, out.slice(-2000));
      assert.equal(r.status, 0, out.slice(-3000));
      assert.equal(summary[1], summary[2]);
      assert.equal(Number(summary[2]), REPLAY_SCENARIOS.length * 2);
    });
  });
});

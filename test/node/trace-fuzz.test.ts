// The trace decoder (tools/trace/decode.ts) under hostile input (fast-check):
// random bytes, truncations and bit flips of a valid .ktr file either decode
// or throw TraceDecodeError with an offset inside the input; nothing else is
// thrown and nothing hangs (mocha's timeout bounds every run). The live
// stream decoder never throws, in any chunking.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Trace, TRACE_POST, TRACE_TRANSITION } from '../../src/trace.js';
import { TraceCapture } from '../../hosts/sim/trace-capture.js';
import { decodeTrace, TraceDecodeError, TraceStream } from '../../tools/trace/decode.js';

/** A valid file: a dictionary entry with names and 40 records of assorted params. */
function validFile(): Uint8Array {
  let now = 0;
  const t = new Trace({ clock: () => now, capacity: 64 });
  const id = t.register('pool', 'p');
  const chunks: Uint8Array[] = [];
  const cap = new TraceCapture(t, (c) => chunks.push(c), { maxPayload: 200 });
  cap.begin();
  for (let i = 0; i < 40; i++) {
    now += i;
    t.rec(i % 2 === 0 ? TRACE_POST : TRACE_TRANSITION, id, i, i & 3, i * 1000 - 7, i / 3, -i);
  }
  cap.finish(now, ['done']);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** decodeTrace either succeeds or throws TraceDecodeError with 0 <= offset <= length. */
function decodesOrNamesOffset(b: Uint8Array): 'ok' | 'error' {
  try {
    decodeTrace(b);
    return 'ok';
  } catch (e) {
    if (!(e instanceof TraceDecodeError)) throw new Error(`not a TraceDecodeError: ${String(e)}`);
    assert.ok(e.offset >= 0 && e.offset <= b.length, `offset ${e.offset} outside 0..${b.length}`);
    assert.match(e.message, /^byte \d+: /);
    return 'error';
  }
}

function streamNeverThrows(b: Uint8Array, cuts: number[]): void {
  const s = new TraceStream({}, (p) => assert.ok(p.offset >= 0 && p.offset <= b.length + 8, `problem offset ${p.offset}`));
  let at = 0;
  for (const c of [...cuts.map((x) => x % (b.length + 1)).sort((x, y) => x - y), b.length]) {
    s.push(b.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
}

describe('trace decoder fuzz (fast-check)', function () {
  this.timeout(120000);
  const good = validFile();

  it('the valid file decodes (control)', function () {
    const d = decodeTrace(good);
    assert.equal(d.records.length, 40);
    assert.equal(d.objects.get(1)!.name, 'p');
  });

  it('every truncation is an error naming an offset (never a partial success)', function () {
    for (let n = 0; n < good.length; n++) assert.equal(decodesOrNamesOffset(good.subarray(0, n)), 'error', `prefix of ${n} bytes`);
  });

  it('random bytes: decoded or TraceDecodeError, streams never throw', function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 6 }), (b, cuts) => {
        decodesOrNamesOffset(b);
        streamNeverThrows(b, cuts);
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes after a valid header and HELLO: decoded or TraceDecodeError', function () {
    const prefix = good.subarray(0, 8 + 5 + 13 + 2);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (tail) => {
        const b = new Uint8Array(prefix.length + tail.length);
        b.set(prefix);
        b.set(tail, prefix.length);
        decodesOrNamesOffset(b);
      }),
      { numRuns: 1000 },
    );
  });

  it('bit flips and byte changes of a valid file: detected (CRC) or harmless, never a crash', function () {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (flips, cuts) => {
          const b = good.slice();
          for (const f of flips) b[f.at % b.length] ^= 1 << f.bit;
          const r = decodesOrNamesOffset(b);
          // One flipped bit anywhere is always caught: in the header by the checks, in a frame by its CRC.
          if (flips.length === 1) assert.equal(r, 'error');
          streamNeverThrows(b, cuts);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('frames with a valid CRC but a hostile payload (lengths, encodings) are named errors', function () {
    // Re-seal random payloads of every frame type with a correct CRC, so the payload parsers are reached.
    const crcOf = (b: Uint8Array, s: number, e: number): number => {
      let c = 0xffff;
      for (let i = s; i < e; i++) {
        c ^= b[i]! << 8;
        for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
      }
      return c;
    };
    const hello = good.subarray(0, 8 + 5 + 13 + 2);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 120 }), (type, payload) => {
        const f = new Uint8Array(5 + payload.length + 2);
        f[0] = 0xa5;
        f[1] = 0x4b;
        f[2] = type;
        f[3] = payload.length & 0xff;
        f[4] = payload.length >> 8;
        f.set(payload, 5);
        const c = crcOf(f, 2, 5 + payload.length);
        f[5 + payload.length] = c & 0xff;
        f[6 + payload.length] = c >> 8;
        const b = new Uint8Array(hello.length + f.length);
        b.set(hello);
        b.set(f, hello.length);
        decodesOrNamesOffset(b);
        streamNeverThrows(b, [hello.length + 3]);
      }),
      { numRuns: 2000 },
    );
  });
});

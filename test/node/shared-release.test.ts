// Release builds (debug checks off, as dist/xs) of SharedEventQueue and SharedStream
// (issue 19 #2, #3): the producer's checks at the trust boundary run in every
// build, so a bad signal, parameter or margin is refused with QueueEventError
// before a slot is claimed: the queue is never wedged by a JS producer and
// never over-filled. The modules are transpiled from src/ with the debug flag false
// (test/node/release-build.ts); Node only.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from '../support/assert.js';
import { releaseBuild } from './release-build.js';
import type * as SharedQueueModule from '../../src/shared-queue.js';
import type * as QueueModule from '../../src/queue.js';
import type * as SharedStreamModule from '../../src/shared-stream.js';

describe('release build (debug checks compiled out): the trust boundary of SharedEventQueue and SharedStream (issue 19)', function () {
  this.timeout(60000);
  let R: typeof SharedQueueModule;
  let Q: typeof QueueModule;
  let S: typeof SharedStreamModule;
  let dir = '';

  before(async function () {
    const [sq, q, ss] = await releaseBuild(['shared-queue.ts', 'queue.ts', 'shared-stream.ts']);
    dir = dirname(fileURLToPath(sq!));
    R = (await import(sq!)) as typeof SharedQueueModule;
    Q = (await import(q!)) as typeof QueueModule;
    S = (await import(ss!)) as typeof SharedStreamModule;
  });

  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('is a release build: the debug flag is compiled to false in every module', function () {
    const flag = new RegExp('\\b' + 'DE' + 'BUG' + '\\b');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.ok(!flag.test(text), `${f} still reads the flag`);
    }
    assert.ok(/if \(false\)/.test(readFileSync(join(dir, 'queue.js'), 'utf8')), 'queue.js has its debug checks compiled out');
  });

  it('#2 post(1, 1n), post(1, Symbol()), a throwing valueOf, a bigint signal: QueueEventError before the claim; the queue is not wedged', function () {
    const throwing = {
      valueOf(): number {
        throw new Error('valueOf');
      },
    };
    const cases: unknown[][] = [[1, 1n], [1, Symbol('s')], [1, throwing], [1, 0, 0, 0, 'x'], [1n], [Symbol('s')], [70000], [-1], [0.5], [throwing]];
    for (const producers of ['single', 'multiple'] as const) {
      for (const args of cases) {
        const q = new R.SharedEventQueue({ name: 'release', capacity: 4, producers });
        for (const call of [() => (q.post as (...a: unknown[]) => boolean)(...args), () => (q.postWithMargin as (...a: unknown[]) => boolean)(0, ...args)]) {
          let caught: unknown;
          try {
            call();
          } catch (e) {
            caught = e;
          }
          assert.ok(caught instanceof Q.QueueEventError, `${producers} ${args.map((a) => typeof a).join(',')}: ${String(caught)}`);
        }
        assert.deepEqual([q.length, q.ringLength, q.posted, q.get()], [0, 0, 0, Q.NO_EVENT], 'nothing claimed (was: length 1, get() NO_EVENT for good)');
        assert.equal(q.post(2, 20), true);
        assert.equal(q.get(), 2);
        assert.equal(q.clear(), 0);
      }
    }
  });

  it('#3 postWithMargin(NaN) or a negative margin throws QueueEventError; capacity holds (was: 12 of 12 accepted at capacity 4)', function () {
    const q = new R.SharedEventQueue({ name: 'release margins', capacity: 4 });
    for (const m of [NaN, -1, -100, 0.5]) {
      let accepted = 0;
      let refusedByError = 0;
      for (let i = 0; i < 12; i++) {
        try {
          if (q.postWithMargin(m, i)) accepted++;
        } catch (e) {
          assert.ok(e instanceof Q.QueueEventError, String(e));
          refusedByError++;
        }
      }
      assert.deepEqual([accepted, refusedByError, q.length], [0, 12, 0], `margin ${m}`);
    }
    let accepted = 0;
    for (let i = 0; i < 12; i++) if (q.postWithMargin(0, i)) accepted++;
    assert.deepEqual([accepted, q.length, q.refused], [4, 4, 8]);
  });

  it('SharedStream: a bad item (bigint) throws before TAIL moves, so nothing is published; the stream goes on', function () {
    const s = new S.SharedStream({ name: 'release stream', type: 'f64', capacity: 4 });
    assert.throws(() => s.writeOne(1n as unknown as number), TypeError);
    assert.throws(() => s.write([1, 2n as unknown as number], 0, 2), TypeError);
    assert.deepEqual([s.length, s.written, s.next()], [0, 0, false]);
    assert.equal(s.writeOne(3), true);
    assert.equal(s.next() && s.value, 3);
  });
});

// Release build (debug checks off, as dist/xs) of SharedEventQueue's batch API
// (issue 16): postMany's argument and signal checks and drainTo's corruption
// checks run in every build, with the short release messages
// `SharedEventQueue 'name' [CODE]`; nothing is claimed before they pass.
// The module is transpiled from src/ with the debug flag false
// (test/node/release-build.ts); Node only.
import { dirname } from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { strict as assert } from '../support/assert.js';
import { releaseBuild } from './release-build.js';
import type * as SharedQueueModule from '../../src/shared-queue.js';
import type * as QueueModule from '../../src/queue.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('release build (debug checks compiled out): SharedEventQueue postMany/drainTo keep their checks (issue 16)', function () {
  this.timeout(60000);
  let R: typeof SharedQueueModule;
  let Q: typeof QueueModule;
  let dir = '';

  before(async function () {
    const [sq, q] = await releaseBuild(['shared-queue.ts', 'queue.ts']);
    dir = dirname(fileURLToPath(sq!));
    R = (await import(sq!)) as typeof SharedQueueModule;
    Q = (await import(q!)) as typeof QueueModule;
  });

  after(function () {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('bad arguments: QueueUsageError BAD_BATCH; a bad signal: QueueEventError BAD_SIGNAL; nothing claimed', function () {
    const q = new R.SharedEventQueue({ name: 'rel', capacity: 4, producers: 'single' });
    const tail = new Int32Array(q.buffer, 0, 64)[R.LAYOUT.W_TAIL];
    for (const call of [() => q.postMany(new Int32Array(5), 2), () => q.drainTo([] as unknown as Int32Array, 1), () => q.postMany(new Int32Array(5), -1)]) {
      const e = thrown(call);
      assert.ok(e instanceof R.QueueUsageError && e.code === 'BAD_BATCH', String(e));
      assert.equal((e as Error).message, "SharedEventQueue 'rel' [BAD_BATCH]");
    }
    const src = new Int32Array([1, 0, 0, 0, 0, 70000, 0, 0, 0, 0]);
    const e = thrown(() => q.postMany(src, 2));
    assert.ok(e instanceof Q.QueueEventError && e.code === 'BAD_SIGNAL', String(e));
    assert.equal((e as Error).message, "SharedEventQueue 'rel' [BAD_SIGNAL]");
    assert.deepEqual([new Int32Array(q.buffer, 0, 64)[R.LAYOUT.W_TAIL], q.posted, q.refused, q.length], [tail, 0, 0, 0]);
  });

  it('postMany/drainTo move records; a corrupted signal is reported by drainTo; the queue goes on', function () {
    const q = new R.SharedEventQueue({ name: 'rel', capacity: 4 });
    const src = new Int32Array([1, 10, 0, 0, 0, 2, 20, 0, 0, 0, 3, 30, 0, 0, 0]);
    assert.equal(q.postMany(src, 3), 3);
    const i32 = new Int32Array(q.buffer);
    i32[64 + ((i32[R.LAYOUT.W_HEAD]! + 1) & 3) * 10 + 1] = -5;
    const dst = new Int32Array(20);
    assert.equal(q.drainTo(dst, 4), 1);
    const e = thrown(() => q.drainTo(dst, 4));
    assert.ok(e instanceof R.QueueCorruptionError && e.code === 'BAD_SIGNAL', String(e));
    assert.equal((e as Error).message, "SharedEventQueue 'rel' [BAD_SIGNAL]");
    assert.equal(q.drainTo(dst, 4), 1);
    assert.deepEqual(Array.from(dst.subarray(0, 5)), [3, 30, 0, 0, 0]);
    assert.deepEqual([q.posted, q.taken, q.corrupted, q.length], [3, 2, 1, 0]);
  });
});

// Moddable freezes the prototypes of every preloaded module. Keel swaps some
// methods on instances (the trace's onFilter hooks, a 'stop' Trace's write, a
// zeroOnClaim pool): with frozen prototypes a plain assignment over the
// inherited method throws a TypeError in strict code, which check:moddable
// caught as an abort at boot. This runs those paths with every Keel prototype
// frozen, in a worker thread (its own realm), and needs no Moddable SDK.
import { Worker } from 'node:worker_threads';
import { strict as assert } from '../support/assert.js';

describe('frozen prototypes (as a Moddable preload leaves them)', function () {
  this.timeout(60000);
  it('traced kernels, machines, pools and traces swap methods as own properties', async function () {
    const worker = new Worker(new URL('./frozen-prototypes.worker.mjs', import.meta.url));
    const r = await new Promise<{ ok: boolean; steps: string[]; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.equal(r.error, undefined, `with frozen prototypes: ${r.error} (after: ${r.steps.join('; ')})`);
    assert.ok(r.ok);
    assert.equal(r.steps.length, 5, r.steps.join('; '));
  });
});

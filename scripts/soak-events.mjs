// `npm run soak` part 2 (issue 13): 10,000,000 dispatched events through
// kernel + hsm + pool + streams (test/soak/soak-firmware.ts) on the XS engine host,
// in a release build (DEBUG off), on a small fixed heap that cannot grow.
// Reports the events, virtual time, XS collections, and slots / chunk bytes
// after boot and at the end (they must not change), and the invariants
// (queue identities, pool.used, stream counts). Exits 1 on any problem.
//
//   node scripts/soak-events.mjs [--events N] [--slots N] [--chunks BYTES]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleForXs, root } from './bundle.mjs';
import { ensureXsHost } from '../hosts/xs/build.mjs';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    slots: { type: 'string', default: '16384' },
    chunks: { type: 'string', default: '1048576' },
  },
});
const events = Number(values.events);
if (!Number.isInteger(events) || events < 1) {
  console.error(`--events must be a positive integer (got ${values.events})`);
  process.exit(64);
}
const firmware = join(root, 'test', 'soak', 'soak-firmware.ts');
const dir = join(root, 'build', 'soak', `events-${process.pid}`);
const file = join(dir, 'soak-events.js');
// The loop runs in the machine; the counters are read outside it (the report allocates).
const entryCode =
  `import { bootSoak, soakProblems, soakStep } from ${JSON.stringify(firmware)};\n` +
  `const s = bootSoak();\n` +
  `const used0 = s.pool.used;\n` +
  `gc();\n` +
  `const slots0 = $xs.slots(), chunks0 = $xs.chunks(), gc0 = $xs.gcCount(), steps0 = $xs.steps();\n` +
  `const t0 = performance.now();\n` +
  `let n = 0;\n` +
  `while (n < ${events}) n += soakStep(s);\n` +
  `const ms = performance.now() - t0;\n` +
  `const slots1 = $xs.slots(), chunks1 = $xs.chunks(), gc1 = $xs.gcCount();\n` +
  `const problems = soakProblems(s, used0);\n` +
  `print('KEEL-SOAK ' + JSON.stringify({ events: n, virtualMs: s.clock.t, slots0, chunks0, slots1, chunks1, collections: gc1 - gc0, heapSlots: $xs.heapSlots(), heapChunks: $xs.heapChunks(), ms, ` +
  `published: s.producer.ctx.published, noBlock: s.producer.ctx.noBlock, handled: s.workers[0].ctx.handled + s.workers[1].ctx.handled, pauses: s.workers[0].ctx.pauses + s.workers[1].ctx.pauses, ` +
  `bytes: s.reader.ctx.bytes, blocks: s.reader.ctx.blocks, stale: s.kernel.staleExpiries, refused: s.kernel.queueOf(s.workers[0].ao).refused + s.kernel.queueOf(s.workers[1].ao).refused, problems }));\n`;

let failed = 0;
try {
  const bin = await ensureXsHost();
  await bundleForXs([], file, { entryCode, debug: false });
  console.log(`soak events: ${events} events, release build, fixed heap ${values.slots} slots + ${values.chunks} chunk bytes (cannot grow)`);
  const text = await new Promise((resolve, reject) => {
    const child = spawn(bin, ['--slots', values.slots, '--chunks', values.chunks, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`keel-xs exited with status ${code} (memory full on the fixed heap?)\n${out}`))));
  });
  const line = text.split('\n').find((l) => l.startsWith('KEEL-SOAK '));
  if (!line) throw new Error(`no result line:\n${text}`);
  const r = JSON.parse(line.slice('KEEL-SOAK '.length));
  console.log(`  ${r.events} events over ${r.virtualMs} virtual ms (${(r.virtualMs / 60000).toFixed(1)} min), ${Math.round(r.ms / 1000)} s on the XS host`);
  console.log(`  heap: ${r.heapSlots} slots, ${r.heapChunks} chunk bytes (fixed); after boot ${r.slots0} slots, ${r.chunks0} chunk B; at the end ${r.slots1} slots, ${r.chunks1} chunk B; collections ${r.collections}`);
  console.log(`  work: ${r.published} blocks published (${r.noBlock} claims found the pool empty), ${r.handled} handled, ${r.pauses} pauses with deferral, ${r.bytes} bytes and ${r.blocks} blocks through the streams, ${r.refused} worker posts refused, ${r.stale} stale expiries`);
  if (r.collections !== 0) (failed++, console.log(`  FAILED: ${r.collections} collections`));
  if (r.slots1 !== r.slots0 || r.chunks1 !== r.chunks0) (failed++, console.log('  FAILED: the heap changed'));
  if (r.problems.length) (failed++, console.log('  FAILED invariants:\n    ' + r.problems.join('\n    ')));
  else console.log('  invariants: all hold (queue identities, pool.used, stream counts, deliveries)');
} catch (e) {
  failed++;
  console.error(e && e.message ? e.message : e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? 'soak events: FAILED' : 'soak events: passed');
process.exit(failed ? 1 : 0);

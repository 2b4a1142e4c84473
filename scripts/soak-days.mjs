// `npm run soak` part 3 (issue 13): 40 days of virtual time with the three
// examples on the tickless simulator, from 10^9 ms (11.6 days of uptime), so
// the run crosses the device clock's wraps at 2^31 ms (24.9 days) and 2^32 ms
// (49.7 days). A scenario cycle (presses, power-good changes, reset requests,
// UART lines) runs every hour, plus one straddling each wrap; every cycle must
// produce the outputs of the first full one, shifted (test/soak/soak-days.ts).
//
//   node scripts/soak-days.mjs [--days N] [--every-min N] [--start-ms N]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { bundleForNode, root } from './bundle.mjs';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '40' },
    'every-min': { type: 'string', default: '60' },
    'start-ms': { type: 'string', default: '1000000000' },
  },
});
const days = Number(values.days);
const everyMin = Number(values['every-min']);
const startMs = Number(values['start-ms']);
const dir = join(root, 'build', 'soak', `days-${process.pid}`);
let failed = 0;
try {
  const [built] = await bundleForNode([join(root, 'test', 'soak', 'soak-days.ts')], dir);
  const { runDays } = await import(pathToFileURL(built).href);
  const t0 = Date.now();
  console.log(`soak days: ${days} days of virtual time from ${startMs} ms, a scenario cycle every ${everyMin} min, tickless simulator`);
  const r = runDays(startMs, days * 86400000, everyMin * 60000);
  console.log(`  ${r.cycles} cycles, ${r.outputsPerCycle} outputs each; ${r.steps} simulator steps, ${r.ticks} ticks (${r.merged} grid points slept through), ${Math.round((Date.now() - t0) / 1000)} s`);
  console.log(`  wraps crossed: ${r.wraps.map((w) => (w === 2 ** 31 ? '2^31' : '2^32')).join(', ') || 'none'} (a cycle straddles each)`);
  console.log(`  final states: ${JSON.stringify(r.states)}`);
  console.log(`  kernel: ${r.counters.dispatched} events dispatched, ${r.counters.staleExpiries} stale expiries dropped, ${r.counters.timerRefused} time events refused`);
  if (r.mismatches.length) {
    failed++;
    console.log('  FAILED: cycles differ from cycle 1:\n    ' + r.mismatches.join('\n    '));
  } else console.log('  every cycle matches cycle 1, shifted');
  if (r.wraps.length < 2 && days >= 40) (failed++, console.log('  FAILED: the run did not cross both wraps'));
} catch (e) {
  failed++;
  console.error(e && e.stack ? e.stack : e);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? 'soak days: FAILED' : 'soak days: passed');
process.exit(failed ? 1 : 0);

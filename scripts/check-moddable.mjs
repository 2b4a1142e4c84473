// `npm run check:moddable`: Keel's device side judged by the real Moddable SDK.
//
//   node scripts/check-moddable.mjs [--seconds N] [--app NAME ...] [--json FILE] [--no-link] [--consumer-only]
//                                  [--bridge-only] [--no-bridge] [--trace-only] [--no-trace]
//
// Needs $MODDABLE (the SDK with its desktop tools built); without it, prints
// one line saying so and how to get the SDK, and exits 0 (npm test and CI do
// not need the SDK). With it:
//   1. builds Keel (dist/xs) and the device host (dist/moddable);
//   2. links the JavaScript of the esp32 and pico builds (debug and
//      instrumented): mcconfig with Keel's make fragment
//      (scripts/moddable-js-link.mk) compiles every module with xsc and links
//      them with xsl, preloads and the board's creation included. No ESP-IDF
//      or Pico SDK is needed; nothing is compiled for the device's CPU;
//   3. builds every app (bringup, blinky, port-reset, uart-lines) for -p lin,
//      as a debug build (-d) and as an instrumented release (-i), each with
//      three budgets: the desktop's own creation, and the `creation` of
//      boards/esp32 and boards/rp2040 applied to the lin build (fixed heap,
//      incremental 0: a budget that is too small aborts as on the device);
//   4. runs each build in mcsim for N seconds (headless: one Xvfb when there
//      is no display), reads its trace and the simulator's once-a-second
//      instrument samples, and fails the run unless: the app's boot line
//      appears, there is no XS abort or exception, at least one probe window
//      is valid (no collection), and every valid window shows 0 slots and 0
//      chunk bytes;
//   5. checks that each board's creation has at least 25% headroom over the
//      largest measurement of the apps it runs: slots and chunk bytes used
//      after boot, and peak stack, on the real engine (64-bit lin: slots are
//      counted, chunk bytes are 64-bit sizes, an upper bound for 32-bit MCUs);
//   6. uses Keel as a user's app does: `npm pack`, a scratch app made from
//      templates/app (JS) and templates/app-ts (TypeScript, typescript@6 from
//      npm) that includes the library manifest, and templates/app/main.js
//      through mcpack (the package's "moddable" exports); each is built for
//      lin and run headless, and must show clean probe windows (0 slots and
//      0 chunk bytes per window after boot); the JS app is also linked for
//      esp32 (JavaScript only, as in 2); and templates/app plus the interrupt
//      bridge's manifest from node_modules/keel (INTERRUPT_INCLUDE) with an
//      InterruptSource (lin's thread: 1 kHz for 1 s) drained into an active
//      object: built for lin, run until done, exact counts
//      (judgeInterruptConsumer) and clean windows; linked for esp32 and pico;
//   7. the interrupt bridge (hosts/moddable/interrupt, docs/interrupts.md):
//      links its app (manifest_bridge.json) for esp32 and pico as in 2, then
//      builds it for lin and runs each BRIDGE_RUNS entry alone in mcsim (a
//      POSIX thread plays a GPIO interrupt at 10 kHz for 10 s) until the app
//      reports "done" twice (bridgeFinished) or a time limit: it must
//      finish with exact counts (offered = posted + refused + glitched +
//      corrupt, every posted record dispatched once and in order, sequence
//      gaps = the counted refusals), clean probe windows, and report the
//      interrupt-to-dispatch latency (p50 / p99 / max, microseconds).
//      --bridge-only runs just this part; --no-bridge skips it.
//   8. the trace replay (docs/trace-format.md "Device capture"): builds the
//      blinky and port-reset apps for lin with tracing on (keelTrace "text")
//      and a scripted button (keelStimulus), -d and -i, runs each in mcsim,
//      decodes its `KTR:` lines and compares the records with the Node
//      simulator's trace of the same scenario (tools/trace/replay.ts); each
//      run must also pass the app checks of 4 with tracing on (clean probe
//      windows: the drain allocates nothing after boot). --trace-only runs
//      just this part; --no-trace skips it.
// Prints one row per run and a table of measurements; exits 1 on any failure.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { root } from './bundle.mjs';
import { BUILD_ROOT, SDK_HELP, buildKeel, buildPaths, makeVariable, mcconfig, missingSdk, onPath, openDisplay, sdkEnv, startSimulator } from './moddable-sdk.mjs';

export const APPS = ['bringup', 'blinky', 'port-reset', 'uart-lines'];
export const MODES = [
  { flag: '-d' }, // debug
  { flag: '-i' }, // instrumented release
];
/** Budgets applied to the lin build: the desktop's own, then each board's `creation`. */
export const BUDGETS = [
  { name: 'desktop', manifest: undefined },
  { name: 'esp32', manifest: 'boards/esp32/manifest.json' },
  { name: 'rp2040', manifest: 'boards/rp2040/manifest.json' },
];
/** Required headroom of a board's creation over the largest measurement. */
export const HEADROOM = 1.25;
/** sizeof(txSlot) in the lin simulator (64-bit): "Slot used" and "Stack used" are bytes. */
const LIN_SLOT_BYTES = 32;
const RUNS_AT_ONCE = 3;

const BOOT = /^keel: app "([^"]+)" running/;
const WINDOW = /^keel: window (\d+): slots (-?[\d.]+) chunks (-?\d+) B gc (\d+)/;
const FAILURE = /XS abort|exception|memory full|stack overflow|Error:/i;

/**
 * Reads one run's output. Returns { booted, app, aborts[], windows[], samples }
 * where windows are { n, slots, chunks, gc } and samples maps instrument names
 * to arrays of values (from the "instruments key:" / "instruments:" lines).
 */
export function parseTrace(text) {
  const out = { booted: false, app: undefined, aborts: [], windows: [], key: [], samples: [], bootSample: -1 };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (line.startsWith('instruments key: ')) {
      out.key = line.slice('instruments key: '.length).split(',');
      continue;
    }
    if (line.startsWith('instruments: ')) {
      out.samples.push(line.slice('instruments: '.length).split(',').map(Number));
      continue;
    }
    const boot = BOOT.exec(line);
    if (boot) {
      out.booted = true;
      out.app = boot[1];
      out.bootSample = out.samples.length; // the next sample covers boot
      continue;
    }
    const w = WINDOW.exec(line);
    if (w) {
      out.windows.push({ n: Number(w[1]), slots: Number(w[2]), chunks: Number(w[3]), gc: Number(w[4]), line });
      continue;
    }
    if (FAILURE.test(line) || line.startsWith(EARLY_EXIT)) out.aborts.push(line);
  }
  return out;
}

/** Measurements of a parsed run: slots / chunk bytes after boot, peak stack (slots). */
export function measure(parsed, slotBytes = LIN_SLOT_BYTES) {
  const col = (name) => parsed.key.findIndex((k) => k.toLowerCase() === name);
  const slot = col('slot used');
  const chunk = col('chunk used');
  const stack = col('stack used');
  const gc = col('garbage collections');
  const m = { bootSlots: NaN, bootChunks: NaN, peakStack: NaN, collections: 0 };
  if (slot < 0 || chunk < 0 || stack < 0) return m;
  const after = parsed.bootSample >= 0 ? parsed.samples.slice(parsed.bootSample) : [];
  if (after.length > 0) {
    m.bootSlots = after[0][slot] / slotBytes;
    m.bootChunks = after[0][chunk];
  }
  let peak = 0;
  for (const s of parsed.samples) peak = Math.max(peak, s[stack]);
  m.peakStack = peak / slotBytes;
  for (const s of after) m.collections += gc >= 0 ? s[gc] : 0;
  return m;
}

/** The verdict on one run: a list of reasons it failed (empty: passed). */
export function judge(parsed, app) {
  const why = [];
  if (!parsed.booted) why.push('no boot line');
  else if (parsed.app !== app) why.push(`booted "${parsed.app}", not "${app}"`);
  for (const a of parsed.aborts) why.push(a);
  const valid = parsed.windows.filter((w) => w.gc === 0);
  if (parsed.booted && valid.length === 0) why.push(`no valid probe window (${parsed.windows.length} windows, each with a collection, or none): run longer`);
  for (const w of valid) if (w.slots !== 0 || w.chunks !== 0) why.push(`window ${w.n}: ${w.slots} slots, ${w.chunks} chunk bytes after boot`);
  return why;
}

function creationOf(manifestRel) {
  const c = JSON.parse(readFileSync(join(root, manifestRel), 'utf8')).creation;
  if (!c) throw new Error(`${manifestRel} has no creation`);
  return c;
}

function writeWrapper(dir, manifest) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, '\t') + '\n');
  return dir;
}

/** JS-only link of a device build (xsc + xsl) of `manifest` (default: Keel's apps). Returns { ok, output }. */
export function linkDevice(platform, mode, baseEnv, work, manifest = join(root, 'manifest_app.json'), tag = '') {
  let env = baseEnv;
  const dir = writeWrapper(join(work, 'manifests', `link-${tag}${platform}${mode}`), {
    build: { MAKE_FRAGMENT: join(root, 'scripts', 'moddable-js-link.mk') },
    include: [manifest],
  });
  const out = join(work, `link-${tag}${platform}`);
  mkdirSync(out, { recursive: true });
  let gen = mcconfig([mode, '-p', platform, '-o', out], { cwd: dir, env, capture: true });
  if (platform === 'pico' && !env.PICO_SDK_DIR && !env.PICO_EXTRAS_DIR) {
    // Without the Pico SDK: modules/io's audio manifests name C source
    // directories of pico-extras, which mcconfig requires to exist. Point
    // PICO_ROOT at empty directories, made only where mcconfig names one;
    // no C is compiled, so they are never read.
    const stub = join(work, 'pico-root');
    env = { ...env, PICO_ROOT: stub };
    for (let tries = 0; tries < 32; tries++) {
      gen = mcconfig([mode, '-p', platform, '-o', out], { cwd: dir, env, capture: true });
      const m = /### Error: '\$\((PICO_EXTRAS_DIR|PICO_SDK_DIR)\)\/([^'*]*)\*?': directory not found/.exec(gen.output);
      if (!m) break;
      mkdirSync(join(stub, m[1] === 'PICO_SDK_DIR' ? 'pico-sdk' : 'pico-extras', m[2]), { recursive: true });
    }
  }
  if (gen.status !== 0 || /### Error/.test(gen.output)) return { ok: false, output: gen.output };
  // mcconfig names the build after the manifest's build.NAME ("keel" for Keel's apps), else after the wrapper's folder.
  const name = JSON.parse(readFileSync(manifest, 'utf8')).build?.NAME ?? `link-${tag}${platform}${mode}`;
  const makefile = join(buildPaths(out, platform, mode, name).tmp, 'makefile');
  rmSync(join(buildPaths(out, platform, mode, name).tmp, 'mc.xs.c'), { force: true });
  const make = spawnSync('make', ['-f', makefile, 'keel-js-link'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = gen.output + (make.stdout ?? '') + (make.stderr ?? '');
  const ok = make.status === 0 && !/ReferenceError|SyntaxError|Error:/.test(output);
  return { ok, output };
}

/** Builds one lin app with `budget`; returns the path of a copy of its mc.so and the simulator. */
function buildLin({ app, mode, budget }, env, work) {
  const wrapper = { include: [join(root, 'manifest_app.json')], config: { keelApp: app } };
  if (budget.manifest) wrapper.creation = creationOf(budget.manifest);
  const dir = writeWrapper(join(work, 'manifests', `${app}-${budget.name}${mode.flag}`), wrapper);
  const out = join(work, `lin${mode.flag}`);
  mkdirSync(out, { recursive: true });
  const paths = buildPaths(out, 'lin', mode.flag);
  rmSync(join(paths.tmp, 'mc.xs.c'), { force: true }); // relink: config and creation change per build
  const built = mcconfig([mode.flag, '-m', '-p', 'lin', '-t', 'build', '-o', out], { cwd: dir, env, capture: true });
  if (built.status !== 0) return { error: built.output.split('\n').filter((l) => /error|Error|###/.test(l)).slice(-5).join('\n') || `mcconfig exit ${built.status}` };
  const runs = join(work, 'runs');
  mkdirSync(runs, { recursive: true });
  const library = join(runs, `${app}-${budget.name}${mode.flag}.so`);
  copyFileSync(join(paths.bin, 'mc.so'), library);
  return { library, simulator: makeVariable(join(paths.tmp, 'makefile'), 'SIMULATOR') };
}

/** The line a run gets when mcsim ended before its time (exit or crash): a failure. */
export const EARLY_EXIT = 'keel-check: mcsim ended before its time';

/** Runs mcsim for `seconds`, or until `until(textSoFar)` is true (then it also counts as having run its time). */
export function runFor(simulator, library, seconds, env, children, until = undefined) {
  return new Promise((resolve) => {
    const child = startSimulator(simulator, library, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let text = '';
    let timedOut = false;
    const stopIfDone = () => {
      if (until !== undefined && !timedOut && until(text)) {
        timedOut = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', (d) => {
      text += d;
      stopIfDone();
    });
    child.stderr.on('data', (d) => (text += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, seconds * 1000);
    const done = (how) => {
      clearTimeout(timer);
      children.delete(child);
      // Killed by our timer: the app ran its time. Anything else (its own
      // exit, a crash by signal, a spawn error) stopped it early.
      if (!timedOut) text += `\n${EARLY_EXIT} (${how}, before ${seconds} s)\n`;
      resolve(text);
    };
    child.on('error', (e) => done(`could not run: ${e.message}`));
    child.on('exit', (code, signal) => done(signal ? `signal ${signal}` : `exit status ${code}`));
  });
}

// ---- Keel as a dependency of a user's app (templates/app, templates/app-ts) ----

/** The template app's once-a-second line (templates/app/main.js). */
const APP_WINDOW = /^keel app: window (\d+): slots (-?\d+) chunks (-?\d+) B gc (\d+): (clean|not valid|ALLOCATED)/;

/** Judges a template app's run: >= 2 windows, >= 1 clean, none ALLOCATED, no abort, ran its time. Returns reasons. */
export function judgeConsumer(text) {
  const why = [];
  const windows = [];
  for (const line of text.split('\n')) {
    const m = APP_WINDOW.exec(line);
    if (m) windows.push({ slots: Number(m[2]), chunks: Number(m[3]), gc: Number(m[4]), outcome: m[5] });
    else if (FAILURE.test(line) || line.startsWith(EARLY_EXIT)) why.push(line.trim());
  }
  if (windows.length < 2) why.push(`${windows.length} probe windows (needs >= 2: did the app boot?)`);
  if (!windows.some((w) => w.outcome === 'clean')) why.push('no clean window');
  for (const w of windows) if (w.outcome === 'ALLOCATED') why.push(`a window allocated: ${w.slots} slots, ${w.chunks} chunk B`);
  return { why, windows };
}

// ---- The interrupt bridge from the npm package (hosts/moddable/interrupt/manifest.json in node_modules/keel) ----

/** The interrupt consumer app's simulation: lin's thread plays `hz` edges per second for `seconds` on pin 0. */
export const INTERRUPT_CONSUMER = Object.freeze({ hz: 1000, seconds: 1 });
/** Time limit of its mcsim run (it stops earlier, once finished: interruptConsumerFinished). */
export const INTERRUPT_RUN_SECONDS = 20;
/** The include line a user adds to templates/app/manifest.json for the bridge (docs/moddable.md, "Interrupt bridge"). */
export const INTERRUPT_INCLUDE = './node_modules/keel/hosts/moddable/interrupt/manifest.json';

/**
 * main.js of the interrupt consumer app: the templates/app pattern (kernel,
 * TickDriver, AllocationProbe windows) plus one InterruptSource draining into
 * an active object that counts the edges and checks their sequence numbers.
 * Prints `keel app: window ...` (judgeConsumer) and `keel interrupt: ...`
 * (judgeInterruptConsumer) once a second.
 */
export function interruptConsumerMain({ hz, seconds } = INTERRUPT_CONSUMER) {
  return `// A Keel app using the interrupt bridge from the npm package (written by scripts/check-moddable.mjs).
import Timer from "timer";
import Time from "time";
import { Kernel, SharedEventQueue, singleCoreAtomics } from "keel";
import { InterruptSource, EDGE_BOTH } from "keel/host/interrupt/source";
import { TickDriver } from "keel/host/tick";
import { AllocationProbe, PROBE_CLEAN, PROBE_NOT_VALID } from "keel/host/probe";

const SIG_EDGE = 1;
const PIN = 0;
const HZ = ${hz};
const SECONDS = ${seconds};

// The active object: counts the edges and checks their order (p3 is the source's sequence number).
const seen = { edges: 0, lastSeq: 0, gaps: 0, outOfOrder: 0, bad: 0 };
const edgeCounter = {
	create() {
		return {
			start() {},
			dispatch(sig, pin, level, timeUs, seq) {
				if (sig !== SIG_EDGE || pin !== PIN || (level !== 0 && level !== 1)) { seen.bad++; return; }
				seen.edges++;
				if (seq <= seen.lastSeq) seen.outOfOrder++;
				else seen.gaps += seq - seen.lastSeq - 1;
				seen.lastSeq = seq;
			},
		};
	},
};

const kernel = new Kernel({ name: "app", maxObjects: 2, timers: 2, host: { now: () => Time.ticks } });
const ao = kernel.spawn(edgeCounter, 1, 64);
// The ring's memory must never move: a SharedArrayBuffer (lin, ESP32) or, without Atomics (RP2040), InterruptSource.ring().
const shared = typeof SharedArrayBuffer !== "undefined" && typeof Atomics !== "undefined";
const ring = new SharedEventQueue({ name: "irq", capacity: 256, producers: "single",
	buffer: shared ? undefined : InterruptSource.ring(256), atomics: shared ? undefined : singleCoreAtomics });
const irq = new InterruptSource({ name: "edge", pin: PIN, edge: EDGE_BOTH, queue: ring, signal: SIG_EDGE, kernel, ao,
	simulate: { hz: HZ, seconds: SECONDS } }); // simulate: lin (mcsim) only; on a device the pin's edges feed the ring

const app = {
	tick(now) {
		kernel.tick(now);
		kernel.run();
		irq.poll(); // drains what a wake left (maxDrain) or a lost wake
	},
};
const probe = new AllocationProbe({ name: "app", slotBytes: 32 });
const driver = new TickDriver([app, probe], { intervalMs: 10 });
driver.start();
probe.snapshot();

Timer.repeat(() => {
	probe.read();
	const o = probe.outcome;
	const clean = o === PROBE_CLEAN ? "clean" : o === PROBE_NOT_VALID ? "not valid (a collection ran)" : "ALLOCATED (or no instruments: build with -d or -i)";
	trace(\`keel app: window \${probe.windows}: slots \${probe.slots} chunks \${probe.chunkBytes} B gc \${probe.collections}: \${clean}\\n\`);
	const done = irq.simulating === 0 && ring.ringLength === 0;
	const missing = seen.gaps + (irq.offered - seen.lastSeq); // sequence numbers never dispatched
	trace(\`keel interrupt: \${done ? "done" : "running"} offered \${irq.offered} of \${Math.round(HZ * SECONDS)} posted \${irq.posted} refused \${irq.refused} glitched \${irq.glitched} corrupt \${irq.corrupt}; \` +
		\`taken \${irq.taken} forwarded \${irq.forwarded} dropped \${irq.dropped}; edges \${seen.edges} missing \${missing} outOfOrder \${seen.outOfOrder} bad \${seen.bad}; \` +
		\`wakes \${irq.wakes} calls \${irq.wakeCalls} lost \${irq.wakesLost}\\n\`);
	probe.snapshot();
}, 1000);
`;
}

const INTERRUPT_LINE =
  /^keel interrupt: (done|running) offered (\d+) of (\d+) posted (\d+) refused (\d+) glitched (\d+) corrupt (\d+); taken (\d+) forwarded (\d+) dropped (\d+); edges (\d+) missing (-?\d+) outOfOrder (\d+) bad (\d+); wakes (\d+) calls (\d+) lost (\d+)/;
const INTERRUPT_FIELDS = ['state', 'offered', 'expected', 'posted', 'refused', 'glitched', 'corrupt', 'taken', 'forwarded', 'dropped', 'edges', 'missing', 'outOfOrder', 'bad', 'wakes', 'calls', 'lost'];

/** True once two `keel interrupt:` lines say "done" (the simulation ended and the ring is drained). */
export function interruptConsumerFinished(text) {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('keel interrupt: done ')) n++;
  return n >= 2;
}

/**
 * Judges the interrupt consumer app's run: judgeConsumer (clean windows, no
 * abort, ran its time or finished), then its last `keel interrupt:` line,
 * re-checked from the printed numbers: the simulation finished and drained;
 * offered = hz x seconds = posted + refused + glitched + corrupt; no filter,
 * no corruption; every posted record taken, forwarded to the AO and
 * dispatched once, in order; the sequence numbers never dispatched are
 * exactly the refused edges; every wake asked was delivered.
 * Returns { why, windows, counts }.
 */
export function judgeInterruptConsumer(text, { hz, seconds } = INTERRUPT_CONSUMER) {
  const { why, windows } = judgeConsumer(text);
  let c;
  for (const line of text.split('\n')) {
    const m = INTERRUPT_LINE.exec(line);
    if (!m) continue;
    c = {};
    INTERRUPT_FIELDS.forEach((f, i) => (c[f] = i === 0 ? m[i + 1] : Number(m[i + 1])));
  }
  if (!c) return { why: [...why, 'no `keel interrupt:` line'], windows, counts: undefined };
  const expected = Math.round(hz * seconds);
  if (c.state !== 'done') why.push(`the simulation did not finish and drain (offered ${c.offered} of ${c.expected})`);
  if (c.expected !== expected || c.offered !== expected) why.push(`offered ${c.offered} of ${c.expected}, expected ${expected} edges`);
  if (c.offered !== c.posted + c.refused + c.glitched + c.corrupt) why.push(`offered ${c.offered} != posted ${c.posted} + refused ${c.refused} + glitched ${c.glitched} + corrupt ${c.corrupt}`);
  if (c.glitched !== 0 || c.corrupt !== 0) why.push(`glitched ${c.glitched}, corrupt ${c.corrupt} (no filter, no corruption expected)`);
  if (c.taken !== c.posted || c.forwarded !== c.taken || c.dropped !== 0) why.push(`posted ${c.posted}, taken ${c.taken}, forwarded ${c.forwarded}, dropped ${c.dropped}`);
  if (c.edges !== c.forwarded) why.push(`the AO dispatched ${c.edges} of ${c.forwarded} forwarded records`);
  if (c.outOfOrder !== 0 || c.bad !== 0) why.push(`${c.outOfOrder} records out of order, ${c.bad} bad records`);
  if (c.missing !== c.refused) why.push(`sequence numbers never dispatched ${c.missing} != refused ${c.refused}`);
  if (c.calls !== c.wakes) why.push(`wakes ${c.wakes} asked, ${c.calls} delivered`);
  return { why, windows, counts: c };
}

/** npm in a directory; returns { ok, output }. */
function npmIn(cwd, args, env) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * Packs Keel and uses it as a user would: a scratch app copied from
 * templates/app (JS, the library manifest included), templates/app-ts
 * (TypeScript with typescript@6 from npm), and templates/app/main.js through
 * mcpack (package.json "moddable" exports, no manifest), and templates/app
 * with the interrupt bridge's manifest and interruptConsumerMain(); each
 * built with mcconfig -d for lin and run headless; plus the JS link of the
 * JS app for esp32 and of the interrupt app for esp32 and pico.
 * Returns rows { route, ok, why[], windows }.
 */
async function checkConsumer(env, work, displayEnv, seconds, children) {
  const rows = [];
  const dir = join(work, 'consumer');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = npmIn(root, ['pack', '--ignore-scripts', '--pack-destination', dir], env); // dist was just built
  const tgz = /keel-[\d.]+\.tgz/.exec(packed.output)?.[0];
  if (!packed.ok || !tgz) return [{ route: 'npm pack', ok: false, why: [packed.output.split('\n').slice(-3).join(' ')], windows: [] }];
  const tarball = join(dir, tgz);
  const routes = [
    { route: 'manifest, JS', template: 'app', install: [tarball], build: ['mcconfig'] },
    { route: 'manifest, TS', template: 'app-ts', install: [tarball, 'typescript@^6'], build: ['mcconfig'] },
    { route: 'mcpack, JS', template: 'app', mcpack: true, install: [tarball], build: ['mcpack', 'mcconfig'] },
    { route: 'interrupt, JS', template: 'app', interrupt: true, install: [tarball], build: ['mcconfig'] },
  ];
  for (const r of routes) {
    const app = join(dir, r.route.replace(/[^a-z]+/gi, '-').toLowerCase());
    mkdirSync(app, { recursive: true });
    const from = join(root, 'templates', r.template);
    if (r.mcpack) {
      copyFileSync(join(from, 'main.js'), join(app, 'main.js'));
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'keel-mcpack-app', private: true, type: 'module', main: 'main.js' }, null, 2) + '\n');
    } else if (r.interrupt) {
      // templates/app's manifest plus the bridge's include line, and a main.js with one InterruptSource.
      const manifest = JSON.parse(readFileSync(join(from, 'manifest.json'), 'utf8'));
      manifest.include.push(INTERRUPT_INCLUDE);
      writeFileSync(join(app, 'manifest.json'), JSON.stringify(manifest, null, '\t') + '\n');
      copyFileSync(join(from, 'package.json'), join(app, 'package.json'));
      writeFileSync(join(app, 'main.js'), interruptConsumerMain());
    } else {
      for (const f of ['manifest.json', 'package.json', r.template === 'app' ? 'main.js' : 'main.ts']) copyFileSync(join(from, f), join(app, f));
    }
    const inst = npmIn(app, ['install', '--no-audit', '--no-fund', ...r.install], env);
    if (!inst.ok) {
      rows.push({ route: r.route, ok: false, why: ['npm install: ' + inst.output.split('\n').slice(-3).join(' ')], windows: [] });
      continue;
    }
    const out = join(app, 'build');
    mkdirSync(out, { recursive: true });
    const appEnv = { ...env, PATH: `${join(app, 'node_modules', '.bin')}:${env.PATH}` };
    const cmd = spawnSync(onPath(r.build[0], appEnv), [...r.build.slice(1), '-d', '-m', '-p', 'lin', '-t', 'build', '-o', out], { cwd: app, env: appEnv, encoding: 'utf8', maxBuffer: 64 << 20 });
    const output = `${cmd.stdout ?? ''}${cmd.stderr ?? ''}`;
    writeFileSync(join(app, 'build.log'), output);
    // mcconfig names the build after the app's folder; mcpack after its package.
    const name = r.mcpack ? 'keel-mcpack-app' : app.split('/').pop();
    const library = join(out, 'bin', 'lin', 'mc', 'debug', name, 'mc.so');
    if (cmd.status !== 0 || !existsSync(library)) {
      rows.push({ route: r.route, ok: false, why: ['build failed: ' + (output.split('\n').filter((l) => /error|Error|###/.test(l)).slice(-4).join(' | ') || `exit ${cmd.status}`)], windows: [] });
      continue;
    }
    const simulator = makeVariable(join(out, 'tmp', 'lin', 'mc', 'debug', name, 'makefile'), 'SIMULATOR');
    // The interrupt app runs until it reported "done" twice (at most INTERRUPT_RUN_SECONDS), the others `seconds`.
    const text = r.interrupt
      ? await runFor(simulator, library, Math.max(seconds, INTERRUPT_RUN_SECONDS), displayEnv, children, interruptConsumerFinished)
      : await runFor(simulator, library, seconds, displayEnv, children);
    writeFileSync(join(app, 'run.log'), text);
    const j = r.interrupt ? judgeInterruptConsumer(text) : judgeConsumer(text);
    rows.push({ route: r.route, ok: j.why.length === 0, why: j.why, windows: j.windows });
  }
  const jsApp = join(dir, 'manifest-js');
  if (existsSync(join(jsApp, 'node_modules', 'keel'))) {
    const l = linkDevice('esp32', '-d', env, work, join(jsApp, 'manifest.json'), 'consumer-');
    rows.push({ route: 'manifest, JS: esp32 link', ok: l.ok, why: l.ok ? [] : l.output.split('\n').filter((x) => /Error|error|###/.test(x)).slice(-4), windows: [] });
  }
  // The interrupt app's JavaScript for the devices (its C needs ESP-IDF / the Pico SDK: not compiled).
  const irqApp = join(dir, 'interrupt-js');
  if (existsSync(join(irqApp, 'node_modules', 'keel'))) {
    for (const platform of ['esp32', 'pico']) {
      const l = linkDevice(platform, '-d', env, work, join(irqApp, 'manifest.json'), 'consumer-irq-');
      rows.push({ route: `interrupt, JS: ${platform} link`, ok: l.ok, why: l.ok ? [] : l.output.split('\n').filter((x) => /Error|error|###/.test(x)).slice(-4), windows: [] });
    }
  }
  return rows;
}

// ---- The interrupt bridge (hosts/moddable/interrupt) ----

/** The bridge app's manifest (its own app: Keel's app table is not changed). */
export const BRIDGE_MANIFEST = join(root, 'hosts', 'moddable', 'interrupt', 'manifest_bridge.json');
/**
 * Bridge runs: 10,000 edges per second for 10 s each. `single`: the C thread
 * is the ring's only producer. `multiple`: 2-edge bursts 5 us apart at 5 kHz
 * with a 20 us glitch filter (the second edge of most bursts is filtered in C),
 * and JavaScript posts into the same ring every tick (a second producer).
 */
export const BRIDGE_RUNS = [
  { name: 'single', mode: '-i', config: { keelBridgeMode: 'single', keelBridgeHz: 10000, keelBridgeSeconds: 10, keelBridgeBurst: 1, keelBridgeGapUs: 0, keelBridgeGlitchUs: 0 } },
  { name: 'single', mode: '-d', config: { keelBridgeMode: 'single', keelBridgeHz: 10000, keelBridgeSeconds: 10, keelBridgeBurst: 1, keelBridgeGapUs: 0, keelBridgeGlitchUs: 0 } },
  { name: 'multiple', mode: '-i', config: { keelBridgeMode: 'multiple', keelBridgeHz: 5000, keelBridgeSeconds: 10, keelBridgeBurst: 2, keelBridgeGapUs: 5, keelBridgeGlitchUs: 20 } },
];
/**
 * A bridge run stops once the app reported "done" in two windows (the last
 * wake delivered, a clean window after the drain), or after
 * BRIDGE_TIME_FACTOR x its simulation + BRIDGE_EXTRA_SECONDS (a loaded
 * machine slows the thread and the VM: the run then fails as unfinished).
 */
export const BRIDGE_EXTRA_SECONDS = 10;
export const BRIDGE_TIME_FACTOR = 3;
/** True once two window lines carry "bridge done". */
export function bridgeFinished(text) {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('keel: window ') && line.includes('bridge done ')) n++;
  return n >= 2;
}
const BRIDGE_LINE =
  /bridge (done|running) mode (\w+): offered (\d+) of (\d+) posted (\d+) refused (\d+) glitched (\d+) corrupt (\d+); taken (\d+) forwarded (\d+) dropped (\d+) edges (\d+) gaps (\d+) seqErrors (\d+) js (\d+)\/(\d+) \(refused (\d+)\); wakes (\d+) calls (\d+) lost (\d+) drains (\d+); ring peak (\d+); latency us p50 (\d+) p99 (\d+) max (\d+) n (\d+); exact (yes|NO)/;
const BRIDGE_FIELDS = ['state', 'mode', 'offered', 'expected', 'posted', 'refused', 'glitched', 'corrupt', 'taken', 'forwarded', 'dropped', 'edges', 'gaps', 'seqErrors', 'js', 'jsPosted', 'jsRefused', 'wakes', 'calls', 'lost', 'drains', 'ringPeak', 'p50', 'p99', 'max', 'n', 'exact'];

/** The last bridge status of a run (hosts/moddable/interrupt/bridge-app.ts status()), or undefined. */
export function parseBridge(text) {
  let last;
  for (const line of text.split('\n')) {
    const m = BRIDGE_LINE.exec(line);
    if (!m) continue;
    last = {};
    BRIDGE_FIELDS.forEach((f, i) => (last[f] = i < 2 || f === 'exact' ? m[i + 1] : Number(m[i + 1])));
  }
  return last;
}

/**
 * The verdict on a bridge run: the app checks (judge: boot, no abort, clean
 * windows) and the counts, re-checked here from the printed numbers rather
 * than trusted from its "exact yes". Returns reasons (empty: passed).
 */
export function judgeBridge(text) {
  const why = judge(parseTrace(text), 'interrupt-bridge');
  const b = parseBridge(text);
  if (!b) return [...why, 'no bridge status line'];
  if (b.state !== 'done') why.push(`the simulation did not finish and drain (state ${b.state}, offered ${b.offered} of ${b.expected}): run longer`);
  if (b.exact !== 'yes') why.push('the app found its counts inexact (exact NO)');
  if (b.offered !== b.expected) why.push(`offered ${b.offered}, expected ${b.expected} edges`);
  if (b.offered !== b.posted + b.refused + b.glitched + b.corrupt) why.push(`offered ${b.offered} != posted ${b.posted} + refused ${b.refused} + glitched ${b.glitched} + corrupt ${b.corrupt}`);
  if (b.taken !== b.forwarded + b.dropped || b.dropped !== 0) why.push(`taken ${b.taken} != forwarded ${b.forwarded} + dropped ${b.dropped}, or records dropped`);
  if (b.edges !== b.posted || b.taken !== b.edges + b.js) why.push(`posted ${b.posted}, dispatched ${b.edges} C records and ${b.js} JS records of ${b.taken} taken`);
  if (b.seqErrors !== 0) why.push(`${b.seqErrors} records out of order`);
  if (b.gaps !== b.refused + b.glitched + b.corrupt) why.push(`sequence gaps ${b.gaps} != refused + glitched + corrupt ${b.refused + b.glitched + b.corrupt}`);
  if (b.js !== b.jsPosted) why.push(`JS records dispatched ${b.js} of ${b.jsPosted} posted`);
  if (b.calls !== b.wakes) why.push(`wakes ${b.wakes} asked, ${b.calls} delivered`);
  if (b.n !== b.edges) why.push(`latency samples ${b.n} != edges ${b.edges}`);
  return why;
}

/** Where a passing bridge check saves its runs' counts and latency (docs/interrupts.md cites it). */
export const BRIDGE_RESULTS = join(root, 'bench', 'results', 'moddable-bridge.json');
/** Boot RAM of each example app (docs/footprint.md), from the last complete passing check. */
export const BOOT_RESULTS = join(root, 'bench', 'results', 'moddable-boot.json');

/**
 * The record of a bridge check, for BRIDGE_RESULTS: each run's status line
 * as parsed (counts, p50 / p99 / max latency in us), its probe windows, and
 * where and when it ran. null unless every BRIDGE_RUNS entry ran and passed
 * (a failed or partial check never replaces the saved figures).
 */
export function bridgeResults(rows, meta) {
  if (rows.length !== BRIDGE_RUNS.length || rows.some((r) => r.why.length !== 0 || !r.b)) return null;
  return {
    what: 'interrupt bridge in mcsim (lin): scripts/check-moddable.mjs step 7; docs/interrupts.md',
    sdk: meta.sdk,
    date: meta.date,
    command: meta.command,
    machine: meta.machine,
    runs: rows.map((r) => ({
      run: r.run.name,
      mode: r.run.mode,
      config: r.run.config,
      offered: r.b.offered,
      posted: r.b.posted,
      refused: r.b.refused,
      glitched: r.b.glitched,
      corrupt: r.b.corrupt,
      taken: r.b.taken,
      jsRecords: r.b.js,
      wakes: r.b.wakes,
      ringPeak: r.b.ringPeak,
      latencyUs: { p50: r.b.p50, p99: r.b.p99, max: r.b.max, samples: r.b.n },
      windows: r.windows?.length ?? 0,
      cleanWindows: r.windows?.filter((x) => x.gc === 0).length ?? 0,
    })),
  };
}

/** Builds the bridge app for lin with `config`; returns { library, simulator } or { error }. */
function buildBridge(run, env, work) {
  const dir = writeWrapper(join(work, 'manifests', `bridge-${run.name}${run.mode}`), { include: [BRIDGE_MANIFEST], config: run.config });
  const out = join(work, `bridge${run.mode}`);
  mkdirSync(out, { recursive: true });
  const paths = buildPaths(out, 'lin', run.mode, 'keel-bridge');
  rmSync(join(paths.tmp, 'mc.xs.c'), { force: true }); // relink: config changes per run
  const built = mcconfig([run.mode, '-m', '-p', 'lin', '-t', 'build', '-o', out], { cwd: dir, env, capture: true });
  if (built.status !== 0) return { error: built.output.split('\n').filter((l) => /error|Error|###/.test(l)).slice(-5).join('\n') || `mcconfig exit ${built.status}` };
  const runs = join(work, 'runs');
  mkdirSync(runs, { recursive: true });
  const library = join(runs, `bridge-${run.name}${run.mode}.so`);
  copyFileSync(join(paths.bin, 'mc.so'), library);
  return { library, simulator: makeVariable(join(paths.tmp, 'makefile'), 'SIMULATOR') };
}

// ---- The trace replay (hosts/moddable/trace-drain.ts, tools/trace/replay.ts) ----

/** Seconds each trace run gets in mcsim (the scenarios' scripts end by 1.9 s after boot; blinky's Node side covers 2.5 s). */
export const TRACE_SECONDS = 6;
/** The trace runs: each replay scenario as a debug and an instrumented build. */
export const TRACE_MODES = ['-d', '-i'];

/** Bundles the replay tooling (TypeScript) for Node and imports it. */
async function loadReplay(work) {
  const { bundleForNode } = await import('./bundle.mjs');
  const [replayJs, linesJs] = await bundleForNode([join(root, 'tools', 'trace', 'replay.ts'), join(root, 'tools', 'trace', 'lines.ts')], join(work, 'replay-tools'));
  const replay = await import(pathToFileURL(replayJs).href);
  const lines = await import(pathToFileURL(linesJs).href);
  return { ...replay, ...lines };
}

/** Builds a replay scenario's app for lin with tracing on; returns { library, simulator } or { error }. */
function buildTraceRun(scenario, mode, env, work) {
  const config = { keelApp: scenario.app, keelTrace: 'text', keelStimulus: scenario.stimulus };
  const dir = writeWrapper(join(work, 'manifests', `trace-${scenario.name}${mode}`), { include: [join(root, 'manifest_app.json')], config });
  const out = join(work, `lin${mode}`);
  mkdirSync(out, { recursive: true });
  const paths = buildPaths(out, 'lin', mode);
  rmSync(join(paths.tmp, 'mc.xs.c'), { force: true }); // relink: config changes per build
  const built = mcconfig([mode, '-m', '-p', 'lin', '-t', 'build', '-o', out], { cwd: dir, env, capture: true });
  if (built.status !== 0) return { error: built.output.split('\n').filter((l) => /error|Error|###/.test(l)).slice(-5).join('\n') || `mcconfig exit ${built.status}` };
  const runs = join(work, 'runs');
  mkdirSync(runs, { recursive: true });
  const library = join(runs, `trace-${scenario.name}${mode}.so`);
  copyFileSync(join(paths.bin, 'mc.so'), library);
  return { library, simulator: makeVariable(join(paths.tmp, 'makefile'), 'SIMULATOR') };
}

/**
 * 8. Each replay scenario in mcsim (one run at a time), decoded and compared
 * with the Node simulator's trace. Returns rows { run, result, frames, lost, windows, why[] }.
 */
async function checkTraceReplay(env, work, displayEnv, children) {
  const rows = [];
  let tools;
  try {
    tools = await loadReplay(work);
  } catch (e) {
    return [{ run: { name: 'tools', mode: '-' }, why: [`cannot bundle tools/trace/replay.ts: ${e?.message ?? e}`] }];
  }
  for (const scenario of tools.REPLAY_SCENARIOS) {
    const node = tools.runNodeReplay(scenario);
    for (const mode of TRACE_MODES) {
      const run = { name: scenario.name, mode };
      let built;
      try {
        built = buildTraceRun(scenario, mode, env, work);
      } catch (e) {
        built = { error: String(e?.message ?? e) };
      }
      if (built.error) {
        rows.push({ run, why: [`build failed: ${built.error}`] });
        continue;
      }
      const text = await runFor(built.simulator, built.library, TRACE_SECONDS, displayEnv, children);
      const log = built.library.replace(/\.so$/, '.log');
      writeFileSync(log, text);
      const parsed = parseTrace(text);
      const why = judge(parsed, scenario.app);
      const capture = tools.decodeCapture(new TextEncoder().encode(text));
      for (const p of capture.problems.slice(0, 3)) why.push(`bad frame at byte ${p.offset} of ${log}: ${p.message}`);
      const result = tools.compareReplay(node, capture.trace, scenario);
      why.push(...result.differences);
      rows.push({ run, result, frames: capture.frames, lost: capture.trace.status?.ringLost ?? 0, windows: parsed.windows, why, log });
    }
  }
  return rows;
}

const pad = (s, n) => String(s).padEnd(n);
const num = (x) => (Number.isFinite(x) ? String(Math.round(x)) : '-');

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      app: { type: 'string', multiple: true },
      json: { type: 'string' },
      'no-link': { type: 'boolean', default: false },
      'consumer-only': { type: 'boolean', default: false },
      'bridge-only': { type: 'boolean', default: false },
      'no-bridge': { type: 'boolean', default: false },
      'trace-only': { type: 'boolean', default: false },
      'no-trace': { type: 'boolean', default: false },
    },
  });
  const env = sdkEnv();
  if (!env.MODDABLE) {
    console.log(`keel check:moddable: skipped, MODDABLE is not set (nothing was checked). Get the ${SDK_HELP}.`);
    return 0;
  }
  const missing = missingSdk(undefined, env);
  if (!onPath('mcsim', env) && !existsSync(join(env.MODDABLE, 'build', 'bin', 'lin', 'release', 'mcsim'))) missing.push('mcsim is not built ($MODDABLE/build/makefiles/lin: make)');
  if (process.platform !== 'linux') missing.push(`check:moddable runs the lin simulator; this is ${process.platform}`);
  if (missing.length) {
    console.error(`keel check:moddable: cannot run: ${missing.join('; ')}. ${SDK_HELP}.`);
    return 1;
  }
  const seconds = Number(values.seconds);
  if (!(seconds >= 2)) {
    console.error(`keel check:moddable: --seconds must be >= 2 (got ${values.seconds})`);
    return 64;
  }
  const apps = values.app ?? APPS;
  for (const a of apps) {
    if (!APPS.includes(a)) {
      console.error(`keel check:moddable: no app "${a}" (apps: ${APPS.join(', ')})`);
      return 64;
    }
  }
  const version = existsSync(join(env.MODDABLE, 'tools', 'VERSION')) ? readFileSync(join(env.MODDABLE, 'tools', 'VERSION'), 'utf8').trim() : 'unknown';
  console.log(`keel check:moddable: Moddable SDK ${version} at ${env.MODDABLE}`);
  if (!(await buildKeel({ quiet: true }))) return 1;
  const work = join(BUILD_ROOT, 'check');
  rmSync(join(work, 'manifests'), { recursive: true, force: true });
  rmSync(join(work, 'runs'), { recursive: true, force: true });
  const failures = [];

  // 2. The JS half of the device builds.
  const links = [];
  const bridgeOnly = values['bridge-only'];
  const traceOnly = values['trace-only'];
  const only = values['consumer-only'] || bridgeOnly || traceOnly;
  const withBridge = !values['no-bridge'] && !values['consumer-only'] && !traceOnly;
  const withTrace = !values['no-trace'] && !values['consumer-only'] && !bridgeOnly;
  if (!values['no-link'] && !only) {
    for (const platform of ['esp32', 'pico']) {
      for (const mode of MODES) {
        const r = linkDevice(platform, mode.flag, env, work);
        const stats = /### (\d+) instances, (\d+) keys/.exec(r.output);
        links.push({ platform, mode: mode.flag, ok: r.ok, instances: stats ? Number(stats[1]) : undefined, keys: stats ? Number(stats[2]) : undefined });
        console.log(`link  ${pad(platform, 6)} ${mode.flag}  ${r.ok ? 'ok' : 'FAILED'}${stats ? `  (${stats[1]} instances, ${stats[2]} keys)` : ''}`);
        if (!r.ok) {
          failures.push(`${platform} ${mode.flag} link`);
          console.log(r.output.split('\n').filter((l) => /Error|error|###/.test(l)).slice(-8).map((l) => '      ' + l).join('\n'));
        }
      }
    }
  }

  // 7 (links). The interrupt bridge app's JavaScript for the devices (its C needs ESP-IDF / the Pico SDK: not compiled).
  if (withBridge && !values['no-link']) {
    for (const platform of ['esp32', 'pico']) {
      const r = linkDevice(platform, '-d', env, work, BRIDGE_MANIFEST, 'bridge-');
      const stats = /### (\d+) instances, (\d+) keys/.exec(r.output);
      links.push({ platform, mode: '-d', app: 'interrupt-bridge', ok: r.ok, instances: stats ? Number(stats[1]) : undefined, keys: stats ? Number(stats[2]) : undefined });
      console.log(`link  ${pad(platform, 6)} -d  interrupt bridge  ${r.ok ? 'ok' : 'FAILED'}${stats ? `  (${stats[1]} instances, ${stats[2]} keys)` : ''}`);
      if (!r.ok) {
        failures.push(`${platform} interrupt bridge link`);
        console.log(r.output.split('\n').filter((l) => /Error|error|###/.test(l)).slice(-8).map((l) => '      ' + l).join('\n'));
      }
    }
  }

  // 3 + 4. Build on lin, run in mcsim (runs overlap the next builds).
  const display = await openDisplay(env);
  const results = [];
  let consumer = [];
  const bridge = [];
  let traces = [];
  const pending = new Set();
  const children = new Set();
  try {
    for (const mode of only ? [] : MODES) {
      for (const budget of BUDGETS) {
        for (const app of apps) {
          const job = { app, mode, budget };
          let built;
          try {
            built = buildLin(job, env, work);
          } catch (e) {
            built = { error: String(e?.message ?? e) };
          }
          if (built.error) {
            results.push({ ...job, why: [`build failed: ${built.error}`], m: measure(parseTrace('')) });
            continue;
          }
          while (pending.size >= RUNS_AT_ONCE) await Promise.race(pending);
          const p = runFor(built.simulator, built.library, seconds, display.env, children)
            .then((text) => {
              writeFileSync(built.library.replace(/\.so$/, '.log'), text);
              const parsed = parseTrace(text);
              results.push({ ...job, parsed, why: judge(parsed, app), m: measure(parsed) });
            })
            .catch((e) => results.push({ ...job, why: [`run failed: ${e?.message ?? e}`], m: measure(parseTrace('')) }))
            .finally(() => pending.delete(p));
          pending.add(p);
        }
      }
    }
    await Promise.all(pending);
    // 7. The interrupt bridge, one run at a time (nothing else running: the latency is the bridge's own).
    for (const run of withBridge ? BRIDGE_RUNS : []) {
      let built;
      try {
        built = buildBridge(run, env, work);
      } catch (e) {
        built = { error: String(e?.message ?? e) };
      }
      if (built.error) {
        bridge.push({ run, why: [`build failed: ${built.error}`] });
        continue;
      }
      const text = await runFor(built.simulator, built.library, run.config.keelBridgeSeconds * BRIDGE_TIME_FACTOR + BRIDGE_EXTRA_SECONDS, display.env, children, bridgeFinished);
      writeFileSync(built.library.replace(/\.so$/, '.log'), text);
      bridge.push({ run, b: parseBridge(text), windows: parseTrace(text).windows, why: judgeBridge(text) });
    }
    // 8. The trace replay: mcsim's trace against the Node simulator's.
    if (withTrace) traces = await checkTraceReplay(env, work, display.env, children);
    // 6. Keel as a dependency of a user's app (built and run after Keel's own runs).
    if (!bridgeOnly && !traceOnly) consumer = await checkConsumer(env, work, display.env, seconds, children);
  } finally {
    for (const child of children) child.kill('SIGTERM'); // only the mcsim processes started here
    display.stop();
  }

  // Report, in matrix order.
  const order = (r) => MODES.indexOf(r.mode) * 100 + BUDGETS.indexOf(r.budget) * 10 + apps.indexOf(r.app);
  results.sort((a, b) => order(a) - order(b));
  console.log(`\n${pad('app', 11)}${pad('build', 6)}${pad('budget', 8)}${pad('boot', 5)}${pad('windows', 9)}${pad('slots', 7)}${pad('chunk B', 9)}${pad('stack', 6)}result`);
  for (const r of results) {
    const w = r.parsed ? r.parsed.windows : [];
    const valid = w.filter((x) => x.gc === 0).length;
    console.log(
      `${pad(r.app, 11)}${pad(r.mode.flag, 6)}${pad(r.budget.name, 8)}${pad(r.parsed?.booted ? 'yes' : 'no', 5)}${pad(`${valid}/${w.length}`, 9)}${pad(num(r.m.bootSlots), 7)}${pad(num(r.m.bootChunks), 9)}${pad(num(r.m.peakStack), 6)}${r.why.length ? 'FAILED' : 'ok'}`,
    );
    for (const y of r.why.slice(0, 4)) console.log(`      ${y}`);
    if (r.why.length) failures.push(`${r.app} ${r.mode.flag} ${r.budget.name}`);
  }
  console.log('(windows: valid/all probe windows, 0 slots and 0 chunk bytes required in every valid one; slots, chunk B: used after boot; stack: peak slots; lin 64-bit)');
  // Boot RAM per example (docs/footprint.md): saved only when every example run passed and the
  // whole matrix ran, so the file always holds one complete, passing check's figures.
  const bootRuns = results.filter((r) => r.budget.name === 'desktop');
  if (!only && apps.length === APPS.length && bootRuns.length > 0 && results.every((r) => r.why.length === 0)) {
    const boot = {
      sdk: version,
      date: new Date().toISOString(),
      command: `node scripts/check-moddable.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      about: 'Slots and chunk bytes in use after boot and peak stack slots, per example app, measured by instrumentation in headless mcsim (lin, 64-bit: 32-byte slots, counted as slots), desktop budget.',
      runs: bootRuns.map((r) => ({ run: r.app, mode: r.mode.flag, bootSlots: r.m.bootSlots, bootChunkBytes: r.m.bootChunks, peakStackSlots: r.m.peakStack })),
    };
    writeFileSync(BOOT_RESULTS, JSON.stringify(boot, null, 2) + '\n');
    console.log(`boot figures saved to ${relative(root, BOOT_RESULTS)}`);
  } else console.log(`boot figures not saved (${relative(root, BOOT_RESULTS)} keeps the last complete passing check's)`);

  // 5. Headroom of each board's creation over what its apps measured (desktop budget, both builds).
  console.log('');
  const budgets = [];
  for (const b of only ? [] : BUDGETS.filter((x) => x.manifest)) {
    const c = creationOf(b.manifest);
    const runs = results.filter((r) => r.budget.name === 'desktop' && Number.isFinite(r.m.bootSlots));
    if (runs.length === 0) {
      console.log(`budget ${pad(b.name, 7)} no measurement (no desktop-budget run booted): FAILED`);
      failures.push(`${b.name} headroom (no measurement)`);
      budgets.push({ board: b.name, rows: [] });
      continue;
    }
    const max = (f) => Math.max(...runs.map(f));
    const need = { slots: max((r) => r.m.bootSlots), chunks: max((r) => r.m.bootChunks), stack: max((r) => r.m.peakStack) };
    const have = { slots: c.heap.initial, chunks: c.chunk.initial, stack: c.stack };
    const rows = [];
    for (const k of ['slots', 'chunks', 'stack']) {
      const ratio = have[k] / need[k];
      const ok = ratio >= HEADROOM;
      rows.push({ what: k, have: have[k], need: need[k], ratio, ok });
      console.log(`budget ${pad(b.name, 7)} ${pad(k, 7)} ${pad(have[k], 7)} over ${pad(num(need[k]), 7)} measured${apps.length < APPS.length ? ` (${apps.join(', ')} only)` : ''}: ${ratio.toFixed(2)}x ${ok ? 'ok' : `FAILED (needs >= ${HEADROOM}x: ${Math.ceil(need[k] * HEADROOM)})`}`);
      if (!ok) failures.push(`${b.name} ${k} headroom`);
    }
    budgets.push({ board: b.name, rows });
  }

  console.log('');
  for (const c of consumer) {
    const clean = c.windows.filter((w) => w.outcome === 'clean').length;
    console.log(`consumer ${pad(c.route, 26)} ${c.windows.length ? `windows ${clean} clean of ${c.windows.length}  ` : ''}${c.ok ? 'ok' : 'FAILED'}`);
    for (const y of c.why.slice(0, 4)) console.log(`      ${y}`);
    if (!c.ok) failures.push(`consumer ${c.route}`);
  }

  if (bridge.length) {
    console.log('');
    console.log(`${pad('bridge', 10)}${pad('build', 6)}${pad('edges', 8)}${pad('posted', 8)}${pad('refused', 8)}${pad('glitched', 9)}${pad('js', 6)}${pad('wakes', 7)}${pad('peak', 5)}${pad('windows', 9)}${pad('p50 us', 7)}${pad('p99 us', 7)}${pad('max us', 8)}result`);
    for (const r of bridge) {
      const b = r.b ?? {};
      const w = r.windows ?? [];
      const valid = w.filter((x) => x.gc === 0).length;
      console.log(
        `${pad(r.run.name, 10)}${pad(r.run.mode, 6)}${pad(b.offered ?? '-', 8)}${pad(b.posted ?? '-', 8)}${pad(b.refused ?? '-', 8)}${pad(b.glitched ?? '-', 9)}${pad(b.js ?? '-', 6)}${pad(b.wakes ?? '-', 7)}${pad(b.ringPeak ?? '-', 5)}${pad(`${valid}/${w.length}`, 9)}${pad(b.p50 ?? '-', 7)}${pad(b.p99 ?? '-', 7)}${pad(b.max ?? '-', 8)}${r.why.length ? 'FAILED' : 'ok'}`,
      );
      for (const y of r.why.slice(0, 4)) console.log(`      ${y}`);
      if (r.why.length) failures.push(`interrupt bridge ${r.run.name} ${r.run.mode}`);
    }
    console.log('(edges offered by the lin thread; every posted record dispatched once, in order; windows: clean probe windows required; latency: record timestamp -> dispatch in the AO, mcsim on this machine, histogram bucket upper edges)');
    const saved = bridgeResults(bridge, {
      sdk: version,
      date: new Date().toISOString(),
      command: `node scripts/check-moddable.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      machine: { cpus: cpus().length, loadAverage1m: Number(loadavg()[0].toFixed(2)), platform: process.platform },
    });
    if (saved) {
      writeFileSync(BRIDGE_RESULTS, JSON.stringify(saved, null, 2) + '\n');
      console.log(`bridge figures saved to ${relative(root, BRIDGE_RESULTS)}`);
    } else console.log(`bridge figures not saved (${relative(root, BRIDGE_RESULTS)} keeps the last passing check's)`);
  }

  if (traces.length) {
    console.log('');
    console.log(`${pad('trace', 12)}${pad('build', 6)}${pad('records', 9)}${pad('node', 6)}${pad('compared', 10)}${pad('frames', 8)}${pad('lost', 6)}${pad('windows', 9)}result`);
    for (const r of traces) {
      const w = r.windows ?? [];
      const valid = w.filter((x) => x.gc === 0).length;
      console.log(
        `${pad(r.run.name, 12)}${pad(r.run.mode, 6)}${pad(r.result?.deviceRecords ?? '-', 9)}${pad(r.result?.nodeRecords ?? '-', 6)}${pad(r.result?.compared ?? '-', 10)}${pad(r.frames ?? '-', 8)}${pad(r.lost ?? '-', 6)}${pad(`${valid}/${w.length}`, 9)}${r.why.length ? 'FAILED' : 'ok'}`,
      );
      for (const y of r.why.slice(0, 6)) console.log(`      ${y}`);
      if (r.why.length) failures.push(`trace replay ${r.run.name} ${r.run.mode}`);
    }
    console.log('(records: decoded from the KTR: lines of the mcsim run; node: the Node simulator\'s trace of the same scenario; compared: records equal in order and content, host-clock fields excepted; windows: clean probe windows required with tracing on)');
  }

  if (values.json) {
    const json = {
      sdk: version,
      seconds,
      links,
      runs: results.map((r) => ({ app: r.app, mode: r.mode.flag, budget: r.budget.name, booted: !!r.parsed?.booted, windows: r.parsed?.windows.length ?? 0, validWindows: r.parsed?.windows.filter((x) => x.gc === 0).length ?? 0, bootSlots: r.m.bootSlots, bootChunkBytes: r.m.bootChunks, peakStackSlots: r.m.peakStack, failures: r.why })),
      budgets,
      consumer: consumer.map((c) => ({ route: c.route, ok: c.ok, windows: c.windows.length, cleanWindows: c.windows.filter((w) => w.outcome === 'clean').length, failures: c.why })),
      trace: traces.map((r) => ({ run: r.run.name, mode: r.run.mode, deviceRecords: r.result?.deviceRecords ?? 0, nodeRecords: r.result?.nodeRecords ?? 0, compared: r.result?.compared ?? 0, frames: r.frames ?? 0, lost: r.lost ?? 0, windows: r.windows?.length ?? 0, validWindows: r.windows?.filter((x) => x.gc === 0).length ?? 0, failures: r.why })),
      bridge: bridge.map((r) => ({ run: r.run.name, mode: r.run.mode, config: r.run.config, status: r.b ?? null, windows: r.windows?.length ?? 0, validWindows: r.windows?.filter((x) => x.gc === 0).length ?? 0, failures: r.why })),
    };
    writeFileSync(values.json, JSON.stringify(json, null, 2) + '\n');
  }
  const total = results.length + links.length + budgets.reduce((n, b) => n + b.rows.length, 0) + consumer.length + bridge.length + traces.length;
  console.log(`\nkeel check:moddable: ${total - failures.length} of ${total} checks passed${failures.length ? `; FAILED: ${failures.join(', ')}` : ''}`);
  return failures.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();

// `npm run check:moddable`: Keel's device side judged by the real Moddable SDK.
//
//   node scripts/check-moddable.mjs [--seconds N] [--app NAME ...] [--json FILE] [--no-link] [--consumer-only]
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
//      esp32 (JavaScript only, as in 2).
// Prints one row per run and a table of measurements; exits 1 on any failure.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function runFor(simulator, library, seconds, env, children) {
  return new Promise((resolve) => {
    const child = startSimulator(simulator, library, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let text = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (text += d));
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
 * mcpack (package.json "moddable" exports, no manifest); each built with
 * mcconfig -d for lin and run headless; plus the JS link of the JS app for
 * esp32. Returns rows { route, ok, why[], windows }.
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
  ];
  for (const r of routes) {
    const app = join(dir, r.route.replace(/[^a-z]+/gi, '-').toLowerCase());
    mkdirSync(app, { recursive: true });
    const from = join(root, 'templates', r.template);
    if (r.mcpack) {
      copyFileSync(join(from, 'main.js'), join(app, 'main.js'));
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'keel-mcpack-app', private: true, type: 'module', main: 'main.js' }, null, 2) + '\n');
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
    const text = await runFor(makeVariable(join(out, 'tmp', 'lin', 'mc', 'debug', name, 'makefile'), 'SIMULATOR'), library, seconds, displayEnv, children);
    writeFileSync(join(app, 'run.log'), text);
    const j = judgeConsumer(text);
    rows.push({ route: r.route, ok: j.why.length === 0, why: j.why, windows: j.windows });
  }
  const jsApp = join(dir, 'manifest-js');
  if (existsSync(join(jsApp, 'node_modules', 'keel'))) {
    const l = linkDevice('esp32', '-d', env, work, join(jsApp, 'manifest.json'), 'consumer-');
    rows.push({ route: 'manifest, JS: esp32 link', ok: l.ok, why: l.ok ? [] : l.output.split('\n').filter((x) => /Error|error|###/.test(x)).slice(-4), windows: [] });
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
  const only = values['consumer-only'];
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

  // 3 + 4. Build on lin, run in mcsim (runs overlap the next builds).
  const display = await openDisplay(env);
  const results = [];
  let consumer = [];
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
    // 6. Keel as a dependency of a user's app (built and run after Keel's own runs).
    consumer = await checkConsumer(env, work, display.env, seconds, children);
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

  if (values.json) {
    const json = {
      sdk: version,
      seconds,
      links,
      runs: results.map((r) => ({ app: r.app, mode: r.mode.flag, budget: r.budget.name, booted: !!r.parsed?.booted, windows: r.parsed?.windows.length ?? 0, validWindows: r.parsed?.windows.filter((x) => x.gc === 0).length ?? 0, bootSlots: r.m.bootSlots, bootChunkBytes: r.m.bootChunks, peakStackSlots: r.m.peakStack, failures: r.why })),
      budgets,
      consumer: consumer.map((c) => ({ route: c.route, ok: c.ok, windows: c.windows.length, cleanWindows: c.windows.filter((w) => w.outcome === 'clean').length, failures: c.why })),
    };
    writeFileSync(values.json, JSON.stringify(json, null, 2) + '\n');
  }
  const total = results.length + links.length + budgets.reduce((n, b) => n + b.rows.length, 0) + consumer.length;
  console.log(`\nkeel check:moddable: ${total - failures.length} of ${total} checks passed${failures.length ? `; FAILED: ${failures.join(', ')}` : ''}`);
  return failures.length ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();

// What Keel's Moddable scripts (scripts/moddable.mjs, scripts/check-moddable.mjs)
// share: finding the Moddable SDK a user installed, compiling the device host
// to dist/moddable, running mcconfig, and running a built desktop app
// (mcsim) with its trace on our stdout, headless when there is no display.
//
// The SDK is found through $MODDABLE, as on every Moddable developer's
// machine. Nothing here installs, builds or downloads the SDK: it uses the
// tools the SDK's own "Getting Started" builds (mcconfig, xsc, xsl, mcsim in
// $MODDABLE/build/bin/<lin|mac|win>/release).
//
// Processes: every process these helpers start is a child they keep a handle
// on, and the only processes they stop. (The SDK's lin makefile runs
// `pkill mcsim` and `pkill serial2xsbug` and sends mcsim's output to
// /dev/null; we build with `-t build` and start mcsim ourselves instead.)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { rollup } from 'rollup';
import { pathToFileURL } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { root } from './bundle.mjs';
import { moddableInputs, OUT_DIR } from './moddable-inputs.mjs';

/** mcconfig's name for this host's desktop platform (lin, mac, win), or undefined. */
export const DESKTOP_PLATFORM = { linux: 'lin', darwin: 'mac', win32: 'win' }[process.platform];

/** Where our Moddable builds go (mcconfig -o): outside the SDK, ignored by git. */
export const BUILD_ROOT = join(root, 'node_modules', '.cache', 'keel', 'moddable');

export const SDK_HELP = 'Moddable SDK: `npx xs-dev setup` (sets MODDABLE and PATH), or build it as its "Getting Started" says (Linux: libgtk-3-dev; then set MODDABLE and add $MODDABLE/build/bin/lin/release to PATH); see docs/moddable.md';

export function onPath(command, env = process.env) {
  const exts = process.platform === 'win32' ? ['.exe', '.bat', '.cmd', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) if (existsSync(join(dir, command + ext))) return join(dir, command + ext);
  }
  return undefined;
}

/**
 * The environment for the SDK's tools: `env` plus, when mcconfig is not on
 * PATH but the SDK has built it, the SDK's tool directory on PATH (mcconfig's
 * makefiles call xsc, xsl and mcrez by name).
 */
export function sdkEnv(env = process.env) {
  if (!env.MODDABLE || onPath('mcconfig', env) || !DESKTOP_PLATFORM) return env;
  const bin = join(env.MODDABLE, 'build', 'bin', DESKTOP_PLATFORM, 'release');
  if (!existsSync(join(bin, process.platform === 'win32' ? 'mcconfig.exe' : 'mcconfig'))) return env;
  return { ...env, PATH: bin + delimiter + (env.PATH ?? '') };
}

/** What is missing for building (empty when the SDK is usable). No network, no spawn. */
export function missingSdk(toolchain, env = sdkEnv()) {
  const missing = [];
  if (!env.MODDABLE) missing.push('MODDABLE is not set');
  else if (!existsSync(join(env.MODDABLE, 'xs'))) missing.push(`MODDABLE=${env.MODDABLE} does not contain the Moddable SDK (no xs/ directory)`);
  if (!onPath('mcconfig', env)) {
    missing.push(env.MODDABLE ? `mcconfig is not on PATH, nor built in $MODDABLE/build/bin/${DESKTOP_PLATFORM ?? '<platform>'}/release (build the SDK's tools first)` : 'mcconfig is not on PATH');
  }
  if (toolchain && !env[toolchain.env]) missing.push(`${toolchain.env} is not set (${toolchain.what})`);
  return missing;
}

/** Compiles hosts/moddable, the boards and the device examples to dist/moddable (one ES module per source file). */
export async function compileHost() {
  const out = join(root, OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  // The examples' machines are compiled ahead of time by keel/rollup (docs/hsm.md), as built by
  // scripts/build.mjs (scripts/build-rollup-plugin.mjs, which runs first): the device builds run the
  // generated dispatch over tables in flash and ship keel/hsm-runtime, never the compiler
  // (manifest_app.json excludes it). A machine the plugin cannot compile fails the build.
  const aot = (await import(pathToFileURL(join(root, 'dist', 'rollup', 'index.js')).href)).default;
  const bundle = await rollup({
    input: moddableInputs(root),
    plugins: [
      {
        // The examples import the library by relative path (../src/kernel.js);
        // on the device it is the preloaded `keel/kernel` (dist/xs).
        name: 'keel-examples-library',
        resolveId(source, importer) {
          if (importer && importer.startsWith(join(root, 'examples')) && source.startsWith('../src/')) {
            return { id: 'keel/' + source.slice('../src/'.length).replace(/\.js$/, ''), external: true };
          }
          return null;
        },
      },
      typescript({
        tsconfig: join(root, 'hosts', 'moddable', 'tsconfig.json'),
        include: ['hosts/moddable/**/*.ts', 'boards/**/*.ts', 'examples/*.ts'],
        compilerOptions: { noCheck: true, noEmit: false, declaration: false, sourceMap: false, types: [] },
        outputToFilesystem: false,
      }),
      aot({ hsmModule: 'keel/hsm-runtime', form: 'compact', onSkipped: (i) => { throw new Error(`device build: machine ${i.name} in ${i.id} is not compiled ahead of time: ${i.reason}`); } }),
    ],
    // Every bare specifier (keel/..., timer, time, instrumentation, worker,
    // embedded:io/digital, mc/config) is a module of the Moddable build,
    // mapped by the manifests; relative imports are type-only (erased).
    external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0') && !/^[A-Za-z]:[\\/]/.test(id),
    onwarn(w, warn) {
      if (w.code === 'UNRESOLVED_IMPORT') throw new Error(`hosts/moddable must import other modules by bare specifier: ${w.message}`);
      warn(w);
    },
  });
  await bundle.write({ dir: out, format: 'es', entryFileNames: '[name].js', preserveModules: true });
  await bundle.close();
  return out;
}

/** `npm run build` (dist/xs, dist/moddable, ...: scripts/build.mjs). Returns false when it failed. */
export async function buildKeel({ quiet = false } = {}) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8' });
  if (built.status !== 0) {
    if (quiet) process.stderr.write(`${built.stdout}${built.stderr}`);
    return false;
  }
  return true; // the build compiles dist/moddable too (scripts/build.mjs)
}

/** Runs mcconfig synchronously in `cwd`. Returns { status, output } (output only when `capture`). */
export function mcconfig(args, { cwd = root, env = sdkEnv(), capture = false } = {}) {
  const run = spawnSync(onPath('mcconfig', env), args, { cwd, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: run.status ?? 1, output: capture ? `${run.stdout ?? ''}${run.stderr ?? ''}` : '' };
}

/** mcconfig's output directory for a build: <out>/tmp|bin/<platform>/mc/<debug|instrument|release>/<NAME>. */
export function buildPaths(outputPath, platform, mode, name = 'keel') {
  const kind = mode === '-d' ? 'debug' : mode === '-i' ? 'instrument' : 'release';
  const sub = platform === 'lin' || platform === 'mac' || platform === 'win' ? ['mc'] : [];
  return {
    tmp: join(outputPath, 'tmp', platform, ...sub, kind, name),
    bin: join(outputPath, 'bin', platform, ...sub, kind, name),
  };
}

/** The value of `NAME = value` in a makefile mcconfig generated, or undefined. */
export function makeVariable(makefile, name) {
  const m = new RegExp(`^${name} = (.*)$`, 'm').exec(readFileSync(makefile, 'utf8'));
  return m ? m[1].trim() : undefined;
}

/**
 * A display for mcsim (a GTK program). Uses $DISPLAY when set; otherwise
 * starts one Xvfb (Debian package xvfb) and stops it in `stop()`.
 * Resolves to { env, stop, started }.
 */
export async function openDisplay(env = process.env) {
  if (env.DISPLAY) return { env, stop() {}, started: false };
  if (!onPath('Xvfb', env)) {
    throw new Error('no display (DISPLAY is not set) and no Xvfb to run mcsim headless: install it (Debian/Ubuntu: apt-get install xvfb) or run under a desktop session');
  }
  // -displayfd: Xvfb picks a free display number and writes it on fd 3 when ready.
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '800x600x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let err = '';
  xvfb.stderr.on('data', (d) => (err += d));
  const display = await new Promise((resolve, reject) => {
    let text = '';
    const fail = (e) => {
      clearTimeout(timer);
      if (xvfb.exitCode === null) xvfb.kill('SIGTERM'); // ours: never left running
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error('Xvfb did not open a display within 10 s')), 10000);
    xvfb.stdio[3].on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(':' + text.trim());
      }
    });
    xvfb.on('error', (e) => fail(new Error(`Xvfb could not start: ${e.message}`)));
    xvfb.on('exit', (code) => fail(new Error(`Xvfb exited (${code}) before opening a display: ${err.trim().split('\n').slice(-3).join(' / ')}`)));
  });
  return {
    env: { ...env, DISPLAY: display },
    started: true,
    stop() {
      if (xvfb.exitCode === null) xvfb.kill('SIGTERM');
    },
  };
}

/**
 * Starts mcsim on a built app (`mc.so`) with its stdout line-buffered (stdbuf,
 * when present) so the trace can be read as it comes. Returns the child.
 * `stdio` as for spawn: 'inherit' shows the trace; 'pipe' lets a caller read it.
 */
export function startSimulator(simulator, library, { env, stdio = 'inherit' } = {}) {
  const stdbuf = onPath('stdbuf', env);
  const [cmd, args] = stdbuf ? [stdbuf, ['-oL', '-eL', simulator, library]] : [simulator, [library]];
  return spawn(cmd, args, { env, stdio });
}

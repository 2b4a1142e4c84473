// Moddable builds of the example firmware (see docs/moddable.md).
//
//   node scripts/moddable.mjs esp32|pico|sim [--release] [--app NAME] [--build-only] [--seconds N] [-- mcconfig args...]
//   node scripts/moddable.mjs compile        (only dist/moddable, no SDK needed)
//
//   npm run build:esp32   mcconfig -d -m -p esp32   (build, flash, launch xsbug)
//   npm run build:pico    mcconfig -d -m -p pico
//   npm run sim:moddable  desktop simulator: mcconfig -d -m -p lin -t build, then
//                         this script runs mcsim on the built app with its trace
//                         on this terminal (headless under Xvfb when there is no
//                         display); Ctrl-C or --seconds N stops it. On mac and
//                         win mcconfig launches the simulator as usual.
//
// Steps: 1. check the Moddable SDK is installed (MODDABLE set, mcconfig on
// PATH or built in $MODDABLE/build/bin, plus IDF_PATH for esp32 and
// PICO_SDK_DIR for pico) and stop with install instructions if not, before
// anything else and without touching the network; 2. `npm run build` (dist/xs,
// the Keel library); 3. compile hosts/moddable, boards/*/board.ts and the
// device examples to dist/moddable; 4. run mcconfig on Keel's app manifest
// (manifest_app.json; manifest.json is the library manifest users include).
// --release builds an instrumented release (-i) instead of a debug build (-d):
// both keep the instrumentation the allocation probe reads. --build-only
// passes `-t build` (build, no flash, no simulator).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { root } from './bundle.mjs';
import { BUILD_ROOT, DESKTOP_PLATFORM, buildKeel, buildPaths, compileHost, makeVariable, mcconfig, missingSdk, openDisplay, sdkEnv, startSimulator } from './moddable-sdk.mjs';

export const TARGETS = {
  esp32: { label: 'ESP32', platform: 'esp32', setup: 'npx xs-dev setup --device esp32', toolchain: { env: 'IDF_PATH', what: 'ESP-IDF' } },
  pico: { label: 'Raspberry Pi Pico', platform: 'pico', setup: 'npx xs-dev setup --device pico', toolchain: { env: 'PICO_SDK_DIR', what: 'the Pico SDK' } },
  sim: { label: 'the desktop simulator', platform: DESKTOP_PLATFORM, setup: 'npx xs-dev setup', toolchain: undefined },
};

function sdkMessage(name, target, missing) {
  return [
    `keel: cannot build for ${target.label}: the Moddable SDK is not installed (${missing.join('; ')}).`,
    '',
    'Install it with xs-dev (this script installs nothing and never uses the network):',
    `  ${target.setup}`,
    `Then open a new shell (xs-dev sets MODDABLE and PATH${target.toolchain ? ` and ${target.toolchain.env}` : ''}) and run again:`,
    `  npm run ${name === 'sim' ? 'sim:moddable' : 'build:' + name}`,
    'Manual installation and details: docs/moddable.md (Moddable SDK "Getting Started").',
  ].join('\n');
}

/** Runs the desktop app mcconfig built, trace on this terminal, until it exits, Ctrl-C, or `seconds`. */
async function runSimulator(outputPath, mode, seconds) {
  const paths = buildPaths(outputPath, 'lin', mode);
  const simulator = makeVariable(join(paths.tmp, 'makefile'), 'SIMULATOR');
  if (!simulator) throw new Error(`no SIMULATOR in ${join(paths.tmp, 'makefile')}: was the app built for lin?`);
  const display = await openDisplay(sdkEnv());
  const library = join(paths.bin, 'mc.so');
  console.log(`keel: ${simulator} ${library}${display.started ? ` (headless, Xvfb ${display.env.DISPLAY})` : ''}${seconds ? `, for ${seconds} s` : '; Ctrl-C stops it'}`);
  try {
    const child = startSimulator(simulator, library, { env: display.env, stdio: ['ignore', 'inherit', 'inherit'] });
    const stop = () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    const timer = seconds ? setTimeout(stop, seconds * 1000) : undefined;
    const code = await new Promise((resolve) => {
      child.on('error', (e) => {
        console.error(`keel: could not run ${simulator}: ${e.message}`);
        resolve(1);
      });
      child.on('exit', (c, signal) => resolve(signal ? 0 : (c ?? 1)));
    });
    if (timer) clearTimeout(timer);
    return code;
  } finally {
    display.stop();
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      release: { type: 'boolean', default: false },
      app: { type: 'string' },
      'build-only': { type: 'boolean', default: false },
      seconds: { type: 'string' },
    },
  });
  const [name, ...extra] = positionals;
  if (name === 'compile') {
    console.log(`keel: compiled the device host to ${await compileHost()}`);
    return 0;
  }
  const target = TARGETS[name];
  if (!target) {
    console.error('usage: node scripts/moddable.mjs esp32|pico|sim|compile [--release] [--app NAME] [--build-only] [--seconds N] [-- mcconfig args]');
    return 64;
  }
  if (!target.platform) {
    console.error(`keel: no Moddable desktop simulator for ${process.platform} (lin, mac and win only)`);
    return 1;
  }
  const seconds = values.seconds === undefined ? 0 : Number(values.seconds);
  if (!(seconds >= 0)) {
    console.error(`keel: --seconds needs a number of seconds >= 0 (got ${values.seconds})`);
    return 64;
  }
  const env = sdkEnv();
  const missing = missingSdk(target.toolchain, env);
  if (missing.length) {
    console.error(sdkMessage(name, target, missing));
    return 1;
  }
  if (!(await buildKeel())) return 1;
  const mode = values.release ? '-i' : '-d';
  const args = [join(root, 'manifest_app.json'), mode, '-m', '-p', target.platform];
  // On Linux, mcconfig's default target would start mcsim with its output
  // sent to /dev/null (and pkill every mcsim): build only, then run it here.
  const runHere = name === 'sim' && target.platform === 'lin' && !values['build-only'] && !extra.includes('-t');
  const outputPath = join(BUILD_ROOT, 'sim');
  if (name === 'sim') {
    mkdirSync(outputPath, { recursive: true });
    args.push('-o', outputPath);
  }
  if (values['build-only'] || runHere) args.push('-t', 'build');
  args.push(...extra);
  if (values.app) args.push(`keelApp=${values.app}`);
  console.log(`keel: mcconfig ${args.join(' ')}`);
  const built = mcconfig(args, { cwd: root, env });
  if (built.status !== 0 || !runHere) return built.status;
  return runSimulator(outputPath, mode, seconds);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();

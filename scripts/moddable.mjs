// Moddable builds of the example firmware (see docs/moddable.md).
//
//   node scripts/moddable.mjs esp32|pico|sim [--release] [--app NAME] [-- mcconfig args...]
//   node scripts/moddable.mjs compile        (only dist/moddable, no SDK needed)
//
//   npm run build:esp32   mcconfig -d -m -p esp32   (build, flash, launch xsbug)
//   npm run build:pico    mcconfig -d -m -p pico
//   npm run sim:moddable  mcconfig -d -m -p lin|mac|win (desktop simulator)
//
// Steps: 1. check the Moddable SDK is installed (MODDABLE set, mcconfig on
// PATH, plus IDF_PATH for esp32 and PICO_SDK_DIR for pico) and stop with
// install instructions if not, before anything else and without touching the
// network; 2. `npm run build` (dist/xs, the Keel library); 3. compile
// hosts/moddable and boards/*/board.ts to dist/moddable (rollup, one module per
// file); 4. run mcconfig in the repository root (manifest.json).
// --release builds an instrumented release (-i) instead of a debug build (-d):
// both keep the instrumentation the allocation probe reads.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { rollup } from 'rollup';
import typescript from '@rollup/plugin-typescript';
import { root } from './bundle.mjs';
import { moddableInputs, OUT_DIR } from './moddable-inputs.mjs';

const TARGETS = {
  esp32: { label: 'ESP32', platform: 'esp32', setup: 'npx xs-dev setup --device esp32', toolchain: { env: 'IDF_PATH', what: 'ESP-IDF' } },
  pico: { label: 'Raspberry Pi Pico', platform: 'pico', setup: 'npx xs-dev setup --device pico', toolchain: { env: 'PICO_SDK_DIR', what: 'the Pico SDK' } },
  sim: { label: 'the desktop simulator', platform: { linux: 'lin', darwin: 'mac', win32: 'win' }[process.platform], setup: 'npx xs-dev setup', toolchain: undefined },
};

function onPath(command) {
  const exts = process.platform === 'win32' ? ['.exe', '.bat', '.cmd', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) if (existsSync(join(dir, command + ext))) return join(dir, command + ext);
  }
  return undefined;
}

/** Returns the list of what is missing (empty when the SDK is usable). No network, no spawn. */
export function missingSdk(target, env = process.env) {
  const missing = [];
  if (!env.MODDABLE) missing.push('MODDABLE is not set');
  else if (!existsSync(join(env.MODDABLE, 'xs'))) missing.push(`MODDABLE=${env.MODDABLE} does not contain the Moddable SDK (no xs/ directory)`);
  if (!onPath('mcconfig')) missing.push('mcconfig is not on PATH');
  if (target.toolchain && !env[target.toolchain.env]) missing.push(`${target.toolchain.env} is not set (${target.toolchain.what})`);
  return missing;
}

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

/** Compiles hosts/moddable and the boards to dist/moddable (one ES module per source file). */
export async function compileHost() {
  const out = join(root, OUT_DIR);
  rmSync(out, { recursive: true, force: true });
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

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { release: { type: 'boolean', default: false }, app: { type: 'string' } },
  });
  const [name, ...extra] = positionals;
  if (name === 'compile') {
    console.log(`keel: compiled the device host to ${await compileHost()}`);
    return 0;
  }
  const target = TARGETS[name];
  if (!target) {
    console.error('usage: node scripts/moddable.mjs esp32|pico|sim|compile [--release] [--app NAME] [-- mcconfig args]');
    return 64;
  }
  if (!target.platform) {
    console.error(`keel: no Moddable desktop simulator for ${process.platform} (lin, mac and win only)`);
    return 1;
  }
  const missing = missingSdk(target);
  if (missing.length) {
    console.error(sdkMessage(name, target, missing));
    return 1;
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const built = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) return built.status ?? 1;
  await compileHost();
  const args = [values.release ? '-i' : '-d', '-m', '-p', target.platform, ...extra];
  if (values.app) args.push(`keelApp=${values.app}`);
  console.log(`keel: mcconfig ${args.join(' ')}`);
  const run = spawnSync(onPath('mcconfig'), args, { cwd: root, stdio: 'inherit' });
  return run.status ?? 1;
}

process.exitCode = await main();

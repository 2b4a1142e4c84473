// `npm run build`: everything the package ships, from the sources.
//   dist/node      the library for Node (rollup, DEBUG checks on)
//   dist/xs        the library for Moddable/XS (rollup, DEBUG off), with each
//                  module's declarations next to it (index.js + index.d.ts), so
//                  mcconfig's TypeScript step finds `keel/kernel`'s types through
//                  the library manifest's `keel/*` mapping alone
//   dist/types     the same declarations, for Node and the package's exports
//   dist/entry     keel.js (+ .d.ts): the bare `keel` module of the library
//                  manifest (`export * from "keel/index"`); a Moddable manifest
//                  cannot map one file under two names
//   dist/moddable  the device host (keel/host/*), the boards and the device
//                  examples, compiled by scripts/moddable-sdk.mjs (no SDK needed);
//                  the reusable host modules (manifest_host.json) get their
//                  declarations next to them too
//   dist/cli       the `keel` command line (cli/*.ts; bin.js is the package's "bin"),
//                  by scripts/build-cli.mjs
//   dist/rollup    keel/rollup, the hsm ahead-of-time compiler as a rollup plugin
//                  (tools/hsm-aot/), by scripts/build-rollup-plugin.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from './bundle.mjs';
import { compileHost } from './moddable-sdk.mjs';
import { buildCli } from './build-cli.mjs';
import { buildRollupPlugin } from './build-rollup-plugin.mjs';

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`keel build: ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);
run(bin('rollup'), ['-c']);
rmSync(join(root, 'dist', 'types'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
const types = join(root, 'dist', 'types');
// Recursive: the private modules of src/hsm/ and src/internal/ (keel/hsm/*, keel/internal/* in manifest.json).
for (const f of readdirSync(types, { recursive: true })) {
  if (!String(f).endsWith('.d.ts')) continue;
  mkdirSync(dirname(join(root, 'dist', 'xs', String(f))), { recursive: true });
  copyFileSync(join(types, String(f)), join(root, 'dist', 'xs', String(f)));
}
const entry = join(root, 'dist', 'entry');
mkdirSync(entry, { recursive: true });
writeFileSync(join(entry, 'keel.js'), '// The bare `keel` module of the library manifest: everything in keel/index.\nexport * from "keel/index";\n');
writeFileSync(join(entry, 'keel.d.ts'), 'export * from "keel/index";\n');
await buildRollupPlugin(); // dist/rollup: keel/rollup, the hsm ahead-of-time compiler (build tool); compileHost uses it
await compileHost();
await buildCli(); // dist/cli: the `keel` command (package.json "bin")

// Declarations of the host modules users import (keel/host/types, errors, tick,
// probe, digital-input, digital-output, serial, and the interrupt bridge's
// keel/host/interrupt/source + native of hosts/moddable/interrupt/manifest.json,
// which the package ships with its C), next to their JS.
const HOST_DECLARED = ['types', 'errors', 'tick', 'alloc-probe', 'digital-input', 'digital-output', 'serial', 'trace-drain', 'interrupt/source', 'interrupt/native'];
const typings = join(root, 'node_modules', '@moddable', 'typings');
const declWork = join(root, 'build', 'host-declarations');
rmSync(declWork, { recursive: true, force: true });
mkdirSync(declWork, { recursive: true });
const declConfig = join(declWork, 'tsconfig.json');
writeFileSync(
  declConfig,
  JSON.stringify({
    extends: join(root, 'hosts', 'moddable', 'tsconfig.json'),
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: join(declWork, 'out'), rootDir: root, noCheck: true },
    include: [],
    files: [
      ...HOST_DECLARED.map((m) => join(root, 'hosts', 'moddable', m + '.ts')),
      join(root, 'src', 'globals.d.ts'),
      join(root, 'hosts', 'moddable', 'interrupt', 'xs-native.d.ts'), // Native / native (interrupt/native.ts)
      ...['xs', 'timer', 'time', 'instrumentation', 'embedded_io/_common', 'embedded_io/digital', 'embedded_io/serial'].map((t) => join(typings, t + '.d.ts')),
    ],
  }),
);
run(bin('tsc'), ['-p', declConfig]);
for (const m of HOST_DECLARED) {
  copyFileSync(join(declWork, 'out', 'hosts', 'moddable', m + '.d.ts'), join(root, 'dist', 'moddable', 'hosts', 'moddable', m + '.d.ts'));
}
console.log('keel build: dist/node, dist/xs (+ .d.ts), dist/types, dist/entry, dist/moddable, dist/cli');

// The TypeScript files that scripts/moddable.mjs compiles to dist/moddable/
// for the Moddable manifest (one ES module per file, same relative path):
//   hosts/moddable/**/*.ts  (except *.d.ts and the types-only platform-contract.ts)
//   boards/*/board.ts
//   examples/<DEVICE_EXAMPLES>.ts  (the platform-neutral example firmware; the
//   library modules they import from ../src/ become `keel/<module>`)
// Shared with test/node/manifest.test.ts, which checks that every module the
// manifests name under dist/moddable/ is one of these. No side effects.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Sources that emit no JavaScript (types only) and are not in the manifest. */
export const TYPES_ONLY = ['hosts/moddable/platform-contract.ts'];
/** The example firmware modules that run on devices (examples/*.ts without the simulator glue). */
export const DEVICE_EXAMPLES = ['io', 'blinky', 'port-reset', 'uart-lines'];
/** Where the compiled modules go, relative to the repository root. */
export const OUT_DIR = 'dist/moddable';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** { 'hosts/moddable/tick': '/abs/hosts/moddable/tick.ts', ... } (keys: output paths without .js). */
export function moddableInputs(root) {
  const files = walk(join(root, 'hosts', 'moddable')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const boards = join(root, 'boards');
  if (existsSync(boards)) {
    for (const b of readdirSync(boards).sort()) {
      const f = join(boards, b, 'board.ts');
      if (existsSync(f)) files.push(f);
    }
  }
  for (const e of DEVICE_EXAMPLES) {
    const f = join(root, 'examples', e + '.ts');
    if (existsSync(f)) files.push(f);
  }
  const input = {};
  for (const f of files) {
    const rel = relative(root, f).split('\\').join('/');
    if (TYPES_ONLY.includes(rel)) continue;
    input[rel.replace(/\.ts$/, '')] = f;
  }
  return input;
}

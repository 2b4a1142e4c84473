// `npm run build`: the library for two targets from the same sources.
//   dist/node  ES modules for Node, mocha and the simulator (DEBUG = true)
//   dist/xs    ES modules for Moddable/XS, no Node built-ins (DEBUG = false,
//              so checks and assertions compile out; KEEL_DEBUG=1 keeps them)
// Type declarations go to dist/types (tsc, see tsconfig.build.json).
import { readdirSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import replace from '@rollup/plugin-replace';

const input = Object.fromEntries(
  readdirSync('src')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => [f.replace(/\.ts$/, ''), `src/${f}`]),
);

const target = (dir, debug) => ({
  input,
  plugins: [
    replace({ preventAssignment: true, values: { DEBUG: JSON.stringify(debug) } }),
    typescript({
      tsconfig: 'tsconfig.json',
      include: ['src/**/*.ts'],
      compilerOptions: { noEmit: false, declaration: false, types: [], noCheck: true },
      outputToFilesystem: false,
    }),
  ],
  // src/ has no runtime dependencies; anything else imported is an error.
  external: () => false,
  output: { dir, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', preserveModules: true, preserveModulesRoot: 'src' },
  onwarn(w, warn) {
    if (w.code === 'UNRESOLVED_IMPORT') throw new Error(`src/ must not import anything outside src/: ${w.message}`);
    warn(w);
  },
});

export default [target('dist/node', true), target('dist/xs', process.env.KEEL_DEBUG === '1')];

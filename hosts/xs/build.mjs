// Builds (once) and caches the Keel XS engine host `keel-xs`.
//
// Sources: the XS engine in the npm package @agoric/xsnap (moddable/xs) and its
// xsnap platform layer (xsnap-native/xsnap/sources/xsnapPlatform.c). When
// $MODDABLE is set, the engine (xs/sources, xs/includes, xs/platforms) comes
// from $MODDABLE/xs instead; the platform layer still comes from @agoric/xsnap.
// Only sources are used: never the package's prebuilt binaries or its Node API.
//
// The binary is cached under node_modules/.cache/keel/xs-host-<hash>/keel-xs,
// keyed by the sources' location and version, our C files (keel-xs.c and
// hosts/native/keel_isr.c/.h, the interrupt bridge's producer) and the flags.
//
//   node hosts/xs/build.mjs          build if needed, print the binary's path
//   import { ensureXsHost } from './hosts/xs/build.mjs'
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);

export class XsHostBuildError extends Error {
  constructor(message) {
    super(message);
    this.name = 'XsHostBuildError';
  }
}

// The flags of xsnap's own makefile (xsnap.mk), release goal, without mxDebug.
const FLAGS = [
  '-fno-common',
  '-DINCLUDE_XSPLATFORM',
  '-DXSPLATFORM="xsnapPlatform.h"',
  '-DmxLockdown=1',
  '-DmxMetering=1',
  '-DmxParse=1',
  '-DmxProfile=1',
  '-DmxRun=1',
  '-DmxSloppy=1',
  '-DmxSnapshot=1',
  '-DmxRegExpUnicodePropertyEscapes=1',
  '-DmxStringNormalize=1',
  '-DmxMinusZero=1',
  '-DmxBoundsCheck=1',
  '-w',
];
// KEEL_XS_DEBUG=1 builds a separate, unoptimized binary with mxDebug: stack
// traces then carry file and line (the counters are the same).
const GOAL_FLAGS = process.env.KEEL_XS_DEBUG === '1' ? ['-DmxDebug=1', '-g', '-O0'] : ['-O2'];

// The engine objects xsnap links, in xsnap.mk's order.
const XS_SOURCES = [
  'xsAll', 'xsAPI', 'xsArguments', 'xsArray', 'xsAtomics', 'xsBigInt', 'xsBoolean', 'xsCode',
  'xsCommon', 'xsDataView', 'xsDate', 'xsDebug', 'xsDefaults', 'xsError', 'xsFunction',
  'xsGenerator', 'xsGlobal', 'xsJSON', 'xsLexical', 'xsLockdown', 'xsMapSet', 'xsMarshall',
  'xsMath', 'xsMemory', 'xsModule', 'xsNumber', 'xsObject', 'xsPlatforms', 'xsProfile',
  'xsPromise', 'xsProperty', 'xsProxy', 'xsRegExp', 'xsRun', 'xsScope', 'xsScript',
  'xsSnapshot', 'xsSourceMap', 'xsString', 'xsSymbol', 'xsSyntaxical', 'xsTree', 'xsType',
  'xsdtoa', 'xsre', 'xsmc',
];

function locateSources() {
  let xsnapDir;
  try {
    xsnapDir = dirname(require.resolve('@agoric/xsnap/package.json'));
  } catch {
    throw new XsHostBuildError(
      'keel-xs: the npm package @agoric/xsnap is not installed, so there are no XS engine sources to build ' +
        'the XS test host from. It is a development dependency of Keel (its tests and benches only; users of ' +
        'the package never install it), and its install step compiles C: install a C compiler (Debian: ' +
        'apt-get install build-essential), then run `npm install` in the Keel repository again.',
    );
  }
  const version = JSON.parse(readFileSync(join(xsnapDir, 'package.json'), 'utf8')).version;
  const platformDir = join(xsnapDir, 'xsnap-native', 'xsnap', 'sources');
  const xsDir = process.env.MODDABLE ? join(process.env.MODDABLE, 'xs') : join(xsnapDir, 'moddable', 'xs');
  for (const p of [join(xsDir, 'sources', 'xsAll.h'), join(platformDir, 'xsnapPlatform.c')]) {
    if (!existsSync(p)) {
      throw new XsHostBuildError(`keel-xs: expected XS source file ${p} is missing` +
        (process.env.MODDABLE ? ' (is $MODDABLE the root of a Moddable SDK checkout?)' : ''));
    }
  }
  return { xsDir, platformDir, version };
}

function checkCompiler(cc) {
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new XsHostBuildError(
      `keel-xs: no C compiler: \`${cc} --version\` failed (${r.error ? r.error.message : 'exit ' + r.status}). ` +
        'The XS test host is compiled from source with the machine\'s C compiler. Install one ' +
        '(Debian/Ubuntu: apt-get install build-essential; macOS: xcode-select --install) or set $CC.',
    );
  }
}

function run(cmd, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new XsHostBuildError(`keel-xs: ${cmd} ${args.join(' ')} failed:\n${err}`)),
    );
  });
}

async function pool(jobs, width) {
  let next = 0;
  const workers = Array.from({ length: width }, async () => {
    while (next < jobs.length) await jobs[next++]();
  });
  await Promise.all(workers);
}

/** Builds the host if needed; returns the path of the `keel-xs` binary. */
export async function ensureXsHost({ quiet = false } = {}) {
  const cc = process.env.CC || 'cc';
  const { xsDir, platformDir, version } = locateSources();
  const hostC = join(here, 'keel-xs.c');
  // The native interrupt bridge's C producer, compiled into the host for its $xs.isr* bench.
  const nativeDir = join(root, 'hosts', 'native');
  const isrC = join(nativeDir, 'keel_isr.c');
  const isrH = join(nativeDir, 'keel_isr.h');
  const hash = createHash('sha256')
    .update(
      [xsDir, platformDir, version, cc, FLAGS.join(' '), GOAL_FLAGS.join(' '), readFileSync(hostC, 'utf8'),
        readFileSync(isrC, 'utf8'), readFileSync(isrH, 'utf8')].join('\n'),
    )
    .digest('hex')
    .slice(0, 16);
  const outDir = join(root, 'node_modules', '.cache', 'keel', `xs-host-${hash}`);
  const bin = join(outDir, 'keel-xs');
  if (existsSync(bin)) return bin;

  checkCompiler(cc);
  mkdirSync(outDir, { recursive: true });
  const includes = [
    `-I${join(xsDir, 'includes')}`,
    `-I${join(xsDir, 'platforms')}`,
    `-I${join(xsDir, 'sources')}`,
    `-I${platformDir}`,
    `-I${nativeDir}`,
  ];
  const units = [
    ...XS_SOURCES.map((n) => join(xsDir, 'sources', `${n}.c`)),
    join(platformDir, 'xsnapPlatform.c'),
    hostC,
    isrC,
  ];
  const started = Date.now();
  if (!quiet) process.stderr.write(`keel-xs: compiling the XS engine host (${units.length} files, once) ...\n`);
  // Objects in a directory of this process: two builds at once do not write the same files.
  const objDir = join(outDir, `obj-${process.pid}`);
  mkdirSync(objDir, { recursive: true });
  const objects = units.map((u, i) => join(objDir, `${i}-${u.split('/').pop().replace(/\.c$/, '.o')}`));
  await pool(
    units.map((u, i) => () => run(cc, [u, ...FLAGS, ...GOAL_FLAGS, ...includes, '-c', '-o', objects[i]])),
    Math.max(1, cpus().length),
  );
  const tmp = `${bin}.tmp-${process.pid}`;
  await run(cc, ['-rdynamic', ...objects, '-ldl', '-lm', '-lpthread', '-o', tmp]);
  renameSync(tmp, bin);
  rmSync(objDir, { recursive: true, force: true });
  if (!quiet) process.stderr.write(`keel-xs: built ${bin} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return bin;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureXsHost()
    .then((bin) => console.log(bin))
    .catch((e) => {
      console.error(e.message);
      process.exit(1);
    });
}

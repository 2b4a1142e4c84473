// Node only (test/node/*): runs one test file on the XS engine host in the
// release bundle (the debug flag off, as in dist/xs and the bench builds) and
// returns mocha's summary line and the whole output.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { strict as assert } from './assert.js';

export interface XsRunSummary {
  passed: number;
  failed: number;
  pending: number;
}

/** Bundles `testFile` (relative to the repository) with DEBUG false, runs it on keel-xs, returns its summary and output. */
export async function runReleaseBundleOnXs(testFile: string): Promise<{ summary: XsRunSummary; text: string; status: number | null }> {
  const root = process.cwd();
  // Computed specifiers: loaded at run time from the repository, not bundled into the test.
  const bundle = (await import(pathToFileURL(join(root, 'scripts', 'bundle.mjs')).href)) as {
    bundleForXs: (entries: string[], out: string, o: { prefix: string; suffix: string; debug: boolean }) => Promise<string>;
  };
  const host = (await import(pathToFileURL(join(root, 'hosts', 'xs', 'build.mjs')).href)) as { ensureXsHost: () => Promise<string> };
  const bin = await host.ensureXsHost();
  const out = mkdtempSync(join(tmpdir(), 'keel-xs-release-'));
  try {
    const prelude = readFileSync(join(root, 'hosts', 'xs', 'prelude.js'), 'utf8');
    const mochaJs = readFileSync(join(root, 'node_modules', 'mocha', 'mocha.js'), 'utf8');
    const setup = "mocha.setup({ ui: 'bdd', reporter: 'spec', timeout: 60000 });";
    const run = `
(function () {
  var runner = mocha.run(function (failures) { $xs.exit(failures ? 1 : 0); });
  runner.on('end', function () {
    var s = runner.stats;
    print('KEEL-SUMMARY ' + JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending }));
  });
})();`;
    const file = join(out, 'release.js');
    await bundle.bundleForXs([join(root, testFile)], file, { prefix: prelude + '\n' + mochaJs + '\n' + setup, suffix: run, debug: false });
    const r = spawnSync(bin, [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const text = r.stdout ?? '';
    const line = text.split('\n').find((l) => l.startsWith('KEEL-SUMMARY '));
    assert.ok(line !== undefined, `no summary from keel-xs (status ${r.status}): ${text.slice(-2000)} ${r.stderr ?? ''}`);
    return { summary: JSON.parse(line.slice('KEEL-SUMMARY '.length)) as XsRunSummary, text, status: r.status };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The failing lines of a run's output, for an assertion message. */
export function failures(text: string): string {
  return text.split('\n').filter((l) => /\d+\) |Error/.test(l)).join('\n');
}

/**
 * The repository root for Node-only tests (test/node/*): the nearest folder
 * up from the running test file whose package.json is Keel's. Tests run from
 * a build folder (build/test/run-<pid>/...), so the walk starts there.
 * Node APIs: import from test/node/ only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from `from` (a file: URL, default this module's) to the folder whose package.json is named "keel"; throws if none is. */
export function findRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'keel') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`repository root (package.json "keel") not found above ${fileURLToPath(from)}`);
    dir = up;
  }
}

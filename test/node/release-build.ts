// A release build of src/ modules for Node tests: the TypeScript source with
// the debug flag replaced by `false` (the same textual replacement the
// dist/xs build makes), written as ES modules to a temporary directory, so a
// test can check what a release build does with the debug checks compiled out.
// (The flag's name is spelled in two pieces below: the test bundler replaces
// the word itself everywhere, strings included.)
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Transpiles `entries` (paths under src/, e.g. 'shared-queue.ts') and every
 * module they import, with the debug flag false; returns file URLs of the entries.
 */
const FLAG = new RegExp('\\b' + 'DE' + 'BUG' + '\\b', 'g');

export async function releaseBuild(entries: string[]): Promise<string[]> {
  const ts = (await import('typescript')).default;
  const src = join(process.cwd(), 'src');
  const out = mkdtempSync(join(tmpdir(), 'keel-release-'));
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const done = new Set<string>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const text = readFileSync(join(src, file), 'utf8');
    // Relative imports, nested ones included (src/hsm/, src/internal/: './hsm/machine.js', '../errors.js').
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.\.?\/[\w/.-]+)\.js'/gm))
      todo.push(posix.normalize(posix.join(posix.dirname(file), `${m[1]}.ts`)));
    const js = ts.transpileModule(text, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    }).outputText;
    const target = join(out, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js.replace(FLAG, 'false'));
  }
  return entries.map((e) => pathToFileURL(join(out, e.replace(/\.ts$/, '.js'))).href);
}

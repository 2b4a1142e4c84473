// Issue 15, item 4: every KeelError carries a stable code, and docs/errors.md
// lists exactly the codes the sources throw.
// - Scans src/ (recursively: src/hsm/, src/internal/), hosts/moddable/, the
//   simulator (hosts/sim/) and the examples (examples/) with the TypeScript
//   parser: each error class (a class extending KeelError, or a
//   class extending one), its code union (`declare readonly code: XCode` or a
//   `readonly code: XCode` constructor parameter, as hsm's classes have), and
//   each construction `new XError('CODE', ...)`.
// - Codes built by helpers (`fail(b, 'CODE', ..)`, pool's `checkInt(..,
//   'BAD_COUNT', ..)`, a shared check handed the class: `new Err('CODE', ..)`)
//   count as thrown when they are a member of the class's union and appear as
//   a string literal outside type declarations in the scanned files.
// - Fails when a thrown code is missing from docs/errors.md, when
//   docs/errors.md lists a `Class.CODE` that is never thrown, when a literal
//   code is not in its class's union, or when a union member is never thrown.
// - Every KeelError subclass exported from src/index.ts has a code union.
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { findRoot } from '../support/repo-root.js';
import * as keel from '../../src/index.js';
import { KeelError } from '../../src/errors.js';

const repo = findRoot();
const ROOTS = ['src', 'hosts/moddable', 'hosts/sim', 'examples'];
const CODE_RE = /^[A-Z][A-Z0-9_]*$/;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(join(repo, dir), { recursive: true })) {
    const p = String(f);
    if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(join(repo, dir, p));
  }
  return out.sort();
}

interface ClassInfo {
  file: string;
  base: string;
  codeType: string | undefined;
}

interface Scan {
  classes: Map<string, ClassInfo>;
  /** type alias -> its string-literal members (references to other aliases resolved later). */
  aliases: Map<string, { literals: string[]; refs: string[] }>;
  /** Class -> literal codes at `new Class('CODE'` sites, with where. */
  literal: Map<string, Map<string, string>>;
  /** Every UPPER_SNAKE string literal outside type declarations. */
  strings: Set<string>;
}

function scan(): Scan {
  const s: Scan = { classes: new Map(), aliases: new Map(), literal: new Map(), strings: new Set() };
  for (const root of ROOTS) {
    for (const file of tsFiles(root)) {
      const rel = relative(repo, file);
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const where = (n: ts.Node): string => `${rel}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
      const visit = (n: ts.Node): void => {
        if (ts.isTypeAliasDeclaration(n)) {
          const literals: string[] = [];
          const refs: string[] = [];
          const members = ts.isUnionTypeNode(n.type) ? n.type.types : [n.type];
          for (const m of members) {
            if (ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal)) literals.push(m.literal.text);
            else if (ts.isTypeReferenceNode(m)) refs.push(m.typeName.getText(sf));
          }
          s.aliases.set(n.name.text, { literals, refs });
          return; // no literals of a type count as thrown
        }
        if (ts.isClassDeclaration(n) && n.name !== undefined && n.heritageClauses !== undefined) {
          const ext = n.heritageClauses.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
          const base = ext?.types[0]?.expression.getText(sf);
          if (base !== undefined && /(Error)$/.test(base)) {
            let codeType: string | undefined;
            for (const m of n.members) {
              if (ts.isPropertyDeclaration(m) && m.name.getText(sf) === 'code' && m.type !== undefined) codeType = m.type.getText(sf);
              if (ts.isConstructorDeclaration(m)) {
                for (const p of m.parameters) {
                  if (p.name.getText(sf) === 'code' && p.modifiers !== undefined && p.type !== undefined) codeType = p.type.getText(sf);
                }
              }
            }
            s.classes.set(n.name.text, { file: rel, base, codeType });
          }
        }
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text.endsWith('Error')) {
          const cls = n.expression.text;
          const a0 = n.arguments?.[0];
          if (a0 !== undefined && (ts.isStringLiteral(a0) || ts.isNoSubstitutionTemplateLiteral(a0)) && CODE_RE.test(a0.text)) {
            if (!s.literal.has(cls)) s.literal.set(cls, new Map());
            if (!s.literal.get(cls)!.has(a0.text)) s.literal.get(cls)!.set(a0.text, where(n));
          }
        }
        if (ts.isStringLiteral(n) && CODE_RE.test(n.text)) s.strings.add(n.text);
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
  }
  return s;
}

/** `name` extends `base` (directly or through other classes). */
function isSubclass(s: Scan, name: string, base: string): boolean {
  for (let c: string | undefined = s.classes.get(name)?.base, guard = 0; c !== undefined && guard < 16; guard++) {
    if (c === base) return true;
    c = s.classes.get(c)?.base;
  }
  return false;
}

function isKeelClass(s: Scan, name: string): boolean {
  return isSubclass(s, name, 'KeelError');
}

function unionOf(s: Scan, alias: string, depth = 0): string[] {
  const a = s.aliases.get(alias);
  if (a === undefined || depth > 8) return [];
  return [...a.literals, ...a.refs.flatMap((r) => unionOf(s, r, depth + 1))];
}

/** Class -> codes thrown (literal sites, plus union members used as literals when a site passes a variable). */
function thrownCodes(s: Scan): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [cls] of s.classes) {
    if (!isKeelClass(s, cls)) continue;
    const set = new Set<string>(s.literal.get(cls)?.keys() ?? []);
    // Helpers (`fail(b, 'CODE', ..)`, `checkInt(.., 'CODE', ..)`, or a shared check
    // given the class: `new Err('CODE', ..)`) pass the code as a literal elsewhere.
    // A base class's union may include its subclasses' codes (HandleError,
    // StreamUsageError): those are thrown as the subclass.
    const t = s.classes.get(cls)!.codeType;
    const ofSubclasses = new Set<string>();
    for (const [sub, info] of s.classes) if (sub !== cls && isSubclass(s, sub, cls) && info.codeType !== undefined) for (const c of unionOf(s, info.codeType)) ofSubclasses.add(c);
    for (const c of t === undefined ? [] : unionOf(s, t)) if (s.strings.has(c) && !ofSubclasses.has(c)) set.add(c);
    if (set.size > 0) out.set(cls, set);
  }
  return out;
}

function documented(): Map<string, Set<string>> {
  const text = readFileSync(join(repo, 'docs', 'errors.md'), 'utf8');
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/`([A-Z][A-Za-z0-9]*Error)\.([A-Z][A-Z0-9_]*)`/g)) {
    if (!out.has(m[1]!)) out.set(m[1]!, new Set());
    out.get(m[1]!)!.add(m[2]!);
  }
  return out;
}

/** `Class.CODE` in `a` and not in `b`. */
function difference(a: Map<string, Set<string>>, b: Map<string, Set<string>>): string[] {
  const out: string[] = [];
  for (const [cls, codes] of a) for (const c of codes) if (!b.get(cls)?.has(c)) out.push(`${cls}.${c}`);
  return out;
}

describe('docs/errors.md and the error codes in the sources', function () {
  const s = scan();
  const thrown = thrownCodes(s);
  const docs = documented();

  it('the scan finds the error classes and their throw sites (positive control)', function () {
    for (const cls of [
      'PoolConfigError',
      'KernelUsageError',
      'TimerUsageError',
      'TraceUsageError',
      'TraceFrameError',
      'DeviceHostError',
      'SimConfigError',
      'SimSchedulerFullError',
      'SimUsageError',
      'SimReplayError',
      'ExampleConfigError',
    ]) {
      assert.ok(s.classes.has(cls), `class ${cls} found`);
      assert.ok((thrown.get(cls)?.size ?? 0) > 0, `codes thrown as ${cls} found`);
    }
    // A helper-built code (pool's checkInt(.., 'BAD_COUNT', ..)) is counted.
    assert.ok(thrown.get('PoolConfigError')!.has('BAD_COUNT'));
    // The simulator's and the examples' files are scanned too.
    assert.equal(s.classes.get('SimReplayError')?.file, 'hosts/sim/errors.ts');
    assert.equal(s.classes.get('ExampleConfigError')?.file, 'examples/io.ts');
    assert.ok(thrown.get('SimReplayError')!.has('NO_SUCH_PERIPHERAL'));
    // The doc parser reads `Class.CODE` cells.
    assert.ok(docs.get('PoolExhaustedError')?.has('EXHAUSTED'));
  });

  it('the comparison catches a code missing from the page and a listed code never thrown (negative control)', function () {
    const page = new Map([...docs].map(([k, v]) => [k, new Set(v)] as const));
    page.get('PoolExhaustedError')!.delete('EXHAUSTED');
    page.get('KernelUsageError')!.add('NO_SUCH_CODE');
    assert.deepEqual(difference(thrown, page), ['PoolExhaustedError.EXHAUSTED']);
    assert.deepEqual(difference(page, thrown), ['KernelUsageError.NO_SUCH_CODE']);
  });

  it('every thrown code is listed in docs/errors.md', function () {
    const missing = difference(thrown, docs).map((cc) => {
      const [cls, c] = cc.split('.') as [string, string];
      return `${cc} (${s.literal.get(cls)?.get(c) ?? s.classes.get(cls)!.file})`;
    });
    assert.deepEqual(missing, [], `thrown but not in docs/errors.md: ${missing.join(', ')}`);
  });

  it('every code docs/errors.md lists is thrown', function () {
    const extra = difference(docs, thrown);
    assert.deepEqual(extra, [], `listed in docs/errors.md but never thrown: ${extra.join(', ')}`);
  });

  it("every literal code is a member of its class's code union, and every member is thrown", function () {
    const bad: string[] = [];
    for (const [cls, info] of s.classes) {
      if (!isKeelClass(s, cls) || info.codeType === undefined) continue;
      const union = new Set(unionOf(s, info.codeType));
      for (const [c, at] of s.literal.get(cls) ?? []) if (!union.has(c)) bad.push(`${cls}.${c} at ${at} is not in ${info.codeType}`);
      // A base class (HandleError) declares the union of its subclasses' codes: checked through them.
      const sub = [...s.classes].some(([, i]) => i.base === cls);
      if (!sub) for (const c of union) if (!thrown.get(cls)?.has(c)) bad.push(`${cls}.${c} (${info.codeType}) is never thrown`);
    }
    assert.deepEqual(bad, []);
  });

  it('every KeelError subclass in the scanned files declares a code union', function () {
    const bad = [...s.classes]
      .filter(([cls, info]) => isKeelClass(s, cls) && (info.codeType === undefined || unionOf(s, info.codeType).length === 0))
      .map(([cls, info]) => `${cls} (${info.file})`);
    assert.deepEqual(bad, [], 'declare readonly code: XErrorCode');
  });

  it('every KeelError subclass exported from src/index.ts declares a code union', function () {
    const exported = Object.entries(keel).filter(
      ([, v]) => typeof v === 'function' && v !== KeelError && (v as { prototype?: unknown }).prototype instanceof KeelError,
    );
    assert.ok(exported.length >= 20, `found ${exported.length} exported error classes`);
    const bad: string[] = [];
    for (const [name] of exported) {
      const info = s.classes.get(name);
      if (info === undefined) bad.push(`${name}: class declaration not found under ${ROOTS.join(', ')}`);
      else if (info.codeType === undefined || unionOf(s, info.codeType).length === 0) bad.push(`${name}: no code union (declare readonly code: ${name}Code)`);
    }
    assert.deepEqual(bad, []);
  });

  it('a KeelError carries its code, and the message is what was passed', function () {
    const e = new keel.PoolConfigError('BAD_COUNT', "BlockPool 'p' [BAD_COUNT]");
    assert.ok(e instanceof KeelError);
    assert.deepEqual([e.name, e.code, e.message], ['PoolConfigError', 'BAD_COUNT', "BlockPool 'p' [BAD_COUNT]"]);
  });
});

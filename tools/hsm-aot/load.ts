/**
 * tools/hsm-aot/load: turns compiled source into a working dispatch in the
 * running engine (`new Function`), for tests, benches and build-time checks.
 * A device build gets the compiled dispatch from keel/rollup instead (plain
 * module code, no eval on the device). Allocates; start-up only.
 */
import { defineHsm, Hsm, HsmDefinition, HsmDefinitionError, HsmUsageError, type HsmOptions } from '../../src/hsm.js';
import { defineCompiledHsm, hsmTables, type HsmCompiledDispatch, type HsmTables } from '../../src/hsm/definition.js';
import { compileHsm, type CompiledHsm, type CompileHsmOptions } from './compile.js';
import { tablesSource } from './tables.js';

/** Evaluates compiled source and returns the compiled dispatch (machine, definition) => void. */
export function loadCompiled<C>(c: CompiledHsm): HsmCompiledDispatch<C> {
  const factory = new Function(`return ${c.factory};`)() as (de: typeof HsmDefinitionError, ue: typeof HsmUsageError) => HsmCompiledDispatch<C>;
  return factory(HsmDefinitionError, HsmUsageError);
}

/**
 * One machine over `def` running the dispatch compiled from `def` (as a
 * definition made with it by keel/rollup would): `new Hsm`, then the compiled
 * dispatch installed (untraced machines; a traced one keeps the trace hook's).
 */
export function compiledMachine<C>(def: HsmDefinition<C>, options?: HsmOptions<C>, compile?: CompileHsmOptions): Hsm<C> {
  return attachCompiled(loadCompiled<C>(compileHsm(def, compile)), def, options);
}

/** `new Hsm(def, options)` with an already loaded compiled dispatch installed (untraced machines). */
export function attachCompiled<C>(compiled: HsmCompiledDispatch<C>, def: HsmDefinition<C>, options?: HsmOptions<C>): Hsm<C> {
  const m = new Hsm(def, options);
  if (m.trace === null) compiled(m, def);
  return m;
}

/** The tables keel/rollup writes for `spec` (made here by defineHsm, as at build time), evaluated as its generated module evaluates them. */
export function compiledTables(spec: object): HsmTables {
  const def = defineHsm(spec as never) as HsmDefinition<unknown>;
  const t = tablesSource(spec, def);
  if (typeof t === 'string') throw new Error(`keel/rollup would not compile this spec: ${t}`);
  return new Function('hsmTables', `return ${t.expression};`)(hsmTables) as HsmTables;
}

/**
 * What keel/rollup's generated code does at boot, without the compiler:
 * tables compiled from `spec` (build time), then `defineCompiledHsm(tables,
 * runtimeSpec, compiled)` (boot; default: the same spec object). A runtime
 * spec of another structure throws HsmDefinitionError 'BAD_SPEC'.
 */
export function compiledDefinition<C>(spec: object, runtimeSpec: object = spec, compile?: CompileHsmOptions): HsmDefinition<C> {
  const def = defineHsm(spec as never) as HsmDefinition<C>;
  const tables = compiledTables(spec);
  return defineCompiledHsm<C>(tables, runtimeSpec, loadCompiled<C>(compileHsm(def, compile)));
}

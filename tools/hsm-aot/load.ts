/**
 * tools/hsm-aot/load: turns compiled source into a working dispatch in the
 * running engine (`new Function`), for tests, benches and build-time checks.
 * A device build gets the compiled dispatch from keel/rollup instead (plain
 * module code, no eval on the device). Allocates; start-up only.
 */
import { Hsm, HsmDefinition, HsmDefinitionError, HsmUsageError, type HsmOptions } from '../../src/hsm.js';
import type { HsmCompiledDispatch } from '../../src/hsm/define.js';
import { compileHsm, type CompiledHsm, type CompileHsmOptions } from './compile.js';

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

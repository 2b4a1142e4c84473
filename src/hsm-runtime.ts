/**
 * hsm-runtime: hierarchical state machines without the definition compiler.
 * The same machines, definitions, errors and constants as `keel/hsm`
 * (src/hsm.ts holds the contract: semantics, contexts, lifecycle, limits),
 * minus `defineHsm` and `defineSignals`: definitions come from
 * `defineCompiledHsm(tables, spec, compiled)`, the call keel/rollup writes in
 * place of `defineHsm(spec)`, over tables it compiled at build time
 * (`hsmTables({...})` in the app's module). What the generated code imports,
 * so an app whose machines are all compiled ahead of time ships this module,
 * src/hsm/{definition,machine,traced,types,errors}.ts and the queue, never
 * src/hsm/define.ts (docs/hsm.md "Compiled ahead of time", docs/footprint.md).
 *
 *   keel/rollup at build time           boot                                         per event
 *   defineHsm({...})  ==rewrites==>  defineCompiledHsm(hsmTables({...}), {...}, compiled) -> new Hsm -> compiled dispatch
 *
 * Allocation, contexts and release checks: as keel/hsm (defineCompiledHsm
 * allocates at boot only). No module state.
 */
export {
  HSM_DEFAULT_MAX_DEPTH,
  HSM_MAX_DEPTH_CEILING,
  HSM_MAX_SIGNAL,
  HSM_MAX_TRANSITIONS,
  HSM_MAX_STATES,
  HSM_DEFAULT_QUEUE_CAPACITY,
  HSM_DEFAULT_DEFER_CAPACITY,
  HSM_DEFAULT_DRAIN_LIMIT,
  HSM_MAX_DELAY_MS,
  HSM_IGNORED,
  HSM_HANDLED,
  HSM_TRANSITION,
  HSM_DEFERRED,
  HSM_DEFER_OVERFLOW,
  HSM_TOP,
} from './hsm/types.js';
export type {
  HsmSignals,
  HsmContext,
  HsmAction,
  HsmGuard,
  HsmStateAction,
  HsmTimerHost,
  HsmEventSink,
  HsmOptions,
  HsmTimerInfo,
  HsmTransitionInfo,
  HsmStateDescription,
  HsmTransitionDescription,
  HsmDescription,
} from './hsm/types.js';
export { HsmDefinitionError, HsmUsageError, type HsmDefinitionErrorCode, type HsmUsageErrorCode } from './hsm/errors.js';
export { HsmDefinition, defineCompiledHsm, hsmTables, type HsmTables, type HsmCompiledDispatch } from './hsm/definition.js';
export { Hsm } from './hsm/machine.js';

// XState 5 reads the global `console` when its module is evaluated
// (`defaultOptions.logger = console.log.bind(console)` in its Actor module).
// The keel-xs host has no `console` (it has `print`), so without this shim the
// xstate bundle throws "ReferenceError: get console: undefined variable" at
// load. Imported by hsm.bench.ts before xstate. Bench-only; not part of src/.
const g = globalThis as unknown as { console?: unknown };
if (typeof g.console === 'undefined') {
  const noop = (): void => {};
  g.console = { log: noop, warn: noop, error: noop, info: noop, debug: noop };
}
export {};

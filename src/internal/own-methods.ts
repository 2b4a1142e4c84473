/**
 * internal/own-methods: ownMethods, the boot-time helper that Trace, Kernel,
 * BlockPool and Hsm use before they swap a method for a traced (or zeroing)
 * variant. Private to Keel (not a `keel/*` export; `keel/internal/*` in
 * manifest.json).
 *
 * Calling contexts: constructors only (allocates one property descriptor per
 * name). No module state.
 */

/**
 * Makes each of `names` an own, writable, non-enumerable property of `obj`,
 * holding its current (inherited) value, so that later swaps of the method
 * (the trace's onFilter hooks, a pool's zeroOnClaim) are plain assignments to
 * an own property. A plain assignment over a method inherited from a frozen
 * prototype throws in strict code, and Moddable freezes every preloaded
 * module's prototypes.
 */
export function ownMethods(obj: object, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!;
    Object.defineProperty(obj, n, { value: (obj as Record<string, unknown>)[n], writable: true, enumerable: false, configurable: true });
  }
}

/**
 * XS's `Native` API (Moddable SDK documentation/xs/XS in C.md, "Native"):
 * xsc compiles `class X extends Native("destructor")` and
 * `native("callback").call(this, ...)` into the same byte codes as the `@`
 * syntax. Declared here for the type checker only (hosts/moddable/tsconfig.json);
 * nothing at run time comes from this file.
 */
declare function Native(destructor: string): new () => object;
declare function native(callback: string): (this: unknown, ...args: unknown[]) => unknown;

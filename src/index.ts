/**
 * Keel: zero-allocation building blocks for firmware in JavaScript on the
 * Moddable XS engine. Each module is one noun; import the ones you use
 * (`keel/pool`, `keel/queue`, ...) or everything from here.
 */
export { KeelError } from './errors.js';

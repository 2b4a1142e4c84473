/**
 * Build-time constant. rollup replaces it with `true` (tests, simulator,
 * dist/node) or `false` (dist/xs release builds), so `if (DEBUG) { ... }`
 * checks and assertions compile out of release firmware.
 */
declare const DEBUG: boolean;

/** Types of scripts/moddable-inputs.mjs (for test/node/manifest.test.ts). */
export declare const TYPES_ONLY: readonly string[];
export declare const OUT_DIR: string;
export declare function moddableInputs(root: string): Record<string, string>;

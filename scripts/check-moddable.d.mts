/** Types of scripts/check-moddable.mjs (for test/node/check-moddable.test.ts). */
export interface ProbeWindow {
  n: number;
  slots: number;
  chunks: number;
  gc: number;
  line: string;
}
export interface ParsedTrace {
  booted: boolean;
  app: string | undefined;
  aborts: string[];
  windows: ProbeWindow[];
  key: string[];
  samples: number[][];
  bootSample: number;
}
export interface Measurements {
  bootSlots: number;
  bootChunks: number;
  peakStack: number;
  collections: number;
}
export declare const APPS: readonly string[];
export declare const HEADROOM: number;
export declare const EARLY_EXIT: string;
export declare function parseTrace(text: string): ParsedTrace;
export declare function measure(parsed: ParsedTrace, slotBytes?: number): Measurements;
export declare function judge(parsed: ParsedTrace, app: string): string[];
export interface ConsumerWindow {
  slots: number;
  chunks: number;
  gc: number;
  outcome: 'clean' | 'not valid' | 'ALLOCATED';
}
export declare function judgeConsumer(text: string): { why: string[]; windows: ConsumerWindow[] };
export declare function runFor(simulator: string, library: string, seconds: number, env: NodeJS.ProcessEnv, children: Set<unknown>): Promise<string>;
export declare function linkDevice(platform: string, mode: string, baseEnv: NodeJS.ProcessEnv, work: string, manifest?: string, tag?: string): { ok: boolean; output: string };

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
export declare function runFor(simulator: string, library: string, seconds: number, env: NodeJS.ProcessEnv, children: Set<unknown>, until?: (text: string) => boolean): Promise<string>;
export declare function linkDevice(platform: string, mode: string, baseEnv: NodeJS.ProcessEnv, work: string, manifest?: string, tag?: string): { ok: boolean; output: string };
export interface BridgeRun {
  name: string;
  mode: '-d' | '-i';
  config: { keelBridgeMode: 'single' | 'multiple'; keelBridgeHz: number; keelBridgeSeconds: number; keelBridgeBurst: number; keelBridgeGapUs: number; keelBridgeGlitchUs: number };
}
/** The last status line of the interrupt bridge app (hosts/moddable/interrupt/bridge-app.ts). */
export interface BridgeStatus {
  state: 'done' | 'running';
  mode: string;
  offered: number;
  expected: number;
  posted: number;
  refused: number;
  glitched: number;
  corrupt: number;
  taken: number;
  forwarded: number;
  dropped: number;
  edges: number;
  gaps: number;
  seqErrors: number;
  js: number;
  jsPosted: number;
  jsRefused: number;
  wakes: number;
  calls: number;
  lost: number;
  drains: number;
  ringPeak: number;
  p50: number;
  p99: number;
  max: number;
  n: number;
  exact: 'yes' | 'NO';
}
export declare const BRIDGE_MANIFEST: string;
export declare const BRIDGE_RUNS: readonly BridgeRun[];
export declare const BRIDGE_EXTRA_SECONDS: number;
export declare const BRIDGE_TIME_FACTOR: number;
export declare function bridgeFinished(text: string): boolean;
export declare function parseBridge(text: string): BridgeStatus | undefined;
export declare function judgeBridge(text: string): string[];
/** One bridge run of a check, as main() collects it. */
export interface BridgeRow {
  run: BridgeRun;
  b?: BridgeStatus;
  windows?: { gc: number }[];
  why: string[];
}
/** What bridgeResults() saves, one entry per BRIDGE_RUNS run. */
export interface BridgeResultRun {
  run: string;
  mode: '-d' | '-i';
  config: BridgeRun['config'];
  offered: number;
  posted: number;
  refused: number;
  glitched: number;
  corrupt: number;
  taken: number;
  jsRecords: number;
  wakes: number;
  ringPeak: number;
  latencyUs: { p50: number; p99: number; max: number; samples: number };
  windows: number;
  cleanWindows: number;
}
export interface BridgeResults {
  what: string;
  sdk: string;
  date: string;
  command: string;
  machine: { cpus: number; loadAverage1m: number; platform: string };
  runs: BridgeResultRun[];
}
export declare const BRIDGE_RESULTS: string;
/** bench/results/moddable-boot.json: boot RAM per example app, from the last complete passing check. */
export declare const BOOT_RESULTS: string;
export declare function bridgeResults(rows: readonly BridgeRow[], meta: Pick<BridgeResults, 'sdk' | 'date' | 'command' | 'machine'>): BridgeResults | null;

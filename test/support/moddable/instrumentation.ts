/**
 * test/support/moddable/instrumentation: stand-in for Moddable's
 * `instrumentation` module. scripts/bundle.mjs aliases `instrumentation` to
 * this file for hosts/moddable and the boards.
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/base/instrumentation/instrumentation.js  static get/map/name
 *   modules/base/instrumentation/modInstrumentation.c, .h
 *     map(name)   the index of `name` in gInstrumentationNames, whose entry 0
 *                 is "" (so map("") is 0 and real instruments start at 1),
 *                 undefined when absent. The list depends on the platform
 *                 (#if in the source): network counters except on nrf52,
 *                 "SPI Flash Erases" on ESP32, "Turns" on ESP32 and Pico,
 *                 "CPU 0"/"CPU 1" on ESP32 (two cores); the desktop
 *                 simulator has neither. Always map() by name.
 *     get(what)   what = ToInteger(what) (undefined -> 0); 0..last: the
 *                 value (entry 0 reads 0), the XS entries through their
 *                 getter, live; beyond: undefined
 *     name(what)  the name, "" for 0, undefined beyond
 *     without MODINSTRUMENTATION (a plain release build) all three return
 *     undefined (setInstrumentationAvailable(false))
 *   xs/platforms/mc/xsHosts.c (ESP32, Pico) and
 *   build/simulators/modules/screen.c (desktop): the XS getters
 *     "XS Slot Heap Used"  currentHeapCount * sizeof(txSlot): BYTES
 *     "XS Chunk Heap Used" currentChunksSize, bytes
 *     "XS Garbage Collection Count"  collections since the last sample
 *     "XS Stack Used"      (stackTop - stackPeak) * sizeof(txSlot): the peak
 *                          since the last sample, bytes
 *   and the once-a-second sample (espSampleInstrumentation +
 *   modInstrumentMachineReset on the devices, from a 1000 ms modTimer;
 *   fxScreenSampleInstrumentation on the desktop, when the wall-clock second
 *   changes): sends the values to xsbug, then resets the GC count to 0, the
 *   stack peak to the current depth, promises settled, and the per-second
 *   counters (pixels, frames, Poco/Piu lists, network bytes, turns, SPI
 *   flash erases). Slot and chunk use are NOT reset: only a collection
 *   lowers them. Between collections they only grow.
 *
 * Test control (none of it runs in the SDK's JS API):
 *   setInstrument(name, value) / setInstrumentAt(index, value)
 *                           sets an instrument (for the XS ones: the machine
 *                           counter its getter reads)
 *   allocate(slotBytes, chunkBytes)  use grows (the machine allocated)
 *   collectGarbage(freedSlotBytes, freedChunkBytes)  a collection: use drops,
 *                           the GC count goes up by one
 *   sampleInstrumentation() the host's once-a-second sample (resets above);
 *                           the timer stand-in can run it every 1000 ms
 *                           (startInstrumentationTimer)
 *   setStackUsed(bytes)     the current stack depth (the peak follows)
 *   setInstrumentationAvailable(false)  a plain release build
 *   resetInstrumentation()  all values 0, available (call in afterEach)
 *   The platform (names list) comes from builtin.ts setPlatform().
 *
 * Allocation: get(), setInstrumentAt, allocate, collectGarbage and
 * sampleInstrumentation allocate nothing (typed-array reads and writes).
 * Module state: the value table, like the SDK's gInstrumentationValues (a
 * test stand-in, never preloaded).
 */
import { platform, platformName, toInteger } from './builtin.js';

/** The instrument names this stand-in knows (the typings' union plus the ESP32-only one). */
export type InstrumentName =
  | 'Pixels Drawn'
  | 'Frames Drawn'
  | 'Network Bytes Read'
  | 'Network Bytes Written'
  | 'Network Sockets'
  | 'Timers'
  | 'Files'
  | 'Poco Display List Used'
  | 'Piu Command List Used'
  | 'SPI Flash Erases'
  | 'Turns'
  | 'System Free Memory'
  | 'CPU 0'
  | 'CPU 1'
  | 'XS Slot Heap Used'
  | 'XS Chunk Heap Used'
  | 'XS Keys Used'
  | 'XS Garbage Collection Count'
  | 'XS Modules Loaded'
  | 'XS Stack Used'
  | 'XS Promises Settled';

const HEAD = ['', 'Pixels Drawn', 'Frames Drawn', 'Network Bytes Read', 'Network Bytes Written', 'Network Sockets', 'Timers', 'Files', 'Poco Display List Used', 'Piu Command List Used'];
const XS = ['XS Slot Heap Used', 'XS Chunk Heap Used', 'XS Keys Used', 'XS Garbage Collection Count', 'XS Modules Loaded', 'XS Stack Used', 'XS Promises Settled'];
/** gInstrumentationNames per platform (modInstrumentation.c with modInstrumentation.h's #if). */
export const INSTRUMENT_NAMES_ESP32: readonly string[] = Object.freeze([...HEAD, 'SPI Flash Erases', 'Turns', 'System Free Memory', 'CPU 0', 'CPU 1', ...XS]);
export const INSTRUMENT_NAMES_PICO: readonly string[] = Object.freeze([...HEAD, 'Turns', 'System Free Memory', ...XS]);
export const INSTRUMENT_NAMES_DESKTOP: readonly string[] = Object.freeze([...HEAD, 'System Free Memory', ...XS]);

/** The names list of the current platform (index = the SDK's index). */
export function instrumentNames(): readonly string[] {
  return LISTS[platform()]!;
}

/** Value slots (one per name of the longest list, indexed by the current list). */
const SLOTS = 32;
/** Per-second counters the sample sets to 0 (espSampleInstrumentation / fxScreenSampleInstrumentation). */
const PER_SECOND: readonly string[] = Object.freeze(['Pixels Drawn', 'Frames Drawn', 'Poco Display List Used', 'Piu Command List Used', 'Network Bytes Read', 'Network Bytes Written', 'Turns', 'SPI Flash Erases']);
const LISTS: readonly (readonly string[])[] = Object.freeze([INSTRUMENT_NAMES_ESP32, INSTRUMENT_NAMES_PICO, INSTRUMENT_NAMES_DESKTOP]);
/** Indices per platform (ESP32, PICO, DESKTOP order), computed once: no string on the measured hooks. */
const SLOT_INDEX = Object.freeze(LISTS.map((l) => l.indexOf('XS Slot Heap Used')));
const CHUNK_INDEX = Object.freeze(LISTS.map((l) => l.indexOf('XS Chunk Heap Used')));
const GC_INDEX = Object.freeze(LISTS.map((l) => l.indexOf('XS Garbage Collection Count')));
const STACK_INDEX = Object.freeze(LISTS.map((l) => l.indexOf('XS Stack Used')));
const PROMISES_INDEX = Object.freeze(LISTS.map((l) => l.indexOf('XS Promises Settled')));
/** Per platform: a 1 at the index of each per-second counter. */
const PER_SECOND_MASK = Object.freeze(LISTS.map((l) => Object.freeze(l.map((n) => (PER_SECOND.indexOf(n) >= 0 ? 1 : 0)))));

interface InstrumentationState {
  available: boolean;
  /** Index in the current list -> value (counters and the XS getters' machine fields). */
  readonly values: Float64Array;
  /** The machine's current stack depth, bytes (the peak's floor after a sample). */
  stack: number;
  collections: number;
  samples: number;
}

const state: InstrumentationState = { available: true, values: new Float64Array(SLOTS), stack: 0, collections: 0, samples: 0 };

function indexOf(name: string): number {
  return instrumentNames().indexOf(name);
}

function need(name: string): number {
  const i = indexOf(name);
  if (i <= 0) throw new RangeError(`instrumentation stand-in: no instrument "${name}" on ${platformName()}`);
  return i;
}

const Instrumentation = Object.freeze({
  map(name: InstrumentName): number | undefined {
    if (!state.available) return undefined;
    const i = indexOf(String(name));
    return i < 0 ? undefined : i;
  },
  get(what: number | undefined): number | undefined {
    if (!state.available) return undefined;
    const i = toInteger(what);
    if (i < 0 || i >= instrumentNames().length) return undefined;
    return state.values[i];
  },
  name(what: number | undefined): string | undefined {
    if (!state.available) return undefined;
    const i = toInteger(what);
    if (i < 0 || i >= instrumentNames().length) return undefined;
    return instrumentNames()[i];
  },
});

/** Test hook: sets one instrument's current value. */
export function setInstrument(name: InstrumentName, value: number): void {
  state.values[need(name)] = value;
}

/** Test hook: sets the instrument at `index` (from map()); allocation-free, for measured loops. */
export function setInstrumentAt(index: number, value: number): void {
  if (!(index >= 1 && index < instrumentNames().length)) throw new RangeError(`instrumentation stand-in: no instrument at index ${index}`);
  state.values[index] = value;
}

/** Test hook: the machine allocated: slot and chunk use grow. Allocation-free. */
export function allocate(slotBytes: number, chunkBytes: number): void {
  const v = state.values;
  const p = platform();
  v[SLOT_INDEX[p]!] += slotBytes;
  v[CHUNK_INDEX[p]!] += chunkBytes;
}

/** Test hook: a garbage collection (fxCollectGarbage): use drops, the GC count goes up by one. Allocation-free. */
export function collectGarbage(freedSlotBytes: number, freedChunkBytes: number): void {
  const v = state.values;
  const p = platform();
  v[SLOT_INDEX[p]!] -= freedSlotBytes;
  v[CHUNK_INDEX[p]!] -= freedChunkBytes;
  v[GC_INDEX[p]!]++;
  state.collections++;
}

/** Test hook: the machine's current stack depth in bytes; the peak ("XS Stack Used") follows it up. */
export function setStackUsed(bytes: number): void {
  state.stack = bytes;
  const i = STACK_INDEX[platform()]!;
  if (bytes > state.values[i]!) state.values[i] = bytes;
}

/**
 * Test hook: the host's once-a-second sample (espSampleInstrumentation +
 * modInstrumentMachineReset; fxScreenSampleInstrumentation on the desktop):
 * the per-second counters and the GC count to 0, the stack peak to the
 * current depth, promises settled to 0. Slot and chunk use stay.
 */
export function sampleInstrumentation(): void {
  const v = state.values;
  const p = platform();
  const mask = PER_SECOND_MASK[p]!;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 1) v[i] = 0;
  v[GC_INDEX[p]!] = 0;
  v[STACK_INDEX[p]!] = state.stack;
  v[PROMISES_INDEX[p]!] = 0;
  state.samples++;
}

/** Test hook: collections and samples since resetInstrumentation(). */
export function instrumentationCounts(): { collections: number; samples: number } {
  return { collections: state.collections, samples: state.samples };
}

/** Test hook: false simulates a plain release build (no instruments). */
export function setInstrumentationAvailable(available: boolean): void {
  state.available = available;
}

/** Test hook: every value 0, instruments available. */
export function resetInstrumentation(): void {
  state.values.fill(0);
  state.available = true;
  state.stack = 0;
  state.collections = 0;
  state.samples = 0;
}

export default Instrumentation;

/**
 * test/support/moddable/instrumentation: stand-in for Moddable's
 * `instrumentation` module (modules/base/instrumentation). scripts/bundle.mjs
 * aliases `instrumentation` to this file for hosts/moddable and the boards.
 *
 * Kept from the API: `Instrumentation.map(name)` returns the index of a named
 * instrument (a number, 1-based here so that a 0 index is never valid), or
 * undefined when the build has no instrumentation or the name is unknown;
 * `Instrumentation.get(index)` returns the instrument's current value (a
 * number) or undefined; `Instrumentation.name(index)` the reverse of map.
 * Units as the SDK reports them: "XS Slot Heap Used" in BYTES (slots x slot
 * size), "XS Chunk Heap Used" in bytes, "XS Garbage Collection Count" per
 * sample (the host resets it to 0 after each sample).
 *
 * Test control:
 *   setInstrument(name, value)   sets an instrument's value (a number)
  setInstrumentAt(index, value)  the same by index (no string: measured loops)
 *   setInstrumentationAvailable(false)  a plain release build: map/get/name
 *                                return undefined
 *   resetInstrumentation()       all values 0, available (call in afterEach)
 *
 * Allocation: get() and the setters allocate nothing (a Float64Array read or
 * write). Module state: one value table, like the SDK's instrument array
 * (a test stand-in, never preloaded).
 */

/** The SDK's instrument names (index = position + 1). */
export const INSTRUMENT_NAMES = Object.freeze([
  'Pixels Drawn',
  'Frames Drawn',
  'Network Bytes Read',
  'Network Bytes Written',
  'Network Sockets',
  'Timers',
  'Files',
  'Poco Display List Used',
  'Piu Command List Used',
  'Turns',
  'CPU 0',
  'CPU 1',
  'System Free Memory',
  'XS Slot Heap Used',
  'XS Chunk Heap Used',
  'XS Keys Used',
  'XS Garbage Collection Count',
  'XS Modules Loaded',
  'XS Stack Used',
  'XS Promises Settled',
] as const);

export type InstrumentName = (typeof INSTRUMENT_NAMES)[number];

interface InstrumentationState {
  available: boolean;
  readonly values: Float64Array;
}

const state: InstrumentationState = { available: true, values: new Float64Array(INSTRUMENT_NAMES.length + 1) };

function indexOf(name: string): number {
  for (let i = 0; i < INSTRUMENT_NAMES.length; i++) if (INSTRUMENT_NAMES[i] === name) return i + 1;
  return 0;
}

const Instrumentation = Object.freeze({
  map(name: InstrumentName): number | undefined {
    if (!state.available) return undefined;
    const i = indexOf(name);
    return i === 0 ? undefined : i;
  },
  get(what: number | undefined): number | undefined {
    if (!state.available || what === undefined || !(what >= 1 && what <= INSTRUMENT_NAMES.length)) return undefined;
    return state.values[what];
  },
  name(what: number | undefined): string | undefined {
    if (!state.available || what === undefined || !(what >= 1 && what <= INSTRUMENT_NAMES.length)) return undefined;
    return INSTRUMENT_NAMES[what - 1];
  },
});

/** Test hook: sets one instrument's current value. */
export function setInstrument(name: InstrumentName, value: number): void {
  const i = indexOf(name);
  if (i === 0) throw new RangeError(`instrumentation stand-in: unknown instrument "${name}"`);
  state.values[i] = value;
}

/** Test hook: sets the instrument at `index` (from map()); allocation-free, for measured loops. */
export function setInstrumentAt(index: number, value: number): void {
  if (!(index >= 1 && index <= INSTRUMENT_NAMES.length)) throw new RangeError(`instrumentation stand-in: no instrument at index ${index}`);
  state.values[index] = value;
}

/** Test hook: false simulates a plain release build (no instruments). */
export function setInstrumentationAvailable(available: boolean): void {
  state.available = available;
}

/** Test hook: every value 0, instruments available. */
export function resetInstrumentation(): void {
  state.values.fill(0);
  state.available = true;
}

export default Instrumentation;

/**
 * test/support/moddable/builtin: what the ECMA-419 IO stand-ins (digital.ts,
 * serial.ts) share, after the SDK's common IO code, plus the platform the
 * stand-ins imitate.
 *
 * Follows (Moddable SDK 8.2.3):
 *   modules/io/common/builtinCommon.c  builtinArePinsFree / builtinUsePins /
 *     builtinFreePins: ONE pin table for every IO class (a pin a Serial uses
 *     cannot be opened as a Digital, and the reverse: Error "in use"); the
 *     pins available at boot: ESP32 SOC_GPIO_VALID_GPIO_MASK (GPIO 0..39
 *     except 24 and 28..31; ESP-IDF soc_caps.h), Pico 0x3FFFFFFF (GP0..GP29)
 *     in bank 0 and, on a Pico W, the CYW43 LED as bank 1 pin 0;
 *     builtinGetCallback: undefined/null = none, else must be callable
 *     (Error "not a function"); builtinInitializeFormat: a falsy `format`
 *     keeps the default, a known name its code, anything else "invalid";
 *     builtinSetFormat: an unknown name throws RangeError "unknown";
 *     builtinGetSignedInteger / builtinGetUnsignedInteger: undefined throws
 *     Error "invalid", a negative unsigned RangeError "negative".
 *   modules/io/common/builtinCommon.h  the format codes (kIOFormatNumber 1,
 *     kIOFormatBuffer 2, ...), `builtinIsPinFree(pin)` = bank pin >> 5,
 *     mask 1 << (pin & 31).
 *   xs/sources/xsAPI.c fxGetHostDataValidate: a method called on an IO object
 *     after close() (host data and hooks cleared) throws SyntaxError
 *     "C: xsGetHostData: invalid host data".
 * Errors: xsUnknownError throws an Error, xsRangeError a RangeError
 * (fxThrowMessage). A debug (mxDebug) build appends " (in <function>)" to the
 * message; the stand-ins give the release text, so match with a prefix.
 *
 * Platform: setPlatform('esp32' | 'pico' | 'desktop') picks pin masks, FIFO
 * sizes, port rules and instrument names in all stand-ins; 'esp32' is the
 * default and resetPlatform() goes back to it with every pin free. The IO
 * stand-ins refuse the 'desktop' platform (Keel's desktop build maps no
 * embedded:io module: hosts/moddable/desktop/*).
 *
 * Module state: the platform and the pin table (a test stand-in, never
 * preloaded). All helpers are boot-time (constructors); nothing here runs on
 * a measured path except the integer conversions.
 */

export const ESP32 = 0;
export const PICO = 1;
export const DESKTOP = 2;
export type PlatformName = 'esp32' | 'pico' | 'desktop';
const PLATFORM_NAMES: readonly PlatformName[] = Object.freeze(['esp32', 'pico', 'desktop'] as PlatformName[]);

/** ESP32 (ESP-IDF soc_caps.h): GPIO 0..39 valid except 24 and 28..31; bank 0 = 0..31, bank 1 = 32..39. */
const ESP32_VALID = [(0xffffffff & ~((1 << 24) | (1 << 28) | (1 << 29) | (1 << 30) | (1 << 31))) >>> 0, 0xff] as const;
/** ESP32: GPIO 34..39 are input only (SOC_GPIO_VALID_OUTPUT_GPIO_MASK). */
const ESP32_OUTPUT_BANK1 = 0x03;
/** Pico (builtinCommon.c): GP0..GP29 in bank 0; bank 1 (Pico W LED) only with CYW43. */
const PICO_VALID = [0x3fffffff, 0] as const;

interface BuiltinState {
  platform: number;
  /** gDigitalAvailable: bit set = pin free. Two banks. */
  readonly available: Uint32Array;
}

const state: BuiltinState = { platform: ESP32, available: new Uint32Array(2) };
resetPins();

/** Test hook: the platform every stand-in imitates from now on (frees every pin). */
export function setPlatform(name: PlatformName): void {
  const i = PLATFORM_NAMES.indexOf(name);
  if (i < 0) throw new RangeError(`moddable stand-ins: unknown platform "${String(name)}"; use esp32, pico or desktop`);
  state.platform = i;
  resetPins();
}

/** Test hook: back to 'esp32' with every pin free. */
export function resetPlatform(): void {
  setPlatform('esp32');
}

/** ESP32, PICO or DESKTOP. */
export function platform(): number {
  return state.platform;
}

export function platformName(): PlatformName {
  return PLATFORM_NAMES[state.platform]!;
}

/** Every pin free again (a reboot). */
export function resetPins(): void {
  const v = state.platform === PICO ? PICO_VALID : ESP32_VALID;
  state.available[0] = v[0];
  state.available[1] = state.platform === DESKTOP ? 0 : v[1];
}

/** builtinArePinsFree(bank, pins). */
export function arePinsFree(bank: number, pins: number): boolean {
  return bank >= 0 && bank < 2 && (pins >>> 0) === ((state.available[bank]! & pins) >>> 0);
}

/** builtinUsePins(bank, pins): false (nothing marked) when not all free. */
export function usePins(bank: number, pins: number): boolean {
  if (!arePinsFree(bank, pins)) return false;
  state.available[bank] = state.available[bank]! & ~pins;
  return true;
}

/** builtinFreePins(bank, pins). */
export function freePins(bank: number, pins: number): void {
  if (bank >= 0 && bank < 2) state.available[bank] = state.available[bank]! | pins;
}

/** builtinIsPinFree(pin). */
export function isPinFree(pin: number): boolean {
  return arePinsFree(pin >> 5, 1 << (pin & 0x1f));
}
export function usePin(pin: number): void {
  usePins(pin >> 5, 1 << (pin & 0x1f));
}
export function freePin(pin: number): void {
  freePins(pin >> 5, 1 << (pin & 0x1f));
}

/** ESP32 digitalbank.c: the bank's valid-pin mask (SOC_GPIO_VALID_GPIO_MASK half). */
export function esp32ValidMask(bank: number): number {
  return bank === 0 ? ESP32_VALID[0] : ESP32_VALID[1];
}
/** ESP32 digitalbank.c: the bank's output-capable mask (SOC_GPIO_VALID_OUTPUT_GPIO_MASK half). */
export function esp32OutputMask(bank: number): number {
  return bank === 0 ? ESP32_VALID[0] : ESP32_OUTPUT_BANK1;
}

/** xsmcToInteger (fxToInteger): ToNumber, NaN -> 0, truncated to int32. */
export function toInteger(v: unknown): number {
  return Number(v) | 0;
}
/** xsmcToUnsigned. */
export function toUnsigned(v: unknown): number {
  return Number(v) >>> 0;
}

/** builtinGetSignedInteger. */
export function getSignedInteger(v: unknown): number {
  if (v === undefined) throw new Error('invalid');
  return toInteger(v);
}
/** builtinGetUnsignedInteger (builtinGetPin). */
export function getUnsignedInteger(v: unknown): number {
  if (v === undefined) throw new Error('invalid');
  const i = toInteger(v);
  if (i < 0) throw new RangeError('negative');
  return i >>> 0;
}

/** builtinGetCallback: the option as a function, or undefined (undefined / null). */
export function getCallback<F>(options: object, name: string): F | undefined {
  const f = (options as Record<string, unknown>)[name];
  if (f === undefined || f === null) return undefined;
  if (typeof f !== 'function') throw new Error('not a function');
  return f as F;
}

export const FORMAT_NUMBER = 1;
export const FORMAT_BUFFER = 2;
export const FORMAT_INVALID = 0xff;
/** builtinCommon.c gFormats (code = index + 1). */
const FORMATS: readonly string[] = Object.freeze([
  'number', 'buffer', 'string', 'socket/tcp', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64', 'buffer/disposable',
]);

/** builtinInitializeFormat(options, defaultFormat). */
export function initializeFormat(options: object, defaultFormat: number): number {
  if (!('format' in options)) return defaultFormat;
  const f = (options as Record<string, unknown>)['format'];
  if (!f) return defaultFormat;
  const i = FORMATS.indexOf(String(f));
  return i < 0 ? FORMAT_INVALID : i + 1;
}

/** builtinSetFormat: the code of `value`; RangeError "unknown" for any other name. */
export function setFormat(value: unknown): number {
  const i = FORMATS.indexOf(String(value));
  if (i < 0) throw new RangeError('unknown');
  return i + 1;
}

/** builtinGetFormat. */
export function formatName(format: number): string {
  if (format === 0 || format > FORMATS.length) throw new RangeError('bad format');
  return FORMATS[format - 1]!;
}

/** fxGetHostDataValidate on a closed IO object. */
export function invalidHostData(): never {
  throw new SyntaxError('C: xsGetHostData: invalid host data');
}

/** The IO stand-ins do not imitate the desktop (Keel's desktop build has no GPIO or UART). */
export function requireDevicePlatform(what: string): void {
  if (state.platform === DESKTOP) {
    throw new Error(`moddable stand-in: ${what} is not simulated for the desktop platform (Keel's desktop manifest maps no embedded:io module); setPlatform('esp32' | 'pico')`);
  }
}

/**
 * trace: a fixed-capacity binary trace ring any firmware can switch on: what
 * the kernel, state machines, pools, queues and streams did, as 40-byte
 * records of numbers, with a dictionary of names written once.
 *
 * (Changes against the draft spec in /work/briefs/trace-spec.md, kept
 * stable from here on: kinds 18 TIME_DISARM and 19 USER were added; `aux` is
 * -1 in a TRANSITION record of an internal transition; register() takes an
 * optional 4th argument, the owner's object id; a DISPATCH record is written
 * by the kernel for the active object AND by the hsm for the machine.
 * Later, additive: TraceOptions.machines ('compact' default: one record per
 * transition, expanded by tools/trace/expand.ts; 'full'); flags per kind
 * (TRACE_FLAG_*: IMPLIED/HISTORY on machine records, the sending AO on the
 * kernel's POST/REFUSE); register()'s 5th argument { capacity, onFilter };
 * TraceObject.definition and .capacity; write() (the hot hooks' entry).)
 *
 * Turning it on: make one Trace at boot and pass it as the `trace` option
 * of what should report into it (KernelOptions, HsmOptions, BlockPoolOptions,
 * PoolSetOptions, EventQueueOptions, StreamOptions, BlockStreamOptions). The
 * kernel passes its trace on to the machines it spawns (spawnMachine). Each
 * object registers itself once, at construction (`register()`: a name, a
 * type, for machines the HsmDefinition), and gets an object id 1..65534 that
 * its records carry. The hot paths (kernel post and run loop, hsm dispatch,
 * pool claim/release) pay nothing without a trace or while their kinds are
 * filtered out: the register()'s onFilter hook swaps their traced forms in
 * as own properties while some kind passes, and out when none does. Other
 * hooks (refusals, drops, time events) pay one predictable branch
 * (`this.trace !== null`) when off.
 *
 *   const trace = new Trace({ capacity: 256, clock: () => host.now() });
 *   const kernel = new Kernel({ host, trace });
 *   const m = kernel.spawnMachine(def, { priority: 1, queueCapacity: 8 }); // registered, traced
 *   ... in idle time: n = trace.take(buf) (records, oldest first) -> frames
 *
 * Record layout (little-endian on every supported target; one ArrayBuffer,
 * `words` (Int32Array) and `params` (Float64Array) over it; record k of the
 * ring is words[10k .. 10k+9], params[5k+3], params[5k+4]):
 *
 * | word | field                                                                 |
 * |------|-----------------------------------------------------------------------|
 * | 0    | seq: u32 sequence number (wraps): +1 per record that passed the filters |
 * | 1    | time: u32 ms from the clock (wraps; compare by difference)            |
 * | 2    | kind (bits 0..7) | flags (bits 8..15, per kind: TRACE_FLAG_*) | objectId (bits 16..31) |
 * | 3    | signal (bits 0..15, 0xFFFF none) | state (bits 16..31, 0xFFFF none)   |
 * | 4    | aux: int32 (see the kinds table)                                      |
 * | 5    | reserved, 0                                                           |
 * | 6..7 | p0: float64                                                           |
 * | 8..9 | p1: float64                                                           |
 *
 * Kinds (state/aux/p0/p1 per kind; signal is the event's unless said):
 *
 * | code | kind            | by                 | state           | aux                       | p0, p1          |
 * |------|-----------------|--------------------|-----------------|---------------------------|-----------------|
 * | 1    | DISPATCH        | kernel AO, hsm     | hsm: leaf       | kernel: queue length left | event p0, p1    |
 * | 2    | ENTRY           | hsm                | entered state   | -                         | -               |
 * | 3    | EXIT            | hsm                | exited state    | -                         | -               |
 * | 4    | TRANSITION      | hsm                | source state    | target (-1: internal)     | event p0, p1    |
 * | 5    | INIT            | hsm                | composite       | initial target            | -               |
 * | 6    | POST            | kernel AO          | -               | queue length after        | event p0, p1    |
 * | 7    | REFUSE          | kernel AO, hsm, queue | -            | queue length              | event p0, p1    |
 * | 8    | DROP            | queue (drop-oldest, clear), hsm defer ring | - | records dropped   | -               |
 * | 9    | TIME_ARM        | kernel (AO)        | -               | time event id             | delay, period   |
 * | 10   | TIME_EXPIRE     | kernel (AO)        | -               | time event id             | due, generation |
 * | 11   | TIME_STALE      | kernel (AO)        | -               | time event id             | generation, 0   |
 * | 12   | POOL_CLAIM      | pool               | -               | handle                    | used after, 0   |
 * | 13   | POOL_RELEASE    | pool               | -               | handle                    | refs left, used |
 * | 14   | POOL_CLAIM_FAIL | pool               | -               | capacity                  | failures, 0     |
 * | 15   | STREAM_REFUSE   | stream             | -               | items refused             | length, closed (1/0) |
 * | 16   | DEFER           | hsm                | leaf            | deferred count after      | event p0, p1    |
 * | 17   | RECALL          | hsm                | -               | deferred count after      | event p0, p1    |
 * | 18   | TIME_DISARM     | kernel (AO)        | -               | time event id             | was armed (1/0), 0 |
 * | 19   | USER            | rec() from user code | any           | any                       | any             |
 *
 * Object types: 'kernel', 'ao' (one per kernel slot, owner: the kernel),
 * 'hsm' (owner: its AO under the kernel, else 0), 'pool', 'queue',
 * 'stream', 'user'. Id 0 is "no object" (user records may use it).
 *
 * Machines (option `machines`): 'compact' (default) writes one DISPATCH
 * record per transition (flag IMPLIED, aux = the transition's index) and
 * leaves TRANSITION/EXIT/ENTRY/INIT to the decoder, which expands them from
 * the dictionary; 'full' writes one record per step as it happens.
 *
 * Filters, changeable at any time (one Int32Array word per object id: the
 * kind mask AND-ed with the object's enable bit, read by the hooks before
 * they write): setKinds(mask) / enableKind(kind, on), enableObject(id, on),
 * enableType(type, on). A filtered-out record costs a traced hook an indexed
 * read and a mask test; no sequence number is used (filtering is not loss).
 * An object none of whose kinds pass runs its untraced methods (onFilter).
 *
 * Overflow, counted, never silent (option `mode`):
 *   'ring' (default): a full ring overwrites its oldest record; counted in
 *          `dropped` (derived: record n goes to slot n mod capacity, so
 *          a write tests nothing). The newest `capacity` records are kept.
 *   'stop': a full ring refuses the new record; counted in `refused`. The
 *          oldest records are kept until the host takes them.
 * Either way the lost record's sequence number is used, so a reader sees a
 * gap in `seq` where records were lost (`lost` = dropped + refused).
 * Counters: refused = a record the full ring did not take ('stop'),
 * dropped = a record stored and overwritten before it was taken ('ring';
 * `overwritten` is its deprecated alias).
 *
 * Allocation: the constructor and register() allocate (boot). rec(), write(),
 * the hooks, the filters' setters (and the onFilter swaps they cause), length, the *At accessors, discard(), take()
 * and clear() allocate nothing, the first call included (XS tests:
 * test/trace/trace-alloc.test.ts). The clock must not allocate either (a closure
 * made once that returns a number: the kernel's host.now() fits).
 *
 * Contexts (one VM thread; an IO callback never preempts a handler on XS):
 * | method                                  | IO callback | in a handler | other worker/core |
 * |-----------------------------------------|-------------|--------------|-------------------|
 * | rec, hooks (post, dispatch, claim, ...) | yes         | yes          | no (a SharedEventQueue producer is not traced) |
 * | setKinds, enableKind/Object/Type        | yes         | yes          | no                |
 * | length, *At, discard, take, clear       | yes         | yes          | no                |
 * | register                                | boot/config | yes (not hot)| no                |
 *
 * Lifecycle:
 *
 *   new Trace({ clock, capacity, mode }) --> EMPTY (registry empty)
 *   boot: new Kernel({ trace }), new BlockPool({ trace }), ... --register()--> objects 1..n
 *   hooks --rec()--> ring: EMPTY -> HOLDING -> FULL
 *   FULL --rec(), 'ring'--> oldest overwritten (dropped++)    FULL --rec(), 'stop'--> refused++
 *   host idle: take(buf) / *At(k) + discard(n) --> records leave oldest first
 *   dictionary(): names, types, owners, state/signal names (allocates: tools, once)
 *
 * Limits: capacity 1..65536 records (40 bytes each); maxObjects 1..65534
 * object ids; kinds 1..31; signal and state are stored in 16 bits (0xFFFF
 * means none; a larger value is stored modulo 2^16); time is the clock's
 * value modulo 2^32; seq wraps at 2^32.
 *
 * Release builds: every option, register() and filter argument is checked
 * in every build (TraceConfigError, TraceUsageError with a code); the
 * accessors check their index in every build. rec()'s numbers are not
 * checked (hot path): a non-number is stored as its int32/float64 conversion.
 *
 * Measured cost: docs/trace.md "Measured cost" (bench/trace.bench.ts).
 */
import { KeelError } from './errors.js';
import type { HsmDefinition } from './hsm.js';
import { ownMethods } from './internal/own-methods.js';

// ---- layout ------------------------------------------------------------------

/** Int32 words per record. */
export const TRACE_RECORD_WORDS = 10;
/** Bytes per record. */
export const TRACE_RECORD_BYTES = 40;
/** Float64 index of p0 within a record's 5 float64 slots (p1 is +1). */
export const TRACE_P0_SLOT = 3;
/** The 16-bit "none" value of the signal and state fields. */
export const TRACE_NONE = 0xffff;
/** Most records in one ring. */
export const TRACE_MAX_CAPACITY = 65536;
/** Largest object id. */
export const TRACE_MAX_OBJECT_ID = 65534;

// ---- kinds (never renumbered) --------------------------------------------------

export const TRACE_DISPATCH = 1;
export const TRACE_ENTRY = 2;
export const TRACE_EXIT = 3;
export const TRACE_TRANSITION = 4;
export const TRACE_INIT = 5;
export const TRACE_POST = 6;
export const TRACE_REFUSE = 7;
export const TRACE_DROP = 8;
export const TRACE_TIME_ARM = 9;
export const TRACE_TIME_EXPIRE = 10;
export const TRACE_TIME_STALE = 11;
export const TRACE_POOL_CLAIM = 12;
export const TRACE_POOL_RELEASE = 13;
export const TRACE_POOL_CLAIM_FAIL = 14;
export const TRACE_STREAM_REFUSE = 15;
export const TRACE_DEFER = 16;
export const TRACE_RECALL = 17;
export const TRACE_TIME_DISARM = 18;
export const TRACE_USER = 19;
/** Largest kind code in use. */
export const TRACE_MAX_KIND = 19;

/** Kind names by code (index 0 is ''), for tools. */
export const TRACE_KIND_NAMES: readonly string[] = Object.freeze([
  '',
  'DISPATCH',
  'ENTRY',
  'EXIT',
  'TRANSITION',
  'INIT',
  'POST',
  'REFUSE',
  'DROP',
  'TIME_ARM',
  'TIME_EXPIRE',
  'TIME_STALE',
  'POOL_CLAIM',
  'POOL_RELEASE',
  'POOL_CLAIM_FAIL',
  'STREAM_REFUSE',
  'DEFER',
  'RECALL',
  'TIME_DISARM',
  'USER',
]);

/** Every kind (bits 1..TRACE_MAX_KIND). */
export const TRACE_ALL_KINDS = ((1 << (TRACE_MAX_KIND + 1)) - 1) & ~1;

/** The kinds an hsm's dispatch writes: with none of them on, it runs its untraced dispatch. */
// prettier-ignore
export const TRACE_HSM_KINDS = (1 << TRACE_DISPATCH) | (1 << TRACE_ENTRY) | (1 << TRACE_EXIT) | (1 << TRACE_TRANSITION) | (1 << TRACE_INIT) | (1 << TRACE_DEFER) | (1 << TRACE_DROP);

/** The kinds one step of a machine's dispatch writes in 'full' mode; a 'compact' machine writes its one DISPATCH record when any of them passes. */
// prettier-ignore
export const TRACE_HSM_STEP_KINDS = (1 << TRACE_DISPATCH) | (1 << TRACE_ENTRY) | (1 << TRACE_EXIT) | (1 << TRACE_TRANSITION) | (1 << TRACE_INIT);

// ---- flags (bits 8..15 of word 2; flagsAt() returns them as 0..255; meaning per kind) ----

/**
 * DISPATCH of a 'compact' machine: aux is the index of the transition taken
 * (HsmDefinition order, as in the dictionary); the TRANSITION, EXIT, ENTRY
 * and INIT records it implies are left to the decoder. INIT with this flag:
 * the drill-down from `state` (start(), or a history entry) is implied.
 */
export const TRACE_FLAG_IMPLIED = 0x01;
/** INIT of a 'compact' machine (with TRACE_FLAG_IMPLIED): a history entry into `state`; aux = the state resumed (entered down to, then drilled), -1 when none was recorded (drill from `state`). */
export const TRACE_FLAG_HISTORY = 0x02;
/**
 * POST and REFUSE by the kernel: flags = the slot + 1 of the AO whose
 * dispatch posted it (bits 0..5, 1..32), 0 when posted from outside a
 * dispatch (an IO callback, boot, the idle hook). The sender's object id is
 * the kernel's id + 1 + slot (its 'ao' objects are registered in slot order).
 */
export const TRACE_FLAG_SENDER_MASK = 0x3f;

/** The filter bit of a kind: `trace.setKinds(traceBit(TRACE_POST) | traceBit(TRACE_REFUSE))`. */
export function traceBit(kind: number): number {
  return 1 << kind;
}

/** What registered an object id. */
export type TraceObjectType = 'kernel' | 'ao' | 'hsm' | 'pool' | 'queue' | 'stream' | 'user';
const TYPES: readonly string[] = Object.freeze(['kernel', 'ao', 'hsm', 'pool', 'queue', 'stream', 'user']);

/** One registered object: the dictionary a host writes once. */
export interface TraceObject {
  readonly id: number;
  readonly type: TraceObjectType;
  readonly name: string;
  /** The id of the object it belongs to (an AO's kernel, a machine's AO), 0 for none. */
  readonly owner: number;
  /** Machines: the definition's state names by id (pre-order; 0 is 'top'); else empty. */
  readonly stateNames: readonly string[];
  /** Machines: the definition's signal names by value; else empty. */
  readonly signalNames: readonly string[];
  /** Machines: the HsmDefinition itself (parents, initial targets, transitions: what a host writes into the dictionary); else null. */
  readonly definition: HsmDefinition<any> | null;
  /** Queues, pools, streams, AOs: records or blocks it holds (its capacity); 0 when none was given. */
  readonly capacity: number;
}

/** The optional 5th argument of register(). */
export interface TraceRegisterOptions {
  /** Records or blocks the object holds (queue/AO queue capacity, pool blocks, stream capacity); 0 (default) for none. */
  capacity?: number;
  /**
   * Called (at registration and whenever a filter setter changes it) with the
   * object's filter word: the kind mask if the object is enabled, else 0. An
   * object uses it to swap in its traced methods only while some of its
   * kinds pass (a filtered-out object then pays nothing). Must not allocate.
   */
  onFilter?: (filter: number) => void;
}

export interface TraceOptions {
  /**
   * Milliseconds, any number (stored modulo 2^32); called once per record; must
   * not allocate. E.g. `() => host.now()`. Or `null`: records carry `trace.now`
   * instead, which every `Kernel.tick(now)` of a kernel given this trace sets
   * (and the host may set): no call per record, tick resolution.
   */
  clock: (() => number) | null;
  /** Records the ring holds, 1..TRACE_MAX_CAPACITY (default 256). */
  capacity?: number;
  /** Full ring: 'ring' overwrites the oldest (counted in `dropped`, default), 'stop' refuses the new one (counted in `refused`). */
  mode?: 'ring' | 'stop';
  /** Object ids register() may hand out, 1..TRACE_MAX_OBJECT_ID (default 64). */
  maxObjects?: number;
  /** The initial kind mask (default TRACE_ALL_KINDS). */
  kinds?: number;
  /** Used in error messages. Default 'trace'. */
  name?: string;
  /**
   * How machines record a transition. 'compact' (default): one DISPATCH
   * record with flag TRACE_FLAG_IMPLIED and aux = the transition's index in
   * the definition; the decoder (tools/trace) expands the TRANSITION, EXIT,
   * ENTRY and INIT records it implies from the dictionary (a history entry
   * adds one INIT record with TRACE_FLAG_HISTORY). 'full': one record per
   * step, written as it happens (interleaved with the records of actions).
   */
  machines?: 'compact' | 'full';
}

export type TraceConfigErrorCode = 'BAD_OPTION';
export type TraceUsageErrorCode =
  | 'BAD_OPTION'
  | 'REGISTRY_FULL'
  | 'BAD_TYPE'
  | 'BAD_NAME'
  | 'BAD_DEFINITION'
  | 'BAD_OWNER'
  | 'UNKNOWN_OBJECT'
  | 'BAD_KIND'
  | 'BAD_INDEX'
  | 'BAD_BUFFER';
/** The codes of both trace errors. */
export type TraceErrorCode = TraceConfigErrorCode | TraceUsageErrorCode;

/** Bad Trace options. */
export class TraceConfigError extends KeelError {
  override name = 'TraceConfigError';
  declare readonly code: TraceConfigErrorCode;
}

/** A Trace used wrongly: registry full, unknown object id, bad kind, index past the records held, ... */
export class TraceUsageError extends KeelError {
  override name = 'TraceUsageError';
  declare readonly code: TraceUsageErrorCode;
}

const EMPTY: readonly string[] = Object.freeze([]);

export class Trace {
  readonly name: string;
  /** Records the ring holds. */
  readonly capacity: number;
  readonly mode: 'ring' | 'stop';
  /** TraceOptions.machines: 'compact' or 'full'. */
  readonly machines: 'compact' | 'full';
  /** Object ids register() may hand out (1..maxObjects). */
  readonly maxObjects: number;
  /** The ring's bytes: capacity * 40. */
  readonly buffer: ArrayBuffer;
  /** Int32 view of the ring (record k at words[10k]). Read-only by contract. */
  readonly words: Int32Array;
  /** Float64 view of the ring (p0 of record k at params[5k + 3]). Read-only by contract. */
  readonly params: Float64Array;
  /**
   * @internal Per object id (0..maxObjects): the kind mask if the object is
   * enabled, else 0. Hooks test `(filter[id] & (1 << kind)) !== 0` before
   * calling put(). Written only by the filter setters.
   */
  readonly filter: Int32Array;
  /**
   * @internal Records that passed the filters since construction (kept,
   * overwritten or refused): record n's seq is n mod 2^32. The kernel's two
   * hottest hooks write a 'ring' record inline (see Kernel.postTraced).
   */
  total = 0;
  /** 'stop' mode: records written (total - refused). 'ring' mode writes every record: total is the count. */
  private wc = 0;
  /** Write index (0, 1, .. in writing order; slot = index mod capacity) of the oldest record not taken; older ones still in the ring were overwritten. */
  private first = 0;
  /** Records that left the ring by take(), discard() or clear(). */
  private removed = 0;

  /** @internal The clock (TraceOptions.clock), or null: records carry `now`. */
  readonly clock: (() => number) | null;
  /**
   * With `clock: null`, the time (ms) the next records carry: set by
   * `Kernel.tick(now)` of every kernel given this trace, or by the host.
   * Unused with a clock function.
   */
  now = 0;
  /** @internal mode === 'stop'. */
  readonly stop: boolean;
  private readonly enabled: Uint8Array;
  private readonly objects: TraceObject[] = [];
  /** Per object id: the hook register() was given (called with the object's filter word when it changes), or null. */
  private readonly watchers: (((filter: number) => void) | null)[] = [null];
  private kindMask: number;

  constructor(options: TraceOptions) {
    const o = options;
    const name = o !== null && typeof o === 'object' && typeof o.name === 'string' ? o.name : 'trace';
    const who = `Trace '${name}'`;
    if (o === null || typeof o !== 'object') throw new TraceConfigError(
      'BAD_OPTION',
      DEBUG
        ? `${who}: options must be an object with clock (() => ms) [BAD_OPTION]`
        : `${who} [BAD_OPTION]`,
    );
    if (typeof o.clock !== 'function' && o.clock !== null)
      throw new TraceConfigError(
        'BAD_OPTION',
        DEBUG
          ? `${who}: clock must be a function returning ms (e.g. () => host.now()), or null (records carry trace.now, set by Kernel.tick), got ${typeof o.clock} [BAD_OPTION]`
          : `${who} [BAD_OPTION]`,
      );
    const capacity = o.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > TRACE_MAX_CAPACITY)
      throw new TraceConfigError(
        'BAD_OPTION',
        DEBUG
          ? `${who}: capacity must be an integer 1..${TRACE_MAX_CAPACITY} records, got ${String(capacity)} [BAD_OPTION]`
          : `${who} [BAD_OPTION]`,
      );
    const mode = o.mode ?? 'ring';
    if (mode !== 'ring' && mode !== 'stop')
      throw new TraceConfigError(
        'BAD_OPTION',
        DEBUG
          ? `${who}: mode must be 'ring' (overwrite the oldest) or 'stop' (refuse the new), got ${String(mode)} [BAD_OPTION]`
          : `${who} [BAD_OPTION]`,
      );
    const maxObjects = o.maxObjects ?? 64;
    if (!Number.isInteger(maxObjects) || maxObjects < 1 || maxObjects > TRACE_MAX_OBJECT_ID)
      throw new TraceConfigError(
        'BAD_OPTION',
        DEBUG
          ? `${who}: maxObjects must be an integer 1..${TRACE_MAX_OBJECT_ID}, got ${String(maxObjects)} [BAD_OPTION]`
          : `${who} [BAD_OPTION]`,
      );
    const machines = o.machines ?? 'compact';
    if (machines !== 'compact' && machines !== 'full')
      throw new TraceConfigError(
        'BAD_OPTION',
        DEBUG
          ? `${who}: machines must be 'compact' (one record per transition) or 'full' (one per step), got ${String(machines)} [BAD_OPTION]`
          : `${who} [BAD_OPTION]`,
      );
    const kinds = o.kinds ?? TRACE_ALL_KINDS;
    if (!Number.isInteger(kinds)) throw new TraceConfigError(
      'BAD_OPTION',
      DEBUG
        ? `${who}: kinds must be a mask of traceBit(kind) bits, got ${String(kinds)} [BAD_OPTION]`
        : `${who} [BAD_OPTION]`,
    );
    this.name = name;
    this.capacity = capacity;
    this.mode = mode;
    this.stop = mode === 'stop';
    // A 'stop' ring's write tests for a full ring; a 'ring' ring's does not.
    if (this.stop) {
      ownMethods(this, ['write']);
      (this as unknown as { write: Trace['write'] }).write = this.writeStop;
    }
    this.machines = machines;
    this.maxObjects = maxObjects;
    this.clock = o.clock;
    this.buffer = new ArrayBuffer(capacity * TRACE_RECORD_BYTES);
    this.words = new Int32Array(this.buffer);
    this.params = new Float64Array(this.buffer);
    this.filter = new Int32Array(maxObjects + 1);
    this.enabled = new Uint8Array(maxObjects + 1);
    this.kindMask = kinds | 0;
    // Id 0 ("no object", user records) is enabled.
    this.enabled[0] = 1;
    this.filter[0] = this.kindMask;
  }

  // ---- registry (boot) ---------------------------------------------------------

  /**
   * Registers an object (boot/config time; allocates) and returns its id,
   * 1..maxObjects, enabled. `definition`: a machine's HsmDefinition (its
   * stateNames/signalNames go into the dictionary). `owner`: the id of the
   * object it belongs to (a machine's AO), 0 for none.
   */
  register(type: TraceObjectType, name: string, definition?: HsmDefinition<any>, owner = 0, options?: TraceRegisterOptions): number {
    const who = `Trace '${this.name}'.register`;
    if (TYPES.indexOf(type) < 0) throw new TraceUsageError(
      'BAD_TYPE',
      DEBUG
        ? `${who}(${String(type)}, ..): type must be one of ${TYPES.join(', ')} [BAD_TYPE]`
        : `Trace '${this.name}' [BAD_TYPE]`,
    );
    if (typeof name !== 'string') throw new TraceUsageError(
      'BAD_NAME',
      DEBUG
        ? `${who}('${type}', ${typeof name}): the name must be a string [BAD_NAME]`
        : `Trace '${this.name}' [BAD_NAME]`,
    );
    if (definition !== undefined && (definition === null || typeof definition !== 'object' || !Array.isArray(definition.stateNames)))
      throw new TraceUsageError(
        'BAD_DEFINITION',
        DEBUG
          ? `${who}('${type}', '${name}', ..): definition must be an HsmDefinition from defineHsm() [BAD_DEFINITION]`
          : `Trace '${this.name}' [BAD_DEFINITION]`,
      );
    if (!Number.isInteger(owner) || owner < 0 || owner > this.objects.length)
      throw new TraceUsageError(
        'BAD_OWNER',
        DEBUG
          ? `${who}('${type}', '${name}', .., ${String(owner)}): owner must be 0 or a registered id (1..${this.objects.length}) [BAD_OWNER]`
          : `Trace '${this.name}' [BAD_OWNER]`,
      );
    const capacity = options === undefined || options.capacity === undefined ? 0 : options.capacity;
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new TraceUsageError(
        'BAD_OPTION',
        DEBUG
          ? `${who}('${type}', '${name}', ..): capacity must be an integer >= 0, got ${String(capacity)} [BAD_OPTION]`
          : `Trace '${this.name}' [BAD_OPTION]`,
      );
    const onFilter = options === undefined || options.onFilter === undefined ? null : options.onFilter;
    if (onFilter !== null && typeof onFilter !== 'function')
      throw new TraceUsageError(
        'BAD_OPTION',
        DEBUG
          ? `${who}('${type}', '${name}', ..): onFilter must be a function (filter) => void [BAD_OPTION]`
          : `Trace '${this.name}' [BAD_OPTION]`,
      );
    const id = this.objects.length + 1;
    if (id > this.maxObjects)
      throw new TraceUsageError(
        'REGISTRY_FULL',
        DEBUG
          ? `${who}('${type}', '${name}'): all ${this.maxObjects} object ids are taken; raise the trace's maxObjects option (at most ${TRACE_MAX_OBJECT_ID}) [REGISTRY_FULL]`
          : `Trace '${this.name}' [REGISTRY_FULL]`,
      );
    this.objects.push(
      Object.freeze({
        id,
        type,
        name,
        owner,
        stateNames: definition === undefined ? EMPTY : definition.stateNames,
        signalNames: definition === undefined ? EMPTY : definition.signalNames,
        definition: definition === undefined ? null : definition,
        capacity,
      }),
    );
    this.watchers.push(onFilter);
    this.enabled[id] = 1;
    this.filter[id] = this.kindMask;
    if (onFilter !== null) onFilter(this.kindMask);
    return id;
  }

  /** Objects registered so far. */
  get objectCount(): number {
    return this.objects.length;
  }

  /** The registered object with id `id` (1..objectCount). */
  object(id: number): TraceObject {
    if (!this.isId(id)) this.unknownId(id, 'object');
    return this.objects[id - 1]!;
  }

  /** Every registered object, by id (a copy; allocates: tools). */
  dictionary(): TraceObject[] {
    return this.objects.slice();
  }

  // ---- filters (any time) --------------------------------------------------------

  /** The kind mask (bit `1 << kind` per kind). */
  get kinds(): number {
    return this.kindMask;
  }

  /** Sets the kind mask (TRACE_ALL_KINDS, 0, or traceBit(kind) | ...). */
  setKinds(mask: number): void {
    if ((mask | 0) !== mask) throw new TraceUsageError(
      'BAD_KIND',
      DEBUG
        ? `Trace '${this.name}'.setKinds(${String(mask)}): pass an int32 mask of traceBit(kind) bits [BAD_KIND]`
        : `Trace '${this.name}' [BAD_KIND]`,
    );
    this.kindMask = mask;
    this.refilter();
  }

  /** Turns one kind on or off. */
  enableKind(kind: number, on: boolean): void {
    if (!(kind >= 1 && kind <= 31) || (kind | 0) !== kind)
      throw new TraceUsageError(
        'BAD_KIND',
        DEBUG
          ? `Trace '${this.name}'.enableKind(${String(kind)}): a kind is an integer 1..31 (TRACE_DISPATCH..) [BAD_KIND]`
          : `Trace '${this.name}' [BAD_KIND]`,
      );
    this.kindMask = on ? this.kindMask | (1 << kind) : this.kindMask & ~(1 << kind);
    this.refilter();
  }

  /** Turns the records of one object (id from register(), or 0 for "no object") on or off. */
  enableObject(id: number, on: boolean): void {
    if (id !== 0) if (!this.isId(id)) this.unknownId(id, 'enableObject');
    this.enabled[id] = on ? 1 : 0;
    this.setFilter(id, on ? this.kindMask : 0);
  }

  /** True when object `id`'s records pass the object filter. */
  objectEnabled(id: number): boolean {
    if (id !== 0) if (!this.isId(id)) this.unknownId(id, 'objectEnabled');
    return this.enabled[id] === 1;
  }

  /** Turns every registered object of `type` on or off (e.g. all machines). */
  enableType(type: TraceObjectType, on: boolean): void {
    if (TYPES.indexOf(type) < 0) throw new TraceUsageError(
      'BAD_TYPE',
      DEBUG
        ? `Trace '${this.name}'.enableType(${String(type)}): type must be one of ${TYPES.join(', ')} [BAD_TYPE]`
        : `Trace '${this.name}' [BAD_TYPE]`,
    );
    for (let i = 0; i < this.objects.length; i++) if (this.objects[i]!.type === type) this.enableObject(i + 1, on);
  }

  private refilter(): void {
    const m = this.kindMask;
    const n = this.objects.length;
    for (let i = 0; i <= n; i++) this.setFilter(i, this.enabled[i] === 1 ? m : 0);
  }

  /** Sets object `id`'s filter word and tells its onFilter hook when it changed. */
  private setFilter(id: number, word: number): void {
    if (this.filter[id] === word) return;
    this.filter[id] = word;
    const f = this.watchers[id];
    if (f !== undefined && f !== null) f(word);
  }

  // ---- recording (hot path) -------------------------------------------------------

  /**
   * Records one event if object `obj`'s filter lets `kind` through. Returns
   * true when it passed the filter (stored, or lost to overflow and counted).
   * For user records (TRACE_USER, object 0 or an id registered as 'user').
   * Allocates nothing.
   */
  rec(kind: number, obj: number, sig: number, state: number, aux: number, p0: number, p1: number): boolean {
    if ((this.filter[obj]! & (1 << kind)) === 0) return false;
    this.write(kind | (obj << 16), (sig & 0xffff) | (state << 16), aux, p0, p1);
    return true;
  }

  /**
   * @internal The hooks' entry, after their own filter test: writes the
   * record (or counts it lost). Numbers only; allocates nothing.
   */
  put(kind: number, obj: number, sig: number, state: number, aux: number, p0: number, p1: number): void {
    this.write(kind | (obj << 16), (sig & 0xffff) | (state << 16), aux, p0, p1);
  }

  /**
   * @internal The hot hooks' entry, after their own filter test, with words
   * 2 and 3 already combined: `head` = kind | flags << 8 | objectId << 16,
   * `w3` = signal & 0xffff | state << 16 (word 3). Writes the record or
   * counts it lost. Numbers only; allocates nothing. The oldest record held
   * and the overwritten count are derived (tail - count; total - refused -
   * held - removed), so a full 'ring' costs no more than an empty one.
   */
  write(head: number, w3: number, aux: number, p0: number, p1: number): void {
    // 'ring' mode (a 'stop' ring has writeStop as its own `write`): record n
    // goes to slot n mod capacity; nothing tests for a full ring (the oldest
    // held and the overwritten count are derived when the host reads).
    const seq = this.total;
    this.total = seq + 1;
    const i = seq % this.capacity;
    const w = this.words;
    const b = i * 10;
    // An Int32Array store keeps seq modulo 2^32 (the u32 sequence number).
    w[b] = seq;
    const c = this.clock;
    w[b + 1] = c === null ? this.now : c();
    w[b + 2] = head;
    w[b + 3] = w3;
    w[b + 4] = aux;
    const pa = this.params;
    const f = i * 5 + 3;
    pa[f] = p0;
    pa[f + 1] = p1;
  }

  /** write() of a 'stop' ring (its own property `write`): refuses (counts) a record when `capacity` are held. */
  private writeStop(head: number, w3: number, aux: number, p0: number, p1: number): void {
    const seq = this.total;
    this.total = seq + 1;
    const n = this.wc;
    // Full: refused (refused = total - wc).
    if (n - this.first === this.capacity) return;
    this.wc = n + 1;
    const i = n % this.capacity;
    const w = this.words;
    const b = i * 10;
    w[b] = seq;
    const c = this.clock;
    w[b + 1] = c === null ? this.now : c();
    w[b + 2] = head;
    w[b + 3] = w3;
    w[b + 4] = aux;
    const pa = this.params;
    const f = i * 5 + 3;
    pa[f] = p0;
    pa[f + 1] = p1;
  }

  // ---- draining (host, idle time) ---------------------------------------------------

  /** Records written into the ring (write index of the next one). */
  private get writes(): number {
    return this.stop ? this.wc : this.total;
  }

  /** Write index of the oldest record held. */
  private get oldest(): number {
    const lo = this.writes - this.capacity;
    return this.first > lo ? this.first : lo;
  }

  /** Records held (not yet taken). */
  get length(): number {
    return this.writes - this.oldest;
  }

  /** 'ring' mode: records dropped (overwritten by newer ones) before they were taken. */
  get dropped(): number {
    return this.writes - this.removed - this.length;
  }

  /** @deprecated use `dropped`; removed after 0.2. */
  get overwritten(): number {
    return this.dropped;
  }

  /** 'stop' mode: records refused because the ring was full. */
  get refused(): number {
    return this.total - this.writes;
  }

  /** Records written into the ring since construction (kept or later overwritten). */
  get written(): number {
    return this.writes;
  }

  /** Records lost to overflow: dropped + refused (each left a gap in seq). */
  get lost(): number {
    return this.dropped + this.refused;
  }

  /** The sequence number the next record that passes the filters gets (u32). */
  get nextSequence(): number {
    return this.total % 4294967296;
  }

  /** Ring slot of the k-th oldest record held (0 = oldest). */
  private slot(k: number): number {
    if (!(k >= 0 && k < this.length) || (k | 0) !== k) this.badIndex(k);
    return (this.oldest + k) % this.capacity;
  }

  /** Sequence number (u32) of the k-th oldest record held. */
  seqAt(k: number): number {
    return this.words[this.slot(k) * 10]! >>> 0;
  }
  /** Time (u32 ms) of the k-th oldest record. */
  timeAt(k: number): number {
    return this.words[this.slot(k) * 10 + 1]! >>> 0;
  }
  /** Kind code of the k-th oldest record. */
  kindAt(k: number): number {
    return this.words[this.slot(k) * 10 + 2]! & 0xff;
  }
  /** Flags (bits 8..15 of word 2) of the k-th oldest record. */
  flagsAt(k: number): number {
    return (this.words[this.slot(k) * 10 + 2]! >>> 8) & 0xff;
  }
  /** Object id of the k-th oldest record. */
  objectAt(k: number): number {
    return this.words[this.slot(k) * 10 + 2]! >>> 16;
  }
  /** Signal of the k-th oldest record, -1 for none. */
  signalAt(k: number): number {
    const s = this.words[this.slot(k) * 10 + 3]! & 0xffff;
    return s === TRACE_NONE ? -1 : s;
  }
  /** State of the k-th oldest record, -1 for none. */
  stateAt(k: number): number {
    const s = this.words[this.slot(k) * 10 + 3]! >>> 16;
    return s === TRACE_NONE ? -1 : s;
  }
  /** aux (int32) of the k-th oldest record. */
  auxAt(k: number): number {
    return this.words[this.slot(k) * 10 + 4]!;
  }
  /** p0 of the k-th oldest record. */
  p0At(k: number): number {
    return this.params[this.slot(k) * 5 + 3]!;
  }
  /** p1 of the k-th oldest record. */
  p1At(k: number): number {
    return this.params[this.slot(k) * 5 + 4]!;
  }

  /** Drops the `n` oldest records held (after reading them with the *At accessors); returns how many it dropped. */
  discard(n: number): number {
    if (!(n >= 0) || (n | 0) !== n) this.badIndex(n);
    const o = this.oldest;
    const held = this.writes - o;
    const d = n < held ? n : held;
    this.first = o + d;
    this.removed += d;
    return d;
  }

  /**
   * Takes the oldest records into `dst`, 10 int32 words each in the layout
   * above (a Float64Array over dst's buffer reads p0/p1 at 5k + 3, 5k + 4 when
   * dst.byteOffset is a multiple of 8), as many as fit
   * (floor(dst.length / 10)) and are held; returns how many. They leave the
   * ring. Allocates nothing.
   */
  take(dst: Int32Array): number {
    if (!(dst instanceof Int32Array))
      throw new TraceUsageError(
        'BAD_BUFFER',
        DEBUG
          ? `Trace '${this.name}'.take(): pass an Int32Array of 10 words per record [BAD_BUFFER]`
          : `Trace '${this.name}' [BAD_BUFFER]`,
      );
    const room = (dst.length / 10) | 0;
    const o = this.oldest;
    const held = this.writes - o;
    const n = room < held ? room : held;
    const w = this.words;
    const cap = this.capacity;
    let i = o % cap;
    for (let k = 0; k < n; k++) {
      const s = i * 10;
      const d = k * 10;
      for (let j = 0; j < 10; j++) dst[d + j] = w[s + j]!;
      i = i + 1 === cap ? 0 : i + 1;
    }
    this.first = o + n;
    this.removed += n;
    return n;
  }

  /** Drops every record held (not counted as lost: the host chose to); returns how many. */
  clear(): number {
    const n = this.length;
    this.first = this.writes;
    this.removed += n;
    return n;
  }

  /** True when `id` is a registered object id. (A string argument would be copied on every call on XS: the op name is passed only on failure.) */
  private isId(id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= this.objects.length;
  }

  private unknownId(id: number, op: string): never {
    throw new TraceUsageError(
      'UNKNOWN_OBJECT',
      DEBUG
        ? `Trace '${this.name}'.${op}(${String(id)}): not a registered object id; pass an id register() returned (1..${this.objects.length}) [UNKNOWN_OBJECT]`
        : `Trace '${this.name}' [UNKNOWN_OBJECT]`,
    );
  }

  private badIndex(k: unknown): never {
    throw new TraceUsageError(
      'BAD_INDEX',
      DEBUG
        ? `Trace '${this.name}': index ${String(k)} is not an integer 0..${this.length - 1} (records held: ${this.length}); read length first [BAD_INDEX]`
        : `Trace '${this.name}' [BAD_INDEX]`,
    );
  }
}

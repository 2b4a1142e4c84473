/**
 * active-machine: a state machine (src/hsm.ts) running as one of the kernel's
 * active objects (src/kernel.ts), made by one call:
 *
 *   const blinker = kernel.spawnMachine(blinkerDefinition, { priority: 5, queueCapacity: 8 });
 *   kernel.post(blinker.ao, S.PRESS);
 *
 * `kernel.spawnMachine(definition, options)` claims a slot, makes the AO's
 * queue, builds the `Hsm` with that queue (`post`/`recall` go to the AO) and
 * with the AO's port as its timer host (every `after`/`every` entry and named
 * timer of the definition gets its time event now, before the initial
 * transition, so initial states may arm), then starts the machine. It
 * returns this object: the AO id, the Hsm, its time event ids.
 *
 * What the adapter guarantees:
 * - Deferral end to end: the Hsm's defer queue has `deferCapacity` records
 *   (default 4 when a state defers, else 0); `dispatch()` returns the Hsm's result, so an event the
 *   machine deferred (HSM_DEFERRED, the kernel's BEHAVIOUR_DEFERRED) keeps its
 *   pool block referenced until it is recalled and handled; `recallAll()`
 *   lets the kernel's stop() release deferred blocks too.
 * - Time events: expiries carry (p0 = time event id, p1 = due time,
 *   p2 = generation). The kernel drops an expiry that was queued before its
 *   time event was disarmed or re-armed (counted in `kernel.staleExpiries`),
 *   so a state's `after`/`every` transitions never see a stale one and a
 *   zero-delay arm fires. Named timers: `hsm.arm(S.SIG, ms, period)`.
 * - Monitoring (optional): `monitor.logEvent(machine, sig, p0, p1)` before
 *   each dispatched event and `monitor.logState(machine, leaf)` after start
 *   and after every dispatch that changed the leaf: numbers only (names are
 *   looked up by tools in `definition.stateNames` / `signalNames`).
 *
 * Lifecycle:
 *
 *   kernel.spawnMachine(def, opts) --claim, queue, new Hsm (time events), start()--> RUNNING
 *   RUNNING --kernel step(): dispatch(sig, p0..p3) -> hsm.dispatch--> RUNNING
 *   RUNNING --kernel.stop(ao): recallAll, queued + deferred blocks released,
 *             time events destroyed--> slot FREE (this object is dead)
 *
 * Tracing: with the kernel's `trace` option, the machine gets the same
 * trace (HsmOptions.trace) and registers as an 'hsm' whose owner is this
 * AO's trace object (kernel.traceIdOf(ao)); see src/trace.ts.
 *
 * Allocation: spawnMachine and the constructor allocate (boot). `dispatch`,
 * `start`'s successors and `recallAll` allocate nothing: a method call, the
 * Hsm's dispatch and two number compares (XS test: test/active-machine/active-machine.test.ts).
 *
 * Contexts: `start`, `dispatch`, `recallAll` are called by the kernel only
 * (spawn, step/run, stop). Read `ao`, `hsm`, `timeEvents`, `changes` anywhere.
 *
 * Limits: those of the kernel (priority 1..32, queueCapacity 1..65536) and
 * of the Hsm (deferCapacity 0..65535, 0 only if no state defers).
 *
 * Release builds: spawnMachine's option checks (KernelConfigError), the
 * definition's checks (HsmDefinitionError) and the timer table's checks run
 * in every build, before anything is left behind; events reach the machine
 * through the kernel's post, which refuses a bad signal in every build (see
 * kernel.ts).
 */
import type { AoPort, Behaviour } from './kernel.js';
import { Hsm, HSM_DEFAULT_DEFER_CAPACITY, type HsmDefinition } from './hsm-runtime.js';

/** Receives what a running machine does (numbers only). ExampleIo-style loggers fit. */
export interface MachineMonitor {
  /** Machine `machine` is about to handle `sig` with parameters p0, p1. */
  logEvent(machine: number, sig: number, p0: number, p1: number): void;
  /** Machine `machine` is now in leaf state `state` (an id of definition.stateNames). */
  logState(machine: number, state: number): void;
}

/** How the machine is built (`new ActiveMachine` inside a behaviour of your own, or through spawnMachine). */
export interface MachineOptions<C> {
  /** The machine's defer queue (default: 4 when some state defers, else 0; 0 only if no state defers). */
  readonly deferCapacity?: number;
  /** Name in errors (default: the definition's name). */
  readonly name?: string;
  /** A context to use instead of the definition's `context()`. */
  readonly context?: C;
  /** Optional observer of events and leaf-state changes. */
  readonly monitor?: MachineMonitor;
  /** The machine number passed to the monitor (default: the AO id). */
  readonly machine?: number;
  /** false: dispatch() does not call monitor.logEvent (a caller that feeds the machine itself logs its own). Default true. */
  readonly logEvents?: boolean;
}

/** `kernel.spawnMachine` options: the AO's priority and queue, and how the machine is built. */
export interface SpawnMachineOptions<C> extends MachineOptions<C> {
  /** The AO's priority, 1 (lowest) to 32, unique per kernel. */
  readonly priority: number;
  /** The AO's queue capacity (records). */
  readonly queueCapacity: number;
}

/** A state machine as the behaviour of one active object. Made by `kernel.spawnMachine` (or by a behaviour that wraps it). */
export class ActiveMachine<C> implements Behaviour {
  /** The kernel's id of the active object (post, queueOf, dispatched, stop). */
  readonly ao: number;
  readonly hsm: Hsm<C>;
  /** The number the monitor receives. */
  readonly machine: number;
  /** Leaf-state changes reported to the monitor (0 without one). */
  changes = 0;
  private last = -1;
  private readonly monitor: MachineMonitor | null;
  private readonly logEvents: boolean;

  /** `port`: the AO's port (the kernel passes it to `create`). Builds the Hsm and creates its time events. */
  constructor(definition: HsmDefinition<C>, port: AoPort, options: MachineOptions<C>) {
    this.ao = port.id;
    this.machine = options.machine ?? port.id;
    this.monitor = options.monitor ?? null;
    this.logEvents = options.logEvents ?? true;
    this.hsm = new Hsm(definition, {
      name: options.name,
      context: options.context,
      queue: port,
      timers: port,
      deferCapacity: options.deferCapacity ?? (definition.tables.defers ? HSM_DEFAULT_DEFER_CAPACITY : 0),
      // The kernel's trace, if any: the machine registers as an 'hsm' owned by this AO.
      trace: port.kernel.trace ?? undefined,
      traceOwner: port.kernel.traceIdOf(port.id),
    });
  }

  /**
   * What the kernel dispatches to: the Hsm itself when there is no monitor
   * (no adapter call per event), else this object (it reports to the monitor).
   */
  get behaviour(): Behaviour {
    return this.monitor === null ? this.hsm : this;
  }

  /** The time event ids the machine owns (its `after`/`every` entries and named timers). */
  get timeEvents(): Int16Array {
    return this.hsm.timeEvents;
  }

  /** The machine's context. */
  get ctx(): C {
    return this.hsm.ctx;
  }

  /** Kernel: the initial transition (time events exist already). */
  start(): void {
    this.hsm.start();
    this.note();
  }

  /** Kernel: one event. Returns the Hsm's result (HSM_DEFERRED keeps a block event's reference). */
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): number {
    const m = this.monitor;
    if (m !== null && this.logEvents) m.logEvent(this.machine, sig, p0, p1);
    const r = this.hsm.dispatch(sig, p0, p1, p2, p3);
    if (m !== null) this.note();
    return r;
  }

  /** Kernel stop(): every deferred event back to the front of the queue (see Hsm.recallAll). */
  recallAll(): number {
    return this.hsm.recallAll();
  }

  /** Reports the current leaf to the monitor if it changed since the last report. */
  note(): void {
    const s = this.hsm.current;
    if (s === this.last) return;
    this.last = s;
    const m = this.monitor;
    if (m === null) return;
    this.changes++;
    m.logState(this.machine, s);
  }
}

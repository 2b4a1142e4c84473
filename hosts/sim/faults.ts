/**
 * sim/faults: seeded fault injection. Every fault is a scheduled event; when
 * it fires it is recorded in the trace (an INPUT record, so a replay repeats
 * it) and applied:
 *
 * | fault       | scenario call                               | when it fires                                         | records |
 * |-------------|---------------------------------------------|-------------------------------------------------------|---------|
 * | storm       | storm(pin, edges, atMs, windowMs)           | `edges` toggles of the pin at random times in (t, t+window], each an interrupt | REC_STORM, then REC_EDGE (cause 2) per edge |
 * | burst       | burst(target, sig, events, atMs)            | target.post(sig, i) for i = 0..events-1, at once      | REC_BURST, REC_BURST_RESULT(accepted, refused) |
 * | tick delay  | delayTick(atMs, maxDelayMs)                 | the next tick fires 1..maxDelay us late (random); grid ticks it passes are merged | REC_TICK_DELAY(delay us); REC_TICK b = merged |
 * | pool hold   | holdPool(pool, blocks, atMs, holdMs)        | claims up to `blocks` with tryClaim() until the pool's sentinel, holds them holdMs, then releases them | REC_POOL_HOLD(requested, claimed), later REC_POOL_RELEASE |
 *
 * Targets and pools are registered once at boot (`addTarget`, `addPool`)
 * and named by index, so events and traces carry only numbers.
 * The simulator's own events never grow the scheduler table: each delivered
 * event schedules at most one successor (a storm its first edge, an edge its
 * next one, a hold its release) into the entry it just freed. So the table
 * can only be full there when scenario code scheduled from inside a callback;
 * then the successor is refused: counted (`refused` here for storm starts
 * and holds, `inputs.refused` for edge series) and recorded as
 * REC_FAULT_REFUSED. A hold schedules its release before it claims, so no
 * block is ever held without its release scheduled.
 *
 * Allocation: the constructor allocates the held-block table (`maxHeld`
 * entries). The internal delivery methods allocate nothing. Scenario calls
 * throw named errors and allocate only when they throw.
 *
 *   holdPool() --fires--> HOLDING (blocks claimed) --holdMs--> released
 *   storm()    --fires--> series of `edges` toggles --each--> interrupt
 */
import type { SimCore } from './core.js';
import type { DigitalInputs } from './digital.js';
import type { Postable, PoolLike } from './driver.js';
import { SimConfigError } from './errors.js';
import { EV_BURST, EV_POOL_HOLD, EV_POOL_RELEASE, EV_STORM, EV_TICK_DELAY, msToUs } from './events.js';
import {
  CAUSE_STORM,
  REC_BURST,
  REC_BURST_RESULT,
  REC_FAULT_REFUSED,
  REC_POOL_HOLD,
  REC_POOL_RELEASE,
  REC_STORM,
  REC_TICK_DELAY,
} from './trace.js';

export class FaultInjector {
  readonly maxHeld: number;
  private readonly targets: Postable[] = [];
  private readonly pools: PoolLike[] = [];
  private readonly noBlock: number[] = [];
  private readonly heldHandle: Float64Array;
  private readonly heldPool: Int32Array;
  private readonly heldGroup: Int32Array;
  private holdSeq = 0;

  /** Faults fired, by kind. */
  storms = 0;
  bursts = 0;
  tickDelays = 0;
  holds = 0;
  /** Burst posts accepted / refused by their targets. */
  burstAccepted = 0;
  burstRefused = 0;
  /** Blocks held now, claimed in total, released in total. */
  blocksHeld = 0;
  blocksClaimed = 0;
  blocksReleased = 0;
  /** Claims stopped because the held-block table (maxHeld) was full. */
  heldTableFull = 0;
  /** Faults refused because the scheduler was full (storm starts and pool holds). */
  refused = 0;

  constructor(
    private readonly core: SimCore,
    private readonly inputs: DigitalInputs,
    maxHeld: number,
  ) {
    if (!Number.isInteger(maxHeld) || maxHeld < 0)
      throw new SimConfigError(
        'BAD_MAX_HELD',
        DEBUG
          ? `Simulator '${core.name}': maxHeldBlocks must be an integer >= 0 (got ${maxHeld}) [BAD_MAX_HELD]`
          : `Simulator '${core.name}' [BAD_MAX_HELD]`,
      );
    this.maxHeld = maxHeld;
    this.heldHandle = new Float64Array(maxHeld);
    this.heldPool = new Int32Array(maxHeld);
    this.heldGroup = new Int32Array(maxHeld).fill(-1);
  }

  /** Registers a burst target (boot); returns its index. */
  addTarget(target: Postable): number {
    this.targets.push(target);
    return this.targets.length - 1;
  }

  /** Registers a pool for holds (boot); `noBlock` is what its tryClaim() returns when empty (src/pool.ts: NO_BLOCK = 0). */
  addPool(pool: PoolLike, noBlock = 0): number {
    this.pools.push(pool);
    this.noBlock.push(noBlock);
    return this.pools.length - 1;
  }

  /** Targets registered. */
  get targetCount(): number {
    return this.targets.length;
  }
  /** Pools registered. */
  get poolCount(): number {
    return this.pools.length;
  }

  /** An interrupt storm: `edges` toggles of `pin` within `windowMs` from `atMs`. An even count leaves the pin at its level. */
  storm(pin: number, edges: number, atMs: number, windowMs: number): void {
    const core = this.core;
    core.checkIndex('input pin', pin, this.inputs.count, 'inputs');
    this.checkCount('storm edges', edges);
    core.checkDuration('storm windowMs', windowMs);
    core.scheduleAt(atMs, EV_STORM, pin, edges, msToUs(windowMs), 0, 'faults.storm()');
  }

  /** A burst: `events` posts of `sig` (p0 = 0..events-1) to target `target`, all at `atMs`. */
  burst(target: number, sig: number, events: number, atMs: number): void {
    const core = this.core;
    core.checkIndex('burst target', target, this.targets.length, 'addTarget() calls');
    this.checkCount('burst events', events);
    if (!Number.isInteger(sig))
      throw new SimConfigError(
        'BAD_SIGNAL',
        DEBUG
          ? `Simulator '${core.name}': burst signal must be an integer (got ${sig}) [BAD_SIGNAL]`
          : `Simulator '${core.name}' [BAD_SIGNAL]`,
      );
    core.scheduleAt(atMs, EV_BURST, target, sig, events, 0, 'faults.burst()');
  }

  /** A late tick: from `atMs`, the next tick fires a random 1 us..maxDelayMs late. */
  delayTick(atMs: number, maxDelayMs: number): void {
    const core = this.core;
    core.checkDuration('delayTick maxDelayMs', maxDelayMs);
    const maxUs = msToUs(maxDelayMs);
    if (maxUs < 1 || maxUs > 2147483647)
      throw new SimConfigError(
        'BAD_DELAY',
        DEBUG
          ? `Simulator '${core.name}': delayTick maxDelayMs must be in 0.001..2147483 (got ${maxDelayMs}) [BAD_DELAY]`
          : `Simulator '${core.name}' [BAD_DELAY]`,
      );
    core.scheduleAt(atMs, EV_TICK_DELAY, maxUs, 0, 0, 0, 'faults.delayTick()');
  }

  /** Pool exhaustion: at `atMs` claim up to `blocks` blocks from pool `pool`, hold them `holdMs`, release them. */
  holdPool(pool: number, blocks: number, atMs: number, holdMs: number): void {
    const core = this.core;
    core.checkIndex('pool', pool, this.pools.length, 'addPool() calls');
    this.checkCount('holdPool blocks', blocks);
    core.checkDuration('holdPool holdMs', holdMs);
    core.scheduleAt(atMs, EV_POOL_HOLD, pool, blocks, msToUs(holdMs), 0, 'faults.holdPool()');
  }

  // ---- simulator internals (allocation-free) ----------------------------------

  deliverStorm(pin: number, edges: number, windowUs: number): void {
    this.storms++;
    const core = this.core;
    core.record(REC_STORM, pin, edges, windowUs);
    if (!this.inputs.startSeries(pin, CAUSE_STORM, edges, core.clock.us + windowUs)) this.refused++;
  }

  deliverBurst(target: number, sig: number, events: number): void {
    this.bursts++;
    const core = this.core;
    core.record(REC_BURST, target, sig, events);
    const t = this.targets[target]!;
    let ok = 0;
    for (let i = 0; i < events; i++) if (t.post(sig, i)) ok++;
    this.burstAccepted += ok;
    this.burstRefused += events - ok;
    core.record(REC_BURST_RESULT, target, ok, events - ok);
  }

  deliverTickDelay(maxUs: number): void {
    this.tickDelays++;
    const core = this.core;
    const d = 1 + core.prng.below(maxUs);
    core.clock.delay(d);
    core.record(REC_TICK_DELAY, d, 0, 0);
  }

  /** Live hold: schedules the release first (refused when the scheduler is full), then claims. */
  deliverHold(pool: number, blocks: number, holdUs: number): void {
    const core = this.core;
    if (!core.scheduler.trySchedule(core.clock.us + holdUs, EV_POOL_RELEASE, pool, this.holdSeq, 0, 0)) {
      this.refused++;
      core.record(REC_FAULT_REFUSED, EV_POOL_HOLD, pool, blocks);
      return;
    }
    this.hold(pool, blocks);
  }

  /** Replay: a hold as recorded (its release is a record of its own). */
  replayHold(pool: number, blocks: number): void {
    this.hold(pool, blocks);
  }

  /** Releases every block of hold `group` (live or replay). */
  deliverRelease(pool: number, group: number): void {
    const p = this.pools[pool]!;
    let n = 0;
    const max = this.maxHeld;
    for (let i = 0; i < max; i++) {
      if (this.heldGroup[i] !== group) continue;
      this.heldGroup[i] = -1;
      p.release(this.heldHandle[i]!);
      n++;
    }
    this.blocksHeld -= n;
    this.blocksReleased += n;
    this.core.record(REC_POOL_RELEASE, pool, group, n);
  }

  private hold(pool: number, blocks: number): void {
    this.holds++;
    const group = this.holdSeq++;
    const p = this.pools[pool]!;
    const none = this.noBlock[pool]!;
    const max = this.maxHeld;
    let claimed = 0;
    let slot = 0;
    while (claimed < blocks) {
      while (slot < max && this.heldGroup[slot] !== -1) slot++;
      if (slot === max) {
        this.heldTableFull++;
        break;
      }
      const h = p.tryClaim();
      if (h === none) break;
      this.heldHandle[slot] = h;
      this.heldPool[slot] = pool;
      this.heldGroup[slot] = group;
      claimed++;
    }
    this.blocksHeld += claimed;
    this.blocksClaimed += claimed;
    this.core.record(REC_POOL_HOLD, pool, blocks, claimed);
  }

  private checkCount(what: string, n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > 2147483647)
      throw new SimConfigError(
        'BAD_COUNT',
        DEBUG
          ? `Simulator '${this.core.name}': ${what} must be an integer in 1..2147483647 (got ${n}) [BAD_COUNT]`
          : `Simulator '${this.core.name}' [BAD_COUNT]`,
      );
  }
}

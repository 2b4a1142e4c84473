/**
 * hosts/moddable/bringup: the board bring-up app, the default `keel/app`
 * table until the examples are wired in (see docs/moddable.md).
 *
 * It exercises every piece of the device host without the kernel: the tick
 * driver ticks it, the button's digital input posts into it, it drives the
 * LED, and on a crossCore board it checks the worker VM's heartbeat through a
 * SharedArrayBuffer. With the allocation probe's report, it is the smallest
 * program that shows a new board keeps 0 slots / 0 chunk bytes after boot.
 *
 * Behaviour: the LED follows the button (on while pressed); after IDLE_MS
 * without an edge it blinks every BLINK_MS. Its event latch holds one edge:
 * a second edge before the next tick is refused (and counted by the input).
 *
 * Allocation: boot() allocates the app (and the 8-byte SharedArrayBuffer with
 * its view on crossCore boards). post() and tick() allocate nothing.
 * Contexts: post() from the input's onReadable, tick() from the tick driver;
 * both on the main VM's task, never concurrently.
 */
import Time from 'time';
import type { AppInstance, AppTable, BoardConfig, DeviceApp, DeviceContext, LedWriter, Postable, Tickable } from 'keel/host/types';

/** The one signal this app accepts. */
export const SIG_BUTTON = 1;
export const BLINK_MS = 500;
export const IDLE_MS = 2000;

export class BringupApp implements Tickable, Postable {
  /** Edges accepted / refused by the one-slot latch; edges handled by tick(). */
  accepted = 0;
  refused = 0;
  handled = 0;
  /** Worker heartbeats read from shared memory (crossCore boards). */
  beats = 0;
  readonly buffer: SharedArrayBuffer | undefined;
  private readonly led: LedWriter;
  private readonly board: BoardConfig;
  private readonly words: Int32Array | undefined;
  private pending = 0;
  private level = 0;
  private lastEdgeMs = 0;
  private lastBlinkMs = 0;

  constructor(ctx: DeviceContext) {
    this.led = ctx.led;
    this.board = ctx.board;
    if (ctx.board.crossCore === 1) {
      this.buffer = new SharedArrayBuffer(8);
      this.words = new Int32Array(this.buffer, 0, 2);
    } else {
      this.buffer = undefined;
      this.words = undefined;
    }
  }

  post(sig: number, _pin = 0, level = 0, atMs = 0): boolean {
    if (sig !== SIG_BUTTON || this.pending === 1) {
      this.refused++;
      return false;
    }
    this.pending = 1;
    this.level = level;
    this.lastEdgeMs = atMs;
    this.accepted++;
    return true;
  }

  tick(nowMs: number): void {
    if (this.pending === 1) {
      this.pending = 0;
      this.handled++;
      this.led.write(this.level === this.board.buttonActiveLevel ? 1 : 0);
    } else if (Time.delta(this.lastEdgeMs, nowMs) >= IDLE_MS && Time.delta(this.lastBlinkMs, nowMs) >= BLINK_MS) {
      this.lastBlinkMs = nowMs;
      this.led.toggle();
    }
    if (this.words !== undefined) this.beats = Atomics.load(this.words, 0);
  }
}

export const bringup: DeviceApp = Object.freeze({
  name: 'bringup',
  boot(ctx: DeviceContext): AppInstance {
    const app = new BringupApp(ctx);
    return { tickable: app, events: app, buttonSignal: SIG_BUTTON, crossCoreBuffer: app.buffer };
  },
});

const table: AppTable = Object.freeze([bringup]);
export default table;

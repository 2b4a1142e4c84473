/**
 * hosts/moddable/desktop/digital-input: `keel/host/digital-input` for the
 * desktop simulator builds (mcconfig -p lin / mac / win).
 *
 * The desktop Moddable hosts have no GPIO: the SDK's modules/io/digital
 * manifest maps `embedded:io/digital` for device platforms only. This module
 * has the same API as ../digital-input.ts; start() arms nothing and no edge
 * ever arrives from hardware. `onEdge` is the same allocation-free path, so a
 * Timer-driven stimulus (or xsbug) can still feed the app. For simulated
 * peripherals with bounce, storms and replay, use hosts/sim instead.
 */
import type { Postable } from 'keel/host/types';
import type { DigitalInputOptions } from '../digital-input.js';

export class DigitalInputSource {
  readonly name: string;
  readonly pin: number;
  readonly pull: number;
  readonly signal: number;
  edges = 0;
  posted = 0;
  refused = 0;
  level = -1;
  private readonly target: Postable;

  constructor(options: DigitalInputOptions) {
    this.name = options.name;
    this.pin = options.pin;
    this.pull = options.pull;
    this.signal = options.signal;
    this.target = options.target;
  }

  get armed(): boolean {
    return false;
  }

  start(): void {}

  onEdge(level: number, nowMs: number): void {
    this.edges++;
    this.level = level;
    if (this.target.post(this.signal, this.pin, level, nowMs)) this.posted++;
    else this.refused++;
  }

  close(): void {}
}

/**
 * hosts/moddable/desktop/digital-output: `keel/host/digital-output` for the
 * desktop simulator builds. No GPIO on the desktop: the LED keeps its logical
 * state and counts writes (same API as ../digital-output.ts, allocation-free).
 */
import type { LedWriter } from 'keel/host/types';
import type { LedOutputOptions } from '../digital-output.js';

export class LedOutput implements LedWriter {
  readonly name: string;
  readonly pin: number;
  readonly activeLevel: number;
  on = 0;
  writes = 0;

  constructor(options: LedOutputOptions) {
    this.name = options.name;
    this.pin = options.pin;
    this.activeLevel = options.activeLevel;
  }

  start(): void {}

  write(on: number): void {
    this.on = on ? 1 : 0;
    this.writes++;
  }

  toggle(): void {
    this.write(this.on ^ 1);
  }

  close(): void {}
}

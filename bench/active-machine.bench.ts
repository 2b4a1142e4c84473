// A state machine as an active object: `kernel.spawnMachine` with timers in
// the spec (`after`, `every`; the kernel drops stale expiries) against the
// way the examples were wired before it: `kernel.spawn` + a hand-written
// adapter around `new Hsm`, a time event made with `kernel.timeEvent`,
// armed by `kernel.arm` in entry actions and guarded against stale expiries
// by hand (`fresh(due, dueAt)` by wrap-safe difference). Same machines, same
// events: per event, XS steps of the new API must not exceed the old.
import { defineBench } from './harness.js';
import { Kernel, type AoPort, type Behaviour } from '../src/kernel.js';
import { defineHsm, Hsm, type HsmDefinition } from '../src/hsm.js';

const PRESS = 1;
const TIMER = 2;

/** Before spawnMachine: the examples' adapter (logging hooks left out: neither side has a monitor). */
class HandAdapter<C> implements Behaviour {
  readonly hsm: Hsm<C>;
  constructor(definition: HsmDefinition<C>, port: AoPort) {
    this.hsm = new Hsm(definition, { queue: port, deferCapacity: 0 });
  }
  start(): void {
    this.hsm.start();
  }
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): void {
    this.hsm.dispatch(sig, p0, p1, p2, p3);
  }
}

function fresh(due: number, dueAt: number): boolean {
  return ((due - dueAt) | 0) >= 0;
}

interface Clocked {
  now: number;
}

/** A two-state machine that counts PRESS (internal transition). */
function pressDefinition() {
  return defineHsm({
    name: 'press',
    signals: { PRESS },
    context: () => ({ n: 0 }),
    initial: 'a',
    states: { a: { on: { PRESS: { action: (c) => { c.n++; } } } } },
  });
}

export default defineBench('active-machine', [
  {
    name: 'before: spawn + hand adapter, post + run',
    make() {
      const k = new Kernel();
      const def = pressDefinition();
      const ao = k.spawn({ create: (port) => new HandAdapter(def, port) }, 1, 8);
      return () => {
        k.post(ao, PRESS);
        k.run();
      };
    },
  },
  {
    name: 'spawnMachine, post + run',
    baseline: 'before: spawn + hand adapter, post + run',
    make() {
      const k = new Kernel();
      const m = k.spawnMachine(pressDefinition(), { priority: 1, queueCapacity: 8 });
      return () => {
        k.post(m.ao, PRESS);
        k.run();
      };
    },
  },
  {
    name: 'before: one-shot ping-pong, kernel.arm in entries + fresh guard (tick + run per expiry)',
    make() {
      const clock: Clocked = { now: 0 };
      const k = new Kernel({ host: { now: () => clock.now } });
      const slot = k.claim();
      const t = k.timeEvent(slot, TIMER);
      const arm = (c: { dueAt: number }): void => { c.dueAt = k.arm(t, 1); };
      const def = defineHsm({
        name: 'pingpong',
        signals: { TIMER },
        context: () => ({ dueAt: 0, n: 0 }),
        initial: 'a',
        states: {
          a: { entry: arm, on: { TIMER: { guard: (c, _id, due) => fresh(due, c.dueAt), target: 'b' } } },
          b: { entry: arm, on: { TIMER: { guard: (c, _id, due) => fresh(due, c.dueAt), target: 'a' } } },
        },
      });
      k.start(slot, { create: (port) => new HandAdapter(def, port) }, 1, 4);
      return () => {
        clock.now += 1;
        k.tick();
        k.run();
      };
    },
  },
  {
    name: 'spawnMachine, one-shot ping-pong with after (tick + run per expiry)',
    baseline: 'before: one-shot ping-pong, kernel.arm in entries + fresh guard (tick + run per expiry)',
    make() {
      const clock: Clocked = { now: 0 };
      const k = new Kernel({ host: { now: () => clock.now } });
      k.spawnMachine(
        defineHsm({
          name: 'pingpong',
          signals: { TIMER },
          context: () => ({ n: 0 }),
          initial: 'a',
          states: { a: { after: { 1: 'b' } }, b: { after: { 1: 'a' } } },
        }),
        { priority: 1, queueCapacity: 4 },
      );
      return () => {
        clock.now += 1;
        k.tick();
        k.run();
      };
    },
  },
  {
    name: 'before: periodic toggle, kernel.arm(period) in entry + fresh guard moving dueAt (tick + run per expiry)',
    make() {
      const clock: Clocked = { now: 0 };
      const k = new Kernel({ host: { now: () => clock.now } });
      const slot = k.claim();
      const t = k.timeEvent(slot, TIMER);
      const def = defineHsm({
        name: 'toggle',
        signals: { TIMER },
        context: () => ({ dueAt: 0, led: 0 }),
        initial: 'on',
        states: {
          on: {
            entry: (c) => { c.dueAt = k.arm(t, 1, 1); },
            on: { TIMER: { guard: (c, _id, due) => fresh(due, c.dueAt), action: (c, _id, due) => { c.dueAt = due; c.led ^= 1; } } },
          },
        },
      });
      k.start(slot, { create: (port) => new HandAdapter(def, port) }, 1, 4);
      return () => {
        clock.now += 1;
        k.tick();
        k.run();
      };
    },
  },
  {
    name: 'spawnMachine, periodic toggle with every (tick + run per expiry)',
    baseline: 'before: periodic toggle, kernel.arm(period) in entry + fresh guard moving dueAt (tick + run per expiry)',
    make() {
      const clock: Clocked = { now: 0 };
      const k = new Kernel({ host: { now: () => clock.now } });
      k.spawnMachine(
        defineHsm({
          name: 'toggle',
          signals: { TIMER },
          context: () => ({ led: 0 }),
          initial: 'on',
          states: { on: { every: { 1: { action: (c) => { c.led ^= 1; } } } } },
        }),
        { priority: 1, queueCapacity: 4 },
      );
      return () => {
        clock.now += 1;
        k.tick();
        k.run();
      };
    },
  },
]);

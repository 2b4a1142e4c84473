// Simulator host (hosts/sim): the cost the simulator adds per virtual
// millisecond around the firmware, and its two data structures against
// hand-written typed-array baselines.
import { defineBench } from './harness.js';
import { Simulator } from '../hosts/sim/simulator.js';
import { Scheduler } from '../hosts/sim/scheduler.js';
import { Trace, REC_TICK } from '../hosts/sim/trace.js';

/** A minimal firmware: counts ticks and runs. */
class Counter {
  ticks = 0;
  runs = 0;
  last = 0;
  tick(now: number): void {
    this.ticks++;
    this.last = now;
  }
  run(): number {
    this.runs++;
    return 0;
  }
}

export default defineBench('sim', [
  {
    name: 'direct tick(now)+run() per ms (baseline)',
    make() {
      const fw = new Counter();
      let now = 0;
      return () => {
        now += 1;
        fw.tick(now);
        fw.run();
      };
    },
  },
  {
    name: 'Simulator.runUntil(+1 ms): one tick step',
    baseline: 'direct tick(now)+run() per ms (baseline)',
    make() {
      const sim = new Simulator({ traceCapacity: 4096, traceMode: 'ring' });
      const fw = new Counter();
      sim.attach(fw, fw);
      return () => sim.runUntil(sim.now() + 1);
    },
  },
  {
    name: 'Simulator.step(): one tick step',
    baseline: 'direct tick(now)+run() per ms (baseline)',
    make() {
      const sim = new Simulator({ traceCapacity: 4096, traceMode: 'ring' });
      const fw = new Counter();
      sim.attach(fw, fw);
      return () => sim.step();
    },
  },
  {
    name: 'sorted insert + shift-pop on typed arrays, 64 pending (baseline)',
    make() {
      const cap = 128;
      const time = new Float64Array(cap);
      const val = new Float64Array(cap);
      let n = 0;
      const insert = (t: number, v: number): void => {
        let i = n++;
        while (i > 0 && time[i - 1]! > t) {
          time[i] = time[i - 1]!;
          val[i] = val[i - 1]!;
          i--;
        }
        time[i] = t;
        val[i] = v;
      };
      const pop = (): number => {
        const v = val[0]!;
        time.copyWithin(0, 1, n);
        val.copyWithin(0, 1, n);
        n--;
        return v;
      };
      let t = 0;
      for (let i = 0; i < 64; i++) insert((t += 7) % 1000, i);
      return () => {
        insert(t, t);
        t += 13;
        pop();
      };
    },
  },
  {
    name: 'Scheduler trySchedule+pop, 64 pending',
    baseline: 'sorted insert + shift-pop on typed arrays, 64 pending (baseline)',
    make() {
      const s = new Scheduler(128);
      let t = 0;
      for (let i = 0; i < 64; i++) s.trySchedule((t += 7) % 1000, 1, i, 0, 0, 0);
      return () => {
        s.trySchedule(t, 1, t, 0, 0, 0);
        t += 13;
        s.pop();
      };
    },
  },
  {
    name: 'five typed-array ring writes (baseline)',
    make() {
      const cap = 4096;
      const us = new Float64Array(cap);
      const k = new Uint8Array(cap);
      const a = new Int32Array(cap);
      const b = new Int32Array(cap);
      const c = new Int32Array(cap);
      let i = 0;
      return () => {
        const j = i++ % cap;
        us[j] = i;
        k[j] = 3;
        a[j] = i;
        b[j] = 0;
        c[j] = 0;
      };
    },
  },
  {
    name: 'Trace.record (ring)',
    baseline: 'five typed-array ring writes (baseline)',
    make() {
      const t = new Trace(4096, 'ring');
      let i = 0;
      return () => {
        i++;
        t.record(i, REC_TICK, i, 0, 0);
      };
    },
  },
]);

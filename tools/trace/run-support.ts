/**
 * tools/trace/run-support: what a trace capture of the example firmware
 * needs from the run (engine-neutral: used on Node by tools/trace/session.ts
 * and inside the XS engine host by `npm start -- --engine xs --trace`).
 */
import type { HsmDefinition } from '../../src/hsm.js';
import type { TraceObject } from '../../src/trace.js';
import type { SimFirmware } from '../../examples/sim.js';

/** Queue capacity of an AO's slot, the UART pool's block count; 0 otherwise (for the dictionary). */
export function capacityOf(run: SimFirmware): (o: TraceObject) => number {
  return (o) => {
    const k = run.fw.kernel;
    if (o.type === 'ao') {
      try {
        return k.queueOf(o.id - k.traceId - 1).capacity;
      } catch {
        return 0; // a slot with no active object
      }
    }
    if (o.type === 'pool' && run.fw.uart !== null && o.name === run.fw.uart.pool.name) return run.fw.uart.pool.capacity;
    return 0;
  };
}

/** The loaded examples' machine definitions. */
export function definitionsOf(run: SimFirmware): HsmDefinition<any>[] {
  return run.fw.definitions().filter((d): d is HsmDefinition<unknown> => d !== undefined);
}

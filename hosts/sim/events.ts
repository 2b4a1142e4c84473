/**
 * sim/events: the kinds of the simulator's scheduled events (Scheduler
 * entries). Internal to hosts/sim; the trace's record kinds are in trace.ts.
 *
 * | kind               | a      | b        | c          | d           |
 * |--------------------|--------|----------|------------|-------------|
 * | EV_EDGE            | pin    | level    | cause      | -           |
 * | EV_SERIES          | pin    | cause    | remaining  | window end us |
 * | EV_RX              | port   | byte     | -          | -           |
 * | EV_STORM           | pin    | edges    | window us  | -           |
 * | EV_BURST           | target | signal   | events     | -           |
 * | EV_TICK_DELAY      | max delay us | -  | -          | -           |
 * | EV_POOL_HOLD       | pool   | blocks   | hold us    | -           |
 * | EV_POOL_RELEASE    | pool   | hold #   | -          | -           |
 */
export const EV_EDGE = 1;
export const EV_SERIES = 2;
export const EV_RX = 3;
export const EV_STORM = 4;
export const EV_BURST = 5;
export const EV_TICK_DELAY = 6;
export const EV_POOL_HOLD = 7;
export const EV_POOL_RELEASE = 8;

/** Milliseconds (scenario units) to integer microseconds (clock units). */
export function msToUs(ms: number): number {
  return Math.round(ms * 1000);
}

// Test helper: instruments a machine spec so every entry, exit, initial
// transition and transition action appends to a trace (strings: tests only,
// not for allocation checks). `state:entry`, `state:exit`, `state:init`,
// `state:SIG` (the action of a transition declared in `state` on SIG),
// `state:after.500` / `state:every.slow` (the action of a timer's transition).
// `traced` is typed like defineHsm: targets are checked at compile time.
import {
  defineHsm,
  Hsm,
  type HsmCheckedSpec,
  type HsmDefinition,
  type HsmOptions,
  type HsmSignals,
  type HsmStates,
  type HsmTransitionSpec,
} from '../../src/hsm.js';

export interface Traced<C> {
  m: Hsm<C>;
  log: string[];
  /** Returns the trace since the last call and clears it. */
  take(): string[];
}

type AnySpec = Record<string, unknown>;

function instrumentState(name: string, st: AnySpec, log: string[]): AnySpec {
  const out: AnySpec = { ...st };
  const entry = st.entry as ((c: unknown, m: unknown) => void) | undefined;
  const exit = st.exit as ((c: unknown, m: unknown) => void) | undefined;
  out.entry = (c: unknown, m: unknown) => { log.push(name + ':entry'); if (entry) entry(c, m); };
  out.exit = (c: unknown, m: unknown) => { log.push(name + ':exit'); if (exit) exit(c, m); };
  if (st.initial !== undefined) {
    const init = typeof st.initial === 'string' ? { target: st.initial } : (st.initial as AnySpec);
    const act = init.action as ((c: unknown, m: unknown) => void) | undefined;
    out.initial = { target: init.target, action: (c: unknown, m: unknown) => { log.push(name + ':init'); if (act) act(c, m); } };
  }
  for (const key of ['on', 'after', 'every']) {
    if (st[key] === undefined) continue;
    const on: AnySpec = {};
    for (const [sig, v] of Object.entries(st[key] as AnySpec)) {
      const label = key === 'on' ? sig : key + '.' + sig;
      const list = (typeof v === 'string' ? [{ target: v }] : Array.isArray(v) ? v : [v]) as AnySpec[];
      on[sig] = list.map((tr) => {
        const act = tr.action as ((...a: unknown[]) => void) | undefined;
        return { ...tr, action: (c: unknown, p0: unknown, p1: unknown, p2: unknown, p3: unknown, m: unknown) => { log.push(name + ':' + label); if (act) act(c, p0, p1, p2, p3, m); } };
      });
    }
    out[key] = on;
  }
  if (st.states !== undefined) {
    const kids: AnySpec = {};
    for (const [k, v] of Object.entries(st.states as AnySpec)) kids[k] = instrumentState(k, v as AnySpec, log);
    out.states = kids;
  }
  return out;
}

/** Builds, instruments and starts a machine; the start-up trace is left in `log` (take() it). */
export function traced<
  C,
  const S extends HsmSignals,
  const DN extends string = never,
  const T extends HsmStates<C, S, string, DN> = HsmStates<C, S, string, DN>,
>(spec: HsmCheckedSpec<C, S, DN, T>, options: HsmOptions<C> = {}, start = true): Traced<C> {
  const log: string[] = [];
  const top = instrumentState('top', { initial: spec.initial, states: spec.states } as AnySpec, log);
  const def = defineHsm({ ...spec, initial: top.initial, states: top.states } as never) as HsmDefinition<C>;
  const m = new Hsm(def, options);
  if (start) m.start();
  return {
    m,
    log,
    take(): string[] {
      const t = log.slice();
      log.length = 0;
      return t;
    },
  };
}

export type { HsmTransitionSpec };

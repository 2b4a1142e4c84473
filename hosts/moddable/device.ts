/**
 * hosts/moddable/device: boots an application on a Moddable device and wires
 * the host pieces together. Called once by the `main` module.
 *
 *   startDevice({ board, apps, appName, CrossCoreLink })
 *     1. picks `appName` in the app table (`keel/app`), or throws listing the names
 *     2. opens the LED (LedOutput) and boots the app with { board, led }
 *     3. arms the button (DigitalInputSource) -> app.events.post(buttonSignal, pin, level, ticks)
 *     4. on a crossCore board with app.crossCoreBuffer: CrossCoreLink.start(buffer)
 *     5. starts the TickDriver over [app.tickable, probe] every board.tickMs
 *     6. opens the first allocation window (probe.snapshot()) = "after boot"
 *     7. every board.reportMs: probe.read(), trace the report, probe.snapshot()
 *   With options.trace (manifest config keelTrace "text" | "serial"; off by
 *   default): a Trace ring (clock Time.ticks) goes to app.boot in the
 *   context, and a TraceDrain (hosts/moddable/trace-drain.ts) ticks after
 *   the app: HELLO and the dictionary, then records as frames, in idle time.
 *   With options.stimulus (config keelStimulus): a scripted button
 *   (hosts/moddable/stimulus.ts) ticks before the app.
 *   stopDevice(run)  stops the tick driver and the report timer, closes the
 *     button and the LED, stops the link (tests, or an app that shuts down)
 *
 * The report allocates (strings for trace), so it closes the window before it
 * prints and opens the next one after: each window covers ticks and IO
 * callbacks only. "clean (nothing allocated)" in every window is the
 * device-side proof of the zero-allocation promise (instrumented builds
 * only); a "not valid" window (a collection ran, counted or inferred from a
 * drop in use: see alloc-probe.ts) proves nothing either way.
 *
 * Allocation: everything here happens at boot, except the report (outside the
 * measured windows). Preload-safe: exports a function, holds no state.
 */
import Timer from 'timer';
import Time from 'time';
import type { AppInstance, AppTable, BoardConfig, CrossCoreModule, CrossCoreLinkLike, DeviceApp, Tickable } from 'keel/host/types';
import { NO_PIN } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';
import { TickDriver } from 'keel/host/tick';
import { AllocationProbe, PROBE_ALLOCATED, PROBE_CLEAN } from 'keel/host/probe';
import { DigitalInputSource } from 'keel/host/digital-input';
import { LedOutput } from 'keel/host/digital-output';
import { SerialPort } from 'keel/host/serial';
import { Trace } from 'keel/trace';
import { TraceDrain, TraceSerialSink, TraceTextSink, type TraceFrameSink } from 'keel/host/trace-drain';
import { Stimulus, parseStimulus } from 'keel/host/stimulus';

export interface StartDeviceOptions {
  readonly board: BoardConfig;
  readonly apps: AppTable;
  /** Name of the entry to run (manifest config `keelApp`, or the first entry). */
  readonly appName: string;
  /** The platform's link class (module `keel/host/crosscore`). */
  readonly CrossCoreLink: CrossCoreModule['CrossCoreLink'];
  /** Tracing (manifest config keelTrace / keelTraceRecords); undefined: off, nothing of it is created. */
  readonly trace?: DeviceTraceOptions;
  /** A scripted button (manifest config keelStimulus, "ms:pressed,..."); undefined: none. */
  readonly stimulus?: string;
}

/** How startDevice traces (docs/moddable.md "Tracing"). */
export interface DeviceTraceOptions {
  /** 'text': `KTR:<hex>` lines through trace(); 'serial': binary frames on the board's example UART. */
  readonly transport: 'text' | 'serial';
  /** Records the ring holds between two drains (ticks). Default 256. */
  readonly records?: number;
}

/** Frame payload of the serial transport: a frame (payload + 7) fits a 128-byte UART transmit FIFO. */
export const TRACE_SERIAL_PAYLOAD = 112;

/** Everything startDevice created, for inspection from xsbug or a test harness. */
export interface DeviceRun {
  readonly app: DeviceApp;
  /** What app.boot returned (its tickable, events, and optional status). */
  readonly instance: AppInstance;
  readonly driver: TickDriver;
  readonly button: DigitalInputSource;
  readonly led: LedOutput;
  readonly probe: AllocationProbe;
  readonly link: CrossCoreLinkLike;
  /** The report timer (board.reportMs > 0), or undefined. */
  readonly reportTimer: Timer | undefined;
  /** The trace ring and its drain (options.trace), or undefined. */
  readonly trace: Trace | undefined;
  readonly traceDrain: TraceDrain | undefined;
  /** The trace's serial port (transport 'serial'), or undefined. */
  readonly tracePort: SerialPort | undefined;
  /** The scripted button (options.stimulus), or undefined. */
  readonly stimulus: Stimulus | undefined;
}

/** The trace ring's clock: Time.ticks (a number; allocates nothing). */
function deviceClock(): number {
  return Time.ticks;
}

export function startDevice(options: StartDeviceOptions): DeviceRun {
  const { board, apps, appName } = options;
  let app: DeviceApp | undefined;
  for (let i = 0; i < apps.length; i++) if (apps[i].name === appName) app = apps[i];
  if (app === undefined) {
    const names = apps.map((a) => a.name).join(', ');
    throw new DeviceHostError('UNKNOWN_APP', `startDevice: no app named "${appName}" in the app table (${apps.length} entries: ${names}); set "keelApp" in the manifest config or pass keelApp=<name> to mcconfig [UNKNOWN_APP]`);
  }
  const t = options.trace;
  if (t !== undefined && t.transport !== 'text' && t.transport !== 'serial') {
    throw new DeviceHostError('BAD_TRACE_TRANSPORT', `startDevice: keelTrace must be "off", "text" or "serial" (got "${String(t.transport)}") [BAD_TRACE_TRANSPORT]`);
  }
  if (t !== undefined && t.transport === 'serial' && board.uartTxPin === NO_PIN) {
    throw new DeviceHostError('NO_TRACE_UART', 'startDevice: keelTrace "serial" needs the board\'s example UART (uartTxPin), and this board has none; use keelTrace "text" (trace() lines) [NO_TRACE_UART]');
  }
  const ring = t === undefined ? undefined : new Trace({ name: 'device', capacity: t.records ?? 256, clock: deviceClock });
  const led = new LedOutput({ name: 'led', pin: board.ledPin, activeLevel: board.ledActiveLevel });
  led.start();
  const instance = app.boot(ring === undefined ? { board, led } : { board, led, trace: ring, traceTransport: t!.transport });
  const button = new DigitalInputSource({
    name: 'button',
    pin: board.buttonPin,
    pull: board.buttonPull,
    signal: instance.buttonSignal,
    target: instance.events,
  });
  const link = new options.CrossCoreLink({
    name: 'crosscore',
    workerChunkBytes: board.workerChunkBytes,
    workerHeapSlots: board.workerHeapSlots,
    workerStackSlots: board.workerStackSlots,
  });
  if (instance.crossCoreBuffer !== undefined) {
    if (board.crossCore !== 1) {
      throw new DeviceHostError('NO_CROSS_CORE', `startDevice: app "${app.name}" set crossCoreBuffer but the board has crossCore ${board.crossCore}; on this board use a local queue [NO_CROSS_CORE]`);
    }
    link.start(instance.crossCoreBuffer);
  }
  let traceDrain: TraceDrain | undefined;
  let tracePort: SerialPort | undefined;
  if (ring !== undefined) {
    let sink: TraceFrameSink;
    if (t!.transport === 'serial') {
      tracePort = new SerialPort({ name: 'trace', port: board.uartPort, txPin: board.uartTxPin, rxPin: board.uartRxPin, baud: board.uartBaud });
      const serialSink = new TraceSerialSink(tracePort);
      tracePort.start(serialSink);
      sink = serialSink;
    } else sink = new TraceTextSink();
    traceDrain = new TraceDrain(ring, sink, { host: `moddable ${app.name}`, maxPayload: t!.transport === 'serial' ? TRACE_SERIAL_PAYLOAD : 1024 });
    traceDrain.begin(instance.machines ?? []);
  }
  const stimulus = options.stimulus === undefined ? undefined : new Stimulus(parseStimulus(options.stimulus), instance.events, instance.buttonSignal, board.buttonPin, board.buttonActiveLevel);
  const probe = new AllocationProbe({ name: 'probe', slotBytes: board.slotBytes });
  // Order within a tick: the scripted button, the app (kernel tick + run to completion), the trace drain (idle), the probe.
  const targets: Tickable[] = [];
  if (stimulus !== undefined) targets.push(stimulus);
  targets.push(instance.tickable);
  if (traceDrain !== undefined) targets.push(traceDrain);
  targets.push(probe);
  const driver = new TickDriver(targets, { name: 'tick', intervalMs: board.tickMs });
  driver.start();
  stimulus?.start(driver.lastMs);
  button.start();
  let run: DeviceRun;
  const reportTimer =
    board.reportMs > 0
      ? Timer.repeat(function report(): void {
          reportWindow(run);
        }, board.reportMs)
      : undefined;
  run = { app, instance, driver, button, led, probe, link, reportTimer, trace: ring, traceDrain, tracePort, stimulus };
  trace(`keel: app "${app.name}" running, tick ${board.tickMs} ms, button pin ${board.buttonPin === NO_PIN ? 'none' : board.buttonPin}, led pin ${board.ledPin === NO_PIN ? 'none' : board.ledPin}, cross-core ${link.supported ? 'worker' : 'local'}${traceDrain === undefined ? '' : `, trace ${t!.transport} (${ring!.capacity} records)`}${stimulus === undefined ? '' : `, stimulus ${stimulus.left} steps`}\n`);
  probe.snapshot();
  return run;
}

/**
 * Closes the probe window, prints it, opens the next one. Allocates (trace),
 * outside the window. The allocation part reads, by the probe's outcome:
 *   "slots 0 chunks 0 B gc 0: clean (nothing allocated)"
 *   "slots 4 chunks 24 B gc 0: ALLOCATED on the hot path"
 *   "slots -99 chunks -17776 B gc 1 (0 counted, 1 inferred): not valid (a collection ran; the deltas are not allocations)"
 *   "allocation probe unavailable (release build: use mcconfig -d or -i)"
 */
export function reportWindow(run: DeviceRun): void {
  const p = run.probe;
  p.read();
  const d = run.driver;
  const b = run.button;
  const o = p.outcome;
  const alloc = !p.available
    ? 'allocation probe unavailable (release build: use mcconfig -d or -i)'
    : o === PROBE_CLEAN
      ? `slots ${p.slots} chunks ${p.chunkBytes} B gc 0: clean (nothing allocated)`
      : o === PROBE_ALLOCATED
        ? `slots ${p.slots} chunks ${p.chunkBytes} B gc 0: ALLOCATED on the hot path`
        : `slots ${p.slots} chunks ${p.chunkBytes} B gc ${p.collections} (${p.countedCollections} counted, ${p.inferredCollections} inferred): not valid (a collection ran; the deltas are not allocations)`;
  const status = run.instance.status;
  const tr = run.traceDrain;
  const traced =
    tr === undefined
      ? ''
      : `; trace records ${tr.records} lost ${tr.trace.lost} frames ${tr.writer.framesSent} dropped ${tr.writer.framesDropped} (${tr.writer.recordsDropped} records) waits ${tr.waits}`;
  const st = run.stimulus;
  const app = (status !== undefined ? `; ${status.call(run.instance)}` : '') + traced + (st === undefined ? '' : `; stimulus posted ${st.posted} refused ${st.refused} left ${st.left}`);
  trace(`keel: window ${p.windows}: ${alloc}; ticks ${d.ticks} late ${d.lateTicks} maxLate ${d.maxLateMs} ms; edges ${b.edges} posted ${b.posted} refused ${b.refused}; led writes ${run.led.writes}; worker ${run.link.attached ? 'attached' : run.link.supported ? 'starting' : 'none'}${app}\n`);
  p.snapshot();
}

/** Undoes startDevice: no timer left running and no pin or port left open (the app's own: instance.stop()). Not from inside a tick. */
export function stopDevice(run: DeviceRun): void {
  run.driver.stop();
  Timer.clear(run.reportTimer);
  run.button.close();
  run.led.close();
  run.link.stop();
  if (run.tracePort !== undefined) run.tracePort.close();
  const stop = run.instance.stop;
  if (stop !== undefined) stop.call(run.instance);
}

// hosts/moddable on both test engines, over the Moddable stand-ins in
// test/support/moddable/ (scripts/bundle.mjs maps `timer`, `time`,
// `embedded:io/digital`, `embedded:io/serial` and `instrumentation` to them,
// and the host's `keel/...` names to the files the manifests name).
//
// Proves on the XS engine host what the host modules' headers claim: an edge
// (read() + Time.ticks + post), a tick (TickDriver -> KernelTicker -> a real
// Kernel with an expiring time event -> probe poll), LED write/toggle, the
// probe's poll/read and the UART's per-byte path allocate nothing, the first
// call included; and it checks exact posts, counter identities and the probe's
// unit conversion. Every test leaves no timer running and no pin/port open.
import fc from 'fast-check';
import { strict as assert } from './support/assert.js';
import { assertNoAllocation, onXs } from './support/alloc.js';
import Timer, { MAX_TIMERS } from './support/moddable/timer.js';
import Time, { resetTime } from './support/moddable/time.js';
import Digital from './support/moddable/digital.js';
import Serial from './support/moddable/serial.js';
import Instrumentation, {
  resetInstrumentation,
  setInstrument,
  setInstrumentAt,
  setInstrumentationAvailable,
} from './support/moddable/instrumentation.js';
import type ModdableTime from 'time';
import type ModdableInstrumentation from 'instrumentation';
import type ModdableDigital from 'embedded:io/digital';
import type ModdableSerial from 'embedded:io/serial';
import { EventQueue, NO_EVENT } from '../src/queue.js';
import { Kernel, type Behaviour } from '../src/kernel.js';
import { NO_PIN, PULL_DOWN, PULL_NONE, PULL_UP, type BoardConfig, type Tickable } from '../hosts/moddable/types.js';
import { DeviceHostError } from '../hosts/moddable/errors.js';
import { MAX_TICK_TARGETS, TickDriver } from '../hosts/moddable/tick.js';
import { DigitalInputSource } from '../hosts/moddable/digital-input.js';
import { LedOutput } from '../hosts/moddable/digital-output.js';
import { AllocationProbe } from '../hosts/moddable/alloc-probe.js';
import { MAX_READ_PER_CALLBACK, SerialPort, type ByteSink } from '../hosts/moddable/serial.js';
import { reportWindow, startDevice, stopDevice } from '../hosts/moddable/device.js';
import apps, { KernelTicker, SIG_BUTTON } from '../hosts/moddable/examples.js';
import { CrossCoreLink } from '../hosts/moddable/local/crosscore.js';
import desktopBoard from '../hosts/moddable/desktop/board.js';

// ---- the stand-ins have the SDK's shapes (compile-time, @moddable/typings) ----
const timeShape: typeof ModdableTime = Time;
const instrumentationShape: typeof ModdableInstrumentation = Instrumentation;
type DigitalShape = Digital extends Pick<ModdableDigital, 'read' | 'write' | 'close' | 'format'> ? true : never;
type SerialShape = Serial extends Pick<ModdableSerial, 'write' | 'close'> ? true : never;
const digitalShape: DigitalShape = true;
const serialShape: SerialShape = true;

// ---- misuse that must not compile ----
export function typeErrors(q: EventQueue): void {
  // @ts-expect-error intervalMs is required
  new TickDriver([q as unknown as Tickable], { name: 't' });
  // @ts-expect-error a Postable target is required
  new DigitalInputSource({ name: 'b', pin: 0, pull: PULL_UP, signal: 1 });
  // @ts-expect-error ByteSink.onRxByte takes a number
  const sink: ByteSink = { onRxByte: (b: string) => b.length > 0 };
  void sink;
}

const SIG_EDGE = 7;
const BUTTON = 0;
const LED = 2;
const UART = 2;

function cleanState(): string[] {
  const leaks: string[] = [];
  if (Timer.active !== 0) leaks.push(`${Timer.active} timer(s) still running`);
  if (Digital.open !== 0) leaks.push(`${Digital.open} digital pin(s) still open`);
  if (Serial.open !== 0) leaks.push(`${Serial.open} serial port(s) still open`);
  return leaks;
}

afterEach(function () {
  const leaks = cleanState();
  Timer.resetTimers();
  Digital.closeAll();
  Serial.closeAll();
  resetTime();
  resetInstrumentation();
  assert.deepEqual(leaks, [], 'a test left resources behind');
});

describe('moddable stand-ins', function () {
  it('have the SDK shapes and the documented constants', function () {
    assert.ok(timeShape === Time && instrumentationShape === Instrumentation && digitalShape && serialShape);
    assert.deepEqual(
      [Digital.Input, Digital.InputPullUp, Digital.InputPullDown, Digital.InputPullUpDown, Digital.Output, Digital.OutputOpenDrain, Digital.Rising, Digital.Falling],
      [0, 1, 2, 3, 8, 9, 1, 2],
    );
  });

  it('timer: repeat fires at due times with the timer as argument; one-shots free themselves; schedule/clear', function () {
    const log: string[] = [];
    const r = Timer.repeat((t) => log.push(`r${Time.ticks}:${t === r}`), 10);
    const once = Timer.set(() => log.push(`o${Time.ticks}`), 15);
    assert.equal(Timer.active, 2);
    assert.equal(Timer.advance(30), 4);
    assert.deepEqual(log, ['r10:true', 'o15', 'r20:true', 'r30:true']);
    assert.equal(Time.ticks, 30);
    assert.equal(Timer.active, 1);
    Timer.clear(once); // already freed: no-op
    Timer.schedule(r); // dormant
    assert.equal(Timer.advance(100), 0);
    Timer.schedule(r, 5, 50);
    assert.equal(Timer.advance(60), 2);
    assert.deepEqual(log.slice(4), ['r135:true', 'r185:true']);
    assert.equal(Timer.fireAll(), 1);
    Timer.clear(r);
    Timer.clear(undefined);
    assert.equal(Timer.active, 0);
    assert.throws(() => Timer.schedule(r, 1), /cleared timer/);
    const many: Timer[] = [];
    for (let i = 0; i < MAX_TIMERS; i++) many.push(Timer.set(() => undefined, 1));
    assert.throws(() => Timer.set(() => undefined, 1), /more than 32 live timers/);
    for (const t of many) Timer.clear(t);
  });

  it('time: delta is the signed 32-bit difference, end defaults to now', function () {
    Time.ticks = 500;
    assert.equal(Time.delta(200), 300);
    assert.equal(Time.delta(0xfffffff0, 0x10), 0x20);
    assert.equal(Time.delta(300, 200), -100);
  });
});

describe('hosts/moddable DigitalInputSource', function () {
  it('an edge posts (signal, pin, level, Time.ticks) into the queue, in order', function () {
    const q = new EventQueue({ name: 'edges', capacity: 4 });
    const src = new DigitalInputSource({ name: 'button', pin: BUTTON, pull: PULL_UP, signal: SIG_EDGE, target: q });
    assert.equal(src.armed, false);
    src.start();
    const d = Digital.at(BUTTON)!;
    assert.ok(d !== undefined && src.armed);
    assert.equal(d.mode, Digital.InputPullUp);
    assert.equal(d.edge, Digital.Rising | Digital.Falling);
    Time.ticks = 1234;
    assert.equal(d.simulateEdge(0), true);
    Time.ticks = 1300;
    assert.equal(d.simulateEdge(1), true);
    assert.equal(d.simulateEdge(1), false); // no change, no edge
    const got: number[][] = [];
    for (let sig = q.get(); sig !== NO_EVENT; sig = q.get()) got.push([sig, q.p0, q.p1, q.p2, q.p3]);
    assert.deepEqual(got, [
      [SIG_EDGE, BUTTON, 0, 1234, 0],
      [SIG_EDGE, BUTTON, 1, 1300, 0],
    ]);
    assert.deepEqual([src.edges, src.posted, src.refused, src.level, d.reads], [2, 2, 0, 1, 2]);
    src.close();
    src.close(); // idempotent
    assert.equal(src.armed, false);
    assert.equal(Digital.at(BUTTON), undefined);
  });

  it('maps pull to the Digital mode; NO_PIN opens nothing; misuse throws DeviceHostError', function () {
    const q = new EventQueue({ capacity: 2 });
    for (const [pull, mode] of [
      [PULL_NONE, Digital.Input],
      [PULL_DOWN, Digital.InputPullDown],
    ] as const) {
      const s = new DigitalInputSource({ name: 'b', pin: 5, pull, signal: 1, target: q });
      s.start();
      assert.equal(Digital.at(5)!.mode, mode);
      assert.throws(() => s.start(), (e) => e instanceof DeviceHostError && /start\(\) called twice on pin 5/.test(e.message));
      s.close();
    }
    const none = new DigitalInputSource({ name: 'b', pin: NO_PIN, pull: PULL_UP, signal: 1, target: q });
    none.start();
    assert.equal(none.armed, false);
    assert.equal(Digital.open, 0);
    assert.throws(() => new DigitalInputSource({ name: 'b', pin: 0, pull: 3, signal: 1, target: q }), (e) => e instanceof DeviceHostError && /"b": pull must be/.test(e.message));
    assert.throws(() => new DigitalInputSource({ name: 'b', pin: 0, pull: PULL_UP, signal: -1, target: q }), (e) => e instanceof DeviceHostError && /signal must be an integer >= 0/.test(e.message));
  });

  it('a full queue refuses edges: counted, posted + refused === edges', function () {
    const q = new EventQueue({ capacity: 2 });
    const src = new DigitalInputSource({ name: 'button', pin: BUTTON, pull: PULL_UP, signal: SIG_EDGE, target: q });
    src.start();
    const d = Digital.at(BUTTON)!;
    for (let i = 0; i < 5; i++) d.simulateEdge(i & 1);
    assert.deepEqual([src.edges, src.posted, src.refused, q.refused, q.length], [5, 2, 3, 3, 2]);
    assert.equal(src.posted + src.refused, src.edges);
    q.clear();
    src.close();
  });

  it('property: edges and drains against a FIFO model of the queue', function () {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: onXs ? 40 : 200 }), (ops) => {
        const q = new EventQueue({ capacity: 4 });
        const src = new DigitalInputSource({ name: 'p', pin: BUTTON, pull: PULL_UP, signal: SIG_EDGE, target: q });
        src.start();
        const d = Digital.at(BUTTON)!;
        const model: number[] = [];
        let refused = 0;
        let level = 1;
        try {
          for (const edge of ops) {
            if (edge) {
              level ^= 1;
              Time.ticks += 3;
              d.simulateEdge(level);
              if (model.length < 4) model.push(level * 100000 + Time.ticks);
              else refused++;
            } else {
              const sig = q.get();
              const want = model.shift();
              if (want === undefined) assert.equal(sig, NO_EVENT);
              else assert.deepEqual([sig, q.p0, q.p1 * 100000 + q.p2], [SIG_EDGE, BUTTON, want]);
            }
          }
          assert.deepEqual([src.refused, src.posted + src.refused, q.length], [refused, src.edges, model.length]);
        } finally {
          q.clear();
          src.close();
          resetTime();
        }
      }),
      { numRuns: onXs ? 15 : 100 },
    );
  });

  it('allocates nothing per edge: 10,000 edges posted and drained (first included)', function () {
    const q = new EventQueue({ capacity: 4 });
    const src = new DigitalInputSource({ name: 'button', pin: BUTTON, pull: PULL_UP, signal: SIG_EDGE, target: q });
    src.start();
    const d = Digital.at(BUTTON)!;
    let level = 1;
    assertNoAllocation(
      () => {
        level ^= 1;
        Time.ticks++;
        d.simulateEdge(level);
        q.get();
      },
      10000,
      'DigitalInputSource edge (onReadable -> read -> Time.ticks -> post) + queue get',
    );
    assert.deepEqual([src.edges, src.posted, src.refused, q.taken, q.length], [10000, 10000, 0, 10000, 0]);
    src.close();
  });

  it('allocates nothing per refused edge (full queue, 10,000 refusals counted)', function () {
    const q = new EventQueue({ capacity: 1 });
    const src = new DigitalInputSource({ name: 'button', pin: BUTTON, pull: PULL_UP, signal: SIG_EDGE, target: q });
    src.start();
    const d = Digital.at(BUTTON)!;
    d.simulateEdge(0);
    let level = 0;
    assertNoAllocation(
      () => {
        level ^= 1;
        d.simulateEdge(level);
      },
      10000,
      'DigitalInputSource refused edge',
    );
    assert.deepEqual([src.edges, src.posted, src.refused], [10001, 1, 10000]);
    q.clear();
    src.close();
  });
});

/** A Tickable that logs "name@now" (behaviour tests only: it allocates). */
class LogTarget implements Tickable {
  constructor(
    private readonly name: string,
    private readonly log: string[],
  ) {}
  tick(nowMs: number): void {
    this.log.push(`${this.name}@${nowMs}`);
  }
}

/** Counts dispatches (allocation-free). */
class Counter implements Behaviour {
  n = 0;
  lastSig = -1;
  start(): void {}
  dispatch(sig: number): void {
    this.n++;
    this.lastSig = sig;
  }
}

describe('hosts/moddable TickDriver', function () {
  it('each timer fire ticks every target in order with Time.ticks', function () {
    const log: string[] = [];
    const driver = new TickDriver([new LogTarget('a', log), new LogTarget('b', log)], { name: 't', intervalMs: 10 });
    Time.ticks = 100;
    driver.start();
    assert.equal(driver.running, true);
    assert.equal(Timer.active, 1);
    assert.equal(Timer.advance(35), 3);
    assert.deepEqual(log, ['a@110', 'b@110', 'a@120', 'b@120', 'a@130', 'b@130']);
    assert.deepEqual([driver.ticks, driver.lastMs, driver.lateTicks, driver.maxLateMs], [3, 130, 0, 0]);
    driver.stop();
    driver.stop();
    assert.equal(driver.running, false);
    assert.equal(Timer.active, 0);
  });

  it('counts late ticks (more than one interval late) and keeps the worst lateness', function () {
    const log: string[] = [];
    const driver = new TickDriver([new LogTarget('a', log)], { intervalMs: 10 });
    driver.start();
    const late: number[][] = [];
    for (const t of [10, 25, 50, 60, 95]) {
      Time.ticks = t;
      Timer.fireAll();
      late.push([driver.lateTicks, driver.maxLateMs]);
    }
    // gaps 10, 15, 25, 10, 35 -> lateness 0, 5, 15, 0, 25; late when >= 10
    assert.deepEqual(late, [
      [0, 0],
      [0, 5],
      [1, 15],
      [1, 15],
      [2, 25],
    ]);
    assert.deepEqual(log, ['a@10', 'a@25', 'a@50', 'a@60', 'a@95']);
    driver.stop();
  });

  it('misuse throws DeviceHostError naming the driver', function () {
    const t: Tickable = { tick: () => undefined };
    assert.throws(() => new TickDriver([t], { name: 'd', intervalMs: 0 }), (e) => e instanceof DeviceHostError && /"d": intervalMs must be an integer >= 1 \(got 0\)/.test(e.message));
    assert.throws(() => new TickDriver([t], { intervalMs: 1.5 }), DeviceHostError);
    assert.throws(() => new TickDriver([], { intervalMs: 10 }), (e) => e instanceof DeviceHostError && /needs 1\.\.8 targets \(got 0\)/.test(e.message));
    assert.throws(() => new TickDriver(new Array<Tickable>(MAX_TICK_TARGETS + 1).fill(t), { intervalMs: 10 }), DeviceHostError);
    const d = new TickDriver([t], { name: 'd', intervalMs: 10 });
    d.start();
    assert.throws(() => d.start(), (e) => e instanceof DeviceHostError && /start\(\) called while running/.test(e.message));
    d.stop();
  });

  it('allocates nothing per tick: 10,000 timer fires drive a real Kernel with an expiring time event and the probe', function () {
    const kernel = new Kernel({ name: 'dev', host: { now: () => Time.ticks }, maxObjects: 2, timers: 2 });
    const counter = new Counter();
    const ao = kernel.spawn({ create: () => counter }, 1, 4);
    const SIG_TIMEOUT = 5;
    const te = kernel.timeEvent(ao, SIG_TIMEOUT);
    kernel.arm(te, 10, 10);
    const ticker = new KernelTicker(kernel);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    const driver = new TickDriver([ticker, probe], { name: 'tick', intervalMs: 10 });
    driver.start();
    probe.snapshot();
    assertNoAllocation(() => Timer.advance(10), 10000, 'timer fire -> TickDriver -> kernel.tick + run (time event) -> probe.tick');
    assert.deepEqual([driver.ticks, ticker.ticks, counter.n, counter.lastSig, kernel.dispatchedTotal], [10000, 10000, 10000, SIG_TIMEOUT, 10000]);
    assert.deepEqual([driver.lateTicks, driver.maxLateMs, driver.lastMs, kernel.timerRefused], [0, 0, 100000, 0]);
    assert.equal(probe.read(), true);
    driver.stop();
    kernel.stop(ao);
  });
});

describe('hosts/moddable LedOutput', function () {
  it('applies the active level: write/toggle drive the pin, writes are counted', function () {
    for (const active of [1, 0]) {
      const led = new LedOutput({ name: 'led', pin: LED, activeLevel: active });
      led.start();
      const d = Digital.at(LED)!;
      assert.equal(d.mode, Digital.Output);
      assert.deepEqual([d.level, d.writes, led.on, led.writes], [active ^ 1, 1, 0, 0]);
      led.write(1);
      assert.deepEqual([d.level, led.on], [active, 1]);
      led.toggle();
      assert.deepEqual([d.level, led.on], [active ^ 1, 0]);
      led.write(7); // any truthy value is "on"
      assert.deepEqual([d.level, led.on, led.writes, d.writes], [active, 1, 3, 4]);
      assert.throws(() => led.start(), (e) => e instanceof DeviceHostError && /start\(\) called twice on pin 2/.test(e.message));
      led.close();
    }
    const none = new LedOutput({ name: 'none', pin: NO_PIN, activeLevel: 1 });
    none.start();
    none.toggle();
    assert.deepEqual([none.on, none.writes, Digital.open], [1, 1, 0]);
    assert.throws(() => new LedOutput({ name: 'x', pin: 1, activeLevel: 2 }), (e) => e instanceof DeviceHostError && /"x": activeLevel must be 0 or 1 \(got 2\)/.test(e.message));
  });

  it('allocates nothing: 10,000 write() and 10,000 toggle()', function () {
    const led = new LedOutput({ name: 'led', pin: LED, activeLevel: 0 });
    led.start();
    const d = Digital.at(LED)!;
    let i = 0;
    assertNoAllocation(() => led.write(i++ & 1), 10000, 'LedOutput.write');
    assertNoAllocation(() => led.toggle(), 10000, 'LedOutput.toggle');
    assert.deepEqual([led.writes, d.writes, led.on, d.level], [20000, 20001, 1, 0]);
    led.close();
  });
});

describe('hosts/moddable AllocationProbe', function () {
  it('reads slot (bytes -> slots), chunk and collection deltas of a window', function () {
    setInstrument('XS Slot Heap Used', 16000);
    setInstrument('XS Chunk Heap Used', 5000);
    setInstrument('XS Garbage Collection Count', 0);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    assert.equal(probe.available, 1);
    probe.snapshot();
    setInstrument('XS Slot Heap Used', 16064);
    setInstrument('XS Chunk Heap Used', 5024);
    assert.equal(probe.read(), false);
    assert.deepEqual([probe.slotBytes, probe.slots, probe.chunkBytes, probe.collections, probe.maxSlots, probe.maxChunkBytes], [64, 4, 24, 0, 4, 24]);
    probe.snapshot();
    assert.equal(probe.read(), true);
    assert.deepEqual([probe.windows, probe.slots, probe.chunkBytes, probe.maxSlots], [2, 0, 0, 4]);
    // 64-bit desktop slots are 32 bytes.
    const desktop = new AllocationProbe({ name: 'd', slotBytes: 32 });
    desktop.snapshot();
    setInstrument('XS Slot Heap Used', 16064 + 96);
    desktop.read();
    assert.deepEqual([desktop.slotBytes, desktop.slots], [96, 3]);
  });

  it('adds per-sample GC counts polled by tick(), treating a decrease as the host reset; such windows do not update the max', function () {
    setInstrument('XS Garbage Collection Count', 2);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    probe.snapshot();
    setInstrument('XS Garbage Collection Count', 3);
    probe.tick(10); // +1
    setInstrument('XS Garbage Collection Count', 0); // the host's 1 s sample reset it
    probe.tick(20); // +0
    setInstrument('XS Garbage Collection Count', 1);
    setInstrument('XS Slot Heap Used', 160);
    assert.equal(probe.read(), false); // read polls once more: +1
    assert.deepEqual([probe.collections, probe.slots, probe.maxSlots], [2, 10, 0]);
    probe.snapshot();
    assert.equal(probe.read(), true);
    assert.equal(probe.collections, 0);
  });

  it('without instruments (plain release build) reports unavailable, never a false zero', function () {
    setInstrumentationAvailable(false);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    assert.equal(probe.available, 0);
    probe.snapshot();
    probe.tick(1);
    assert.equal(probe.read(), false);
    assert.deepEqual([probe.windows, probe.slotBytes, probe.chunkBytes, probe.collections], [1, 0, 0, 0]);
    assert.throws(() => new AllocationProbe({ name: 'z', slotBytes: 0 }), (e) => e instanceof DeviceHostError && /"z": slotBytes must be > 0/.test(e.message));
  });

  it('allocates nothing: 10,000 tick() polls with a changing GC count, 10,000 snapshot()+read()', function () {
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    const gc = Instrumentation.map('XS Garbage Collection Count')!;
    probe.snapshot();
    let i = 0;
    assertNoAllocation(
      () => {
        setInstrumentAt(gc, i++ % 3);
        probe.tick(i);
      },
      10000,
      'AllocationProbe.tick',
    );
    setInstrumentAt(gc, 0);
    assertNoAllocation(
      () => {
        probe.snapshot();
        probe.read();
      },
      10000,
      'AllocationProbe.snapshot + read',
    );
    assert.deepEqual([probe.windows, probe.collections, probe.slots], [10001, 0, 0]);
  });
});

/** Collects received bytes into a fixed buffer; refuses when full. */
class BufferSink implements ByteSink {
  readonly bytes = new Uint8Array(64);
  length = 0;
  onRxByte(byte: number): boolean {
    if (this.length === this.bytes.length) return false;
    this.bytes[this.length++] = byte;
    return true;
  }
  take(): number[] {
    const out = Array.from(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}

const UART_OPTIONS = Object.freeze({ name: 'uart', port: UART, txPin: 17, rxPin: 16, baud: 115200 });

describe('hosts/moddable SerialPort (UART)', function () {
  it('opens the port in number format; received bytes reach the sink in order; writes go out', function () {
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    assert.deepEqual([s.transmit, s.receive, s.baud, s.format], [17, 16, 115200, 'number']);
    for (const b of [0x68, 0x69, 0x0a]) s.inject(b);
    assert.equal(s.deliver(), true);
    assert.deepEqual(sink.take(), [0x68, 0x69, 0x0a]);
    port.write(0x41);
    port.write(0x42);
    assert.deepEqual([s.takeTx(), s.takeTx(), s.takeTx()], [0x41, 0x42, -1]);
    assert.deepEqual([port.received, port.refused, port.written], [3, 0, 2]);
    assert.throws(() => port.start(sink), (e) => e instanceof DeviceHostError && /start\(\) called twice on UART 2/.test(e.message));
    port.close();
    port.close();
    assert.equal(Serial.open, 0);
  });

  it('reads at most MAX_READ_PER_CALLBACK bytes per callback; bytes the sink refuses are counted', function () {
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    for (let i = 0; i < 300; i++) s.inject(i & 0xff);
    s.deliver();
    assert.deepEqual([port.received, s.rxWaiting, port.refused], [MAX_READ_PER_CALLBACK, 300 - MAX_READ_PER_CALLBACK, MAX_READ_PER_CALLBACK - 64]);
    assert.deepEqual(sink.take(), Array.from({ length: 64 }, (_, i) => i));
    s.deliver();
    assert.deepEqual([port.received, s.rxWaiting, port.refused], [300, 0, MAX_READ_PER_CALLBACK - 64]);
    assert.equal(port.received - port.refused, 64 + 44);
    port.close();
  });

  it('a board without a UART (NO_PIN) opens nothing and counts writes', function () {
    const port = new SerialPort({ ...UART_OPTIONS, txPin: NO_PIN, rxPin: NO_PIN });
    port.start(new BufferSink());
    port.write(1);
    assert.deepEqual([Serial.open, port.written], [0, 1]);
  });

  it('allocates nothing per byte: 10,000 x (byte received -> sink, byte written)', function () {
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    let i = 0;
    assertNoAllocation(
      () => {
        s.inject(i & 0xff);
        s.deliver();
        sink.length = 0;
        port.write(i++ & 0xff);
        s.takeTx();
      },
      10000,
      'SerialPort onReadable (read -> onRxByte) + write',
    );
    assert.deepEqual([port.received, port.refused, port.written, s.readables, s.rxWaiting, s.txWaiting], [10000, 0, 10000, 10000, 0, 0]);
    port.close();
  });
});

function deviceBoard(reportMs: number): BoardConfig {
  return Object.freeze({ ...desktopBoard, buttonPin: BUTTON, buttonPull: PULL_UP, buttonActiveLevel: 0, ledPin: LED, ledActiveLevel: 1, reportMs });
}

describe('hosts/moddable device: startDevice with the blinky app', function () {
  const g = globalThis as unknown as { trace?: (...m: unknown[]) => void };
  let saved: ((...m: unknown[]) => void) | undefined;
  let traced: string[] = [];
  before(function () {
    saved = g.trace;
    g.trace = (m: unknown) => void traced.push(String(m));
  });
  after(function () {
    g.trace = saved;
  });
  beforeEach(function () {
    traced = [];
  });

  it('boots through the device path, reports every reportMs, and stopDevice releases everything', function () {
    const run = startDevice({ board: deviceBoard(1000), apps, appName: 'blinky', CrossCoreLink });
    assert.equal(run.app.name, 'blinky');
    assert.deepEqual([Timer.active, Digital.open, run.button.armed, run.driver.running, run.link.supported], [2, 2, true, true, 0]);
    assert.equal(Digital.at(BUTTON)!.mode, Digital.InputPullUp);
    assert.deepEqual(traced, ['keel: app "blinky" running, tick 10 ms, button pin 0, led pin 2, cross-core local\n']);
    Timer.advance(1000);
    assert.equal(traced.length, 2);
    assert.ok(/^keel: window 1: slots 0 chunks 0 B gc 0 \(0 after boot\); ticks 100 late 0 maxLate 0 ms; edges 0 posted 0 refused 0; led writes 0; worker none\n$/.test(traced[1]!), traced[1]);
    reportWindow(run);
    assert.ok(/^keel: window 2: slots 0 chunks 0 B gc 0 \(0 after boot\); ticks 100 /.test(traced[2]!), traced[2]);
    stopDevice(run);
    assert.deepEqual(cleanState(), []);
    // A release build without instruments says so instead of reporting zeros.
    setInstrumentationAvailable(false);
    const release = startDevice({ board: deviceBoard(1000), apps, appName: 'blinky', CrossCoreLink });
    Timer.advance(1000);
    assert.ok(/^keel: window 1: allocation probe unavailable \(release build: use mcconfig -d or -i\); ticks 100 /.test(traced[4]!), traced[4]);
    stopDevice(release);
  });

  it('an unknown app name throws DeviceHostError listing the table', function () {
    assert.throws(
      () => startDevice({ board: deviceBoard(0), apps, appName: 'nope', CrossCoreLink }),
      (e) => e instanceof DeviceHostError && /no app named "nope" in the app table \(4 entries: bringup, blinky, port-reset, uart-lines\)/.test(e.message),
    );
  });

  it('allocates nothing after boot: 1,000 ticks with button presses through Digital -> ButtonRoute -> blinky -> LED', function () {
    const run = startDevice({ board: deviceBoard(0), apps, appName: 'blinky', CrossCoreLink });
    const button = Digital.at(BUTTON)!;
    const led = Digital.at(LED)!;
    let i = 0;
    // A press (level 0: active low) every 2 s, released 500 ms later.
    assertNoAllocation(
      () => {
        const k = i % 200;
        if (k === 50) button.simulateEdge(0);
        else if (k === 100) button.simulateEdge(1);
        Timer.advance(10);
        i++;
      },
      1000,
      'device tick + button edges (blinky)',
    );
    assert.deepEqual([run.driver.ticks, run.driver.lateTicks, run.button.edges, run.button.posted, run.button.refused], [1000, 0, 10, 10, 0]);
    assert.equal(run.app.name, 'blinky');
    // 5 presses: slow, fast, double, off, slow. The LED toggled while blinking and follows led.on.
    assert.ok(run.led.writes > 20, `led writes ${run.led.writes}`);
    assert.equal(led.level, run.led.on);
    assert.equal(SIG_BUTTON, 1);
    stopDevice(run);
  });
});

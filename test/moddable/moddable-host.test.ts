// hosts/moddable on both test engines, over the Moddable stand-ins in
// test/support/moddable/ (scripts/bundle.mjs maps `timer`, `time`,
// `embedded:io/digital`, `embedded:io/serial` and `instrumentation` to them,
// and the host's `keel/...` names to the files the manifests name).
//
// First the stand-ins' fidelity to the SDK 8.2.3 sources, where the device
// host relies on a behaviour (callback `this` and arguments, what is thrown,
// FIFO sizes, onWritable at open, the once-a-second instrumentation reset).
// Then the host: proves on the XS engine host what the host modules' headers
// claim: an edge (read() + Time.ticks + post), a tick (TickDriver ->
// KernelTicker -> a real Kernel with an expiring time event -> probe poll),
// LED write/toggle, the probe's poll/read and the UART's per-byte paths
// (received, written, onWritable, refused) allocate nothing, the first call
// included; and it checks exact posts, counter identities, the probe's
// outcomes and that a reply burst larger than the TX FIFO loses no byte and
// never throws. Every test leaves no timer running and no pin/port open.
import fc from 'fast-check';
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation, onXs } from '../support/alloc.js';
import Timer, { MAX_TIMERS, instrumentationSamples, startInstrumentationTimer } from '../support/moddable/timer.js';
import Time, { advanceTicks, resetTime, setTicks } from '../support/moddable/time.js';
import Digital from '../support/moddable/digital.js';
import Serial, {
  ESP32_TX_EMPTY_THRESHOLD,
  ESP32_UART_FIFO_BYTES,
  PICO_SERIAL_FIFO_BYTES,
  RP2040_UART_FIFO_BYTES,
} from '../support/moddable/serial.js';
import { resetPlatform, setPlatform } from '../support/moddable/builtin.js';
import Instrumentation, {
  allocate,
  collectGarbage,
  resetInstrumentation,
  sampleInstrumentation,
  setInstrument,
  setInstrumentAt,
  setInstrumentationAvailable,
  setStackUsed,
} from '../support/moddable/instrumentation.js';
import type ModdableTime from 'time';
import type ModdableInstrumentation from 'instrumentation';
import type ModdableDigital from 'embedded:io/digital';
import type ModdableSerial from 'embedded:io/serial';
import { EventQueue, NO_EVENT } from '../../src/queue.js';
import { Kernel, type Behaviour } from '../../src/kernel.js';
import { NO_PIN, PULL_DOWN, PULL_NONE, PULL_UP, type BoardConfig, type Tickable } from '../../hosts/moddable/types.js';
import { DeviceHostError } from '../../hosts/moddable/errors.js';
import { MAX_TICK_TARGETS, TickDriver } from '../../hosts/moddable/tick.js';
import { DigitalInputSource } from '../../hosts/moddable/digital-input.js';
import { LedOutput } from '../../hosts/moddable/digital-output.js';
import { AllocationProbe, PROBE_ALLOCATED, PROBE_CLEAN, PROBE_NOT_VALID, PROBE_UNAVAILABLE } from '../../hosts/moddable/alloc-probe.js';
import { MAX_READ_PER_CALLBACK, SerialPort, type ByteSink } from '../../hosts/moddable/serial.js';
import { SerialPort as DesktopSerialPort } from '../../hosts/moddable/desktop/serial.js';
import { reportWindow, startDevice, stopDevice, type DeviceRun } from '../../hosts/moddable/device.js';
import apps, { KernelTicker, SIG_BUTTON, type UartLinesInstance } from '../../hosts/moddable/examples.js';
import { CrossCoreLink } from '../../hosts/moddable/local/crosscore.js';
import desktopBoard from '../../hosts/moddable/desktop/board.js';

// ---- the stand-ins have the SDK shapes (compile-time, @moddable/typings) ----
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
  const sink: ByteSink = { onRxByte: (b: string) => b.length > 0, onTxReady: () => undefined };
  // @ts-expect-error a ByteSink hears TX readiness (onTxReady)
  const noReady: ByteSink = { onRxByte: () => true };
  void sink;
  void noReady;
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
  resetPlatform();
  resetTime();
  resetInstrumentation();
  assert.deepEqual(leaks, [], 'a test left resources behind');
});

/** An error of class `type` whose message starts with `text` (a debug build appends " (in ...)"). */
function sdkError(type: ErrorConstructor | RangeErrorConstructor | SyntaxErrorConstructor, text: string): (e: unknown) => boolean {
  return (e) => e instanceof Error && e.constructor === type && e.message.startsWith(text);
}
const CLOSED = 'C: xsGetHostData: invalid host data';

describe('moddable stand-ins: fidelity to the SDK sources', function () {
  it('have the SDK shapes and constants', function () {
    assert.ok(timeShape === Time && instrumentationShape === Instrumentation && digitalShape && serialShape);
    assert.deepEqual(
      [Digital.Input, Digital.InputPullUp, Digital.InputPullDown, Digital.InputPullUpDown, Digital.Output, Digital.OutputOpenDrain, Digital.ActiveLow, Digital.Rising, Digital.Falling],
      [0, 1, 2, 3, 8, 9, 16, 1, 2],
    );
    assert.deepEqual([ESP32_UART_FIFO_BYTES, ESP32_TX_EMPTY_THRESHOLD, PICO_SERIAL_FIFO_BYTES, RP2040_UART_FIFO_BYTES], [128, 10, 128, 32]);
  });

  describe('timer (modTimer.c, mc/timer.c)', function () {
    it('calls back with this = the global object and the timer; repeating timers do not drift; one-shots are freed after the callback', function () {
      const log: string[] = [];
      let self: unknown = null;
      const r = Timer.repeat(function (this: unknown, t) {
        self = this;
        log.push(`r${Time.ticks}:${t === r}`);
      }, 10);
      const once = Timer.set(() => log.push(`o${Time.ticks}`), 15);
      assert.equal(Timer.active, 2);
      assert.equal(Timer.advance(30), 4);
      assert.ok(self === globalThis, 'this is the global object (xsCallFunction1(callback, xsGlobal, timer))');
      assert.deepEqual(log, ['r10:true', 'o15', 'r20:true', 'r30:true']);
      assert.equal(Time.ticks, 30);
      assert.equal(Timer.active, 1);
      Timer.clear(once); // freed: a no-op
      assert.throws(() => Timer.schedule(once, 5), sdkError(SyntaxError, CLOSED));
      // A late service: the next due time is the old one + repeat, so the timer catches up.
      setTicks(65);
      assert.equal(Timer.fireAll(), 1); // due 40: fires, next due 50
      assert.equal(Timer.fireAll(), 1); // due 50 <= 65: fires again at once
      assert.equal(Timer.fireAll(), 1); // due 60
      assert.equal(Timer.fireAll(), 0); // due 70 > 65
      Timer.clear(r);
      Timer.clear(undefined);
      assert.equal(Timer.active, 0);
    });

    it('Timer.schedule(t) without an interval fires t once at the next service and frees it (timer.js passes 3 arguments)', function () {
      let n = 0;
      const t = Timer.repeat(() => n++, 100);
      Timer.schedule(t);
      assert.equal(Timer.advance(0), 1);
      assert.equal(n, 1);
      assert.equal(Timer.active, 0, 'repeat became 0: freed');
      assert.throws(() => Timer.schedule(t, 10, 10), sdkError(SyntaxError, CLOSED));
    });

    it('a one-shot re-armed from its callback with repeat 0 is still freed; with a repeat it lives on', function () {
      let n = 0;
      const a = Timer.set((t) => {
        n++;
        Timer.schedule(t, 50);
      }, 10);
      assert.equal(Timer.advance(100), 1);
      assert.equal(Timer.active, 0);
      void a;
      const b = Timer.set((t) => {
        n++;
        if (n === 2) Timer.schedule(t, 50, 50);
      }, 10);
      assert.equal(Timer.advance(160), 4); // at 110 (re-armed: 50, 50), 160, 210, 260
      assert.equal(Timer.active, 1);
      Timer.clear(b);
    });

    it('fires timers due at the same time in creation order; timers created during a service wait for the next one', function () {
      const log: string[] = [];
      const t1 = Timer.set(() => log.push('a'), 10);
      const t2 = Timer.set(() => log.push('b'), 5, 0);
      Timer.clear(t2); // frees slot 1; the next timer takes it but is later in the list
      const t3 = Timer.set(() => {
        log.push('c');
        Timer.set(() => log.push('d'), 0);
      }, 10);
      setTicks(10);
      assert.equal(Timer.fireAll(), 2);
      assert.deepEqual(log, ['a', 'c']);
      assert.equal(Timer.fireAll(), 1);
      assert.deepEqual(log, ['a', 'c', 'd']);
      void t1;
      void t3;
      assert.equal(Timer.active, 0);
      const many: Timer[] = [];
      for (let i = 0; i < MAX_TIMERS; i++) many.push(Timer.set(() => undefined, 1));
      assert.throws(() => Timer.set(() => undefined, 1), /more than 32 live timers/);
      for (const t of many) Timer.clear(t);
    });
  });

  describe('time (time.js, esp/modTime.c)', function () {
    it('ticks is a signed 32-bit millisecond count and read-only; delta is the int32 difference of the uint32 values', function () {
      setTicks(500);
      assert.equal(Time.delta(200, Time.ticks), 300);
      assert.equal(Time.delta(0xfffffff0, 0x10), 0x20);
      assert.equal(Time.delta(300, 200), -100);
      setTicks(2 ** 31 + 5);
      assert.equal(Time.ticks, -(2 ** 31) + 5, 'uint32 ms stored with xsmcSetInteger');
      assert.equal(Time.delta(2 ** 31 - 5, Time.ticks), 10, 'delta survives the sign change');
      assert.throws(() => {
        (Time as { ticks: number }).ticks = 1;
      }, TypeError);
    });

    it('delta(start) without end is NOT now - start: time.js always passes end, so the native sees argc 2 and end 0', function () {
      setTicks(500);
      assert.equal(Time.delta(200), -200);
    });
  });

  describe('instrumentation (modInstrumentation.c, xsHosts.c, screen.c)', function () {
    it('maps names to the platform\'s indices (entry 0 is ""), get() reads live values, name() is the reverse', function () {
      const slot: number[] = [];
      for (const p of ['esp32', 'pico', 'desktop'] as const) {
        setPlatform(p);
        slot.push(Instrumentation.map('XS Slot Heap Used')!);
      }
      assert.deepEqual(slot, [15, 12, 11], 'SPI Flash Erases, Turns, CPU 0/1 exist only on some platforms: map by name');
      setPlatform('esp32');
      assert.equal(Instrumentation.map('' as 'Timers'), 0);
      assert.equal(Instrumentation.map('Nope' as 'Timers'), undefined);
      assert.equal(Instrumentation.name(15), 'XS Slot Heap Used');
      assert.equal(Instrumentation.name(0), '');
      assert.equal(Instrumentation.get(undefined), 0, 'ToInteger(undefined) is 0: entry 0');
      assert.equal(Instrumentation.get(99), undefined);
      allocate(160, 48);
      assert.deepEqual([Instrumentation.get(15), Instrumentation.get(16)], [160, 48]);
      setInstrumentationAvailable(false);
      assert.deepEqual([Instrumentation.map('XS Slot Heap Used'), Instrumentation.get(15), Instrumentation.name(15)], [undefined, undefined, undefined]);
    });

    it('the once-a-second sample resets the GC count and the stack peak, not slot or chunk use; a collection lowers use', function () {
      const gc = Instrumentation.map('XS Garbage Collection Count')!;
      const stack = Instrumentation.map('XS Stack Used')!;
      const slots = Instrumentation.map('XS Slot Heap Used')!;
      allocate(1600, 4000);
      setStackUsed(800);
      setStackUsed(200);
      collectGarbage(320, 1000);
      assert.deepEqual([Instrumentation.get(gc), Instrumentation.get(stack), Instrumentation.get(slots)], [1, 800, 1280]);
      sampleInstrumentation();
      assert.deepEqual([Instrumentation.get(gc), Instrumentation.get(stack), Instrumentation.get(slots)], [0, 200, 1280]);
    });

    it('the device host samples from a 1000 ms timer, serviced before JS timers due at the same time', function () {
      const gc = Instrumentation.map('XS Garbage Collection Count')!;
      startInstrumentationTimer();
      const seen: number[] = [];
      const t = Timer.repeat(() => seen.push(Instrumentation.get(gc)!), 1000);
      collectGarbage(0, 0);
      Timer.advance(1000);
      collectGarbage(0, 0);
      collectGarbage(0, 0);
      Timer.advance(1000);
      assert.deepEqual(seen, [0, 0], 'the sample at the same millisecond reset the count first');
      assert.equal(instrumentationSamples(), 3); // at 0, 1000, 2000
      Timer.clear(t);
    });
  });

  describe('embedded:io/digital (digital.js, esp32 and pico digitalbank.c)', function () {
    it('onReadable gets this = the Digital and the triggered pin mask; edges before the delivery coalesce into one callback', function () {
      const calls: [unknown, number, number][] = [];
      const d = new Digital({
        pin: 5,
        mode: Digital.InputPullUp,
        edge: Digital.Rising | Digital.Falling,
        onReadable(this: Digital, triggered: number) {
          calls.push([this, triggered, this.read()]);
        },
      });
      assert.equal(d.interrupt(0), true);
      assert.equal(d.interrupt(1), false, 'a message is pending already');
      assert.equal(d.interrupt(0), false);
      assert.equal(d.deliver(), true);
      assert.equal(d.deliver(), false);
      assert.deepEqual(calls, [[d, 1 << 5, 0]]);
      d.interrupt(1);
      d.close();
      assert.equal(d.deliver(), false, 'a message pending at close is dropped');
      d.close();
      assert.throws(() => d.read(), sdkError(SyntaxError, CLOSED));
      assert.throws(() => d.write(1), sdkError(SyntaxError, CLOSED));
    });

    it('throws what the SDK throws (esp32)', function () {
      const out = new Digital({ pin: 2, mode: Digital.Output });
      assert.throws(() => new Digital({ pin: 2, mode: Digital.Input }), sdkError(Error, 'in use'));
      assert.throws(() => out.read(), sdkError(Error, "can't read output"));
      const input = new Digital({ pin: 4, mode: Digital.Input });
      assert.throws(() => input.write(1), sdkError(Error, "can't write input"));
      assert.throws(() => new Digital({ mode: Digital.Input } as unknown as { pin: number; mode: number }), sdkError(Error, 'invalid'));
      assert.throws(() => new Digital({ pin: 24, mode: Digital.Input }), sdkError(Error, 'invalid pin'));
      assert.throws(() => new Digital({ pin: 6, mode: 5 }), sdkError(RangeError, 'invalid mode'));
      assert.throws(() => new Digital({ pin: 6, mode: Digital.Input, onReadable() {} }), sdkError(RangeError, 'invalid edges'));
      assert.throws(() => new Digital({ pin: 6, mode: Digital.Input, edge: 1, onReadable: 3 as unknown as () => void }), sdkError(Error, 'not a function'));
      assert.throws(() => new Digital({ pin: 34, mode: Digital.Output }), sdkError(RangeError, 'input only'));
      assert.throws(() => new Digital({ pin: 6, mode: Digital.Input, format: 'buffer' as 'number' }), sdkError(RangeError, 'invalid format'));
      const ignored = new Digital({ pin: 6, mode: Digital.Output, edge: 1, onReadable() {} });
      assert.equal(ignored.edge, 0, 'esp32 ignores onReadable on an output');
      out.write(7 as 1);
      assert.equal(out.level, 1, 'any truthy number drives the pin');
      for (const d of [out, input, ignored]) d.close();
    });

    it('pico: onReadable on an output is a RangeError; activeLow swaps the edges', function () {
      setPlatform('pico');
      assert.throws(() => new Digital({ pin: 6, mode: Digital.Output, edge: 1, onReadable() {} }), sdkError(RangeError, 'invalid mode'));
      assert.throws(() => new Digital({ pin: 30, mode: Digital.Input }), sdkError(Error, 'in use'));
      let n = 0;
      const d = new Digital({ pin: 6, mode: Digital.Input, edge: Digital.Rising, activeLow: true, onReadable: () => n++ } as never as { pin: number; mode: number });
      assert.equal(d.read(), 1, 'level 0 reads 1 when active low');
      assert.equal(d.simulateEdge(1), false, 'the electrical rise is a logical fall');
      assert.equal(d.simulateEdge(0), true);
      assert.equal(n, 1);
      d.close();
    });
  });

  describe('embedded:io/serial (esp32 and pico serial.c)', function () {
    function open(onWritable?: (this: Serial, n: number) => void, onReadable?: (this: Serial, n: number) => void): Serial {
      return new Serial({ port: UART, transmit: 17, receive: 16, baud: 115200, format: 'number', onWritable, onReadable });
    }

    it('esp32: onWritable(128) right after open, with this = the Serial; write() throws "output full" on a full 128-byte FIFO', function () {
      const calls: [unknown, number][] = [];
      const s = open(function (count) {
        calls.push([this, count]);
      });
      assert.equal(s.messages, 1, 'the TX-empty interrupt fires at open');
      assert.equal(s.deliver(), true);
      assert.deepEqual(calls, [[s, 128]]);
      for (let i = 0; i < 128; i++) s.write(i);
      assert.throws(() => s.write(1), sdkError(Error, 'output full'));
      assert.equal(s.txRoom, 0);
      // The interrupt armed by the first write fired then (1 byte queued < 10): one message, count = room now.
      s.deliverAll();
      assert.deepEqual(calls.slice(1), [], 'room 0: onWritable is not called with 0');
      // The line sends; onWritable comes again once fewer than 10 bytes are queued.
      let sent = 0;
      while (s.txWaiting >= ESP32_TX_EMPTY_THRESHOLD) {
        s.takeTx();
        sent++;
      }
      assert.equal(sent, 119);
      assert.equal(s.messages, 1, 'fewer than 10 queued: the TX-empty interrupt fired');
      s.deliver();
      assert.deepEqual(calls.slice(1), [[s, 128 - 9]]);
      s.write(0x41); // re-arms the interrupt; 10 queued: it does not fire yet
      assert.equal(s.messages, 0);
      s.takeTx();
      assert.equal(s.messages, 1);
      s.deliver();
      assert.deepEqual(calls.slice(2), [[s, 128 - 9]]);
      s.write(256); // (uint8_t)ToInteger: no range check
      while (s.txWaiting > 1) s.takeTx();
      assert.equal(s.takeTx(), 0);
      s.close();
    });

    it('esp32: read() with nothing to read returns undefined; onReadable(count) with this = the Serial', function () {
      const calls: [unknown, number][] = [];
      const s = open(undefined, function (count) {
        calls.push([this, count]);
      });
      assert.equal(s.read(), undefined);
      for (let i = 0; i < 130; i++) s.inject(i);
      assert.equal(s.rxOverflow, 2, 'the 128-byte FIFO overflows');
      s.deliverAll();
      assert.deepEqual(calls, [[s, 128]]);
      assert.equal(s.read(), 0);
      s.close();
      assert.throws(() => s.read(), sdkError(SyntaxError, CLOSED));
      assert.throws(() => s.write(1), sdkError(SyntaxError, CLOSED));
      s.close();
    });

    it('esp32: constructor errors; UART 0 is the console (ESP-IDF driver installed); pins are shared with Digital', function () {
      assert.throws(() => new Serial({ port: 0, transmit: 1, receive: 3, baud: 115200 }), sdkError(RangeError, 'port in use'));
      assert.throws(() => new Serial({ port: 3, transmit: 17, baud: 115200 }), sdkError(RangeError, 'invalid port'));
      assert.throws(() => new Serial({ port: 2, transmit: 17, baud: 0 }), sdkError(RangeError, 'invalid baud'));
      assert.throws(() => new Serial({ port: 2, baud: 9600 }), sdkError(Error, 'invalid'));
      assert.throws(() => new Serial({ port: 2, transmit: 17, baud: 9600, format: 'string' as 'number' }), sdkError(RangeError, 'invalid format'));
      assert.throws(() => new Serial({ port: 2, transmit: 17, baud: 9600, onWritable: 1 as unknown as () => void }), sdkError(Error, 'not a function'));
      const led = new Digital({ pin: 17, mode: Digital.Output });
      assert.throws(() => open(), sdkError(Error, 'in use'));
      led.close();
      const s = new Serial({ port: 2, transmit: 17, baud: 9600 });
      assert.equal(s.format, 'buffer', 'the default format is buffer');
      assert.throws(() => new Digital({ pin: 17, mode: Digital.Input }), sdkError(Error, 'in use'));
      assert.throws(() => {
        s.format = 'nope' as 'number';
      }, sdkError(RangeError, 'unknown'));
      s.close();
    });

    it('pico: 128-byte software FIFO before the 32-byte hardware one; onWritable after open and after every write; read() when empty throws "no data"; a closed UART stays in use', function () {
      setPlatform('pico');
      const counts: number[] = [];
      const s = new Serial({ transmit: 0, receive: 1, baud: 115200, format: 'number', onWritable: (n) => counts.push(n) });
      assert.equal(s.port, 0, 'the UART comes from the pins');
      s.deliverAll();
      assert.deepEqual(counts, [128]);
      s.write(1);
      s.deliverAll();
      assert.deepEqual(counts, [128, 128], 'the byte moved on to the hardware FIFO');
      for (let i = 1; i < Serial.txCapacity(); i++) s.write(i);
      assert.equal(Serial.txCapacity(), 160);
      assert.throws(() => s.write(0), sdkError(Error, 'output full'));
      assert.throws(() => s.read(), sdkError(Error, 'no data'));
      s.close();
      assert.throws(() => new Serial({ transmit: 0, baud: 9600 }), sdkError(RangeError, 'port in use'));
      assert.throws(() => new Serial({ transmit: 2, baud: 9600 }), sdkError(Error, 'invalid'));
    });
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
    setTicks(1234);
    assert.equal(d.simulateEdge(0), true);
    setTicks(1300);
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
    assert.throws(() => new DigitalInputSource({ name: 'b', pin: 0, pull: 3, signal: 1, target: q }), (e) => e instanceof DeviceHostError && /'b': pull must be/.test(e.message));
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
              advanceTicks(3);
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
        advanceTicks(1);
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
    setTicks(100);
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
      setTicks(t);
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
    assert.throws(() => new TickDriver([t], { name: 'd', intervalMs: 0 }), (e) => e instanceof DeviceHostError && /'d': intervalMs must be an integer >= 1 \(got 0\)/.test(e.message));
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
    assert.throws(() => new LedOutput({ name: 'x', pin: 1, activeLevel: 2 }), (e) => e instanceof DeviceHostError && /'x': activeLevel must be 0 or 1 \(got 2\)/.test(e.message));
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
  it('reads slot (bytes -> slots), chunk and collection deltas of a window; outcomes clean and allocated', function () {
    setInstrument('XS Slot Heap Used', 16000);
    setInstrument('XS Chunk Heap Used', 5000);
    setInstrument('XS Garbage Collection Count', 0);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    assert.equal(probe.available, 1);
    probe.snapshot();
    setInstrument('XS Slot Heap Used', 16064);
    setInstrument('XS Chunk Heap Used', 5024);
    assert.equal(probe.read(), false);
    assert.equal(probe.outcome, PROBE_ALLOCATED);
    assert.deepEqual([probe.slotBytes, probe.slots, probe.chunkBytes, probe.collections, probe.maxSlots, probe.maxChunkBytes], [64, 4, 24, 0, 4, 24]);
    probe.snapshot();
    assert.equal(probe.read(), true);
    assert.equal(probe.outcome, PROBE_CLEAN);
    assert.deepEqual([probe.windows, probe.slots, probe.chunkBytes, probe.maxSlots, probe.cleanWindows, probe.allocatedWindows], [2, 0, 0, 4, 1, 1]);
    // 64-bit desktop slots are 32 bytes.
    const desktop = new AllocationProbe({ name: 'd', slotBytes: 32 });
    desktop.snapshot();
    setInstrument('XS Slot Heap Used', 16064 + 96);
    desktop.read();
    assert.deepEqual([desktop.slotBytes, desktop.slots], [96, 3]);
  });

  it('adds per-sample GC counts polled by tick(), treating a decrease as the host reset; such windows are not valid and do not update the max', function () {
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
    assert.deepEqual([probe.outcome, probe.collections, probe.countedCollections, probe.inferredCollections, probe.slots, probe.maxSlots], [PROBE_NOT_VALID, 2, 2, 0, 10, 0]);
    probe.snapshot();
    assert.equal(probe.read(), true);
    assert.equal(probe.collections, 0);
  });

  it('the desktop sequence: a collection right after the snapshot, the count reset before the first poll: inferred, not valid, never "allocated"', function () {
    allocate(100000, 400000);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 32 });
    probe.snapshot(); // startDevice: after boot
    collectGarbage(99 * 32, 17776); // the simulator collects after main ...
    sampleInstrumentation(); // ... and the once-a-second sample resets the count to 0
    probe.tick(10); // the first poll sees count 0 and use lower than at the snapshot
    for (let t = 20; t < 1000; t += 10) probe.tick(t);
    assert.equal(probe.read(), false);
    assert.deepEqual(
      [probe.outcome, probe.slots, probe.chunkBytes, probe.collections, probe.countedCollections, probe.inferredCollections],
      [PROBE_NOT_VALID, -99, -17776, 1, 0, 1],
    );
    assert.deepEqual([probe.maxSlots, probe.maxChunkBytes, probe.notValidWindows, probe.allocatedWindows], [0, 0, 1, 0]);
    // The next window is measured again.
    probe.snapshot();
    allocate(64, 0);
    assert.equal(probe.read(), false);
    assert.deepEqual([probe.outcome, probe.slots, probe.collections], [PROBE_ALLOCATED, 2, 0]);
    // A drop with growth afterwards, both between polls of one window: inferred from the poll that saw the drop.
    probe.snapshot();
    collectGarbage(640, 0);
    sampleInstrumentation();
    probe.tick(0);
    allocate(6400, 0);
    assert.equal(probe.read(), false);
    assert.deepEqual([probe.outcome, probe.slots, probe.inferredCollections], [PROBE_NOT_VALID, 180, 1]);
  });

  it('without instruments (plain release build) reports unavailable, never a false zero', function () {
    setInstrumentationAvailable(false);
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    assert.equal(probe.available, 0);
    probe.snapshot();
    probe.tick(1);
    assert.equal(probe.read(), false);
    assert.deepEqual([probe.outcome, probe.windows, probe.slotBytes, probe.chunkBytes, probe.collections], [PROBE_UNAVAILABLE, 1, 0, 0, 0]);
    assert.throws(() => new AllocationProbe({ name: 'z', slotBytes: 0 }), (e) => e instanceof DeviceHostError && /'z': slotBytes must be > 0/.test(e.message));
  });

  it('allocates nothing: 10,000 tick() polls with a changing GC count and collections to infer, 10,000 snapshot()+read()', function () {
    const probe = new AllocationProbe({ name: 'probe', slotBytes: 16 });
    const gc = Instrumentation.map('XS Garbage Collection Count')!;
    const slots = Instrumentation.map('XS Slot Heap Used')!;
    probe.snapshot();
    let i = 0;
    assertNoAllocation(
      () => {
        setInstrumentAt(gc, i % 3);
        setInstrumentAt(slots, 1000 - (i % 5)); // drops every few polls
        probe.tick(i++);
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
    assert.deepEqual([probe.windows, probe.collections, probe.slots, probe.outcome], [10001, 0, 0, PROBE_CLEAN]);
    assertCatchesAllocation(() => probe.tick(i++), 100, 'AllocationProbe.tick');
  });
});

/** Collects received bytes into a fixed buffer; refuses when full; counts TX readiness. */
class BufferSink implements ByteSink {
  readonly bytes = new Uint8Array(64);
  length = 0;
  txReady = 0;
  onRxByte(byte: number): boolean {
    if (this.length === this.bytes.length) return false;
    this.bytes[this.length++] = byte;
    return true;
  }
  onTxReady(): void {
    this.txReady++;
  }
  take(): number[] {
    const out = Array.from(this.bytes.subarray(0, this.length));
    this.length = 0;
    return out;
  }
}

const UART_OPTIONS = Object.freeze({ name: 'uart', port: UART, txPin: 17, rxPin: 16, baud: 115200 });

/** Takes every byte the line can send now. */
function drainLine(s: Serial, out: number[]): void {
  for (let b = s.takeTx(); b >= 0; b = s.takeTx()) out.push(b);
}

describe('hosts/moddable SerialPort (UART)', function () {
  it('opens the port in number format; received bytes reach the sink in order; writes wait for the first onWritable', function () {
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    assert.deepEqual([s.transmit, s.receive, s.baud, s.format], [17, 16, 115200, 'number']);
    assert.equal(port.write(0x40), false, 'no onWritable yet: room 0, nothing written blind');
    assert.deepEqual([port.room, port.txFull, s.txWaiting], [0, 1, 0]);
    s.deliverAll(); // onWritable(128) from open
    assert.deepEqual([port.room, port.writables, sink.txReady], [ESP32_UART_FIFO_BYTES, 1, 1]);
    for (const b of [0x68, 0x69, 0x0a]) s.inject(b);
    assert.equal(s.deliver(), true);
    assert.deepEqual(sink.take(), [0x68, 0x69, 0x0a]);
    assert.equal(port.write(0x41), true);
    assert.equal(port.write(0x42), true);
    assert.deepEqual([s.takeTx(), s.takeTx(), s.takeTx()], [0x41, 0x42, -1]);
    assert.deepEqual([port.received, port.refused, port.written, port.room], [3, 0, 2, 126]);
    assert.throws(() => port.start(sink), (e) => e instanceof DeviceHostError && /start\(\) called twice on UART 2/.test(e.message));
    port.close();
    port.close();
    assert.equal(Serial.open, 0);
    assert.equal(port.write(1), false);
  });

  for (const platform of ['esp32', 'pico'] as const) {
    it(`${platform}: writes only while onWritable room lasts: a full FIFO refuses (counted), never throws "output full"; room comes back with onWritable`, function () {
      setPlatform(platform);
      const options = platform === 'pico' ? { ...UART_OPTIONS, port: 0, txPin: 0, rxPin: 1 } : UART_OPTIONS;
      const port = new SerialPort(options);
      const sink = new BufferSink();
      port.start(sink);
      const s = Serial.at(options.port)!;
      s.deliverAll();
      const line: number[] = [];
      let offered = 0;
      let taken = 0;
      // Offer 1000 bytes; the line sends 3 bytes per round; callbacks delivered between rounds.
      for (let round = 0; offered < 1000 && round < 10000; round++) {
        for (let k = 0; k < 8 && offered < 1000; k++) {
          if (port.write(offered & 0xff)) {
            offered++;
            taken++;
          } else break;
        }
        for (let k = 0; k < 3; k++) {
          const b = s.takeTx();
          if (b >= 0) line.push(b);
        }
        s.deliverAll();
      }
      for (let guard = 0; guard < 100 && s.txWaiting > 0; guard++) {
        drainLine(s, line);
        s.deliverAll();
      }
      assert.equal(taken, 1000);
      assert.equal(line.length, 1000, 'every byte reached the line');
      for (let i = 0; i < 1000; i++) if (line[i] !== (i & 0xff)) assert.fail(`byte ${i} is ${line[i]}`);
      assert.ok(port.txFull > 0, 'the FIFO filled and writes were refused');
      assert.deepEqual([port.written, port.writeErrors], [1000, 0]);
      assert.equal(sink.txReady, port.writables);
      port.close();
    });
  }

  it('a write the port throws on anyway (another writer filled the FIFO) is refused and counted, not thrown', function () {
    const port = new SerialPort(UART_OPTIONS);
    port.start(new BufferSink());
    const s = Serial.at(UART)!;
    s.deliverAll();
    for (let i = 0; i < ESP32_UART_FIFO_BYTES; i++) s.write(0x55); // behind the port's back
    assert.equal(port.write(1), false);
    assert.deepEqual([port.writeErrors, port.room, port.written], [1, 0, 0]);
    assert.equal(port.write(2), false);
    assert.deepEqual([port.txFull, port.writeErrors], [1, 1]);
    port.close();
  });

  it('reads exactly the count onReadable reports (the SDK FIFOs hold less than MAX_READ_PER_CALLBACK); bytes the sink refuses are counted', function () {
    assert.ok(MAX_READ_PER_CALLBACK >= ESP32_UART_FIFO_BYTES && MAX_READ_PER_CALLBACK >= PICO_SERIAL_FIFO_BYTES);
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    for (let i = 0; i < 100; i++) s.inject(i & 0xff);
    s.deliverAll();
    assert.deepEqual([port.received, s.rxWaiting, port.refused], [100, 0, 100 - 64]);
    assert.deepEqual(sink.take(), Array.from({ length: 64 }, (_, i) => i));
    assert.equal(port.received - port.refused, 64);
    port.close();
  });

  it('a board without a UART (NO_PIN) opens nothing and takes every byte (written, dropped); the desktop stub does the same', function () {
    const port = new SerialPort({ ...UART_OPTIONS, txPin: NO_PIN, rxPin: NO_PIN });
    port.start(new BufferSink());
    assert.equal(port.write(1), true);
    assert.deepEqual([Serial.open, port.written, port.dropped, port.txFull], [0, 1, 1, 0]);
    const desk = new DesktopSerialPort(UART_OPTIONS);
    desk.start(new BufferSink());
    assert.equal(desk.write(1), true);
    assert.deepEqual([desk.written, desk.dropped], [1, 1]);
    desk.close();
  });

  it('allocates nothing per byte: 10,000 x (byte received -> sink, byte written, the line sends it, onWritable -> onTxReady)', function () {
    const port = new SerialPort(UART_OPTIONS);
    const sink = new BufferSink();
    port.start(sink);
    const s = Serial.at(UART)!;
    s.deliverAll(); // onWritable(128) from open
    let i = 0;
    assertNoAllocation(
      () => {
        s.inject(i & 0xff);
        port.write(i++ & 0xff);
        s.takeTx();
        s.deliver(); // onReadable + onWritable (the TX-empty interrupt fired)
        sink.length = 0;
      },
      10000,
      'SerialPort onReadable (read -> onRxByte) + write + onWritable',
    );
    assert.deepEqual([port.received, port.refused, port.written, port.txFull, s.rxWaiting, s.txWaiting], [10000, 0, 10000, 0, 0, 0]);
    assert.ok(port.writables >= 10000 && sink.txReady === port.writables);
    assertCatchesAllocation(
      () => {
        s.inject(i & 0xff);
        port.write(i++ & 0xff);
        s.takeTx();
        s.deliver();
        sink.length = 0;
      },
      100,
      'SerialPort receive + write + onWritable',
    );
    port.close();
  });

  it('allocates nothing per refused byte: 10,000 offers to a full port, counted in txFull', function () {
    const port = new SerialPort(UART_OPTIONS);
    port.start(new BufferSink());
    const s = Serial.at(UART)!;
    s.deliverAll();
    while (port.write(0x20));
    const full = port.txFull;
    assertNoAllocation(() => port.write(0x21), 10000, 'SerialPort.write refused (no room)');
    assert.deepEqual([port.txFull - full, port.written, port.writeErrors], [10000, ESP32_UART_FIFO_BYTES, 0]);
    assertCatchesAllocation(() => port.write(0x21), 100, 'SerialPort.write refused');
    port.close();
  });
});

function deviceBoard(reportMs: number, overrides: Partial<BoardConfig> = {}): BoardConfig {
  return Object.freeze({ ...desktopBoard, buttonPin: BUTTON, buttonPull: PULL_UP, buttonActiveLevel: 0, ledPin: LED, ledActiveLevel: 1, reportMs, ...overrides });
}

const g = globalThis as unknown as { trace?: (...m: unknown[]) => void };
let saved: ((...m: unknown[]) => void) | undefined;
let traced: string[] = [];

function captureTrace(): void {
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
}

describe('hosts/moddable device: startDevice with the blinky app', function () {
  captureTrace();

  it('boots through the device path, reports every reportMs, and stopDevice releases everything', function () {
    const run = startDevice({ board: deviceBoard(1000), apps, appName: 'blinky', CrossCoreLink });
    assert.equal(run.app.name, 'blinky');
    assert.deepEqual([Timer.active, Digital.open, run.button.armed, run.driver.running, run.link.supported], [2, 2, true, true, 0]);
    assert.equal(Digital.at(BUTTON)!.mode, Digital.InputPullUp);
    assert.deepEqual(traced, ['keel: app "blinky" running, tick 10 ms, button pin 0, led pin 2, cross-core local\n']);
    Timer.advance(1000);
    assert.equal(traced.length, 2);
    assert.ok(/^keel: window 1: slots 0 chunks 0 B gc 0: clean \(nothing allocated\); ticks 100 late 0 maxLate 0 ms; edges 0 posted 0 refused 0; led writes 0; worker none\n$/.test(traced[1]!), traced[1]);
    reportWindow(run);
    assert.ok(/^keel: window 2: slots 0 chunks 0 B gc 0: clean \(nothing allocated\); ticks 100 /.test(traced[2]!), traced[2]);
    stopDevice(run);
    assert.deepEqual(cleanState(), []);
    // A release build without instruments says so instead of reporting zeros.
    setInstrumentationAvailable(false);
    const release = startDevice({ board: deviceBoard(1000), apps, appName: 'blinky', CrossCoreLink });
    Timer.advance(1000);
    assert.ok(/^keel: window 1: allocation probe unavailable \(release build: use mcconfig -d or -i\); ticks 100 /.test(traced[4]!), traced[4]);
    stopDevice(release);
  });

  it('labels the three outcomes; the desktop sequence (collect after main, sample reset before the first poll) is "not valid", never "ALLOCATED"', function () {
    allocate(50000 * 32, 400000);
    startInstrumentationTimer(); // the host's 1000 ms sample, first in the timer list
    const run = startDevice({ board: deviceBoard(1000), apps, appName: 'blinky', CrossCoreLink });
    collectGarbage(99 * 32, 17776); // after main, after the probe's snapshot
    sampleInstrumentation(); // the sample resets the count before the first tick
    Timer.advance(1000);
    assert.ok(
      /^keel: window 1: slots -99 chunks -17776 B gc 1 \(0 counted, 1 inferred\): not valid \(a collection ran; the deltas are not allocations\); ticks 100 /.test(traced[1]!),
      traced[1],
    );
    allocate(4 * 32, 24); // the hot path allocates in window 2
    Timer.advance(1000);
    assert.ok(/^keel: window 2: slots 4 chunks 24 B gc 0: ALLOCATED on the hot path; /.test(traced[2]!), traced[2]);
    Timer.advance(1000);
    assert.ok(/^keel: window 3: slots 0 chunks 0 B gc 0: clean \(nothing allocated\); /.test(traced[3]!), traced[3]);
    assert.deepEqual([run.probe.notValidWindows, run.probe.allocatedWindows, run.probe.cleanWindows], [1, 1, 1]);
    stopDevice(run);
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

const PING = Object.freeze([0x50, 0x49, 0x4e, 0x47, 0x0a]); // "PING\n"
const PONG = [0x50, 0x4f, 0x4e, 0x47, 0x0a]; // "PONG\n"

/** The board pins of each platform's example UART (and a button/LED that do not collide). */
function uartBoard(platform: 'esp32' | 'pico', reportMs = 0): BoardConfig {
  return platform === 'pico'
    ? deviceBoard(reportMs, { buttonPin: 14, ledPin: 25, uartPort: 0, uartTxPin: 0, uartRxPin: 1 })
    : deviceBoard(reportMs, { uartPort: UART, uartTxPin: 17, uartRxPin: 16 });
}

describe('hosts/moddable device: startDevice with the uart-lines app', function () {
  captureTrace();

  for (const platform of ['esp32', 'pico'] as const) {
    it(`${platform}: a burst of replies larger than the TX FIFO loses no byte and never throws; counters add up`, function () {
      setPlatform(platform);
      const board = uartBoard(platform);
      const run: DeviceRun = startDevice({ board, apps, appName: 'uart-lines', CrossCoreLink });
      const inst = run.instance as UartLinesInstance;
      const s = Serial.at(board.uartPort)!;
      const LINES = 60; // 300 reply bytes; the FIFO holds 128 (esp32) / 160 (pico)
      // The line is stalled: nothing is sent while the lines arrive, one per tick.
      for (let n = 0; n < LINES; n++) {
        for (const b of PING) s.inject(b);
        s.deliverAll();
        Timer.advance(board.tickMs);
      }
      s.deliverAll();
      Timer.advance(board.tickMs);
      const t = inst.lines.transmitter;
      const c = inst.lines.parser.hsm.ctx;
      assert.equal(s.txWaiting, Serial.txCapacity(), 'the FIFO is full');
      assert.ok(t.stalls > 0 && t.waitingForRoom, 'the transmitter waits for room');
      assert.ok(c.txDropped > 0, 'with the FIFO, the stream and the pool full, replies were refused (counted)');
      // The line runs again: onWritable -> onTxReady -> TX_ROOM -> the transmitter resumes where it stopped.
      const wire: number[] = [];
      for (let guard = 0; guard < 1000 && (s.txWaiting > 0 || inst.lines.tx.length > 0 || t.current !== 0); guard++) {
        drainLine(s, wire);
        s.deliverAll();
        Timer.advance(board.tickMs);
      }
      const replies = LINES - c.txDropped;
      assert.equal(wire.length, replies * 5, `${replies} replies of 5 bytes`);
      for (let i = 0; i < wire.length; i++) if (wire[i] !== PONG[i % 5]) assert.fail(`wire byte ${i} is ${wire[i]}`);
      const p = inst.serial;
      assert.deepEqual([c.lines, c.pings, p.received, p.refused, p.writeErrors], [LINES, LINES, LINES * 5, 0, 0]);
      assert.deepEqual([p.written, t.bytes, t.blocks], [wire.length, wire.length, replies]);
      assert.equal(p.txFull, t.stalls, 'every refusal is counted on both sides');
      assert.equal(inst.lines.tx.noBlock + inst.lines.tx.refused, c.txDropped);
      assert.equal(inst.lines.pool.free, inst.lines.pool.capacity, 'every block is back');
      assert.ok(t.roomPosts > 0 && t.roomRefused === 0);
      assert.ok(/^uart rx 300 refused 0 tx \d+ full \d+ errors 0 writables \d+; lines 60 replies dropped \d+ tx stalls \d+$/.test(inst.status()), inst.status());
      stopDevice(run);
      assert.equal(Serial.open, 0, 'stopDevice stopped the app: its port is closed');
    });
  }

  it('the report carries the app status line', function () {
    const run = startDevice({ board: uartBoard('esp32', 1000), apps, appName: 'uart-lines', CrossCoreLink });
    Timer.advance(1000);
    assert.ok(/; uart rx 0 refused 0 tx 0 full 0 errors 0 writables 0; lines 0 replies dropped 0 tx stalls 0\n$/.test(traced[1]!), traced[1]);
    stopDevice(run);
  });

  it('allocates nothing after boot: 2,000 ticks of lines in, replies out through the flow-controlled port (stalls and resumes included)', function () {
    const board = uartBoard('esp32');
    const run = startDevice({ board, apps, appName: 'uart-lines', CrossCoreLink });
    const inst = run.instance as UartLinesInstance;
    const s = Serial.at(UART)!;
    let i = 0;
    let sent = 0;
    assertNoAllocation(
      () => {
        if (i % 5 === 0) for (let k = 0; k < 5; k++) s.inject(PING[k]!);
        // The line stops for a while (the FIFO fills, the transmitter waits), then catches up.
        const budget = i % 400 < 250 ? 0 : 8;
        for (let n = 0; n < budget; n++) if (s.takeTx() >= 0) sent++;
        s.deliverAll();
        Timer.advance(board.tickMs);
        i++;
      },
      2000,
      'uart-lines on the device host: RX, parser, replies, flow-controlled TX',
    );
    const t = inst.lines.transmitter;
    assert.ok(t.stalls > 0, `the transmitter stalled (stalls ${t.stalls})`);
    assert.equal(inst.serial.writeErrors, 0);
    assert.equal(sent + s.txWaiting, inst.serial.written);
    assertCatchesAllocation(
      () => {
        s.deliverAll();
        Timer.advance(board.tickMs);
      },
      100,
      'uart-lines device tick',
    );
    stopDevice(run);
  });
});

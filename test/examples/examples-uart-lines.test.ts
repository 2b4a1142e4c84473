// examples/uart-lines on the simulator: good lines and their replies, every
// kind of malformed line counted once with its error reply, the parser's
// state trace, RX overflow of the byte stream, replies lost to an exhausted
// pool (counted), and zero allocation of every simulator step on XS. Then the
// transmitter's flow control on a port that refuses bytes (ExampleIo.tx
// returning false): it keeps its block and offset, waits for onTxReady and
// loses or repeats no byte, allocation-free. After each test every reply
// block is back in the pool.
import { strict as assert } from '../support/assert.js';
import { assertCatchesAllocation, assertNoAllocation } from '../support/alloc.js';
import { scheduleScenario, SCENARIO_LINES } from '../../examples/sim.js';
import { bootUartLines, SIG_RX_READY, SIG_TX_ROOM, type UartLines } from '../../examples/uart-lines.js';
import { ExampleConfigError, type ExampleIo } from '../../examples/io.js';
import { Kernel } from '../../src/kernel.js';
import { boot, eventTimes, PARSER, stateLog } from '../support/examples-support.js';

type Run = ReturnType<typeof boot>;
let current: Run | null = null;

function start(): Run {
  current = boot(['uart-lines']);
  return current;
}

/** Sends `lines` 50 ms apart from 10 ms and runs until all are answered. */
function send(r: Run, lines: readonly string[]): void {
  for (let i = 0; i < lines.length; i++) r.sim.uart.inject(10 + 50 * i, lines[i]!);
  r.sim.runUntil(10 + 50 * lines.length + 20);
}

function counts(r: Run): number[] {
  const c = r.fw.uart!.parser.hsm.ctx;
  return [c.lines, c.pings, c.sets, c.gets, c.empty, c.badCommand, c.badNumber, c.tooLong, c.txDropped];
}

describe('examples/uart-lines', function () {
  afterEach(function () {
    const u = current?.fw.uart;
    if (u) {
      assert.equal(u.pool.free, u.pool.capacity, 'every reply block is back in the pool');
      assert.equal(u.tx.length, 0);
      assert.equal(u.rx.written, u.rx.taken + u.rx.length);
    }
    current = null;
  });

  it('answers good lines: PING, SET n (0..65535), GET, CR ignored, empty lines skipped', function () {
    const r = start();
    send(r, ['PING\n', 'SET 42\n', 'GET\n', 'SET 0\n', 'GET\n', '\n', 'SET 65535\n', 'GET\n', 'PING\r\n']);
    assert.equal(r.sim.uart.txText(), 'PONG\nOK\n42\nOK\n0\nOK\n65535\nPONG\n');
    //                              lines pings sets gets empty cmd num long dropped
    assert.deepEqual(counts(r), [8, 2, 3, 3, 1, 0, 0, 0, 0]);
    assert.equal(r.fw.uart!.parser.hsm.ctx.stored, 65535);
  });

  it('a SET line walks command -> argument -> command; a bad number goes through discard', function () {
    const r = start();
    send(r, ['SET 7\n', 'SET 4x2\n']);
    // Bytes arrive every 87 us; the parser drains the stream when its RX_READY is dispatched (on the 1 ms tick).
    assert.deepEqual(stateLog(r, PARSER), ['0 command', '11 argument', '11 command', '61 argument', '61 discard', '61 command']);
    assert.deepEqual(eventTimes(r, PARSER, SIG_RX_READY), [10, 11, 60, 61]);
    assert.equal(r.sim.uart.txText(), 'OK\nERR NUM\n');
  });

  const MALFORMED: [string, 'badCommand' | 'badNumber' | 'tooLong', string][] = [
    ['HELLO\n', 'badCommand', 'ERR CMD\n'], // longer than any command
    ['PIN\n', 'badCommand', 'ERR CMD\n'], // unknown
    ['GET 1\n', 'badCommand', 'ERR CMD\n'], // only SET takes an argument
    ['set 1\n', 'badCommand', 'ERR CMD\n'], // lower case
    ['1\n', 'badCommand', 'ERR CMD\n'], // starts with a digit
    [' PING\n', 'badCommand', 'ERR CMD\n'], // leading space
    ['SET\n', 'badNumber', 'ERR NUM\n'], // missing
    ['SET \n', 'badNumber', 'ERR NUM\n'], // empty
    ['SET 70000\n', 'badNumber', 'ERR NUM\n'], // > 65535
    ['SET 123456\n', 'badNumber', 'ERR NUM\n'], // > 5 digits
    ['SET 4x2\n', 'badNumber', 'ERR NUM\n'], // not decimal
    ['SET 1 \n', 'badNumber', 'ERR NUM\n'], // trailing space
    ['SET 123456789012345678901234567890123\n', 'tooLong', 'ERR LONG\n'], // 37 bytes > 32
    ['PING' + 'x'.repeat(40) + '\n', 'tooLong', 'ERR LONG\n'], // too long wins over the earlier bad command
  ];

  for (const [line, kind, reply] of MALFORMED) {
    it(`rejects ${JSON.stringify(line)}: ${kind} + 1, reply ${JSON.stringify(reply)}, then still answers`, function () {
      const r = start();
      send(r, [line, 'PING\n']);
      const c = r.fw.uart!.parser.hsm.ctx;
      assert.equal(c[kind], 1);
      assert.equal(c.badCommand + c.badNumber + c.tooLong, 1, 'counted once, by one kind');
      assert.equal(r.sim.uart.txText(), reply + 'PONG\n');
      assert.equal(c.lines, 2);
      assert.equal(r.fw.uart!.parser.hsm.currentName, 'command');
    });
  }

  it('all malformed lines in one stream: each counted once, by kind', function () {
    const r = start();
    send(r, MALFORMED.map((m) => m[0]));
    assert.deepEqual(counts(r), [14, 0, 0, 0, 0, 6, 6, 2, 0]);
    assert.equal(r.sim.uart.txText(), MALFORMED.map((m) => m[2]).join(''));
  });

  it('RX faster than the parser drains: the byte stream refuses and counts; the next line is answered', function () {
    const r = start();
    const flood = new Uint8Array(200).fill(65); // 'A' x 200 in 0.2 ms
    r.sim.uart.inject(10, flood, 0.001);
    r.sim.uart.inject(20, '\nPING\n');
    r.sim.runUntil(40);
    const u = r.fw.uart!;
    assert.ok(u.rx.refused > 0, `refused ${u.rx.refused}`);
    assert.equal(u.rx.written + u.rx.refused + r.sim.uart.overruns, 206);
    assert.equal(u.rx.minFree, 0);
    assert.equal(r.sim.uart.txText(), 'ERR LONG\nPONG\n');
  });

  it('pool exhausted: the reply is lost and counted (txDropped), later replies flow again', function () {
    const r = start();
    r.sim.faults.holdPool(0, 4, 30, 50); // all 4 reply blocks held from 30 to 80 ms
    send(r, ['PING\n', 'GET\n', 'PING\n']); // at 10, 60 (no block), 110
    assert.equal(r.sim.uart.txText(), 'PONG\nPONG\n');
    assert.equal(r.fw.uart!.parser.hsm.ctx.txDropped, 1);
    assert.equal(r.fw.uart!.tx.noBlock, 1);
    assert.equal(r.fw.uart!.pool.minFree, 0);
  });

  it('the scripted scenario of npm start: replies and counters', function () {
    const r = start();
    scheduleScenario(r.sim, r.fw, 0);
    r.sim.runUntil(4000);
    assert.equal(SCENARIO_LINES.length, 14);
    assert.equal(r.sim.uart.txText(), 'PONG\nOK\n42\nERR NUM\nERR CMD\nERR NUM\nERR NUM\nERR CMD\nERR LONG\nPONG\nERR CMD\nOK\n65535\n');
    assert.deepEqual(counts(r), [13, 2, 2, 2, 1, 3, 3, 1, 0]);
  });

  it('allocates nothing after boot: 4000 simulator steps of UART lines on XS, the first included', function () {
    const r = start();
    scheduleScenario(r.sim, r.fw, 0);
    assertNoAllocation(() => r.sim.step(), 4000, 'uart-lines firmware, one simulator step');
    assert.ok(r.sim.now() > 2900, `ran to ${r.sim.now()} ms`);
    assert.ok(r.fw.uart!.parser.hsm.ctx.lines >= 13);
    assert.ok(r.fw.uart!.transmitter.blocks >= 13);
  });
});

/** An ExampleIo whose UART takes `room` bytes, then refuses until the test drains the line and calls onTxReady. */
class FlowIo implements ExampleIo {
  clock = 0;
  room = 0;
  readonly line = new Uint8Array(8192);
  sent = 0;
  refusals = 0;
  now(): number {
    return this.clock;
  }
  write(): void {}
  tx(byte: number): boolean {
    if (this.room === 0) {
      this.refusals++;
      return false;
    }
    this.room--;
    this.line[this.sent++ & 8191] = byte;
    return true;
  }
  logState(): void {}
  logEvent(): void {}
  text(): string {
    let t = '';
    for (let i = 0; i < this.sent; i++) t += String.fromCharCode(this.line[i]!);
    return t;
  }
}

const PING = new Uint8Array([0x50, 0x49, 0x4e, 0x47, 0x0a]);

function flowBoot(): { io: FlowIo; kernel: Kernel; app: UartLines } {
  const io = new FlowIo();
  const kernel = new Kernel({ name: 'flow', host: io, maxObjects: 4, timers: 4 });
  const app = bootUartLines(kernel, io, {});
  return { io, kernel, app };
}

function feed(app: UartLines, bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i++) app.onRxByte(bytes[i]!);
}

describe('examples/uart-lines: TX flow control (ExampleIo.tx returns false when the port is full)', function () {
  let flow: UartLines | null = null;
  afterEach(function () {
    if (flow !== null) {
      assert.equal(flow.pool.free, flow.pool.capacity, 'every reply block is back in the pool');
      assert.equal(flow.tx.length, 0);
    }
    flow = null;
  });

  it('keeps the block and offset of a refused byte, resumes on onTxReady (TX_ROOM posted once), loses and repeats nothing', function () {
    const { io, kernel, app } = flowBoot();
    flow = app;
    const t = app.transmitter;
    io.room = 7; // one reply and 2 bytes of the next
    for (let n = 0; n < 4; n++) feed(app, PING);
    kernel.run();
    assert.equal(io.text(), 'PONG\nPO');
    assert.deepEqual([t.waitingForRoom, t.offset, t.stalls, io.refusals, app.tx.length], [true, 3, 1, 1, 2]);
    // Readiness: one TX_ROOM however often the port says so before the transmitter runs.
    app.onTxReady();
    app.onTxReady();
    assert.deepEqual([t.roomPosts, kernel.queueOf(app.transmitterAo).length], [1, 1]);
    kernel.run(); // no room yet: refused again, counted, waits again
    assert.deepEqual([t.stalls, t.roomPending, t.waitingForRoom], [2, false, true]);
    for (let guard = 0; guard < 100 && (t.current !== 0 || app.tx.length > 0); guard++) {
      io.room = 3;
      app.onTxReady();
      kernel.run();
    }
    assert.equal(io.text(), 'PONG\n'.repeat(4));
    assert.deepEqual([t.blocks, t.bytes, t.waitingForRoom, t.roomRefused], [4, 20, false, 0]);
    assert.equal(t.stalls, io.refusals, 'every refusal counted');
    // Idle: onTxReady posts nothing.
    app.onTxReady();
    assert.equal(kernel.queueOf(app.transmitterAo).length, 0);
    assert.equal(SIG_TX_ROOM, 2);
  });

  it('replies that find the stream and the pool full while the port is stalled are dropped and counted, the rest arrive whole', function () {
    const { io, kernel, app } = flowBoot();
    flow = app;
    for (let n = 0; n < 10; n++) {
      feed(app, PING);
      kernel.run();
    }
    const c = app.parser.hsm.ctx;
    // The port took nothing: one block is held by the transmitter, the stream holds the rest of the pool.
    assert.deepEqual([io.sent, c.pings, c.txDropped, app.pool.free], [0, 10, 10 - app.pool.capacity, 0]);
    for (let guard = 0; guard < 100 && (app.transmitter.current !== 0 || app.tx.length > 0); guard++) {
      io.room = 64;
      app.onTxReady();
      kernel.run();
    }
    assert.equal(io.text(), 'PONG\n'.repeat(app.pool.capacity));
  });

  it('queueCapacity below 2 is refused (the transmitter may hold TX_READY and TX_ROOM)', function () {
    const io = new FlowIo();
    assert.throws(() => bootUartLines(new Kernel({ host: io }), io, { queueCapacity: 1 }), (e) => e instanceof ExampleConfigError && /queueCapacity must be an integer in 2\.\.65535, got 1/.test(e.message));
  });

  it('allocates nothing: 4,000 rounds of lines in and replies out through a port that stalls and resumes', function () {
    const { io, kernel, app } = flowBoot();
    flow = app;
    let i = 0;
    assertNoAllocation(
      () => {
        if (i % 4 === 0) feed(app, PING);
        io.room = i % 16 < 10 ? 0 : 3;
        if (io.room > 0) app.onTxReady();
        kernel.run();
        io.clock++;
        i++;
      },
      4000,
      'uart-lines with a flow-controlled port',
    );
    for (let guard = 0; guard < 1000 && (app.transmitter.current !== 0 || app.tx.length > 0); guard++) {
      io.room = 64;
      app.onTxReady();
      kernel.run();
    }
    const t = app.transmitter;
    assert.ok(t.stalls > 0 && t.roomPosts > 0);
    assert.equal(io.sent, t.bytes);
    assert.equal(t.bytes, 5 * t.blocks);
    assert.equal(t.blocks + app.parser.hsm.ctx.txDropped, app.parser.hsm.ctx.pings);
    assertCatchesAllocation(
      () => {
        app.onTxReady();
        kernel.run();
      },
      100,
      'uart-lines onTxReady + run',
    );
  });
});

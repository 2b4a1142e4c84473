// examples/uart-lines on the simulator: good lines and their replies, every
// kind of malformed line counted once with its error reply, the parser's
// state trace, RX overflow of the byte stream, replies lost to an exhausted
// pool (counted), and zero allocation of every simulator step on XS. After
// each test every reply block is back in the pool.
import { strict as assert } from './support/assert.js';
import { assertNoAllocation } from './support/alloc.js';
import { scheduleScenario, SCENARIO_LINES } from '../examples/sim.js';
import { SIG_RX_READY } from '../examples/uart-lines.js';
import { boot, eventTimes, PARSER, stateLog } from './examples-support.js';

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

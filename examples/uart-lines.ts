/**
 * examples/uart-lines: a line protocol on a UART, parsed byte by byte by a
 * state machine, with replies sent through pool blocks.
 *
 * Protocol (ASCII, one command per line, '\n' ends a line, '\r' is ignored):
 *
 *   PING\n      -> PONG\n
 *   SET <n>\n   -> OK\n          n: decimal 0..65535, at most 5 digits
 *   GET\n       -> <n>\n         the last value SET (0 at boot)
 *   \n          -> (nothing; counted as empty)
 *   anything else -> ERR CMD\n (unknown command), ERR NUM\n (missing, non-
 *   decimal or out-of-range number), ERR LONG\n (more than maxLine bytes before '\n')
 *
 * Data path (no strings anywhere: bytes, numbers, pre-encoded Uint8Arrays):
 *
 *   UART RX callback --onRxByte(b)--> rx: Stream<u8> --(readiness: RX_READY)--> parser AO
 *     parser AO: while (rx.next()) classify(byte) -> hsm.dispatch(LETTER|DIGIT|SPACE|EOL|CR|OTHER|TOO_LONG, byte)
 *     reply: tx.beginWrite() -> block from the pool, [len, bytes...] -> tx.commitWrite()
 *   tx: BlockStream --(readiness: TX_READY)--> transmitter AO: receive() -> io.tx(byte) while true -> pool.release()
 *   UART TX-ready callback --onTxReady()--> (TX_ROOM, only while the transmitter waits) --> transmitter AO
 *
 * Transmit flow control: `io.tx(byte)` returns false when the port has no
 * room (a Moddable serial port: the last onWritable count is used up). The
 * transmitter then keeps its current block and the offset of the refused
 * byte, counts the refusal (`stalls`), and waits: the platform calls
 * `onTxReady()` when the port reports room (onWritable), which posts
 * TX_ROOM to the transmitter once; it resumes at the same byte. Meanwhile
 * replies wait in the TX stream (and the pool): when both are full, a new
 * reply finds no block and is counted in txDropped. No byte of a queued
 * reply is lost or repeated.
 *
 *   transmitter:  [idle] --TX_READY: receive() = h--> [sending h @ i] --tx(b) true, i++ ...--> release(h) --> [idle]
 *                                                       |         ^
 *                                     tx(b) false:      |         | TX_ROOM (onTxReady -> post once):
 *                                     stalls++, waiting v         | resume at byte i
 *                                                  [waiting for room]
 *
 * The transmitter's queue holds at most two events: one TX_READY (a stream
 * readiness wait posts once and re-arms only when receive() finds nothing)
 * and one TX_ROOM (posted only while waiting, and not again until it is
 * dispatched). queueCapacity must therefore be >= 2.
 *
 * Parser machine (byte classes are its signals; TOO_LONG replaces the class of
 * every byte after the first maxLine bytes of a line):
 *
 *   +-- line ------------------------------------------------------------------------+
 *   |  +---------+ SPACE [cmd = SET] +----------+                                   |
 *   |  | command | ----------------> | argument | DIGIT [fits] / value = 10 v + d     |
 *   |  +---------+                   +----------+                                   |
 *   |   LETTER [len < 4] / append      EOL [digits > 0] / value stored, OK --> command  |
 *   |   EOL / PING: PONG, GET: value, SET: ERR NUM, unknown: ERR CMD --> command         |
 *   |   anything else: error = CMD -->+   anything else: error = NUM --+                |
 *   |                          +---------+ <--------------------------+               |
 *   |                          | discard |  EOL / count error, ERR <error> --> command  |
 *   |                          +---------+  TOO_LONG / error = LONG                     |
 *   |  TOO_LONG (command, argument) / error = LONG --> discard                            |
 *   |  CR: ignored                                                                       |
 *   +------------------------------------------------------------------------------------+
 *
 * Each malformed line is counted once, when it ends, by its first error,
 * except that a line longer than maxLine is always counted as tooLong.
 *
 * Counters (parser context): lines (ended lines, empty ones excluded), pings,
 * gets, sets, empty, badCommand, badNumber, tooLong, txDropped (no block or the TX stream full; the reply is
 * lost, counted). The streams count their own refusals (rx.refused: RX bytes
 * that found the stream full). Transmitter: blocks, bytes, stalls (bytes the
 * port refused, each sent later), roomPosts / roomRefused (TX_ROOM posts).
 *
 * Allocation: `bootUartLines` allocates the machines, the streams, the pool
 * and the pre-encoded command/reply tables. Every byte, line, reply and TX
 * block after boot allocates nothing (XS test over simulator steps).
 */
import type { AoPort, Behaviour, Kernel } from '../src/kernel.js';
import { defineHsm, type HsmDefinition } from '../src/hsm.js';
import { BlockPool, NO_BLOCK } from '../src/pool.js';
import { BlockStream, Stream } from '../src/stream.js';
import { ActiveMachine } from '../src/active-machine.js';
import { checkOption, type ExampleIo } from './io.js';

/** Parser AO: the RX stream's readiness signal (dispatched by the feeder, not the machine). */
export const SIG_RX_READY = 10;
/** Parser machine signals: byte classes. */
export const SIG_LETTER = 1;
export const SIG_DIGIT = 2;
export const SIG_SPACE = 3;
export const SIG_EOL = 4;
export const SIG_CR = 5;
export const SIG_OTHER = 6;
export const SIG_TOO_LONG = 7;
/** Transmitter AO: the TX stream's readiness signal. */
export const SIG_TX_READY = 1;
/** Transmitter AO: the port has room again (posted by onTxReady while the transmitter waits). */
export const SIG_TX_ROOM = 2;

const SIGNALS = Object.freeze({
  LETTER: SIG_LETTER,
  DIGIT: SIG_DIGIT,
  SPACE: SIG_SPACE,
  EOL: SIG_EOL,
  CR: SIG_CR,
  OTHER: SIG_OTHER,
  TOO_LONG: SIG_TOO_LONG,
});

/** Error codes (context `error`). */
export const ERR_NONE = 0;
export const ERR_CMD = 1;
export const ERR_NUM = 2;
export const ERR_LONG = 3;

/** Largest value SET accepts. */
export const MAX_VALUE = 65535;
const MAX_DIGITS = 5;
const MAX_COMMAND = 4;

export interface UartLinesConfig {
  /** Bytes a line may have before '\n' (longer: ERR LONG). Default 32. */
  readonly maxLine?: number;
  /** RX stream capacity (power of two). Default 64. */
  readonly rxCapacity?: number;
  /** Reply blocks in the pool (and TX stream capacity, a power of two). Default 4. */
  readonly txBlocks?: number;
  readonly parserPriority?: number;
  readonly transmitterPriority?: number;
  /** Capacity of both AOs' queues (>= 2: the transmitter may hold TX_READY and TX_ROOM). Default 8. */
  readonly queueCapacity?: number;
  /** Machine id for io.logState. Default 3. */
  readonly machine?: number;
}

export interface ParserCtx {
  cmdLen: number;
  value: number;
  digits: number;
  stored: number;
  error: number;
  lines: number;
  pings: number;
  gets: number;
  sets: number;
  empty: number;
  badCommand: number;
  badNumber: number;
  tooLong: number;
  txDropped: number;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Pre-encoded commands and replies (made once per app, at boot). */
class Vocabulary {
  readonly PING = ascii('PING');
  readonly SET = ascii('SET');
  readonly GET = ascii('GET');
  readonly PONG = ascii('PONG\n');
  readonly OK = ascii('OK\n');
  readonly ERR_CMD = ascii('ERR CMD\n');
  readonly ERR_NUM = ascii('ERR NUM\n');
  readonly ERR_LONG = ascii('ERR LONG\n');
  /** Byte -> signal. */
  readonly classOf = new Uint8Array(256);
  constructor() {
    this.classOf.fill(SIG_OTHER);
    for (let b = 65; b <= 90; b++) this.classOf[b] = SIG_LETTER;
    for (let b = 48; b <= 57; b++) this.classOf[b] = SIG_DIGIT;
    this.classOf[32] = SIG_SPACE;
    this.classOf[10] = SIG_EOL;
    this.classOf[13] = SIG_CR;
  }
}

/** The parser AO's behaviour: drains the RX stream into the machine, one byte per dispatch. */
class ParserFeeder implements Behaviour {
  readonly machine: ActiveMachine<ParserCtx>;
  /** Bytes of the current line so far (reset by '\n'). */
  lineLen = 0;
  bytes = 0;
  constructor(
    private readonly app: UartLines,
    private readonly port: AoPort,
    definition: HsmDefinition<ParserCtx>,
    private readonly io: ExampleIo,
    machineId: number,
  ) {
    // It logs RX_READY itself (below), not each byte it feeds the machine.
    this.machine = new ActiveMachine(definition, port, { monitor: io, machine: machineId, logEvents: false });
  }
  start(): void {
    this.machine.start();
    this.app.rx.waitReadable(this.port, SIG_RX_READY);
  }
  dispatch(sig: number, p0: number, p1: number, p2: number, p3: number): void {
    this.io.logEvent(this.machine.machine, sig, p0, p1);
    if (sig !== SIG_RX_READY) {
      this.machine.dispatch(sig, p0, p1, p2, p3);
      return;
    }
    const rx = this.app.rx;
    const classOf = this.app.words.classOf;
    const max = this.app.maxLine;
    // Bound: the stream holds at most `capacity` bytes and nothing writes to it
    // while this runs (IO callbacks do not preempt a dispatch), so within
    // capacity + 1 calls next() returns false, which re-arms the RX_READY post.
    for (let guard = rx.capacity + 1; guard > 0 && rx.next(); guard--) {
      const b = rx.value;
      this.bytes++;
      let sig = classOf[b]!;
      if (sig === SIG_EOL) this.lineLen = 0;
      else if (++this.lineLen > max) sig = SIG_TOO_LONG;
      this.machine.dispatch(sig, b, 0, 0, 0);
    }
  }
}

/**
 * The transmitter AO's behaviour: writes reply blocks to the UART byte by
 * byte while the port takes them, and releases each block when it is sent.
 * When the port refuses a byte it keeps the block and the offset and waits
 * for TX_ROOM (see the module header). Allocation-free.
 */
class Transmitter implements Behaviour {
  /** Blocks and bytes sent. */
  blocks = 0;
  bytes = 0;
  /** Bytes the port refused (each resumed later; none lost). */
  stalls = 0;
  /** TX_ROOM posts made by onTxReady / refused by the queue (the wait stays armed). */
  roomPosts = 0;
  roomRefused = 0;
  /** The block being sent (NO_BLOCK when idle), its length and the next byte (1..length). */
  current = NO_BLOCK;
  length = 0;
  offset = 0;
  /** The port refused a byte: waiting for onTxReady. */
  waitingForRoom = false;
  /** A TX_ROOM post is queued and not yet dispatched. */
  roomPending = false;
  constructor(
    private readonly app: UartLines,
    private readonly port: AoPort,
  ) {}
  start(): void {
    this.app.tx.waitReadable(this.port, SIG_TX_READY);
  }
  /** IO callback context (onWritable): posts TX_ROOM once if the transmitter waits for room. */
  onRoom(): void {
    if (!this.waitingForRoom || this.roomPending) return;
    if (this.port.post(SIG_TX_ROOM)) {
      this.roomPending = true;
      this.roomPosts++;
    } else this.roomRefused++;
  }
  dispatch(sig: number): void {
    if (sig === SIG_TX_ROOM) this.roomPending = false;
    const app = this.app;
    const tx = app.tx;
    const pool = app.pool;
    const bytes = pool.bytes;
    const io = app.io;
    // Bound: each pass sends one block or stops. At most the stream's
    // capacity of blocks is queued and the stream is not written while this
    // runs, so within capacity + 1 passes receive() finds nothing (which
    // re-arms the TX_READY post) or the port refuses a byte.
    for (let guard = tx.capacity + 1; guard > 0; guard--) {
      let h = this.current;
      if (h === NO_BLOCK) {
        h = tx.receive();
        if (h === NO_BLOCK) return;
        this.current = h;
        this.length = bytes[pool.offset(h)]!;
        this.offset = 1;
      }
      const base = pool.offset(h);
      const n = this.length;
      for (let i = this.offset; i <= n; i++) {
        if (!io.tx(bytes[base + i]!)) {
          this.offset = i;
          this.stalls++;
          this.waitingForRoom = true;
          return;
        }
        this.bytes++;
      }
      this.waitingForRoom = false;
      this.current = NO_BLOCK;
      this.blocks++;
      pool.release(h);
    }
  }
}

export class UartLines {
  readonly rx: Stream<'u8'>;
  readonly pool: BlockPool;
  readonly tx: BlockStream;
  readonly words = new Vocabulary();
  readonly cmd = new Uint8Array(MAX_COMMAND);
  readonly maxLine: number;
  readonly parserAo: number;
  readonly transmitterAo: number;
  readonly feeder: ParserFeeder;
  readonly transmitter: Transmitter;

  constructor(
    readonly kernel: Kernel,
    readonly io: ExampleIo,
    config: UartLinesConfig = {},
  ) {
    this.maxLine = checkOption('uart-lines', 'maxLine', config.maxLine ?? 32, 10, 65535);
    const blocks = checkOption('uart-lines', 'txBlocks', config.txBlocks ?? 4, 1, 1024);
    this.rx = new Stream({ type: 'u8', capacity: config.rxCapacity ?? 64, name: 'uart-rx' });
    this.pool = new BlockPool({ name: 'uart-tx', blockSize: 16, count: blocks, trace: kernel.trace ?? undefined });
    this.tx = new BlockStream({ name: 'uart-tx', capacity: blocks, pool: this.pool });
    const cap = checkOption('uart-lines', 'queueCapacity', config.queueCapacity ?? 8, 2, 65535);
    const definition = parserDefinition(this);
    const machineId = config.machine ?? 3;
    let feeder: ParserFeeder | undefined;
    let transmitter: Transmitter | undefined;
    this.transmitterAo = kernel.spawn(
      { create: (port: AoPort): Behaviour => (transmitter = new Transmitter(this, port)) },
      config.transmitterPriority ?? 2,
      cap,
    );
    this.parserAo = kernel.spawn(
      { create: (port: AoPort): Behaviour => (feeder = new ParserFeeder(this, port, definition, io, machineId)) },
      config.parserPriority ?? 3,
      cap,
    );
    this.feeder = feeder!;
    this.transmitter = transmitter!;
  }

  /** The parser's state machine and counters. */
  get parser(): ActiveMachine<ParserCtx> {
    return this.feeder.machine;
  }

  /** IO callback: one received byte. False when the RX stream is full (counted in rx.refused). */
  onRxByte(byte: number): boolean {
    return this.rx.writeOne(byte);
  }

  /**
   * IO callback: the UART has room to transmit again (Moddable: onWritable).
   * Posts TX_ROOM to the transmitter if it waits for room; otherwise nothing.
   * Allocation-free.
   */
  onTxReady(): void {
    this.transmitter.onRoom();
  }

  /** True when the command buffer holds exactly `word`. */
  isCommand(c: ParserCtx, word: Uint8Array): boolean {
    if (c.cmdLen !== word.length) return false;
    const cmd = this.cmd;
    for (let i = 0; i < word.length; i++) if (cmd[i] !== word[i]) return false;
    return true;
  }

  /** Queues `reply` for transmission in a pool block; counts txDropped when no block or no room. */
  reply(c: ParserCtx, reply: Uint8Array): void {
    const h = this.tx.beginWrite();
    if (h === NO_BLOCK) {
      c.txDropped++;
      return;
    }
    const bytes = this.pool.bytes;
    const off = this.pool.offset(h);
    const n = reply.length;
    bytes[off] = n;
    for (let i = 0; i < n; i++) bytes[off + 1 + i] = reply[i]!;
    this.tx.commitWrite();
  }

  /** Queues the decimal digits of `value` (0..65535) and '\n'. */
  replyNumber(c: ParserCtx, value: number): void {
    const h = this.tx.beginWrite();
    if (h === NO_BLOCK) {
      c.txDropped++;
      return;
    }
    const bytes = this.pool.bytes;
    const off = this.pool.offset(h);
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    let v = value;
    for (let i = digits; i >= 1; i--) {
      bytes[off + i] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    bytes[off + digits + 1] = 10;
    bytes[off] = digits + 1;
    this.tx.commitWrite();
  }

  errorReply(c: ParserCtx): void {
    const w = this.words;
    const e = c.error;
    this.reply(c, e === ERR_LONG ? w.ERR_LONG : e === ERR_NUM ? w.ERR_NUM : w.ERR_CMD);
  }
}

function parserDefinition(app: UartLines): HsmDefinition<ParserCtx> {
  const w = app.words;
  // The first error of a line is kept, except that exceeding maxLine always
  // makes it ERR_LONG. Errors are counted, and answered, when the line ends.
  const mark = (code: number) => (c: ParserCtx): void => {
    c.error = code;
  };
  const badCommand = mark(ERR_CMD);
  const badNumber = mark(ERR_NUM);
  const tooLong = mark(ERR_LONG);
  /** End of a malformed line: count it by kind and answer ERR <kind>. */
  const reject = (c: ParserCtx): void => {
    c.lines++;
    const e = c.error;
    if (e === ERR_LONG) c.tooLong++;
    else if (e === ERR_NUM) c.badNumber++;
    else c.badCommand++;
    app.errorReply(c);
  };
  return defineHsm({
    name: 'parser',
    signals: SIGNALS,
    context: (): ParserCtx => ({
      cmdLen: 0, value: 0, digits: 0, stored: 0, error: 0,
      lines: 0, pings: 0, gets: 0, sets: 0, empty: 0,
      badCommand: 0, badNumber: 0, tooLong: 0, txDropped: 0,
    }),
    initial: 'line',
    states: {
      line: {
        initial: 'command',
        on: {
          TOO_LONG: { target: 'discard', action: tooLong },
          CR: {},
        },
        states: {
          command: {
            entry: (c) => {
              c.cmdLen = 0;
              c.value = 0;
              c.digits = 0;
              c.error = ERR_NONE;
            },
            on: {
              LETTER: [
                {
                  guard: (c) => c.cmdLen < MAX_COMMAND,
                  action: (c, b) => {
                    app.cmd[c.cmdLen++] = b;
                  },
                },
                { target: 'discard', action: badCommand },
              ],
              SPACE: [{ guard: (c) => app.isCommand(c, w.SET), target: 'argument' }, { target: 'discard', action: badCommand }],
              EOL: [
                {
                  guard: (c) => c.cmdLen === 0,
                  action: (c) => {
                    c.empty++;
                  },
                },
                {
                  guard: (c) => app.isCommand(c, w.PING),
                  target: 'command',
                  action: (c) => {
                    c.lines++;
                    c.pings++;
                    app.reply(c, w.PONG);
                  },
                },
                {
                  guard: (c) => app.isCommand(c, w.GET),
                  target: 'command',
                  action: (c) => {
                    c.lines++;
                    c.gets++;
                    app.replyNumber(c, c.stored);
                  },
                },
                {
                  guard: (c) => app.isCommand(c, w.SET),
                  target: 'command',
                  action: (c) => {
                    badNumber(c);
                    reject(c);
                  },
                },
                {
                  target: 'command',
                  action: (c) => {
                    badCommand(c);
                    reject(c);
                  },
                },
              ],
              DIGIT: { target: 'discard', action: badCommand },
              OTHER: { target: 'discard', action: badCommand },
            },
          },
          argument: {
            on: {
              DIGIT: [
                {
                  guard: (c, b) => c.digits < MAX_DIGITS && c.value * 10 + (b - 48) <= MAX_VALUE,
                  action: (c, b) => {
                    c.value = c.value * 10 + (b - 48);
                    c.digits++;
                  },
                },
                { target: 'discard', action: badNumber },
              ],
              EOL: [
                {
                  guard: (c) => c.digits > 0,
                  target: 'command',
                  action: (c) => {
                    c.lines++;
                    c.sets++;
                    c.stored = c.value;
                    app.reply(c, w.OK);
                  },
                },
                {
                  target: 'command',
                  action: (c) => {
                    badNumber(c);
                    reject(c);
                  },
                },
              ],
              LETTER: { target: 'discard', action: badNumber },
              SPACE: { target: 'discard', action: badNumber },
              OTHER: { target: 'discard', action: badNumber },
            },
          },
          discard: {
            on: {
              EOL: { target: 'command', action: reject },
              TOO_LONG: { action: tooLong },
              LETTER: {},
              DIGIT: {},
              SPACE: {},
              OTHER: {},
            },
          },
        },
      },
    },
  });
}

/** Boots the example on `kernel` (boot time; allocates). */
export function bootUartLines(kernel: Kernel, io: ExampleIo, config: UartLinesConfig = {}): UartLines {
  return new UartLines(kernel, io, config);
}

/**
 * cli/keel: the `keel` command (the package's `bin`, built to dist/cli/keel.js
 * by scripts/build-cli.mjs with a `#!/usr/bin/env node` line). A small
 * dispatcher: `keel <command> [args]` imports the command's module on first
 * use and runs it. Host tooling: Node only.
 *
 *   keel [--help | --version]
 *   keel diagram ...   cli/diagram.ts   state diagrams of machine definitions
 *   keel trace ...     cli/trace.ts     decode a trace file
 *
 * A command module exports `run(args: readonly string[]): Promise<number>`
 * (the exit code) and throws `CliUsageError` (cli/usage.ts) for a mistake on
 * the command line; `keel <command> --help` is the module's to answer.
 *
 * Exit codes: 0 done; 2 a mistake on the command line (unknown command or
 * option, bad value, a command not in this build), printed as one line
 * `keel <command>: <message>` plus a hint, on stderr; 1 anything else (a bug:
 * printed with its stack).
 */
import { CliUsageError, EXIT_USAGE } from './usage.js';

interface CommandModule {
  run(args: readonly string[]): Promise<number>;
}

interface Command {
  summary: string;
  load(): Promise<CommandModule>;
}

// The trace command's module is another part of the CLI; imported by a
// computed name so that a build without it still runs (`keel trace` then says so).
const TRACE_MODULE = './trace.js';

const COMMANDS: Record<string, Command> = {
  diagram: { summary: 'draw the state machines a built module exports (mermaid, dot, svg)', load: () => import('./diagram.js') },
  trace: { summary: 'decode a trace file (.ktr) into readable lines', load: () => import(TRACE_MODULE) as Promise<CommandModule> },
};

export const USAGE = `usage: keel <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([n, c]) => `  ${n.padEnd(9)} ${c.summary}`)
  .join('\n')}

'keel <command> --help' describes a command.`;

/** Where main() writes (injected by tests). */
export interface MainIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: MainIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs `keel` with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: MainIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined) throw new CliUsageError('keel', 'missing command', USAGE);
    if (first === '--help' || first === '-h' || first === 'help') {
      io.stdout(USAGE + '\n');
      return 0;
    }
    if (first.startsWith('-')) throw new CliUsageError('keel', `unknown option '${first}' (options come after the command)`, USAGE);
    const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, first) ? COMMANDS[first]! : undefined;
    if (cmd === undefined) throw new CliUsageError('keel', `unknown command '${first}' (commands: ${Object.keys(COMMANDS).join(', ')})`, "run 'keel --help' for usage");
    let mod: CommandModule;
    try {
      mod = await cmd.load();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
        throw new CliUsageError(`keel ${first}`, `not built: this build of keel has no '${first}' command module (${(e as Error).message.split('\n')[0]})`);
      throw e;
    }
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.stderr(`${e.command}: ${e.message}\n${e.hint === '' ? '' : e.hint + '\n'}`);
      return EXIT_USAGE;
    }
    io.stderr(`keel: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

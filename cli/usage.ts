/**
 * cli/usage: the error every `keel` command throws for a mistake on the
 * command line (unknown command or option, a bad value, a module that cannot
 * be loaded or holds nothing to draw). The dispatcher (cli/keel.ts) prints
 * `keel <command>: <message>` and the hint on stderr and exits with code 2;
 * any other error is a bug and exits with code 1 and its stack.
 */
import { KeelError } from '../src/errors.js';

/** Exit code of a command-line mistake. */
export const EXIT_USAGE = 2;

/** A mistake on the command line: printed without a stack, exit code 2. */
export class CliUsageError extends KeelError {
  override name = 'CliUsageError';
  /** Always 'USAGE': a mistake on the command line (the message says which). */
  declare readonly code: 'USAGE';
  constructor(
    /** The command it concerns ('keel' for the dispatcher itself). */
    readonly command: string,
    message: string,
    /** A line telling what to do instead (usage, `--help`), printed after the message. */
    readonly hint = '',
  ) {
    super('USAGE', message);
  }
}

/**
 * cli/bin: the `keel` executable (package.json "bin", built to
 * dist/cli/bin.js with a `#!/usr/bin/env node` line): runs cli/keel.ts's
 * main() with the process's arguments and exits with its code.
 */
import { main } from './keel.js';

process.exitCode = await main(process.argv.slice(2));

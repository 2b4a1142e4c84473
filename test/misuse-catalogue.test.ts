// The misuse catalogue (test/misuse-catalogue.ts) against the build this bundle
// was made with: `npm test` bundles with the debug flag on (Node and XS); the
// release runs (test/node/misuse-release.test.ts) bundle this same file with it
// off for the XS host, and run the catalogue against a release build on Node.
import * as Keel from '../src/index.js';
import { describeCatalogue } from './misuse-catalogue.js';

const debugBuild: boolean = DEBUG;
describeCatalogue(debugBuild ? 'misuse catalogue (debug build)' : 'misuse catalogue (release build)', () => Keel, debugBuild);

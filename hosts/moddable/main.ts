/**
 * hosts/moddable/main: the app's entry module (`creation.main` is "main").
 * NOT preloaded: it starts the device at load time.
 *
 * Everything platform-specific arrives through module specifiers that the
 * manifest's "platforms" section maps per target:
 *   keel/board           boards/esp32/board | boards/rp2040/board | hosts/moddable/desktop/board
 *   keel/host/crosscore  hosts/moddable/esp32/crosscore | hosts/moddable/local/crosscore
 *   keel/app             the application table: bringup (default) and the examples
 * The app to run is `config.keelApp` (manifest "config", overridable on the
 * mcconfig command line: `mcconfig -d -m -p esp32 keelApp=bringup`).
 * Tracing is off unless `config.keelTrace` is "text" or "serial"
 * (`mcconfig -d -m -p lin keelApp=blinky keelTrace=text`); `keelTraceRecords`
 * sizes the ring; `keelStimulus` scripts the button ("ms:pressed,...").
 */
import config from 'mc/config';
import board from 'keel/board';
import apps from 'keel/app';
import { CrossCoreLink } from 'keel/host/crosscore';
import { startDevice } from 'keel/host/device';

const appName: string = typeof config.keelApp === 'string' ? config.keelApp : apps[0].name;
// Tracing (docs/moddable.md "Tracing"): keelTrace "off" (default) | "text" | "serial", keelTraceRecords (ring size).
const keelTrace: unknown = config.keelTrace ?? 'off';
const records: unknown = config.keelTraceRecords;
const traceOptions =
  keelTrace === 'off' ? undefined : { transport: keelTrace as 'text' | 'serial', records: records === undefined ? undefined : Number(records) };
const stimulus: string | undefined = typeof config.keelStimulus === 'string' && config.keelStimulus !== '' ? config.keelStimulus : undefined;
startDevice({ board, apps, appName, CrossCoreLink, trace: traceOptions, stimulus });

/**
 * hosts/moddable/esp32/worker: the entry module of the ESP32 worker VM
 * (module specifier `keel-worker`). NOT preloaded: its top level installs
 * `self.onmessage`, which is per-VM state.
 *
 * Waits for the one attach message of the protocol (see ./crosscore.ts), hands
 * the SharedArrayBuffer to the app's worker side (`keel/app/worker`, default
 * export: a WorkerApp) and replies 'attached', or 'error' with the message.
 * Any other message is answered with 'error' (the protocol has none).
 *
 * Allocation: boot only (the reply objects). After attach, the app's worker
 * side runs on its own Timer and touches only the buffer.
 */
import app from 'keel/app/worker';

const PROTOCOL_VERSION = 1;

self.onmessage = function onAttach(message: unknown): void {
  const m = message as { keel?: unknown; version?: unknown; buffer?: unknown } | null;
  if (m === null || typeof m !== 'object' || m.keel !== 'attach' || m.version !== PROTOCOL_VERSION || !(m.buffer instanceof SharedArrayBuffer)) {
    self.postMessage({ keel: 'error', message: 'keel-worker: expected {keel: "attach", version: 1, buffer: SharedArrayBuffer}' });
    return;
  }
  try {
    app.attach(m.buffer);
    self.postMessage({ keel: 'attached', byteLength: m.buffer.byteLength });
  } catch (e) {
    self.postMessage({ keel: 'error', message: String(e) });
  }
};

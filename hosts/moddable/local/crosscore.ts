/**
 * hosts/moddable/local/crosscore: the single-VM fallback of `keel/host/crosscore`,
 * mapped by boards/rp2040/manifest.json and hosts/moddable/desktop/manifest.json.
 *
 * Raspberry Pi Pico (RP2040): the Moddable SDK runs JavaScript on one core and
 * implements neither JavaScript Atomics nor Web Workers on the second core
 * (both are listed as "possible future work" in Moddable's pico.md), and the
 * worker module is not built for pico. So there is no cross-core queue: the
 * board config says crossCore 0 and the app posts every event into a local
 * (single-VM) queue. An app that still hands a buffer to `start()` has a
 * configuration error, reported here by name.
 *
 * Allocation: none (the error path allocates, at boot).
 */
import type { CrossCoreLinkLike, CrossCoreOptions } from 'keel/host/types';
import { DeviceHostError } from 'keel/host/errors';

export class CrossCoreLink implements CrossCoreLinkLike {
  readonly supported = 0;
  readonly attached = 0;
  readonly name: string;

  constructor(options: CrossCoreOptions) {
    this.name = options.name;
  }

  start(_buffer: SharedArrayBuffer): void {
    throw new DeviceHostError('NO_CROSS_CORE', `CrossCoreLink '${this.name}': this platform has no second VM (RP2040: Moddable runs JavaScript on one core, without Atomics or Workers; desktop builds map the same fallback); the board config has crossCore 0, so create a local queue and leave AppInstance.crossCoreBuffer unset [NO_CROSS_CORE]`);
  }

  stop(): void {}
}

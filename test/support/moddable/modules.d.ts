/**
 * Module declarations for the root type-check (tsconfig.json) of tests that
 * import hosts/moddable: those files import Moddable modules and each other by
 * the bare names the Moddable manifests map. hosts/moddable/tsconfig.json
 * checks them precisely (paths + @moddable/typings); here:
 *  - the Moddable modules get the SDK's own typings (@moddable/typings), so
 *    tests can check the stand-ins in this folder against them;
 *  - the `keel/...` names hosts/moddable imports are declared below with the
 *    types of the files scripts/bundle.mjs maps them to at run time (the
 *    generic hosts/moddable modules, the desktop board and the local
 *    cross-core link, as in the desktop/esp32 manifests). The root config has
 *    no `paths`; if a host module starts importing a name not listed here,
 *    the root type-check says so ("has no exported member"): add it below.
 */
/// <reference path="../../../node_modules/@moddable/typings/timer.d.ts" />
/// <reference path="../../../node_modules/@moddable/typings/time.d.ts" />
/// <reference path="../../../node_modules/@moddable/typings/instrumentation.d.ts" />
/// <reference path="../../../node_modules/@moddable/typings/embedded_io/_common.d.ts" />
/// <reference path="../../../node_modules/@moddable/typings/embedded_io/digital.d.ts" />
/// <reference path="../../../node_modules/@moddable/typings/embedded_io/serial.d.ts" />

declare module 'keel/host/types' {
  export type AppInstance = import('../../../hosts/moddable/types.js').AppInstance;
  export type AppTable = import('../../../hosts/moddable/types.js').AppTable;
  export type BoardConfig = import('../../../hosts/moddable/types.js').BoardConfig;
  export type DeviceApp = import('../../../hosts/moddable/types.js').DeviceApp;
  export type DeviceContext = import('../../../hosts/moddable/types.js').DeviceContext;
  export type LedWriter = import('../../../hosts/moddable/types.js').LedWriter;
  export type Postable = import('../../../hosts/moddable/types.js').Postable;
  export type Tickable = import('../../../hosts/moddable/types.js').Tickable;
  export type CrossCoreModule = import('../../../hosts/moddable/types.js').CrossCoreModule;
  export type CrossCoreLinkLike = import('../../../hosts/moddable/types.js').CrossCoreLinkLike;
  export type CrossCoreOptions = import('../../../hosts/moddable/types.js').CrossCoreOptions;
  export type WorkerApp = import('../../../hosts/moddable/types.js').WorkerApp;
  export const NO_PIN: typeof import('../../../hosts/moddable/types.js').NO_PIN;
  export const PULL_NONE: typeof import('../../../hosts/moddable/types.js').PULL_NONE;
  export const PULL_UP: typeof import('../../../hosts/moddable/types.js').PULL_UP;
  export const PULL_DOWN: typeof import('../../../hosts/moddable/types.js').PULL_DOWN;
}
declare module 'keel/host/errors' {
  export const DeviceHostError: typeof import('../../../hosts/moddable/errors.js').DeviceHostError;
  export type DeviceHostError = import('../../../hosts/moddable/errors.js').DeviceHostError;
}
declare module 'keel/host/tick' {
  export const TickDriver: typeof import('../../../hosts/moddable/tick.js').TickDriver;
  export type TickDriver = import('../../../hosts/moddable/tick.js').TickDriver;
  export type TickDriverOptions = import('../../../hosts/moddable/tick.js').TickDriverOptions;
  export const MAX_TICK_TARGETS: typeof import('../../../hosts/moddable/tick.js').MAX_TICK_TARGETS;
}
declare module 'keel/host/probe' {
  export const AllocationProbe: typeof import('../../../hosts/moddable/alloc-probe.js').AllocationProbe;
  export type AllocationProbe = import('../../../hosts/moddable/alloc-probe.js').AllocationProbe;
  export type AllocationProbeOptions = import('../../../hosts/moddable/alloc-probe.js').AllocationProbeOptions;
  export const PROBE_UNAVAILABLE: typeof import('../../../hosts/moddable/alloc-probe.js').PROBE_UNAVAILABLE;
  export const PROBE_CLEAN: typeof import('../../../hosts/moddable/alloc-probe.js').PROBE_CLEAN;
  export const PROBE_ALLOCATED: typeof import('../../../hosts/moddable/alloc-probe.js').PROBE_ALLOCATED;
  export const PROBE_NOT_VALID: typeof import('../../../hosts/moddable/alloc-probe.js').PROBE_NOT_VALID;
}
declare module 'keel/host/digital-input' {
  export const DigitalInputSource: typeof import('../../../hosts/moddable/digital-input.js').DigitalInputSource;
  export type DigitalInputSource = import('../../../hosts/moddable/digital-input.js').DigitalInputSource;
  export type DigitalInputOptions = import('../../../hosts/moddable/digital-input.js').DigitalInputOptions;
}
declare module 'keel/host/digital-output' {
  export const LedOutput: typeof import('../../../hosts/moddable/digital-output.js').LedOutput;
  export type LedOutput = import('../../../hosts/moddable/digital-output.js').LedOutput;
  export type LedOutputOptions = import('../../../hosts/moddable/digital-output.js').LedOutputOptions;
}
declare module 'keel/host/serial' {
  export const SerialPort: typeof import('../../../hosts/moddable/serial.js').SerialPort;
  export type SerialPort = import('../../../hosts/moddable/serial.js').SerialPort;
  export type ByteSink = import('../../../hosts/moddable/serial.js').ByteSink;
  export type SerialPortOptions = import('../../../hosts/moddable/serial.js').SerialPortOptions;
  export const MAX_READ_PER_CALLBACK: typeof import('../../../hosts/moddable/serial.js').MAX_READ_PER_CALLBACK;
}
declare module 'keel/host/device' {
  export type StartDeviceOptions = import('../../../hosts/moddable/device.js').StartDeviceOptions;
  export type DeviceRun = import('../../../hosts/moddable/device.js').DeviceRun;
  export const startDevice: typeof import('../../../hosts/moddable/device.js').startDevice;
  export const reportWindow: typeof import('../../../hosts/moddable/device.js').reportWindow;
  export const stopDevice: typeof import('../../../hosts/moddable/device.js').stopDevice;
}
declare module 'keel/host/bringup' {
  export const bringup: typeof import('../../../hosts/moddable/bringup.js').bringup;
}
declare module 'keel/host/crosscore' {
  export const CrossCoreLink: typeof import('../../../hosts/moddable/local/crosscore.js').CrossCoreLink;
  export type CrossCoreLink = import('../../../hosts/moddable/local/crosscore.js').CrossCoreLink;
}
declare module 'keel/errors' {
  export const KeelError: typeof import('../../../src/errors.js').KeelError;
  export type KeelError = import('../../../src/errors.js').KeelError;
  export const showValue: typeof import('../../../src/errors.js').showValue;
}
declare module 'keel/kernel' {
  export const Kernel: typeof import('../../../src/kernel.js').Kernel;
  export type Kernel = import('../../../src/kernel.js').Kernel;
  export type KernelHost = import('../../../src/kernel.js').KernelHost;
}
declare module 'keel/examples/io' {
  export type ExampleIo = import('../../../examples/io.js').ExampleIo;
  export type InputSink = import('../../../examples/io.js').InputSink;
}
declare module 'keel/examples/blinky' {
  export const bootBlinky: typeof import('../../../examples/blinky.js').bootBlinky;
  export type BlinkyConfig = import('../../../examples/blinky.js').BlinkyConfig;
}
declare module 'keel/examples/port-reset' {
  export const bootPortReset: typeof import('../../../examples/port-reset.js').bootPortReset;
  export type PortResetConfig = import('../../../examples/port-reset.js').PortResetConfig;
}
declare module 'keel/trace' {
  export const Trace: typeof import('../../../src/trace.js').Trace;
  export type Trace = import('../../../src/trace.js').Trace;
}
declare module 'keel/trace-frames' {
  export const FRAME_HEADER_BYTES: typeof import('../../../src/trace-frames.js').FRAME_HEADER_BYTES;
  export const FRAME_TRAILER_BYTES: typeof import('../../../src/trace-frames.js').FRAME_TRAILER_BYTES;
  export const OBJ_AO: typeof import('../../../src/trace-frames.js').OBJ_AO;
  export const OBJ_HSM: typeof import('../../../src/trace-frames.js').OBJ_HSM;
  export const OBJ_KERNEL: typeof import('../../../src/trace-frames.js').OBJ_KERNEL;
  export const OBJ_OTHER: typeof import('../../../src/trace-frames.js').OBJ_OTHER;
  export const OBJ_POOL: typeof import('../../../src/trace-frames.js').OBJ_POOL;
  export const OBJ_QUEUE: typeof import('../../../src/trace-frames.js').OBJ_QUEUE;
  export const OBJ_STREAM: typeof import('../../../src/trace-frames.js').OBJ_STREAM;
  export const TraceFrameWriter: typeof import('../../../src/trace-frames.js').TraceFrameWriter;
  export type TraceFrameWriter = import('../../../src/trace-frames.js').TraceFrameWriter;
  export type TraceByteSink = import('../../../src/trace-frames.js').TraceByteSink;
  export type TraceMachineInfo = import('../../../src/trace-frames.js').TraceMachineInfo;
}
declare module 'keel/host/trace-drain' {
  export const TraceDrain: typeof import('../../../hosts/moddable/trace-drain.js').TraceDrain;
  export type TraceDrain = import('../../../hosts/moddable/trace-drain.js').TraceDrain;
  export const TraceTextSink: typeof import('../../../hosts/moddable/trace-drain.js').TraceTextSink;
  export type TraceTextSink = import('../../../hosts/moddable/trace-drain.js').TraceTextSink;
  export const TraceSerialSink: typeof import('../../../hosts/moddable/trace-drain.js').TraceSerialSink;
  export type TraceSerialSink = import('../../../hosts/moddable/trace-drain.js').TraceSerialSink;
  export type TraceFrameSink = import('../../../hosts/moddable/trace-drain.js').TraceFrameSink;
  export const TRACE_LINE_PREFIX: typeof import('../../../hosts/moddable/trace-drain.js').TRACE_LINE_PREFIX;
}
declare module 'keel/host/app-configs' {
  export const blinkyConfig: typeof import('../../../hosts/moddable/app-configs.js').blinkyConfig;
  export const portResetConfig: typeof import('../../../hosts/moddable/app-configs.js').portResetConfig;
  export const kernelConfig: typeof import('../../../hosts/moddable/app-configs.js').kernelConfig;
  export const KERNEL_NEEDS: typeof import('../../../hosts/moddable/app-configs.js').KERNEL_NEEDS;
  export type KernelApp = import('../../../hosts/moddable/app-configs.js').KernelApp;
}
declare module 'keel/host/stimulus' {
  export const Stimulus: typeof import('../../../hosts/moddable/stimulus.js').Stimulus;
  export type Stimulus = import('../../../hosts/moddable/stimulus.js').Stimulus;
  export const parseStimulus: typeof import('../../../hosts/moddable/stimulus.js').parseStimulus;
}
declare module 'keel/examples/uart-lines' {
  export const bootUartLines: typeof import('../../../examples/uart-lines.js').bootUartLines;
  export type UartLines = import('../../../examples/uart-lines.js').UartLines;
}
declare module 'keel/board' {
  const value: typeof import('../../../hosts/moddable/desktop/board.js').default;
  export default value;
}
declare module 'keel/app' {
  const value: typeof import('../../../hosts/moddable/examples.js').default;
  export default value;
}
declare module 'keel/queue' {
  export const NO_EVENT: typeof import('../../../src/queue.js').NO_EVENT;
  export type EventQueue = import('../../../src/queue.js').EventQueue;
}
declare module 'keel/shared-queue' {
  export const SharedEventQueue: typeof import('../../../src/shared-queue.js').SharedEventQueue;
  export type SharedEventQueue = import('../../../src/shared-queue.js').SharedEventQueue;
  export const QueueCorruptionError: typeof import('../../../src/shared-queue.js').QueueCorruptionError;
  export type QueueCorruptionError = import('../../../src/shared-queue.js').QueueCorruptionError;
}
/** The interrupt bridge's native binding: at test time the $xs.isr* stand-in (scripts/bundle.mjs). */
declare module 'keel/host/interrupt/native' {
  export const InterruptNative: typeof import('./interrupt-native.js').InterruptNative;
  export type InterruptNative = import('./interrupt-native.js').InterruptNative;
  export const InterruptRing: typeof import('./interrupt-native.js').InterruptRing;
  export type InterruptRing = import('./interrupt-native.js').InterruptRing;
}

/** Moddable's console output (xs.d.ts declares it for device code; device.ts uses it). */
declare function trace(...messages: unknown[]): void;

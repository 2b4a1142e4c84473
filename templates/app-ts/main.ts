// The TypeScript version of templates/app/main.js. mcconfig compiles .ts
// modules with the `tsc` on PATH (Moddable SDK 8.2.3 needs TypeScript 6 or
// later). Types come from node_modules/keel/dist/xs/*.d.ts.
import Timer from "timer";
import Time from "time";
// Everything comes from "keel"; one module at a time works too ("keel/kernel", "keel/hsm", ...).
import { defineHsm } from "keel";
import { Kernel } from "keel/kernel";
import { TickDriver } from "keel/host/tick";
import { AllocationProbe, PROBE_CLEAN, PROBE_NOT_VALID } from "keel/host/probe";

const blinker = defineHsm({
	name: "blinker",
	signals: { PRESS: 1 },
	context: () => ({ toggles: 0, led: 0 }),
	initial: "blinking",
	states: {
		blinking: {
			every: { 500: { action: (c) => { c.toggles++; c.led ^= 1; } } },
			on: { PRESS: "dark" },
		},
		dark: { on: { PRESS: "blinking" } },
	},
});

const kernel = new Kernel({ name: "app", maxObjects: 4, timers: 4, host: { now: () => Time.ticks } });
const machine = kernel.spawnMachine(blinker, { priority: 1, queueCapacity: 8 });
const app = {
	tick(now: number): void {
		kernel.tick(now);
		kernel.run();
	},
};
const probe = new AllocationProbe({ name: "app", slotBytes: 32 });
const driver = new TickDriver([app, probe], { intervalMs: 10 });
driver.start();
probe.snapshot();

Timer.repeat(() => {
	probe.read();
	const o = probe.outcome;
	// The first window usually holds the collection that follows boot: not valid, not an allocation.
	const clean = o === PROBE_CLEAN ? "clean" : o === PROBE_NOT_VALID ? "not valid (a collection ran)" : "ALLOCATED (or no instruments: build with -d or -i)";
	trace(`keel app: window ${probe.windows}: slots ${probe.slots} chunks ${probe.chunkBytes} B gc ${probe.collections}: ${clean}; ticks ${driver.ticks}, toggles ${machine.ctx.toggles}, stale ${kernel.staleExpiries}\n`);
	probe.snapshot();
}, 1000);

// A Keel app: a state machine as an active object, a 500 ms blink timer in
// its spec, the kernel driven by a Moddable Timer, and Keel's allocation
// probe checking once a second that nothing allocates after boot.
// Build: mcconfig -d -m -p lin (desktop), -p esp32, -p pico. Copy this folder,
// `npm install keel`, build: see node_modules/keel/docs/moddable.md.
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

// Sizes are fixed here, at boot: queues, time events, slots.
const kernel = new Kernel({ name: "app", maxObjects: 4, timers: 4, host: { now: () => Time.ticks } });
const machine = kernel.spawnMachine(blinker, { priority: 1, queueCapacity: 8 });

// Every tick: expire time events, then run the active objects to completion.
const app = {
	tick(now) {
		kernel.tick(now);
		kernel.run();
	},
};
// slotBytes: 16 on 32-bit MCUs, 32 on the 64-bit desktop simulator (lin/mac/win).
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

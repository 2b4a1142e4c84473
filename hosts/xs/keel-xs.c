/*
 * keel-xs: the XS engine test host for Keel.
 *
 * A small command-line host compiled from the XS engine sources shipped in the
 * npm package @agoric/xsnap (moddable/xs) and its xsnap platform layer
 * (xsnapPlatform.c: module loading, timers, run loop, chunk allocation).
 * hosts/xs/build.mjs compiles it with the machine's `cc` and caches it.
 *
 * It runs scripts (.js) and modules (.mjs) given on the command line, in order,
 * then the run loop (timers, promise jobs), and exits with:
 *   0  everything ran and nobody called $xs.exit(n) with n != 0
 *   n  the last value given to $xs.exit(n)
 *   1  an uncaught exception in a script
 *   XS abort status (e.g. 2 for "memory full") when the machine aborted
 *
 * Globals it installs:
 *   print(...values)        write the values, space separated, and a newline
 *   gc()                    force a full garbage collection
 *   performance.now()       wall-clock milliseconds (double)
 *   setTimeout / setInterval / clearTimeout / clearInterval  (really wait)
 *   $xs.slots()             slots in use       (machine->currentHeapCount)
 *   $xs.chunks()            chunk bytes in use (machine->currentChunksSize)
 *   $xs.steps()             XS compute meter   (machine->meterIndex, u32)
 *   $xs.gcCount()           garbage collections since start
 *   $xs.heapSlots()         fixed slot heap size (slots)
 *   $xs.heapChunks()        fixed chunk heap size (bytes)
 *   $xs.exit(code)          set the exit status
 *   $xs.sleepUs(us)         block this (the VM's) thread for `us` microseconds
 *                           (a test stalls its consumer with it)
 *
 * The native interrupt bridge's test bench (hosts/native/keel_isr.c, compiled
 * into this host; docs/interrupts.md). POSIX threads play interrupt handlers
 * that post timestamped edges into a SharedEventQueue's buffer with
 * keel_isr_edge(); the JavaScript consumer drains it on the VM's thread.
 *   $xs.isrStart({ buffer, mode, sig, id, sources, count, ratePerSec, burst,
 *                  glitchUs, wake, maxFill })
 *       buffer      a SharedArrayBuffer formatted by new SharedEventQueue()
 *       mode        'single' (KEEL_ISR_SINGLE) or 'multiple' (default)
 *       sig, id     the signal (default 1) and source 0's id (default 0;
 *                   source i posts p0 = id + i)
 *       sources     producers, 1..8 (default 1); each its own thread
 *       count       edges per source (default 0: no thread starts; post
 *                   from the VM's thread with isrEdges)
 *       ratePerSec  edges per second per source, in bursts of `burst`
 *                   (default 1) back-to-back edges; 0 (default) = full speed
 *       glitchUs    keel_isr glitch filter (default 0: off)
 *       wake        true (default): keel_isr's wake callback posts a
 *                   semaphore that isrWait() waits on (once per burst)
 *       maxFill     0 (default): off. Else a thread waits before a burst
 *                   while the ring holds more than maxFill records (TAIL -
 *                   HEAD, read with acquire loads), so a run paced faster
 *                   than a loaded machine's consumer slows down instead of
 *                   overflowing; the waits are counted (isrStats().throttled).
 *                   Not an interrupt's behaviour (an ISR cannot wait): the
 *                   tests use it to make every edge of a long run arrive.
 *     Attaches with keel_isr_attach (a bad buffer or mode throws an Error
 *     naming the KEEL_ISR_E* code), retains the buffer's shared chunk until
 *     the run ends, starts the threads together and returns how many started.
 *     Ends a previous run whose threads are done; throws while one runs.
 *   $xs.isrEdges(source, n)   n edges of source (index) from this thread, now;
 *                             returns how many were posted. Allocates nothing.
 *   $xs.isrRunning()          producer threads that have not posted their last edge
 *   $xs.isrWait(timeoutMs, done = true)
 *                             1 once a wake arrived (then, unless done is
 *                             false, keel_isr_wake_done on every source,
 *                             before the caller drains), 0 at the timeout
 *                             (0: do not block). Allocates nothing.
 *   $xs.isrWakeDone()         keel_isr_wake_done on every source (a caller of
 *                             isrWait(ms, false), as a wake handler would)
 *   $xs.isrCounter(i)         one counter summed over the sources, a number:
 *                             0 offered, 1 posted, 2 refused, 3 glitched,
 *                             4 corrupt, 5 wakes. Allocates nothing.
 *   $xs.isrNowUs()            the producers' clock: CLOCK_MONOTONIC, microseconds
 *   $xs.isrStats(source?)     { offered, posted, refused, glitched, corrupt, wakes,
 *                             firstUs, lastUs, throttled } of one source, or summed over all
 *                             (firstUs/lastUs: the first and last edge's time)
 *   $xs.isrJoin()             joins the threads, ends the run (the buffer's chunk
 *                             is released), returns isrStats()
 *
 * The counters are read straight from the machine. Between two collections the
 * slot count grows by one per slot and the chunk size by the bytes of each
 * chunk; gc() recomputes both. Reading them allocates nothing.
 *
 * The heap is fixed: the initial sizes below (or --slots / --chunks) and zero
 * increments, so a runaway allocation aborts with "memory full" and a non-zero
 * exit status instead of growing.
 */
#include "xsAll.h"
#include "xsnap.h"
#include "keel_isr.h"
#include <semaphore.h>
#include <sched.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define KEEL_DEFAULT_SLOTS (2 * 1024 * 1024)          /* 2 Mi slots */
#define KEEL_DEFAULT_CHUNKS (96 * 1024 * 1024)        /* 96 MiB */
#define KEEL_STACK_COUNT 8192
#define KEEL_KEY_COUNT 65536

static int gxExitCode = 0;
static unsigned long gxGCCount = 0;

static void kx_print(xsMachine* the);
static void kx_gc(xsMachine* the);
static void kx_now(xsMachine* the);
static void kx_setTimeout(xsMachine* the);
static void kx_setInterval(xsMachine* the);
static void kx_clearTimer(xsMachine* the);
static void kx_slots(xsMachine* the);
static void kx_chunks(xsMachine* the);
static void kx_steps(xsMachine* the);
static void kx_gcCount(xsMachine* the);
static void kx_heapSlots(xsMachine* the);
static void kx_heapChunks(xsMachine* the);
static void kx_exit(xsMachine* the);
static void kx_sleepUs(xsMachine* the);
static void kx_isrStart(xsMachine* the);
static void kx_isrEdges(xsMachine* the);
static void kx_isrRunning(xsMachine* the);
static void kx_isrWait(xsMachine* the);
static void kx_isrNowUs(xsMachine* the);
static void kx_isrStats(xsMachine* the);
static void kx_isrJoin(xsMachine* the);
static void kx_isrWakeDone(xsMachine* the);
static void kx_isrCounter(xsMachine* the);
static void kx_isrEnd(void);

/* The GC probe: a host object whose mark hook runs once per collection. */
static void kx_probeDestroy(void* data) { (void)data; }
static void kx_probeMark(txMachine* the, void* it, txMarkRoot markRoot)
{
	(void)the; (void)it; (void)markRoot;
	gxGCCount++;
}
static xsHostHooks gxProbeHooks = { kx_probeDestroy, kx_probeMark };

#ifdef mxMetering
static xsBooleanValue kx_meter(xsMachine* the, xsUnsignedValue index)
{
	(void)the; (void)index;
	return 1;
}
#endif

static void kx_usage(void)
{
	fprintf(stderr,
		"usage: keel-xs [--slots N] [--chunks BYTES] file.js|file.mjs ...\n"
		"  runs each script (.js) or module (.mjs) in order, then the run loop.\n"
		"  --slots N       fixed slot heap (default %d slots)\n"
		"  --chunks BYTES  fixed chunk heap (default %d bytes)\n",
		KEEL_DEFAULT_SLOTS, KEEL_DEFAULT_CHUNKS);
}

static void kx_define(xsMachine* the, xsSlot* target, const char* name, xsCallback callback, int length)
{
	xsVar(1) = xsNewHostFunction(callback, length);
	xsDefine(*target, xsID(name), xsVar(1), xsDontEnum);
}

static void kx_build(xsMachine* machine)
{
	xsBeginHost(machine);
	{
		xsVars(3);
		kx_define(the, &xsGlobal, "print", kx_print, 1);
		kx_define(the, &xsGlobal, "gc", kx_gc, 0);
		kx_define(the, &xsGlobal, "setTimeout", kx_setTimeout, 2);
		kx_define(the, &xsGlobal, "setInterval", kx_setInterval, 2);
		kx_define(the, &xsGlobal, "clearTimeout", kx_clearTimer, 1);
		kx_define(the, &xsGlobal, "clearInterval", kx_clearTimer, 1);

		xsVar(0) = xsNewObject();
		kx_define(the, &xsVar(0), "now", kx_now, 0);
		xsDefine(xsGlobal, xsID("performance"), xsVar(0), xsDontEnum);

		xsVar(0) = xsNewObject();
		kx_define(the, &xsVar(0), "slots", kx_slots, 0);
		kx_define(the, &xsVar(0), "chunks", kx_chunks, 0);
		kx_define(the, &xsVar(0), "steps", kx_steps, 0);
		kx_define(the, &xsVar(0), "gcCount", kx_gcCount, 0);
		kx_define(the, &xsVar(0), "heapSlots", kx_heapSlots, 0);
		kx_define(the, &xsVar(0), "heapChunks", kx_heapChunks, 0);
		kx_define(the, &xsVar(0), "exit", kx_exit, 1);
		kx_define(the, &xsVar(0), "sleepUs", kx_sleepUs, 1);
		kx_define(the, &xsVar(0), "isrStart", kx_isrStart, 1);
		kx_define(the, &xsVar(0), "isrEdges", kx_isrEdges, 2);
		kx_define(the, &xsVar(0), "isrRunning", kx_isrRunning, 0);
		kx_define(the, &xsVar(0), "isrWait", kx_isrWait, 2);
		kx_define(the, &xsVar(0), "isrWakeDone", kx_isrWakeDone, 0);
		kx_define(the, &xsVar(0), "isrCounter", kx_isrCounter, 1);
		kx_define(the, &xsVar(0), "isrNowUs", kx_isrNowUs, 0);
		kx_define(the, &xsVar(0), "isrStats", kx_isrStats, 1);
		kx_define(the, &xsVar(0), "isrJoin", kx_isrJoin, 0);
		xsVar(2) = xsNewHostObject(NULL);
		xsSetHostData(xsVar(2), &gxGCCount); /* the mark hook only runs for non-NULL data */
		xsSetHostHooks(xsVar(2), &gxProbeHooks);
		xsDefine(xsVar(0), xsID("gcProbe"), xsVar(2), xsDontEnum);
		xsDefine(xsGlobal, xsID("$xs"), xsVar(0), xsDontEnum);
	}
	xsEndHost(machine);
}

static int kx_run(xsMachine* machine, const char* file)
{
	char path[C_PATH_MAX];
	char* dot;
	int failed = 0;
	xsBeginHost(machine);
	{
		xsVars(1);
		xsTry {
			if (!c_realpath(file, path))
				xsURIError("file not found: %s", file);
			dot = strrchr(path, '.');
			if (dot && !c_strcmp(dot, ".mjs"))
				xsRunModuleFile(path);
			else
				xsRunProgramFile(path);
		}
		xsCatch {
			xsVar(0) = xsException;
			fprintf(stderr, "keel-xs: uncaught exception in %s: %s\n", file, xsToString(xsVar(0)));
			if (xsTypeOf(xsVar(0)) == xsReferenceType && xsHas(xsVar(0), xsID("stack"))) {
				xsVar(0) = xsGet(xsVar(0), xsID("stack"));
				if (xsTypeOf(xsVar(0)) == xsStringType)
					fprintf(stderr, "%s\n", xsToString(xsVar(0)));
			}
			failed = 1;
		}
	}
	xsEndHost(machine);
	return failed;
}

int main(int argc, char* argv[])
{
	int argi;
	int failed = 0;
	int status;
	long slots = KEEL_DEFAULT_SLOTS;
	long chunks = KEEL_DEFAULT_CHUNKS;
	int files = 0;
	xsMachine* machine;

	for (argi = 1; argi < argc; argi++) {
		if (!strcmp(argv[argi], "--slots") && (argi + 1 < argc))
			slots = atol(argv[++argi]);
		else if (!strcmp(argv[argi], "--chunks") && (argi + 1 < argc))
			chunks = atol(argv[++argi]);
		else if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			kx_usage();
			return 0;
		}
		else if (argv[argi][0] == '-') {
			kx_usage();
			return 64;
		}
		else
			files++;
	}
	if (!files || slots <= 0 || chunks <= 0) {
		kx_usage();
		return 64;
	}
	{
		xsCreation creation = {
			(xsIntegerValue)chunks, /* initialChunkSize */
			0,                      /* incrementalChunkSize: fixed heap */
			(xsIntegerValue)slots,  /* initialHeapCount */
			0,                      /* incrementalHeapCount: fixed heap */
			KEEL_STACK_COUNT,       /* stackCount */
			KEEL_KEY_COUNT,         /* initialKeyCount */
			0,                      /* incrementalKeyCount */
			1993,                   /* nameModulo */
			127,                    /* symbolModulo */
			8 * 1024 * 1024,        /* parserBufferSize */
			1993,                   /* parserTableModulo */
		};
		xsInitializeSharedCluster();
		machine = xsCreateMachine(&creation, "keel-xs", NULL);
	}
	if (!machine) {
		fprintf(stderr, "keel-xs: cannot create the XS machine (%ld slots, %ld chunk bytes)\n", slots, chunks);
		return 70;
	}
	kx_build(machine);
	xsBeginMetering(machine, kx_meter, 0);
	{
		for (argi = 1; argi < argc; argi++) {
			if (!strcmp(argv[argi], "--slots") || !strcmp(argv[argi], "--chunks")) {
				argi++;
				continue;
			}
			if (kx_run(machine, argv[argi])) {
				failed = 1;
				break;
			}
			if (machine->abortStatus)
				break;
		}
		if (!failed && !machine->abortStatus)
			xsRunLoop(machine);
	}
	xsEndMetering(machine);
	kx_isrEnd();
	status = machine->abortStatus;
	xsDeleteMachine(machine);
	xsTerminateSharedCluster();
	if (status) {
		fprintf(stderr, "keel-xs: the XS machine aborted with status %d\n", status);
		return status;
	}
	if (failed)
		return 1;
	return gxExitCode;
}

static void kx_print(xsMachine* the)
{
	xsIntegerValue c = xsToInteger(xsArgc), i;
	for (i = 0; i < c; i++) {
		if (i)
			fputc(' ', stdout);
		fputs(xsToString(xsArg(i)), stdout);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

static void kx_gc(xsMachine* the)
{
	xsCollectGarbage();
}

static void kx_now(xsMachine* the)
{
	c_timeval tv;
	c_gettimeofday(&tv, NULL);
	xsResult = xsNumber(((double)tv.tv_sec * 1000.0) + ((double)tv.tv_usec / 1000.0));
}

static void kx_setTimeout(xsMachine* the)
{
	xsNumberValue ms = (xsToInteger(xsArgc) > 1) ? xsToNumber(xsArg(1)) : 0;
	if (!(ms >= 0)) ms = 0;
	fxSetTimer(the, ms, 0);
}

static void kx_setInterval(xsMachine* the)
{
	xsNumberValue ms = (xsToInteger(xsArgc) > 1) ? xsToNumber(xsArg(1)) : 0;
	if (!(ms >= 1)) ms = 1;
	fxSetTimer(the, ms, 1);
}

static void kx_clearTimer(xsMachine* the)
{
	if ((xsToInteger(xsArgc) > 0) && (xsTypeOf(xsArg(0)) == xsReferenceType))
		fxClearTimer(the);
}

static void kx_slots(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)the->currentHeapCount);
}

static void kx_chunks(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)the->currentChunksSize);
}

static void kx_steps(xsMachine* the)
{
#ifdef mxMetering
	xsResult = xsNumber((xsNumberValue)the->meterIndex);
#else
	xsResult = xsNumber(0);
#endif
}

static void kx_gcCount(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)gxGCCount);
}

static void kx_heapSlots(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)the->maximumHeapCount);
}

static void kx_heapChunks(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)the->maximumChunksSize);
}

static void kx_exit(xsMachine* the)
{
	gxExitCode = (xsToInteger(xsArgc) > 0) ? xsToInteger(xsArg(0)) : 0;
}

static void kx_sleepUs(xsMachine* the)
{
	xsNumberValue us = (xsToInteger(xsArgc) > 0) ? xsToNumber(xsArg(0)) : 0;
	struct timespec ts;
	if (!(us > 0)) return;
	if (us > 60e6) us = 60e6;
	ts.tv_sec = (time_t)(us / 1e6);
	ts.tv_nsec = (long)((us - (xsNumberValue)ts.tv_sec * 1e6) * 1e3);
	while (nanosleep(&ts, &ts) != 0) {}
}

/* ---- the native interrupt bridge's test bench (keel_isr) ------------------ */

#define KX_ISR_MAX_SOURCES 8

typedef struct {
	pthread_t thread;
	keel_isr_source source;
	uint32_t count;
	double ratePerSec;
	uint32_t burst;
	uint32_t maxFill;     /* 0, or wait while TAIL - HEAD > maxFill (see isrStart) */
	uint32_t throttled;   /* bursts that waited for maxFill (atomic, relaxed) */
	int started;          /* a thread was created (join it) */
	int running;          /* 1 until the thread posted its last edge (atomic) */
	uint64_t firstUs;     /* the first and last edge's time (atomic, relaxed) */
	uint64_t lastUs;
} kx_isr_producer;

static struct {
	void* data;           /* the SharedArrayBuffer's chunk, retained during a run */
	keel_isr_queue queue;
	int sources;
	int go;               /* start gate: the threads begin together (atomic) */
	int stop;             /* the host is exiting: producers stop early (atomic) */
	int semReady;
	sem_t wake;
	kx_isr_producer producers[KX_ISR_MAX_SOURCES];
} gxIsr;

static uint64_t kx_isrClock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* keel_isr's wake callback: sem_post neither blocks nor allocates
   (async-signal-safe), like a device's from-interrupt message post. */
static void kx_isrWake(void* ctx)
{
	sem_post((sem_t*)ctx);
}

/* Sleeps (the VM's thread may share the core) until 10 us before `due`,
   then spins to it. */
static void kx_isrSleepUntil(uint64_t due)
{
	uint64_t now = kx_isrClock();
	if (due > now + 20) {
		struct timespec ts;
		uint64_t at = due - 10;
		ts.tv_sec = (time_t)(at / 1000000u);
		ts.tv_nsec = (long)(at % 1000000u) * 1000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	while (kx_isrClock() < due) {}
}

static void* kx_isrThread(void* it)
{
	kx_isr_producer* p = it;
	uint32_t i = 0, b;
	uint64_t start, now;
#ifdef __linux__
	prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL); /* 1 us: paced edges keep close to their times */
#endif
	while (!__atomic_load_n(&gxIsr.go, __ATOMIC_ACQUIRE))
		sched_yield();
	start = kx_isrClock();
	while (i < p->count) {
		if (p->ratePerSec > 0)
			kx_isrSleepUntil(start + (uint64_t)((double)i * 1e6 / p->ratePerSec));
		if (p->maxFill > 0) {
			/* Header words 32 (TAIL) and 16 (HEAD), docs/queue-layout.md. */
			int32_t* w = (int32_t*)(void*)gxIsr.queue.base;
			int waited = 0;
			while (!__atomic_load_n(&gxIsr.stop, __ATOMIC_RELAXED) &&
				((uint32_t)__atomic_load_n(&w[32], __ATOMIC_ACQUIRE) - (uint32_t)__atomic_load_n(&w[16], __ATOMIC_ACQUIRE) > p->maxFill)) {
				struct timespec ts = { 0, 50000 };
				waited = 1;
				nanosleep(&ts, NULL);
			}
			if (waited)
				__atomic_store_n(&p->throttled, p->throttled + 1, __ATOMIC_RELAXED);
			/* The pace restarts from here: a throttled thread does not post a backlog at full speed. */
			if (waited && (p->ratePerSec > 0))
				start = kx_isrClock() - (uint64_t)((double)i * 1e6 / p->ratePerSec);
		}
		if (__atomic_load_n(&gxIsr.stop, __ATOMIC_RELAXED))
			break;
		for (b = 0; (b < p->burst) && (i < p->count); b++, i++) {
			now = kx_isrClock();
			if (i == 0) __atomic_store_n(&p->firstUs, now, __ATOMIC_RELAXED);
			keel_isr_edge(&p->source, (int)(i & 1), now);
		}
		__atomic_store_n(&p->lastUs, now, __ATOMIC_RELAXED);
	}
	/* release: a VM that reads 0 sees every edge's record and counter. */
	__atomic_store_n(&p->running, 0, __ATOMIC_RELEASE);
	return NULL;
}

/* Joins the threads and releases the buffer. VM thread. */
static void kx_isrEnd(void)
{
	int i;
	__atomic_store_n(&gxIsr.stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&gxIsr.go, 1, __ATOMIC_RELEASE);
	for (i = 0; i < gxIsr.sources; i++) {
		if (gxIsr.producers[i].started) {
			pthread_join(gxIsr.producers[i].thread, NULL);
			gxIsr.producers[i].started = 0;
		}
	}
	__atomic_store_n(&gxIsr.stop, 0, __ATOMIC_RELAXED);
	if (gxIsr.data) {
		fxReleaseSharedChunk(gxIsr.data);
		gxIsr.data = NULL;
	}
	gxIsr.queue.base = NULL; /* isrEdges after the run: KEEL_ISR_CORRUPT, counted nowhere but refused */
}

static int kx_isrRunningCount(void)
{
	int i, n = 0;
	for (i = 0; i < gxIsr.sources; i++)
		n += __atomic_load_n(&gxIsr.producers[i].running, __ATOMIC_ACQUIRE);
	return n;
}

static xsNumberValue kx_isrOption(xsMachine* the, const char* name, xsNumberValue otherwise)
{
	xsVar(1) = xsGet(xsArg(0), xsID(name));
	if (xsTypeOf(xsVar(1)) == xsUndefinedType)
		return otherwise;
	if (xsTypeOf(xsVar(1)) == xsBooleanType)
		return xsToBoolean(xsVar(1)) ? 1 : 0;
	if ((xsTypeOf(xsVar(1)) != xsIntegerType) && (xsTypeOf(xsVar(1)) != xsNumberType))
		xsTypeError("$xs.isrStart: options.%s must be a number", name);
	return xsToNumber(xsVar(1));
}

static void kx_isrStart(xsMachine* the)
{
	txSlot* slot;
	void* data;
	int mode = KEEL_ISR_MULTIPLE, code, i, started = 0;
	xsNumberValue sig, id, sources, count, rate, burst, glitch, wake, maxFill;
	xsVars(2);
	if (kx_isrRunningCount() > 0)
		xsUnknownError("$xs.isrStart: %d producer thread(s) of the last run still post; wait for isrRunning() == 0 or call isrJoin()", kx_isrRunningCount());
	kx_isrEnd();
	if ((xsToInteger(xsArgc) < 1) || (xsTypeOf(xsArg(0)) != xsReferenceType))
		xsTypeError("$xs.isrStart: pass an options object { buffer, mode, ... }");
	xsVar(0) = xsGet(xsArg(0), xsID("buffer"));
	slot = (xsTypeOf(xsVar(0)) == xsReferenceType) ? xsVar(0).value.reference->next : NULL;
	if (!slot || (slot->kind != XS_HOST_KIND) || (slot->value.host.variant.destructor != fxReleaseSharedChunk))
		xsTypeError("$xs.isrStart: options.buffer must be a SharedArrayBuffer (a queue's .buffer)");
	data = slot->value.host.data;
	xsVar(1) = xsGet(xsArg(0), xsID("mode"));
	if (xsTypeOf(xsVar(1)) == xsStringType) {
		if (!c_strcmp(xsToString(xsVar(1)), "single")) mode = KEEL_ISR_SINGLE;
		else if (!c_strcmp(xsToString(xsVar(1)), "multiple")) mode = KEEL_ISR_MULTIPLE;
		else mode = 0;
	}
	else if (xsTypeOf(xsVar(1)) != xsUndefinedType)
		mode = xsToInteger(xsVar(1));
	sig = kx_isrOption(the, "sig", 1);
	id = kx_isrOption(the, "id", 0);
	sources = kx_isrOption(the, "sources", 1);
	count = kx_isrOption(the, "count", 0);
	rate = kx_isrOption(the, "ratePerSec", 0);
	burst = kx_isrOption(the, "burst", 1);
	glitch = kx_isrOption(the, "glitchUs", 0);
	wake = kx_isrOption(the, "wake", 1);
	maxFill = kx_isrOption(the, "maxFill", 0);
	if (!(sig >= 0 && sig <= 65535) || (sig != (int)sig))
		xsRangeError("$xs.isrStart: options.sig must be an integer 0..65535 (a SharedEventQueue signal; got %g)", (double)sig);
	if (!(maxFill >= 0 && maxFill <= 65536) || (maxFill != (int)maxFill))
		xsRangeError("$xs.isrStart: options.maxFill must be an integer 0..65536 (0: off)");
	if (!(sources >= 1 && sources <= KX_ISR_MAX_SOURCES) || (sources != (int)sources))
		xsRangeError("$xs.isrStart: options.sources must be an integer 1..%d", KX_ISR_MAX_SOURCES);
	if (!(count >= 0 && count <= 4294967295.0) || !(rate >= 0) || !(burst >= 1 && burst <= 1e6) ||
		!(glitch >= 0 && glitch <= 4294967295.0) || !(id >= -2147483648.0 && id + sources <= 2147483647.0))
		xsRangeError("$xs.isrStart: count 0..2^32-1, ratePerSec >= 0, burst 1..1e6, glitchUs 0..2^32-1, id an int32");
	code = keel_isr_attach(&gxIsr.queue, data, (size_t)fxMeasureSharedChunk(data), mode);
	if (code != KEEL_ISR_OK)
		xsUnknownError("$xs.isrStart: keel_isr_attach failed: %s", keel_isr_error_name(code));
	/* The threads write into the chunk: hold a reference until kx_isrEnd, so a
	   collection of the SharedArrayBuffer cannot free it under them. */
	gxIsr.data = fxRetainSharedChunk(data);
	if (!gxIsr.semReady) {
		sem_init(&gxIsr.wake, 0, 0);
		gxIsr.semReady = 1;
	}
	while (sem_trywait(&gxIsr.wake) == 0) {}
	gxIsr.sources = (int)sources;
	__atomic_store_n(&gxIsr.go, 0, __ATOMIC_RELAXED);
	for (i = 0; i < gxIsr.sources; i++) {
		kx_isr_producer* p = &gxIsr.producers[i];
		keel_isr_source_init(&p->source, &gxIsr.queue, (int32_t)sig, (int32_t)id + i, (uint32_t)glitch,
			wake ? kx_isrWake : NULL, &gxIsr.wake);
		p->count = (uint32_t)count;
		p->ratePerSec = rate; /* edges per second: burst k starts at k * burst / rate s */
		p->burst = (uint32_t)burst;
		p->maxFill = (uint32_t)maxFill;
		p->throttled = 0;
		p->firstUs = 0;
		p->lastUs = 0;
		p->started = 0;
		p->running = 0;
	}
	for (i = 0; (i < gxIsr.sources) && (count > 0); i++) {
		kx_isr_producer* p = &gxIsr.producers[i];
		p->running = 1;
		if (pthread_create(&p->thread, NULL, kx_isrThread, p) != 0) {
			p->running = 0;
			kx_isrEnd();
			xsUnknownError("$xs.isrStart: pthread_create failed for source %d", i);
		}
		p->started = 1;
		started++;
	}
	__atomic_store_n(&gxIsr.go, 1, __ATOMIC_RELEASE);
	xsResult = xsInteger(started);
}

static void kx_isrEdges(xsMachine* the)
{
	xsIntegerValue i = xsToInteger(xsArg(0)), n = xsToInteger(xsArg(1)), k, posted = 0;
	kx_isr_producer* p;
	if ((i < 0) || (i >= gxIsr.sources) || !gxIsr.data)
		xsRangeError("$xs.isrEdges: source %d is not a source of the current run (isrStart first)", (int)i);
	p = &gxIsr.producers[i];
	if (p->started)
		xsRangeError("$xs.isrEdges: source %d has a producer thread (start with count 0)", (int)i);
	for (k = 0; k < n; k++)
		posted += keel_isr_edge(&p->source, (int)(p->source.offered & 1), kx_isrClock()) == KEEL_ISR_POSTED;
	xsResult = xsInteger(posted);
}

static void kx_isrRunning(xsMachine* the)
{
	xsResult = xsInteger(kx_isrRunningCount());
}

static void kx_isrWait(xsMachine* the)
{
	xsNumberValue ms = xsToNumber(xsArg(0));
	int woken, i;
	if (!gxIsr.semReady)
		xsRangeError("$xs.isrWait: no run (isrStart first)");
	if (!(ms > 0))
		woken = sem_trywait(&gxIsr.wake) == 0;
	else {
		struct timespec ts;
		uint64_t ns;
		clock_gettime(CLOCK_REALTIME, &ts);
		if (ms > 60000) ms = 60000;
		ns = (uint64_t)ts.tv_nsec + (uint64_t)(ms * 1e6);
		ts.tv_sec += (time_t)(ns / 1000000000u);
		ts.tv_nsec = (long)(ns % 1000000000u);
		while (((woken = sem_timedwait(&gxIsr.wake, &ts) == 0)) == 0 && (errno == EINTR)) {}
	}
	if (woken) {
		while (sem_trywait(&gxIsr.wake) == 0) {}
		if ((xsToInteger(xsArgc) < 2) || xsToBoolean(xsArg(1))) {
			for (i = 0; i < gxIsr.sources; i++)
				keel_isr_wake_done(&gxIsr.producers[i].source);
		}
	}
	xsResult = xsInteger(woken);
}

static void kx_isrWakeDone(xsMachine* the)
{
	int i;
	for (i = 0; i < gxIsr.sources; i++)
		keel_isr_wake_done(&gxIsr.producers[i].source);
}

static void kx_isrCounter(xsMachine* the)
{
	xsIntegerValue which = xsToInteger(xsArg(0));
	keel_isr_stats st;
	xsNumberValue sum = 0;
	int i;
	if ((which < 0) || (which > 5))
		xsRangeError("$xs.isrCounter: index %d is not 0..5 (offered, posted, refused, glitched, corrupt, wakes)", (int)which);
	for (i = 0; i < gxIsr.sources; i++) {
		uint32_t v;
		keel_isr_source_stats(&gxIsr.producers[i].source, &st);
		v = which == 0 ? st.offered : which == 1 ? st.posted : which == 2 ? st.refused : which == 3 ? st.glitched : which == 4 ? st.corrupt : st.wakes;
		sum += v;
	}
	xsResult = xsNumber(sum);
}

static void kx_isrNowUs(xsMachine* the)
{
	xsResult = xsNumber((xsNumberValue)kx_isrClock());
}

static void kx_isrStatsOf(xsMachine* the, int from, int to)
{
	keel_isr_stats st;
	xsNumberValue sum[7] = { 0, 0, 0, 0, 0, 0, 0 };
	xsNumberValue first = 0, last = 0;
	int i;
	for (i = from; i < to; i++) {
		uint64_t f = __atomic_load_n(&gxIsr.producers[i].firstUs, __ATOMIC_RELAXED);
		uint64_t l = __atomic_load_n(&gxIsr.producers[i].lastUs, __ATOMIC_RELAXED);
		keel_isr_source_stats(&gxIsr.producers[i].source, &st);
		sum[0] += st.offered; sum[1] += st.posted; sum[2] += st.refused;
		sum[3] += st.glitched; sum[4] += st.corrupt; sum[5] += st.wakes;
		sum[6] += __atomic_load_n(&gxIsr.producers[i].throttled, __ATOMIC_RELAXED);
		if (f && (!first || (xsNumberValue)f < first)) first = (xsNumberValue)f;
		if ((xsNumberValue)l > last) last = (xsNumberValue)l;
	}
	xsResult = xsNewObject();
	xsSet(xsResult, xsID("offered"), xsNumber(sum[0]));
	xsSet(xsResult, xsID("posted"), xsNumber(sum[1]));
	xsSet(xsResult, xsID("refused"), xsNumber(sum[2]));
	xsSet(xsResult, xsID("glitched"), xsNumber(sum[3]));
	xsSet(xsResult, xsID("corrupt"), xsNumber(sum[4]));
	xsSet(xsResult, xsID("wakes"), xsNumber(sum[5]));
	xsSet(xsResult, xsID("firstUs"), xsNumber(first));
	xsSet(xsResult, xsID("lastUs"), xsNumber(last));
	xsSet(xsResult, xsID("throttled"), xsNumber(sum[6]));
}

static void kx_isrStats(xsMachine* the)
{
	if ((xsToInteger(xsArgc) > 0) && (xsTypeOf(xsArg(0)) != xsUndefinedType)) {
		xsIntegerValue i = xsToInteger(xsArg(0));
		if ((i < 0) || (i >= gxIsr.sources))
			xsRangeError("$xs.isrStats: source %d is not a source of the last run (0..%d)", (int)i, gxIsr.sources - 1);
		kx_isrStatsOf(the, i, i + 1);
	}
	else
		kx_isrStatsOf(the, 0, gxIsr.sources);
}

static void kx_isrJoin(xsMachine* the)
{
	int i;
	for (i = 0; i < gxIsr.sources; i++) {
		if (gxIsr.producers[i].started) {
			pthread_join(gxIsr.producers[i].thread, NULL);
			gxIsr.producers[i].started = 0;
		}
	}
	kx_isrEnd();
	kx_isrStatsOf(the, 0, gxIsr.sources);
}

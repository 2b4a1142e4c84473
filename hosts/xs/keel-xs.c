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

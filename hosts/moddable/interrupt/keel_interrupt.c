/*
 * keel_interrupt.c: the JavaScript binding of Keel's interrupt bridge on
 * Moddable (native.ts declares these callbacks). Platform-neutral: the
 * kip_platform_* functions come from the platform file the manifest picks.
 * Contract, lifetime and the "memory that never moves" rule: keel_interrupt.h.
 *
 * Calling contexts: every xs_* function here runs on the VM's thread (boot,
 * the wake callback, the app's tick). kip_release may run anywhere but frees
 * only when the count reaches 0, which for a message happens in its delivery
 * on the VM thread.
 */
#include "keel_interrupt.h"
#include "mc.xs.h" /* xsID_onWake */

/* XS's shared chunks (xs/sources/xsAtomics.c, declared in xsAll.h, which a
   module does not include): a SharedArrayBuffer's memory is reference
   counted, and a SharedArrayBuffer's host destructor is
   fxReleaseSharedChunk. */
extern void *fxRetainSharedChunk(void *data);
extern void fxReleaseSharedChunk(void *data);

void kip_release(kip_source *s)
{
  if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
    /* The interrupt and the simulator thread are stopped (kip_platform_close
       ran before the last reference could go): the ring may go now. */
    if (s->shared != NULL)
      fxReleaseSharedChunk(s->shared);
    c_free(s);
  }
}

KEEL_ISR_FN void kip_wake(void *ctx)
{
  kip_source *s = ctx;
  if (kip_platform_post(s) != 0) {
    /* One writer (this source's handler): relaxed load + store, no
       read-modify-write. */
    __atomic_store_n(&s->wakes_lost, __atomic_load_n(&s->wakes_lost, __ATOMIC_RELAXED) + 1u, __ATOMIC_RELAXED);
    /* seq_cst, as keel_isr_wake_done: the next edge's exchange reads 0 and
       tries to wake the VM again. */
    __atomic_store_n(&s->src.wake_pending, 0, __ATOMIC_SEQ_CST);
  }
}

void kip_message(void *the, void *refcon, uint8_t *message, uint16_t length)
{
  kip_source *s = refcon;
  (void)the;
  (void)message;
  (void)length;
  kip_deliver(s);
  kip_release(s);
}

void kip_deliver(kip_source *s)
{
  if (!__atomic_load_n(&s->open, __ATOMIC_ACQUIRE))
    return; /* closed while the message was queued */
  __atomic_store_n(&s->delivered, s->delivered + 1, __ATOMIC_RELAXED);
  xsBeginHost(s->the);
  xsCall0(s->target, xsID_onWake);
  xsEndHost(s->the);
}

static void kip_close(xsMachine *the, kip_source *s)
{
  if (!s->open)
    return;
  kip_platform_close(s); /* no edge, no new wake after this */
  __atomic_store_n(&s->open, 0, __ATOMIC_RELEASE);
  xsForget(s->target);
}

void xs_keel_interrupt_destructor(void *data)
{
  kip_source *s = data;
  if (s == NULL)
    return;
  /* Unreachable while open (the remembered target holds the native object),
     so open is 0 here; stop the platform anyway if it is not. */
  if (s->open) {
    kip_platform_close(s);
    s->open = 0;
  }
  kip_release(s);
}

/* open(target, buffer, pin, edge, signal, glitchUs, mode) -> KIP_OK or a code */
void xs_keel_interrupt_open(xsMachine *the)
{
  kip_source *s;
  void *data = NULL;
  xsUnsignedValue bytes = 0;
  int32_t pin, edge, sig, mode, code;
  uint32_t glitch_us;
  int shared;
  if (xsmcGetHostData(xsThis) != NULL) {
    xsmcSetInteger(xsResult, KIP_EOPEN);
    return;
  }
  pin = xsmcToInteger(xsArg(2));
  edge = xsmcToInteger(xsArg(3));
  sig = xsmcToInteger(xsArg(4));
  glitch_us = (uint32_t)xsmcToInteger(xsArg(5));
  mode = xsmcToInteger(xsArg(6));
  if (edge < 1 || edge > 3) {
    xsmcSetInteger(xsResult, KIP_EEDGE);
    return;
  }
  /* The crux: only memory that never moves may be handed to an interrupt. */
  if (xsmcGetBufferWritable(xsArg(1), &data, &bytes) != xsBufferNonrelocatable) {
    xsmcSetInteger(xsResult, KIP_EBUFFER_MOVES);
    return;
  }
  /* A SharedArrayBuffer: hold its chunk until s is freed, after the
     interrupt or the simulator thread stopped. At machine teardown the
     destructors run in heap order, so the SharedArrayBuffer's may run before
     this object's (which stops the producer): without this reference the
     producer could write into freed memory. An InterruptRing is not
     reference counted: close() the source before the ring goes (source.ts).
     source.ts passes a SharedArrayBuffer or an InterruptRing, both host
     objects (fxGetHostDestructor throws for anything else). */
  shared = fxGetHostDestructor(the, &xsArg(1)) == fxReleaseSharedChunk;
  s = c_calloc(1, sizeof(kip_source));
  if (s == NULL) {
    xsmcSetInteger(xsResult, KIP_ENOMEM);
    return;
  }
  code = keel_isr_attach(&s->queue, data, bytes, mode);
  if (code != KEEL_ISR_OK) {
    c_free(s);
    xsmcSetInteger(xsResult, code);
    return;
  }
  if (shared)
    s->shared = fxRetainSharedChunk(data);
  s->the = the;
  s->pin = pin;
  s->edge = edge;
  s->refs = 1;
  keel_isr_source_init(&s->src, &s->queue, sig, pin, glitch_us, kip_wake, s);
  code = kip_platform_open(s, mode);
  if (code != KIP_OK) {
    if (s->shared != NULL)
      fxReleaseSharedChunk(s->shared);
    c_free(s);
    xsmcSetInteger(xsResult, code);
    return;
  }
  s->target = xsArg(0);
  xsRemember(s->target);
  s->open = 1;
  xsmcSetHostData(xsThis, s);
  xsmcSetInteger(xsResult, KIP_OK);
}

/* simulate(hz, seconds, burst, gapUs) -> KIP_OK or a code (lin only) */
void xs_keel_interrupt_simulate(xsMachine *the)
{
  kip_source *s = xsmcGetHostData(xsThis);
  if (s == NULL || !s->open) {
    xsmcSetInteger(xsResult, KIP_EOPEN);
    return;
  }
  xsmcSetInteger(xsResult, kip_platform_simulate(s, xsmcToNumber(xsArg(0)), xsmcToNumber(xsArg(1)),
                                                 xsmcToInteger(xsArg(2)), xsmcToInteger(xsArg(3))));
}

void xs_keel_interrupt_close(xsMachine *the)
{
  kip_source *s = xsmcGetHostData(xsThis);
  if (s == NULL)
    return;
  kip_close(the, s);
  xsmcSetHostData(xsThis, NULL);
  kip_release(s);
}

/* VM thread, first thing in onWake(): the next edge wakes the VM again. */
void xs_keel_interrupt_wake_done(xsMachine *the)
{
  kip_source *s = xsmcGetHostData(xsThis);
  if (s != NULL)
    keel_isr_wake_done(&s->src);
}

/* counter(index) -> number (KIP_C_*); 0 once closed. Allocation-free. */
void xs_keel_interrupt_counter(xsMachine *the)
{
  kip_source *s = xsmcGetHostData(xsThis);
  keel_isr_stats st;
  uint32_t v = 0;
  if (s != NULL) {
    keel_isr_source_stats(&s->src, &st);
    switch (xsmcToInteger(xsArg(0))) {
    case KIP_C_OFFERED: v = st.offered; break;
    case KIP_C_POSTED: v = st.posted; break;
    case KIP_C_REFUSED: v = st.refused; break;
    case KIP_C_GLITCHED: v = st.glitched; break;
    case KIP_C_CORRUPT: v = st.corrupt; break;
    case KIP_C_WAKES: v = st.wakes; break;
    case KIP_C_WAKES_LOST: v = __atomic_load_n(&s->wakes_lost, __ATOMIC_RELAXED); break;
    case KIP_C_DELIVERED: v = __atomic_load_n(&s->delivered, __ATOMIC_RELAXED); break;
    case KIP_C_SIM_RUNNING: v = (uint32_t)__atomic_load_n(&s->sim_running, __ATOMIC_ACQUIRE); break;
    default: v = 0;
    }
  }
  xsmcSetNumber(xsResult, (double)v);
}

/* now() -> microseconds on the timestamp clock (a double). Allocation-free. */
void xs_keel_interrupt_now(xsMachine *the)
{
  xsmcSetNumber(xsResult, kip_now_us());
}

/* InterruptRing: ring memory that never moves (c_calloc), as a host buffer. */
void xs_keel_interrupt_ring_destructor(void *data)
{
  if (data != NULL)
    c_free(data);
}

void xs_keel_interrupt_ring(xsMachine *the)
{
  int32_t bytes = xsmcToInteger(xsArg(0));
  void *data;
  if (bytes < 256 || bytes > 256 + 40 * 65536)
    xsRangeError("InterruptRing: byteLength %d is outside 256..%d", (int)bytes, 256 + 40 * 65536);
  data = c_calloc(1, (size_t)bytes); /* malloc alignment: 8 on the targets (keel_isr_attach checks) */
  if (data == NULL)
    xsUnknownError("InterruptRing: no memory for %d bytes", (int)bytes);
  xsmcSetHostBuffer(xsThis, data, bytes);
}

void xs_keel_interrupt_ring_get_byteLength(xsMachine *the)
{
  xsmcSetInteger(xsResult, xsmcGetHostBufferLength(xsThis));
}

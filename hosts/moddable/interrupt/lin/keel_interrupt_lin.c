/*
 * lin/keel_interrupt_lin.c: the interrupt bridge in Moddable's desktop
 * simulator on Linux (mcsim). There is no GPIO: a POSIX thread plays the
 * interrupt (simulate()), calling keel_isr_edge() as an ISR would, at the
 * rate and pattern JavaScript sets. Pins are simulated: 0..KIP_LIN_PINS-1.
 *
 * Waking the VM. lin's XS platform (xs/platforms/lin_xs.c) has no
 * modMessagePostToMachine; the VM runs on a GLib main loop (the thread
 * default context at open; the SDK's lin timers use the same loop). Each
 * bridge owns one GSource, attached at open, never ready (ready time -1).
 * The thread wakes it with g_source_set_ready_time(source, 0), which GLib
 * documents as callable from any thread (it locks the context and wakes
 * its poll) and which allocates nothing; the dispatch runs on the VM
 * thread, sets the ready time back to -1 and calls kip_deliver().
 *
 *   thread: keel_isr_edge -> (wake_pending 0 -> 1) kip_wake -> set_ready_time(0)
 *   VM:     dispatch -> set_ready_time(-1) -> target.onWake() -> wake_done, drain
 *
 * close() stops and joins the thread first, then destroys the GSource on
 * the VM thread: no dispatch runs after close. An app that never calls
 * close(): the machine's teardown runs the InterruptNative destructor, which
 * does the same; the SharedArrayBuffer's chunk, which XS may release first,
 * is retained by keel_interrupt.c until then, so the thread never writes
 * into freed memory.
 *
 * Simulation: every 1/hz s (absolute CLOCK_MONOTONIC deadlines, so the rate
 * does not drift), `burst` edges with alternating levels, `gap_us` apart
 * (busy-wait between the edges of a burst), for `seconds`. Timestamps:
 * CLOCK_MONOTONIC in microseconds (kip_now_us, the same clock).
 */
#include "keel_interrupt.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <time.h>

#define KIP_LIN_PINS 64

typedef struct {
  GSource source;
  kip_source *owner;
} kip_wake_source;

typedef struct {
  kip_wake_source *gs;
  pthread_t thread;
  int has_thread;
  volatile int32_t stop;
  double hz, seconds;
  int32_t burst, gap_us;
} kip_lin;

/* Simulated pins in use, one bit each. Claimed and freed with atomic
   read-modify-write, so bridges opened on two machines (the main VM and a
   worker's, each on its own thread) cannot claim the same pin. */
static uint64_t gPinsInUse;

static uint64_t mono_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

double kip_now_us(void)
{
  return (double)mono_us();
}

static gboolean kip_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  kip_wake_source *ws = (kip_wake_source *)source;
  (void)callback;
  (void)data;
  g_source_set_ready_time(source, -1);
  kip_deliver(ws->owner);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs gKipSourceFuncs = { NULL, NULL, kip_dispatch, NULL, NULL, NULL };

/* The simulator thread (kip_wake, keel_interrupt.c): GLib coalesces ready
   times, so no message and no reference; never refused. */
int kip_platform_post(kip_source *s)
{
  kip_lin *l = s->platform;
  g_source_set_ready_time(&l->gs->source, 0);
  return 0;
}

int kip_platform_open(kip_source *s, int mode)
{
  kip_lin *l;
  (void)mode; /* both modes: C11 atomics here, JS Atomics on a SharedArrayBuffer */
  if (s->pin < 0 || s->pin >= KIP_LIN_PINS)
    return KIP_EPIN_UNKNOWN;
  /* Claim the pin: fetch_or returns the bits before, so of two claims at
     once exactly one sees the bit clear. */
  if (__atomic_fetch_or(&gPinsInUse, (uint64_t)1 << s->pin, __ATOMIC_ACQ_REL) & ((uint64_t)1 << s->pin))
    return KIP_EPIN_BUSY;
  l = c_calloc(1, sizeof(kip_lin));
  if (l == NULL) {
    __atomic_fetch_and(&gPinsInUse, ~((uint64_t)1 << s->pin), __ATOMIC_ACQ_REL);
    return KIP_ENOMEM;
  }
  l->gs = (kip_wake_source *)g_source_new(&gKipSourceFuncs, sizeof(kip_wake_source));
  if (l->gs == NULL) {
    c_free(l);
    __atomic_fetch_and(&gPinsInUse, ~((uint64_t)1 << s->pin), __ATOMIC_ACQ_REL);
    return KIP_EPLATFORM;
  }
  l->gs->owner = s;
  g_source_set_ready_time(&l->gs->source, -1);
  g_source_set_priority(&l->gs->source, G_PRIORITY_DEFAULT);
  g_source_attach(&l->gs->source, g_main_context_get_thread_default());
  s->platform = l;
  return KIP_OK;
}

static void *kip_thread(void *arg)
{
  kip_source *s = arg;
  kip_lin *l = s->platform;
  uint64_t period_ns = (uint64_t)(1e9 / l->hz);
  uint64_t count = (uint64_t)(l->hz * l->seconds + 0.5);
  struct timespec next;
  int level = 0;
  uint64_t i;
  int32_t b;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (i = 0; i < count && !__atomic_load_n(&l->stop, __ATOMIC_ACQUIRE); i++) {
    next.tv_nsec += (long)(period_ns % 1000000000u);
    next.tv_sec += (time_t)(period_ns / 1000000000u);
    if (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    /* clock_nanosleep returns the error number: sleep again only when a
       signal interrupted it (EINTR); any other error (none is expected for
       a valid absolute deadline) goes on without waiting, bounded by count. */
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
      ;
    for (b = 0; b < l->burst; b++) {
      uint64_t t = mono_us();
      level ^= 1;
      keel_isr_edge(&s->src, level, t);
      if (l->gap_us > 0 && b + 1 < l->burst) {
        uint64_t until = t + (uint64_t)l->gap_us;
        while (mono_us() < until) /* bounded by gap_us */
          ;
      }
    }
  }
  __atomic_store_n(&s->sim_running, 0, __ATOMIC_RELEASE);
  return NULL;
}

int kip_platform_simulate(kip_source *s, double hz, double seconds, int32_t burst, int32_t gap_us)
{
  kip_lin *l = s->platform;
  if (!(hz >= 1 && hz <= 1000000) || !(seconds > 0 && seconds <= 86400) || burst < 1 || burst > 1024 ||
      gap_us < 0 || gap_us > 1000000)
    return KIP_ESIM_ARGS;
  if (l->has_thread) {
    if (__atomic_load_n(&s->sim_running, __ATOMIC_ACQUIRE))
      return KIP_ESIM_BUSY;
    pthread_join(l->thread, NULL); /* the last simulation ended: reap it */
    l->has_thread = 0;
  }
  l->hz = hz;
  l->seconds = seconds;
  l->burst = burst;
  l->gap_us = gap_us;
  l->stop = 0;
  __atomic_store_n(&s->sim_running, 1, __ATOMIC_RELEASE);
  if (pthread_create(&l->thread, NULL, kip_thread, s) != 0) {
    __atomic_store_n(&s->sim_running, 0, __ATOMIC_RELEASE);
    return KIP_EPLATFORM;
  }
  l->has_thread = 1;
  return KIP_OK;
}

void kip_platform_close(kip_source *s)
{
  kip_lin *l = s->platform;
  if (l == NULL)
    return;
  if (l->has_thread) {
    __atomic_store_n(&l->stop, 1, __ATOMIC_RELEASE);
    pthread_join(l->thread, NULL);
    l->has_thread = 0;
  }
  g_source_destroy(&l->gs->source);
  g_source_unref(&l->gs->source);
  __atomic_fetch_and(&gPinsInUse, ~((uint64_t)1 << s->pin), __ATOMIC_ACQ_REL);
  c_free(l);
  s->platform = NULL;
}

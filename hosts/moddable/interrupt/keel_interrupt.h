/*
 * keel_interrupt.h: the Moddable native module of Keel's interrupt bridge
 * (hosts/moddable/interrupt). keel_interrupt.c binds it to JavaScript
 * (source.ts, native.ts); one platform file per target implements the
 * kip_platform_* functions below, chosen by manifest.json:
 *
 *   esp32/keel_interrupt_esp32.c  GPIO ISR (IRAM) + esp_timer_get_time()
 *   pico/keel_interrupt_pico.c    pico-sdk raw GPIO IRQ handler + time_us_64()
 *   lin/keel_interrupt_lin.c      mcsim: a POSIX thread plays the interrupt
 *
 * Contract:
 *   - The producer is hosts/native/keel_isr.c (keel_isr_edge in interrupt
 *     context). This module never calls XS outside the VM's thread: the
 *     platform wakes the VM with its from-interrupt message mechanism
 *     (kip_wake), and the VM thread calls kip_deliver(), which calls the JS
 *     target's onWake().
 *   - The ring is memory that never moves: a SharedArrayBuffer (XS allocates
 *     it outside its heap, c_malloc, reference counted) or an InterruptRing
 *     (c_calloc, a host buffer). A plain ArrayBuffer is refused: XS compacts
 *     its chunk heap in a collection and MOVES ArrayBuffer data
 *     (xsMemory.c fxSweep; xsmcGetBufferWritable reports it as
 *     xsBufferRelocatable), so an interrupt would write into freed memory.
 *   - Lifetime: kip_source is c_calloc'd at open, holds the JS target with
 *     xsRemember (so the target, its queue and the queue's buffer stay alive
 *     while open), and is freed when its last reference goes: the JS object's
 *     (dropped by close or the destructor) and one per wake message still in
 *     the platform's queue (refs).
 *
 *   [native created] --open()--> [open: interrupts armed] --close()--> [closed]
 *                                   |  ^                                 |
 *                                   +--+ edge -> keel_isr_edge -> wake   +--> freed when refs == 0
 *                                        VM: kip_deliver -> target.onWake()
 */
#ifndef KEEL_INTERRUPT_H
#define KEEL_INTERRUPT_H

#include "xsmc.h"
#include "keel_isr.h"

/* open() results beyond keel_isr_attach's KEEL_ISR_E* codes (1..8). */
#define KIP_OK 0
#define KIP_EPIN_UNKNOWN 100   /* no such GPIO on this target */
#define KIP_EPIN_BUSY 101      /* pin used by another bridge or an ECMA-419 IO object */
#define KIP_EBUFFER_MOVES 102  /* a plain ArrayBuffer: XS may move it in a collection */
#define KIP_EMODE_PLATFORM 103 /* MULTIPLE (C and JS producers) is unsafe on this target */
#define KIP_ENOMEM 104
#define KIP_EPLATFORM 105      /* the ISR service, GSource or thread could not be set up */
#define KIP_EOPEN 106          /* open() twice, or a call on a closed bridge */
#define KIP_ENOSIM 107         /* simulate() on a target with real interrupts */
#define KIP_ESIM_BUSY 108      /* a simulation is already running */
#define KIP_EEDGE 109          /* edge not 1 (rising), 2 (falling) or 3 (both) */
#define KIP_ESIM_ARGS 110      /* simulate(): hz, seconds, burst or gapUs out of range */
#define KIP_ETOO_MANY 111      /* pico: KIP_PICO_MAX (4) sources are open already */

/* Counters readable from JavaScript (counter(index)). */
#define KIP_C_OFFERED 0
#define KIP_C_POSTED 1
#define KIP_C_REFUSED 2
#define KIP_C_GLITCHED 3
#define KIP_C_CORRUPT 4
#define KIP_C_WAKES 5
#define KIP_C_WAKES_LOST 6
#define KIP_C_DELIVERED 7
#define KIP_C_SIM_RUNNING 8
#define KIP_C_COUNT 9

typedef struct kip_source kip_source;
struct kip_source {
  keel_isr_queue queue;
  keel_isr_source src;
  xsMachine *the;
  xsSlot target;               /* JS object with onWake(); xsRemember'd while open */
  int32_t pin;
  int32_t edge;                /* 1 rising, 2 falling, 3 both */
  volatile int32_t open;       /* 1 between open() and close() */
  volatile int32_t refs;       /* the JS object + wake messages in flight */
  volatile uint32_t wakes_lost; /* from-ISR message refused by a full platform queue */
  volatile uint32_t delivered; /* onWake() calls on the VM thread */
  volatile int32_t sim_running;
  void *shared;                /* a SharedArrayBuffer's chunk, retained while s lives (NULL: an InterruptRing) */
  void *platform;              /* the platform file's own state */
};

/* Platform: microseconds on the clock keel_isr_edge timestamps with. */
double kip_now_us(void);
/* Platform, VM thread: checks and claims the pin, arms the interrupt (or the
   lin simulator's wake source). s->src is initialised with kip_wake. */
int kip_platform_open(kip_source *s, int mode);
/* Platform, VM thread: after it returns no edge runs for s. */
void kip_platform_close(kip_source *s);
/* Platform, VM thread: lin only (others return KIP_ENOSIM). */
int kip_platform_simulate(kip_source *s, double hz, double seconds, int32_t burst, int32_t gap_us);
/* Platform, interrupt context: asks the VM's thread to run kip_deliver(s)
   soon (esp32/pico: modMessagePostToMachineFromISR with kip_message, taking
   a reference for the message; lin: the GSource). 0, or nonzero when the
   platform's queue refused the message (no reference kept). */
int kip_platform_post(kip_source *s);

/* Common, interrupt context: the keel_isr wake callback (ctx = kip_source):
   kip_platform_post, and on a refusal wakes_lost++ and wake_pending = 0 (the
   next edge tries again; poll() drains meanwhile). */
KEEL_ISR_FN void kip_wake(void *ctx);

/* Common, VM thread: a from-ISR message's delivery (modMessageDeliver's
   signature): kip_deliver(s), then drops the message's reference. */
void kip_message(void *the, void *refcon, uint8_t *message, uint16_t length);

/* Common (keel_interrupt.c), VM thread: calls target.onWake() if still open.
   InterruptSource.onWake catches what its drain throws (counted in
   wakeErrors), so an exception here is a bug of the binding: it reaches
   xsEndHost, which aborts the VM as for any unhandled host callback. */
void kip_deliver(kip_source *s);
/* Common, any context: drops one reference; frees s at 0 (VM thread only). */
void kip_release(kip_source *s);

#endif /* KEEL_INTERRUPT_H */

/*
 * keel_isr: a C producer for Keel's SharedEventQueue (docs/queue-layout.md,
 * version 1), callable from interrupt context.
 *
 * Contract (see docs/interrupts.md for the method and the memory-ordering
 * argument; keel_isr.c states the ordering next to each access):
 *
 *   - keel_isr_attach() runs at boot, on the VM's thread, never in an
 *     interrupt: it checks the buffer against layout version 1 and returns a
 *     KEEL_ISR_E* code (0 = usable).
 *   - keel_isr_post() and keel_isr_edge() run in interrupt context (or on a
 *     thread that plays one). They never block, allocate, or call into XS.
 *     Every loop has a fixed bound. A full ring adds 1 to the header's
 *     REFUSED word and to the source's own refused counter; nothing is
 *     dropped without a count.
 *   - The header's REFUSED word counts KEEL_ISR_REFUSED and KEEL_ISR_CORRUPT
 *     results of keel_isr_post (JavaScript reads it as refusedByAll); a
 *     source's counters split them into refused and corrupt.
 *   - C producers do not notify a consumer blocked in waitForEvent (the
 *     WAITING word): the VM learns of records through the wake callback.
 *   - Atomics: the GCC/Clang __atomic builtins on the buffer's int32 words.
 *     On a core without atomic read-modify-write (Cortex-M0+) the compiler
 *     calls __atomic_*_4 helpers that the platform library must supply.
 *   - Mode: KEEL_ISR_SINGLE when this C producer is the queue's only
 *     producer (queue MODE 1, SPSC); KEEL_ISR_MULTIPLE when C and JavaScript
 *     producers share it (queue MODE 2, MPSC, compare-exchange on TAIL).
 *
 * Record written by keel_isr_edge() (the parameters of one event):
 *   sig  = source->sig
 *   p0   = source->id         (pin number or source id)
 *   p1   = level              (0 or 1)
 *   p2   = timestamp, microseconds (a double: exact below 2^53 us)
 *   p3   = per-source sequence number (1, 2, 3, ... counts edges offered,
 *          before the glitch filter, so a reader sees filtered/refused gaps)
 *
 * Wake-up, once per burst:
 *
 *     ISR: post ok --> exchange(wake_pending, 1) == 0 ? --> wake(ctx)
 *     VM:  on wake --> keel_isr_wake_done(src) --> drain the ring in JS
 *
 *   keel_isr_wake_done() clears wake_pending before the drain, so an edge
 *   posted during the drain wakes the VM again: no edge waits for a later
 *   burst.
 */
#ifndef KEEL_ISR_H
#define KEEL_ISR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* KEEL_ISR_FN: an attribute on every function that runs in interrupt context
   (keel_isr_post, keel_isr_edge and their static helpers in keel_isr.c).
   Empty by default. Define it before including this header (or with -D) to
   place them, e.g. in RAM. On ESP-IDF builds (ESP_PLATFORM, which Moddable's
   make.esp32.mk passes to every C file) it defaults to IRAM_ATTR, so a GPIO
   interrupt runs them without a flash-cache miss. */
#ifndef KEEL_ISR_FN
#if defined(ESP_PLATFORM)
#include "esp_attr.h"
#define KEEL_ISR_FN IRAM_ATTR
#else
#define KEEL_ISR_FN
#endif
#endif

#define KEEL_ISR_SINGLE 1   /* queue MODE 1: C is the only producer */
#define KEEL_ISR_MULTIPLE 2 /* queue MODE 2: C and JavaScript producers */

/* keel_isr_attach() results */
#define KEEL_ISR_OK 0
#define KEEL_ISR_EALIGN 1    /* buffer not 8-byte aligned */
#define KEEL_ISR_ESIZE 2     /* buffer smaller than 256 + 40 * SLOTS */
#define KEEL_ISR_EMAGIC 3    /* MAGIC is not 0x5145454B */
#define KEEL_ISR_EVERSION 4  /* VERSION is not 1 */
#define KEEL_ISR_ELAYOUT 5   /* HEADER_BYTES / RECORD_BYTES / CAPACITY / SLOTS invalid */
#define KEEL_ISR_EMODE 6     /* mode not SINGLE/MULTIPLE, or MULTIPLE on a MODE 1 queue */
#define KEEL_ISR_EINDEX 7    /* TAIL - HEAD outside 0..CAPACITY (a corrupt header) */
#define KEEL_ISR_EARG 8      /* q or buffer is NULL */

/* keel_isr_post() results */
#define KEEL_ISR_POSTED 1
#define KEEL_ISR_REFUSED 0   /* full, or lost 1024 claims in a row: counted */
#define KEEL_ISR_CORRUPT -1  /* header words inconsistent, or bad signal: counted */

typedef struct keel_isr_queue {
  uint8_t *base;      /* start of the SharedEventQueue buffer */
  uint32_t capacity;  /* CAPACITY, read once at attach */
  uint32_t mask;      /* SLOTS - 1, read once at attach */
  int mode;           /* KEEL_ISR_SINGLE or KEEL_ISR_MULTIPLE */
} keel_isr_queue;

typedef void (*keel_isr_wake_fn)(void *ctx);

typedef struct keel_isr_source {
  keel_isr_queue *queue;
  int32_t sig;                  /* signal posted, 0..65535 */
  int32_t id;                   /* pin or source id, in p0 */
  uint32_t glitch_us;           /* 0: off; else drop edges closer than this */
  keel_isr_wake_fn wake;        /* may be NULL (the consumer polls) */
  void *wake_ctx;
  /* Written in interrupt context, read by the VM (32-bit, single-copy atomic): */
  volatile uint32_t offered;    /* edges given to keel_isr_edge (== last p3) */
  volatile uint32_t posted;     /* records published */
  volatile uint32_t refused;    /* ring full or claim lost (also in REFUSED) */
  volatile uint32_t glitched;   /* dropped by the glitch filter */
  volatile uint32_t corrupt;    /* KEEL_ISR_CORRUPT results */
  volatile uint32_t wakes;      /* wake() calls */
  volatile int32_t wake_pending;
  uint64_t last_us;             /* time of the last edge accepted by the filter */
  int has_last;
} keel_isr_source;

/* Boot, VM thread. mode: KEEL_ISR_SINGLE needs queue MODE 1 or 2 (a lone C
   producer may post into an MPSC ring too: on a MODE 2 queue it still claims
   by compare-exchange, so q->mode reads KEEL_ISR_MULTIPLE); KEEL_ISR_MULTIPLE
   needs MODE 2. On a KEEL_ISR_* error q->base is NULL and posts return
   KEEL_ISR_CORRUPT. */
int keel_isr_attach(keel_isr_queue *q, void *buffer, size_t bytes, int mode);

/* Boot, VM thread. Zeroes the counters. */
void keel_isr_source_init(keel_isr_source *s, keel_isr_queue *q, int32_t sig, int32_t id,
                          uint32_t glitch_us, keel_isr_wake_fn wake, void *wake_ctx);

/* Interrupt context. One record; returns KEEL_ISR_POSTED / _REFUSED / _CORRUPT. */
KEEL_ISR_FN int keel_isr_post(keel_isr_queue *q, int32_t sig, double p0, double p1, double p2, double p3);

/* Interrupt context. Glitch filter, then post (see the record above), then
   wake once per burst. Returns keel_isr_post's result, or KEEL_ISR_REFUSED
   for a filtered edge (counted in glitched, not in REFUSED). */
KEEL_ISR_FN int keel_isr_edge(keel_isr_source *s, int level, uint64_t now_us);

/* VM thread, on wake, before draining. */
void keel_isr_wake_done(keel_isr_source *s);

/* Counters of one source, read with relaxed atomic loads (a snapshot; exact
   once the producer stopped). offered == posted + refused + glitched + corrupt. */
typedef struct keel_isr_stats {
  uint32_t offered, posted, refused, glitched, corrupt, wakes;
} keel_isr_stats;

/* Any context. */
void keel_isr_source_stats(const keel_isr_source *s, keel_isr_stats *out);

/* Human-readable name of a keel_isr_attach() code (for boot errors). */
const char *keel_isr_error_name(int code);

#ifdef __cplusplus
}
#endif

#endif /* KEEL_ISR_H */

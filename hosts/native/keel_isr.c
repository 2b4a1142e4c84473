/*
 * keel_isr.c: the C producer of Keel's SharedEventQueue (layout version 1,
 * docs/queue-layout.md). Contract and record: keel_isr.h. Method, figures:
 * docs/interrupts.md.
 *
 * Portable C99 plus the GCC/Clang __atomic builtins (gcc, clang, the ESP-IDF
 * and arm-none-eabi toolchains). No OS calls, no allocation, no locks, no
 * calls into XS; every loop has a fixed bound. Everything the interrupt path
 * runs carries KEEL_ISR_FN (keel_isr.h: IRAM_ATTR on ESP-IDF, else empty).
 *
 * Memory ordering. JavaScript's Atomics are sequentially consistent; C here
 * uses the weakest order that keeps the protocol's release/acquire pairs,
 * and says why next to each access:
 *
 *   C producer                                  JS consumer (SharedEventQueue.get)
 *   h = load(HEAD)          acquire  <--------  store(HEAD, h + 1)    [seq_cst >= release]
 *   claim TAIL (store / compare-exchange)       (reads TAIL in its check)
 *   plain stores: sig, p0..p3
 *   store(seq, t + 1)       seq_cst  -------->  load(seq) == h + 1    [seq_cst]
 *   exchange(wake_pending)  seq_cst             keel_isr_wake_done: store(wake_pending, 0) [seq_cst],
 *                                               then the drain's load(seq)
 *
 * Lifecycle of one edge (keel_isr_edge):
 *
 *   offered++ --glitch_us and closer than glitch_us to the last accepted edge--> glitched++ (no record)
 *      |
 *      +--> keel_isr_post --ring full / 1024 lost claims--> refused++, REFUSED++
 *              |          --bad signal / TAIL-HEAD out of range--> corrupt++, REFUSED++
 *              +--posted--> posted++ --exchange(wake_pending, 1) was 0--> wake(ctx), wakes++
 *
 *   So, per source, at any quiet moment:
 *     offered == posted + refused + glitched + corrupt
 *   and, per queue, the header's REFUSED word counts every refused and
 *   corrupt result of every producer (C and JavaScript).
 *
 * Per-source counters have one writer: keel_isr_edge() for a given source
 * must not run in two contexts at once (one interrupt handler per pin, or one
 * thread per source). keel_isr_post() itself may run in any number of
 * contexts at once in KEEL_ISR_MULTIPLE mode.
 */
#include "keel_isr.h"

/* Header words (int32) of layout version 1. */
#define W_MAGIC 0
#define W_VERSION 1
#define W_HEADER_BYTES 2
#define W_RECORD_BYTES 3
#define W_CAPACITY 4
#define W_SLOTS 5
#define W_MODE 6
#define W_OVERFLOW 7
#define W_HEAD 16
#define W_TAIL 32
#define W_REFUSED 33
#define W_PEAK 34

#define LAYOUT_MAGIC 0x5145454B
#define LAYOUT_VERSION 1
#define HEADER_BYTES 256u
#define RECORD_BYTES 40u
#define MAX_CAPACITY 65536u
#define MAX_CLAIM_TRIES 1024
#define MAX_PEAK_TRIES 64

/* Relaxed atomic access to a per-source counter (one writer, any reader). */
#define LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define BUMP(p) __atomic_store_n((p), __atomic_load_n((p), __ATOMIC_RELAXED) + 1u, __ATOMIC_RELAXED)

/* Positions are free-running 32-bit counters: t + 1 modulo 2^32, without
   signed overflow. */
KEEL_ISR_FN static int32_t next_pos(int32_t t)
{
  return (int32_t)((uint32_t)t + 1u);
}

KEEL_ISR_FN static int32_t *words(const keel_isr_queue *q)
{
  return (int32_t *)(void *)q->base;
}

/* A refusal or a corrupt result: the header's REFUSED word counts both.
   relaxed: a counter; no data is published through it (readers read it
   after a join, or as a snapshot). */
KEEL_ISR_FN static void count_refusal(int32_t *w)
{
  __atomic_fetch_add(&w[W_REFUSED], 1, __ATOMIC_RELAXED);
}

/* PEAK = max(PEAK, n), a compare-exchange loop of at most MAX_PEAK_TRIES
   passes (bookkeeping: a lost race leaves PEAK a little low, as in JS).
   relaxed: nothing is published through PEAK. */
KEEL_ISR_FN static void raise_peak(int32_t *w, uint32_t n)
{
  int32_t m = __atomic_load_n(&w[W_PEAK], __ATOMIC_RELAXED);
  int k;
  for (k = 0; k < MAX_PEAK_TRIES; k++) {
    if ((int32_t)n <= m)
      return;
    /* On failure m is reloaded with the current PEAK. */
    if (__atomic_compare_exchange_n(&w[W_PEAK], &m, (int32_t)n, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      return;
  }
}

static uint32_t ceil_pow2(uint32_t n)
{
  uint32_t p = 1;
  while (p < n) /* bound: n <= 65536, at most 17 passes */
    p <<= 1;
  return p;
}

int keel_isr_attach(keel_isr_queue *q, void *buffer, size_t bytes, int mode)
{
  const int32_t *w = (const int32_t *)buffer;
  uint32_t cap, slots, len;
  int32_t qmode;
  if (q == NULL || buffer == NULL)
    return KEEL_ISR_EARG;
  q->base = NULL;
  q->capacity = 0;
  q->mask = 0;
  q->mode = 0;
  if (((uintptr_t)buffer & 7u) != 0)
    return KEEL_ISR_EALIGN;
  if (mode != KEEL_ISR_SINGLE && mode != KEEL_ISR_MULTIPLE)
    return KEEL_ISR_EMODE;
  if (bytes < HEADER_BYTES)
    return KEEL_ISR_ESIZE;
  /* acquire: the creator stores MAGIC last (Atomics.store); a good MAGIC
     means the header words below are complete. */
  if (__atomic_load_n(&w[W_MAGIC], __ATOMIC_ACQUIRE) != LAYOUT_MAGIC)
    return KEEL_ISR_EMAGIC;
  if (w[W_VERSION] != LAYOUT_VERSION)
    return KEEL_ISR_EVERSION;
  cap = (uint32_t)w[W_CAPACITY];
  slots = (uint32_t)w[W_SLOTS];
  if ((uint32_t)w[W_HEADER_BYTES] != HEADER_BYTES || (uint32_t)w[W_RECORD_BYTES] != RECORD_BYTES ||
      cap < 1u || cap > MAX_CAPACITY || slots != ceil_pow2(cap) ||
      (w[W_OVERFLOW] != 0 && w[W_OVERFLOW] != 2))
    return KEEL_ISR_ELAYOUT;
  qmode = w[W_MODE];
  if (qmode != KEEL_ISR_SINGLE && qmode != KEEL_ISR_MULTIPLE)
    return KEEL_ISR_ELAYOUT;
  if (bytes < HEADER_BYTES + RECORD_BYTES * (size_t)slots)
    return KEEL_ISR_ESIZE;
  /* A queue made for one producer (MODE 1): JavaScript producers on it store
     TAIL without a compare-exchange, so C can only be its lone producer. */
  if (mode == KEEL_ISR_MULTIPLE && qmode != KEEL_ISR_MULTIPLE)
    return KEEL_ISR_EMODE;
  /* acquire (both): a snapshot of the indices; TAIL - HEAD must be 0..CAPACITY. */
  len = (uint32_t)__atomic_load_n(&w[W_TAIL], __ATOMIC_ACQUIRE) - (uint32_t)__atomic_load_n(&w[W_HEAD], __ATOMIC_ACQUIRE);
  if (len > cap)
    return KEEL_ISR_EINDEX;
  q->base = (uint8_t *)buffer;
  q->capacity = cap;
  q->mask = slots - 1u;
  /* A lone C producer on an MPSC queue (MODE 2) still claims by
     compare-exchange: correct whoever else posts. */
  q->mode = qmode == KEEL_ISR_MULTIPLE ? KEEL_ISR_MULTIPLE : KEEL_ISR_SINGLE;
  return KEEL_ISR_OK;
}

void keel_isr_source_init(keel_isr_source *s, keel_isr_queue *q, int32_t sig, int32_t id,
                          uint32_t glitch_us, keel_isr_wake_fn wake, void *wake_ctx)
{
  s->queue = q;
  s->sig = sig;
  s->id = id;
  s->glitch_us = glitch_us;
  s->wake = wake;
  s->wake_ctx = wake_ctx;
  s->offered = 0;
  s->posted = 0;
  s->refused = 0;
  s->glitched = 0;
  s->corrupt = 0;
  s->wakes = 0;
  s->wake_pending = 0;
  s->last_us = 0;
  s->has_last = 0;
}

KEEL_ISR_FN int keel_isr_post(keel_isr_queue *q, int32_t sig, double p0, double p1, double p2, double p3)
{
  int32_t *w;
  int32_t t, h;
  uint32_t d;
  double *p;
  int32_t *rec;
  if (q == NULL || q->base == NULL)
    return KEEL_ISR_CORRUPT; /* not attached: nothing to count in */
  w = words(q);
  /* Step 0: check the event before claiming; after the claim nothing may
     fail until the publish (a claimed, unpublished position is a hole). */
  if ((uint32_t)sig > 0xffffu) {
    count_refusal(w);
    return KEEL_ISR_CORRUPT;
  }
  /* Step 1, claim. TAIL: relaxed. In SINGLE mode this producer is TAIL's
     only writer (it reads its own value). In MULTIPLE mode a stale value
     only makes the compare-exchange below fail and reload it. */
  t = __atomic_load_n(&w[W_TAIL], __ATOMIC_RELAXED);
  if (q->mode == KEEL_ISR_MULTIPLE) {
    int k;
    for (k = 1;; k++) { /* bound: MAX_CLAIM_TRIES passes */
      /* HEAD: acquire, pairs with the consumer's store(HEAD) (seq_cst):
         the consumer's reads of every slot before h are done, so this
         producer may overwrite slot t once t - h < CAPACITY <= SLOTS. */
      h = __atomic_load_n(&w[W_HEAD], __ATOMIC_ACQUIRE);
      d = (uint32_t)t - (uint32_t)h;
      if (d > q->capacity) {
        /* HEAD past the TAIL read: others claimed and the consumer took
           meanwhile, or the words are corrupt. TAIL again (relaxed; it is
           read after the acquire of HEAD, and the consumer read TAIL >= h
           before it stored h, so a TAIL that did not move is below HEAD
           for good: corrupt, claim nothing). */
        int32_t again = __atomic_load_n(&w[W_TAIL], __ATOMIC_RELAXED);
        if (again == t) {
          count_refusal(w);
          return KEEL_ISR_CORRUPT;
        }
        t = again;
      } else {
        if (d + 1u > q->capacity) {
          count_refusal(w); /* full */
          return KEEL_ISR_REFUSED;
        }
        /* compare-exchange TAIL t -> t + 1. Success: acq_rel (the minimum is
           relaxed: slot t is free by the HEAD acquire above and nobody reads
           it before the release publish below; acq_rel keeps the record's
           stores after the claim, as in docs/queue-layout.md). Failure:
           relaxed, t is reloaded with the current TAIL. */
        if (__atomic_compare_exchange_n(&w[W_TAIL], &t, next_pos(t), 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
          break;
      }
      if (k == MAX_CLAIM_TRIES) {
        count_refusal(w); /* contended: never loops for good */
        return KEEL_ISR_REFUSED;
      }
    }
  } else {
    /* HEAD: acquire, as above. */
    h = __atomic_load_n(&w[W_HEAD], __ATOMIC_ACQUIRE);
    d = (uint32_t)t - (uint32_t)h;
    if (d > q->capacity) {
      count_refusal(w); /* TAIL - HEAD out of range: corrupt (or a second producer) */
      return KEEL_ISR_CORRUPT;
    }
    if (d + 1u > q->capacity) {
      count_refusal(w); /* full */
      return KEEL_ISR_REFUSED;
    }
    /* TAIL: release. The minimum is relaxed (the consumer checks TAIL only
       after its acquire of seq, which the release publish below orders after
       this store); release keeps a snapshot of the length, read anywhere,
       no older than the record. */
    __atomic_store_n(&w[W_TAIL], next_pos(t), __ATOMIC_RELEASE);
  }
  /* Step 2: plain stores into slot t (nobody reads them before the publish). */
  rec = (int32_t *)(void *)(q->base + HEADER_BYTES + RECORD_BYTES * ((uint32_t)t & q->mask));
  rec[1] = sig;
  p = (double *)(void *)(rec + 2);
  p[0] = p0;
  p[1] = p1;
  p[2] = p2;
  p[3] = p3;
  /* Step 3, publish. The minimum is release, pairing with the consumer's
     load(seq) (seq_cst): a consumer that reads t + 1 reads the stores above.
     seq_cst, as JavaScript's publish: it is also the first half of the wake
     Dekker pair in keel_isr_edge (store seq; exchange wake_pending), which
     needs the two in one total order with the VM's store(wake_pending, 0);
     load(seq). */
  __atomic_store_n(&rec[0], next_pos(t), __ATOMIC_SEQ_CST);
  /* Step 4: PEAK (bookkeeping). Step 5 of the JS producer, notify when
     WAITING is set, is not done here: an interrupt cannot call the engine.
     The VM is woken by keel_isr_edge's wake callback instead; a consumer of
     a C-fed queue must not block in waitForEvent. */
  raise_peak(w, d + 1u);
  return KEEL_ISR_POSTED;
}

KEEL_ISR_FN int keel_isr_edge(keel_isr_source *s, int level, uint64_t now_us)
{
  uint32_t seq;
  int r;
  if (s == NULL)
    return KEEL_ISR_CORRUPT;
  seq = LOAD_RELAXED(&s->offered) + 1u; /* this context is the only writer */
  __atomic_store_n(&s->offered, seq, __ATOMIC_RELAXED);
  if (s->glitch_us != 0u) {
    /* Unsigned difference: wrap-safe, and a clock that went back reads as a
       large gap (accepted). */
    if (s->has_last && now_us - s->last_us < (uint64_t)s->glitch_us) {
      BUMP(&s->glitched);
      return KEEL_ISR_REFUSED;
    }
    s->last_us = now_us;
    s->has_last = 1;
  }
  r = keel_isr_post(s->queue, s->sig, (double)s->id, level ? 1.0 : 0.0, (double)now_us, (double)seq);
  if (r == KEEL_ISR_POSTED) {
    BUMP(&s->posted);
    if (s->wake != NULL) {
      /* Wake once per burst, a Dekker pair with keel_isr_wake_done, all
         seq_cst: ISR: store(seq) [in keel_isr_post]; exchange(wake_pending, 1).
         VM: store(wake_pending, 0); load(seq) [the drain]. Either the VM's
         drain sees this record, or this exchange reads 0 and wakes it again. */
      if (__atomic_exchange_n(&s->wake_pending, 1, __ATOMIC_SEQ_CST) == 0) {
        BUMP(&s->wakes);
        s->wake(s->wake_ctx);
      }
    }
  } else if (r == KEEL_ISR_REFUSED)
    BUMP(&s->refused);
  else
    BUMP(&s->corrupt);
  return r;
}

void keel_isr_wake_done(keel_isr_source *s)
{
  /* seq_cst, before the drain's first load of a seq word (seq_cst in
     JavaScript's Atomics.load): the other half of the Dekker pair in
     keel_isr_edge. */
  __atomic_store_n(&s->wake_pending, 0, __ATOMIC_SEQ_CST);
}

void keel_isr_source_stats(const keel_isr_source *s, keel_isr_stats *out)
{
  /* relaxed: each a snapshot; after the producer stopped (a join, the
     interrupt disabled) they are exact. */
  out->offered = LOAD_RELAXED(&s->offered);
  out->posted = LOAD_RELAXED(&s->posted);
  out->refused = LOAD_RELAXED(&s->refused);
  out->glitched = LOAD_RELAXED(&s->glitched);
  out->corrupt = LOAD_RELAXED(&s->corrupt);
  out->wakes = LOAD_RELAXED(&s->wakes);
}

const char *keel_isr_error_name(int code)
{
  switch (code) {
  case KEEL_ISR_OK: return "KEEL_ISR_OK";
  case KEEL_ISR_EALIGN: return "KEEL_ISR_EALIGN (buffer not 8-byte aligned)";
  case KEEL_ISR_ESIZE: return "KEEL_ISR_ESIZE (buffer smaller than 256 + 40 * SLOTS bytes)";
  case KEEL_ISR_EMAGIC: return "KEEL_ISR_EMAGIC (MAGIC is not 0x5145454B: not a SharedEventQueue buffer)";
  case KEEL_ISR_EVERSION: return "KEEL_ISR_EVERSION (layout VERSION is not 1)";
  case KEEL_ISR_ELAYOUT: return "KEEL_ISR_ELAYOUT (HEADER_BYTES, RECORD_BYTES, CAPACITY, SLOTS, MODE or OVERFLOW invalid)";
  case KEEL_ISR_EMODE: return "KEEL_ISR_EMODE (mode is not SINGLE or MULTIPLE, or MULTIPLE on a queue made with producers: 'single')";
  case KEEL_ISR_EINDEX: return "KEEL_ISR_EINDEX (TAIL - HEAD outside 0..CAPACITY)";
  case KEEL_ISR_EARG: return "KEEL_ISR_EARG (queue or buffer is NULL)";
  default: return "KEEL_ISR_E? (unknown code)";
  }
}

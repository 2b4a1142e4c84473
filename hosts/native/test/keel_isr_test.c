/*
 * Unit test of hosts/native/keel_isr.c alone, with a C consumer that follows
 * docs/queue-layout.md's consumer steps (seq_cst loads and stores, like
 * JavaScript's Atomics). Run by test/node/isr-native.test.ts, built three
 * ways: plain (-Wall -Wextra -Werror), -fsanitize=thread and
 * -fsanitize=address,undefined.
 *
 *   cc -std=c11 -O1 -pthread -I hosts/native hosts/native/keel_isr.c \
 *      hosts/native/test/keel_isr_test.c -o keel_isr_test && ./keel_isr_test [events]
 *
 * Prints one "ok <name>" line per check group and "KEEL-ISR-TEST PASS"; on
 * the first failed check it prints the file, line and values and exits 1.
 */
#include "keel_isr.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);      \
      fprintf(stderr, __VA_ARGS__);                                        \
      fputc('\n', stderr);                                                 \
      exit(1);                                                             \
    }                                                                      \
  } while (0)
#define EQ(a, b) CHECK((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), (long long)(b))

enum { W_MAGIC = 0, W_VERSION, W_HEADER_BYTES, W_RECORD_BYTES, W_CAPACITY, W_SLOTS, W_MODE, W_OVERFLOW,
       W_HEAD = 16, W_WAITING = 17, W_TAIL = 32, W_REFUSED = 33, W_PEAK = 34 };

static uint32_t pow2(uint32_t n)
{
  uint32_t p = 1;
  while (p < n)
    p <<= 1;
  return p;
}

static size_t qbytes(uint32_t cap) { return 256u + 40u * (size_t)pow2(cap); }

/* Formats a buffer as `new SharedEventQueue({capacity, producers, initialIndex})` does. */
static int32_t *make_queue(uint32_t cap, int mode, int32_t start)
{
  size_t bytes = qbytes(cap);
  int32_t *w = aligned_alloc(64, (bytes + 63) / 64 * 64);
  uint32_t slots = pow2(cap), k;
  CHECK(w != NULL, "no memory");
  memset(w, 0, bytes);
  w[W_HEADER_BYTES] = 256;
  w[W_RECORD_BYTES] = 40;
  w[W_CAPACITY] = (int32_t)cap;
  w[W_SLOTS] = (int32_t)slots;
  w[W_MODE] = mode;
  w[W_OVERFLOW] = 0;
  for (k = 0; k < slots; k++)
    w[64 + 10 * k] = start;
  __atomic_store_n(&w[W_HEAD], start, __ATOMIC_SEQ_CST);
  __atomic_store_n(&w[W_TAIL], start, __ATOMIC_SEQ_CST);
  __atomic_store_n(&w[W_VERSION], 1, __ATOMIC_SEQ_CST);
  __atomic_store_n(&w[W_MAGIC], 0x5145454B, __ATOMIC_SEQ_CST);
  return w;
}

typedef struct { int32_t sig; double p[4]; } event;

/* The consumer's get(), as SharedEventQueue.get does it. 1 taken, 0 none, -1 corrupt. */
static int take(int32_t *w, event *e)
{
  uint32_t mask = (uint32_t)w[W_SLOTS] - 1u, cap = (uint32_t)w[W_CAPACITY];
  int32_t h = __atomic_load_n(&w[W_HEAD], __ATOMIC_SEQ_CST);
  int32_t *rec = w + 64 + 10 * ((uint32_t)h & mask);
  int32_t next = (int32_t)((uint32_t)h + 1u);
  double *p = (double *)(void *)(rec + 2);
  if (__atomic_load_n(&rec[0], __ATOMIC_SEQ_CST) != next)
    return 0;
  e->sig = rec[1];
  if ((uint32_t)__atomic_load_n(&w[W_TAIL], __ATOMIC_SEQ_CST) - (uint32_t)next >= cap || (uint32_t)e->sig > 0xffffu)
    return -1;
  memcpy(e->p, p, sizeof e->p);
  __atomic_store_n(&w[W_HEAD], next, __ATOMIC_SEQ_CST);
  return 1;
}

static void attach_errors(void)
{
  keel_isr_queue q;
  int32_t *w = make_queue(5, KEEL_ISR_SINGLE, 0);
  size_t b = qbytes(5);
  EQ(keel_isr_attach(NULL, w, b, KEEL_ISR_SINGLE), KEEL_ISR_EARG);
  EQ(keel_isr_attach(&q, NULL, b, KEEL_ISR_SINGLE), KEEL_ISR_EARG);
  EQ(keel_isr_attach(&q, (uint8_t *)w + 4, b, KEEL_ISR_SINGLE), KEEL_ISR_EALIGN);
  CHECK(q.base == NULL, "a failed attach leaves base NULL");
  EQ(keel_isr_attach(&q, w, b, 0), KEEL_ISR_EMODE);
  EQ(keel_isr_attach(&q, w, b, 3), KEEL_ISR_EMODE);
  EQ(keel_isr_attach(&q, w, 255, KEEL_ISR_SINGLE), KEEL_ISR_ESIZE);
  EQ(keel_isr_attach(&q, w, b - 1, KEEL_ISR_SINGLE), KEEL_ISR_ESIZE);
  EQ(keel_isr_attach(&q, w, b, KEEL_ISR_MULTIPLE), KEEL_ISR_EMODE); /* MODE 1 queue */
#define BREAK(word, value, code)                                   \
  do {                                                             \
    int32_t old = w[word];                                         \
    w[word] = (value);                                             \
    EQ(keel_isr_attach(&q, w, b, KEEL_ISR_SINGLE), (code));        \
    w[word] = old;                                                 \
  } while (0)
  BREAK(W_MAGIC, 0x5145454C, KEEL_ISR_EMAGIC);
  BREAK(W_VERSION, 2, KEEL_ISR_EVERSION);
  BREAK(W_HEADER_BYTES, 128, KEEL_ISR_ELAYOUT);
  BREAK(W_RECORD_BYTES, 32, KEEL_ISR_ELAYOUT);
  BREAK(W_CAPACITY, 0, KEEL_ISR_ELAYOUT);
  BREAK(W_CAPACITY, 65537, KEEL_ISR_ELAYOUT);
  BREAK(W_CAPACITY, 9, KEEL_ISR_ELAYOUT); /* SLOTS 8 is not its power of two */
  BREAK(W_SLOTS, 16, KEEL_ISR_ELAYOUT);
  BREAK(W_MODE, 3, KEEL_ISR_ELAYOUT);
  BREAK(W_OVERFLOW, 1, KEEL_ISR_ELAYOUT);
  BREAK(W_TAIL, 6, KEEL_ISR_EINDEX);
  BREAK(W_TAIL, -1, KEEL_ISR_EINDEX);
  EQ(keel_isr_attach(&q, w, b, KEEL_ISR_SINGLE), KEEL_ISR_OK);
  EQ(q.capacity, 5);
  EQ(q.mask, 7);
  EQ(q.mode, KEEL_ISR_SINGLE);
  /* A lone C producer on an MPSC queue claims by compare-exchange. */
  w[W_MODE] = KEEL_ISR_MULTIPLE;
  EQ(keel_isr_attach(&q, w, b, KEEL_ISR_SINGLE), KEEL_ISR_OK);
  EQ(q.mode, KEEL_ISR_MULTIPLE);
  EQ(keel_isr_attach(&q, w, b, KEEL_ISR_MULTIPLE), KEEL_ISR_OK);
  CHECK(strstr(keel_isr_error_name(KEEL_ISR_EMAGIC), "EMAGIC") != NULL, "error name");
  CHECK(strstr(keel_isr_error_name(99), "unknown") != NULL, "unknown code name");
  free(w);
  /* Unattached queue: posts are corrupt, never crash. */
  memset(&q, 0, sizeof q);
  EQ(keel_isr_post(&q, 1, 0, 0, 0, 0), KEEL_ISR_CORRUPT);
  printf("ok attach errors (every KEEL_ISR_E* code)\n");
}

/* Fill, refuse, take in order, across the 32-bit wrap of the positions. */
static void fill_and_wrap(int mode, int32_t start)
{
  keel_isr_queue q;
  event e;
  uint32_t cap = 5, round, k;
  int32_t *w = make_queue(cap, mode, start);
  EQ(keel_isr_attach(&q, w, qbytes(cap), mode), KEEL_ISR_OK);
  for (round = 0; round < 10; round++) { /* 10 laps of 8 slots: crosses 2^32 from start -16 */
    for (k = 0; k < cap; k++)
      EQ(keel_isr_post(&q, 7, round, k, 0.5, -1e300), KEEL_ISR_POSTED);
    EQ(keel_isr_post(&q, 7, 0, 0, 0, 0), KEEL_ISR_REFUSED);
    EQ(w[W_REFUSED], round + 1);
    EQ(w[W_PEAK], cap);
    EQ((uint32_t)w[W_TAIL] - (uint32_t)w[W_HEAD], cap);
    for (k = 0; k < cap; k++) {
      EQ(take(w, &e), 1);
      EQ(e.sig, 7);
      CHECK(e.p[0] == round && e.p[1] == k && e.p[2] == 0.5 && e.p[3] == -1e300, "record %u/%u", round, k);
    }
    EQ(take(w, &e), 0);
  }
  EQ((uint32_t)w[W_TAIL], (uint32_t)start + 50u);
  free(w);
}

static void posts(void)
{
  keel_isr_queue q;
  int32_t *w;
  fill_and_wrap(KEEL_ISR_SINGLE, 0);
  fill_and_wrap(KEEL_ISR_MULTIPLE, 0);
  fill_and_wrap(KEEL_ISR_SINGLE, (int32_t)0xFFFFFFF0u);
  fill_and_wrap(KEEL_ISR_MULTIPLE, (int32_t)0xFFFFFFF0u);
  fill_and_wrap(KEEL_ISR_MULTIPLE, 0x7FFFFFF0);
  printf("ok post/take/refuse, both modes, across the 32-bit wrap (initialIndex 2^32 - 16, 2^31 - 16)\n");

  /* Bad signal: nothing claimed, counted in REFUSED. */
  w = make_queue(4, KEEL_ISR_MULTIPLE, 0);
  EQ(keel_isr_attach(&q, w, qbytes(4), KEEL_ISR_MULTIPLE), KEEL_ISR_OK);
  EQ(keel_isr_post(&q, 65536, 0, 0, 0, 0), KEEL_ISR_CORRUPT);
  EQ(keel_isr_post(&q, -1, 0, 0, 0, 0), KEEL_ISR_CORRUPT);
  EQ(w[W_TAIL], 0);
  EQ(w[W_REFUSED], 2);
  EQ(keel_isr_post(&q, 65535, 0, 0, 0, 0), KEEL_ISR_POSTED);
  /* Corrupt indices: HEAD past TAIL (MPSC: TAIL re-read, unchanged), or TAIL - HEAD > CAPACITY. */
  w[W_HEAD] = 10;
  EQ(keel_isr_post(&q, 1, 0, 0, 0, 0), KEEL_ISR_CORRUPT);
  EQ(w[W_TAIL], 1);
  EQ(w[W_REFUSED], 3);
  w[W_MODE] = KEEL_ISR_SINGLE;
  w[W_HEAD] = 0;
  EQ(keel_isr_attach(&q, w, qbytes(4), KEEL_ISR_SINGLE), KEEL_ISR_OK);
  w[W_HEAD] = 10;
  EQ(keel_isr_post(&q, 1, 0, 0, 0, 0), KEEL_ISR_CORRUPT);
  EQ(w[W_TAIL], 1);
  EQ(w[W_REFUSED], 4);
  free(w);
  printf("ok bad signal and corrupt indices: nothing claimed, counted in REFUSED\n");
}

static int wakes_seen;
static void count_wake(void *ctx) { (void)ctx; wakes_seen++; }

static void edges(void)
{
  keel_isr_queue q;
  keel_isr_source s;
  keel_isr_stats st;
  event e;
  /* Edge times (us) with glitch_us 10: accepted when >= 10 after the last accepted edge. */
  static const uint64_t at[] = { 1000, 1005, 1009, 1010, 1011, 1030, 1039, 1040, 2000, 2001 };
  static const int accepted[] = { 1, 0, 0, 1, 0, 1, 0, 1, 1, 0 };
  unsigned i, n = sizeof at / sizeof at[0];
  uint32_t want_seq = 0;
  int32_t *w = make_queue(16, KEEL_ISR_SINGLE, 0);
  EQ(keel_isr_attach(&q, w, qbytes(16), KEEL_ISR_SINGLE), KEEL_ISR_OK);
  keel_isr_source_init(&s, &q, 42, 17, 10, count_wake, NULL);
  wakes_seen = 0;
  for (i = 0; i < n; i++)
    EQ(keel_isr_edge(&s, (int)(i & 1), at[i]), accepted[i] ? KEEL_ISR_POSTED : KEEL_ISR_REFUSED);
  keel_isr_source_stats(&s, &st);
  EQ(st.offered, n);
  EQ(st.posted, 5);
  EQ(st.glitched, 5);
  EQ(st.refused, 0);
  EQ(w[W_REFUSED], 0); /* the filter is not a ring refusal */
  /* Once per burst: one wake until the VM says it is draining. */
  EQ(st.wakes, 1);
  EQ(wakes_seen, 1);
  for (i = 0; i < n; i++) {
    if (!accepted[i])
      continue;
    EQ(take(w, &e), 1);
    EQ(e.sig, 42);
    CHECK(e.p[0] == 17 && e.p[1] == (double)(i & 1) && e.p[2] == (double)at[i], "edge %u", i);
    want_seq = i + 1;
    CHECK(e.p[3] == want_seq, "p3 %g, expected %u (offered count: gaps are filtered edges)", e.p[3], want_seq);
  }
  EQ(take(w, &e), 0);
  keel_isr_wake_done(&s);
  EQ(keel_isr_edge(&s, 1, 5000), KEEL_ISR_POSTED);
  EQ(keel_isr_edge(&s, 0, 6000), KEEL_ISR_POSTED);
  keel_isr_source_stats(&s, &st);
  EQ(st.wakes, 2);
  EQ(wakes_seen, 2);
  /* Glitch filter off: every edge posted; full ring: refused and counted twice. */
  keel_isr_source_init(&s, &q, 42, 3, 0, NULL, NULL);
  for (i = 0; i < 20; i++)
    keel_isr_edge(&s, 1, 7000);
  keel_isr_source_stats(&s, &st);
  EQ(st.offered, 20);
  EQ(st.posted, 14); /* 16 - the 2 above */
  EQ(st.refused, 6);
  EQ(w[W_REFUSED], 6);
  EQ(st.offered, st.posted + st.refused + st.glitched + st.corrupt);
  /* Bad signal through a source: corrupt, counted. */
  keel_isr_source_init(&s, &q, 70000, 3, 0, NULL, NULL);
  EQ(keel_isr_edge(&s, 1, 8000), KEEL_ISR_CORRUPT);
  keel_isr_source_stats(&s, &st);
  EQ(st.corrupt, 1);
  EQ(w[W_REFUSED], 7);
  free(w);
  printf("ok edges: glitch filter counts, p3 sequence, one wake per burst, refused and corrupt counted\n");
}

/* Threads: producers post, one consumer takes; every record once, in order per source. */
#define MAX_THREADS 4
typedef struct {
  keel_isr_source s;
  uint32_t count;
  uint64_t clock;
} producer;

static int32_t *g_w;
static keel_isr_queue g_q;
static producer g_p[MAX_THREADS];
static int g_running;
static int g_woken;

static void wake_flag(void *ctx) { (void)ctx; __atomic_store_n(&g_woken, 1, __ATOMIC_SEQ_CST); }

static void *produce(void *arg)
{
  producer *p = arg;
  uint32_t i;
  for (i = 0; i < p->count; i++)
    keel_isr_edge(&p->s, (int)(i & 1), p->clock++);
  __atomic_fetch_sub(&g_running, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void threads(int mode, int n, uint32_t count, uint32_t cap)
{
  pthread_t t[MAX_THREADS];
  double last[MAX_THREADS];
  uint32_t got[MAX_THREADS], gaps[MAX_THREADS];
  uint32_t taken = 0, refused = 0, posted = 0;
  keel_isr_stats st;
  event e;
  int i, r, running;
  g_w = make_queue(cap, mode, (int32_t)0xFFFFFF00u);
  EQ(keel_isr_attach(&g_q, g_w, qbytes(cap), mode), KEEL_ISR_OK);
  g_running = n;
  g_woken = 0;
  for (i = 0; i < n; i++) {
    keel_isr_source_init(&g_p[i].s, &g_q, 9, i, 0, wake_flag, NULL);
    g_p[i].count = count;
    g_p[i].clock = 1;
    last[i] = 0;
    got[i] = 0;
    gaps[i] = 0;
  }
  for (i = 0; i < n; i++)
    CHECK(pthread_create(&t[i], NULL, produce, &g_p[i]) == 0, "pthread_create");
  for (;;) {
    running = __atomic_load_n(&g_running, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&g_woken, 0, __ATOMIC_SEQ_CST))
      for (i = 0; i < n; i++)
        keel_isr_wake_done(&g_p[i].s);
    while ((r = take(g_w, &e)) == 1) {
      int src = (int)e.p[0];
      CHECK(src >= 0 && src < n, "source %d", src);
      CHECK(e.p[3] > last[src], "source %d: p3 %g after %g (order)", src, e.p[3], last[src]);
      gaps[src] += (uint32_t)(e.p[3] - last[src] - 1);
      last[src] = e.p[3];
      got[src]++;
      taken++;
    }
    CHECK(r == 0, "corrupt take");
    if (running == 0)
      break;
  }
  for (i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  EQ(take(g_w, &e), 0);
  for (i = 0; i < n; i++) {
    keel_isr_source_stats(&g_p[i].s, &st);
    EQ(st.offered, count);
    EQ(st.offered, st.posted + st.refused);
    EQ(got[i], st.posted);
    EQ(gaps[i] + (count - (uint32_t)last[i]), st.refused); /* every gap in p3 is a refusal */
    CHECK(st.wakes >= 1 || st.posted == 0, "source %d posted without waking", i);
    posted += st.posted;
    refused += st.refused;
  }
  EQ(taken, posted);
  EQ((uint32_t)g_w[W_REFUSED], refused);
  printf("ok threads: mode %d, %d producer(s) x %u edges, capacity %u: taken %u, refused %u\n", mode, n, count,
         cap, taken, refused);
  free(g_w);
}

int main(int argc, char **argv)
{
  uint32_t events = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000u;
  attach_errors();
  posts();
  edges();
  threads(KEEL_ISR_SINGLE, 1, events, 1024);
  threads(KEEL_ISR_MULTIPLE, 3, events / 3, 256);
  threads(KEEL_ISR_MULTIPLE, 2, events / 2, 1);
  printf("KEEL-ISR-TEST PASS\n");
  return 0;
}

/*
 * pico/keel_interrupt_pico.c: the interrupt bridge on RP2040 (pico-sdk).
 * UNTESTED HERE: the pico-sdk is not installed on the machine this was
 * written on and no board ran it (docs/interrupts.md, "On Moddable").
 *
 *   IRQ (IO_IRQ_BANK0, a raw per-pin handler: gpio_add_raw_irq_handler, so
 *   the one gpio_set_irq_enabled_with_callback callback that Moddable's
 *   digital uses is left alone): events = gpio_get_irq_event_mask(pin),
 *   gpio_acknowledge_irq, then keel_isr_edge(src, level, time_us_64()); both
 *   edges latched at once post two records (the opposite of the level now,
 *   then the level now).
 *   wake (from the IRQ, once per burst): kip_wake (keel_interrupt.c) ->
 *     kip_platform_post -> modMessagePostToMachineFromISR(the, kip_message, s)
 *     (xs/platforms/pico/xsHost.c: a static message pool; -1 when it is
 *     full: counted in wakes_lost, wake_pending cleared, poll() drains)
 *   Atomics: the Cortex-M0+ has no atomic read-modify-write; the __atomic
 *   builtins in keel_isr.c / keel_interrupt.c become __atomic_*_4 calls,
 *   which pico-sdk's pico_atomic supplies (Moddable's make.pico.mk links it:
 *   docs/interrupts.md, "Limits").
 *
 * Sources: at most KIP_PICO_MAX (4) at once (one raw handler function each:
 * a raw handler gets no argument); a fifth gets KIP_ETOO_MANY.
 *
 * Memory and mode: Moddable runs JS on one RP2040 core. The ring is an
 * InterruptRing (c_calloc, a host buffer that never moves) formatted by
 * SharedEventQueue with `singleCoreAtomics`; the IRQ preempts JS but never
 * the reverse, and aligned 32-bit accesses are single-copy atomic on the
 * Cortex-M0+, so a lone C producer (SINGLE) is safe. MULTIPLE is refused:
 * singleCoreAtomics.compareExchange is a load and a store that the IRQ can
 * split (docs/queue-layout.md).
 */
#include "keel_interrupt.h"
#include "xsHost.h"
#include "builtinCommon.h"

#include "hardware/gpio.h"
#include "hardware/irq.h"
#include "hardware/timer.h"

#define KIP_PICO_MAX 4
#define KIP_PICO_PINS 30

static kip_source *volatile gKipSlots[KIP_PICO_MAX];

double kip_now_us(void)
{
  return (double)time_us_64();
}

/* Interrupt context (kip_wake). The message holds a reference to s, dropped
   by kip_message after the delivery; none is kept when the queue refuses. */
int kip_platform_post(kip_source *s)
{
  __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
  if (modMessagePostToMachineFromISR(s->the, kip_message, s) != 0) {
    __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL); /* never 0 here: the JS object holds one while open */
    return -1;
  }
  return 0;
}

static void kip_irq(int slot)
{
  kip_source *s = gKipSlots[slot];
  uint32_t events, mask;
  uint64_t now;
  if (s == NULL)
    return;
  mask = (s->edge & 1 ? GPIO_IRQ_EDGE_RISE : 0) | (s->edge & 2 ? GPIO_IRQ_EDGE_FALL : 0);
  events = gpio_get_irq_event_mask((uint)s->pin) & mask;
  if (events == 0)
    return; /* another handler's pin */
  gpio_acknowledge_irq((uint)s->pin, events);
  now = time_us_64();
  if (events == (GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL)) {
    int level = gpio_get((uint)s->pin) ? 1 : 0;
    keel_isr_edge(&s->src, !level, now);
    keel_isr_edge(&s->src, level, now);
  } else
    keel_isr_edge(&s->src, events == GPIO_IRQ_EDGE_RISE ? 1 : 0, now);
}

static void kip_irq0(void) { kip_irq(0); }
static void kip_irq1(void) { kip_irq(1); }
static void kip_irq2(void) { kip_irq(2); }
static void kip_irq3(void) { kip_irq(3); }
static const irq_handler_t gKipHandlers[KIP_PICO_MAX] = { kip_irq0, kip_irq1, kip_irq2, kip_irq3 };

int kip_platform_open(kip_source *s, int mode)
{
  int slot;
  uint32_t mask;
  if (mode == KEEL_ISR_MULTIPLE)
    return KIP_EMODE_PLATFORM;
  if (s->pin < 0 || s->pin >= KIP_PICO_PINS)
    return KIP_EPIN_UNKNOWN;
  if (!builtinIsPinFree(s->pin))
    return KIP_EPIN_BUSY;
  for (slot = 0; slot < KIP_PICO_MAX && gKipSlots[slot] != NULL; slot++)
    ;
  if (slot == KIP_PICO_MAX)
    return KIP_ETOO_MANY; /* KIP_PICO_MAX raw handlers, one per source */
  s->platform = (void *)(uintptr_t)(slot + 1);
  gKipSlots[slot] = s;
  builtinUsePin(s->pin);
  gpio_init((uint)s->pin);
  gpio_set_dir((uint)s->pin, GPIO_IN);
  mask = (s->edge & 1 ? GPIO_IRQ_EDGE_RISE : 0) | (s->edge & 2 ? GPIO_IRQ_EDGE_FALL : 0);
  gpio_add_raw_irq_handler((uint)s->pin, gKipHandlers[slot]);
  gpio_set_irq_enabled((uint)s->pin, mask, true);
  irq_set_enabled(IO_IRQ_BANK0, true);
  return KIP_OK;
}

void kip_platform_close(kip_source *s)
{
  int slot = (int)(uintptr_t)s->platform - 1;
  gpio_set_irq_enabled((uint)s->pin, GPIO_IRQ_EDGE_RISE | GPIO_IRQ_EDGE_FALL, false);
  if (slot >= 0 && slot < KIP_PICO_MAX) {
    gpio_remove_raw_irq_handler((uint)s->pin, gKipHandlers[slot]);
    gKipSlots[slot] = NULL;
  }
  builtinFreePin(s->pin);
  s->platform = NULL;
}

int kip_platform_simulate(kip_source *s, double hz, double seconds, int32_t burst, int32_t gap_us)
{
  (void)s;
  (void)hz;
  (void)seconds;
  (void)burst;
  (void)gap_us;
  return KIP_ENOSIM;
}

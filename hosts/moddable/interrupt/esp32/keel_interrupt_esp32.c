/*
 * esp32/keel_interrupt_esp32.c: the interrupt bridge on ESP32 (ESP-IDF GPIO
 * ISR service). UNTESTED HERE: ESP-IDF is not installed on the machine this
 * was written on and no board ran it (docs/interrupts.md, "Untested here").
 *
 *   ISR (IRAM): level = gpio_get_level(pin); keel_isr_edge(src, level, esp_timer_get_time())
 *   wake (from the ISR, once per burst): kip_wake (keel_interrupt.c) ->
 *     kip_platform_post -> modMessagePostToMachineFromISR(the, kip_message, s)
 *     (xs/platforms/esp/xsHost.c: xQueueSendToBackFromISR on the VM's
 *     message queue; -1 when that queue is full: keel_interrupt.c counts the
 *     wake in wakes_lost and clears wake_pending so the next edge tries
 *     again; the app's poll() drains what is left)
 *   VM task: kip_message -> kip_deliver -> target.onWake(); kip_release
 *
 * Pins: GPIO_IS_VALID_GPIO, and free in the ECMA-419 IO pin table
 * (builtinCommon: builtinIsPinFree / builtinUsePin, linked by manifest.json),
 * so a second bridge or an embedded:io/digital object on the pin is refused.
 *
 * Mode: MULTIPLE (C and JS producers on one ring) needs JS Atomics that are
 * real atomics. XS's own test (xs/platforms/esp/xsPlatform.h) defines
 * mxUseGCCAtomics unless __riscv: on RISC-V ESP32 variants (C3, C6, H2...)
 * its Atomics take a FreeRTOS mutex, which an ISR does not respect, so
 * MULTIPLE is refused there (KIP_EMODE_PLATFORM). The CPU is tested directly:
 * xsPlatform.h is not included here (make.esp32.mk does not define
 * INCLUDE_XSPLATFORM), so mxUseGCCAtomics itself is never visible.
 *
 * IRAM: kip_isr is IRAM_ATTR and keel_isr.c's interrupt path is too
 * (KEEL_ISR_FN defaults to IRAM_ATTR under ESP_PLATFORM, which
 * make.esp32.mk passes), so an edge runs without flash-cache misses. The ISR
 * service is installed with flags 0, as Moddable's digital does
 * (modules/io/digital/esp32/digitalbank.c): one service is shared by every
 * GPIO handler and its flags are fixed by whoever installs it first;
 * ESP_INTR_FLAG_IRAM would also run it while the flash cache is off, which
 * needs every handler and what it calls in IRAM, and
 * modMessagePostToMachineFromISR (the wake) is not. So edges that arrive
 * during a flash write wait for it to end (the GPIO latches them).
 */
#include "keel_interrupt.h"
#include "xsHost.h"
#include "builtinCommon.h"

#include "driver/gpio.h"
#include "esp_timer.h"

double kip_now_us(void)
{
  return (double)esp_timer_get_time();
}

/* Interrupt context (kip_wake). The message holds a reference to s, dropped
   by kip_message after the delivery; none is kept when the queue refuses. */
int IRAM_ATTR kip_platform_post(kip_source *s)
{
  __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
  if (modMessagePostToMachineFromISR(s->the, kip_message, s) != 0) {
    __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL); /* never 0 here: the JS object holds one while open */
    return -1;
  }
  return 0;
}

static void IRAM_ATTR kip_isr(void *arg)
{
  kip_source *s = arg;
  keel_isr_edge(&s->src, gpio_get_level((gpio_num_t)s->pin), (uint64_t)esp_timer_get_time());
}

int kip_platform_open(kip_source *s, int mode)
{
  esp_err_t err;
#if defined(__riscv)
  if (mode == KEEL_ISR_MULTIPLE)
    return KIP_EMODE_PLATFORM; /* XS's Atomics are a FreeRTOS mutex here */
#else
  (void)mode; /* Xtensa: XS's Atomics are GCC atomics (mxUseGCCAtomics) */
#endif
  if (!GPIO_IS_VALID_GPIO(s->pin))
    return KIP_EPIN_UNKNOWN;
  if (!builtinIsPinFree(s->pin))
    return KIP_EPIN_BUSY;
  err = gpio_install_isr_service(0);
  if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) /* INVALID_STATE: already installed */
    return KIP_EPLATFORM;
  gpio_set_direction((gpio_num_t)s->pin, GPIO_MODE_INPUT);
  gpio_set_intr_type((gpio_num_t)s->pin, s->edge == 3 ? GPIO_INTR_ANYEDGE : s->edge == 1 ? GPIO_INTR_POSEDGE : GPIO_INTR_NEGEDGE);
  if (gpio_isr_handler_add((gpio_num_t)s->pin, kip_isr, s) != ESP_OK)
    return KIP_EPLATFORM;
  builtinUsePin(s->pin);
  gpio_intr_enable((gpio_num_t)s->pin);
  return KIP_OK;
}

void kip_platform_close(kip_source *s)
{
  gpio_intr_disable((gpio_num_t)s->pin);
  gpio_isr_handler_remove((gpio_num_t)s->pin);
  builtinFreePin(s->pin);
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

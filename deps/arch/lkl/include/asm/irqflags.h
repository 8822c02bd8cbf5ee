/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_IRQFLAGS_H
#define _ASM_LKL_IRQFLAGS_H

/*
 * Interrupts are a flag: "disabled" only means pending irqs wait until the
 * flag goes back to enabled (or the CPU is released), see kernel/irq.c.
 */
#define ARCH_IRQ_ENABLED	(1)
#define ARCH_IRQ_DISABLED	(0)

unsigned long arch_local_save_flags(void);
void arch_local_irq_restore(unsigned long flags);

#include <asm-generic/irqflags.h>

#endif

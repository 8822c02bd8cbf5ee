/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_IRQ_H
#define _ASM_LKL_IRQ_H

/* One irq for the timer, one per block driver: a handful is plenty. */
#define NR_IRQS		64

int lkl_get_free_irq(const char *user);
void lkl_put_irq(int irq, const char *name);

#include <asm-generic/irq.h>

#endif

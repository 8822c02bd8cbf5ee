// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts.
 *
 * Any host thread may raise an irq with lkl_trigger_irq(): the timer
 * thread, block I/O threads. If the CPU is free the caller takes it and
 * runs the handler itself; otherwise the irq is marked pending in a bitmap
 * (atomics, no lock) and the CPU owner runs it when it releases the CPU or
 * re-enables interrupts. Nothing ever interrupts running kernel code.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/hardirq.h>
#include <linux/seq_file.h>
#include <asm/irq_regs.h>
#include <asm/lkl.h>

#define IRQ_WORDS	DIV_ROUND_UP(NR_IRQS, BITS_PER_LONG)

static unsigned long irq_pending[IRQ_WORDS];
static const char *irq_users[NR_IRQS];
static unsigned long irqs_enabled;

void set_irq_pending(int irq)
{
	__atomic_fetch_or(&irq_pending[irq / BITS_PER_LONG],
			  1UL << (irq % BITS_PER_LONG), __ATOMIC_SEQ_CST);
}

static void run_irq(int irq)
{
	unsigned long flags;
	struct pt_regs regs = { };
	struct pt_regs *old_regs = set_irq_regs(&regs);

	local_irq_save(flags);
	irq_enter();
	generic_handle_irq(irq);
	irq_exit();
	local_irq_restore(flags);
	set_irq_regs(old_regs);
}

/* Run every pending irq; called by the CPU owner. */
void run_irqs(void)
{
	int i, bit;
	unsigned long pending;

	for (i = 0; i < IRQ_WORDS; i++) {
		if (!__atomic_load_n(&irq_pending[i], __ATOMIC_RELAXED))
			continue;
		pending = __atomic_exchange_n(&irq_pending[i], 0,
					      __ATOMIC_SEQ_CST);
		while (pending) {
			bit = __ffs(pending);
			pending &= ~(1UL << bit);
			run_irq(i * BITS_PER_LONG + bit);
		}
	}
}

int lkl_trigger_irq(int irq)
{
	int ret;

	if (irq <= 0 || irq >= NR_IRQS)
		return -EINVAL;

	ret = lkl_cpu_try_run_irq(irq);
	if (ret <= 0)
		return ret;

	/* We own the CPU; lkl_cpu_put runs the pending irq if enabled. */
	lkl_cpu_put();
	return 0;
}

unsigned long arch_local_save_flags(void)
{
	return irqs_enabled;
}

void arch_local_irq_restore(unsigned long flags)
{
	if (flags == ARCH_IRQ_ENABLED && irqs_enabled == ARCH_IRQ_DISABLED &&
	    !in_interrupt()) {
		/* An enable edge: deliver what waited, still disabled. */
		run_irqs();
	}
	irqs_enabled = flags;
}

int lkl_get_free_irq(const char *user)
{
	int i;

	for (i = 1; i < NR_IRQS; i++) {
		if (!irq_users[i]) {
			irq_users[i] = user;
			irq_set_chip_and_handler(i, &dummy_irq_chip,
						 handle_simple_irq);
			return i;
		}
	}
	return -EBUSY;
}

void lkl_put_irq(int irq, const char *user)
{
	if (irq <= 0 || irq >= NR_IRQS || irq_users[irq] != user) {
		pr_warn("lkl: bad irq release %d by %s\n", irq, user);
		return;
	}
	irq_users[irq] = NULL;
}

void __init init_IRQ(void)
{
	int i;

	for (i = 0; i < NR_IRQS; i++)
		irq_set_chip_and_handler(i, &dummy_irq_chip, handle_simple_irq);
	/* Boot runs with irqs disabled until start_kernel enables them. */
}

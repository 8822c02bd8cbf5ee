// SPDX-License-Identifier: GPL-2.0
/*
 * The one virtual CPU.
 *
 * Kernel code runs only on the host thread that owns the CPU. A host
 * thread entering the kernel (syscall, interrupt) takes it with
 * lkl_cpu_get() and gives it back with lkl_cpu_put(); a context switch
 * hands ownership to the next task's thread (lkl_cpu_change_owner), so
 * get and put may happen on different threads and a plain mutex will not
 * do. The owner may re-enter (count). Waiters sleep on a semaphore.
 *
 * Interrupts raised while someone else owns the CPU are left pending and
 * run by the owner when it releases the CPU or re-enables irqs.
 *
 * Shutdown: lkl_cpu_shutdown() (machine_restart) closes the gate; further
 * lkl_cpu_get() calls fail with -ESHUTDOWN.
 */
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/irqflags.h>
#include <linux/preempt.h>
#include <asm/lkl.h>

static struct {
	struct lkl_mutex *lock;
	lkl_thread_t owner;
	unsigned int count;
	unsigned int sleepers;
	struct lkl_sem *sem;
	bool irqs_pending;
	bool shutdown;
} cpu;

static bool owned_by_me(void)
{
	return cpu.count > 0 &&
	       lkl_ops->thread_equal(cpu.owner, lkl_ops->thread_self());
}

int lkl_cpu_get(void)
{
	lkl_ops->mutex_lock(cpu.lock);
	while (cpu.count > 0 && !owned_by_me()) {
		if (cpu.shutdown)
			break;
		cpu.sleepers++;
		lkl_ops->mutex_unlock(cpu.lock);
		lkl_ops->sem_down(cpu.sem);
		lkl_ops->mutex_lock(cpu.lock);
	}
	if (cpu.shutdown && !owned_by_me()) {
		lkl_ops->mutex_unlock(cpu.lock);
		return -ESHUTDOWN;
	}
	cpu.owner = lkl_ops->thread_self();
	cpu.count++;
	lkl_ops->mutex_unlock(cpu.lock);
	return 0;
}

/* Called with cpu.lock held; drops the CPU completely. */
static void cpu_release_locked(void)
{
	cpu.count = 0;
	cpu.owner = 0;
	if (cpu.sleepers) {
		cpu.sleepers--;
		lkl_ops->sem_up(cpu.sem);
	}
}

void lkl_cpu_put(void)
{
	lkl_ops->mutex_lock(cpu.lock);

	if (!owned_by_me()) {
		lkl_ops->mutex_unlock(cpu.lock);
		pr_emerg("lkl: CPU released by a thread that does not own it\n");
		BUG();
	}

	/* Deliver what arrived while we held the CPU. */
	while (cpu.irqs_pending && !irqs_disabled()) {
		cpu.irqs_pending = false;
		lkl_ops->mutex_unlock(cpu.lock);
		run_irqs();
		lkl_ops->mutex_lock(cpu.lock);
	}

	/*
	 * If a host task is current and other tasks are runnable, nobody
	 * else would run them: schedule them on this borrowed thread. When
	 * we come back through the jump buffer, ownership has moved on.
	 */
	if (cpu.count == 1 && !in_interrupt() && !cpu.shutdown &&
	    test_ti_thread_flag(current_thread_info(), TIF_HOST_THREAD) &&
	    !single_task_running()) {
		lkl_ops->mutex_unlock(cpu.lock);
		if (thread_sched_jb())
			return;
		lkl_ops->mutex_lock(cpu.lock);
	}

	if (--cpu.count == 0)
		cpu_release_locked();
	lkl_ops->mutex_unlock(cpu.lock);
}

/*
 * From an interrupt source (timer, I/O completion) on any thread: take the
 * CPU if it is free (1), or leave the irq pending for the owner (0).
 */
int lkl_cpu_try_run_irq(int irq)
{
	int ret;

	lkl_ops->mutex_lock(cpu.lock);
	if (cpu.shutdown) {
		ret = -ESHUTDOWN;
	} else if (cpu.count > 0 && !owned_by_me()) {
		set_irq_pending(irq);
		cpu.irqs_pending = true;
		ret = 0;
	} else {
		set_irq_pending(irq);
		cpu.irqs_pending = true;
		cpu.owner = lkl_ops->thread_self();
		cpu.count++;
		ret = 1;
	}
	lkl_ops->mutex_unlock(cpu.lock);
	return ret;
}

void lkl_cpu_change_owner(lkl_thread_t owner)
{
	lkl_ops->mutex_lock(cpu.lock);
	if (cpu.count > 1) {
		lkl_ops->mutex_unlock(cpu.lock);
		pr_emerg("lkl: context switch with a nested CPU hold\n");
		BUG();
	}
	cpu.owner = owner;
	lkl_ops->mutex_unlock(cpu.lock);
}

void lkl_cpu_shutdown(void)
{
	lkl_ops->mutex_lock(cpu.lock);
	cpu.shutdown = true;
	/* Wake every waiter: they return -ESHUTDOWN. */
	while (cpu.sleepers) {
		cpu.sleepers--;
		lkl_ops->sem_up(cpu.sem);
	}
	lkl_ops->mutex_unlock(cpu.lock);
}

int lkl_cpu_is_shutdown(void)
{
	return cpu.shutdown;
}

int lkl_cpu_init(void)
{
	cpu.lock = lkl_ops->mutex_alloc(0);
	cpu.sem = lkl_ops->sem_alloc(0);
	if (!cpu.lock || !cpu.sem)
		return -ENOMEM;
	return 0;
}

void lkl_cpu_relax(void)
{
	unsigned long flags;

	local_irq_save(flags);
	local_irq_restore(flags);
}

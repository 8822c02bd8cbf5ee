/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_LKL_H
#define _ASM_LKL_LKL_H

/* Arch-private declarations shared by arch/lkl/kernel and drivers. */
#include <linux/types.h>
#include <asm/host_ops.h>

struct task_struct;

extern const struct lkl_host_operations *lkl_ops;

/* The CPU lock (kernel/cpu.c). */
int lkl_cpu_init(void);
int lkl_cpu_get(void);
void lkl_cpu_put(void);
int lkl_cpu_try_run_irq(int irq);
void lkl_cpu_change_owner(lkl_thread_t owner);
void lkl_cpu_shutdown(void);
int lkl_cpu_is_shutdown(void);
void lkl_cpu_wait_shutdown(void);
bool lkl_cpu_idle_shutdown(void);

/* Threads (kernel/threads.c). */
void threads_init(void);
int thread_sched_jb(void);
void switch_to_host_task(struct task_struct *task);
int host_task_stub(void *unused);
extern struct task_struct *lkl_abs_prev;

/* Interrupts (kernel/irq.c). */
void run_irqs(void);
void set_irq_pending(int irq);

/* Syscalls (kernel/syscalls.c). */
void syscalls_init(void);
void wakeup_idle_host_task(void);

/* Memory (mm/bootmem.c). */
void bootmem_init(unsigned long mem_size);
extern unsigned long lkl_mem_size;

/* The boot thread waits on this until the kernel is ready. */
void lkl_boot_done(int status);

#endif

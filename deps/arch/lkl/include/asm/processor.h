/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_PROCESSOR_H
#define _ASM_LKL_PROCESSOR_H

struct task_struct;
struct pt_regs;

/* Every task is a host thread; its registers live there, not here. */
struct thread_struct { };
#define INIT_THREAD { }

/*
 * Busy-wait loops must let pending interrupts (timer ticks) in, or a loop
 * waiting for jiffies never ends: an irq-flag save/restore pair does it.
 */
void lkl_cpu_relax(void);
#define cpu_relax()	lkl_cpu_relax()

#define TASK_SIZE		(~0UL)
#define TASK_SIZE_MAX		TASK_SIZE
#define STACK_TOP		TASK_SIZE
#define STACK_TOP_MAX		STACK_TOP
#define TASK_UNMAPPED_BASE	0

#define task_pt_regs(tsk)	((struct pt_regs *)0)
#define KSTK_EIP(tsk)		(0)
#define KSTK_ESP(tsk)		(0)

static inline void prepare_to_copy(struct task_struct *tsk) { }

unsigned long __get_wchan(struct task_struct *p);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_THREAD_INFO_H
#define _ASM_LKL_THREAD_INFO_H

/*
 * Every kernel thread runs on its own host thread and stack, so
 * thread_info is not on a stack: it is a small kmalloc'ed record per task
 * (arch_alloc_thread_stack_node) holding the host semaphore the task
 * sleeps on while another task has the CPU. THREAD_SIZE only sizes the
 * init task's record and stack accounting.
 */
#define THREAD_SIZE_ORDER	0
#define THREAD_SIZE		(4096)

#ifndef __ASSEMBLY__
#include <asm/types.h>
#include <asm/processor.h>
#include <asm/host_ops.h>

struct thread_info {
	struct task_struct *task;
	unsigned long flags;
	int preempt_count;
	/* The host thread running this task sleeps here when switched out. */
	struct lkl_sem *sched_sem;
	/* Where a host task's borrowed thread returns to (TIF_SCHED_JB). */
	struct lkl_jmp_buf sched_jb;
	bool dead;
	lkl_thread_t tid;
	/* The task switched away from to run this one, for schedule_tail. */
	struct task_struct *prev_sched;
	/* Stack-end canary goes here (end_of_stack). */
	unsigned long stackend;
};

#define INIT_THREAD_INFO(tsk)				\
{							\
	.task		= &tsk,				\
	.preempt_count	= INIT_PREEMPT_COUNT,		\
	.flags		= 0,				\
}

/* "current" is whoever owns the CPU; only the owner may look. */
extern struct thread_info *_current_thread_info;
static inline struct thread_info *current_thread_info(void)
{
	return _current_thread_info;
}

#define __HAVE_THREAD_FUNCTIONS
#define task_thread_info(task)	((struct thread_info *)(task)->stack)
#define task_stack_page(task)	((task)->stack)
void setup_thread_stack(struct task_struct *p, struct task_struct *org);
#define end_of_stack(p)		(&task_thread_info(p)->stackend)

unsigned long *arch_alloc_thread_stack_node(struct task_struct *task,
					    int node);
void arch_free_thread_stack(struct task_struct *task);

#endif /* __ASSEMBLY__ */

#define TIF_SYSCALL_TRACE	0
#define TIF_NOTIFY_RESUME	1
#define TIF_SIGPENDING		2
#define TIF_NEED_RESCHED	3
#define TIF_RESTORE_SIGMASK	4
#define TIF_MEMDIE		5
#define TIF_NOTIFY_SIGNAL	6
/* The task's switch-out longjmps to sched_jb instead of sleeping. */
#define TIF_SCHED_JB		7
/* A host task: run by whichever host thread calls lkl_syscall. */
#define TIF_HOST_THREAD		8

#endif

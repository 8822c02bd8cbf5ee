// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks as host threads.
 *
 * Every kernel thread (kthreads, pid 1, workers) runs on a host thread of
 * its own, created in copy_thread(). Exactly one of them runs kernel code
 * at a time: the one that owns the CPU lock (cpu.c). A context switch
 * hands CPU ownership to the next task's host thread, wakes it through its
 * semaphore and puts the previous one to sleep on its own semaphore.
 *
 * Host tasks (TIF_HOST_THREAD) have no host thread of their own: the host
 * thread that makes a syscall "becomes" its host task for the duration
 * (syscalls.c). When a host task is switched out on a borrowed thread,
 * __switch_to longjmps back to the point saved by thread_sched_jb()
 * instead of sleeping, so the borrowed thread returns to its caller.
 */
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <asm/lkl.h>

struct thread_info *_current_thread_info = &init_thread_info;

/*
 * The task switched away from most recently. schedule() wants the task it
 * switched from *last*, which with one stack per task is not what the
 * resuming stack remembers, so it is global (protected by the CPU lock).
 */
struct task_struct *lkl_abs_prev = &init_task;

unsigned long *arch_alloc_thread_stack_node(struct task_struct *task, int node)
{
	struct thread_info *ti;

	ti = kmalloc_node(sizeof(*ti), GFP_KERNEL | __GFP_ZERO, node);
	if (!ti)
		return NULL;

	ti->sched_sem = lkl_ops->sem_alloc(0);
	if (!ti->sched_sem) {
		kfree(ti);
		return NULL;
	}
	ti->task = task;
	return (unsigned long *)ti;
}

/*
 * Called when the task struct is freed, on whatever thread owns the CPU;
 * the dead task's host thread is asleep in __switch_to. Wake it with the
 * dead flag set so it exits, and reap it. Host tasks' threads belong to
 * the application and are left alone.
 */
void arch_free_thread_stack(struct task_struct *task)
{
	struct thread_info *ti = task_thread_info(task);

	if (!test_ti_thread_flag(ti, TIF_HOST_THREAD) && ti->tid) {
		ti->dead = true;
		lkl_ops->sem_up(ti->sched_sem);
		lkl_ops->thread_join(ti->tid);
	}
	lkl_ops->sem_free(ti->sched_sem);
	kfree(ti);
}

void setup_thread_stack(struct task_struct *p, struct task_struct *org)
{
	struct thread_info *ti = task_thread_info(p);
	struct thread_info *org_ti = task_thread_info(org);

	/* Not the semaphore, thread id or jump buffer: those are per task. */
	ti->flags = org_ti->flags;
	ti->preempt_count = org_ti->preempt_count;
	clear_ti_thread_flag(ti, TIF_HOST_THREAD);
	clear_ti_thread_flag(ti, TIF_SCHED_JB);
}

struct task_struct *__switch_to(struct task_struct *prev,
				struct task_struct *next)
{
	struct thread_info *_prev = task_thread_info(prev);
	struct thread_info *_next = task_thread_info(next);
	bool prev_jb = test_ti_thread_flag(_prev, TIF_SCHED_JB);
	struct lkl_jmp_buf jb;

	_current_thread_info = _next;
	_next->prev_sched = prev;
	lkl_abs_prev = prev;

	BUG_ON(!_next->tid);
	lkl_cpu_change_owner(_next->tid);

	/*
	 * Once next runs, prev may be freed (it may be dead), so take what we
	 * need from it before waking next.
	 */
	if (prev_jb) {
		clear_ti_thread_flag(_prev, TIF_SCHED_JB);
		jb = _prev->sched_jb;
	}

	lkl_ops->sem_up(_next->sched_sem);

	if (prev_jb)
		lkl_ops->jmp_buf_longjmp(&jb, 1);

	lkl_ops->sem_down(_prev->sched_sem);

	/* We own the CPU again, or we were reaped. */
	if (_prev->dead)
		lkl_ops->thread_exit();

	return lkl_abs_prev;
}

/*
 * Run the scheduler on behalf of the current host task from a borrowed
 * host thread (a syscall caller, the timer thread, an I/O completion).
 * The task goes to sleep; if another task is picked, CPU ownership moves
 * to it and we come back here through the jump buffer: returns 1. If
 * nothing else was runnable, schedule() returns normally: returns 0 and we
 * still own the CPU.
 */
static void do_schedule(void)
{
	schedule();
}

int thread_sched_jb(void)
{
	struct thread_info *ti = current_thread_info();
	int switched;

	if (!test_ti_thread_flag(ti, TIF_HOST_THREAD)) {
		pr_emerg("lkl: thread_sched_jb from a non-host task\n");
		BUG();
	}

	set_ti_thread_flag(ti, TIF_SCHED_JB);
	set_current_state(TASK_UNINTERRUPTIBLE);
	switched = lkl_ops->jmp_buf_set(&ti->sched_jb, do_schedule);
	if (!switched) {
		clear_ti_thread_flag(ti, TIF_SCHED_JB);
		__set_current_state(TASK_RUNNING);
	}
	return switched;
}

struct thread_bootstrap_arg {
	struct thread_info *ti;
	int (*fn)(void *);
	void *arg;
};

/* First code of every kernel thread's host thread. */
static void thread_bootstrap(void *_tba)
{
	struct thread_bootstrap_arg *tba = _tba;
	struct thread_info *ti = tba->ti;
	int (*fn)(void *) = tba->fn;
	void *arg = tba->arg;

	/* Sleep until the scheduler first switches to us. */
	lkl_ops->sem_down(ti->sched_sem);
	kfree(tba);

	if (ti->dead)
		lkl_ops->thread_exit();

	if (ti->prev_sched)
		schedule_tail(ti->prev_sched);

	fn(arg);
	do_exit(0);
}

int host_task_stub(void *unused)
{
	return 0;
}

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	struct thread_info *ti = task_thread_info(p);
	struct thread_bootstrap_arg *tba;

	if (args->fn == host_task_stub) {
		/*
		 * A host task: the calling host thread adopts it right away
		 * (syscalls.c), so it is the task's thread until it returns.
		 */
		set_ti_thread_flag(ti, TIF_HOST_THREAD);
		ti->tid = lkl_ops->thread_self();
		return 0;
	}

	if (!args->fn) {
		/* fork/clone from a host task: there is no user mode. */
		return -EINVAL;
	}

	tba = kmalloc(sizeof(*tba), GFP_KERNEL);
	if (!tba)
		return -ENOMEM;

	tba->ti = ti;
	tba->fn = args->fn;
	tba->arg = args->fn_arg;

	ti->tid = lkl_ops->thread_create(thread_bootstrap, tba);
	if (!ti->tid) {
		kfree(tba);
		return -ENOMEM;
	}

	return 0;
}

void threads_init(void)
{
	struct thread_info *ti = &init_thread_info;

	ti->sched_sem = lkl_ops->sem_alloc(0);
	BUG_ON(!ti->sched_sem);
	ti->tid = lkl_ops->thread_self();
}

void flush_thread(void)
{
}

unsigned long __get_wchan(struct task_struct *p)
{
	return 0;
}

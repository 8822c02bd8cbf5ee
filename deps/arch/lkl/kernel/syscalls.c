// SPDX-License-Identifier: GPL-2.0
/*
 * Syscalls from host threads.
 *
 * lkl_syscall() runs on the caller's host thread. The first time a thread
 * calls in, it gets a kernel task of its own (a "host task", created from
 * host0 = pid 1 as a thread of its group, so all host tasks share pid 1's
 * files, fs and mm: file descriptors are process-wide, as in a real
 * process). Each call: take the CPU, switch to the caller's host task,
 * run the handler, run deferred task work (there is no return to user
 * mode that would do it), release the CPU.
 *
 * Host tasks are created with user_mode_thread(), not kernel_thread():
 * PF_KTHREAD tasks defer their final fput/mntput to a workqueue, so an
 * umount would return before the superblock is gone.
 */
#include <linux/syscalls.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/kthread.h>
#include <linux/pid_namespace.h>
#include <linux/reboot.h>
#include <asm/syscalls.h>
#include <asm/lkl.h>

typedef long (*syscall_handler_t)(long, long, long, long, long, long);

/* Names the generic table uses that lkl does not provide. */
#define sys_mmap	sys_mmap_pgoff
#define sys_clone	sys_ni_syscall
#define sys_clone3	sys_ni_syscall
#define sys_rt_sigreturn	sys_ni_syscall

#undef __SYSCALL
#define __SYSCALL(nr, sym)	[nr] = (syscall_handler_t)(sym),

static const syscall_handler_t syscall_table[__NR_syscalls] = {
	[0 ... __NR_syscalls - 1] = (syscall_handler_t)sys_ni_syscall,
#include <asm/unistd.h>
	[__NR_lkl_disk_add] = (syscall_handler_t)sys_lkl_disk_add,
	[__NR_lkl_disk_remove] = (syscall_handler_t)sys_lkl_disk_remove,
	[__NR_lkl_disk_devt] = (syscall_handler_t)sys_lkl_disk_devt,
};

static struct lkl_tls_key *task_key;
static struct task_struct *host0;
static struct task_struct *idle_host_task;
static int host_task_count;

static long run_syscall(long no, long *params)
{
	long ret;

	if (no < 0 || no >= __NR_syscalls)
		return -ENOSYS;

	ret = syscall_table[no](params[0], params[1], params[2], params[3],
				params[4], params[5]);

	/* Restart codes never reach user space on a real system either. */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	if (ret == -ENOIOCTLCMD)
		ret = -ENOTTY;

	return ret;
}

/* Called with the CPU held; returns with task current. */
void switch_to_host_task(struct task_struct *task)
{
	task_thread_info(task)->tid = lkl_ops->thread_self();

	while (current != task) {
		wake_up_process(task);
		if (thread_sched_jb()) {
			/*
			 * Another task took the CPU; we run again when the
			 * scheduler switches to our task, which ups its
			 * semaphore.
			 */
			lkl_ops->sem_down(task_thread_info(task)->sched_sem);
			schedule_tail(lkl_abs_prev);
			return;
		}
	}
}

static struct task_struct *new_host_task(void)
{
	struct task_struct *task;
	pid_t pid;

	switch_to_host_task(host0);

	pid = user_mode_thread(host_task_stub, NULL,
			       CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_THREAD |
			       CLONE_SIGHAND | CLONE_SYSVSEM);
	if (pid < 0)
		return ERR_PTR(pid);

	rcu_read_lock();
	task = find_task_by_pid_ns(pid, &init_pid_ns);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	if (!task)
		return ERR_PTR(-ESRCH);

	snprintf(task->comm, sizeof(task->comm), "host%d", ++host_task_count);
	return task;
}

/*
 * TLS destructor: the host thread that owned this task is exiting. Run
 * the task's exit on this thread; its final schedule() comes back here
 * through the jump buffer.
 */
static void exit_host_task_fn(void)
{
	do_exit(0);
}

static void del_host_task(void *arg)
{
	struct task_struct *task = arg;

	if (lkl_cpu_get() < 0)
		return;
	switch_to_host_task(task);
	put_task_struct(task);
	set_thread_flag(TIF_SCHED_JB);
	lkl_ops->jmp_buf_set(&current_thread_info()->sched_jb,
			     exit_host_task_fn);
	/* The CPU now belongs to whatever task runs next. */
}

long lkl_syscall(long no, long *params)
{
	struct task_struct *task = host0;
	long ret;

	ret = lkl_cpu_get();
	if (ret < 0)
		return ret;

	task = lkl_ops->tls_get(task_key);
	if (!task) {
		task = new_host_task();
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			goto out;
		}
		lkl_ops->tls_set(task_key, task);
	}

	switch_to_host_task(task);
	ret = run_syscall(no, params);
	task_work_run();

out:
	lkl_cpu_put();
	return ret;
}

/*
 * The idle host task: when nothing is runnable, swapper's idle loop wakes
 * it (arch_cpu_idle) and switches to it; it releases the CPU, leaving a
 * host task current so the next syscall or irq can take over from there.
 */
static int idle_host_task_loop(void *unused)
{
	struct thread_info *ti = current_thread_info();

	snprintf(current->comm, sizeof(current->comm), "idle_host_task");
	set_thread_flag(TIF_HOST_THREAD);
	idle_host_task = current;

	for (;;) {
		lkl_cpu_put();
		lkl_ops->sem_down(ti->sched_sem);
		schedule_tail(lkl_abs_prev);
	}
	return 0;
}

void wakeup_idle_host_task(void)
{
	if (idle_host_task)
		wake_up_process(idle_host_task);
}

/* Runs as pid 1 when it "execs" /init (setup.c). */
void syscalls_init(void)
{
	snprintf(current->comm, sizeof(current->comm), "host0");
	set_thread_flag(TIF_HOST_THREAD);
	host0 = current;

	task_key = lkl_ops->tls_alloc(del_host_task);
	BUG_ON(!task_key);

	if (kernel_thread(idle_host_task_loop, NULL, CLONE_FS | CLONE_FILES) < 0)
		panic("lkl: cannot start the idle host task");
}

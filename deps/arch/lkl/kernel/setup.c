// SPDX-License-Identifier: GPL-2.0
/*
 * Boot and halt.
 *
 * lkl_start_kernel() (host's thread) starts a host thread that becomes
 * swapper and runs start_kernel(), then waits. There is no init program:
 * a late initcall creates an empty /init and a binfmt that accepts only
 * it, so kernel_init() skips mounting a root device and "execs" /init. The
 * loader gives pid 1 an mm and creds, turns it into host0 (the template of
 * host tasks, syscalls.c) and wakes lkl_start_kernel(), whose thread adopts
 * pid 1 long enough to release the CPU. pid 1's own host thread exits.
 */
#include <linux/init.h>
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/start_kernel.h>
#include <linux/sched/task.h>
#include <linux/reboot.h>
#include <linux/console.h>
#include <linux/panic_notifier.h>
#include <linux/syscalls.h>
#include <linux/string.h>
#include <linux/seq_file.h>
#include <asm/setup.h>
#include <asm/lkl.h>

const struct lkl_host_operations *lkl_ops;
static struct lkl_sem *boot_sem;
static int boot_status;
static int is_running;

void lkl_time_halt(void);

int lkl_is_running(void)
{
	return is_running;
}

void __init setup_arch(char **cmdline_p)
{
	*cmdline_p = boot_command_line;
	parse_early_param();
	bootmem_init(lkl_mem_size);
}

static void __ref lkl_run_kernel(void *arg)
{
	threads_init();
	lkl_cpu_get();
	start_kernel();
}

void lkl_boot_done(int status)
{
	boot_status = status;
	lkl_ops->sem_up(boot_sem);
}

int __ref lkl_start_kernel(const struct lkl_host_operations *ops,
		     const char *cmdline)
{
	lkl_thread_t tid;
	int ret;

	if (lkl_ops)
		return -EALREADY;
	lkl_ops = ops;

	if (strlen(cmdline) >= COMMAND_LINE_SIZE)
		return -E2BIG;
	strcpy(boot_command_line, cmdline);

	boot_sem = lkl_ops->sem_alloc(0);
	if (!boot_sem)
		return -ENOMEM;

	ret = lkl_cpu_init();
	if (ret)
		return ret;

	tid = lkl_ops->thread_create(lkl_run_kernel, NULL);
	if (!tid)
		return -ENOMEM;

	lkl_ops->sem_down(boot_sem);
	if (boot_status)
		return boot_status;

	/*
	 * pid 1 is current and owns the CPU on a thread that is exiting:
	 * adopt it here and release the CPU. From now on a host task is
	 * current whenever the CPU is free.
	 */
	current_thread_info()->tid = lkl_ops->thread_self();
	lkl_cpu_change_owner(current_thread_info()->tid);
	lkl_cpu_put();
	is_running = 1;

	return 0;
}

long lkl_halt(void)
{
	long params[6] = { LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			   LINUX_REBOOT_CMD_RESTART, 0, 0, 0 };
	long ret;

	if (!is_running)
		return -ESHUTDOWN;

	/* reboot() does not sync: the host library unmounts first. */
	ret = lkl_syscall(__NR_reboot, params);
	if (ret < 0)
		return ret;

	is_running = 0;
	lkl_time_halt();
	return 0;
}

/* machine_restart runs in the reboot syscall with the CPU held. */
void machine_restart(char *cmd)
{
	lkl_cpu_shutdown();
}

void machine_halt(void)
{
	lkl_cpu_shutdown();
}

void machine_power_off(void)
{
	lkl_cpu_shutdown();
}

void arch_cpu_idle(void)
{
	/* Let the idle host task take the CPU's place and release it. */
	wakeup_idle_host_task();
	raw_local_irq_enable();
}

/* The stand-in for an init program. */
static struct linux_binfmt lkl_init_binfmt;

static int lkl_load_init(struct linux_binprm *bprm)
{
	int ret;

	if (strcmp(bprm->filename, "/init") != 0)
		return -ENOEXEC;

	ret = begin_new_exec(bprm);
	if (ret)
		return ret;
	setup_new_exec(bprm);
	set_binfmt(&lkl_init_binfmt);

	syscalls_init();
	lkl_boot_done(0);

	/* lkl_start_kernel's thread now stands in for pid 1. */
	lkl_ops->thread_exit();
	return 0;
}

static struct linux_binfmt lkl_init_binfmt = {
	.module		= THIS_MODULE,
	.load_binary	= lkl_load_init,
};

static int __init lkl_init_setup(void)
{
	int ret;

	struct dentry *dentry;
	struct path path;

	register_binfmt(&lkl_init_binfmt);

	/* An empty, executable /init on the initial ramfs. */
	dentry = kern_path_create(AT_FDCWD, "/init", &path, 0);
	if (IS_ERR(dentry)) {
		ret = PTR_ERR(dentry);
	} else {
		ret = vfs_create(mnt_user_ns(path.mnt), d_inode(path.dentry),
				 dentry, S_IFREG | 0700, true);
		done_path_create(&path, dentry);
	}
	if (ret) {
		pr_err("lkl: cannot create /init: %d\n", ret);
		lkl_boot_done(ret);
	}
	return 0;
}
late_initcall(lkl_init_setup);

/* A panic or BUG: make sure the message is out, then let the host end. */
static int lkl_panic_notify(struct notifier_block *nb, unsigned long event,
			    void *msg)
{
	console_flush_on_panic(CONSOLE_FLUSH_PENDING);
	lkl_ops->panic();
	return NOTIFY_DONE;
}

static struct notifier_block lkl_panic_nb = {
	.notifier_call = lkl_panic_notify,
};

static int __init lkl_panic_setup(void)
{
	atomic_notifier_chain_register(&panic_notifier_list, &lkl_panic_nb);
	return 0;
}
early_initcall(lkl_panic_setup);

void show_regs(struct pt_regs *regs)
{
}

void show_stack(struct task_struct *task, unsigned long *sp,
		const char *loglvl)
{
	printk("%s(no stack trace on lkl)\n", loglvl);
}

static void *cpuinfo_start(struct seq_file *m, loff_t *pos)
{
	return *pos < 1 ? (void *)1 : NULL;
}

static void *cpuinfo_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void cpuinfo_stop(struct seq_file *m, void *v)
{
}

static int cpuinfo_show(struct seq_file *m, void *v)
{
	seq_puts(m, "processor\t: 0\nvendor_id\t: lkl\n\n");
	return 0;
}

const struct seq_operations cpuinfo_op = {
	.start	= cpuinfo_start,
	.next	= cpuinfo_next,
	.stop	= cpuinfo_stop,
	.show	= cpuinfo_show,
};

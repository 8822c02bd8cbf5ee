/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_PTRACE_H
#define _ASM_LKL_PTRACE_H

#include <uapi/asm/ptrace.h>

/* Only irq handlers get a pt_regs (set_irq_regs); it carries nothing. */
struct pt_regs {
	void *irq_data;
};

#define user_mode(regs)			0
#define kernel_mode(regs)		1
#define profile_pc(regs)		0
#define instruction_pointer(regs)	0
#define user_stack_pointer(regs)	0
#define current_pt_regs()		((struct pt_regs *)0)

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the relocatable kernel object. Addresses are meaningless
 * (ld -r); the sections and the boundary symbols generic code looks up
 * (_stext, __init_begin, __start___ex_table, initcall tables...) are what
 * matter.
 */
#include <asm/page.h>
#include <asm/thread_info.h>
#include <asm/cache.h>
#include <asm-generic/vmlinux.lds.h>

jiffies = jiffies_64;

SECTIONS
{
	_text = .;
	_stext = .;
	.text : {
		TEXT_TEXT
		SCHED_TEXT
		CPUIDLE_TEXT
		LOCK_TEXT
		IRQENTRY_TEXT
		SOFTIRQENTRY_TEXT
		KPROBES_TEXT
	}
	_etext = .;

	EXCEPTION_TABLE(16)

	__init_begin = .;
	INIT_TEXT_SECTION(PAGE_SIZE)
	INIT_DATA_SECTION(16)
	PERCPU_SECTION(L1_CACHE_BYTES)
	__init_end = .;

	_sdata = .;
	RO_DATA(PAGE_SIZE)
	RW_DATA(L1_CACHE_BYTES, PAGE_SIZE, THREAD_SIZE)
	_edata = .;

	BSS_SECTION(0, 0, 0)
	_end = .;

	STABS_DEBUG
	DWARF_DEBUG
	ELF_DETAILS

	DISCARDS
}

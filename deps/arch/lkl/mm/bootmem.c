// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory: one arena from the host (page_alloc), the only memory
 * with struct pages. "mem=" sets its size. The arena is aligned to the
 * largest buddy block so the page allocator can use all of it.
 */
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/init.h>
#include <linux/pfn.h>
#include <asm/lkl.h>

unsigned long memory_start, memory_end;
void *empty_zero_page;
unsigned long lkl_mem_size = (unsigned long)CONFIG_LKL_DEFAULT_MEMORY_MB << 20;
static void *arena;
static unsigned long arena_size;

static int __init early_mem(char *p)
{
	lkl_mem_size = memparse(p, &p);
	return 0;
}
early_param("mem", early_mem);

void __init bootmem_init(unsigned long mem_size)
{
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };
	unsigned long align = PAGE_SIZE << (MAX_ORDER - 1);

	mem_size = ALIGN(mem_size, align);
	arena_size = mem_size + align;
	arena = lkl_ops->page_alloc(arena_size);
	if (!arena)
		panic("lkl: cannot allocate %lu bytes of kernel memory",
		      arena_size);

	memory_start = ALIGN((unsigned long)arena, align);
	memory_end = memory_start + mem_size;

	min_low_pfn = virt_to_pfn(memory_start);
	max_low_pfn = virt_to_pfn(memory_end);
	max_pfn = max_low_pfn;
	max_mapnr = max_low_pfn - min_low_pfn;
	high_memory = (void *)memory_end;

	memblock_add(memory_start, mem_size);

	empty_zero_page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!empty_zero_page)
		panic("lkl: no zero page");

	max_zone_pfn[ZONE_NORMAL] = max_low_pfn;
	free_area_init(max_zone_pfn);
}

void __init mem_init(void)
{
	memblock_free_all();
}

/* __init code and data live in the host binary, not in the arena. */
void free_initmem(void)
{
}

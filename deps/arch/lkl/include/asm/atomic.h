/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_ATOMIC_H
#define _ASM_LKL_ATOMIC_H

/*
 * 32-bit atomics from asm-generic (irq-disable based, enough on one CPU);
 * 64-bit ones from the compiler's __atomic builtins, which are also
 * correct against host threads outside the CPU lock.
 */
#include <asm-generic/atomic.h>

#define ATOMIC64_INIT(i)	{ (i) }

static __always_inline s64 arch_atomic64_read(const atomic64_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
#define arch_atomic64_read arch_atomic64_read

static __always_inline void arch_atomic64_set(atomic64_t *v, s64 i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
#define arch_atomic64_set arch_atomic64_set

#define LKL_ATOMIC64_OP(op)						\
static __always_inline void arch_atomic64_##op(s64 i, atomic64_t *v)	\
{									\
	__atomic_fetch_##op(&v->counter, i, __ATOMIC_SEQ_CST);		\
}									\
static __always_inline s64 arch_atomic64_fetch_##op(s64 i, atomic64_t *v) \
{									\
	return __atomic_fetch_##op(&v->counter, i, __ATOMIC_SEQ_CST);	\
}

#define LKL_ATOMIC64_OP_RETURN(op)					\
static __always_inline s64 arch_atomic64_##op##_return(s64 i, atomic64_t *v) \
{									\
	return __atomic_##op##_fetch(&v->counter, i, __ATOMIC_SEQ_CST);	\
}

LKL_ATOMIC64_OP(add)
LKL_ATOMIC64_OP(sub)
LKL_ATOMIC64_OP(and)
LKL_ATOMIC64_OP(or)
LKL_ATOMIC64_OP(xor)
LKL_ATOMIC64_OP_RETURN(add)
LKL_ATOMIC64_OP_RETURN(sub)

#define arch_atomic64_add		arch_atomic64_add
#define arch_atomic64_sub		arch_atomic64_sub
#define arch_atomic64_and		arch_atomic64_and
#define arch_atomic64_or		arch_atomic64_or
#define arch_atomic64_xor		arch_atomic64_xor
#define arch_atomic64_fetch_add		arch_atomic64_fetch_add
#define arch_atomic64_fetch_sub		arch_atomic64_fetch_sub
#define arch_atomic64_fetch_and		arch_atomic64_fetch_and
#define arch_atomic64_fetch_or		arch_atomic64_fetch_or
#define arch_atomic64_fetch_xor		arch_atomic64_fetch_xor
#define arch_atomic64_add_return	arch_atomic64_add_return
#define arch_atomic64_sub_return	arch_atomic64_sub_return

static __always_inline s64 arch_atomic64_xchg(atomic64_t *v, s64 i)
{
	return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST);
}
#define arch_atomic64_xchg arch_atomic64_xchg

static __always_inline s64 arch_atomic64_cmpxchg(atomic64_t *v, s64 old,
						 s64 new)
{
	__atomic_compare_exchange_n(&v->counter, &old, new, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return old;
}
#define arch_atomic64_cmpxchg arch_atomic64_cmpxchg

#endif

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_DELAY_H
#define _ASM_LKL_DELAY_H

/* Delays poll the host's monotonic clock (kernel/time.c). */
void __ndelay(unsigned long nsecs);
void __udelay(unsigned long usecs);
void __const_udelay(unsigned long xloops);
void __delay(unsigned long loops);

#define ndelay(n)	__ndelay(n)
#define udelay(n)	__udelay(n)

#endif

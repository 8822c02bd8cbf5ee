	.file	"asm-offsets.c"
# GNU C11 (Debian 12.2.0-14+deb12u1) version 12.2.0 (x86_64-linux-gnu)
#	compiled by GNU C version 12.2.0, GMP version 6.2.1, MPFR version 4.2.0, MPC version 1.3.1, isl version isl-0.25-GMP

# GGC heuristics: --param ggc-min-expand=100 --param ggc-min-heapsize=131072
# options passed: -mtune=generic -march=x86-64 -O2 -std=gnu11 -fno-strict-aliasing -fno-common -fshort-wchar -fPIC -fvisibility=hidden -fno-delete-null-pointer-checks -fno-allow-store-data-races -fno-stack-protector -fomit-frame-pointer -ftrivial-auto-var-init=zero -fno-stack-clash-protection -fno-strict-overflow -fstack-check=no -fconserve-stack -fno-builtin-wcslen -fasynchronous-unwind-tables
	.text
	.section	.text.startup,"ax",@progbits
	.p2align 4
	.globl	main
	.hidden	main
	.type	main, @function
main:
.LFB0:
	.cfi_startproc
# arch/lkl/kernel/asm-offsets.c:6: }
	xorl	%eax, %eax	#
	ret	
	.cfi_endproc
.LFE0:
	.size	main, .-main
	.ident	"GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"
	.section	.note.GNU-stack,"",@progbits

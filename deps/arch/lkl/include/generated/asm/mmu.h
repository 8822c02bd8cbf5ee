#include <asm-generic/mmu.h>

#include <asm-generic/tlb.h>

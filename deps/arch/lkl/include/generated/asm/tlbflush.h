#include <asm-generic/tlbflush.h>

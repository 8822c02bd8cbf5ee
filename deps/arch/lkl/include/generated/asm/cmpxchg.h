#include <asm-generic/cmpxchg.h>

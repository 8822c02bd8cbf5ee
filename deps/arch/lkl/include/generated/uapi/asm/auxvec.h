#include <asm-generic/auxvec.h>

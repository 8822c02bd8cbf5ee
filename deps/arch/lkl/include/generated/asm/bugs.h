#include <asm-generic/bugs.h>

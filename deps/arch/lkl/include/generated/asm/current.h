#include <asm-generic/current.h>

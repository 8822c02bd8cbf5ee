#include <asm-generic/uaccess.h>

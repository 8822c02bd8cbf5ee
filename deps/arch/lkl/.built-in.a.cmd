cmd_arch/lkl/built-in.a := rm -f arch/lkl/built-in.a;  printf "arch/lkl/%s " kernel/built-in.a mm/built-in.a drivers/built-in.a | xargs ar cDPrST arch/lkl/built-in.a

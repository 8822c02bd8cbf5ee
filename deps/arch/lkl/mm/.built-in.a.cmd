cmd_arch/lkl/mm/built-in.a := rm -f arch/lkl/mm/built-in.a;  printf "arch/lkl/mm/%s " bootmem.o | xargs ar cDPrST arch/lkl/mm/built-in.a

cmd_arch/lkl/drivers/built-in.a := rm -f arch/lkl/drivers/built-in.a;  printf "arch/lkl/drivers/%s " blk.o | xargs ar cDPrST arch/lkl/drivers/built-in.a

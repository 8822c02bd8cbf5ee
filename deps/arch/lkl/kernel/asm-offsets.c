// SPDX-License-Identifier: GPL-2.0
/* lkl has no assembly, hence no offsets to export. */
int main(void)
{
	return 0;
}

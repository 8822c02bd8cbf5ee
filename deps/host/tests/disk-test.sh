#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make the images disk-test needs with the host's own tools, run it, and
# check from outside what it did: the overlay's base files are untouched
# (sha256), the sparse round trip is byte-identical and stays sparse, and
# the copy speed against the host's cp in the same run.
#
#   disk-test.sh DISK_TEST_BINARY [MB_FOR_COPY_SPEED (default 100, 0 = none)]
set -euo pipefail

bin=$1
speed=${2:-100}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkl-disk-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export PATH=$PATH:/sbin:/usr/sbin
MiB=$((1024 * 1024))

# ext4 with one file from mkfs
mkdir "$tmp/root"
echo hello > "$tmp/root/hello.txt"
truncate -s 64M "$tmp/ext4.img"
mkfs.ext4 -F -q -d "$tmp/root" "$tmp/ext4.img"

# the same with a dirty journal: a process that wrote and "crashed"
cp "$tmp/ext4.img" "$tmp/dirty.img"
"$bin" --dirty "$tmp/dirty.img"
if dumpe2fs -h "$tmp/dirty.img" 2>/dev/null | grep -q needs_recovery; then
	echo "ok - dirty.img needs journal recovery"
else
	echo "not ok - dirty.img needs journal recovery"
fi

# MBR: 3 primary, extended, 2 logical; disk signature 0x12345678
truncate -s 64M "$tmp/mbr.img"
sfdisk -q "$tmp/mbr.img" >/dev/null <<SF
label: dos
label-id: 0x12345678
start=2048, size=16384, type=83
start=18432, size=16384, type=c
start=34816, size=16384, type=83
start=51200, type=5
start=53248, size=16384, type=83
start=71680, size=16384, type=82
SF
# the same table on a disk cut at 36 MiB: p6 (35 MiB + 8 MiB) runs past the end
head -c 36M "$tmp/mbr.img" > "$tmp/mbr-cut.img"

# GPT with names and a known partition GUID
truncate -s 64M "$tmp/gpt.img"
sfdisk -q "$tmp/gpt.img" >/dev/null <<SF
label: gpt
start=2048, size=8192, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="alpha", uuid=11111111-2222-3333-4444-555555555555
start=10240, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="beta two"
start=26624, size=32768, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="gämma ✓"
SF
printf 'GAMMA-PARTITION' | dd of="$tmp/gpt.img" bs=1 seek=$((13 * MiB)) conv=notrunc status=none

# sparse: data, a hole, written zeroes, data, a hole to the end (64 MiB)
truncate -s 64M "$tmp/sparse.bin"
head -c 1M /dev/urandom | dd of="$tmp/sparse.bin" bs=1M seek=0 conv=notrunc status=none
dd if=/dev/zero of="$tmp/sparse.bin" bs=1M seek=8 count=4 conv=notrunc status=none
head -c 1M /dev/urandom | dd of="$tmp/sparse.bin" bs=1M seek=20 conv=notrunc status=none
printf 'tail' | dd of="$tmp/sparse.bin" bs=1 seek=$((40 * MiB)) conv=notrunc status=none

# the copy target, and the speed source (incompressible, no zero blocks)
truncate -s $((speed * 2 + 256))M "$tmp/big.img"
# no lazy init: it would compete with the measured copies
mkfs.ext4 -F -q -E lazy_itable_init=0,lazy_journal_init=0 "$tmp/big.img"
if [ "$speed" -gt 0 ]; then
	head -c ${speed}M /dev/urandom > "$tmp/speed.bin"
fi

sum() { sha256sum "$1" | cut -d' ' -f1; }
ext4_sum=$(sum "$tmp/ext4.img")
dirty_sum=$(sum "$tmp/dirty.img")

status=0
${LKL_TEST_WRAP:-} "$bin" "$tmp" "$speed" || status=$?

check() { if eval "$2"; then echo "ok - $1"; else echo "not ok - $1"; status=1; fi; }
check "overlay: ext4.img unchanged (sha256)" '[ "$(sum "$tmp/ext4.img")" = "$ext4_sum" ]'
check "overlay: dirty.img unchanged after the replay (sha256)" '[ "$(sum "$tmp/dirty.img")" = "$dirty_sum" ]'
check "overlay: its exported view is fsck-clean" 'e2fsck -fn "$tmp/overlay.out" >/dev/null 2>&1'
check "overlay: its exported view has big.bin, not hello.txt" \
	'debugfs -R "ls -l /" "$tmp/overlay.out" 2>/dev/null | grep -q big.bin &&
	 ! debugfs -R "ls -l /" "$tmp/overlay.out" 2>/dev/null | grep -q hello.txt'
check "copy: sparse round trip is byte-identical (cmp)" 'cmp "$tmp/sparse.bin" "$tmp/sparse.out"'
src_blocks=$(stat -c %b "$tmp/sparse.bin")
out_blocks=$(stat -c %b "$tmp/sparse.out")
echo "# sparse: source $src_blocks blocks, round trip $out_blocks blocks (512 B)"
check "copy: the round trip is at most as allocated as the source" '[ "$out_blocks" -le "$src_blocks" ]'
check "copy: the image stays fsck-clean" 'e2fsck -fn "$tmp/big.img" >/dev/null 2>&1'
if [ "$speed" -gt 0 ]; then
	check "copy: image -> host speed file is byte-identical" 'cmp "$tmp/speed.bin" "$tmp/speed.out"'
	sync
	t0=$(date +%s.%N)
	cp "$tmp/speed.bin" "$tmp/speed.cp"
	t1=$(date +%s.%N)
	echo "# host cp $speed MB (warm source): $(echo "$speed / ($t1 - $t0)" | bc -l | cut -d. -f1) MB/s"
	rm -f "$tmp/speed.cp"
fi
exit $status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run boot-test against a fresh ext4 image, then check the image with the
# host's own tools: e2fsck must find it clean and debugfs must read back
# exactly the pattern the test wrote.
#
#   boot-test.sh BOOT_TEST_BINARY [MB_FOR_THROUGHPUT (default 200)]
set -euo pipefail

bin=$1
speed=${2:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lkl-boot-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
img=$tmp/disk.img

export PATH=$PATH:/sbin:/usr/sbin
truncate -s $((speed + 300))M "$img"
mkfs.ext4 -F -q "$img"

"$bin" "$img" "$speed"

# the host's own speed for the same write, for comparison
host_rate=$(dd if=/dev/zero of="$tmp/host.bin" bs=1M count="$speed" \
	conv=fdatasync 2>&1 | tail -1 | sed 's/.*, //')
rm -f "$tmp/host.bin"
echo "# host: sequential write $speed MB + fdatasync to a file: $host_rate"

echo "# e2fsck -fn"
e2fsck -fn "$img"
echo "ok - e2fsck clean"

"$bin" --pattern 50 > "$tmp/want"
debugfs -R 'cat /file' "$img" > "$tmp/got" 2>/dev/null
cmp "$tmp/want" "$tmp/got"
echo "ok - debugfs reads back the 50 MB pattern"

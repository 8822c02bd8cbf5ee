#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Per-syscall cost of the kernel library itself (no Node in the path).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../deps/build/out"
bin=$(mktemp -d)/kernel-latency
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -O2 -I"$out/include" "$here/kernel-latency.c" "$out/liblkl.a" -lpthread -o "$bin"
"$bin"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Fails unless a shared object runs on the oldest systems we support:
# glibc 2.31 and GCC 10's libstdc++ (Debian 11, Ubuntu 20.04).
#
#   scripts/check-glibc.sh FILE.node [OBJDUMP]
#
# Reads the versioned symbols FILE imports from `objdump -T` (OBJDUMP for
# another architecture, e.g. aarch64-linux-gnu-objdump).
set -euo pipefail
file=$1
objdump=${2:-objdump}

# name=newest version allowed
limits="GLIBC=2.31 GLIBCXX=3.4.28 CXXABI=1.3.12"

# (the versions of the symbols it imports: the undefined ones)
imports=$("$objdump" -T "$file" | grep -F '*UND*' || true)
needed=$(printf '%s\n' "$imports" | grep -oE '\b(GLIBC|GLIBCXX|CXXABI)_[0-9.]+' | sort -u || true)
status=0
for limit in $limits; do
	name=${limit%%=*}
	max=${limit#*=}
	newest=$(printf '%s\n' "$needed" | sed -n "s/^${name}_//p" | sort -V | tail -1)
	[ -n "$newest" ] || continue
	if [ "$(printf '%s\n%s\n' "$newest" "$max" | sort -V | tail -1)" != "$max" ]; then
		echo "glibc baseline: $file needs ${name}_$newest (newest allowed: ${name}_$max):" >&2
		printf '%s\n' "$imports" | grep -F "${name}_$newest" | sed -n 1,5p >&2
		status=1
	else
		echo "glibc baseline: $(basename "$(dirname "$file")")/$(basename "$file"): newest ${name}_$newest <= $max" >&2
	fi
done
exit $status

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build liblkl: Linux 6.1 from Debian's linux-source-6.1 with our arch/lkl,
# as one static library plus prefixed host-facing headers.
#
# Plan:
#   1. find the kernel source: $LKL_LINUX_SOURCE (tarball or tree), else
#      /usr/src/linux-source-6.1.tar.xz, else (root + apt) install
#      linux-source-6.1, else stop and say what to install
#   2. extract it into deps/build/linux (once per source)
#   3. link our arch/lkl into the tree and apply deps/patches/NNNN-*.patch
#   4. configure: allnoconfig + deps/config/lkl.config
#   5. make vmlinux (a relocatable object)
#   6. lkl.o: vmlinux with only the lkl_* entry points left global
#   7. headers: headers_install, then every name prefixed (lkl_/LKL_)
#   8. the host library (deps/host), then liblkl.a = lkl.o + host objects
#
# Re-running with nothing changed does nothing. Concurrent runs serialise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/build"
tree="$build/linux"
obj="$build/obj"
out="$build/out"
jobs=${LKL_JOBS:-$(nproc)}
mkdir -p "$build" "$out"

exec 9>"$build/.lock"
flock 9

log() { printf 'lkl build: %s\n' "$*" >&2; }

# Inputs that decide whether anything needs doing.
inputs_stamp() {
	(cd "$here" && find arch patches config host scripts build.sh -type f \
		-not -path '*/tests/*' -printf '%p %T@ %s\n' | sort | sha256sum | cut -d' ' -f1)
}

if [ -f "$out/liblkl.a" ] && [ -f "$build/.inputs" ] &&
   [ "$(cat "$build/.inputs")" = "$(inputs_stamp)" ]; then
	log "up to date ($out/liblkl.a)"
	exit 0
fi

# 1. source
find_source() {
	if [ -n "${LKL_LINUX_SOURCE:-}" ]; then
		[ -e "$LKL_LINUX_SOURCE" ] || {
			log "LKL_LINUX_SOURCE=$LKL_LINUX_SOURCE does not exist"; exit 1; }
		echo "$LKL_LINUX_SOURCE"; return
	fi
	local deb=/usr/src/linux-source-6.1.tar.xz
	if [ ! -f "$deb" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		log "installing Debian's linux-source-6.1 (apt-get install linux-source-6.1)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q linux-source-6.1 >&2
	fi
	if [ -f "$deb" ]; then echo "$deb"; return; fi
	log "the Linux 6.1 source is missing. Install it with:"
	log "    sudo apt-get install linux-source-6.1"
	log "or point LKL_LINUX_SOURCE at a linux-6.1 tarball or tree."
	exit 1
}
src=$(find_source)

# 2. extract (the tree is recreated when the source or the patches change)
shopt -s nullglob
patch_files=("$here"/patches/*.patch)
patches_id=$( (echo "$src"; stat -c '%s %Y' "$src"; cat /dev/null "${patch_files[@]}") | sha256sum | cut -d' ' -f1)
if [ ! -f "$tree/.lkl-source" ] || [ "$(cat "$tree/.lkl-source")" != "$patches_id" ]; then
	log "extracting $src"
	# $obj is kept: tar restores the original mtimes, so only what the
	# patches touch is rebuilt.
	rm -rf "$tree" "$build/tree.tmp"
	mkdir -p "$build/tree.tmp"
	if [ -d "$src" ]; then
		cp -a "$src/." "$build/tree.tmp/"
	else
		tar -xf "$src" -C "$build/tree.tmp" --strip-components=1
	fi
	# 3. patches to generic code
	for p in "${patch_files[@]}"; do
		log "patch $(basename "$p")"
		patch -d "$build/tree.tmp" -p1 -s --no-backup-if-mismatch < "$p"
	done
	mv "$build/tree.tmp" "$tree"
	echo "$patches_id" > "$tree/.lkl-source"
fi
ln -sfn "$here/arch/lkl" "$tree/arch/lkl"

# Out-of-tree build: objects go to $obj, never into our arch sources.
kmake() { mkdir -p "$obj"; make -C "$tree" O="$obj" ARCH=lkl -j"$jobs" "$@"; }

# 4. configure
config_id=$(cat "$here/config/lkl.config" "$here/arch/lkl/Kconfig" | sha256sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.lkl-config" 2>/dev/null)" != "$config_id" ]; then
	log "configuring"
	kmake -s KCONFIG_ALLCONFIG="$here/config/lkl.config" allnoconfig >&2
	# Every option we ask for must have survived Kconfig's dependencies.
	missing=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=y) ;; *) continue ;; esac
		grep -qx "$line" "$obj/.config" || { log "config: $line did not stick"; missing=1; }
	done < "$here/config/lkl.config"
	[ "$missing" = 0 ] || exit 1
	echo "$config_id" > "$obj/.lkl-config"
fi

# 5. the kernel
log "building the kernel (make -j$jobs vmlinux)"
kmake -s vmlinux >&2

# 6. only our entry points stay global
entry_points="lkl_start_kernel lkl_syscall lkl_trigger_irq lkl_blk_complete lkl_is_running lkl_halt"
# (ld -r drops the compiler's non-executable-stack notes; put one back.)
objcopy $(printf -- '-G %s ' $entry_points) -R .eh_frame \
	--add-section .note.GNU-stack=/dev/null \
	--set-section-flags .note.GNU-stack=contents,readonly \
	"$obj/vmlinux" "$out/lkl.o"
nm "$out/lkl.o" > "$build/lkl.nm"
for sym in $entry_points; do
	grep -q " T $sym\$" "$build/lkl.nm" || { log "entry point $sym missing from lkl.o"; exit 1; }
done
undefined=$(nm -u "$out/lkl.o" | grep -v '_GLOBAL_OFFSET_TABLE_' || true)
if [ -n "$undefined" ]; then
	log "lkl.o has undefined symbols:"; echo "$undefined" >&2; exit 1
fi

# 7. headers
log "installing prefixed headers"
rm -rf "$build/hdr"
kmake -s headers_install INSTALL_HDR_PATH="$build/hdr" >&2
rm -rf "$out/include"
mkdir -p "$out/include"
python3 "$here/scripts/prefix-headers.py" "$build/hdr/include" "$out/include"
cp "$here/host/include/lkl_host.h" "$out/include/"

# 8. host library and the archive
log "building the host library"
make -s -C "$here/host" OUT="$out" INCLUDES="$out/include" >&2
rm -f "$out/liblkl.a"
ar rcs "$out/liblkl.a" "$out/lkl.o" "$out"/host/*.o

inputs_stamp > "$build/.inputs"
log "done: $out/liblkl.a"

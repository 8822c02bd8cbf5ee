#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build liblkl: Linux 6.1 from Debian's linux-source-6.1 with our arch/lkl,
# as one static library plus prefixed host-facing headers.
#
#   deps/build.sh [all|kernel|host]     (default: all)
#
# Plan (kernel: 1-7, host: 8):
#   1. find the kernel source: $LKL_LINUX_SOURCE (tarball or tree), else
#      /usr/src/linux-source-6.1.tar.xz, else (root + apt) install
#      linux-source-6.1, else stop and say what to install
#   2. extract it into deps/build/linux (once per source, shared by targets)
#   3. link our arch/lkl into the tree and apply deps/patches/NNNN-*.patch
#   4. configure: allnoconfig + deps/config/lkl.config
#   5. make vmlinux (a relocatable object)
#   6. lkl.o: vmlinux with only the lkl_* entry points left global
#   7. headers: headers_install, then every name prefixed (lkl_/LKL_)
#   8. the host library (deps/host), then liblkl.a = lkl.o + host objects
#
# Targets: LKL_TARGET_ARCH=x64|arm64 (Node's names; default: this machine).
# This machine's own target builds in deps/build/{obj,out}; another one in
# deps/build/linux-<arch>/{obj,out}, with CROSS_COMPILE (default: Debian's
# x86_64-linux-gnu- / aarch64-linux-gnu-) for the compiler and binutils.
# lkl.o needs no libc, so the kernel can be compiled anywhere; the host
# library is what ties liblkl.a to a glibc. LKL_HOST_OUT puts step 8's
# output (host objects, liblkl.a, a copy of the headers) in another folder,
# e.g. one built in an old-glibc chroot (scripts/prebuild.sh).
#
# Re-running with nothing changed does nothing. Concurrent runs serialise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/build"
tree="$build/linux"
stage=${1:-all}
case "$stage" in all|kernel|host) ;; *) echo "usage: $0 [all|kernel|host]" >&2; exit 2 ;; esac

node_arch() {
	case "$1" in
	x86_64|amd64|x64) echo x64 ;;
	aarch64|arm64) echo arm64 ;;
	*) echo "$1" ;;
	esac
}
native_arch=$(node_arch "$(uname -m)")
target_arch=$(node_arch "${LKL_TARGET_ARCH:-$native_arch}")
case "$target_arch" in
x64) gnu_triplet=x86_64-linux-gnu ;;
arm64) gnu_triplet=aarch64-linux-gnu ;;
*) echo "lkl build: LKL_TARGET_ARCH=$target_arch: only x64 and arm64 (64-bit little-endian) are supported" >&2; exit 1 ;;
esac
if [ "$target_arch" = "$native_arch" ]; then
	obj="$build/obj"
	out="$build/out"
	cross=${CROSS_COMPILE:-}
else
	obj="$build/linux-$target_arch/obj"
	out="$build/linux-$target_arch/out"
	cross=${CROSS_COMPILE-$gnu_triplet-}
fi
host_out=${LKL_HOST_OUT:-$out}
jobs=${LKL_JOBS:-$(nproc)}
mkdir -p "$build" "$out" "$host_out"

# Concurrent runs for one target serialise; other targets share the tree.
exec 9>"$out/.lock"
flock 9

log() { printf 'lkl build: %s\n' "$*" >&2; }
. "$here/scripts/need-packages.sh"

# The compiler and binutils for the target: Debian's gcc/binutils, or their
# cross packages (gcc-aarch64-linux-gnu, ...).
toolchain_packages() {
	if [ -z "$cross" ]; then
		# (build-essential: gcc alone does not bring libc6-dev)
		echo gcc:build-essential ar:binutils
	else
		local deb=${gnu_triplet//_/-}
		echo "${cross}gcc:gcc-$deb ${cross}ar:binutils-$deb ${cross}objcopy:binutils-$deb"
	fi
}

# Inputs that decide whether a stage needs doing.
kernel_stamp() {
	(cd "$here" && find arch patches config scripts build.sh -type f \
		-printf '%p %T@ %s\n' | sort; echo "$target_arch $cross") |
		sha256sum | cut -d' ' -f1
}
host_stamp() {
	(cd "$here" && find host -type f -not -path '*/tests/*' \
		-printf '%p %T@ %s\n' | sort; cat "$out/.kernel-inputs";
	 echo "${CC:-} $cross $host_out") | sha256sum | cut -d' ' -f1
}
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

build_kernel() {
	if stamp_ok "$out/.kernel-inputs" "$(kernel_stamp)" && [ -f "$out/lkl.o" ]; then
		return 0
	fi
	rm -f "$out/.kernel-inputs"
	need_packages "building the kernel" make:make flex:flex bison:bison bc:bc \
		python3:python3 xz:xz-utils patch:patch rsync:rsync $(toolchain_packages)

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
	tree_ok() { [ -f "$tree/.lkl-source" ] && [ "$(cat "$tree/.lkl-source")" = "$patches_id" ]; }
	# Held shared while building, exclusive while (re)extracting.
	exec 8>"$build/.tree.lock"
	flock -s 8
	if ! tree_ok; then
		flock -u 8
		flock -x 8
	fi
	if ! tree_ok; then
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
	flock -s 8
	ln -sfn "$here/arch/lkl" "$tree/arch/lkl"

	# Out-of-tree build: objects go to $obj, never into our arch sources.
	kmake() {
		mkdir -p "$obj"
		make -C "$tree" O="$obj" ARCH=lkl ${cross:+CROSS_COMPILE="$cross"} -j"$jobs" "$@"
	}

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
	log "building the kernel for $target_arch (make -j$jobs vmlinux)"
	kmake -s vmlinux >&2

	# 6. only our entry points stay global
	entry_points="lkl_start_kernel lkl_syscall lkl_trigger_irq lkl_blk_complete lkl_is_running lkl_halt"
	# (ld -r drops the compiler's non-executable-stack notes; put one back.)
	"${cross}objcopy" $(printf -- '-G %s ' $entry_points) -R .eh_frame \
		--add-section .note.GNU-stack=/dev/null \
		--set-section-flags .note.GNU-stack=contents,readonly \
		"$obj/vmlinux" "$out/lkl.o"
	"${cross}nm" "$out/lkl.o" > "$out/lkl.nm"
	for sym in $entry_points; do
		grep -q " T $sym\$" "$out/lkl.nm" || { log "entry point $sym missing from lkl.o"; exit 1; }
	done
	undefined=$("${cross}nm" -u "$out/lkl.o" | grep -v '_GLOBAL_OFFSET_TABLE_' || true)
	if [ -n "$undefined" ]; then
		log "lkl.o has undefined symbols:"; echo "$undefined" >&2; exit 1
	fi

	# 7. headers
	log "installing prefixed headers"
	rm -rf "$obj/hdr"
	kmake -s headers_install INSTALL_HDR_PATH="$obj/hdr" >&2
	rm -rf "$out/include"
	mkdir -p "$out/include"
	python3 "$here/scripts/prefix-headers.py" "$obj/hdr/include" "$out/include"
	cp "$here/host/include/lkl_host.h" "$out/include/"

	kernel_stamp > "$out/.kernel-inputs"
}

build_host() {
	[ -f "$out/.kernel-inputs" ] || { log "no kernel for $target_arch in $out: run deps/build.sh kernel first"; exit 1; }
	if stamp_ok "$host_out/.host-inputs" "$(host_stamp)" && [ -f "$host_out/liblkl.a" ]; then
		return 0
	fi
	# 8. host library and the archive
	[ -n "${CC:-}" ] || need_packages "building the host library" $(toolchain_packages)
	log "building the host library for $target_arch${LKL_HOST_OUT:+ in $host_out}"
	make -s -C "$here/host" OUT="$host_out" INCLUDES="$out/include" CC="${CC:-${cross}gcc}" >&2
	if [ "$host_out" != "$out" ]; then
		rm -rf "$host_out/include"
		cp -a "$out/include" "$host_out/include"
	fi
	rm -f "$host_out/liblkl.a"
	"${cross}ar" rcs "$host_out/liblkl.a" "$out/lkl.o" "$host_out"/host/*.o
	host_stamp > "$host_out/.host-inputs"
}

case "$stage" in
all) build_kernel; build_host ;;
kernel) build_kernel ;;
host) build_host ;;
esac
if [ "$stage" = kernel ]; then
	log "up to date: $target_arch kernel in $out"
else
	log "up to date: $host_out/liblkl.a ($target_arch)"
fi

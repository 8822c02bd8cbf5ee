#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# npm run prebuild: the addons shipped in the package, in the layout that
# node-gyp-build loads (prebuildify's naming):
#
#   prebuilds/linux-x64/node.napi.glibc.node
#   prebuilds/linux-arm64/node.napi.glibc.node
#
# LKL_PREBUILD_ARCHS="x64 arm64" (the default) picks the targets. Needs root
# (debootstrap, chroot) on a Debian-like x64 or arm64 machine.
#
# How, for each target:
#   1. the kernel object (deps/build.sh kernel) on this machine: lkl.o needs
#      no libc, so any compiler will do (a cross one for the other arch);
#   2. the host library and the addon inside a Debian 11 chroot (glibc 2.31,
#      GCC 10, and its aarch64 cross compiler), so the binaries need nothing
#      newer than Debian 11 / Ubuntu 20.04 have. The chroot is made once and
#      kept in deps/build/chroot/;
#   3. strip, check the glibc baseline (scripts/check-glibc.sh), install
#      into prebuilds/.
# Every step is skipped when its inputs have not changed, so a second run
# with nothing changed takes seconds.
#
# prebuildify itself does not fit: it runs `node-gyp rebuild` in the package
# folder (so never incremental, and it would replace a developer's
# build/Release) with the host's compiler and libc.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/chroot.sh
. deps/scripts/need-packages.sh

archs=${LKL_PREBUILD_ARCHS:-x64 arm64}
build=deps/build
chroot_dir="$build/chroot/bullseye-build"
log() { printf 'lkl prebuild: %s\n' "$*" >&2; }
stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
secs() { echo "$(($(date +%s) - $1)) s"; }

case "$(uname -m)" in
x86_64) native=x64 ;;
aarch64) native=arm64 ;;
*) log "runs on x86_64 or aarch64 machines only"; exit 1 ;;
esac
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap and chroot for the Debian 11 build system)"; exit 1; }
need_packages "npm run prebuild" debootstrap:debootstrap unshare:util-linux

gnu_triplet() { case "$1" in x64) echo x86_64-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; esac; }
# The toolchain prefix for a target, inside the chroot and out.
prefix_for() { [ "$1" = "$native" ] && echo "" || echo "$(gnu_triplet "$1")-"; }

# The Node headers node-gyp builds against: those of the Node running us
# (node-gyp's nodedir if npm has one, else next to the binary, else
# node-gyp's download cache).
node_headers() {
	local d
	for d in "${npm_config_nodedir:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" \
		"$HOME/.cache/node-gyp/$(node -p process.versions.node)"; do
		[ -n "$d" ] && [ -f "$d/include/node/node_api.h" ] && { echo "$d"; return; }
	done
	log "no Node headers (include/node/node_api.h) found for $(node -v)"; return 1
}

# 2a. the Debian 11 build system, with this machine's node and Node headers.
t0=$(date +%s)
# (the other arch's cross compiler always, so the chroot does not depend
# on LKL_PREBUILD_ARCHS)
other=$( [ "$native" = x64 ] && echo arm64 || echo x64)
other_deb=$(gnu_triplet "$other" | tr _ - )
make_chroot "$chroot_dir" bullseye "$( [ "$native" = x64 ] && echo amd64 || echo arm64)" \
	build-essential python3 "gcc-$other_deb" "g++-$other_deb"
node_bin=$(readlink -f "$(command -v node)")
if ! cmp -s "$node_bin" "$chroot_dir/usr/local/bin/node"; then
	cp "$node_bin" "$chroot_dir/usr/local/bin/node"
fi
headers=$(node_headers)
if ! diff -rq "$headers/include/node" "$chroot_dir/opt/node/include/node" >/dev/null 2>&1; then
	rm -rf "$chroot_dir/opt/node"
	mkdir -p "$chroot_dir/opt/node/include"
	cp -a "$headers/include/node" "$chroot_dir/opt/node/include/"
fi
log "build system ready ($(secs "$t0"))"

# Everything that decides an addon's bytes, apart from liblkl.a.
addon_inputs() {
	(find native binding.gyp node_modules/node-addon-api/package.json \
		scripts/prebuild.sh -type f -printf '%p %T@ %s\n' | sort
	 cat "$chroot_dir/.lkl-chroot"; node -v) | sha256sum | cut -d' ' -f1
}

for a in $archs; do
	t0=$(date +%s)
	prefix=$(prefix_for "$a")
	work="$build/prebuild-$a"
	dest="prebuilds/linux-$a/node.napi.glibc.node"

	# 1. the kernel, on this machine
	LKL_TARGET_ARCH=$a bash deps/build.sh kernel

	# 2b. the host library, in the chroot (needs only make and the compiler)
	in_chroot "$chroot_dir" -b "$root" -- LKL_TARGET_ARCH=$a LKL_HOST_OUT="$root/$work/lib" \
		CC="${prefix}gcc" bash "$root/deps/build.sh" host

	# 2c. the addon, in the chroot, from a copy of binding.gyp and native/
	# (mtimes kept, so node-gyp's make rebuilds only what changed)
	want="$(addon_inputs) $(cat "$work/lib/.host-inputs")"
	if ! stamp_ok "$work/.addon-inputs" "$want" || [ ! -f "$dest" ]; then
		rm -f "$work/.addon-inputs"
		mkdir -p "$work/addon"
		rm -rf "$work/addon/native"
		cp -a native binding.gyp "$work/addon/"
		log "building the $a addon"
		in_chroot "$chroot_dir" -b "$root" -- CC="${prefix}gcc" CXX="${prefix}g++" \
			AR="${prefix}ar" LINK="${prefix}g++" bash -c '
				set -e; cd "$1"
				node "$2" configure --nodedir=/opt/node --arch="$3" -- -Dlkl_out="$4"
				node "$2" build --jobs="$5"' \
			prebuild "$root/$work/addon" "$root/node_modules/node-gyp/bin/node-gyp.js" \
			"$a" "$root/$work/lib" "${LKL_JOBS:-$(nproc)}" >&2

		# 3. strip, check, install
		mkdir -p "$(dirname "$dest")"
		"${prefix}strip" --strip-all -o "$dest.tmp" "$work/addon/build/Release/lkl.node"
		bash scripts/check-glibc.sh "$dest.tmp" "${prefix}objdump"
		mv "$dest.tmp" "$dest"
		echo "$want" > "$work/.addon-inputs"
	fi
	log "$dest: $(du -h "$dest" | cut -f1) ($(secs "$t0"))"
done

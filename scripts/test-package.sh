#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# npm run test:package: the package as a user gets it, on this machine and
# on the oldest and the other architecture we ship for. Needs root (chroots)
# on an x64 Debian-like machine; installs what it needs with apt.
#
#   1. npm run prebuild, npm pack; the tarball holds both prebuilds, dist/
#      and docs/, and no deps/build; each prebuild passes the glibc baseline
#      (scripts/check-glibc.sh)
#   2. install the tarball into a new project with --ignore-scripts,
#      LKL_LINUX_SOURCE=/nonexistent and no compiler on PATH: <= 15 s and
#      <= 30 MB; the same with the install script (which must then compile
#      nothing)
#   3. smoke test (scripts/package-smoke.js) on this machine: an ext4 image
#      made by mke2fs -d; read, write, walk to a tar, close; then e2fsck -fn
#      is clean, debugfs reads the written file, tar lists the tarball
#   4. the same inside a Debian 11 chroot (glibc 2.31, no compiler, no
#      kernel source) with this machine's node binary
#   5. the same inside an arm64 Debian chroot under qemu-user (binfmt_misc),
#      with Debian's arm64 nodejs, loading the arm64 prebuild
#
# LKL_PACKAGE_TEST_SKIP_ARM64=1 leaves out step 5 (and the arm64 prebuild).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/chroot.sh
. deps/scripts/need-packages.sh

work="$root/deps/build/package-test"
chroots="$root/deps/build/chroot"
max_install_s=15
max_install_mb=30
archs="x64 arm64"
[ "${LKL_PACKAGE_TEST_SKIP_ARM64:-}" = 1 ] && archs=x64

passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
die() { echo "not ok - $*" >&2; echo "package: $passed passed, 1 failed"; exit 1; }
timings=()
step() { step_name=$1; step_t0=$(date +%s); echo "# $step_name"; }
step_done() { timings+=("$step_name: $(($(date +%s) - step_t0)) s"); }

[ "$(uname -m)" = x86_64 ] || die "runs on x86_64 machines (it cross-builds and emulates arm64)"
need_packages "npm run test:package" mke2fs:e2fsprogs e2fsck:e2fsprogs debugfs:e2fsprogs \
	tar:tar debootstrap:debootstrap unshare:util-linux objdump:binutils

# The run chroots are made (once; then cached) in the background while the
# prebuilds compile: debootstrap is mostly downloads and, for arm64,
# emulated package scripts, so it overlaps well with the compilers.
if [ "$archs" = "x64 arm64" ]; then
	# binfmt_misc: mount it and register qemu ourselves; nothing else may
	# have (a container, a CI machine without systemd).
	mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	need_packages "the arm64 test" qemu-aarch64-static:qemu-user-static update-binfmts:binfmt-support
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
		update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
	[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
	grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
		die "qemu-aarch64 is registered without the F flag (the chroot cannot reach the interpreter)"
fi
declare -A chroot_pid
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
start_chroot() {
	local name=$1
	shift
	mkdir -p "$chroots"
	( SECONDS=0; make_chroot "$chroots/$name" "$@" && echo "$SECONDS" > "$chroots/$name.secs" ) \
		2>"$chroots/$name.err" &
	chroot_pid[$name]=$!
}
wait_chroot() {
	wait "${chroot_pid[$1]}" || { cat "$chroots/$1.err" >&2; die "making the $1 chroot failed"; }
	timings+=("chroot $1 (in the background): $(cat "$chroots/$1.secs") s")
}
start_chroot bullseye-run bullseye amd64
[ "$archs" = "x64 arm64" ] && start_chroot trixie-arm64 trixie arm64 nodejs

# 1. prebuild and pack
step "prebuild ($archs)"
LKL_PREBUILD_ARCHS=$archs bash scripts/prebuild.sh
step_done

step "npm pack"
rm -rf "$work"
mkdir -p "$work/pack"
tarball=$(npm pack --silent --pack-destination "$work/pack" | tail -1)
tarball="$work/pack/$tarball"
[ -f "$tarball" ] || die "npm pack made no tarball"
listing=$(tar -tzf "$tarball")
for a in $archs; do
	grep -qx "package/prebuilds/linux-$a/node.napi.glibc.node" <<<"$listing" ||
		die "the tarball has no prebuilds/linux-$a"
done
for f in package/dist/index.js package/dist/lkl.js package/docs/building.md package/scripts/install.js package/deps/build.sh; do
	grep -qx "$f" <<<"$listing" || die "the tarball has no ${f#package/}"
done
if grep -q '^package/deps/build/' <<<"$listing"; then die "the tarball holds deps/build"; fi
ok "npm pack: $(basename "$tarball"), $(du -h "$tarball" | cut -f1), both prebuilds, dist, docs, no deps/build"
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
for a in $archs; do
	prefix=; [ "$a" = arm64 ] && prefix=aarch64-linux-gnu-
	f="$work/unpacked/package/prebuilds/linux-$a/node.napi.glibc.node"
	bash scripts/check-glibc.sh "$f" "${prefix}objdump" || die "linux-$a prebuild: glibc baseline"
	ok "linux-$a prebuild: $(du -h "$f" | cut -f1), glibc baseline 2.31 held"
done
step_done

# 2. install with no compiler and no kernel source
# A PATH with node, npm and sh (which npm runs scripts with) only.
nocc="$work/nocc-bin"
mkdir -p "$nocc"
for tool in node npm sh; do
	ln -sf "$(readlink -f "$(command -v $tool)")" "$nocc/$tool"
done
for cc in gcc cc g++ c++ make; do
	PATH=$nocc command -v "$cc" >/dev/null && die "$cc is reachable on the restricted PATH"
done

install_into() {
	local dir=$1
	shift
	mkdir -p "$dir"
	echo '{ "name": "lkl-package-test", "version": "1.0.0", "private": true }' > "$dir/package.json"
	(cd "$dir" && env PATH="$nocc" LKL_LINUX_SOURCE=/nonexistent npm_config_nodedir=/nonexistent \
		npm install --no-audit --no-fund --loglevel=error "$@" "$tarball")
}

step "install --ignore-scripts"
t0=$(date +%s%N)
install_into "$work/project" --ignore-scripts
ms=$((($(date +%s%N) - t0) / 1000000))
kb=$(du -sk "$work/project/node_modules" | cut -f1)
[ $ms -le $((max_install_s * 1000)) ] || die "install took $ms ms (> $max_install_s s)"
[ $kb -le $((max_install_mb * 1024)) ] || die "install left $kb KiB (> $max_install_mb MB)"
ok "install --ignore-scripts: $ms ms, node_modules $((kb / 1024)) MiB"
step_done

step "install with the install script"
t0=$(date +%s%N)
install_into "$work/project-scripts"
ms=$((($(date +%s%N) - t0) / 1000000))
[ ! -e "$work/project-scripts/node_modules/lkl/build" ] || die "the install script built something"
[ $ms -le $((max_install_s * 1000)) ] || die "install with scripts took $ms ms (> $max_install_s s)"
ok "install with the install script: $ms ms, nothing compiled"
step_done

cp scripts/package-smoke.js "$work/project/"

# 3-5. smoke tests; $1 names the run, the rest runs the smoke test given
# IMAGE TAR TEXT (paths under $work, which every chroot bind-mounts).
smoke() {
	local name=$1
	shift
	local d="$work/smoke-$name" text="hello from $name"
	rm -rf "$d"
	mkdir -p "$d/src/dir"
	printf '%s' "$text" > "$d/src/hello.txt"
	printf 'nested\n' > "$d/src/dir/nested.txt"
	mke2fs -q -t ext4 -d "$d/src" "$d/disk.img" 32M
	"$@" "$d/disk.img" "$d/out.tar" "$text" || die "smoke test ($name) failed"
	e2fsck -fn "$d/disk.img" >"$d/e2fsck.log" 2>&1 || { cat "$d/e2fsck.log" >&2; die "$name: e2fsck -fn found errors"; }
	debugfs -R 'cat /written.txt' "$d/disk.img" 2>/dev/null | grep '^written on ' >/dev/null ||
		die "$name: debugfs does not find /written.txt"
	local members
	members=$(tar -tf "$d/out.tar" | sed 's|^\./||' | grep -v '^$' | sort | tr '\n' ' ')
	for m in hello.txt written.txt dir/nested.txt; do
		case " $members " in *" $m "*) ;; *) die "$name: the tar lacks $m (has: $members)" ;; esac
	done
	ok "smoke test ($name): read, write, walk to tar, close; e2fsck -fn clean; tar lists ${members% }"
}

step "smoke test on this machine"
smoke host env -C "$work/project" PATH="$nocc" LKL_LINUX_SOURCE=/nonexistent node package-smoke.js
step_done

step "smoke test in Debian 11 (glibc 2.31)"
wait_chroot bullseye-run
for bad in usr/bin/gcc usr/bin/cc usr/bin/make; do
	[ ! -e "$chroots/bullseye-run/$bad" ] || die "the Debian 11 chroot has /$bad"
done
[ -z "$(ls -A "$chroots/bullseye-run/usr/src" 2>/dev/null)" ] || die "the Debian 11 chroot has kernel sources"
cp "$(readlink -f "$(command -v node)")" "$chroots/bullseye-run/usr/local/bin/node"
glibc=$(in_chroot "$chroots/bullseye-run" -- /usr/bin/ldd --version | sed -n 1p)
echo "# Debian 11 chroot: $glibc"
smoke bullseye in_chroot "$chroots/bullseye-run" -b "$work" -- \
	/usr/local/bin/node "$work/project/package-smoke.js"
step_done

if [ "$archs" = "x64 arm64" ]; then
	step "smoke test on arm64 (qemu-user)"
	wait_chroot trixie-arm64
	echo "# arm64 chroot: $(in_chroot "$chroots/trixie-arm64" -- /usr/bin/node -p 'process.arch + " node " + process.version')"
	smoke arm64 in_chroot "$chroots/trixie-arm64" -b "$work" -- \
		/usr/bin/node "$work/project/package-smoke.js"
	step_done
fi

echo "# times"
printf '#   %s\n' "${timings[@]}"
echo "package: $passed passed, 0 failed"

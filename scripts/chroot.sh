# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the prebuild and package-test scripts: cached Debian chroots
# made with debootstrap, and commands run inside them.
#
#   make_chroot DIR SUITE ARCH PACKAGES...   create DIR once (root only);
#                                            kept while the arguments match
#   in_chroot DIR [-b HOSTPATH]... -- CMD... run CMD in DIR, each HOSTPATH
#                                            bind-mounted at the same path
#
# in_chroot mounts inside a private mount namespace (unshare -m), so the
# mounts vanish with the command, whatever happens: nothing is left mounted
# inside a folder someone may later rm -rf.

chroot_log() { printf 'lkl chroot: %s\n' "$*" >&2; }

# The Debian mirror this machine's apt uses (none: debootstrap's default).
debian_mirror() {
	local uri
	uri=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p';
		grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}') |
		grep -v -e security -e '^$' | grep -m1 '/debian/\?$' || true)
	printf '%s' "$uri"
}

make_chroot() {
	local dir=$1 suite=$2 arch=$3
	shift 3
	local want includes=
	[ $# = 0 ] || { includes=$(printf '%s,' "$@"); includes=${includes%,}; }
	want="$suite $arch $includes"
	if [ -f "$dir/.lkl-chroot" ] && [ "$(cat "$dir/.lkl-chroot")" = "$want" ]; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || { chroot_log "making a chroot needs root (debootstrap)"; return 1; }
	# Same system, packages added: install them rather than start again.
	local have
	have=$(cat "$dir/.lkl-chroot" 2>/dev/null || true)
	if [ -n "$have" ] && [ "${have%% *}" = "$suite" ] && [ $# -gt 0 ] &&
	   [ "$(echo "$have" | cut -d' ' -f2)" = "$arch" ]; then
		chroot_log "apt-get install $* in $dir"
		if in_chroot "$dir" -- DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$@" >"$dir.log" 2>&1; then
			echo "$want" > "$dir/.lkl-chroot"
			return 0
		fi
		chroot_log "that failed (see $dir.log); making the chroot again"
	fi
	command -v debootstrap >/dev/null || { chroot_log "debootstrap is not installed (apt-get install debootstrap)"; return 1; }
	chroot_log "debootstrap $suite ($arch) into $dir: $*"
	rm -rf --one-file-system "$dir" "$dir.tmp"
	mkdir -p "$(dirname "$dir")"
	local mirror
	mirror=$(debian_mirror)
	debootstrap --variant=minbase --arch="$arch" ${includes:+--include="$includes"} \
		"$suite" "$dir.tmp" $mirror >"$dir.log" 2>&1 || {
		chroot_log "debootstrap failed, see $dir.log"; tail -5 "$dir.log" >&2; return 1; }
	mv "$dir.tmp" "$dir"
	echo "$want" > "$dir/.lkl-chroot"
}

in_chroot() {
	local dir=$1 binds=()
	shift
	while [ "$1" = -b ]; do binds+=("$2"); shift 2; done
	[ "$1" = -- ] && shift
	local script='set -e; r=$1; shift; mount -t proc proc "$r/proc"
		mount --bind /dev "$r/dev"
		while [ "$1" != -- ]; do mkdir -p "$r$1"; mount --bind "$1" "$r$1"; shift; done
		shift; exec chroot "$r" "$@"'
	unshare -m --propagation private bash -c "$script" in_chroot "$dir" "${binds[@]}" -- \
		/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

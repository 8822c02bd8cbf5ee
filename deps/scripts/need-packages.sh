# SPDX-License-Identifier: GPL-2.0-only
# Sourced by deps/build.sh and the scripts in scripts/: make sure commands
# exist, installing their Debian packages with apt when we may.
#
#   need_packages WHAT TOOL:PACKAGE...
#
# For every TOOL not found (on PATH or in the sbin folders, where mkfs and
# fsck live), its PACKAGE is missing. Missing packages are installed with
# apt-get when running as root on a system with apt (saying so first);
# otherwise the function prints one message naming them all and returns 1.
# WHAT says what they are for, in that message.

need_packages() {
	local what=$1 pair tool pkg missing=()
	shift
	for pair in "$@"; do
		tool=${pair%%:*}
		pkg=${pair#*:}
		if ! PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1; then
			case " ${missing[*]} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
		fi
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		printf 'lkl: installing the packages %s needs: %s (apt-get install %s)\n' \
			"$what" "${missing[*]}" "${missing[*]}" >&2
		local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
		# A fresh system may have no package lists yet.
		DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >&2 ||
			{ apt-get -o DPkg::Lock::Timeout=600 -q update >&2 &&
			  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >&2; }
		return
	fi
	printf 'lkl: %s needs packages that are not installed: %s\n' "$what" "${missing[*]}" >&2
	printf 'lkl: install them with: sudo apt-get install %s\n' "${missing[*]}" >&2
	return 1
}

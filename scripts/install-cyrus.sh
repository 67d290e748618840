#!/usr/bin/env bash
# install-cyrus.sh
#
# Installs what cyrus-up.sh needs to run Cyrus IMAP next to Dovecot:
#   * the Debian packages cyrus-common and sasl2-bin, through apt;
#   * the imapd and idled binaries of the cyrus-imapd package, unpacked with
#     dpkg-deb -x into CYRUS_ROOT (default /opt/imaplib-servers/cyrus-imapd).
# cyrus-imapd itself is never installed: it, dovecot-imapd and courier-imap
# each declare "Conflicts: imap-server", so installing it would remove
# Dovecot. The install is simulated first and refused if apt would remove
# any package. No system service is started.
#
# Safe to run again: it does nothing when everything is in place. Needs root.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

root=${CYRUS_ROOT:-/opt/imaplib-servers/cyrus-imapd}
stamp=$root/VERSION

installed_version() {
	dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null | sed -n 's/^installed //p'
}
ready() {
	local v
	v=$(installed_version cyrus-common)
	[ -n "$v" ] && [ -n "$(installed_version sasl2-bin)" ] &&
		[ -x "$root/usr/lib/cyrus/bin/imapd" ] && [ -x "$root/usr/lib/cyrus/bin/idled" ] &&
		[ -r "$stamp" ] && [ "$(cat "$stamp")" = "$v" ]
}

ready && exit 0

[ "$(id -u)" -eq 0 ] || dv_die "run as root (it installs cyrus-common and sasl2-bin with apt and unpacks cyrus-imapd into $root)"
command -v apt-get >/dev/null 2>&1 || dv_die "no apt-get here: this script knows Debian's packages only"

log=$(mktemp "${TMPDIR:-/tmp}/install-cyrus.XXXXXX")
work=
policy=/usr/sbin/policy-rc.d
added_policy=
cleanup() {
	if [ -n "$added_policy" ]; then rm -f "$policy"; fi
	if [ -n "$work" ]; then rm -rf -- "$work"; fi
	rm -f -- "$log"
}
trap cleanup EXIT
run() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		dv_die "failed: $*"
	fi
}

# The packages' maintainer scripts would start system services unless a
# policy-rc.d forbids it.
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	added_policy=1
fi

updated=
update() {
	[ -n "$updated" ] || run apt-get update
	updated=1
}

pkgs=(cyrus-common sasl2-bin)
if [ -z "$(installed_version cyrus-common)" ] || [ -z "$(installed_version sasl2-bin)" ]; then
	update
	# never let this install take Dovecot (or anything else) away
	sim=$(LC_ALL=C apt-get install -s -y --no-install-recommends "${pkgs[@]}" 2>&1) ||
		{
			printf '%s\n' "$sim" | tail -n 20 >&2
			dv_die "apt-get cannot install ${pkgs[*]}"
		}
	if removed=$(printf '%s\n' "$sim" | grep '^Remv '); then
		printf '%s\n' "$removed" >&2
		dv_die "installing ${pkgs[*]} would remove the packages above; refusing"
	fi
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"
fi

version=$(installed_version cyrus-common)
[ -n "$version" ] || dv_die "cyrus-common is still not installed"

# imapd must come from the same build as the libraries in cyrus-common.
work=$(mktemp -d "${TMPDIR:-/tmp}/install-cyrus.XXXXXX")
# apt's download sandbox user must be able to write there
if getent passwd _apt >/dev/null 2>&1; then chown _apt "$work"; fi
download() { (cd "$work" && apt-get download "cyrus-imapd=$version") >>"$log" 2>&1; }
if ! download; then
	# the package lists may be missing or older than the installed version
	update
	download || {
		tail -n 20 "$log" >&2
		dv_die "could not download cyrus-imapd $version"
	}
fi
deb=$(find "$work" -maxdepth 1 -name 'cyrus-imapd_*.deb' -print -quit)
[ -n "$deb" ] || dv_die "apt-get download left no cyrus-imapd .deb"
mkdir -p -- "$(dirname -- "$root")"
rm -rf -- "$root.new"
run dpkg-deb -x "$deb" "$root.new"
printf '%s\n' "$version" >"$root.new/VERSION"
rm -rf -- "$root"
mv -- "$root.new" "$root"

ready || dv_die "installed, but $root or the packages are still not as expected"
printf 'cyrus %s: cyrus-common and sasl2-bin installed, imapd unpacked in %s\n' "$version" "$root"

#!/usr/bin/env bash
# install-courier.sh
#
# Installs what courier-up.sh and courier-stdio.sh need to run Courier-IMAP
# next to Dovecot:
#   * the Debian packages courier-base, courier-authdaemon and
#     courier-authlib-userdb (couriertcpd, couriertls, authdaemond, the
#     userdb tools, maildirmake), through apt;
#   * the imapd and imaplogin binaries of the courier-imap package, unpacked
#     with dpkg-deb -x into COURIER_ROOT (default
#     /opt/imaplib-servers/courier-imap).
# courier-imap itself is never installed: it, dovecot-imapd and cyrus-imapd
# each declare "Conflicts: imap-server", so installing it would remove
# Dovecot. The install is simulated first and refused if apt would remove
# any package. No system service is started.
#
# Safe to run again: it does nothing when everything is in place. Needs root.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

root=${COURIER_ROOT:-/opt/imaplib-servers/courier-imap}
stamp=$root/VERSION
pkgs=(courier-base courier-authdaemon courier-authlib-userdb)

installed_version() {
	dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null | sed -n 's/^installed //p'
}
all_installed() {
	local p
	for p in "${pkgs[@]}"; do
		[ -n "$(installed_version "$p")" ] || return 1
	done
}
# courier-imap's version is "<imap version>+<courier-base version>", and it
# must match the installed courier-base exactly.
ready() {
	local base
	base=$(installed_version courier-base)
	all_installed && [ -n "$base" ] &&
		[ -x "$root/usr/bin/imapd" ] && [ -x "$root/usr/lib/courier/courier/imaplogin" ] &&
		[ -r "$stamp" ] && case $(cat "$stamp") in *"+$base") true ;; *) false ;; esac
}

ready && exit 0

[ "$(id -u)" -eq 0 ] || dv_die "run as root (it installs ${pkgs[*]} with apt and unpacks courier-imap into $root)"
command -v apt-get >/dev/null 2>&1 || dv_die "no apt-get here: this script knows Debian's packages only"

log=$(mktemp "${TMPDIR:-/tmp}/install-courier.XXXXXX")
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
updated=
update() {
	[ -n "$updated" ] || run apt-get update
	updated=1
}

# The packages' maintainer scripts would start authdaemond unless a
# policy-rc.d forbids it.
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	added_policy=1
fi

if ! all_installed; then
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
base=$(installed_version courier-base)
[ -n "$base" ] || dv_die "courier-base is still not installed"

matching_version() {
	apt-cache madison courier-imap 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
		while IFS= read -r v; do
			case $v in *"+$base") printf '%s\n' "$v" && break ;; esac
		done
}
version=$(matching_version)
if [ -z "$version" ]; then
	update
	version=$(matching_version)
fi
[ -n "$version" ] || dv_die "no courier-imap version built with courier-base $base is available"

work=$(mktemp -d "${TMPDIR:-/tmp}/install-courier.XXXXXX")
# apt's download sandbox user must be able to write there
if getent passwd _apt >/dev/null 2>&1; then chown _apt "$work"; fi
(cd "$work" && apt-get download "courier-imap=$version") >>"$log" 2>&1 || {
	tail -n 20 "$log" >&2
	dv_die "could not download courier-imap $version"
}
deb=$(find "$work" -maxdepth 1 -name 'courier-imap_*.deb' -print -quit)
[ -n "$deb" ] || dv_die "apt-get download left no courier-imap .deb"
mkdir -p -- "$(dirname -- "$root")"
rm -rf -- "$root.new"
run dpkg-deb -x "$deb" "$root.new"
printf '%s\n' "$version" >"$root.new/VERSION"
rm -rf -- "$root"
mv -- "$root.new" "$root"

ready || dv_die "installed, but $root or the packages are still not as expected"
printf 'courier-imap %s: %s installed, imapd unpacked in %s\n' "$version" "${pkgs[*]}" "$root"

#!/usr/bin/env bash
# Installs what the integration tests need: Dovecot's imap server and
# openssl (Debian packages). Safe to run again: it does nothing when both
# are present. It never starts a system service: the tests run their own
# instance on free loopback ports (see dovecot-up.sh).
set -euo pipefail

# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$(dirname -- "$0")/lib-common.sh"

pkgs=()
dv_have_dovecot || pkgs+=(dovecot-core dovecot-imapd)
command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
# dovecot-up.sh uses setpriv to check the mail uid can reach the mail dir.
command -v setpriv >/dev/null 2>&1 || pkgs+=(util-linux)

[ ${#pkgs[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	dv_die "missing ${pkgs[*]}; run as root, or install them yourself: apt-get install --no-install-recommends ${pkgs[*]}"
fi
command -v apt-get >/dev/null 2>&1 ||
	dv_die "missing ${pkgs[*]} and no apt-get here; install them with the system's package manager"

# The package's maintainer scripts would start a system dovecot on 143/993
# unless a policy-rc.d forbids it. Put one in place for the install when the
# machine has none, and take it away afterwards.
policy=/usr/sbin/policy-rc.d
added_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	added_policy=1
fi
cleanup() {
	if [ -n "$added_policy" ]; then rm -f "$policy"; fi
}
trap cleanup EXIT

log=$(mktemp "${TMPDIR:-/tmp}/install-deps.XXXXXX")
run() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		rm -f "$log"
		dv_die "failed: $*"
	fi
}
run apt-get update
run env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${pkgs[@]}"
rm -f "$log"

dv_have_dovecot || dv_die "installed ${pkgs[*]} but $DOVECOT_BIN or $DOVECOT_IMAP_BIN is still missing"
command -v openssl >/dev/null 2>&1 || dv_die "openssl still missing after install"

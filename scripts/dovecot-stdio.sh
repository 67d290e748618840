#!/usr/bin/env bash
# dovecot-stdio.sh DIR [USER]
#
# Runs Dovecot's imap binary on standard input and output, already logged in
# as USER (default testuser): the server side of IMAP4_stream. It greets with
# "* PREAUTH". No daemon is needed; DIR's configuration is written first
# (without starting anything) when dovecot-up.sh has not run there. Logs go
# to DIR/log/stdio.log.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR [USER]"; fi
dir=$(dv_abs_dir "$1")
user=${2:-testuser}
case $user in
testuser | otheruser) ;;
*) dv_die "unknown user '$user' (testuser or otheruser)" ;;
esac

if [ ! -r "$dir/dovecot.conf" ] || [ ! -r "$dir/dovecot.vars" ]; then
	# two sessions started at once on a new DIR must not both write it
	mkdir -p -- "$dir"
	exec 9>>"$dir/.stdio.lock"
	flock 9
	if [ ! -r "$dir/dovecot.conf" ] || [ ! -r "$dir/dovecot.vars" ]; then
		DOVECOT_CONFIG_ONLY=1 "$here/dovecot-up.sh" "$dir" >/dev/null
	fi
	exec 9>&-
fi

conf=$dir/dovecot.conf
mailroot=''
while IFS='=' read -r key value; do
	case $key in
	DV_CONF) conf=$value ;;
	DV_MAILROOT) mailroot=$value ;;
	esac
done <"$dir/dovecot.vars"
[ -n "$mailroot" ] || dv_die "no mail root recorded in $dir/dovecot.vars"

mkdir -p -- "$dir/log"
# As root, imap drops to mail_uid by itself. Its log lines go to stderr.
exec env -i USER="$user" HOME="$mailroot/$user" \
	"$DOVECOT_IMAP_BIN" -c "$conf" 2>>"$dir/log/stdio.log"

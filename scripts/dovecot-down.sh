#!/usr/bin/env bash
# dovecot-down.sh DIR
#
# Stops the Dovecot that dovecot-up.sh DIR started: SIGTERM to the recorded
# master (only if /proc says it is that dovecot), a wait, SIGKILL after 10 s.
# Then removes the temporary directories dovecot-up.sh made outside DIR.
# DIR itself is left for the caller (its logs help after a failure).
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
dir=$(dv_abs_dir "$1")
vars=$dir/dovecot.vars
[ -r "$vars" ] || exit 0

pid=''
conf=$dir/dovecot.conf
tmpdirs=()
while IFS='=' read -r key value; do
	case $key in
	DV_PID) pid=$value ;;
	DV_CONF) conf=$value ;;
	DV_TMPDIR) tmpdirs+=("$value") ;;
	esac
done <"$vars"

if [ -n "$pid" ]; then
	dv_stop_master "$pid" "$conf" "${DOVECOT_STOP_TIMEOUT:-10}"
fi

for d in "${tmpdirs[@]}"; do
	# only what dovecot-up.sh could have made
	case $d in
	*/dovecot-mail.* | */dovecot-run.*) rm -rf -- "$d" ;;
	esac
done
if [ -L "$dir/home" ]; then rm -f -- "$dir/home"; fi
rm -f -- "$vars" "$dir/env"

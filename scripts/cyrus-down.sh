#!/usr/bin/env bash
# cyrus-down.sh DIR
#
# Stops the Cyrus that cyrus-up.sh DIR started: SIGTERM to the recorded
# master (only if /proc says it is that master; it stops its children
# itself), a wait, SIGKILL after CYRUS_STOP_TIMEOUT seconds (default 10) to
# the master and whatever of its children is left. Then removes the data
# directory cyrus-up.sh made under /tmp, if any. DIR itself is left for the
# caller.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
dir=$(dv_abs_dir "$1")
vars=$dir/cyrus.vars
[ -r "$vars" ] || exit 0

pid=''
conf=''
tmpdirs=()
while IFS='=' read -r key value; do
	case $key in
	CY_PID) pid=$value ;;
	CY_CONF) conf=$value ;;
	CY_TMPDIR) tmpdirs+=("$value") ;;
	esac
done <"$vars"

is_ours() {
	local cmdline
	[ -n "$1" ] && [ -n "$conf" ] && [ -r "/proc/$1/cmdline" ] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	case $cmdline in
	*"$conf"*) return 0 ;;
	esac
	return 1
}

if [ -n "$pid" ] && is_ours "$pid"; then
	kids=$(dv_children "$pid")
	kill -TERM "$pid" 2>/dev/null || true
	secs=${CYRUS_STOP_TIMEOUT:-10}
	for ((i = 0; i < secs * 20; i++)); do
		dv_gone "$pid" && break
		sleep 0.05
	done
	if ! dv_gone "$pid"; then
		dv_note "cyrus master $pid ignored SIGTERM for ${secs}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# children still running with this instance's config (a pid may have
	# been reused meanwhile: the check keeps others safe)
	for k in $kids; do
		if is_ours "$k"; then kill -KILL "$k" 2>/dev/null || true; fi
	done
fi

for d in "${tmpdirs[@]}"; do
	case $d in
	*/cyrus-data.*) rm -rf -- "$d" ;;
	esac
done
if [ -L "$dir/data" ]; then rm -f -- "$dir/data"; fi
rm -f -- "$vars" "$dir/env"

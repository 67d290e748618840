#!/usr/bin/env bash
# courier-down.sh DIR
#
# Stops the Courier that courier-up.sh DIR started: SIGTERM to the recorded
# daemons (authdaemond and the two couriertcpd; each stops its own
# children), a wait, then SIGKILL after COURIER_STOP_TIMEOUT seconds
# (default 10) to whatever of them is left. A pid is signalled only while
# /proc shows it in the instance's mount namespace, so a reused pid is left
# alone. The namespace goes away with its last process. Then removes the
# maildirs courier-up.sh put under /tmp, if any. DIR itself is left for the
# caller.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
dir=$(dv_abs_dir "$1")
vars=$dir/courier.vars
etc=$dir/etc
[ -r "$vars" ] || exit 0

pids=()
tmpdirs=()
gam_id=''
while IFS='=' read -r key value; do
	case $key in
	CO_PID) pids+=("$value") ;;
	CO_TMPDIR) tmpdirs+=("$value") ;;
	CO_GAM_ID) gam_id=$value ;;
	esac
done <"$vars"

# ours PID: PID sees DIR/etc as its /etc/courier.
ours() {
	[ -n "$1" ] && [ -e "$etc/authdaemonrc" ] &&
		[ "/proc/$1/root/etc/courier/authdaemonrc" -ef "$etc/authdaemonrc" ]
}
# gamin PID: PID is the file-notification server this instance's imapd
# sessions started (daemon or stdio), told apart by its GAM_CLIENT_ID.
gamin() {
	[ -n "$gam_id" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = gam_server ] &&
		tr '\0' '\n' 2>/dev/null <"/proc/$1/environ" | grep -qx "GAM_CLIENT_ID=$gam_id"
}
# what is still running: the daemons, their children, and gam_server
members() {
	local f p
	for f in /proc/[0-9]*; do
		p=${f#/proc/}
		if { ours "$p" || gamin "$p"; } && ! dv_gone "$p"; then printf '%s\n' "$p"; fi
	done
}
signal() {
	local sig=$1 p
	shift
	for p in "$@"; do
		if ours "$p" || gamin "$p"; then kill "-$sig" "$p" 2>/dev/null || true; fi
	done
}

# The daemons first: couriertcpd stops the sessions it started. Then
# whatever is left (gam_server, a session that ignored its SIGTERM).
signal TERM "${pids[@]}"
secs=${COURIER_STOP_TIMEOUT:-10}
left=
termed=
for ((i = 0; i < secs * 20; i++)); do
	left=$(members)
	[ -n "$left" ] || break
	if [ -z "$termed" ] && { [ "$i" -ge 20 ] || ! printf '%s\n' "$left" | grep -qxF -f <(printf '%s\n' "${pids[@]}"); }; then
		# shellcheck disable=SC2086 # one pid per word
		signal TERM $left
		termed=1
	fi
	sleep 0.05
done
if [ -n "$left" ]; then
	dv_note "courier processes ${left//$'\n'/ } outlived SIGTERM for ${secs}s; killing them"
	# shellcheck disable=SC2086 # one pid per word
	signal KILL $left
fi

for d in "${tmpdirs[@]}"; do
	case $d in
	*/courier-mail.*) rm -rf -- "$d" ;;
	esac
done
if [ -L "$dir/home" ]; then rm -f -- "$dir/home"; fi
rm -f -- "$vars" "$dir/env"

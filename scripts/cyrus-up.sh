#!/usr/bin/env bash
# cyrus-up.sh DIR
#
# Starts a self-contained Cyrus IMAP 3.6 server on 127.0.0.1 for the
# integration tests. Everything lives in DIR (or, when the cyrus user cannot
# reach DIR or its path is too long for the idle sockets, in a directory
# under /tmp that cyrus-down.sh removes): configuration, a fresh CA and
# server certificate, the SASL password database, the mail spool. Nothing
# under /etc is read or written and no system service is involved. Needs
# root (the master drops to the cyrus user itself) and scripts/install-cyrus.sh.
#
# It writes DIR/env, one KEY=value per line, shell-sourceable:
#   IMAP_HOST IMAP_PORT (plain, with STARTTLS) IMAPS_PORT (implicit TLS)
#   IMAP_USER IMAP_PASSWORD IMAP_USER2 IMAP_PASSWORD2
#   IMAP_ADMIN_USER IMAP_ADMIN_PASSWORD (a Cyrus admin: SETQUOTA, and SASL
#   authorization as any user; also written as IMAP_MASTER_USER/PASSWORD)
#   IMAP_SEPARATOR IMAP_CA_CERT CYRUS_PID CYRUS_STARTUP_MS CYRUS_VERSION
#
# Knobs (environment):
#   IMAP_PORT, IMAPS_PORT  fixed ports instead of free ones picked at random
#   CYRUS_ROOT             where install-cyrus.sh unpacked cyrus-imapd
#                          (default /opt/imaplib-servers/cyrus-imapd)
#   CYRUS_LIBEXEC          master and ctl_cyrusdb (default /usr/lib/cyrus/bin)
#   CYRUS_START_TIMEOUT    seconds to wait for the greeting (default 10)
#
# On any failure it stops what it started, removes what it made outside DIR,
# and exits non-zero. Stop the server with cyrus-down.sh DIR.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
t_begin=$(dv_now_ms)

root=${CYRUS_ROOT:-/opt/imaplib-servers/cyrus-imapd}
libexec=${CYRUS_LIBEXEC:-/usr/lib/cyrus/bin}
imapd=$root/usr/lib/cyrus/bin/imapd
idled=$root/usr/lib/cyrus/bin/idled
master=$libexec/master
start_timeout=${CYRUS_START_TIMEOUT:-10}
run_as=cyrus
run_group=mail

[ "$(id -u)" -eq 0 ] || dv_die "needs root: the Cyrus master starts as root and drops to the $run_as user"
for f in "$imapd" "$idled" "$master" "$libexec/ctl_cyrusdb"; do
	[ -x "$f" ] || dv_die "$f is missing; run scripts/install-cyrus.sh as root"
done
command -v saslpasswd2 >/dev/null 2>&1 || dv_die "saslpasswd2 is missing; run scripts/install-cyrus.sh as root"
command -v openssl >/dev/null 2>&1 || dv_die "openssl is missing"
getent passwd "$run_as" >/dev/null 2>&1 || dv_die "no $run_as user; run scripts/install-cyrus.sh as root"

mkdir -p -- "$1"
dir=$(dv_abs_dir "$1")
vars=$dir/cyrus.vars
logdir=$dir/log

# cy_pid_is_master PID CONF: PID is a Cyrus master started with CONF.
cy_pid_is_master() {
	local cmdline
	[ -n "$1" ] && [ -r "/proc/$1/cmdline" ] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	case $cmdline in
	*master*"$2"*) return 0 ;;
	esac
	return 1
}

# A second start on the same DIR while the first still runs would orphan it.
if [ -r "$vars" ]; then
	old_pid=$(sed -n 's/^CY_PID=//p' "$vars")
	old_conf=$(sed -n 's/^CY_CONF=//p' "$vars")
	if cy_pid_is_master "$old_pid" "$old_conf"; then
		dv_die "a cyrus master (pid $old_pid) is already running for $dir; stop it with cyrus-down.sh first"
	fi
	while IFS= read -r old_tmp; do
		case $old_tmp in
		*/cyrus-data.*) rm -rf -- "$old_tmp" ;;
		esac
	done < <(sed -n 's/^CY_TMPDIR=//p' "$vars")
	rm -f -- "$vars"
fi

master_pid=
tmp_data=
ok=
on_exit() {
	local rc=$?
	[ -n "$ok" ] && return 0
	# our own child until this script exits: its pid cannot be reused yet
	if [ -n "$master_pid" ] && ! dv_gone "$master_pid"; then
		kill -TERM "$master_pid" 2>/dev/null || true
		for _ in $(seq 60); do
			dv_gone "$master_pid" && break
			sleep 0.05
		done
		dv_gone "$master_pid" || kill -KILL "$master_pid" 2>/dev/null || true
	fi
	if [ -n "$tmp_data" ]; then rm -rf -- "$tmp_data"; fi
	rm -f -- "$vars" "$dir/env"
	if [ -s "$logdir/master.log" ]; then
		printf '%s: --- last lines of %s ---\n' "$dv_prog" "$logdir/master.log" >&2
		tail -n 25 "$logdir/master.log" >&2
	fi
	[ "$rc" -ne 0 ] || rc=1
	dv_note "failed (exit $rc); nothing left running"
	exit "$rc"
}
trap on_exit EXIT

# --- directories -------------------------------------------------------------
rm -rf -- "${dir:?}/data" "${dir:?}/env"
mkdir -p -- "$logdir"
: >"$logdir/master.log"

# The master, idled and every imapd run as cyrus and need DIR/data. A Go
# t.TempDir() or a mktemp -d sits below 0700 directories: open DIR for
# traversal, and use a directory under /tmp when cyrus still cannot get in.
# Each imapd binds {configdirectory}/socket/idle.PID, a Unix socket whose
# path must stay inside 108 bytes: a long DIR goes to /tmp too.
chmod a+x "$dir"
data=$dir/data
mkdir -p -- "$data"
chown "$run_as:$run_group" "$data"
if [ ${#data} -gt 70 ] || ! setpriv --reuid="$run_as" --regid="$run_group" --clear-groups test -x "$data" -a -w "$data" 2>/dev/null; then
	rmdir -- "$data"
	tmp_data=$(mktemp -d /tmp/cyrus-data.XXXXXX)
	data=$tmp_data
	chmod 0755 "$data"
	ln -s "$data" "$dir/data"
fi
mkdir -p -- "$data/conf/socket" "$data/spool" "$data/proc" "$data/lock" "$data/sieve" "$data/tls"
conf=$data/imapd.conf
mconf=$data/cyrus.conf

# --- TLS: a throwaway CA and a server certificate it signs ------------------
tls=$data/tls
dv_make_test_cert "$tls" "$logdir"

# --- users -------------------------------------------------------------------
# servername is localhost, so the realm given here is the one logins use.
# admin is a Cyrus admin and may authorize as anyone (proxyservers).
for pair in testuser:testpass otheruser:otherpass admin:adminpass; do
	printf '%s' "${pair#*:}" | saslpasswd2 -f "$data/sasldb2" -c -p -u localhost "${pair%%:*}" ||
		dv_die "saslpasswd2 failed for ${pair%%:*}"
done

# --- ports -------------------------------------------------------------------
# Random ports below the kernel's ephemeral range that nothing listens on;
# if one is taken by the time the master binds, start again with new ones.
# listen_inodes PORT: the inodes of the sockets listening on PORT, on any
# local address.
listen_inodes() {
	awk -v port="$(printf '%04X' "$1")" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == port) print $10 }' \
		/proc/net/tcp /proc/net/tcp6 2>/dev/null
}
# owns_listeners PID PORT...: PID holds a socket listening on each PORT.
# The master reports a failed bind only to syslog (absent here), and a
# connection to the port could reach another program listening on 0.0.0.0.
owns_listeners() {
	local fds ino p found
	fds=$(ls -l "/proc/$1/fd" 2>/dev/null) || return 1
	shift
	for p in "$@"; do
		found=
		for ino in $(listen_inodes "$p"); do
			case $fds in *"socket:[$ino]"*) found=1 ;; esac
		done
		[ -n "$found" ] || return 1
	done
}
fixed_ports=
if [ -n "${IMAP_PORT:-}" ] || [ -n "${IMAPS_PORT:-}" ]; then
	if [ -z "${IMAP_PORT:-}" ] || [ -z "${IMAPS_PORT:-}" ]; then dv_die "set both IMAP_PORT and IMAPS_PORT, or neither"; fi
	for p in "$IMAP_PORT" "$IMAPS_PORT"; do
		[ -z "$(listen_inodes "$p")" ] || dv_die "port $p is already in use"
	done
	fixed_ports=1
fi

# --- configuration -----------------------------------------------------------
write_conf() {
	cat >"$conf" <<EOF
# Generated by cyrus-up.sh: a self-contained test instance.
servername: localhost
configdirectory: $data/conf
partition-default: $data/spool
defaultpartition: default
proc_path: $data/proc
mboxname_lockpath: $data/lock
sievedir: $data/sieve
temp_path: /tmp
syslog_prefix: cyrus-test-$port
# the idle sockets (idle.PID of each imapd) stay in {configdirectory}/socket:
# moving them makes every imapd fail to bind and IDLE fall back to polling

# a Dovecot-like namespace: folders beside INBOX, "/" as the separator
altnamespace: yes
unixhierarchysep: yes

admins: admin
# admin may act for other users through the SASL authorization identity
proxyservers: admin
allowplaintext: yes
# no 3 s pause after a failed login
failedloginpause: 0
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $data/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
sasl_auto_transition: no

# INBOX is created at the first login, with a 100 MiB / 10000 message quota
autocreate_quota: 102400
autocreate_quota_messages: 10000

# GETANNOTATION/SETANNOTATION: the draft ANNOTATEMORE commands imaplib sends
annotation_enable_legacy_commands: yes
annotation_allow_undefined: yes

tls_server_cert: $tls/cert.pem
tls_server_key: $tls/key.pem
tls_versions: tls1_2 tls1_3

# idled pushes mailbox changes to IDLE at once. Without it imapd would poll
# every imapidlepoll seconds (0 turns IDLE off): a long interval makes a
# broken push show up as a missed change rather than as a slow one.
imapidlepoll: 30
EOF
	cat >"$mconf" <<EOF
# Generated by cyrus-up.sh.
START {
  recover cmd="$libexec/ctl_cyrusdb -C $conf -r"
}
SERVICES {
  imap  cmd="$imapd -C $conf" listen="127.0.0.1:$port" prefork=1
  imaps cmd="$imapd -s -C $conf" listen="127.0.0.1:$sport" prefork=1
}
EVENTS {
  checkpoint cmd="$libexec/ctl_cyrusdb -C $conf -c" period=30
}
DAEMON {
  idled cmd="$idled -C $conf"
}
EOF
}

shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./:@%+=,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
write_vars() {
	{
		printf 'CY_PID=%s\n' "$master_pid"
		printf 'CY_CONF=%s\n' "$conf"
		if [ -n "$tmp_data" ]; then printf 'CY_TMPDIR=%s\n' "$tmp_data"; fi
	} >"$vars.tmp"
	mv -f -- "$vars.tmp" "$vars"
}
write_env() {
	{
		printf 'IMAP_HOST=127.0.0.1\n'
		printf 'IMAP_PORT=%s\n' "$port"
		printf 'IMAPS_PORT=%s\n' "$sport"
		printf 'IMAP_USER=testuser\n'
		printf 'IMAP_PASSWORD=testpass\n'
		printf 'IMAP_USER2=otheruser\n'
		printf 'IMAP_PASSWORD2=otherpass\n'
		printf 'IMAP_ADMIN_USER=admin\n'
		printf 'IMAP_ADMIN_PASSWORD=adminpass\n'
		printf 'IMAP_MASTER_USER=admin\n'
		printf 'IMAP_MASTER_PASSWORD=adminpass\n'
		printf 'IMAP_SEPARATOR=/\n'
		printf 'IMAP_CA_CERT=%s\n' "$(shq "$tls/ca.pem")"
		printf 'CYRUS_PID=%s\n' "$master_pid"
		printf 'CYRUS_STARTUP_MS=%s\n' "$startup_ms"
		printf 'CYRUS_VERSION=%s\n' "$(shq "$version")"
	} >"$dir/env.tmp"
	mv -f -- "$dir/env.tmp" "$dir/env"
}

greets() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	IFS= read -r -t 2 line <&3 || line=
	exec 3>&- 3<&-
	[[ $line == "* OK"* ]] && greeting=$line
}
taken_by_other() {
	! owns_listeners "$master_pid" "$1" && [ -n "$(listen_inodes "$1")" ]
}

chown -R "$run_as:$run_group" "$data"
chmod 0600 "$data/sasldb2" "$tls/key.pem"

# --- start -------------------------------------------------------------------
startup_ms=0
greeting=
attempt=0
while :; do
	attempt=$((attempt + 1))
	dv_choose_ports "$fixed_ports"
	write_conf
	t_start=$(dv_now_ms)
	# In the foreground of this background job, so that its pid is known at
	# once; its standard streams must not hold the caller's pipes open.
	"$master" -C "$conf" -M "$mconf" -p "$data/master.pid" </dev/null >>"$logdir/master.log" 2>&1 &
	master_pid=$!
	write_vars

	deadline=$((t_start + start_timeout * 1000))
	up=
	busy=
	while [ "$(dv_now_ms)" -lt "$deadline" ]; do
		if dv_gone "$master_pid"; then
			break
		fi
		if owns_listeners "$master_pid" "$port" "$sport" && greets "$port"; then
			up=1
			break
		fi
		# a port taken in the meantime (by a listener on 0.0.0.0, say)
		if [ "$(($(dv_now_ms) - t_start))" -gt 1000 ] && { taken_by_other "$port" || taken_by_other "$sport"; }; then
			busy=1
			break
		fi
		sleep 0.02
	done
	if [ -n "$up" ]; then
		break
	fi
	if [ -n "$busy" ] && [ -z "$fixed_ports" ] && [ "$attempt" -lt 4 ]; then
		dv_note "port $port or $sport was taken; trying others"
		kill -TERM "$master_pid" 2>/dev/null || true
		wait "$master_pid" 2>/dev/null || true
		: >"$logdir/master.log"
		rm -f -- "$data/master.pid"
		master_pid=
		continue
	fi
	if [ -n "$busy" ]; then
		dv_die "port $port or $sport was taken by another program"
	fi
	if ! dv_gone "$master_pid"; then
		dv_die "cyrus did not greet on 127.0.0.1:$port within ${start_timeout}s"
	fi
	dv_die "the cyrus master exited during startup"
done
startup_ms=$(($(dv_now_ms) - t_start))
disown "$master_pid" 2>/dev/null || true

version=${greeting#*Cyrus IMAP }
version=${version%% server ready*}
[ "$version" != "$greeting" ] || version='?'
write_env
ok=1
total_ms=$(($(dv_now_ms) - t_begin))
printf 'cyrus %s up in %s ms (script %s ms), pid %s\n' "$version" "$startup_ms" "$total_ms" "$master_pid"
printf 'IMAP  (STARTTLS)     127.0.0.1:%s\n' "$port"
printf 'IMAPS (implicit TLS) 127.0.0.1:%s\n' "$sport"
printf 'users: testuser/testpass otheruser/otherpass admin/adminpass (Cyrus admin)\n'
printf 'env: %s\n' "$dir/env"

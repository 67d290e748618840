#!/usr/bin/env bash
# courier-up.sh DIR
#
# Starts a self-contained Courier-IMAP 5 server on 127.0.0.1 for the
# integration tests: Courier is the one server at hand that implements
# ENABLE UTF8=ACCEPT (RFC 6855). Everything lives in DIR: the configuration,
# a fresh CA and server certificate, the user database, the maildirs and the
# logs. Needs root and scripts/install-courier.sh.
#
# Courier's authentication library has /etc/courier (authdaemonrc, userdb)
# and the socket /run/courier/authdaemon/socket compiled in. So the daemons
# run in a private mount namespace (unshare -m) in which DIR/etc is mounted
# over /etc/courier and DIR/run over /run/courier: the host's /etc/courier
# and /run/courier are never written, and no mount is left in the host's
# namespace. (The namespace lives as long as the daemons in it.)
#
# It writes DIR/env, one KEY=value per line, shell-sourceable:
#   IMAP_HOST IMAP_PORT (plain, with STARTTLS) IMAPS_PORT (implicit TLS)
#   IMAP_USER IMAP_PASSWORD IMAP_USER2 IMAP_PASSWORD2
#   IMAP_SEPARATOR IMAP_CA_CERT IMAP_STDIO_CMD
#   COURIER_PIDS COURIER_STARTUP_MS COURIER_VERSION
#
# Knobs (environment):
#   IMAP_PORT, IMAPS_PORT   fixed ports instead of free ones picked at random
#   COURIER_ROOT            where install-courier.sh unpacked courier-imap
#                           (default /opt/imaplib-servers/courier-imap)
#   COURIER_START_TIMEOUT   seconds to wait for the greeting (default 10)
#   COURIER_CONFIG_ONLY=1   make the users' maildirs and the files that
#                           courier-stdio.sh needs, and start nothing (no
#                           root needed then)
#
# On any failure it stops what it started, removes what it made outside DIR,
# and exits non-zero. Stop the server with courier-down.sh DIR.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
t_begin=$(dv_now_ms)

root=${COURIER_ROOT:-/opt/imaplib-servers/courier-imap}
imapd=$root/usr/bin/imapd
imaplogin=$root/usr/lib/courier/courier/imaplogin
authdaemond=/usr/lib/courier/courier-authlib/authdaemond
start_timeout=${COURIER_START_TIMEOUT:-10}
config_only=${COURIER_CONFIG_ONLY:-}

[ -x "$imapd" ] || dv_die "$imapd is missing; run scripts/install-courier.sh as root"
command -v maildirmake.courier >/dev/null 2>&1 || dv_die "maildirmake.courier is missing; run scripts/install-courier.sh as root"
if [ -z "$config_only" ]; then
	[ "$(id -u)" -eq 0 ] || dv_die "needs root: the daemons run in their own mount namespace (or set COURIER_CONFIG_ONLY=1 for stdio use)"
	for f in "$imaplogin" "$authdaemond" /usr/sbin/couriertcpd /usr/bin/couriertls /usr/sbin/makeuserdb; do
		[ -x "$f" ] || dv_die "$f is missing; run scripts/install-courier.sh as root"
	done
	command -v unshare >/dev/null 2>&1 || dv_die "unshare (util-linux) is missing"
	command -v openssl >/dev/null 2>&1 || dv_die "openssl is missing"
fi

mkdir -p -- "$1"
dir=$(dv_abs_dir "$1")
vars=$dir/courier.vars
logdir=$dir/log
etc=$dir/etc
run=$dir/run

# co_pid_is_ours PID: PID runs in this instance's mount namespace, where
# /etc/courier is DIR/etc (its view of the file is DIR's very file).
co_pid_is_ours() {
	[ -n "$1" ] && [ -e "$etc/authdaemonrc" ] &&
		[ "/proc/$1/root/etc/courier/authdaemonrc" -ef "$etc/authdaemonrc" ]
}

# A second start on the same DIR while the first still runs would orphan it.
if [ -r "$vars" ]; then
	while IFS= read -r old_pid; do
		if co_pid_is_ours "$old_pid" && ! dv_gone "$old_pid"; then
			dv_die "courier (pid $old_pid) is already running for $dir; stop it with courier-down.sh first"
		fi
	done < <(sed -n 's/^CO_PID=//p' "$vars")
	while IFS= read -r old_tmp; do
		case $old_tmp in
		*/courier-mail.*) rm -rf -- "$old_tmp" ;;
		esac
	done < <(sed -n 's/^CO_TMPDIR=//p' "$vars")
	rm -f -- "$vars"
fi

# --- who runs what -----------------------------------------------------------
# Mail is accessed as nobody:nogroup when root (imaplogin switches to the
# uid/gid that userdb gives), as the invoking user otherwise.
if [ "$(id -u)" -eq 0 ]; then
	mail_user=nobody
	mail_group=nogroup
	getent group "$mail_group" >/dev/null 2>&1 || mail_group=$(id -gn "$mail_user")
else
	mail_user=$(id -un)
	mail_group=$(id -gn)
fi
mail_uid=$(id -u "$mail_user")
mail_gid=$(getent group "$mail_group" | cut -d: -f3)

pids=()
tmp_mail=
ok=
stop_started() {
	local p i
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for ((i = 0; i < 60; i++)); do
		local alive=
		for p in "${pids[@]}"; do
			dv_gone "$p" || alive=1
		done
		[ -n "$alive" ] || break
		sleep 0.05
	done
	for p in "${pids[@]}"; do
		dv_gone "$p" || kill -KILL "$p" 2>/dev/null || true
	done
}
on_exit() {
	local rc=$?
	[ -n "$ok" ] && return 0
	# the pids were read from pid files this run wrote, moments ago
	if [ ${#pids[@]} -gt 0 ]; then stop_started; fi
	if [ -n "$tmp_mail" ]; then rm -rf -- "$tmp_mail"; fi
	rm -f -- "$vars" "$dir/env"
	local f
	for f in "$logdir"/*.log; do
		[ -s "$f" ] || continue
		printf '%s: --- last lines of %s ---\n' "$dv_prog" "$f" >&2
		tail -n 15 "$f" >&2
	done
	[ "$rc" -ne 0 ] || rc=1
	dv_note "failed (exit $rc); nothing left running"
	exit "$rc"
}
trap on_exit EXIT

# --- directories and maildirs ------------------------------------------------
if [ -L "$dir/home" ]; then rm -f -- "$dir/home"; fi
rm -rf -- "${dir:?}/env" "${dir:?}/home" "${etc:?}" "${run:?}"
mkdir -p -- "$logdir" "$etc" "$run"

# imapd runs as the mail user and must reach the homes. A Go t.TempDir() or
# a mktemp -d sits below 0700 directories: open DIR for traversal, and put
# the homes under /tmp when the mail user still cannot get in.
can_reach() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid="$mail_user" --regid="$mail_group" --clear-groups test -x "$1" -a -w "$1" 2>/dev/null
	else
		test -x "$1" -a -w "$1"
	fi
}
chmod a+x "$dir"
mkdir -p -- "$dir/home"
chown "$mail_user:$mail_group" "$dir/home"
if can_reach "$dir/home"; then
	mailroot=$dir/home
else
	rmdir -- "$dir/home"
	tmp_mail=$(mktemp -d /tmp/courier-mail.XXXXXX)
	mailroot=$tmp_mail
	chmod 0755 "$mailroot"
	ln -s "$mailroot" "$dir/home"
fi
for u in testuser otheruser; do
	mkdir -p -- "$mailroot/$u"
	# a Maildir++ quota, so that GETQUOTAROOT has something to report
	maildirmake.courier -q 104857600S,10000C "$mailroot/$u/Maildir"
done
chown -R "$mail_user:$mail_group" "$mailroot"

# What imapd advertises (Courier adds ACL, STARTTLS, ENABLE, UTF8=ACCEPT).
capability="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE AUTH=PLAIN AUTH=LOGIN"

shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./:@%+=,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
write_vars() {
	{
		printf 'CO_MAILROOT=%s\n' "$mailroot"
		printf 'CO_MAIL_USER=%s\n' "$mail_user"
		printf 'CO_MAIL_GROUP=%s\n' "$mail_group"
		printf 'CO_CAPABILITY=%s\n' "$capability"
		printf 'CO_RUN=%s\n' "$run"
		printf 'CO_GAM_ID=%s\n' "$gam_id"
		local p
		for p in "${pids[@]}"; do printf 'CO_PID=%s\n' "$p"; done
		if [ -n "$tmp_mail" ]; then printf 'CO_TMPDIR=%s\n' "$tmp_mail"; fi
	} >"$vars.tmp"
	mv -f -- "$vars.tmp" "$vars"
}
stdio_cmd="$(printf '%q' "$here/courier-stdio.sh") $(printf '%q' "$dir") testuser"
# imapd starts gamin's gam_server for its maildir notifications, and that
# outlives the session. A name of this instance's own lets courier-down.sh
# find and stop it.
gam_id="imaplib-test-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)"

if [ -n "$config_only" ]; then
	write_vars
	ok=1
	exit 0
fi

# --- TLS: a throwaway CA and a server certificate it signs ------------------
tls=$dir/tls
rm -rf -- "$tls"
mkdir -p -- "$tls"
dv_make_test_cert "$tls" "$logdir"
# couriertls wants the key and the certificate in one file. For STARTTLS it
# runs as the courier user (imapd-ssl's runs as root), which must read it.
cat "$tls/key.pem" "$tls/cert.pem" >"$etc/imapd.pem"
tls_group=root
if getent group courier >/dev/null 2>&1; then tls_group=courier; fi
chgrp "$tls_group" "$etc/imapd.pem"
chmod 0640 "$etc/imapd.pem"

# --- users -------------------------------------------------------------------
# userdb lines: name, a tab, then field=value pairs joined by "|".
umask 077
{
	for pair in testuser:testpass otheruser:otherpass; do
		u=${pair%%:*}
		printf '%s\tuid=%s|gid=%s|home=%s|mail=%s|systempw=%s\n' "$u" "$mail_uid" "$mail_gid" \
			"$mailroot/$u" "$mailroot/$u/Maildir" "$(openssl passwd -1 "${pair#*:}")"
	done
} >"$etc/userdb"
umask 022
/usr/sbin/makeuserdb -f "$etc/userdb" >"$logdir/makeuserdb.log" 2>&1 ||
	dv_die "makeuserdb failed: $(cat "$logdir/makeuserdb.log")"

cat >"$etc/authdaemonrc" <<'EOF'
# Generated by courier-up.sh: only the userdb module, which reads
# /etc/courier/userdb.dat (this instance's etc/ inside its mount namespace).
authmodulelist="authuserdb"
authmodulelistorig="authuserdb"
daemons=2
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
EOF
mkdir -p -- "$etc/shared"
: >"$etc/shared/index"
mkdir -p -- "$run/authdaemon"
# dhparams made by the courier-base package (if any); without the file
# couriertls still offers ECDHE
dhparams=
if [ -r /etc/courier/dhparams.pem ]; then
	cp /etc/courier/dhparams.pem "$etc/dhparams.pem"
	chgrp "$tls_group" "$etc/dhparams.pem"
	chmod 0640 "$etc/dhparams.pem"
	dhparams=/etc/courier/dhparams.pem
fi

# --- ports -------------------------------------------------------------------
fixed_ports=
if [ -n "${IMAP_PORT:-}" ] || [ -n "${IMAPS_PORT:-}" ]; then
	if [ -z "${IMAP_PORT:-}" ] || [ -z "${IMAPS_PORT:-}" ]; then dv_die "set both IMAP_PORT and IMAPS_PORT, or neither"; fi
	fixed_ports=1
fi

# --- imapd settings ----------------------------------------------------------
# The environment imapd gets (couriertcpd passes its own on to imaplogin and
# imapd). Sourced with "set -a" by the start script below.
cat >"$etc/imapd" <<EOF
# Generated by courier-up.sh.
IMAP_CAPABILITY="$capability"
IMAP_CAPABILITY_TLS="$capability"
IMAP_KEYWORDS=1
IMAP_ACL=1
IMAP_PROXY=0
# no FAM here: IDLE polls, every second instead of every minute
IMAP_ENHANCEDIDLE=0
IMAP_IDLE_TIMEOUT=1
GAM_CLIENT_ID=$gam_id
IMAP_MAILBOX_SANITY_CHECK=1
IMAP_UMASK=022
IMAP_USELOCKS=1
IMAP_SHAREDINDEXFILE=/etc/courier/shared/index
IMAP_TRASHFOLDERNAME=Trash
IMAP_EMPTYTRASH=
IMAP_MOVE_EXPUNGE_TO_TRASH=0
IMAP_STARTTLS=YES
IMAP_TLS_REQUIRED=0
COURIERTLS=/usr/bin/couriertls
TLS_CERTFILE=/etc/courier/imapd.pem
TLS_DHPARAMS=$dhparams
TLS_VERIFYPEER=NONE
TLS_CACHEFILE=
EOF

# --- start -------------------------------------------------------------------
# Runs inside the new mount namespace; its mounts vanish with the namespace.
write_ns_start() {
	cat >"$dir/ns-start.sh" <<EOF
#!/bin/sh
# Generated by courier-up.sh: runs in a private mount namespace.
set -e
mount --bind $(shq "$etc") /etc/courier
mount --bind $(shq "$run") /run/courier
(
	set -a
	. /etc/courier/authdaemonrc
	exec $(shq "$authdaemond") </dev/null >>$(shq "$logdir/authdaemond.log") 2>&1
) &
echo \$! >/run/courier/authdaemon.pid
tcpd() {
	env -i PATH=/usr/bin:/bin:/usr/sbin:/sbin sh -c 'set -a; . /etc/courier/imapd; exec "\$@"' sh \\
		/usr/sbin/couriertcpd "\$@"
}
tcpd -pid=/run/courier/imapd.pid -stderr=$(shq "$logdir/imapd.log") \\
	-address=127.0.0.1 -maxprocs=200 -maxperip=200 -nodnslookup -noidentlookup \\
	$port $(shq "$imaplogin") $(shq "$imapd") Maildir
tcpd -pid=/run/courier/imapd-ssl.pid -stderr=$(shq "$logdir/imapd-ssl.log") \\
	-address=127.0.0.1 -maxprocs=200 -maxperip=200 -nodnslookup -noidentlookup \\
	$sport /usr/bin/couriertls -server -tcpd $(shq "$imaplogin") $(shq "$imapd") Maildir
EOF
	chmod 0755 "$dir/ns-start.sh"
}
# /run/courier is the mount point; the courier packages normally make it
[ -d /run/courier ] || mkdir -p /run/courier

greets() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	IFS= read -r -t 2 line <&3 || line=
	exec 3>&- 3<&-
	[[ $line == "* OK"* ]]
}
accepts() {
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	exec 3>&- 3<&-
}
# read_pids: the daemons' pids, from the files this start wrote
read_pids() {
	local f p
	pids=()
	for f in authdaemon.pid imapd.pid imapd-ssl.pid; do
		p=
		if [ -s "$run/$f" ]; then read -r p <"$run/$f" || true; fi
		if [ -n "$p" ]; then pids+=("$p"); fi
	done
}

attempt=0
while :; do
	attempt=$((attempt + 1))
	dv_choose_ports "$fixed_ports"
	write_ns_start
	rm -f -- "$run"/*.pid
	: >"$logdir/ns-start.log"
	t_start=$(dv_now_ms)
	up=
	# couriertcpd with -pid puts itself in the background; authdaemond is a
	# background job of the namespace's shell. All outlive unshare.
	if unshare -m --propagation private "$dir/ns-start.sh" </dev/null >>"$logdir/ns-start.log" 2>&1; then
		deadline=$((t_start + start_timeout * 1000))
		while [ "$(dv_now_ms)" -lt "$deadline" ]; do
			read_pids
			if [ ${#pids[@]} -eq 3 ]; then
				for p in "${pids[@]}"; do
					dv_gone "$p" && dv_die "a courier daemon (pid $p) exited during startup"
				done
				if [ -S "$run/authdaemon/socket" ] && greets "$port" && accepts "$sport"; then
					up=1
					break
				fi
			fi
			sleep 0.02
		done
	fi
	read_pids
	write_vars
	if [ -n "$up" ]; then
		break
	fi
	if grep -q 'Address already in use' "$logdir/ns-start.log" && [ -z "$fixed_ports" ] && [ "$attempt" -lt 4 ]; then
		dv_note "port $port or $sport was taken; trying others"
		if [ ${#pids[@]} -gt 0 ]; then stop_started; fi
		pids=()
		continue
	fi
	if [ -s "$logdir/ns-start.log" ]; then
		dv_die "starting the daemons failed: $(cat "$logdir/ns-start.log")"
	fi
	dv_die "courier did not greet on 127.0.0.1:$port within ${start_timeout}s"
done
startup_ms=$(($(dv_now_ms) - t_start))

version=$(cat "$root/VERSION" 2>/dev/null || echo '?')
{
	printf 'IMAP_HOST=127.0.0.1\n'
	printf 'IMAP_PORT=%s\n' "$port"
	printf 'IMAPS_PORT=%s\n' "$sport"
	printf 'IMAP_USER=testuser\n'
	printf 'IMAP_PASSWORD=testpass\n'
	printf 'IMAP_USER2=otheruser\n'
	printf 'IMAP_PASSWORD2=otherpass\n'
	printf 'IMAP_SEPARATOR=.\n'
	printf 'IMAP_CA_CERT=%s\n' "$(shq "$tls/ca.pem")"
	printf 'IMAP_STDIO_CMD=%s\n' "$(shq "$stdio_cmd")"
	printf 'COURIER_PIDS=%s\n' "$(shq "${pids[*]}")"
	printf 'COURIER_STARTUP_MS=%s\n' "$startup_ms"
	printf 'COURIER_VERSION=%s\n' "$(shq "$version")"
} >"$dir/env.tmp"
mv -f -- "$dir/env.tmp" "$dir/env"
ok=1
total_ms=$(($(dv_now_ms) - t_begin))
printf 'courier-imap %s up in %s ms (script %s ms), pids %s\n' "$version" "$startup_ms" "$total_ms" "${pids[*]}"
printf 'IMAP  (STARTTLS)     127.0.0.1:%s\n' "$port"
printf 'IMAPS (implicit TLS) 127.0.0.1:%s\n' "$sport"
printf 'users: testuser/testpass otheruser/otherpass\n'
printf 'env: %s\n' "$dir/env"

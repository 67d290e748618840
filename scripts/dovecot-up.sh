#!/usr/bin/env bash
# dovecot-up.sh DIR
#
# Starts a self-contained Dovecot 2.3 IMAP server on 127.0.0.1 for the
# integration tests. Everything lives in DIR: the configuration, a freshly
# made CA and server certificate, the users, the mail and the logs. Nothing
# under /etc is read or written (dovecot and openssl get their own config
# files), and no system service is involved.
#
# It writes DIR/env, one KEY=value per line, shell-sourceable:
#   IMAP_HOST IMAP_PORT (plain, with STARTTLS) IMAPS_PORT (implicit TLS)
#   IMAP_USER IMAP_PASSWORD IMAP_USER2 IMAP_PASSWORD2
#   IMAP_MASTER_USER IMAP_MASTER_PASSWORD IMAP_MASTER_SEPARATOR
#   IMAP_SEPARATOR IMAP_CA_CERT IMAP_STDIO_CMD
#   DOVECOT_PID DOVECOT_STARTUP_MS DOVECOT_LOG
#
# Knobs (environment):
#   IMAP_PORT, IMAPS_PORT   fixed ports instead of free ones picked at random
#   DOVECOT_SEP             hierarchy separator (default /)
#   DOVECOT_START_TIMEOUT   seconds to wait for the greeting (default 10)
#   DOVECOT_CONFIG_ONLY=1   write the files but start nothing (enough for
#                           dovecot-stdio.sh)
#   DOVECOT_EXTRA_PLUGINS   more mail plugins, e.g. "listescape" (which lets
#                           a "." separator store names holding "/")
#
# On any failure it stops what it started, removes the temporary directories
# it made, prints the end of the log and exits non-zero.
# Stop the server with dovecot-down.sh DIR.
set -euo pipefail

here=$(cd -- "$(dirname -- "$0")" && pwd)
# shellcheck source=lib-common.sh source-path=SCRIPTDIR
. "$here/lib-common.sh"

if [ $# -ne 1 ] || [ -z "$1" ]; then dv_die "usage: $dv_prog DIR"; fi
t_begin=$(dv_now_ms)

dv_have_dovecot || dv_die "dovecot is not installed ($DOVECOT_BIN, $DOVECOT_IMAP_BIN); run scripts/install-deps.sh as root"
command -v openssl >/dev/null 2>&1 || dv_die "openssl is not installed; run scripts/install-deps.sh as root"

mkdir -p -- "$1"
dir=$(dv_abs_dir "$1")
conf=$dir/dovecot.conf
vars=$dir/dovecot.vars
logdir=$dir/log
log=$logdir/dovecot.log
sep=${DOVECOT_SEP:-/}
start_timeout=${DOVECOT_START_TIMEOUT:-10}
config_only=${DOVECOT_CONFIG_ONLY:-}
extra_plugins=${DOVECOT_EXTRA_PLUGINS:-}

# A second start on the same DIR while the first still runs would orphan it.
# A stopped one may have left temporary directories behind: remove them.
if [ -r "$vars" ]; then
	old_pid=$(sed -n 's/^DV_PID=//p' "$vars")
	if dv_pid_is_dovecot "$old_pid" "$conf"; then
		dv_die "a dovecot (pid $old_pid) is already running for $dir; stop it with dovecot-down.sh first"
	fi
	while IFS= read -r old_tmp; do
		case $old_tmp in
		*/dovecot-mail.* | */dovecot-run.*) rm -rf -- "$old_tmp" ;;
		esac
	done < <(sed -n 's/^DV_TMPDIR=//p' "$vars")
	rm -f -- "$vars"
fi

# --- who runs what -----------------------------------------------------------
# As root, mail cannot be accessed as uid 0, so the mail processes run as
# nobody:nogroup, and auth runs as root so it can read DIR/passwd wherever DIR
# is. As another user, everything runs as that user and nothing is chrooted.
me=$(id -un)
my_group=$(id -gn)
if [ "$(id -u)" -eq 0 ]; then
	is_root=1
	mail_user=nobody
	mail_group=nogroup
	getent group "$mail_group" >/dev/null 2>&1 || mail_group=$(id -gn "$mail_user")
	internal_user=dovecot
	internal_group=dovecot
	login_user=dovenull
	getent passwd "$internal_user" >/dev/null 2>&1 || internal_user=$mail_user
	getent group "$internal_group" >/dev/null 2>&1 || internal_group=$mail_group
	getent passwd "$login_user" >/dev/null 2>&1 || login_user=$mail_user
else
	is_root=
	mail_user=$me
	mail_group=$my_group
	internal_user=$me
	internal_group=$my_group
	login_user=$me
fi

# --- cleanup on failure ------------------------------------------------------
master_pid=
made_tmp_dirs=()
ok=
on_exit() {
	local rc=$?
	[ -n "$ok" ] && return 0
	# our own child until this script exits: its pid cannot be reused yet
	if [ -n "$master_pid" ] && ! dv_gone "$master_pid"; then
		dv_stop_master "$master_pid" "" 3
	fi
	if [ ${#made_tmp_dirs[@]} -gt 0 ]; then
		rm -rf -- "${made_tmp_dirs[@]}"
	fi
	rm -f -- "$vars" "$dir/env"
	if [ -s "$log" ]; then
		printf '%s: --- last lines of %s ---\n' "$dv_prog" "$log" >&2
		tail -n 25 "$log" >&2
	fi
	[ "$rc" -ne 0 ] || rc=1
	dv_note "failed (exit $rc); nothing left running"
	exit "$rc"
}
trap on_exit EXIT

# --- directories -------------------------------------------------------------
rm -rf -- "${dir:?}/tls" "${dir:?}/state" "${dir:?}/env" "${dir:?}/home" "${dir:?}/run"
mkdir -p -- "$logdir" "$dir/tls" "$dir/state"
: >"$log"

# can_reach PATH: the mail user can enter and write PATH.
can_reach() {
	if [ -n "$is_root" ]; then
		setpriv --reuid="$mail_user" --regid="$mail_group" --clear-groups test -x "$1" -a -w "$1" 2>/dev/null
	else
		test -x "$1" -a -w "$1"
	fi
}

# The mail processes must reach the homes, and the sockets in base_dir
# (auth-userdb for the shared namespace, stats-writer). A Go t.TempDir() or a
# mktemp -d sits below 0700 directories: open DIR for traversal, and when the
# mail user still cannot get in, use directories under /tmp instead.
chmod a+x "$dir"
mkdir -p -- "$dir/home"
[ -z "$is_root" ] || chown "$mail_user:$mail_group" "$dir/home"
if can_reach "$dir/home"; then
	mailroot=$dir/home
else
	rmdir -- "$dir/home"
	mailroot=$(mktemp -d /tmp/dovecot-mail.XXXXXX)
	made_tmp_dirs+=("$mailroot")
	chmod 0755 "$mailroot"
	ln -s "$mailroot" "$dir/home"
fi
for u in testuser otheruser; do
	mkdir -p -- "$mailroot/$u"
done
[ -z "$is_root" ] || chown -R "$mail_user:$mail_group" "$mailroot"

# Unix socket paths are limited to 108 bytes; base_dir plus the longest
# socket name must stay well inside that.
rundir=$dir/run
mkdir -p -- "$rundir"
chmod 0755 "$rundir"
if [ ${#rundir} -gt 60 ] || { [ -n "$is_root" ] && ! setpriv --reuid="$mail_user" --regid="$mail_group" --clear-groups test -x "$rundir" 2>/dev/null; }; then
	rmdir -- "$rundir"
	rundir=$(mktemp -d /tmp/dovecot-run.XXXXXX)
	made_tmp_dirs+=("$rundir")
	chmod 0755 "$rundir"
fi

# --- TLS: a throwaway CA and a server certificate it signs ------------------
tls=$dir/tls
dv_make_test_cert "$tls" "$logdir"

# --- users -------------------------------------------------------------------
# passwd-file fields: user:password:uid:gid:gecos:home:shell:extra. Plain
# passwords so that CRAM-MD5, DIGEST-MD5 and SCRAM work too; admin=yes lets
# testuser run SETQUOTA.
umask 077
cat >"$dir/passwd" <<EOF
testuser:{PLAIN}testpass::::$mailroot/testuser::userdb_admin=yes
otheruser:{PLAIN}otherpass::::$mailroot/otheruser::
EOF
cat >"$dir/passwd.masters" <<EOF
admin:{PLAIN}adminpass
EOF
umask 022

# --- ports -------------------------------------------------------------------
# Random ports below the kernel's ephemeral range (32768+) that nothing
# listens on; if one is taken by the time dovecot binds, start again with
# new ones.
fixed_ports=
if [ -n "${IMAP_PORT:-}" ] || [ -n "${IMAPS_PORT:-}" ]; then
	if [ -z "${IMAP_PORT:-}" ] || [ -z "${IMAPS_PORT:-}" ]; then dv_die "set both IMAP_PORT and IMAPS_PORT, or neither"; fi
	fixed_ports=1
fi

# --- dovecot.conf ------------------------------------------------------------
write_conf() {
	local non_root_services=
	if [ -z "$is_root" ]; then
		non_root_services="
# not root: chroot is impossible, and the defaults would make the master
# retry these services forever
service anvil {
  chroot =
}
service imap-login {
  chroot =
}"
	fi
	local mail_ids="mail_uid = $mail_user
mail_gid = $mail_group"
	cat >"$conf.tmp" <<EOF
# Generated by dovecot-up.sh: a self-contained test instance. Nothing from
# the system's dovecot configuration is used.
instance_name = dovecot-test-$port
base_dir = $rundir
state_dir = $dir/state
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes

log_path = $log
info_log_path = $log
debug_log_path = $log
auth_verbose = yes

default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
# every user's mail is accessed as this uid/gid; root is refused for mail
$mail_ids
first_valid_uid = 1
first_valid_gid = 1

# TLS: STARTTLS on the plain port, implicit TLS on the other
ssl = yes
ssl_cert = <$tls/cert.pem
ssl_key = <$tls/key.pem
ssl_min_protocol = TLSv1.2

# Auth. A loopback connection counts as secured, so LOGIN works without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 digest-md5 scram-sha-1 scram-sha-256
# failed logins still answer after about 0.5 s (2 s by default)
auth_failure_delay = 0
auth_master_user_separator = *
auth_cache_size = 0
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN username_format=%u $dir/passwd.masters
  result_success = continue
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
  # the mail uid in the userdb reply lets imap look other users up (shared
  # namespace) through auth-userdb
  default_fields = uid=$mail_user gid=$mail_group
}

# Mail storage
mail_location = maildir:~/Maildir
mail_fsync = never
# the default of 10 refuses parallel test connections
mail_max_userip_connections = 1000
mailbox_idle_check_interval = 1 secs
mail_plugins = \$mail_plugins acl quota${extra_plugins:+ $extra_plugins}

namespace inbox {
  type = private
  inbox = yes
  prefix =
  separator = $sep
  list = yes
  subscriptions = yes
  mailbox Drafts {
    special_use = \\Drafts
  }
  mailbox Sent {
    special_use = \\Sent
  }
  mailbox Trash {
    special_use = \\Trash
  }
  mailbox Junk {
    special_use = \\Junk
  }
  mailbox Archive {
    special_use = \\Archive
  }
}
# mailboxes other users shared with SETACL appear under shared/USER/
namespace shared {
  type = shared
  separator = $sep
  prefix = shared$sep%%u$sep
  location = maildir:%%h/Maildir:INDEXPVT=~/Maildir/shared/%%u
  subscriptions = no
  list = children
}

# METADATA (RFC 5464)
mail_attribute_dict = file:%h/dovecot-attributes

protocol imap {
  mail_plugins = \$mail_plugins imap_acl imap_quota imap_zlib
  imap_metadata = yes
  mail_max_userip_connections = 1000
}

plugin {
  acl = vfile
  # a master-user login acts with the user's rights, not the master's
  acl_user = %u
  # SETACL for "anyone" and "authenticated"
  acl_anyone = allow
  # written by the mail processes, so it lives in the mail root
  acl_shared_dict = file:$mailroot/shared-mailboxes.db
  # ns= binds the root to the INBOX namespace; without it SETQUOTA crashes
  # the imap process in 2.3.19
  quota = count:User quota:ns=
  quota_vsizes = yes
  quota_rule = *:storage=100M:messages=10000
  # SETQUOTA needs admin=yes and a quota_set dict; the count backend does not
  # read the stored limit back, so SETQUOTA is accepted but changes nothing
  quota_set = dict:file:%h/quota-limits
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $sport
    ssl = yes
  }
  process_min_avail = 1
}
service imap {
  process_limit = 1024
}
# auth reads DIR/passwd*, wherever DIR is
service auth {
  user = $me
}
# After a failed login anvil makes the next one from the same IP wait 4 s,
# up to 15 s, and no setting turns that off. Moving its listener away makes
# auth run without the penalty.
service anvil {
  unix_listener anvil-auth-penalty {
    path = anvil-auth-penalty-disabled
  }
}
# the mail processes run as the mail user, outside the dovecot group
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}$non_root_services
EOF
	mv -f -- "$conf.tmp" "$conf"
}

# --- env ---------------------------------------------------------------------
# shq VALUE: VALUE quoted for sh when it needs it.
shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./:@%+=,-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}
write_env() {
	local stdio_cmd
	stdio_cmd="$(printf '%q' "$here/dovecot-stdio.sh") $(printf '%q' "$dir") testuser"
	{
		printf 'IMAP_HOST=127.0.0.1\n'
		printf 'IMAP_PORT=%s\n' "$port"
		printf 'IMAPS_PORT=%s\n' "$sport"
		printf 'IMAP_USER=testuser\n'
		printf 'IMAP_PASSWORD=testpass\n'
		printf 'IMAP_USER2=otheruser\n'
		printf 'IMAP_PASSWORD2=otherpass\n'
		printf 'IMAP_MASTER_USER=admin\n'
		printf 'IMAP_MASTER_PASSWORD=adminpass\n'
		printf "IMAP_MASTER_SEPARATOR='*'\n"
		printf 'IMAP_SEPARATOR=%s\n' "$(shq "$sep")"
		printf 'IMAP_CA_CERT=%s\n' "$(shq "$tls/ca.pem")"
		printf 'IMAP_STDIO_CMD=%s\n' "$(shq "$stdio_cmd")"
		printf 'DOVECOT_PID=%s\n' "$master_pid"
		printf 'DOVECOT_STARTUP_MS=%s\n' "$startup_ms"
		printf 'DOVECOT_LOG=%s\n' "$(shq "$log")"
	} >"$dir/env.tmp"
	mv -f -- "$dir/env.tmp" "$dir/env"
}
# DIR/dovecot.vars is for dovecot-down.sh and dovecot-stdio.sh: raw
# KEY=value lines, read line by line, never sourced.
write_vars() {
	{
		printf 'DV_PID=%s\n' "$master_pid"
		printf 'DV_CONF=%s\n' "$conf"
		printf 'DV_MAILROOT=%s\n' "$mailroot"
		printf 'DV_RUNDIR=%s\n' "$rundir"
		local d
		for d in "${made_tmp_dirs[@]}"; do
			printf 'DV_TMPDIR=%s\n' "$d"
		done
	} >"$vars.tmp"
	mv -f -- "$vars.tmp" "$vars"
}

# greets PORT: the plain port answers with an untagged OK.
greets() {
	local line
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	IFS= read -r -t 2 line <&3 || line=
	exec 3>&- 3<&-
	[[ $line == "* OK"* ]]
}
# accepts PORT: something accepts connections on PORT.
accepts() {
	{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	exec 3>&- 3<&-
}

# --- start -------------------------------------------------------------------
startup_ms=0
if [ -n "$config_only" ]; then
	port=${IMAP_PORT:-0}
	sport=${IMAPS_PORT:-0}
	write_conf
	write_vars
	write_env
	ok=1
	exit 0
fi

attempt=0
while :; do
	attempt=$((attempt + 1))
	dv_choose_ports "$fixed_ports"
	write_conf
	# (no separate "dovecot -n" check: the master rejects a bad config just
	# as clearly, in master.out, and the check costs a doveconf run)
	t_start=$(dv_now_ms)
	# -F keeps the master in the foreground of this background job, so its
	# pid is known at once (the pid file appears only later). Its standard
	# streams must not hold the caller's pipes open.
	"$DOVECOT_BIN" -F -c "$conf" </dev/null >>"$logdir/master.out" 2>&1 &
	master_pid=$!
	write_vars

	deadline=$((t_start + start_timeout * 1000))
	up=
	busy=
	while [ "$(dv_now_ms)" -lt "$deadline" ]; do
		# (its command line may still be the shell's for a moment: do not
		# look at it)
		if dv_gone "$master_pid"; then
			break
		fi
		# master.pid appears only once the listeners are bound: before that a
		# connection could reach whatever else holds the port
		if [ -s "$rundir/master.pid" ] && greets "$port" && accepts "$sport"; then
			up=1
			break
		fi
		if grep -q 'Address already in use' "$log" "$logdir/master.out" 2>/dev/null; then
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
		dv_stop_master "$master_pid" "" 3
		wait "$master_pid" 2>/dev/null || true
		: >"$log"
		: >"$logdir/master.out"
		master_pid=
		continue
	fi
	[ -f "$logdir/master.out" ] && cat "$logdir/master.out" >&2
	if ! dv_gone "$master_pid"; then
		dv_die "dovecot did not greet on 127.0.0.1:$port within ${start_timeout}s"
	fi
	dv_die "dovecot exited during startup"
done
startup_ms=$(($(dv_now_ms) - t_start))
# the background job belongs to the caller now; this shell must not wait
disown "$master_pid" 2>/dev/null || true

write_env
ok=1
version=$("$DOVECOT_BIN" --version 2>/dev/null || echo '?')
total_ms=$(($(dv_now_ms) - t_begin))
printf 'dovecot %s up in %s ms (script %s ms), pid %s\n' "$version" "$startup_ms" "$total_ms" "$master_pid"
printf 'IMAP  (STARTTLS)     127.0.0.1:%s\n' "$port"
printf 'IMAPS (implicit TLS) 127.0.0.1:%s\n' "$sport"
printf "users: testuser/testpass otheruser/otherpass master admin/adminpass (login 'testuser*admin')\n"
printf 'env: %s\n' "$dir/env"

# shellcheck shell=bash
# Helpers shared by the scripts that install and run the loopback Dovecot
# used by the integration tests. Sourced, never executed.

# Where Debian puts the binaries; overridable for other layouts.
DOVECOT_BIN=${DOVECOT_BIN:-/usr/sbin/dovecot}
DOVECOT_IMAP_BIN=${DOVECOT_IMAP_BIN:-/usr/lib/dovecot/imap}

dv_prog=$(basename -- "$0")

dv_die() {
	printf '%s: %s\n' "$dv_prog" "$*" >&2
	exit 1
}

dv_note() {
	printf '%s: %s\n' "$dv_prog" "$*" >&2
}

# dv_have_dovecot succeeds when both the master and the imap binary exist.
dv_have_dovecot() {
	[ -x "$DOVECOT_BIN" ] && [ -x "$DOVECOT_IMAP_BIN" ]
}

# dv_abs_dir prints DIR as an absolute path without symlinks resolved, so
# that the paths written into the config stay the ones the caller gave.
dv_abs_dir() {
	case $1 in
	/*) printf '%s\n' "${1%/}" ;;
	*) printf '%s/%s\n' "$(pwd)" "${1%/}" ;;
	esac
}

# dv_now_ms prints a millisecond clock for the startup timings.
dv_now_ms() {
	local s
	if [ -n "${EPOCHREALTIME:-}" ]; then
		# bash 5: no process to start, which counts on a loaded machine
		s=${EPOCHREALTIME/[.,]/}
		printf '%s\n' "$((10#$s / 1000))"
	else
		s=$(date +%s%N)
		printf '%s\n' "$((s / 1000000))"
	fi
}

# dv_pid_is_dovecot PID CONF succeeds when PID is a dovecot master started
# with CONF: a recycled pid that now belongs to something else is never
# signalled.
dv_pid_is_dovecot() {
	local pid=$1 conf=$2 cmdline
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
	cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	case $cmdline in
	*dovecot*"$conf"*) return 0 ;;
	esac
	return 1
}

# dv_children PID prints the pids whose parent is PID.
dv_children() {
	local parent=$1 f st ppid p
	for f in /proc/[0-9]*/stat; do
		st=$(cat "$f" 2>/dev/null) || continue
		# the command name in field 2 may hold spaces: skip past its ")"
		st=${st##*) }
		read -r _ ppid _ <<<"$st"
		if [ "$ppid" = "$parent" ]; then
			p=${f#/proc/}
			printf '%s\n' "${p%/stat}"
		fi
	done
}

# dv_gone PID succeeds when PID no longer runs; a zombie counts as gone,
# since no one may be left to reap it in a container without init.
dv_gone() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

# dv_stop_master PID CONF SECONDS: SIGTERM the dovecot master PID (checked to
# be the one started with CONF), wait up to SECONDS, then SIGKILL it and the
# children it had left. An empty CONF skips the check: for the caller's own
# unreaped child, whose pid cannot have been reused.
dv_stop_master() {
	local pid=$1 conf=$2 secs=$3 kids i
	[ -n "$pid" ] || return 0
	if [ -n "$conf" ]; then
		dv_pid_is_dovecot "$pid" "$conf" || return 0
	fi
	kids=$(dv_children "$pid")
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 20; i++)); do
		dv_gone "$pid" && return 0
		sleep 0.05
	done
	dv_note "dovecot master $pid ignored SIGTERM for ${secs}s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	for i in $kids; do
		# only what is still a dovecot process: a pid may have been reused
		case $(tr '\0' ' ' <"/proc/$i/cmdline" 2>/dev/null) in
		dovecot*) kill -KILL "$i" 2>/dev/null || true ;;
		esac
	done
}

# dv_make_test_cert TLSDIR LOGDIR: a throwaway CA (TLSDIR/ca.pem) and a
# server certificate it signs (TLSDIR/cert.pem, key TLSDIR/key.pem) for
# localhost, 127.0.0.1 and ::1. OPENSSL_CONF keeps openssl away from the
# system config; EC keys are made in milliseconds where RSA takes a
# noticeable part of a server's start. The CA key is deleted: nothing is
# ever signed with it again.
dv_make_test_cert() {
	local tls=$1 logdir=$2
	cat >"$tls/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = imaplib test server
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[srv_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
	(
		serial() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n' | sed 's/^./1/'; }
		export OPENSSL_CONF="$tls/openssl.cnf"
		umask 077
		openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$tls/ca-key.pem" -out "$tls/ca.pem" -days 30 -set_serial "0x$(serial)" \
			-subj "/CN=imaplib test CA $(date +%s)" -extensions ca_ext -config "$tls/openssl.cnf"
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$tls/key.pem" -out "$tls/server.csr" -subj "/CN=localhost" \
			-config "$tls/openssl.cnf"
		openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
			-set_serial "0x$(serial)" -days 30 -out "$tls/cert.pem" \
			-extfile "$tls/openssl.cnf" -extensions srv_ext
	) >"$logdir/openssl.log" 2>&1 || {
		cat "$logdir/openssl.log" >&2
		dv_die "certificate generation failed"
	}
	rm -f -- "$tls/ca-key.pem" "$tls/server.csr"
	chmod 0644 "$tls/ca.pem" "$tls/cert.pem"
}

# dv_listening_ports: every TCP port something listens on, one a line.
dv_listening_ports() {
	local f _sl local_addr _rem state _rest
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		# state 0A is LISTEN; the port is the hex after the last colon. The
		# grep keeps the bash loop short when there are many connections.
		while read -r _sl local_addr _rem state _rest; do
			if [ "$state" = 0A ]; then
				printf '%s\n' "$((16#${local_addr##*:}))"
			fi
		done < <(grep ' 0A ' "$f" || true)
	done
}

# dv_pick_port USED: a random port below the kernel's ephemeral range
# (32768+) that is not in the space-separated list USED. A server script
# that finds it taken by the time it binds starts again with new ones.
dv_pick_port() {
	local used=$1 p
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		case " $used " in
		*" $p "*) continue ;;
		esac
		printf '%s\n' "$p"
		return
	done
}

# dv_choose_ports FIXED: sets port and sport, the plain and the implicit-TLS
# port: IMAP_PORT and IMAPS_PORT when FIXED is not empty, two free random
# ones otherwise.
# shellcheck disable=SC2034 # port and sport are the caller's variables
dv_choose_ports() {
	if [ -n "$1" ]; then
		port=$IMAP_PORT
		sport=$IMAPS_PORT
		return
	fi
	local used
	used=$(dv_listening_ports | tr '\n' ' ')
	port=$(dv_pick_port "$used")
	sport=$(dv_pick_port "$used $port")
}

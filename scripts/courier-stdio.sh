#!/usr/bin/env bash
# courier-stdio.sh DIR [USER]
#
# Runs Courier's imapd on standard input and output, already logged in as
# USER (default testuser): the server side of IMAP4_stream. It greets with
# "* PREAUTH". No daemon and no authentication service is needed; DIR's
# maildirs are made first (COURIER_CONFIG_ONLY=1 courier-up.sh) when
# courier-up.sh has not run there. As root, imapd runs as the mail user
# (nobody). Its error output goes to DIR/log/stdio.log.
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
root=${COURIER_ROOT:-/opt/imaplib-servers/courier-imap}
imapd=$root/usr/bin/imapd
[ -x "$imapd" ] || dv_die "$imapd is missing; run scripts/install-courier.sh as root"

vars=$dir/courier.vars
if [ ! -r "$vars" ]; then
	# two sessions started at once on a new DIR must not both make it
	mkdir -p -- "$dir"
	exec 9>>"$dir/.stdio.lock"
	flock 9
	if [ ! -r "$vars" ]; then
		COURIER_CONFIG_ONLY=1 bash "$here/courier-up.sh" "$dir" >/dev/null
	fi
	exec 9>&-
fi

mailroot=''
mail_user=''
mail_group=''
capability=''
gam_id=''
while IFS='=' read -r key value; do
	case $key in
	CO_MAILROOT) mailroot=$value ;;
	CO_MAIL_USER) mail_user=$value ;;
	CO_MAIL_GROUP) mail_group=$value ;;
	CO_CAPABILITY) capability=$value ;;
	CO_GAM_ID) gam_id=$value ;;
	esac
done <"$vars"
[ -n "$mailroot" ] || dv_die "no mail root recorded in $vars"

home=$mailroot/$user
mkdir -p -- "$dir/log"
cd -- "$home"
# AUTHENTICATED is what imaplogin would have set after a login: imapd then
# greets with PREAUTH. Without IMAP_CAPABILITY it would advertise only
# IMAP4rev1 and the UTF-8 extension.
set -- env -i AUTHENTICATED="$user" HOME="$home" PATH=/usr/bin:/bin \
	IMAP_CAPABILITY="$capability" IMAP_ACL=1 IMAP_KEYWORDS=1 \
	IMAP_ENHANCEDIDLE=0 IMAP_IDLE_TIMEOUT=1 IMAP_EMPTYTRASH= \
	IMAP_SHAREDINDEXFILE=/dev/null GAM_CLIENT_ID="$gam_id" \
	"$imapd" Maildir
if [ "$(id -u)" -eq 0 ] && [ "$mail_user" != root ]; then
	set -- setpriv --reuid="$mail_user" --regid="$mail_group" --clear-groups "$@"
fi
exec "$@" 2>>"$dir/log/stdio.log"

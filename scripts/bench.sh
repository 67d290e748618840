#!/usr/bin/env bash
# make bench: builds the cross-client runner (scripts/bench, a module of its
# own so the library's go.mod stays free of its dependencies) and prints one
# table comparing this imaplib with CPython's imaplib, go-imap v2 and raw
# socket readers and writers on a loopback server.
#
# Environment:
#   BENCH_QUICK=1      reduced sizes, for a smoke run of a minute or so
#   BENCH_REPS=N       measured rounds per workload (default 3, at least 3)
#   BENCH_PYTHONS="3.13.0 3.12.1"   pyenv versions to include (default 3.13.0)
#   BENCH_ONLY="fetch-small search" run only these workloads
# Results also land in bench-results/ (table.md, results.json).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

# Peak RSS comes from GNU time; install it when running as root.
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "bench: installing the time package" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null ||
			{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null; }
	else
		echo "bench: /usr/bin/time is missing; install the Debian package \"time\"" >&2
		exit 1
	fi
fi

out="$root/bench-results"
mkdir -p "$out"
(cd "$root/scripts/bench" && go build -o "$out/imapbench" .)
exec "$out/imapbench" run -out "$out" -cpython-driver "$root/scripts/bench/driver_cpython.py"

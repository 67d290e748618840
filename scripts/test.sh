#!/usr/bin/env bash
# Runs the whole suite under the race detector and prints a short report:
# each package's result, the differential suite's summary line, the real
# server's timings, and, on failure, every failing test with its output.
# The full verbose log is kept in $TEST_LOG (default: a temporary file).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
log="${TEST_LOG:-$(mktemp)}"
go test -race -count=1 -v ./... >"$log" 2>&1
rc=$?
passed=$(grep -c -E '^\s*--- PASS' "$log")
failed=$(grep -c -E '^\s*--- FAIL' "$log")
skipped=$(grep -c -E '^\s*--- SKIP' "$log")
if [ "$rc" -ne 0 ]; then
  # Each failing test's block: from its "=== RUN" to its "--- FAIL".
  awk '/^=== RUN/ {buf=""} {buf=buf $0 "\n"} /^\s*--- FAIL/ {printf "%s", buf; buf=""}' "$log" | tail -n 400
  grep -E '^(panic:|FAIL|ok )' "$log"
fi
grep -E '^(compat:|dovecot:|cyrus:|courier:)' "$log"
grep -E '^(ok|FAIL|---) ' "$log" | grep -v -E '^--- (PASS|SKIP)' | grep -E '^(ok|FAIL)'
echo "full log: $log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"

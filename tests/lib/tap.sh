# tests/lib/tap.sh -- what the test scripts share: ok and fail lines, a
# check of a command, a wait with a deadline, and the closing count.
#   source "$(dirname "$0")/../lib/tap.sh"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && sed 's/^/       /' <<<"$2"; }
# check NAME COMMAND...: pass when the command succeeds (its stdout dropped).
check() { local name=$1; shift; if "$@" >/dev/null; then ok "$name"; else fail "$name"; fi; }
# until_ok SECONDS COMMAND...: wait for a condition, with a deadline; false when it ran out.
until_ok() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
# summary: the last line, and the script's status.
summary() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; }

#!/bin/bash
# tests/docs/run.sh -- the documentation says what the program does: every
# option that any subcommand's --help lists is in the man page, and the
# README's first lines give the two set-up commands.
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
here=$(cd "$(dirname "$0")/../.." && pwd)
man=$here/doc/propwatch.1
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; }

# Roff writes "--" as "\-\-": undo it before searching.
plain=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")
# Every subcommand the overall --help names.
modes=$("$PROPWATCH" --help | sed -n 's/^ *\(usage:\)\? *propwatch \([a-z]*\) \[options\].*/\2/p' | sort -u)
[ -n "$modes" ] || fail "propwatch --help names its subcommands"
for mode in $modes; do
	opts=$("$PROPWATCH" "$mode" --help | grep -oE '(^|[ ,])--?[a-z0-9][a-z0-9-]*' | sed 's/^[ ,]//' | sort -u)
	[ -n "$opts" ] || fail "$mode --help lists options"
	for o in $opts; do
		if grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<<"$plain"; then
			ok "man page documents $mode $o"
		else
			fail "man page documents $mode $o"
		fi
	done
done
head -5 "$here/README.md" | grep -q 'sh scripts/setup.sh && make demo' && ok "README: demo command" || fail "README: demo command"
head -5 "$here/README.md" | grep -q 'sh scripts/setup.sh && make test' && ok "README: test command" || fail "README: test command"
grep -q 'make test' "$here/.ci/run" && ok ".ci/run runs the README's test command" || fail ".ci/run runs make test"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

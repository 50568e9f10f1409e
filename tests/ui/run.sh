#!/usr/bin/env bash
# tests/ui/run.sh -- drive `propwatch watch` headlessly in tmux and check
# what it shows and that it always gives the terminal back.
#
#   PROPWATCH=/abs/build/propwatch RESPONDER=/abs/build/pw-responder bash tests/ui/run.sh
#
# A pw-responder plays eight resolvers on loopback (tests/ui/world.conf):
# three serve the old MX set and flip to the new one at staggered times
# (expire=6s/12s/18s), so statuses and the progress count change on their
# own while the test watches. tmux runs on a private socket at a fixed size;
# each check captures the pane (or asks tmux whether the alternate screen is
# on) and prints "ok" or "FAIL". The last line is "N passed, M failed"; the
# exit status is non-zero on any failure. Under an ASan build
# (PROPWATCH=build-san/propwatch) every run must also exit with the expected
# status and print no sanitizer report (leaks included).
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROPWATCH=${PROPWATCH:?set PROPWATCH to the propwatch binary}
RESPONDER=${RESPONDER:?set RESPONDER to the pw-responder binary}
W=$(mktemp -d /tmp/pw-uitest.XXXXXX)
SOCK=pwtest-$$
TM=(tmux -L "$SOCK" -f /dev/null)
PANE=pw:0.0
# Loopback addresses of this suite only, and a port picked per run, so it
# does not collide with other suites or a second run.
NET=127.0.44
PORT=$((20000 + $$ % 20000))
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

passed=0
failed=0
ok()   { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/     | /'; }
check() { # check NAME CMD...: pass if CMD succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "$(screen)"; fi
}

rpid=
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	[[ -n $rpid ]] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

screen() { "${TM[@]}" capture-pane -p -t "$PANE" 2>/dev/null; }
screen_esc() { "${TM[@]}" capture-pane -p -e -t "$PANE" 2>/dev/null; }
alt_on() { "${TM[@]}" display -p -t "$PANE" '#{alternate_on}' 2>/dev/null; }
keys() { "${TM[@]}" send-keys -t "$PANE" "$@"; }

# Every check waits for its condition, up to a deadline, and never looks
# just once after an unrelated sleep: on a loaded machine a frame may come
# late. The deadline is generous (DEADLINE seconds); a pass is as fast as
# the condition.
DEADLINE=${UI_DEADLINE:-8}

# wait_for REGEX [SECONDS]: until the pane shows a line matching REGEX.
wait_for() {
	local re=$1 t=${2:-$DEADLINE} i
	for ((i = 0; i < t * 10; i++)); do
		screen | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	return 1
}
# wait_gone REGEX [SECONDS]: until no line matches REGEX.
wait_gone() {
	local re=$1 t=${2:-$DEADLINE} i
	for ((i = 0; i < t * 10; i++)); do
		screen | grep -Eq -- "$re" || return 0
		sleep 0.1
	done
	return 1
}
shows() { wait_for "$1" "${2:-$DEADLINE}"; }
lacks() { wait_gone "$1" "${2:-$DEADLINE}"; }
# holds CMD...: until CMD succeeds with the current screen as its last
# argument (CMD ... "$(screen)"), within the deadline.
holds() {
	local i
	for ((i = 0; i < DEADLINE * 10; i++)); do
		"$@" "$(screen)" && return 0
		sleep 0.1
	done
	return 1
}
holds_esc() {
	local i
	for ((i = 0; i < DEADLINE * 10; i++)); do
		"$@" "$(screen_esc)" && return 0
		sleep 0.1
	done
	return 1
}

# wait_exit SECONDS: until the run writes its exit status; prints it.
wait_exit() {
	local t=${1:-10} i
	for ((i = 0; i < t * 10; i++)); do
		[[ -s $W/exit ]] && { cat "$W/exit"; return 0; }
		sleep 0.1
	done
	echo none
	return 1
}

# The sanitizer and stderr output of a run must be empty of reports.
clean_stderr() {
	! grep -Eq 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:|UndefinedBehavior' "$W/err"
}

# Prompt back, and the tty in canonical mode with echo (what curses turns off).
tty_sane() {
	rm -f "$W/stty"
	"${TM[@]}" send-keys -t "$PANE" "stty -a > $W/stty" Enter
	local i
	for ((i = 0; i < 30; i++)); do [[ -s $W/stty ]] && break; sleep 0.1; done
	grep -qw icanon "$W/stty" && grep -qw echo "$W/stty" && ! grep -qw -- -echo "$W/stty"
}

# start_watch ENV... -- ARGS...: run propwatch watch in the pane's shell,
# recording its pid and exit status.
start_watch() {
	local envs=()
	while [[ $1 != -- ]]; do envs+=("$1"); shift; done
	shift
	rm -f "$W/exit" "$W/pid" "$W/err"
	local cmd="env ${envs[*]} sh -c 'echo \$\$ > $W/pid; exec \"\$0\" \"\$@\"' $PROPWATCH watch -r $W/list.txt --auth $NET.1:$PORT --timeout 500ms --retries 0 --interval 3s --min-interval 1s $* example.test MX 2> $W/err; echo \$? > $W/exit"
	"${TM[@]}" send-keys -t "$PANE" "$cmd" Enter
}

# ---------------------------------------------------------------- world ----
sed "s/@NET@/$NET/g; s/@PORT@/$PORT/g" "$HERE/world.conf" > "$W/world.conf"
sed "s/@NET@/$NET/g; s/@PORT@/$PORT/g" "$HERE/resolvers.txt" > "$W/list.txt"
mkfifo "$W/ready"
"$RESPONDER" -c "$W/world.conf" > "$W/ready" 2> "$W/responder.err" &
rpid=$!
if ! timeout 5 head -n1 "$W/ready" | grep -q ready; then
	echo "ui: pw-responder did not start:"; cat "$W/responder.err"
	echo "0 passed, 1 failed"
	exit 1
fi
# The flips count from the responder's start: give the dashboard the time.
t0=$(date +%s)

# ------------------------------------------------------------- non-TTY ----
out=$("$PROPWATCH" watch -r "$W/list.txt" --auth "$NET.1:$PORT" example.test </dev/null 2>&1 | cat)
rc=${PIPESTATUS[0]}
if [[ $rc -eq 2 && $out == *"watch needs a terminal; use 'propwatch check' in scripts"* ]]; then
	ok "refuses without a terminal (exit 2, points to check)"
else
	fail "refuses without a terminal" "exit $rc: $out"
fi

# Without a subcommand and without a terminal, propwatch NAME runs check.
out=$("$PROPWATCH" -r "$W/list.txt" --auth "$NET.1:$PORT" --timeout 500ms --retries 0 example.test </dev/null 2>/dev/null | cat)
rc=${PIPESTATUS[0]}
if [[ $rc -eq 1 && $out == *"not propagated"* && $out == *RESOLVER* ]]; then
	ok "propwatch NAME off a terminal runs check"
else
	fail "propwatch NAME off a terminal runs check" "exit $rc: $out"
fi

# ------------------------------------------------------------ dashboard ----
"${TM[@]}" new-session -d -s pw -x 120 -y 40 "env -i PATH=$PATH HOME=$W TERM=screen PS1='pwtest\$ ' bash --norc --noprofile"
"${TM[@]}" set -g -t pw window-size manual 2>/dev/null
wait_for 'pwtest\$' 5 || { echo "ui: tmux did not start"; echo "0 passed, 1 failed"; exit 1; }
start_watch LANG=C.UTF-8 -- 

check "dashboard opens on the alternate screen" wait_for '^ RESOLVER +CC +OPERATOR +ADDRESS +STATUS' 10
check "alternate screen is on" test "$(alt_on)" = 1
check "title shows the question" shows 'propwatch +example\.test\. MX'
check "ground truth from the auth server, with serial" shows 'new = authoritative \(zone example\.test\., serial 2026112302'
check "a row per resolver" holds bash -c "for l in 'fresh cache' 'flips first' 'flips second' 'flips last' 'broken upstream' 'says nxdomain' 'black hole' 'closed door'; do grep -q \"\$l\" <<<\"\$1\" || exit 1; done" _
check "statuses: new, stale, servfail, nxdomain, refused" \
	holds bash -c 'grep -Eq "fresh cache .* new " <<<"$1" && grep -Eq "flips last .* stale " <<<"$1" && grep -Eq "broken upstream .* servfail " <<<"$1" && grep -Eq "says nxdomain .* nxdomain " <<<"$1" && grep -Eq "closed door .* refused " <<<"$1"' _
check "timeout shows once the silent one gives up" wait_for 'black hole .* timeout ' 5
check "variants listed with counts" shows '#1 +[0-9]+ (new|old) +10 mx'
check "timeline sparkline" shows '^ share .*[▁▂▃▄▅▆▇█]'
check "UTF-8 progress bar" shows '^ [█▏▎▍▌▋▊▉░]+ [0-9]+/5 new'
check "verdict beside the count" shows '[0-9]+/5 new \([0-9.]+%\) — not propagated'
check "header gives the fleet ETA (as check's summary line)" shows '[0-9]+ stale · all expire by [0-9]{2}:[0-9]{2}:[0-9]{2} \(in [0-9]+s\)'
first=$(screen | grep -Eo '[0-9]+/5 new' | head -1)
# A stale row's ETA counts down live between queries: wait (with a
# deadline) until it shows a smaller figure than the first one read.
eta_of() { screen | grep 'flips last' | awk '{for (i = 1; i <= NF; i++) if ($i == "stale") print $(i + 2)}'; }
e1=$(eta_of) e2=
for ((i = 0; i < DEADLINE * 10; i++)); do
	e2=$(eta_of)
	[[ -n $e1 && -n $e2 && ${e1%s} =~ ^[0-9]+$ && ${e2%s} =~ ^[0-9]+$ && ${e2%s} -lt ${e1%s} ]] && break
	sleep 0.1
done
if [[ -n $e1 && -n $e2 && ${e1%s} =~ ^[0-9]+$ && ${e2%s} =~ ^[0-9]+$ && ${e2%s} -lt ${e1%s} ]]; then
	ok "ETA counts down ($e1 -> $e2)"
else
	fail "ETA counts down ($e1 -> $e2)" "$(screen)"
fi

# Keys: sort
keys s
check "s sorts by ETA" shows 'sort: ETA'
check "ETA sort puts the soonest stale first" holds bash -c 'grep -A1 "^ RESOLVER" <<<"$1" | tail -1 | grep -Eq "flips (first|second|last) .* stale "' _
keys s s s
check "s cycles to name" shows 'sort: name'
check "name sort puts 'black hole' first" holds bash -c 'grep -A1 "^ RESOLVER" <<<"$1" | tail -1 | grep -q "black hole"' _
keys s
check "s wraps to status" shows 'sort: status'

# Keys: filters
keys / f l i p
check "/ shows the filter being typed" shows 'filter: flip_'
keys Enter
check "text filter keeps matching rows" shows '3/8 shown'
check "text filter hides the others" lacks 'fresh cache'
keys Escape
check "Esc clears the filter" shows '8/8 shown'
keys 4
check "4 shows only failing resolvers" holds bash -c 'grep -q "3/8 shown" <<<"$1" && grep -q "only: failing" <<<"$1"' _
keys 3
check "3 adds the negative ones" shows '4/8 shown'
keys 0
check "0 shows every status" shows '8/8 shown'

# Keys: detail pane and help
keys Home Enter
check "Enter opens the detail pane" wait_for 'Enter or Esc closes' 2
check "detail shows rcode and flags" shows 'rcode [A-Z]+ +flags'
check "detail shows status history" shows 'pending -> '
keys Down
check "detail follows the selection" shows 'Enter or Esc closes'
keys Enter
check "Enter closes the detail pane" lacks 'Enter or Esc closes'
keys '?'
check "? shows help" shows 'propwatch watch: keys'
keys x
check "any key closes help" lacks 'propwatch watch: keys'
keys p
check "p pauses" shows 'PAUSED'
keys p
check "p resumes" lacks 'PAUSED'
keys r
check "r queries now" shows 'asking every resolver now'

# Resize
"${TM[@]}" resize-window -t pw -x 80 -y 24
check "80x24: relaid out" holds bash -c 'grep -q "^ RESOLVER" <<<"$1" && ! grep -q "PROTO" <<<"$1"' _
"${TM[@]}" resize-window -t pw -x 50 -y 12
check "too small: says so" shows 'terminal too small: 50x12'
"${TM[@]}" resize-window -t pw -x 120 -y 40
check "back to 120x40: table again" shows '^ RESOLVER .* PROTO'

# The change propagates: the progress count moves by itself.
now=$(date +%s)
check "progress reaches 4/5 new after the flips" wait_for ' 4/5 new \(80%\)' $((t0 + 35 - now))
last=$(screen | grep -Eo '[0-9]+/5 new' | head -1)
if [[ -n $first && $first != "$last" ]]; then ok "progress count changed ($first -> $last)"; else fail "progress count changed ($first -> $last)"; fi
check "flipped rows show new" holds bash -c 'grep -Eq "flips last .* new " <<<"$1" && grep -Eq "flips first .* new " <<<"$1"' _
check "timeline rose" shows '^ share .*[▁▂▃].*[▆▇█]'

# Quit with q
keys q
code=$(wait_exit 10)
check "q exits 0" test "$code" = 0
check "q: alternate screen off" test "$(alt_on)" = 0
check "q: prompt back" wait_for 'pwtest\$ *$' 3
check "q: tty sane (icanon, echo)" tty_sane
check "q: no sanitizer report" clean_stderr

# SIGTERM
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 --
wait_for '^ RESOLVER' 10
kill -TERM "$(cat "$W/pid")"
code=$(wait_exit 10)
check "SIGTERM exits 143" test "$code" = 143
check "SIGTERM: alternate screen off" test "$(alt_on)" = 0
check "SIGTERM: tty sane" tty_sane
check "SIGTERM: no sanitizer report" clean_stderr

# SIGPIPE (hardening defect 6: it used to leave the alternate screen on)
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 --
wait_for '^ RESOLVER' 10
kill -PIPE "$(cat "$W/pid")"
code=$(wait_exit 10)
check "SIGPIPE exits 141" test "$code" = 141
check "SIGPIPE: alternate screen off" test "$(alt_on)" = 0
check "SIGPIPE: tty sane" tty_sane

# SIGINT from the keyboard
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 --
wait_for '^ RESOLVER' 10
keys C-c
code=$(wait_exit 10)
check "Ctrl-C exits 130" test "$code" = 130
check "Ctrl-C: alternate screen off" test "$(alt_on)" = 0
check "Ctrl-C: no sanitizer report" clean_stderr

# propwatch NAME on a terminal opens the dashboard.
"${TM[@]}" send-keys -t "$PANE" clear Enter
rm -f "$W/exit"
"${TM[@]}" send-keys -t "$PANE" "env LANG=C.UTF-8 $PROPWATCH -r $W/list.txt --auth $NET.1:$PORT --timeout 500ms --retries 0 example.test 2> $W/err; echo \$? > $W/exit" Enter
check "propwatch NAME on a terminal opens the dashboard" wait_for '^ RESOLVER' 10
keys q
code=$(wait_exit 10)
check "... and q leaves it (exit 0)" test "$code" = 0

# 8 colours: status cells coloured (TERM=screen has 8).
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 --
wait_for '^ RESOLVER' 10
check "8-colour terminal: status in colour" holds_esc bash -c 'grep -q $'"'"'\e\[3[0-7]m'"'"' <<<"$1" || grep -q $'"'"'\e\[[0-9;]*3[0-7][;m]'"'"' <<<"$1"' _
keys q
wait_exit 10 >/dev/null

# --no-color and ASCII: no colour codes, ASCII bar and sparkline.
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C -- --no-color
wait_for '^ RESOLVER' 10
# Colour would show once statuses are in: look after the first verdict.
wait_for ' [0-9]+/5 new' 10
check "--no-color: no colour codes" bash -c '! grep -q $'"'"'\e\[[0-9;]*3[0-7][;m]'"'"' <<<"$1"' _ "$(screen_esc)"
check "ASCII locale: ASCII bar" shows '^ [#.]+ [0-9]+/5 new'
check "ASCII locale: ASCII sparkline" shows '^ share +[_.,=+*#-]+'
keys q
code=$(wait_exit 10)
check "--no-color run exits 0" test "$code" = 0

# Monochrome terminal type (vt100: no colours at all).
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 TERM=vt100 --
check "monochrome terminal (vt100) works" wait_for '^ RESOLVER' 10
keys q
code=$(wait_exit 10)
check "monochrome run exits 0" test "$code" = 0
check "monochrome: no sanitizer report" clean_stderr

# A crash restores the terminal too (SIGSEGV from outside stands in for one).
"${TM[@]}" send-keys -t "$PANE" clear Enter
start_watch LANG=C.UTF-8 ASAN_OPTIONS=handle_segv=0:detect_leaks=0 --
wait_for '^ RESOLVER' 10
kill -SEGV "$(cat "$W/pid")"
code=$(wait_exit 10)
check "SIGSEGV: dies by the signal (exit 139)" test "$code" = 139
check "SIGSEGV: alternate screen off" test "$(alt_on)" = 0
check "SIGSEGV: tty sane" tty_sane

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/bin/bash
# The roll-out record and picture, end to end on the scripted responder:
# check --wait --log while two resolvers flip, the log's lines and events,
# `propwatch timeline` as text, CSV (its figures against the log's own),
# PNG (decoded: size and pixels) and SVG (parsed), a log cut short by
# SIGKILL and one ended by SIGINT, check --format ndjson streaming before
# the sweep ends, compare --log, watch --log in tmux, and bad logs.
# Needs PROPWATCH and RESPONDER. Endpoints: 127.0.78.0/24, port 5978.
# Every wait has a deadline; nothing is timed.
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
: "${RESPONDER:?set RESPONDER to the pw-responder binary}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pw-timeline.XXXXXX)
TM=(tmux -L pwtl-$$ -f /dev/null)
rsp_pid=""
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	[ -n "$rsp_pid" ] && kill "$rsp_pid" 2>/dev/null && wait "$rsp_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

source "$(cd "$(dirname "$0")" && pwd)/../lib/tap.sh"

# Two flip during the run (3 s and 5 s TTLs), one is new, one is silent,
# one answers after 1.5 s (so a streamed line can come before the end).
cat >"$work/r.conf" <<'EOF'
set A example.test. 300 IN MX 10 mx-old.example.test.
set A example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 3600 600 86400 300
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. h.example.test. 2 3600 600 86400 300
endpoint 127.0.78.1:5978 serve=B nsid=par1
endpoint 127.0.78.2:5978 serve=A ttl=3 expire=3s then=B
endpoint 127.0.78.3:5978 serve=A ttl=5 expire=5s then=B
endpoint 127.0.78.4:5978 silent
endpoint 127.0.78.5:5978 serve=B delay=1500ms
EOF
printf '%s\n' "127.0.78.1:5978 DE lab quick" "127.0.78.2:5978 DE lab three" \
	"127.0.78.3:5978 US lab five" "127.0.78.4:5978 US lab dead" >"$work/list.txt"
"$RESPONDER" -c "$work/r.conf" >"$work/rsp.out" 2>"$work/rsp.err" &
rsp_pid=$!
until_ok 10 grep -q ready "$work/rsp.out" || { echo "responder did not start"; cat "$work/rsp.err"; exit 1; }
NEW=(--expect "10 mx-new.example.test.")
ARGS=(-r "$work/list.txt" "${NEW[@]}" --timeout 300ms --retries 0 --interval 1s)

# --- a roll-out recorded ------------------------------------------------------
L=$work/roll.ndjson
"$PROPWATCH" check "${ARGS[@]}" --wait 30s --threshold 75% --log "$L" --format json example.test MX \
	>"$work/check.json" 2>"$work/check.err"
rc=$?
check "check --wait --log: propagated at 75% (exit $rc)" [ "$rc" = 0 ]
check "every line of the log is one JSON object with v=1" \
	jq -e -s 'length > 10 and all(.[]; type == "object" and .v == 1 and (.ev | type == "string") and (.s | type == "number"))' "$L"
check "it starts with start and four resolver lines" \
	jq -e -s '.[0].ev == "start" and .[0].mode == "check" and .[0].resolvers == 4 and ([.[1:5][].ev] == ["resolver","resolver","resolver","resolver"])' "$L"
check "the truth (--expect) is there" jq -e -s 'any(.[]; .ev == "truth" and .source == "expect")' "$L"
check "answers carry status, TTL and latency" \
	jq -e -s '[.[] | select(.ev == "answer" and .status == "stale")][0] | .ttl > 0 and .latency_ms > 0 and (.predicted_s | type == "number")' "$L"
check "answers carry the site (NSID) that gave them, and none without one" \
	jq -e -s '[.[] | select(.ev == "answer")] | any(.[]; .i == 0 and .site == "par1") and all(.[]; .i == 0 or has("site") == false)' "$L"
check "a change for every status change (three: pending->stale->new)" \
	jq -e -s '[.[] | select(.ev == "change" and .i == 1) | .to] == ["stale", "new"]' "$L"
check "sweeps are counted" jq -e -s '[.[] | select(.ev == "sweep")] | length >= 3' "$L"
check "the verdict is the last line, as check said it" \
	jq -e -s --slurpfile v "$work/check.json" '.[-1].ev == "verdict" and .[-1].exit == 0 and .[-1].verdict == $v[0].summary.verdict' "$L"

# --- the log drawn -----------------------------------------------------------------
"$PROPWATCH" timeline --format csv "$L" >"$work/tl.csv" 2>"$work/tl.err"
check "timeline --format csv: exit 0" [ $? = 0 ]
check "one row per resolver" [ "$(tail -n +2 "$work/tl.csv" | wc -l)" = 4 ]
# flip_s of "three" is the s of its first new answer in the log, to the ms.
want=$(jq -s -r '[.[] | select(.ev == "answer" and .i == 1 and .status == "new")][0].s' "$L")
got=$(awk -F, '$5 == "three" { print $7 }' "$work/tl.csv")
check "CSV flip of 'three' is the log's ($got = $want)" awk -v a="$got" -v b="$want" 'BEGIN { exit !(a - b < 0.0005 && b - a < 0.0005) }'
pred=$(jq -s -r '[.[] | select(.ev == "answer" and .i == 1 and .status == "stale")][-1].predicted_s' "$L")
got=$(awk -F, '$5 == "three" { print $8 }' "$work/tl.csv")
check "CSV predicted flip of 'three' is the log's last prediction ($got = $pred)" \
	awk -v a="$got" -v b="$pred" 'BEGIN { exit !(a - b < 0.0005 && b - a < 0.0005) }'
check "the silent one never flipped, and ended timed out" grep -q '^127.0.78.4,5978,US,lab,dead,[0-9.]*,,,,,timeout$' "$work/tl.csv"

"$PROPWATCH" timeline --width 100 "$L" >"$work/tl.txt" 2>"$work/tl.err"
check "timeline on a terminal: exit 0" [ $? = 0 ]
check "the text chart has the share, the lanes and the verdict" \
	bash -c "grep -q 'propagated share' '$work/tl.txt' && grep -q '127.0.78.2 three *|o*#*|' '$work/tl.txt' && grep -q 'verdict: propagated (exit 0)' '$work/tl.txt'"

"$PROPWATCH" timeline -o "$work/roll.png" "$L" >"$work/tl.out" 2>"$work/tl.err"
check "timeline -o roll.png: exit 0, nothing on stdout" bash -c "[ $? = 0 ] && [ ! -s '$work/tl.out' ]"
# The roles' colours for new, old and failing, from the one table of them.
role_rgb() { sed -n "s/.*\[ROLE_$1\] = {.*0x\([0-9a-f]\{6\}\) }.*/\1/p" "$here/../../src/roles.c"; }
python3 "$here/pngcheck.py" "$work/roll.png" 1200 "$(role_rgb NEW)" "$(role_rgb STALE)" "$(role_rgb FAILING)" \
	>"$work/png.txt" 2>&1
check "the PNG decodes at 1200 px wide with new, old and failing lanes ($(head -1 "$work/png.txt"))" [ $? = 0 ]
"$PROPWATCH" timeline -o "$work/roll.svg" --width 800 "$L" 2>"$work/tl.err"
check "timeline -o roll.svg parses as SVG 800 wide" python3 -c "
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
sys.exit(0 if r.tag.endswith('svg') and r.get('width', '').startswith('800') else 1)" "$work/roll.svg"

# --- logs cut short -------------------------------------------------------------------
# An answer that never comes, so that these runs last until stopped.
NEVER=(-r "$work/list.txt" --expect "10 mx-never.example.test." --timeout 300ms --retries 0 --interval 1s)
K=$work/killed.ndjson
"$PROPWATCH" check "${NEVER[@]}" --wait 10m --log "$K" example.test MX >/dev/null 2>&1 &
pid=$!
disown $pid # no "Killed" notice from the shell
until_ok 20 jq -e -s '[.[] | select(.ev == "sweep")] | length >= 2' "$K"
check "the run was still going when killed" kill -KILL $pid
until_ok 10 bash -c "! kill -0 $pid"
check "SIGKILL mid-run: every line written is whole, and no verdict" \
	jq -e -s 'all(.[]; .v == 1) and (map(.ev) | index("verdict") | not)' "$K"
"$PROPWATCH" timeline "$K" >/dev/null 2>"$work/tl.err"
check "timeline reads it (no verdict in it)" bash -c "[ $? = 0 ]"
head -c -25 "$K" >"$work/cut.ndjson"
"$PROPWATCH" timeline --format csv "$work/cut.ndjson" >"$work/cut.csv" 2>"$work/tl.err"
check "a last line cut in the middle: exit 0 and a warning naming FILE:LINE" \
	bash -c "[ $? = 0 ] && grep -q 'cut.ndjson:[0-9]*: cut short' '$work/tl.err' && [ \$(wc -l <'$work/cut.csv') = 5 ]"
I=$work/int.ndjson
"$PROPWATCH" check "${NEVER[@]}" --wait 10m --log "$I" example.test MX >/dev/null 2>&1 &
pid=$!
until_ok 20 jq -e -s '[.[] | select(.ev == "sweep")] | length >= 1' "$I"
kill -INT $pid; wait $pid
rc=$?
check "SIGINT: exit 130, and the log ends with an interrupted verdict" \
	bash -c "[ $rc = 130 ] && jq -e -s '.[-1].ev == \"verdict\" and .[-1].interrupted' '$I' >/dev/null"
# Two sessions in one file: the last by default, the first on request.
"$PROPWATCH" check "${ARGS[@]}" --log "$I" example.test MX >/dev/null 2>&1
"$PROPWATCH" timeline "$I" >"$work/s2.txt" 2>&1
"$PROPWATCH" timeline --session 1 "$I" >"$work/s1.txt" 2>&1
check "an appended session is a second one: the last by default, --session 1 the first" \
	bash -c "grep -q '(session 2 of 2)' '$work/s2.txt' && grep -q '(session 1 of 2)' '$work/s1.txt' && grep -q interrupted '$work/s1.txt'"

# --- check --format ndjson streams -------------------------------------------------------
printf '%s\n' "127.0.78.1:5978 DE lab quick" "127.0.78.5:5978 DE lab slow" >"$work/slow.txt"
"$PROPWATCH" check -r "$work/slow.txt" "${NEW[@]}" --timeout 3s --format ndjson example.test MX \
	>"$work/nd.out" 2>"$work/nd.err" &
pid=$!
until_ok 10 grep -q '"address":"127.0.78.1"' "$work/nd.out"
if kill -0 $pid 2>/dev/null && ! grep -q summary "$work/nd.out"; then
	ok "ndjson: the quick resolver's line is out while the slow one is still asked"
else
	fail "ndjson: the quick resolver's line is out while the slow one is still asked" "$(cat "$work/nd.out")"
fi
wait $pid
rc=$?
check "ndjson: exit 0, a line per resolver, then the summary" \
	bash -c "[ $rc = 0 ] && jq -e -s 'length == 3 and (.[0:2] | all(.[]; .status == \"new\" and .sweep == 1)) and .[2].summary.verdict == \"propagated\"' '$work/nd.out' >/dev/null"
"$PROPWATCH" check -r "$work/slow.txt" "${NEW[@]}" --format ndjson example.test MX >/dev/full 2>"$work/nd.err"
check "ndjson to a full disk: exit 4" [ $? = 4 ]

# --- compare and watch log too --------------------------------------------------------------
"$PROPWATCH" compare -r "$work/list.txt" --samples 2 --timeout 300ms --log "$work/cmp.ndjson" example.test MX \
	>/dev/null 2>"$work/cmp.err"
check "compare --log: start, then a behaviour line per resolver" \
	jq -e -s '.[0].mode == "compare" and ([.[] | select(.ev == "behaviour")] | length == 4 and (map(.i) == [0,1,2,3]) and (.[0].latency_ms.p50 | type == "number"))' "$work/cmp.ndjson"
W=$work/watch.ndjson
q=$(printf '%q ' "$PROPWATCH" watch "${ARGS[@]}" --log "$W" example.test MX)
"${TM[@]}" new-session -d -s w -x 150 -y 40 "env TERM=screen LANG=C.UTF-8 $q 2>$work/watch.err; echo \$? >$work/watch.rc"
until_ok 20 jq -e -s '[.[] | select(.ev == "answer")] | length >= 4' "$W"
"${TM[@]}" send-keys -t w q
until_ok 20 test -s "$work/watch.rc"
check "watch --log: quit with q, exit 0, the log ends with its verdict" \
	bash -c "[ \"\$(cat '$work/watch.rc')\" = 0 ] && jq -e -s '.[0].mode == \"watch\" and .[-1].ev == \"verdict\" and (.[-1].interrupted | not)' '$W' >/dev/null"

# --- bad input -------------------------------------------------------------------------------------
bad() { # WANT_RE FILE_CONTENT [ARGS...]
	local re=$1 text=$2
	shift 2
	printf '%b' "$text" >"$work/bad.ndjson"
	"$PROPWATCH" timeline "$@" "$work/bad.ndjson" >"$work/bad.out" 2>"$work/bad.err"
	local rc=$?
	if [ $rc = 2 ] && grep -Eq "$re" "$work/bad.err" && [ ! -s "$work/bad.out" ]; then
		ok "bad log -> exit 2: /$re/"
	else
		fail "bad log -> exit 2: /$re/" "exit $rc: $(head -2 "$work/bad.err")"
	fi
}
bad 'bad.ndjson:1: schema version 7' '{"v":7,"ev":"start","t":1,"s":0}\n'
bad 'bad.ndjson:2: not JSON' "$(head -1 "$L")\n{oops\n$(sed -n 2p "$L")\n"
bad 'bad.ndjson: no session' 'hello\n'
bad 'session 3 asked for, the log has 1' "$(cat "$L")\n" --session 3
"$PROPWATCH" timeline "$work/none.ndjson" >/dev/null 2>"$work/bad.err"
check "a missing log: exit 2 naming it" bash -c "[ $? = 2 ] && grep -q 'none.ndjson' '$work/bad.err'"
"$PROPWATCH" timeline -o "$work/x.gif" "$L" 2>"$work/bad.err"
check "-o x.gif: exit 2, .png or .svg" bash -c "[ $? = 2 ] && grep -q '.png or .svg' '$work/bad.err'"
"$PROPWATCH" timeline -o /nonexistent/x.png "$L" 2>"$work/bad.err"
check "-o into a missing directory: exit 4 naming it" bash -c "[ $? = 4 ] && grep -q '/nonexistent/x.png' '$work/bad.err'"
"$PROPWATCH" check "${ARGS[@]}" --log /nonexistent/dir/x.ndjson example.test MX >/dev/null 2>"$work/bad.err"
check "--log into a missing directory: exit 2 naming it" bash -c "[ $? = 2 ] && grep -q -- '--log /nonexistent/dir/x.ndjson' '$work/bad.err'"
"$PROPWATCH" watch --format ndjson -r "$work/list.txt" example.test 2>"$work/bad.err" </dev/null
check "watch --format: not watch's option (exit 2)" [ $? = 2 ]
"$PROPWATCH" compare --format ndjson -r "$work/list.txt" example.test 2>"$work/bad.err"
check "compare --format ndjson: exit 2, naming what it takes" bash -c "[ $? = 2 ] && grep -q 'expected one of: text json csv' '$work/bad.err'"

summary

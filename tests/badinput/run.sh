#!/bin/bash
# tests/badinput/run.sh -- bad input, as a careless user or a hostile file
# would give it: each case states the exit status it must get and what the
# message on stderr must name. Never a crash, a hang or a verdict from
# input that was wrong. Also: output that cannot be written, and signals.
#
#   PROPWATCH=/abs/build/propwatch RESPONDER=/abs/build/pw-responder bash tests/badinput/run.sh
#
# Everything it asks lives on 127.0.23.0/24 port 5700 (its own responder).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
: "${RESPONDER:?set RESPONDER to the pw-responder binary}"
work=$(mktemp -d /tmp/pw-badinput.XXXXXX)
rsp=""
cleanup() {
	[ -n "$rsp" ] && kill "$rsp" 2>/dev/null && wait "$rsp" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && sed 's/^/       /' <<<"$2"; }

cat >"$work/r.conf" <<'EOF'
set A example.test. 300 IN MX 10 mx-old.example.test.
set A example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 3600 600 86400 300
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. h.example.test. 2 3600 600 86400 300
endpoint 127.0.23.1:5700 serve=A
endpoint 127.0.23.2:5700 serve=B
endpoint 127.0.23.3:5700 serve=A expire=2s expire-from=first then=B
EOF
"$RESPONDER" -c "$work/r.conf" >"$work/rsp.out" 2>"$work/rsp.err" &
rsp=$!
for _ in $(seq 100); do grep -q ready "$work/rsp.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$work/rsp.out" || { echo "responder did not start"; cat "$work/rsp.err"; exit 1; }

L=$work/good.txt
printf '127.0.23.1:5700 ZZ old\n127.0.23.2:5700 ZZ new\n' >"$L"
NEW=(--expect "10 mx-new.example.test.")

# t EXIT REGEX ARGS...: propwatch ARGS must exit EXIT with REGEX on stderr
# (and, for exit 2, print nothing on stdout: no verdict from bad input).
t() {
	local want=$1 re=$2 rc
	shift 2
	timeout 20 "$PROPWATCH" "$@" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	local what="$* -> $want"
	if [ "$rc" != "$want" ]; then
		fail "$what" "exit $rc; stderr: $(head -3 "$work/err")"
	elif [ -n "$re" ] && ! grep -Eq -- "$re" "$work/err"; then
		fail "$what" "stderr lacks /$re/: $(head -3 "$work/err")"
	elif [ "$want" = 2 ] && [ -s "$work/out" ]; then
		fail "$what" "printed something on stdout: $(head -3 "$work/out")"
	elif grep -Eq 'Sanitizer|runtime error' "$work/err"; then
		fail "$what" "$(head -5 "$work/err")"
	else
		ok "$what"
	fi
}
# list NAME CONTENT: a list file (printf format) for the next case.
list() { printf "$2" >"$work/$1"; }

# --- options -----------------------------------------------------------------
t 2 "unknown option '--nonsense'" check -r "$L" --nonsense example.test
t 2 "--bogus does not apply to check \(it is for: compare\)" check -r "$L" --bogus x.test example.test
t 2 "unknown option '-x'" check -r "$L" -x example.test
t 2 "missing NAME" check -r "$L"
t 2 "unexpected argument 'extra'" check -r "$L" example.test MX extra
t 2 "--timeout needs a value" check -r "$L" example.test --timeout
t 2 "--timeout '5parsecs'" check -r "$L" --timeout 5parsecs example.test
t 2 "--timeout '1ms': must be at least" check -r "$L" --timeout 1ms example.test
t 2 "--retries '8'" check -r "$L" --retries 8 example.test
t 2 "--retries '-1'" check -r "$L" --retries -1 example.test
t 2 "-j '0'" check -r "$L" -j 0 example.test
t 2 "-j '65'" check -r "$L" -j 65 example.test
t 2 "--limit 'ten'" check -r "$L" --limit ten example.test
t 2 "--rate '0'" check -r "$L" --rate 0 example.test
t 2 "--rate 'fast'" check -r "$L" --rate fast example.test
for i in $(seq 10); do echo "127.0.23.$((i + 10)):5700 ZZ r$i"; done >"$work/ten.txt"
t 2 "--rate 0.001: one sweep of 10 resolvers would take 2h 46m, longer than 1h 00m; give at least 0.00278" check -r "$work/ten.txt" --rate 0.001 example.test
t 2 "--threshold '101%'" check -r "$L" --threshold 101% example.test
t 2 "--threshold '1.5'" check -r "$L" --threshold 1.5 example.test
t 2 "--format 'xml'" check -r "$L" --format xml example.test
t 2 "--dnssec takes no value" check -r "$L" --dnssec=yes example.test
t 2 "--interval '10ms': must be at least" check -r "$L" --interval 10ms example.test
t 2 "--format does not apply to watch" watch -r "$L" --format csv example.test
t 2 "--wait does not apply to watch" watch -r "$L" --wait 5m example.test
t 2 "--expect and --auth both say what is new" check -r "$L" --expect none --auth 127.0.23.9 example.test
t 2 "--auth '300.1.2.3'" check -r "$L" --auth 300.1.2.3 example.test
t 2 "--auth '::1:5353'.*ambiguous" check -r "$L" --auth ::1:5353 example.test
t 2 "--auth '127.0.0.1:0'.*port" check -r "$L" --auth 127.0.0.1:0 example.test
# --- names and types ---------------------------------------------------------------
t 2 "NAME 'exa mple.test'" check -r "$L" "exa mple.test"
t 2 "NAME 'a..b'" check -r "$L" a..b
t 2 "NAME '$(printf 'a\tb')'" check -r "$L" "$(printf 'a\tb')"
t 2 "NAME" check -r "$L" "$(printf '%070d' 0).test"
t 2 "TYPE 'NOTATYPE'" check -r "$L" example.test NOTATYPE
t 2 "TYPE 'TYPE65536'" check -r "$L" example.test TYPE65536
t 2 "TYPE 'TYPE0'" check -r "$L" example.test TYPE0
for m in AXFR IXFR OPT TSIG TKEY MAILA MAILB; do
	t 2 "TYPE '$m': a meta type" check -r "$L" --expect none example.test "$m"
done
# --- --expect rdata --------------------------------------------------------------
t 2 "--expect '99999 mx.example.test.': field 1 \('99999'\) must be a number from 0 to 65535" check -r "$L" --expect "99999 mx.example.test." example.test
t 2 "--expect '65536 mx.example.test.'" check -r "$L" --expect "65536 mx.example.test." example.test
t 2 "--expect '-1 mx.example.test.'" check -r "$L" --expect "-1 mx.example.test." example.test
t 2 "--expect 'ten mx.example.test.'" check -r "$L" --expect "ten mx.example.test." example.test
t 2 "--expect '\"unterminated': unterminated quote" check -r "$L" --expect '"unterminated' example.test TXT
t 2 "--expect '300.1.1.1'" check -r "$L" --expect 300.1.1.1 example.test A
t 2 "--expect none cannot be combined" check -r "$L" --expect none --expect "10 a.test." example.test
t 2 "--expect '1 2 99999 t.example.': field 3 \('99999'\) must be a number from 0 to 65535" check -r "$L" --expect "1 2 99999 t.example." example.test SRV
t 2 "--expect '256 issue \"ca.example\"': field 1" check -r "$L" --expect '256 issue "ca.example"' example.test CAA
# --- resolver lists ---------------------------------------------------------------
t 2 "missing.txt" check -r "$work/missing.txt" example.test
list empty.txt '# nothing here\n\n'
t 2 "empty.txt: no resolvers in the list" check -r "$work/empty.txt" example.test
list badaddr.txt '127.0.23.1:5700 ZZ ok\n300.1.2.3 ZZ bad\n'
t 2 "badaddr.txt:2:" check -r "$work/badaddr.txt" example.test
list badcc.txt '127.0.23.1:5700 Z1 digit\n'
t 2 "badcc.txt:1:.*country" check -r "$work/badcc.txt" example.test
list fields.txt '127.0.23.1:5700\n'
t 2 "fields.txt:1:" check -r "$work/fields.txt" example.test
list flag.txt '127.0.23.1:5700 ZZ op +unicast\n'
t 2 "flag.txt:1:.*unknown flag" check -r "$work/flag.txt" example.test
list port.txt '127.0.23.1:99999 ZZ op\n'
t 2 "port.txt:1:.*port" check -r "$work/port.txt" example.test
list dup.txt '127.0.23.1:5700 ZZ a\n127.0.23.1:5700 ZZ b\n'
t 2 "dup.txt:2: duplicate resolver 127.0.23.1 port 5700 \(first on line 1\)" check -r "$work/dup.txt" example.test
list amb.txt '127.0.23.1:5700 ZZ ok\n::1:5353 ZZ ambiguous\n'
t 2 "amb.txt:2: '::1:5353': ambiguous" check -r "$work/amb.txt" example.test
list nul.txt '127.0.23.1:5700 ZZ ok\n127.0.23.2:5700 ZZ n\000ul\n'
t 2 "nul.txt:2: column 21: NUL byte" check -r "$work/nul.txt" example.test
list ctl.txt '127.0.23.1:5700 ZZ o\033k\n'
t 2 "ctl.txt:1: column 21: control byte 0x1b" check -r "$work/ctl.txt" example.test
list latin1.txt '127.0.23.1:5700 ZZ ok\n127.0.23.2:5700 DE caf\351\n'
t 2 "latin1.txt:2: not UTF-8 text" check -r "$work/latin1.txt" example.test
list utf8.txt '127.0.23.1:5700 DE caf\303\251 Zürich\n'
# UTF-8 labels are fine, and reach the JSON intact (the endpoint is silent: exit 3).
timeout 20 "$PROPWATCH" check -r "$work/utf8.txt" --timeout 0.2s --retries 0 --format json example.test \
	>"$work/out" 2>"$work/err"
if [ "$(jq -r '.resolvers[0] | .operator + " " + .label' "$work/out" 2>/dev/null)" = "café Zürich" ]; then
	ok "a UTF-8 label reaches the JSON"
else
	fail "a UTF-8 label reaches the JSON" "$(head -c 300 "$work/out") $(head -2 "$work/err")"
fi
head -c 5000 /dev/zero | tr '\0' 'a' | sed 's/^/127.0.23.1:5700 ZZ /' >"$work/long.txt"
t 2 "long.txt:1: line too long" check -r "$work/long.txt" example.test
t 2 "no resolver left after" check -r "$L" --country XX example.test
# --- what is accepted, and said ----------------------------------------------------------
list bom.txt '\357\273\277127.0.23.2:5700 ZZ with-a-byte-order-mark\n'
t 0 "" check -r "$work/bom.txt" "${NEW[@]}" --format json example.test
list crlf.txt '127.0.23.2:5700 ZZ dos\r\n'
t 0 "" check -r "$work/crlf.txt" "${NEW[@]}" example.test
list public.txt '127.0.23.2:5700 ZZ new\n192.0.2.1 ZZ off-the-machine\n'
t 0 "PROPWATCH_LOOPBACK_ONLY is set: 1 address outside loopback will not be asked" check -r "$work/public.txt" "${NEW[@]}" --threshold 1 example.test

# --- output that cannot be written ------------------------------------------------------
for fmt in text json csv; do
	timeout 20 "$PROPWATCH" check -r "$L" "${NEW[@]}" --format $fmt example.test >/dev/full 2>"$work/err"
	rc=$?
	if [ $rc = 4 ] && grep -q "cannot write the verdict" "$work/err"; then ok "$fmt to /dev/full: exit 4 with a message"
	else fail "$fmt to /dev/full: exit 4 with a message" "exit $rc: $(cat "$work/err")"; fi
done
timeout 20 "$PROPWATCH" check -r "$L" "${NEW[@]}" example.test >&- 2>"$work/err"
rc=$?
if [ $rc = 4 ] && grep -q "cannot write the verdict" "$work/err"; then ok "closed stdout: exit 4 with a message"
else fail "closed stdout: exit 4 with a message" "exit $rc: $(cat "$work/err")"; fi

# --- signals during check --wait -----------------------------------------------------
# 127.0.23.1 serves the old answer with a 300 s TTL: --wait 10m waits. The
# signal goes once the first round is in: -v says so on stderr.
for sig in INT TERM HUP; do
	want=$((128 + $(kill -l "$sig")))
	"$PROPWATCH" check -v -r "$L" "${NEW[@]}" --wait 10m --format json example.test >"$work/out" 2>"$work/err" &
	pid=$!
	for _ in $(seq 200); do grep -q 'round 1:' "$work/err" 2>/dev/null && break; sleep 0.05; done
	kill -"$sig" $pid
	wait $pid
	rc=$?
	if [ $rc = "$want" ] && jq -e '.summary.interrupted == true and (.summary.note | test("interrupted"))' "$work/out" >/dev/null 2>&1; then
		ok "SIG$sig during --wait: exit $want, JSON says interrupted"
	else
		fail "SIG$sig during --wait: exit $want, JSON says interrupted" "exit $rc: $(head -c 300 "$work/out") $(cat "$work/err")"
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

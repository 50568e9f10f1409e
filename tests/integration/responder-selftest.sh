#!/usr/bin/env bash
# responder-selftest.sh - checks pw-responder (tests/responder/) on its own,
# with dig/kdig, before other integration tests rely on it.
#
# Starts the responder on a config in a mktemp dir (127.0.3.x and [::1] on a
# random high port, retried if the port is taken by a concurrent test),
# checks every behaviour over UDP and TCP, a SIGHUP reload, the stats file,
# config errors, and that a 10,000-address range starts quickly and answers.
# Only loopback addresses are used.  Last line: "N passed, M failed".
#
# Usage: RESPONDER=/path/to/pw-responder bash tests/integration/responder-selftest.sh
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -u

here=$(cd "$(dirname "$0")" && pwd)
RESPONDER=${RESPONDER:-$here/../../build/pw-responder}
if [ ! -x "$RESPONDER" ]; then
	echo "responder-selftest: $RESPONDER not built (make build/pw-responder)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
command -v dig >/dev/null || { echo "responder-selftest: dig missing" >&2; echo "0 passed, 1 failed"; exit 1; }
have_kdig=0
command -v kdig >/dev/null && have_kdig=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pw-responder-selftest.XXXXXX")
pids=()
cleanup() {
	# Only the responders this script started, by pid.
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
nok() { fail=$((fail + 1)); echo "FAIL - $1${2:+: $2}"; }
# check NAME COMMAND...: passes when the command succeeds
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# res STATUS NAME: passes when STATUS (usually $? of the line before) is 0
res() { if [ "$1" -eq 0 ]; then ok "$2"; else nok "$2"; fi; }
ms() { date +%s%3N; }

# start NAME CONFIG-TEMPLATE: starts a responder with @P@ (and @P1@, @P2@)
# replaced by a free port (+1, +2); sets PORT and RPID. Retries other ports
# when a bind fails because another test holds the port.
start() {
	local name=$1 tpl=$2 try
	for try in 1 2 3 4 5 6; do
		# 20000-31999: below the kernel's ephemeral range, so client
		# sockets never hold our ports.
		PORT=$((20000 + (RANDOM * 7 + $$ + try * 997) % 12000))
		sed -e "s/@P@/$PORT/g" -e "s/@P1@/$((PORT + 1))/g" -e "s/@P2@/$((PORT + 2))/g" \
			"$tpl" >"$tmp/$name.conf"
		: >"$tmp/$name.out"
		"$RESPONDER" -c "$tmp/$name.conf" -p "$tmp/$name.pid" -s "$tmp/$name.stats" \
			>"$tmp/$name.out" 2>"$tmp/$name.err" &
		RPID=$!
		local i
		for i in $(seq 100); do
			grep -qx ready "$tmp/$name.out" && { pids+=("$RPID"); return 0; }
			kill -0 "$RPID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		grep -q "in use\|busy" "$tmp/$name.err" || break
	done
	echo "responder-selftest: could not start $name:" >&2
	cat "$tmp/$name.err" >&2
	return 1
}

# stop PID: SIGTERM one responder we started, wait, return its exit status
stop() {
	local p=$1 rc keep=()
	kill -TERM "$p" 2>/dev/null
	wait "$p"
	rc=$?
	for x in "${pids[@]}"; do [ "$x" = "$p" ] || keep+=("$x"); done
	pids=("${keep[@]}")
	return $rc
}

# wait_line NAME LINE COUNT: waits until stdout has COUNT lines equal to LINE
wait_line() {
	local name=$1 line=$2 want=$3 i
	for i in $(seq 100); do
		[ "$(grep -cx "$line" "$tmp/$name.out")" -ge "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

q() { dig +time=1 +tries=1 -p "$PORT" "$@" 2>&1; }
short() { q +short "$@" | sort | tr '\n' '|'; }
status_of() { q "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
flags_of() { q "$@" | sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'; }

A_ANS='10 mx1.example.test.|20 mx2.example.test.|'
B_ANS='10 mx-new.example.test.|'

cat >"$tmp/main.tpl" <<'EOF'
# record sets
set A example.test. 300 IN MX 10 mx1.example.test.
set A example.test. 300 IN MX 20 mx2.example.test.   # trailing comment
set A www.example.test. 300 IN CNAME example.test.
set A example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2 3600 600 86400 30
endpoint 127.0.3.1:@P@ serve=A ttl=300
endpoint 127.0.3.2:@P@ serve=B
endpoint [::1]:@P1@ serve=A
endpoint 127.0.3.3:@P@ silent
endpoint 127.0.3.4:@P@ servfail
endpoint 127.0.3.5:@P@ refused
endpoint 127.0.3.6:@P@ serve=A delay=300ms
endpoint 127.0.3.7:@P@ serve=A truncate
endpoint 127.0.3.8:@P@ serve=A wrong-id
endpoint 127.0.3.9:@P@ serve=A wrong-question
endpoint 127.0.3.10:@P@ serve=A wrong-source
endpoint 127.0.3.11:@P@ garbage
endpoint 127.0.3.12:@P@ serve=A expire=2s then=B expire-from=first
endpoint 127.0.3.13:@P@ serve=A aa
endpoint 127.0.3.14:@P@ serve=A nxdomain
endpoint 127.0.3.15:@P@ serve=A nodata
endpoint 127.0.3.16:@P@ serve=A
range 127.0.4.1 20 @P@ serve=B
EOF

if ! start main "$tmp/main.tpl"; then
	echo "0 passed, 1 failed"
	exit 1
fi
MAIN_PID=$RPID
echo "# responder pid $MAIN_PID, port $PORT"

# --- answers ---
check "serve=A over UDP" [ "$(short @127.0.3.1 example.test MX)" = "$A_ANS" ]
check "ttl=300 override" [ "$(q @127.0.3.1 example.test MX +noall +answer | awk '{print $2}' | sort -u)" = 300 ]
check "set TTL kept without ttl=" [ "$(q @127.0.3.2 example.test MX +noall +answer | awk '{print $2}' | sort -u)" = 60 ]
check "serve=B" [ "$(short @127.0.3.2 example.test MX)" = "$B_ANS" ]
check "IPv6 [::1]" [ "$(short @::1 -p $((PORT + 1)) example.test MX)" = "$A_ANS" ]
q @127.0.3.16 ExAmPlE.TeSt MX +noall +question | grep -q '^;ExAmPlE\.TeSt\.'
res $? "0x20 case echoed"
check "case-insensitive match" [ "$(short @127.0.3.16 EXAMPLE.TEST MX | tr 'A-Z' 'a-z')" = "$A_ANS" ]
check "CNAME followed" [ "$(q @127.0.3.16 www.example.test MX +noall +answer | awk '{print $4}' | tr '\n' ' ')" = "CNAME MX MX " ]
check "RD copied, RA set" [ "$(flags_of @127.0.3.16 example.test MX)" = "qr rd ra" ]
check "RD=0 copied" [ "$(flags_of +norecurse @127.0.3.16 example.test MX)" = "qr ra" ]
q @127.0.3.16 example.test MX +dnssec | grep -q 'flags: do; udp: 1232'
res $? "EDNS OPT echoed (udp 1232, DO)"

# --- negative answers ---
check "NXDOMAIN for unknown name" [ "$(status_of @127.0.3.16 nope.example.test MX)" = NXDOMAIN ]
check "NXDOMAIN carries SOA, TTL=min(ttl,minimum)" [ "$(q @127.0.3.16 nope.example.test MX +noall +authority | awk '{print $2, $4}')" = "300 SOA" ]
out=$(q @127.0.3.16 example.test TXT)
{ grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 0, AUTHORITY: 1' <<<"$out"; }
res $? "NODATA for other type (+ SOA)"
check "empty non-terminal is NODATA" [ "$(status_of @127.0.3.16 test TXT)" = NOERROR ]
check "forced nxdomain" [ "$(status_of @127.0.3.14 example.test MX)" = NXDOMAIN ]
out=$(q @127.0.3.15 example.test MX)
{ grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 0, AUTHORITY: 1' <<<"$out"; }
res $? "forced nodata (+ SOA)"
check "servfail" [ "$(status_of @127.0.3.4 example.test MX)" = SERVFAIL ]
check "refused" [ "$(status_of @127.0.3.5 example.test MX)" = REFUSED ]
check "aa: AA=1, RA=0" [ "$(flags_of @127.0.3.13 example.test MX)" = "qr aa rd" ]

# --- misbehaviour ---
q @127.0.3.3 example.test MX >/dev/null; rc=$?
check "silent times out" [ $rc -eq 9 ]
t0=$(ms); ans=$(short @127.0.3.6 example.test MX); t1=$(ms)
check "delay=300ms answers" [ "$ans" = "$A_ANS" ]
check "delay=300ms waits >= 300 ms ($((t1 - t0)) ms)" [ $((t1 - t0)) -ge 290 ]
q @127.0.3.7 example.test MX +ignore | grep -q 'flags: qr tc rd ra; QUERY: 1, ANSWER: 0'
res $? "truncate: UDP TC=1, no answer"
check "truncate: TCP full answer" [ "$(short +tcp @127.0.3.7 example.test MX)" = "$A_ANS" ]
q @127.0.3.7 example.test MX | grep -q 'Truncated, retrying in TCP'
res $? "truncate: dig retries over TCP"
out=$(q @127.0.3.8 example.test MX); rc=$?
{ [ $rc -eq 9 ] && grep -q 'ID mismatch' <<<"$out"; }
res $? "wrong-id rejected by dig"
out=$(q @127.0.3.9 example.test MX); rc=$?
{ [ $rc -eq 9 ] && grep -q 'Question section mismatch' <<<"$out"; }
res $? "wrong-question rejected by dig"
q @127.0.3.10 example.test MX >/dev/null; rc=$?
check "wrong-source: no valid UDP answer" [ $rc -eq 9 ]
! q +tcp @127.0.3.10 example.test MX +short | grep -q mx
res $? "wrong-source: TCP closed without answer"
if [ $have_kdig = 1 ]; then
	kdig +time=1 +retry=0 -p "$PORT" @127.0.3.11 example.test MX 2>&1 | grep -q 'malformed reply'
	res $? "garbage: kdig reports a malformed reply"
fi
q @127.0.3.11 example.test MX | grep -q 'bad packet'
res $? "garbage: dig sees a bad packet"

# --- TCP ---
check "TCP serve=A" [ "$(short +tcp @127.0.3.1 example.test MX)" = "$A_ANS" ]
check "TCP servfail" [ "$(status_of +tcp @127.0.3.4 example.test MX)" = SERVFAIL ]
if [ $have_kdig = 1 ]; then
	check "kdig TCP on [::1]" [ "$(kdig +time=1 +retry=0 +tcp -p $((PORT + 1)) @::1 example.test MX +short | sort | tr '\n' '|')" = "$A_ANS" ]
fi

# --- expire (clock from first query) ---
ttl1=$(q @127.0.3.12 example.test MX +noall +answer | awk '{print $2}' | sort -u)
ans1=$(short @127.0.3.12 example.test MX)
{ [ "$ans1" = "$A_ANS" ] && { [ "$ttl1" = 2 ] || [ "$ttl1" = 1 ]; }; }
res $? "expire: serves A with TTL = seconds left (got $ttl1)"
sleep 2.2
check "expire: then serves B with its own TTL" [ "$(q @127.0.3.12 example.test MX +noall +answer | awk '{print $2, $6}')" = "60 mx-new.example.test." ]

# --- range in main config ---
check "range endpoint answers" [ "$(short @127.0.4.20 example.test MX)" = "$B_ANS" ]
q @127.0.4.21 example.test MX >/dev/null; rc=$?
check "address past the range is not served" [ $rc -ne 0 ]

# --- stats ---
kill -USR1 "$MAIN_PID"
wait_line main stats 1
check "stats file counts queries" grep -q "^127.0.3.1:$PORT udp=[1-9][0-9]* tcp=1$" "$tmp/main.stats"

# --- reload ---
sed -i "s/^endpoint 127.0.3.1:$PORT serve=A ttl=300$/endpoint 127.0.3.1:$PORT serve=B/" "$tmp/main.conf"
echo "endpoint 127.0.3.17:$PORT refused" >>"$tmp/main.conf"
kill -HUP "$MAIN_PID"
check "SIGHUP: prints reloaded" wait_line main reloaded 1
check "SIGHUP: endpoint flipped to B" [ "$(short @127.0.3.1 example.test MX)" = "$B_ANS" ]
check "SIGHUP: new endpoint served" [ "$(status_of @127.0.3.17 example.test MX)" = REFUSED ]
check "SIGHUP: unchanged endpoint still served" [ "$(short @::1 -p $((PORT + 1)) example.test MX)" = "$A_ANS" ]
echo "endpoint 127.0.3.18:$PORT frobnicate" >>"$tmp/main.conf"
kill -HUP "$MAIN_PID"
check "SIGHUP with bad config: reload failed" wait_line main "reload failed" 1
check "bad config error names file:line" grep -q "main.conf:[0-9]*: unknown behaviour token 'frobnicate'" "$tmp/main.err"
check "old config kept after failed reload" [ "$(short @127.0.3.1 example.test MX)" = "$B_ANS" ]

# --- config errors at startup ---
printf 'set A x. 1 IN A 1.2.3.4\nendpoint 127.0.3.1:53 serve=A\nendpoint 10.1.2.3:53 serve=A\n' >"$tmp/bad.conf"
"$RESPONDER" -c "$tmp/bad.conf" >/dev/null 2>"$tmp/bad.err"; rc=$?
check "non-loopback endpoint: exit 2" [ $rc -eq 2 ]
check "non-loopback endpoint: message has file:line" grep -q "bad.conf:3: .*not a loopback" "$tmp/bad.err"

# --- clean exit (under ASan this also means no leaks) ---
stop "$MAIN_PID"; rc=$?
check "SIGTERM: exit 0" [ $rc -eq 0 ]
check "SIGTERM: pidfile removed" [ ! -e "$tmp/main.pid" ]
! grep -q 'Sanitizer' "$tmp/main.err"
res $? "no sanitizer reports"

# --- 10,000-endpoint range ---
cat >"$tmp/range.tpl" <<'EOF'
set A example.test. 300 IN MX 10 mx1.example.test.
set A example.test. 300 IN MX 20 mx2.example.test.
range 127.10.0.1 10000 @P@ serve=A
range 127.11.0.1 1000 @P@ silent
EOF
t0=$(ms)
if start range "$tmp/range.tpl"; then
	t1=$(ms)
	check "10,000-address range ready in $((t1 - t0)) ms (< 1000)" [ $((t1 - t0)) -lt 1000 ]
	: >"$tmp/sample.txt"
	for i in $(seq 0 49); do
		n=$(((i * 7919 + 13) % 10000 + 1)) # 50 spread-out addresses of the 10,000
		a=$(((10 << 16) + n))
		echo "@127.$((a >> 16)).$(((a >> 8) & 255)).$((a & 255)) -p $PORT example.test MX +time=1 +tries=1 +short" >>"$tmp/sample.txt"
	done
	t0=$(ms)
	got=$(dig -f "$tmp/sample.txt" 2>/dev/null | grep -c '^[12]0 mx[12]\.example\.test\.$')
	t1=$(ms)
	check "dig -f over 50 sampled range addresses: $got/100 records in $((t1 - t0)) ms" [ "$got" -eq 100 ]
	q @127.11.0.9 example.test MX >/dev/null; rc=$?
	check "silent range does not answer" [ $rc -eq 9 ]
	stop "$RPID"; rc=$?
	check "range responder: clean exit" [ $rc -eq 0 ]
else
	nok "10,000-address range starts"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

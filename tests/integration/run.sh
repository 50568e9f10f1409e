#!/bin/bash
# Integration tests: propwatch check against the scripted loopback responder.
# Needs PROPWATCH (the binary under test) and RESPONDER (build/pw-responder).
# Every endpoint lives on 127.0.20.0/24 (ports 5500/5501, and 53 for the
# authoritative server found through NS discovery) and [::1]:5501.
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
: "${RESPONDER:?set RESPONDER to the pw-responder binary}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pw-integration.XXXXXX)
rsp_pid=""
cleanup() {
	[ -n "$rsp_pid" ] && kill "$rsp_pid" 2>/dev/null && wait "$rsp_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }
# check NAME COMMAND...: pass when the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

# Run propwatch; stdout to $work/out, stderr to $work/err, status in $rc.
pw() { "$PROPWATCH" "$@" >"$work/out" 2>"$work/err"; rc=$?; }
# jq on the last JSON output.
jqo() { jq -r "$@" "$work/out"; }
# jq -e on the last JSON output, quietly: true when the filter is.
jqt() { jq -e "$@" "$work/out" >/dev/null; }
status_of() { jqo --arg a "$1" '.resolvers[] | select(.address == $a) | .status'; }

sed "s|@PORT@|5500|g" "$here/responder.conf" >"$work/responder.conf"
"$RESPONDER" -c "$work/responder.conf" >"$work/responder.out" 2>"$work/responder.err" &
rsp_pid=$!
for _ in $(seq 50); do grep -q ready "$work/responder.out" 2>/dev/null && break; sleep 0.1; done
if ! grep -q ready "$work/responder.out"; then
	echo "responder did not start:"; head -5 "$work/responder.err"
	echo "0 passed, 1 failed"; exit 1
fi

NEW=(--expect "10 mx-new.example.test.")
list="$here/resolvers.txt"

# --- statuses of every scripted behaviour -----------------------------------
pw check -r "$list" "${NEW[@]}" --timeout 700ms --retries 1 --format json example.test MX
check "one sweep with stale answers exits 1" [ "$rc" = 1 ]
check "valid JSON" jqt .
while read -r addr want; do
	got=$(status_of "$addr")
	if [ "$got" = "$want" ]; then ok "status $addr = $want"; else fail "status $addr = $want" "got '$got'"; fi
done <<'LIST'
127.0.20.1 stale
127.0.20.2 new
127.0.20.3 timeout
127.0.20.4 servfail
127.0.20.5 refused
127.0.20.6 new
127.0.20.7 new
127.0.20.8 error
127.0.20.9 error
127.0.20.40 timeout
127.0.20.11 error
127.0.20.12 nxdomain
127.0.20.13 nodata
::1 new
127.0.20.99 unreachable
127.0.20.14 new
LIST
check "TC=1 answer was retried over TCP" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.7") | .transport')" = tcp ]
check "NSID: the site of the latest reply" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.2") | .site')" = fra01 ]
check "NSID: over TCP too" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.7") | .site')" = tcp-site ]
check "NSID: null from a server that sends none" jqt '.resolvers[] | select(.address=="127.0.20.6") | .site == null'
check "UDP answers say udp" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.2") | .transport')" = udp ]
lat=$(jqo '.resolvers[] | select(.address=="127.0.20.6") | .latency_ms')
check "delayed endpoint's latency >= 300 ms ($lat)" awk -v l="$lat" 'BEGIN{exit !(l >= 295)}'
check "wrong-id replies were dropped and counted" [ "$(jqo '.summary.dropped')" -ge 2 ]
check "reply from a wrong source is stray, not believed" [ "$(jqo '.summary.stray')" -ge 1 ]
check "wrong-id detail names the reason" jqt '.resolvers[] | select(.address=="127.0.20.8") | .detail | test("ID mismatch")'
check "wrong-question detail names the reason" jqt '.resolvers[] | select(.address=="127.0.20.9") | .detail | test("question")'
check "ICMP unreachable is reported at once (< 0.6 s sweep would be impossible with timeouts; check tries)" \
	[ "$(jqo '.resolvers[] | select(.address=="127.0.20.99") | .tries')" = 1 ]
check "summary counts" [ "$(jqo '[.summary.new,.summary.stale,.summary.nxdomain,.summary.nodata,.summary.usable] | @tsv')" = "$(printf '5\t1\t1\t1\t8')" ]
check "variants: the new answer counted 5 times" [ "$(jqo '.variants[] | select(.new) | .count')" = 5 ]
check "records canonical and sorted" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.1") | .records | join("|")')" = "10 mx1.example.test.|20 mx2.example.test." ]
check "TTL reported apart" [ "$(jqo '.resolvers[] | select(.address=="127.0.20.1") | .ttl')" = 300 ]
check "stale resolver has an ETA from its TTL" jqt '.resolvers[] | select(.address=="127.0.20.1") | .eta_s > 250'
check "summary ETA" jqt '.summary.eta_s > 250'

# --- the gate -------------------------------------------------------------------
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --threshold 60% --format json example.test
check "5/8 new passes --threshold 60% (exit $rc)" [ "$rc" = 0 ]
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --threshold 65% --format json example.test
check "5/8 new fails --threshold 65% (exit $rc)" [ "$rc" = 1 ]
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --threshold 5 --format json example.test
check "--threshold 5 (count) passes (exit $rc)" [ "$rc" = 0 ]
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --min-answers 9 --format json example.test
check "--min-answers 9 with 8 usable is undecidable (exit $rc)" [ "$rc" = 3 ]
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --operator good --format json example.test
check "--operator filter: all good ones new, exit 0 (exit $rc)" [ "$rc" = 0 ] && [ "$(jqo '.summary.total')" = 5 ]
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 -6 --format json example.test
check "-6 keeps only ::1" [ "$(jqo '[.resolvers[].address] | join(",")')" = "::1" ]
pw check -r "$list" --expect none --timeout 500ms --retries 0 --format json example.test
check "--expect none: NXDOMAIN and NODATA are new" [ "$(status_of 127.0.20.12)/$(status_of 127.0.20.13)/$(status_of 127.0.20.2)" = "new/new/stale" ]

# --- ground truth from authoritative servers -----------------------------------
pw check -r "$list" --auth 127.0.20.20:5500 --auth 127.0.20.21:5500 --operator good --timeout 500ms --format json example.test
check "--auth: ground truth from AA answers (exit $rc)" [ "$rc" = 0 ] && [ "$(jqo '.expected.source')" = auth ]
check "--auth: serials reported" [ "$(jqo '[.expected.auth_servers[].serial] | join(",")')" = "2,2" ]
check "--auth: auth TTL" [ "$(jqo '.expected.auth_ttl')" = 60 ]
pw check -r "$list" --auth 127.0.20.20:5500 --auth 127.0.20.22:5500 --operator good --timeout 500ms --format json example.test
check "disagreeing auth servers reported, newest serial wins" [ "$(jqo '.expected.auth_disagree')" = true ] && [ "$(jqo '.expected.records[0]')" = "10 mx-new.example.test." ]
pw check -r "$list" --auth 127.0.20.2:5500 --operator good --timeout 500ms --format json example.test
check "a server without AA gives no ground truth: exit 3 (exit $rc)" [ "$rc" = 3 ]
pw check -r "$list" --operator good --timeout 500ms --format json example.test
check "NS discovery finds the zone and its server (exit $rc)" [ "$rc" = 0 ] && [ "$(jqo '.expected.zone')" = example.test. ] && [ "$(jqo '.expected.auth_servers[0].address')" = 127.0.20.20 ]

pw check -r "$list" --auth 127.0.20.23:5500 --operator negative --timeout 500ms --format json example.test
check "a deletion (auth NXDOMAIN) is the new answer: NXDOMAIN new, NODATA not" \
	[ "$(jqo '.expected.rcode')/$(status_of 127.0.20.12)/$(status_of 127.0.20.13)" = "NXDOMAIN/new/nodata" ]

# --- pacing -------------------------------------------------------------------------
pw check -r "$list" "${NEW[@]}" --operator negative --operator stale -j 1 --rate 4 --timeout 500ms --format json example.test
check "--rate 4 spreads 3 first tries over >= 0.45 s ($(jqo .summary.elapsed_s) s)" jqt '.summary.elapsed_s >= 0.45'
pw check -r "$list" "${NEW[@]}" --operator negative --operator stale -j 1 --timeout 500ms --format json example.test
check "without --rate the same sweep takes < 0.25 s ($(jqo .summary.elapsed_s) s)" jqt '.summary.elapsed_s < 0.25'

# --- waiting ----------------------------------------------------------------------
start=$(date +%s.%N)
pw check -r "$here/expiring.txt" "${NEW[@]}" --timeout 500ms --wait 30s --interval 10s --format json example.test
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
check "--wait passes once the cache expires (exit $rc)" [ "$rc" = 0 ]
check "--wait re-asked at the TTL, not the 10 s interval (${took}s)" awk -v t="$took" 'BEGIN{exit !(t > 2.5 && t < 9)}'
pw check -r "$list" "${NEW[@]}" --operator stale --timeout 500ms --wait 5s --format json example.test
check "--wait gives up early when an ETA lies past the deadline (exit $rc)" [ "$rc" = 1 ] && jqt '.summary.note | test("gave up early")'

# --- ETA predictions against observed flips ---------------------------------------
PROPWATCH="$PROPWATCH" bash "$here/../lib/eta-probe.sh" "$work/eta.tsv" -r "$here/eta.txt" "${NEW[@]}" example.test
sed 's/^/       /' "$work/eta.tsv"
check "ETA: three predictions made" [ "$(grep -vc '^#' "$work/eta.tsv")" = 3 ]
check "ETA: each cache flipped within 1 s of its predicted time (window meets [p-1, p+1])" \
	awk -F'\t' '!/^#/ { split($7, w, /[.][.]/); if ($7 == "-" || w[1] > $4 + 1 || w[2] < $4 - 1) bad++ }
		END { exit bad > 0 }' "$work/eta.tsv"
check "ETA: predictions are 2, 4, 6 s (+-1)" \
	awk -F'\t' '!/^#/ { p[NR] = $4 } END { exit !(p[2] >= 1 && p[2] <= 3 && p[3] >= 3 && p[3] <= 5 && p[4] >= 5 && p[4] <= 7) }' "$work/eta.tsv"

# --- text and CSV -------------------------------------------------------------------
NO_COLOR=1 pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 example.test
check "text: a row per resolver" [ "$(grep -cE ' (new|stale|timeout|servfail|refused|error|nxdomain|nodata|unreachable) ' "$work/out")" -ge 16 ]
check "text: verdict line" grep -q "not propagated (exit 1)" "$work/out"
check "text: no colour when not a TTY" bash -c "! grep -q $'\033' '$work/out'"
pw check -r "$list" "${NEW[@]}" --timeout 500ms --retries 0 --format csv example.test
check "csv: header + a row per resolver" [ "$(wc -l <"$work/out")" = 17 ]

# --- hostile answers ---------------------------------------------------------------
echo "127.0.20.50:5500 ZZ hostile HTTPS with 16 mandatory keys" >"$work/https.txt"
pw check -r "$work/https.txt" --expect "1 . alpn=h2" --timeout 500ms --format json http.example.test HTTPS
check "HTTPS rdata that crashed ldns's printer: a verdict, not an abort (exit $rc)" [ "$rc" = 1 ]
check "HTTPS rdata shown in RFC 3597 generic form" jqt '.resolvers[0].records[0] | startswith("\\# 39 0001")'

# --- one ETA everywhere: stale, then a timeout (issue 8) ---------------------------
# (each run has its own endpoint: the responder counts queries for good)
for k in 0 1 2; do printf '127.0.20.6%s:5500 ZZ gone stale-then-silent\n127.0.20.2:5500 ZZ good new\n' $k >"$work/eta1$k.txt"; done
ETA1=("${NEW[@]}" --wait 10m --interval 1s --min-interval 1s --timeout 300ms --retries 0)
pw check -r "$work/eta10.txt" "${ETA1[@]}" --format json example.test
check "stale then silent: a timeout does not hold the gate (exit $rc)" [ "$rc" = 0 ]
check "stale then silent: it shows as a timeout" [ "$(status_of 127.0.20.60)" = timeout ]
e_row=$(jqo '.resolvers[] | select(.address=="127.0.20.60") | .eta_s')
e_sum=$(jqo '.summary.eta_s')
check "stale then silent: JSON row ETA = summary ETA ($e_row = $e_sum)" [ "$e_row" = "$e_sum" ]
check "stale then silent: the ETA is what its cache holds (~299 s: $e_row)" awk -v e="$e_row" 'BEGIN{exit !(e > 290 && e < 300)}'
pw check -r "$work/eta11.txt" "${ETA1[@]}" --format csv example.test
e_csv=$(awk -F, '$1=="127.0.20.61" {print $20}' "$work/out")
check "stale then silent: CSV ETA (~299 s: $e_csv)" awk -v e="$e_csv" 'BEGIN{exit !(e > 290 && e < 300)}'
NO_COLOR=1 pw check -r "$work/eta12.txt" "${ETA1[@]}" example.test
check "stale then silent: text summary gives the fleet ETA" grep -Eq "all stale caches expire by [0-9:]+ \(in 4m 5[0-9]s\)" "$work/out"
check "stale then silent: text row gives the same ETA" grep -Eq "127\.0\.20\.62:5500 +timeout +- +4m 5[0-9]s" "$work/out"

# --- compare (the lab checks every probe's verdict; here the basics) -------------
printf '127.0.20.2:5500 ZZ good new\n127.0.20.3:5500 ZZ broken silent\n127.0.20.5:5500 ZZ broken refused\n' >"$work/cmp.txt"
pw compare -r "$work/cmp.txt" --timeout 300ms --samples 3 --format json example.test MX
check "compare: exit 0 when some resolver answered (exit $rc)" [ "$rc" = 0 ]
check "compare: a JSON object per resolver" [ "$(jqo '.resolvers | length')" = 3 ]
check "compare: latency of the good one, none for the silent one" \
	jqt '(.resolvers[0].latency_ms.p50 > 0) and (.resolvers[1].latency_ms == null) and (.resolvers[1].answered == false)'
check "compare: refused is answered, but no DNSSEC verdict" jqt '.resolvers[2].answered and .resolvers[2].dnssec == null'
check "compare: probes bounded: queries per resolver in the output" jqt '.probes.queries_per_resolver == 21'
# --duration: the TTL watch's findings survive the judging (they once came
# out null: judging started each behaviour afresh after the watch).
pw compare -r "$work/cmp.txt" --timeout 300ms --samples 1 --duration 2s --interval 1s --format json example.test MX
check "compare --duration: anomalies known (a list) for the answering one, null for the silent one" \
	jqt '(.resolvers[0].anomalies | type == "array") and .resolvers[1].anomalies == null'
printf '127.0.20.3:5500 ZZ broken silent\n' >"$work/cmp0.txt"
pw compare -r "$work/cmp0.txt" --timeout 200ms --samples 1 example.test
check "compare: nobody answered: exit 3 (exit $rc)" [ "$rc" = 3 ] && grep -q "no resolver answered" "$work/err"
pw compare -r "$work/cmp.txt" --samples 0 example.test
check "compare: --samples 0 is exit 2 (exit $rc)" [ "$rc" = 2 ] && grep -q -- "--samples" "$work/err"
pw compare -r "$work/cmp.txt" --wait 5s example.test
check "compare: --wait does not apply (exit $rc)" [ "$rc" = 2 ] && grep -q "does not apply to compare" "$work/err"
NO_COLOR=1 pw compare -r "$work/cmp.txt" --timeout 300ms --samples 2 example.test
check "compare: text table and groups" grep -q "^no answer at all: 1" "$work/out"
pw compare -r "$work/cmp.txt" --timeout 300ms --samples 2 --format csv example.test
check "compare: CSV header and a row per resolver" [ "$(wc -l <"$work/out")" = 4 ]

# --- bad input: clear errors, exit 2 ------------------------------------------------
printf '127.0.0.1 ZZ ok\n300.1.2.3 ZZ bad\n' >"$work/bad.txt"
pw check -r "$work/bad.txt" example.test
check "bad list line: exit 2 naming file:line" [ "$rc" = 2 ] && grep -q "bad.txt:2:" "$work/err"
pw check -r "$work/missing.txt" example.test
check "missing list: exit 2" [ "$rc" = 2 ] && grep -q "missing.txt" "$work/err"
pw check -r "$list" --timeout 5parsecs example.test
check "bad duration: exit 2 naming the option" [ "$rc" = 2 ] && grep -q -- "--timeout" "$work/err"
pw check -r "$list" --expect "ten mx.example.test." example.test
check "bad --expect rdata: exit 2" [ "$rc" = 2 ] && grep -q -- "--expect" "$work/err"
pw check -r "$list" --country XX example.test
check "filters leaving nothing: exit 2" [ "$rc" = 2 ]
pw check -r "$list" --bogus example.test
check "unknown option: exit 2" [ "$rc" = 2 ]
pw check -r "$list" example.test NOTATYPE
check "unknown type: exit 2" [ "$rc" = 2 ] && grep -q "NOTATYPE" "$work/err"
pw check -r "$list"
check "missing NAME: exit 2" [ "$rc" = 2 ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

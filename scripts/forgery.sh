#!/usr/bin/env bash
# scripts/forgery.sh -- how hard is it to make propwatch believe a forged
# reply? (make forgery; root: raw sockets on lo)
#
#   bash scripts/forgery.sh PROPWATCH RESPONDER [SECONDS]
#
# 1. Source ports: a sweep of 2,000 loopback resolvers, sniffed on lo:
#    how many distinct source ports, how many names in mixed (0x20) case.
# 2. Blind forger: while propwatch waits on 50 silent resolvers (timeout
#    SECONDS), tests/lib/forge.py sends replies forged from their addresses
#    to random ports of the ephemeral range, random IDs, random case.
# 3. On-path forger: the same, but to the very port each query left from
#    (sniffed): it must still guess the ID and the 0x20 spelling.
# Prints how many were sent and believed, beside the odds per packet
# computed from ports, IDs and letters. Loopback only.
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
PW=${1:?propwatch}
RSP=${2:?pw-responder}
SECS=${3:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/pw-forge.XXXXXX)
rpid=
cleanup() { [ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

cat >"$W/r.conf" <<'CONF'
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. h.example.test. 2 3600 600 86400 300
range 127.0.70.1 2000 5900 serve=B
range 127.0.90.1 50 5900 silent
CONF
awk 'BEGIN{for(i=0;i<2000;i++){n=70*256+1+i; printf "127.0.%d.%d:5900 ZZ r\n", int(n/256), n%256}}' >"$W/sweep.txt"
awk 'BEGIN{for(i=1;i<=50;i++) printf "127.0.90.%d:5900 ZZ silent\n", i}' >"$W/silent.txt"
"$RSP" -c "$W/r.conf" >"$W/rsp.out" 2>"$W/rsp.err" &
rpid=$!
for _ in $(seq 100); do grep -q ready "$W/rsp.out" 2>/dev/null && break; sleep 0.1; done
PY=python3
EXP=(--expect "10 mx-new.example.test.")

echo "== 1. source ports of one sweep of 2,000 resolvers"
$PY "$HERE/tests/lib/forge.py" sniff 5900 8 "$W/sniff.json" &
spid=$!
for _ in $(seq 100); do [ -e "$W/sniff.json.ready" ] && break; sleep 0.05; done
"$PW" check -r "$W/sweep.txt" "${EXP[@]}" --timeout 1s --retries 0 --format json example.test >"$W/sweep.json"
wait $spid
jq -r '"queries \(.queries), distinct source ports \(.ports), names in mixed case \(.mixed_case)"' "$W/sniff.json"
jq -r '"propwatch: \(.summary.new) of \(.summary.total) answered new"' "$W/sweep.json"

for mode in blind on-path; do
	echo "== $mode forger: 50 silent resolvers, propwatch waits ${SECS}s"
	flag=; [ $mode = on-path ] && flag=--know-port
	rm -f "$W/spray.json.ready"
	$PY "$HERE/tests/lib/forge.py" spray "$W/silent.txt" 5900 "$((SECS + 1))" example.test 15 "$W/spray.json" $flag &
	fpid=$!
	for _ in $(seq 100); do [ -e "$W/spray.json.ready" ] && break; sleep 0.05; done
	"$PW" check -r "$W/silent.txt" "${EXP[@]}" --timeout "${SECS}s" --retries 0 -j 1 --format json example.test >"$W/$mode.json"
	wait $fpid
	believed=$(jq '[.resolvers[] | select((.records // []) | any(test("forged")))] | length' "$W/$mode.json")
	flagged=$(jq '[.resolvers[] | select(.status == "error")] | length' "$W/$mode.json")
	sent=$(jq .sent "$W/spray.json")
	echo "forged replies sent: $sent; believed: $believed of 50 queries; rejected and counted: $(jq .summary.dropped "$W/$mode.json") (wrong ID or case, $flagged queries end as \"only invalid replies\"), $(jq .summary.stray "$W/$mode.json") stray (no query to that address on that port)"
done

lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range); hi=$(cut -f2 /proc/sys/net/ipv4/ip_local_port_range)
awk -v r=$((hi - lo + 1)) 'BEGIN {
	# example.test has 11 letters: 2^11 spellings; 65536 IDs; r ports.
	printf "computed, per forged packet aimed at one query of example.test (11 letters):\n"
	printf "  blind (port, ID and case unknown):   1/%d x 1/65536 x 1/2048 = %.2g\n", r, 1 / (r * 65536 * 2048)
	printf "  on-path port (ID and case unknown):  1/65536 x 1/2048        = %.2g\n", 1 / (65536 * 2048)
	printf "  forcing the 0x20 fallback instead:   1/65536, then two replies that agree on\n"
	printf "                                       two fresh IDs: 1/65536^2 = %.2g per pair\n", 1 / (65536 * 65536)
	printf "  the engine before (16 ports for the sweep, 2 IDs, no 0x20): 16/%d x 2/65536 = %.2g\n", r, 16 / r * 2 / 65536 }'

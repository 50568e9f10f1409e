#!/usr/bin/env bash
# tests/lab/compare.sh -- propwatch compare against the lab: every probe's
# verdict for every endpoint, against tests/lab/compare-expect.tsv (which
# was measured with kdig: doc/LAB.md says how). Needs the lab up (it is
# called by tests/lab/run.sh while it is); prints ok/FAIL and a tally.
#
#   PROPWATCH=... LAB_DIR=/tmp/propwatch-lab bash tests/lab/compare.sh
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
: "${PROPWATCH:?set PROPWATCH}"
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/pw-labcmp.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; }

# The probe names of the lab (doc/LAB.md): NAME www.signed.test, so the
# random NXDOMAIN labels go under a signed zone every endpoint resolves.
start=$(date +%s.%N)
"$PROPWATCH" compare -r "$LAB_DIR/resolvers-all.txt" --signed www.signed.test --bogus www.bogus.test \
	--format json www.signed.test A >"$work/c.json" 2>"$work/c.err"
rc=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
[ $rc = 0 ] && ok "compare over the lab: exit 0 (${took}s)" || bad "compare exit $rc: $(head -3 "$work/c.err")"
jq -e . "$work/c.json" >/dev/null 2>&1 && ok "compare JSON parses" || bad "compare JSON parses"

# One line per endpoint in the expectation's column order, "-" for null.
jq -r 'def s: if . == null then "-" else tostring end;
	.resolvers[] | [.address,
	(.dnssec | s), (.nxdomain | s),
	(if (.rewrite_to | length) > 0 then (.rewrite_to | join(" ")) else "-" end),
	(.tcp | s), (.edns.ok | s), (.edns.udp_size | s), (.edns.badvers | s),
	(.edns.unknown_option_ok | s),
	(.identity.nsid | s), (.identity.id_server | s), (.identity.hostname_bind | s),
	(.identity.version_bind | s), (.identity.version_server | s),
	(.ecs | s), (.case_preserved | s)] | @tsv' "$work/c.json" >"$work/got.tsv"
cols=$(head -1 "$here/compare-expect.tsv" | cut -f3- | tr '\t' ' ')
while IFS=$'\t' read -r addr software rest; do
	[[ $addr == address || -z $addr ]] && continue
	want=$(printf '%s' "$rest")
	got=$(awk -F'\t' -v a="$addr" '$1 == a { $1 = ""; sub(/^\t/, ""); print; exit }' OFS='\t' "$work/got.tsv")
	if [ -z "$got" ]; then bad "$addr ($software): not in the output"; continue; fi
	# The endpoint behind a proxy losing 30% of packets may lose a probe
	# and its retry: an unknown ("-") is no wrong verdict there.
	lossy=0; [[ $software == *loss* ]] && lossy=1
	diffs=$(paste <(tr '\t' '\n' <<<"$want") <(tr '\t' '\n' <<<"$got") <(tr ' ' '\n' <<<"$cols") |
		awk -F'\t' -v lossy=$lossy '$1 != $2 && !(lossy && $2 == "-") { printf "%s: want %s got %s; ", $3, $1, $2 }')
	if [ -z "$diffs" ]; then ok "$addr ($software): every probe as expected"; else bad "$addr ($software): $diffs"; fi
done <"$here/compare-expect.tsv"
# TTL honesty: --duration watches NAME's TTLs with the tracker.
grep -E '^127\.0\.1\.(1|2|42)[ :]' "$LAB_DIR/resolvers.txt" >"$work/ttl.txt"
"$PROPWATCH" compare -r "$work/ttl.txt" --duration 8s --interval 3s --samples 2 --format json \
	example.test MX >"$work/d.json" 2>"$work/d.err"
an() { jq -r --arg a "$1" '.resolvers[] | select(.address == $a) | .anomalies | if . == null then "null" else join(",") end' "$work/d.json"; }
[ "$(an 127.0.1.2)" = ttl-above-auth ] && ok "--duration: the min-TTL clamp (127.0.1.2) is ttl-above-auth" || bad "--duration: 127.0.1.2 anomalies '$(an 127.0.1.2)'"
[ "$(an 127.0.1.42)" = no-countdown ] && ok "--duration: dnsmasq without cache (127.0.1.42) is no-countdown" || bad "--duration: 127.0.1.42 anomalies '$(an 127.0.1.42)'"
[ "$(an 127.0.1.1)" = "" ] && ok "--duration: the plain cache (127.0.1.1) bends nothing" || bad "--duration: 127.0.1.1 anomalies '$(an 127.0.1.1)'"
echo "compare: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

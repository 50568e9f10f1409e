#!/bin/bash
# Check propwatch's flip predictions against what resolvers really do.
#
#   PROPWATCH=bin tests/lib/eta-probe.sh OUTFILE [propwatch check options...] NAME [TYPE]
#
# Takes ONE snapshot with `propwatch check --format json`: for every resolver
# still serving a not-new answer, its ETA (eta_s) predicts when it will flip.
# Then polls with single sweeps every 0.25 s, independently of propwatch's own
# scheduling, and notes when each resolver is first seen new. Writes a table
# (address, label, anomalies, predicted s, observed s, observed - predicted)
# to OUTFILE; times are seconds after the snapshot. Polling ends when every
# predicted resolver has flipped or 10 s after the latest prediction.
set -uo pipefail
out=${1:?usage: eta-probe.sh OUTFILE [check options] NAME [TYPE]}
shift
: "${PROPWATCH:?set PROPWATCH}"
tmp=$(mktemp -d /tmp/pw-eta.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
t0=$(now)
"$PROPWATCH" check --format json "$@" >"$tmp/snap.json" 2>/dev/null
t1=$(now)
# The snapshot's clock is the middle of its sweep.
base=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (a + b) / 2}')
jq -r '.resolvers[] | select(.status != "new" and .eta_s != null)
       | [.address + ":" + (.port|tostring), .label, (if (.anomalies | length) > 0 then (.anomalies | join(",")) else "-" end), .eta_s] | @tsv' \
	"$tmp/snap.json" >"$tmp/pred.tsv"
if [ ! -s "$tmp/pred.tsv" ]; then
	echo "# no resolver with a pending flip in the snapshot" >"$out"
	exit 0
fi
latest=$(cut -f4 "$tmp/pred.tsv" | sort -g | tail -1)
deadline=$(awk -v b="$base" -v l="$latest" 'BEGIN{printf "%.3f", b + l + 10}')
: >"$tmp/seen.tsv"
while awk -v n="$(now)" -v d="$deadline" 'BEGIN{exit !(n < d)}'; do
	ts=$(now)
	"$PROPWATCH" check --format json --timeout 400ms --retries 0 "$@" 2>/dev/null |
		jq -r '.resolvers[] | select(.status == "new") | .address + ":" + (.port|tostring)' >"$tmp/new.txt"
	te=$(now)
	mid=$(awk -v a="$ts" -v b="$te" -v base="$base" 'BEGIN{printf "%.2f", (a + b) / 2 - base}')
	while read -r key; do
		grep -q "^$key	" "$tmp/seen.tsv" || printf '%s\t%s\n' "$key" "$mid" >>"$tmp/seen.tsv"
	done <"$tmp/new.txt"
	pending=0
	while IFS=$'\t' read -r key _; do
		grep -q "^$key	" "$tmp/seen.tsv" || pending=$((pending + 1))
	done <"$tmp/pred.tsv"
	[ "$pending" -eq 0 ] && break
	sleep 0.25
done
{
	printf '# address\tlabel\tanomalies\tpredicted_s\tobserved_s\tdelta_s\n'
	while IFS=$'\t' read -r key label anom eta; do
		obs=$(awk -F'\t' -v k="$key" '$1 == k { print $2 }' "$tmp/seen.tsv")
		if [ -n "$obs" ]; then
			delta=$(awk -v o="$obs" -v p="$eta" 'BEGIN{printf "%+.2f", o - p}')
		else
			obs="never"; delta="-"
		fi
		printf '%s\t%s\t%s\t%.1f\t%s\t%s\n' "$key" "$label" "${anom:--}" "$eta" "$obs" "$delta"
	done <"$tmp/pred.tsv"
} >"$out"

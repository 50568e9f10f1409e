#!/bin/bash
# Check propwatch's flip predictions against what resolvers really do.
#
#   PROPWATCH=bin tests/lib/eta-probe.sh OUTFILE [propwatch check options...] NAME [TYPE]
#
# Takes ONE snapshot with `propwatch check --format json`: for every resolver
# still serving a not-new answer, its ETA (eta_s) predicts when it will flip.
# Then polls just those resolvers with single sweeps every 0.25 s or so,
# independently of propwatch's own scheduling. A flip happened between the
# last poll that saw the old answer and the first that saw the new one; the
# observed time is the middle of that window. Writes a table (address, label,
# anomalies, predicted s, observed s, observed - predicted, window) to
# OUTFILE; times are seconds after the snapshot. Polling ends when every
# predicted resolver has flipped or 10 s after the latest prediction.
# The options must include -r LIST (it is replaced for the polls).
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
out=${1:?usage: eta-probe.sh OUTFILE [check options] NAME [TYPE]}
shift
: "${PROPWATCH:?set PROPWATCH}"
tmp=$(mktemp -d /tmp/pw-eta.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
"$PROPWATCH" check --format json "$@" >"$tmp/snap.json" 2>/dev/null
# Every eta_s counts from the report's own time.
base=$(jq -r '.summary.time' "$tmp/snap.json")
jq -r '.resolvers[] | select(.status != "new" and .eta_s != null)
       | [.address + ":" + (.port|tostring), .label, (if (.anomalies | length) > 0 then (.anomalies | join(",")) else "-" end), .eta_s] | @tsv' \
	"$tmp/snap.json" >"$tmp/pred.tsv"
if [ ! -s "$tmp/pred.tsv" ]; then
	echo "# no resolver with a pending flip in the snapshot" >"$out"
	exit 0
fi
latest=$(cut -f4 "$tmp/pred.tsv" | sort -g | tail -1)
# Poll only the resolvers with a prediction: one silent resolver elsewhere
# in the list would stretch every poll to the timeout.
jq -r '.resolvers[] | select(.status != "new" and .eta_s != null)
       | (if (.address | contains(":")) then "[" + .address + "]" else .address end)
         + ":" + (.port|tostring) + " " + .country + " " + .operator + " " + .label' \
	"$tmp/snap.json" >"$tmp/poll.txt"
poll_args=()
while (($#)); do
	if [ "$1" = -r ]; then poll_args+=(-r "$tmp/poll.txt"); shift 2; else poll_args+=("$1"); shift; fi
done
deadline=$(awk -v b="$base" -v l="$latest" 'BEGIN{printf "%.3f", b + l + 10}')
: >"$tmp/seen.tsv"
: >"$tmp/old.tsv"
while awk -v n="$(now)" -v d="$deadline" 'BEGIN{exit !(n < d)}'; do
	ts=$(now)
	"$PROPWATCH" check --format json --timeout 400ms --retries 0 "${poll_args[@]}" 2>/dev/null |
		jq -r '.resolvers[] | (.address + ":" + (.port|tostring)) + "\t" + .status' >"$tmp/poll.tsv"
	# A poll's queries all go out at its start and come back in
	# milliseconds: that is when it saw what it saw.
	mid=$(awk -v a="$ts" -v base="$base" 'BEGIN{printf "%.2f", a - base}')
	while IFS=$'\t' read -r key st; do
		if [ "$st" = new ]; then
			grep -q "^$key	" "$tmp/seen.tsv" || printf '%s\t%s\n' "$key" "$mid" >>"$tmp/seen.tsv"
		elif ! grep -q "^$key	" "$tmp/seen.tsv"; then
			printf '%s\t%s\n' "$key" "$mid" >>"$tmp/old.tsv" # last poll still old
		fi
	done <"$tmp/poll.tsv"
	pending=0
	while IFS=$'\t' read -r key _; do
		grep -q "^$key	" "$tmp/seen.tsv" || pending=$((pending + 1))
	done <"$tmp/pred.tsv"
	[ "$pending" -eq 0 ] && break
	sleep 0.25
done
{
	printf '# address\tlabel\tanomalies\tpredicted_s\tobserved_s\tdelta_s\twindow_s\n'
	while IFS=$'\t' read -r key label anom eta; do
		first=$(awk -F'\t' -v k="$key" '$1 == k { print $2 }' "$tmp/seen.tsv")
		last=$(awk -F'\t' -v k="$key" '$1 == k { v = $2 } END { print v }' "$tmp/old.tsv")
		[ -n "$last" ] || last=0
		if [ -n "$first" ]; then
			obs=$(awk -v a="$last" -v b="$first" 'BEGIN{printf "%.2f", (a + b) / 2}')
			delta=$(awk -v o="$obs" -v p="$eta" 'BEGIN{printf "%+.2f", o - p}')
			win="$last..$first"
		else
			obs="never"; delta="-"; win="-"
		fi
		printf '%s\t%s\t%s\t%.1f\t%s\t%s\t%s\n' "$key" "$label" "${anom:--}" "$eta" "$obs" "$delta" "$win"
	done <"$tmp/pred.tsv"
} >"$out"

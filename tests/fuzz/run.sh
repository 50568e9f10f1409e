#!/bin/sh
# tests/fuzz/run.sh DIR: run every fuzz harness in DIR for FUZZ_SECONDS
# (default 15) from its committed seed corpus. New inputs go to a scratch
# corpus, so the committed one stays as it is; a crash is kept in DIR and
# fails the run. FUZZ_RUNS=N runs N inputs instead (for long runs).
set -u
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-15}
bad=0
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	kind=${name#fuzz_}
	scratch=$(mktemp -d /tmp/pw-fuzz.XXXXXX)
	if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$secs"; fi
	"$bin" $limit -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/$name-" "$scratch" "$here/corpus/$kind" \
		>"$dir/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$name.log")
	if [ $rc -eq 0 ]; then
		echo "fuzz $kind: ${runs:-?} runs, no crash"
	else
		echo "fuzz $kind: FAILED (exit $rc), see $dir/$name.log"
		grep -m5 -E 'ERROR|SUMMARY|Test unit written' "$dir/$name.log"
		bad=1
	fi
	rm -rf "$scratch"
done
exit $bad

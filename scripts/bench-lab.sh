#!/usr/bin/env bash
# scripts/bench-lab.sh PROPWATCH -- timings on the real-resolver lab
# (make bench runs it): compare over all 41 endpoints with the default
# samples, median of RUNS. Takes the lab lock, brings the lab up and down.
# Figures only: no goal is asserted here (compare: at most 3 s).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
PW=${1:?propwatch}
RUNS=${RUNS:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
export LAB_DIR
if ! bash "$HERE/lab.sh" deps >/dev/null 2>&1; then
	echo "lab     skipped: the lab's software is missing (scripts/lab.sh deps)"
	exit 0
fi
exec 9>/tmp/propwatch-lab.lock
flock 9
trap 'bash "$HERE/lab.sh" down >/dev/null 2>&1' EXIT
bash "$HERE/lab.sh" up >/dev/null 2>&1 || { echo "lab     skipped: lab.sh up failed"; exit 0; }
now() { date +%s.%N; }
: >/tmp/pw-bench-lab.$$
for _ in $(seq "$RUNS"); do
	t0=$(now)
	"$PW" compare -r "$LAB_DIR/resolvers-all.txt" --signed www.signed.test --bogus www.bogus.test \
		--format json www.signed.test A >/dev/null 2>&1
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}' >>/tmp/pw-bench-lab.$$
done
med=$(sort -g /tmp/pw-bench-lab.$$ | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
rm -f /tmp/pw-bench-lab.$$
n=$(grep -cE '^[0-9[]' "$LAB_DIR/resolvers-all.txt")
printf "lab     compare    %d endpoints, default samples: wall median %.2f s of %d runs (goal <= 3 s)\n" "$n" "$med" "$RUNS"

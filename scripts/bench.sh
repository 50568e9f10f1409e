#!/bin/bash
# Benchmark propwatch's engine on loopback and print figures (no pass/fail:
# a noisy 2-core machine makes timed assertions flaky; read the numbers).
#
#   scripts/bench.sh PROPWATCH RESPONDER      (or: make bench)
#
# Scenarios, each asking every endpoint once (one sweep):
#   all     10,000 endpoints of pw-responder, all answering
#   silent  10,000 endpoints, 1,000 of them never answer (timeout 1s, no retries)
# For each: wall time of the whole propwatch process (median and best of
# BENCH_RUNS, default 5), the sweep time it reports itself, peak RSS, and
# whether every answer sent was collected. `dig -f` and `kdig` run the same
# 10,000 questions in the same run for comparison.
#   mail    one `propwatch mail clean.test` over every endpoint of the lab
#           (resolvers-all.txt, the validating 127.0.1.61 first), when a lab
#           is up in LAB_DIR (default /tmp/propwatch-lab); skipped otherwise.
#           The lab is shared: run it under the lab lock, e.g.
#           flock /tmp/propwatch-lab.lock bash -c 'scripts/lab.sh up && make bench; scripts/lab.sh down'
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -euo pipefail

PROPWATCH=${1:?usage: bench.sh PROPWATCH RESPONDER}
RESPONDER=${2:?usage: bench.sh PROPWATCH RESPONDER}
RUNS=${BENCH_RUNS:-5}
PORT=${BENCH_PORT:-5600}
N=10000
work=$(mktemp -d /tmp/pw-bench.XXXXXX)
rsp=""
cleanup() { [ -n "$rsp" ] && kill "$rsp" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat >"$work/responder.conf" <<CONF
set A example.test. 300 IN MX 10 mx1.example.test.
set A example.test. 300 IN MX 20 mx2.example.test.
set A example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
range 127.12.0.1 $N $PORT serve=A
range 127.13.0.1 1000 $PORT silent
CONF
# 127.12.0.1 + i, written out without any tool beyond awk.
awk -v n=$N -v port=$PORT 'BEGIN { for (i = 0; i < n; i++) { a = i + 1;
	printf "127.12.%d.%d:%d ZZ bench e%d\n", int(a / 256), a % 256, port, i } }' >"$work/all.txt"
{ head -n $((N - 1000)) "$work/all.txt"
  awk -v port=$PORT 'BEGIN { for (i = 0; i < 1000; i++) { a = i + 1;
	printf "127.13.%d.%d:%d ZZ bench s%d\n", int(a / 256), a % 256, port, i } }'; } >"$work/silent.txt"

"$RESPONDER" -c "$work/responder.conf" >"$work/rsp.out" 2>"$work/rsp.err" &
rsp=$!
for _ in $(seq 100); do grep -q ready "$work/rsp.out" && break; sleep 0.05; done
grep -q ready "$work/rsp.out" || { echo "responder did not start:"; head -3 "$work/rsp.err"; exit 1; }

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -g | head -1; }

# run_pw LIST: one propwatch sweep; appends "wall sweep rss_kib new timeout" to $work/runs
run_pw() {
	local t0 t1
	t0=$(now)
	/usr/bin/time -f "%M" -o "$work/rss" "$PROPWATCH" check -r "$1" --expect "10 mx1.example.test." \
		--expect "20 mx2.example.test." --timeout 1s --retries 0 --format csv example.test MX \
		>"$work/out.csv" 2>"$work/err" || true
	t1=$(now)
	awk -F, -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" -v rss="$(tail -1 "$work/rss")" '
		NR > 1 { n[$7]++ } END { printf "%s %s %d %d\n", w, rss, n["new"], n["timeout"] }' "$work/out.csv" >>"$work/runs"
}

scenario() {
	local name=$1 list=$2 expect_new=$3
	: >"$work/runs"
	for _ in $(seq "$RUNS"); do run_pw "$list"; done
	local wall_med wall_best rss_max newmin tmo
	wall_med=$(awk '{print $1}' "$work/runs" | median)
	wall_best=$(awk '{print $1}' "$work/runs" | best)
	rss_max=$(awk '{print $2}' "$work/runs" | sort -g | tail -1)
	newmin=$(awk '{print $3}' "$work/runs" | sort -g | head -1)
	tmo=$(awk '{print $4}' "$work/runs" | sort -g | tail -1)
	# The sweep alone, as propwatch measures it (JSON elapsed_s), once more.
	local sweep
	sweep=$("$PROPWATCH" check -r "$list" --expect "10 mx1.example.test." --expect "20 mx2.example.test." \
		--timeout 1s --retries 0 --format json example.test MX 2>/dev/null | jq -r .summary.elapsed_s)
	printf "%-7s propwatch  wall median %.3f s, best %.3f s; sweep %.3f s; peak RSS %.1f MiB; answers %d/%d%s; timeouts %d\n" \
		"$name" "$wall_med" "$wall_best" "$sweep" "$(awk -v k="$rss_max" 'BEGIN{print k/1024}')" \
		"$newmin" "$expect_new" "$([ "$newmin" -eq "$expect_new" ] && echo " (all)" || echo " (LOST SOME)")" "$tmo"
	echo "$wall_med" >"$work/pw_$name"
}

echo "propwatch benchmark: $N loopback endpoints, $(nproc) cores, $RUNS runs each; $(date -u +%FT%TZ)"
scenario all "$work/all.txt" $N
scenario silent "$work/silent.txt" $((N - 1000))

# Peers, same 10,000 questions to the all-answering endpoints.
awk -F'[ :]' '{ printf "@%s -p %s example.test MX +tries=1 +time=1\n", $1, $2 }' "$work/all.txt" >"$work/dig.batch"
t0=$(now); dig -f "$work/dig.batch" >"$work/dig.out" 2>&1 || true; t1=$(now)
dig_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
dig_answers=$(grep -c "status: NOERROR" "$work/dig.out" || true)
pw_all=$(cat "$work/pw_all")
printf "%-7s dig -f     wall %.3f s; answers %d/%d; propwatch is %.1fx faster\n" all "$dig_wall" "$dig_answers" $N \
	"$(awk -v d="$dig_wall" -v p="$pw_all" 'BEGIN{print d/p}')"
if command -v kdig >/dev/null; then
	args=()
	while IFS=' :' read -r a p _; do args+=("@$a" -p "$p" +timeout=1 +retry=0 example.test MX); done <"$work/all.txt"
	t0=$(now); kdig "${args[@]}" >"$work/kdig.out" 2>&1 || true; t1=$(now)
	kdig_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')
	kdig_answers=$(grep -c "status: NOERROR" "$work/kdig.out" || true)
	printf "%-7s kdig       wall %.3f s; answers %d/%d; propwatch is %.1fx faster\n" all "$kdig_wall" "$kdig_answers" $N \
		"$(awk -v d="$kdig_wall" -v p="$pw_all" 'BEGIN{print d/p}')"
fi
# mail: a whole run (lint and the propagation of every record) across the lab.
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
if [ -s "$LAB_DIR/resolvers-all.txt" ] && command -v kdig >/dev/null &&
	kdig @127.0.1.61 clean.test SOA +short +timeout=1 +retry=0 2>/dev/null | grep -q .; then
	{ grep -E '^127\.0\.1\.61[[:space:]]' "$LAB_DIR/resolvers-all.txt"
	  grep -v '^#' "$LAB_DIR/resolvers-all.txt" | grep -vE '^127\.0\.1\.61[[:space:]]'; } >"$work/mail.txt"
	nres=$(wc -l <"$work/mail.txt")
	: >"$work/mail.runs"
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		"$PROPWATCH" mail -r "$work/mail.txt" --dkim-selector sel1 --timeout 1s --retries 0 \
			--format json clean.test >"$work/mail.json" 2>/dev/null || true
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}' >>"$work/mail.runs"
	done
	printf "%-7s propwatch  wall median %.3f s, best %.3f s; clean.test over %d lab resolvers (--timeout 1s --retries 0); %s findings, %s of %s records propagated, exit %s\n" \
		mail "$(median <"$work/mail.runs")" "$(best <"$work/mail.runs")" "$nres" \
		"$(jq '.findings | length' "$work/mail.json")" "$(jq .summary.propagated "$work/mail.json")" \
		"$(jq .summary.records "$work/mail.json")" "$(jq .summary.exit "$work/mail.json")"
else
	printf "%-7s skipped: no lab up in %s (flock /tmp/propwatch-lab.lock bash -c 'scripts/lab.sh up && make bench; scripts/lab.sh down')\n" mail "$LAB_DIR"
fi
echo "goals: all <= 0.25 s, silent <= 1.2 s, peak RSS <= 32 MiB, every answer collected, mail <= 2 s"

#!/bin/bash
# Benchmark propwatch's engine on loopback and print figures (no pass/fail:
# a noisy 2-core machine makes timed assertions flaky; read the numbers).
#
#   scripts/bench.sh PROPWATCH RESPONDER WALLTIME [FLOOR]   (or: make bench)
#
# Scenarios, each one sweep asking every endpoint once, the way issue 12
# states its goals (pw-responder serves; median of BENCH_RUNS, default 3):
#   all     10,000 endpoints, all answering, --format json to a file
#   silent  10,000 endpoints, 1,000 of them never answer (timeout 1s, no retries)
#   60k     59,700 endpoints on three responders of 19,900 (a process may
#           hold 20,000 files here), JSON; every answer a responder says it
#           sent (its own counters, SIGUSR1) must be in the report
#   idle    `propwatch watch` on 250 resolvers in a headless tmux: CPU between
#           sweeps, as a share of one core, over BENCH_IDLE_S (default 20) s
#   mail    one `propwatch mail clean.test` over every endpoint of the lab
#           (resolvers-all.txt, the validating 127.0.1.61 first), when a lab
#           is up in LAB_DIR (default /tmp/propwatch-lab); skipped otherwise.
#           The lab is shared: run it under the lab lock, e.g.
#           flock /tmp/propwatch-lab.lock bash -c 'scripts/lab.sh up && make bench; scripts/lab.sh down'
# Also the 10,000 with --format csv and text, and `dig -f` and `kdig` on
# the same 10,000 questions in the same run, with propwatch's ratio to them,
# and the floor: pw-floor (tests/bench/floor.c) making only the system
# calls propwatch makes per query, with nothing parsed or matched, on the
# same 10,000 and the same silent list. On a slower machine every figure
# rises; what propwatch adds above the floor is its own.
# Each scenario also says how much CPU time the host took from this VM
# meanwhile ("steal" in /proc/stat): on a busy host a run here is slower by
# about that share, and its figures are not the machine's.
# Nothing a benchmark starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -euo pipefail

PROPWATCH=${1:?usage: bench.sh PROPWATCH RESPONDER WALLTIME}
RESPONDER=${2:?usage: bench.sh PROPWATCH RESPONDER WALLTIME}
# Wall time from fork to exit, and peak RSS (tests/bench/walltime.c).
WALLTIME=${3:?usage: bench.sh PROPWATCH RESPONDER WALLTIME}
FLOOR=${4:-}
RUNS=${BENCH_RUNS:-3}
PORT=${BENCH_PORT:-5600}
IDLE_S=${BENCH_IDLE_S:-20}
N=10000
BIG=19900
work=$(mktemp -d /tmp/pw-bench.XXXXXX)
pids=()
TM=(tmux -L pwbench-$$ -f /dev/null)
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null || true
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { sort -g | head -1; }
# "steal total" clock ticks of all CPUs so far (/proc/stat); without the
# field (no hypervisor accounting) steal reads 0.
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF && i <= 9; i++) t += $i; print ($9 == "" ? 0 : $9), t }' /proc/stat; }
# steal_pct "S0 T0" "S1 T1": the share of CPU time stolen between the two.
steal_pct() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x); split(b, y); d = y[2] - x[2];
	printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'; }
# Wait (deadline 10 s) for a line in a file.
wait_for() { # FILE REGEX
	for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}

# endpoints BASE_OCTET2 COUNT PORT LABEL: COUNT addresses 127.BASE.x.y, one per line.
endpoints() {
	awk -v b="$1" -v n="$2" -v port="$3" -v l="$4" 'BEGIN { for (i = 0; i < n; i++) { a = i + 1;
		printf "127.%d.%d.%d:%d ZZ bench %s%d\n", b + int(a / 65536), int(a / 256) % 256, a % 256, port, l, i } }'
}
zone='set A example.test. 300 IN MX 10 mx1.example.test.
set A example.test. 300 IN MX 20 mx2.example.test.
set A example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300'

# start NAME CONF: a responder with a stats file; its pid goes to pids.
start() {
	"$RESPONDER" -c "$2" -s "$work/$1.stats" >"$work/$1.out" 2>"$work/$1.err" &
	pids+=($!)
	echo $! >"$work/$1.pid"
	wait_for "$work/$1.out" ready || { echo "responder $1 did not start:"; head -3 "$work/$1.err"; exit 1; }
}
# sent NAME: answers that responder has sent so far (its own counter).
sent() {
	local pid f=$work/$1.stats
	pid=$(cat "$work/$1.pid")
	rm -f "$f"
	kill -USR1 "$pid"
	for _ in $(seq 200); do [ -s "$f" ] && break; sleep 0.05; done
	sed -n 's/^total .* sent=\([0-9]*\).*/\1/p' "$f"
}

printf '%s\nrange 127.12.0.1 %d %d serve=A\nrange 127.13.0.1 1000 %d silent\n' "$zone" $N "$PORT" "$PORT" \
	>"$work/small.conf"
endpoints 12 $N "$PORT" e >"$work/all.txt"
{ head -n $((N - 1000)) "$work/all.txt"; endpoints 13 1000 "$PORT" s; } >"$work/silent.txt"
start small "$work/small.conf"
: >"$work/big.txt"
for k in 0 1 2; do
	printf '%s\nrange 127.%d.0.1 %d %d serve=A\n' "$zone" $((20 + k)) $BIG $((PORT + 1 + k)) >"$work/big$k.conf"
	endpoints $((20 + k)) $BIG $((PORT + 1 + k)) b$k- >>"$work/big.txt"
	(ulimit -n 20000 2>/dev/null; exec "$RESPONDER" -c "$work/big$k.conf" -s "$work/big$k.stats" \
		>"$work/big$k.out" 2>"$work/big$k.err") &
	pids+=($!)
	echo $! >"$work/big$k.pid"
	wait_for "$work/big$k.out" ready || { echo "responder big$k did not start:"; head -3 "$work/big$k.err"; exit 1; }
done

# run_pw NAME LIST FORMAT RESPONDERS...: one sweep; appends
# "wall rss_kib new timeout answers_sent outer_wall" to $work/NAME.runs,
# outer_wall being the time between `date` before and after (issue 12's way,
# which also counts starting date and the stopwatch).
run_pw() {
	local name=$1 list=$2 fmt=$3 t0 t1 before=0 after=0 r wall rss
	shift 3
	for r in "$@"; do before=$((before + $(sent "$r"))); done
	t0=$(now)
	"$WALLTIME" "$work/wall" "$PROPWATCH" check -r "$list" --expect "10 mx1.example.test." \
		--expect "20 mx2.example.test." --timeout 1s --retries 0 --format "$fmt" example.test MX \
		>"$work/out.$fmt" 2>"$work/err" || true
	t1=$(now)
	read -r wall rss _ <"$work/wall"
	for r in "$@"; do after=$((after + $(sent "$r"))); done
	local counts
	if [ "$fmt" = json ]; then
		counts=$(jq -r '"\(.summary.new) \(.summary.timeout)"' "$work/out.json")
	elif [ "$fmt" = csv ]; then
		counts=$(awk -F, 'NR > 1 { n[$7]++ } END { printf "%d %d", n["new"], n["timeout"] }' "$work/out.csv")
	else
		counts="- -"
	fi
	echo "$wall $rss $counts $((after - before)) $(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" \
		>>"$work/$name.runs"
}

# floor_once NAME LIST: one pw-floor run over LIST, as propwatch's engine
# would go about it here (a worker a core, 16 queries a socket, 1 s),
# appended to $work/NAME.runs; its answers to $work/NAME.got.
floor_once() {
	"$WALLTIME" "$work/wall" "$FLOOR" "$2" "$(nproc)" 16 1000 >"$work/floor.out" 2>&1 || true
	awk '{print $1}' "$work/wall" >>"$work/$1.runs"
	awk '{print $2}' "$work/floor.out" >"$work/$1.got"
}

# scenario NAME LIST FORMAT EXPECT_NEW RESPONDERS...: with FLOOR set, the
# json scenarios of 10,000 alternate each run with a pw-floor run on the
# same list, so both see the same host.
scenario() {
	local name=$1 list=$2 fmt=$3 want=$4
	shift 4
	: >"$work/$name.runs"
	local c0 steal
	c0=$(cpu_ticks)
	local fl=
	[ -n "$FLOOR" ] && [ "$fmt" = json ] && [ "$name" != 60k ] && fl=$name-floor && : >"$work/$fl.runs"
	for _ in $(seq "$RUNS"); do
		run_pw "$name" "$list" "$fmt" "$@"
		[ -z "$fl" ] || floor_once "$fl" "$list"
	done
	steal=$(steal_pct "$c0" "$(cpu_ticks)")
	echo "$steal" >"$work/$name.steal"
	local med bst rss newmin tmo sentmin lost outer
	med=$(awk '{print $1}' "$work/$name.runs" | median)
	outer=$(awk '{print $6}' "$work/$name.runs" | median)
	bst=$(awk '{print $1}' "$work/$name.runs" | best)
	rss=$(awk '{print $2}' "$work/$name.runs" | sort -g | tail -1)
	echo "$med" >"$work/$name.wall"
	echo "$rss" >"$work/$name.rss"
	echo "$outer" >"$work/$name.outer"
	if [ "$fmt" = text ]; then
		printf "%-11s wall median %.3f s, best %.3f s (with date around it: %.3f s); peak RSS %.1f MiB; host steal %s%%\n" \
			"$name" "$med" "$bst" "$outer" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$steal"
		return
	fi
	newmin=$(awk '{print $3}' "$work/$name.runs" | sort -g | head -1)
	tmo=$(awk '{print $4}' "$work/$name.runs" | sort -g | tail -1)
	# Every answer a responder sent is in the report (no retries: one each).
	lost=$(awk '$5 != $3 { bad++ } END { print bad + 0 }' "$work/$name.runs")
	sentmin=$(awk '{print $5}' "$work/$name.runs" | sort -g | head -1)
	printf "%-11s wall median %.3f s, best %.3f s (with date around it: %.3f s); peak RSS %.1f MiB; new %d/%d; timeouts %d; responders sent %d, %s; host steal %s%%\n" \
		"$name" "$med" "$bst" "$outer" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$newmin" "$want" "$tmo" "$sentmin" \
		"$([ "$lost" = 0 ] && echo "all collected" || echo "$lost run(s) LOST answers")" "$steal"
	if [ -n "$fl" ]; then
		median <"$work/$fl.runs" >"$work/$fl.wall"
		printf "%-11s pw-floor   wall median %.3f s, best %.3f s; answers %s (the floor: these system calls and nothing else, run alternately with the above)\n" \
			"$fl" "$(cat "$work/$fl.wall")" "$(best <"$work/$fl.runs")" "$(cat "$work/$fl.got")"
	fi
}

# idle: watch on 250 resolvers; CPU share of one core between sweeps.
idle() {
	head -n 250 "$work/all.txt" >"$work/idle.txt"
	local before after q pid
	before=$(sent small)
	q=$(printf '%q ' "$PROPWATCH" watch -r "$work/idle.txt" --expect "10 mx1.example.test." \
		--expect "20 mx2.example.test." --interval 10m --timeout 1s example.test MX)
	"${TM[@]}" new-session -d -s idle -x 160 -y 50 "env TERM=screen LANG=C.UTF-8 $q 2>$work/idle.err"
	pid=
	for _ in $(seq 100); do pid=$(pgrep -n -f "$PROPWATCH watch -r $work/idle.txt" || true); [ -n "$pid" ] && break; sleep 0.1; done
	[ -n "$pid" ] || { echo "idle        watch did not start: $(head -2 "$work/idle.err")"; return; }
	# The first sweep is over once the responder has answered all 250.
	for _ in $(seq 100); do
		after=$(sent small)
		[ $((after - before)) -ge 250 ] && break
		sleep 0.1
	done
	sleep 1 # the last answers reach the dashboard
	local hz c0 c1 t0 t1
	hz=$(getconf CLK_TCK)
	c0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); t0=$(now)
	sleep "$IDLE_S"
	c1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); t1=$(now)
	"${TM[@]}" kill-server 2>/dev/null || true
	local pct
	pct=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.2f", 100 * (b - a) / hz / (t1 - t0)}')
	echo "$pct" >"$work/idle.pct"
	printf "%-11s watch, 250 resolvers, between sweeps: %s%% of one core over %.0f s (%d clock ticks)\n" \
		idle "$pct" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b - a}')" "$((c1 - c0))"
}

echo "propwatch benchmark: $(nproc) cores, median of $RUNS runs; $(date -u +%FT%TZ)"
echo "$("$PROPWATCH" --version 2>/dev/null | head -1)"
scenario all "$work/all.txt" json $N small
scenario all-csv "$work/all.txt" csv $N small
scenario all-text "$work/all.txt" text $N small
scenario silent "$work/silent.txt" json $((N - 1000)) small
scenario 60k "$work/big.txt" json $((3 * BIG)) big0 big1 big2
idle

# Peers, same 10,000 questions to the all-answering endpoints.
pw_all=$(cat "$work/all.wall")
peers0=$(cpu_ticks)
awk -F'[ :]' '{ printf "@%s -p %s example.test MX +tries=1 +time=1\n", $1, $2 }' "$work/all.txt" >"$work/dig.batch"
dig_wall=
if command -v dig >/dev/null; then
	"$WALLTIME" "$work/wall" dig -f "$work/dig.batch" >"$work/dig.out" 2>&1 || true
	read -r dig_wall _ <"$work/wall"
	printf "%-11s dig -f     wall %.3f s; answers %d/%d; propwatch is %.1fx faster\n" all "$dig_wall" \
		"$(grep -c "status: NOERROR" "$work/dig.out" || true)" $N "$(awk -v d="$dig_wall" -v p="$pw_all" 'BEGIN{print d/p}')"
fi
kdig_wall=
if command -v kdig >/dev/null; then
	args=()
	while IFS=' :' read -r a p _; do args+=("@$a" -p "$p" +timeout=1 +retry=0 example.test MX); done <"$work/all.txt"
	"$WALLTIME" "$work/wall" kdig "${args[@]}" >"$work/kdig.out" 2>&1 || true
	read -r kdig_wall _ <"$work/wall"
	printf "%-11s kdig       wall %.3f s; answers %d/%d; propwatch is %.1fx faster\n" all "$kdig_wall" \
		"$(grep -c "status: NOERROR" "$work/kdig.out" || true)" $N "$(awk -v d="$kdig_wall" -v p="$pw_all" 'BEGIN{print d/p}')"
fi
steal_pct "$peers0" "$(cpu_ticks)" >"$work/peers.steal"
# mail: a whole run (lint and the propagation of every record) across the lab.
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
if [ -s "$LAB_DIR/resolvers-all.txt" ] && command -v kdig >/dev/null &&
	kdig @127.0.1.61 clean.test SOA +short +timeout=1 +retry=0 2>/dev/null | grep -q .; then
	{ grep -E '^127\.0\.1\.61[[:space:]]' "$LAB_DIR/resolvers-all.txt"
	  grep -v '^#' "$LAB_DIR/resolvers-all.txt" | grep -vE '^127\.0\.1\.61[[:space:]]'; } >"$work/mail.txt"
	nres=$(wc -l <"$work/mail.txt")
	: >"$work/mail.runs"
	for _ in $(seq "$RUNS"); do
		"$WALLTIME" "$work/wall" "$PROPWATCH" mail -r "$work/mail.txt" --dkim-selector sel1 \
			--timeout 1s --retries 0 --format json clean.test >"$work/mail.json" 2>/dev/null || true
		awk '{print $1}' "$work/wall" >>"$work/mail.runs"
	done
	printf "%-7s propwatch  wall median %.3f s, best %.3f s; clean.test over %d lab resolvers (--timeout 1s --retries 0); %s findings, %s of %s records propagated, exit %s\n" \
		mail "$(median <"$work/mail.runs")" "$(best <"$work/mail.runs")" "$nres" \
		"$(jq '.findings | length' "$work/mail.json")" "$(jq .summary.propagated "$work/mail.json")" \
		"$(jq .summary.records "$work/mail.json")" "$(jq .summary.exit "$work/mail.json")"
else
	printf "%-7s skipped: no lab up in %s (flock /tmp/propwatch-lab.lock bash -c 'scripts/lab.sh up && make bench; scripts/lab.sh down')\n" mail "$LAB_DIR"
fi

echo "silent      dig -f and kdig ask one after another: 1,000 timeouts of 1 s are about 1,000 s (not run)"

mib() { awk -v k="$(cat "$work/$1.rss")" 'BEGIN{printf "%.1f MiB", k/1024}'; }
sec() { awk -v s="$(cat "$work/$1.wall")" -v o="$(cat "$work/$1.outer")" 'BEGIN{printf "%.3f s (%.3f s with date around it)", s, o}'; }
s3() { if [ -n "$1" ]; then awk -v s="$1" 'BEGIN{printf "%.3f s", s}'; else echo n/a; fi; }
cat <<EOF

| scenario | goal | propwatch now | host steal |
|---|---|---|---|
| 10,000 all answering, --format json | <= 0.10 s, <= 24 MiB | $(sec all), $(mib all) | $(cat "$work/all.steal")% |
| 10,000, 10% silent, timeout 1 s | <= 1.05 s | $(sec silent) | $(cat "$work/silent.steal")% |
| 59,700 on 3 responders, JSON | <= 0.8 s, <= 64 MiB, all collected | $(sec 60k), $(mib 60k) | $(cat "$work/60k.steal")% |
| watch, 250 resolvers, between sweeps | < 1% of a core | $(cat "$work/idle.pct" 2>/dev/null || echo "?")% | |
| same 10,000: dig -f / kdig | (peers) | $(s3 "$dig_wall") / $(s3 "$kdig_wall") | $(cat "$work/peers.steal" 2>/dev/null || echo "?")% |
| floor (pw-floor, alternating with the runs above): 10,000 / silent | (no client here does less) | $(s3 "$(cat "$work/all-floor.wall" 2>/dev/null)") / $(s3 "$(cat "$work/silent-floor.wall" 2>/dev/null)") | as above |
massdns (not in Debian; issue 12's figures from the same setup, timed with date around it): 0.13 s and 52 MB, 1.10 s silent.
EOF

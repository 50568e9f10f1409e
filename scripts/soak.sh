#!/usr/bin/env bash
# scripts/soak.sh -- does propwatch stay flat over time? (make soak)
#
#   bash scripts/soak.sh PROPWATCH RESPONDER [WATCH_SECONDS] [CHECK_SWEEPS]
#
# One pw-responder plays 1,000 loopback resolvers (port 5870, bound to
# 0.0.0.0, a port no test uses, so a soak can run beside make test): 900 serve the new MX,
# 100 the old one with a 1 s TTL (so they are re-asked all the time and
# the change never completes). Then:
#   1. `propwatch watch` in a headless tmux for WATCH_SECONDS (default 600),
#      asking every --interval 1s;
#   2. `propwatch check --wait` for CHECK_SWEEPS sweeps (default 100).
# Every few seconds it prints RSS (kB), open descriptors and CPU seconds of
# the propwatch process, and at the end the RSS growth per sweep after the
# first tenth of the run (warm-up). Figures only: nothing here passes or fails.
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

PW=${1:?propwatch binary}
RSP=${2:?pw-responder binary}
WATCH_S=${3:-600}
SWEEPS=${4:-100}
W=$(mktemp -d /tmp/pw-soak.XXXXXX)
TM=(tmux -L pwsoak-$$ -f /dev/null)
rpid=
cleanup() {
	"${TM[@]}" kill-server 2>/dev/null
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

cat >"$W/r.conf" <<'EOF'
set A example.test. 300 IN MX 10 mx-old.example.test.
set A example.test. 3600 IN SOA ns1.example.test. h.example.test. 1 3600 600 86400 300
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. h.example.test. 2 3600 600 86400 300
range 127.0.60.1 900 5870 serve=B
range 127.0.64.1 100 5870 serve=A ttl=1
EOF
for i in $(seq 0 899); do echo "127.0.$((60 + (i + 1) / 256)).$(((i + 1) % 256)):5870 ZZ new"; done >"$W/list.txt"
awk 'BEGIN{for(i=1;i<=100;i++) printf "127.0.64.%d:5870 ZZ old\n", i}' >>"$W/list.txt"
"$RSP" -c "$W/r.conf" >"$W/rsp.out" 2>"$W/rsp.err" &
rpid=$!
for _ in $(seq 100); do grep -q ready "$W/rsp.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$W/rsp.out" || { echo "responder did not start"; cat "$W/rsp.err"; exit 1; }
ARGS=(-r "$W/list.txt" --expect "10 mx-new.example.test." --timeout 500ms --retries 0)

# sample PID: "seconds rss_kb fds cpu_s"
sample() {
	local pid=$1 t=$2 rss fds cpu
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || return 1
	fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat" 2>/dev/null)
	printf '%6.0f %8s %5s %8s\n' "$t" "$rss" "$fds" "$cpu"
}

# RSS growth per sweep after warm-up (the first tenth of the run, and at
# least the first sample): (rss_last - rss_warm) * sweeps_left / sweeps.
growth() { # FILE SWEEPS
	awk -v sweeps="$2" 'NR == 1 { next } { t[NR] = $1; r[NR] = $2; n = NR }
		END { w = 3; while (w < n && t[w] < t[n] / 10) w++;
		      s = sweeps * (t[n] - t[w]) / (t[n] > 0 ? t[n] : 1);
		      printf "RSS after warm-up (t=%ds): %d kB -> %d kB over about %d sweeps: %+.2f kB per sweep\n",
		             t[w], r[w], r[n], s, (r[n] - r[w]) / (s > 0 ? s : 1) }' "$1"
}

echo "== watch, 1,000 resolvers, --interval 1s, ${WATCH_S}s"
q=$(printf '%q ' "$PW" watch "${ARGS[@]}" --interval 1s --min-interval 1s example.test)
"${TM[@]}" new-session -d -s soak -x 160 -y 50 "env TERM=screen LANG=C.UTF-8 $q 2>$W/watch.err; echo \$? >$W/watch.rc"
pid=
for _ in $(seq 100); do pid=$(pgrep -n -f "$PW watch" || true); [ -n "$pid" ] && break; sleep 0.1; done
[ -n "$pid" ] || { echo "watch did not start"; exit 1; }
echo "     t   rss_kB   fds    cpu_s" | tee "$W/watch.tsv"
start=$(date +%s)
while :; do
	now=$(($(date +%s) - start))
	sample "$pid" "$now" | tee -a "$W/watch.tsv" || break
	[ "$now" -ge "$WATCH_S" ] && break
	sleep 10
done
"${TM[@]}" send-keys -t soak q
for _ in $(seq 100); do [ -s "$W/watch.rc" ] && break; sleep 0.1; done
echo "watch exit: $(cat "$W/watch.rc" 2>/dev/null || echo none)"
# About one sweep a second (every resolver is due every --interval).
growth "$W/watch.tsv" "$WATCH_S"

echo "== check --wait, ${SWEEPS} sweeps of 1,000 resolvers"
"$PW" check "${ARGS[@]}" --interval 300ms --min-interval 300ms --wait "$((SWEEPS * 3 / 10 + 5))s" \
	--format json example.test >"$W/check.json" 2>"$W/check.err" &
cpid=$!
echo "     t   rss_kB   fds    cpu_s" | tee "$W/check.tsv"
t0=$(date +%s.%N)
while kill -0 "$cpid" 2>/dev/null; do
	sample "$cpid" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{print b - a}')" | tee -a "$W/check.tsv" || break
	sleep 2
done
wait "$cpid"
echo "check exit: $? after $(jq -r .summary.sweeps "$W/check.json") rounds"
growth "$W/check.tsv" "$(jq -r .summary.sweeps "$W/check.json")"

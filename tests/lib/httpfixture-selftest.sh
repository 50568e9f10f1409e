#!/usr/bin/env bash
# httpfixture-selftest.sh - checks tests/lib/httpfixture.py on its own, with
# curl, before client tests rely on it; then validates every fixture script
# under tests/fixtures/ and decodes every Atlas abuf (mkabuf.py, and drill -i
# when drill is installed).  Loopback only.  Last line: "N passed, M failed".
#
# Usage: bash tests/lib/httpfixture-selftest.sh
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
HF=$here/httpfixture.py
MKABUF=$root/tests/fixtures/atlas/mkabuf.py
for t in python3 curl; do
	command -v $t >/dev/null || { echo "httpfixture-selftest: $t missing" >&2; echo "0 passed, 1 failed"; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/httpfixture-selftest.XXXXXX")
pids=()
cleanup() {
	# Only the servers this script started, by pid.
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
nok() { fail=$((fail + 1)); echo "FAIL - $1${2:+: $2}"; }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}
# jlog N EXPR: EXPR (Python, on the parsed line as `e`) for log line N (1-based)
jlog() {
	python3 -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])][int(sys.argv[2])-1]; print(eval(sys.argv[3]))' \
		"$tmp/log.ndjson" "$1" "$2" 2>/dev/null
}

# start SCRIPT [ARGS...]: starts a server, waits for its ready file; sets PORT, SPID
start() {
	local script=$1
	shift
	rm -f "$tmp/ready" "$tmp/stdout"
	python3 "$HF" --script "$script" --port 0 --ready-file "$tmp/ready" --log "$tmp/log.ndjson" \
		--max-seconds 60 "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
	SPID=$!
	pids+=("$SPID")
	for _ in $(seq 100); do
		[ -s "$tmp/ready" ] && break
		sleep 0.05
	done
	PORT=$(cat "$tmp/ready" 2>/dev/null)
	URL=http://127.0.0.1:$PORT
}
# stop PID: SIGTERM, then wait up to 3 s; returns the exit status (124 if it hung)
stop() {
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 60); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then kill -KILL "$1"; wait "$1" 2>/dev/null; return 124; fi
	wait "$1"
}

mkdir -p "$tmp/s"
cat >"$tmp/s/body.json" <<'EOF'
{"id": "{{id}}", "probe": "{{prb}}", "n": "{{num}}", "at": "{{base}}/x"}
EOF
cat >"$tmp/s/script.json" <<'EOF'
{
  "vars": {"id": "abc123", "num": 7},
  "routes": [
    {"method": "POST", "path": "/v1/measurements", "responses": [
      {"status": 429, "headers": {"Retry-After": "2", "X-RateLimit-Limit": "250",
                                  "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2"},
       "body": {"error": {"type": "rate_limit_exceeded", "message": "slow down"}}},
      {"status": 202, "headers": {"Location": "{{base}}/v1/measurements/{{id}}"},
       "body": {"id": "{{id}}", "probesCount": "{{num}}"}}]},
    {"method": "GET", "path": "/v1/measurements/{{id}}", "responses": [
      {"status": 200, "body": {"status": "in-progress"}},
      {"status": 200, "body": {"status": "finished"}, "set_state": "done"}]},
    {"method": "GET", "path_regex": "^/p/(?P<prb>[0-9]+)/?$", "responses": [
      {"status": 200, "body_file": "body.json"}]},
    {"method": "GET", "path": "/gated", "by_state": {
      "start": [{"status": 200, "body": []}],
      "done": [{"status": 200, "body": ["all"]}]}},
    {"method": "GET", "path": "/slow", "responses": [
      {"status": 200, "delay_ms": 400, "body_text": "late"}]}
  ]
}
EOF

check "--check accepts a good script" python3 "$HF" --check "$tmp/s/script.json"
echo '{"routes": [{"method": "GET", "path": "/a", "responses": []}]}' >"$tmp/bad.json"
check "--check rejects an empty sequence" bash -c "! python3 '$HF' --check '$tmp/bad.json' 2>/dev/null"
python3 "$HF" --script "$tmp/s/script.json" --host 0.0.0.0 --port 0 >/dev/null 2>&1
check "refuses a non-loopback bind (exit 2)" [ $? -eq 2 ]

start "$tmp/s/script.json"
check "--port 0: ready file holds a port" bash -c "[[ '$PORT' =~ ^[0-9]+$ ]] && [ '$PORT' -gt 0 ]"
check "stdout says ready PORT" grep -qx "ready $PORT" "$tmp/stdout"
listen=$(python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(1)
try: s.connect(("127.0.0.1", int(sys.argv[1]))); print("yes")
except OSError: print("no")' "$PORT")
check "listens on 127.0.0.1" [ "$listen" = yes ]

# 1. sequence: 429 first (headers passed through), then 202, then 202 again
curl -s -D "$tmp/h1" -o "$tmp/b1" -X POST -H 'Authorization: Key SECRET-KEY-1' \
	-H 'X-Odd-Case: MiXeD' -H 'Content-Type: application/json' \
	--data '{"target": "example.test", "locations": [{"country": "DE"}]}' "$URL/v1/measurements"
check "1st POST: 429" grep -q '^HTTP/1.1 429' "$tmp/h1"
check "429 passes Retry-After: 2" grep -qi '^Retry-After: 2' "$tmp/h1"
check "429 passes X-RateLimit-Reset" grep -qi '^X-RateLimit-Reset: 2' "$tmp/h1"
check "429 body is JSON" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["error"]["type"] == "rate_limit_exceeded"' "$tmp/b1"
out=$(curl -s -D "$tmp/h2" -X POST --data '{}' "$URL/v1/measurements")
check "2nd POST: 202" grep -q '^HTTP/1.1 202' "$tmp/h2"
check "body templated: id and typed number" [ "$out" = "$(printf '{\n  "id": "abc123",\n  "probesCount": 7\n}')" ]
check "Location header templated" grep -qi "^Location: $URL/v1/measurements/abc123" "$tmp/h2"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data '{}' "$URL/v1/measurements")
check "3rd POST: the last response repeats (202)" [ "$code" = 202 ]

# 2. the log
check "request logged: Authorization verbatim" [ "$(jlog 1 'dict(e["headers"])["Authorization"]')" = "Key SECRET-KEY-1" ]
check "header names keep their case" [ "$(jlog 1 'dict(e["headers"]).get("X-Odd-Case")')" = "MiXeD" ]
check "lower-case header map" [ "$(jlog 1 'e["header"]["authorization"]')" = "Key SECRET-KEY-1" ]
check "JSON body logged parsed" [ "$(jlog 1 'e["body"]["locations"][0]["country"]')" = "DE" ]
check "log has both clocks, route and status" \
	[ "$(jlog 1 'all(isinstance(e[k], float) for k in ("time_wall", "time_mono")) and (e["route"], e["response"], e["status"]) == (0, 0, 429)')" = True ]

# 3. templated exact path, regex groups, query, state, 404
check "GET by id: in-progress" [ "$(curl -s "$URL/v1/measurements/abc123")" = "$(printf '{\n  "status": "in-progress"\n}')" ]
check "gated route before the state changes: []" [ "$(curl -s "$URL/gated")" = "[]" ]
curl -s "$URL/v1/measurements/abc123" >/dev/null
check "gated route after set_state: full" [ "$(curl -s "$URL/gated" | tr -d ' \n')" = '["all"]' ]
body=$(curl -s "$URL/p/1001/?fields=a,b&x=1")
check "regex group and body_file" python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["probe"] == "1001" and d["n"] == 7 and d["at"].endswith("/x")' "$body"
n=$(wc -l <"$tmp/log.ndjson")
check "query logged raw and parsed" [ "$(jlog "$n" 'e["query"] + "|" + e["query_args"]["x"][0]')" = "fields=a,b&x=1|1" ]
code=$(curl -s -o "$tmp/b404" -w '%{http_code}' "$URL/v1/measurements/wrong-id")
check "unknown route: 404" [ "$code" = 404 ]
check "unknown route: JSON error" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["error"]["type"] == "fixture_no_route"' "$tmp/b404"
n=$(wc -l <"$tmp/log.ndjson")
check "unknown route logged (route null)" [ "$(jlog "$n" 'e["route"] is None and e["path"] == "/v1/measurements/wrong-id"')" = True ]

# 4. delay, keep-alive, then SIGTERM while a slow request is in flight
t0=$(date +%s%N)
curl -s "$URL/slow" >/dev/null
t1=$(date +%s%N)
check "delay_ms: reply after >= 400 ms" [ $(((t1 - t0) / 1000000)) -ge 400 ]
codes=$(curl -s -o /dev/null -o /dev/null -w '%{http_code}%{num_connects} ' "$URL/gated" "$URL/gated")
check "keep-alive: two requests, one connection" [ "$codes" = "2001 2000 " ]
curl -s -m 5 "$URL/slow" >/dev/null &
cpid=$!
sleep 0.1
stop "$SPID"
rc=$?
check "SIGTERM with a request in flight: exit 0, promptly" [ $rc -eq 0 ]
wait $cpid 2>/dev/null

# 5. --max-seconds: a forgotten server ends by itself
python3 "$HF" --script "$tmp/s/script.json" --port 0 --max-seconds 0.5 >/dev/null 2>&1 &
p=$!
pids+=("$p")
sleep 1.5
if kill -0 $p 2>/dev/null; then nok "--max-seconds ends the server"; else wait $p; check "--max-seconds ends the server (exit 0)" [ $? -eq 0 ]; fi

# 6. every fixture script loads, every Atlas abuf decodes to MX records
scripts=("$root"/tests/fixtures/*/*/script.json)
check "all ${#scripts[@]} fixture scripts pass --check" python3 "$HF" --check "${scripts[@]}"
python3 - "$root/tests/fixtures/atlas" >"$tmp/abufs" <<'EOF'
import glob, json, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "results.json"))):
    for r in json.load(open(f)):
        for e in r.get("resultset", [r]):
            if "result" in e:
                print(os.path.basename(os.path.dirname(f)), e["result"]["abuf"], e["result"]["ANCOUNT"])
EOF
have_drill=0
command -v drill >/dev/null && have_drill=1
bad=0
count=0
while read -r scn b64 ancount; do
	count=$((count + 1))
	got=$(python3 "$MKABUF" --decode "$b64" | grep -c '^example\.test\. [0-9]* IN MX ')
	[ "$got" = "$ancount" ] || { bad=$((bad + 1)); echo "  $scn: mkabuf decodes $got MX, ANCOUNT $ancount"; }
	if [ $have_drill = 1 ]; then
		python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1]).hex())' "$b64" >"$tmp/pkt.hex"
		got=$(drill -i "$tmp/pkt.hex" 2>/dev/null | grep -Ec '^example\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+MX')
		[ "$got" = "$ancount" ] || { bad=$((bad + 1)); echo "  $scn: drill -i reads $got MX, ANCOUNT $ancount"; }
	fi
done <"$tmp/abufs"
how="mkabuf.py --decode"
[ $have_drill = 1 ] && how="$how and drill -i" || echo "note - drill not installed: abufs checked by mkabuf.py only"
check "$count Atlas abufs decode to ANCOUNT MX records ($how)" [ $bad -eq 0 -a $count -gt 0 ]

# 7. two real fixtures driven through their intended flow
fx=$root/tests/fixtures
start "$fx/globalping/ratelimit/script.json"
seq=""
for _ in 1 2; do
	seq="$seq$(curl -s -o /dev/null -w '%{http_code} ' -X POST --data '{}' "$URL/v1/measurements")"
done
seq="$seq$(curl -s -o /dev/null -w '%{http_code} ' "$URL/v1/measurements/some-other-id")"
seq="$seq$(curl -s -D "$tmp/h" -o /dev/null -w '%{http_code} ' "$URL/v1/measurements/2RateLimitFixture2p00Av3kS")"
seq="$seq$(curl -s -o "$tmp/m" -w '%{http_code}' "$URL/v1/measurements/2RateLimitFixture2p00Av3kS")"
check "globalping/ratelimit: POST 429, 202; wrong id 404; GET 429, 200" [ "$seq" = "429 202 404 429 200" ]
check "globalping/ratelimit: GET 429 carries Retry-After: 1" grep -qi '^Retry-After: 1' "$tmp/h"
check "globalping/ratelimit: finished, fresh createdAt" python3 -c 'import json,sys,time
d=json.load(open(sys.argv[1])); t=time.mktime(time.strptime(d["createdAt"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
assert d["status"] == "finished" and len(d["results"]) == 2 and abs(t - time.time()) < 60' "$tmp/m"
stop "$SPID"
start "$fx/atlas/in-progress/script.json"
A=$URL/api/v2/measurements
r1=$(curl -s "$A/90000002/results/")
s1=$(curl -s "$A/90000002/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["name"])')
s2=$(curl -s "$A/90000002" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["name"])')
r2=$(curl -s "$A/90000002/results" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
s3=$(curl -s "$A/90000002/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"]["name"])')
r3=$(curl -s "$A/90000002/results/" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["msm_id"], type(d[0]["timestamp"]).__name__)')
check "atlas/in-progress: results stay [] until Stopped is seen" [ "$r1|$s1|$s2|$r2|$s3" = "[]|Ongoing|Ongoing|0|Stopped" ]
check "atlas/in-progress: then 3 results, numeric msm_id and timestamp" [ "$r3" = "3 90000002 int" ]
stop "$SPID"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

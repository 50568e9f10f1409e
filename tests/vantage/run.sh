#!/bin/bash
# tests/vantage/run.sh -- propwatch --via globalping|atlas against the
# measurement networks replayed on loopback (tests/lib/httpfixture.py and
# the scenarios in tests/fixtures/{globalping,atlas}, README there): for
# every scenario the rows, their statuses and vantage fields, the verdict
# and exit status, the message of each failure, the polling intervals and
# the 429 waits as the server's request log shows them, and that the token
# or key is sent (the log's Authorization header) but never shown (stdout,
# stderr, JSON). Also check --wait re-asking the same probes, the options'
# usage errors, the loopback guard on --api-url, the ground truth from a
# local authoritative server, and the dashboard's per-country line.
#
#   PROPWATCH=/abs/build/propwatch [RESPONDER=/abs/build/pw-responder] bash tests/vantage/run.sh
#
# Nothing a test starts may send anything off this machine: the replay
# server binds 127.0.0.1 only, and propwatch refuses any other --api-url.
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
RESPONDER=${RESPONDER:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures=$root/tests/fixtures
fx=$root/tests/lib/httpfixture.py
work=$(mktemp -d /tmp/pw-vantage.XXXXXX)
srv_pid="" rsp_pid=""
SOCK=pwvantage-$$
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

stop_server() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	srv_pid=""
}
cleanup() {
	stop_server
	[ -n "$rsp_pid" ] && kill "$rsp_pid" 2>/dev/null && wait "$rsp_pid" 2>/dev/null
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && echo "       $2"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name" "$(head -c 600 "$work/err")"; fi; }

# Secrets made for this run: they must reach the server and nothing else.
TOKEN="gp-tok-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
KEY="atlas-key-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
leaks=0 runs=0

# serve SCENARIO [httpfixture args]: start the replay server; sets URL and LOG.
serve() {
	stop_server
	local sc=$1
	shift
	LOG=$work/log.ndjson
	rm -f "$LOG" "$work/ready"
	python3 "$fx" --script "$fixtures/$sc/script.json" --port 0 --ready-file "$work/ready" \
		--log "$LOG" --max-seconds 300 "$@" >"$work/fx.out" 2>"$work/fx.err" &
	srv_pid=$!
	for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
	URL=http://127.0.0.1:$(cat "$work/ready" 2>/dev/null)
	touch "$LOG"
}

# Run propwatch; stdout to $work/out, stderr to $work/err, status in $rc,
# seconds taken in $took. Every run is searched for the secrets.
pw() {
	local t0 t1
	t0=$(date +%s.%N)
	"$PROPWATCH" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	t1=$(date +%s.%N)
	took=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
	runs=$((runs + 1))
	if grep -qF -e "$TOKEN" -e "$KEY" "$work/out" "$work/err"; then
		leaks=$((leaks + 1))
		fail "run $runs ($*) shows no secret"
	fi
	if grep -Eq 'AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:' "$work/err"; then
		fail "run $runs ($*): sanitizer report" "$(grep -m3 -E 'Sanitizer|runtime error' "$work/err")"
	fi
}
jqo() { jq -r "$@" "$work/out"; }
jqt() { jq -e "$@" "$work/out" >/dev/null 2>&1; }
# The resolver object of country CC (or of probe ID with -p).
row() { jq -c --arg c "$1" '.resolvers[] | select(.country == $c)' "$work/out"; }
field() { row "$1" | jq -r ".$2"; }
# Requests in the log: count METHOD PATH_REGEX; body of the Nth (0-based).
count() { jq -s --arg m "$1" --arg re "$2" '[.[] | select(.method == $m and (.path | test($re)))] | length' "$LOG"; }
body() { jq -s -c --arg m "$1" --arg re "$2" --argjson n "$3" '[.[] | select(.method == $m and (.path | test($re)))][$n].body' "$LOG"; }
auth_of() { jq -s -r --arg m "$1" --argjson n "${2:-0}" '[.[] | select(.method == $m)][$n].header.authorization // "none"' "$LOG"; }
# jb FILTER JSON: is FILTER true of JSON (a request body)?
jb() { jq -e "$1" <<<"$2" >/dev/null 2>&1; }
# Smallest gap in seconds between successive requests matching METHOD PATH_REGEX.
gap() {
	jq -s --arg m "$1" --arg re "$2" '[.[] | select(.method == $m and (.path | test($re))) | .time_mono]
		| [range(1; length) as $i | .[$i] - .[$i - 1]] | min // 99' "$LOG"
}
# Seconds from the last request matching (M1 RE1) before the first matching (M2 RE2).
between() {
	jq -s --arg m1 "$1" --arg r1 "$2" --arg m2 "$3" --arg r2 "$4" '
		([.[] | select(.method == $m2 and (.path | test($r2))) | .time_mono] | min) as $b
		| ([.[] | select(.method == $m1 and (.path | test($r1)) and .time_mono < $b) | .time_mono] | max) as $a
		| $b - $a' "$LOG"
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN{exit !(a >= b)}'; }
near() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN{exit !(a >= b - d && a <= b + d)}'; }

NEW=(--expect "10 mx-new.example.test.")
GP=(check --via globalping "${NEW[@]}" --format json)
AT=(check --via atlas "${NEW[@]}" --format json)
Q=(example.test MX)
export GLOBALPING_TOKEN=$TOKEN RIPE_ATLAS_KEY=$KEY

echo "# Globalping"
# --- finished: 4 probes, all new -------------------------------------------
serve globalping/finished
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp finished: exit 0" [ "$rc" = 0 ]
check "gp finished: propagated" jqt '.summary.verdict == "propagated" and .summary.propagated'
check "gp finished: 4 rows, all new" jqt '[.resolvers[] | .status] == ["new","new","new","new"]'
check "gp finished: countries DE US SG BR" jqt '[.resolvers[].country] == ["DE","US","SG","BR"]'
check "gp finished: DE vantage fields" jqt '.resolvers[0] | .via == "globalping" and (.probe_id | test("^[0-9a-f]{8}$"))
	and .continent == "EU" and .city == "Frankfurt" and .asn == 64496 and .network == "Example Transit DE"
	and .probe_resolver == "192.0.2.53" and .private_resolver == false and .address == "192.0.2.53"'
check "gp finished: records and TTL as a local answer" jqt '.resolvers[0] | .records == ["10 mx-new.example.test."] and .ttl == 60 and .rcode == "NOERROR" and .flags.ra'
check "gp finished: latency from timings.total" jqt '.resolvers[3].latency_ms == 128'
check "gp finished: BR asked its first resolver" [ "$(field BR probe_resolver)" = 198.51.100.253 ]
check "gp finished: rate limit in summary.vantage" jqt '.summary.vantage | .via == "globalping" and .measurements == 1
	and .rate_limit.limit == 250 and .rate_limit.remaining == 246 and .rate_limit.reset_s == 3599
	and .first_measurement == "2FinishedFixture4p000Av3kQ" and .probes == 4'
check "gp finished: per-country share" jqt '[.summary.by_country[] | "\(.country):\(.new)/\(.usable)"] == ["BR:1/1","DE:1/1","SG:1/1","US:1/1"]'
check "gp finished: token sent as Bearer" [ "$(auth_of POST)" = "Bearer $TOKEN" ]
check "gp finished: token on every poll too" [ "$(auth_of GET)" = "Bearer $TOKEN" ]
check "gp finished: POST body" jb '.type == "dns" and .target == "example.test" and .limit == 10
	and .measurementOptions.query.type == "MX" and .measurementOptions.protocol == "UDP"
	and (has("locations") | not) and (.measurementOptions | has("resolver") | not)' "$(body POST . 0)"
check "gp finished: first poll >= 500 ms after the POST" ge "$(between POST . GET .)" 0.5
pw check --via globalping "${NEW[@]}" --api-url "$URL" "${Q[@]}"
check "gp finished text: exit 0" [ "$rc" = 0 ]
check "gp finished text: says probes" grep -q "from 4 Globalping probes" "$work/out"
check "gp finished text: a row per probe" grep -Eq '^Frankfurt \(([0-9a-f]{8})\) +DE 192.0.2.53 +new' "$work/out"
check "gp finished text: by country line" grep -q "^by country: BR 1/1 new, DE 1/1 new, SG 1/1 new, US 1/1 new" "$work/out"
check "gp finished text: what is left" grep -q "Globalping: 1 measurement .*246 of 250 tests left" "$work/out"
pw check --via globalping "${NEW[@]}" --format csv --api-url "$URL" "${Q[@]}"
check "gp finished csv: vantage columns at the end" grep -q '^address,port,country,.*,detail,site,via,probe_id,continent,city,asn,network,probe_resolver,private_resolver$' "$work/out"
check "gp finished csv: DE row" grep -Eq '^192.0.2.53,53,DE,Example Transit DE,0,.*,new,.*,globalping,[0-9a-f]{8},EU,Frankfurt,64496,Example Transit DE,192.0.2.53,0$' "$work/out"
check "gp finished csv: header and 4 rows" [ "$(wc -l <"$work/out")" = 5 ]
pw "${GP[@]}" -v --api-url "$URL" "${Q[@]}"
check "gp -v: the rate limit on stderr" grep -q "246 of 250 tests left, reset in" "$work/err"
# Without a token: no Authorization header at all.
( unset GLOBALPING_TOKEN; "$PROPWATCH" "${GP[@]}" --api-url "$URL" "${Q[@]}" >"$work/out" 2>"$work/err" )
check "gp without a token: no Authorization header" [ "$(auth_of POST -1)" = none ]

# --- progress: in-progress twice, then finished -------------------------------
serve globalping/progress
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp progress: exit 0, 3 rows new" jqt '[.resolvers[].status] == ["new","new","new"] and .summary.exit == 0'
check "gp progress: exit status 0" [ "$rc" = 0 ]
check "gp progress: polled until finished (3 GETs)" [ "$(count GET '^/v1/measurements/')" = 3 ]
g=$(gap GET '^/v1/measurements/')
check "gp progress: polls >= 500 ms apart ($g s)" ge "$g" 0.5
check "gp progress: no partial answer taken (DE latency from the final body)" jqt '.resolvers[0].latency_ms == 10'

# --- ratelimit: POST 429 (X-RateLimit-Reset: 2, no Retry-After), GET 429 (Retry-After: 1)
serve globalping/ratelimit
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp ratelimit: exit 0, 2 rows new" jqt '[.resolvers[].status] == ["new","new"] and .summary.propagated'
check "gp ratelimit: exactly 2 POSTs" [ "$(count POST .)" = 2 ]
check "gp ratelimit: exactly 2 GETs" [ "$(count GET .)" = 2 ]
g=$(gap POST .)
check "gp ratelimit: waited X-RateLimit-Reset before the 2nd POST ($g s)" ge "$g" 2
g=$(gap GET .)
check "gp ratelimit: waited Retry-After before the 2nd GET ($g s)" ge "$g" 1

# --- unauthorized: 401 -----------------------------------------------------------
serve globalping/unauthorized
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp unauthorized: exit 2" [ "$rc" = 2 ]
check "gp unauthorized: no verdict on stdout" [ ! -s "$work/out" ]
check "gp unauthorized: the message names the token" grep -q "401.*token was refused: check --token-file or GLOBALPING_TOKEN" "$work/err"
check "gp unauthorized: not retried" [ "$(count POST .)" = 1 ]
check "gp unauthorized: the token was sent" [ "$(auth_of POST)" = "Bearer $TOKEN" ]

# --- timeout-probe: BR failed (resolver) ------------------------------------------
serve globalping/timeout-probe
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp timeout-probe: exit 0, propagated" [ "$rc" = 0 ]
check "gp timeout-probe: BR timeout, the rest new" jqt '[.resolvers[] | "\(.country):\(.status)"] == ["DE:new","US:new","SG:new","BR:timeout"]'
check "gp timeout-probe: counted apart (3 usable, 1 timeout)" jqt '.summary.usable == 3 and .summary.timeout == 1 and .summary.new == 3'
check "gp timeout-probe: BR says why" [ "$(field BR detail)" = "the probe's resolver did not answer" ]

# --- private-resolver -------------------------------------------------------------------
serve globalping/private-resolver
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp private-resolver: exit 0, 4 new" jqt '.summary.new == 4 and .summary.propagated'
check "gp private-resolver: NL's resolver is 'private'" jqt '.resolvers[] | select(.country == "NL") | .probe_resolver == "private" and .private_resolver'
check "gp private-resolver: FR's 192.168.1.1 is flagged private" jqt '.resolvers[] | select(.country == "FR") | .probe_resolver == "192.168.1.1" and .private_resolver'
check "gp private-resolver: DE and US are not" jqt '[.resolvers[] | select(.country == "DE" or .country == "US") | .private_resolver] == [false, false]'
pw check --via globalping "${NEW[@]}" --api-url "$URL" "${Q[@]}"
check "gp private-resolver text: marked" [ "$(grep -c '(private resolver)' "$work/out")" = 2 ]

# --- mixed: 3 new, 3 old across countries --------------------------------------------------
serve globalping/mixed
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp mixed: exit 1, not propagated" [ "$rc" = 1 ]
check "gp mixed: verdict" jqt '.summary.verdict == "not propagated" and .summary.share == 50 and .summary.new == 3 and .summary.stale == 3'
check "gp mixed: statuses by country" jqt '[.resolvers[] | "\(.country):\(.status)"] == ["DE:new","FR:new","US:new","JP:stale","SG:stale","AU:stale"]'
check "gp mixed: per country 100% and 0%" jqt '[.summary.by_country[] | "\(.country):\(.share)"] == ["AU:0","DE:100","FR:100","JP:0","SG:0","US:100"]'
check "gp mixed: AU's cache expires in ~30 s" near "$(field AU eta_s)" 30 2
check "gp mixed: SG's in ~120 s" near "$(field SG eta_s)" 120 2
check "gp mixed: JP's in ~250 s (the fleet ETA)" near "$(jqo .summary.eta_s)" 250 2
check "gp mixed: old records canonical" jqt '.resolvers[3].records == ["10 mx1.example.test.","20 mx2.example.test."] and .resolvers[3].variant == 1'
# --wait that JP's cache outlasts: gives up at once, asks nothing more.
pw "${GP[@]}" --wait 10s --interval 2s --api-url "$URL" "${Q[@]}"
check "gp mixed --wait 10s: exit 1 at once ($took s)" [ "$rc" = 1 ]
check "gp mixed --wait 10s: says why" jqt '.summary.note | test("gave up early: 3 caches still hold")'
check "gp mixed --wait 10s: no second measurement" [ "$(count POST .)" = 2 ]

# --- mixed-wait: check --wait re-asks the same probes -----------------------------------
serve globalping/mixed-wait
pw "${GP[@]}" --wait 30s --interval 5s --api-url "$URL" "${Q[@]}"
check "gp mixed-wait: exit 0 after the stale caches expire" [ "$rc" = 0 ]
check "gp mixed-wait: all 6 new in sweep 2" jqt '.summary.new == 6 and .summary.sweeps == 2 and .summary.propagated'
check "gp mixed-wait: 2 measurements" [ "$(count POST .)" = 2 ]
check "gp mixed-wait: the 2nd asks the 1st's probes (locations = its id)" jb '.locations == "2MixedWaitFixture6p00Av3kW" and (has("limit") | not) and .measurementOptions.query.type == "MX"' "$(body POST . 1)"
check "gp mixed-wait: results matched by probe, not place (DE 58 s, AU 60 s)" jqt '(.resolvers[] | select(.country == "DE") | .ttl == 58 and .city == "Frankfurt") and (.resolvers[] | select(.country == "AU") | .ttl == 60 and .city == "Sydney")'
check "gp mixed-wait: rows keep their order and ids" jqt '[.resolvers[].country] == ["DE","FR","US","JP","SG","AU"]'
check "gp mixed-wait: summary.vantage counts both" jqt '.summary.vantage.measurements == 2 and .summary.vantage.last_measurement == "2MixedWaitAgain6p000Av3kX" and .summary.vantage.rate_limit.remaining == 238'
g=$(gap POST .)
check "gp mixed-wait: the re-ask came after the 1 s TTLs ran out ($g s)" ge "$g" 1.4

# --- no-probes: 422 ------------------------------------------------------------------------
serve globalping/no-probes
pw "${GP[@]}" --from DE --api-url "$URL" "${Q[@]}"
check "gp no-probes: exit 3 (undecidable)" [ "$rc" = 3 ]
check "gp no-probes: says no probe matched --from" grep -q "422 no_probes_found: No matching IPv4 probes available.*no probe matched --from DE" "$work/err"

# --- stuck: still in progress at the deadline (15 x --timeout, at least 2 s) ----------------
serve globalping/stuck
pw "${GP[@]}" --timeout 200ms --api-url "$URL" "${Q[@]}"
check "gp stuck: exit 3" [ "$rc" = 3 ]
check "gp stuck: says still in progress" grep -q "measurement 2StuckFixture3p000000Av3kY still in progress after 3s" "$work/err"
check "gp stuck: gave up at the deadline ($took s)" awk -v t="$took" 'BEGIN{exit !(t >= 2.9 && t < 6)}'
g=$(gap GET .)
check "gp stuck: polls >= 500 ms apart ($g s, $(count GET .) polls)" ge "$g" 0.5

# --- server-error: a 503, then the measurement --------------------------------------------------
serve globalping/server-error
pw "${GP[@]}" --api-url "$URL" "${Q[@]}"
check "gp server-error: retried, exit 0" [ "$rc" = 0 ]
check "gp server-error: 2 POSTs, 1 s apart" ge "$(gap POST .)" 1

# --- options into the request ------------------------------------------------------------------------
serve globalping/finished
# --resolver 1.1.1.1 is only text in the request to the local fixture server
# (the network's probes would ask it); nothing here sends to it.
pw "${GP[@]}" --from "DE,us, Asia,continent:EU,asn:AS3320,magic:Berlin+AS3320,city:Paris" --probes 4 --resolver 1.1.1.1 --api-url "$URL" "${Q[@]}"
check "gp --from: locations" jb '.locations == [{"country":"DE"},{"country":"US"},{"magic":"Asia"},{"continent":"EU"},{"asn":3320},{"magic":"Berlin+AS3320"},{"city":"Paris"}] and .limit == 4' "$(body POST . 0)"
check "gp --resolver: measurementOptions.resolver" jb '.measurementOptions.resolver == "1.1.1.1"' "$(body POST . 0)"
umask 077
printf '%s\n' "$TOKEN" >"$work/token"
chmod 600 "$work/token"
( unset GLOBALPING_TOKEN; "$PROPWATCH" "${GP[@]}" --token-file "$work/token" --api-url "$URL" "${Q[@]}" >"$work/out" 2>"$work/err" )
check "gp --token-file: read, sent as Bearer" [ "$(auth_of POST -1)" = "Bearer $TOKEN" ]
check "gp --token-file 600: no warning" [ ! -s "$work/err" ]
chmod 644 "$work/token"
pw "${GP[@]}" --token-file "$work/token" --api-url "$URL" "${Q[@]}"
check "gp --token-file 644: still used (exit 0)" [ "$rc" = 0 ]
check "gp --token-file 644: warns it is readable" grep -q "token is readable by everyone.*chmod 600" "$work/err"
stop_server

echo "# RIPE Atlas"
# --- finished: 2 new, 1 old -------------------------------------------------------------------------------
serve atlas/finished
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas finished: exit 1, not propagated" [ "$rc" = 1 ]
check "atlas finished: 2 new, 1 stale" jqt '[.resolvers[] | "\(.probe_id):\(.status)"] == ["1001:new","1002:new","1003:stale"]'
check "atlas finished: vantage fields from the probe's metadata" jqt '.resolvers[0] | .via == "atlas" and .probe_id == "1001"
	and .country == "DE" and .asn == 64496 and .city == null and .network == null and .probe_resolver == "192.0.2.53" and .private_resolver == false'
check "atlas finished: abuf decoded as a local reply (records, TTL, flags)" jqt '.resolvers[2] | .records == ["10 mx1.example.test.","20 mx2.example.test."] and .ttl == 250 and .rcode == "NOERROR" and .flags.ra and (.flags.aa | not)'
check "atlas finished: latency from rt" jqt '.resolvers[1].latency_ms == 8.25'
e=$(field US eta_s)
check "atlas finished: the stale cache expires 250 s after the timestamp ($e)" near "$e" 248.5 2
check "atlas finished: per country" jqt '[.summary.by_country[] | "\(.country):\(.share)"] == ["DE:100","NL:100","US:0"]'
check "atlas finished: key sent as 'Key'" [ "$(auth_of POST)" = "Key $KEY" ]
check "atlas finished: POST body" jb '.is_oneoff == true and .probes == [{"type":"area","value":"WW","requested":10}]
	and (.definitions[0] | .type == "dns" and .af == 4 and .query_class == "IN" and .query_type == "MX"
	and .query_argument == "example.test" and .use_probe_resolver == true and .set_rd_bit == true
	and (.description | length > 0) and (has("target") | not))' "$(body POST . 0)"
check "atlas finished: status, then results, then each probe" [ "$(count GET '^/api/v2/probes/')" = 3 ]
check "atlas finished: summary.vantage" jqt '.summary.vantage | .via == "atlas" and .first_measurement == "90000001" and .measurements == 1 and .credits_remaining == null'

# --- in-progress: Ongoing, Ongoing, Stopped -------------------------------------------------------------
serve atlas/in-progress
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas in-progress: exit 0, 3 new" jqt '.summary.new == 3 and .summary.propagated'
check "atlas in-progress: exit status 0" [ "$rc" = 0 ]
check "atlas in-progress: status polled 3 times" [ "$(count GET '^/api/v2/measurements/[0-9]+/$')" = 3 ]
g=$(gap GET '^/api/v2/measurements/[0-9]+/$')
check "atlas in-progress: polls >= 1 s apart ($g s)" ge "$g" 1

# --- bad-key: 403 code 104 -------------------------------------------------------------------------------------
serve atlas/bad-key
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas bad-key: exit 2" [ "$rc" = 2 ]
check "atlas bad-key: the detail and what to do" grep -q "HTTP 403 Forbidden: The provided API key does not exist; the API key was refused: check --key-file or RIPE_ATLAS_KEY" "$work/err"
check "atlas bad-key: not retried" [ "$(count POST .)" = 1 ]

# --- no-key: 401 -----------------------------------------------------------------------------------------------------
serve atlas/no-key
( unset RIPE_ATLAS_KEY; "$PROPWATCH" "${AT[@]}" --api-url "$URL" "${Q[@]}" >"$work/out" 2>"$work/err"; echo $? >"$work/rc" )
check "atlas no-key: exit 2" [ "$(cat "$work/rc")" = 2 ]
check "atlas no-key: says a key is needed" grep -q "HTTP 401 Unauthorized: Authentication credentials were not provided.; RIPE Atlas needs an API key: give --key-file FILE or set RIPE_ATLAS_KEY" "$work/err"
check "atlas no-key: sent no Authorization" [ "$(auth_of POST)" = none ]

# --- no-credits: 400 ------------------------------------------------------------------------------------------------
serve atlas/no-credits
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas no-credits: exit 3" [ "$rc" = 3 ]
check "atlas no-credits: detail and errors[].detail" grep -q "There were problems with your request; You do not have enough credits to schedule this measurement.; not enough credits" "$work/err"

# --- timeout-probe -------------------------------------------------------------------------------------------------
serve atlas/timeout-probe
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas timeout-probe: exit 0" [ "$rc" = 0 ]
check "atlas timeout-probe: 1002 timeout, counted apart" jqt '[.resolvers[].status] == ["new","timeout","new"] and .summary.usable == 2 and .summary.timeout == 1'
check "atlas timeout-probe: says how long it waited" [ "$(field NL detail)" = "the probe's resolver did not answer in 5000 ms" ]

# --- direct-resolver: --resolver ------------------------------------------------------------------------------------------
serve atlas/direct-resolver
pw "${AT[@]}" --resolver 198.51.100.153 --api-url "$URL" "${Q[@]}"
check "atlas direct-resolver: exit 0, 1 new, 1 timeout" jqt '[.resolvers[].status] == ["new","timeout"] and .summary.propagated'
check "atlas direct-resolver: exit status 0" [ "$rc" = 0 ]
check "atlas direct-resolver: the resolver asked" jqt '[.resolvers[].probe_resolver] == ["198.51.100.153","198.51.100.153"]'
check "atlas direct-resolver: POST body has target, not the probe's resolver" jb '.definitions[0] | .target == "198.51.100.153" and .use_probe_resolver == false' "$(body POST . 0)"

# --- reask: check --wait asks the stale probes again by id ---------------------------------------------------------------
serve atlas/reask
pw "${AT[@]}" --wait 30s --interval 10s --api-url "$URL" "${Q[@]}"
check "atlas reask: exit 0, all new in sweep 2" jqt '.summary.new == 3 and .summary.sweeps == 2 and .summary.propagated'
check "atlas reask: exit status 0" [ "$rc" = 0 ]
check "atlas reask: 2 measurements" [ "$(count POST .)" = 2 ]
check "atlas reask: the 2nd asks the stale probes by id" jb '.probes == [{"type":"probes","value":"1002,1003","requested":2}]' "$(body POST . 1)"
check "atlas reask: results matched by probe id" jqt '(.resolvers[] | select(.probe_id == "1003") | .latency_ms == 90) and (.resolvers[] | select(.probe_id == "1002") | .latency_ms == 8.5)'
check "atlas reask: credits left in summary.vantage" jqt '.summary.vantage.credits_remaining == 12345 and .summary.vantage.measurements == 2'
check "atlas reask: credits asked with the key" [ "$(jq -s -r '[.[] | select(.path == "/api/v2/credits/")][0].header.authorization' "$LOG")" = "Key $KEY" ]

# --- stuck: Ongoing at the deadline (150 x --timeout, at least 2 s) -----------------------------------------------------
serve atlas/stuck
pw "${AT[@]}" --timeout 20ms --api-url "$URL" "${Q[@]}"
check "atlas stuck: exit 3" [ "$rc" = 3 ]
check "atlas stuck: says still in progress" grep -q "measurement 90000009 still in progress after 3s, no result yet" "$work/err"
check "atlas stuck: gave up at the deadline ($took s)" awk -v t="$took" 'BEGIN{exit !(t >= 2.9 && t < 8)}'

# --- echo-key: a server that repeats the key in its error ------------------------------------------------------------
serve atlas/echo-key --var "key=$KEY"
pw "${AT[@]}" --api-url "$URL" "${Q[@]}"
check "atlas echo-key: exit 2" [ "$rc" = 2 ]
check "atlas echo-key: the key is taken out of the message" grep -q 'Forbidden \*\*\*: The provided API key \*\*\* does not exist' "$work/err"

# --- options into the request ---------------------------------------------------------------------------------------------
serve atlas/finished
pw "${AT[@]}" --from country:de,asn:3320 --probes 5 -6 --dnssec --api-url "$URL" "${Q[@]}"
check "atlas --from: sources share --probes" jb '.probes == [{"type":"country","value":"DE","requested":3},{"type":"asn","value":"3320","requested":2}]' "$(body POST . 0)"
check "atlas -6 --dnssec: af 6, DO" jb '.definitions[0] | .af == 6 and .set_do_bit == true' "$(body POST . 0)"
stop_server

echo "# usage and guards"
t2() { # t2 NAME GREP ARGS...: exit 2 and the message
	local name=$1 re=$2
	shift 2
	pw "$@"
	if [ "$rc" = 2 ] && grep -Eq -- "$re" "$work/err"; then ok "$name"; else fail "$name" "exit $rc: $(head -c 300 "$work/err")"; fi
}
t2 "--via and -r exclude each other" "--via and -r both say whom to ask" check --via globalping -r "$root/resolvers.txt" "${NEW[@]}" "${Q[@]}"
t2 "--from needs --via" "--from needs --via" check --from DE "${NEW[@]}" "${Q[@]}"
t2 "--via takes globalping or atlas" "expected globalping or atlas" check --via nope "${NEW[@]}" "${Q[@]}"
t2 "--country is for the local list" "--country chooses from the local list" check --via atlas --country DE "${NEW[@]}" "${Q[@]}"
t2 "--token-file is Globalping's" "--token-file is for Globalping" check --via atlas --token-file /dev/null "${NEW[@]}" "${Q[@]}"
t2 "--key-file is Atlas's" "--key-file is for RIPE Atlas" check --via globalping --key-file /dev/null "${NEW[@]}" "${Q[@]}"
t2 "--probes is 1-500" "--probes '0'" check --via globalping --probes 0 "${NEW[@]}" "${Q[@]}"
t2 "--resolver is an address" "--resolver 'dns.example'" check --via globalping --resolver dns.example "${NEW[@]}" "${Q[@]}"
t2 "Globalping cannot ask CAA" "TYPE CAA: Globalping asks only" check --via globalping "${NEW[@]}" example.test CAA
t2 "Globalping cannot set DO" "--dnssec: Globalping" check --via globalping --dnssec "${NEW[@]}" "${Q[@]}"
t2 "bad --from for Atlas" "--from 'city:Paris': expected TYPE:VALUE" check --via atlas --from city:Paris --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
t2 "bad continent" "a continent is one of" check --via globalping --from continent:XX --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
t2 "missing --token-file" "/nonexistent/token: No such file" check --via globalping --token-file /nonexistent/token --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
printf '\n' >"$work/empty"
t2 "empty --key-file" "empty" check --via atlas --key-file "$work/empty" --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
printf 'two words\n' >"$work/spaced"
t2 "a key with a space" "one line of printable characters" check --via atlas --key-file "$work/spaced" --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
t2 "loopback guard: --api-url outside loopback refused" "--api-url: host 192.0.2.1 is not a loopback address.*PROPWATCH_LOOPBACK_ONLY" check --via globalping --api-url http://192.0.2.1:8080 "${NEW[@]}" "${Q[@]}"
t2 "loopback guard: a host name is refused" "host localhost is not a loopback address" check --via atlas --api-url http://localhost:1/ "${NEW[@]}" "${Q[@]}"
t2 "loopback guard: the real API is refused" "the API of Globalping: host api.globalping.io is not a loopback address" check --via globalping "${NEW[@]}" "${Q[@]}"
t2 "--api-url with a password refused" "user name or password in the URL" check --via globalping --api-url "http://u:$TOKEN@127.0.0.1:1/" "${NEW[@]}" "${Q[@]}"
t2 "--api-url not http" "only http and https" check --via globalping --api-url "file:///etc/passwd" "${NEW[@]}" "${Q[@]}"
pw check --via globalping --api-url http://127.0.0.1:1 "${NEW[@]}" "${Q[@]}"
check "nothing listening: exit 3, says so" [ "$rc" = 3 ] && grep -q "Globalping: POST /v1/measurements: .*onnect" "$work/err"
( cd "$work" && env -u PROPWATCH_RESOLVERS "$PROPWATCH" check --via globalping --api-url http://127.0.0.1:1 example.test >"$work/out" 2>"$work/err"; echo $? >"$work/rc" )
if [ -e /usr/local/share/propwatch/resolvers.txt ] || [ -e /usr/share/propwatch/resolvers.txt ]; then
	ok "no truth without a list (skipped: a list is installed)"
else
	check "no truth without --expect, --auth or a list: exit 2" [ "$(cat "$work/rc")" = 2 ]
	check "no truth: says what to give" grep -q "give --expect or --auth, or a local resolver list" "$work/err"
fi

# --- the ground truth stays local: --auth, and the zone's servers found through local resolvers
if [ -n "$RESPONDER" ] && [ -x "$RESPONDER" ]; then
	NET=127.0.46
	port=$((21000 + $$ % 20000))
	cat >"$work/world.conf" <<EOF
set B example.test. 60 IN MX 10 mx-new.example.test.
set B example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 2 3600 600 86400 300
set B example.test. 3600 IN NS ns1.example.test.
set B ns1.example.test. 3600 IN A $NET.20
endpoint $NET.1:$port serve=B
endpoint $NET.20:$port serve=B aa nora
endpoint $NET.20:53 serve=B aa nora
EOF
	"$RESPONDER" -c "$work/world.conf" >"$work/rsp.out" 2>"$work/rsp.err" &
	rsp_pid=$!
	for _ in $(seq 50); do grep -q ready "$work/rsp.out" 2>/dev/null && break; sleep 0.1; done
	serve globalping/finished
	pw check --via globalping --auth "$NET.20:$port" --format json --api-url "$URL" "${Q[@]}"
	check "truth from --auth: exit 0" [ "$rc" = 0 ]
	check "truth from --auth: the local server's answer" jqt '.expected.source == "auth" and .expected.records == ["10 mx-new.example.test."] and .expected.auth_servers[0].address == "'$NET.20'"'
	echo "$NET.1:$port ZZ lab a local resolver" >"$work/local.txt"
	PROPWATCH_RESOLVERS=$work/local.txt pw check --via globalping --format json --api-url "$URL" "${Q[@]}"
	check "truth found through the local list: exit 0" [ "$rc" = 0 ]
	check "truth found through the local list: zone and server" jqt '.expected.source == "auth" and .expected.zone == "example.test." and .expected.auth_ttl == 60'
	check "truth found through the local list: the rows are still the probes" jqt '[.resolvers[].via] == ["globalping","globalping","globalping","globalping"]'
	stop_server
else
	echo "# (RESPONDER not set: the local-truth checks are skipped)"
fi

# --- the dashboard: by-country line, grouping by continent and country ------------------------------------------------------
if command -v tmux >/dev/null; then
	serve globalping/mixed
	TM=(tmux -L "$SOCK" -f /dev/null)
	"${TM[@]}" new-session -d -s pw -x 130 -y 30 \
		"'$PROPWATCH' watch --via globalping --api-url $URL --expect '10 mx-new.example.test.' example.test MX 2>'$work/werr'; echo \$? >'$work/wexit'"
	screen() { "${TM[@]}" capture-pane -p -t pw 2>/dev/null; }
	shows() { for _ in $(seq 80); do screen | grep -Eq -- "$1" && return 0; sleep 0.1; done; return 1; }
	check "watch: the title says via Globalping" shows 'propwatch  example.test. MX  via Globalping'
	check "watch: per-country share under the bar" shows '^ by country: AU 0% \(0/1\) . DE 100% \(1/1\) . FR 100% \(1/1\) . JP 0% \(0/1\) . SG 0% \(0/1\) . US 100% \(1/1\)'
	check "watch: probes as rows" shows '^ +Tokyo \([0-9a-f]{8}\) +JP Example'
	"${TM[@]}" send-keys -t pw s s s
	check "watch: sort by country" shows 'sort: country'
	check "watch: grouped by continent, then country (AS: JP, SG first)" bash -c 'for _ in $(seq 50); do tmux -L '"$SOCK"' capture-pane -p -t pw | grep -A2 "^ RESOLVER" | tail -2 | tr "\n" " " | grep -Eq "Tokyo .* JP .*Singapore .* SG " && exit 0; sleep 0.1; done; exit 1'
	"${TM[@]}" send-keys -t pw g Enter # the top row (Tokyo): the selection follows its resolver across sorts
	check "watch: detail pane names the probe" shows 'Globalping probe [0-9a-f]{8}: Tokyo, JP \(continent AS\); AS64501 Example Fiber JP'
	"${TM[@]}" send-keys -t pw q
	for _ in $(seq 50); do [ -s "$work/wexit" ] && break; sleep 0.1; done
	check "watch: q exits 0" [ "$(cat "$work/wexit" 2>/dev/null)" = 0 ]
	check "watch: no secret, no sanitizer report" bash -c '! grep -qF -e "$1" -e "$2" "$3" && ! grep -Eq "Sanitizer|runtime error" "$3"' _ "$TOKEN" "$KEY" "$work/werr"
	stop_server
fi

if [ "$leaks" = 0 ]; then ok "the token and the key appear in no output ($runs runs)"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

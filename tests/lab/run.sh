#!/usr/bin/env bash
# jq and awk programs below are single-quoted on purpose: their $ is theirs.
# shellcheck disable=SC2016
# tests/lab/run.sh -- propwatch against the local DNS lab (scripts/lab.sh):
# real resolvers, real caches, a real MX change.
#
#   PROPWATCH=/abs/path/to/propwatch bash tests/lab/run.sh
#
# Brings the lab up (and down again on exit), then checks propwatch before a
# flip, while the change rolls out and after it, against the documented CLI
# and JSON (doc/INTERFACES.md).  Timing assertions are orderings and bounds
# with generous slack, measured against each cache's own TTL as propwatch
# saw it just before the flip, never exact seconds.  Runs 2.5-3 minutes.
#
# Missing lab software is reported loudly and counted as skipped, never as
# passed.  The last line is "N passed, M failed[, K skipped]"; the exit
# status is non-zero if anything failed.

# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -euo pipefail
export LC_ALL=C   # sort/join/awk number formats must not depend on the locale

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=$ROOT/scripts/lab.sh
ZONE=example.test
OLD=('10 mx1.example.test.' '20 mx2.example.test.')   # variant a, after up
NEW=('10 mx3.example.test.' '20 mx2.example.test.')   # variant b, after flip
AUTHS=(127.0.2.1 127.0.2.2 127.0.2.3)
# Fixed here so the timing reasoning below holds whatever the lab defaults are.
export LAB_WARM=20 LAB_LAG=40
LAG=$LAB_LAG

pass=0 fail=0 skip=0
ok()      { pass=$((pass + 1)); printf 'ok    %s\n' "$*"; }
bad()     { fail=$((fail + 1)); printf 'FAIL  %s\n' "$*"; }
skipped() { skip=$((skip + 1)); printf 'SKIP  %s\n' "$*"; }
note()    { printf '      %s\n' "$@"; }
section() { printf '\n== %s (t+%ss)\n' "$*" "$SECONDS"; }

finish() {
    local line="$pass passed, $fail failed"
    ((skip == 0)) || line+=", $skip skipped"
    printf '\n%s\n' "$line"
    ((fail == 0))
}

# expect_jq DESCRIPTION FILE JQ-FILTER [jq args...]: the filter must yield
# true.  If WHY holds a jq program (same args), a failure prints its output,
# e.g. the offending resolvers.  WHY is cleared after each use.
WHY=
expect_jq() {
    local desc=$1 file=$2 filter=$3
    shift 3
    if jq -e "$@" "$filter" "$file" >/dev/null 2>&1; then
        ok "$desc"
    else
        bad "$desc"
        if [[ -n $WHY ]]; then
            jq -r "$@" "$WHY" "$file" 2>/dev/null | sed 's/^/      /' | head -n 20
        fi
    fi
    WHY=
}

# pw OUTFILE ARGS...: run `propwatch check ARGS --format json`; sets PW_RC
pw() {
    local out=$1
    shift
    PW_RC=0
    "$PROPWATCH" check "$@" --format json >"$out" 2>"$out.err" || PW_RC=$?
    if ! jq -e . "$out" >/dev/null 2>&1; then
        note "propwatch printed no JSON (exit $PW_RC): $(head -c 300 "$out.err")"
    fi
}

expect_rc() {  # expect_rc DESCRIPTION WANT
    if [[ $PW_RC == "$2" ]]; then ok "$1"; else bad "$1 (exit $PW_RC, want $2)"; fi
}

expect_args() {  # --expect arguments for an array of rdata
    local r
    for r in "$@"; do printf -- '--expect\n%s\n' "$r"; done
}

# ------------------------------------------------------------------ setup ----

if [[ -z ${PROPWATCH:-} || ! -x ${PROPWATCH:-} ]]; then
    bad "PROPWATCH must name the propwatch binary (got '${PROPWATCH:-}')"
    finish
    exit 1
fi
if ((EUID != 0)); then
    printf '\n!!! SKIPPING THE LAB TEST: it needs root (port 53, loopback aliases)\n'
    skipped "lab test (not root)"
    finish
    exit 0
fi
for tool in jq kdig ss; do
    if ! command -v "$tool" >/dev/null; then
        printf '\n!!! SKIPPING THE LAB TEST: %s is not installed\n' "$tool"
        skipped "lab test (no $tool)"
        finish
        exit 0
    fi
done

WORK=$(mktemp -d /tmp/propwatch-labtest.XXXXXX)
export LAB_DIR=$WORK/lab
LIST=$LAB_DIR/resolvers.txt
EP=$LAB_DIR/endpoints.tsv
WAIT_PID=

cleanup() {
    local rc=$?
    [[ -z $WAIT_PID ]] || kill "$WAIT_PID" 2>/dev/null || true
    if [[ -e $LAB_DIR/procs ]]; then
        if ((fail > 0)); then
            LAB_KEEP=1 bash "$LAB" down >/dev/null 2>&1 || true
        else
            bash "$LAB" down >/dev/null 2>&1 || true
        fi
    fi
    if ((fail > 0)); then
        printf 'lab logs and propwatch output kept in %s\n' "$WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section "software"
missing=$(bash "$LAB" deps 2>&1) || true
without=()
if grep -q '^missing:' <<<"$missing"; then
    printf '%s\n' "$missing" | sed 's/^/      /'
    # A missing resolver family is left out (loudly); without the auth side
    # or the tools there is no lab at all.
    while read -r fam; do without+=("$fam"); done < <(sed -n 's/.*family \([a-z-]*\),.*/\1/p' <<<"$missing")
    if grep '^missing:' <<<"$missing" | grep -vq 'family '; then
        printf '\n!!! SKIPPING THE LAB TEST: lab base software missing (see above)\n'
        skipped "lab test (base software missing)"
        finish
        exit 0
    fi
    for fam in "${without[@]}"; do
        printf '\n!!! %s IS NOT INSTALLED: its resolvers are left out of the lab\n' "$fam"
        skipped "resolver family $fam (not installed)"
    done
    export LAB_WITHOUT="${without[*]}"
else
    ok "lab software present (lab.sh deps)"
fi

# `up` refuses clearly when a binary is missing: hide kresd behind a PATH
# that has everything else.
if command -v kresd >/dev/null && [[ -z ${LAB_WITHOUT:-} ]]; then
    farm=$WORK/farm
    mkdir -p "$farm"
    for f in /usr/sbin/* /sbin/*; do
        [[ -e $farm/${f##*/} || ${f##*/} == kresd ]] || ln -s "$f" "$farm/${f##*/}"
    done
    rc=0
    out=$(PATH="$farm:/usr/local/bin:/usr/bin:/bin" LAB_DIR=$WORK/nokresd bash "$LAB" up 2>&1) || rc=$?
    if ((rc != 0)) && grep -q 'kresd' <<<"$out" && grep -q 'knot-resolver' <<<"$out" && [[ ! -e $WORK/nokresd/procs ]]; then
        ok "up fails loudly, naming binary and package, when kresd is missing"
    else
        bad "up with kresd missing: exit $rc, output: $out"
    fi
fi

# ---------------------------------------------------------------------- up ----

section "lab up (twice: the second must clean up after the first)"
# up_lab OUTFILE: bring the lab up.  A resolver family that is installed but
# cannot start at all is left out, loudly, and counted as skipped.
up_lab() {
    local out=$1 fam
    for _ in 1 2 3; do
        bash "$LAB" up >"$out" 2>&1 && return 0
        fam=$(sed -n 's/.*ERROR: \(.*\) did not come up.*/\1/p' "$out" | sed 's/-[0-9]*$//; s/-backend$//')
        case $fam in
            unbound|pdns-recursor|kresd|named|dnsmasq) ;;
            *) return 1 ;;
        esac
        sed 's/^/      /' "$out"
        printf '\n!!! %s IS INSTALLED BUT DOES NOT START: its resolvers are left out of the lab\n' "$fam"
        skipped "resolver family $fam (does not start)"
        without+=("$fam")
        export LAB_WITHOUT="${without[*]}"
    done
    return 1
}
t0=$SECONDS
if ! up_lab "$WORK/up1.out"; then
    bad "lab.sh up"
    sed 's/^/      /' "$WORK/up1.out"
    finish
    exit 1
fi
up1=$((SECONDS - t0))
first_pids=$(awk '{print $2}' "$LAB_DIR/procs")
t0=$SECONDS
if ! up_lab "$WORK/up2.out"; then
    bad "lab.sh up over a running lab"
    sed 's/^/      /' "$WORK/up2.out"
    finish
    exit 1
fi
up2=$((SECONDS - t0))
sed 's/^/      /' "$WORK/up2.out"
if ((up1 < 60 && up2 < 60)); then ok "up takes well under a minute (${up1}s, ${up2}s)"; else bad "up too slow (${up1}s, ${up2}s)"; fi
left=0
for p in $first_pids; do
    st=$(ps -o stat= -p "$p" 2>/dev/null || true)
    [[ -z $st || $st == Z* ]] || left=$((left + 1))
done
if ((left == 0)) && grep -q 'cleaning up an earlier lab' "$WORK/up2.out"; then
    ok "second up stopped all $(wc -w <<<"$first_pids") processes of the first"
else
    bad "second up left $left processes of the first running"
fi
if [[ $(bash "$LAB" list) == "$LIST" && -s $LIST ]]; then ok "list prints the resolver list path"; else bad "lab.sh list"; fi

n_ep=$(grep -cv '^#' "$LIST")
n_fam=$(grep -v '^#' "$LIST" | awk '$3 !~ /^(none|lab-proxy)$/ {print $3}' | sort -u | wc -l)
want_fam=$((5 - ${#without[@]}))
if ((n_ep >= 24 && n_fam >= (want_fam < 4 ? want_fam : 4))); then
    ok "resolver list: $n_ep endpoints, $n_fam software families"
else
    bad "resolver list: $n_ep endpoints, $n_fam families (want >= 24 and >= 4)"
fi
if grep -v '^#' "$LIST" | awk '$2 != "ZZ" || $1 !~ /^127\.0\.1\.[0-9]+$/ {bad=1} END {exit bad}'; then
    ok "every entry is ZZ on 127.0.1.X"
else
    bad "resolver list has entries off 127.0.1.X or not ZZ"
fi

# Endpoint expectations as JSON, for jq.
EPJ=$(jq -R -s 'split("\n")[1:] | map(select(length > 0) | split("\t")
      | {address: .[0], operator: .[1], kind: .[2], param: .[3], upstream: .[4],
         expect: (.[5] | split("|")), label: .[6]})' "$EP")
addrs_where() {  # addrs_where JQ-CONDITION on an endpoint
    jq -r --argjson ep "$EPJ" -n "\$ep[] | select($1) | .address"
}

serial_of() { kdig "@$1" "$ZONE" SOA +norec +short +timeout=1 +retry=1 2>/dev/null | awk '{print $3; exit}'; }
s1=$(serial_of 127.0.2.1) s2=$(serial_of 127.0.2.2) s3=$(serial_of 127.0.2.3)
if [[ -n $s1 && $s1 == "$s2" && $s1 == "$s3" ]]; then ok "all three auth servers serve serial $s1"; else bad "auth serials differ after up: $s1 $s2 $s3"; fi
if bash "$LAB" status >"$WORK/status0.out" 2>&1 && grep -q "$s1" "$WORK/status0.out"; then
    ok "status: everything running, serials shown"
else
    bad "status after up"; sed 's/^/      /' "$WORK/status0.out"
fi

section "waiting for the staggered cache warming"
if bash "$LAB" wait; then
    spread=$(awk 'NR == 1 {a = $1} {b = $1} END {printf "%.0f", b - a}' "$LAB_DIR/warm.log")
    if ((spread >= 10)); then ok "caches warmed one by one over ${spread}s"; else bad "warming spread only ${spread}s"; fi
else
    bad "lab.sh wait (cache warming did not finish)"
fi

# ---------------------------------------------------------- before the flip ----

section "before the flip: ground truth from the auth servers (found via NS + glue)"
pw "$WORK/pre.json" -r "$LIST" "$ZONE" MX --timeout 1s
expect_rc "check passes before the flip" 0
expect_jq "ground truth comes from the auth servers" "$WORK/pre.json" \
    '.expected.source == "auth" and .expected.rcode == "NOERROR"'
expect_jq "ground truth is the variant-a MX RRset" "$WORK/pre.json" \
    '.expected.records == $old' --argjson old "$(printf '%s\n' "${OLD[@]}" | jq -R . | jq -s .)"
WHY='.expected.auth_servers[] | "\(.address) status=\(.status) agrees=\(.agrees) serial=\(.serial)"'
expect_jq "auth servers found through the resolvers: ns1-ns3, all agree" "$WORK/pre.json" \
    '([.expected.auth_servers[].address] | sort) == $a and all(.expected.auth_servers[]; .agrees and .aa)' \
    --argjson a "$(printf '%s\n' "${AUTHS[@]}" | jq -R . | jq -s .)"

# statuses per kind of endpoint
status_check() {  # status_check DESCRIPTION FILE SELECTOR (jq condition on an endpoint)
    if [[ -z $(addrs_where "$3") ]]; then skipped "$1 (no such endpoint in this lab)"; return 0; fi
    local pairs='[.resolvers[] as $r | $ep[] | select(.address == $r.address) | select('"$3"')
                  | {e: ., s: $r.status, d: ($r.detail // "")}]'
    WHY="$pairs"'[] | select(.s as $s | .e.expect | index($s) | not)
         | "\(.e.address) \(.e.label): got \(.s) \(.d), want \(.e.expect | join("|"))"'
    expect_jq "$1" "$2" "$pairs"' as $m | ($m | length) > 0
        and all($m[]; .s as $s | .e.expect | index($s) != null)' --argjson ep "$EPJ"
}
status_check "every healthy endpoint is new" "$WORK/pre.json" '.expect == ["new"]'
status_check "the lossy endpoint is new or timed out" "$WORK/pre.json" '.kind == "loss"'
status_check "REFUSED endpoints are refused" "$WORK/pre.json" '.kind == "refused"'
status_check "the dead-upstream endpoint is servfail" "$WORK/pre.json" '.kind == "servfail"'
status_check "the silent address is a timeout" "$WORK/pre.json" '.kind == "silent"'
status_check "the closed port is unreachable" "$WORK/pre.json" '.kind == "closed"'
# Every query asks for NSID: a resolver with an identity names its site.
# The expected NSIDs are compare's (tests/lab/compare-expect.tsv, checked
# with kdig by lab-verify); dnsmasq is left out, as it passes on whatever
# its upstream for the name sent.
NSIDS=$(awk -F'\t' 'NR > 1 && $2 != "dnsmasq" { print $1 "\t" $11 }' "$HERE/compare-expect.tsv" |
    jq -R -s 'split("\n") | map(select(length > 0) | split("\t") | {(.[0]): .[1]}) | add')
WHY='.resolvers[] | select(.rcode != null and $m[.address] != null and (.site // "-") != $m[.address])
     | "\(.address) \(.label): site \(.site), want \($m[.address])"'
expect_jq "each resolver's site is its NSID (unbound, pdns-recursor, kresd, named with an identity)" \
    "$WORK/pre.json" '[.resolvers[] | select(.rcode != null and $m[.address] != null)] as $r
     | ($r | length) > 0 and ([$r[] | select(.site != null)] | length) > 0
       and all($r[]; (.site // "-") == $m[.address])' --argjson m "$NSIDS"
n_healthy=$(addrs_where '.expect == ["new"]' | wc -l)
expect_jq "gate: usable = the healthy ones (+ the lossy one if it answered), propagated" "$WORK/pre.json" \
    '.summary.propagated == true and .summary.exit == 0 and .summary.stale == 0
     and .summary.usable >= $n and .summary.usable <= $n + 1' --argjson n "$n_healthy"

# TTL clamps as seen from outside.  pairs(COND): the endpoints matching COND
# with propwatch's view of each, as {e: endpoint, r: resolver result}.
PAIRS='def pairs(c): [.resolvers[] as $r | $ep[] | select(.address == $r.address) | select(c) | {e: ., r: $r}];'
WHY="$PAIRS"'.expected.auth_ttl as $auth | pairs(.kind == "max-ttl" or .kind == "min-ttl")[]
     | "\(.e.address) \(.e.label): ttl \(.r.ttl), record TTL \($auth)"'
expect_jq "max-TTL clamps: TTL <= clamp < record TTL" "$WORK/pre.json" "$PAIRS"'.expected.auth_ttl as $auth
    | pairs(.kind == "max-ttl") as $m | ($m | length) > 0
      and all($m[]; .r.ttl <= (.e.param | tonumber) and (.e.param | tonumber) < $auth)' --argjson ep "$EPJ"
WHY="$PAIRS"'.expected.auth_ttl as $auth | pairs(.kind == "max-ttl" or .kind == "min-ttl")[]
     | "\(.e.address) \(.e.label): ttl \(.r.ttl), record TTL \($auth)"'
expect_jq "min-TTL clamps: TTL > record TTL before the flip" "$WORK/pre.json" "$PAIRS"'.expected.auth_ttl as $auth
    | pairs(.kind == "min-ttl") as $m | ($m | length) > 0
      and all($m[]; .r.ttl > $auth and .r.ttl <= (.e.param | tonumber))' --argjson ep "$EPJ"

section "--expect against the lab, before the flip"
mapfile -t exp_old < <(expect_args "${OLD[@]}")
mapfile -t exp_new < <(expect_args "${NEW[@]}")
pw "$WORK/exp-old.json" -r "$LIST" "$ZONE" MX "${exp_old[@]}" --timeout 1s
expect_rc "--expect the current records passes" 0
expect_jq "source is expect, every healthy endpoint new" "$WORK/exp-old.json" \
    '.expected.source == "expect" and .summary.new >= $n and .summary.stale == 0' --argjson n "$n_healthy"
pw "$WORK/exp-new-early.json" -r "$LIST" "$ZONE" MX "${exp_new[@]}" --timeout 1s
expect_rc "--expect records nobody serves yet fails" 1
expect_jq "... with every usable answer stale" "$WORK/exp-new-early.json" \
    '.summary.new == 0 and .summary.stale == .summary.usable and .summary.usable >= $n' --argjson n "$n_healthy"
# A snapshot just before the flip: each cache's remaining TTL tells when it
# expires, which the assertions after the flip measure against.
HEALTHY=$WORK/healthy.txt
healthy_re=$(addrs_where '.expect | index("new")' | sed 's/\./\\./g' | paste -sd'|')
grep -E "^($healthy_re)[[:space:]]" "$LIST" >"$HEALTHY"
authargs=()
for a in "${AUTHS[@]}"; do authargs+=(--auth "$a"); done
t_snap=$(date +%s.%N)
pw "$WORK/snap.json" -r "$HEALTHY" "$ZONE" MX "${authargs[@]}" --timeout 1s

# ------------------------------------------------------------------- flip ----

section "flip"
if bash "$LAB" flip >"$WORK/flip1.out" 2>&1; then
    ok "flip a -> b"; sed 's/^/      /' "$WORK/flip1.out"
else
    bad "lab.sh flip"; sed 's/^/      /' "$WORK/flip1.out"
fi
t_flip=$(date +%s.%N)
lag_due=$(cat "$LAB_DIR/lag.due" 2>/dev/null || echo 0)
n1=$(serial_of 127.0.2.1) n2=$(serial_of 127.0.2.2) n3=$(serial_of 127.0.2.3)
if ((n1 == s1 + 1 && n2 == n1 && n3 == s1)); then
    ok "serial bumped on ns1, ns2 followed by NOTIFY, ns3 lags ($n1 $n2 $n3)"
else
    bad "serials after flip: $n1 $n2 $n3 (before: $s1)"
fi

# Three things at once from here: a single check (must fail while caches
# hold the old records), `check --wait` (must pass once they expire), and
# a fast observation loop recording when each resolver flips.
pw "$WORK/post.json" -r "$LIST" "$ZONE" MX --timeout 1s &
POST_PID=$!
"$PROPWATCH" check -r "$LIST" "$ZONE" MX --wait 3m --interval 5s --timeout 1s --format json \
    >"$WORK/wait.json" 2>"$WORK/wait.err" &
WAIT_PID=$!   # propwatch itself, so that cleanup can stop it

# Observations "t status ttl" relative to the flip; the pre-flip snapshot goes
# in first, as "stale" (it is the old RRset), so its TTLs count too.
OBS=$WORK/observations.tsv
snap_rel=$(awk -v a="$t_snap" -v f="$t_flip" 'BEGIN {printf "%.2f", a - f}')
jq -r --arg t "$snap_rel" '.resolvers[] | [$t, .address, (if .status == "new" then "stale" else .status end), (.ttl // "null")] | @tsv' \
    "$WORK/snap.json" >"$OBS" 2>/dev/null || true
deadline=$((SECONDS + 200))
round=0
while ((SECONDS < deadline)); do
    t_round=$(date +%s.%N)
    rel=$(awk -v a="$t_round" -v f="$t_flip" 'BEGIN {printf "%.2f", a - f}')
    pw "$WORK/obs.json" -r "$HEALTHY" "$ZONE" MX "${authargs[@]}" --timeout 1s
    jq -r --arg t "$rel" '.resolvers[] | [$t, .address, .status, (.ttl // "null")] | @tsv' \
        "$WORK/obs.json" >>"$OBS" 2>/dev/null || true
    round=$((round + 1))
    # done when --wait has finished and this round saw everyone new
    # (propwatch prints its JSON only when it is done)
    if [[ -s $WORK/wait.json ]] && jq -e '.summary.stale == 0 and .summary.new > 0' "$WORK/obs.json" >/dev/null 2>&1; then
        break
    fi
    sleep "$(awk -v a="$t_round" -v n="$(date +%s.%N)" 'BEGIN {d = a + 3 - n; printf "%.2f", (d > 0 ? d : 0)}')"
done
wait "$POST_PID" || true
PW_RC=$(jq -r '.summary.exit // "none"' "$WORK/post.json" 2>/dev/null || echo none)
wait_rc=0
wait "$WAIT_PID" || wait_rc=$?
WAIT_PID=

section "right after the flip (caches hold the old records)"
expect_rc "check fails while caches hold the old records" 1
expect_jq "ground truth is the new RRset (newest serial), though ns3 still serves the old" "$WORK/post.json" \
    '.expected.source == "auth" and .expected.records == $new' \
    --argjson new "$(printf '%s\n' "${NEW[@]}" | jq -R . | jq -s .)"
WHY='.expected.auth_servers[] | "\(.address) agrees=\(.agrees) serial=\(.serial)"'
expect_jq "auth servers: ns3 disagrees with an older serial, ns1/ns2 agree" "$WORK/post.json" \
    '[.expected.auth_servers[] | {key: .address, value: .}] | from_entries as $s
     | $s["127.0.2.1"].agrees and $s["127.0.2.2"].agrees and ($s["127.0.2.3"].agrees | not)
       and $s["127.0.2.3"].serial < $s["127.0.2.1"].serial'
WHY='.resolvers[] as $r | $ep[] | select(.address == $r.address and (.kind == "min-ttl" or .upstream == "lag")) | "\(.address) \(.label): \($r.status)"'
expect_jq "min-TTL-clamped and lagging-ns3 resolvers still stale" "$WORK/post.json" \
    '[.resolvers[] as $r | $ep[] | select(.address == $r.address and (.kind == "min-ttl" or .upstream == "lag")) | $r.status] as $s
     | ($s | length) > 0 and all($s[]; . == "stale")' --argjson ep "$EPJ"

section "check --wait 3m --interval 5s"
PW_RC=$wait_rc
expect_rc "--wait passes once the caches expire" 0
WHY='.resolvers[] | select(.status != "new") | "\(.address) \(.label): \(.status)"'
expect_jq "--wait: propagated after several sweeps, every healthy endpoint new" "$WORK/wait.json" \
    '.summary.propagated and .summary.sweeps >= 2 and .summary.stale == 0 and .summary.new >= $n
     and .expected.records == $new and all(.expected.auth_servers[]; .agrees)' \
    --argjson n "$n_healthy" --argjson new "$(printf '%s\n' "${NEW[@]}" | jq -R . | jq -s .)"
wait_s=$(jq -r '.summary.elapsed_s // 0' "$WORK/wait.json" 2>/dev/null || echo 0)
if awk -v w="$wait_s" -v lag="$LAG" 'BEGIN {exit !(w >= lag && w < 180)}'; then
    ok "--wait took ${wait_s}s: really waited (>= the ${LAG}s lag of ns3), within the 3m budget"
else
    bad "--wait took ${wait_s}s (want >= ${LAG}s and < 180s)"
fi

section "how the resolvers flipped (observed every ~3s, times relative to the flip)"
note "$round observation rounds"
# One row per resolver: address kind param upstream E first_new last_stale.
# E = when its cache of the old RRset runs out: the latest t + ttl of the
# old answers it gave before it first gave the new one (a resolver that
# prefetches, like named, may renew the old RRset just before the flip).
tail -n +2 "$EP" | cut -f1,3,4,5 | sort -t $'\t' -k1,1 >"$WORK/kinds.tsv"
awk -F'\t' '
    { n++; T[n] = $1; A[n] = $2; S[n] = $3; L[n] = $4; seen[$2] = 1 }
    END {
        for (i = 1; i <= n; i++)
            if (S[i] == "new" && (!(A[i] in fn) || T[i] < fn[A[i]])) fn[A[i]] = T[i]
        for (i = 1; i <= n; i++) {
            if (S[i] != "stale") continue
            if (!(A[i] in ls) || T[i] > ls[A[i]]) ls[A[i]] = T[i]
            if (L[i] != "null" && (!(A[i] in fn) || T[i] < fn[A[i]])) {
                e = T[i] + L[i]
                if (!(A[i] in E) || e > E[A[i]]) E[A[i]] = e
            }
        }
        for (a in seen)
            printf "%s\t%s\t%s\t%s\n", a, (a in E ? E[a] : "null"), (a in fn ? fn[a] : "never"), (a in ls ? ls[a] : "never")
    }' "$OBS" | sort -t $'\t' -k1,1 >"$WORK/flipped.tsv"
join -t $'\t' "$WORK/kinds.tsv" "$WORK/flipped.tsv" >"$WORK/timeline.tsv"
printf '      %-11s %-14s %-6s %-5s %8s %9s %10s\n' address kind param up expiry first-new last-stale
sort -t $'\t' -k6,6g "$WORK/timeline.tsv" |
    awk -F'\t' '{printf "      %-11s %-14s %-6s %-5s %8s %9s %10s\n", $1, $2, $3, $4, $5, $6, $7}'

# timeline columns: 1 addr 2 kind 3 param 4 upstream 5 E 6 first_new 7 last_stale
tl() { awk -F'\t' "$@" "$WORK/timeline.tsv"; }
faithful='$2 != "stub" && $2 != "no-cache"'   # caches that keep records for their TTL
# serve-expired/serve-stale answers carry a made-up TTL, not a promise
promise='$2 != "stub" && $2 != "no-cache" && $2 != "serve-expired" && $2 != "serve-stale"'

# 5s of slack: a resolver may renew an entry that is about to expire when it
# is asked for (named prefetches with <= 2s left; unbound was once seen
# renewing one ~4s early, prefetch off), and a round takes up to a second.
v=$(tl "$promise && \$6 != \"never\" && \$5 != \"null\" && \$6 < \$5 - 5 {print \$1\" new at \"\$6\"s, cache expired at \"\$5\"s\"}")
if [[ -z $v ]]; then ok "no cache serves the new MX before its old TTL ran out (5s slack)"; else bad "caches flipped before their TTL ran out:"; note "$v"; fi

v=$(tl "$faithful && \$4 == \"main\" && \$2 != \"loss\" && (\$6 == \"never\" || (\$5 != \"null\" && \$6 > (\$5 > 0 ? \$5 : 0) + 15)) {print \$1\" \"\$2\": new at \"\$6\"s, expired at \"\$5\"s\"}")
if [[ -z $v ]]; then ok "every cache on ns1/ns2 flips within 15s after its TTL ran out"; else bad "late flips:"; note "$v"; fi

v=$(tl '$2 == "max-ttl" && ($6 == "never" || $6 > $3 + 12) {print $1" max-ttl="$3": new at "$6"s"}')
n=$(tl '$2 == "max-ttl"' | wc -l)
if ((n == 0)); then skipped "max-TTL clamps (none in this lab)"
elif [[ -z $v ]]; then ok "max-TTL clamps flip quickly (within clamp + 12s), $n resolvers"
else bad "max-TTL clamps slow:"; note "$v"; fi

n=$(tl '$2 == "min-ttl"' | wc -l)
# After the flip each of them must still serve the old RRset from a cache
# entry older than the record TTL (age = clamp - reported TTL): a resolver
# honouring the 30s TTL would have dropped it by then.  Independent of how
# long the checks before the flip took.
v=$(awk -F'\t' 'NR == FNR { if ($2 == "min-ttl") P[$1] = $3; next }
        ($2 in P) && $1 > 0 && $3 == "stale" && $4 != "null" && P[$2] - $4 > 30 + 2 { held[$2] = 1 }
        END { for (a in P) if (!(a in held)) print a ": no old answer after the flip from an entry older than 32s" }' \
        "$WORK/kinds.tsv" "$OBS")
if ((n == 0)); then
    skipped "min-TTL clamps (none in this lab)"
elif [[ -z $v ]]; then
    ok "min-TTL clamps hold the old MX longer than the 30s record TTL after the flip, $n resolvers"
else
    bad "min-TTL clamps did not hold the old records past the record TTL:"; note "$v"
fi

lag_rel=$(awk -v d="$lag_due" -v f="$t_flip" 'BEGIN {printf "%.2f", d - f}')
n=$(tl '$4 == "lag"' | wc -l)
v=$(tl -v L="$lag_rel" '$4 == "lag" && ($6 == "never" || $6 < L - 1.5 || $6 > L + 30 + 15) {print $1": new at "$6"s, ns3 caught up at "L"s"}')
if ((n == 0)); then
    skipped "resolvers on the lagging ns3 (none in this lab)"
elif [[ -z $v ]]; then
    ok "resolvers on the lagging ns3 keep the old MX until ns3 catches up (${lag_rel}s), then flip, $n resolvers"
else
    bad "lagging resolvers:"; note "$v"
fi

v=$(tl '$2 == "no-cache" && $6 != "never" && $6 > 5 {print $1": new only at "$6"s"} $2 == "no-cache" && $6 == "never" {print $1": never new"}')
if [[ -z $v ]]; then ok "an uncached forwarder flips at once"; else bad "uncached forwarder:"; note "$v"; fi
v=$(tl '$2 == "stub" && ($6 == "never" || $6 > 12) {print $1": new at "$6"s"}')
if [[ -z $v ]]; then ok "kresd in stub mode (short packet cache) flips within 12s"; else bad "kresd stub:"; note "$v"; fi

median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
m_max=$(tl '$2 == "max-ttl" && $6 != "never" {print $6}' | median)
m_plain=$(tl '$2 == "plain" && $4 == "main" && $6 != "never" {print $6}' | median)
m_min=$(tl '$2 == "min-ttl" && $6 != "never" {print $6}' | median)
m_lag=$(tl '$4 == "lag" && $6 != "never" {print $6}' | median)
if awk -v a="$m_max" -v b="$m_min" -v c="$m_lag" 'BEGIN {exit !(a < b && a < c)}'; then
    ok "order: max-TTL clamps (median ${m_max}s) before min-TTL clamps (${m_min}s) and lagging ones (${m_lag}s); plain ${m_plain}s"
else
    bad "flip order: max-ttl ${m_max}s, plain ${m_plain}s, min-ttl ${m_min}s, lag ${m_lag}s"
fi
distinct=$(tl "$faithful && \$6 != \"never\" {print \$6}" | sort -u | wc -l)
span=$(tl "$faithful && \$6 != \"never\" {print \$6}" | sort -g | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.0f", b - a}')
if ((distinct >= 4 && span >= 15)); then
    ok "resolvers flip one by one, not all at once ($distinct distinct moments over ${span}s)"
else
    bad "flips bunched: $distinct distinct moments over ${span}s"
fi

section "after propagation: --expect"
pw "$WORK/exp-new.json" -r "$LIST" "$ZONE" MX "${exp_new[@]}" --timeout 1s
expect_rc "--expect the new records passes" 0
pw "$WORK/exp-old-late.json" -r "$LIST" "$ZONE" MX "${exp_old[@]}" --timeout 1s
expect_rc "--expect the old records fails" 1
expect_jq "... and nobody serves them any more" "$WORK/exp-old-late.json" '.summary.new == 0 and .summary.stale >= $n' --argjson n "$n_healthy"
pw "$WORK/exp-nodata.json" -r "$LIST" "www.$ZONE" MX --expect none --timeout 1s
expect_rc "--expect none for a name without MX (NODATA) passes" 0
pw "$WORK/exp-nx.json" -r "$LIST" "nosuch.$ZONE" MX --expect none --timeout 1s
expect_rc "--expect none for a name that does not exist (NXDOMAIN) passes" 0
pw "$WORK/exp-txt.json" -r "$LIST" "_dmarc.$ZONE" TXT --expect '"v=DMARC1; p=none; rua=mailto:dmarc@example.test"' --timeout 1s
expect_rc "--expect the DMARC TXT record passes" 0


section "flip back"
if bash "$LAB" flip >"$WORK/flip2.out" 2>&1 && grep -q 'b -> a' "$WORK/flip2.out"; then
    ok "second flip goes back b -> a"
else
    bad "second flip"; sed 's/^/      /' "$WORK/flip2.out"
fi
m1=$(serial_of 127.0.2.1) m2=$(serial_of 127.0.2.2) m3=$(serial_of 127.0.2.3)
mx1=$(kdig @127.0.2.1 "$ZONE" MX +norec +short +timeout=1 | sort | paste -sd' ')
if ((m1 == n1 + 1 && m2 == m1 && m3 < m1)) && [[ $mx1 == "${OLD[*]}" ]]; then
    ok "serial $m1 with variant a on ns1/ns2; ns3 behind at $m3"
else
    bad "after second flip: serials $m1 $m2 $m3, ns1 MX '$mx1'"
fi
pw "$WORK/exp-back.json" -r "$LIST" "$ZONE" MX "${exp_old[@]}" --timeout 1s
expect_rc "--expect variant a right after flipping back fails (caches hold b)" 1
if bash "$LAB" status >"$WORK/status1.out" 2>&1 && grep -q "$m3" "$WORK/status1.out" && grep -q 'catches up in' "$WORK/status1.out"; then
    ok "status shows ns3 behind and when it catches up"
else
    bad "status after second flip"; sed 's/^/      /' "$WORK/status1.out"
fi

# -------------------------------------------------------- TTL analytics ----

section "TTL anomalies seen by check --wait after the first flip"
# --wait asked every resolver several times over the roll-out; its tracks name
# the resolvers that bend the rules. Each assertion names the endpoint kinds.
anom_check() {  # anom_check DESCRIPTION ANOMALY JQ-CONDITION-on-endpoint
    WHY='.resolvers[] | "\(.address) \(.label): \(.anomalies | join(",")) ttl_seen=\(.ttl_seen)"'
    expect_jq "$1" "$WORK/wait.json" \
        '[.resolvers[] as $r | $ep[] | select(.address == $r.address and ('"$3"')) | $r.anomalies | index($a) != null]
         | length > 0 and all' --argjson ep "$EPJ" --arg a "$2"
}
anom_check "min-TTL clamps flagged ttl-above-auth" ttl-above-auth '.kind == "min-ttl"'
anom_check "max-TTL clamps flagged ttl-capped (refetched below the zone's TTL)" ttl-capped \
    '.kind == "max-ttl"'
anom_check "resolvers behind the lagging ns3 flagged ttl-reset (old answer refetched)" ttl-reset \
    '.upstream == "lag"'
WHY='.resolvers[] | select(.anomalies | length > 0) | "\(.address) \(.label): \(.anomalies | join(","))"'
expect_jq "plain caches on ns1/ns2 are not flagged" "$WORK/wait.json" \
    '[.resolvers[] as $r | $ep[] | select(.address == $r.address and .kind == "plain" and .upstream == "main"
       and .operator != "named") | $r.anomalies | length == 0] | length > 0 and all' --argjson ep "$EPJ"
jq -r '.resolvers[] | select(.anomalies | length > 0) | "      \(.address)  \(.label): \(.anomalies | join(","))"' \
    "$WORK/wait.json" 2>/dev/null || true

section "predicted versus observed flip times (after flipping back)"
# One snapshot predicts each stale cache's flip from its TTL; independent
# polling (4 per second) sees when it really flips (tests/lib/eta-probe.sh).
# The serve-expired resolver is left out: it is watched alone below.
mapfile -t se_addrs < <(addrs_where '.kind == "serve-expired"')
grep -vF -f <(printf '%s \n' "${se_addrs[@]}") "$HEALTHY" >"$WORK/probe.txt"
grep -F -f <(printf '%s \n' "${se_addrs[@]}") "$HEALTHY" >"$WORK/se.txt" || true
PROPWATCH="$PROPWATCH" bash "$HERE/../lib/eta-probe.sh" "$WORK/eta.tsv" -r "$WORK/probe.txt" "${authargs[@]}" \
    --timeout 1s "$ZONE" MX
sed 's/^/      /' "$WORK/eta.tsv"

# Caches that keep a record exactly for its TTL. Not: named (it renews an
# entry asked for in its last 2 s: prefetch), resolvers behind the lagging
# ns3, serve-expired, kresd's stub mode and the non-caching forwarder.
faithful_eta='(.kind == "plain" or .kind == "min-ttl" or .kind == "max-ttl") and .upstream == "main" and .operator != "named"'
mapfile -t faithful_addrs < <(addrs_where "$faithful_eta")
within=0 outside=0 far=0 missing=0
# The flip lies in the window between the last poll that saw the old answer
# and the first that saw the new one: within D s of the prediction if the
# window reaches into [predicted - D, predicted + D].
near() { awk -F'\t' -v d="$1" '{ split($7, w, /[.][.]/); exit !($7 != "-" && w[1] <= $4 + d && w[2] >= $4 - d) }'; }
# early: the first poll that saw the new answer came before the prediction
early() { awk -F'\t' '{ split($7, w, /[.][.]/); exit !($7 != "-" && w[2] < $4) }'; }
early_far=0
for a in "${faithful_addrs[@]}"; do
    row=$(awk -F'\t' -v a="$a:53" '$1 == a' "$WORK/eta.tsv")
    if [[ -z $row ]]; then missing=$((missing + 1)); continue; fi
    if near 1 <<<"$row"; then
        within=$((within + 1))
    else
        outside=$((outside + 1)); note "outside 1 s: $row"
        if ! near 2 <<<"$row"; then
            if early <<<"$row"; then early_far=$((early_far + 1)); else far=$((far + 1)); fi
        fi
    fi
done
# A cache may always drop an entry before its TTL runs out (named's prefetch
# is left out above for that). unbound, with prefetch off, now and then
# flips a second or two early, once (CI, 2026-12-03) 2.3 s early: about one
# run in ten, not reproduced in 14 flips watched alone, and not the expiry
# of the exchanges' addresses it cached with the MX (tried: it answers from
# cache past those). An early flip breaks no promise: the ETA is the time by
# which the old answer is gone. So one cache outside 1 s is reported, not
# failed, if it flipped within 2 s of the prediction or before it; a second
# one, or a flip over 2 s after the prediction, is a wrong prediction.
if ((within > 0 && outside <= 1 && far == 0)); then
    ok "$within of $((within + outside)) faithful caches flipped within 1 s of the predicted ETA, none over 2 s late ($early_far over 2 s early; $missing already new)"
else
    bad "flip predictions: $within within 1 s, $outside outside ($far over 2 s late, $early_far over 2 s early), $missing without a prediction"
fi
lagged=$(addrs_where '.upstream == "lag"' | while read -r a; do
    awk -F'\t' -v a="$a:53" '$1 == a && ($6 == "-" || $6 > 1)' "$WORK/eta.tsv"; done | grep -c . || true)
if ((lagged > 0)); then
    ok "$lagged resolver(s) behind the lagging ns3 flip later than their TTL predicts (the lag shows)"
else
    bad "no resolver behind ns3 flipped late"
fi

section "serve-expired, watched alone by check --wait (flip a -> b once more)"
# A stale answer after expiry goes to whoever asks first, so nothing else
# asks this resolver now; --wait re-asks just after the TTL runs out.
# Nobody asked it during the probe: fill its cache with the current MX first.
for a in "${se_addrs[@]}"; do kdig "@$a" "$ZONE" MX +timeout=1 +retry=1 >/dev/null 2>&1 || true; done
sleep 2
if bash "$LAB" flip >"$WORK/flip3.out" 2>&1; then ok "third flip"; else bad "third flip"; fi
"$PROPWATCH" check -r "$WORK/se.txt" "${authargs[@]}" "$ZONE" MX --wait 90s --interval 5s --timeout 1s \
    --format json >"$WORK/se.json" 2>/dev/null || true
WHY='.resolvers[] | "\(.address) \(.label): \(.status) ttl_seen=\(.ttl_seen) \(.anomalies | join(","))"'
if jq -e '.summary.sweeps == 1' "$WORK/se.json" >/dev/null 2>&1; then
    # It had refetched just before the flip: nothing to see this time.
    skipped "serve-expired resolver flipped at once (its entry expired as we flipped)"
else
    expect_jq "unbound serve-expired flagged serve-stale (old answer past its TTL, then the new one)" \
        "$WORK/se.json" '(.resolvers | length) > 0 and all(.resolvers[]; .anomalies | index("serve-stale") != null)'
fi

# ----------------------------------------------------------------- mail ----
# Before compare: its random labels under the TLD fetch NSEC records of
# .test, from which the validating resolvers' aggressive negative caching
# (RFC 8198) would answer NXDOMAIN for the mail zones, which the lab's
# resolvers reach by stub, not through a delegation in .test.

section "propwatch mail: the mail lint domains and a mail-flip (tests/lab/mail.sh)"
# Its own script (it also runs standalone, taking the lab lock itself);
# here the lab is up and whoever runs this holds the lock.
if MAIL_LAB_UP=1 LAB_DIR=$LAB_DIR PROPWATCH=$PROPWATCH bash "$HERE/mail.sh" >"$WORK/mail.out" 2>&1; then
    ok "mail: $(tail -n 1 "$WORK/mail.out")"
else
    bad "mail: $(tail -n 1 "$WORK/mail.out")"
fi
sed 's/^/      /' "$WORK/mail.out"

# ------------------------------------------------------------- compare ----

section "compare: each probe's verdict for each endpoint (tests/lab/compare.sh)"
if PROPWATCH="$PROPWATCH" LAB_DIR="$LAB_DIR" bash "$HERE/compare.sh" >"$WORK/compare.out" 2>&1; then
    ok "$(tail -1 "$WORK/compare.out")"
else
    grep -E '^FAIL' "$WORK/compare.out" | head -20
    bad "$(tail -1 "$WORK/compare.out")"
fi

# ----------------------------------------------------------------- down ----

section "down"
pids=$(awk '{print $2}' "$LAB_DIR/procs")
t0=$SECONDS
# keep the lab's logs if anything failed so far
keep=0
((fail == 0)) || keep=1
if LAB_KEEP=$keep bash "$LAB" down >"$WORK/down.out" 2>&1; then ok "lab.sh down ($((SECONDS - t0))s)"; else bad "lab.sh down"; fi
left=0
for p in $pids; do
    st=$(ps -o stat= -p "$p" 2>/dev/null || true)
    [[ -z $st || $st == Z* ]] || left=$((left + 1))
done
busy=$( { ss -Hlnu; ss -Hlnt; } | awk '{print $4}' | grep -cE '^127\.0\.(1|2)\.[0-9]+:53$' || true)
aliases=$(ip -4 -o addr show dev lo | grep -cE ' 127\.0\.1\.[0-9]+/32' || true)
if ((left == 0 && busy == 0 && aliases == 0)) && { ((keep)) || [[ ! -e $LAB_DIR ]]; }; then
    ok "down stopped every tracked process, freed the ports, removed aliases and state"
else
    bad "after down: $left processes left, $busy sockets on lab addresses, $aliases aliases, dir $( [[ -e $LAB_DIR ]] && echo kept || echo gone)"
fi

finish

#!/usr/bin/env bash
# tests/lab/mail.sh -- `propwatch mail` against the lab's mail lint domains:
# the exact set of finding ids for every domain of tests/lab/mail-expect.tsv
# (no more, no less: the clean ones must give none), the JSON's shape and
# exit status, and the propagation of a change (scripts/lab.sh mail-flip):
# propagation-incomplete right after it, then `--wait` passing once the
# caches have caught up.
#
#   [PROPWATCH=/abs/build/propwatch] bash tests/lab/mail.sh
#       standalone: takes the lab lock, brings a lab up and down again
#   MAIL_LAB_UP=1 LAB_DIR=DIR PROPWATCH=... bash tests/lab/mail.sh
#       from tests/lab/run.sh: the lab in DIR is up and the caller holds the lock
#
# Resolvers: every endpoint of the lab (resolvers-all.txt) with the
# validating unbound (127.0.1.61) first, as the expectations ask (doc/LAB.md):
# the lint reads through the first resolvers that answer.  Prints ok/FAIL
# lines and "N passed, M failed"; exits non-zero if anything failed.
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB=$ROOT/scripts/lab.sh
EXPECT=$HERE/mail-expect.tsv
LOCK=/tmp/propwatch-lab.lock
FLIP=propagation-incomplete.test

if [[ -z ${MAIL_LAB_UP:-} && -z ${MAIL_LAB_LOCKED:-} ]]; then
    # Standalone: one lab on this machine at a time, other engineers too.
    MAIL_LAB_LOCKED=1 exec flock "$LOCK" bash "$0" "$@"
fi

pass=0 fail=0
ok()  { pass=$((pass + 1)); printf 'ok    %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s\n' "$*"; }
note() { printf '      %s\n' "$@"; }
finish() { printf '\n%s passed, %s failed\n' "$pass" "$fail"; ((fail == 0)); }

PROPWATCH=${PROPWATCH:-$ROOT/build/propwatch}
if [[ ! -x $PROPWATCH ]]; then
    bad "PROPWATCH must name the propwatch binary (got '${PROPWATCH:-}')"
    finish
    exit 1
fi
for tool in jq kdig; do
    command -v "$tool" >/dev/null || { bad "$tool is not installed"; finish; exit 1; }
done

WORK=$(mktemp -d /tmp/propwatch-mailtest.XXXXXX)
OWN_LAB=0
cleanup() {
    local rc=$?
    if ((OWN_LAB)); then bash "$LAB" down >/dev/null 2>&1 || true; fi
    if ((fail > 0)); then printf 'propwatch output kept in %s\n' "$WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z ${MAIL_LAB_UP:-} ]]; then
    export LAB_DIR=$WORK/lab
    OWN_LAB=1
    if ! bash "$LAB" up >"$WORK/up.out" 2>&1; then
        bad "lab.sh up"
        sed 's/^/      /' "$WORK/up.out" | tail -n 20
        finish
        exit 1
    fi
fi
: "${LAB_DIR:?LAB_DIR must name the running lab}"
[[ -s $LAB_DIR/resolvers-all.txt ]] || { bad "no lab in $LAB_DIR"; finish; exit 1; }

LIST=$WORK/resolvers.txt
{ grep -E '^127\.0\.1\.61[[:space:]]' "$LAB_DIR/resolvers-all.txt"
  grep -v '^#' "$LAB_DIR/resolvers-all.txt" | grep -vE '^127\.0\.1\.61[[:space:]]'; } >"$LIST"
n_res=$(wc -l <"$LIST")
# The silent endpoint costs a timeout per round: keep it short.
OPTS=(-r "$LIST" --dkim-selector sel1 --timeout 500ms --retries 1 --format json)

# mail DOMAIN OUT [ARGS...]: run it; sets RC
mail() {
    local d=$1 out=$2
    shift 2
    RC=0
    "$PROPWATCH" mail "${OPTS[@]}" "$@" "$d" >"$out" 2>"$out.err" || RC=$?
}
ids() { jq -r '[.findings[].id] | unique | join(",")' "$1" 2>/dev/null; }

printf '== every mail lint domain, through %s resolvers (127.0.1.61 first)\n' "$n_res"
t0=$(date +%s.%N)
while IFS=$'\t' read -r d want; do
    [[ -z $d || $d == \#* || $d == "$FLIP" ]] && continue
    out=$WORK/$d.json
    mail "$d" "$out"
    got=$(ids "$out")
    if ! jq -e . "$out" >/dev/null 2>&1; then
        bad "$d: no JSON (exit $RC): $(head -c 300 "$out.err")"
    elif [[ $got == "$want" ]]; then
        ok "$d: ${want:-no findings}"
    else
        bad "$d: got '${got}', want '${want}'"
        jq -r '.findings[] | "\(.id) \(.record): \(.message)"' "$out" | sed 's/^/      /'
    fi
    # The exit status follows the findings (everything has propagated).
    want_rc=$(jq -r 'if .summary.errors > 0 then 1 else 0 end' "$out" 2>/dev/null)
    if [[ $RC != "$want_rc" ]] || ! jq -e '.summary.propagated == .summary.records' "$out" >/dev/null; then
        bad "$d: exit $RC, want $want_rc with every record propagated"
        jq -r '.propagation[] | select(.propagated | not) | "\(.name) \(.type): \(.verdict) \(.why // "")"' "$out" |
            sed 's/^/      /'
    fi
done <"$EXPECT"
t1=$(date +%s.%N)
note "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s for all domains", b - a }')"

printf '\n== the JSON of clean.test\n'
out=$WORK/clean.test.json
if jq -e '(.domain == "clean.test.") and (.findings == []) and (.summary.errors == 0)
          and (.summary.warnings == 0) and (.summary.info == 0) and (.summary.exit == 0)
          and (.records["clean.test."].MX.source == "auth")
          and ([.propagation[] | "\(.name) \(.type)"] | index("mx2.clean.test. AAAA") != null)
          and all(.propagation[]; .share == 100 and .eta_s == null and (.variants | length) == 1)' \
        "$out" >/dev/null 2>&1; then
    ok "clean.test: no findings, records from the zone's servers, every record at 100%"
else
    bad "clean.test JSON"
    head -c 1500 "$out" | sed 's/^/      /'
fi
out=$WORK/mx-target-doubled.test.json
if jq -e '.findings[] | select(.id == "mx-target-doubled") | .fix | contains("`mx1.mx-target-doubled.test.`")' \
        "$out" >/dev/null 2>&1; then
    ok "mx-target-doubled: the fix names the trailing dot"
else
    bad "mx-target-doubled fix"
fi

printf '\n== propagation: %s\n' "$FLIP"
mail "$FLIP" "$WORK/flip0.json"
if [[ $(ids "$WORK/flip0.json") == "" && $RC == 0 ]]; then
    ok "$FLIP before a flip: no findings, exit 0"
else
    bad "$FLIP before a flip: '$(ids "$WORK/flip0.json")', exit $RC"
fi
if bash "$LAB" mail-flip >"$WORK/flip.out" 2>&1; then
    ok "lab.sh mail-flip"
    sed 's/^/      /' "$WORK/flip.out"
else
    bad "lab.sh mail-flip"
    sed 's/^/      /' "$WORK/flip.out"
fi
mail "$FLIP" "$WORK/flip1.json"
got=$(ids "$WORK/flip1.json")
want=$(awk -F'\t' -v d="$FLIP" '$1 == d {print $2}' "$EXPECT")
if [[ $got == "$want" && $RC == 1 ]]; then
    ok "$FLIP after the flip: $want, exit 1"
else
    bad "$FLIP after the flip: got '$got' exit $RC, want '$want' exit 1"
fi
jq -r '.findings[] | "\(.record): \(.message)"' "$WORK/flip1.json" 2>/dev/null | sed 's/^/      /'
if jq -e '[.propagation[] | select(.propagated | not) | "\(.name) \(.type)"] as $late
          | ($late | index("propagation-incomplete.test. MX") != null)
            and ($late | index("propagation-incomplete.test. TXT") != null)
          and all(.propagation[] | select(.propagated | not);
                  ([.variants[] | select(.new | not)] | length) >= 1 and .eta_s != null)' \
        "$WORK/flip1.json" >/dev/null 2>&1; then
    ok "MX and SPF reported incomplete, each with its variants and an ETA"
else
    bad "the incomplete records, variants and ETAs"
    jq -c '.propagation[] | {name, type, share, propagated, eta_s, n: (.variants | length)}' "$WORK/flip1.json" |
        sed 's/^/      /'
fi
# --wait: re-asks after each TTL; the clamped caches hold the old records
# for 90 s.  A deadline, no fixed sleep: it must pass well before it.
t0=$(date +%s)
mail "$FLIP" "$WORK/flip2.json" --wait 150s --interval 5s
took=$(($(date +%s) - t0))
if [[ $RC == 0 && $(ids "$WORK/flip2.json") == "" ]]; then
    ok "--wait passes once the caches have caught up (${took}s)"
else
    bad "--wait: exit $RC after ${took}s, findings '$(ids "$WORK/flip2.json")'"
    jq -r '.summary.note // empty' "$WORK/flip2.json" | sed 's/^/      /'
fi
finish

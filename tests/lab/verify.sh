#!/usr/bin/env bash
# tests/lab/verify.sh -- the lab against its own documentation, with kdig
# only (no propwatch needed): brings the lab up in a fresh LAB_DIR, then
#   - every endpoint behaves as tests/lab/compare-expect.tsv says
#     (tests/lab/compare-probe.sh --check),
#   - the mail lint zones are what tests/lab/mail-expect.tsv assumes
#     (tests/lab/mail-probe.sh --check),
#   - lab.sh mail-flip leaves the caches holding the old MX while ns1
#     serves the new one,
#   - lab.sh down returns with every process gone and the ports free.
# About 40 s.  The last line is "N passed, M failed".  `make lab-verify`.

set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/../../scripts/lab.sh
pass=0 fail=0
ok()  { pass=$((pass + 1)); printf 'ok    %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s\n' "$*"; }

((EUID == 0)) || { echo "verify.sh: needs root (port 53)"; exit 2; }
WORK=$(mktemp -d /tmp/propwatch-labverify.XXXXXX)
export LAB_DIR=$WORK/lab LAB_WARM=5
cleanup() {
    [[ ! -e $LAB_DIR/procs ]] || LAB_KEEP=$((fail > 0)) bash "$LAB" down >/dev/null 2>&1 || true
    if ((fail)); then echo "state kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

t0=$(date +%s.%N)
if bash "$LAB" up >"$WORK/up.out" 2>&1; then
    took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    if awk -v t="$took" 'BEGIN {exit !(t < 20)}'; then ok "lab.sh up in ${took}s"; else bad "lab.sh up took ${took}s (want < 20 s)"; fi
else
    bad "lab.sh up"; sed 's/^/      /' "$WORK/up.out"; exit 1
fi

if bash "$HERE/compare-probe.sh" --check "$HERE/compare-expect.tsv" >"$WORK/compare.out" 2>&1; then
    ok "$(tail -n 1 "$WORK/compare.out")"
else
    bad "compare-probe: the endpoints differ from compare-expect.tsv"; sed 's/^/      /' "$WORK/compare.out"
fi

if bash "$HERE/mail-probe.sh" --check >"$WORK/mail.out" 2>&1; then
    ok "$(tail -n 1 "$WORK/mail.out")"
else
    bad "mail-probe"; grep -E '^(FAIL|mail-probe)' "$WORK/mail.out" | sed 's/^/      /'
fi

D=propagation-incomplete.test
mx_at() { kdig "@$1" "$D" MX +short +timeout=1 +retry=2 "${@:2}" 2>/dev/null | sort | paste -sd' '; }
old=$(mx_at 127.0.2.1 +norec)
if bash "$LAB" mail-flip >"$WORK/flip.out" 2>&1; then
    new=$(mx_at 127.0.2.1 +norec)
    stale=0 fresh=0
    while IFS=$'\t' read -r addr _ kind _; do
        case $kind in silent|closed|refused|wrong-anchor) continue ;; esac
        got=$(mx_at "$addr")
        if [[ $got == "$old" ]]; then stale=$((stale + 1)); elif [[ $got == "$new" ]]; then fresh=$((fresh + 1)); fi
    done < <(tail -n +2 "$LAB_DIR/endpoints-all.tsv")
    # the uncached dnsmasq forwards to a cache, so it is stale too
    if [[ $new != "$old" ]] && ((stale >= 30 && fresh <= 2)); then
        ok "mail-flip: ns1 serves '$new', $stale endpoints still '$old' ($fresh new)"
    else
        bad "mail-flip: ns1 '$new' (was '$old'), $stale endpoints old, $fresh new"
    fi
else
    bad "lab.sh mail-flip"; sed 's/^/      /' "$WORK/flip.out"
fi

t0=$(date +%s.%N)
pids=$(awk '{print $2}' "$LAB_DIR/procs")
if LAB_KEEP=1 bash "$LAB" down >"$WORK/down.out" 2>&1; then
    took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    busy=$( { ss -Hlnu; ss -Hlnt; } | awk '{print $4}' | grep -cE '^127\.0\.(1|2)\.[0-9]+:53$' || true)
    left=0
    for p in $pids; do [[ -e /proc/$p ]] && left=$((left + 1)); done
    if ((busy == 0 && left == 0)); then
        ok "lab.sh down in ${took}s: right after it nothing listens on 127.0.1.x/127.0.2.x:53 and no process is left"
    else
        bad "right after down: $busy sockets listening, $left processes still there"
    fi
else
    bad "lab.sh down"; sed 's/^/      /' "$WORK/down.out"
fi
rm -f "$LAB_DIR/procs"

printf '\n%s passed, %s failed\n' "$pass" "$fail"
((fail == 0))

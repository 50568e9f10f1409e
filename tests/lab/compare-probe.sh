#!/usr/bin/env bash
# tests/lab/compare-probe.sh -- measure, with kdig, how every endpoint of a
# running lab behaves: the verdicts `propwatch compare` should reach.
#
#   LAB_DIR=/tmp/propwatch-lab bash tests/lab/compare-probe.sh            # print the table
#   LAB_DIR=... bash tests/lab/compare-probe.sh --check tests/lab/compare-expect.tsv
#
# The table is tests/lab/compare-expect.tsv's format: a header line, then one
# row per endpoint address.  --check measures and compares with the file,
# printing every difference (exit 1 if any).  doc/LAB.md says which probe
# decides which column; the probes are the functions below, one per column.
#
# Probe names (what compare should ask to reach the same verdicts):
#   www.signed.test A   signed and valid      www.bogus.test A   bogus (wrong DS)
#   nx-probe.signed.test A  does not exist    WwW.SiGnEd.TeSt A  for 0x20
# An endpoint that gives no answer at all (silent, closed port) gets "-" in
# every column but tcp; one that refuses everything gets "-" where a verdict
# needs an answer.

set -euo pipefail
export LC_ALL=C

LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
EP=$LAB_DIR/endpoints-all.tsv
[[ -s $EP ]] || { echo "compare-probe: no $EP (is the lab up? scripts/lab.sh up)" >&2; exit 2; }

COLUMNS_TSV='address	software	dnssec	nxdomain	nx_address	tcp	edns	udp_size	badvers	unknown_option_ignored	nsid	id_server	hostname_bind	version_bind	version_server	ecs	case_preserved'

# q ADDR ARGS...: one kdig exchange, its whole output (never fails).
# RETRY is raised for the lossy endpoint, whose verdicts would flicker.
RETRY=1
q() { local a=$1; shift; kdig +noidn "@$a" "$@" +timeout=1 +retry="$RETRY" 2>&1 || true; }
rcode() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }
flags() { sed -n 's/^;; Flags: \([^;]*\);.*/\1/p' | head -n 1; }
has_flag() { [[ " $(flags <<<"$1") " == *" $2 "* ]]; }
answer_has() { awk -v t="$2" '/^;; ANSWER SECTION:/ {a = 1; next} /^;; / || /^$/ {a = 0} a && $4 == t {f = 1} END {exit !f}' <<<"$1"; }

software() {  # how the endpoint is built, from its kind
    case $3 in
        latency) say "udpproxy(delay)>$2" ;;
        loss) say "udpproxy(loss)>$2" ;;
        silent) say "udpproxy(drop)" ;;
        closed) say "none" ;;
        udp-only) say "udpproxy>$2" ;;
        proxy) say "dnsproxy>$2" ;;
        nxrewrite) say "dnsproxy(nx)>$2" ;;
        ecs) say "dnsproxy(ecs)>$2" ;;
        lowercase) say "dnsproxy(lower)>$2" ;;
        ad-forge) say "dnsproxy(ad)>$2" ;;
        *) say "$2" ;;
    esac
}
say() { printf '%s\n' "$*"; }

# validates: bogus name SERVFAIL without CD and its data with CD, the signed
# name with DO gets AD and its RRSIG.  no: the bogus data comes back without
# CD and nothing gets AD.  broken: anything else (an answer is needed).
p_dnssec() {
    local a=$1 bogus cd signed
    bogus=$(q "$a" www.bogus.test A +dnssec)
    cd=$(q "$a" www.bogus.test A +dnssec +cd)
    signed=$(q "$a" www.signed.test A +dnssec)
    local rb rc rs
    rb=$(rcode <<<"$bogus"); rc=$(rcode <<<"$cd"); rs=$(rcode <<<"$signed")
    if [[ $rs != NOERROR && $rs != SERVFAIL ]]; then say -; return; fi
    if [[ $rb == SERVFAIL && $rc == NOERROR ]] && answer_has "$cd" A \
        && [[ $rs == NOERROR ]] && has_flag "$signed" ad && answer_has "$signed" RRSIG; then
        say validates
    elif [[ $rb == NOERROR && $rs == NOERROR ]] && answer_has "$bogus" A \
        && ! has_flag "$signed" ad && ! has_flag "$bogus" ad; then
        say no
    else
        say broken
    fi
}

p_nxdomain() {  # prints "verdict<TAB>address"
    local out r addr
    out=$(q "$1" nx-probe.signed.test A)
    r=$(rcode <<<"$out")
    case $r in
        NXDOMAIN) printf 'ok\t-\n' ;;
        NOERROR)
            addr=$(awk '/^;; ANSWER SECTION:/ {a = 1; next} a && $4 == "A" {print $5; exit}' <<<"$out")
            if [[ -n $addr ]]; then printf 'rewrites\t%s\n' "$addr"; else printf 'nodata\t-\n'; fi ;;
        *) printf -- '-\t-\n' ;;
    esac
}

bool() { if "$@"; then say true; else say false; fi; }
p_tcp() { bool test -n "$(q "$1" www.signed.test A +tcp | rcode)"; }

# edns: an EDNS0 query gets an OPT back; udp_size: what that OPT advertises;
# badvers: EDNS version 1 gets BADVERS; unknown_option_ignored: an unknown
# option (65001) gets the same rcode as plain EDNS0 and is not echoed.
p_edns() {  # prints edns<TAB>udp_size<TAB>badvers<TAB>unknown_option_ignored
    local out r0 size e1 uo r
    out=$(q "$1" www.signed.test A +edns=0)
    r0=$(rcode <<<"$out")
    if [[ -z $r0 ]]; then printf -- '-\t-\t-\t-\n'; return; fi
    size=$(sed -n 's/.*UDP size: \([0-9]*\) B.*/\1/p' <<<"$out" | head -n 1)
    e1=$(q "$1" www.signed.test A +edns=1 | rcode)
    uo=$(q "$1" www.signed.test A +ednsopt=65001:c0ffee)
    r=$(rcode <<<"$uo")
    local ignored=false
    if [[ $r == "$r0" ]] && ! grep -qi 65001 <<<"$uo"; then ignored=true; fi
    printf '%s\t%s\t%s\t%s\n' "$(bool test -n "$size")" "${size:--}" "$(bool test "$e1" = BADVERS)" "$ignored"
}

p_nsid() {
    local n
    n=$(q "$1" www.signed.test A +nsid | sed -n 's/^;; NSID: [0-9A-Fa-f]* "\(.*\)"$/\1/p' | head -n 1)
    say "${n:--}"
}

p_chaos() {  # p_chaos ADDR NAME: the TXT string, or "-" (set CHAOS_RCODE=1 to see why not)
    local out r t
    out=$(q "$1" "$2" CH TXT)
    r=$(rcode <<<"$out")
    t=$(awk '/^;; ANSWER SECTION:/ {a = 1; next} a && $4 == "TXT" {sub(/^[^"]*"/, ""); sub(/"[^"]*$/, ""); print; exit}' <<<"$out")
    if [[ -n $t ]]; then say "$t"
    elif [[ ${CHAOS_RCODE:-0} == 1 ]]; then say "-(${r:-no reply})"
    else say -; fi
}

p_ecs() {
    local out s
    out=$(q "$1" www.signed.test A +subnet=192.0.2.0/24)
    if [[ -z $(rcode <<<"$out") ]]; then say -; return; fi
    s=$(sed -n 's/^;; CLIENT-SUBNET: .*\/\([0-9]*\)$/\1/p' <<<"$out" | head -n 1)
    if [[ -z $s ]]; then say absent
    elif ((s > 0)); then say honoured
    else say echoed; fi
}

p_case() {
    local out qn
    out=$(q "$1" WwW.SiGnEd.TeSt A)
    if [[ -z $(rcode <<<"$out") ]]; then say -; return; fi
    qn=$(awk '/^;; QUESTION SECTION:/ {getline; print $2; exit}' <<<"$out")
    if [[ -z $qn ]]; then say -      # a reply without question (unbound's REFUSED)
    elif [[ $qn == WwW.SiGnEd.TeSt. ]]; then say true
    else say false; fi
}

probe() {  # probe ADDR FAMILY KIND: one table row
    local a=$1 sw reach
    [[ $3 != loss ]] || RETRY=6
    sw=$(software "$a" "$2" "$3")
    reach=$(q "$a" www.signed.test A | rcode)
    if [[ -z $reach ]]; then
        printf '%s\t%s' "$a" "$sw"
        printf '\t-\t-\t-\t%s' "$(p_tcp "$a")"
        printf '\t-%.0s' 1 2 3 4 5 6 7 8 9 10 11
        printf '\n'
        return
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$a" "$sw" "$(p_dnssec "$a")" \
        "$(p_nxdomain "$a")" "$(p_tcp "$a")" "$(p_edns "$a")" "$(p_nsid "$a")" \
        "$(p_chaos "$a" id.server)" "$(p_chaos "$a" hostname.bind)" \
        "$(p_chaos "$a" version.bind)" "$(p_chaos "$a" version.server)" "$(p_ecs "$a")" "$(p_case "$a")"
}

measure() {
    local out=$1 addr family kind i=0
    mkdir -p "$out"
    # endpoints in parallel: the silent one costs seconds of timeouts
    while IFS=$'\t' read -r addr family kind _; do
        probe "$addr" "$family" "$kind" >"$out/$(printf '%03d' "$i")" &
        i=$((i + 1))
        (( i % 8 )) || wait
    done < <(tail -n +2 "$EP")
    wait
    say "$COLUMNS_TSV"
    cat "$out"/*
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if [[ ${1:-} == --check ]]; then
    want=${2:?--check needs the expectations file}
    measure "$TMP/rows" >"$TMP/got.tsv"
    grep -v '^#' "$want" >"$TMP/want.tsv"
    if diff -u "$TMP/want.tsv" "$TMP/got.tsv" >"$TMP/diff"; then
        echo "compare-probe: all $(($(wc -l <"$TMP/got.tsv") - 1)) endpoints as expected ($want)"
    else
        echo "compare-probe: measured table differs from $want (- expected, + measured):"
        cat "$TMP/diff"
        exit 1
    fi
else
    measure "$TMP/rows"
fi

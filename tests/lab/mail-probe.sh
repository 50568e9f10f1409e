#!/usr/bin/env bash
# tests/lab/mail-probe.sh -- show, with kdig against a running lab, how each
# mail lint domain differs from clean.test: the evidence that each carries
# exactly the one defect tests/lab/mail-expect.tsv says it has.
#
#   LAB_DIR=/tmp/propwatch-lab bash tests/lab/mail-probe.sh [RESOLVER]
#   LAB_DIR=... bash tests/lab/mail-probe.sh --check [RESOLVER]
#
# For every domain it collects, through RESOLVER (default 127.0.1.61, the
# validating unbound), what a mail linter looks at: the MX RRset and its
# targets' A/AAAA/CNAME, the apex TXT and the SPF records it includes or
# redirects to, _dmarc, sel1._domainkey (RSA key size through openssl),
# _mta-sts, _smtp._tls, TLSA at _25._tcp of each target, the DMARC report
# authorisation at the rua domain, and the DNSSEC status (AD; SERVFAIL
# without CD but data with CD = bogus).  Names are written relative to the
# domain ("@"), TTLs and signatures left out, so domains compare line by line.
# It prints each domain's difference from clean.test.
#
# --check also requires: every line of mail-expect.tsv matches the lab's own
# table (scripts/lab.sh mail-domains --tsv); every defective domain differs
# from clean.test and every clean one does not (reports.test and
# dmarc-rua-authorized.test differ only in their authorisation records); and
# clean.test answers with the same MX through every endpoint that answers.

set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=$HERE/../../scripts/lab.sh
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
CHECK=0
if [[ ${1:-} == --check ]]; then CHECK=1; shift; fi
RES=${1:-127.0.1.61}
[[ -s $LAB_DIR/endpoints-all.tsv ]] || { echo "mail-probe: no lab in $LAB_DIR" >&2; exit 2; }

q() { kdig "@$RES" +timeout=2 +retry=1 "$@" 2>/dev/null || true; }
rcode() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }
# answer RRs without TTL and without DNSSEC records, one per line, sorted
rrs() { awk '/^;; ANSWER SECTION:/ {a = 1; next} /^;;/ || /^$/ {a = 0} a && $4 != "RRSIG" {$2 = ""; print}' | sed 's/  */ /g' | sort; }
txt_of() { q "$1" TXT | rrs | sed 's/^[^ ]* IN TXT //'; }
rel() { sed "s/${1//./\\.}/@/g"; }   # the domain's name becomes @

dkim_bits() {  # "v=DKIM1; k=rsa; p=..." (quoted strings) -> a short description
    local t p
    t=$(tr -d '"' <<<"$1" | sed 's/ //g')
    p=$(sed -n 's/.*p=\([^;]*\).*/\1/p' <<<"$t")
    if [[ -z $p ]]; then say "dkim: $t (empty p=)"; return; fi
    if bits=$( (printf -- '-----BEGIN PUBLIC KEY-----\n'; fold -w 64 <<<"$p"; printf -- '-----END PUBLIC KEY-----\n') |
        openssl pkey -pubin -noout -text 2>/dev/null | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p'); [[ -n $bits ]]; then
        say "dkim: ${t/p=$p/p=<rsa $bits bits>}"
    else
        say "dkim: $t (p= is not a key)"
    fi
}
say() { printf '%s\n' "$*"; }

# spf_names DOMAIN TXT...: the names an SPF record includes or redirects to
spf_names() { grep -o -E '(include:|redirect=)[^ "]+' <<<"$2" | sed 's/^include://; s/^redirect=//'; }

dump() {  # dump DOMAIN: the normalized facts, one per line
    local d=$1 out r mx t name seen=" " dmarc
    out=$(q "$d" MX +dnssec)
    r=$(rcode <<<"$out")
    if [[ $r == SERVFAIL ]]; then
        say "dnssec: SERVFAIL without CD, $(q "$d" MX +dnssec +cd | rcode) with CD (bogus)"
        out=$(q "$d" MX +dnssec +cd)
    elif grep -q '^;; Flags:.* ad[ ;]' <<<"$out"; then
        say "dnssec: secure (AD)"
    else
        say "dnssec: insecure (no AD)"
    fi
    local cd=""
    [[ $r == SERVFAIL ]] && cd=+cd
    mx=$(rrs <<<"$out" | awk '$3 == "MX" {print $4, $5}')
    [[ -n $mx ]] || say "mx: none ($(rcode <<<"$out"))"
    while read -r pref t; do
        [[ -n $t ]] || continue
        say "mx: $pref $t" | rel "$d"
        [[ $t == . ]] && continue
        for ty in A AAAA; do
            o=$(q "$t" "$ty" $cd)
            r=$(rcode <<<"$o")
            rrs <<<"$o" | sed "s/^/  $t: /" | rel "$d"
            [[ -n $(rrs <<<"$o") ]] || say "  $t $ty: ${r:-no reply}" | rel "$d"
            o=$(q "_25._tcp.$t" TLSA $cd)
            [[ $ty == A ]] && rrs <<<"$o" | sed "s/^/  tlsa: /" | rel "$d"
        done
    done <<<"$mx"
    t=$(q "$d" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
    [[ -n $t ]] || say "txt: none"
    while read -r line; do [[ -n $line ]] && say "txt: $line" | rel "$d"; done <<<"$t"
    # included / redirected SPF records, breadth first, each once
    local -a todo
    mapfile -t todo < <(spf_names "$d" "$t")
    while ((${#todo[@]})); do
        name=${todo[0]}; todo=("${todo[@]:1}")
        [[ $seen == *" $name "* ]] && continue
        seen+="$name "
        t=$(q "$name" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
        say "spf $name: ${t:-$(q "$name" TXT $cd | rcode)}" | rel "$d"
        mapfile -t -O "${#todo[@]}" todo < <(spf_names "$name" "$t")
    done
    dmarc=$(q "_dmarc.$d" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
    if [[ -z $dmarc ]]; then say "dmarc: none"; fi
    while read -r line; do [[ -n $line ]] && say "dmarc: $line" | rel "$d"; done <<<"$dmarc"
    # RFC 7489 7.1: a rua in another domain needs its consent
    { grep -o 'mailto:[^;," ]*' <<<"$dmarc" || true; } | sed 's/.*@//' | sort -u | while read -r name; do
        [[ $name == "$d" ]] && continue
        t=$(q "$d._report._dmarc.$name" TXT $cd)
        r=$(rrs <<<"$t" | sed 's/^[^ ]* IN TXT //' | paste -sd' ')
        say "dmarc report consent at $name: ${r:-none ($(rcode <<<"$t"))}" | rel "$d"
    done
    t=$(q "sel1._domainkey.$d" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
    if [[ -n $t ]]; then dkim_bits "$t"; else say "dkim: none"; fi
    t=$(q "_mta-sts.$d" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
    while read -r line; do say "mta-sts: ${line:-none}"; done <<<"$t"
    t=$(q "_smtp._tls.$d" TXT $cd | rrs | sed 's/^[^ ]* IN TXT //')
    while read -r line; do say "tlsrpt: ${line:-none}" | rel "$d"; done <<<"$t"
    say "(end)"     # a dump cut short by an error lacks this line
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bad=0
fail() { printf 'FAIL  %s\n' "$*"; bad=$((bad + 1)); }

bash "$LAB" mail-domains --tsv >"$TMP/table.tsv"
while IFS=$'\t' read -r d _; do dump "$d" >"$TMP/$d" & done <"$TMP/table.tsv"
wait
echo "== clean.test through $RES"
sed 's/^/   /' "$TMP/clean.test"
while IFS=$'\t' read -r d mode f what; do
    [[ $d == clean.test ]] && continue
    [[ $f != - ]] || f="no finding"
    printf '\n== %s (%s) expected: %s -- %s\n' "$d" "$mode" "$f" "$what"
    diff "$TMP/clean.test" "$TMP/$d" | grep '^[<>]' | sed 's/^/   /' || true
done < <(awk -F'\t' '{printf "%s\t%s\t%s\t%s\n", $1, $2, ($3 == "" ? "-" : $3), $4}' "$TMP/table.tsv")

((CHECK)) || exit 0
echo
# the expectations file is the lab's table
grep -v '^#' "$HERE/mail-expect.tsv" >"$TMP/want"
cut -f1,3 "$TMP/table.tsv" >"$TMP/have"
diff -u "$TMP/want" "$TMP/have" >"$TMP/d" || { fail "mail-expect.tsv differs from scripts/lab.sh mail-domains --tsv:"; cat "$TMP/d"; }
while IFS=$'\t' read -r d mode f _; do
    [[ $(tail -n 1 "$TMP/$d") == "(end)" ]] || fail "the dump of $d stopped early"
    [[ $d == clean.test ]] && continue
    n=$(diff "$TMP/clean.test" "$TMP/$d" | grep -c '^[<>]' || true)
    case $d in
        propagation-incomplete.test) ;;   # clean before a mail-flip, changed after
        # the rua moves to reports.test, which consents: the DMARC line and the consent differ
        reports.test|dmarc-rua-authorized.test)
            ((n <= 3)) || fail "$d should differ from clean.test only in its DMARC rua and consent ($n lines differ)" ;;
        *) ((n > 0)) || fail "$d does not differ from clean.test" ;;
    esac
done <"$TMP/table.tsv"
want=$(kdig "@$RES" clean.test MX +short 2>/dev/null | sort | paste -sd' ')
while IFS=$'\t' read -r addr _ kind _; do
    case $kind in silent|closed|refused|wrong-anchor) continue ;; esac
    got=$(kdig "@$addr" clean.test MX +short +timeout=1 +retry=3 2>/dev/null | sort | paste -sd' ')
    [[ $got == "$want" ]] || fail "clean.test MX through $addr ($kind): '$got', want '$want'"
done < <(tail -n +2 "$LAB_DIR/endpoints-all.tsv")
if ((bad)); then echo "mail-probe: $bad problem(s)"; exit 1; fi
echo "mail-probe: mail-expect.tsv matches the lab; every defective domain differs from clean.test; clean.test resolves through every answering endpoint"

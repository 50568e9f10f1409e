# scripts/lab/mail-zones.sh -- sourced by scripts/lab.sh.
# shellcheck shell=bash
#
# Zones for linting a domain's mail DNS (`propwatch mail`).  clean.test is
# the reference: every check passes.  Every other domain is clean.test with
# exactly one defect, so that its expected findings are as few as possible.
# All of them live on the Knot primary ns1 and are delegated from the fake
# root, so every lab resolver reaches them by iteration (dnsmasq through the
# compare backend).  The same table feeds tests/lab/mail-expect.tsv.
#
# Readings the expectations rest on (say so if the linter differs):
#  - mx-no-ipv6 means "no MX target has an AAAA", so one target without AAAA
#    beside one with AAAA is not a finding;
#  - an MX that is an IP literal (192.0.2.1.) is also an unresolvable target:
#    the name 192.0.2.1. does not exist (the fake root says NXDOMAIN);
#  - the doubled target of mx-target-doubled.test does resolve (it has A and
#    AAAA), so that the doubling is the only defect;
#  - a loop is detected when it closes, not counted through to 10 lookups;
#  - dane-tlsa is the info finding for TLSA in a signed zone; in an unsigned
#    zone the same records give dane-without-dnssec (and dnssec-unsigned).
#
# MX exchangers, DMARC and TLS-RPT mailboxes point at loopback (127.0.4.x,
# ::ffff:127.0.4.x) or at the lab's own domains: nothing leaves the machine.
# The DKIM public keys were made once with
#   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:BITS | openssl pkey -pubout
# (private halves thrown away: nothing in the lab signs mail).

# domain, dnssec (signed | unsigned | bogus), expected findings, what differs
# shellcheck disable=SC2016  # backquotes in the descriptions are only text
MAIL_DOMAINS='
clean.test                   signed   -                          nothing: the reference, zero findings
reports.test                 signed   -                          clean, and authorises dmarc-rua-authorized.test to report to it
mx-missing.test              signed   mx-missing                 no MX RRset
mx-null.test                 signed   mx-null                    only "0 ." (RFC 7505 null MX)
mx-null-conflict.test        signed   mx-null-conflict           "0 ." beside the two MX
mx-target-ip.test            signed   mx-target-ip,mx-target-unresolvable  first MX target is 192.0.2.1.
mx-target-cname.test         signed   mx-target-cname            mx1 is a CNAME to host1 (which has A and AAAA)
mx-target-unresolvable.test  signed   mx-target-unresolvable     mx1 does not exist (NXDOMAIN)
mx-target-doubled.test       signed   mx-target-doubled          first target mx1.mx-target-doubled.test.mx-target-doubled.test. (missing trailing dot)
mx-duplicate.test            signed   mx-duplicate               10 mx1 and 20 mx1
mx-single.test               signed   mx-single                  one MX only
mx-same-preference.test      signed   mx-same-preference         10 mx1 and 10 mx2
mx-no-ipv6.test              signed   mx-no-ipv6                 mx1 and mx2 have A only
spf-missing.test             signed   spf-missing                no SPF TXT
spf-multiple.test            signed   spf-multiple               two v=spf1 TXT records
spf-syntax.test              signed   spf-syntax                 unknown mechanism ipv4:
spf-lookups.test             signed   spf-lookups                13 DNS-querying terms through include, include, include, redirect
spf-void-lookups.test        signed   spf-void-lookups           3 a: terms that find nothing (2 NXDOMAIN, 1 NODATA)
spf-all-permissive.test      signed   spf-all-permissive         ends in +all
spf-neutral-all.test         signed   spf-all-permissive         ends in ?all
spf-no-all.test              signed   spf-no-all                 no all, no redirect
spf-ptr.test                 signed   spf-ptr                    uses ptr
spf-include-missing.test     signed   spf-include-missing        include target has a TXT, but no SPF record
spf-loop.test                signed   spf-loop                   include:_spf.spf-loop.test, which includes spf-loop.test
dmarc-missing.test           signed   dmarc-missing              no _dmarc record
dmarc-multiple.test          signed   dmarc-multiple             two v=DMARC1 records
dmarc-syntax.test            signed   dmarc-syntax               v=DMARC1 is not the first tag
dmarc-syntax-nopolicy.test   signed   dmarc-syntax               no p= tag
dmarc-policy-none.test       signed   dmarc-policy-none          p=none
dmarc-rua-invalid.test       signed   dmarc-rua-invalid          rua=dmarc@... (not a mailto: URI)
dmarc-rua-unauthorized.test  signed   dmarc-rua-unauthorized     rua in reports.test, which lacks the _report._dmarc record
dmarc-rua-authorized.test    signed   -                          rua in reports.test, which has the _report._dmarc record
dkim-missing.test            signed   dkim-missing               no sel1._domainkey
dkim-syntax.test             signed   dkim-syntax                p= is not base64
dkim-revoked.test            signed   dkim-revoked               empty p= (revoked key)
dkim-weak-key.test           signed   dkim-weak-key              768-bit RSA key
mta-sts-syntax.test          signed   mta-sts-syntax             id= has a character outside [A-Za-z0-9]
mta-sts-multiple.test        signed   mta-sts-syntax             two _mta-sts TXT records
tlsrpt-syntax.test           signed   tlsrpt-syntax              rua=tlsrpt@... (not a mailto: or https: URI)
dane-tlsa.test               signed   dane-tlsa                  TLSA at _25._tcp of both MX targets
dane-without-dnssec.test     unsigned dane-without-dnssec,dnssec-unsigned  TLSA at _25._tcp of both MX targets, zone unsigned
dnssec-unsigned.test         unsigned dnssec-unsigned            the clean setup, zone unsigned
dnssec-bogus.test            bogus    dnssec-bogus               the clean setup, DS in the root does not match
propagation-incomplete.test  signed   propagation-incomplete     TTL 30 s; `lab.sh mail-flip` changes MX and SPF (findings hold after a flip)
'
# shellcheck disable=SC2034  # used by dnssec.sh
MAIL_FLIP_DOMAIN=propagation-incomplete.test MAIL_TTL=300 MAIL_FLIP_TTL=30

mail_domains() {  # domain TAB dnssec TAB findings TAB what
    local d mode f what
    while read -r d mode f what; do
        [[ -z $d || $d == \#* ]] && continue
        [[ $f == - ]] && f=
        printf '%s\t%s\t%s\t%s\n' "$d" "$mode" "$f" "$what"
    done <<<"$MAIL_DOMAINS"
}

# A TXT rdata of quoted strings of at most 255 characters each.
txt_strings() {
    local s=$1 out=""
    while ((${#s} > 255)); do out+="\"${s:0:255}\" "; s=${s:255}; done
    printf '%s"%s"' "$out" "$s"
}

dkim_key() { tr -d '\n' <"$LABSRC/keys/dkim-rsa$1.b64"; }

# mail_zone_body DOMAIN VARIANT: the records of a mail domain (clean unless
# its name says otherwise).  VARIANT only matters for the flip domain.
mail_zone_body() {
    local d=$1 v=${2:-a}
    local mx="@ MX 10 mx1
@ MX 20 mx2"
    local hosts="mx1 A 127.0.4.11
mx1 AAAA ::ffff:127.0.4.11
mx2 A 127.0.4.12
mx2 AAAA ::ffff:127.0.4.12"
    local spf='@ TXT "v=spf1 mx -all"'
    local dmarc="_dmarc TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@$d\""
    local dkim
    dkim="sel1._domainkey TXT $(txt_strings "v=DKIM1; k=rsa; p=$(dkim_key 2048)")"
    local sts='_mta-sts TXT "v=STSv1; id=2026120101"'
    local tlsrpt="_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@$d\""
    local extra="" tlsa
    tlsa="3 1 1 $(base64 -d "$LABSRC/keys/dkim-rsa2048.b64" | sha256sum | cut -c1-64)"
    case $d in
        reports.test)
            extra='dmarc-rua-authorized.test._report._dmarc TXT "v=DMARC1"' ;;
        mx-missing.test) mx= ;;
        mx-null.test) mx='@ MX 0 .' ;;
        mx-null-conflict.test) mx+=$'\n@ MX 0 .' ;;
        mx-target-ip.test) mx=$'@ MX 10 192.0.2.1.\n@ MX 20 mx2' ;;
        mx-target-cname.test)
            hosts=${hosts//mx1 /host1 }
            hosts+=$'\nmx1 CNAME host1' ;;
        mx-target-unresolvable.test) hosts=$(grep -v '^mx1 ' <<<"$hosts") ;;
        mx-target-doubled.test)
            # the classic zone-file slip: a name without its trailing dot
            mx=$'@ MX 10 mx1.mx-target-doubled.test\n@ MX 20 mx2'
            hosts+=$'\nmx1.mx-target-doubled.test A 127.0.4.11\nmx1.mx-target-doubled.test AAAA ::ffff:127.0.4.11' ;;
        mx-duplicate.test) mx=$'@ MX 10 mx1\n@ MX 20 mx1' ;;
        mx-single.test) mx='@ MX 10 mx1' ;;
        mx-same-preference.test) mx=$'@ MX 10 mx1\n@ MX 10 mx2' ;;
        mx-no-ipv6.test) hosts=$(grep -v AAAA <<<"$hosts") ;;
        spf-missing.test) spf= ;;
        spf-multiple.test) spf+=$'\n@ TXT "v=spf1 ip4:127.0.4.0/24 -all"' ;;
        spf-syntax.test) spf='@ TXT "v=spf1 mx ipv4:127.0.4.11 -all"' ;;
        spf-lookups.test)
            # 3 + 3 + 3 + 2 (+ redirect) + 1 = 13 terms that query the DNS, none void
            spf="@ TXT \"v=spf1 mx a:mx1.$d include:_s1.$d -all\"
_s1 TXT \"v=spf1 a:mx1.$d a:mx2.$d include:_s2.$d -all\"
_s2 TXT \"v=spf1 a:mx1.$d a:mx2.$d include:_s3.$d -all\"
_s3 TXT \"v=spf1 a:mx1.$d a:mx2.$d redirect=_s4.$d\"
_s4 TXT \"v=spf1 a:mx2.$d -all\"" ;;
        spf-void-lookups.test)
            spf="@ TXT \"v=spf1 mx a:nx1.$d a:nx2.$d a:nodata.$d -all\""
            extra='nodata TXT "a name with no address"' ;;
        spf-all-permissive.test) spf='@ TXT "v=spf1 mx +all"' ;;
        spf-neutral-all.test) spf='@ TXT "v=spf1 mx ?all"' ;;
        spf-no-all.test) spf='@ TXT "v=spf1 mx"' ;;
        spf-ptr.test) spf='@ TXT "v=spf1 mx ptr -all"' ;;
        spf-include-missing.test)
            spf="@ TXT \"v=spf1 mx include:_spf.$d -all\""
            extra='_spf TXT "this name has a TXT record, but no SPF record"' ;;
        spf-loop.test)
            spf="@ TXT \"v=spf1 mx include:_spf.$d -all\"
_spf TXT \"v=spf1 include:$d -all\"" ;;
        dmarc-missing.test) dmarc= ;;
        dmarc-multiple.test) dmarc+=$'\n'"_dmarc TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@$d\"" ;;
        dmarc-syntax.test) dmarc="_dmarc TXT \"p=reject; v=DMARC1; rua=mailto:dmarc@$d\"" ;;
        dmarc-syntax-nopolicy.test) dmarc="_dmarc TXT \"v=DMARC1; rua=mailto:dmarc@$d\"" ;;
        dmarc-policy-none.test) dmarc="_dmarc TXT \"v=DMARC1; p=none; rua=mailto:dmarc@$d\"" ;;
        dmarc-rua-invalid.test) dmarc="_dmarc TXT \"v=DMARC1; p=reject; rua=dmarc@$d\"" ;;
        dmarc-rua-unauthorized.test|dmarc-rua-authorized.test)
            dmarc='_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@reports.test"' ;;
        dkim-missing.test) dkim= ;;
        dkim-syntax.test) dkim='sel1._domainkey TXT "v=DKIM1; k=rsa; p=this*is*not*base64!"' ;;
        dkim-revoked.test) dkim='sel1._domainkey TXT "v=DKIM1; k=rsa; p="' ;;
        dkim-weak-key.test) dkim="sel1._domainkey TXT $(txt_strings "v=DKIM1; k=rsa; p=$(dkim_key 768)")" ;;
        mta-sts-syntax.test) sts='_mta-sts TXT "v=STSv1; id=2026-12-01"' ;;
        mta-sts-multiple.test) sts+=$'\n_mta-sts TXT "v=STSv1; id=2026120102"' ;;
        tlsrpt-syntax.test) tlsrpt="_smtp._tls TXT \"v=TLSRPTv1; rua=tlsrpt@$d\"" ;;
        dane-tlsa.test|dane-without-dnssec.test)
            extra="_25._tcp.mx1 TLSA $tlsa
_25._tcp.mx2 TLSA $tlsa" ;;
        "$MAIL_FLIP_DOMAIN")
            if [[ $v == b ]]; then
                # the exchanger moves from mx1 to mx3, and SPF names the block
                mx=$'@ MX 10 mx3\n@ MX 20 mx2'
                hosts+=$'\nmx3 A 127.0.4.13\nmx3 AAAA ::ffff:127.0.4.13'
                spf='@ TXT "v=spf1 mx ip4:127.0.4.0/24 -all"'
            fi ;;
    esac
    local part
    for part in "$mx" "$hosts" "$spf" "$dmarc" "$dkim" "$sts" "$tlsrpt" "$extra"; do
        [[ -n $part ]] && say "$part"
    done
    return 0
}

# ------------------------------------------------------------ mail-flip ----

# Fill every answering endpoint's cache with the flip domain's MX and TXT,
# all in one kdig run (it sends each query to the server written before it).
mail_warm() {
    local d=$1 addr kind
    local -a q=()
    while IFS=$'\t' read -r addr _ kind _; do
        case $kind in silent|closed|refused) continue ;; esac
        q+=("@$addr" "$d" MX "@$addr" "$d" TXT)
    done < <(tail -n +2 "$LAB_DIR/endpoints-all.tsv")
    # retries: the lossy endpoint (52) must not miss its copy
    kdig +timeout=1 +retry=3 "${q[@]}" >/dev/null 2>&1 || true
}

mail_serial() {
    kdig "@$NS1" "$1" SOA +norec +short +timeout=1 +retry=0 2>/dev/null | awk '{print $3; exit}'
}

# Change MX and SPF of the flip domain on ns1, after making sure every cache
# holds the old ones: for the next MAIL_FLIP_TTL seconds (longer behind the
# min-TTL clamps) resolvers and the primary disagree.
cmd_mail_flip() {
    require_up
    local d=$MAIL_FLIP_DOMAIN cur next serial now
    cur=$(cat "$LAB_DIR/mail-variant")
    case ${1:-} in
        "") case $cur in a) next=b ;; *) next=a ;; esac ;;
        a|b) next=$1 ;;
        *) die "mail-flip: unknown variant '$1' (a or b)" ;;
    esac
    mail_warm "$d"
    serial=$(( $(cat "$LAB_DIR/mail-serial") + 1 ))
    mail_zone_body "$d" "$next" | write_child_zone "$d" "$MAIL_FLIP_TTL" "$serial"
    knotc -s "$LAB_DIR/ns1/knot.sock" -b zone-reload "$d" >/dev/null || die "knotc zone-reload $d failed"
    # Knot re-signs on reload; the serial it serves may run ahead of the file's
    # shellcheck disable=SC2016  # evaluated by wait_until, on each try
    wait_until 10 "ns1 to serve $d serial $serial" eval '(( $(mail_serial "$d" || echo 0) >= serial ))' ||
        die "ns1 did not load the new $d"
    say "$next" >"$LAB_DIR/mail-variant"
    say "$serial" >"$LAB_DIR/mail-serial"
    now=$(date +%s)
    printf '%s %s %s\n' "$now" "$next" "$serial" >>"$LAB_DIR/mail-flips.log"
    say "mail-flip $d $cur -> $next at $(date -d "@$now" +%T), serial $serial:"
    mail_zone_body "$d" "$next" | grep -E '^@ (MX|TXT "v=spf1)' | sed 's/^/  /'
    say "  caches were filled with variant $cur just before: they serve it for up to ${MAIL_FLIP_TTL}s (90s behind the min-TTL clamps)"
}

cmd_mail_domains() {  # the table, for people and scripts
    if [[ ${1:-} == --tsv ]]; then mail_domains; return; fi
    printf '%-28s %-8s %s\n' DOMAIN DNSSEC "EXPECTED FINDINGS (none = clean)"
    mail_domains | awk -F'\t' '{printf "%-28s %-8s %s\n", $1, $2, ($3 == "" ? "-" : $3)}'
}

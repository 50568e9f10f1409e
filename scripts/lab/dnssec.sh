# scripts/lab/dnssec.sh -- sourced by scripts/lab.sh.
# shellcheck shell=bash
#
# The DNSSEC side of the lab: the zones ns1 serves besides example.test,
# a signed fake root (Knot on 127.0.2.9) that delegates to them with DS
# records, and the root's key as trust anchor for the validating resolvers.
#
# Order at `up` (each step needs the one before):
#   1. write every zone file on ns1 and list it in ns1/zones.tsv
#   2. ns1 (Knot) starts and signs the signed/bogus zones, making their keys
#   3. DS records are computed from the DNSKEYs ns1 serves; bogus zones get
#      a wrong digest
#   4. the root zone is written with those DS records; the root Knot signs it
#   5. the root's DNSKEY becomes the trust anchor file for the validators
# example.test stays unsigned, and the root has no DS for it: validators see
# a proven insecure delegation, the rest of the lab sees nothing new.

ZONES_TSV=ns1/zones.tsv   # zone TAB signed|unsigned|bogus, relative to LAB_DIR

# compare zones: one name that validates, one that cannot
COMPARE_ZONES='signed.test signed
bogus.test bogus'

zone_register() { printf '%s\t%s\n' "$1" "$2" >>"$LAB_DIR/$ZONES_TSV"; }

lab_zones() {  # lab_zones [MODE-REGEX]: the registered zones (not example.test)
    awk -F'\t' -v m="${1:-.}" '$2 ~ m {print $1}' "$LAB_DIR/$ZONES_TSV"
}

zone_mode() { awk -F'\t' -v z="$1" '$1 == z {print $2}' "$LAB_DIR/$ZONES_TSV"; }

# write_child_zone ZONE TTL SERIAL: the zone file from stdin (the records),
# with the SOA, NS and in-zone glue every lab child zone has.
write_child_zone() {
    local z=$1 ttl=$2 serial=$3 f=$LAB_DIR/ns1/$1.zone
    {
        # shellcheck disable=SC2016  # literal $ORIGIN / $TTL directives
        printf '$ORIGIN %s.\n$TTL %s\n' "$z" "$ttl"
        printf '@ SOA ns1 hostmaster %s 3600 600 86400 60\n@ NS ns1\nns1 A %s\n' "$serial" "$NS1"
        cat
    } >"$f.tmp"
    mv "$f.tmp" "$f"
}

compare_zone_body() {
    case $1 in
        signed.test) printf 'www A 127.0.5.1\nwww AAAA ::ffff:127.0.5.1\n' ;;
        bogus.test)  printf 'www A 127.0.5.2\nwww AAAA ::ffff:127.0.5.2\n' ;;
    esac
}

write_lab_zones() {  # write_lab_zones SERIAL: every zone on ns1 but example.test
    local serial=$1 z mode ttl
    : >"$LAB_DIR/$ZONES_TSV"
    while read -r z mode; do
        zone_register "$z" "$mode"
        compare_zone_body "$z" | write_child_zone "$z" "$TTL" "$serial"
    done <<<"$COMPARE_ZONES"
    while IFS=$'\t' read -r z mode _; do
        zone_register "$z" "$mode"
        ttl=$MAIL_TTL
        [[ $z == "$MAIL_FLIP_DOMAIN" ]] && ttl=$MAIL_FLIP_TTL
        mail_zone_body "$z" a | write_child_zone "$z" "$ttl" "$serial"
    done < <(mail_domains)
    mail_domains >"$LAB_DIR/mail-domains.tsv"
}

# Knot configuration shared by ns1 and the root: one policy (a single
# ECDSA key per zone keeps start-up fast; no CDS, so the zones hold only
# what the lab put there) and a template for signed zones.
knot_signing_conf() {
    local d=$1
    cat <<EOF
policy:
  - id: lab
    algorithm: ecdsap256sha256
    single-type-signing: on
    cds-cdnskey-publish: none
    nsec3: off
template:
  - id: default
    storage: $d
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
  - id: signed
    storage: $d
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    dnssec-signing: on
    dnssec-policy: lab
EOF
}

knot_lab_zones_conf() {  # the zone: entries of ns1 for the registered zones
    local z mode
    while IFS=$'\t' read -r z mode; do
        printf '  - domain: %s\n    file: %s.zone\n' "$z" "$z"
        [[ $mode == unsigned ]] || printf '    template: signed\n'
    done <"$LAB_DIR/$ZONES_TSV"
}

# All DNSKEYs ns1 serves for the signed zones, in one kdig run.
ns1_dnskeys() {
    local -a q=() z
    for z in $(lab_zones '^(signed|bogus)$'); do q+=("$z" DNSKEY); done
    kdig "@$NS1" +norec +noall +answer +timeout=1 +retry=0 "${q[@]}" 2>/dev/null || true
}

ns1_signed() {  # has ns1 published a key for every zone it signs?
    local want have
    want=$(lab_zones '^(signed|bogus)$' | wc -l)
    have=$(ns1_dnskeys | awk '$4 == "DNSKEY" && $5 == 257 {print $1}' | sort -u | wc -l)
    ((have == want))
}

# The root zone: example.test exactly as before (no DS: insecure), then the
# lab zones, each with its DS unless it is unsigned.
write_root() {
    local f=$LAB_DIR/root/root.zone z ds=$LAB_DIR/root/ds.txt
    ns1_dnskeys | "$(python_bin)" "$LABSRC/ds.py" --bogus "$(lab_zones bogus | paste -sd,)" >"$ds"
    {
        cat <<EOF
\$TTL 3600
. SOA ns.root. hostmaster.root. 1 3600 600 86400 300
. NS ns.root.
ns.root. A $ROOT
$ZONE. NS ns1.$ZONE.
$ZONE. NS ns2.$ZONE.
$ZONE. NS ns3.$ZONE.
ns1.$ZONE. A $NS1
ns2.$ZONE. A $NS2
ns3.$ZONE. A $NS3
EOF
        for z in $(lab_zones); do
            printf '%s. NS ns1.%s.\nns1.%s. A %s\n' "$z" "$z" "$z" "$NS1"
        done
        cat "$ds"
    } >"$f"
    printf '.\t3600000\tNS\tns.root.\nns.root.\t3600000\tA\t%s\n' "$ROOT" >"$LAB_DIR/root.hints"
}

start_root() {
    local d=$LAB_DIR/root
    mkdir -p "$d"
    {
        cat <<EOF
server:
    listen: $ROOT@53
    rundir: $d
    pidfile: $d/knot.pid
    nsid: ""
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: $d/knot.log
    any: info
database:
    storage: $d
EOF
        knot_signing_conf "$d"
        printf 'zone:\n  - domain: .\n    file: root.zone\n    template: signed\n'
    } >"$d/knot.conf"
    spawn root-knot "$d/out" knotd -c "$d/knot.conf"
}

root_signed() { kdig "@$ROOT" . DNSKEY +norec +short +timeout=1 +retry=0 2>/dev/null | grep -q '^257 '; }

# The root's key as the validators read it: root.key (DNSKEY, zone-file
# syntax: unbound, kresd), root.ds (DS: pdns-recursor), and the named
# trust-anchors clause.
write_trust_anchor() {
    local k=$LAB_DIR/root.key
    kdig "@$ROOT" +norec +noall +answer +timeout=1 . DNSKEY | awk '$4 == "DNSKEY" && $5 == 257' >"$k"
    [[ -s $k ]] || die "the fake root serves no DNSKEY"
    "$(python_bin)" "$LABSRC/ds.py" <"$k" >"$LAB_DIR/root.ds"
    awk '{k = ""; for (i = 8; i <= NF; i++) k = k $i; printf "trust-anchors { . static-key %s %s %s \"%s\"; };\n", $5, $6, $7, k}' \
        "$k" >"$LAB_DIR/root.named"
    # A misconfigured validator: the key of signed.test posing as the root's.
    ns1_dnskeys | awk '$1 == "signed.test." && $4 == "DNSKEY" && $5 == 257 {$1 = "."; print}' >"$LAB_DIR/wrong-root.key"
    [[ -s $LAB_DIR/wrong-root.key ]] || die "no DNSKEY for signed.test on ns1"
}

# Start the authoritative side's DNSSEC half: after ns1 is up, sign, then
# root, then the trust anchor.  Fails with the log of what did not start.
start_signed_world() {
    wait_ready ns1-knot 15 "ns1 to sign $(lab_zones '^(signed|bogus)$' | wc -l) zones" ns1_signed || fail_with_log ns1
    write_root
    start_root
    wait_ready root-knot 10 "the fake root on $ROOT to be signed" root_signed || fail_with_log root
    write_trust_anchor
}

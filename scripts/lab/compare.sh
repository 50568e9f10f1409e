# scripts/lab/compare.sh -- sourced by scripts/lab.sh.
# shellcheck shell=bash
#
# Endpoints for `propwatch compare`, which asks how each resolver behaves
# (DNSSEC, NXDOMAIN rewriting, TCP, EDNS, identity, ECS, 0x20) rather than
# what it has cached.  They are kept out of resolvers.txt, whose population
# tests/lab/run.sh measures propagation on; resolvers-all.txt lists them with
# the rest.  doc/LAB.md tabulates what each one does and
# tests/lab/compare-expect.tsv holds the verdicts, measured with kdig.
#
# Upstream "root": the resolver iterates from the signed fake root for
# everything (no stub for example.test).  Upstream "backend": a proxy in front
# of the compare backend, a plain non-validating unbound on 127.0.2.60 that
# also serves as dnsmasq's upstream for everything but example.test.  Each
# proxy changes one thing, so 70 (a proxy that changes nothing) is the control
# against which 71-74 and 76 differ.  75 and 76 are the two ways DNSSEC
# breaks in the field: a validator that trusts the wrong key (every signed
# name SERVFAILs) and a middlebox that claims validation (AD) it never did.

COMPARE_ENDPOINTS='
#host family        kind          param     upstream expect label
61    unbound       validate      -         root     new    unbound validating (fake root key)
62    pdns-recursor validate      -         root     new    pdns-recursor validating (fake root key)
63    kresd         validate      -         root     new    kresd validating (fake root key)
64    named         validate      -         root     new    named validating (fake root key)
65    unbound       subnetcache   -         root     new    unbound with the subnetcache (ECS) module
70    unbound       proxy         -         backend  new    transparent proxy before unbound (control for 71-74)
71    unbound       nxrewrite     127.0.5.5 backend  new    proxy rewriting NXDOMAIN to A 127.0.5.5
72    unbound       ecs           -         backend  new    proxy echoing ECS with scope = source prefix (honoured)
73    unbound       udp-only      -         backend  new    UDP-only proxy: TCP connections refused
74    unbound       lowercase     -         backend  new    proxy lower-casing the question of replies (0x20 lost)
75    unbound       wrong-anchor  -         root     new    unbound validating with a wrong root key (DNSSEC broken)
76    unbound       ad-forge      -         backend  new    proxy setting AD on every answer (DNSSEC broken)
'
BACKEND=127.0.2.60

# Endpoints (127.0.1.X) that carry a lab identity: NSID and, where the
# software answers them, CH TXT id.server / hostname.bind (the identity) and
# version.bind / version.server.  The compare backend has one too, so what
# the proxies and dnsmasq pass through shows.  The others hide identity and
# version where the software can (the defaults are the hostname and the
# package version: nothing an expectation file could hold).
IDENTIFIED='1 11 21 31 61 62 63 64 65'

lab_identity() {  # lab_identity ADDR FAMILY: the identity string, or nothing
    local h=${1##*.} i
    if [[ $1 == "$BACKEND" ]]; then say "lab-$2-backend"; return 0; fi
    [[ $1 == 127.0.1.* ]] || return 0
    for i in $IDENTIFIED; do
        [[ $i == "$h" ]] && { say "lab-$2-$h"; return 0; }
    done
    return 0
}
lab_version() { say "propwatch-lab $1"; }

compare_endpoints() { endpoint_table "$COMPARE_ENDPOINTS"; }

# Is the compare backend needed (by a proxy, or as dnsmasq's upstream)?
backend_needed() { ! without unbound; }

# The proxy spec for dnsproxy.py of a compare endpoint (nothing if it is not
# one of its proxies).
dnsproxy_spec() {  # dnsproxy_spec ADDR KIND PARAM
    case $2 in
        proxy)     say "$1:53=$BACKEND:53" ;;
        nxrewrite) say "$1:53=$BACKEND:53,nx=$3" ;;
        ecs)       say "$1:53=$BACKEND:53,ecs" ;;
        lowercase) say "$1:53=$BACKEND:53,lower" ;;
        ad-forge)  say "$1:53=$BACKEND:53,ad" ;;
    esac
}

# udpproxy.py forwards UDP only: behind it the TCP port is closed (RST).
udponly_spec() { say "$1:53=$BACKEND:53"; }

#!/usr/bin/env bash
# scripts/lab.sh -- a local world in which an MX change really propagates
# through real resolver caches, for trying and testing propwatch.
#
#   scripts/lab.sh up            start everything, write the resolver list
#   scripts/lab.sh flip [a|b|c]  change the MX RRset on the primary (a <-> b)
#   scripts/lab.sh mail-flip [a|b]  fill every cache with the MX and SPF of
#                                propagation-incomplete.test, then change both
#                                on the primary (toggles; TTL 30 s)
#   scripts/lab.sh mail-domains [--tsv]  the mail lint domains, their DNSSEC
#                                state and expected findings (no lab needed)
#   scripts/lab.sh status        processes, SOA serial per auth server, variant
#   scripts/lab.sh list          print the path of the generated resolver list
#   scripts/lab.sh down          stop exactly what `up` started
#   scripts/lab.sh wait          block until the staggered cache warming is done
#   scripts/lab.sh sync          let the lagging secondary catch up now
#   scripts/lab.sh deps          report missing software (exit 1 if any)
#
# Environment:
#   LAB_DIR      state directory (default /tmp/propwatch-lab); everything the
#                lab writes lives here
#   LAB_WARM     seconds over which `up` warms the caches in the background,
#                one resolver after another (default 20)
#   LAB_LAG      seconds after a flip at which the lagging secondary ns3
#                catches up (default 40; 0 = only on `sync`)
#   LAB_WITHOUT  families to leave out, e.g. "kresd named" (for a machine that
#                lacks a package; without it a missing binary is an error)
#   LAB_KEEP=1   `down` keeps LAB_DIR (logs, configs) instead of deleting it
#   LAB_VERBOSE=1  unbound logs every query it sends and answers (debugging)
#
# Layout (all loopback, port 53; nothing here ever talks to another address):
#   127.0.2.1   ns1  Knot, primary for example.test., sends NOTIFY to ns2
#   127.0.2.2   ns2  NSD secondary, NOTIFY -> in step within a second
#   127.0.2.3   ns3  NSD secondary without NOTIFY (SOA refresh 3600): it lags;
#                    `flip` makes it catch up LAB_LAG seconds later
#   127.0.2.9        Knot, the signed fake root (every resolver's root hints
#                    point here, so iteration never leaves loopback); it
#                    delegates example.test (insecure), the compare zones
#                    signed.test / bogus.test and the mail lint zones (all on
#                    ns1; see scripts/lab/dnssec.sh, scripts/lab/mail-zones.sh)
#   127.0.2.99       nothing: the dead upstream of the SERVFAIL resolver
#   127.0.2.51-52    unbound backends behind the latency / loss proxies
#   127.0.2.60       unbound, the compare backend behind the proxies 70-76 and
#                    dnsmasq's upstream for names outside example.test
#   127.0.1.X        the resolvers in the list (see ENDPOINTS below)
#   127.0.1.6X-7X    the compare endpoints (scripts/lab/compare.sh), kept out
#                    of resolvers.txt; resolvers-all.txt lists every endpoint
#   127.0.4.X        addresses of the mail exchangers (data only)
#   127.0.5.X        addresses in the compare zones and the NXDOMAIN rewrite
#
# doc/LAB.md describes every endpoint and what `propwatch compare` should
# find out about it.
#
# MX variants (`flip` with no argument toggles a <-> b; from c it goes to a):
#   a  10 mx1.example.test.  20 mx2.example.test.   (state after `up`)
#   b  10 mx3.example.test.  20 mx2.example.test.   (primary MX migrated)
#   c  10 mx3.example.test.                         (backup MX dropped)

set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
LABSRC=$(dirname "$SELF")/lab
# shellcheck source-path=SCRIPTDIR source=lab/dnssec.sh
. "$LABSRC/dnssec.sh"
# shellcheck source-path=SCRIPTDIR source=lab/mail-zones.sh
. "$LABSRC/mail-zones.sh"
# shellcheck source-path=SCRIPTDIR source=lab/compare.sh
. "$LABSRC/compare.sh"
LAB_DIR=${LAB_DIR:-/tmp/propwatch-lab}
case $LAB_DIR in /*) ;; *) LAB_DIR=$PWD/$LAB_DIR ;; esac
LAB_WARM=${LAB_WARM:-20}
LAB_LAG_GIVEN=${LAB_LAG:-}
LAB_LAG=${LAB_LAG:-40}
LAB_WITHOUT=${LAB_WITHOUT:-}
LAB_VERBOSE=${LAB_VERBOSE:-0}
# the background helpers (warmer, lag timer) re-run this script
export LAB_DIR LAB_WARM LAB_LAG LAB_WITHOUT

ZONE=example.test
NS1=127.0.2.1 NS2=127.0.2.2 NS3=127.0.2.3 ROOT=127.0.2.9 DEAD=127.0.2.99
MX_TTL=30        # record TTL of the MX RRset: a roll-out takes a minute or two
TTL=60           # everything else
MARKER=.propwatch-lab   # LAB_DIR is only ever wiped when it holds this file

# The resolver endpoints.  kind/param say how each one is configured;
# upstream: main = ns1+ns2, lag = ns3 only, all = ns1+ns2+ns3, dead = 127.0.2.99;
# expect: the status propwatch should report before any flip
# (new|refused|servfail|timeout|unreachable; "new|timeout" for the lossy one).
# Resolvers pointing at the lagging ns3: 127.0.1.5 (unbound), 127.0.1.15
# (pdns-recursor), 127.0.1.35 (named); 127.0.1.6 (unbound) asks all three.
ENDPOINTS='
#host family        kind          param upstream expect       label
1     unbound       plain         -     main     new          unbound stub ns1+ns2
2     unbound       min-ttl       90    main     new          unbound min-ttl=90
3     unbound       max-ttl       10    main     new          unbound max-ttl=10
4     unbound       serve-expired -     main     new          unbound serve-expired
5     unbound       lag           -     lag      new          unbound forward to lagging ns3
6     unbound       any-ns        -     all      new          unbound stub ns1+ns2+ns3 (may hit the lagging one)
7     unbound       refused       -     main     refused      unbound refuses everyone (REFUSED)
11    pdns-recursor plain         -     main     new          pdns-recursor forward ns1+ns2
12    pdns-recursor min-ttl       90    main     new          pdns-recursor min-ttl=90
13    pdns-recursor max-ttl       15    main     new          pdns-recursor max-ttl=15 (its floor)
14    pdns-recursor serve-stale   -     main     new          pdns-recursor serve-stale
15    pdns-recursor lag           -     lag      new          pdns-recursor forward to lagging ns3
21    kresd         plain         -     main     new          kresd forward ns1+ns2
22    kresd         max-ttl       10    main     new          kresd max-ttl=10
23    kresd         min-ttl       90    main     new          kresd min-ttl=90
24    kresd         stub          -     main     new          kresd stub ns1+ns2 (short packet cache, TTL keeps counting down)
31    named         plain         -     main     new          named static-stub ns1+ns2
32    named         min-ttl       90    main     new          named min-ttl=90
33    named         max-ttl       10    main     new          named max-ttl=10
34    named         serve-stale   -     main     new          named serve-stale
35    named         lag           -     lag      new          named static-stub to lagging ns3
36    named         servfail      -     dead     servfail     named static-stub to a dead server (SERVFAIL)
37    named         refused       -     main     refused      named refuses everyone (REFUSED)
41    dnsmasq       plain         -     main     new          dnsmasq forward ns1+ns2
42    dnsmasq       no-cache      -     main     new          dnsmasq without cache
51    unbound       latency       300   main     new          unbound behind a proxy adding 300 ms
52    unbound       loss          30    main     new|timeout  unbound behind a proxy losing 30% of packets
53    lab-proxy     silent        -     -        timeout      silent address (proxy swallows every query)
54    none          closed        -     -        unreachable  closed port (ICMP port unreachable)
'

# family -> binary and Debian package (the base set is needed in any case)
declare -A BIN=([unbound]=unbound [pdns-recursor]=pdns_recursor [kresd]=kresd
                [named]=named [dnsmasq]=dnsmasq)
declare -A PKG=([unbound]=unbound [pdns-recursor]=pdns-recursor [kresd]=knot-resolver
                [named]=bind9 [dnsmasq]=dnsmasq-base [knotd]=knot [knotc]=knot
                [nsd]=nsd [nsd-control]=nsd [kdig]=knot-dnsutils [ip]=iproute2
                [ss]=iproute2 [python3]=python3 [setsid]=util-linux)
BASE_BINS="knotd knotc nsd nsd-control kdig ip ss python3 setsid"

say()  { printf '%s\n' "$*"; }
warn() { printf 'lab.sh: %s\n' "$*" >&2; }
die()  { printf 'lab.sh: ERROR: %s\n' "$*" >&2; exit 1; }

without() {  # is family $1 excluded by LAB_WITHOUT?
    local f
    for f in ${LAB_WITHOUT//,/ }; do [[ $f == "$1" ]] && return 0; done
    return 1
}

# Print an endpoint table without comments, skipping excluded families.
# The proxied latency/loss endpoints need their unbound backend, so they
# belong to the unbound family.
endpoint_table() {
    local host family kind param upstream expect label
    while read -r host family kind param upstream expect label; do
        [[ -z $host || $host == \#* ]] && continue
        without "$family" && continue
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
            "127.0.1.$host" "$family" "$kind" "$param" "$upstream" "$expect" "$label"
    done <<<"$1"
}
endpoints() { endpoint_table "$ENDPOINTS"; }      # the propagation population
all_endpoints() { endpoints; compare_endpoints; }

upstream_addrs() {
    case $1 in
        main) say "$NS1 $NS2" ;;
        lag)  say "$NS3" ;;
        all)  say "$NS1 $NS2 $NS3" ;;
        dead) say "$DEAD" ;;
        root|backend) ;;   # iterates from the root / sits behind a proxy
        *)    die "unknown upstream $1" ;;
    esac
}

# The unbound behind the proxy on 127.0.1.5N listens on 127.0.2.5N.
backend_addr() { say "127.0.2.${1##*.}"; }

python_bin() {
    # Debian's interpreter starts faster than a pyenv shim; either will do.
    if [[ -x /usr/bin/python3 ]]; then say /usr/bin/python3; else command -v python3; fi
}

# ---------------------------------------------------------------- deps ----

missing_bins() {  # prints "binary package" for each missing binary
    local b fam
    for b in $BASE_BINS; do
        command -v "$b" >/dev/null 2>&1 || say "$b ${PKG[$b]}"
    done
    for fam in unbound pdns-recursor kresd named dnsmasq; do
        without "$fam" && continue
        command -v "${BIN[$fam]}" >/dev/null 2>&1 || say "${BIN[$fam]} ${PKG[$fam]} $fam"
    done
}

cmd_deps() {
    local m
    m=$(missing_bins)
    if [[ -n $m ]]; then
        while read -r b p fam; do
            say "missing: $b (Debian package $p)${fam:+; family $fam, LAB_WITHOUT=$fam leaves it out}"
        done <<<"$m"
        return 1
    fi
    say "all lab software present"
}

# ------------------------------------------------------ process tracking ----

# Start time of a process in clock ticks since boot (field 22 of
# /proc/PID/stat); together with the PID it identifies the process even if
# the PID is reused later.
proc_start() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086  # split the fields on purpose
    set -- $stat
    [[ $1 != Z ]] || return 1     # a zombie is as good as dead
    say "${20}"
}

# spawn NAME LOGFILE CMD...: start CMD in its own session (so a Ctrl-C in the
# caller's terminal or the end of the caller's job does not reach it) and
# record "NAME PID STARTTIME" in $LAB_DIR/procs.
spawn() {
    local name=$1 log=$2 pid start
    shift 2
    setsid "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    # setsid execs in place when we are not a process-group leader (always
    # true for a background child of a script), so $! is the daemon itself.
    start=$(proc_start "$pid") || start=0
    say "$name $pid $start" >>"$LAB_DIR/procs"
}

# Is the tracked process NAME PID START still the same, live process?
tracked_alive() {
    local now
    now=$(proc_start "$1") || return 1
    [[ $now == "$2" ]]
}

# "PID START" of every live process in the session a tracked process
# started (setsid made the tracked PID the session id), not older than it.
session_pids() {
    local sid=$1 start=$2 pid s st
    while read -r pid s; do
        [[ $s == "$sid" ]] || continue
        st=$(proc_start "$pid") || continue
        (( st >= start )) && say "$pid $st"
    done < <(ps -e -o pid=,sid=)
    return 0
}

# Is any thread of the process PID (started at START) still running?  When
# the main thread of a multi-threaded daemon exits first, /proc/PID/stat
# already says Z while the other threads still run and hold their sockets;
# only the thread list tells.
running() {
    local stat t
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086  # split the fields on purpose
    set -- "$1" "$2" $stat
    [[ ${22} == "$2" ]] || return 1     # the PID now names another process
    for t in /proc/"$1"/task/*/stat; do
        { read -r stat <"$t"; } 2>/dev/null || continue
        stat=${stat##*) }
        case ${stat%% *} in Z|X) ;; *) return 0 ;; esac
    done
    return 1
}

# Is the process still in the process table (a zombie counts)?
present() {
    local stat
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- "$1" "$2" $stat
    [[ ${22} == "$2" ]]
}

# wait_all SECONDS TEST: until TEST PID START fails for every victim
wait_all() {
    local deadline=$((SECONDS + $1)) i left
    while :; do
        left=0
        for ((i = 0; i < ${#victims[@]}; i += 2)); do
            "$2" "${victims[i]}" "${victims[i + 1]}" && { left=1; break; }
        done
        ((left)) || return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# Any socket still listening on port 53 of the lab's addresses?
lab_ports_busy() {
    local used
    used=$( { ss -Hlnu; ss -Hlnt; } | awk '{print $4}')
    if [[ -s $LAB_DIR/addresses ]]; then
        grep -qxF -f <(sed 's/$/:53/' "$LAB_DIR/addresses") <<<"$used"
    else
        grep -qE '^127\.0\.[12]\.[0-9]+:53$' <<<"$used"
    fi
}

# Stop every tracked process and return only when all of them have exited
# and the lab's ports are free (the issue: daemons used to linger for about a
# second after `down`).  Prints how many processes it stopped.
stop_tracked() {
    local procs=$LAB_DIR/procs name pid start p st i
    [[ -s $procs ]] || return 0
    local -a victims=()   # PID START PID START ...
    # newest first: the warmer and timers, then resolvers, then auth servers
    while read -r name pid start; do
        [[ -n $pid && $start != 0 ]] || continue
        while read -r p st; do [[ -n $p ]] && victims+=("$p" "$st"); done < <(session_pids "$pid" "$start")
    done < <(tac "$procs")
    if ((${#victims[@]})); then
        for ((i = 0; i < ${#victims[@]}; i += 2)); do kill -TERM "${victims[i]}" 2>/dev/null || true; done
        if ! wait_all 6 running; then
            for ((i = 0; i < ${#victims[@]}; i += 2)); do
                if running "${victims[i]}" "${victims[i + 1]}"; then
                    warn "pid ${victims[i]} ignored SIGTERM; sending SIGKILL"
                    kill -KILL "${victims[i]}" 2>/dev/null || true
                fi
            done
            wait_all 3 running || warn "some lab processes survived SIGKILL"
        fi
        # The kernel frees a socket with its last user; wait for it anyway,
        # so that an `up` right after finds the ports free.
        wait_until 5 "the lab's ports to be free" eval '! lab_ports_busy' || true
        # Exited processes stay in the process table as zombies until PID 1
        # reaps them (about a second here); wait a little so that ps and
        # pgrep show them gone, but not forever: that is not ours to do.
        wait_all 3 present || true
    fi
    rm -f "$procs"
    say "$((${#victims[@]} / 2))"
}

remove_aliases() {
    local f=$LAB_DIR/aliases a
    [[ -s $f ]] || return 0
    while read -r a; do
        [[ -n $a ]] && { ip addr del "$a/32" dev lo 2>/dev/null || warn "could not remove alias $a"; }
    done <"$f"
    rm -f "$f"
}

add_alias() {  # named only binds addresses that exist on an interface
    if ! ip -4 -o addr show dev lo | grep -qF " $1/"; then
        ip addr add "$1/32" dev lo || die "cannot add $1/32 to lo (need root)"
        say "$1" >>"$LAB_DIR/aliases"
    fi
}

# ------------------------------------------------------------- DNS helpers ----

# rcode of a reply, or "none" if nothing came back
dns_rcode() {
    local out
    out=$(kdig "@$1" "$2" "$3" +timeout="${4:-1}" +retry=0 "${@:5}" 2>/dev/null) || true
    out=$(sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$out")
    say "${out:-none}"
}

soa_serial() {
    local s
    s=$(kdig "@$1" "$ZONE" SOA +norec +short +timeout=1 +retry=0 2>/dev/null | awk '{print $3; exit}') || true
    say "${s:--}"
}

# wait_until SECONDS DESCRIPTION CMD...: poll CMD until it succeeds
wait_until() {
    local limit=$1 what=$2 deadline
    shift 2
    deadline=$((SECONDS + limit))
    until "$@"; do
        ((SECONDS < deadline)) || { warn "timed out after ${limit}s waiting for $what"; return 1; }
        sleep 0.1
    done
}

# Is the tracked process called NAME alive?  (No entry: assume yes.)
name_alive() {
    local name pid start
    while read -r name pid start; do
        [[ $name == "$1" ]] || continue
        tracked_alive "$pid" "$start"
        return
    done <"$LAB_DIR/procs"
    return 0
}

# wait_ready NAME SECONDS DESCRIPTION CMD...: like wait_until, but give up at
# once if the process NAME has died (a bad config fails in well under 20 s)
wait_ready() {
    local name=$1 limit=$2 what=$3 deadline
    shift 3
    deadline=$((SECONDS + limit))
    until "$@"; do
        name_alive "$name" || { warn "$name exited while starting ($what)"; return 1; }
        ((SECONDS < deadline)) || { warn "timed out after ${limit}s waiting for $what"; return 1; }
        sleep 0.1
    done
}

answers() { [[ $(dns_rcode "$1" "$ZONE" SOA 1 "${@:2}") != none ]]; }
serves_serial() { [[ $(soa_serial "$1") == "$2" ]]; }

# ------------------------------------------------------------------ zone ----

mx_rrset() {
    case $1 in
        a) printf '@ %s MX 10 mx1\n@ %s MX 20 mx2\n' "$MX_TTL" "$MX_TTL" ;;
        b) printf '@ %s MX 10 mx3\n@ %s MX 20 mx2\n' "$MX_TTL" "$MX_TTL" ;;
        c) printf '@ %s MX 10 mx3\n' "$MX_TTL" ;;
        *) die "unknown MX variant '$1' (a, b or c)" ;;
    esac
}

mx_text() { mx_rrset "$1" | awk '{printf "%s%s %s.example.test.", (NR>1?"  ":""), $4, $5}'; }

write_zone() {  # write_zone VARIANT SERIAL: atomically replace the primary's zone file
    local f=$LAB_DIR/ns1/$ZONE.zone
    {
        # shellcheck disable=SC2016  # literal $ORIGIN / $TTL directives
        printf '$ORIGIN %s.\n$TTL %s\n' "$ZONE" "$TTL"
        printf '@ SOA ns1 hostmaster %s 3600 600 86400 30\n' "$2"
        printf '@ NS ns1\n@ NS ns2\n@ NS ns3\n'
        printf 'ns1 A %s\nns2 A %s\nns3 A %s\n' "$NS1" "$NS2" "$NS3"
        mx_rrset "$1"
        # Exchanges on loopback (and v4-mapped loopback) so that nothing which
        # follows these records can leave the machine.
        local i
        for i in 1 2 3; do printf 'mx%s A 127.0.4.%s\nmx%s AAAA ::ffff:127.0.4.%s\n' "$i" "$i" "$i" "$i"; done
        printf '@ TXT "v=spf1 mx -all"\n'
        printf '_dmarc TXT "v=DMARC1; p=none; rua=mailto:dmarc@example.test"\n'
        printf 'www A 127.0.4.80\n'
    } >"$f.tmp"
    mv "$f.tmp" "$f"
}

# --------------------------------------------------------- auth servers ----

start_knot() {
    local d=$LAB_DIR/ns1
    mkdir -p "$d"
    cat >"$d/knot.conf" <<EOF
server:
    listen: $NS1@53
    rundir: $d
    pidfile: $d/knot.pid
    # Knot answers NSID with the hostname by default, and a resolver may
    # pass that through: the NSID a client sees must be the resolver's own
    nsid: ""
    udp-workers: 1
    tcp-workers: 1
    background-workers: 2
log:
  - target: $d/knot.log
    any: info
database:
    storage: $d
remote:
  - id: ns2
    address: $NS2@53
acl:
  # transfers come from 127.0.0.1 (the kernel's source for 127/8), so allow the block
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
$(knot_signing_conf "$d")
zone:
  # NOTIFY goes to ns2 only: ns3 is the secondary that lags
  - domain: $ZONE
    file: $ZONE.zone
    notify: ns2
    acl: xfr
  # the compare and mail zones, on ns1 only
$(knot_lab_zones_conf)
EOF
    spawn ns1-knot "$d/out" knotd -c "$d/knot.conf"
}

start_nsd() {  # start_nsd NAME ADDR ROLE(secondary|lagging)
    local name=$1 addr=$2 role=$3 d=$LAB_DIR/$1
    mkdir -p "$d"
    {
        cat <<EOF
server:
    ip-address: $addr@53
    username: ""
    chroot: ""
    zonesdir: "$d"
    pidfile: "$d/nsd.pid"
    xfrdfile: "$d/xfrd.state"
    zonelistfile: "$d/zone.list"
    xfrdir: "$d"
    database: ""
    logfile: "$d/nsd.log"
    server-count: 1
    do-ip6: no
    minimal-responses: yes
    verbosity: 1
remote-control:
    control-enable: yes
    control-interface: "$d/nsd.ctl"
EOF
        case $role in
            secondary)
                printf 'zone:\n    name: "%s"\n    zonefile: "%s.zone"\n' "$ZONE" "$ZONE"
                printf '    allow-notify: 127.0.0.0/8 NOKEY\n    request-xfr: %s NOKEY\n' "$NS1" ;;
            lagging)
                # no allow-notify: only the SOA refresh (3600 s) or `flip`'s timer updates it
                printf 'zone:\n    name: "%s"\n    zonefile: "%s.zone"\n' "$ZONE" "$ZONE"
                printf '    request-xfr: %s NOKEY\n' "$NS1" ;;
        esac
    } >"$d/nsd.conf"
    spawn "$name-nsd" "$d/out" nsd -d -c "$d/nsd.conf"
}

# ------------------------------------------------------------ resolvers ----

conf_unbound() {  # conf_unbound ADDR KIND PARAM UPSTREAM DIR
    local addr=$1 kind=$2 param=$3 up=$4 d=$5 a verbosity=1 modules=iterator id
    if ((LAB_VERBOSE)); then verbosity=3; fi
    case $kind in
        validate|wrong-anchor) modules="validator iterator" ;;
        subnetcache) modules="subnetcache iterator" ;;
    esac
    cat <<EOF
server:
    interface: $addr
    port: 53
    username: ""
    chroot: ""
    directory: "$d"
    pidfile: "$d/unbound.pid"
    use-syslog: no
    logfile: "$d/unbound.log"
    verbosity: $verbosity
    num-threads: 1
    so-reuseport: no
    do-ip6: no
    # the upstreams live on 127/8, which unbound avoids by default
    do-not-query-localhost: no
    # .test is a locally served "empty" zone by default
    local-zone: "test." nodefault
    root-hints: "$LAB_DIR/root.hints"
    module-config: "$modules"
    msg-cache-size: 1m
    rrset-cache-size: 1m
    key-cache-size: 1m
    neg-cache-size: 1m
    outgoing-range: 64
    num-queries-per-thread: 32
EOF
    case $kind in
        refused)
            # the default allow for 127.0.0.0/8 beats a 0.0.0.0/0 refuse
            printf '    access-control: 0.0.0.0/0 refuse\n    access-control: 127.0.0.0/8 refuse\n' ;;
        *) printf '    access-control: 127.0.0.0/8 allow\n' ;;
    esac
    case $kind in
        min-ttl) printf '    cache-min-ttl: %s\n' "$param" ;;
        max-ttl) printf '    cache-max-ttl: %s\n' "$param" ;;
        serve-expired) printf '    serve-expired: yes\n' ;;
        validate) printf '    trust-anchor-file: "%s"\n' "$LAB_DIR/root.key" ;;
        wrong-anchor) printf '    trust-anchor-file: "%s"\n' "$LAB_DIR/wrong-root.key" ;;
        # ECS goes to the lab's auth servers (which ignore it: Knot has no ECS)
        subnetcache) printf '    send-client-subnet: 127.0.2.0/24\n' ;;
    esac
    id=$(lab_identity "$addr" unbound)
    if [[ -n $id ]]; then
        printf '    nsid: "ascii_%s"\n    identity: "%s"\n    version: "%s"\n' "$id" "$id" "$(lab_version unbound)"
    else
        # not the hostname and package version: what compare sees must not
        # depend on the machine
        printf '    hide-identity: yes\n    hide-version: yes\n'
    fi
    printf 'remote-control:\n    control-enable: no\n'
    if [[ $up == root ]]; then
        :   # iterates from the fake root like the rest of its names
    elif [[ $kind == lag ]]; then
        # a forward zone sticks to its addresses; a stub could learn ns1/ns2
        # from the zone's own NS RRset
        printf 'forward-zone:\n    name: "%s."\n' "$ZONE"
        for a in $(upstream_addrs "$up"); do printf '    forward-addr: %s\n' "$a"; done
    else
        printf 'stub-zone:\n    name: "%s."\n' "$ZONE"
        for a in $(upstream_addrs "$up"); do printf '    stub-addr: %s\n' "$a"; done
    fi
}

conf_pdns() {
    local addr=$1 kind=$2 param=$3 up=$4 d=$5 id
    cat <<EOF
local-address=$addr
local-port=53
config-dir=$d
socket-dir=$d
daemon=no
write-pid=yes
threads=1
pdns-distributes-queries=no
quiet=yes
loglevel=4
allow-from=127.0.0.0/8
# let it talk to 127/8 and keep it from polling the real DNS for updates
dont-query=
security-poll-suffix=
hint-file=$LAB_DIR/root.hints
query-local-address=127.0.0.1
EOF
    if [[ $kind == validate ]]; then
        # the built-in anchor is the real root's: replace it by the fake root's
        printf "clearTA('.')\naddTA('.', '%s')\n" "$(awk '{print $5, $6, $7, $8; exit}' "$LAB_DIR/root.ds")" >"$d/recursor.lua"
        printf 'dnssec=validate\nlua-config-file=%s\n' "$d/recursor.lua"
    else
        printf 'dnssec=off\nlua-config-file=\n'
    fi
    [[ $up == root ]] || say "forward-zones=$ZONE=$(upstream_addrs "$up" | tr ' ' ';')"
    case $kind in
        min-ttl) say "minimum-ttl-override=$param" ;;
        max-ttl) say "max-cache-ttl=$param" ;;
        serve-stale) say "serve-stale-extensions=10" ;;
    esac
    id=$(lab_identity "$addr" pdns-recursor)
    if [[ -n $id ]]; then
        printf 'server-id=%s\nversion-string=%s\n' "$id" "$(lab_version pdns-recursor)"
    else
        # the default server-id (NSID too) is the hostname; the version
        # cannot be hidden, only replaced
        printf 'server-id=disabled\nversion-string=PowerDNS Recursor\n'
    fi
}

conf_kresd() {
    local addr=$1 kind=$2 param=$3 up=$4 d=$5 list id
    list=$(upstream_addrs "$up" | sed "s/\([^ ]*\)/'\1'/g; s/ /, /g")
    cat <<EOF
net.ipv6 = false
net.listen('$addr', 53, { kind = 'dns' })
cache.open(10 * MB, 'lmdb://$d/cache')
-- the built-in anchor is the real root's; only validators get the fake root's
trust_anchors.remove('.')
-- root hints -> fake root, so iteration (priming etc.) stays on loopback
modules.load('hints > iterate')
hints.root({ ['ns.root.'] = '$ROOT' })
EOF
    [[ $kind != validate ]] || say "trust_anchors.add_file('$LAB_DIR/root.key', true)"
    # Every name server of the lab is on loopback, which kresd refuses to ask
    # while iterating unless told (FORWARD and STUB imply it); FLAGS is a
    # chain rule, so the rules below still apply.
    say "policy.add(policy.all(policy.FLAGS('ALLOW_LOCAL')))"
    # The default policy answers .test itself; an explicit rule wins, the
    # first that matches: example.test goes to its servers, the rest of .test
    # is iterated from the root.
    if [[ $up != root ]]; then
        case $kind in
            stub) say "policy.add(policy.suffix(policy.STUB({$list}), {todname('$ZONE.')}))" ;;
            *)    say "policy.add(policy.suffix(policy.FORWARD({$list}), {todname('$ZONE.')}))" ;;
        esac
    fi
    say "policy.add(policy.suffix(policy.PASS, {todname('test.')}))"
    id=$(lab_identity "$addr" kresd)
    [[ -z $id ]] || printf "modules.load('nsid')\nnsid.name('%s')\n" "$id"
    case $kind in
        min-ttl) say "cache.min_ttl($param)" ;;
        max-ttl) say "cache.max_ttl($param)" ;;
    esac
}

conf_named() {
    local addr=$1 kind=$2 param=$3 up=$4 d=$5 list id validation=no
    list=$(upstream_addrs "$up" | sed 's/\([^ ]*\)/\1;/g')
    [[ $kind != validate ]] || validation=yes
    cat <<EOF
options {
    directory "$d";
    pid-file "$d/named.pid";
    session-keyfile "$d/session.key";
    managed-keys-directory "$d";
    listen-on port 53 { $addr; };
    listen-on-v6 { none; };
    recursion yes;
    dnssec-validation $validation;
    notify no;
    query-source address 127.0.0.1;
    empty-zones-enable no;
EOF
    case $kind in
        # unlike unbound, named keeps the question section in its REFUSED reply
        refused) say "    allow-query { none; }; allow-recursion { none; };" ;;
        min-ttl) say "    min-cache-ttl $param;" ;;
        max-ttl) say "    max-cache-ttl $param;" ;;
        serve-stale) say "    stale-cache-enable yes; stale-answer-enable yes; max-stale-ttl 3600;" ;;
    esac
    [[ $kind == refused ]] || say "    allow-query { 127.0.0.0/8; }; allow-recursion { 127.0.0.0/8; };"
    id=$(lab_identity "$addr" named)
    # server-id is also what named answers NSID with
    if [[ -n $id ]]; then
        say "    server-id \"$id\"; hostname \"$id\"; version \"$(lab_version named)\";"
    else
        say "    hostname none; version none;"
    fi
    cat <<EOF
};
controls { };
logging {
    channel f { file "$d/named.log"; severity info; print-time yes; };
    category default { f; };
    category lame-servers { null; };
};
zone "." { type hint; file "$LAB_DIR/root.hints"; };
EOF
    [[ $up == root ]] || say "zone \"$ZONE\" { type static-stub; server-addresses { $list }; };"
    [[ $kind != validate ]] || cat "$LAB_DIR/root.named"
}

conf_dnsmasq() {
    local addr=$1 kind=$2 param=$3 up=$4 d=$5 a
    cat <<EOF
port=53
listen-address=$addr
bind-interfaces
no-resolv
no-hosts
user=root
group=root
pid-file=$d/dnsmasq.pid
log-facility=$d/dnsmasq.log
EOF
    for a in $(upstream_addrs "$up"); do say "server=/$ZONE/$a"; done
    # everything else (the compare and mail zones) through a recursive
    # resolver; without unbound (LAB_WITHOUT) at least the .test zones on ns1
    if backend_needed; then say "server=$BACKEND"; else say "server=/test/$NS1"; fi
    case $kind in
        no-cache) say "cache-size=0" ;;
        # 2.90 does not cache MX at all without this
        *) printf 'cache-size=1000\ncache-rr=MX\n' ;;
    esac
}

start_resolver() {  # start_resolver NAME ADDR FAMILY KIND PARAM UPSTREAM
    local name=$1 addr=$2 family=$3 kind=$4 param=$5 up=$6 d=$LAB_DIR/$1
    mkdir -p "$d"
    case $family in
        unbound)
            conf_unbound "$addr" "$kind" "$param" "$up" "$d" >"$d/unbound.conf"
            spawn "$name" "$d/out" unbound -d -c "$d/unbound.conf" ;;
        pdns-recursor)
            conf_pdns "$addr" "$kind" "$param" "$up" "$d" >"$d/recursor.conf"
            spawn "$name" "$d/out" pdns_recursor --config-dir="$d" ;;
        kresd)
            conf_kresd "$addr" "$kind" "$param" "$up" "$d" >"$d/kresd.conf"
            spawn "$name" "$d/out" kresd -n -q -c "$d/kresd.conf" "$d" ;;
        named)
            add_alias "$addr"
            conf_named "$addr" "$kind" "$param" "$up" "$d" >"$d/named.conf"
            spawn "$name" "$d/out" named -f -4 -n 1 -c "$d/named.conf" ;;
        dnsmasq)
            conf_dnsmasq "$addr" "$kind" "$param" "$up" "$d" >"$d/dnsmasq.conf"
            spawn "$name" "$d/out" dnsmasq -k --conf-file="$d/dnsmasq.conf" ;;
        *) die "unknown family $family" ;;
    esac
}

# ------------------------------------------------------------------- up ----

is_lab_dir() { [[ -f $LAB_DIR/$MARKER ]]; }

# Refuse to start over something else that holds port 53 on our addresses
# (knotd/kresd bind with SO_REUSEPORT and would silently share it).
check_free() {
    local used a n=0 busy=""
    used=$( { ss -Hlnu; ss -Hlnt; } | awk '{print $4}')
    for a in "$@"; do
        if grep -qxF "$a:53" <<<"$used"; then
            n=$((n + 1))
            ((n > 4)) || busy+=" $a"
        fi
    done
    ((n <= 4)) || busy+=" ..."
    ((n == 0)) || die "port 53 is already in use on $n lab address(es):$busy -- is another lab running? stop it with LAB_DIR=<its dir> scripts/lab.sh down (see: ss -lunp)"
}

UP_OK=0
up_failed() {
    ((UP_OK)) && return 0
    warn "up failed; stopping what it started (logs kept in $LAB_DIR)"
    stop_tracked >/dev/null || true
    remove_aliases || true
}

cmd_up() {
    local m t0 addr family kind param up expect label name b n=0
    t0=$(date +%s.%N)
    ((EUID == 0)) || die "up needs root: the resolvers bind port 53 and named needs loopback aliases"
    m=$(missing_bins)
    if [[ -n $m ]]; then
        cmd_deps >&2 || true
        die "missing software (see above); install it or set LAB_WITHOUT=<family>"
    fi
    # Leftovers of an earlier (maybe failed) up in the same LAB_DIR: stop
    # what it tracked, then start from a clean directory.
    if [[ -d $LAB_DIR ]]; then
        if is_lab_dir; then
            if [[ -s $LAB_DIR/procs || -s $LAB_DIR/aliases ]]; then
                warn "cleaning up an earlier lab in $LAB_DIR"
                stop_tracked >/dev/null
                remove_aliases
            fi
            rm -rf "$LAB_DIR"
        elif [[ -n $(ls -A "$LAB_DIR") ]]; then
            die "$LAB_DIR exists, is not empty and is not a lab directory; set LAB_DIR elsewhere"
        fi
    fi
    local -a addrs=("$NS1" "$NS2" "$NS3" "$ROOT" "$DEAD" "$(backend_addr 127.0.1.51)" "$(backend_addr 127.0.1.52)" "$BACKEND")
    while IFS=$'\t' read -r addr _; do addrs+=("$addr"); done < <(all_endpoints)
    check_free "${addrs[@]}"

    mkdir -p "$LAB_DIR"
    : >"$LAB_DIR/$MARKER"
    : >"$LAB_DIR/procs"
    trap up_failed EXIT

    # Authoritative side first: the secondaries transfer from ns1 at start,
    # and a failed first transfer would only be retried after ~30 s.
    local serial
    serial=$(date +%Y%m%d)01
    say a >"$LAB_DIR/variant"
    say "$serial" >"$LAB_DIR/serial"
    say "$LAB_LAG" >"$LAB_DIR/lag"
    say a >"$LAB_DIR/mail-variant"
    say "$serial" >"$LAB_DIR/mail-serial"
    printf '%s\n' "${addrs[@]}" >"$LAB_DIR/addresses"
    mkdir -p "$LAB_DIR/root" "$LAB_DIR/ns1"
    write_zone a "$serial"
    write_lab_zones "$serial"
    start_knot
    wait_ready ns1-knot 10 "ns1 (knotd) on $NS1" serves_serial "$NS1" "$serial" || fail_with_log ns1
    start_nsd ns2 "$NS2" secondary
    start_nsd ns3 "$NS3" lagging
    # The validators need the root's key, the root needs ns1's keys.
    start_signed_world

    # Resolvers, all at once: they start in parallel, named being the slowest.
    local -a proxyspecs=() dnsproxyspecs=()
    if backend_needed; then start_resolver compare-backend "$BACKEND" unbound plain - root; fi
    while IFS=$'\t' read -r addr family kind param up expect label; do
        name=$family-${addr##*.}
        case $kind in
            proxy|nxrewrite|ecs|lowercase|ad-forge) dnsproxyspecs+=("$(dnsproxy_spec "$addr" "$kind" "$param")") ;;
            udp-only) proxyspecs+=("$(udponly_spec "$addr")") ;;
            latency|loss)
                b=$(backend_addr "$addr")
                start_resolver "unbound-backend-$(( ${addr##*.} - 50 ))" "$b" unbound plain - "$up"
                if [[ $kind == latency ]]; then
                    proxyspecs+=("$addr:53=$b:53,delay=$(awk -v ms="$param" 'BEGIN{print ms/1000}')")
                else
                    proxyspecs+=("$addr:53=$b:53,loss=$(awk -v p="$param" 'BEGIN{print p/100}')")
                fi ;;
            silent) proxyspecs+=("$addr:53=drop") ;;
            closed) ;;   # nothing listens: the kernel answers ICMP port unreachable
            *) start_resolver "$name" "$addr" "$family" "$kind" "$param" "$up" ;;
        esac
        n=$((n + 1))
    done < <(all_endpoints)
    if ((${#proxyspecs[@]})); then
        mkdir -p "$LAB_DIR/proxy"
        spawn proxy "$LAB_DIR/proxy/out" "$(python_bin)" "$LABSRC/udpproxy.py" "${proxyspecs[@]}"
    fi
    if ((${#dnsproxyspecs[@]})); then
        mkdir -p "$LAB_DIR/dnsproxy"
        spawn dnsproxy "$LAB_DIR/dnsproxy/out" "$(python_bin)" "$LABSRC/dnsproxy.py" "${dnsproxyspecs[@]}"
    fi

    # Readiness.  Resolvers are probed with the zone's SOA, never with MX, so
    # the MX caches stay cold for the staggered warming below.
    wait_ready ns2-nsd 10 "ns2 to transfer the zone" serves_serial "$NS2" "$serial" || fail_with_log ns2
    wait_ready ns3-nsd 10 "ns3 to transfer the zone" serves_serial "$NS3" "$serial" || fail_with_log ns3
    if backend_needed; then
        wait_ready compare-backend 20 "the compare backend on $BACKEND" answers "$BACKEND" || fail_with_log compare-backend
    fi
    while IFS=$'\t' read -r addr family kind param up expect label; do
        case $kind in
            closed) continue ;;
            silent) wait_ready proxy 10 "proxy on $addr" listening "$addr" || fail_with_log proxy; continue ;;
            udp-only) wait_ready proxy 10 "$label on $addr" answers "$addr" || fail_with_log proxy; continue ;;
            proxy|nxrewrite|ecs|lowercase|ad-forge)
                wait_ready dnsproxy 10 "$label on $addr" answers "$addr" || fail_with_log dnsproxy; continue ;;
            latency|loss)
                b=unbound-backend-$(( ${addr##*.} - 50 ))
                wait_ready "$b" 20 "backend of $addr" answers "$(backend_addr "$addr")" || fail_with_log "$b"
                wait_ready proxy 20 "$label on $addr" answers "$addr" +retry=4 || fail_with_log proxy
                continue ;;
        esac
        name=$family-${addr##*.}
        wait_ready "$name" 20 "$label on $addr" answers "$addr" || fail_with_log "$name"
    done < <(all_endpoints)
    # The closed port must really be closed.
    while IFS=$'\t' read -r addr _ kind _; do
        [[ $kind == closed ]] || continue
        ! listening "$addr" || die "something listens on $addr:53, which should be a closed port"
    done < <(endpoints)

    write_lists
    date +%s >"$LAB_DIR/up.time"
    spawn warmer "$LAB_DIR/warm.log" bash "$SELF" _warm
    UP_OK=1
    trap - EXIT

    local took
    took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
    say "propwatch lab up in ${took}s: $n resolver endpoints, state in $LAB_DIR"
    say "  auth  ns1 $NS1 knot primary, ns2 $NS2 nsd (NOTIFY), ns3 $NS3 nsd (lagging, catches up ${LAB_LAG}s after a flip)"
    say "  zone  $ZONE serial $serial, MX variant a: $(mx_text a)  (TTL ${MX_TTL}s)"
    say "  root  $ROOT knot, signed; trust anchor $LAB_DIR/root.key; compare zones www.signed.test (secure), www.bogus.test (bogus)"
    say "  mail  $(wc -l <"$LAB_DIR/mail-domains.tsv") mail lint domains in $LAB_DIR/mail-domains.tsv (scripts/lab.sh mail-domains)"
    say "  list  $LAB_DIR/resolvers.txt (propagation), $LAB_DIR/resolvers-all.txt (with the compare endpoints)"
    say "  caches are being warmed one by one over ${LAB_WARM}s (scripts/lab.sh wait blocks until done)"
    say "  try   propwatch check -r $LAB_DIR/resolvers.txt $ZONE MX"
}

listening() { ss -Hlnu | awk '{print $4}' | grep -qxF "$1:53"; }

fail_with_log() {
    local d=$LAB_DIR/$1 f
    for f in "$d"/out "$d"/*.log; do
        [[ -s $f ]] || continue
        warn "--- last lines of $f:"
        tail -n 8 "$f" >&2
    done
    die "$1 did not come up"
}

write_lists() {
    local addr family kind param up expect label
    {
        say "# propwatch lab resolvers, written by scripts/lab.sh up on $(date -u +%FT%TZ)"
        say "# zone $ZONE: ns1 $NS1 (knot, primary), ns2 $NS2 (nsd, NOTIFY), ns3 $NS3 (nsd, lagging)"
        say "# ADDRESS     COUNTRY OPERATOR       LABEL"
        while IFS=$'\t' read -r addr family kind param up expect label; do
            printf '%-13s ZZ      %-14s %s\n' "$addr" "$family" "$label"
        done < <(endpoints)
    } >"$LAB_DIR/resolvers.txt"
    # The same with how each endpoint is set up, for tests and scripts.
    { printf 'address\toperator\tkind\tparam\tupstream\texpect\tlabel\n'; endpoints; } >"$LAB_DIR/endpoints.tsv"
    # Every endpoint, the compare ones too (propwatch compare, propwatch mail).
    {
        say "# propwatch lab: every resolver endpoint, written by scripts/lab.sh up on $(date -u +%FT%TZ)"
        say "# ADDRESS     COUNTRY OPERATOR       LABEL"
        while IFS=$'\t' read -r addr family kind param up expect label; do
            printf '%-13s ZZ      %-14s %s\n' "$addr" "$family" "$label"
        done < <(all_endpoints)
    } >"$LAB_DIR/resolvers-all.txt"
    { printf 'address\toperator\tkind\tparam\tupstream\texpect\tlabel\n'; all_endpoints; } >"$LAB_DIR/endpoints-all.tsv"
}

# Background: query each endpoint's MX once, spread evenly over LAB_WARM
# seconds and interleaved across families, so the caches expire -- and
# flip -- one by one instead of all at once.
cmd__warm() {
    local -a order=() fams=()
    local addr family kind rest i j n step t0 f
    declare -A byfam=()
    while IFS=$'\t' read -r addr family kind rest; do
        case $kind in silent|closed|refused|servfail) continue ;; esac
        [[ -v byfam[$family] ]] || fams+=("$family")
        byfam[$family]+="$addr "
    done < <(endpoints)
    for ((i = 0; ; i++)); do
        local added=0
        for f in "${fams[@]}"; do
            # shellcheck disable=SC2206  # split the list on purpose
            local -a l=(${byfam[$f]})
            if ((i < ${#l[@]})); then order+=("${l[$i]}"); added=1; fi
        done
        ((added)) || break
    done
    n=${#order[@]}
    step=$(awk -v w="$LAB_WARM" -v n="$n" 'BEGIN{printf "%.3f", (n > 1 ? w / (n - 1) : 0)}')
    t0=$(date +%s.%N)
    for ((j = 0; j < n; j++)); do
        local wake
        wake=$(awk -v t0="$t0" -v s="$step" -v j="$j" -v now="$(date +%s.%N)" \
            'BEGIN{d = t0 + s * j - now; printf "%.3f", (d > 0 ? d : 0)}')
        sleep "$wake"
        printf '%s %s %s\n' "$(date +%s.%N)" "${order[$j]}" \
            "$(dns_rcode "${order[$j]}" "$ZONE" MX 2 +retry=2)"
    done
    date +%s >"$LAB_DIR/warm.done"
}

cmd_wait() {
    local limit=${1:-$((LAB_WARM + 60))}
    require_up
    wait_until "$limit" "cache warming" test -f "$LAB_DIR/warm.done" || exit 1
}

# ----------------------------------------------------------------- flip ----

require_up() {
    if ! is_lab_dir || [[ ! -s $LAB_DIR/procs ]]; then
        die "no lab running in $LAB_DIR (scripts/lab.sh up)"
    fi
}

kill_tracked_name() {  # stop a still-running tracked helper by name (lag timer)
    local name pid start p
    while read -r name pid start; do
        [[ $name == "$1" ]] || continue
        while read -r p _; do [[ -n $p ]] && kill -TERM "$p" 2>/dev/null; done < <(session_pids "$pid" "$start")
    done <"$LAB_DIR/procs"
    return 0
}

cmd_flip() {
    require_up
    local cur next serial lag=${LAB_LAG_GIVEN:-}
    cur=$(cat "$LAB_DIR/variant")
    case ${1:-} in
        "") case $cur in a) next=b ;; *) next=a ;; esac ;;
        a|b|c) next=$1 ;;
        *) die "flip: unknown variant '$1' (a, b or c)" ;;
    esac
    [[ -n $lag ]] || lag=$(cat "$LAB_DIR/lag" 2>/dev/null || say "$LAB_LAG")
    serial=$(( $(cat "$LAB_DIR/serial") + 1 ))
    write_zone "$next" "$serial"
    knotc -s "$LAB_DIR/ns1/knot.sock" -b zone-reload "$ZONE" >/dev/null || die "knotc zone-reload failed"
    # ns1 reloads and NOTIFYs ns2, which transfers within a second
    wait_until 10 "ns1 to serve serial $serial" serves_serial "$NS1" "$serial" || die "ns1 did not load the new zone"
    wait_until 10 "ns2 to follow the NOTIFY" serves_serial "$NS2" "$serial" || die "ns2 did not follow"
    say "$next" >"$LAB_DIR/variant"
    say "$serial" >"$LAB_DIR/serial"
    local now
    now=$(date +%s)
    printf '%s %s %s\n' "$now" "$next" "$serial" >>"$LAB_DIR/flips.log"
    # ns3 gets no NOTIFY; a timer stands in for its slow SOA refresh so the
    # lag is the same every time (a real refresh would land anywhere in its
    # interval).  A newer flip replaces a pending timer.
    kill_tracked_name lagtimer
    rm -f "$LAB_DIR/lag.due"
    if ((lag > 0)); then
        say $((now + lag)) >"$LAB_DIR/lag.due"
        spawn lagtimer "$LAB_DIR/lag.log" bash "$SELF" _catchup "$lag"
    fi
    say "flipped $ZONE MX $cur -> $next, serial $serial: $(mx_text "$next")"
    if ((lag > 0)); then
        say "  ns1 and ns2 serve it now; ns3 (lagging) catches up in ${lag}s"
    else
        say "  ns1 and ns2 serve it now; ns3 (lagging) waits for scripts/lab.sh sync"
    fi
}

cmd__catchup() {
    sleep "$1"
    do_sync
}

cmd_sync() {
    require_up
    kill_tracked_name lagtimer   # no second, late catch-up
    do_sync
}

do_sync() {
    local serial
    serial=$(cat "$LAB_DIR/serial")
    nsd-control -c "$LAB_DIR/ns3/nsd.conf" transfer "$ZONE" >/dev/null || die "nsd-control transfer failed"
    wait_until 10 "ns3 to transfer serial $serial" serves_serial "$NS3" "$serial" || die "ns3 did not catch up"
    rm -f "$LAB_DIR/lag.due"
    say "ns3 caught up with serial $serial at $(date +%T)"
}

# --------------------------------------------------------------- status ----

cmd_status() {
    if ! is_lab_dir || [[ ! -s $LAB_DIR/procs ]]; then
        say "no lab running in $LAB_DIR"
        return 3
    fi
    local v serial name pid start alive=0 dead=0 up_t
    v=$(cat "$LAB_DIR/variant"); serial=$(cat "$LAB_DIR/serial")
    up_t=$(cat "$LAB_DIR/up.time" 2>/dev/null || say 0)
    say "propwatch lab in $LAB_DIR, up since $(date -d "@$up_t" +%T) ($(( $(date +%s) - up_t ))s)"
    say "MX variant $v: $(mx_text "$v")  (primary serial $serial)"
    say "authoritative servers (SOA serial served now):"
    printf '  ns1  %-10s knot primary            %s\n' "$NS1" "$(soa_serial "$NS1")"
    printf '  ns2  %-10s nsd secondary, NOTIFY   %s\n' "$NS2" "$(soa_serial "$NS2")"
    local lagnote=""
    if [[ -f $LAB_DIR/lag.due ]]; then lagnote="  (catches up in $(( $(cat "$LAB_DIR/lag.due") - $(date +%s) ))s)"; fi
    printf '  ns3  %-10s nsd secondary, lagging  %s%s\n' "$NS3" "$(soa_serial "$NS3")" "$lagnote"
    printf '  root %-10s knot fake root, signed  %s\n' "$ROOT" "$(dns_rcode "$ROOT" . SOA)"
    say "mail lint domains: $(wc -l <"$LAB_DIR/mail-domains.tsv") on ns1; $MAIL_FLIP_DOMAIN variant $(cat "$LAB_DIR/mail-variant")"
    if [[ -f $LAB_DIR/warm.done ]]; then
        say "cache warming: done"
    else
        say "cache warming: in progress ($(wc -l <"$LAB_DIR/warm.log" 2>/dev/null || say 0) warmed)"
    fi
    say "processes:"
    while read -r name pid start; do
        if tracked_alive "$pid" "$start"; then
            alive=$((alive + 1)); printf '  %-22s %7s  running\n' "$name" "$pid"
        else
            case $name in warmer|lagtimer) printf '  %-22s %7s  finished\n' "$name" "$pid" ;;
                *) dead=$((dead + 1)); printf '  %-22s %7s  NOT RUNNING\n' "$name" "$pid" ;;
            esac
        fi
    done <"$LAB_DIR/procs"
    say "$alive running, $dead dead; resolver list: $LAB_DIR/resolvers.txt"
    ((dead == 0))
}

cmd_list() {
    [[ -f $LAB_DIR/resolvers.txt ]] || die "no resolver list in $LAB_DIR (scripts/lab.sh up)"
    say "$LAB_DIR/resolvers.txt"
}

cmd_down() {
    local t0 n
    t0=$(date +%s.%N)
    if [[ ! -d $LAB_DIR ]]; then say "no lab in $LAB_DIR"; return 0; fi
    is_lab_dir || die "$LAB_DIR is not a lab directory; not touching it"
    n=$(stop_tracked)
    remove_aliases
    if [[ ${LAB_KEEP:-0} == 1 ]]; then
        say "lab down: stopped ${n:-0} processes; state kept in $LAB_DIR"
    else
        rm -rf "$LAB_DIR"
        say "lab down: stopped ${n:-0} processes, removed $LAB_DIR"
    fi
    say "  took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s"
}

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "$SELF"
    say "Resolver endpoints (OPERATOR, kind, upstream, status expected before a flip):"
    endpoints | awk -F'\t' '{printf "  %-11s %-14s %-14s %-5s %-12s %s\n", $1, $2, $3, $5, $6, $7}'
    say "Compare endpoints (in resolvers-all.txt only; see doc/LAB.md):"
    compare_endpoints | awk -F'\t' '{printf "  %-11s %-14s %-14s %-8s %s\n", $1, $2, $3, $5, $7}'
}

main() {
    local cmd=${1:-}
    shift || true
    [[ $LAB_LAG =~ ^[0-9]+$ ]] || die "LAB_LAG must be a number of seconds"
    [[ $LAB_WARM =~ ^[0-9]+$ ]] || die "LAB_WARM must be a number of seconds"
    [[ $LAB_VERBOSE =~ ^[01]$ ]] || die "LAB_VERBOSE must be 0 or 1"
    local f
    for f in ${LAB_WITHOUT//,/ }; do
        [[ -v "BIN[$f]" ]] || die "LAB_WITHOUT: unknown family '$f' (unbound pdns-recursor kresd named dnsmasq)"
    done
    case $cmd in
        up) cmd_up "$@" ;;
        down) cmd_down "$@" ;;
        flip) cmd_flip "$@" ;;
        mail-flip) cmd_mail_flip "$@" ;;
        mail-domains) cmd_mail_domains "$@" ;;
        status) cmd_status "$@" ;;
        list) cmd_list "$@" ;;
        wait) cmd_wait "$@" ;;
        sync) cmd_sync "$@" ;;
        deps) cmd_deps "$@" ;;
        _warm) cmd__warm "$@" ;;
        _catchup) cmd__catchup "$@" ;;
        -h|--help|help) usage ;;
        *) warn "unknown command '$cmd'"; usage >&2; exit 2 ;;
    esac
}

main "$@"

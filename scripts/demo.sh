#!/usr/bin/env bash
# scripts/demo.sh BIN -- `make demo`: watch an MX change propagate, live.
#
# Starts a small DNS world on loopback, opens `BIN watch` on it, changes the
# MX records a few seconds in, so you see resolver after resolver pick up
# the new ones, and tears the world down when you quit (q or Ctrl-C).
#
# The world is the real-software lab (scripts/lab.sh: Knot and NSD serving
# example.test., Unbound, PowerDNS Recursor, Knot Resolver, BIND and dnsmasq
# as resolvers) when it can start; otherwise a minimal stand-in built from
# pw-responder, whose simulated caches flip at staggered times (it says so).
#
# Environment:
#   DEMO_WORLD=lab|minimal   force one world (default: lab, else minimal)
#   DEMO_FLIP_AFTER=SECONDS  when to change the records (default 8)
#   DEMO_LAB_DIR=DIR         the lab's state directory (default /tmp/propwatch-demo)
# Nothing a test starts may send a query off this machine (the engine checks).
export PROPWATCH_LOOPBACK_ONLY=1
set -uo pipefail

BIN=${1:?usage: scripts/demo.sh /abs/path/to/propwatch}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB=$ROOT/scripts/lab.sh
FLIP_AFTER=${DEMO_FLIP_AFTER:-8}
WORLD=${DEMO_WORLD:-}
RESPONDER=$(dirname "$BIN")/pw-responder
# The minimal world's addresses: apart from the lab's (127.0.1-4.x) and the
# UI tests' (127.0.44.x), so it can run beside either.
NET=127.0.45
PORT=5300
# Seconds after the change at which each simulated cache's old copy expires.
STAGGER="3 5 7 9 12 15 19 23 28 34 41 49 58 70"

say() { printf 'demo: %s\n' "$*"; }

if [[ ! -t 0 || ! -t 1 ]]; then
	say "the demo opens the live dashboard and needs a terminal; run 'make demo' in one"
	exit 2
fi
[[ -x $BIN ]] || { say "no propwatch binary at $BIN (run make first)"; exit 2; }

TMP=$(mktemp -d /tmp/propwatch-demo.XXXXXX)
lab_up=0
rpid=
flipper=
cleanup() {
	trap - EXIT INT TERM
	[[ -n $flipper ]] && kill "$flipper" 2>/dev/null && wait "$flipper" 2>/dev/null
	if ((lab_up)); then
		say "tearing the lab down"
		LAB_DIR=$DEMO_LAB bash "$LAB" down >/dev/null 2>&1 || say "lab.sh down failed; see $DEMO_LAB"
	fi
	[[ -n $rpid ]] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run the dashboard on list $1 with options $2; FLIP_AFTER seconds in, the
# rest of the arguments (a command or a function of this script) change the
# records.
watch_with_flip() {
	local list=$1 args=$2
	shift 2
	(sleep "$FLIP_AFTER" && "$@" >>"$TMP/flip.log" 2>&1) &
	flipper=$!
	# shellcheck disable=SC2086  # args holds several options on purpose
	"$BIN" watch -r "$list" $args example.test MX
	local rc=$?
	kill "$flipper" 2>/dev/null && wait "$flipper" 2>/dev/null
	flipper=
	return $rc
}

# ---------------------------------------------------------------- lab ----
DEMO_LAB=${DEMO_LAB_DIR:-/tmp/propwatch-demo}
try_lab() {
	[[ -f $LAB ]] || { say "no scripts/lab.sh here"; return 1; }
	if ! bash "$LAB" deps >"$TMP/deps.log" 2>&1; then
		say "lab software missing ($(grep -c missing "$TMP/deps.log") packages; sh scripts/setup.sh installs them)"
		return 1
	fi
	say "starting the lab: authoritative servers and real resolvers on 127.0.1-4.x ..."
	# Warm the caches over a few seconds only: the demo should not keep you waiting.
	if ! LAB_DIR=$DEMO_LAB LAB_WARM=${LAB_WARM:-6} bash "$LAB" up >"$TMP/lab.log" 2>&1; then
		say "the lab did not come up:"
		tail -n 5 "$TMP/lab.log" | sed 's/^/    /'
		LAB_DIR=$DEMO_LAB bash "$LAB" down >/dev/null 2>&1
		return 1
	fi
	lab_up=1
	say "warming the resolvers' caches with the old MX records ..."
	LAB_DIR=$DEMO_LAB bash "$LAB" wait >/dev/null 2>&1 || true
	LIST=$(LAB_DIR=$DEMO_LAB bash "$LAB" list) || return 1
	return 0
}

run_lab() {
	say "opening the dashboard; the MX records change ${FLIP_AFTER}s in (scripts/lab.sh flip)."
	say "keys: arrows select, Enter details, s sort, / filter, ? help, q quit"
	sleep 2
	# The list names the zone's servers: ask them directly rather than
	# search for them through the resolvers first (which takes a while).
	local auth="" a
	for a in $(grep -m1 '^# zone' "$LIST" | grep -oE '127\.[0-9]+\.[0-9]+\.[0-9]+'); do
		auth="$auth --auth $a"
	done
	watch_with_flip "$LIST" "--interval 5s --timeout 1s$auth" env LAB_DIR="$DEMO_LAB" bash "$LAB" flip
	local rc=$?
	say "the change, as the lab made it:"
	sed 's/^/    /' "$TMP/flip.log" 2>/dev/null | head -n 3
	return $rc
}

# ------------------------------------------------------------ minimal ----
# Each simulated cache serves the old MX set until its cached copy expires
# (expire=), then the new one: staggered, as real caches filled at different
# times would. The authoritative stand-in switches sets on SIGHUP.
write_world() {
	local auth_set=$1 f=$TMP/world.conf
	cat >"$f" <<-EOF
	set OLD example.test. 120 IN MX 10 mx1.example.test.
	set OLD example.test. 120 IN MX 20 mx2.example.test.
	set OLD example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2026112301 3600 600 86400 60
	set NEW example.test. 120 IN MX 10 mx3.example.test.
	set NEW example.test. 120 IN MX 20 mx2.example.test.
	set NEW example.test. 300 IN SOA ns1.example.test. hostmaster.example.test. 2026112302 3600 600 86400 60
	endpoint $NET.1:$PORT serve=$auth_set aa
	EOF
	local i=0 d
	for d in $STAGGER; do
		i=$((i + 1))
		echo "endpoint $NET.$((10 + i)):$PORT serve=OLD expire=$((FLIP_AFTER + d))s then=NEW delay=$((i * 7 % 60))ms" >>"$f"
	done
	echo "endpoint $NET.31:$PORT servfail" >>"$f"
	echo "endpoint $NET.32:$PORT silent" >>"$f"
}

write_list() {
	local f=$TMP/resolvers.txt i=0 d
	local -a name=(a b c d e f g h i j k l m n)
	: >"$f"
	for d in $STAGGER; do
		printf '%s:%s ZZ sim-%s cache %s: old until +%ss\n' \
			"$NET.$((11 + i))" "$PORT" "${name[i]}" "${name[i]}" "$d" >>"$f"
		i=$((i + 1))
	done
	printf '%s:%s ZZ sim-broken upstream broken (SERVFAIL)\n' "$NET.31" "$PORT" >>"$f"
	printf '%s:%s ZZ sim-silent never answers\n' "$NET.32" "$PORT" >>"$f"
	LIST=$f
}

# The change: the authoritative stand-in serves the new set from now on.
flip_minimal() {
	write_world NEW && kill -HUP "$rpid"
}

run_minimal() {
	[[ -x $RESPONDER ]] || { say "no pw-responder at $RESPONDER (run make first)"; return 2; }
	say "MINIMAL WORLD: simulated caches from pw-responder on $NET.x:$PORT, not real resolver software."
	write_world OLD
	write_list
	mkfifo "$TMP/ready"
	"$RESPONDER" -c "$TMP/world.conf" >"$TMP/ready" 2>"$TMP/responder.log" &
	rpid=$!
	exec 3<"$TMP/ready"
	if ! read -r -t 5 line <&3 || [[ $line != ready ]]; then
		say "pw-responder did not start:"
		sed 's/^/    /' "$TMP/responder.log"
		return 2
	fi
	# Keep reading its stdout so it never blocks on a full pipe.
	cat <&3 >/dev/null &
	exec 3<&-
	say "opening the dashboard; the MX records change ${FLIP_AFTER}s in, then the caches follow"
	say "one by one over about a minute. keys: arrows, Enter details, s sort, ? help, q quit"
	sleep 2
	watch_with_flip "$LIST" "--auth $NET.1:$PORT --interval 3s --timeout 1s" flip_minimal
}

case $WORLD in
	lab) try_lab && run_lab ;;
	minimal) run_minimal ;;
	"") if try_lab; then run_lab; else say "falling back to a minimal world"; run_minimal; fi ;;
	*) say "DEMO_WORLD must be lab or minimal"; exit 2 ;;
esac
rc=$?
# Quitting the dashboard is the normal end of the demo, not a failure.
[[ $rc -eq 0 || $rc -eq 130 || $rc -eq 143 ]] && exit 0
exit "$rc"

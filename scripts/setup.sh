#!/bin/sh
# Install what building, testing and the demo need on Debian 12, as root.
# Fast when everything is there already: it asks dpkg first and runs apt-get
# only for what is missing.
set -eu

PACKAGES="make gcc libc6-dev pkg-config libldns-dev libjansson-dev libncurses-dev
libcmocka-dev libcurl4-openssl-dev libssl-dev ldnsutils dnsutils knot-dnsutils jq tmux python3 iproute2 procps time
unbound pdns-recursor knot-resolver bind9 dnsmasq-base nsd knot hyperfine
clang clang-format cppcheck
libcairo2-dev bash-completion zsh build-essential dpkg-dev debhelper fakeroot lintian"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages:$missing" >&2
	echo "setup: run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

# Resolver packages would start their own daemons on install and hold port 53;
# forbid service starts for the duration, unless a policy is already in place.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	added_policy=1
fi
trap '[ "$added_policy" = 1 ] && rm -f "$policy"' EXIT

echo "setup: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null

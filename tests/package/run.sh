#!/bin/bash
# Installing propwatch: `make install DESTDIR=... PREFIX=/usr` lays out the
# tree a distribution expects, and the binary it installs looks for its
# resolver list there; `dpkg-buildpackage -us -uc -b` on a copy of the
# source builds a .deb holding the binary, the list, the man page and both
# completions; lintian reports no error on it; and what it unpacks runs.
# Run from the top of the source tree (make package-test). Takes a minute.
set -uo pipefail
top=$(pwd)
work=$(mktemp -d /tmp/pw-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
source "$(cd "$(dirname "$0")" && pwd)/../lib/tap.sh"

# A copy of the source as git has it (tracked and new files, nothing ignored),
# so neither build touches this tree.
copy() { # DIR
	mkdir -p "$1"
	{ git ls-files; git ls-files --others --exclude-standard; } | while read -r f; do
		[ -e "$f" ] && cp --parents -- "$f" "$1/"
	done
	cp -r .git "$1/.git" 2>/dev/null # for --version's description
}

# --- make install ------------------------------------------------------------------------
copy "$work/inst-src"
(cd "$work/inst-src" && make -s all PREFIX=/usr >/dev/null 2>&1 &&
	make -s install DESTDIR="$work/root" PREFIX=/usr >/dev/null 2>&1)
rc=$?
[ $rc = 0 ] && ok "make install DESTDIR=... PREFIX=/usr" || fail "make install DESTDIR=... PREFIX=/usr" "exit $rc"
want="usr/bin/propwatch
usr/share/bash-completion/completions/propwatch
usr/share/doc/propwatch/INTERFACES.md
usr/share/doc/propwatch/LOG.md
usr/share/doc/propwatch/README.md
usr/share/man/man1/propwatch.1
usr/share/propwatch/resolvers.txt
usr/share/zsh/vendor-completions/_propwatch"
got=$(cd "$work/root" && find . -type f | sed 's|^\./||' | sort)
[ "$got" = "$want" ] && ok "the installed tree is the expected one" || fail "the installed tree is the expected one" "$(diff <(echo "$want") <(echo "$got"))"
grep -q '/usr/share/propwatch/resolvers.txt' "$work/root/usr/bin/propwatch" &&
	ok "the installed binary looks for its list in /usr/share/propwatch" ||
	fail "the installed binary looks for its list in /usr/share/propwatch"
"$work/root/usr/bin/propwatch" --version | grep -q '^propwatch [0-9]' &&
	ok "the installed binary runs: $("$work/root/usr/bin/propwatch" --version)" || fail "the installed binary runs"
(cd "$work/inst-src" && make -s uninstall DESTDIR="$work/root" PREFIX=/usr >/dev/null 2>&1)
left=$(cd "$work/root" && find . -type f | wc -l)
[ "$left" = 0 ] && ok "make uninstall removes every file" || fail "make uninstall removes every file" "$left left"
# Another PREFIX rebuilds what depends on it.
(cd "$work/inst-src" && make -s install DESTDIR="$work/root2" PREFIX=/opt/pw >/dev/null 2>&1)
grep -q '/opt/pw/share/propwatch/resolvers.txt' "$work/root2/opt/pw/bin/propwatch" &&
	[ -f "$work/root2/opt/pw/share/zsh/site-functions/_propwatch" ] &&
	ok "PREFIX=/opt/pw: the binary follows, zsh's site-functions" || fail "PREFIX=/opt/pw: the binary follows, zsh's site-functions"

# --- the Debian package ---------------------------------------------------------------------
if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null; then
	fail "dpkg-buildpackage and lintian are installed" "scripts/setup.sh installs them"
	summary
	exit 1
fi
copy "$work/deb/src"
(cd "$work/deb/src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1)
rc=$?
deb=$(ls "$work"/deb/propwatch_*_*.deb 2>/dev/null | head -1)
[ $rc = 0 ] && [ -n "$deb" ] && ok "dpkg-buildpackage -us -uc -b: $(basename "$deb")" ||
	fail "dpkg-buildpackage -us -uc -b" "exit $rc: $(tail -5 "$work/build.log")"
if [ -n "$deb" ]; then
	files=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed -n '/[^/]$/s|^\./||p' | sort)
	for f in usr/bin/propwatch usr/share/propwatch/resolvers.txt usr/share/man/man1/propwatch.1.gz \
		usr/share/bash-completion/completions/propwatch usr/share/zsh/vendor-completions/_propwatch \
		usr/share/doc/propwatch/copyright; do
		grep -qxF "$f" <<<"$files" && ok "the .deb holds $f" || fail "the .deb holds $f"
	done
	lintian "$deb" >"$work/lintian.txt" 2>&1
	errors=$(grep -c '^E: ' "$work/lintian.txt")
	[ "$errors" = 0 ] && ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.txt") warnings)" ||
		fail "lintian: no errors" "$(grep '^E: ' "$work/lintian.txt")"
	dpkg-deb -x "$deb" "$work/x"
	"$work/x/usr/bin/propwatch" --version >/dev/null && "$work/x/usr/bin/propwatch" check --help | grep -q -- --log &&
		ok "what the .deb unpacks runs" || fail "what the .deb unpacks runs"
	depends=$(dpkg-deb -f "$deb" Depends)
	grep -q 'libldns' <<<"$depends" && grep -q 'libcairo2' <<<"$depends" &&
		grep -q 'libcurl4' <<<"$depends" &&
		ok "its Depends name the libraries (shlibs, and the two loaded at first use): $depends" ||
		fail "its Depends name the libraries (shlibs, and the two loaded at first use)" "$depends"
fi

summary

#!/bin/bash
# Shell completion, as a user meets it: bash-completion loads the bash file
# and completes subcommands, options, --format values, record types and
# files; every option of every subcommand's --help is offered for that
# subcommand and no other's; the zsh file is valid zsh, loads under
# compinit and names every option too. Needs PROPWATCH.
set -uo pipefail
: "${PROPWATCH:?set PROPWATCH to the propwatch binary}"
work=$(mktemp -d /tmp/pw-completion.XXXXXX)
trap 'rm -rf "$work"' EXIT
source "$(cd "$(dirname "$0")" && pwd)/../lib/tap.sh"

"$PROPWATCH" completion bash >"$work/propwatch.bash" || fail "completion bash"
"$PROPWATCH" completion zsh >"$work/_propwatch" || fail "completion zsh"
"$PROPWATCH" completion fish >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q 'bash|zsh' "$work/err" && ok "completion fish: exit 2, says bash|zsh" ||
	fail "completion fish: exit 2, says bash|zsh"

BC=/usr/share/bash-completion/bash_completion
if [ ! -r "$BC" ]; then
	fail "bash-completion is installed" "apt-get install bash-completion (scripts/setup.sh)"
	summary
	exit 1
fi
# complete LINE: what bash-completion offers for LINE (the cursor at its end).
complete_line() {
	bash -c '
		source "$1"; source "$2"
		read -ra COMP_WORDS <<<"$3"
		[[ $3 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$3
		COMP_POINT=${#3}
		_propwatch propwatch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BC" "$work/propwatch.bash" "$1"
}
offers() { # LINE WORD...: every WORD is offered
	local line=$1 got w
	shift
	got=$(cd "$work" && complete_line "$line")
	for w in "$@"; do
		if ! grep -qxF -- "$w" <<<"$got"; then
			fail "'$line' offers $*" "got: $(tr '\n' ' ' <<<"$got")"
			return
		fi
	done
	ok "'$line' offers $*"
}
lacks() { # LINE WORD: WORD is not offered
	local got
	got=$(cd "$work" && complete_line "$1")
	if grep -qxF -- "$2" <<<"$got"; then fail "'$1' does not offer $2"; else ok "'$1' does not offer $2"; fi
}

offers "propwatch " check watch compare timeline completion --help --version
offers "propwatch ch" check
offers "propwatch check --fo" --format
offers "propwatch check --format " text json csv ndjson
offers "propwatch timeline --format " text csv
lacks "propwatch compare --format " ndjson
offers "propwatch check example.com " MX AAAA TXT
offers "propwatch check example.com a" AAAA A
offers "propwatch check -v example.com " MX
lacks "propwatch check example.com MX " MX
touch "$work/list.txt" "$work/roll.ndjson"
offers "propwatch check -r " list.txt
offers "propwatch timeline " roll.ndjson
offers "propwatch timeline -o " list.txt
offers "propwatch completion " bash zsh
lacks "propwatch watch --" --wait
lacks "propwatch check --" --samples

# Every option of every subcommand's --help, offered for it.
for sub in check watch compare timeline; do
	want=$("$PROPWATCH" "$sub" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z-]+|^  -[a-zA-Z0-9]\b' |
		grep -oE -- '--?[a-zA-Z0-9-]+' | sort -u)
	got=$(complete_line "propwatch $sub -" | sort -u)
	missing=$(comm -23 <(echo "$want") <(echo "$got"))
	extra=$(comm -13 <(echo "$want") <(echo "$got"))
	if [ -z "$missing" ] && [ -z "$extra" ] && [ -n "$want" ]; then
		ok "bash: $sub's options are its --help's ($(echo "$want" | wc -l))"
	else
		fail "bash: $sub's options are its --help's" "missing: $missing; extra: $extra"
	fi
	if [ -z "$(for o in $want; do grep -q -- "[{,'*]$o[],[}]" "$work/_propwatch" || echo "$o"; done)" ]; then
		ok "zsh: names $sub's options"
	else
		fail "zsh: names $sub's options"
	fi
done

if command -v zsh >/dev/null; then
	zsh -n "$work/_propwatch" && ok "the zsh file is valid zsh" || fail "the zsh file is valid zsh"
	mkdir -p "$work/fn" && cp "$work/_propwatch" "$work/fn/"
	out=$(HOME=$work zsh -f -c "fpath=($work/fn \$fpath); autoload -Uz compinit; compinit -u -d $work/zcd; print -r -- \${_comps[propwatch]}" 2>&1)
	[ "$out" = _propwatch ] && ok "compinit binds _propwatch to propwatch" || fail "compinit binds _propwatch to propwatch" "$out"
else
	fail "zsh is installed" "apt-get install zsh (scripts/setup.sh)"
fi

summary

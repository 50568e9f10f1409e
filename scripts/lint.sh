#!/bin/sh
# make lint: the house style (clang-format, .clang-format) and a static
# analyser (cppcheck) over every C file of the project. Prints each finding
# and exits 1 if there is any; silent and 0 when clean.
set -u
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')
bad=0
for f in $files; do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
		echo "lint: $f is not formatted (clang-format -i $f)"
		bad=1
	fi
done
# style includes unused values and needlessly wide scopes; the fuzz
# harnesses' entry points are called by libFuzzer, not by us.
out=$(cppcheck --quiet --enable=warning,style,portability,performance --std=c11 \
	-D__GNUC__ -D__linux__ -Isrc --inline-suppr --suppress=missingIncludeSystem \
	--error-exitcode=0 --template='{file}:{line}: {severity}: {message} [{id}]' \
	$(echo "$files" | grep '\.c$') 2>&1)
if [ -n "$out" ]; then
	echo "$out"
	bad=1
fi
[ "$bad" = 0 ] || { echo "lint: findings above"; exit 1; }

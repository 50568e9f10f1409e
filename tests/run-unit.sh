#!/bin/sh
# Run each cmocka unit-test binary given as an argument; print a total line.
passed=0
failed=0
for t in "$@"; do
	if "$t"; then
		passed=$((passed + 1))
	else
		echo "unit: FAILED: $t" >&2
		failed=$((failed + 1))
	fi
done
echo "unit test binaries: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

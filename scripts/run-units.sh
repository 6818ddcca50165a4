#!/usr/bin/env bash
# Run every unit-test binary given; print a summary; fail if any failed.
set -u
pass=0; fail=0; failed=()
for t in "$@"; do
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$t"); fi
done
echo "unit suites: $pass passed, $fail failed"
for t in "${failed[@]:-}"; do [ -n "$t" ] && echo "FAILED: $t"; done
[ "$fail" -eq 0 ]

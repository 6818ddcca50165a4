#!/usr/bin/env bash
# Run every unit-test binary given; print a summary; fail if any failed.
set -u
# check's per-test timeout (default 4 s) is a hang guard, not an assertion:
# sanitizer builds on a busy machine need more.
export CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-300}
pass=0; fail=0; failed=()
for t in "$@"; do
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed+=("$t"); fi
done
echo "unit suites: $pass passed, $fail failed"
for t in "${failed[@]:-}"; do [ -n "$t" ] && echo "FAILED: $t"; done
[ "$fail" -eq 0 ]

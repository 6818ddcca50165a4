# lib.sh — helpers for the platform system tests (sourced by run.sh).
# run_until PATTERN SECS OUT args...: run x86bt with -display none (VGA
#   text rows are mirrored to stdout, kept in OUT) until an extended
#   regular expression PATTERN appears in OUT, the emulator exits, or SECS
#   seconds of host time pass; then stop it. Status 0 if PATTERN was seen.
#   Sets RUN_SECS to the host seconds the run took.
run_until() {
    local pat=$1 secs=$2 out=$3; shift 3
    local t0 seen=1 pid
    t0=$(date +%s%N)
    : >"$out" # before the start: a stale OUT must not match
    "$X86BT" -display none -serial none "$@" >"$out" 2>&1 </dev/null &
    pid=$!
    local deadline=$(( $(date +%s) + secs ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if grep -aEq -- "$pat" "$out"; then seen=0; break; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    [ $seen -ne 0 ] && grep -aEq -- "$pat" "$out" && seen=0
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    RUN_SECS=$(( ($(date +%s%N) - t0) / 1000000 ))
    RUN_SECS="$((RUN_SECS / 1000)).$(printf %03d $((RUN_SECS % 1000)))"
    return $seen
}

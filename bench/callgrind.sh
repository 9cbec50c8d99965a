# Sourced by the bench scripts: instructions COMMAND ARGS... prints the
# instructions callgrind counts for one run of the command (its output
# thrown away). Counts, unlike wall time, are the same on a busy machine.
instructions() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out"
    rm -f "$out"
}

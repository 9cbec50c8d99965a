#!/usr/bin/env bash
# valgrind memcheck of a program under the shim with capture on: 4 threads
# x 5,000 stderr lines (fprintf), every 10th line also through syslog, then
# the same with write(2) and a config of rules (regex, kv, json). memcheck
# must report no error (invalid read or write, use of uninitialised
# values, bad free...) and no definite leak: --error-exitcode=1
# --leak-check=full --errors-for-leak-kinds=definite, no suppression file.
# The events must all be there (20,000 + 2,000 each run).
#
# SKIP when valgrind is not installed, and in the ASan build (valgrind and
# AddressSanitizer cannot run one process together).
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

if [ -n "$SHIM_SANITIZER_RUNTIME" ] || [[ "$BUILD" == */asan ]]; then
    echo "SKIP: the sanitized build: valgrind and AddressSanitizer do not mix"
    exit 77
fi
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed (apt-get install valgrind)"; exit 77; }

config=$shim_tmp/rules.json
cat >"$config" <<'JSON'
{ "provider": "Valgrind",
  "rules": [
    { "name": "Flood", "source": "stderr",
      "regex": "^flood thread (?<thread>\\d+) line (?<line>\\d+): (?<text>.*)$",
      "fields": { "thread": "u8", "line": "u32" } },
    { "name": "Kv", "regex": "^kv: ", "kv": true },
    { "name": "Json", "json": true },
    { "name": "SyslogFlood", "source": "syslog", "grok": "flood thread %{INT:thread:u8} syslog %{INT:n:int}" }
  ] }
JSON

threads=4 lines=5000
expected=$((threads * lines + threads * lines / 10))

# memcheck_case LABEL [-w] [CONFIG]
memcheck_case() {
    local label=$1 mode=$2 cfg=${3:-}
    local out=$shim_tmp/$label
    local args=(-n "$lines" -t "$threads" -s 10)
    [ -n "$mode" ] && args+=("$mode")
    RUN_ENV=()
    [ -n "$cfg" ] && RUN_ENV=("EHSHIM_CONFIG=$cfg")
    RUN_TIMEOUT=300
    # Runs valgrind under the shim's environment; valgrind hands LD_PRELOAD
    # on to the program (after its own preloads).
    run_shim "$out" fault_flood valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \
        --log-file="$out.valgrind" "$SHIM_PROGRAMS/fault_flood" "${args[@]}"
    RUN_ENV=()
    RUN_TIMEOUT=""
    expect_status "$label under valgrind (1: memcheck found something; 124: timeout)" 0 "$out"
    if [ -s "$out.valgrind" ]; then
        fail "$label: memcheck reported:"
        head -n 60 "$out.valgrind"
    fi
    decode_events "$out"
    local count
    count=$(wc -l <"$out.jsonl")
    [ "$count" -eq "$expected" ] || fail "$label: $count events, expected $expected"
}

memcheck_case default-config ""
memcheck_case rules-write -w "$config"
grep -q '"n": "Valgrind:Flood", "thread": 3, "line": 4999' "$shim_tmp/rules-write.jsonl" ||
    fail "rules-write: the rules did not type the lines"

shim_finish

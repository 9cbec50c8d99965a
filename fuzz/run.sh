#!/usr/bin/env bash
# Runs the libFuzzer harnesses given on the command line (built by
# `make fuzz`), each for FUZZ_SECONDS, on a corpus seeded from the repo and
# the reference vectors. Prints one line per harness, "NAME: N executions
# in S s, no failure", keeps them in $BUILD/fuzz/summary.txt, and exits 1
# when any harness failed (its log and crashing input are named).
#
# Environment: BUILD (default build), FUZZ_SECONDS (default 60),
# EHSHIM_VECTORS (reference vectors, default tests/vectors; seeds for fuzz_decode),
# FUZZ_FLAGS (more libFuzzer flags).
set -u
cd "$(dirname "$0")/.." || exit 1
build=${BUILD:-build}
seconds=${FUZZ_SECONDS:-60}
dir=$build/fuzz
summary=$dir/summary.txt
mkdir -p "$dir/logs" "$dir/artifacts"

# ---- seeds: written into each harness's corpus directory, which also
# keeps what the fuzzer finds from run to run ----

corpus() { mkdir -p "$dir/corpus/$1" && echo "$dir/corpus/$1"; }

# One byte of value $1 (0..255).
byte() { printf "\\$(printf %03o "$1")"; }

# One file per line of the given files (no final newline, as the shim
# passes lines), named by source and line number.
split_lines() {
    local out=$1
    shift
    awk -v out="$out" '{ name = FILENAME; gsub(/[\/.]/, "_", name)
                         f = out "/" name "-" FNR; printf "%s", $0 > f; close(f) }' "$@"
}

# Write sequences for fuzz_lines: capacity byte, then (length, bytes)
# writes, 0xFF flush, 0xFE discard, 0xFD rest.
lines_seed() { printf '%b' "$2" >"$(corpus lines)/$1"; }

seed() {
    local c
    c=$(corpus decode)
    local vectors=${EHSHIM_VECTORS:-tests/vectors}
    if [ -f "$vectors/EventHeaderInterceptorLE64.dat" ]; then
        "$dir/split_dat" "$vectors/EventHeaderInterceptorLE64.dat" "$c" || return 1
        # Small multi-record files too: records that follow one another.
        head -c 2048 "$vectors/EventHeaderInterceptorLE64.dat" >"$c/head-2048"
    else
        echo "fuzz: no reference vectors at $vectors: fuzz_decode starts from its own seeds only" >&2
    fi

    c=$(corpus config)
    for f in examples/*/config.json examples/demo.json tests/config/good/*.json \
             tests/config/bad/*.json; do
        cp "$f" "$c/$(echo "$f" | tr '/' '_')"
    done

    c=$(corpus engine)
    split_lines "$c" examples/*/input.log
    if [ -d ../shared/corpus ]; then
        # Every 20th line of the real logs: their shapes without 4000 files.
        for f in ../shared/corpus/*.log; do
            awk 'NR % 20 == 1' "$f" >"$dir/$(basename "$f")"
            split_lines "$c" "$dir/$(basename "$f")"
        done
    fi

    # The hand-made kv and JSON messages are lines for the engine too.
    for f in fuzz/seeds/kv/* fuzz/seeds/json_message/*; do
        cp "$f" "$c/$(echo "$f" | tr '/' '_')"
    done

    c=$(corpus kv)
    grep -h '=' examples/*/input.log >"$dir/kv-lines" || true
    split_lines "$c" "$dir/kv-lines"

    c=$(corpus json_message)
    grep -h '^{' examples/*/input.log >"$dir/json-lines" || true
    split_lines "$c" "$dir/json-lines"

    # Messages near and past 64 KiB, made here rather than kept in git: the
    # fuzzer's length limit grows slowly from small seeds, and the budgets
    # that keep events under 64 KiB only act on large ones.
    for c in "$(corpus engine)" "$(corpus json_message)" "$(corpus kv)"; do
        awk 'BEGIN { printf "{"; for (i = 0; i < 4000; i++) printf "%s\"k%d\":%d", (i ? "," : ""), i, i
                     printf "}" }' >"$c/big-members"
        awk 'BEGIN { printf "{\"n\":["; for (i = 0; i < 9000; i++) printf "%s%d", (i ? "," : ""), i
                     printf "],\"s\":["; for (i = 0; i < 2000; i++) printf "%s\"s%d\"", (i ? "," : ""), i
                     printf "]}" }' >"$c/big-arrays"
        awk 'BEGIN { printf "{\"s\":\""; for (i = 0; i < 66000; i++) printf "x"; printf "\"}" }' \
            >"$c/big-string"
        awk 'BEGIN { for (i = 0; i < 5000; i++) printf "k%d=v%d ", i, i }' >"$c/big-pairs"
    done

    corpus lines >/dev/null
    lines_seed one-piece '\x10\x06hello\n'
    lines_seed pieces '\x04\x02ab\x01c\x04d\nef\xff'
    lines_seed overflow '\x02\x0aabcdefgh\ni\x03jk\n'
    lines_seed discard '\x08\x03abc\xfe\x02d\n'
    { printf '\xf3\xfd'; head -c 3000 examples/postgresql/input.log; } >"$(corpus lines)/big"

    # What the real programs sent the syslog and journal sockets
    # (tests/real/wire), behind fuzz_wire's mode byte: 0 datagram, 1 stream
    # (then its NUL-framing byte), 2 journal entry, 3 export stream.
    c=$(corpus wire)
    for f in tests/real/wire/*.bin; do
        b=$(basename "$f" .bin)
        case $b in
        journal-stream*) { printf '\x01\x00'; cat "$f"; } >"$c/$b" ;;
        journal-*) { printf '\x02'; cat "$f"; } >"$c/$b"
                   { printf '\x03'; cat "$f"; printf '\n'; cat "$f"; } >"$c/$b-export" ;;
        *-stream*) { printf '\x01\x01'; cat "$f"; } >"$c/$b" ;;
        *) { printf '\x00'; cat "$f"; } >"$c/$b" ;;
        esac
    done
    { printf '\x03'; cat examples/systemd-tmpfiles/input.log; } >"$c/tmpfiles-export"

    # Captured runtime output (tests/unit/detect_samples, tests/real/multiline/raw)
    # as fuzz_group's write sequences: config byte (0 every detector, 1..7
    # the file's own detector alone, fuzz_group.c's order), mode byte 0,
    # then the file one line per write, in 240-byte writes, and in one.
    c=$(corpus group)
    local f b own config out piece
    for f in tests/unit/detect_samples/*.txt tests/real/multiline/raw/*.txt; do
        b=$(basename "$f" .txt)
        case $b in
        python*) own=1 ;; java*) own=2 ;; go*) own=3 ;; rust*) own=4 ;;
        ruby*) own=5 ;; cxx*) own=6 ;; postgresql*) own=7 ;; *) continue ;;
        esac
        rm -rf "$dir/group-pieces" && mkdir -p "$dir/group-pieces"
        split -b 240 "$f" "$dir/group-pieces/p"
        for config in 0 "$own"; do
            out=$c/$(echo "$f" | tr '/' '_')-$config
            { byte "$config"; byte 0
              LC_ALL=C awk '{ line = $0 "\n"
                              while (length(line) > 0) { n = length(line) > 240 ? 240 : length(line)
                                                         printf "%c%s", n, substr(line, 1, n)
                                                         line = substr(line, n + 1) } }' "$f"
            } >"$out-lines"
            { byte "$config"; byte 0
              for piece in "$dir"/group-pieces/p*; do byte "$(wc -c <"$piece")"; cat "$piece"; done
            } >"$out-blocks"
            { byte "$config"; byte 0; byte 253; cat "$f"; } >"$out-whole"
        done
    done

    # Real programs' logs for fuzz_learn: each example's first 60 lines,
    # and the lines written to reach every piece and merge.
    c=$(corpus learn)
    for f in examples/*/input.log; do
        head -n 60 "$f" >"$c/$(echo "$f" | tr '/' '_')"
    done
    cp tests/integration/learn/pieces.log "$c/pieces"
}

if ! seed; then
    echo "fuzz: could not write the seed corpora" >&2
    exit 1
fi

# ---- runs ----

# Longest input per harness: events and messages up to 64 KiB.
max_len() {
    case $1 in
    fuzz_decode | fuzz_engine | fuzz_kv | fuzz_json_message) echo 70000 ;;
    fuzz_config) echo 16384 ;;
    *) echo 8192 ;;
    esac
}

: >"$summary"
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    short=${name#fuzz_}
    log=$dir/logs/$name.log
    flags=() dirs=("$dir/corpus/$short")
    [ -f "fuzz/$short.dict" ] && flags+=(-dict="fuzz/$short.dict")
    [ -d "fuzz/seeds/$short" ] && dirs+=("fuzz/seeds/$short")
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -max_len="$(max_len "$name")" -artifact_prefix="$dir/artifacts/$name-" \
        "${flags[@]}" ${FUZZ_FLAGS:-} "${dirs[@]}" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    if [ $rc -eq 0 ] && [ -n "$runs" ]; then
        line="$name: $runs executions in ${took:-$seconds} s, no failure"
    else
        failed=1
        line="$name: FAILED (exit $rc) after ${runs:-?} executions; log $log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz check failed|.*runtime error)|Test unit written to' "$log" |
            head -n 8 | sed 's/^/    /'
    fi
    echo "$line" | tee -a "$summary"
done
exit $failed

#!/usr/bin/env bash
# What real daemons need to come out right (issue "real programs"):
#   - the ident of a stderr line is the program's name at start-up, not
#     what argv memory holds after a process-title rewrite (perl's $0,
#     nginx, PostgreSQL);
#   - rules select by a list of idents, globs, and the executable's name;
#   - a descriptor opened on /dev/stderr, /dev/fd/2, /proc/self/fd/2 or
#     /proc/PID/fd/2 (open, openat, __open_2, fopen, freopen) is stderr;
#   - "\r\n" lines lose the '\r' (strip_cr: false keeps it);
#   - unmatched lines take their level from a severity word;
#   - capture files are 0600 when new and carry time, pid and tid.
# Every program runs with and without the shim: its output is the same.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

# run_both NAME ARGV0 PROGRAM [ARGS]: runs it both ways, compares output,
# decodes the events (without stamps) into $shim_tmp/NAME.shim.jsonl.
run_both() {
    local name=$1 argv0=$2
    shift 2
    run_plain "$shim_tmp/$name.plain" "$argv0" "$@"
    run_shim "$shim_tmp/$name.shim" "$argv0" "$@"
    expect_same_output "$name" "$shim_tmp/$name.plain" "$shim_tmp/$name.shim"
    decode_events "$shim_tmp/$name.shim"
}

# expect_events NAME EVENT_LINE...: the decoded events are exactly these.
expect_events() {
    local name=$1
    shift
    printf '%s\n' "$@" >"$shim_tmp/$name.expected"
    expect_file "$name" "events" "$shim_tmp/$name.expected" "$shim_tmp/$name.shim.jsonl"
}

# ---- the name is taken once: perl rewrites its argv for $0 ----
run_both perl_title perl perl -e 'print STDERR "before\n"; $0 = "myworker: idle"; print STDERR "after\n"'
expect_events perl_title "$(stderr_event perl before)" "$(stderr_event perl after)"

# ---- ident lists, globs, exe ----
dash=$(readlink -f /bin/sh)
config=$shim_tmp/names.json
cat >"$config" <<EOF
{
  "rules": [
    { "name": "ByExe", "exe": "$(basename "$dash")", "regex": "^x" },
    { "name": "ByExeGlob", "exe": ["nothing", "$(basename "$dash" | cut -c1-2)*"], "regex": "^g" },
    { "name": "ByIdentList", "ident": ["nosuch", "myshell"], "regex": "^y" },
    { "name": "ByIdentGlob", "ident": "my[s]hel?", "regex": "^z" },
    { "name": "WrongExe", "exe": "myshell", "regex": "^w" }
  ]
}
EOF
"$EHSHIM" check "$config" || fail "names config does not pass ehshim check"
ln -s "$dash" "$shim_tmp/myshell"
RUN_ENV=("EHSHIM_CONFIG=$config")
run_both names myshell "$shim_tmp/myshell" -c 'echo x1 >&2; echo g1 >&2; echo y1 >&2; echo z1 >&2; echo w1 >&2'
RUN_ENV=()
expect_events names \
    '{ "n": "ehshim:ByExe", "msg": "x1", "ident": "myshell", "meta": { "level": 4, "keyword": "0x2" } }' \
    '{ "n": "ehshim:ByExeGlob", "msg": "g1", "ident": "myshell", "meta": { "level": 4, "keyword": "0x2" } }' \
    '{ "n": "ehshim:ByIdentList", "msg": "y1", "ident": "myshell", "meta": { "level": 4, "keyword": "0x2" } }' \
    '{ "n": "ehshim:ByIdentGlob", "msg": "z1", "ident": "myshell", "meta": { "level": 4, "keyword": "0x2" } }' \
    "$(stderr_event myshell w1)"

# ---- stderr opened by name ----
run_both dev_stderr sh sh -c 'echo a >&2; echo b > /dev/stderr; echo c > /dev/fd/2; echo d > /proc/self/fd/2'
expect_events dev_stderr "$(stderr_event sh a)" "$(stderr_event sh b)" "$(stderr_event sh c)" \
    "$(stderr_event sh d)"
program=$SHIM_PROGRAMS/open_stderr
for symbol in open openat __open_2 fopen freopen; do
    nm -u "$program" | awk '{ sub(/@.*/, "", $2); print $2 }' | grep -qx -- "$symbol" ||
        fail "open_stderr does not call $symbol"
done
run_both open_stderr open_stderr "$program"
expect_status "open_stderr (without the shim)" 0 "$shim_tmp/open_stderr.plain"
expect_events open_stderr \
    "$(stderr_event open_stderr 'open /dev/stderr')" \
    "$(stderr_event open_stderr 'openat /dev/fd/2')" \
    "$(stderr_event open_stderr 'open /proc/self/fd/2')" \
    "$(stderr_event open_stderr 'open /proc/PID/fd/2')" \
    "$(stderr_event open_stderr 'fopen /dev/stderr')" \
    "$(stderr_event open_stderr 'reused number')" \
    "$(stderr_event open_stderr 'freopen stdout onto /dev/stderr')"

# ---- "\r\n" ----
run_both crlf sh sh -c 'printf "ssh says\r\n" >&2; printf "inner\rcr\n" >&2'
# (stderr_event does not escape control characters: written out here.)
expect_events crlf "$(stderr_event sh 'ssh says')" \
    '{ "n": "ehshim:Stderr", "msg": "inner\rcr", "ident": "sh", "meta": { "level": 4, "keyword": "0x2" } }'
printf '{ "strip_cr": false }\n' >"$shim_tmp/raw_cr.json"
RUN_ENV=("EHSHIM_CONFIG=$shim_tmp/raw_cr.json")
run_both crlf_raw sh sh -c 'printf "ssh says\r\n" >&2'
RUN_ENV=()
expect_events crlf_raw \
    '{ "n": "ehshim:Stderr", "msg": "ssh says\r", "ident": "sh", "meta": { "level": 4, "keyword": "0x2" } }'

# ---- levels of unmatched lines ----
run_both words sh sh -c 'echo "ERROR:root:boom" >&2; echo "2024/01/02 03:04:05 [warn] 7#7: x" >&2; echo "time=1 level=debug msg=hi" >&2; echo "Fatal: y" >&2; echo "no error here" >&2; echo "<3>prefixed WARNING" >&2'
expect_events words "$(stderr_event sh 'ERROR:root:boom' 2)" \
    "$(stderr_event sh '2024/01/02 03:04:05 [warn] 7#7: x' 3)" \
    "$(stderr_event sh 'time=1 level=debug msg=hi' 5)" \
    "$(stderr_event sh 'Fatal: y' 1)" \
    "$(stderr_event sh 'no error here' 4)" \
    "$(stderr_event sh 'prefixed WARNING' 2)"
printf '{ "default": { "level_words": false } }\n' >"$shim_tmp/no_words.json"
RUN_ENV=("EHSHIM_CONFIG=$shim_tmp/no_words.json")
run_both no_words sh sh -c 'echo "ERROR:root:boom" >&2'
RUN_ENV=()
expect_events no_words "$(stderr_event sh 'ERROR:root:boom' 4)"

# ---- capture files: private, stamped ----
out=$shim_tmp/stamp
before=$(date +%s%N)
(umask 022 && run_shim "$out" sh sh -c 'echo "$$" >&2; echo two >&2')
after=$(date +%s%N)
mode=$(stat -c %a "$out.dat")
[ "$mode" = 600 ] || fail "a new capture file has mode $mode, not 600"
"$EHSHIM" decode "$out.dat" >"$out.stamped" 2>"$out.decode-err" || fail "decode failed: $(cat "$out.decode-err")"
pid=$(head -n 1 "$out.err")
n=0
while IFS= read -r line; do
    n=$((n + 1))
    pattern='"meta": \{ "time": "([0-9-]+T[0-9:]+\.[0-9]{9})Z", "pid": ([0-9]+), "tid": ([0-9]+), "level": 4'
    if [[ ! $line =~ $pattern ]]; then
        fail "record $n has no stamp: $line"
        continue
    fi
    stamp_ns=$(date -u -d "${BASH_REMATCH[1]%.*}" +%s)${BASH_REMATCH[1]##*.}
    [ "${BASH_REMATCH[2]}" = "$pid" ] || fail "record $n: pid ${BASH_REMATCH[2]}, the program was $pid"
    [ "${BASH_REMATCH[3]}" = "$pid" ] || fail "record $n: tid ${BASH_REMATCH[3]}, the program's thread was $pid"
    { [ "$stamp_ns" -ge "$before" ] && [ "$stamp_ns" -le "$after" ]; } ||
        fail "record $n: time $stamp_ns is not within the run ($before..$after)"
done <"$out.stamped"
[ "$n" = 2 ] || fail "stamped records: $n, not 2"
chmod 0644 "$out.dat"
run_shim "$out" sh sh -c 'echo three >&2'
mode=$(stat -c %a "$out.dat")
[ "$mode" = 600 ] || fail "run_shim removes the file first; a new one has mode $mode"
: >"$shim_tmp/existing.dat"
chmod 0640 "$shim_tmp/existing.dat"
EHSHIM_CAPTURE=$shim_tmp/existing.dat LD_PRELOAD=$SHIM_PRELOAD sh -c 'echo four >&2' 2>/dev/null
mode=$(stat -c %a "$shim_tmp/existing.dat")
[ "$mode" = 640 ] || fail "an existing capture file's mode changed to $mode"
[ -s "$shim_tmp/existing.dat" ] || fail "nothing was appended to the existing capture file"

# ---- every event stamped with the process and thread that wrote it ----
# The shim keeps each thread's ids rather than asking the kernel per event:
# vfork children (on their parent's memory and TLS), nested vfork, fork
# children (also of a thread), threads, and a clone(CLONE_VM) child must
# each still stamp their own. writer_ids names the writer in every line.
# The sanitizer runtime's vfork interceptor crashes on a nested vfork
# (it keeps one return address per thread), with or without the shim.
out=$shim_tmp/writers
nested=()
[ -n "$SHIM_SANITIZER_RUNTIME" ] && nested=(no-nested)
run_plain "$out.plain" writer_ids "$SHIM_PROGRAMS/writer_ids" "${nested[@]}"
run_shim "$out.shim" writer_ids "$SHIM_PROGRAMS/writer_ids" "${nested[@]}"
expect_status "writer_ids (shim)" 0 "$out.shim"
for run in plain shim; do
    sed -E 's/ pid=[0-9]+ tid=[0-9]+$//' "$out.$run.err" | LC_ALL=C sort >"$out.$run.who"
done
expect_file writer_ids "writers of stderr lines (sorted; ids left out)" "$out.plain.who" "$out.shim.who"
"$EHSHIM" decode "$out.shim.dat" >"$out.stamped" 2>"$out.decode-err" ||
    fail "writer_ids: decode failed: $(cat "$out.decode-err")"
pattern='"msg": "([a-z ]+) pid=([0-9]+) tid=([0-9]+)".*"meta": \{ "time": "[^"]+", "pid": ([0-9]+), "tid": ([0-9]+),'
: >"$out.events-who"
while IFS= read -r line; do
    if [[ ! $line =~ $pattern ]]; then
        fail "writer_ids: an event without a writer's line or a stamp: $line"
        continue
    fi
    echo "${BASH_REMATCH[1]}" >>"$out.events-who"
    [ "${BASH_REMATCH[4]} ${BASH_REMATCH[5]}" = "${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" ] ||
        fail "writer_ids: \"${BASH_REMATCH[1]}\" written by pid ${BASH_REMATCH[2]} tid ${BASH_REMATCH[3]} is stamped pid ${BASH_REMATCH[4]} tid ${BASH_REMATCH[5]}"
done <"$out.stamped"
LC_ALL=C sort -o "$out.events-who" "$out.events-who"
expect_file writer_ids "writers of events (sorted)" "$out.plain.who" "$out.events-who"

# ... and without a system call per event to learn them: getpid and gettid
# calls (of the shim, the program makes none in "plain" mode) counted by a
# library preloaded in front of the shim, for 0 and for 200 lines: the
# events ask the kernel once in all (the thread's tid; the pid is the one
# the shim read at set-up), not twice each.
count_lib=$BUILD/tests/preload/count_ids.so
if [ -n "$SHIM_SANITIZER_RUNTIME" ]; then
    echo "note: system calls for ids not counted under a sanitizer (its runtime must come first in LD_PRELOAD)"
elif [ ! -f "$count_lib" ]; then
    fail "not built: $count_lib"
else
    count_lib=$(cd "$(dirname "$count_lib")" && pwd)/count_ids.so
    ids_asked() { # LINES: "getpid calls: N" and "gettid calls: M" of the whole run
        rm -f "$shim_tmp/ids.count" "$shim_tmp/ids.dat"
        env LD_PRELOAD="$count_lib:$SHIM_LIBRARY" EHSHIM_CAPTURE="$shim_tmp/ids.dat" \
            COUNT_IDS_OUT="$shim_tmp/ids.count" "$SHIM_PROGRAMS/writer_ids" plain "$1" 2>/dev/null
        cat "$shim_tmp/ids.count" 2>/dev/null
    }
    none=$(ids_asked 0)
    some=$(ids_asked 200)
    records=$("$EHSHIM" decode --no-stamp "$shim_tmp/ids.dat" 2>/dev/null | wc -l)
    [ "$records" = 200 ] || fail "writer_ids plain 200: $records events, not 200"
    for call in getpid gettid; do
        a=$(echo "$none" | sed -n "s/^$call calls: //p")
        b=$(echo "$some" | sed -n "s/^$call calls: //p")
        want=0
        [ $call = gettid ] && want=1
        if [ -z "$a" ] || [ -z "$b" ]; then
            fail "$call calls not counted: '$none' '$some'"
        elif [ $((b - a)) != $want ]; then
            fail "200 events made $((b - a)) more $call calls than none, not $want"
        fi
    done
fi

shim_finish

#!/usr/bin/env bash
# A program linked against the real libsystemd (tests/real/wire_journal.c,
# built here against libsystemd-dev) logs to the journal under the shim:
# sd_journal_print, a multi-line message, sd_journal_send with its own
# fields, sd_journal_sendv with binary-safe fields (newlines and NULs in
# values), a 1 MiB entry (one datagram) and a 16 MiB one, which libsystemd
# passes as a sealed memfd.
# In a private mount namespace: /run is a tmpfs where a receiver
# (wire_capture.py --journal) stands in for journald at
# /run/systemd/journal/socket and keeps every entry it gets, memfds read
# whole. Each case runs without and with the shim: the receiver must get
# the same bytes, the program print the same and exit the same, and every
# entry become exactly its event. Then with rules that type and use the
# entry's fields, with capture.journal off, and with no journal at all.
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --inside ]; then
    INSIDE=1
    shift
else
    INSIDE=0
fi
T=${1:-}
J=/run/systemd/journal

if [ "$INSIDE" = 0 ]; then
    real_need_root
    real_need_build
    real_install libsystemd-dev pkg-config gcc libc6-dev
    real_tmpdir
    # shellcheck disable=SC2046 # pkg-config's words are separate flags
    gcc -O2 -o "$REAL_TMP/wire_journal" "$REAL_DIR/wire_journal.c" \
        $(pkg-config --cflags --libs libsystemd) ||
        { echo "FAIL: wire_journal.c does not build against libsystemd"; exit 1; }
    unshare -m --propagation private -- /bin/bash "$REAL_DIR/ns_exec.sh" "$REAL_TMP/no-socket" \
        --tmpfs /run -- /bin/bash "$0" --inside "$REAL_TMP"
    exit $?
fi

grep -q '^ehshim-tmp /run tmpfs ' /proc/self/mounts || { echo "FAIL: /run is not our tmpfs"; exit 1; }
mkdir -p "$J"
PROG=$T/wire_journal

# receive DIR: a journal receiver writing what it gets to DIR. receive
# none: no socket at all.
receive() {
    if [ "$1" = none ]; then
        real_receiver_start none "$J/socket"
    else
        real_receiver_start journal "$J/socket" "$1"
    fi
}
receive_end() { real_receiver_stop; }

# The entries received, in order, each as its raw bytes and a separator.
received() {
    for f in "$1"/[0-9]*.bin; do
        [ -e "$f" ] || continue
        cat "$f"
        printf '\n--\n'
    done
}

# case NAME CONFIG EXPECTED -- ARGS...: wire_journal ARGS plainly and under
# the shim (with CONFIG, "" for none) against a receiver (NAME ending in
# "-none": no journal socket). EXPECTED is a file of the journal events
# expected, in order.
case_() {
    local name=$1 config=$2 expected=$3
    shift 4
    local d=$T/$name kind=dgram
    case "$name" in *-none) kind=none ;; esac
    mkdir -p "$d/plain" "$d/shim"
    receive "$([ $kind = none ] && echo none || echo "$d/plain")"
    timeout 20 "$PROG" "$@" >"$d/plain.out" 2>"$d/plain.err"
    echo $? >>"$d/plain.out"
    receive_end
    receive "$([ $kind = none ] && echo none || echo "$d/shim")"
    local with_config=()
    [ -n "$config" ] && with_config=(-c "$config")
    timeout 20 "$EHSHIM" run "${with_config[@]}" -o "$d/events.dat" -- "$PROG" "$@" \
        >"$d/shim.out" 2>"$d/shim.err"
    echo $? >>"$d/shim.out"
    receive_end
    cmp -s "$d/plain.out" "$d/shim.out" || real_fail "$name: stdout or exit status differ with the shim"
    cmp -s "$d/plain.err" "$d/shim.err" || real_fail "$name: stderr differs with the shim"
    if [ $kind != none ]; then
        cmp -s <(received "$d/plain") <(received "$d/shim") ||
            real_fail "$name: the journal got different bytes with the shim"
        [ "$(received "$d/plain" | head -c 1 | wc -c)" = 1 ] || real_fail "$name: the journal got nothing"
    fi
    : >"$d/events.jsonl"
    [ -e "$d/events.dat" ] && "$EHSHIM" decode --no-stamp "$d/events.dat" >"$d/events.jsonl" 2>&1
    if ! cmp -s "$expected" "$d/events.jsonl"; then
        real_fail "$name: events differ (< expected, > actual)"
        diff "$expected" "$d/events.jsonl" | cut -c1-300 | head -n 10
    fi
    echo "== $name: $(wc -l <"$d/events.jsonl") events"
}

SRC=$REAL_DIR/wire_journal.c
E=$T/expected
mkdir -p "$E"

# The defaults: every entry an event named Journal, keyword 0x4, level from
# PRIORITY (sd_journal_print's LOG_INFO is 4, LOG_WARNING 3, 3 = err is 2),
# no facility (none was sent), the program's fields typed as journald
# defines them (CODE_LINE a number) or strings; NULs and newlines kept.
cat >"$E/defaults" <<EOF
{ "n": "ehshim:Journal", "CODE_FILE": "$SRC", "CODE_LINE": 116, "CODE_FUNC": "main", "msg": "hello 1", "ident": "wire_journal", "meta": { "level": 4, "keyword": "0x4" } }
{ "n": "ehshim:Journal", "CODE_FILE": "$SRC", "CODE_LINE": 118, "CODE_FUNC": "main", "msg": "two\nlines", "ident": "wire_journal", "meta": { "level": 3, "keyword": "0x4" } }
{ "n": "ehshim:Journal", "CODE_FILE": "$SRC", "CODE_LINE": 120, "CODE_FUNC": "main", "MY_FIELD": "42", "msg": "multi\nline", "ident": "myid", "meta": { "level": 2, "keyword": "0x4" } }
{ "n": "ehshim:Journal", "BLOB": "line1\nline2\u0000after-nul\u0000\nend", "NULONLY": "a\u0000b", "CODE_FILE": "$SRC", "CODE_LINE": 63, "CODE_FUNC": "case_sendv", "msg": "binary fields", "ident": "wire_journal", "meta": { "level": 4, "keyword": "0x4" } }
EOF
case_ defaults "" "$E/defaults" -- print print-nl send sendv

# Big entries. 1 MiB goes as one datagram (root's send buffer is 16 MiB),
# gathered from libsystemd's pieces; 16 MiB is refused (EMSGSIZE) and
# libsystemd passes a sealed memfd, which the shim maps and reads (the
# receiver reads it whole). Each event keeps the message's first
# max_message_bytes (3072) bytes and says truncated.
big_msg=$("$REAL_PY" -c '
pattern = "0123456789abcdefghijklmnopqrstuvwxyz"
print(("BEGIN" + pattern * 100)[:3072])')
cat >"$E/big" <<EOF
{ "n": "ehshim:Journal", "CODE_FILE": "$SRC", "CODE_LINE": 83, "CODE_FUNC": "case_big", "msg": "$big_msg", "truncated": true, "ident": "wire_journal", "meta": { "level": 4, "keyword": "0x4" } }
EOF
case_ big "" "$E/big" -- big
case_ big16m "" "$E/big" -- big=16777216
# How each went, from the index of what the receiver got.
"$REAL_PY" - "$T/big/plain/index.json" "$T/big16m/plain/index.json" <<'PY' ||
import json, sys
one = json.load(open(sys.argv[1]))
big = json.load(open(sys.argv[2]))
assert [e["via_memfd"] for e in one] == [False] and one[0]["length"] > (1 << 20), one
assert [e["via_memfd"] for e in big] == [True] and big[0]["length"] > (16 << 20), big
PY
    real_fail "big: 1 MiB did not go as a datagram or 16 MiB not as a memfd"

# Rules: a journal rule without a matcher names the entries of one ident and
# types their fields; a regex rule on MESSAGE takes its level from a field
# (level_field reads entry fields as it reads kv members); capture.stderr off
# changes nothing here.
cat >"$T/rules.json" <<'EOF'
{ "provider": "app", "capture": { "stderr": false },
  "rules": [
    { "name": "Mine", "source": "journal", "ident": "myid",
      "fields": { "MY_FIELD": "u32", "CODE_LINE": "string" }, "keyword": "0x10" },
    { "name": "Hello", "source": "journal", "regex": "^hello (?<num>\\d+)$",
      "fields": { "num": "u8" }, "level_field": "CODE_FUNC", "level_map": { "main": 5 } } ] }
EOF
cat >"$E/rules" <<EOF
{ "n": "app:Hello", "num": 1, "CODE_FILE": "$SRC", "CODE_LINE": 116, "CODE_FUNC": "main", "msg": "hello 1", "ident": "wire_journal", "meta": { "level": 5, "keyword": "0x4" } }
{ "n": "app:Mine", "CODE_FILE": "$SRC", "CODE_LINE": "120", "CODE_FUNC": "main", "MY_FIELD": 42, "msg": "multi\nline", "ident": "myid", "meta": { "level": 2, "keyword": "0x10" } }
EOF
case_ rules "$T/rules.json" "$E/rules" -- print send

# capture.journal off: the entries reach the journal, no event.
printf '{ "capture": { "journal": false } }\n' >"$T/off.json"
: >"$E/none"
case_ off "$T/off.json" "$E/none" -- print send

# No journal at all: libsystemd's sends fail, the program sees what it sees
# without the shim, and nothing that was not sent is reported.
case_ absent-none "" "$E/none" -- print big

# A real journal client from Debian: systemd-tmpfiles (systemd 252) with
# SYSTEMD_LOG_TARGET=journal connects a datagram socket to the journal and
# sends each entry with sendmsg, with its own fields (TID, ERRNO,
# MESSAGE_ID, CONFIG_FILE, CONFIG_LINE, SYSLOG_FACILITY). Its config has
# errors on purpose (examples/systemd-tmpfiles/example.conf); the events
# are exactly the example's expected.jsonl, whose input was captured from
# this same run (under LC_ALL=C.UTF-8, as systemd writes "…" then). Only
# the thread id changes from run to run.
EX=$REAL_ROOT/examples/systemd-tmpfiles
if command -v systemd-tmpfiles >/dev/null; then
    mkdir -p /run/tmpfiles.d /run/example
    cp "$EX/example.conf" /run/tmpfiles.d/example.conf
    no_tid() { sed -E 's/"TID": [0-9]+/"TID": N/; s/^TID=[0-9]+$/TID=N/'; }
    no_tid <"$EX/expected.jsonl" >"$E/tmpfiles"
    tmpfiles() {
        rm -rf /run/example/*
        LC_ALL=C.UTF-8 SYSTEMD_LOG_TARGET=journal SYSTEMD_LOG_LEVEL=debug "$@" \
            systemd-tmpfiles --create --remove /run/tmpfiles.d/example.conf
    }
    d=$T/tmpfiles
    mkdir -p "$d/plain" "$d/shim"
    receive "$d/plain"
    tmpfiles >"$d/plain.out" 2>"$d/plain.err"
    echo $? >>"$d/plain.out"
    receive_end
    receive "$d/shim"
    tmpfiles "$EHSHIM" run -c "$EX/config.json" -o "$d/events.dat" -- >"$d/shim.out" 2>"$d/shim.err"
    echo $? >>"$d/shim.out"
    receive_end
    cmp -s "$d/plain.out" "$d/shim.out" || real_fail "tmpfiles: stdout or exit status differ with the shim"
    cmp -s "$d/plain.err" "$d/shim.err" || real_fail "tmpfiles: stderr differs with the shim"
    cmp -s <(received "$d/plain" | no_tid) <(received "$d/shim" | no_tid) ||
        real_fail "tmpfiles: the journal got different bytes with the shim"
    "$EHSHIM" decode --no-stamp "$d/events.dat" 2>&1 | no_tid >"$d/events.jsonl"
    if ! cmp -s "$E/tmpfiles" "$d/events.jsonl"; then
        real_fail "tmpfiles: events differ from examples/systemd-tmpfiles/expected.jsonl"
        diff "$E/tmpfiles" "$d/events.jsonl" | cut -c1-300 | head -n 10
    fi
    echo "== tmpfiles: $(wc -l <"$d/events.jsonl") events"
else
    real_fail "systemd-tmpfiles is missing (package systemd)"
fi

real_finish

#!/usr/bin/env bash
# `ehshim learn` on logs whose lines share a prefix (issue 15): PostgreSQL's
# stderr (examples/postgresql, with statements continued over tab-indented
# lines), Log4j 2 and Python logging output (tests/unit/learn_prefix_samples),
# and a syslog file (../shared/corpus/Linux_2k.log, when it is there). The
# config passes `ehshim check`; `ehshim parse` with it gives every non-empty
# line a learned rule's event, and the prefixed lines carry the prefix's
# fields (time, level, pid, ...) with the event level from the level word;
# the rules' templates hold the message alone. Lines without the prefix
# (the continuation lines; lines mixed into a prefixed log) get rules of
# their own without it. A prefix is chosen on the first 1000 lines and held
# for the rest. Lines with no shared prefix (loghub's message columns) get
# none: the rules start as they always did.
set -u
EHSHIM=${EHSHIM:-${BUILD:-build}/ehshim}
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
samples=tests/unit/learn_prefix_samples

# learn NAME FILE PREFIX: learns FILE, wants PREFIX named on stderr ("none":
# no prefix line), checks the config and that every non-empty line gets a
# learned rule's event (in $tmp/NAME.jsonl).
learn() {
    local name=$1 file=$2 prefix=$3
    "$EHSHIM" learn -o "$tmp/$name.json" "$file" 2>"$tmp/$name.err" ||
        fail "$name: ehshim learn failed: $(cat "$tmp/$name.err")"
    if [ "$prefix" = none ]; then
        grep -q 'prefix' "$tmp/$name.err" && fail "$name: a prefix was found: $(cat "$tmp/$name.err")"
    else
        grep -q "^ehshim learn: prefix $prefix on " "$tmp/$name.err" ||
            fail "$name: want prefix $prefix, stderr says: $(cat "$tmp/$name.err")"
    fi
    "$EHSHIM" check "$tmp/$name.json" >"$tmp/$name.check" 2>&1 ||
        fail "$name: ehshim check refuses the learned config: $(head -c 300 "$tmp/$name.check")"
    "$EHSHIM" parse -c "$tmp/$name.json" "$file" >"$tmp/$name.jsonl" || fail "$name: ehshim parse failed"
    local lines events defaults
    lines=$(grep -c . "$file")
    events=$(grep -c -v '"msg": ""' "$tmp/$name.jsonl")
    defaults=$(grep '"n": "Learned:Stderr"' "$tmp/$name.jsonl" | grep -c -v '"msg": ""')
    [ "$events" = "$lines" ] || fail "$name: $events events for $lines non-empty lines"
    [ "$defaults" = 0 ] ||
        fail "$name: $defaults lines got the default event, e.g. $(grep -m1 '"n": "Learned:Stderr"' "$tmp/$name.jsonl")"
    echo "$name: $lines lines, $(grep -c '"name"' "$tmp/$name.json") rules; $(tail -n 1 "$tmp/$name.err")"
}

# want NAME PATTERN FIELDS LEVEL: the event of the line holding PATTERN is a
# learned rule's, its first fields are FIELDS (the prefix's, in order) and
# its level is LEVEL. The message's own captures are left to test_learn.sh.
want() {
    local got
    got=$(grep -m1 -F -- "$2" "$tmp/$1.jsonl")
    case $got in
    '{ "n": "Learned:'*) ;;
    *) fail "$1: for $2, not a learned rule's event: $got"; return ;;
    esac
    local rest=${got#*\", }
    case $rest in
    "$3"*) ;;
    *) fail "$1: for $2
got  $got
want the fields $3" ;;
    esac
    case $got in
    *'"meta": { "level": '"$4"', '*) ;;
    *) fail "$1: for $2, want level $4: $got" ;;
    esac
}

# ---- PostgreSQL: time, pid, user, database, level ----
learn postgresql examples/postgresql/input.log postgresql
want postgresql 'WARNING:  there is no transaction' \
    '"time": "2026-12-02 04:28:00.832 CET", "pid": 15437, "user": "app", "database": "postgres", "level": "WARNING", "msg": ' 3
want postgresql 'database \"nodb\" does not exist' \
    '"time": "2026-12-02 04:28:00.649 CET", "pid": 15427, "user": "app", "database": "nodb", "level": "FATAL", "msg": ' 1
want postgresql 'relation \"items_gone\" does not exist' \
    '"time": "2026-12-02 04:28:01.017 CET", "pid": 15446, "user": "app", "database": "postgres", "level": "ERROR", ' 2
# A background process has no user@database: null fields; LOG is info.
want postgresql 'database system is ready' \
    '"time": "2026-12-02 04:27:59.433 CET", "pid": 15337, "user": null, "database": null, "level": "LOG", "msg": ' 4
# A statement's continuation line: a rule of its own, no prefix fields.
want postgresql 'FROM items_gone' '"msg": "\t  FROM items_gone"' 4
grep -q '"template":[[:space:]]*"there is no transaction in progress"' "$tmp/postgresql.json" ||
    fail "postgresql: the template is not the message alone"
grep -q -F '"grok":	"^(?<time>' "$tmp/postgresql.json" || fail "postgresql: no rule starts with the prefix"
# "session time: H:M:S" in the message: its first piece takes another name.
grep -m1 -F 'session time: 0:00:00.022' "$tmp/postgresql.jsonl" | grep -q -F '"time_2": 0, "v4_2": 0, "v4_3": 0.022,' ||
    fail "postgresql: the message's time is not time_2"

# ---- Log4j 2: time, level, thread, logger ----
learn log4j "$samples/log4j_colon.log" log4j
want log4j 'payment gateway slow' \
    '"time": "2026-12-03 09:29:39,586", "level": "WARN", "thread": "main", "logger": "com.example.shop.Payment", ' 3
want log4j 'ledger /var/lib/shop/orders.log is full' \
    '"time": "2026-12-03 09:29:39,587", "level": "FATAL", "thread": "main", "logger": "com.example.shop.Orders", "path": "/var/lib/shop/orders.log", "msg": ' 1

# ---- Python logging's default format, a traceback among the records ----
{
    cat "$samples/python_default.log" "$samples/python_default.log" "$samples/python_default.log"
    printf 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nZeroDivisionError: division by zero\n'
} >"$tmp/python.log"
learn python "$tmp/python.log" python
want python 'slow query took' '"level": "WARNING", "logger": "app.db", ' 3
want python 'out of disk space' '"level": "CRITICAL", "logger": "app", "path": "/var/lib/app", "msg": ' 1
want python 'ZeroDivisionError' '"msg": "ZeroDivisionError: division by zero"' 4

# ---- A syslog file (research corpus; not in the tree) ----
corpus=${EHSHIM_CORPUS:-../shared/corpus}
if [ -r "$corpus/Linux_2k.log" ]; then
    learn linux "$corpus/Linux_2k.log" syslog
    want linux 'combo sshd(pam_unix)[19939]' \
        '"time": "Jun 14 15:16:01", "host": "combo", "program": "sshd(pam_unix)", "pid": 19939, ' 4
else
    echo "no $corpus/Linux_2k.log: the syslog file case is left out"
fi

# ---- Past the sample: the prefix chosen on 1000 lines holds for 3000 ----
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "2026-12-03 10:00:%02d,%03d %s app.worker%d: job %d done in %d ms\n", i % 60, i % 1000, (i % 10 ? "INFO" : "ERROR"), i % 4, i, i % 97 }' >"$tmp/many.log"
echo 'a last line of another kind' >>"$tmp/many.log"
learn many "$tmp/many.log" time-level-logger
grep -q '^ehshim learn: prefix time-level-logger on 3000 lines' "$tmp/many.err" ||
    fail "many: not 3000 prefixed lines: $(cat "$tmp/many.err")"
want many 'job 2990 done' '"time": "2026-12-03 10:00:50,990", "level": "ERROR", "logger": "app.worker2", "job": 2990, ' 2
want many 'job 2991 done' '"time": "2026-12-03 10:00:51,991", "level": "INFO", "logger": "app.worker3", "job": 2991, ' 4
want many 'a last line' '"msg": "a last line of another kind"' 4

# ---- No shared prefix: loghub's message columns ----
cat >"$tmp/content.log" <<'EOF'
PacketResponder 1 for block blk_38865049064139660 terminating
PacketResponder 2 for block blk_-6952295868487656571 terminating
proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS
BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590. blk_-1727475099218615100
EOF
learn content "$tmp/content.log" none
grep '"grok"' "$tmp/content.json" | grep -v -q '"grok":[[:space:]]*"^\[ \\\\t\]\*' &&
    fail "content: a rule does not start as without a prefix: $(grep -m1 '"grok"' "$tmp/content.json")"
grep -q 'level_field' "$tmp/content.json" && fail "content: a rule has a level_field"
# examples/sshd: bare messages, as the shim sees syslog() text.
learn sshd examples/sshd/input.log none

echo "$failures failures"
[ $failures -eq 0 ]

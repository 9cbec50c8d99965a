#!/usr/bin/env bash
# Multi-line grouping of the real PostgreSQL 15 server's log (Debian's
# postgresql) under the shim: the server on 127.0.0.1:18433 logging to stderr
# (logging_collector=off, log_line_prefix '%m [%p] %q%u@%d ',
# log_min_duration_statement=0), config examples/postgresql/config.json with
# "multiline": {"stderr": {"detectors": ["postgresql"], "write": true, ...}}
# added (multiline/postgresql.json is made from it at run time).
#
# Traffic (psql over TCP, one session after another), each a record of
# several lines the server writes at once:
#   - a failing multi-line statement: ERROR ... at character N, then
#     STATEMENT:  with the statement's other lines tab-indented;
#   - a multi-line syntax error (the same layout);
#   - CREATE OR REPLACE FUNCTION of two PL/pgSQL functions (their
#     "duration: ... statement:" LOG lines carry the bodies, tab-indented);
#   - RAISE WARNING from a function called by another: WARNING, then CONTEXT
#     of three lines (the RAISE, the SQL statement of the PERFORM, the
#     PERFORM), then the statement's own LOG line;
#   - RAISE EXCEPTION ... USING DETAIL, HINT from the same call chain:
#     ERROR, DETAIL, HINT, CONTEXT (three lines), STATEMENT: each of those
#     with the full log_line_prefix.
# log_connections, log_disconnections and log_checkpoints are off: the log
# holds the startup and shutdown lines and what the traffic makes.
#
# Checks: the same client results and log lines (modulo times, pids,
# durations) with and without the shim; the events, normalized
# (ml_events.py normalize), equal
# tests/real/multiline/postgresql.expect.jsonl.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/multiline/ml_lib.sh"

real_need_postgresql 18433
real_tmpdir

T=$REAL_TMP
PORT=18433
EXPECT=$ML_DIR/postgresql.expect.jsonl
"$PGBIN/postgres" --version

# The server runs as postgres, who may not reach the build tree: copies of
# the tool, the library beside it and the config, in the tmp dir.
mkdir -p "$T/bin"
cp "$EHSHIM" "$BUILD/libehshim.so" "$T/bin/"
SHIM=$T/bin/$(basename "$EHSHIM")
PGCONFIG=$T/config.json
"$REAL_PY" - "$REAL_ROOT/examples/postgresql/config.json" "$PGCONFIG" <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
doc['multiline'] = {'stderr': {'detectors': ['postgresql'], 'write': True, 'hold_ms': 1000,
                               'max_lines': 500}}
json.dump(doc, open(sys.argv[2], 'w', encoding='utf-8'), indent=2)
PYEOF
ml_need_multiline "$PGCONFIG"

real_pg_initdb

cat >"$T/missing_table.sql" <<'EOF2'
SELECT o.id,
       o.total
  FROM orders_gone o
 WHERE o.id = 1;
EOF2
cat >"$T/syntax.sql" <<'EOF2'
SELECT id
  FROM items
 WHER id = 2;
EOF2
cat >"$T/functions.sql" <<'EOF2'
CREATE OR REPLACE FUNCTION check_stock(item int, qty int) RETURNS void AS $$
BEGIN
    IF qty < 0 THEN
        RAISE EXCEPTION 'stock of item % went negative: %', item, qty
            USING DETAIL = 'order 42 wanted ' || -qty || ' more than there is',
                  HINT = 'Refill the stock before taking orders.',
                  ERRCODE = 'check_violation';
    END IF;
    IF qty < 5 THEN
        RAISE WARNING 'stock of item % is low: %', item, qty;
    END IF;
END
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION take_order(item int, qty int) RETURNS void AS $$
BEGIN
    PERFORM check_stock(item, qty);
END
$$ LANGUAGE plpgsql;
SELECT take_order(9, 3);
SELECT take_order(7, -3);
EOF2

traffic() {
    local tcp=(env PGPASSWORD=secret PGCONNECT_TIMEOUT=10 psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U app -d postgres)
    real_step missing-table "${tcp[@]}" -f "$T/missing_table.sql"
    real_step syntax "${tcp[@]}" -f "$T/syntax.sql"
    real_step functions "${tcp[@]}" -f "$T/functions.sql"
    sleep 0.5
}

# run NAME plain|shim
run() {
    local name=$1 how=$2 d=$T/$1
    mkdir "$d"
    chown postgres: "$d"
    local cmd=("$PGBIN/postgres" -D "$T/data" -p "$PORT" -c listen_addresses=127.0.0.1
        -c "unix_socket_directories=$T/sock" -c logging_collector=off -c log_connections=off
        -c log_disconnections=off -c log_min_duration_statement=0 -c log_checkpoints=off
        -c "log_line_prefix=%m [%p] %q%u@%d " -c log_timezone=UTC)
    [ "$how" = shim ] && cmd=("$SHIM" run -c "$PGCONFIG" -o "$d/events.dat" -- "${cmd[@]}")
    local start=$SECONDS
    real_start "${AS_PG[@]}" "${cmd[@]}" >"$d/stdout.raw" 2>"$d/stderr.raw"
    local pid=$REAL_PID
    if real_wait_file "$d/stderr.raw" 'database system is ready to accept connections' 30; then
        traffic >"$d/clients.txt"
    fi
    real_stop "$pid" 20
    echo "exit=$?" >>"$d/clients.txt"
    sed 's/\r$//' "$d/stderr.raw" >"$d/stderr.txt"
    if [ "$how" = shim ]; then
        "$EHSHIM" decode --no-stamp "$d/events.dat" >"$d/events.jsonl" || real_fail "$name: ehshim decode failed"
        "$REAL_PY" "$ML_DIR/ml_events.py" normalize "$d/events.jsonl" "$T" >"$d/norm.jsonl"
    fi
    echo "== $name: $((SECONDS - start)) s, $(wc -l <"$d/stderr.txt") stderr lines"
}

# what may differ between two runs: times, pids, durations
normalize() {
    sed -E -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [^ ]+ \[[0-9]+\]/TIME [PID]/' \
        -e 's/duration: [0-9.]+ ms/duration: D ms/' \
        -e 's/\(PID [0-9]+\)/(PID N)/' \
        -e 's/(was shut down at) .*/\1 TIME/' "$1"
}

run plain plain
run shim shim
for f in clients.txt stderr.txt stdout.raw; do
    if ! diff <(normalize "$T/plain/$f") <(normalize "$T/shim/$f"); then
        real_fail "plain and shim runs differ in $f"
    fi
done
p=$T/plain
grep -q '^missing-table rc=3 ' "$p/clients.txt" || real_fail "the missing table did not fail"
grep -q '^syntax rc=3 ' "$p/clients.txt" || real_fail "the syntax error did not fail"
grep -q '^functions rc=3 ' "$p/clients.txt" || real_fail "take_order(7, -3) did not fail"
grep -q '^exit=0$' "$p/clients.txt" || real_fail "postgres did not end cleanly"
grep -q $'^\t  FROM orders_gone o$' "$p/stderr.txt" || real_fail "no STATEMENT continuation line"
grep -Eq '^[^ ]+ [^ ]+ [^ ]+ \[[0-9]+\] app@postgres HINT:  Refill the stock before taking orders\.$' "$p/stderr.txt" ||
    real_fail "no HINT line"
grep -q $'^\tPL/pgSQL function take_order(integer,integer) line 3 at PERFORM$' "$p/stderr.txt" ||
    real_fail "no second CONTEXT line"
echo "== check"
ml_compare shim "$EXPECT"
cat "$T/plain/clients.txt"

ml_finish

#!/usr/bin/env bash
# The real PostgreSQL 15 server (Debian's postgresql) under the shim, on
# 127.0.0.1:18432, logging to stderr (logging_collector=off).
#
# initdb (as the postgres system user) makes a private cluster under the
# test's tmp dir whose superuser "app" has a SCRAM password; pg_hba.conf lets
# the Unix socket in (trust) and app over TCP (scram-sha-256). The server runs
# four times, each time once without and once with the shim, with the two
# log_line_prefix values people use (Debian's '%m [%p] %q%u@%d ' and the
# initdb default '%m [%p] ') and four log_timezone values (UTC, Europe/Berlin,
# America/Sao_Paulo, America/New_York: zone names CET, -03, EST...).
# Traffic (psql): good queries, a syntax error, an undefined table, a
# division by zero, a wrong password, an unknown database, a WARNING over the
# socket, a multi-line statement that fails and one that succeeds (their
# continuation lines start with a tab), connections and disconnections.
#
# Checks: the same client results (output, exit codes) and the same log
# lines (modulo times, pids, ports, durations) with and without the shim;
# every line the server wrote became exactly one correct event
# (tests/real/postgresql.expect.json), and the prefix fields of every event
# hold exactly what the line says (tests/real/postgresql_check.py).
. "$(dirname "$0")/lib.sh"

real_need_postgresql 18432
real_tmpdir

T=$REAL_TMP
PORT=18432
CONFIG=$REAL_ROOT/examples/postgresql/config.json
# The config groups each report (ERROR and its STATEMENT...) into one event.
REAL_CHECK_RECORDS=1
EXPECT=$REAL_DIR/postgresql.expect.json
"$PGBIN/postgres" --version

# The server runs as the postgres user, who may not reach the build tree
# (a checkout under /root): it runs copies of the tool, the library beside
# it (where `ehshim run` looks first) and the config, from the tmp dir.
mkdir -p "$T/bin"
cp "$EHSHIM" "$BUILD/libehshim.so" "$T/bin/"
cp "$CONFIG" "$T/config.json"
SHIM=$T/bin/$(basename "$EHSHIM")
PGCONFIG=$T/config.json

real_pg_initdb
printf 'SELECT id,\n       name\n  FROM items_gone\n WHERE id = 1;\n' >"$T/multi_fail.sql"
printf 'SELECT 1 AS a,\n       2 AS b;\n' >"$T/multi_ok.sql"

# step NAME CMD...: one client; its exit code, standard output and error
step() {
    local name=$1 out rc
    shift
    out=$("$@" 2>&1 </dev/null)
    rc=$?
    printf '%s rc=%s out=%s\n' "$name" "$rc" "$(printf '%s' "$out" | tr '\n\t' '  ')"
}

traffic() {
    local tcp=(psql -X -h 127.0.0.1 -p "$PORT" -U app)
    export PGCONNECT_TIMEOUT=10
    step select env PGPASSWORD=secret "${tcp[@]}" -d postgres -c 'SELECT 1 AS one'
    step table env PGPASSWORD=secret "${tcp[@]}" -d postgres \
        -c 'CREATE TEMP TABLE items(id int, name text)' \
        -c "INSERT INTO items VALUES (1, 'a=b (c) \"q\"'), (2, 'x')" \
        -c 'SELECT * FROM items ORDER BY id'
    step syntax-error env PGPASSWORD=secret "${tcp[@]}" -d postgres -c 'SELEC 1'
    step undefined-table env PGPASSWORD=secret "${tcp[@]}" -d postgres -c 'SELECT * FROM missing_table'
    step division-by-zero env PGPASSWORD=secret "${tcp[@]}" -d postgres -c 'SELECT 1/0'
    step wrong-password env PGPASSWORD=wrong "${tcp[@]}" -d postgres -c 'SELECT 1'
    step unknown-database env PGPASSWORD=secret "${tcp[@]}" -d nodb -c 'SELECT 1'
    step socket-warning psql -X -h "$T/sock" -p "$PORT" -U app -d postgres -c 'ROLLBACK'
    step multi-line-error env PGPASSWORD=secret "${tcp[@]}" -d postgres -f "$T/multi_fail.sql"
    step multi-line-ok env PGPASSWORD=secret "${tcp[@]}" -d postgres -f "$T/multi_ok.sql"
    # the last backend's disconnection line comes after psql has gone
    sleep 0.5
}

# run NAME plain|shim PREFIX TIMEZONE
run() {
    local name=$1 how=$2 prefix=$3 tz=$4 d=$T/$1
    mkdir "$d"
    chown postgres: "$d"
    local cmd=("$PGBIN/postgres" -D "$T/data" -p "$PORT" -c listen_addresses=127.0.0.1
        -c "unix_socket_directories=$T/sock" -c logging_collector=off -c log_connections=on
        -c log_disconnections=on -c log_min_duration_statement=0 -c log_checkpoints=on
        -c "log_line_prefix=$prefix" -c "log_timezone=$tz")
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
        "$EHSHIM" decode "$d/events.dat" >"$d/events.jsonl" || real_fail "$name: ehshim decode failed"
    fi
    echo "== $name ($prefix, $tz): $((SECONDS - start)) s, $(wc -l <"$d/stderr.txt") stderr lines"
}

# What may differ between two runs: times, pids, ports, durations, the
# figures of a checkpoint. Backends log concurrently: compare sorted.
normalize() {
    sed -E -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [^ ]+ \[[0-9]+\]/TIME [PID]/' \
        -e 's/port=[0-9]+/port=N/g' \
        -e 's/session time: [0-9:.]+/session time: T/' \
        -e 's/duration: [0-9.]+ ms/duration: D ms/' \
        -e 's/\(PID [0-9]+\)/(PID N)/' \
        -e 's/(was shut down at) .*/\1 TIME/' \
        -e 's/(checkpoint complete:).*/\1 .../' "$1" | sort
}

# name prefix timezone zone-names
combos=(
    "debian-utc|%m [%p] %q%u@%d |UTC|UTC"
    "debian-berlin|%m [%p] %q%u@%d |Europe/Berlin|CET,CEST"
    "plain-saopaulo|%m [%p] |America/Sao_Paulo|-03"
    "plain-newyork|%m [%p] |America/New_York|EST,EDT"
)
for c in "${combos[@]}"; do
    IFS='|' read -r name prefix tz zones <<<"$c"
    run "$name-plain" plain "$prefix" "$tz"
    run "$name-shim" shim "$prefix" "$tz"
    p=$T/$name-plain s=$T/$name-shim
    for f in clients.txt stderr.txt stdout.raw; do
        if ! diff <(normalize "$p/$f") <(normalize "$s/$f"); then
            real_fail "$name: plain and shim runs differ in $f"
        fi
    done
    grep -q '^select rc=0 out= one  -----    1 (1 row)$' "$p/clients.txt" || real_fail "$name: SELECT 1 failed"
    grep -q '^wrong-password rc=2 .*password authentication failed for user "app"' "$p/clients.txt" ||
        real_fail "$name: the wrong password was not refused"
    grep -q '^exit=0$' "$p/clients.txt" || real_fail "$name: postgres did not end cleanly"
    grep -q $'^\t  FROM items_gone$' "$s/stderr.txt" || real_fail "$name: no continuation line in the log"
    echo "== check $name"
    real_check "$EXPECT" "$s/stderr.txt" "$s/events.jsonl" stderr
    if ! "$REAL_PY" "$REAL_DIR/postgresql_check.py" "$s/events.jsonl" "$zones" "$prefix"; then
        real_fail "$name: prefix fields"
    fi
done
cat "$T/debian-utc-shim/clients.txt"

real_finish

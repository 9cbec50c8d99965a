#!/usr/bin/env bash
# The README's commands, run as written where this machine allows it:
# - "Two commands": the shell block holds exactly `make demo` and
#   `make test`, and the Makefile provides both (make -n succeeds);
# - "Running a service under ehshim": every examples/ file its commands
#   name exists; `ehshim check` passes on the config it installs; the
#   drop-in sets LD_PRELOAD to where make install puts libehshim.so and
#   EHSHIM_CONFIG to where the README installs the config, and passes
#   systemd-analyze verify (when systemd-analyze exists); the tmpfiles rule
#   parses (systemd-tmpfiles, applied to nothing);
# - its `ehshim listen` lines run as written (sudo dropped, the config's
#   installed path mapped back to examples/systemd/myservice.json): without
#   tracefs they print the README's message and exit 1; with user_events
#   (and the right to use perf) they collect the event of a program run
#   under the library, and `ehshim decode` prints it from the -o file; the
#   perf recipe runs when perf is there too. tests/kernel proves all of
#   this on a real user_events kernel.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
cd "$(dirname "$0")/../.." || exit 1
root=$(pwd)
case $EHSHIM in /*) ;; *) EHSHIM=$root/$EHSHIM ;; esac
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
unset EHSHIM_CONFIG EHSHIM_CAPTURE EHSHIM_DEBUG MAKEFLAGS MFLAGS MAKELEVEL
export LC_ALL=C
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-readme.XXXXXX")
listener=""
cleanup() {
    [ -n "$listener" ] && kill -KILL "$listener" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
note() { echo "note: $*"; }

# md_section TITLE: the README lines under "## TITLE", up to the next "## ".
md_section() {
    awk -v heading="## $1" '$0 == heading { on = 1; next } on && /^## / { exit } on' README.md
}
# sh_lines: the commands of the ```sh blocks on stdin (indented blocks too),
# comments and surrounding blanks removed.
sh_lines() {
    awk '/^ *```sh$/ { on = 1; next } /^ *```$/ { on = 0 } on' |
        sed 's/^ *//; s/ *#.*$//; s/ *$//' | grep .
}

# ---- "Two commands"
md_section "Two commands" | sh_lines >"$tmp/two"
printf 'make demo\nmake test\n' >"$tmp/two-expected"
cmp -s "$tmp/two" "$tmp/two-expected" ||
    fail "README \"Two commands\" shows $(paste -sd'|' "$tmp/two"), expected make demo | make test"
while read -r -a words; do
    [ "${words[0]}" = make ] || continue
    make -n --no-print-directory BUILD="$BUILD" "${words[@]:1}" >"$tmp/make-n.out" 2>&1 ||
        { fail "README's '${words[*]}': make -n fails:"; tail -n 5 "$tmp/make-n.out"; }
done <"$tmp/two"
for f in tools/install-deps.sh .ci/run; do
    [ -f "$f" ] || fail "README names $f, which does not exist"
done

# ---- "Running a service under ehshim": the files
md_section "Running a service under ehshim" >"$tmp/service.md"
[ -s "$tmp/service.md" ] || { echo "FAIL: README has no section \"Running a service under ehshim\""; exit 1; }
sh_lines <"$tmp/service.md" >"$tmp/service.sh"
for f in $(grep -oE 'examples/[A-Za-z0-9_./-]+' "$tmp/service.md" | sed 's/[.]$//' | sort -u); do
    [ -e "$f" ] || fail "README names $f, which does not exist"
done
config=examples/systemd/myservice.json
dropin=examples/systemd/myservice.service.d/ehshim.conf
tmpfiles=examples/systemd/ehshim-user-events.conf
installed_config=/etc/ehshim/myservice.json
grep -qxF "sudo install -D -m 0644 $config $installed_config" "$tmp/service.sh" ||
    fail "README no longer installs $config as $installed_config; update this test"

# The reload recipe: the config asks for reloads, and a new file is
# renamed over the installed one.
grep -q '"reload": { "check_ms": 1000 }' "$config" || fail "$config no longer has \"reload\""
grep -qxF "sudo mv $installed_config.new $installed_config" "$tmp/service.sh" ||
    fail "README has no 'sudo mv $installed_config.new $installed_config' (the reload recipe)"

# `ehshim check CONFIG` as written, on the file it installs.
grep -qxF "ehshim check $installed_config" "$tmp/service.sh" || fail "README has no 'ehshim check $installed_config'"
"$EHSHIM" check "$config" || fail "ehshim check $config failed"

# The drop-in: where make install puts the library, where the README puts
# the config.
make -n --no-print-directory BUILD="$BUILD" DESTDIR=/DESTDIR PREFIX=/usr/local install >"$tmp/install-n" 2>&1
shim_path=$(grep -oE "/DESTDIR/usr/local/[^' ]*libehshim\.so" "$tmp/install-n" | head -n 1)
shim_path=${shim_path#/DESTDIR}
[ -n "$shim_path" ] || fail "make -n install shows no libehshim.so"
grep -qxF "Environment=LD_PRELOAD=$shim_path" "$dropin" ||
    fail "$dropin does not set LD_PRELOAD=$shim_path (where make install puts it)"
grep -qxF "Environment=EHSHIM_CONFIG=$installed_config" "$dropin" ||
    fail "$dropin does not set EHSHIM_CONFIG=$installed_config"
grep -qx '\[Service\]' "$dropin" || fail "$dropin has no [Service] section"
if command -v systemd-analyze >/dev/null; then
    mkdir -p "$tmp/units/myservice.service.d"
    printf '[Unit]\nDescription=ehshim test service\n\n[Service]\nExecStart=/bin/true\n' \
        >"$tmp/units/myservice.service"
    cp "$dropin" "$tmp/units/myservice.service.d/"
    # Also the commented lines, enabled: they must be valid settings too.
    sed 's/^#\([A-Z][A-Za-z]*=\)/\1/' "$dropin" >"$tmp/units/myservice.service.d/zz-all.conf"
    SYSTEMD_UNIT_PATH=$tmp/units: systemd-analyze verify "$tmp/units/myservice.service" \
        >"$tmp/verify" 2>&1 || fail "systemd-analyze verify failed on the drop-in:"
    grep -v '^$' "$tmp/verify" | grep . >/dev/null &&
        { fail "systemd-analyze verify complains about the drop-in:"; cat "$tmp/verify"; }
else
    note "systemd-analyze not installed: the drop-in was not verified"
fi
if command -v systemd-tmpfiles >/dev/null; then
    # --prefix names no real path: the rule is parsed, applied to nothing.
    systemd-tmpfiles --create --prefix=/nonexistent-ehshim-test "$root/$tmpfiles" >"$tmp/tmpfiles" 2>&1 ||
        { fail "systemd-tmpfiles rejects $tmpfiles:"; cat "$tmp/tmpfiles"; }
    [ -s "$tmp/tmpfiles" ] && { fail "systemd-tmpfiles complains about $tmpfiles:"; cat "$tmp/tmpfiles"; }
    grep -q '/sys/kernel/tracing/user_events_data' "$tmpfiles" || fail "$tmpfiles does not name user_events_data"
else
    note "systemd-tmpfiles not installed: $tmpfiles was not parsed"
fi

# ---- the listen recipes as written
grep -E '^(sudo )?ehshim (listen|decode) ' "$tmp/service.sh" >"$tmp/listen.sh"
[ "$(grep -c ' listen ' "$tmp/listen.sh")" -ge 2 ] || fail "README has fewer than two ehshim listen lines"
# as_written LINE: the words to run (sudo dropped, paths mapped) in `cmd`.
as_written() {
    local words
    read -r -a words <<<"$1"
    [ "${words[0]}" = sudo ] && words=("${words[@]:1}")
    cmd=("$EHSHIM")
    local w
    for w in "${words[@]:1}"; do
        case $w in
            "$installed_config") cmd+=("$root/$config") ;;
            myservice.dat) cmd+=("$tmp/myservice.dat") ;;
            *) cmd+=("$w") ;;
        esac
    done
}
documented="ehshim listen: tracefs is not mounted (ehshim status tells more)"
grep -qF "\`$documented\`" "$tmp/service.md" || grep -qF "$documented" <(tr '\n' ' ' <"$tmp/service.md" | sed 's/  */ /g') ||
    fail "README does not quote the message '$documented'"

tracing=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ -z "$tracing" ]; then
    # Where this machine allows it: the documented message, exit 1.
    while read -r line; do
        case $line in *" listen "*) ;; *) continue ;; esac
        as_written "$line"
        timeout 10 "${cmd[@]}" </dev/null >"$tmp/out" 2>"$tmp/err"
        rc=$?
        [ $rc -eq 1 ] || fail "'$line': exit $rc, expected 1 without tracefs; stderr: $(cat "$tmp/err")"
        [ "$(cat "$tmp/err")" = "$documented" ] || fail "'$line' said: $(cat "$tmp/err")"
        [ -s "$tmp/out" ] && fail "'$line' printed: $(cat "$tmp/out")"
    done <"$tmp/listen.sh"
    note "no tracefs here: the listen lines gave the documented message; tests/kernel runs them on user_events"
elif [ ! -e "$tracing/user_events_data" ] || [ ! -w "$tracing/user_events_data" ]; then
    # tracefs without (usable) user_events: the lines must at least be
    # accepted (no usage or config error); listen then waits for
    # tracepoints that cannot appear.
    while read -r line; do
        case $line in *" listen "*) ;; *) continue ;; esac
        as_written "$line"
        timeout -s INT 3 "${cmd[@]}" </dev/null >"$tmp/out" 2>"$tmp/err"
        rc=$?
        [ $rc -eq 2 ] && fail "'$line': exit 2 (usage or config): $(cat "$tmp/err")"
        note "'$line' on tracefs without usable user_events: exit $rc: $(head -n 2 "$tmp/err" | paste -sd' ')"
    done <"$tmp/listen.sh"
elif [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)" != -1 ]; then
    note "user_events is here, but this user may not use perf: the listen recipes were not run (they need root)"
else
    # user_events: each listen line collects the event of a program run
    # under the library (a sanitized library needs its runtime first).
    preload_base="" asan_options=${ASAN_OPTIONS:-}
    runtime=$(ldd "$(dirname "$EHSHIM")/libehshim.so" 2>/dev/null | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3; exit }')
    if [ -n "$runtime" ]; then
        preload_base=$runtime
        asan_options="${asan_options:+$asan_options:}detect_leaks=0:verify_asan_link_order=0"
    fi
    emit_request() {
        (
            [ -n "$preload_base" ] && export LD_PRELOAD=$preload_base ASAN_OPTIONS=$asan_options
            exec "$EHSHIM" run -c "$root/$config" sh -c 'echo "GET /index.html 200 3.25ms" >&2'
        ) 2>/dev/null
    }
    # start_listener ARGS...: runs them in the background until "ready:".
    start_listener() {
        "$@" </dev/null >"$tmp/out" 2>"$tmp/err" &
        listener=$!
        for _ in $(seq 100); do
            grep -q 'ehshim listen: ready:' "$tmp/err" && return 0
            kill -0 "$listener" 2>/dev/null || break
            sleep 0.1
        done
        return 1
    }
    stop_listener() {
        kill -INT "$listener" 2>/dev/null
        wait "$listener"
        rc=$?
        listener=""
    }
    want='{ "n": "MyService:Request", "method": "GET", "path": "/index.html", "status": 200, "ms": 3.25, "msg": "GET /index.html 200 3.25ms", "ident": "sh", "meta": {'
    while read -r line; do
        as_written "$line"
        case $line in
            *" decode "*)
                "${cmd[@]}" >"$tmp/decoded" 2>"$tmp/decode-err" || fail "'$line' failed: $(cat "$tmp/decode-err")"
                grep -qF "$want" "$tmp/decoded" || fail "'$line' printed: $(cat "$tmp/decoded")"
                continue ;;
        esac
        if ! start_listener "${cmd[@]}"; then
            fail "'$line' did not get ready: $(cat "$tmp/err")"
            stop_listener
            continue
        fi
        emit_request
        sleep 0.5
        stop_listener
        [ $rc -eq 0 ] || fail "'$line': exit $rc after SIGINT, expected 0: $(cat "$tmp/err")"
        case $line in
            *" -o "*) [ -s "$tmp/myservice.dat" ] || fail "'$line' wrote no records" ;;
            *) grep -qF "$want" "$tmp/out" || fail "'$line' did not print the event: $(head -n 5 "$tmp/out")" ;;
        esac
    done <"$tmp/listen.sh"

    # perf, when it is there: the README's record line, shortened.
    if command -v perf >/dev/null; then
        grep -E '^sudo perf (record|script) ' "$tmp/service.sh" >"$tmp/perf.sh"
        [ "$(wc -l <"$tmp/perf.sh")" -eq 2 ] || fail "README has no perf record and perf script lines"
        as_written "ehshim listen -c $installed_config"
        start_listener "${cmd[@]}" || fail "a listener to register the tracepoints did not start"
        record=$(sed -n 's/^sudo //p' "$tmp/perf.sh" | head -n 1 | sed "s/sleep 60/sleep 3/; s#-o myservice.perf.data#-o $tmp/myservice.perf.data#")
        script=$(sed -n 's/^sudo //p' "$tmp/perf.sh" | sed -n 2p | sed "s#-i myservice.perf.data#-i $tmp/myservice.perf.data#")
        read -r -a words <<<"$record"
        "${words[@]}" >"$tmp/perf.out" 2>&1 &
        perf_pid=$!
        sleep 1
        emit_request
        wait $perf_pid || fail "'$record' failed: $(tail -n 5 "$tmp/perf.out")"
        stop_listener
        read -r -a words <<<"$script"
        "${words[@]}" >"$tmp/perf-script.out" 2>&1 || fail "'$script' failed: $(tail -n 5 "$tmp/perf-script.out")"
        grep -q 'MyService_L4K2' "$tmp/perf-script.out" || fail "perf script shows no MyService_L4K2 event"
    else
        note "perf not installed: the perf recipe was not run"
    fi
fi

[ $failures -eq 0 ] && echo PASS
[ $failures -eq 0 ]

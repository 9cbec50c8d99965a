#!/usr/bin/env bash
# The real Debian cron under the shim, with private crontabs, each in a mount
# namespace of its own: /etc/crontab, /etc/cron.d and /var/spool/cron/crontabs
# are private files bound over the real ones (which are neither read nor
# changed), /run is a tmpfs (cron's pid file), /dev/log the test's receiver.
#
# Jobs every minute: one that succeeds, one that fails (/bin/false), one that
# writes output (no MTA: cron discards it), and root's own crontab with a job
# that exits 3. `cron -f -L 15` logs starts, ends, failures and job pids.
# A plain cron and one under the shim run side by side for the same minute
# boundary (so the test takes one minute, not two): their messages must be
# the same (modulo pids), and every message the shimmed cron sent must have
# become exactly one correct event (tests/real/cron.expect.json).
. "$(dirname "$0")/lib.sh"

real_need_root
real_need_build
real_install cron
real_tmpdir

T=$REAL_TMP
CONFIG=$REAL_ROOT/examples/cron/config.json
EXPECT=$REAL_DIR/cron.expect.json
for f in /etc/crontab /etc/cron.d /var/spool/cron/crontabs; do
    [ -e "$f" ] || real_skip "$f missing (cron installed without it?)"
done
getent group crontab >/dev/null || real_skip "no crontab group"

# prepare NAME: the private crontabs of one cron
prepare() {
    local d=$T/$1
    mkdir -p "$d/cron.d" "$d/crontabs"
    cat >"$d/crontab" <<'EOF'
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
* * * * * root echo ok-job >/dev/null
* * * * * root /bin/false
EOF
    cat >"$d/cron.d/ehshim-test" <<'EOF'
* * * * * root echo output-from-job
EOF
    cat >"$d/crontabs/root" <<'EOF'
* * * * * exit 3
EOF
    chmod 644 "$d/crontab" "$d/cron.d/ehshim-test"
    chmod 600 "$d/crontabs/root"
    chgrp crontab "$d/crontabs"
    chmod 1730 "$d/crontabs"
}

# start NAME [SHIM...]: one cron with its own /dev/log receiver; sets
# pid_NAME and devlog_NAME
start() {
    local name=$1 d=$T/$1
    shift
    REAL_DEVLOG=$d/devlog.txt
    REAL_DEVLOG_SOCK=$d/devlog.sock
    real_devlog_start
    eval "devlog_$name=$REAL_DEVLOG_PID"
    real_start real_in_ns --bind "$d/crontab" /etc/crontab --bind "$d/cron.d" /etc/cron.d \
        --bind "$d/crontabs" /var/spool/cron/crontabs --tmpfs /run -- \
        "$@" cron -f -L 15 >"$d/stdout.raw" 2>"$d/stderr.raw"
    eval "pid_$name=$REAL_PID"
}

# jobs_done NAME: all four jobs have ended and their PAM sessions closed
jobs_done() {
    local f=$T/$1/devlog.txt
    [ "$(grep -c ') END (' "$f")" -ge 4 ] && [ "$(grep -c 'session closed for user root' "$f")" -ge 4 ]
}

prepare plain
prepare shim

# cron must be up before the minute boundary it is to run the jobs at
sec=$((10#$(date +%S)))
if [ "$sec" -gt 50 ]; then
    sleep $((61 - sec))
fi
start_time=$SECONDS
start plain
start shim "$EHSHIM" run -c "$CONFIG" -o "$T/shim/events.dat" --
echo "crons started at $(date +%T), jobs run at the next minute"

for _ in $(seq 800); do
    jobs_done plain && jobs_done shim && break
    sleep 0.1
done
# messages of the last job may still be on their way
sleep 1
# shellcheck disable=SC2154
real_stop "$pid_plain" 10
echo "cron exit=$?" >"$T/plain/exit.txt"
# shellcheck disable=SC2154
real_stop "$pid_shim" 10
echo "cron exit=$?" >"$T/shim/exit.txt"
# shellcheck disable=SC2154
real_devlog_stop "$devlog_plain"
# shellcheck disable=SC2154
real_devlog_stop "$devlog_shim"
echo "== both crons ran for $((SECONDS - start_time)) s"

for r in plain shim; do
    real_devlog_messages "$T/$r/devlog.txt" >"$T/$r/syslog.txt"
    sed 's/\r$//' "$T/$r/stderr.raw" >"$T/$r/stderr.txt"
    echo "== $r: $(wc -l <"$T/$r/syslog.txt") syslog messages, $(wc -l <"$T/$r/stderr.txt") stderr lines"
    jobs_done "$r" || real_fail "$r: the jobs did not all end within the minute"
done
"$EHSHIM" decode "$T/shim/events.dat" >"$T/shim/events.jsonl" || real_fail "ehshim decode failed"

# pids vary; the jobs run in parallel, so their messages interleave
normalize() {
    sed -E 's/\[[0-9]+\]/[PID]/g; s/#[0-9]+/#PID/g' "$1" | sort
}
for f in syslog.txt stderr.raw stdout.raw exit.txt; do
    if ! diff <(normalize "$T/plain/$f") <(normalize "$T/shim/$f"); then
        real_fail "plain and shim crons differ in $f"
    fi
done
for want in 'CMD \(\[[0-9]+\] echo ok-job' 'error \(grandchild #[0-9]+ failed with exit status 1\)' \
    'error \(grandchild #[0-9]+ failed with exit status 3\)' 'No MTA installed, discarding output'; do
    grep -Eq "$want" "$T/plain/syslog.txt" || real_fail "plain cron: no message matching /$want/"
done

echo "== check syslog"
real_check "$EXPECT" "$T/shim/syslog.txt" "$T/shim/events.jsonl" syslog "$T/shim/devlog.txt"
echo "== check stderr"
real_check "$EXPECT" "$T/shim/stderr.txt" "$T/shim/events.jsonl" stderr

real_finish

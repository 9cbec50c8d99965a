#!/usr/bin/env bash
# No message text ever reaches a format string. sec_format passes texts
# full of printf directives ("%s%n%x", runs of %n, huge widths, positional
# arguments, %m) through fputs, fwrite, write, fprintf/dprintf("%s"),
# perror and psignal (whose argument is text, not a format), warnx/error
# ("%s"), syslog("%s"), and as the openlog ident; its argv[0] is full of
# directives too (it becomes the ident and the warnx/error prefix). If the
# shim formatted any of it, %n would write through garbage and the program
# would crash, or the events would show formatted text. Checked: output and
# exit status identical to a run without the shim, and every event carries
# the literal text.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

name='%s%n%x%n'
out=$shim_tmp/format
run_plain "$out.plain" "$name" "$SHIM_PROGRAMS/sec_format"
run_shim "$out.shim" "$name" "$SHIM_PROGRAMS/sec_format"
expect_status "sec_format (without the shim)" 0 "$out.plain"
expect_same_output "sec_format" "$out.plain" "$out.shim"
decode_events "$out.shim"

texts=('%s%n%x' '%n%n%n%n%n%n%n%n' '%999999999s|%-99999d' '%1$s %2$n %3$p' '%.*s%*d %ls %lc'
    '%m and %%m')
{
    for t in "${texts[@]}"; do
        for how in fputs fwrite write fprintf dprintf; do
            stderr_event "$name" "$t ($how)"
        done
        stderr_event "$name" "$t: Permission denied"
        stderr_event "$name" "$t: Terminated"
        stderr_event "$name" "$name: $t (warnx)"
        stderr_event "$name" "$name: $t (error)"
        syslog_event "$name" 1 2 "$t (syslog)"
    done
    syslog_event '%s%n%x ident' 3 4 "after openlog"
} >"$out.expected"
expect_file sec_format events "$out.expected" "$out.shim.jsonl"

# The same under EHSHIM_DEBUG=1 with a config of rules, whose diagnostics
# and counters are formatted by the shim: still no crash, same stdout.
config=$shim_tmp/rules.json
printf '{ "provider": "Fmt", "rules": [ { "name": "Pct", "regex": "^(?<a>%%\\\\S+)" } ] }\n' >"$config"
RUN_ENV=("EHSHIM_CONFIG=$config" EHSHIM_DEBUG=1)
run_shim "$out.debug" "$name" "$SHIM_PROGRAMS/sec_format"
RUN_ENV=()
expect_status "sec_format, rules, EHSHIM_DEBUG=1" 0 "$out.debug"
expect_file "sec_format, rules, EHSHIM_DEBUG=1" stdout "$out.plain.out" "$out.debug.out"
decode_events "$out.debug"
# Every message but "after openlog" starts with a directive: 6 texts x 10.
pct=$(grep -c '^{ "n": "Fmt:Pct", "a": "%' "$out.debug.jsonl")
[ "$pct" -eq 60 ] || fail "rules: $pct Pct events with a literal %-capture, expected 60"

shim_finish

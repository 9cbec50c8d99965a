#!/usr/bin/env bash
# One program per interposed libc entry point (tests/shim/call_*.c), each
# run with and without the shim under the default config:
#   - the program really calls the entry point it is named after (nm), so a
#     compiler that rewrote the call cannot make the test vacuous;
#   - stdout, stderr and exit status are byte-identical with the shim;
#   - the capture file decodes to exactly the expected events.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

# check NAME SYMBOL STATUS [EVENT_LINE ...]: runs $SHIM_PROGRAMS/NAME with
# argv[0] NAME; it must reference SYMBOL, exit with STATUS, and produce
# exactly the given events in this order.
check() {
    local name=$1 symbol=$2 status=$3
    shift 3
    local program=$SHIM_PROGRAMS/$name out=$shim_tmp/$name
    checked+=" $name "
    if [ ! -x "$program" ]; then
        fail "$name: $program not built"
        return
    fi
    if ! nm -u "$program" | awk '{ sub(/@.*/, "", $2); print $2 }' | grep -qx -- "$symbol"; then
        fail "$name: does not call $symbol (nm -u: $(nm -u "$program" | awk '{ print $2 }' | paste -sd' '))"
    fi
    run_plain "$out.plain" "$name" "$program"
    run_shim "$out.shim" "$name" "$program"
    expect_status "$name (without the shim)" "$status" "$out.plain"
    expect_same_output "$name" "$out.plain" "$out.shim"
    decode_events "$out.shim"
    : >"$out.expected"
    local event
    for event in "$@"; do printf '%s\n' "$event" >>"$out.expected"; done
    expect_file "$name" "events" "$out.expected" "$out.shim.jsonl"
}

checked=""
E() { stderr_event "$@"; }
S() { syslog_event "$@"; }
ENOENT_TEXT="No such file or directory"
EACCES_TEXT="Permission denied"
EINVAL_TEXT="Invalid argument"

# Raw descriptor writes.
check call_write write 0 "$(E call_write 'write works')"
check call_writev writev 0 "$(E call_writev 'writev works')"
check call_multiline write 0 \
    "$(E call_multiline 'first of two')" \
    "$(E call_multiline 'second of two')" \
    "$(E call_multiline 'assembled from three writes')"
# A <N> prefix sets the level (syslog priority N) and is stripped.
check call_level_prefix fputs 0 \
    "$(E call_level_prefix 'prefix err works' 2)" \
    "$(E call_level_prefix 'prefix info works' 4)"

# stdio.
check call_fwrite fwrite 0 "$(E call_fwrite 'fwrite works')"
check call_fputs fputs 0 "$(E call_fputs 'fputs works')"
check call_fputc fputc 0 "$(E call_fputc 'fputc works')"
check call_putc putc 0 "$(E call_putc 'putc works')"
check call_fprintf fprintf 0 "$(E call_fprintf 'fprintf works 42')"
check call_vfprintf vfprintf 0 "$(E call_vfprintf 'vfprintf works 42')"
check call___fprintf_chk __fprintf_chk 0 "$(E call___fprintf_chk '__fprintf_chk works 42')"
check call___vfprintf_chk __vfprintf_chk 0 "$(E call___vfprintf_chk '__vfprintf_chk works 42')"
check call_dprintf dprintf 0 "$(E call_dprintf 'dprintf works 42')"
check call___dprintf_chk __dprintf_chk 0 "$(E call___dprintf_chk '__dprintf_chk works 42')"
check call_vdprintf vdprintf 0 "$(E call_vdprintf 'vdprintf works 42')"
check call___vdprintf_chk __vdprintf_chk 0 "$(E call___vdprintf_chk '__vdprintf_chk works 42')"
check call_fwrite_unlocked fwrite_unlocked 0 "$(E call_fwrite_unlocked 'fwrite_unlocked works')"
check call_fputs_unlocked fputs_unlocked 0 "$(E call_fputs_unlocked 'fputs_unlocked works')"
check call_fputc_unlocked fputc_unlocked 0 "$(E call_fputc_unlocked 'fputc_unlocked works')"
check call_putc_unlocked putc_unlocked 0 "$(E call_putc_unlocked 'putc_unlocked works')"
# putc_unlocked as -O2 inlines it: only __overflow is called.
check call_putc_unlocked_inline __overflow 0 \
    "$(E call_putc_unlocked_inline 'putc_unlocked inline works')"

# Wide-character stdio on stderr.
check call_fwprintf fwprintf 0 "$(E call_fwprintf 'fwprintf works 42')"
check call_fprintf_wide fprintf 0 "$(E call_fprintf_wide 'wide first 1')"

# Error reporters; err and friends exit with the status they are given.
check call_perror perror 0 "$(E call_perror "perror works: $ENOENT_TEXT")"
check call_psignal psignal 0 "$(E call_psignal 'psignal works: Interrupt')"
check call_psiginfo psiginfo 0 \
    "$(E call_psiginfo 'psiginfo works: Terminated (Signal sent by kill() 4242 1000)')"
check call_err err 3 "$(E call_err "call_err: err works 42: $ENOENT_TEXT")"
check call_errx errx 4 "$(E call_errx 'call_errx: errx works 42')"
check call_verr verr 5 "$(E call_verr "call_verr: verr works 42: $EACCES_TEXT")"
check call_verrx verrx 6 "$(E call_verrx 'call_verrx: verrx works 42')"
check call_warn warn 0 "$(E call_warn "call_warn: warn works 42: $EACCES_TEXT")"
check call_warnx warnx 0 "$(E call_warnx 'call_warnx: warnx works 42')"
check call_vwarn vwarn 0 "$(E call_vwarn "call_vwarn: vwarn works 42: $ENOENT_TEXT")"
check call_vwarnx vwarnx 0 "$(E call_vwarnx 'call_vwarnx: vwarnx works 42')"
check call_error error 0 "$(E call_error "call_error: error works 42: $ENOENT_TEXT")"
check call_error_exit error 7 "$(E call_error_exit "call_error_exit: error exits 42: $EINVAL_TEXT")"
check call_error_at_line error_at_line 0 \
    "$(E call_error_at_line "call_error_at_line:input.conf:12: error_at_line works 42: $EINVAL_TEXT")"

# syslog: facility LOG_USER is 1, LOG_AUTH 4, LOG_LOCAL3 19; levels
# EMERG/ALERT/CRIT 1, ERR 2, WARNING 3, NOTICE/INFO 4, DEBUG 5.
check call_syslog syslog 0 "$(S call_syslog 1 3 'syslog works 42')"
check call_vsyslog vsyslog 0 "$(S call_vsyslog 1 2 'vsyslog works 42')"
check call___syslog_chk __syslog_chk 0 "$(S call___syslog_chk 1 4 '__syslog_chk works 42')"
check call___vsyslog_chk __vsyslog_chk 0 "$(S call___vsyslog_chk 1 5 '__vsyslog_chk works 42')"
check call_openlog openlog 0 "$(S custom-ident 4 2 'openlog works 42')"
check call_syslog_facility openlog 0 "$(S facility-ident 19 1 'facility works 42')"
check call_setlogmask setlogmask 0 "$(S call_setlogmask 1 2 'setlogmask works 42')"
check call_syslog_errno __syslog_chk 0 \
    "$(S call_syslog_errno 1 2 "open of /etc/missing.conf failed: $ENOENT_TEXT")"
# One syslog call is one message, newline included (JSON-escaped as \n).
check call_syslog_multiline __syslog_chk 0 \
    '{ "n": "ehshim:Syslog", "msg": "first line\nsecond line", "ident": "call_syslog_multiline", "facility": 1, "meta": { "level": 2, "keyword": "0x1" } }'
# The LOG_PERROR copy on stderr is the same message: one event.
check call_syslog_perror openlog 0 "$(S perror-ident 1 4 'log_perror works 42')"

# Before the shim's constructor: the executable's .preinit_array runs
# before any library's constructor (and before libc has set environ).
check call_preinit __fprintf_chk 0 \
    "$(E call_preinit 'from preinit_array 1')" \
    "$(E call_preinit 'from main 2')"

# What a program sends to the syslog socket itself (a private /dev/log the
# program reads back: its output, compared above, shows the bytes and the
# results of the sends). Each needs root for its mount namespace.
if [ "$(id -u)" = 0 ]; then
    check call_send send 0 "$(S sendtag 1 4 'send works')"
    check call_sendto sendto 0 "$(S pyapp 1 4 'sendto works')" "$(S pyapp 1 1 'sendto again')"
    check call_sendmsg sendmsg 0 "$(S msgapp 20 4 'sendmsg works')"
    check call_connect connect 0 "$(S call_connect 1 4 'connect write works')" \
        "$(S vtag 1 2 'writev works')"
    check call_send_stream send 0 "$(S st 1 4 one)" "$(S st 1 4 two)" "$(S st 1 4 three)" \
        "$(S st 1 4 four)" "$(S st 1 2 five)" "$(S st 1 3 'six, unfinished at close')"
    # Failed sends (EPIPE, SIGPIPE in a child, ECONNREFUSED, ENOENT) to the
    # syslog and journal sockets: the same results, and no event; then a
    # journal entry that arrives, and one in an unsealed file passed with
    # SCM_RIGHTS.
    check call_send_failures sendmsg 0 \
        '{ "n": "ehshim:Journal", "MY_FIELD": "1", "msg": "received", "ident": "call_send_failures", "meta": { "level": 2, "keyword": "0x4" } }' \
        '{ "n": "ehshim:Journal", "msg": "passed in a file", "ident": "filed", "meta": { "level": 4, "keyword": "0x4" } }'
else
    shim_skipped="call_send, call_sendto, call_sendmsg, call_connect, call_send_stream, call_send_failures need root (a mount namespace of their own)"
    checked+=" call_send call_sendto call_sendmsg call_connect call_send_stream call_send_failures "
fi

# Copies of fd 2 are stderr too.
check call_dup dup 0 "$(E call_dup 'dup works')"
check call_dup2 dup2 0 "$(E call_dup2 'dup2 works')"
check call_dup3 dup3 0 "$(E call_dup3 'dup3 works')"
check call_fcntl_dupfd fcntl 0 "$(E call_fcntl_dupfd 'fcntl F_DUPFD works')"
check call_fcntl_dupfd_cloexec fcntl 0 \
    "$(E call_fcntl_dupfd_cloexec 'fcntl F_DUPFD_CLOEXEC works')"
check call_fdopen_dup fdopen 0 "$(E call_fdopen_dup 'fdopen dup works 42')"
check call_dup2_stdout dup2 0 "$(E call_dup2_stdout 'dup2 onto stdout works')"
check call_dup2_stdout_stdio __printf_chk 0 \
    "$(E call_dup2_stdout_stdio 'printf onto stderr 42')" \
    "$(E call_dup2_stdout_stdio 'puts onto stderr')" \
    "$(E call_dup2_stdout_stdio 'putchar onto stderr')"
# Closing every descriptor above 2 leaves the shim working (and the
# loop's count on stdout, compared above, unchanged).
check call_closefrom closefrom 0 \
    "$(E call_closefrom 'after the close loop')" \
    "$(E call_closefrom 'after closefrom')" \
    "$(E call_closefrom 'after close_range')"

# Every call_* program needs an expectation here (call_stdout_only is run
# with 2>&1 by test_shim_passthrough.sh).
for program in "$SHIM_PROGRAMS"/call_*; do
    name=$(basename "$program")
    case "$checked" in *" $name "*) continue ;; esac
    [ "$name" = call_stdout_only ] && continue
    fail "$name: no expected events in $(basename "$0")"
done

shim_finish

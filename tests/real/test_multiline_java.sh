#!/usr/bin/env bash
# Multi-line grouping of real Java stack traces (Debian 12's OpenJDK 17)
# under the shim, config examples/java/config.json ("multiline":
# {"stderr": {"detectors": ["java"], ...}}).
#
# tests/real/multiline/Thrower.java prints, with ordinary lines between:
# printStackTrace() of an exception with two causes ("Caused by:", "... N
# more") and a suppressed exception (tab-indented "Suppressed:" block), an
# uncaught exception in the thread "worker" (Exception in thread "worker"
# ..., with a cause), and an uncaught exception in main (exit status 1).
# PrintStream writes every line with its own write(2).
#
# It runs as a single-file source program (java Thrower.java: JEP 330, needs
# only the runtime's jdk.compiler module, which Debian's
# openjdk-17-jre-headless carries), and, when javac is there
# (openjdk-17-jdk-headless, not installed by this test), compiled: the
# traces differ (the launcher's reflection frames, the "... N more" counts).
# Each runs once without and once with the shim: the same output; the
# events, normalized (ml_events.py normalize), must equal
# tests/real/multiline/java_source.expect.jsonl / java_javac.expect.jsonl.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/multiline/ml_lib.sh"

real_need_root
real_need_build
CONFIG=$REAL_ROOT/examples/java/config.json
# before any install: no Java is installed for a build that cannot use it
ml_need_multiline "$CONFIG"
real_install default-jre-headless
command -v java >/dev/null || real_skip "java missing after installing default-jre-headless"
java --list-modules 2>/dev/null | grep -q '^jdk\.compiler@' ||
    real_skip "this Java runtime has no jdk.compiler module: java Thrower.java cannot run"
real_tmpdir
T=$REAL_TMP
ML_WORK=$T/app
mkdir -p "$ML_WORK"
cp "$ML_DIR/Thrower.java" "$ML_WORK/"
java -version 2>&1 | head -n 2

check_run() {
    local name=$1
    ml_same_stderr "$name-plain" "$name-shim"
    local p=$T/$name-plain
    [ "$(tail -n 1 "$p/stdout.txt")" = "exit=1" ] || real_fail "$name: not exit status 1"
    grep -q $'^\tSuppressed: java.lang.IllegalStateException: ledger orders not flushed on close$' "$p/stderr.txt" ||
        real_fail "$name: no Suppressed: line"
    grep -q '^Exception in thread "worker" java.lang.IllegalArgumentException: bad address db.internal:54x2$' \
        "$p/stderr.txt" || real_fail "$name: no uncaught exception in the worker thread"
    [ "$(grep -c $'^\t*\\.\\.\\. [0-9]* more$' "$p/stderr.txt")" = 4 ] || real_fail "$name: not 4 '... N more' lines"
    echo "== check $name"
    ml_compare "$name-shim" "$ML_DIR/java_$name.expect.jsonl"
}

ml_run source-plain plain "$CONFIG" java Thrower.java
ml_run source-shim shim "$CONFIG" java Thrower.java
check_run source

if command -v javac >/dev/null; then
    if (cd "$ML_WORK" && javac -d classes Thrower.java); then
        ml_run javac-plain plain "$CONFIG" java -cp classes Thrower
        ml_run javac-shim shim "$CONFIG" java -cp classes Thrower
        check_run javac
    else
        real_fail "javac Thrower.java failed"
    fi
else
    echo "javac missing (openjdk-17-jdk-headless): the compiled program is not run"
fi

ml_finish

#!/usr/bin/env bash
# The config file changes under a running program: deleted, replaced by
# rename with another valid config, overwritten in place with invalid JSON,
# truncated to nothing. The shim read it once at start-up and keeps using
# what it read: the program's stdout, stderr and exit status are those of a
# run without the shim, and the events of the lines logged after the change
# are exactly those of a run where the config stayed put.
set -u
. "$(dirname "$0")/shim_lib.sh"
shim_require

lines=50
write_config() {
    cat >"$1" <<'JSON'
{
  "provider": "FaultCfg",
  "rules": [
    { "name": "Phase", "source": "stderr",
      "regex": "^phase (?<phase>\\d) line (?<line>\\d+): ",
      "fields": { "phase": "u8", "line": "u32" }, "level": "warning" }
  ]
}
JSON
}
other=$shim_tmp/other.json
printf '{ "provider": "Other", "rules": [ { "name": "Drop", "regex": ".", "drop": true } ] }\n' >"$other"

plain=$shim_tmp/plain
touch "$plain.go"
run_plain "$plain" fault_handshake "$SHIM_PROGRAMS/fault_handshake" "$plain.ready" "$plain.go" "$lines"
expect_status "without the shim" 0 "$plain"

# change_case LABEL: runs the program under the shim, does LABEL's change
# to the config while the program waits between its two phases.
change_case() {
    local label=$1
    local out=$shim_tmp/$label config=$shim_tmp/$label.json
    write_config "$config"
    RUN_ENV=("EHSHIM_CONFIG=$config")
    RUN_TIMEOUT=30
    run_shim "$out" fault_handshake "$SHIM_PROGRAMS/fault_handshake" "$out.ready" "$out.go" "$lines" &
    local pid=$! n=0
    while [ ! -e "$out.ready" ] && [ $n -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.1
        n=$((n + 1))
    done
    [ -e "$out.ready" ] || fail "$label: the program never finished phase 1"
    case $label in
        unchanged) ;;
        deleted) rm -f "$config" ;;
        renamed-over) cp "$other" "$config.new" && mv "$config.new" "$config" ;;
        invalid) printf '{ "provider": "Broken", "rules": [ \n' >"$config" ;;
        emptied) : >"$config" ;;
    esac
    touch "$out.go"
    wait "$pid"
    RUN_ENV=()
    RUN_TIMEOUT=""
    expect_same_output "config $label" "$plain" "$out"
    decode_events "$out"
}

change_case unchanged
reference=$shim_tmp/unchanged.jsonl
head -n 1 "$reference"
tail -n 2 "$reference"
count=$(grep -c '"n": "FaultCfg:Phase", "phase": 2' "$reference")
[ "$count" -eq "$lines" ] || fail "unchanged config: $count phase 2 events, expected $lines"
grep -q '"n": "FaultCfg:Syslog", "msg": "phase 2 syslog"' "$reference" ||
    fail "unchanged config: no syslog event"
for label in deleted renamed-over invalid emptied; do
    change_case "$label"
    expect_file "config $label" "events (against an unchanged config)" "$reference" \
        "$shim_tmp/$label.jsonl"
done

shim_finish

#!/usr/bin/env bash
# `ehshim decode` on capture files from an untrusted source. Each hostile
# file must give exit status 1, one clear message per bad record on stderr
# ("ehshim: FILE: record N at offset X: what is wrong"), no crash, bounded
# memory (peak RSS measured with /usr/bin/time), and - in the ASan build,
# which runs this script too - no read outside the file's bytes. A bad
# event inside a well-framed record costs that record only: the good record
# after it still prints. The files:
#   size words 0..5 (smaller than any record), 0xFFFFFFFF, a size word cut
#   short; a tracepoint name without its NUL, an empty name (each in a
#   record whose size word is intact: the good record after it prints);
#   events whose metadata extension claims 64 KiB it does not have; 16,000
#   nested structs; 20,000 fields; a 65,535-element array of 16-byte values (1 MiB of payload)
#   and a constant-length array claiming 65,535 elements with none present;
#   a string claiming 65,535 bytes;
#   a 1 GiB sparse file (all zeros: its first size word is 0) and a 4 GiB
#   one whose first record claims 4 GiB (records are read one at a time:
#   neither file is read whole); a 20 MiB file whose first record claims
#   16 MiB + 1 byte, more than the documented record limit.
# A struct claiming 127 members that are not there is no error (the
# reference formatter prints the members there are): it prints, exit 0.
set -u
BUILD=${BUILD:-build}
EHSHIM=${EHSHIM:-$BUILD/ehshim}
[ -x "$EHSHIM" ] || { echo "FAIL: $EHSHIM is not built"; exit 1; }
EHSHIM=$(cd "$(dirname "$EHSHIM")" && pwd)/$(basename "$EHSHIM")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehshim-dat.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
export LC_ALL=C

# Peak RSS limit for one decode, KiB; the sanitizers' shadow memory and
# quarantine need more room.
rss_limit=$((64 * 1024))
asan=0
if ldd "$EHSHIM" 2>/dev/null | grep -q 'libasan'; then
    asan=1
    rss_limit=$((128 * 1024))
fi
timer=""
[ -x /usr/bin/time ] && timer=/usr/bin/time

# ---- bytes ------------------------------------------------------------------
le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $((($1 >> 8) & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $((($1 >> 16) & 65535)); }
# record NAME EVENT_FILE: one capture record around the event's bytes.
record() {
    local size=$((4 + ${#1} + 1 + $(stat -c %s "$2")))
    le32 "$size"
    printf '%s\0' "$1"
    cat "$2"
}
# event META_FILE DATA_FILE: eventheader (level 4, one extension), the
# metadata extension of META_FILE's size and bytes, then DATA_FILE.
event() {
    printf '\x07\x00\x00\x00\x00\x00\x00\x04'
    le16 "$(stat -c %s "$1")"
    le16 1
    cat "$1" "$2"
}
# A well-formed record that must still print after a bad one.
good_record() {
    printf 'Good\0v\0\x02' >"$tmp/good.meta"
    printf '\x2a' >"$tmp/good.data"
    event "$tmp/good.meta" "$tmp/good.data" >"$tmp/good.event"
    record Good_L4K1 "$tmp/good.event"
}
good_line='{ "n": "Good:Good", "v": 42, "meta": { "level": 4, "keyword": "0x1" } }'

# ---- the files --------------------------------------------------------------
cd "$tmp" || exit 1
for n in 0 1 2 3 4 5; do
    { le32 "$n"; printf 'abcdefgh'; } >"size$n.dat"
done
{ le32 4294967295; printf 'Name\0abc'; } >size_max.dat
printf '\x10\x00' >size_cut.dat
# Names gone wrong inside records whose size words are intact: the good
# record after each still prints.
{ le32 20; printf 'NameWithoutItsNu'; good_record; } >name_no_nul.dat
{ le32 10; printf '\0abcde'; good_record; } >name_empty.dat

# Metadata extension claiming 65,535 bytes with 8 present; then a good record.
printf '\x07\x00\x00\x00\x00\x00\x00\x04\xff\xff\x01\x00Ev\0v\0\x02\x2a' >meta64k.event
{ record Bad_L4K1 meta64k.event; good_record; } >meta64k.dat

# 16,000 nested structs of one member each, a byte at the bottom.
{
    printf 'Deep\0'
    for ((i = 0; i < 16000; i++)); do printf 's\0\x81\x01'; done
    printf 'v\0\x02'
} >deep.meta
printf '\x01' >deep.data
event deep.meta deep.data >deep.event
{ record Deep_L4K1 deep.event; good_record; } >deep.dat

# 20,000 one-byte fields.
{ printf 'Wide\0'; for ((i = 0; i < 20000; i++)); do printf 'f\0\x02'; done; } >wide.meta
head -c 20000 /dev/zero >wide.data
event wide.meta wide.data >wide.event
{ record Wide_L4K1 wide.event; good_record; } >wide.dat

# A struct claiming 127 members, none there.
printf 'Hollow\0s\0\x81\x7f' >hollow.meta
: >hollow.data
event hollow.meta hollow.data >hollow.event
{ record Hollow_L4K1 hollow.event; good_record; } >hollow.dat

# VALUE128 variable-length array of 65,535 elements: 1 MiB of payload.
printf 'Array\0a\0\x46' >array.meta
{ le16 65535; head -c $((65535 * 16)) /dev/zero; } >array.data
event array.meta array.data >array.event
{ record Array_L4K1 array.event; good_record; } >array.dat

# VALUE128 constant-length array claiming 65,535 elements, no payload.
{ printf 'CArray\0c\0\x26'; le16 65535; } >carray.meta
: >carray.data
event carray.meta carray.data >carray.event
{ record CArray_L4K1 carray.event; good_record; } >carray.dat

# A length-prefixed string claiming 65,535 bytes, 3 present.
printf 'Str\0s\0\x0a' >string.meta
{ le16 65535; printf 'abc'; } >string.data
event string.meta string.data >string.event
{ record Str_L4K1 string.event; good_record; } >string.dat

# Sparse files: 1 GiB of zeros; 4 GiB whose first record claims 4 GiB - 1.
truncate -s 1G sparse1g.dat
{ le32 4294967295; printf 'Name\0'; } >sparse4g.dat
truncate -s 4G sparse4g.dat
# A record of 16 MiB + 1 byte, all there: over the limit a record may have.
{ le32 16777217; printf 'Name\0'; } >over16m.dat
truncate -s 20M over16m.dat

# ---- decoding them ----------------------------------------------------------
# check FILE EXPECTED_MESSAGE_PART [GOOD_LINES]: decode exits 1, says what is
# wrong about record 1 (and only that), prints GOOD_LINES good events.
check() {
    local file=$1 why=$2 good=${3:-0}
    local rc kib=""
    if [ -n "$timer" ]; then
        "$timer" -f '%M' -o "$file.rss" "$EHSHIM" decode "$file" >"$file.out" 2>"$file.err"
        rc=$?
        kib=$(tail -n 1 "$file.rss")
    else
        "$EHSHIM" decode "$file" >"$file.out" 2>"$file.err"
        rc=$?
    fi
    echo "$file: exit $rc, peak RSS ${kib:-?} KiB: $(head -n 1 "$file.err")"
    [ $rc -eq 1 ] || fail "$file: exit status $rc, expected 1"
    if ! grep -q "^ehshim: $file: record 1 at offset 0: .*$why" "$file.err"; then
        fail "$file: no message about record 1 saying '$why'; stderr:"
        head -n 3 "$file.err" | cut -c1-300
    fi
    local messages
    messages=$(grep -c '^ehshim: ' "$file.err")
    [ "$messages" -eq 1 ] || fail "$file: $messages messages, expected 1"
    if grep -qi 'sanitizer\|runtime error' "$file.err"; then
        fail "$file: sanitizer report:"
        grep -i -m 5 'sanitizer\|runtime error' "$file.err"
    fi
    local printed
    printed=$(grep -c -F -x "$good_line" "$file.out")
    [ "$printed" -eq "$good" ] || fail "$file: $printed good events printed after the bad one, expected $good"
    if [ -n "$kib" ] && [ "$kib" -gt "$rss_limit" ]; then
        fail "$file: peak RSS $kib KiB, over the limit of $rss_limit KiB"
    fi
}

for n in 0 1 2 3 4 5; do
    check "size$n.dat" "record size smaller than a record can be"
done
check size_max.dat "record size runs past the end of the file"
check size_cut.dat "truncated record size"
check name_no_nul.dat "tracepoint name is not NUL-terminated" 1
check name_empty.dat "empty tracepoint name" 1
check meta64k.dat "" 1
check deep.dat "" 1
check wide.dat "" 1
check carray.dat "" 1
check string.dat "" 1
check sparse1g.dat "record size smaller than a record can be"
check sparse4g.dat "record size"
check over16m.dat "record size over 16 MiB, more than any event can take"

"$EHSHIM" decode hollow.dat >hollow.out 2>hollow.err
rc=$?
printf '%s\n' '{ "n": "Hollow:Hollow", "s": { }, "meta": { "level": 4, "keyword": "0x1" } }' "$good_line" >hollow.expected
[ $rc -eq 0 ] && cmp -s hollow.expected hollow.out ||
    fail "hollow.dat: exit $rc, output: $(head -c 300 hollow.out) $(head -c 300 hollow.err)"

# The big array is well-formed: either it prints (one line, every element)
# or it is refused as too big; never more memory than the limit.
if [ -n "$timer" ]; then
    "$timer" -f '%M' -o array.rss "$EHSHIM" decode array.dat >array.out 2>array.err
    rc=$?
    kib=$(tail -n 1 array.rss)
else
    "$EHSHIM" decode array.dat >array.out 2>array.err
    rc=$?
    kib=""
fi
echo "array.dat: exit $rc, peak RSS ${kib:-?} KiB, $(wc -c <array.out) bytes of output: $(head -c 200 array.err)"
if [ $rc -eq 0 ]; then
    [ "$(wc -l <array.out)" -eq 2 ] || fail "array.dat: $(wc -l <array.out) lines, expected 2"
    elements=$(head -n 1 array.out | grep -o '"0x00000000000000000000000000000000"\|"00000000-0000-0000-0000-000000000000"' | wc -l)
    [ "$elements" -eq 65535 ] || echo "note: array.dat: $elements elements recognised in the output"
else
    [ $rc -eq 1 ] && grep -q '^ehshim: array.dat: record 1 at offset 0: ' array.err ||
        fail "array.dat: exit $rc without a message about record 1"
    grep -qxF "$good_line" array.out || fail "array.dat: the good record after the array did not print"
fi
[ -n "$kib" ] && [ "$kib" -gt "$rss_limit" ] && fail "array.dat: peak RSS $kib KiB, over $rss_limit KiB"
grep -qi 'sanitizer\|runtime error' array.err && fail "array.dat: sanitizer report: $(head -n 3 array.err)"
[ -n "$timer" ] || echo "note: /usr/bin/time is not installed: peak RSS not measured"

if [ $failures -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo PASS

#!/usr/bin/env python3
"""bench/peers/agree.py INPUT EHSHIM_OUT TOOL=OUT... [--lines N] [--min PCT]

Compares, input line by input line, what `ehshim parse` made of INPUT with
what each peer made of it. Every tool's output is brought to one form per
input line: the event name and the sorted name=value pairs its rule
extracted, or "(dropped)". TOOL is lognormalizer or syslog-ng. Prints the
count of agreeing lines per peer and its first disagreements; exits 1 when a
peer agrees on fewer than PCT percent of the lines (default 100).

The forms differ in ways that say nothing about what was extracted, and
those are evened out here:
- values are compared as text: ehshim types ports and ids as numbers,
  lognormalizer types only what its rules ask for, syslog-ng none;
- an address field (the config's type "ip": ip, local_ip, address) is
  compared in its canonical form: ehshim stores the address and prints
  2001:db8:0::1 as 2001:db8::1, the peers keep the text;
- a field a rule's optional group left unset is null in ehshim's event and
  missing in the peers' output: null fields are left out;
- ehshim's event carries context beside the fields (msg, ident, facility,
  meta, truncated), which the peers do not have: left out;
- a dropped line: ehshim prints nothing, syslog-ng's filter leaves it out,
  and lognormalizer (which cannot drop) tags it PamCheckPassUnknown, the
  config's dropped rule;
- a line no rule parses is SshdOther, the config's default event:
  lognormalizer reports it as unparsed-data, syslog-ng with an empty rule id.
Output lines are matched to input lines by the message each tool echoes
(ehshim's msg, lognormalizer's originalmsg, syslog-ng's MESSAGE), so a
dropped line cannot shift the lines after it.
"""
import ipaddress
import json
import sys

DROPPED = ("(dropped)",)
EHSHIM_CONTEXT = {"n", "msg", "ident", "facility", "meta", "truncated"}
ADDRESS_FIELDS = {"ip", "local_ip", "address"}


def canonical_address(text):
    # Dotted IPv4 has one spelling here; only IPv6 can be written several ways.
    if ":" not in text:
        return text
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text


def fields(obj, skip):
    pairs = []
    for key, value in obj.items():
        if key in skip or value is None:
            continue
        if isinstance(value, (dict, list)):
            value = json.dumps(value, sort_keys=True)
        value = str(value)
        if key in ADDRESS_FIELDS:
            value = canonical_address(value)
        pairs.append((key, value))
    return tuple(sorted(pairs))


def ehshim_record(obj):
    name = obj["n"].split(":", 1)[-1]
    return obj["msg"], (name,) + fields(obj, EHSHIM_CONTEXT)


def lognormalizer_record(obj):
    msg = obj.get("originalmsg", "")
    if "unparsed-data" in obj:
        return msg, ("SshdOther",)
    tags = obj.get("event.tags") or ["(no tag)"]
    if tags[0] == "PamCheckPassUnknown":
        return msg, DROPPED
    return msg, (tags[0],) + fields(obj, {"event.tags", "originalmsg"})


def syslog_ng_record(obj):
    name = obj.get("event") or "SshdOther"
    return obj.get("msg", ""), (name,) + fields(obj, {"event", "msg"})


READERS = {"lognormalizer": lognormalizer_record, "syslog-ng": syslog_ng_record}


def aligned(lines, path, reader, limit):
    """One normalized record per input line, from the output file at path."""
    out = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        pending = None
        for line in lines:
            if len(out) >= limit:
                break
            if pending is None:
                raw = f.readline()
                pending = reader(json.loads(raw)) if raw else ("", None)
            msg, record = pending
            if record is not None and msg == line:
                out.append(record)
                pending = None
            else:
                out.append(DROPPED)
    return out


def show(record):
    if record == DROPPED:
        return record[0]
    return record[0] + " " + " ".join(f"{k}={v}" for k, v in record[1:])


def main(argv):
    limit = float("inf")
    minimum = 100.0
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--lines":
            limit = int(argv[i + 1])
            i += 2
        elif argv[i] == "--min":
            minimum = float(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(args[0], encoding="utf-8", errors="surrogateescape") as f:
        lines = [line.rstrip("\n") for line in f]
    if limit < len(lines):
        lines = lines[: int(limit)]
    reference = aligned(lines, args[1], ehshim_record, len(lines))
    failed = False
    for spec in args[2:]:
        tool, _, path = spec.partition("=")
        if tool not in READERS:
            sys.stderr.write(f"agree: unknown tool {tool}\n")
            return 2
        records = aligned(lines, path, READERS[tool], len(lines))
        agree = 0
        shown = []
        for n, (mine, theirs) in enumerate(zip(reference, records)):
            if mine == theirs:
                agree += 1
            elif len(shown) < 3:
                shown.append((n + 1, mine, theirs))
        pct = 100.0 * agree / len(lines) if lines else 100.0
        # Rounding must not show a disagreement as 100%.
        shown_pct = f"{pct:.4f}" if agree == len(lines) else f"{min(pct, 99.9999):.4f}"
        verdict = "ok" if pct >= minimum else f"FAIL (below {minimum:g}%)"
        print(f"peers: agree ehshim/{tool}: {agree} of {len(lines)} lines ({shown_pct}%): {verdict}")
        for n, mine, theirs in shown:
            print(f"peers:   line {n}: {lines[n - 1]!r}")
            print(f"peers:     ehshim: {show(mine)}")
            print(f"peers:     {tool}: {show(theirs)}")
        failed = failed or pct < minimum
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

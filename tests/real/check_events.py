#!/usr/bin/python3
"""Checks that every message a real program sent became exactly one correct event.

check_events.py --expect EXPECT.json --messages MESSAGES.txt --events EVENTS.jsonl
                [--source syslog|stderr]

MESSAGES.txt  the messages the program really sent, one per line (stderr: the
              line without its "\\n", a trailing "\\r" removed; syslog: the
              message after the "<PRI>TIMESTAMP ident[pid]: " header).
EVENTS.jsonl  `ehshim decode` output.
EXPECT.json   a list of {"match": REGEX, "event": "Provider:Name", "level": N,
              "fields": {"name": TYPE, ...}}, tried in order with re.search
              (the first entry whose match finds something wins). TYPE is
              string, int (a JSON integer), float (a JSON number), bool, null,
              ip (a string ipaddress parses), time (a string such as
              2024-05-01T10:00:00), errno (a string such as "ENOENT(2)"), or
              any; several may be joined with "|" ("int|null").
              "level": "priority" (with --devlog) wants the level the
              datagram's severity maps to (EMERG..CRIT 1, ERR 2, WARNING 3,
              NOTICE and INFO 4, DEBUG 5).
              An entry {"match": REGEX, "drop": true} says such messages must
              have NO event (a drop rule).
              Optional keys of an entry, checked when present:
                "values": {"name": exact JSON value}
                "ident": the event's ident
                "keyword": the event's meta keyword ("0x10")

--devlog DEVLOG.txt   (syslog only) the receiver's file the messages were
              taken from (tests/real/devlog.py): each event must then also
              carry the facility and ident of its datagram, and its meta pid
              must be the datagram's pid (when the header has one).

--source      only events of that source take part (syslog events carry a
              "facility" field, stderr events do not); events of the other
              source are ignored.

--records     the config groups lines into records ("multiline"): an event
              whose msg holds several lines stands for those lines of
              MESSAGES.txt, found in their order (other lines may come
              between them: other threads), and is paired with them as one
              message placed where its first line is; EXPECT entries are
              matched against its first line (as rules are by default), and
              the record fields (lines, exception_type, exception_message,
              frames) need not be listed (when listed, their types are
              checked).

Messages and events are paired in order by the event's "msg" text (events of
several processes may interleave; each event is used once; a truncated event
pairs with the message it is a prefix of; with --devlog, among events of the
same text the one of the datagram's pid is taken first). Fails (exit 1, one line per
problem) when a message has no event or more than one, an event has no
message, a message matches no entry, the event's name or level differ, an
expected field is missing or of the wrong type, or the event has a field the
entry does not list (besides msg, ident, facility, truncated, meta, n).
Prints "checked N messages" at the end.
"""
import argparse
import datetime
import ipaddress
import json
import os
import re
import sys

# syslog severity -> event level, as the shim maps a priority
SEVERITY_LEVEL = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5}
FIXED = {'n', 'msg', 'ident', 'facility', 'truncated', 'meta'}
RECORD_FIELDS = {'lines', 'exception_type', 'exception_message', 'frames'}
TYPES = {'string', 'int', 'float', 'bool', 'null', 'ip', 'time', 'errno', 'any'}


def type_ok(value, typ):
    if typ == 'any':
        return True
    if typ == 'null':
        return value is None
    if typ == 'string':
        return isinstance(value, str)
    if typ == 'int':
        return isinstance(value, int) and not isinstance(value, bool)
    if typ == 'float':
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == 'bool':
        return isinstance(value, bool)
    if typ == 'ip':
        if not isinstance(value, str):
            return False
        try:
            ipaddress.ip_address(value)
            return True
        except ValueError:
            return False
    if typ == 'time':
        if not isinstance(value, str):
            return False
        text = value[:-1] if value.endswith('Z') else value
        try:
            datetime.datetime.fromisoformat(text)
            return True
        except ValueError:
            return False
    if typ == 'errno':
        return isinstance(value, str) and re.fullmatch(r'[A-Z0-9]+\(\d+\)|ERRNO\(-?\d+\)', value) is not None
    raise ValueError(typ)


def load_expect(path):
    with open(path, encoding='utf-8') as f:
        entries = json.load(f)
    if not isinstance(entries, list):
        raise SystemExit('%s: not a JSON list' % path)
    for i, e in enumerate(entries):
        for key in (('match',) if e.get('drop') else ('match', 'event', 'level')):
            if key not in e:
                raise SystemExit('%s: entry %d has no "%s"' % (path, i, key))
        e['_re'] = re.compile(e['match'])
        for name, typ in e.get('fields', {}).items():
            for t in typ.split('|'):
                if t not in TYPES:
                    raise SystemExit('%s: entry %d: field %s: unknown type %s' % (path, i, name, t))
    return entries


def event_source(ev):
    return 'syslog' if 'facility' in ev else 'stderr'


def show(text):
    return json.dumps(text, ensure_ascii=False)


def assign_records(records, where, consumed):
    """Message lines for every record (its lines, in order, each message used
    once), or None. Threads write the same traceback lines, and a record
    that takes the first free copy of a line may take another record's,
    leaving that one short: a record that runs short sends the search back
    to the last choice that had another copy to take. Bounded: a record
    whose lines are really missing gives up the search, not the test."""
    picks = [[] for _ in records]
    budget = [200000]

    def place(r, j, after):
        while r < len(records) and j == len(records[r]):
            r, j, after = r + 1, 0, -1
        if r == len(records):
            return True
        for i in where.get(records[r][j], []):
            if i <= after or consumed[i]:
                continue
            budget[0] -= 1
            if budget[0] < 0:
                return False
            consumed[i] = True
            picks[r].append(i)
            if place(r, j + 1, i):
                return True
            consumed[i] = False
            picks[r].pop()
        return False

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100 + sum(len(lines) for lines in records)))
    try:
        found = place(0, 0, -1)
    finally:
        sys.setrecursionlimit(limit)
    if not found:
        for r_picks in picks:
            for i in r_picks:
                consumed[i] = False
        return None
    return picks


def join_records(messages, events, problems):
    """The messages with each record's lines replaced by the record's text,
    at its first line's place."""
    consumed = [False] * len(messages)
    at_first = {}
    # where each text occurs, for finding a record's lines in order
    where = {}
    for i, text in enumerate(messages):
        where.setdefault(text, []).append(i)
    records = []
    for ev in events:
        msg = ev.get('msg')
        if not isinstance(msg, str) or '\n' not in msg or ev.get('truncated') is True:
            continue
        records.append(msg)
    picks = assign_records([msg.split('\n') for msg in records], where, consumed)
    if picks is not None:
        for msg, picked in zip(records, picks):
            at_first.setdefault(picked[0], []).append(msg)
    else:
        # No way to give every record its lines: each takes the first free
        # copies, and the records that run short are reported.
        for msg in records:
            lines = msg.split('\n')
            picked = []
            after = -1
            for line in lines:
                found = next((i for i in where.get(line, []) if i > after and not consumed[i]),
                             None)
                if found is None:
                    problems.append('record line %s not among the messages (record %s)' %
                                    (show(line), show(msg)))
                    break
                picked.append(found)
                after = found
            if len(picked) != len(lines):
                continue
            for i in picked:
                consumed[i] = True
            at_first.setdefault(picked[0], []).append(msg)
    out = []
    for i, text in enumerate(messages):
        out.extend(at_first.get(i, []))
        if not consumed[i]:
            out.append(text)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--expect', required=True)
    ap.add_argument('--messages', required=True)
    ap.add_argument('--events', required=True)
    ap.add_argument('--source', choices=('syslog', 'stderr'))
    ap.add_argument('--devlog')
    ap.add_argument('--records', action='store_true')
    args = ap.parse_args()

    entries = load_expect(args.expect)
    with open(args.messages, 'rb') as f:
        messages = [line.decode('utf-8', 'replace') for line in f.read().split(b'\n')]
    if messages and messages[-1] == '':
        messages.pop()
    events = []
    problems = []
    with open(args.events, encoding='utf-8', errors='replace') as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError as e:
                problems.append('events line %d is not JSON (%s): %s' % (lineno, e, line.rstrip()))
                continue
            if args.source and event_source(ev) != args.source:
                continue
            events.append(ev)

    if args.records:
        messages = join_records(messages, events, problems)

    used = [False] * len(events)
    # message text -> indexes of unused events carrying it, in order
    by_text = {}
    truncated = []
    for i, ev in enumerate(events):
        msg = ev.get('msg')
        if not isinstance(msg, str):
            problems.append('event without a msg string: %s' % json.dumps(ev))
            used[i] = True
            continue
        if ev.get('truncated') is True:
            truncated.append(i)
        else:
            by_text.setdefault(msg, []).append(i)
    cursor = {}

    def entry_of(text):
        if args.records:
            text = text.split('\n', 1)[0]
        for e in entries:
            if e['_re'].search(text):
                return e
        return None
    fixed = FIXED | RECORD_FIELDS if args.records else FIXED

    records = None
    if args.devlog:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import devlog
        records = list(devlog.records(args.devlog))
        if len(records) != len(messages):
            problems.append('%s holds %d datagrams, %s %d messages' % (args.devlog, len(records), args.messages, len(messages)))
            records = None

    paired = []
    index_of = {}
    for index, text in enumerate(messages):
        idxs = by_text.get(text, [])
        k = cursor.get(text, 0)
        idx = None
        want_pid = records[index]['pid'] if records is not None else None
        if want_pid is not None:
            # the same text from several processes: the event of the
            # datagram's process, whatever order they were written in
            for j in idxs[k:]:
                if not used[j] and events[j].get('meta', {}).get('pid') == want_pid:
                    idx = j
                    break
        while idx is None and k < len(idxs):
            if not used[idxs[k]]:
                idx = idxs[k]
                k += 1
                break
            k += 1
        cursor[text] = k
        if idx is None:
            for j in truncated:
                if not used[j] and text.startswith(events[j]['msg']):
                    idx = j
                    break
        entry = entry_of(text)
        if entry is not None and entry.get('drop'):
            if idx is not None:
                used[idx] = True
                problems.append('message of a drop entry has an event: %s -> %s' % (show(text), json.dumps(events[idx])))
            continue
        if idx is None:
            problems.append('message without event: %s' % show(text))
            continue
        used[idx] = True
        paired.append((text, events[idx]))
        index_of[id(events[idx])] = index if records is not None else None
        if records is not None:
            r = records[index]
            ev = events[idx]
            what = '%s -> %s' % (show(text), json.dumps(ev))
            if ev.get('facility') != r['facility']:
                problems.append('facility %s, the datagram says %s: %s' % (ev.get('facility'), r['facility'], what))
            if ev.get('ident') != r['ident']:
                problems.append('ident %s, the datagram says %s: %s' % (show(ev.get('ident')), show(r['ident']), what))
            if r['pid'] is not None and ev.get('meta', {}).get('pid') != r['pid']:
                problems.append('meta pid %s, the datagram says %s: %s' % (ev.get('meta', {}).get('pid'), r['pid'], what))

    message_set = set(messages)
    for i, ev in enumerate(events):
        if used[i]:
            continue
        msg = ev.get('msg')
        if msg in message_set:
            problems.append('message with more than one event: %s (extra: %s)' % (show(msg), json.dumps(ev)))
        else:
            problems.append('event without message: %s' % json.dumps(ev))

    for text, ev in paired:
        entry = entry_of(text)
        if entry is None:
            problems.append('message matches no expect entry: %s (event %s)' % (show(text), json.dumps(ev)))
            continue
        what = '%s -> %s' % (show(text), json.dumps(ev))
        if ev.get('n') != entry['event']:
            problems.append('event name %s, expected %s: %s' % (ev.get('n'), entry['event'], what))
        level = ev.get('meta', {}).get('level')
        want = entry['level']
        if want == 'priority':
            if index_of[id(ev)] is None:
                problems.append('level "priority" needs --devlog: %s' % what)
                want = None
            else:
                want = SEVERITY_LEVEL[records[index_of[id(ev)]]['severity']]
        if want is not None and level != want:
            problems.append('level %s, expected %s: %s' % (level, want, what))
        if 'keyword' in entry and ev.get('meta', {}).get('keyword') != entry['keyword']:
            problems.append('keyword %s, expected %s: %s' % (ev.get('meta', {}).get('keyword'), entry['keyword'], what))
        if 'ident' in entry and ev.get('ident') != entry['ident']:
            problems.append('ident %s, expected %s: %s' % (show(ev.get('ident')), show(entry['ident']), what))
        fields = entry.get('fields', {})
        for name, typ in fields.items():
            if name not in ev:
                problems.append('field %s missing: %s' % (name, what))
            elif not any(type_ok(ev[name], t) for t in typ.split('|')):
                problems.append('field %s = %s is not %s: %s' % (name, json.dumps(ev[name]), typ, what))
        for name, value in entry.get('values', {}).items():
            if name in ev and ev[name] != value:
                problems.append('field %s = %s, expected %s: %s' % (name, json.dumps(ev[name]), json.dumps(value), what))
        for name in ev:
            if name not in fixed and name not in fields:
                problems.append('field %s not expected: %s' % (name, what))

    for p in problems:
        print(p)
    print('checked %d messages, %d events, %d problems' % (len(messages), len(events), len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

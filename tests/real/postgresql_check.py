#!/usr/bin/python3
"""Checks the prefix fields of PostgreSQL events exactly.

postgresql_check.py EVENTS.jsonl ZONES PREFIX

EVENTS.jsonl  `ehshim decode` output of a run of test_postgresql.sh
ZONES         comma-separated zone names the log_timezone may print (CET,CEST)
PREFIX        the run's log_line_prefix

For every event whose message starts with a log_line_prefix, the fields
time, ms, tz, pid, db_user, db_name and severity must hold exactly what the
line says (parsed here on its own, not with the config's pattern), the zone
must be one of ZONES, the event's meta pid (the process that wrote the line)
must be the pid the line names, and db_user/db_name are null exactly when
the line has no "user@database " part (always, for the prefix '%m [%p] ').
A tab-indented continuation line carries none of these fields. Every event's
ident must be "postgres". Exit 1 with one line per problem.
"""
import json
import re
import sys

HEAD = re.compile(r'(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3}) (\S+) \[(\d+)\] ')
SEVERITY = re.compile(r'([A-Z][A-Z0-9]*):  ')
PREFIX_FIELDS = ('time', 'ms', 'tz', 'pid', 'db_user', 'db_name', 'severity')


def parse(msg):
    """(time, ms, tz, pid, user, db, severity) of a prefixed line, or None."""
    m = HEAD.match(msg)
    if not m:
        return None
    rest = msg[m.end():]
    user = db = None
    s = SEVERITY.match(rest)
    if not s:
        word, _, after = rest.partition(' ')
        user, _, db = word.partition('@')
        s = SEVERITY.match(after)
        if not s:
            return None
    return (m.group(1) + 'T' + m.group(2), int(m.group(3)), m.group(4), int(m.group(5)),
            user, db, s.group(1))


def main():
    events_path, zones, prefix = sys.argv[1], sys.argv[2].split(','), sys.argv[3]
    problems = []
    with_session = '%u@%d' in prefix
    sessions = 0
    count = 0
    with open(events_path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            count += 1
            msg = ev.get('msg', '')
            what = json.dumps(ev)
            if ev.get('ident') != 'postgres':
                problems.append('ident %r: %s' % (ev.get('ident'), what))
            if msg.startswith('\t'):
                extra = [k for k in PREFIX_FIELDS if k in ev]
                if extra:
                    problems.append('continuation line with prefix fields %s: %s' % (extra, what))
                continue
            parsed = parse(msg)
            if parsed is None:
                problems.append('line without a log_line_prefix: %s' % what)
                continue
            time, ms, tz, pid, user, db, severity = parsed
            want = {'time': time, 'ms': ms, 'tz': tz, 'pid': pid,
                    'db_user': user, 'db_name': db, 'severity': severity}
            for k, v in want.items():
                if ev.get(k, 'MISSING') != v:
                    problems.append('field %s = %s, the line says %s: %s'
                                    % (k, json.dumps(ev.get(k, 'MISSING')), json.dumps(v), what))
            if tz not in zones:
                problems.append('zone %s is none of %s: %s' % (tz, zones, what))
            meta = ev.get('meta', {})
            if meta.get('pid') != pid:
                problems.append('meta pid %s, the line names %s: %s' % (meta.get('pid'), pid, what))
            if user is not None:
                sessions += 1
                if not with_session:
                    problems.append('user@database without %%u@%%d in the prefix: %s' % what)
    if with_session and sessions == 0:
        problems.append('no line with user@database although the prefix has %u@%d')
    for p in problems:
        print(p)
    print('prefix fields: %d events, %d with user@database, %d problems' % (count, sessions, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

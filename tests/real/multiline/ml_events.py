#!/usr/bin/python3
"""Helpers of the tests/real/test_multiline_*.sh scripts.

ml_events.py normalize EVENTS.jsonl TMPDIR
    `ehshim decode --no-stamp` output made comparable between runs and
    machines, one event per line on standard output: TMPDIR (the test's work
    directory) becomes "@T@" in every string, every date and time
    ("2026-12-03 06:20:48", with ",ms" or ".ms" after it, or
    "2026-12-03T06:20:48") becomes "@TIME@", a "ms" field 0, a "[pid]" of
    PostgreSQL's prefix "[@PID@]" and the "pid" field 0. Field order is kept.

ml_events.py compare EXPECT.jsonl NORMALIZED.jsonl
    the two must be equal, event by event, in order (the records of threads
    the program does not join, "Exception in thread ...", as a multiset: they
    end at that thread's exit, which races with the main thread); prints the
    first differences (exit 1). PostgreSQL's durations and the pids it
    names in its messages are normalized too.

ml_events.py threads EVENTS.jsonl SIDE.jsonl N K STDERR.txt
    the structural check of `multiline_py.py threads N K SIDE`:
      - exactly N*K events carry exception_type;
      - their msg values are exactly the records of SIDE (one JSON string per
        line: what the program wrote for each record), as multisets: every
        record came out whole, as one event, with no line of another in it;
      - each such event has "lines" equal to its number of lines,
        exception_type "KeyError", and a frame whose function is
        fail_t<t>_i<i> for the t and i its first line names;
      - the other events are single lines (no "lines" field, no "\\n"), and
        all events together hold exactly the lines of STDERR.txt (the
        program's standard error as the test saw it), as multisets.
"""
import collections
import json
import re
import sys

TIME = re.compile(r'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?')
PGPID = re.compile(r'(@TIME@(?: \S+)? )\[\d+\]')
MARK = re.compile(r'record t=(\d+) i=(\d+) failed')
# What differs between two runs inside messages: PostgreSQL's durations and
# the pids it names in its own words.
DURATION = re.compile(r'duration: [0-9.]+ ms')
NAMED_PID = re.compile(r'\(PID \d+\)')


def load(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def scrub(value, tmp):
    if isinstance(value, str):
        value = value.replace(tmp, '@T@')
        value = TIME.sub('@TIME@', value)
        value = DURATION.sub('duration: @MS@ ms', value)
        value = NAMED_PID.sub('(PID @PID@)', value)
        return PGPID.sub(r'\1[@PID@]', value)
    if isinstance(value, list):
        return [scrub(v, tmp) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out[k] = (0 if k in ('ms', 'pid', 'duration_ms') and isinstance(v, (int, float))
                      else scrub(v, tmp))
        return out
    return value


def normalize(events_path, tmp):
    for ev in load(events_path):
        print(json.dumps(scrub(ev, tmp), ensure_ascii=False))


def other_thread(event):
    # A record of a thread the program does not join before writing on
    # ("Exception in thread ...", Java's uncaught worker) ends at that
    # thread's exit, which races with the main thread's next lines: such
    # events are compared as a multiset, all others in order.
    msg = event.get('msg', '') if isinstance(event, dict) else ''
    return msg.startswith('Exception in thread') and not msg.startswith('Exception in thread "main"')


def compare(expect_path, got_path):
    want, got = load(expect_path), load(got_path)
    problems = []
    key = lambda e: json.dumps(e, sort_keys=True)
    want_other = sorted((e for e in want if other_thread(e)), key=key)
    got_other = sorted((e for e in got if other_thread(e)), key=key)
    if want_other != got_other:
        problems.append('records of other threads differ:\n  want %s\n  got  %s' %
                        (json.dumps(want_other), json.dumps(got_other)))
    want = [e for e in want if not other_thread(e)]
    got = [e for e in got if not other_thread(e)]
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else None
        g = got[i] if i < len(got) else None
        if w != g:
            problems.append('event %d:\n  want %s\n  got  %s' % (i + 1, json.dumps(w), json.dumps(g)))
    if len(want) != len(got):
        problems.append('%d events expected, %d came' % (len(want), len(got)))
    for p in problems[:10]:
        print(p)
    return 1 if problems else 0


def threads(events_path, side_path, n, k, stderr_path):
    events = load(events_path)
    with open(side_path, encoding='utf-8') as f:
        side = [json.loads(line) for line in f if line.strip()]
    with open(stderr_path, encoding='utf-8') as f:
        stderr_lines = f.read().split('\n')
    if stderr_lines and stderr_lines[-1] == '':
        stderr_lines.pop()
    problems = []
    if len(side) != n * k:
        problems.append('the side file holds %d records, not %d' % (len(side), n * k))
    grouped = [e for e in events if 'exception_type' in e]
    if len(grouped) != n * k:
        problems.append('%d events carry exception_type, not %d' % (len(grouped), n * k))
    got = collections.Counter(e.get('msg') for e in grouped)
    want = collections.Counter(side)
    for msg, c in (got - want).items():
        problems.append('%d event(s) whose msg the program never wrote as one record: %s' % (c, json.dumps(msg)))
    for msg, c in (want - got).items():
        problems.append('%d record(s) without their event: %s' % (c, json.dumps(msg)))
    for e in grouped:
        msg = e.get('msg', '')
        nlines = msg.count('\n') + 1
        if e.get('lines') != nlines:
            problems.append('lines=%r for a msg of %d lines: %s' % (e.get('lines'), nlines, json.dumps(e)))
        if e.get('exception_type') != 'KeyError':
            problems.append('exception_type %r: %s' % (e.get('exception_type'), json.dumps(e)))
        m = MARK.search(msg.split('\n', 1)[0])
        if not m:
            problems.append('no "record t=T i=I failed" on the first line: %s' % json.dumps(e))
            continue
        fn = 'fail_t%s_i%s' % m.groups()
        frames = e.get('frames') or []
        if not any(isinstance(f, dict) and f.get('function') == fn for f in frames):
            problems.append('no frame of function %s: %s' % (fn, json.dumps(e)))
        if ("missing key for t=%s i=%s'" % m.groups()) not in str(e.get('exception_message')):
            problems.append('exception_message does not name t=%s i=%s: %s' % (m.group(1), m.group(2), json.dumps(e)))
    for e in events:
        if 'exception_type' in e:
            continue
        if 'lines' in e or '\n' in e.get('msg', ''):
            problems.append('a multi-line event without exception_type: %s' % json.dumps(e))
    all_lines = collections.Counter()
    for e in events:
        all_lines.update(e.get('msg', '').split('\n'))
    extra = all_lines - collections.Counter(stderr_lines)
    missing = collections.Counter(stderr_lines) - all_lines
    for line, c in list(extra.items())[:5]:
        problems.append('%d line(s) in events but not on stderr: %s' % (c, json.dumps(line)))
    for line, c in list(missing.items())[:5]:
        problems.append('%d stderr line(s) in no event: %s' % (c, json.dumps(line)))
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print('... %d problems in all' % len(problems))
    print('threads: %d events, %d with exception_type, %d records written' % (len(events), len(grouped), len(side)))
    return 1 if problems else 0


def main():
    cmd, args = sys.argv[1] if len(sys.argv) > 1 else '', sys.argv[2:]
    if cmd == 'normalize' and len(args) == 2:
        normalize(*args)
        return 0
    if cmd == 'compare' and len(args) == 2:
        return compare(*args)
    if cmd == 'threads' and len(args) == 5:
        return threads(args[0], args[1], int(args[2]), int(args[3]), args[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main())

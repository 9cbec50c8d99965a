#!/usr/bin/python3
"""The private /dev/log of tests/real, and the reader of what it received.

  devlog.py serve SOCKET OUT
      binds a datagram socket at SOCKET (mode 0666) and writes every datagram
      it receives to OUT, one per line, flushed at once. Bytes are escaped so
      that one datagram is one line: backslash as \\\\, newline as \\n, CR as
      \\r, other control bytes (but tab) and bytes that are not UTF-8 as
      \\xNN. SIGTERM or SIGINT: reads what is still queued, then exits 0.

  devlog.py messages OUT [IDENT]
      prints the message part of every datagram in OUT (what follows the
      "<PRI>Mmm dd hh:mm:ss ident[pid]: " header syslog() puts first), one per
      line, unescaped, less one trailing newline (as the shim takes it; a
      newline left inside stays as the two characters \\n); with IDENT, only
      datagrams of that ident. A line without such a header is an error.

  devlog.py records OUT
      prints one JSON object per datagram: pri, facility, severity, time,
      ident, pid, message.
"""
import json
import os
import re
import signal
import socket
import sys

HEADER = re.compile(
    r'^<(?P<pri>\d{1,3})>'
    r'(?P<time>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) '
    r'(?:(?P<ident>[^\s\[\]:]+)(?:\[(?P<pid>\d+)\])?: )?'
    r'(?P<message>.*)$', re.S)


def escape(data):
    out = []
    text = data.decode('utf-8', errors='surrogateescape')
    for ch in text:
        o = ord(ch)
        if ch == '\\':
            out.append('\\\\')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif 0xDC80 <= o <= 0xDCFF:
            out.append('\\x%02x' % (o - 0xDC00))
        elif (o < 0x20 and ch != '\t') or o == 0x7F:
            out.append('\\x%02x' % o)
        else:
            out.append(ch)
    return ''.join(out)


def unescape(text, keep_newline_escaped=False):
    out = bytearray()
    i = 0
    raw = text.encode('utf-8', errors='surrogateescape')
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            n = raw[i + 1]
            if n == 0x5C:
                out += b'\\'
                i += 2
                continue
            if n == ord('n'):
                out += b'\\n' if keep_newline_escaped else b'\n'
                i += 2
                continue
            if n == ord('r'):
                out += b'\r'
                i += 2
                continue
            if n == ord('x') and i + 3 < len(raw):
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
        out.append(c)
        i += 1
    return bytes(out)


def message_bytes(escaped):
    """The message as the program handed it to syslog(), less one trailing
    newline (syslog() programs such as rsync end their text with one; the
    shim drops it as syslog daemons do). A newline left inside stays as the
    two characters \\n, so that one message is one line."""
    data = unescape(escaped)
    if data.endswith(b'\n'):
        data = data[:-1]
    return data.replace(b'\n', b'\\n')


def serve(path, outpath):
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(path)
    os.chmod(path, 0o666)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    sock.settimeout(0.2)
    with open(outpath, 'a', encoding='utf-8', errors='surrogateescape') as out:
        while True:
            try:
                data = sock.recv(1 << 17)
            except socket.timeout:
                if stop:
                    break
                continue
            except InterruptedError:
                continue
            out.write(escape(data) + '\n')
            out.flush()
        # drain what is queued
        sock.setblocking(False)
        while True:
            try:
                data = sock.recv(1 << 17)
            except (BlockingIOError, InterruptedError):
                break
            out.write(escape(data) + '\n')
        out.flush()
    sock.close()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def records(outpath):
    with open(outpath, encoding='utf-8', errors='surrogateescape') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            m = HEADER.match(line)
            if not m:
                raise SystemExit('devlog.py: %s:%d: no syslog header: %s' % (outpath, lineno, line))
            pri = int(m.group('pri'))
            yield {
                'pri': pri, 'facility': pri >> 3, 'severity': pri & 7,
                'time': m.group('time'), 'ident': m.group('ident'),
                'pid': int(m.group('pid')) if m.group('pid') else None,
                'message': m.group('message'),
            }


def main(argv):
    if len(argv) == 4 and argv[1] == 'serve':
        serve(argv[2], argv[3])
        return 0
    if len(argv) in (3, 4) and argv[1] == 'messages':
        ident = argv[3] if len(argv) == 4 else None
        out = sys.stdout.buffer
        for r in records(argv[2]):
            if ident is not None and r['ident'] != ident:
                continue
            out.write(message_bytes(r['message']) + b'\n')
        return 0
    if len(argv) == 3 and argv[1] == 'records':
        for r in records(argv[2]):
            r['message'] = unescape(r['message']).decode('utf-8', 'replace')
            print(json.dumps(r))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))

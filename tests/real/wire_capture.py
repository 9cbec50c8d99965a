#!/usr/bin/python3
"""Private receivers that keep the exact bytes programs send to the local
syslog socket (/dev/log) and to the systemd journal socket.

  wire_capture.py serve OUTDIR [--dgram PATH]... [--stream PATH]...
                  [--journal PATH]... [--timeout SECS] [--ready FILE]
                  [--no-passcred]
      --dgram PATH    a datagram AF_UNIX socket bound at PATH (/dev/log style)
      --stream PATH   a SOCK_STREAM AF_UNIX listener at PATH; every accepted
                      connection is read to its end
      --journal PATH  a datagram AF_UNIX socket for the journal's native
                      protocol; file descriptors passed with SCM_RIGHTS (the
                      sealed memfd libsystemd sends for big entries) are read
                      whole
      --timeout SECS  exit (0) after SECS seconds (default 120)
      --ready FILE    created once every socket is bound
      --no-passcred   do not set SO_PASSCRED (journald sets it on both of its
                      sockets, and so do we by default: then every datagram
                      carries SCM_CREDENTIALS, the sender's own or those it
                      gave, e.g. logger --id)
      Sockets are made mode 0666 (daemons that drop privileges can write).
      Whatever was received goes to OUTDIR as numbered raw files
      (0001.bin, 0002.bin, ...): one per datagram, one per stream connection
      (all of its bytes, in order), one per passed file descriptor (its whole
      content). OUTDIR/index.json, rewritten after each file, lists them:
        seq, file, kind (dgram|stream|journal), socket (the bound path),
        length, via_memfd (true for a passed descriptor's content),
        ancillary (a list: {"type": "SCM_CREDENTIALS", "pid", "uid", "gid"}
        or {"type": "SCM_RIGHTS", "fds": N} or {"type": level/type numbers}),
        msg_flags (MSG_TRUNC / MSG_CTRUNC seen), sender (the sender's bound
        address, if any), and per kind: recvs (stream: the length of each
        read, in order), peercred (stream: SO_PEERCRED of the peer), eof
        (stream: the peer closed it; false when we stopped first),
        fd_info (memfd: what /proc/self/fd shows, st_mode, size, seals as
        F_GET_SEALS gives them and their names), carried_by_seq /
        payload_length (memfd: the datagram that carried it, which is not
        itself written when its payload is empty).
      SIGTERM or SIGINT: takes what is still queued, writes the index, exits 0.
      The socket files are removed at exit.

  wire_capture.py stale PATH [dgram|stream]
      binds a socket at PATH and closes it at once: the socket file stays, but
      nobody listens (connect and sendto then fail with ECONNREFUSED).

  wire_capture.py show OUTDIR
      prints the index, one line per file: kind, socket, length, credentials
      (pid/uid/gid), passed descriptors, the memfd and its seals, then the
      first 300 bytes escaped (\\n, \\0, \\xNN).
"""
import array
import fcntl
import json
import os
import selectors
import signal
import socket
import stat
import struct
import sys
import time

F_GET_SEALS = 1034  # F_LINUX_SPECIFIC_BASE + 10
SEALS = [(0x0001, 'F_SEAL_SEAL'), (0x0002, 'F_SEAL_SHRINK'), (0x0004, 'F_SEAL_GROW'),
         (0x0008, 'F_SEAL_WRITE'), (0x0010, 'F_SEAL_FUTURE_WRITE')]
MAX_FDS = 16
SCM_CREDENTIALS = getattr(socket, 'SCM_CREDENTIALS', 2)
SO_PASSCRED = getattr(socket, 'SO_PASSCRED', 16)
SO_PEERCRED = getattr(socket, 'SO_PEERCRED', 17)
SO_RCVBUFFORCE = getattr(socket, 'SO_RCVBUFFORCE', 33)


def escape(data):
    out = []
    for b in data:
        if b == 0x5C:
            out.append('\\\\')
        elif b == 0x0A:
            out.append('\\n')
        elif b == 0x0D:
            out.append('\\r')
        elif b == 0:
            out.append('\\0')
        elif b < 0x20 or b >= 0x7F:
            out.append('\\x%02x' % b)
        else:
            out.append(chr(b))
    return ''.join(out)


def address_text(addr):
    if not addr:
        return None
    if isinstance(addr, bytes):
        # abstract (autobind) names start with a NUL
        if addr[:1] == b'\0':
            return '@' + escape(addr[1:])
        return escape(addr)
    return str(addr)


class Capture:
    def __init__(self, outdir):
        self.outdir = outdir
        self.entries = []
        self.seq = 0

    def next_seq(self):
        self.seq += 1
        return self.seq

    def write(self, seq, data, meta):
        name = '%04d.bin' % seq
        with open(os.path.join(self.outdir, name), 'wb') as f:
            f.write(data)
        entry = {'seq': seq, 'file': name}
        entry.update(meta)
        entry['length'] = len(data)
        self.entries.append(entry)
        self.entries.sort(key=lambda e: e['seq'])
        tmp = os.path.join(self.outdir, 'index.json.tmp')
        with open(tmp, 'w', encoding='utf-8') as f:
            json.dump(self.entries, f, indent=1)
            f.write('\n')
        os.replace(tmp, os.path.join(self.outdir, 'index.json'))


def parse_ancillary(ancdata):
    """(list of descriptions, list of received descriptors)"""
    seen = []
    fds = []
    for level, typ, data in ancdata:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            a = array.array('i')
            a.frombytes(data[:len(data) - (len(data) % a.itemsize)])
            fds.extend(a)
            seen.append({'type': 'SCM_RIGHTS', 'fds': len(a)})
        elif level == socket.SOL_SOCKET and typ == SCM_CREDENTIALS and len(data) >= 12:
            pid, uid, gid = struct.unpack('iII', data[:12])
            seen.append({'type': 'SCM_CREDENTIALS', 'pid': pid, 'uid': uid, 'gid': gid})
        else:
            seen.append({'type': [level, typ], 'length': len(data)})
    return seen, fds


def flags_text(flags):
    out = []
    if flags & socket.MSG_TRUNC:
        out.append('MSG_TRUNC')
    if flags & socket.MSG_CTRUNC:
        out.append('MSG_CTRUNC')
    return out


def read_fd(fd):
    info = {}
    try:
        info['proc_link'] = os.readlink('/proc/self/fd/%d' % fd)
    except OSError as e:
        info['proc_link'] = 'error: %s' % e
    st = os.fstat(fd)
    info['st_mode'] = oct(st.st_mode)
    info['regular'] = stat.S_ISREG(st.st_mode)
    info['size'] = st.st_size
    info['nlink'] = st.st_nlink
    try:
        seals = fcntl.fcntl(fd, F_GET_SEALS)
        info['seals'] = seals
        info['seal_names'] = [n for bit, n in SEALS if seals & bit]
    except OSError as e:
        info['seals'] = None
        info['seals_error'] = e.strerror
    try:
        fl = fcntl.fcntl(fd, fcntl.F_GETFL)
        info['open_flags'] = oct(fl)
    except OSError:
        pass
    chunks = []
    off = 0
    while True:
        b = os.pread(fd, 1 << 20, off)
        if not b:
            break
        chunks.append(b)
        off += len(b)
    return b''.join(chunks), info


class Receiver:
    def __init__(self, kind, path, passcred):
        self.kind = kind
        self.path = path
        if os.path.lexists(path):
            os.unlink(path)
        typ = socket.SOCK_STREAM if kind == 'stream' else socket.SOCK_DGRAM
        self.sock = socket.socket(socket.AF_UNIX, typ)
        if passcred:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_PASSCRED, 1)
        if typ == socket.SOCK_DGRAM:
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
            except OSError:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        if typ == socket.SOCK_STREAM:
            self.sock.listen(64)
        self.sock.setblocking(False)

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


class Conn:
    def __init__(self, receiver, sock, seq):
        self.receiver = receiver
        self.sock = sock
        self.seq = seq
        self.data = bytearray()
        self.recvs = []
        self.ancillary = []
        self.flags = set()
        try:
            pc = sock.getsockopt(socket.SOL_SOCKET, SO_PEERCRED, struct.calcsize('iII'))
            pid, uid, gid = struct.unpack('iII', pc)
            self.peercred = {'pid': pid, 'uid': uid, 'gid': gid}
        except OSError:
            self.peercred = None
        sock.setblocking(False)

    def finish(self, cap, eof):
        # credentials repeat on every read: keep the distinct ones
        distinct = []
        for a in self.ancillary:
            if a not in distinct:
                distinct.append(a)
        cap.write(self.seq, bytes(self.data), {
            'kind': 'stream', 'socket': self.receiver.path, 'via_memfd': False,
            'ancillary': distinct, 'msg_flags': sorted(self.flags),
            'recvs': self.recvs, 'peercred': self.peercred, 'eof': eof,
        })
        self.sock.close()


def dgram_size(sock):
    """The size of the next datagram (MSG_PEEK|MSG_TRUNC gives the real
    length on AF_UNIX)."""
    return sock.recv_into(bytearray(1), 1, socket.MSG_PEEK | socket.MSG_TRUNC)


def take_datagram(cap, rcv):
    try:
        size = dgram_size(rcv.sock)
    except (BlockingIOError, InterruptedError):
        return False
    ancsize = socket.CMSG_SPACE(MAX_FDS * 4) + socket.CMSG_SPACE(12)
    data, ancdata, flags, addr = rcv.sock.recvmsg(max(size, 1) + 1, ancsize)
    seen, fds = parse_ancillary(ancdata)
    common = {'socket': rcv.path, 'ancillary': seen, 'msg_flags': flags_text(flags),
              'sender': address_text(addr)}
    seq = cap.next_seq()
    written = False
    if data or not fds:
        meta = {'kind': rcv.kind, 'via_memfd': False}
        meta.update(common)
        cap.write(seq, data, meta)
        written = True
    for fd in fds:
        try:
            content, info = read_fd(fd)
        finally:
            os.close(fd)
        meta = {'kind': rcv.kind, 'via_memfd': True, 'fd_info': info,
                'carried_by_seq': seq, 'payload_length': len(data)}
        meta.update(common)
        cap.write(cap.next_seq() if written else seq, content, meta)
        written = True
    return True


def serve(args):
    outdir = None
    specs = []
    timeout = 120.0
    ready = None
    passcred = True
    i = 0
    while i < len(args):
        a = args[i]
        if a in ('--dgram', '--stream', '--journal') and i + 1 < len(args):
            specs.append((a[2:], args[i + 1]))
            i += 2
        elif a == '--timeout' and i + 1 < len(args):
            timeout = float(args[i + 1])
            i += 2
        elif a == '--ready' and i + 1 < len(args):
            ready = args[i + 1]
            i += 2
        elif a == '--no-passcred':
            passcred = False
            i += 1
        elif outdir is None and not a.startswith('--'):
            outdir = a
            i += 1
        else:
            sys.stderr.write('wire_capture.py: bad argument %r\n' % a)
            return 2
    if outdir is None or not specs:
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(outdir, exist_ok=True)
    cap = Capture(outdir)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    sel = selectors.DefaultSelector()
    receivers = []
    for kind, path in specs:
        r = Receiver(kind, path, passcred)
        receivers.append(r)
        sel.register(r.sock, selectors.EVENT_READ, r)
    if ready:
        with open(ready, 'w') as f:
            f.write('%d\n' % os.getpid())
    conns = {}
    deadline = time.monotonic() + timeout

    def drain_conn(c):
        """Reads what the connection has; True at its end."""
        while True:
            try:
                data, ancdata, flags, _ = c.sock.recvmsg(1 << 16, socket.CMSG_SPACE(12))
            except (BlockingIOError, InterruptedError):
                return False
            except ConnectionResetError:
                return True
            seen, fds = parse_ancillary(ancdata)
            for fd in fds:
                os.close(fd)
            if not data:
                return True
            c.ancillary.extend(seen)
            c.flags.update(flags_text(flags))
            c.data += data
            c.recvs.append(len(data))

    def poll(wait):
        for key, _ in sel.select(wait):
            obj = key.data
            if isinstance(obj, Conn):
                if drain_conn(obj):
                    sel.unregister(obj.sock)
                    del conns[obj.sock.fileno()]
                    obj.finish(cap, True)
            elif obj.kind == 'stream':
                while True:
                    try:
                        s, _ = obj.sock.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    c = Conn(obj, s, cap.next_seq())
                    conns[s.fileno()] = c
                    sel.register(s, selectors.EVENT_READ, c)
            else:
                while take_datagram(cap, obj):
                    pass

    try:
        while not stop and time.monotonic() < deadline:
            try:
                poll(0.2)
            except InterruptedError:
                continue
        # what is still queued: datagrams, pending connections, open streams
        for _ in range(5):
            poll(0.05)
        for c in list(conns.values()):
            eof = drain_conn(c)
            sel.unregister(c.sock)
            c.finish(cap, eof)
        conns.clear()
    finally:
        for r in receivers:
            r.close()
    if not cap.entries:
        with open(os.path.join(outdir, 'index.json'), 'w') as f:
            f.write('[]\n')
    return 0


def stale(path, kind):
    if os.path.lexists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM if kind == 'stream' else socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    s.close()
    return 0


def show(outdir):
    with open(os.path.join(outdir, 'index.json'), encoding='utf-8') as f:
        entries = json.load(f)
    for e in entries:
        with open(os.path.join(outdir, e['file']), 'rb') as f:
            data = f.read(300)
        extra = []
        for a in e.get('ancillary', []):
            if a['type'] == 'SCM_CREDENTIALS':
                extra.append('creds=%d/%d/%d' % (a['pid'], a['uid'], a['gid']))
            elif a['type'] == 'SCM_RIGHTS':
                extra.append('fds=%d' % a['fds'])
        if e.get('peercred'):
            extra.append('peercred=%(pid)d/%(uid)d/%(gid)d' % e['peercred'])
        if e.get('via_memfd'):
            info = e.get('fd_info', {})
            extra.append('memfd=%s seals=%s' % (info.get('proc_link'), ','.join(info.get('seal_names') or [])))
        if e.get('msg_flags'):
            extra.append('flags=' + ','.join(e['msg_flags']))
        print('%s %s %s len=%d %s: %s' % (e['file'], e['kind'], e['socket'], e['length'], ' '.join(extra),
                                          escape(data)))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == 'serve':
        return serve(argv[2:])
    if len(argv) in (3, 4) and argv[1] == 'stale':
        return stale(argv[2], argv[3] if len(argv) == 4 else 'dgram')
    if len(argv) == 3 and argv[1] == 'show':
        return show(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))

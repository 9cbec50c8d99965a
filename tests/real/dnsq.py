#!/usr/bin/python3
"""A small DNS client over UDP for tests/real (standard library only).

dnsq.py PORT NAME[:QTYPE]...  asks 127.0.0.1:PORT each NAME (QTYPE a number,
default 1 = A) and prints one line per question:
    NAME[:QTYPE] rcode=N ANSWER,...      (A/AAAA as addresses, PTR as names)
or  NAME[:QTYPE] timeout                 (no answer within DNSQ_TIMEOUT, 2 s)
"""
import os
import random
import socket
import struct
import sys


def encode_name(name):
    out = b''
    for label in name.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode('ascii')
    return out + b'\0'


def read_name(data, i):
    """The name at offset i (following compression pointers) and the offset
    after it."""
    labels = []
    end = None
    for _ in range(128):
        n = data[i]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = i + 2
            i = ((n & 0x3F) << 8) | data[i + 1]
            continue
        if n == 0:
            i += 1
            break
        labels.append(data[i + 1:i + 1 + n].decode('ascii', 'replace'))
        i += 1 + n
    return '.'.join(labels), (end if end is not None else i)


def ask(port, name, qtype, timeout):
    tid = random.randrange(65536)
    packet = struct.pack('>HHHHHH', tid, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack('>HH', qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.sendto(packet, ('127.0.0.1', port))
    try:
        while True:
            data = s.recv(4096)
            if len(data) >= 12 and struct.unpack('>H', data[:2])[0] == tid:
                break
    except socket.timeout:
        return 'timeout'
    finally:
        s.close()
    _, flags, qd, an, _, _ = struct.unpack('>HHHHHH', data[:12])
    i = 12
    for _ in range(qd):
        _, i = read_name(data, i)
        i += 4
    answers = []
    for _ in range(an):
        _, i = read_name(data, i)
        rtype, _, _, rdlen = struct.unpack('>HHIH', data[i:i + 10])
        i += 10
        rdata = data[i:i + rdlen]
        if rtype == 1:
            answers.append(socket.inet_ntop(socket.AF_INET, rdata))
        elif rtype == 28:
            answers.append(socket.inet_ntop(socket.AF_INET6, rdata))
        elif rtype == 12:
            answers.append(read_name(data, i)[0])
        else:
            answers.append('type%d' % rtype)
        i += rdlen
    return 'rcode=%d %s' % (flags & 0xF, ','.join(answers))


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    port = int(argv[1])
    timeout = float(os.environ.get('DNSQ_TIMEOUT', '2'))
    for arg in argv[2:]:
        name, _, qtype = arg.partition(':')
        print(arg, ask(port, name, int(qtype or 1), timeout), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

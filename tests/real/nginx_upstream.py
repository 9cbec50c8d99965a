#!/usr/bin/python3
"""An HTTP upstream that accepts connections and never answers.

nginx_upstream.py PORT [SECONDS]

Listens on 127.0.0.1:PORT, accepts every connection, reads what comes and
never writes a byte, so that nginx's proxy_read_timeout fires (504). Each
connection is closed when the peer closes it; the program ends by itself
after SECONDS (default 120) or on SIGTERM.
"""
import selectors
import signal
import socket
import sys
import time


def main():
    port = int(sys.argv[1])
    lifetime = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', port))
    srv.listen(16)
    srv.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    end = time.monotonic() + lifetime
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.5):
            if key.fileobj is srv:
                try:
                    conn, _ = srv.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ)
            else:
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except ConnectionError:
                    data = b''
                if data == b'':
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())

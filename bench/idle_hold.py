#!/usr/bin/env python3
"""Opens many idle TCP connections and holds them: bench/idle-threads.sh's load.

usage: idle_hold.py PORT CONNECTIONS PROCESSES HOLD_SECONDS

Each process connects its share from its own source address (127.0.P.1, P = 1, 2, ...): one address has about
28,000 ephemeral ports and one process may hold at most 20,000 descriptors here. The connections send nothing.
While they are held, each process watches them: a connection the server answers (an HTTP 503 refusal) or closes
counts as refused. Prints one line of totals: opened, refused with 503, closed without a word, still open at the
end, connect errors.
"""
import multiprocessing
import selectors
import socket
import sys
import time


def hold(port, count, index, seconds, out):
    source = "127.0.%d.1" % (index + 1)
    sel = selectors.DefaultSelector()
    opened = errors = 0
    for _ in range(count):
        s = socket.socket()
        try:
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
        except OSError:
            errors += 1
            s.close()
            continue
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
        opened += 1
    refused = closed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
            s = key.fileobj
            try:
                data = s.recv(64)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 503"):
                refused += 1
            else:
                closed += 1
            sel.unregister(s)
            s.close()
    still = len(sel.get_map())
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    out.put((opened, refused, closed, still, errors))


def main():
    port, total, procs, seconds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    out = multiprocessing.Queue()
    share = [total // procs + (1 if i < total % procs else 0) for i in range(procs)]
    workers = [multiprocessing.Process(target=hold, args=(port, n, i, seconds, out)) for i, n in enumerate(share)]
    for w in workers:
        w.start()
    sums = [0] * 5
    for _ in workers:
        for i, v in enumerate(out.get()):
            sums[i] += v
    for w in workers:
        w.join()
    print("opened=%d refused_503=%d closed_silently=%d still_open=%d connect_errors=%d" % tuple(sums))


if __name__ == "__main__":
    main()

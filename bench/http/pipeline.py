#!/usr/bin/env python3
"""Times N pipelined GETs sent in one write on one connection, until the last response is in.

    bench/http/pipeline.py PORT [PATH] [--requests 1000] [--rounds 20]

Each round opens a fresh connection, writes every request at once, reads until N responses' bytes are in
and stops the clock (responses to one path all have the same length, learnt first from one request). Prints the median, best and worst round
in seconds, and checks every response was a 200.
"""
import argparse
import socket
import statistics
import time


def one_response(port, path):
    """The byte length of one whole response to GET path on a keep-alive connection (head and body)."""
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode())
        data = b""
        while True:
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                lines = data[:end].decode("latin-1").split("\r\n")
                if not lines[0].startswith("HTTP/1.1 200"):
                    raise SystemExit("unexpected response: " + lines[0])
                length = [int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:")][0]
                if len(data) >= end + 4 + length:
                    return end + 4 + length
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("connection closed before one response")
            data += chunk
    finally:
        s.close()


def one_round(port, path, n, size):
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        payload = req * n
        start = time.perf_counter()
        s.sendall(payload)
        # The responses to one path have one length (Date keeps its width), learnt untimed by one_response():
        # reading bytes without parsing keeps the client's own cost out of the figure.
        want = n * size
        got = 0
        chunks = []
        while got < want:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise SystemExit("connection closed after %d of %d bytes" % (got, want))
            got += len(chunk)
            chunks.append(chunk)
        elapsed = time.perf_counter() - start
        data = b"".join(chunks)
        if got != want or data.count(b"HTTP/1.1 200 ") != n:
            raise SystemExit("expected %d responses of %d bytes, each a 200; got %d bytes" % (n, size, got))
        return elapsed
    finally:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("path", nargs="?", default="/1k.txt")
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=20, help="untimed rounds first (JIT warm-up)")
    a = ap.parse_args()
    size = one_response(a.port, a.path)
    for _ in range(a.warmup):
        one_round(a.port, a.path, a.requests, size)
    times = [one_round(a.port, a.path, a.requests, size) for _ in range(a.rounds)]
    print("%.4f %.4f %.4f" % (statistics.median(times), min(times), max(times)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Connection set-up cost of a polyserve echo server, one fresh connection at a time.

Each sample: connect, send one line, read its echo, close. The time covers everything a new client waits for:
the TCP handshake, the server accepting and (for the process models) starting a child, and the first round trip.
Sequential on purpose: it measures latency per connection, not throughput.

usage: connect_cost.py PORT [COUNT] [--server-pid PID]
  prints median, p90, p99 and mean in milliseconds, connections per second, and, with --server-pid, the server
  process tree's CPU seconds (utime+stime of it and its descendants, from /proc) per connection.
"""
import os
import socket
import statistics
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root):
    """utime+stime of root and every live descendant, plus what reaped children used (cutime+cstime)."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append((int(name), fields))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    total = 0
    stack = [root]
    with open(f"/proc/{root}/stat") as f:
        root_fields = f.read().rsplit(")", 1)[1].split()
    total += sum(int(x) for x in root_fields[11:15])  # utime stime cutime cstime
    while stack:
        pid = stack.pop()
        for child, fields in children.get(pid, []):
            total += int(fields[11]) + int(fields[12])  # live child: its own utime+stime
            stack.append(child)
    return total / TICKS


def main():
    args = sys.argv[1:]
    pid = None
    if "--server-pid" in args:
        i = args.index("--server-pid")
        pid = int(args[i + 1])
        del args[i:i + 2]
    port = int(args[0])
    count = int(args[1]) if len(args) > 1 else 200
    line = b"ping\n"
    samples = []
    cpu0 = tree_cpu_seconds(pid) if pid else None
    wall0 = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(line)
            got = b""
            while len(got) < len(line):
                chunk = s.recv(len(line) - len(got))
                if not chunk:
                    raise SystemExit(f"server closed early after {got!r}")
                got += chunk
        samples.append((time.perf_counter() - t0) * 1000)
    wall = time.perf_counter() - wall0
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
    out = (f"connections {count}  median {statistics.median(samples):.3f} ms  p90 {q(0.90):.3f} ms  "
           f"p99 {q(0.99):.3f} ms  mean {statistics.fmean(samples):.3f} ms  {count / wall:.1f} conn/s")
    if pid:
        cpu = tree_cpu_seconds(pid) - cpu0
        out += f"  server CPU {cpu:.2f} s = {cpu * 1000 / count:.2f} ms/conn"
    print(out)


if __name__ == "__main__":
    main()

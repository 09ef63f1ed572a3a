#!/usr/bin/env python3
"""Runs a command and reports the CPU seconds a server process tree spent meanwhile.

  cpu-during.py SERVER_PID -- COMMAND [ARGS...]

Prints the command's stdout unchanged, then one last line "cpu_s=<seconds>" on stderr. The tree (the server
and every live descendant, e.g. vsftpd's per-session processes) is sampled every 20 ms from /proc; each
process counts with its last seen utime+stime minus what it had at the start, so short-lived session
processes count too (losing at most the last 20 ms of one that exits between samples).
"""
import os, subprocess, sys, threading, time

HZ = os.sysconf("SC_CLK_TCK")
root = int(sys.argv[1])
cmd = sys.argv[sys.argv.index("--") + 1:]


def tree(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


start = {p: t for p in tree(root) if (t := ticks(p)) is not None}
last = dict(start)
stop = threading.Event()


def sample():
    while not stop.is_set():
        for p in tree(root):
            t = ticks(p)
            if t is not None:
                last[p] = max(t, last.get(p, 0))
        stop.wait(0.02)


th = threading.Thread(target=sample, daemon=True)
th.start()
rc = subprocess.call(cmd)
stop.set()
th.join()
for p in tree(root):
    t = ticks(p)
    if t is not None:
        last[p] = max(t, last.get(p, 0))
used = sum(t - start.get(p, 0) for p, t in last.items())
print(f"cpu_s={used / HZ:.2f}", file=sys.stderr)
sys.exit(rc)

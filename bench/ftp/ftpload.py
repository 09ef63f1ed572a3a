#!/usr/bin/env python3
"""Concurrent FTP load in the shape of pyftpdlib's benchmark: N clients at once connect and log in, then
each RETRs (or STORs) one file. Prints one line of JSON with the seconds each phase took.

  ftpload.py --port 2121 --user U --password P --clients 200 --retr big10m.bin --stor-dir incoming

All clients log in first (timed: "login_s"), then start the transfer together (timed from the common start
to the last 226: "retr_s" / "stor_s"). Each client uses its own thread and ftplib with 64 KiB blocks.

--timeout S bounds each phase: a client's socket operations time out after S seconds, and a phase whose clients
are not all done S seconds after its start ends there: the clients still running are counted ("stuck": {phase: n})
and the run stops after printing what it has, instead of hanging on a server that lost a client.
--server-pid PID adds the server process tree's CPU seconds per phase ("login_cpu_s", "retr_cpu_s", ...): utime +
stime from /proc, sampled every 20 ms so short-lived session processes (vsftpd's) count too.
"""
import argparse, ftplib, io, json, os, sys, threading, time

from treecpu import TreeCpu

p = argparse.ArgumentParser()
p.add_argument("--host", default="127.0.0.1")
p.add_argument("--port", type=int, required=True)
p.add_argument("--user", default="anonymous")
p.add_argument("--password", default="bench@")
p.add_argument("--clients", type=int, default=200)
p.add_argument("--retr", help="file every client downloads")
p.add_argument("--stor-dir", help="directory every client uploads a file into")
p.add_argument("--warm", action="store_true", help="after the first logins, quit all and log in again (login_warm_s)")
p.add_argument("--idle", type=int, default=0, help="also STOR again with this many more sessions logged in and idle")
p.add_argument("--size", type=int, default=10 * 1024 * 1024, help="bytes each STOR sends")
p.add_argument("--timeout", type=float, default=120, help="seconds a phase (and each socket operation) may take")
p.add_argument("--server-pid", type=int, help="report this process tree's CPU seconds per phase")
a = p.parse_args()

BLOCK = 64 * 1024
payload = bytes(range(256)) * (a.size // 256)
errors, got = [], [0] * a.clients
result = {"clients": a.clients}


cpu = TreeCpu(a.server_pid) if a.server_pid else None


def finish():
    result["errors"] = len(errors)
    if errors:
        result["first_errors"] = errors[:3]
    print(json.dumps(result), flush=True)


def run_phase(name, work, key):
    start = threading.Barrier(a.clients + 1)

    def body(i):
        start.wait()
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{name} client {i}: {e!r}")

    # Daemon threads: a client stuck past the deadline must not keep the process alive.
    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(a.clients)]
    for t in threads:
        t.start()
    cpu0 = cpu.seconds() if cpu else 0
    t0 = time.perf_counter()
    start.wait()
    deadline = t0 + a.timeout
    for t in threads:
        t.join(max(0.0, deadline - time.perf_counter()))
    result[key] = round(time.perf_counter() - t0, 3)
    if cpu:
        result[key.replace("_s", "_cpu_s")] = round(cpu.seconds() - cpu0, 2)
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        result.setdefault("stuck", {})[key.removesuffix("_s")] = stuck
        finish()
        sys.stdout.flush()
        os._exit(3)


sessions = [None] * a.clients


def login(i):
    f = ftplib.FTP()
    f.connect(a.host, a.port, timeout=a.timeout)
    f.login(a.user, a.password)
    sessions[i] = f


def retr(i):
    def sink(b):
        got[i] += len(b)
    sessions[i].retrbinary("RETR " + a.retr, sink, blocksize=BLOCK)


def stor(i):
    sessions[i].storbinary(f"STOR {a.stor_dir}/load-{i}.bin", io.BytesIO(payload), blocksize=BLOCK)


run_phase("login", login, "login_s")
if a.warm:  # the same logins again: a server that caches verified credentials answers them without the hash
    for f in sessions:
        try:
            f and f.quit()
        except Exception:  # noqa: BLE001 - closing between phases
            pass
    run_phase("login", login, "login_warm_s")
if a.retr:
    run_phase("retr", retr, "retr_s")
    result["retr_bytes"] = sum(got)
if a.stor_dir:
    run_phase("stor", stor, "stor_s")
    result["stor_bytes"] = a.clients * len(payload)
if a.stor_dir and a.idle:  # the same STOR while a.idle more sessions sit logged in and silent
    idle = []
    for _ in range(a.idle):
        f = ftplib.FTP()
        try:
            f.connect(a.host, a.port, timeout=a.timeout)
            f.login(a.user, a.password)
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors.append(f"idle session: {e!r}")
        idle.append(f)
    run_phase("stor", stor, "stor_idle_s")
    sessions += idle
for f in sessions:
    try:
        f and f.quit()
    except Exception:  # noqa: BLE001 - closing after the measurement
        pass
finish()

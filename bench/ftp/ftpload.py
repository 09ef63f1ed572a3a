#!/usr/bin/env python3
"""Concurrent FTP load in the shape of pyftpdlib's benchmark: N clients at once connect and log in, then
each RETRs (or STORs) one file. Prints one line of JSON with the seconds each phase took.

  ftpload.py --port 2121 --user U --password P --clients 200 --retr big10m.bin --stor-dir incoming

All clients log in first (timed: "login_s"), then start the transfer together (timed from the common start
to the last 226: "retr_s" / "stor_s"). Each client uses its own thread and ftplib with 64 KiB blocks.
"""
import argparse, ftplib, io, json, threading, time

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
a = p.parse_args()

BLOCK = 64 * 1024
payload = bytes(range(256)) * (a.size // 256)
errors, got = [], [0] * a.clients


def run_phase(name, work):
    start = threading.Barrier(a.clients + 1)
    done = []

    def body(i):
        start.wait()
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - every failure is counted and reported
            errors.append(f"{name} client {i}: {e!r}")
        done.append(i)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(a.clients)]
    for t in threads:
        t.start()
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


sessions = [None] * a.clients


def login(i):
    f = ftplib.FTP()
    f.connect(a.host, a.port, timeout=120)
    f.login(a.user, a.password)
    sessions[i] = f


def retr(i):
    def sink(b):
        got[i] += len(b)
    sessions[i].retrbinary("RETR " + a.retr, sink, blocksize=BLOCK)


def stor(i):
    sessions[i].storbinary(f"STOR {a.stor_dir}/load-{i}.bin", io.BytesIO(payload), blocksize=BLOCK)


result = {"clients": a.clients, "login_s": round(run_phase("login", login), 3)}
if a.warm:  # the same logins again: a server that caches verified credentials answers them without the hash
    for f in sessions:
        try:
            f and f.quit()
        except Exception:  # noqa: BLE001 - closing between phases
            pass
    result["login_warm_s"] = round(run_phase("login", login), 3)
if a.retr:
    result["retr_s"] = round(run_phase("retr", retr), 3)
    result["retr_bytes"] = sum(got)
if a.stor_dir:
    result["stor_s"] = round(run_phase("stor", stor), 3)
    result["stor_bytes"] = a.clients * len(payload)
if a.stor_dir and a.idle:  # the same STOR while a.idle more sessions sit logged in and silent
    idle = []
    for _ in range(a.idle):
        f = ftplib.FTP()
        f.connect(a.host, a.port, timeout=120)
        f.login(a.user, a.password)
        idle.append(f)
    result["stor_idle_s"] = round(run_phase("stor", stor), 3)
    sessions += idle
for f in sessions:
    try:
        f and f.quit()
    except Exception:  # noqa: BLE001 - closing after the measurement
        pass
result["errors"] = len(errors)
if errors:
    result["first_errors"] = errors[:3]
print(json.dumps(result))

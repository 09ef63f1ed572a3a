#!/usr/bin/env python3
"""Where a polyserve server's CPU time went, from a JFR recording's jdk.CPUTimeSample events (bench/http/profile.sh):
by event-loop phase (the flush's writes, reads with the handler under them, the readiness wait, accept), by thread,
by top frame (system calls show as their JDK native method or, on the FFM engines, as the downcall's LambdaForm),
and by the first polyserve frame on the stack.

  jfr-cpu.py RECORDING.jfr [N]
"""
import collections, json, os, shutil, subprocess, sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
jfr = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jfr")
if not os.path.exists(jfr):
    jfr = shutil.which("jfr") or "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"
out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events", "jdk.CPUTimeSample", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(out)["recording"]["events"]


def name(frame):
    m = frame["method"]
    return m["type"]["name"].replace("/", ".") + "." + m["name"]


def phase(names):
    for f in names:  # innermost first
        if f.endswith("EventLoop.runFlushes"):
            return "flush (the round's writes)"
        if "readOnce" in f or f.endswith("SocketDispatcher.read0") or "HttpConnectionHandler" in f or ".received" in f:
            return "read + handler"
        if "EPoll.wait" in f or "doSelect" in f:
            return "readiness wait"
        if "accept" in f.lower():
            return "accept"
    return "other (uring: submit/complete in one io_uring_enter, JVM, JFR)"


top, ours, phases, threads = (collections.Counter() for _ in range(4))
for e in events:
    frames = (e["values"].get("stackTrace") or {}).get("frames") or []
    thread = (e["values"].get("eventThread") or {}).get("javaName") or "?"
    threads["-".join(thread.split("-")[:2])] += 1
    names = [name(f) for f in frames]
    top[names[0] if names else "(no stack)"] += 1
    phases[phase(names)] += 1
    ours[next((f for f in names if f.startswith("dev.polyserve")), "(no polyserve frame)")] += 1
total = max(1, len(events))
print(f"jdk.CPUTimeSample: {len(events)} samples\n")
for title, counter in (("loop phase", phases), ("thread", threads), ("top frame", top), ("first polyserve frame", ours)):
    print(f"| {title} | samples | share |\n|---|---|---|")
    for k, v in counter.most_common(n):
        print(f"| `{k}` | {v} | {100.0 * v / total:.1f} % |")
    print()

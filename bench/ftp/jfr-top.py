#!/usr/bin/env python3
"""The hottest frames of a JFR recording: jdk.ExecutionSample (Java code on a CPU) by top frame, and by the first
polyserve frame on the stack (which of our code the time is spent under), plus jdk.NativeMethodSample (threads in
native code: system calls, FFM downcalls) by top frame.

  jfr-top.py RECORDING.jfr [N]

Uses the JDK's `jfr print --json` (JAVA_HOME/bin/jfr, else jfr on PATH).
"""
import collections, json, os, shutil, subprocess, sys

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 12
jfr = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jfr")
if not os.path.exists(jfr):
    jfr = shutil.which("jfr") or "/usr/lib/jvm/temurin-25-jdk-amd64/bin/jfr"


def events(kind):
    out = subprocess.run([jfr, "print", "--json", "--stack-depth", "64", "--events", kind, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def name(frame):
    m = frame["method"]
    return f'{m["type"]["name"]}.{m["name"]}'


def table(title, counter, total):
    print(f"| {title} | samples | share |")
    print("|---|---|---|")
    for k, v in counter.most_common(n):
        print(f"| `{k}` | {v} | {100.0 * v / total:.1f} % |")
    print()


ex = events("jdk.ExecutionSample")
top, ours = collections.Counter(), collections.Counter()
for e in ex:
    frames = e["values"]["stackTrace"]["frames"] if e["values"].get("stackTrace") else []
    if not frames:
        continue
    top[name(frames[0])] += 1
    mine = next((name(f) for f in frames if f["method"]["type"]["name"].startswith("dev.polyserve")), "(no polyserve frame)")
    ours[mine] += 1
total = max(1, sum(top.values()))
print(f"jdk.ExecutionSample: {total} samples")
print()
table("top frame", top, total)
table("first polyserve frame", ours, total)

nat = events("jdk.NativeMethodSample")
ntop = collections.Counter()
for e in nat:
    st = e["values"].get("stackTrace")
    frames = st["frames"] if st else []
    if frames:
        mine = next((name(f) for f in frames if f["method"]["type"]["name"].startswith("dev.polyserve")), "")
        ntop[name(frames[0]) + (f" (under {mine})" if mine else "")] += 1
ntotal = max(1, sum(ntop.values()))
print(f"jdk.NativeMethodSample (threads in native code, running or blocked): {ntotal} samples")
print()
table("native top frame", ntop, ntotal)

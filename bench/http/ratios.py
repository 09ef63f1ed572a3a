#!/usr/bin/env python3
"""Reads bench/http/run.sh's Markdown table on stdin; prints each polyserve row as ratios against nginx and Netty.

    bench/http/run.sh | tee results.md | bench/http/ratios.py
"""
import sys

rows = []
for line in sys.stdin:
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) < 7 or cells[0] in ("server", "") or cells[0].startswith("---"):
        continue
    try:
        rows.append((cells[0], cells[1], float(cells[2]), float(cells[6])))
    except ValueError:
        continue

peers = {(s, e): (rps, per) for s, e, rps, per in rows if not s.startswith("polyserve")}
print("| server | endpoint | req/s vs nginx | req/s vs Netty | work per CPU-s vs nginx | work per CPU-s vs Netty |")
print("|---|---|---:|---:|---:|---:|")
for s, e, rps, per in rows:
    if not s.startswith("polyserve"):
        continue
    n, t = peers.get(("nginx", e)), peers.get(("netty", e))
    ratio = lambda a, b: f"{a / b:.2f}x" if b else "n/a"
    print(f"| {s} | {e} | {ratio(rps, n[0]) if n else 'n/a'} | {ratio(rps, t[0]) if t else 'n/a'} | "
          f"{ratio(per, n[1]) if n else 'n/a'} | {ratio(per, t[1]) if t else 'n/a'} |")

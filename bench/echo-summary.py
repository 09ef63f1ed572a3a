#!/usr/bin/env python3
"""Summarises bench/echo.sh result tables: one row per (model, connections), medians over rounds.

    bench/echo-summary.py bench/results/echo-jdk.md [more.md ...]

Ratios are the median of per-pair ratios (each polyserve run against the Netty run just before it),
not a ratio of medians: a pair shares the machine's load at that moment, which is the point.
"""
import statistics
import sys


def cells(line):
    return [c.strip() for c in line.strip().strip('|').split('|')]


def number(text):
    try:
        return float(text.split()[0].replace(',', ''))
    except (ValueError, IndexError):
        return None


def main(paths):
    groups = {}
    order = []
    for path in paths:
        with open(path, encoding='utf-8') as f:
            lines = [l for l in f if l.startswith('|') and not l.startswith('|---')]
        header = cells(lines[0])
        if 'msgs/s' not in header or 'new conns/s' in header:
            sys.exit(f'{path}: not a bench/echo.sh throughput table')
        col = {name: i for i, name in enumerate(header)}
        for line in lines[1:]:
            c = cells(line)
            if len(c) != len(header) or c[col['msgs/s']].startswith('failed'):
                continue
            key = (c[col['server']], c[col['model']], c[col['conns']].split()[0])
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(c)
    print('| server | model | conns | runs | msgs/s (median) | p99 µs (median) | msgs per server CPU-s (median) '
          '| x Netty msgs/s (median of pairs) | x Netty p99 (median of pairs) | served/errors |')
    print('|---|---|--:|--:|--:|--:|--:|--:|--:|---|')
    for key in sorted(order, key=lambda k: (int(k[2]), order.index(k))):
        rows = groups[key]

        def med(name, fmt):
            values = [number(r[col[name]]) for r in rows]
            values = [v for v in values if v is not None]
            return fmt.format(statistics.median(values)) if values else ''

        notes = sorted({r[col['conns']] for r in rows if '(' in r[col['conns']]})
        errors = sorted({r[col['errors']] for r in rows if r[col['errors']] not in ('0', '')})
        remark = '; '.join(notes + ([f'errors {", ".join(errors)}'] if errors else []))
        print(f'| {key[0]} | {key[1]} | {key[2]} | {len(rows)} | {med("msgs/s", "{:,.0f}")} | {med("p99 µs", "{:,.0f}")} '
              f'| {med("msgs per server CPU-s", "{:,.0f}")} | {med("x Netty msgs/s", "{:.2f}")} '
              f'| {med("x Netty p99", "{:.2f}")} | {remark} |')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])

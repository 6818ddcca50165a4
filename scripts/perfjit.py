#!/usr/bin/env python3
"""Attribute perf samples to translated blocks.

x86bt keeps its translation cache in a memfd mapping, which perf report
shows as one unknown region.  Run x86bt with X86BT_PERF_MAP=1 (it writes
/tmp/perf-<pid>.map: "start size guest_<eip>_<sys|user>" per block) under
perf record, then:

    perf script -F ip | scripts/perfjit.py /tmp/perf-<pid>.map [N]

prints the N (default 25) blocks with the most samples, and how many
samples fell in translated code at all.  After a cache flush the same host
addresses are reused; a sample counts for the last block mapped there.
"""
import bisect
import sys


def load_map(path):
    spans = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            start, size = int(parts[0], 16), int(parts[1], 16)
            spans[start] = (start + size, parts[2])
    starts = sorted(spans)
    return starts, [spans[s] for s in starts]


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: perf script -F ip | perfjit.py MAP [N]")
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    starts, spans = load_map(sys.argv[1])
    counts = {}
    total = hit = 0
    for line in sys.stdin:
        word = line.strip().split()
        if not word:
            continue
        try:
            ip = int(word[0], 16)
        except ValueError:
            continue
        total += 1
        i = bisect.bisect_right(starts, ip) - 1
        if i < 0 or ip >= spans[i][0]:
            continue
        hit += 1
        counts[spans[i][1]] = counts.get(spans[i][1], 0) + 1
    if not total:
        sys.exit("perfjit: no samples on stdin")
    print(f"{total} samples, {hit} ({100.0 * hit / total:.1f}%) in "
          "translated code")
    for name, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{100.0 * n / total:6.2f}%  {n:8d}  {name}")


if __name__ == "__main__":
    main()

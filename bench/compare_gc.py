#!/usr/bin/env python3
"""compare_gc.py - cyc::gc::collect() against CPython's gc.collect(), per object.

Runs the C++ benchmark (bench/gc_bench.cpp) and its CPython twin (bench/gc_cpython.py) on the
same shapes and prints, per shape: cyc ns/object, CPython ns/object, and CPython/cyc
("x faster"). Target: cyc at least 5x faster than CPython on cyclic_pairs and live_first.
Then the floor: gc_bench's read_pass, one read of every object live_first examines.

Usage: python3 bench/compare_gc.py [GC_BENCH] [--objects N] [--runs R] [--python PYTHON]
       GC_BENCH defaults to build/bench/gc_bench; build it in Release for meaningful figures.
Exit status: 0 when every targeted shape meets the target, 1 when one misses, 2 on errors.
"""
import argparse
import os
import sys

from json_lines import json_lines

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 5.0
TARGETED = ("cyclic_pairs", "live_first")


def run_jsonl(cmd):
    return {r["shape"]: r for r in json_lines(cmd, "compare_gc", "gc_bench")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gc_bench", nargs="?", default="build/bench/gc_bench")
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--python", default=sys.executable, help="the CPython to compare with")
    args = ap.parse_args()
    common = ["--objects", str(args.objects), "--runs", str(args.runs)]

    cyc = run_jsonl([args.gc_bench] + common)
    cpy = run_jsonl([args.python, os.path.join(HERE, "gc_cpython.py")] + common)
    pyver = next(iter(cpy.values()), {}).get("python", "?")

    print(f"objects per shape: {args.objects}, median of {args.runs} runs; CPython {pyver}")
    hdr = f"{'shape':<14} {'cyc ns/obj':>11} {'CPython ns/obj':>15} {'x faster':>10}  {'cyc traversed':>13}  target"
    print(hdr)
    print("-" * len(hdr))
    missed = False
    for shape in ("cyclic_pairs", "live_first", "live_second"):
        if shape not in cyc or shape not in cpy:
            print(f"{shape:<14} missing from {'gc_bench' if shape not in cyc else 'gc_cpython.py'}")
            missed = True
            continue
        c = cyc[shape]["ns_per_object"]
        p = cpy[shape]["ns_per_object"]
        ratio = p / c if c > 0 else float("inf")
        if shape in TARGETED:
            ok = ratio >= TARGET
            missed |= not ok
            verdict = f">= {TARGET:g}x: {'ok' if ok else 'MISSED'}"
        else:
            verdict = "(no target: unchanged heap)"
        print(f"{shape:<14} {c:>11.3f} {p:>15.3f} {ratio:>9.1f}x  {cyc[shape].get('traversed', 0):>13}  {verdict}")
    if "read_pass" in cyc and "live_first" in cyc:
        floor = cyc["read_pass"]["ns_per_object"]
        times = cyc["live_first"]["ns_per_object"] / floor if floor > 0 else float("inf")
        print(f"floor: one read pass over live_first's objects takes {floor:.3f} ns/object; "
              f"cyc's live_first is {times:.1f}x that")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

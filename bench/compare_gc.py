#!/usr/bin/env python3
"""compare_gc.py - cyc::gc::collect() against CPython's gc.collect(), per object.

Runs the C++ benchmark (bench/gc_bench.cpp) and its CPython twin (bench/gc_cpython.py) on the
same shapes and prints, per shape: cyc ns/object, CPython ns/object, and CPython/cyc
("x faster"). Target: cyc at least 5x faster than CPython on cyclic_pairs and live_first.
Then the floor: gc_bench's read_pass, one read of every object live_first examines.

The two run in alternation, --rounds times (each time R runs of each). Each side's figure is
its fastest run over all rounds, and "x faster" the ratio of the two: this machine has stretches
of seconds in which another load slows it, and they slow cyc's collections (bound by memory and
by instructions retired at a high rate) more than CPython's (bench/README.md, "two speeds"), so
a median measures how many such stretches each side met. The median of the rounds' ratios is
printed beside it ("median x").

Usage: python3 bench/compare_gc.py [GC_BENCH] [--objects N] [--runs R] [--rounds K] [--python PYTHON]
       GC_BENCH defaults to build/bench/gc_bench; build it in Release for meaningful figures.
Exit status: 0 when every targeted shape meets the target, 1 when one misses, 2 on errors.
"""
import os
import statistics
import sys

from json_lines import alternate, comparison_args, json_lines

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 5.0
TARGETED = ("cyclic_pairs", "live_first")


def run_jsonl(cmd):
    return {r["shape"]: r for r in json_lines(cmd, "compare_gc", "gc_bench")}


def print_rounds(rounds):
    """One line per targeted shape with each round's figures: this machine's speed is drawn per
    process (bench/README.md), so a miss can be told from the round that drew the slow speed."""
    for shape in TARGETED:
        cells = [f"{r[0][shape]['ns_per_object']:.1f}/{r[1][shape]['ns_per_object']:.1f}"
                 for r in rounds if shape in r[0] and shape in r[1]]
        if cells:
            print(f"rounds, {shape} cyc/CPython ns/obj: {', '.join(cells)}")
    reads = [f"{r[0]['read_pass']['ns_per_object']:.2f}" for r in rounds if "read_pass" in r[0]]
    if reads:
        print(f"rounds, cyc's read_pass ns/obj: {', '.join(reads)}")


def main():
    args = comparison_args(__doc__, "gc_bench", ("--runs", 5), rounds=5)
    common = ["--objects", str(args.objects), "--runs", str(args.runs)]
    rounds = alternate(args.rounds, [args.gc_bench] + common,
                       [args.python, os.path.join(HERE, "gc_cpython.py")] + common, run_jsonl)
    cyc, cpy = rounds[-1]
    pyver = next(iter(cpy.values()), {}).get("python", "?")

    def fastest(side, shape):
        return min(r[side][shape]["min_ns_per_object"] for r in rounds)

    def median_ratio(shape):
        ratios = [r[1][shape]["ns_per_object"] / r[0][shape]["ns_per_object"]
                  if r[0][shape]["ns_per_object"] > 0 else float("inf") for r in rounds]
        return statistics.median(ratios)

    print(f"objects per shape: {args.objects}; each side's fastest of {args.runs} runs in each of "
          f"{args.rounds} alternating rounds; CPython {pyver}")
    hdr = (f"{'shape':<14} {'cyc ns/obj':>11} {'CPython ns/obj':>15} {'x faster':>10} {'median x':>9}"
           f"  {'cyc traversed':>13}  target")
    print(hdr)
    print("-" * len(hdr))
    missed = False
    for shape in ("cyclic_pairs", "live_first", "live_second"):
        absent = [name for i, name in ((0, "gc_bench"), (1, "gc_cpython.py"))
                  if any(shape not in r[i] for r in rounds)]
        if absent:
            print(f"{shape:<14} missing from {absent[0]}")
            missed = True
            continue
        c = fastest(0, shape)
        p = fastest(1, shape)
        ratio = p / c if c > 0 else float("inf")
        if shape in TARGETED:
            ok = ratio >= TARGET
            missed |= not ok
            verdict = f">= {TARGET:g}x: {'ok' if ok else 'MISSED'}"
        else:
            verdict = "(no target: unchanged heap)"
        print(f"{shape:<14} {c:>11.3f} {p:>15.3f} {ratio:>9.1f}x {median_ratio(shape):>8.1f}x"
              f"  {cyc[shape].get('traversed', 0):>13}  {verdict}")
    print_rounds(rounds)
    if all("read_pass" in r[0] and "live_first" in r[0] for r in rounds):
        floor = fastest(0, "read_pass")
        times = fastest(0, "live_first") / floor if floor > 0 else float("inf")
        print(f"floor: one read pass over live_first's objects takes {floor:.3f} ns/object (fastest run); "
              f"cyc's fastest live_first is {times:.1f}x that")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

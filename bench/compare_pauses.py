#!/usr/bin/env python3
"""compare_pauses.py - the pauses of automatic collections, cyc against CPython, side by side.

Runs bench/pause_bench (C++, libcyc) and bench/pause_cpython.py on the same steady workload
(a live heap, then request/response cycles made and dropped with automatic collection on)
and prints, for each: collections per generation, and the pauses' p50, p99 and maximum,
overall and per generation. Targets: cyc's p99 at most a fifth of CPython's, and no cyc pause
over 10 ms. Pauses are wall-clock times: run it on an otherwise idle machine.

The two run in alternation, --rounds times. This machine has stretches of seconds in which
another load slows short work (bench/README.md): one round's p99 says as much about the
stretches it met as about the collector. The verdict takes the median of the rounds' p99
ratios, and the largest cyc pause of all rounds; the table is the median round's.

Usage: python3 bench/compare_pauses.py [PAUSE_BENCH] [--objects N] [--seconds S] [--rounds K]
                                       [--python PYTHON]
       PAUSE_BENCH defaults to build/bench/pause_bench; build it in Release.
Exit status: 0 when both targets are met, 1 when one is missed, 2 on errors.
"""
import os
import statistics
import sys

from json_lines import alternate, comparison_args, json_lines

HERE = os.path.dirname(os.path.abspath(__file__))
P99_RATIO = 5.0
MAX_US = 10000.0


def run_json(cmd):
    lines = json_lines(cmd, "compare_pauses", "pause_bench")
    if not lines:
        print(f"compare_pauses: {' '.join(cmd)} printed no result", file=sys.stderr)
        sys.exit(2)
    return lines[-1]


def row(name, r):
    return (f"{name:<10} {r['pauses']:>8} {r['p50_us']:>9.1f} {r['p99_us']:>9.1f} {r['max_us']:>10.1f}")


def p99_ratio(cyc, cpy):
    return cpy["p99_us"] / cyc["p99_us"] if cyc["p99_us"] > 0 else float("inf")


def print_round(cyc, cpy, args):
    """The table of one round: both sides, overall and per generation, and cyc's own figures."""
    print(f"live heap {args.objects} objects, {args.seconds} s of request/response cycles; CPython {cpy['python']}")
    print(f"iterations: cyc {cyc['iterations']}, CPython {cpy['iterations']}; collections per generation: "
          f"cyc {cyc['collections']}, CPython {cpy['collections']}")
    header = f"{'':<10} {'pauses':>8} {'p50 us':>9} {'p99 us':>9} {'max us':>10}"
    print(header)
    print("-" * len(header))
    for name, r in (("cyc", cyc), ("CPython", cpy)):
        print(row(name, r))
        for g, gen in enumerate(r["by_generation"]):
            if gen["pauses"]:
                print(row(f"  gen {g}", gen))
    if "noise" in cyc:
        n = cyc["noise"]
        print(f"machine noise: constant work of {n['p50_us']:.1f} us (cyc's median pause), timed between its "
              f"pauses, shows a p99 of {n['p99_us']:.1f} us, about the least cyc's p99 could be here")
    if "other_iterations" in cyc:
        o = cyc["other_iterations"]
        print(f"cyc's iterations without a collection (where the teardown left by automatic collections runs, "
              f"a few objects per allocation): p50 {o['p50_us']:.2f} us, p99 {o['p99_us']:.2f} us, "
              f"p99.9 {o['p999_us']:.2f} us, max {o['max_us']:.1f} us")


def main():
    args = comparison_args(__doc__, "pause_bench", ("--seconds", 10), rounds=3)
    common = ["--objects", str(args.objects), "--seconds", str(args.seconds)]
    rounds = alternate(args.rounds, [args.pause_bench] + common,
                       [args.python, os.path.join(HERE, "pause_cpython.py")] + common, run_json)

    ranked = sorted(rounds, key=lambda r: p99_ratio(*r))
    print_round(*ranked[(len(ranked) - 1) // 2], args)
    print(f"rounds ({args.rounds}), cyc p50/p99/max us against CPython's p99, and the p99 ratio:")
    for cyc, cpy in rounds:
        noise = f", noise p99 {cyc['noise']['p99_us']:.1f}" if "noise" in cyc else ""
        print(f"  cyc {cyc['p50_us']:.1f}/{cyc['p99_us']:.1f}/{cyc['max_us']:.1f}, CPython p99 "
              f"{cpy['p99_us']:.1f}: {p99_ratio(cyc, cpy):.1f}x{noise}")
    ratio = statistics.median(p99_ratio(*r) for r in rounds)
    worst = max(cyc["max_us"] for cyc, _ in rounds)
    p99_ok = ratio >= P99_RATIO
    max_ok = worst <= MAX_US
    print(f"p99: CPython/cyc = {ratio:.1f}x, the median of the rounds (target >= {P99_RATIO:.0f}x): "
          f"{'met' if p99_ok else 'MISSED'}")
    print(f"max: cyc {worst / 1000:.2f} ms over all rounds (target <= {MAX_US / 1000:.0f} ms): "
          f"{'met' if max_ok else 'MISSED'}")
    return 0 if p99_ok and max_ok else 1


if __name__ == "__main__":
    sys.exit(main())

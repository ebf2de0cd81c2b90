#!/usr/bin/env python3
"""ratio.py - cold `cyclops check` against `clang++ -fsyntax-only` on another project's build.

Like bench/compare_analyzer.py (and built on its pieces), with two differences that matter on a
project that is not this one:

  * cyclops runs with --no-cache, so every run is cold (compare_analyzer.py leaves the facts
    cache on, and from its second run on it times cached runs);
  * --exclude REGEX drops TUs that do not compile on this machine (IXWebSocket's old Catch2
    main does not build against a recent glibc), which would stop both sides.

Usage: python3 bench/realcode/ratio.py --cyclops BIN -p BUILD_DIR [--clang CLANG++] [--jobs 2]
                                       [--exclude REGEX] [--runs R]
Prints one line per worker count: wall seconds of each side and cyclops/parse, then the CPU
seconds (user + system of the child processes) of each side and their ratio, which a busy
machine disturbs less than wall time (median of R runs, the two sides alternating); with R
above 1 also each run's pair of ratios. Exit status 0, or 2 on errors. No target: this is a
measurement.
"""
import argparse
import os
import resource
import re
import shutil
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from compile_db import die, load_db  # noqa: E402
from compare_analyzer import time_cyclops, time_parse  # noqa: E402


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn, *args):
    """(wall, cpu) seconds of fn(*args), cpu being that of the child processes it waited for."""
    c0 = cpu_children()
    wall = fn(*args)
    return wall, cpu_children() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cyclops", required=True)
    ap.add_argument("--clang", default=shutil.which("clang++-19") or "clang++")
    ap.add_argument("-p", dest="build_dir", required=True)
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--exclude", help="drop TUs whose path matches this regex")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()

    tus = load_db(args.build_dir, None)
    if args.exclude:
        tus = [tu for tu in tus if not re.search(args.exclude, tu[1])]
    if not tus:
        die("no translation unit left")
    print(f"{len(tus)} translation units from {args.build_dir}/compile_commands.json; "
          f"median of {args.runs} run(s); peer: {args.clang} -fsyntax-only -w; cyclops --no-cache")
    hdr = (f"{'-j':>3} {'parse s':>9} {'cyclops s':>10} {'cyclops/parse':>14}"
           f" {'parse cpu s':>12} {'cyclops cpu s':>14} {'cpu ratio':>10}")
    print(hdr)
    print("-" * len(hdr))
    for j in [int(x) for x in args.jobs.split(",")]:
        parse, cyc = [], []
        for _ in range(args.runs):
            parse.append(timed(time_parse, args.clang, tus, j))
            cyc.append(timed(time_cyclops, args.cyclops, args.build_dir, tus, j))
        p = statistics.median(w for w, _ in parse)
        c = statistics.median(w for w, _ in cyc)
        pc = statistics.median(u for _, u in parse)
        cc = statistics.median(u for _, u in cyc)
        print(f"{j:>3} {p:>9.2f} {c:>10.2f} {c / p:>14.2f} {pc:>12.2f} {cc:>14.2f} {cc / pc:>10.2f}",
              flush=True)
        if args.runs > 1:
            print("    each run (wall, cpu): "
                  + ", ".join(f"{cw / pw:.2f} {cu / pu:.2f}" for (pw, pu), (cw, cu) in zip(parse, cyc)),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

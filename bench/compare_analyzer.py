#!/usr/bin/env python3
"""compare_analyzer.py - `cyclops check` against `clang++ -fsyntax-only` over the same TUs.

The analyzer parses every translation unit with Clang and then walks the AST, so the parse alone
is its floor. This script times, in one run on the same machine:

  * parse:   clang++ -fsyntax-only -w over each TU of a compile_commands.json, N at a time;
  * cyclops: cyclops check -p BUILD_DIR -j N over the same TUs (facts, graph, every rule),

for each N in --jobs (default 1 and 2), and prints cyclops/parse. Target: at most 1.25.

Usage: python3 bench/compare_analyzer.py [--cyclops BIN] [--clang CLANG++] [-p BUILD_DIR]
                                         [--jobs 1,2] [--filter REGEX] [--runs R]
  BUILD_DIR defaults to build (its compile_commands.json is this repository's own sources, a
  corpus that includes Clang's headers through analyzer/). Build cyclops in Release or
  RelWithDebInfo for meaningful figures. With --runs R each side runs R times, alternating,
  and the median is reported.
Exit status: 0 when every ratio meets the target, 1 when one misses, 2 on errors.
"""
import argparse
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import time

from compile_db import die, load_db

TARGET = 1.25


def syntax_only(clang, args):
    """The TU's own command, compiled by `clang` with -fsyntax-only -w (as cyclops runs it)."""
    out, skip = [clang, "-fsyntax-only", "-w"], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif a in ("-c", "-MD", "-MMD") or a.startswith("-o"):
            continue
        else:
            out.append(a)
    return out


def time_parse(clang, tus, jobs):
    def one(tu):
        directory, _, args = tu
        r = subprocess.run(syntax_only(clang, args), cwd=directory,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return tu[1], r.returncode, r.stderr
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for file, rc, err in pool.map(one, tus):
            if rc != 0:
                sys.stderr.write(err)
                die(f"clang -fsyntax-only failed on {file}")
    return time.perf_counter() - start


def time_cyclops(cyclops, build_dir, tus, jobs):
    # Cold: with the facts cache every run after the first would be a warm one
    # (bench/compare_cache.py measures that).
    cmd = [cyclops, "check", "-p", build_dir, "-j", str(jobs), "--format=json", "--no-cache",
           "--fail-on=error"] + [tu[1] for tu in tus]
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode == 2:
        sys.stderr.write(r.stderr)
        die("cyclops check failed (exit 2)")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cyclops", default="build/analyzer/cyclops")
    ap.add_argument("--clang", default=shutil.which("clang++-19") or "clang++")
    ap.add_argument("-p", dest="build_dir", default="build")
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--filter", help="only TUs whose path matches this regex")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()

    if not os.access(args.cyclops, os.X_OK):
        die(f"not found: {args.cyclops} (build it: cmake --build BUILD_DIR --target cyclops)")
    if not shutil.which(args.clang):
        die(f"not found: {args.clang}")
    tus = load_db(args.build_dir, args.filter)
    jobs = [int(j) for j in args.jobs.split(",")]

    print(f"{len(tus)} translation units from {args.build_dir}/compile_commands.json; "
          f"median of {args.runs} run(s); peer: {args.clang} -fsyntax-only")
    hdr = f"{'-j':>3} {'parse s':>9} {'cyclops s':>10} {'cyclops/parse':>14}  target"
    print(hdr)
    print("-" * len(hdr))
    missed = False
    for j in jobs:
        parse, cyc = [], []
        for _ in range(args.runs):  # alternate, so drift in machine load hits both sides
            parse.append(time_parse(args.clang, tus, j))
            cyc.append(time_cyclops(args.cyclops, args.build_dir, tus, j))
        p, c = statistics.median(parse), statistics.median(cyc)
        ratio = c / p
        ok = ratio <= TARGET
        missed |= not ok
        print(f"{j:>3} {p:>9.2f} {c:>10.2f} {ratio:>14.2f}  <= {TARGET} {'met' if ok else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""compare_cache.py - `cyclops check` with an empty facts cache against the same run repeated.

The facts cache lets a run over an unchanged tree skip Clang: each translation unit's facts
are read back, after checking that every file it read (system headers too) still has the
content they were extracted from. This script times, in one run on the same machine:

  * cold: cyclops check -p BUILD_DIR --cache-dir=EMPTY over the TUs (parses all, fills the cache);
  * warm: the same command again (takes every TU from the cache);
  * with --overhead also `--no-cache`, to show what filling the cache costs a cold run,

checks that the warm run took every TU from the cache and printed the same findings, and prints
warm/cold and the speedup. Target: a warm run at least 10x faster than a cold one.

Usage: python3 bench/compare_cache.py [--cyclops BIN] [-p BUILD_DIR] [--filter REGEX]
                                      [--exclude REGEX] [--runs R] [--warm-runs W] [-j N]
                                      [--overhead]
  BUILD_DIR defaults to build; its compile_commands.json is this repository's own, and the
  default --filter keeps the analyzer's and the runtime's sources (the analyzer's include
  Clang's headers: heavy, realistic TUs). On another project's build, `--filter .` keeps
  every TU and --exclude drops those that do not compile there. With --runs R each
  measurement is repeated R times, alternating, and the medians are reported; each cold run
  is followed by W warm ones (default 1). The cache lives in a temporary directory.
Exit status: 0 when the target is met, 1 when it is missed, 2 on errors.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from compile_db import die, load_db

TARGET = 10.0
DEFAULT_FILTER = r"/(analyzer|runtime)/src/"


def check(cyclops, build_dir, files, jobs, cache_args):
    """One cyclops check; returns (seconds, stdout, stderr)."""
    cmd = [cyclops, "check", "-p", build_dir, "--format=json", "--fail-on=error"] + cache_args + files
    if jobs:
        cmd += ["-j", str(jobs)]
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode == 2:
        sys.stderr.write(r.stderr)
        die("cyclops check failed (exit 2)")
    return elapsed, r.stdout, r.stderr


def from_cache(stderr):
    m = re.search(r"in (\d+) translation units? \((\d+) from the cache\)", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cyclops", default="build/analyzer/cyclops")
    ap.add_argument("-p", dest="build_dir", default="build")
    ap.add_argument("--filter", default=DEFAULT_FILTER, help="only TUs whose path matches this regex")
    ap.add_argument("--exclude", help="drop TUs whose path matches this regex")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--warm-runs", type=int, default=1, help="warm runs after each cold one")
    ap.add_argument("-j", dest="jobs", type=int, default=0, help="cyclops -j (default: one per core)")
    ap.add_argument("--overhead", action="store_true", help="also time --no-cache (what filling the cache costs)")
    args = ap.parse_args()

    if not os.access(args.cyclops, os.X_OK):
        die(f"not found: {args.cyclops} (build it: cmake --build BUILD_DIR --target cyclops)")
    files = sorted(file for _, file, _ in load_db(args.build_dir, args.filter)
                   if not (args.exclude and re.search(args.exclude, file)))
    if not files:
        die("no translation unit left")
    print(f"{len(files)} translation units from {args.build_dir}/compile_commands.json "
          f"(filter {args.filter!r}{f', exclude {args.exclude!r}' if args.exclude else ''}); "
          f"median of {args.runs} cold and {args.runs * args.warm_runs} warm run(s); "
          f"-j {args.jobs or 'one per core'}")

    cold, warm, none = [], [], []
    with tempfile.TemporaryDirectory(prefix="cyclops-cache-bench-") as tmp:
        cache = os.path.join(tmp, "cache")
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            c, cold_out, cold_err = check(args.cyclops, args.build_dir, files, args.jobs, [f"--cache-dir={cache}"])
            if from_cache(cold_err) is not None:
                die(f"the cold run took translation units from an empty cache:\n{cold_err}")
            cold.append(c)
            for _ in range(args.warm_runs):
                w, warm_out, warm_err = check(args.cyclops, args.build_dir, files, args.jobs,
                                              [f"--cache-dir={cache}"])
                counts = from_cache(warm_err)
                if counts is None or counts[0] != counts[1]:
                    die(f"the warm run did not take every translation unit from the cache:\n{warm_err}")
                if warm_out != cold_out:
                    die("the warm run's findings differ from the cold run's")
                warm.append(w)
            if args.overhead:
                n, none_out, _ = check(args.cyclops, args.build_dir, files, args.jobs, ["--no-cache"])
                if none_out != cold_out:
                    die("the --no-cache run's findings differ from the cold run's")
                none.append(n)

    c, w = statistics.median(cold), statistics.median(warm)
    ratio, speedup = w / c, c / w
    ok = speedup >= TARGET
    hdr = f"{'cold s':>8} {'warm s':>8} {'warm/cold':>10} {'speedup':>8}  target"
    print(hdr)
    print("-" * len(hdr))
    print(f"{c:>8.2f} {w:>8.3f} {ratio:>10.4f} {speedup:>7.1f}x  >= {TARGET:g}x {'met' if ok else 'MISSED'}")
    if none:
        n = statistics.median(none)
        print(f"--no-cache: {n:.2f} s; cold/--no-cache {c / n:.3f} (what filling the cache costs)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

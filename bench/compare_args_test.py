#!/usr/bin/env python3
"""compare_args_test.py - the comparisons' answers to bad input: one line naming the option or
the program at fault, and their documented exit status (2 for a bad option, 1 for a benchmark
program that is not built). Runs no benchmark. Prints "compare_args_test: ok" when all hold."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = [
    # script, arguments, exit status, the last line of stderr must contain
    ("compare_gc.py", ["--rounds", "0"], 2, "compare_gc.py: error: --rounds must be at least 1"),
    ("compare_pauses.py", ["--rounds", "-1"], 2, "compare_pauses.py: error: --rounds must be at least 1"),
    ("compare_gc.py", ["--rounds", "two"], 2, "argument --rounds: invalid int value: 'two'"),
    ("compare_gc.py", ["/nonexistent/gc_bench"], 1,
     "compare_gc: not found: /nonexistent/gc_bench (build it: cmake --build BUILD_DIR --target gc_bench)"),
    ("compare_pauses.py", ["/nonexistent/pause_bench", "--seconds", "1"], 1,
     "compare_pauses: not found: /nonexistent/pause_bench (build it: cmake --build BUILD_DIR --target pause_bench)"),
]


def main():
    failed = 0
    for script, args, status, expected in CASES:
        r = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, capture_output=True, text=True)
        last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        if r.returncode != status or expected not in last or r.stdout:
            failed += 1
            print(f"compare_args_test: {script} {' '.join(args)}: exit {r.returncode} (want {status}), "
                  f"stderr's last line {last!r} (want {expected!r}), stdout {r.stdout!r}")
    if failed:
        return 1
    print("compare_args_test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""json_lines.py - runs one side of a bench/compare_*.py comparison (a benchmark program of
bench/, or its CPython twin) and returns the JSON objects it printed, one per line.

A program that is not there, or that fails, ends the comparison: the first with exit status 1
and a hint to build it, the second with its stderr and exit status 2. Also what the comparisons
share around it: their options (comparison_args) and their alternating rounds (alternate)."""
import argparse
import json
import subprocess
import sys


def json_lines(cmd, script, target):
    """cmd: the command line; script: the caller's name for messages; target: the CMake target
    that builds cmd[0]."""
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit(f"{script}: not found: {cmd[0]} (build it: cmake --build BUILD_DIR --target {target})")
    except subprocess.CalledProcessError as e:
        sys.stderr.write(e.stderr)
        print(f"{script}: {' '.join(cmd)} failed with status {e.returncode}", file=sys.stderr)
        sys.exit(2)
    return [json.loads(line) for line in map(str.strip, out.stdout.splitlines()) if line.startswith("{")]


def comparison_args(doc, program, per_side, rounds):
    """Parses what both comparisons take: the benchmark program (default build/bench/PROGRAM),
    --objects, per_side = (option, default) for how long each side runs, --rounds (default
    `rounds`, at least 1) and --python."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument(program, nargs="?", default=f"build/bench/{program}")
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument(per_side[0], type=int, default=per_side[1])
    ap.add_argument("--rounds", type=int, default=rounds, help=f"alternations of the two (default {rounds})")
    ap.add_argument("--python", default=sys.executable, help="the CPython to compare with")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    return args


def alternate(rounds, cyc_cmd, cpython_cmd, run):
    """Runs the two sides one after the other, `rounds` times; returns [(cyc, cpython)], each
    what run(cmd) returned. A machine whose speed changes over seconds then meets both sides
    in every round."""
    return [(run(cyc_cmd), run(cpython_cmd)) for _ in range(rounds)]

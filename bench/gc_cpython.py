#!/usr/bin/env python3
"""gc_cpython.py - CPython's gc.collect() per object, on the shapes bench/gc_bench.cpp builds.

Shapes (each built from scratch for every run, with gc disabled while building):
  cyclic_pairs   objects/2 pairs a <-> b (instances of a __slots__ class), every external
                 reference dropped: all garbage. One gc.collect() finds and frees them all.
  live_first     a live graph: a root list holding objects-1 nodes, each node's `next`
                 pointing to the following node; the root stays referenced. gc.collect()
                 walks every tracked object (the graph and the interpreter's own).
  live_second    a second gc.collect() on the unchanged heap: CPython walks everything again.

Prints one JSON object per line and shape, the same format as gc_bench:
  {"impl":"cpython","shape":...,"objects":N,"runs":R,"ns_per_object":median,"ms":median,
   "min_ns_per_object":...,"max_ns_per_object":...,"collected":...,"traversed":...}
(traversed: objects tracked by the gc when collecting, i.e. what a full collection walks).

Usage: python3 bench/gc_cpython.py [--objects N] [--runs R]   (defaults 1000000 and 5)
"""
import argparse
import gc
import json
import statistics
import sys
import time


class Pair:
    __slots__ = ("other",)

    def __init__(self):
        self.other = None


class Node:
    __slots__ = ("next",)

    def __init__(self):
        self.next = None


def build_pairs(objects):
    for _ in range(objects // 2):
        a = Pair()
        b = Pair()
        a.other = b
        b.other = a
    # the last a, b are still bound to this frame's locals: drop them on return


def build_live(objects):
    nodes = objects - 1  # plus the root list itself
    root = [Node() for _ in range(nodes)]
    for i in range(nodes - 1):
        root[i].next = root[i + 1]
    return root


def timed_collect():
    tracked = len(gc.get_objects())
    t0 = time.perf_counter_ns()
    found = gc.collect()
    t1 = time.perf_counter_ns()
    return {"ns": t1 - t0, "collected": found, "traversed": tracked}


def emit(shape, objects, samples):
    ns = sorted(s["ns"] for s in samples)
    median = statistics.median(ns)
    last = samples[-1]
    print(json.dumps({
        "impl": "cpython",
        "shape": shape,
        "objects": objects,
        "runs": len(samples),
        "ns_per_object": round(median / objects, 4),
        "ms": round(median / 1e6, 3),
        "min_ns_per_object": round(ns[0] / objects, 4),
        "max_ns_per_object": round(ns[-1] / objects, 4),
        "collected": last["collected"],
        "traversed": last["traversed"],
        "python": sys.version.split()[0],
    }, separators=(",", ":")), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    objects = args.objects - args.objects % 2
    if objects < 2 or args.runs < 1:
        ap.error("--objects must be at least 2 and --runs at least 1")

    gc.disable()
    gc.collect()

    pairs = []
    for _ in range(args.runs):
        build_pairs(objects)
        pairs.append(timed_collect())
        if pairs[-1]["collected"] < objects:
            sys.exit(f"gc_cpython: cyclic_pairs: collected {pairs[-1]['collected']}, expected {objects}")
    emit("cyclic_pairs", objects, pairs)

    first, second = [], []
    for _ in range(args.runs):
        root = build_live(objects)
        first.append(timed_collect())
        second.append(timed_collect())
        del root  # freed by reference counting (untimed)
        gc.collect()
    emit("live_first", objects, first)
    emit("live_second", objects, second)


if __name__ == "__main__":
    main()

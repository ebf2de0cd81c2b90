#!/usr/bin/env python3
"""pause_cpython.py - the pauses of CPython's automatic collections under the steady workload
bench/pause_bench.cpp runs on libcyc (bench/compare_pauses.py puts them side by side).

Workload: a live heap of --objects objects (sessions, each holding a chain of nodes, all in
one root list), then for --seconds a loop that makes and drops request/response pairs: a
Request holds its session and its Response, the Response holds the Request and a callback (a
closure over the Request). Automatic collection on, CPython's default thresholds. Each pause
is timed by gc.callbacks ("start" to "stop").

Prints one JSON line, the same format as pause_bench:
  {"impl":"cpython","objects":N,"seconds":S,"iterations":I,"collections":[g0,g1,g2],
   "pauses":P,"p50_us":...,"p99_us":...,"max_us":...,
   "by_generation":[{"pauses":...,"p50_us":...,"p99_us":...,"max_us":...}, x3],"python":"3.x"}

Usage: python3 bench/pause_cpython.py [--objects N] [--sessions K] [--seconds S]
"""
import argparse
import gc
import json
import sys
import time


class Node:
    __slots__ = ("next",)

    def __init__(self):
        self.next = None


class Session:
    __slots__ = ("head",)

    def __init__(self):
        self.head = None


class Request:
    __slots__ = ("session", "response")


class Response:
    __slots__ = ("request", "on_done")


def build_live(objects, sessions):
    root = []
    chain = (objects - 1) // sessions - 1
    for _ in range(sessions):
        session = Session()
        prev = None
        for _ in range(chain):
            node = Node()
            if prev is None:
                session.head = node
            else:
                prev.next = node
            prev = node
        root.append(session)
    return root


def serve(session):
    request = Request()
    request.session = session
    response = Response()
    response.request = request
    request.response = response
    response.on_done = lambda: request


def percentile(values, p):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))]


def summary(values):
    values = sorted(values)
    return {"pauses": len(values), "p50_us": round(percentile(values, 0.5), 1),
            "p99_us": round(percentile(values, 0.99), 1), "max_us": round(values[-1] if values else 0.0, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=1000000)
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=10)
    args = ap.parse_args()
    if args.objects < 4 * args.sessions or args.seconds < 1:
        ap.error("--objects must be at least 4 per session and --seconds at least 1")

    gc.disable()
    root = build_live(args.objects, args.sessions)
    gc.collect()
    pauses = []
    by_gen = [[], [], []]
    started = [0]

    def timer(phase, info):
        if phase == "start":
            started[0] = time.perf_counter_ns()
            return
        us = (time.perf_counter_ns() - started[0]) / 1000
        pauses.append(us)
        by_gen[info["generation"]].append(us)

    gc.callbacks.append(timer)
    gc.enable()
    iterations = 0
    sessions = len(root)
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        for _ in range(64):
            serve(root[iterations % sessions])
            iterations += 1
    gc.disable()
    gc.callbacks.remove(timer)
    print(json.dumps({
        "impl": "cpython", "objects": args.objects, "seconds": args.seconds, "iterations": iterations,
        "collections": [len(v) for v in by_gen], **summary(pauses),
        "by_generation": [summary(v) for v in by_gen], "python": sys.version.split()[0],
    }, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()

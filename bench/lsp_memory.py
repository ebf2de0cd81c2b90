#!/usr/bin/env python3
"""The memory of `cyclops lsp` on a generated project of N translation units.

Each unit includes one shared header (50 types with std::shared_ptr fields, as a project's
common headers are) and defines two types of its own that form a cycle with a store. The
script starts the server over stdio, waits until the index of all N units ends ($/progress),
opens one file, saves it S times (each save is a parse and a whole-program analysis), and
reads the server's resident memory from /proc: after indexing, after the saves, and its peak
(VmHWM), and the median time from a save to its diagnostics. With --workdir the project (and
its facts cache) is kept there and reused by the next run: the index then reads the cache.
Run it at two sizes to see memory grow with the project and not with the saves:

  python3 bench/lsp_memory.py build/analyzer/cyclops --files 1000 --saves 20
  python3 bench/lsp_memory.py build/analyzer/cyclops --files 100 --saves 20
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lsp"))
from lsp_client import LspClient  # noqa: E402

COMMON_TYPES = 50


def common_header():
    lines = ["#pragma once", "#include <memory>", "#include <vector>", "namespace common {"]
    for i in range(COMMON_TYPES):
        lines.append(f"struct T{i + 1};" if i + 1 < COMMON_TYPES else "")
        lines.append(f"struct T{i} {{ std::shared_ptr<struct T{(i + 1) % COMMON_TYPES}> next; "
                     f"std::vector<std::shared_ptr<T{i}>> items; void set(std::shared_ptr<T{i}> p); }};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def unit(i):
    return f"""#include "common.h"
namespace u{i} {{
struct B;
struct A {{ std::shared_ptr<B> b; std::shared_ptr<common::T{i % COMMON_TYPES}> t; }};
struct B {{ std::shared_ptr<A> a; }};
void link() {{
  auto a = std::make_shared<A>();
  a->b = std::make_shared<B>();
  a->b->a = a;
}}
}}
void common::T{i % COMMON_TYPES}::set(std::shared_ptr<T{i % COMMON_TYPES}> p) {{ items.push_back(p); }}
"""


def make_project(root, files):
    os.makedirs(os.path.join(root, "build"))
    with open(os.path.join(root, "common.h"), "w") as f:
        f.write(common_header())
    commands = []
    for i in range(files):
        name = f"u{i:04}.cpp"
        with open(os.path.join(root, name), "w") as f:
            f.write(unit(i))
        commands.append({"directory": root, "arguments": ["c++", "-std=c++20", "-c", name], "file": name})
    with open(os.path.join(root, "build", "compile_commands.json"), "w") as f:
        json.dump(commands, f)


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) // 1024  # MiB
    return fields


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("cyclops")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("-j", type=int, default=2)
    parser.add_argument("--workdir", help="keep the project here, and reuse it if it is there")
    args = parser.parse_args()
    root = os.path.abspath(args.workdir) if args.workdir else tempfile.mkdtemp(prefix="cyclops-lsp-memory-")
    try:
        if not os.path.exists(os.path.join(root, "build", "compile_commands.json")):
            shutil.rmtree(root, ignore_errors=True)
            make_project(root, args.files)
        client = LspClient([os.path.abspath(args.cyclops), "lsp", f"-j{args.j}"], root,
                           os.path.join(root, "server-stderr.txt"))
        start = time.time()
        client.request("initialize", {"rootUri": "file://" + root, "capabilities": {"window": {"workDoneProgress": True}}})
        client.notify("initialized", {})
        client.wait_for(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end",
                        timeout=7200, what="the end of indexing")
        indexed = time.time() - start
        after_index = memory(client.proc.pid)
        path = os.path.join(root, "u0000.cpp")
        uri = "file://" + path
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "cpp", "version": 1,
                                                                "text": open(path).read()}})
        client.diagnostics_for(uri, lambda d: len(d) > 0, timeout=600)
        save_times, rss = [], []
        for _ in range(args.saves):
            saved = time.time()
            client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
            client.diagnostics_for(uri, lambda d: len(d) > 0, timeout=600)
            save_times.append(time.time() - saved)
            rss.append(memory(client.proc.pid)["VmRSS"])
        after_saves = memory(client.proc.pid)
        client.request("shutdown", None)
        client.notify("exit", None)
        client.close()
        print(f"{args.files} translation units: indexed in {indexed:.0f} s (-j{args.j}); "
              f"RSS after indexing {after_index['VmRSS']} MiB, after {args.saves} saves "
              f"{after_saves['VmRSS']} MiB, peak {after_saves['VmHWM']} MiB; a save's diagnostics after "
              f"{sorted(save_times)[len(save_times) // 2]:.2f} s (median)")
        marks = sorted({1, len(rss) // 4, len(rss) // 2, len(rss)} - {0})
        print("RSS after save " + ", ".join(f"{n}: {rss[n - 1]} MiB" for n in marks))
    finally:
        if not args.workdir:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

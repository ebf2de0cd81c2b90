#!/usr/bin/env python3
"""`cyclops lsp` in a real editor: headless Neovim (its built-in LSP client, neovim_test.lua)
opens main.cpp of the protocol test's project, whose capture cycle is closed by a setter
compiled in another file, and must receive cyclops's capture-cycle diagnostic for it.

usage: neovim_test.py --cyclops BIN --project DIR --workdir DIR [--nvim NVIM]
Exit status 0 pass, 1 fail, 77 skipped (no Neovim)."""

import argparse
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_test import make_project  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cyclops", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--nvim", default=shutil.which("nvim"))
    args = parser.parse_args()
    if not args.nvim:
        print("skipped: no nvim (Debian package neovim; scripts/setup installs it)")
        return 77
    workdir = os.path.abspath(args.workdir)
    root = os.path.join(workdir, "project")
    make_project(args.project, root)
    out = os.path.join(workdir, "received.json")
    if os.path.exists(out):
        os.remove(out)
    env = dict(os.environ, CYCLOPS_BIN=args.cyclops, CYCLOPS_ROOT=root, CYCLOPS_FILE=os.path.join(root, "main.cpp"),
               CYCLOPS_CODE="capture-cycle", CYCLOPS_OUT=out, XDG_STATE_HOME=os.path.join(workdir, "state"),
               XDG_CACHE_HOME=os.path.join(workdir, "cache"), XDG_CONFIG_HOME=os.path.join(workdir, "config"))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neovim_test.lua")
    run = subprocess.run([args.nvim, "--headless", "--clean", "-n", "-c", "luafile " + script], cwd=root, env=env,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    if not os.path.exists(out):
        print(f"FAILED: Neovim wrote no result (status {run.returncode})\n{run.stdout}\n{run.stderr}")
        return 1
    with open(out) as f:
        received = json.load(f)
    print(f"Neovim received: {json.dumps(received, indent=1)}")
    hits = [d for d in received["diagnostics"] if d["code"] == "capture-cycle"]
    if not received["found"] or len(hits) != 1:
        print("FAILED: no capture-cycle diagnostic for main.cpp")
        return 1
    d = hits[0]
    if d["source"] != "cyclops" or d["lnum"] != 11 or d["related"] < 2 or "holds 'ws'" not in d["message"]:
        print(f"FAILED: the diagnostic is not the expected one: {d}")
        return 1
    print("ok: Neovim shows cyclops's cross-file capture-cycle in main.cpp, line 12")
    return 0


if __name__ == "__main__":
    sys.exit(main())

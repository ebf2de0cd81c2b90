#!/usr/bin/env python3
"""add_tu.py BUILD_DIR NEW_FILE LIKE_FILE - adds NEW_FILE to BUILD_DIR/compile_commands.json with
LIKE_FILE's command (same flags, the file and object names replaced). For a source file that a
project keeps out of its build (IXWebSocket comments its leak test out of test/CMakeLists.txt),
so that `cyclops check -p BUILD_DIR` sees it. Does nothing when NEW_FILE is already there."""
import json
import os
import sys

build, new, like = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
path = os.path.join(build, "compile_commands.json")
with open(path) as f:
    db = json.load(f)
norm = lambda e: os.path.normpath(os.path.join(e["directory"], e["file"]))
if any(norm(e) == new for e in db):
    sys.exit(0)
src = next((e for e in db if norm(e) == like), None)
if src is None:
    sys.exit(f"add_tu: {like} is not in {path}")
entry = dict(src)
entry["file"] = new
stem_old, stem_new = os.path.basename(like), os.path.basename(new)
for key in ("command", "output"):
    if key in entry:
        entry[key] = entry[key].replace(like, new).replace(stem_old, stem_new)
if "arguments" in entry:
    entry["arguments"] = [a.replace(like, new).replace(stem_old, stem_new) for a in entry["arguments"]]
db.append(entry)
with open(path, "w") as f:
    json.dump(db, f, indent=2)
print(f"add_tu: added {new} to {path}")

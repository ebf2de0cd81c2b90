"""compile_db.py - a build's compile_commands.json for the scripts in bench/, and their errors."""
import json
import os
import re
import shlex
import sys


def die(msg):
    """Prints `SCRIPT: msg` on stderr and exits with status 2 (an error, not a missed target)."""
    print(f"{os.path.basename(sys.argv[0]).removesuffix('.py')}: {msg}", file=sys.stderr)
    sys.exit(2)


def load_db(build_dir, pattern):
    """[(directory, file, args)] for each TU of BUILD_DIR/compile_commands.json whose normalized
    path matches the regex `pattern` (all when empty), the first command of each file only."""
    path = os.path.join(build_dir, "compile_commands.json")
    try:
        with open(path) as f:
            entries = json.load(f)
    except OSError as e:
        die(f"{path}: {e.strerror}")
    except json.JSONDecodeError as e:
        die(f"{path}:{e.lineno}: {e.msg}")
    seen, out = set(), []
    for e in entries:
        file = os.path.normpath(os.path.join(e["directory"], e["file"]))
        if file in seen or (pattern and not re.search(pattern, file)):
            continue
        seen.add(file)
        args = e.get("arguments") or shlex.split(e["command"])
        out.append((e["directory"], file, args))
    if not out:
        die(f"{path}: no translation unit matches {pattern!r}")
    return out

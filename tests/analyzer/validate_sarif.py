#!/usr/bin/env python3
"""validate_sarif.py - `cyclops check --format=sarif` against the official SARIF 2.1.0 schema.

Runs cyclops over several testdata inputs (relative and absolute URIs, fix-its, a project of
several translation units, one that does not compile, a comparison with a baseline) and validates every log with the
`jsonschema` package. It also validates documents broken on purpose, which must be rejected:
a validator that accepts anything would pass every log.

The schema is not kept in this repository: scripts/setup fetches it into .deps/ (it comes in
the npm package @microsoft/jest-sarif). Without it, or without jsonschema, the test exits 77,
which ctest reports as skipped.

    validate_sarif.py --cyclops BIN [--multi-tu BUILD_DIR] [--schema FILE]
"""

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77
REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCHEMA = REPO / ".deps" / "sarif" / "sarif-2.1.0-rtm.5.json"
TESTDATA = REPO / "testdata" / "analyzer"
RUNTIME_INCLUDE = REPO / "runtime" / "include"
# Inputs with different rules, notes (inside callees too) and fix-its; each is analyzed as
# its own program.
INPUTS = ["cycle_type_shared_ptr.cpp", "instance.cpp", "instance_calls.cpp", "capture_cycle.cpp",
          "trace_rules.cpp", "families.cpp"]
STATES = {"new", "unchanged", "absent"}


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def import_jsonschema():
    """jsonschema for this interpreter, or Debian's python3-jsonschema under /usr/bin/python3."""
    try:
        import jsonschema  # noqa: PLC0415
        return jsonschema
    except ImportError:
        pass
    system = "/usr/bin/python3"
    if (os.environ.get("CYCLOPS_SARIF_REEXEC") != "1" and os.path.exists(system)
            and os.path.realpath(sys.executable) != os.path.realpath(system)
            and subprocess.run([system, "-c", "import jsonschema"], capture_output=True).returncode == 0):
        os.environ["CYCLOPS_SARIF_REEXEC"] = "1"
        os.execv(system, [system, *sys.argv])
    skip(f"the Python package jsonschema is not installed for {sys.executable} "
         "(pip install jsonschema, or apt-get install python3-jsonschema)")


class Failures:
    def __init__(self):
        self.count = 0

    def fail(self, what):
        self.count += 1
        print(f"FAIL: {what}")


def error_lines(validator, doc, limit=10):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    lines = [f"  at {'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more")
    return errors, lines


def run_cyclops(cyclops, args, cwd):
    proc = subprocess.run([cyclops, "check", "--format=sarif", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    return proc


def check_log(name, proc, validator, failures, expect_exit=1, states=None):
    """Validates one log and the few facts the schema cannot see; returns the document."""
    if proc.returncode != expect_exit:
        failures.fail(f"{name}: exit status {proc.returncode}, expected {expect_exit}\n{proc.stderr}")
        return None
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        failures.fail(f"{name}: not JSON: {e}")
        return None
    errors, lines = error_lines(validator, doc)
    if errors:
        failures.fail(f"{name}: {len(errors)} schema violation(s)\n" + "\n".join(lines))
        return doc
    run = doc["runs"][0]
    rules = run["tool"]["driver"].get("rules", [])
    results = run.get("results", [])
    if not results:
        failures.fail(f"{name}: no results")
    for r in results:
        if "ruleIndex" in r and rules[r["ruleIndex"]]["id"] != r.get("ruleId"):
            failures.fail(f"{name}: ruleIndex {r['ruleIndex']} does not name rule {r.get('ruleId')}")
        if states is not None and r.get("baselineState") not in STATES:
            failures.fail(f"{name}: a result without a baselineState: {r.get('ruleId')}")
    if states is not None:
        seen = {r.get("baselineState") for r in results}
        if seen != states:
            failures.fail(f"{name}: baseline states {sorted(seen)}, expected {sorted(states)}")
    print(f"ok: {name}: {len(results)} result(s) valid")
    return doc


def check_broken(template, validator, failures):
    """Documents broken on purpose must each be rejected."""
    breakages = {
        "a result without a message": lambda d: d["runs"][0]["results"][0].pop("message"),
        "a level SARIF does not define": lambda d: d["runs"][0]["results"][0].__setitem__("level", "fatal"),
        "a tool without a driver name": lambda d: d["runs"][0]["tool"]["driver"].pop("name"),
        "a line number 0": lambda d: d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        .__setitem__("startLine", 0),
        "the wrong version": lambda d: d.__setitem__("version", "2.0.0"),
    }
    for what, breakage in breakages.items():
        doc = copy.deepcopy(template)
        breakage(doc)
        errors, _ = error_lines(validator, doc)
        if errors:
            print(f"ok: broken on purpose ({what}): rejected: {errors[0].message}")
        else:
            failures.fail(f"the validator accepted a document broken on purpose: {what}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cyclops", required=True, help="the cyclops binary")
    parser.add_argument("--multi-tu", help="build directory of testdata/analyzer/multi_tu (compile_commands.json)")
    parser.add_argument("--schema", default=os.environ.get("CYCLOPS_SARIF_SCHEMA", str(DEFAULT_SCHEMA)))
    args = parser.parse_args()

    jsonschema = import_jsonschema()
    schema_path = Path(args.schema)
    if not schema_path.is_file():
        skip(f"no SARIF 2.1.0 schema at {schema_path}: scripts/setup fetches it when npm is available")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    checker = getattr(cls, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    validator = cls(schema, format_checker=checker)

    failures = Failures()
    work = Path(tempfile.mkdtemp(prefix="cyclops-sarif-"))
    try:
        commands = [{"directory": str(TESTDATA), "file": str(TESTDATA / f),
                     "arguments": ["c++", "-std=c++20", f"-I{RUNTIME_INCLUDE}", "-c", str(TESTDATA / f)]}
                    for f in INPUTS]
        (work / "compile_commands.json").write_text(json.dumps(commands), encoding="utf-8")

        first = None
        for f in INPUTS:
            # From the repository root: files are relative to %SRCROOT%.
            doc = check_log(f"{f} (relative URIs)", run_cyclops(args.cyclops, ["-p", str(work), str(TESTDATA / f)],
                                                                  REPO), validator, failures)
            first = first or doc
        # From elsewhere: absolute file: URIs.
        check_log("cycle_type_shared_ptr.cpp (absolute URIs)",
                  run_cyclops(args.cyclops, ["-p", str(work), str(TESTDATA / INPUTS[0])], work), validator, failures)
        if args.multi_tu:
            check_log("multi_tu (3 translation units)", run_cyclops(args.cyclops, ["-p", args.multi_tu], REPO),
                      validator, failures)

        # A translation unit that does not compile beside one that does: a failed invocation
        # with a notification, and the other's results.
        broken_dir = work / "broken"
        broken_dir.mkdir()
        broken = broken_dir / "broken.cpp"
        broken.write_text("struct S { UnknownType member; };\n", encoding="utf-8")
        (broken_dir / "compile_commands.json").write_text(json.dumps(
            [commands[0], {"directory": str(broken_dir), "file": str(broken),
                           "arguments": ["c++", "-std=c++20", "-c", str(broken)]}]), encoding="utf-8")
        doc = check_log("a translation unit that does not compile",
                        run_cyclops(args.cyclops, ["-p", str(broken_dir)], REPO), validator, failures, expect_exit=2)
        if doc is not None:
            invocations = doc["runs"][0].get("invocations", [])
            if (len(invocations) != 1 or invocations[0].get("executionSuccessful") is not False
                    or len(invocations[0].get("toolExecutionNotifications", [])) != 1):
                failures.fail(f"a translation unit that does not compile: not one failed invocation: {invocations}")

        # A comparison with a baseline: one finding left out of it (new), the others kept
        # (unchanged), and one that no longer exists (absent).
        baseline = work / "baseline.json"
        recorded = subprocess.run([args.cyclops, "check", "-p", str(work), str(TESTDATA / "instance.cpp"),
                                   f"--write-baseline={baseline}"], cwd=REPO, capture_output=True, text=True,
                                  timeout=300)
        if recorded.returncode != 0:
            failures.fail(f"--write-baseline: exit status {recorded.returncode}\n{recorded.stderr}")
        else:
            data = json.loads(baseline.read_text(encoding="utf-8"))
            if len(data["findings"]) < 2:
                failures.fail("instance.cpp has fewer than 2 findings: cannot make a baseline of all three states")
            data["findings"].pop(0)
            data["findings"].append({"id": "0000000000000000", "rule": "cycle-instance",
                                     "file": "testdata/analyzer/instance.cpp", "message": "fixed since"})
            baseline.write_text(json.dumps(data), encoding="utf-8")
            check_log("instance.cpp against a baseline",
                      run_cyclops(args.cyclops, ["-p", str(work), str(TESTDATA / "instance.cpp"),
                                               f"--baseline={baseline}"], REPO), validator,
                      failures, states=STATES)

        if first is None:
            failures.fail("no valid log to break on purpose")
        else:
            check_broken(first, validator, failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if failures.count:
        print(f"{failures.count} check(s) failed")
        return 1
    print("all SARIF logs are valid SARIF 2.1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())

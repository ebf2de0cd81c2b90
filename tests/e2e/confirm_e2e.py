#!/usr/bin/env python3
"""confirm_e2e.py - the whole loop on testdata/confirm/: cyclops check, then cyclops confirm.

For each program: `cyclops check --format=json` on its source, then `cyclops confirm` running
the built program, and the confirm report (JSON) and table are compared with what the program
is known to do, bytes included.

Usage: confirm_e2e.py CYCLOPS BUILD_DIR PROGRAM_DIR SOURCE_DIR WORK_DIR
"""
import json
import os
import subprocess
import sys

MiB4 = 4 << 20

# name, program arguments, confirm's expected exit status, and per section the expected
# rows: (rule, line, formed, host total, device total) for confirmed; (rule, line) for not
# exercised; (path, formed, host, device) for missed; (type, objects, host) alive at exit.
CASES = [
    ("seed", [], 0, {
        "confirmed": [("cycle-instance", 21, 1, 128, MiB4)],
        "not_exercised": [], "missed": [], "alive_at_exit": []}),
    # One strongly connected tree; both the type-level and the instance finding describe it.
    ("tree_parent", [], 0, {
        "confirmed": [("cycle-instance", 20, 1, 256, 0), ("cycle-type", 14, 1, 256, 0)],
        "not_exercised": [], "missed": [], "alive_at_exit": []}),
    ("input_dependent", [], 0, {
        "confirmed": [], "not_exercised": [("cycle-instance", 21)], "missed": [],
        "alive_at_exit": []}),
    ("input_dependent", ["--link-back"], 0, {
        "confirmed": [("cycle-instance", 21, 1, 64, 0)],
        "not_exercised": [], "missed": [], "alive_at_exit": []}),
    # The store goes through a unique_ptr and a by-value member: the finding's field is the
    # path impl.wiring.engine, the collector names the innermost field.
    ("owners", [], 0, {
        "confirmed": [("cycle-instance", 33, 1, 32, 0)], "not_exercised": [],
        "missed": [], "alive_at_exit": []}),
    # cyc::closure in a cyc::Function: collectable. A lambda in a std::function: the collector
    # cannot see the edge, so the object is still alive at exit.
    ("observer", [], 0, {
        "confirmed": [("capture-cycle", 33, 1, 104, 0)],
        "not_exercised": [("capture-cycle", 40)], "missed": [],
        "alive_at_exit": [("confirm::LegacyButton", 1, 88)]}),
]


def rows(report, section):
    out = []
    for r in report[section]:
        if section == "confirmed":
            out.append((r["rule"], r["line"], r["formed"], r["host_bytes"]["total"],
                        r["device_bytes"]["total"]))
        elif section == "not_exercised":
            out.append((r["rule"], r["line"]))
        elif section == "missed":
            path = " -> ".join(f"{s['type']}.{s['field']}" for s in r["path"])
            out.append((path, r["formed"], r["host_bytes"]["total"], r["device_bytes"]["total"]))
        else:
            out.append((r["type"], r["objects"], r["host_bytes"]))
    return sorted(out)


def main():
    cyclops, build_dir, program_dir, source_dir, work = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    failures = 0
    for name, args, want_status, want in CASES:
        tag = " ".join([name] + args)
        source = os.path.join(source_dir, name + ".cpp")
        findings = os.path.join(work, name + ".findings.json")
        report = os.path.join(work, name + ".report.json")
        html = os.path.join(work, name + ".html")
        check = subprocess.run([cyclops, "check", "-p", build_dir, source, "--format=json",
                                "-o", findings], capture_output=True, text=True)
        if check.returncode not in (0, 1):
            print(f"{tag}: cyclops check failed ({check.returncode}):\n{check.stderr}")
            failures += 1
            continue
        confirm = subprocess.run([cyclops, "confirm", "--findings=" + findings, "--report=" + report,
                                  "--html=" + html, "--", os.path.join(program_dir, "confirm_" + name)]
                                 + args, capture_output=True, text=True)
        print(confirm.stdout)
        if confirm.returncode != want_status:
            print(f"{tag}: confirm exited {confirm.returncode}, expected {want_status}\n{confirm.stderr}")
            failures += 1
        with open(report) as f:
            got = json.load(f)
        for section, expected in want.items():
            if rows(got, section) != sorted(expected):
                print(f"{tag}: {section}: got {rows(got, section)}, expected {sorted(expected)}")
                failures += 1
        # The table names every section with its count; the picture has one drawing per cycle.
        for section, title in (("confirmed", "CONFIRMED"), ("not_exercised", "NOT EXERCISED"),
                               ("missed", "MISSED")):
            if f"{title} ({len(want[section])})" not in confirm.stdout:
                print(f"{tag}: the table lacks '{title} ({len(want[section])})'")
                failures += 1
        with open(html) as f:
            drawings = f.read().count("<svg")
        if drawings != len(want["confirmed"]) + len(want["missed"]):
            print(f"{tag}: {drawings} drawings in {html}, expected one per confirmed or missed cycle")
            failures += 1
    print("confirm_e2e: " + ("all outcomes as expected" if not failures else f"{failures} mismatch(es)"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""frontends_test.py - the clang-tidy module and the compiler plugin, run by the real
clang-tidy and clang++ they are built for.

Cases (--case):
  testdata  every testdata/analyzer/*.cpp: each front end's findings match the expectations
            written in the file, and its diagnostics (warnings and notes) are the CLI's.
  fixits    tests/analyzer/frontends_fixable.cpp: `clang-tidy --fix`, and the plugin's
            -fdiagnostics-parseable-fixits applied here, give code that compiles and that
            neither front end reports again; both front ends make the same edits.
  multi-tu  testdata/analyzer/multi_tu: no cycle-type without a facts directory; with the
            other translation units' facts (`cyclops facts`) each TU reports the cycle.
  projects  testdata/analyzer/projects/*: with the other translation units' facts, each TU
            reports the capture-cycle and cycle-instance findings its own file expects (setters, accessors and
            wrappers defined elsewhere come from those facts); without them, the cross-file
            case of setter_other_tu is not reported.
  options   bad plugin arguments and rules files are clear errors; rules files apply.
  once      all five checks on: one analysis per translation unit (CyclopsVerbose remarks).
  codegen   the plugin in a real compilation (-c -g) reports as with -fsyntax-only.

Exit status: 0 passed, 1 failed, 77 skipped (clang-tidy or clang++ not installed).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

SKIP = 77
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message, flush=True)


# --- diagnostics -------------------------------------------------------------------------

# `file:line:col: level: message [cyclops-rule]`; a note outside this translation unit has no
# location. clang-tidy adds `,-warnings-as-errors` to the name when it upgrades a warning.
DIAG = re.compile(r"^(?:(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): )?"
                  r"(?P<level>warning|error|remark|note): (?P<msg>.*?)"
                  r"(?: \[(?P<check>cyclops-[a-z-]+)(?:,-warnings-as-errors)?\])?$")
FIXIT = re.compile(r'^fix-it:"(?P<file>(?:[^"\\]|\\.)*)":\{(?P<l1>\d+):(?P<c1>\d+)-(?P<l2>\d+):(?P<c2>\d+)\}:'
                   r'"(?P<text>(?:[^"\\]|\\.)*)"$')


def norm(path, cwd):
    return os.path.realpath(os.path.join(cwd, path))


class Diag:
    def __init__(self, file, line, col, level, rule, msg):
        self.file, self.line, self.col, self.level, self.rule, self.msg = file, line, col, level, rule, msg
        self.notes = []  # (file, line, col, text)

    def key(self):
        return (self.file, self.line, self.col, self.level, self.rule, self.msg, tuple(self.notes))

    def __str__(self):
        return "%s:%d:%d: %s: %s [cyclops-%s] (%d notes)" % (
            os.path.basename(self.file), self.line, self.col, self.level, self.msg, self.rule, len(self.notes))


def parse_diags(text, cwd):
    """The cyclops findings in compiler output, each with the notes that follow it."""
    found, current = [], None
    for line in text.splitlines():
        m = DIAG.match(line)
        if not m:
            continue
        where = (norm(m["file"], cwd), int(m["line"]), int(m["col"])) if m["file"] else ("", 0, 0)
        if m["level"] == "note" and not m["check"]:  # a finding's note; a finding of level note has its rule
            if current is not None:
                current.notes.append(where + (m["msg"],))
            continue
        if not m["check"]:
            current = None  # another diagnostic (e.g. a remark about the facts directory)
            continue
        # A finding of severity `note` is a remark in the front ends, a note in the CLI.
        level = "note" if m["level"] == "remark" else m["level"]
        current = Diag(*where, level, m["check"][len("cyclops-"):], m["msg"])
        found.append(current)
    return found


def unescape(text):
    # llvm::raw_ostream::write_escaped: \\ \t \n \" and three octal digits.
    out, i, raw = bytearray(), 0, text.encode()
    while i < len(raw):
        c = raw[i]
        if c != ord("\\"):
            out.append(c)
            i += 1
            continue
        nxt = chr(raw[i + 1])
        if nxt in "01234567":
            out.append(int(raw[i + 1:i + 4], 8))
            i += 4
            continue
        out += {"n": b"\n", "t": b"\t", "\\": b"\\", '"': b'"'}[nxt]
        i += 2
    return bytes(out)


def diags(process):
    return parse_diags(process.stdout, process.cwd)


def parse_fixits(text, cwd):
    edits = []
    for line in text.splitlines():
        m = FIXIT.match(line)
        if m:
            edits.append((norm(unescape(m["file"]).decode(), cwd), int(m["l1"]), int(m["c1"]), int(m["l2"]),
                          int(m["c2"]), unescape(m["text"])))
    return edits


def apply_fixits(edits):
    """Applies -fdiagnostics-parseable-fixits edits (1-based byte columns, end exclusive)."""
    by_file = {}
    for e in set(edits):
        by_file.setdefault(e[0], []).append(e)
    for path, file_edits in by_file.items():
        with open(path, "rb") as f:
            data = f.read()
        starts = [0] + [i + 1 for i, b in enumerate(data) if b == ord("\n")]
        spans = sorted(((starts[l1 - 1] + c1 - 1, starts[l2 - 1] + c2 - 1, text)
                        for _, l1, c1, l2, c2, text in file_edits), reverse=True)
        for begin, end, text in spans:
            data = data[:begin] + text + data[end:]
        with open(path, "wb") as f:
            f.write(data)


# --- expectations (testdata/analyzer/README.md) ------------------------------------------

DIRECTIVE = re.compile(r"expected-(warning|error|note)(@([+-]?)(\d+))?\s*\{\{(.*?)\}\}")


def parse_expectations(path):
    items = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            for m in DIRECTIVE.finditer(line):
                at = number
                if m.group(2):
                    offset = int(m.group(4))
                    at = number + offset if m.group(3) == "+" else number - offset if m.group(3) == "-" else offset
                rule, sep, fragment = m.group(5).partition(": ")
                if not sep:
                    fail("%s:%d: expectation without 'rule: '" % (path, number))
                    continue
                items.append((os.path.realpath(path), at, m.group(1), rule, fragment))
    return items


def match_expectations(what, expected, found):
    """Every expectation matched by one finding (file, line, severity, rule, fragment), and
    no finding left over."""
    unused = list(found)
    for file, line, level, rule, fragment in expected:
        hit = next((d for d in unused if d.file == file and d.line == line and d.level == level and
                    d.rule == rule and fragment in d.msg), None)
        if hit is None:
            fail("%s: missing %s:%d: %s {{%s: %s}}" % (what, os.path.basename(file), line, level, rule, fragment))
        else:
            unused.remove(hit)
    for d in unused:
        fail("%s: unexpected %s" % (what, d))


# --- tools -------------------------------------------------------------------------------

class Tools:
    def __init__(self, args):
        self.a = args
        self.flags = ["-std=c++20", "-I" + os.path.join(args.source_dir, "runtime", "include")]

    def run(self, cmd, cwd=None, expect_rc=None):
        p = subprocess.run(cmd, cwd=cwd or self.a.work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=600)
        p.cwd = cwd or self.a.work  # what relative paths in the output are relative to
        if expect_rc is not None and p.returncode not in expect_rc:
            fail("exit status %d (expected %s): %s\n%s" % (p.returncode, expect_rc, " ".join(cmd), p.stdout[-3000:]))
        for crash in ("Stack dump", "PLEASE submit a bug report", "Segmentation fault"):
            if crash in p.stdout:
                fail("crashed: %s\n%s" % (" ".join(cmd), p.stdout[-3000:]))
        return p

    def tidy(self, file, options=None, extra=(), compile_args=None, build_dir=None, expect_rc=(0,),
             header_filter=".*"):
        config = {"Checks": "-*,cyclops-*", "CheckOptions": options or {}}
        cmd = [self.a.clang_tidy, "--load=" + self.a.tidy_module, "--config=" + json.dumps(config),
               "--header-filter=" + header_filter, "--use-color=false", *extra, file]
        cmd += ["-p", build_dir] if build_dir else ["--", *(compile_args or self.flags)]
        p = self.run(cmd, expect_rc=expect_rc)
        if build_dir:  # files are named relative to the compilation database's directory
            with open(os.path.join(build_dir, "compile_commands.json")) as f:
                p.cwd = next(e["directory"] for e in json.load(f) if os.path.realpath(
                    os.path.join(e["directory"], e["file"])) == os.path.realpath(file))
        return p

    def plugin(self, file, plugin_args=(), extra=("-fsyntax-only",), expect_rc=(0,)):
        cmd = [self.a.clangxx, "-fplugin=" + self.a.plugin, *("-fplugin-arg-cyclops-" + a for a in plugin_args),
               "-fno-color-diagnostics", "-fdiagnostics-parseable-fixits", *self.flags, *extra, file]
        return self.run(cmd, expect_rc=expect_rc)

    def compiles(self, file):
        p = self.run([self.a.clangxx, "-fsyntax-only", *self.flags, file])
        if p.returncode != 0:
            fail("%s does not compile:\n%s" % (file, p.stdout[-3000:]))


def cyclops_files(dirname):
    return sorted(os.path.join(dirname, n) for n in os.listdir(dirname) if n.endswith(".cpp"))


# --- cases -------------------------------------------------------------------------------

def same_as_printed(printed, full):
    """Whether a diagnostic key of the CLI's text output is `full` with some template argument
    lists elided to "<…>" (output/Abbreviate.h); strings and nested tuples compared alike."""
    if isinstance(printed, tuple) and isinstance(full, tuple):
        return len(printed) == len(full) and all(same_as_printed(p, f) for p, f in zip(printed, full))
    if isinstance(printed, str) and isinstance(full, str) and "<\u2026>" in printed:
        pattern = ".+".join(re.escape(part) for part in printed.split("\u2026"))
        return re.fullmatch(pattern, full, re.DOTALL) is not None
    return printed == full


def case_testdata(t):
    testdata = os.path.join(t.a.source_dir, "testdata", "analyzer")
    files = cyclops_files(testdata)
    if len(files) < 8:
        fail("testdata/analyzer has too few inputs: %d" % len(files))
    # The CLI's view of the same files: a compilation database of them, one `check` per file
    # (each file is its own program).
    db = os.path.join(t.a.work, "testdata-db")
    os.makedirs(db, exist_ok=True)
    with open(os.path.join(db, "compile_commands.json"), "w") as f:
        json.dump([{"directory": testdata, "file": p, "arguments": ["c++", *t.flags, "-c", p]} for p in files], f)

    def one(path):
        cli = t.run([t.a.cyclops, "check", "-p", db, "--color=never", path], expect_rc=(0, 1))
        tidy = t.tidy(path)
        plugin = t.plugin(path)
        return path, diags(cli), diags(tidy), diags(plugin)

    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        results = list(pool.map(one, files))
    for path, cli, tidy, plugin in results:
        name = os.path.basename(path)
        expected = parse_expectations(path)
        print("  %-30s expected %2d  cli %2d  clang-tidy %2d  plugin %2d" % (
            name, len(expected), len(cli), len(tidy), len(plugin)), flush=True)
        for front, found in (("clang-tidy", tidy), ("plugin", plugin)):
            match_expectations("%s %s" % (front, name), expected, found)
            # Same checks, same findings: message, column and every note as the CLI prints them.
            # The CLI's text output may elide long template arguments ("<…>") to keep a line
            # short; the front ends print them whole.
            ours, theirs = sorted(d.key() for d in found), sorted(d.key() for d in cli)
            for k in ours:
                if not any(same_as_printed(c, k) for c in theirs):
                    fail("%s %s: not as the CLI reports it: %s" % (front, name, k))
            for k in theirs:
                if not any(same_as_printed(k, o) for o in ours):
                    fail("%s %s: the CLI reports %s" % (front, name, k))


def case_fixits(t):
    fixture = os.path.join(t.a.source_dir, "tests", "analyzer", "frontends_fixable.cpp")
    expected = parse_expectations(fixture)
    rules = {e[3] for e in expected}
    if rules != {"missing-trace", "untraced-field", "cycle-type"}:
        fail("the fixture should have one finding of each fixable rule, has %s" % sorted(rules))
    fixed = {}
    for front in ("clang-tidy", "plugin"):
        folder = os.path.join(t.a.work, front)
        os.makedirs(folder, exist_ok=True)
        copy = os.path.join(folder, "frontends_fixable.cpp")
        shutil.copyfile(fixture, copy)
        relocated = [(os.path.realpath(copy),) + e[1:] for e in expected]
        if front == "clang-tidy":
            before = t.tidy(copy, extra=["--fix"])
            match_expectations("clang-tidy --fix", relocated, diags(before))
            after = t.tidy(copy)
        else:
            before = t.plugin(copy)
            match_expectations("plugin", relocated, diags(before))
            edits = parse_fixits(before.stdout, t.a.work)
            if len(edits) < 3:
                fail("plugin: %d fix-its, expected one per finding at least:\n%s" % (len(edits), before.stdout))
            if any(e[0] != os.path.realpath(copy) for e in edits):
                fail("plugin: a fix-it outside the fixture: %s" % edits)
            apply_fixits(edits)
            after = t.plugin(copy)
        with open(copy, encoding="utf-8") as f:
            fixed[front] = f.read()
        with open(fixture, encoding="utf-8") as f:
            if fixed[front] == f.read():
                fail("%s: the fix-its changed nothing" % front)
        if "cyc::Weak<TreeNode> parent" not in fixed[front]:
            fail("%s: the back-pointer did not become cyc::Weak:\n%s" % (front, fixed[front]))
        t.compiles(copy)
        left = diags(after)
        for d in left:
            fail("%s: still reported after the fix-its: %s" % (front, d))
    if fixed["clang-tidy"] != fixed["plugin"]:
        fail("clang-tidy --fix and the plugin's fix-its differ:\n%s\n----\n%s" % (fixed["clang-tidy"], fixed["plugin"]))


def case_multi_tu(t):
    src = os.path.join(t.a.source_dir, "testdata", "analyzer", "multi_tu")
    tus = cyclops_files(src)
    headers = {tu: tu[:-len(".cpp")] + ".h" for tu in tus}
    expected = [e for h in headers.values() for e in parse_expectations(h)]
    if len(tus) != 3 or len(expected) != 1 or expected[0][3] != "cycle-type":
        fail("multi_tu: expected three translation units and one cycle-type expectation")
        return
    fragment = expected[0][4]

    def cycle_types(process):
        return [d for d in diags(process) if d.rule == "cycle-type"]

    # Each translation unit alone sees one edge: no cycle.
    for tu in tus:
        for front, p in (("clang-tidy", t.tidy(tu, build_dir=t.a.multi_tu)), ("plugin", t.plugin(tu))):
            for d in cycle_types(p):
                fail("%s %s without facts: %s" % (front, os.path.basename(tu), d))

    # The facts of every translation unit, as a build would keep them.
    facts = os.path.join(t.a.work, "facts")
    shutil.rmtree(facts, ignore_errors=True)
    os.makedirs(facts)
    for tu in tus:
        out = os.path.join(facts, os.path.basename(tu) + ".facts")
        t.run([t.a.cyclops, "facts", "-p", t.a.multi_tu, tu, "-o", out], expect_rc=(0,))
        if not os.path.isfile(out):
            fail("cyclops facts wrote no %s" % out)
            return

    # Each translation unit, with the others' facts, reports the cycle in one of its files
    # (its own facts in the directory are skipped: it has fresher ones).
    for tu in tus:
        runs = (("clang-tidy", t.tidy(tu, options={"CyclopsFactsDir": facts}, build_dir=t.a.multi_tu)),
                ("plugin", t.plugin(tu, ["facts-dir=" + facts])))
        for front, p in runs:
            what = "%s %s with facts" % (front, os.path.basename(tu))
            found = cycle_types(p)
            if len(found) != 1:
                fail("%s: %d cycle-type findings, expected 1:\n%s" % (what, len(found), p.stdout))
                continue
            d = found[0]
            if fragment not in d.msg:
                fail("%s: message %r lacks %r" % (what, d.msg, fragment))
            if d.file != os.path.realpath(headers[tu]):
                fail("%s: reported in %s, expected in %s" % (what, d.file, headers[tu]))
            if expected[0][0] == d.file and expected[0][1] != d.line:
                fail("%s: reported on line %d, expected %d" % (what, d.line, expected[0][1]))
            # A step in a file this translation unit does not read names it in the note's text.
            outside = re.compile(r" \((/[^()]*):\d+\)$")
            notes = {os.path.basename(outside.search(n[3]).group(1) if outside.search(n[3]) else n[0])
                     for n in d.notes}
            if notes != {"account.h", "ledger.h", "owner.h"}:
                fail("%s: notes should walk the three headers, walk %s" % (what, sorted(notes)))

    # clang-tidy's header filter applies to a finding whose steps lie partly in other
    # translation units' files, as to any other: account.cpp's is in account.h.
    account = os.path.join(src, "account.cpp")
    p = t.tidy(account, options={"CyclopsFactsDir": facts}, build_dir=t.a.multi_tu, header_filter="")
    for d in cycle_types(p):
        fail("clang-tidy account.cpp without a header filter: a finding in a header: %s" % d)
    if "Suppressed 1 warnings" not in p.stdout:
        fail("clang-tidy account.cpp without a header filter: expected one suppressed warning:\n" + p.stdout)

    # Two of the three translation units are not a cycle, facts or not.
    partial = os.path.join(t.a.work, "facts-partial")
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    shutil.copy(os.path.join(facts, "ledger.cpp.facts"), partial)
    for d in cycle_types(t.plugin(account, ["facts-dir=" + partial])):
        fail("plugin account.cpp with ledger's facts only: %s" % d)


def project_database(t, src, work):
    """A compilation database for a testdata project, written into work."""
    os.makedirs(work, exist_ok=True)
    entries = [{"directory": src, "arguments": ["clang++", *t.flags, "-c", tu], "file": tu}
               for tu in cyclops_files(src)]
    with open(os.path.join(work, "compile_commands.json"), "w") as f:
        json.dump(entries, f)
    return work


def case_projects(t):
    root = os.path.join(t.a.source_dir, "testdata", "analyzer", "projects")
    projects = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if len(projects) < 11:
        fail("testdata/analyzer/projects has too few projects: %d" % len(projects))
    for name in projects:
        src = os.path.join(root, name)
        work = os.path.join(t.a.work, name)
        db = project_database(t, src, work)
        tus = cyclops_files(src)
        for tu in tus:  # the facts of every other translation unit, as a build keeps them
            others = os.path.join(work, "facts-for-" + os.path.basename(tu))
            shutil.rmtree(others, ignore_errors=True)
            os.makedirs(others)
            for other in tus:
                if other != tu:
                    t.run([t.a.cyclops, "facts", "-p", db, other, "-o",
                           os.path.join(others, os.path.basename(other) + ".facts")], expect_rc=(0,))
            code_rules = ("capture-cycle", "cycle-instance")
            expected = [e for e in parse_expectations(tu) if e[3] in code_rules]
            for front, p in (("clang-tidy", t.tidy(tu, options={"CyclopsFactsDir": others}, build_dir=db)),
                             ("plugin", t.plugin(tu, ["facts-dir=" + others]))):
                found = [d for d in diags(p) if d.rule in code_rules and d.file == os.path.realpath(tu)]
                match_expectations("%s %s/%s with facts" % (front, name, os.path.basename(tu)), expected, found)
    # Without the other file's facts, the setter defined there is unknown: nothing to report.
    main = os.path.join(root, "setter_other_tu", "main.cpp")
    for front, p in (("clang-tidy", t.tidy(main, compile_args=t.flags)), ("plugin", t.plugin(main))):
        for d in diags(p):
            if d.rule == "capture-cycle":
                fail("%s setter_other_tu/main.cpp without facts: %s" % (front, d))


def case_options(t):
    sample = os.path.join(t.a.source_dir, "testdata", "analyzer", "trace_rules.cpp")
    bad_yaml = os.path.join(t.a.work, "bad-rules.yaml")
    with open(bad_yaml, "w") as f:
        f.write("base: default\nrules:\n  - id: missing-trace\n    colour: red\n")
    as_notes = os.path.join(t.a.work, "notes.yaml")
    with open(as_notes, "w") as f:
        f.write("base: default\nrules:\n  - id: missing-trace\n    severity: note\n"
                "  - id: untraced-field\n    enabled: false\n")
    missing = os.path.join(t.a.work, "no-such-rules.yaml")

    def expect_error(what, p, *fragments):
        if p.returncode == 0:
            fail("%s: exit status 0, expected an error" % what)
        for fragment in fragments:
            if fragment not in p.stdout:
                fail("%s: the error does not say %r:\n%s" % (what, fragment, p.stdout[-2000:]))

    expect_error("plugin unknown argument", t.plugin(sample, ["bogus=1"], expect_rc=None),
                 "unknown argument '-fplugin-arg-cyclops-bogus=1'", "rules=FILE")
    expect_error("plugin argument without value", t.plugin(sample, ["rules="], expect_rc=None),
                 "'-fplugin-arg-cyclops-rules=' needs a value")
    expect_error("plugin bad fail-on", t.plugin(sample, ["fail-on=sometimes"], expect_rc=None),
                 "fail-on=sometimes", "expected note, warning or error")
    expect_error("plugin unreadable rules", t.plugin(sample, ["rules=" + missing], expect_rc=None), missing)
    expect_error("plugin malformed rules", t.plugin(sample, ["rules=" + bad_yaml], expect_rc=None),
                 bad_yaml + ":4")
    expect_error("clang-tidy unreadable rules", t.tidy(sample, {"CyclopsRulesFile": missing}, expect_rc=None),
                 missing, "CyclopsRulesFile")
    expect_error("clang-tidy malformed rules", t.tidy(sample, {"CyclopsRulesFile": bad_yaml}, expect_rc=None),
                 bad_yaml + ":4")

    # A rules file applies: missing-trace as a note (a remark), untraced-field off.
    for front, p in (("clang-tidy", t.tidy(sample, {"CyclopsRulesFile": as_notes})),
                     ("plugin", t.plugin(sample, ["rules=" + as_notes]))):
        levels = sorted({(d.rule, d.level) for d in diags(p)})
        if levels != [("missing-trace", "note")]:
            fail("%s with %s: findings %s, expected missing-trace notes only" % (front, as_notes, levels))
    # The per-check option overrides the global one.
    p = t.tidy(sample, {"CyclopsRulesFile": missing, "cyclops-missing-trace.CyclopsRulesFile": as_notes},
               extra=["--checks=-*,cyclops-missing-trace"])
    if not any(d.level == "note" for d in diags(p)):
        fail("cyclops-missing-trace.CyclopsRulesFile did not override CyclopsRulesFile:\n" + p.stdout)

    # fail-on: findings become errors, so the compilation fails.
    p = t.plugin(sample, ["fail-on=warning"], expect_rc=(1,))
    found = diags(p)
    if not found or any(d.level != "error" for d in found):
        fail("plugin fail-on=warning: expected only errors, got %s" % [str(d) for d in found])

    # A facts directory that is not one: a remark, findings as without it.
    p = t.plugin(sample, ["facts-dir=" + missing])
    if "cyclops: facts directory" not in p.stdout or not diags(p):
        fail("plugin facts-dir=MISSING: expected a remark and the findings:\n" + p.stdout)


def case_once(t):
    # With all five checks on, the analysis runs once per translation unit: CyclopsVerbose
    # gives a remark each time it runs.
    testdata = os.path.join(t.a.source_dir, "testdata", "analyzer")
    path = os.path.join(testdata, "instance.cpp")
    for verbose, expected in (("true", 1), ("false", 0)):
        p = t.tidy(path, options={"CyclopsVerbose": verbose})
        runs = p.stdout.count("cyclops: analyzed the translation unit:")
        if runs != expected:
            fail("CyclopsVerbose=%s: the analysis ran %d times, expected %d:\n%s" % (verbose, runs, expected,
                                                                                     p.stdout[-3000:]))
    # Two translation units in one clang-tidy run: once each.
    other = os.path.join(testdata, "capture_cycle.cpp")
    p = t.run([t.a.clang_tidy, "--load=" + t.a.tidy_module,
               "--config=" + json.dumps({"Checks": "-*,cyclops-*", "CheckOptions": {"CyclopsVerbose": "true"}}),
               "--use-color=false", path, other, "--", *t.flags])
    runs = p.stdout.count("cyclops: analyzed the translation unit:")
    if runs != 2:
        fail("two translation units: the analysis ran %d times, expected 2:\n%s" % (runs, p.stdout[-3000:]))


def case_codegen(t):
    testdata = os.path.join(t.a.source_dir, "testdata", "analyzer")
    for name in ("templates.cpp", "instance.cpp"):
        path = os.path.join(testdata, name)
        syntax = diags(t.plugin(path))
        obj = os.path.join(t.a.work, name + ".o")
        built = diags(t.plugin(path, extra=("-c", "-g", "-O1", "-o", obj)))
        if sorted(d.key() for d in syntax) != sorted(d.key() for d in built):
            fail("plugin %s: -c -g reports differently from -fsyntax-only" % name)
        if not os.path.isfile(obj):
            fail("plugin %s: no object file" % name)


CASES = {"testdata": case_testdata, "fixits": case_fixits, "multi-tu": case_multi_tu, "projects": case_projects,
         "options": case_options,
         "once": case_once, "codegen": case_codegen}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", choices=sorted(CASES), action="append", required=True)
    ap.add_argument("--clang-tidy", default="")
    ap.add_argument("--clangxx", default="")
    ap.add_argument("--tidy-module", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--cyclops", required=True)
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--multi-tu", required=True, help="build directory of testdata/analyzer/multi_tu")
    ap.add_argument("--work", required=True, help="scratch directory (emptied first)")
    args = ap.parse_args()
    for tool in (args.clang_tidy, args.clangxx):
        if not tool or not shutil.which(tool):
            print("SKIP: clang-tidy and clang++ of the Clang cyclops is built with are needed (got %r)" % tool)
            return SKIP
    args.work = os.path.realpath(args.work)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    t = Tools(args)
    for name in args.case:
        print("case %s" % name, flush=True)
        CASES[name](t)
    print("%d failure(s)" % len(FAILURES))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

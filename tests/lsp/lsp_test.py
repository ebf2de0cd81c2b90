#!/usr/bin/env python3
"""The protocol test of `cyclops lsp`: a scratch project (testdata's setter_other_tu, whose
cycle is closed by a setter compiled in another file, plus a parent/child type cycle with a
fix-it and a file that does not compile) served over stdio, as an editor would:

  initialize (with work-done progress) -> indexing reported through $/progress -> open the
  file whose cycle's other half is in another file -> its capture-cycle diagnostic -> the
  header (not in the database) -> the same cycle at its field -> open
  the type cycle -> diagnostic with code, codeDescription, relatedInformation -> the quick
  fix -> two saves in a row, the second with the fix applied -> only the second's
  diagnostics (none) are published -> a file that does not compile -> one
  diagnostic at the top -> malformed input answered with errors, the server goes on ->
  shutdown and exit (status 0). A second server: exit without shutdown (status 1). Then a bad
  rules file and a missing compile database: one error message each, naming it.

usage: lsp_test.py --cyclops BIN --project DIR --workdir DIR
Exit status 0 when every step passes; 1 with the step that failed."""

import argparse
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lsp_client import LspClient, ProtocolError  # noqa: E402

NODE_CPP = """\
// A parent and its child hold each other strongly.
#include <memory>

struct Child;
struct Parent {
  std::shared_ptr<Child> child;
};
struct Child {
  std::shared_ptr<Parent> parent;
};

void adopt() {
  auto p = std::make_shared<Parent>();
  p->child = std::make_shared<Child>();
  p->child->parent = p;
}
"""


def uri(path):
    return "file://" + path


def make_project(source, workdir):
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(source, workdir)
    with open(os.path.join(workdir, "node.cpp"), "w") as f:
        f.write(NODE_CPP)
    with open(os.path.join(workdir, "bad.cpp"), "w") as f:
        f.write("int broken( {\n")
    build = os.path.join(workdir, "build")
    os.makedirs(build)
    files = sorted(f for f in os.listdir(workdir) if f.endswith(".cpp"))
    commands = [{"directory": workdir, "arguments": ["c++", "-std=c++20", "-c", f, "-o", f + ".o"], "file": f}
                for f in files]
    with open(os.path.join(build, "compile_commands.json"), "w") as f:
        json.dump(commands, f, indent=1)


def check(condition, what):
    if not condition:
        raise ProtocolError(what)


def apply_edits(path, edits):
    """Applies LSP TextEdits (ASCII lines, so characters are bytes) to a file."""
    with open(path) as f:
        lines = f.read().split("\n")
    for e in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                    reverse=True):
        start, end = e["range"]["start"], e["range"]["end"]
        check(start["line"] == end["line"], "a fix-it spans lines")
        line = lines[start["line"]]
        lines[start["line"]] = line[:start["character"]] + e["newText"] + line[end["character"]:]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def initialize(client, root):
    answer = client.request("initialize", {
        "processId": os.getpid(), "rootUri": uri(root),
        "capabilities": {"window": {"workDoneProgress": True},
                         "textDocument": {"publishDiagnostics": {"relatedInformation": True}}}})
    caps = answer["result"]["capabilities"]
    check(caps["codeActionProvider"]["codeActionKinds"] == ["quickfix"], f"capabilities: {caps}")
    check(answer["result"]["serverInfo"]["name"] == "cyclops", "serverInfo.name")
    client.notify("initialized", {})


def open_file(client, path):
    with open(path) as f:
        text = f.read()
    client.notify("textDocument/didOpen",
                  {"textDocument": {"uri": uri(path), "languageId": "cpp", "version": 1, "text": text}})


def step_progress(client):
    end = client.wait_for(lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end",
                          what="the end of indexing")
    kinds = [m["params"]["value"]["kind"] for m in client.seen if m.get("method") == "$/progress"]
    check(kinds[0] == "begin", f"progress starts with begin: {kinds}")
    check(any(m.get("method") == "window/workDoneProgress/create" for m in client.seen),
          "the server asked for a progress token")
    print(f"ok: indexing reported ({len(kinds)} $/progress messages: {end['params']['value']['message']})")


def step_cross_file(client, root):
    main = os.path.join(root, "main.cpp")
    open_file(client, main)
    diags = client.diagnostics_for(uri(main), lambda d: any(x.get("code") == "capture-cycle" for x in d))
    d = next(x for x in diags if x["code"] == "capture-cycle")
    check(d["range"]["start"]["line"] == 11, f"capture-cycle at line 12: {d['range']}")
    related = [r["location"]["uri"] for r in d.get("relatedInformation", [])]
    check(uri(os.path.join(root, "websocket.h")) in related, f"the field in the other file is related: {related}")
    print(f"ok: cross-file capture-cycle in main.cpp: {d['message'][:80]}...")
    # A header, parsed with the command of the nearest listed file: the same cycle, at the
    # step of its path that lies in the header (the field that keeps the callback).
    header = os.path.join(root, "websocket.h")
    open_file(client, header)
    diags = client.diagnostics_for(uri(header), lambda d: any(x.get("code") == "capture-cycle" for x in d))
    d = next(x for x in diags if x["code"] == "capture-cycle")
    check(d["range"]["start"]["line"] == 14, f"capture-cycle at the field, line 15 of websocket.h: {d['range']}")
    print("ok: the header, with an inferred command, shows the cycle at its field")


def step_type_cycle(client, root):
    node = os.path.join(root, "node.cpp")
    open_file(client, node)
    diags = client.diagnostics_for(uri(node), lambda d: any(x.get("code") == "cycle-type" for x in d))
    d = next(x for x in diags if x["code"] == "cycle-type")
    check(d["source"] == "cyclops" and d["severity"] == 2, f"source and severity: {d}")
    href = d["codeDescription"]["href"]
    check(href.startswith("file://") and os.path.isfile(href[len("file://"):]), f"codeDescription.href: {href}")
    related = d["relatedInformation"]
    check(len(related) == 2 and all("holds a strong reference" in r["message"] for r in related),
          f"one related entry per edge: {related}")
    check(d["range"]["start"] == {"line": 8, "character": 26} and d["range"]["end"]["character"] == 32,
          f"the range covers 'parent': {d['range']}")
    print(f"ok: cycle-type with code, codeDescription ({os.path.basename(href)}) and {len(related)} related")
    return d


def step_quick_fix(client, root, diagnostic):
    node = os.path.join(root, "node.cpp")
    answer = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri(node)}, "range": diagnostic["range"],
        "context": {"diagnostics": [diagnostic]}})
    actions = answer["result"]
    check(len(actions) == 1 and actions[0]["kind"] == "quickfix", f"one quickfix: {actions}")
    edits = actions[0]["edit"]["changes"][uri(node)]
    check(edits and edits[0]["newText"] == "std::weak_ptr", f"the edit makes the field weak: {edits}")
    # Two saves in a row, the first still with the cycle: its run is stale once the second
    # comes, so the only diagnostics published are the second's.
    with open(node, "a") as f:
        f.write("// a first edit, cycle and all\n")
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri(node)}})
    apply_edits(node, edits)
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri(node)}})
    published = client.diagnostics_for(uri(node))
    check(published == [], f"the first diagnostics after the saves are the last save's: {published}")
    try:
        late = client.diagnostics_for(uri(node), timeout=5)
        raise ProtocolError(f"a stale run was published after the newer one: {late}")
    except ProtocolError as e:
        if "timed out" not in str(e):
            raise
    print(f"ok: quickfix '{actions[0]['title']}' applied; of two saves only the last one's diagnostics "
          "(none) were published")


def step_does_not_compile(client, root):
    # First a file in a language clang does not compile: not analyzed, so nothing is published
    # for it before the next file's diagnostics (the analysis thread takes files in order).
    notes = os.path.join(root, "notes.txt")
    with open(notes, "w") as f:
        f.write("not C++\n")
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri(notes), "languageId": "plaintext",
                                                            "version": 1, "text": "not C++\n"}})
    bad = os.path.join(root, "bad.cpp")
    open_file(client, bad)
    diags = client.diagnostics_for(uri(bad))
    check(len(diags) == 1 and diags[0]["range"]["start"] == {"line": 0, "character": 0}
          and "does not compile" in diags[0]["message"], f"one diagnostic at the top: {diags}")
    check(not any(m.get("params", {}).get("uri") == uri(notes) for m in client.seen), "a text file was analyzed")
    print(f"ok: {diags[0]['message']} (and a plaintext file is not analyzed)")


def step_malformed(client):
    client.raw(b"{not json")
    e = client.wait_for(lambda m: "error" in m and m.get("id") is None, what="the parse error")
    check(e["error"]["code"] == -32700, f"parse error code: {e}")
    client.send_bytes(b"Content-Length: seven\r\n\r\n")
    e = client.wait_for(lambda m: "error" in m and m.get("id") is None, what="the framing error")
    check(e["error"]["code"] == -32700, f"framing error code: {e}")
    client.raw([1, 2])
    e = client.wait_for(lambda m: "error" in m and m.get("id") is None, what="the invalid request error")
    check(e["error"]["code"] == -32600, f"invalid request code: {e}")
    answer = client.request("no/suchMethod", {})
    check(answer["error"]["code"] == -32601, f"method not found: {answer}")
    answer = client.request("textDocument/codeAction", {"textDocument": {"uri": "file:///nowhere.cpp"},
                                                        "range": {"start": {"line": 0, "character": 0},
                                                                  "end": {"line": 0, "character": 0}},
                                                        "context": {"diagnostics": []}})
    check(answer["result"] == [], "the server still answers")
    print("ok: malformed input answered with errors (-32700, -32600, -32601); the server goes on")


def step_shutdown(client):
    answer = client.request("shutdown", None)
    check(answer["result"] is None, f"shutdown: {answer}")
    client.notify("exit", None)
    status = client.proc.wait(timeout=60)
    check(status == 0, f"exit after shutdown: status {status}")
    check(client.stray is None, f"stdout holds only protocol: {client.stray!r}")
    print("ok: shutdown, exit: status 0, nothing but protocol on stdout")


def exit_without_shutdown(args, root):
    client = LspClient([args.cyclops, "lsp"], root, os.path.join(args.workdir, "stderr-2.txt"))
    try:
        initialize(client, root)
        client.notify("exit", None)
        status = client.proc.wait(timeout=60)
        check(status == 1, f"exit without shutdown: status {status}")
        print("ok: exit without shutdown: status 1")
    finally:
        client.close()


def bad_settings(args, root):
    """A rules file that does not load, and a compile database that is not there: each is one
    window/showMessage error naming what is wrong, and the server still shuts down cleanly."""
    bad_rules = os.path.join(args.workdir, "bad-rules.yaml")
    with open(bad_rules, "w") as f:
        f.write("base: [\n")
    for option, expected in ((f"--rules={bad_rules}", f"{bad_rules}:1:"),
                             ("--compile-commands-dir=no-such-build", "no-such-build")):
        client = LspClient([args.cyclops, "lsp", option], root, os.path.join(args.workdir, "stderr-3.txt"))
        try:
            initialize(client, root)
            shown = client.wait_for(lambda m: m.get("method") == "window/showMessage", what="the error message")
            message = shown["params"]["message"]
            check(shown["params"]["type"] == 1 and expected in message, f"{option}: {message}")
            answer = client.request("shutdown", None)
            check(answer["result"] is None, f"shutdown after {option}: {answer}")
            client.notify("exit", None)
            check(client.proc.wait(timeout=60) == 0, f"exit status after {option}")
            print(f"ok: {option}: {message}")
        finally:
            client.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cyclops", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--workdir", required=True)
    args = parser.parse_args()
    root = os.path.join(os.path.abspath(args.workdir), "project")
    make_project(args.project, root)
    stderr = os.path.join(args.workdir, "stderr.txt")
    client = LspClient([args.cyclops, "lsp", "-j", "2"], root, stderr)
    try:
        initialize(client, root)
        step_progress(client)
        step_cross_file(client, root)
        diagnostic = step_type_cycle(client, root)
        step_quick_fix(client, root, diagnostic)
        step_does_not_compile(client, root)
        step_malformed(client)
        step_shutdown(client)
        exit_without_shutdown(args, root)
        bad_settings(args, root)
    except (ProtocolError, KeyError, TypeError, StopIteration) as e:
        client.close()
        print(f"FAILED: {type(e).__name__}: {e}\n--- server stderr:", file=sys.stderr)
        with open(stderr) as f:
            sys.stderr.write(f.read()[-4000:])
        return 1
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

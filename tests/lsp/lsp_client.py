"""A minimal LSP client for the tests of `cyclops lsp`: frames messages, reads every byte the
server writes to stdout as framed JSON-RPC (anything else fails the test), answers the
server's requests, and lets a test wait for a message that matches."""

import json
import queue
import subprocess
import threading
import time


class ProtocolError(Exception):
    pass


class LspClient:
    def __init__(self, argv, cwd, stderr_path):
        self._stderr = open(stderr_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr)
        self.messages = queue.Queue()
        self.seen = []  # every message received, in order
        self.stray = None  # the first bytes that were not a framed message
        self._next_id = 1
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # --- reading
    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line == b"\r\n":
                    break
                if not line.endswith(b"\r\n") or b":" not in line:
                    self.stray = line
                    self.messages.put(None)
                    return
                name, value = line[:-2].split(b":", 1)
                headers[name.strip().lower()] = value.strip()
            length = int(headers[b"content-length"])
            body = out.read(length)
            message = json.loads(body)
            if "method" in message and "id" in message:  # a request of the server's
                self.raw({"jsonrpc": "2.0", "id": message["id"], "result": None})
            self.messages.put(message)

    def wait_for(self, predicate, timeout=120, what="a message"):
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise ProtocolError(f"timed out waiting for {what}")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                raise ProtocolError(f"timed out waiting for {what}")
            if message is None:
                raise ProtocolError(f"the server's output ended while waiting for {what}"
                                    + (f"; stray bytes: {self.stray!r}" if self.stray else ""))
            self.seen.append(message)
            if predicate(message):
                return message

    # --- writing
    def raw(self, message_or_bytes):
        data = message_or_bytes if isinstance(message_or_bytes, bytes) else json.dumps(message_or_bytes).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def send_bytes(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.raw({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=120):
        request_id = self._next_id
        self._next_id += 1
        self.raw({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout,
                             f"the answer to {method}")

    def diagnostics_for(self, uri, predicate=lambda d: True, timeout=120):
        message = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri and predicate(m["params"]["diagnostics"]),
                                timeout, f"diagnostics of {uri}")
        return message["params"]["diagnostics"]

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._stderr.close()

"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a real server, for load failure tests."""
from __future__ import annotations

import base64
import contextlib
import http.server
import threading
import urllib.error
import urllib.request


class _Handler(http.server.BaseHTTPRequestHandler):
    upstream = ""
    fail = None  # callable(method, path) -> "500" | "drop" | None
    password = None  # "user:secret" to demand Basic auth

    def log_message(self, *args):  # keep test output quiet
        pass

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if self.password:
            expected = "Basic " + base64.b64encode(self.password.encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        fault = self.fail(self.command, self.path) if self.fail else None
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault == "500":
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload, ctype = response.status, response.read(), response.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            status, payload, ctype = exc.code, exc.read(), exc.headers.get("Content-Type")
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _forward


@contextlib.contextmanager
def fault_proxy(upstream: str, *, fail=None, password: str | None = None):
    """Serve a proxy to upstream on a free port of 127.0.0.1; yield its base URL."""
    handler = type("Handler", (_Handler,), {"upstream": upstream, "fail": staticmethod(fail) if fail else None, "password": password})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

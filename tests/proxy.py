"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a real server, for load failure tests.

`fail(method, path_and_query, headers)` chooses the fault for each request:

- None: forward it as it is;
- "500" / "drop": answer HTTP 500, or close the connection, without forwarding (nothing changes);
- "204": answer 204 No Content without forwarding (a success that changed nothing);
- ("500", body): answer HTTP 500 with that body (bytes), without forwarding;
- "500-after" / "drop-after": forward it (the server applies it), then answer 500 or close;
- ("delay", seconds): forward it, then wait before answering (a client timeout meanwhile);
- ("redirect", url): answer 302 to url + the request's path and query;
- ("hang", seconds): wait, then close the connection without forwarding (nothing changes).

The proxy passes the upstream's Server header on, so the client recognises the store behind it,
and records every request it sees (method, path, headers) in `.requests`.
"""
from __future__ import annotations

import base64
import contextlib
import http.server
import threading
import time
import urllib.error
import urllib.request


class _Handler(http.server.BaseHTTPRequestHandler):
    upstream = ""
    fail = None
    password = None  # "user:secret" to demand Basic auth
    requests: list = []
    server_header = None

    def log_message(self, *args):  # keep test output quiet
        pass

    def version_string(self) -> str:
        return self.server_header or super().version_string()

    def _answer(self, status: int, payload: bytes = b"", ctype: str | None = None, extra: dict | None = None):
        self.send_response(status)
        for key, value in {**({"Content-Type": ctype} if ctype else {}), **(extra or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _drop(self):
        self.close_connection = True
        self.connection.shutdown(2)
        self.connection.close()

    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        self.requests.append((self.command, self.path, dict(self.headers)))
        if self.password:
            expected = "Basic " + base64.b64encode(self.password.encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._answer(401, b"who are you", extra={"WWW-Authenticate": 'Basic realm="store"'})
        fault = self.fail(self.command, self.path, self.headers) if self.fail else None
        if fault == "drop":
            return self._drop()
        if fault == "500":
            return self._answer(500, b"injected failure")
        if fault == "204":
            return self._answer(204)
        if isinstance(fault, tuple) and fault[0] == "500":
            return self._answer(500, fault[1], "text/plain")
        if isinstance(fault, tuple) and fault[0] == "hang":
            time.sleep(fault[1])
            return self._drop()
        if isinstance(fault, tuple) and fault[0] == "redirect":
            return self._answer(302, extra={"Location": fault[1] + self.path})
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "authorization")}
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, payload, reply = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, payload, reply = exc.code, exc.read(), exc.headers
        type(self).server_header = reply.get("Server")
        if fault == "drop-after":
            return self._drop()
        if fault == "500-after":
            return self._answer(500, b"injected failure after the change")
        if isinstance(fault, tuple) and fault[0] == "delay":
            time.sleep(fault[1])
        extra = {"WWW-Authenticate": reply["WWW-Authenticate"]} if reply.get("WWW-Authenticate") else None
        try:
            self._answer(status, payload, reply.get("Content-Type"), extra)
        except OSError:  # the client gave up waiting
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


@contextlib.contextmanager
def fault_proxy(upstream: str, *, fail=None, password: str | None = None):
    """Serve a proxy to upstream on a free port of 127.0.0.1; yield its base URL (a str with
    a `.requests` list of (method, path, headers) seen)."""
    handler = type("Handler", (_Handler,), {"upstream": upstream, "fail": staticmethod(fail) if fail else None,
                                            "password": password, "requests": [], "server_header": None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield _Url(f"http://127.0.0.1:{server.server_address[1]}", handler.requests)
    finally:
        server.shutdown()
        server.server_close()


class _Url(str):
    """A URL that also carries the requests its server recorded."""

    def __new__(cls, url: str, requests: list):
        made = super().__new__(cls, url)
        made.requests = requests
        return made


@contextlib.contextmanager
def recording_server():
    """A listener on 127.0.0.1 that answers HTTP 500 to everything and records each request's headers.

    Yields its base URL (with `.requests`: (method, path, headers) seen), e.g. as a redirect target
    that must never receive credentials.
    """
    with fault_proxy("http://127.0.0.1:9", fail=lambda method, path, headers: "500") as url:
        yield url

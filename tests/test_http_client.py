"""The HTTP client: credentials go only to the endpoint's own origin, are never printed; timeouts, retries."""
from __future__ import annotations

import base64
import contextlib
import http.server as httpserver
import threading
import time

import pytest

from exo_rdf.errors import AuthenticationError, EndpointError
from exo_rdf.stores import http


class _Recorder(httpserver.BaseHTTPRequestHandler):
    """Answers from a script (method, path) -> (status, headers, body) and records every request."""

    script = None
    seen: list = []

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, self.headers.get("Authorization"), body))
        status, headers, payload = self.script(self.command, self.path, self.headers)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _answer


@contextlib.contextmanager
def recorder(script):
    """A scripted server on a free port of 127.0.0.1; yield (base URL, list of requests seen)."""
    seen: list = []
    handler = type("H", (_Recorder,), {"script": staticmethod(script), "seen": seen})
    server = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


ASK_TRUE = (200, {"Content-Type": "application/sparql-results+json"}, b'{"head":{},"boolean":true}')


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    """No credentials from the person running the tests: empty environment and an empty HOME."""
    monkeypatch.delenv("EXO_RDF_USER", raising=False)
    monkeypatch.delenv("EXO_RDF_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    http._CLIENTS.clear()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def wants_basic(expected: str):
    def script(method, path, headers):
        if headers.get("Authorization") != expected:
            return 401, {"WWW-Authenticate": 'Basic realm="store"'}, b"who are you"
        return ASK_TRUE
    return script


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/sparql", "gopher://x", "http:///query"])
def test_only_http_urls_are_accepted(url):
    with pytest.raises(EndpointError, match="http://|no host"):
        http.select(url, "ASK {}")


def test_credentials_in_the_url_are_used_and_never_shown():
    with recorder(wants_basic(basic("alice", "s3cret"))) as (base, seen):
        assert bool(http.select(f"http://alice:s3cret@{base[7:]}/query", "ASK {}")) is True
        assert [s[2] for s in seen] == [None, basic("alice", "s3cret")]  # challenge first, then Basic
        with pytest.raises(AuthenticationError) as refused:
            http.select(f"http://alice:wrong@{base[7:]}/query", "ASK {}")
    message = str(refused.value)
    assert "authentication failed (HTTP 401)" in message and "refused" in message
    assert "wrong" not in message and "alice" not in message and message.startswith(f"{base}/query:")


def test_password_in_url_not_printed_when_unreachable():
    with pytest.raises(EndpointError) as failed:
        http.select("http://bob:hunter2@127.0.0.1:1/query", "ASK {}", timeout=2)
    assert "hunter2" not in str(failed.value) and "bob" not in str(failed.value)
    assert "cannot reach the endpoint" in str(failed.value) and "127.0.0.1:1/query" in str(failed.value)


def test_environment_credentials_answer_a_basic_challenge(monkeypatch):
    monkeypatch.setenv("EXO_RDF_USER", "carol")
    monkeypatch.setenv("EXO_RDF_PASSWORD", "pw")
    with recorder(wants_basic(basic("carol", "pw"))) as (base, seen):
        assert bool(http.select(base + "/query", "ASK {}"))
        assert bool(http.select(base + "/query", "ASK {}"))
    assert [s[2] for s in seen] == [None, basic("carol", "pw"), basic("carol", "pw")]  # learnt once


def test_no_credentials_on_a_401_says_credentials_are_wanted():
    with recorder(wants_basic("never")) as (base, _):
        with pytest.raises(AuthenticationError, match="authentication failed .*wants credentials"):
            http.update(base + "/update", "CLEAR ALL")


def test_netrc_is_read_for_the_endpoint_host_only(tmp_path):
    (tmp_path / ".netrc").write_text("machine elsewhere.example login eve password leaked\n")
    (tmp_path / ".netrc").chmod(0o600)
    with recorder(wants_basic(basic("dave", "pw"))) as (base, seen):
        with pytest.raises(AuthenticationError):
            http.select(base + "/query", "ASK {}")
        assert [s[2] for s in seen] == [None]  # no credentials of another host were sent
        (tmp_path / ".netrc").write_text("machine 127.0.0.1 login dave password pw\n")
        http._CLIENTS.clear()
        assert bool(http.select(base + "/query", "ASK {}"))


def test_redirect_to_another_port_is_refused_and_gets_no_credentials(monkeypatch):
    monkeypatch.setenv("EXO_RDF_USER", "frank")
    monkeypatch.setenv("EXO_RDF_PASSWORD", "pw")
    with recorder(lambda m, p, h: ASK_TRUE) as (elsewhere, stolen):
        def redirecting(method, path, headers):
            if headers.get("Authorization") != basic("frank", "pw"):
                return 401, {"WWW-Authenticate": 'Basic realm="x"'}, b""
            return 302, {"Location": elsewhere + "/query"}, b""

        with recorder(redirecting) as (base, seen):
            with pytest.raises(EndpointError) as refused:
                http.select(base + "/query", "ASK {}")
    assert f"redirects to {elsewhere}/query" in str(refused.value) and "not followed" in str(refused.value)
    assert stolen == []
    assert [s[2] for s in seen] == [None, basic("frank", "pw")]


def test_redirect_within_the_origin_is_followed():
    def script(method, path, headers):
        return (307, {"Location": "/sparql"}, b"") if path == "/old" else ASK_TRUE

    with recorder(script) as (base, seen):
        assert bool(http.select(base + "/old", "ASK {}"))
    assert [(s[0], s[1]) for s in seen] == [("POST", "/old"), ("POST", "/sparql")]
    assert b"query=ASK" in seen[1][3]


def test_timeout_is_reported_as_such():
    def slow(method, path, headers):
        time.sleep(1.5)
        return ASK_TRUE

    with recorder(slow) as (base, seen):
        with pytest.raises(EndpointError, match=r"no answer within 0.5 s.*--timeout-s"):
            http.select(base + "/query", "ASK {}", timeout=0.5)
    assert len(seen) == 1  # a query that timed out is not sent again


def test_queries_are_retried_on_503_updates_are_not():
    answers = iter([(503, {}, b"busy"), (503, {}, b"busy"), ASK_TRUE])
    with recorder(lambda m, p, h: next(answers)) as (base, seen):
        assert bool(http.select(base + "/query", "ASK {}"))
    assert len(seen) == 3
    with recorder(lambda m, p, h: (503, {}, b"busy")) as (base, seen):
        with pytest.raises(EndpointError, match="HTTP 503") as failed:
            http.update(base + "/update", "CLEAR ALL")
    assert failed.value.status == 503 and len(seen) == 1


def test_404_gets_a_hint_about_the_url_form():
    with recorder(lambda m, p, h: (404, {}, b"not found")) as (base, _):
        with pytest.raises(EndpointError, match="no SPARQL endpoint at this URL; for Oxigraph give the base URL"):
            http.select(base, "ASK {}")


def test_streamed_upload_sends_its_length_and_learns_auth_before_the_body(monkeypatch):
    monkeypatch.setenv("EXO_RDF_USER", "gina")
    monkeypatch.setenv("EXO_RDF_PASSWORD", "pw")
    with recorder(wants_basic(basic("gina", "pw"))) as (base, seen):
        http.post_graph(base + "/store", "urn:g", iter([b"<urn:a> <urn:b> ", b"<urn:c> .\n"]), 26)
    assert [(s[0], s[2]) for s in seen] == [("HEAD", None), ("POST", basic("gina", "pw"))]
    assert seen[1][3] == b"<urn:a> <urn:b> <urn:c> .\n" and seen[1][1] == "/store?graph=urn%3Ag"


def test_an_error_page_becomes_one_line():
    page = b"<html>\n<body>\n<h3>Error</h3><pre>\nquery   failed\n</pre></body></html>\n"
    with recorder(lambda m, p, h: (500, {"Content-Type": "text/html"}, page)) as (base, _):
        with pytest.raises(EndpointError) as failed:
            http.update(base + "/update", "CLEAR ALL")
    assert str(failed.value) == f"{base}/update: the server answered HTTP 500 Internal Server Error: Error query failed"

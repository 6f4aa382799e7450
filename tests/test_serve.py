"""exo-rdf serve: a real read-only Oxigraph server over the graphs `load` writes, with a page of
the stored queries; Ctrl-C and SIGTERM stop it and remove its store; a taken port is reported."""
from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests

from exo_rdf.catalogue import catalogue
from exo_rdf.errors import EndpointError
from exo_rdf.query import run_stored, with_values_block
from exo_rdf.sources import GRAPH_BASE
from exo_rdf.stores import serve as serve_module
from exo_rdf.stores.load import graph_contents

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SERVING = re.compile(r"serving exo-rdf read-only at (http://127\.0\.0\.1:(\d+)) \(SPARQL endpoint \S+/query, query timeout (\d+) s\)")
PAGE = re.compile(r"stored queries: (http://127\.0\.0\.1:(\d+)/)")


class Served:
    """A running `exo-rdf serve`: the command, its URLs, its oxigraph child and that child's store."""

    def __init__(self, proc, base, port, page, page_port, timeout_s, child, workdir, stderr):
        self.proc, self.base, self.port, self.page, self.page_port = proc, base, port, page, page_port
        self.timeout_s, self.child, self.workdir, self.stderr = timeout_s, child, workdir, stderr


def start_serve(*args: str, timeout: float = 120) -> Served:
    """Start `exo-rdf serve --port 0 ARGS` and return once it has printed where it serves."""
    proc = subprocess.Popen([sys.executable, "-m", "exo_rdf", "serve", "--port", "0", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    text, deadline = "", time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while not (SERVING.search(text) and PAGE.search(text)):
            ready = sel.select(max(0.0, deadline - time.monotonic()))
            chunk = os.read(proc.stderr.fileno(), 4096) if ready else b""
            if not chunk:
                os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
                proc.wait()
                raise AssertionError(f"exo-rdf serve did not start (exit {proc.returncode}): {text}")
            text += chunk.decode()
    serving, page = SERVING.search(text), PAGE.search(text)
    child, workdir = _server_child(proc.pid, serving[2])
    return Served(proc, serving[1], int(serving[2]), page[1], int(page[2]), int(serving[3]), child, workdir, text)


def _server_child(parent: int, port: str) -> tuple[int, Path]:
    """The pid and store folder of the oxigraph server that parent started on port."""
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and f"127.0.0.1:{port}".encode() in args:
            location = Path(args[args.index(b"--location") + 1].decode())
            return int(entry.name), location.parent
    raise AssertionError(f"no oxigraph server child of {parent} on port {port}")


def _alive(pid: int, port: int) -> bool:
    try:
        return f"127.0.0.1:{port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@contextlib.contextmanager
def taken_port():
    """A port of 127.0.0.1 on which another program listens."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def stop_and_check(served: Served, sig: int) -> str:
    """Send sig; assert exit 0, the oxigraph child gone, both ports free, the store removed; return stderr."""
    try:
        served.proc.send_signal(sig)
        assert served.proc.wait(timeout=30) == 0
        stderr = served.stderr + served.proc.stderr.read().decode()
        assert stderr.endswith("Ctrl-C stops the server and removes its store\nstopped the server and removed its store\n")
        assert not _alive(served.child, served.port), "the oxigraph server outlived exo-rdf serve"
        assert _free(served.port) and _free(served.page_port)
        assert not served.workdir.exists()
        return stderr
    finally:  # never leave a server behind, whatever failed above
        if served.proc.poll() is None:
            served.proc.kill()
            served.proc.wait()
        if _alive(served.child, served.port):
            os.kill(served.child, signal.SIGKILL)
        shutil.rmtree(served.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def served():
    """One `exo-rdf serve` for this module; stopped with Ctrl-C (SIGINT) and checked afterwards."""
    s = start_serve()
    assert s.timeout_s == 30  # the default
    yield s
    stderr = stop_and_check(s, signal.SIGINT)
    assert "Traceback" not in stderr


def _canonical(triples: list) -> bytes:
    """N-Triples with canonical blank nodes, sorted: the form of exo_rdf.stores.load.graph_contents."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return "".join(sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in dataset)).encode()


def test_serves_the_graphs_load_writes_and_nothing_else(served):
    answer = requests.get(served.base + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
    assert answer.status_code == 200
    by_graph = defaultdict(list)
    for quad in ox.parse(answer.content, ox.RdfFormat.N_QUADS):
        by_graph[quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else "(default graph)"].append(quad)
    expected = graph_contents()
    names = ("ontology", "data", "findings/review-tex", "findings/review-protein", "shapes", "queries")
    assert sorted(by_graph) == sorted(expected) == sorted(GRAPH_BASE + n for n in names)
    assert {g: len(q) for g, q in by_graph.items()} == {g: data.count(b"\n") for g, data in expected.items()}
    assert {g: _canonical(q) for g, q in by_graph.items()} == expected


@pytest.mark.parametrize("name, params", [
    ("biomarkers", {"cancer": "pancreatic cancer"}), ("clinical-trials", {}), ("ev-types", {}),
])
def test_stored_queries_answer_as_on_the_embedded_store(served, store, name, params):
    # every query on every store is the compliance tests' job; here: the served store is complete
    remote = run_stored(name, params, endpoint=served.base + "/query")
    local = run_stored(name, params, store=store)
    assert remote.rows and (remote.variables, remote.rows) == (local.variables, local.rows)


def test_the_server_is_read_only(served):
    update = (FIXTURES / "serve" / "clear-all.ru").read_text(encoding="utf-8")
    answer = requests.post(served.base + "/update", data={"update": update}, timeout=10)
    assert answer.status_code in (403, 404, 405)
    assert requests.get(served.base + "/store", headers={"Accept": "application/n-quads"}, timeout=60).content


def _page_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found, "the page has no data block"
    return json.loads(found[1])


def test_the_page_offers_every_stored_query_as_exo_rdf_query_runs_it(served):
    answer = requests.get(served.page, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/html; charset=utf-8"
    data = _page_data(answer.text)
    assert data["endpoint"] == served.base + "/query" and data["queryPage"] == served.base + "/"
    stored = catalogue()
    assert [q["name"] for q in data["queries"]] == list(stored)
    page = {q["name"]: q for q in data["queries"]}
    assert {n: (q["title"], q["description"]) for n, q in page.items()} == {n: (q.title, q.description) for n, q in stored.items()}
    # no parameter needed: the stored text; a default: bound; a required parameter: its example bound
    assert (page["clinical-trials"]["sparql"], page["clinical-trials"]["bound"]) == (stored["clinical-trials"].text, "")
    assert page["cargo-recipient-leukocytes"]["sparql"] == with_values_block(
        stored["cargo-recipient-leukocytes"].text, {"cell_type": ox.Literal("leukocyte")})
    assert page["cargo-by-cancer"]["bound"] == "cancer=breast cancer"
    assert page["cargo-by-cancer"]["sparql"] == with_values_block(stored["cargo-by-cancer"].text, {"cancer": ox.Literal("breast cancer")})
    assert page["clinical-trials"]["parameters"] == [
        "status (string, optional): trial status as the review prints it (Completed, Not yet recruiting, Active, "
        "Recruiting, Unknown), case-insensitive"]
    assert page["ev-types"]["tab"] == served.base + "/#" + urlencode(
        {"query": stored["ev-types"].text, "endpoint": served.base + "/query", "tabTitle": stored["ev-types"].title})
    assert requests.get(served.page + "store", timeout=10).status_code == 404


def test_the_query_timeout_stops_a_cartesian_query_and_sigterm_stops_the_server():
    s = start_serve("--timeout-s", "1")
    try:
        # more than a minute of counting without a timeout; the answer must be the server's cancellation
        text = (FIXTURES / "serve" / "cartesian-count.rq").read_text(encoding="utf-8")
        answer = requests.post(s.base + "/query", data={"query": text}, timeout=300,
                               headers={"Accept": "application/sparql-results+json"})
        assert answer.text.endswith("The SPARQL operation has been cancelled")
        assert '"pairs":' not in answer.text  # no count was answered
        assert s.timeout_s == 1
    finally:
        stderr = stop_and_check(s, signal.SIGTERM)
    assert "Traceback" not in stderr


def test_the_server_does_not_outlive_a_killed_exo_rdf_serve():
    s = start_serve()
    try:
        os.kill(s.proc.pid, signal.SIGKILL)  # no clean-up can run: the kernel stops the server
        s.proc.wait(timeout=30)
        deadline = time.monotonic() + 30
        while _alive(s.child, s.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(s.child, s.port)
    finally:
        if _alive(s.child, s.port):
            os.kill(s.child, signal.SIGKILL)
        shutil.rmtree(s.workdir, ignore_errors=True)  # the one thing a killed process leaves behind


def test_a_taken_port_is_reported_before_anything_is_loaded():
    with taken_port() as port:
        done = subprocess.run([sys.executable, "-m", "exo_rdf", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (f"exo-rdf: error: port {port} on 127.0.0.1 is taken by another program; "
                           "choose another with --port (0 picks a free one)\n")
    assert done.stdout == ""


def test_a_taken_page_port_is_reported_before_anything_is_loaded():
    with taken_port() as port:
        done = subprocess.run([sys.executable, "-m", "exo_rdf", "serve", "--port", "0", "--page-port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (f"exo-rdf: error: port {port} on 127.0.0.1 is taken by another program; "
                           "choose another with --page-port (0 picks a free one)\n")


def test_a_port_taken_after_the_check_is_reported_from_the_server_without_backtrace(monkeypatch, capfd):
    # the port is taken between the check and the server's start: the server's own failure is read
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(serve_module, "_check_free", lambda port, option: None)
    monkeypatch.setattr(serve_module.tempfile, "mkdtemp", lambda **kw: made.append(mkdtemp(**kw)) or made[-1])
    monkeypatch.setenv("RUST_BACKTRACE", "full")
    with taken_port() as port:
        with pytest.raises(EndpointError) as raised:
            serve_module.serve(port=port, page_port=0)
    assert str(raised.value) == (f"port {port} on 127.0.0.1 is taken by another program; "
                                 "choose another with --port (0 picks a free one)")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # no "serving … at …", nothing from the server
    assert len(made) == 1 and not Path(made[0]).exists()


def test_a_server_that_ignores_sigterm_is_killed(monkeypatch):
    monkeypatch.setattr(serve_module, "STOP_TIMEOUT_S", 0.5)
    stubborn = subprocess.Popen(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
                                stdout=subprocess.PIPE, start_new_session=True)
    assert stubborn.stdout.readline() == b"ready\n"  # its trap is set
    serve_module._stop(stubborn)
    assert stubborn.returncode == -signal.SIGKILL


@pytest.mark.parametrize("args, message", [
    (["--port", "70000"], "--port 70000: a port is a number from 0 to 65535 (0 picks a free one)"),
    (["--timeout-s", "0"], "--timeout-s 0: the query timeout is a whole number of seconds, at least 1"),
])
def test_bad_options_are_refused_in_one_line(args, message):
    done = subprocess.run([sys.executable, "-m", "exo_rdf", "serve", *args], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr, done.stdout) == (2, f"exo-rdf: error: {message}\n", "")


def test_sigterm_while_loading_removes_the_store_and_restores_the_handler(monkeypatch, capfd):
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(serve_module.tempfile, "mkdtemp", lambda **kw: made.append(mkdtemp(**kw)) or made[-1])
    monkeypatch.setattr(serve_module, "_load", lambda *args: os.kill(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    assert serve_module.serve(port=0, page_port=0) == 130
    assert signal.getsignal(signal.SIGTERM) is before
    assert len(made) == 1 and not Path(made[0]).exists()
    assert capfd.readouterr() == ("", "stopped before serving and removed its store\n")

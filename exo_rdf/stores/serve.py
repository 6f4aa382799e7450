"""Serve the graph over SPARQL with a real Oxigraph server on 127.0.0.1, with a page of the stored queries.

The graphs that `exo-rdf load` writes (see exo_rdf.stores.load.graph_contents: ontology, data,
each review's findings, shapes, query catalogue) are bulk-loaded as N-Quads into a temporary
on-disk store, which `oxigraph serve-read-only` serves with the union of the named graphs as its
default graph (so stored queries answer as on the embedded store) and a query timeout. A second,
small HTTP server in this process serves a page listing the stored queries, each runnable from
the browser against the SPARQL endpoint. Ctrl-C or SIGTERM stops the server and removes the store.

Out of scope: serving on another interface than 127.0.0.1; keeping the store after the server stops.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from exo_rdf.errors import EndpointError, LoadError
from exo_rdf.sources import GRAPH_BASE, project_root

HOST = "127.0.0.1"
#: how long the server may take to listen after its store is loaded
START_TIMEOUT_S = 30
#: how long a stopped server may take to exit before it is killed
STOP_TIMEOUT_S = 10


def oxigraph_command() -> str:
    """The oxigraph server command, installed beside this Python or on PATH.

    Raises EndpointError saying how to install it when it is missing.
    """
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise EndpointError("the Oxigraph server is not installed: pip install 'exo-rdf[serve]' (the oxigraph package)")
    return found


def serve(
    *,
    port: int = 7878,
    page_port: int | None = None,
    timeout_s: int = 30,
    writable: bool = False,
    graph_base: str = GRAPH_BASE,
    root: Path | None = None,
    ready=None,
) -> int:
    """Load the graphs into a temporary store and serve them until Ctrl-C or SIGTERM; return the exit code.

    port 0 picks a free port; page_port (default: port + 1, or a free one when port is 0) serves
    the page of stored queries. timeout_s (whole seconds, at least 1) is the server's query timeout.
    ready, when given, is called with the base URL once the server listens.
    Raises EndpointError when the server is missing, a port is taken, or the server fails to start
    or stops by itself; LoadError for a bad graph base or a store that cannot be loaded;
    SourceError for a bad source. Ctrl-C or SIGTERM returns 0 once the server is up, 130 before.
    """
    for option, number in (("--port", port), ("--page-port", page_port)):
        if number is not None and not 0 <= number <= 65535:
            raise EndpointError(f"{option} {number}: a port is a number from 0 to 65535 (0 picks a free one)")
    if timeout_s < 1:
        raise EndpointError(f"--timeout-s {timeout_s}: the query timeout is a whole number of seconds, at least 1")
    command = oxigraph_command()
    root = root or project_root()
    requested, port = port, port or _free_port()
    _check_free(port, "--port")
    base = f"http://{HOST}:{port}"
    previous = _on_sigterm_interrupt()
    workdir = server = page = page_thread = None
    stopped = serving = False
    try:
        if page_port is None:
            page_port = port + 1 if requested and port < 65535 else 0
        page = page_server(page_port, page_html(base + "/query", base + "/", root))
        workdir = Path(tempfile.mkdtemp(prefix="exo-rdf-serve-"))
        _load(command, workdir / "db", workdir / "exo-rdf.nq", root, graph_base)
        server = _start(command, workdir, port, timeout_s, writable)
        page_thread = threading.Thread(target=page.serve_forever, name="exo-rdf-page", daemon=True)
        page_thread.start()
        page_url = f"http://{HOST}:{page.server_address[1]}/"
        print(f"serving exo-rdf {'read-write' if writable else 'read-only'} at {base} "
              f"(SPARQL endpoint {base}/query, query timeout {timeout_s} s)\n"
              f"stored queries: {page_url}  Oxigraph query page: {base}/\n"
              "Ctrl-C stops the server and removes its store", file=sys.stderr, flush=True)
        serving = True
        if ready:
            ready(base)
        code = server.wait()
        raise EndpointError(f"the Oxigraph server stopped by itself (exit {code}): {_last_line(workdir / 'server.log')}")
    except KeyboardInterrupt:
        stopped = True
        return 0 if serving else 130
    finally:
        # a second Ctrl-C or SIGTERM must not cut the clean-up short
        with _signals_ignored():
            if server is not None:
                _stop(server)
            if page_thread is not None:
                page.shutdown()  # waits for serve_forever, so only once it was started
            if page is not None:
                page.server_close()
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)
            if stopped:
                left = "" if workdir is None else (
                    f"; could not remove {workdir}" if workdir.exists() else " and removed its store")
                print(f"stopped {'the server' if serving else 'before serving'}{left}", file=sys.stderr, flush=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def page_html(endpoint: str, query_page: str, root: Path | None = None) -> bytes:
    """The page of stored queries, generated from the catalogue: title, description, parameters, SPARQL.

    Each query's SPARQL is bound as `exo-rdf query NAME` binds it: defaults, and for a query that
    needs a parameter, its catalogue example. A Run button sends it to endpoint; a link
    opens it in a tab of Oxigraph's query page (query_page).
    Raises SourceError for a malformed stored query.
    """
    import json
    from urllib.parse import urlencode

    from exo_rdf.catalogue import catalogue
    from exo_rdf.errors import QueryParameterError
    from exo_rdf.query import bind_parameters, with_values_block

    queries = []
    for q in catalogue(root).values():
        given = q.example if any(p.required for p in q.parameters) else {}
        try:
            text = with_values_block(q.text, bind_parameters(q, given))
        except QueryParameterError:  # a required parameter without an example: left for the user to bind
            text, given = q.text, {}
        # Oxigraph's page (YASGUI) opens a tab holding the query named in its URL's fragment
        tab = query_page + "#" + urlencode({"query": text, "endpoint": endpoint, "tabTitle": q.title})
        queries.append({
            "name": q.name, "title": q.title, "description": q.description, "sparql": text, "tab": tab,
            "parameters": [_describe(p) for p in q.parameters],
            "bound": ", ".join(f"{k}={v}" for k, v in sorted(given.items())),
        })
    data = json.dumps({"endpoint": endpoint, "queryPage": query_page, "queries": queries}, ensure_ascii=False)
    # inside <script>, "</script>" or "<!--" in a query must not end or comment out the element
    data = data.replace("<", "\\u003c")
    template = (Path(__file__).with_name("serve_page.html")).read_text(encoding="utf-8")
    return template.replace("__PAGE_DATA__", data).encode("utf-8")


def _describe(p) -> str:
    need = f"default {p.default}" if p.default else ("required" if p.required else "optional")
    return f"{p.name} ({p.type}, {need}): {p.description}"


def page_server(port: int, body: bytes):
    """An HTTP server on 127.0.0.1:port (0: a free one) answering GET / with body; not yet serving.

    Raises EndpointError when the port is taken.
    """
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] not in ("/", "/index.html"):
                self.send_error(404, "only / is served here; the SPARQL endpoint is on the other port")
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002
            pass  # the terminal shows the server's address, not every page view

    try:
        return ThreadingHTTPServer((HOST, port), Page)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise EndpointError(_taken_message(port, "--page-port")) from None
        raise EndpointError(f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another --page-port") from None


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _on_sigterm_interrupt():
    """Make SIGTERM raise KeyboardInterrupt, as Ctrl-C does; return the previous handler.

    Returns None (and changes nothing) outside the main thread, where Python cannot set handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupt)


@contextlib.contextmanager
def _signals_ignored():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _taken_message(port: int, option: str) -> str:
    return f"port {port} on {HOST} is taken by another program; choose another with {option} (0 picks a free one)"


def _check_free(port: int, option: str) -> None:
    """Raise EndpointError when port cannot be listened on (taken, or not allowed)."""
    with socket.socket() as s:
        # as the server does: a port left in TIME_WAIT by an earlier run is free
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise EndpointError(_taken_message(port, option)) from None
            raise EndpointError(f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another {option}") from None


def _load(command: str, db: Path, dump: Path, root: Path, graph_base: str) -> None:
    """Write the graphs of graph_contents as N-Quads and bulk-load them into the store db.

    Raises LoadError for a graph base that is not an IRI or a store that cannot be loaded.
    """
    import pyoxigraph as ox

    from exo_rdf.stores.load import graph_contents

    contents = graph_contents(root, graph_base)
    try:
        named = {g: ox.NamedNode(g) for g in contents}
    except ValueError:
        raise LoadError(f"--graph-base {graph_base!r} is not an absolute IRI, e.g. https://example.org/graph/") from None
    with open(dump, "wb") as out:
        for graph, data in contents.items():
            # each graph's blank nodes get fresh labels: graph_contents labels every graph alike
            triples = ox.parse(data, ox.RdfFormat.N_TRIPLES, rename_blank_nodes=True)
            ox.serialize((ox.Quad(t.subject, t.predicate, t.object, named[graph]) for t in triples), out,
                         ox.RdfFormat.N_QUADS)
    done = subprocess.run([command, "load", "--location", str(db), "--file", str(dump)],
                          capture_output=True, text=True, env=_child_env())
    if done.returncode != 0:
        raise LoadError(f"oxigraph could not load the graph into {db}: {done.stderr.strip()[-300:]}")


def _child_env() -> dict[str, str]:
    # a failing server prints one error line, never a Rust backtrace
    return {**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}


def _start(command: str, workdir: Path, port: int, timeout_s: int, writable: bool) -> subprocess.Popen:
    """Start the server on the store workdir/db and wait until it listens.

    The server runs in its own process group, so that Ctrl-C on the terminal reaches this process
    only, which stops the server itself. Its output goes to workdir/server.log.
    Raises EndpointError when the port is taken or the server exits or does not answer in time.
    """
    mode = "serve" if writable else "serve-read-only"
    log = workdir / "server.log"
    with open(log, "wb") as out:
        # --cors: the page of stored queries, served from the other port, sends its queries here
        server = subprocess.Popen([command, mode, "--location", str(workdir / "db"), "--bind", f"{HOST}:{port}",
                                   "--union-default-graph", "--timeout-s", str(timeout_s), "--cors"],
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=_child_env(),
                                  start_new_session=True, preexec_fn=_dies_with_parent())
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while server.poll() is None:
            # the server says so once it listens; a connection alone could reach another program
            # that took the port after _check_free
            if b"Listening for requests at" in log.read_bytes():
                return server
            if time.monotonic() > deadline:
                raise EndpointError(f"the Oxigraph server did not answer on {HOST}:{port} within {START_TIMEOUT_S} s")
            time.sleep(0.05)
        detail = log.read_text(encoding="utf-8", errors="replace")
        if "Address already in use" in detail:
            raise EndpointError(_taken_message(port, "--port"))
        raise EndpointError(f"the Oxigraph server did not start (exit {server.returncode}): {_last_line(log)}")
    except BaseException:
        _stop(server)
        raise


def _dies_with_parent():
    """A function for the child, before exec, that has Linux send it SIGTERM when this process dies.

    So a server whose exo-rdf serve was killed (SIGKILL, a crash) does not hold the port forever.
    None elsewhere than on Linux.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl, parent = ctypes.CDLL(None, use_errno=True).prctl, os.getpid()
    pr_set_pdeathsig = 1  # <linux/prctl.h>

    def arrange():
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return arrange


def _stop(server: subprocess.Popen) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL if it has not exited in time."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=STOP_TIMEOUT_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _last_line(log: Path) -> str:
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "no message"

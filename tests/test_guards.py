"""Hostile queries are refused before the embedded engine sees them, or bounded by a timeout."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.errors import ArgumentError, QueryRefusedError, QueryTimeoutError
from exo_rdf.guards import MAX_DEPTH, MAX_QUERY_CHARS, check_query, nesting_depth, run_bounded, skeleton
from exo_rdf.query import run_sparql

DEEP = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"
#: a join of 1000 patterns: Oxigraph's optimiser takes minutes over it, even on an empty store
SLOW = "SELECT * WHERE { " + " ".join(f"?s ?p ?o{i} ." for i in range(1000)) + " }"


def sparql_cli(tmp_path, text: str, *extra: str) -> list[str]:
    query = tmp_path / "q.rq"
    query.write_text(text, encoding="utf-8")
    return ["sparql", str(query), *extra]


def test_ten_thousand_nested_parentheses_are_refused_not_a_crash(tmp_path, capsys):
    assert len(DEEP.encode()) > 20_000
    assert main(sparql_cli(tmp_path, DEEP)) == 2
    assert capsys.readouterr().err == (
        f"exo-rdf: error: the query nests brackets 10002 deep, more than the {MAX_DEPTH} accepted; "
        "write it with less nesting\n")


def test_the_deep_query_in_a_real_process_exits_2_not_139(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "exo_rdf", "sparql", "-"], input=DEEP, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("exo-rdf: error: the query nests brackets 10002 deep") and proc.stderr.count("\n") == 1


def test_a_query_over_the_size_limit_is_refused(capsys, tmp_path):
    text = "ASK { VALUES ?x { " + "1 " * (MAX_QUERY_CHARS // 2) + "} }"
    assert main(sparql_cli(tmp_path, text)) == 2
    assert capsys.readouterr().err == (
        f"exo-rdf: error: the query is {len(text)} characters long, more than the {MAX_QUERY_CHARS} accepted; "
        "split it, or move long VALUES lists into a file you load\n")


def test_brackets_in_strings_iris_and_comments_do_not_count():
    text = 'SELECT * WHERE { ?s ?p "((((((((" . ?s ?p <http://x/((((> # ((((((((\n FILTER((1)) }'
    assert nesting_depth(skeleton(text)) == 3
    check_query("SELECT * WHERE { " + '"' + "(" * 500 + '" }')  # inside a string: allowed


def test_service_is_refused_by_default(tmp_path, capsys):
    text = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    assert main(sparql_cli(tmp_path, text)) == 2
    assert capsys.readouterr().err == (
        "exo-rdf: error: the query uses SERVICE, which calls another host; the embedded store runs it only with "
        "--allow-service (bounded by --timeout-s)\n")


def test_service_with_a_variable_is_a_clear_error_even_when_allowed(tmp_path, capsys):
    text = "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }"
    assert main(sparql_cli(tmp_path, text, "--allow-service")) == 2
    assert capsys.readouterr().err == (
        "exo-rdf: error: the query uses SERVICE with a variable, which the embedded store does not support; name the "
        "endpoint, e.g. SERVICE <https://example.org/sparql>\n")


def test_service_words_that_are_not_the_keyword_pass():
    check_query('SELECT ?service WHERE { ?service <http://x/SERVICE> "SERVICE" } # SERVICE <http://a>')


def test_allowed_service_to_a_silent_endpoint_is_bounded_by_the_timeout(tmp_path, capsys):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
        assert main(sparql_cli(tmp_path, text, "--allow-service", "--timeout-s", "1")) == 2
    assert capsys.readouterr().err == (
        "exo-rdf: error: the query did not finish within 1 s; give a longer --timeout-s, or narrow the query\n")


def test_timeout_stops_waiting_for_a_slow_query(tmp_path, capsys):
    assert main(sparql_cli(tmp_path, SLOW, "--timeout-s", "0.5")) == 2
    assert capsys.readouterr().err == (
        "exo-rdf: error: the query did not finish within 0.5 s; give a longer --timeout-s, or narrow the query\n")
    with pytest.raises(QueryTimeoutError):
        run_sparql(SLOW, store=ox.Store(), timeout_s=0.2)


def test_a_query_within_the_limits_answers_on_the_worker_thread():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/b"), ox.Literal("1")))
    assert run_sparql("SELECT ?o WHERE { ?s ?p ?o }", store=store, timeout_s=30).values() == [{"o": "1"}]
    inner = MAX_DEPTH - 2  # ASK { FILTER( take two levels
    assert run_sparql("ASK { FILTER(" + "(" * inner + "true" + ")" * inner + ") }", store=store).boolean


def test_run_bounded_hands_back_the_workers_exception_and_checks_the_timeout():
    def fail():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_bounded(fail, timeout_s=5)
    for bad in (0, -1, float("nan"), float("inf"), "5", True):
        with pytest.raises(ArgumentError, match="timeout_s must be a positive number"):
            run_bounded(fail, timeout_s=bad)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads through /proc")
def test_a_timed_out_query_stops_working_soon_after():
    """The worker is not left reading an endless answer once the caller has given up."""
    import os
    import time

    store = ox.Store()
    for o in ("1", "2"):
        store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/b"), ox.Literal(o)))
    endless = "SELECT * WHERE { " + " ".join(f"?s ?p ?o{i} ." for i in range(40)) + " }"  # 2^40 rows, streamed
    threads = len(os.listdir("/proc/self/task"))
    with pytest.raises(QueryTimeoutError):
        run_sparql(endless, store=store, timeout_s=1)
    deadline = time.monotonic() + 30
    while len(os.listdir("/proc/self/task")) > threads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(os.listdir("/proc/self/task")) == threads


def test_refusals_are_query_execution_errors():
    with pytest.raises(QueryRefusedError, match="nests brackets 10002 deep"):
        run_sparql(DEEP, store=ox.Store())


def test_ctrl_c_during_a_query_exits_130_at_once(tmp_path):
    import signal
    import time

    query = tmp_path / "slow.rq"
    query.write_text(SLOW, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "exo_rdf", "sparql", str(query), "--timeout-s", "300"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)  # started, and waiting for the engine's worker thread
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, "", "exo-rdf: interrupted\n")


def test_ctrl_c_during_imports_is_reported_as_an_interruption(monkeypatch, capsys):
    """The executable's entry point: a Ctrl-C while cli's modules load (before run_command guards
    the command) gives the same line and code as one during a query, not a traceback."""
    from exo_rdf import cli
    from exo_rdf.exits import console

    def interrupted_while_importing():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "main", interrupted_while_importing)
    assert console() == 130
    assert capsys.readouterr().err == "exo-rdf: interrupted\n"


def test_a_stored_query_file_that_is_not_utf8_names_the_file(tmp_path):
    from exo_rdf.catalogue import read_query
    from exo_rdf.errors import SourceError

    path = tmp_path / "latin1.rq"
    path.write_bytes("# title: caf\xe9\nASK {}\n".encode("latin-1"))
    with pytest.raises(SourceError, match=r"latin1\.rq: not UTF-8 text \(byte 12: invalid continuation byte\)"):
        read_query(path)

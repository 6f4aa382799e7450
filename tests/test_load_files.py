"""`exo-rdf load --file`: a curator's own files into a real Oxigraph server, verified, never half-loaded."""
from __future__ import annotations

import io
import sys

import pytest

from conftest import ROOT
from exo_rdf.cli import main
from exo_rdf.errors import EndpointError, LoadError, SourceError
from exo_rdf.stores.load import DEFAULT_GRAPH_BASE, Endpoints, load_files
from exo_rdf.progress import Progress
from proxy import fault_proxy
from servers import oxigraph_server
from test_load import graphs_in

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

USER = DEFAULT_GRAPH_BASE + "user/"
FINDINGS = ROOT / "data" / "findings" / "tex-immune-escape.ttl"


@pytest.fixture()
def server():
    with oxigraph_server() as base:
        yield base


@pytest.fixture(scope="module")
def curation(tmp_path_factory):
    """A synthetic curation set of about 3,000 triples (N-Triples, no blank nodes) and its triple count."""
    path = tmp_path_factory.mktemp("curation") / "curation.nt"
    generate(3000, path)
    return path, len(path.read_bytes().splitlines())


def statement_of(base: str, graph: str, finding: str) -> list[str]:
    from exo_rdf.query import run_sparql

    text = f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ <https://w3id.org/exo-rdf/data/{finding}> <https://w3id.org/exo-rdf/ontology/statement> ?s }} }}"
    return [row[0].value for row in run_sparql(text, endpoint=base + "/query").rows]


def test_an_nt_file_goes_into_its_own_graph_verified(server, curation, capsys):
    path, triples = curation
    assert main(["load", "--endpoint", server, "--file", str(path)]) == 0
    assert graphs_in(server) == {USER + "curation": triples}
    assert f"{path} -> {USER}curation: {triples} triples sent, {triples} in the store (verified)" in capsys.readouterr().out
    assert statement_of(server, USER + "curation", "finding-synthetic-00000001") == ["Synthetic statement 00000001."]


def test_a_turtle_file_loads_into_the_graph_named(server):
    [result] = load_files(Endpoints.from_base(server), [FINDINGS], graph="http://example.org/mine")
    assert result.verified and result.stored > 100
    assert graphs_in(server) == {"http://example.org/mine": result.stored}


def test_replacing_a_graph_that_holds_triples_leaves_only_the_new_ones(server, curation):
    path, triples = curation
    endpoints = Endpoints.from_base(server)
    load_files(endpoints, [FINDINGS], graph=USER + "curation")
    [result] = load_files(endpoints, [path])
    assert (result.graph, result.sent, result.stored) == (USER + "curation", triples, triples)
    assert graphs_in(server) == {USER + "curation": triples}  # no staging graph left, no old triple kept


def test_append_adds_to_the_graph(server, curation):
    path, triples = curation
    endpoints = Endpoints.from_base(server)
    [first] = load_files(endpoints, [FINDINGS], graph=USER + "curation")
    [added] = load_files(endpoints, [path], mode="append")
    assert added.stored == triples
    assert graphs_in(server) == {USER + "curation": first.stored + triples}


def test_a_repeated_triple_is_counted_once(server, tmp_path, curation):
    path, triples = curation
    twice = tmp_path / "twice.nt"
    lines = path.read_bytes().splitlines(keepends=True)
    twice.write_bytes(b"".join(lines) + lines[0] + b"# a comment\n\n")
    [result] = load_files(Endpoints.from_base(server), [twice])
    assert (result.sent, result.stored, result.verified) == (triples, triples, True)


@pytest.mark.parametrize("before", ["empty", "holding triples"])
def test_a_bad_line_names_the_line_and_keeps_the_graph(server, tmp_path, curation, before):
    path, triples = curation
    bad = tmp_path / "curation.nt"
    lines = path.read_bytes().splitlines(keepends=True)
    bad.write_bytes(b"".join(lines[:2000]) + b"<http://example.org/a> <http://example.org/b> not-a-term .\n" + b"".join(lines[2000:]))
    endpoints = Endpoints.from_base(server)
    expected = {}
    if before == "holding triples":
        [kept] = load_files(endpoints, [FINDINGS], graph=USER + "curation")
        expected = {USER + "curation": kept.stored}
    with pytest.raises(SourceError) as raised:
        load_files(endpoints, [bad])
    assert f"{bad}:2001: not valid N-Triples" in str(raised.value)
    assert graphs_in(server) == expected


def test_a_failed_upload_leaves_no_half_filled_graph(server, curation):
    path, _ = curation
    failing = lambda method, where, headers: "500" if method == "PUT" and "/store" in where else None  # noqa: E731
    with fault_proxy(server, fail=failing) as proxy:
        with pytest.raises(EndpointError, match=r"HTTP 500 .*; <https://w3id.org/exo-rdf/graph/user/curation> is unchanged \(0 triples\)"):
            load_files(Endpoints.from_base(proxy), [path])
    assert graphs_in(server) == {}


def test_file_arguments_are_checked_before_anything_is_sent(server, tmp_path, curation, capsys):
    path, _ = curation
    with pytest.raises(LoadError, match="--graph names one graph but 2 files"):
        load_files(Endpoints.from_base(server), [path, FINDINGS], graph="http://example.org/g")
    assert main(["load", "--endpoint", server, "--file", str(ROOT / "README.md")]) == 2
    assert "README.md: cannot load a '.md' file; use .nt, .ttl, .nq or .trig" in capsys.readouterr().err
    assert main(["load", "--endpoint", server, "--file", str(tmp_path / "absent.nt")]) == 2
    assert "absent.nt: no such file" in capsys.readouterr().err
    assert main(["load", "--endpoint", server, "--graph", "http://example.org/g"]) == 2
    assert "--graph goes with --file" in capsys.readouterr().err
    assert graphs_in(server) == {}


def test_progress_forced_into_a_log_prints_each_tenth():
    out = io.StringIO()
    bar = Progress("load: x.nt", 10 << 20, unit="MB", enabled=True, stream=out)
    for _ in range(10):
        bar.add(1 << 20)
    bar.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("load: x.nt") and "10/10 MB" in lines[-1]
    silent = io.StringIO()
    Progress("x", 5, stream=silent).finish()  # not a terminal, not forced: nothing
    assert silent.getvalue() == ""


def test_a_bad_turtle_file_is_named_by_line_and_nothing_is_sent(server, tmp_path):
    bad = tmp_path / "mine.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    with pytest.raises(SourceError) as raised:
        load_files(Endpoints.from_base(server), [bad])
    assert f"{bad}:3: not valid Turtle" in str(raised.value)
    assert graphs_in(server) == {}


def test_quads_load_into_the_graphs_they_name(server, store, tmp_path, capsys):
    from collections import Counter

    import pyoxigraph as ox

    release = tmp_path / "exo-rdf.nq"  # the layout of the release's exo-rdf.nq: one graph per source file
    release.write_bytes(store.dump(format=ox.RdfFormat.N_QUADS))
    expected = Counter(q.graph_name.value for q in store)
    assert main(["load", "--endpoint", server, "--file", str(release)]) == 0
    assert graphs_in(server) == expected and len(expected) > 40
    out = capsys.readouterr().out
    assert out.count("(verified)") == len(expected)
    assert f"{release} -> {DEFAULT_GRAPH_BASE}ontology/exo-rdf: {expected[DEFAULT_GRAPH_BASE + 'ontology/exo-rdf']} triples" in out


def test_a_trig_file_fills_its_graphs_and_its_default_graph_goes_to_graph(server, tmp_path):
    trig = tmp_path / "mine.trig"
    trig.write_text("@prefix ex: <http://example.org/> .\n"
                    "ex:g1 { ex:a ex:b ex:c . ex:a ex:b ex:d . }\n"
                    "ex:g2 { ex:a ex:b ex:e . }\n"
                    "ex:x ex:y ex:z .\n")
    results = load_files(Endpoints.from_base(server), [trig], graph="http://example.org/rest")
    assert [(r.graph, r.stored, r.state) for r in results] == [
        ("http://example.org/g1", 2, "verified"), ("http://example.org/g2", 1, "verified"),
        ("http://example.org/rest", 1, "verified")]
    assert graphs_in(server) == {"http://example.org/g1": 2, "http://example.org/g2": 1, "http://example.org/rest": 1}


def test_a_big_file_is_streamed_never_read_whole_and_arrives_exact(server, tmp_path, monkeypatch, capsys):
    """A 6 MB file goes up in 64 KB pieces: the Python heap never holds a quarter of it, no read
    asks for more than a piece, and the graph then holds exactly the file's triples."""
    import pathlib
    import tracemalloc

    import pyoxigraph as ox

    from exo_rdf.stores import swap

    path = tmp_path / "big.nt"
    generate(40000, path)
    size, triples = path.stat().st_size, len(path.read_bytes().splitlines())
    monkeypatch.setattr(swap, "CHUNK", 1 << 16)
    reads: list[int] = []
    opened = pathlib.Path.open

    def spied_open(self, *args, **kwargs):
        f = opened(self, *args, **kwargs)
        if self == path:
            read = f.read
            f.read = lambda n=-1: reads.append(n) or read(n)
        return f

    monkeypatch.setattr(pathlib.Path, "open", spied_open)
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole"))
    tracemalloc.start()
    try:
        assert main(["load", "--endpoint", server, "--file", str(path), "--progress"]) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 4, (peak, size)  # reading it whole would take at least size
    assert reads and all(0 < n <= 1 << 16 for n in reads), sorted(set(reads))
    captured = capsys.readouterr()
    assert f"{path} -> {USER}big: {triples} triples sent, {triples} in the store (verified)" in captured.out
    mb = f"{size / (1 << 20):.0f}"
    assert f"{mb}/{mb} MB" in captured.err.splitlines()[-2] and f"load: {path}"[-36:] in captured.err
    from exo_rdf.query import run_sparql

    text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{USER}big> {{ ?s ?p ?o }} }}"
    held = set(run_sparql(text, endpoint=server + "/query").triples)
    monkeypatch.undo()
    local = ox.Store()  # read as a store reads it: numbers by value, as the server gives them back
    local.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    assert held == {ox.Triple(q.subject, q.predicate, q.object) for q in local} and len(held) == triples


def test_bulk_replaces_through_oxigraphs_bulk_loader(server, curation, capsys):
    path, triples = curation
    load_files(Endpoints.from_base(server), [FINDINGS], graph=USER + "curation")
    with fault_proxy(server) as proxy:
        assert main(["load", "--endpoint", proxy, "--file", str(path), "--bulk"]) == 0
    writes = [(m, p) for m, p, _ in proxy.requests if p.startswith("/store")]
    assert writes == [("PUT", "/store?graph=https%3A%2F%2Fw3id.org%2Fexo-rdf%2Fgraph%2Fuser%2Fcuration&no_transaction=")]
    assert f"{path} -> {USER}curation: {triples} triples sent, {triples} in the store (verified)" in capsys.readouterr().out
    assert graphs_in(server) == {USER + "curation": triples}  # the old triples gone, no staging graph
    assert statement_of(server, USER + "curation", "finding-synthetic-00000001") == ["Synthetic statement 00000001."]


def test_bulk_is_refused_on_a_store_without_a_bulk_loader_before_anything_is_sent(curation, capsys):
    path, _ = curation
    with fault_proxy("http://127.0.0.1:9") as proxy:
        assert main(["load", "--endpoint", proxy, "--store", "generic", "--file", str(path), "--bulk"]) == 2
    assert proxy.requests == []
    assert capsys.readouterr().err == (f"exo-rdf: error: {proxy}/query: --bulk uses Oxigraph's bulk loader "
                                       "(no_transaction), which a generic store does not have; load without --bulk\n")


def test_a_parsed_turtle_file_is_streamed_from_a_temporary_file_removed_after(server, monkeypatch):
    from exo_rdf.stores import swap

    read, opened = [], swap._read
    monkeypatch.setattr(swap, "CHUNK", 1 << 10)  # the findings file is several pieces: streamed, not joined
    monkeypatch.setattr(swap, "_read", lambda path: read.append(path) or opened(path))
    [result] = load_files(Endpoints.from_base(server), [FINDINGS], graph="http://example.org/mine")
    assert result.verified and graphs_in(server) == {"http://example.org/mine": result.stored}
    [dumped] = read
    assert dumped.name == "0.nt" and dumped.parent.name.startswith("exo-rdf-load-") and not dumped.parent.exists()

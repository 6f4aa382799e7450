"""Loading into a real Oxigraph server: counts per graph, remote answers, replace, append, faults."""
from __future__ import annotations

import pytest

from conftest import ROOT
from exo_rdf.catalogue import catalogue
from exo_rdf.cli import main
from exo_rdf.errors import EndpointError
from exo_rdf.stores.load import DEFAULT_GRAPH_BASE, Endpoints, graph_contents, load, load_files
from exo_rdf.query import run_sparql, run_stored
from proxy import fault_proxy
from servers import oxigraph_server
from test_endpoint import PARAMS

G = DEFAULT_GRAPH_BASE
GRAPHS = [G + "ontology", G + "data", G + "findings/review-tex", G + "findings/review-protein", G + "shapes", G + "queries"]


def graphs_in(base: str) -> dict[str, int]:
    text = (ROOT / "queries" / "store" / "graphs.rq").read_text()
    return {g.value: int(n.value) for g, n in run_sparql(text, endpoint=base + "/query").rows}


@pytest.fixture()
def expected_counts():  # per test: the sources may change while the suite runs
    return {g: data.count(b"\n") for g, data in graph_contents(ROOT).items()}


@pytest.fixture()
def server():
    with oxigraph_server() as base:
        yield base


def test_load_verifies_counts_per_graph(server, expected_counts, capsys):
    assert main(["load", "--endpoint", server]) == 0
    assert sorted(expected_counts) == sorted(GRAPHS)
    assert graphs_in(server) == expected_counts
    out = capsys.readouterr().out
    assert all(f"{g}: {n} triples sent, {n} in the store (verified)" in out for g, n in expected_counts.items())


def test_every_stored_query_answers_the_same_after_load(server, store):
    load(Endpoints.from_base(server))
    for name in catalogue():
        params = PARAMS.get(name, {})
        assert run_stored(name, params, endpoint=server + "/query").rows == run_stored(name, params, store=store).rows, name


def test_loading_twice_leaves_the_same_state(server, expected_counts):
    load(Endpoints.from_base(server))
    load(Endpoints.from_base(server))
    assert graphs_in(server) == expected_counts  # no staging graph left behind


def test_append_adds_to_an_empty_store(server, expected_counts):
    results = load(Endpoints.from_base(server), mode="append")
    assert {r.graph: r.stored for r in results} == expected_counts


def test_server_down_gives_a_clear_error(capsys):
    assert main(["load", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "cannot reach the endpoint" in capsys.readouterr().err


@pytest.mark.parametrize("fault", ["500", "drop"])
def test_failure_part_way_keeps_the_previous_graph(server, expected_counts, fault, tmp_path):
    protein = G + "findings/review-protein"
    load(Endpoints.from_base(server))
    small = tmp_path / "small.nt"
    small.write_text("<https://example.org/s> <https://example.org/p> <https://example.org/o> .\n")
    load_files(Endpoints.from_base(server), [small], graph=protein)
    failing = lambda method, path, headers: fault if method == "PUT" and "review-protein" in path else None  # noqa: E731
    with fault_proxy(server, fail=failing) as proxy:
        with pytest.raises(EndpointError, match=f"<{protein}> is unchanged \\(1 triple\\)"):
            load(Endpoints.from_base(proxy), timeout_s=1)
    assert graphs_in(server) == {**expected_counts, protein: 1}  # the graphs before it replaced, no staging left


def test_wrong_credentials_change_nothing(server, monkeypatch, capsys):
    with fault_proxy(server, password="curator:right") as proxy:
        monkeypatch.setenv("EXO_RDF_USER", "curator")
        monkeypatch.setenv("EXO_RDF_PASSWORD", "wrong")
        assert main(["load", "--endpoint", proxy]) == 2
        err = capsys.readouterr().err
        assert "HTTP 401" in err and "credentials" in err and "wrong" not in err
        assert graphs_in(server) == {}
        monkeypatch.setenv("EXO_RDF_PASSWORD", "right")
        assert main(["load", "--endpoint", proxy]) == 0

"""One compliance class, run on every backend: the embedded store, Oxigraph without and with
--union-default-graph, and Virtuoso. Every stored query (with its example parameters), every QC
check and every query form must answer exactly as on the embedded store, compared as RDF terms:
in order where the query has ORDER BY, else as multisets. Each server also holds a stray graph
outside the graph base and a leftover staging graph full of extra findings (tests/stores.py).
"""
from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.catalogue import catalogue, get_query
from exo_rdf.cli import main
from exo_rdf.errors import EndpointError
from exo_rdf.qc import checks, run_checks
from exo_rdf.query import run_sparql, run_stored
from exo_rdf.stores import remote
from servers import free_port

BACKENDS = ("embedded", "oxigraph", "oxigraph-union", "virtuoso")
FIXTURE = {"oxigraph": "oxigraph_plain", "oxigraph-union": "oxigraph_union", "virtuoso": "virtuoso_loaded"}
QUERIES = catalogue()
CHECKS = checks()
EXO = "https://w3id.org/exo-rdf/ontology/"

#: what Virtuoso 7.2 (Debian) cannot answer as the SPARQL spec says; strict: a fix shows up as XPASS
VIRTUOSO_DEFECTS: dict[str, str] = {}

#: stored queries whose answer on the bundled data is empty on purpose (their rows are tested on
#: constructed graphs elsewhere); a row here means the data changed and the entry should go
EMPTY_BY_DESIGN = {
    "uncited-references": "every reference number of both reviews is cited by a finding, so no row is expected",
}


class Backend:
    """Where queries run: the embedded store, or a remote store through an Endpoint."""

    def __init__(self, name: str, store=None, loaded=None):
        self.name, self.store, self.loaded = name, store, loaded
        self.endpoint = loaded.endpoint() if loaded else None

    def stored(self, name: str, params=None):
        return run_stored(name, params, store=self.store, endpoint=self.endpoint)

    def sparql(self, text: str):
        return run_sparql(text, store=self.store, endpoint=self.endpoint)

    def cli(self) -> list[str]:
        if not self.loaded:
            return []
        return ["--endpoint", self.loaded.url, "--graph-base", self.loaded.graph_base]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request, store):
    if request.param == "embedded":
        return Backend("embedded", store=store)
    return Backend(request.param, loaded=request.getfixturevalue(FIXTURE[request.param]))


def ordered(text: str) -> bool:
    return re.search(r"^\s*ORDER\s+BY\b", text, re.IGNORECASE | re.MULTILINE) is not None


def assert_same_answer(remote_result, local, text: str) -> None:
    assert remote_result.variables == local.variables
    if ordered(text):
        assert remote_result.rows == local.rows
    else:
        assert Counter(remote_result.rows) == Counter(local.rows)


def known_defect(request, backend, name: str) -> None:
    if backend.name == "virtuoso" and name in VIRTUOSO_DEFECTS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=VIRTUOSO_DEFECTS[name]))


class TestCompliance:
    @pytest.mark.parametrize("name", sorted(QUERIES))
    def test_stored_query_answers_as_embedded(self, request, backend, store, name):
        known_defect(request, backend, name)
        params = QUERIES[name].example
        local = run_stored(name, params, store=store)
        if name in EMPTY_BY_DESIGN:  # still compared: the remote store must answer, with nothing
            assert local.rows == [], EMPTY_BY_DESIGN[name]
        else:
            assert local.rows, f"{name} answers nothing with its example; the comparison would be empty"
        assert_same_answer(backend.stored(name, params), local, QUERIES[name].text)

    @pytest.mark.parametrize("rule", sorted(CHECKS))
    def test_qc_check_answers_as_embedded(self, request, backend, store, rule):
        known_defect(request, backend, rule)
        text = CHECKS[rule][1]
        assert_same_answer(backend.sparql(text), run_sparql(text, store=store), text)

    def test_ask_construct_and_describe(self, backend, store):
        ask = f"ASK {{ ?f a <{EXO}MarkerFinding> }}"
        assert backend.sparql(ask).boolean is True
        assert backend.sparql(f"ASK {{ ?f a <{EXO}NoSuchClass> }}").boolean is False
        construct = (f"CONSTRUCT {{ ?f <{EXO}marker> ?m }} WHERE {{ ?f a <{EXO}MarkerFinding> ; <{EXO}marker> ?m }}")
        triples = backend.sparql(construct).triples
        assert set(triples) == set(run_sparql(construct, store=store).triples) and triples
        describe = "DESCRIBE <https://w3id.org/exo-rdf/data/review-protein>"
        described = {t for t in backend.sparql(describe).triples if isinstance(t.subject, ox.NamedNode)}
        assert ox.Triple(ox.NamedNode("https://w3id.org/exo-rdf/data/review-protein"),
                         ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode(f"{EXO}Review")) in described

    def test_boolean_and_count_terms_are_the_embedded_ones(self, backend):
        text = (f"SELECT (COUNT(?f) AS ?n) (COUNT(?f) > 1 AS ?many) (true AS ?yes) WHERE {{ ?f a <{EXO}MarkerFinding> }}")
        (n, many, yes), = backend.sparql(text).rows
        xsd = "http://www.w3.org/2001/XMLSchema#"
        assert n.datatype == ox.NamedNode(xsd + "integer") and int(n.value) > 1
        assert (many, yes) == (ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")),) * 2

    def test_bound_decimals_keep_their_type(self, backend, store):
        # pyoxigraph writes the decimal 1.0 as "1"^^xsd:decimal, which Virtuoso 7.2 reads as an integer:
        # a term bound in a query is written as the store it goes to reads it
        xsd = "http://www.w3.org/2001/XMLSchema#"
        decimal, integer = ox.NamedNode(xsd + "decimal"), ox.NamedNode(xsd + "integer")
        bound = {"a": ox.Literal("1", datatype=decimal), "b": ox.Literal("-20", datatype=decimal),
                 "c": ox.Literal("2.5", datatype=decimal), "d": ox.Literal("1", datatype=integer)}
        text = ("SELECT ?a ?b ?c ?d (DATATYPE(?a) AS ?ta) (DATATYPE(?b) AS ?tb) (DATATYPE(?c) AS ?tc) "
                "(DATATYPE(?d) AS ?td) WHERE { }")
        expected = [(*bound.values(), decimal, decimal, decimal, integer)]
        assert run_sparql(text, store=store, bindings=bound).rows == expected
        assert run_sparql(text, store=backend.store, endpoint=backend.endpoint, bindings=bound).rows == expected

    def test_a_decimal_parameter_answers_as_embedded(self, backend, store):
        params = {"min_sensitivity": "0.9"}
        local = run_stored("biomarkers", params, store=store)
        assert 0 < len(local.rows) < len(run_stored("biomarkers", store=store).rows)
        assert all(row["sensitivityMin"] >= Decimal("0.9") for row in local.values())
        assert_same_answer(backend.stored("biomarkers", params), local, QUERIES["biomarkers"].text)

    def test_qc_report_is_the_embedded_one(self, request, backend, store):
        known_defect(request, backend, "finding-without-provenance")
        problems = run_checks(store=backend.store, endpoint=backend.endpoint)
        assert Counter(problems) == Counter(run_checks(store=store))

    def test_cli_stats_prints_the_embedded_tables(self, backend, capsys):
        assert main(["stats", *backend.cli()]) == 0
        out = capsys.readouterr().out
        assert main(["stats"]) == 0
        assert out == capsys.readouterr().out and "== Findings by kind" in out


@pytest.mark.parametrize("fixture", ["oxigraph_plain", "oxigraph_union", "virtuoso_loaded"])
def test_intruder_graphs_are_there_but_never_answer(request, fixture, store):
    """The stray and staging graphs are on the server (a query naming no dataset sees their
    findings on union stores), yet exo-rdf's answers equal the embedded ones."""
    loaded = request.getfixturevalue(fixture)
    endpoint = loaded.endpoint()
    count = f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{EXO}Finding> }}"
    names = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    on_server = {row[0].value for row in run_sparql(names, endpoint=endpoint.query).rows}
    assert "https://example.org/someone-else/graph" in on_server
    assert loaded.graph_base + "findings/review-tex-staging-0badc0de" in on_server
    graphs, _ = remote.dataset(endpoint)
    assert sorted(g[len(loaded.graph_base):] for g in graphs) == sorted(remote.KNOWLEDGE_GRAPHS)
    embedded = int(run_sparql(count, store=store).rows[0][0].value)
    assert int(run_sparql(count, endpoint=endpoint).rows[0][0].value) == embedded
    if fixture == "oxigraph_plain":  # the store's own default graph is empty: what users saw before
        assert int(run_sparql(count, endpoint=endpoint.query).rows[0][0].value) == 0


@pytest.mark.parametrize("fixture", ["oxigraph_plain", "virtuoso_loaded"])
def test_a_graph_pattern_sees_exo_graphs_only(request, fixture):
    """A query with GRAPH gets exo-rdf's graphs as named graphs: catalogue in, intruders out."""
    loaded = request.getfixturevalue(fixture)
    text = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    seen = {row[0].value[len(loaded.graph_base):] for row in run_sparql(text, endpoint=loaded.endpoint()).rows}
    assert seen == set(remote.KNOWLEDGE_GRAPHS) | {remote.CATALOGUE_GRAPH}


def test_an_endpoint_without_exo_graphs_is_an_error_not_zero_rows(oxigraph_plain, capsys):
    code = main(["query", "findings-per-kind", "--endpoint", oxigraph_plain.url, "--graph-base", "https://example.org/nothing/"])
    err = capsys.readouterr().err
    assert code == 2 and "holds none of exo-rdf's graphs under <https://example.org/nothing/>" in err
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("fixture", ["oxigraph_plain", "virtuoso_loaded"])
def test_a_bare_query_url_gets_the_stores_own_form(request, fixture):
    """run_stored given the query URL as a string (the library's simplest call) runs the form the
    store can run: Virtuoso 7.2 refuses the text written for Oxigraph (SP031)."""
    loaded = request.getfixturevalue(fixture)
    endpoint = loaded.endpoint()
    graphs, _ = remote.dataset(endpoint)
    for name in ("biomarkers", "cargo-by-cancer", "cargo-by-hallmark"):
        example = get_query(name).example
        described = run_stored(name, example, endpoint=endpoint)
        bare = run_stored(name, example, endpoint=endpoint.query, default_graphs=graphs)
        assert described.rows and sorted(map(str, bare.rows)) == sorted(map(str, described.rows)), name


def test_a_bare_query_url_is_asked_for_its_store_once(virtuoso_loaded):
    """The Server header of a bare query URL is read once per process, not before every query."""
    from proxy import fault_proxy

    endpoint = virtuoso_loaded.endpoint()
    graphs, _ = remote.dataset(endpoint)
    example = get_query("cargo-by-hallmark").example
    upstream = endpoint.query.removesuffix("/sparql")
    with fault_proxy(upstream) as proxy:
        answers = [run_stored("cargo-by-hallmark", example, endpoint=proxy + "/sparql", default_graphs=graphs)
                   for _ in range(2)]
    assert answers[0].rows and answers[1].rows == answers[0].rows
    assert [method for method, _, _ in proxy.requests] == ["GET", "POST", "POST"]


def test_a_bare_query_url_of_a_server_that_is_not_there_is_an_endpoint_error():
    """Asking a bare URL for its flavour (a query with a store form) fails as any request does."""
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with pytest.raises(EndpointError, match=r"127\.0\.0\.1:\d+/sparql: cannot reach the endpoint \(Connection refused\)"):
        run_stored("cargo-by-hallmark", get_query("cargo-by-hallmark").example, endpoint=url)


def test_show_prints_the_form_the_store_runs(virtuoso_loaded, capsys):
    """query --show with --endpoint prints what that store will be sent, not the embedded text."""
    args = ["query", "cargo-by-cancer", "--param", "cancer=pancreatic cancer", "--show"]
    assert main(args) == 0
    embedded = capsys.readouterr().out
    assert main([*args, "--endpoint", virtuoso_loaded.url]) == 0
    on_virtuoso = capsys.readouterr().out
    folder = Path(get_query("cargo-by-cancer").path).parent
    for shown, path in ((embedded, folder / "cargo-by-cancer.rq"), (on_virtuoso, folder / "virtuoso" / "cargo-by-cancer.rq")):
        written = path.read_text(encoding="utf-8").splitlines()
        assert shown.splitlines()[:3] == written[:3] and '"pancreatic cancer"' in shown

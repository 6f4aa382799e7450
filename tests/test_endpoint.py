"""The endpoint descriptor: the same URL forms for every command, the store's flavour, the hints."""
from __future__ import annotations

import pytest

from exo_rdf.catalogue import catalogue
from exo_rdf.cli import main
from exo_rdf.errors import EndpointError
from exo_rdf.query import run_stored
from exo_rdf.stores import http
from exo_rdf.stores.endpoint import resolve

#: each stored query's example parameters (tests/test_load.py runs them too)
PARAMS = {name: query.example for name, query in catalogue().items()}


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv("EXO_RDF_USER", raising=False)
    monkeypatch.delenv("EXO_RDF_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


@pytest.mark.parametrize("url, store, expected", [
    ("http://h:7878", "oxigraph", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
    ("http://h:7878/", "generic", ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
    ("http://h:7878/query", None, ("http://h:7878/query", "http://h:7878/update", "http://h:7878/store")),
    ("http://h/ds/query", None, ("http://h/ds/query", "http://h/ds/update", "http://h/ds/store")),
    ("http://h:8890", "virtuoso", ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud")),
    ("http://h:8890/sparql", None, ("http://h:8890/sparql", "http://h:8890/sparql", "http://h:8890/sparql-graph-crud")),
    ("http://u:p@h:8890/sparql", None,
     ("http://u:p@h:8890/sparql", "http://u:p@h:8890/sparql", "http://u:p@h:8890/sparql-graph-crud-auth")),
])
def test_url_forms(url, store, expected):
    endpoint = resolve(url, store=store)
    assert (endpoint.query, endpoint.update, endpoint.store) == expected
    assert "p@" not in endpoint.shown()


def test_explicit_urls_replace_the_derived_ones():
    endpoint = resolve("http://h:7878", store="oxigraph", update_url="http://h:9999/up", store_url="https://g/gsp")
    assert (endpoint.query, endpoint.update, endpoint.store) == ("http://h:7878/query", "http://h:9999/up", "https://g/gsp")
    only = resolve(None, query_url="http://q/sparql", update_url="http://q/u", store_url="http://q/s")
    assert (only.query, only.update, only.store, only.store_flavour) == ("http://q/sparql", "http://q/u", "http://q/s", None)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://h/sparql"])
def test_only_http_endpoints(url):
    with pytest.raises(EndpointError, match="only http:// and https:// endpoints are accepted"):
        resolve(url, store="oxigraph")


def test_flavour_is_read_from_the_server(oxigraph_plain, virtuoso_loaded):
    assert resolve(oxigraph_plain.url).flavour == "oxigraph"
    assert resolve(oxigraph_plain.url).query == oxigraph_plain.url + "/query"
    base = virtuoso_loaded.url.removesuffix("/sparql")
    virtuoso = resolve(base)
    assert (virtuoso.flavour, virtuoso.query, virtuoso.store) == ("virtuoso", base + "/sparql", base + "/sparql-graph-crud")


def test_every_url_form_gives_the_same_answer(oxigraph_plain, store):
    expected = run_stored("biomarkers", {"cancer": "pancreatic cancer"}, store=store).rows
    assert len(expected) == 2
    for url in (oxigraph_plain.url, oxigraph_plain.url + "/query", oxigraph_plain.url + "/"):
        assert run_stored("biomarkers", {"cancer": "pancreatic cancer"}, endpoint=resolve(url)).rows == expected


def test_cli_query_on_a_base_url_prints_the_two_pancreatic_rows(oxigraph_plain, capsys):
    args = ["query", "biomarkers", "--param", "cancer=pancreatic cancer", "--endpoint", oxigraph_plain.url, "--format", "csv"]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(",")[0] for line in lines] == ["markerAsPrinted", "GPC-1", "c-Met"]


def test_cli_404_names_the_url_and_the_forms(oxigraph_plain, capsys):
    assert main(["query", "biomarkers", "--endpoint", oxigraph_plain.url + "/nothing/here", "--store", "generic"]) == 2
    err = capsys.readouterr().err
    assert f"{oxigraph_plain.url}/nothing/here/query: the server answered HTTP 404" in err
    assert "for Oxigraph give the base URL" in err and "for Virtuoso its …/sparql URL" in err


def test_cli_password_in_the_url_is_never_printed(capsys):
    assert main(["query", "biomarkers", "--endpoint", "http://zebulon:t0psecret@127.0.0.1:1/query", "--timeout-s", "2"]) == 2
    err = capsys.readouterr().err
    assert "t0psecret" not in err and "zebulon" not in err and "http://127.0.0.1:1/query: cannot reach" in err


def test_cli_timeout_must_be_positive(capsys):
    assert main(["query", "biomarkers", "--endpoint", "http://127.0.0.1:1", "--store", "oxigraph", "--timeout-s", "0"]) == 2
    assert "--timeout-s 0: give a number of seconds above 0" in capsys.readouterr().err


def test_injection_on_endpoint_is_a_literal_and_changes_nothing(oxigraph_plain):
    endpoint = resolve(oxigraph_plain.url)
    assert run_stored("biomarkers", {"cancer": 'x" } ; DROP ALL ; #'}, endpoint=endpoint).rows == []
    assert len(run_stored("biomarkers", {}, endpoint=endpoint).rows) == 20


def test_authenticated_virtuoso_graph_store_with_digest(virtuoso_loaded):
    """Virtuoso's authenticated Graph Store wants Digest; the client answers its challenge."""
    crud = virtuoso_loaded.store_url
    http._CLIENTS.clear()
    http.put_graph(crud, "urn:exo-rdf:test:digest", b"<urn:a> <urn:b> <urn:c> .\n", 26)
    assert type(http.client(crud).auth).__name__ == "_SharedDigest"
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:exo-rdf:test:digest> { ?s ?p ?o } }"
    assert run_stored_count(virtuoso_loaded.url, count) == 1
    wrong = crud.replace("dba:dba@", "dba:wrong@")
    with pytest.raises(EndpointError, match="authentication failed \\(HTTP 401\\): the credentials were refused") as refused:
        http.put_graph(wrong, "urn:exo-rdf:test:digest", b"", 0)
    assert "wrong" not in str(refused.value) and "dba" not in str(refused.value)
    assert run_stored_count(virtuoso_loaded.url, count) == 1


def run_stored_count(url: str, text: str) -> int:
    from exo_rdf.query import run_sparql

    return int(run_sparql(text, endpoint=url).rows[0][0].value)


def test_decimals_are_written_with_a_point_for_virtuoso_only_in_the_values_block():
    """Where terms are written: a decimal without a point ("1"^^xsd:decimal, pyoxigraph's form of 1.0)
    gets ".0" for Virtuoso, which reads the form without a point as an integer; the text around the
    block (its comments and literals included) is left as written, and other stores get str(term)."""
    import pyoxigraph as ox

    from exo_rdf.query import with_values_rows, write_term

    xsd = "http://www.w3.org/2001/XMLSchema#"
    d, i = f"<{xsd}decimal>", f"<{xsd}integer>"
    terms = [ox.Literal("1", datatype=ox.NamedNode(xsd + "decimal")), ox.Literal("-20", datatype=ox.NamedNode(xsd + "decimal")),
             ox.Literal("1.5", datatype=ox.NamedNode(xsd + "decimal")), ox.Literal("2", datatype=ox.NamedNode(xsd + "integer")),
             ox.Literal("1"), ox.NamedNode("http://x/#a")]
    assert [write_term(t, "virtuoso") for t in terms] == [
        f'"1.0"^^{d}', f'"-20.0"^^{d}', f'"1.5"^^{d}', f'"2"^^{i}', '"1"', "<http://x/#a>"]
    assert [write_term(t, f) for t in terms for f in (None, "oxigraph", "generic")] == [str(t) for t in terms for _ in range(3)]
    text = f'# "1"^^{d}\nSELECT * WHERE {{ ?s <http://x/#a> "1"^^{d} }}\n'
    assert with_values_rows(text, ["v"], [(terms[0],), (terms[3],)], flavour="virtuoso") == (
        f'# "1"^^{d}\nSELECT * WHERE {{\n  VALUES (?v) {{ ("1.0"^^{d}) ("2"^^{i}) }}\n ?s <http://x/#a> "1"^^{d} }}\n')
    assert with_values_rows(text, ["v"], [(terms[0],)]) == with_values_rows(text, ["v"], [(terms[0],)], flavour="oxigraph")


SR186 = (b"Virtuoso 42000 Error SR186: No permission to execute procedure "
         b"DB.DBA.SPARQL_BINDINGS_VIEW_C_3_IMP with user ID 107, group ID 107")


@pytest.mark.parametrize("refusals, virtuoso, answered", [(1, True, True), (2, True, False), (1, False, False)],
                         ids=["once-then-answered", "twice-an-error", "not-virtuoso-an-error"])
def test_virtuoso_refusing_a_new_values_procedure_is_asked_once_more(oxigraph_plain, refusals, virtuoso, answered):
    """Virtuoso grants the procedure of a VALUES block of a new width only after making it: a
    query in between gets SR186. A read is sent once more, and only once, and only to Virtuoso."""
    from proxy import fault_proxy

    from exo_rdf.stores.remote import fetch

    seen = []

    def fail(method, path, headers):
        seen.append(path)
        return ("500", SR186) if len(seen) <= refusals else None

    with fault_proxy(oxigraph_plain.url, fail=fail) as url:
        if answered:
            result = fetch(url + "/query", "SELECT ?x WHERE { VALUES ?x { 1 } }", timeout_s=10, virtuoso=virtuoso)
            assert [tuple(str(t) for t in row) for row in result.rows] == [('"1"^^<http://www.w3.org/2001/XMLSchema#integer>',)]
        else:
            with pytest.raises(EndpointError) as caught:
                fetch(url + "/query", "SELECT ?x WHERE { VALUES ?x { 1 } }", timeout_s=10, virtuoso=virtuoso)
            assert caught.value.status == 500 and "SR186" in str(caught.value)
    assert len(seen) == (2 if virtuoso else 1)

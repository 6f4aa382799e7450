"""A replace through a staging graph (Virtuoso, generic stores) writes only the triples that differ.

Each test loads a graph, replaces it by an edited file and names the exact triples the graph then
holds, on Virtuoso and on an Oxigraph server addressed as a generic store (the same requests a
Fuseki or GraphDB gets); Oxigraph itself, replaced by one PUT, is the reference.
"""
from __future__ import annotations

import itertools
import os

import pyoxigraph as ox
import pytest

from conftest import ROOT
from exo_rdf.cli import main
from exo_rdf.stores import http
from proxy import fault_proxy
from servers import oxigraph_server
from stores import graph_content as content

EX = "https://example.org/r/"
_numbers = itertools.count()

#: 20 triples both files share
SHARED = "".join(f"ex:i{i} ex:p ex:o .\n" for i in range(20))
OLD = """@prefix ex: <https://example.org/r/> .
ex:a ex:p ex:b ; ex:n 7 ; ex:label "kept"@en , "dropped" .
ex:c ex:p ex:d .
ex:e ex:has [ ex:p ex:f ] .
""" + SHARED
#: one triple gone ("dropped"), one changed (ex:c's object), one added (ex:g), a blank node again:
#: 6 triples differ (a blank node is never the same one), fewer than half the 27 sent
NEW = """@prefix ex: <https://example.org/r/> .
ex:a ex:p ex:b ; ex:n 7 ; ex:label "kept"@en .
ex:c ex:p ex:changed .
ex:e ex:has [ ex:p ex:f ] .
ex:g ex:p "added" .
""" + SHARED
#: nothing in common with NEW
OTHER = "@prefix ex: <https://example.org/r/> .\n" + "".join(f"ex:other{i} ex:p ex:o .\n" for i in range(27))


@pytest.fixture(scope="module")
def oxigraph():
    with oxigraph_server(union_default_graph=False) as base:
        yield base


@pytest.fixture(params=["oxigraph", "generic", "virtuoso"])
def store(request, oxigraph):
    """(command-line arguments naming the store, its query URL)."""
    if request.param == "virtuoso":
        v = request.getfixturevalue("virtuoso")
        return ["--endpoint", v.base.replace("http://", "http://dba:dba@")], v.base + "/sparql"
    return ["--endpoint", oxigraph, "--store", request.param], oxigraph + "/query"


def graph_name() -> str:
    return f"{EX}t{os.getpid()}-{next(_numbers)}"


def expected(turtle: str) -> set[tuple[str, str, str]]:
    def term(t):
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)
    return {(term(t.subject), term(t.predicate), term(t.object)) for t in ox.parse(turtle, ox.RdfFormat.TURTLE)}


def staging_graphs(query_url: str, graph: str) -> list[str]:
    rows = http.select(query_url, (ROOT / "queries" / "store" / "graphs.rq").read_text())
    return [g.value for g, _ in rows if g.value.startswith(graph + "-staging-")]


def test_a_replace_leaves_exactly_the_new_files_triples(store, tmp_path, capsys):
    args, query = store
    g = graph_name()
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(OLD)
    new.write_text(NEW)
    assert main(["load", *args, "--file", str(old), "--graph", g]) == 0
    assert content(query, g) == expected(OLD)
    assert main(["load", *args, "--file", str(new), "--graph", g]) == 0
    assert f"-> {g}: 27 triples sent, 27 in the store (verified)" in capsys.readouterr().out
    assert content(query, g) == expected(NEW)
    assert staging_graphs(query, g) == []
    # the same file again: nothing differs, and the graph is as it was
    assert main(["load", *args, "--file", str(new), "--graph", g]) == 0
    assert content(query, g) == expected(NEW) and staging_graphs(query, g) == []
    # a file sharing no triple with it
    (tmp_path / "other.ttl").write_text(OTHER)
    assert main(["load", *args, "--file", str(tmp_path / "other.ttl"), "--graph", g]) == 0
    assert content(query, g) == expected(OTHER) and staging_graphs(query, g) == []


def updates_of_a_replace(oxigraph: str, graph: str, before: str, after: str, tmp_path, monkeypatch) -> list[str]:
    """Load the Turtle before into graph of the Oxigraph server as a generic store, then replace it
    by after; return the text of each update the replace sent."""
    for name, text in (("before", before), ("after", after)):
        (tmp_path / f"{name}.ttl").write_text(text)
    assert main(["load", "--endpoint", oxigraph, "--store", "generic", "--file", str(tmp_path / "before.ttl"),
                 "--graph", graph]) == 0
    sent = []
    update = http.update
    monkeypatch.setattr(http, "update", lambda where, text, **kw: sent.append(text) or update(where, text, **kw))
    assert main(["load", "--endpoint", oxigraph, "--store", "generic", "--file", str(tmp_path / "after.ttl"),
                 "--graph", graph]) == 0
    return sent


def test_a_small_difference_is_written_as_one_update_then_the_staging_graph_dropped(oxigraph, tmp_path, monkeypatch,
                                                                                     capsys):
    """On a generic store, 6 of 27 triples changed: a POST into the staging graph, one update making
    the graph equal to it (removing what it lacks, adding what it has), then the staging graph dropped."""
    g = graph_name()
    [difference, drop] = updates_of_a_replace(oxigraph, g, OLD, NEW, tmp_path, monkeypatch)
    staging = drop.split("<")[1].split(">")[0]
    assert staging.startswith(g + "-staging-")
    assert f"DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}" in difference
    assert f"FILTER NOT EXISTS {{ GRAPH <{staging}> {{ ?s ?p ?o }} }}" in difference
    assert f"FILTER NOT EXISTS {{ GRAPH <{g}> {{ ?new_s ?new_p ?new_o }} }}" in difference
    assert drop.strip().endswith(f"DROP SILENT GRAPH <{staging}>")
    assert content(oxigraph + "/query", g) == expected(NEW)


def test_a_reload_of_the_same_triples_writes_nothing(oxigraph, tmp_path, monkeypatch):
    """Nothing differs (and no blank node, which is never the same one twice): the only update
    is the DROP of the staging graph, and the graph holds what it held."""
    g = graph_name()
    [drop] = updates_of_a_replace(oxigraph, g, OTHER, OTHER, tmp_path, monkeypatch)
    assert drop.strip().endswith(">") and "DROP SILENT GRAPH <" + g + "-staging-" in drop
    assert content(oxigraph + "/query", g) == expected(OTHER) and staging_graphs(oxigraph + "/query", g) == []


def test_a_graph_replaced_by_one_sharing_little_with_it_is_moved_over(oxigraph, tmp_path, monkeypatch, capsys):
    """27 triples replaced by 27 others: one MOVE of the staging graph over the graph, nothing else."""
    g = graph_name()
    [move] = updates_of_a_replace(oxigraph, g, NEW, OTHER, tmp_path, monkeypatch)
    staging = move.split("MOVE <")[1].split(">")[0]
    assert staging.startswith(g + "-staging-") and move.strip().endswith(f"MOVE <{staging}> TO <{g}>")
    assert content(oxigraph + "/query", g) == expected(OTHER) and staging_graphs(oxigraph + "/query", g) == []


@pytest.mark.parametrize("fault, why", [("500", "the store answered HTTP 500"),
                                        ("204", "27 of its triples are still there")])
def test_a_staging_graph_the_store_will_not_drop_is_named_and_the_replace_stands(oxigraph, tmp_path, capsys, fault,
                                                                                 why):
    """The update made the graph new; the DROP of the staging graph then fails (HTTP 500) or
    answers success but leaves the graph (a store that drops row by row and stopped half-way): the
    load is verified, exit 0, and its line names the staging graph and the first load that removes it."""
    g = graph_name()
    (tmp_path / "old.ttl").write_text(OLD)
    (tmp_path / "new.ttl").write_text(NEW)
    assert main(["load", "--endpoint", oxigraph, "--store", "generic", "--file", str(tmp_path / "old.ttl"),
                 "--graph", g]) == 0
    updates = []

    def fail(method, path, headers):
        if method == "POST" and path.startswith("/update"):
            updates.append(path)
            if len(updates) == 2:  # the first is the replace, the second the DROP
                return fault
        return None

    capsys.readouterr()
    with fault_proxy(oxigraph, fail=fail) as proxy:
        assert main(["load", "--endpoint", proxy, "--store", "generic", "--file", str(tmp_path / "new.ttl"),
                     "--graph", g]) == 0
    out = capsys.readouterr().out
    [staging] = staging_graphs(oxigraph + "/query", g)
    assert f"-> {g}: 27 triples sent, 27 in the store (verified)" in out
    assert f"the staging graph <{staging}> could not be removed ({why}): a load 60 min or more after this one removes it" in out
    assert content(oxigraph + "/query", g) == expected(NEW)
    assert content(oxigraph + "/query", staging) == expected(NEW)

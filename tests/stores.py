"""exo-rdf's graph loaded once per session into real servers, for the compliance and validation tests.

Each server also holds two graphs that must never enter an answer: a stray graph outside the
graph base and a leftover staging graph of an interrupted load, both holding extra findings (so
that a store that took them in would give more rows).
"""
from __future__ import annotations

import dataclasses

import pyoxigraph as ox

from conftest import ROOT
from exo_rdf.query import with_values_rows
from exo_rdf.sources import GRAPH_BASE
from exo_rdf.stores import http
from exo_rdf.stores.endpoint import resolve
from exo_rdf.stores.load import Endpoints, graph_contents, load
from exo_rdf.stores.remote import fetch

#: the graph base on Virtuoso, which other tests of the session share: its own, so nothing collides
VIRTUOSO_BASE = "https://w3id.org/exo-rdf/test/compliance/graph/"
STRAY_GRAPH = "https://example.org/someone-else/graph"
DATA = "https://w3id.org/exo-rdf/data/"


def graph_content(query_url: str, graph: str) -> set[tuple[str, str, str]]:
    """A graph's triples on a server as N-Triples terms, every blank node written _:b (stores
    rename them), read with queries/store/graph-triples.rq."""
    text = with_values_rows((ROOT / "queries" / "store" / "graph-triples.rq").read_text(), ["graph"],
                            [(ox.NamedNode(graph),)])
    result = fetch(query_url, text, form="CONSTRUCT", timeout_s=30, virtuoso=query_url.endswith("/sparql"))

    def term(t):
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)
    return {(term(t.subject), term(t.predicate), term(t.object)) for t in result.triples}


@dataclasses.dataclass(frozen=True)
class Loaded:
    """A server holding exo-rdf's graph: its base URL (credentials included where needed) and graph base."""

    url: str
    graph_base: str = GRAPH_BASE
    store_url: str | None = None

    def endpoint(self, **options):
        """A fresh Endpoint for the server (one per test: an Endpoint caches its dataset)."""
        return resolve(self.url, graph_base=self.graph_base, **options)


def intruders(graph_base: str) -> dict[str, bytes]:
    """The stray and staging graphs: the tex review's findings again under other IRIs."""
    findings = graph_contents(graph_base=graph_base)[graph_base + "findings/review-tex"]
    return {
        STRAY_GRAPH: findings.replace(f"<{DATA}finding-".encode(), f"<{DATA}stray-finding-".encode()),
        graph_base + "findings/review-tex-staging-0badc0de": findings.replace(
            f"<{DATA}finding-".encode(), f"<{DATA}staged-finding-".encode()),
    }


def load_oxigraph(base: str) -> Loaded:
    """Load the graph into the Oxigraph at base with exo-rdf's loader, then the intruders."""
    load(Endpoints.from_base(base))
    for graph, data in intruders(GRAPH_BASE).items():
        http.put_graph(base + "/store", graph, data, len(data))
    return Loaded(base)


def load_virtuoso(base: str) -> Loaded:
    """Load the graph and the intruders into the Virtuoso at base under VIRTUOSO_BASE.

    Through the authenticated Graph Store (Digest, dba:dba on this throwaway instance) with one
    PUT per graph, not `exo_rdf.stores.load.load`: its replace through a staging graph runs an
    update Virtuoso 7.2 refuses (HTTP 500), which is the loader's own tests' business.
    """
    crud = base.replace("http://", "http://dba:dba@") + "/sparql-graph-crud-auth"
    graphs = {**graph_contents(graph_base=VIRTUOSO_BASE), **intruders(VIRTUOSO_BASE)}
    for graph, data in graphs.items():
        http.put_graph(crud, graph, data, len(data))
    return Loaded(base + "/sparql", VIRTUOSO_BASE, crud)

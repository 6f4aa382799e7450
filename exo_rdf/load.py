"""Load the graph into a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

One named graph per part of the graph (see GRAPHS): the ontology with its import modules, the
shared data (reviews, tables, entities), each review's findings, the shapes, and the query
catalogue. With --replace (the default) each graph is uploaded to a staging graph, its triple
count is checked, and one SPARQL Update request moves it over the target, so a reader sees the
old graph or the new one, never a mixture; a failure part-way leaves the old graph in place.
After loading, the triple count of every graph is compared with what was sent.
"""
from __future__ import annotations

import secrets
import sys
from urllib.parse import urlencode
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import EndpointError, LoadError
from exo_rdf.sources import GRAPH_BASE, SourceFile, discover, load_into, project_root

DEFAULT_GRAPH_BASE = GRAPH_BASE

#: graph name -> which sources it holds (kind, and for data a file-name test)
GRAPHS = {
    "ontology": lambda s: s.kind in ("ontology", "imports"),
    "data": lambda s: s.kind == "data" and "findings" not in s.path.parts,
    "findings/review-tex": lambda s: s.kind == "data" and "findings" in s.path.parts and s.path.name.startswith("tex-"),
    "findings/review-protein": lambda s: s.kind == "data" and "findings" in s.path.parts and s.path.name.startswith("protein-"),
    "shapes": lambda s: s.kind == "shapes",
}


@dataclass
class Endpoints:
    """The three URLs of a store: Graph Store Protocol, SPARQL query, SPARQL update."""

    store: str
    query: str
    update: str

    @classmethod
    def from_base(cls, base: str, *, store: str | None = None, query: str | None = None, update: str | None = None):
        """Oxigraph's layout (base/store, base/query, base/update) unless a URL is given."""
        base = base.rstrip("/")
        return cls(store or f"{base}/store", query or f"{base}/query", update or f"{base}/update")


@dataclass
class GraphLoad:
    """What was loaded into one graph: its IRI, the triples sent and the triples the store holds."""

    graph: str
    sent: int
    stored: int

    @property
    def verified(self) -> bool:
        return self.sent == self.stored


def graph_contents(root: Path | None = None, graph_base: str = DEFAULT_GRAPH_BASE) -> dict[str, bytes]:
    """Graph IRI -> canonical N-Triples of that graph's sources (blank nodes canonicalised).

    Raises SourceError when a source does not parse.
    """
    root = root or project_root()
    sources = discover(root)
    catalogue = root / "queries" / "catalogue.ttl"
    out = {}
    for name, wanted in GRAPHS.items():
        out[graph_base + name] = _ntriples([s for s in sources if wanted(s)])
    if catalogue.is_file():
        out[graph_base + "queries"] = _ntriples([SourceFile(catalogue, "queries", graph_base + "queries")])
    return out


def _ntriples(sources: list[SourceFile]) -> bytes:
    store = ox.Store()
    for s in sources:
        load_into(store, s)
    dataset = ox.Dataset()
    for q in store:
        dataset.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    lines = sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in dataset)
    return "".join(lines).encode()


def _count(endpoints: Endpoints, graph: str, root: Path) -> int:
    from exo_rdf.query import run_sparql

    text = (root / "queries" / "store" / "count-graph.rq").read_text(encoding="utf-8")
    result = run_sparql(text, endpoint=endpoints.query, bindings={"graph": ox.NamedNode(graph)})
    return int(result.rows[0][0].value)


def _update(endpoints: Endpoints, name: str, root: Path, names: list[str], row: tuple) -> None:
    from exo_rdf import endpoint
    from exo_rdf.query import with_values_rows

    text = (root / "queries" / "store" / f"{name}.ru").read_text(encoding="utf-8")
    endpoint.update(endpoints.update, with_values_rows(text, names, [row], every_where=True))


def _chunks(data: bytes, progress, size: int = 1 << 20):
    """A callable giving fresh chunk iterators over data, reporting progress as chunks are sent."""
    def chunks():
        for start in range(0, len(data), size):
            yield data[start:start + size]
            progress(min(start + size, len(data)))
    return chunks


def _progress_bar(label: str, total: int, stream=sys.stderr):
    """A one-line progress bar for large uploads; silent when stderr is not a terminal."""
    if not stream.isatty() or total < (4 << 20):
        return lambda done: None

    def show(done: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        stream.write(f"\r{label[-40:]:<40} [{'#' * filled}{'.' * (width - filled)}] {done >> 20}/{total >> 20} MB")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


def load(
    endpoints: Endpoints,
    *,
    mode: str = "replace",
    graph_base: str = DEFAULT_GRAPH_BASE,
    root: Path | None = None,
) -> list[GraphLoad]:
    """Load every graph into the store and verify the triple counts; return what was loaded.

    mode "replace" swaps each graph atomically through a staging graph; "append" adds to it.
    Raises EndpointError when the store is unreachable or refuses a request (the graphs not yet
    swapped keep their previous content), LoadError when a count does not match, SourceError
    for a bad source. Credentials come from EXO_RDF_USER/EXO_RDF_PASSWORD or ~/.netrc.
    """
    from exo_rdf import endpoint

    if mode not in ("replace", "append"):
        raise LoadError(f"unknown load mode '{mode}'; use replace or append")
    root = root or project_root()
    results = []
    for graph, data in graph_contents(root, graph_base).items():
        sent = data.count(b"\n")
        progress = _progress_bar(graph, len(data))
        if mode == "append":
            before = _count(endpoints, graph, root)
            url = f"{endpoints.store}?{urlencode({'graph': graph})}"
            endpoint.http_request(url, method="POST", body=data, headers={"Content-Type": "application/n-triples"})
            results.append(GraphLoad(graph, sent, _count(endpoints, graph, root) - before))
            continue
        staging = f"{graph}-staging-{secrets.token_hex(4)}"
        try:
            endpoint.put_graph(endpoints.store, staging, _chunks(data, progress), len(data))
            staged = _count(endpoints, staging, root)
            if staged != sent:
                raise LoadError(f"{endpoints.store}: staging graph <{staging}> holds {staged} triples, {sent} were sent; "
                                f"<{graph}> was left unchanged")
            _update(endpoints, "replace-graph", root, ["target", "staging"], (ox.NamedNode(graph), ox.NamedNode(staging)))
        except (EndpointError, LoadError):
            _drop_quietly(endpoints, staging, root)
            raise
        results.append(GraphLoad(graph, sent, _count(endpoints, graph, root)))
    bad = [r for r in results if not r.verified and mode == "replace"]
    if bad:
        detail = ", ".join(f"<{r.graph}> holds {r.stored} of {r.sent}" for r in bad)
        raise LoadError(f"{endpoints.store}: the store does not hold what was sent: {detail}")
    return results


def _drop_quietly(endpoints: Endpoints, staging: str, root: Path) -> None:
    """Remove a staging graph after a failure; the original error is the one worth reporting."""
    try:
        _update(endpoints, "drop-graph", root, ["graph"], (ox.NamedNode(staging),))
    except EndpointError:
        pass

"""The requests a load sends to one remote store, and the names of its staging graphs.

A Target counts a graph's triples, looks for probe triples, sends a payload by Graph Store PUT
or POST, runs the graph updates of ``queries/store/*.ru`` (the store's own form where there is
one, e.g. Virtuoso's transaction pragma) and lists left-over staging graphs, each request with
its timeout. What a load does with these requests, and how it reports the outcome, is
exo_rdf.stores.swap.
"""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import EndpointError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from exo_rdf.stores.swap import Payload

STAGING = "-staging-"
#: a staging graph whose name says it is older than this is a left-over of a load that died
STALE_AFTER_S = 3600
_STAGING_SUFFIX = re.compile(r"-staging-([0-9a-f]{8})([0-9a-f]{8})?$")
_VARIABLE = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")


def staging_name(graph: str) -> str:
    """A staging graph for graph, unique to this run: ``<graph>-staging-<seconds><random>`` (hex)."""
    return f"{graph}{STAGING}{int(time.time()):08x}{secrets.token_hex(4)}"


def staging_age_s(iri: str) -> float | None:
    """Seconds since a staging graph was named, inf for an older unstamped name, None if not one."""
    m = _STAGING_SUFFIX.search(iri)
    if not m:
        return None
    return time.time() - int(m.group(1), 16) if m.group(2) else float("inf")


class Target:
    """The requests a load sends to one store (an exo_rdf.stores.endpoint.Endpoint), with timeouts.

    timeout_s: seconds to wait for an answer to a small request; a request carrying a payload
    waits longer as the payload grows (see `timeout_for`), unless fixed_timeout is set.
    """

    def __init__(self, endpoint, root: Path, *, timeout_s: float | None = None, progress: bool | None = None,
                 bulk: bool = False):
        self.endpoint, self.root = endpoint, root
        self.fixed = timeout_s
        self.timeout_s = timeout_s or getattr(endpoint, "timeout_s", 60.0)
        self.progress = progress  # None: a bar when stderr is a terminal
        # Oxigraph's bulk loader (no_transaction): several times faster on disk, not atomic
        self.options = {"no_transaction": ""} if bulk else None

    @property
    def oxigraph(self) -> bool:
        return self.endpoint.flavour == "oxigraph"

    def timeout_for(self, size: int) -> float:
        """The given --timeout-s, else 60 s plus 2 s per MB (Virtuoso takes in about 1 MB/s)."""
        return self.fixed if self.fixed else max(self.timeout_s, 60.0 + 2.0 * size / 1e6)

    def _text(self, name: str) -> str:
        return (self.root / "queries" / "store" / name).read_text(encoding="utf-8")

    def select(self, name: str, names: list[str], rows: list[tuple], *, size: int = 0) -> list:
        """Run queries/store/<name> with rows bound; it waits as for a payload of size bytes. Raises EndpointError."""
        from exo_rdf.query import with_values_rows
        from exo_rdf.stores import http

        text = with_values_rows(self._text(name), names, rows, flavour=self.endpoint.flavour)
        return list(http.select(self.endpoint.query, text, timeout=self.timeout_for(size) if size else self.timeout_s))

    def count(self, graph: str) -> int:
        """Triples in graph. Raises EndpointError."""
        [row] = self.select("count-graph.rq", ["graph"], [(ox.NamedNode(graph),)])
        return int(row[0].value)

    def added(self, staging: str, graph: str, size: int) -> int:
        """Triples of staging (size bytes sent) that graph lacks; it reads both whole, so it waits
        as for the payload. Raises EndpointError."""
        [row] = self.select("triples-not-in-graph.rq", ["staging", "target"],
                            [(ox.NamedNode(staging), ox.NamedNode(graph))], size=size)
        return int(row[0].value)

    def holds(self, graph: str, probes: tuple[ox.Triple, ...]) -> bool:
        """Whether graph holds every probe triple (True when there are none). Raises EndpointError."""
        if not probes:
            return True
        rows = [(ox.NamedNode(graph), t.subject, t.predicate, t.object) for t in probes]
        [row] = self.select("holds-triples.rq", ["graph", "s", "p", "o"], rows)
        return int(row[0].value) == len(probes)

    def staging_graphs(self, prefixes: list[str]) -> list[str]:
        """Staging graphs under any of the prefixes, sorted. Raises EndpointError."""
        from exo_rdf.stores.remote import graphs_under

        return [g for g in graphs_under(self.endpoint, prefixes, timeout_s=self.timeout_s) if staging_age_s(g) is not None]

    def operate(self, name: str, *, size: int = 0, **graphs: str) -> None:
        """Send the update queries/store/<name> with the ?variables named in graphs filled in as graph IRIs.

        Graph management operations (MOVE, ADD, DROP, CLEAR) take no WHERE clause for a VALUES
        block, so each IRI is written in pyoxigraph's escaped form (NamedNode refuses any
        character that could end it); the update's other variables stay. Raises EndpointError.
        """
        from exo_rdf.stores import http

        variant = name.replace(".ru", f"-{self.endpoint.flavour}.ru")  # e.g. Virtuoso's transaction pragma
        if (self.root / "queries" / "store" / variant).is_file():
            name = variant
        lines = []
        for line in self._text(name).splitlines():
            if not line.lstrip().startswith("#"):
                line = _VARIABLE.sub(lambda m: str(ox.NamedNode(graphs[m.group(1)])) if m.group(1) in graphs
                                     else m.group(0), line)
            lines.append(line)
        http.update(self._update_url(), "\n".join(lines) + "\n", timeout=self.timeout_for(size))

    def _update_url(self) -> str:
        url = self.endpoint.update
        # Virtuoso runs updates as its anonymous SPARQL user on /sparql; a user's credentials
        # (Digest) are honoured on /sparql-auth only
        if self.endpoint.flavour == "virtuoso" and url.rstrip("/").endswith("/sparql"):
            from exo_rdf.stores.http import credentials

            if credentials(url) is not None:
                return url.rstrip("/") + "-auth"
        return url

    def put(self, graph: str, payload: Payload) -> None:
        """Replace graph by the payload (Graph Store PUT, streamed). Raises EndpointError, OSError."""
        from exo_rdf.stores import http

        size = payload.size
        http.put_graph(self.endpoint.store, graph, payload.body(self.progress), size, options=self.options,
                       timeout=self.timeout_for(size), retries=0)

    def post(self, graph: str, payload: Payload) -> None:
        """Add the payload to graph (Graph Store POST, streamed). Raises EndpointError, OSError."""
        from exo_rdf.stores import http

        size = payload.size
        http.post_graph(self.endpoint.store, graph, payload.body(self.progress), size, options=self.options,
                        timeout=self.timeout_for(size))

    def drop_quietly(self, graph: str) -> str | None:
        """Remove a staging graph and count it to see it gone; None when done, else why not (the
        failure that matters is the one already being reported)."""
        try:
            self.operate("drop-graph.ru", graph=graph)
            # Virtuoso drops a staging graph row by row (drop-graph-virtuoso.ru): look, not trust
            left = self.count(graph)
        except EndpointError as exc:
            return "the store does not answer" if exc.status is None else f"the store answered HTTP {exc.status}"
        return None if left == 0 else f"{left} of its triples are still there"

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
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import EndpointError, LoadError, SourceError
from exo_rdf.progress import Progress
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
    from exo_rdf.stores import http as endpoint
    from exo_rdf.query import with_values_rows

    text = (root / "queries" / "store" / f"{name}.ru").read_text(encoding="utf-8")
    endpoint.update(endpoints.update, with_values_rows(text, names, [row], every_where=True))


def _chunks(data: bytes, progress: Progress):
    """A callable giving fresh chunk iterators over data (a retried PUT sends it again)."""
    return lambda: _reporting(data, progress)


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
    from exo_rdf.stores import http as endpoint

    if mode not in ("replace", "append"):
        raise LoadError(f"unknown load mode '{mode}'; use replace or append")
    root = root or project_root()
    results = []
    for graph, data in graph_contents(root, graph_base).items():
        sent = data.count(b"\n")
        # a bar on a terminal for uploads of 4 MB and more; the bundled graphs are smaller
        progress = Progress(graph, len(data), unit="MB", enabled=None if len(data) >= 4 << 20 else False)
        if mode == "append":
            before = _count(endpoints, graph, root)
            endpoint.post_graph(endpoints.store, graph, data, len(data))
            results.append(GraphLoad(graph, sent, _count(endpoints, graph, root) - before))
            continue
        staging = f"{graph}-staging-{secrets.token_hex(4)}"
        try:
            endpoint.put_graph(endpoints.store, staging, _chunks(data, progress), len(data))
            progress.finish()
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


#: suffixes `load_files` accepts: triple formats, each file going into one named graph
FILE_FORMATS = {".nt": "N-Triples", ".ttl": "Turtle"}


def load_files(
    endpoints: Endpoints,
    paths: list[Path],
    *,
    mode: str = "replace",
    graph: str | None = None,
    graph_base: str = DEFAULT_GRAPH_BASE,
    progress: bool | None = False,
    root: Path | None = None,
) -> list[GraphLoad]:
    """Load a curator's own RDF files (.nt, .ttl) into the store, one named graph per file, verified.

    Each file goes into `graph` (one file only) or ``<graph_base>user/<file stem>``. In "replace"
    mode a graph that is absent or empty is filled directly; one that holds triples is filled
    through a staging graph and swapped in one update, as `load` does. On Oxigraph the upload uses
    its bulk loader and, for N-Triples without blank nodes, two parallel requests. Whatever fails,
    the graph keeps its previous content (a graph that was empty is emptied again).
    N-Triples are sent as they are (the store checks them; a refused file is then parsed here to
    name the bad line); Turtle is parsed here and sent as N-Triples.
    Raises SourceError for a missing, unknown or bad file, LoadError when counts do not match
    or arguments conflict, EndpointError when the store is unreachable or refuses a request.
    """
    from pathlib import Path

    from exo_rdf.stores import http as endpoint

    if mode not in ("replace", "append"):
        raise LoadError(f"unknown load mode '{mode}'; use replace or append")
    files = [Path(p) for p in paths]
    if graph and len(files) != 1:
        raise LoadError(f"--graph names one graph but {len(files)} files were given; give one --file with --graph")
    for path in files:
        if path.suffix.lower() not in FILE_FORMATS:
            raise SourceError(f"{path}: cannot load a '{path.suffix}' file into one graph; use .nt or .ttl", path=path)
        if not path.is_file():
            raise SourceError(f"{path}: no such file; give the path of an N-Triples (.nt) or Turtle (.ttl) file", path=path)
    root = root or project_root()
    bulk = endpoint.server_software(endpoints.query).startswith("Oxigraph")
    results = []
    for path in files:
        target = graph or f"{graph_base}user/{path.stem}"
        payload, sent = _file_payload(path)
        bar = Progress(f"load: {path.name}", len(payload), unit="MB", enabled=progress)
        results.append(_load_payload(endpoints, path, target, payload, sent, mode=mode, bulk=bulk, progress=bar, root=root))
        bar.finish()
    return results


def _file_payload(path: Path) -> tuple[bytes, int]:
    """The N-Triples to send for one file and the number of distinct triples in it.

    N-Triples are sent as they are and their triple lines counted (a repeated line is sorted
    out after the upload); Turtle is parsed here through `load_into`, which names a bad line.
    Raises SourceError when the file cannot be read or (Turtle) does not parse.
    """
    if path.suffix.lower() != ".nt":
        graph = ox.NamedNode(GRAPH_BASE + "user")
        parsed = ox.Store()
        load_into(parsed, SourceFile(path, "data", graph.value))
        return parsed.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph), len(parsed)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
    return data, sum(1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def _load_payload(endpoints: Endpoints, path: Path, target: str, payload: bytes, sent: int, *,
                  mode: str, bulk: bool, progress, root: Path) -> GraphLoad:
    """Upload one file's N-Triples into target, verify the count, and undo on any failure."""
    before = _count(endpoints, target, root)
    if mode == "append":  # one request: the store applies it as one transaction
        _upload(endpoints, target, [payload], bulk=False, progress=progress)
        return GraphLoad(target, sent, _count(endpoints, target, root) - before)
    fill = target if before == 0 else f"{target}-staging-{secrets.token_hex(4)}"
    try:
        _upload(endpoints, fill, _split_lines(payload, 2 if bulk and b"_:" not in payload else 1), bulk=bulk, progress=progress)
        stored = _count(endpoints, fill, root)
        if stored != sent and stored != _distinct_triples(payload):
            raise LoadError(f"{endpoints.store}: <{fill}> holds {stored} triples, {sent} were sent from {path}; "
                            f"<{target}> was left as it was")
        if fill != target:
            _update(endpoints, "replace-graph", root, ["target", "staging"], (ox.NamedNode(target), ox.NamedNode(fill)))
    except BaseException as exc:  # Ctrl-C included: never leave a half-filled graph behind
        _drop_quietly(endpoints, fill, root)
        if isinstance(exc, EndpointError) and exc.status == 400 and path.suffix.lower() == ".nt":
            _name_bad_line(path)  # raises the SourceError naming the bad line, when there is one
        raise
    return GraphLoad(target, stored, stored if fill == target else _count(endpoints, target, root))


def _upload(endpoints: Endpoints, graph: str, parts: list[bytes], *, bulk: bool, progress) -> None:
    """POST the parts to graph, in parallel when there are several; raise the first failure."""
    from concurrent.futures import ThreadPoolExecutor

    from exo_rdf.stores import http as endpoint

    options = {"no_transaction": ""} if bulk else None

    def send(part: bytes) -> None:
        endpoint.post_graph(endpoints.store, graph, _reporting(part, progress), len(part), options=options,
                            timeout=max(endpoint.DEFAULT_TIMEOUT, len(part) / 1e6))

    with ThreadPoolExecutor(max_workers=len(parts)) as pool:
        for future in [pool.submit(send, part) for part in parts]:
            future.result()


def _reporting(data: bytes, progress, size: int = 1 << 20):
    """data as 1 MB chunks, counting each one on progress as it is sent."""
    for start in range(0, len(data), size):
        chunk = data[start:start + size]
        yield chunk
        progress.add(len(chunk))


def _split_lines(data: bytes, parts: int) -> list[bytes]:
    """data cut into about `parts` pieces at line ends (no piece empty)."""
    cuts, start = [], 0
    for i in range(1, parts):
        cut = data.find(b"\n", len(data) * i // parts) + 1
        if cut <= start:
            continue
        cuts.append(data[start:cut])
        start = cut
    cuts.append(data[start:])
    return [c for c in cuts if c] or [data]


def _distinct_triples(payload: bytes) -> int:
    """How many distinct triples the N-Triples hold (a file may repeat a triple; a store keeps one)."""
    store = ox.Store()
    store.bulk_load(payload, format=ox.RdfFormat.N_TRIPLES)
    return len(store)


def _name_bad_line(path: Path) -> None:
    """Parse an N-Triples file here to turn a store's refusal into a SourceError naming the bad line.

    Returns quietly when the file parses (the refusal was about something else).
    """
    load_into(ox.Store(), SourceFile(path, "data", GRAPH_BASE + "user"))

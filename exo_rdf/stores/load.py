"""Load the graph, or a curator's own files, into a triple store: every graph verified, none lost.

`load` writes one named graph per part of the graph (see GRAPHS): the ontology with its import
modules, the shared data (reviews, tables, entities), each review's findings, the shapes, and
the query catalogue. `load_files` writes a user's .nt/.ttl file into one graph, and a .nq/.trig
file into the graphs it names. Each graph is replaced atomically or appended to, read back and
reported as the store then holds it (exo_rdf.stores.swap). Staging graphs that an earlier load
left behind are removed first (or, when they may belong to a load still running, reported).
Empty input is refused unless allow_empty is given: replacing a graph by nothing is rarely meant.
"""
from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import EndpointError, LoadError, SourceError
from exo_rdf.sources import GRAPH_BASE, SourceFile, discover, load_into, project_root
from exo_rdf.stores.swap import GraphLoad, LoadInterrupted, Payload, clean_left_overs, probes_of, write
from exo_rdf.stores.target import Target

__all__ = ["DEFAULT_GRAPH_BASE", "FILE_FORMATS", "GRAPHS", "Endpoints", "GraphLoad", "LoadInterrupted",
           "graph_contents", "load", "load_files"]

DEFAULT_GRAPH_BASE = GRAPH_BASE

#: graph name -> which sources it holds (kind, and for data a file-name test)
#: the graph of the stored-query catalogue, beside the GRAPHS below
CATALOGUE_GRAPH = "queries"

GRAPHS = {
    "ontology": lambda s: s.kind in ("ontology", "imports"),
    "data": lambda s: s.kind == "data" and "findings" not in s.path.parts,
    "findings/review-tex": lambda s: s.kind == "data" and "findings" in s.path.parts and s.path.name.startswith("tex-"),
    "findings/review-protein": lambda s: s.kind == "data" and "findings" in s.path.parts and s.path.name.startswith("protein-"),
    "shapes": lambda s: s.kind == "shapes",
}

#: suffixes `load_files` accepts: triple formats go into one graph, quad formats into the graphs they name
FILE_FORMATS = {".nt": "N-Triples", ".ttl": "Turtle", ".nq": "N-Quads", ".trig": "TriG"}
QUAD_SUFFIXES = (".nq", ".trig")


class Endpoints:
    """A store named by its base URL and optional explicit URLs, as `load` used to take it."""

    @staticmethod
    def from_base(base: str, *, store: str | None = None, query: str | None = None, update: str | None = None):
        """The exo_rdf.stores.endpoint.Endpoint for base (URL forms as every command takes them).

        Raises EndpointError for a URL that is not http(s) or a store that cannot be detected.
        """
        from exo_rdf.stores.endpoint import resolve

        return resolve(base, query_url=query, update_url=update, store_url=store)


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
        out[graph_base + CATALOGUE_GRAPH] = _ntriples([SourceFile(catalogue, "queries", graph_base + CATALOGUE_GRAPH)])
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


def _payload(graph: str, data: bytes, label: str) -> Payload:
    """One graph's N-Triples (one distinct triple a line) with a few probe triples to recognise them."""
    first = list(itertools.islice(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), 300))
    return Payload(graph, data, data.count(b"\n"), probes_of(first), label)


def load(endpoint, *, mode: str = "replace", graph_base: str = DEFAULT_GRAPH_BASE, root: Path | None = None,
         timeout_s: float | None = None, notes: list[str] | None = None,
         progress: bool | None = None, bulk: bool = False) -> list[GraphLoad]:
    """Load every graph of the project into the store at endpoint; return what the store holds.

    endpoint is an exo_rdf.stores.endpoint.Endpoint; mode "replace" swaps each graph atomically,
    "append" adds to it. timeout_s fixes the wait for each answer (default: grows with the
    payload). Lines about left-over staging graphs are appended to notes. progress: a bar of the
    bytes sent per graph on stderr (None: when stderr is a terminal). bulk: Oxigraph's bulk loader,
    fast but not atomic (see exo_rdf.stores.swap).
    Raises LoadError for bulk on a store other than Oxigraph, EndpointError
    (AuthenticationError) or LoadError naming what each graph holds after a failure, SourceError for a bad source, LoadInterrupted on Ctrl-C/SIGTERM.
    """
    root = root or project_root()
    payloads = [_payload(g, data, g) for g, data in graph_contents(root, graph_base).items()]
    return _write_all(endpoint, payloads, mode, root, timeout_s, [graph_base], notes, progress, bulk)


def load_files(endpoint, paths: list[Path], *, mode: str = "replace", graph: str | None = None,
               graph_base: str = DEFAULT_GRAPH_BASE, allow_empty: bool = False, root: Path | None = None,
               timeout_s: float | None = None, notes: list[str] | None = None,
               progress: bool | None = None, bulk: bool = False) -> list[GraphLoad]:
    """Load a curator's own RDF files into the store, each graph verified; return what it holds.

    A .nt or .ttl file goes into `graph` (one file only) or ``<graph_base>user/<file stem>``; a
    .nq or .trig file into the graphs it names (its default-graph triples, if any, as a .ttl
    file's would). Turtle, TriG and N-Quads are parsed here first; N-Triples are streamed as they
    are (never read whole) and a line the store refuses is named by parsing the file here
    afterwards. progress: a bar of the bytes sent, with an ETA (None: when stderr is a terminal).
    bulk: Oxigraph's bulk loader, fast but not atomic (see exo_rdf.stores.swap).
    Raises SourceError for a missing, unknown or bad file, LoadError for empty input (unless
    allow_empty), conflicting arguments, bulk on a store other than Oxigraph or a count that
    does not match, EndpointError
    (AuthenticationError) when the store fails, LoadInterrupted on Ctrl-C/SIGTERM.
    """
    if mode not in ("replace", "append"):
        raise LoadError(f"unknown load mode '{mode}'; use replace or append")
    files = [Path(p) for p in paths]
    if graph and len(files) != 1:
        raise LoadError(f"--graph names one graph but {len(files)} files were given; give one --file with --graph")
    for path in files:
        if path.suffix.lower() not in FILE_FORMATS:
            raise SourceError(f"{path}: cannot load a '{path.suffix}' file; use .nt, .ttl, .nq or .trig", path=path)
        if not path.is_file():
            raise SourceError(f"{path}: no such file; give the path of an RDF file (.nt, .ttl, .nq or .trig)", path=path)
    root = root or project_root()
    with tempfile.TemporaryDirectory(prefix="exo-rdf-load-") as folder:  # parsed graphs, streamed from disk
        payloads = [p for path in files
                    for p in _file_payloads(path, graph or f"{graph_base}user/{path.stem}", allow_empty, Path(folder))]
        targets = {p.graph for p in payloads}
        prefixes = [graph_base] + sorted(g for g in targets if not g.startswith(graph_base))
        return _write_all(endpoint, payloads, mode, root, timeout_s, prefixes, notes, progress, bulk)


def _file_payloads(path: Path, default_graph: str, allow_empty: bool, folder: Path) -> list[Payload]:
    """The graphs one file fills: its N-Triples per graph (a parsed file's written into folder).
    Raises SourceError, LoadError (empty)."""
    quads = path.suffix.lower() in QUAD_SUFFIXES
    out = ([_nt_payload(path, default_graph)] if path.suffix.lower() == ".nt"
           else _parsed_payloads(path, default_graph, folder))
    if not allow_empty and sum(p.triples for p in out) == 0:
        what = f"replacing <{default_graph}> by it would empty that graph" if not quads else "it names no graph"
        raise LoadError(f"{path}: holds no triples; {what}; give --allow-empty to load it all the same")
    return out


def _parsed_payloads(path: Path, default_graph: str, folder: Path) -> list[Payload]:
    """Turtle, TriG or N-Quads parsed here, one payload per graph, its N-Triples written into
    folder to be streamed from there (not held in memory beside the parsed store).
    Raises SourceError."""
    store = ox.Store()
    load_into(store, SourceFile(path, "data", default_graph))
    quads = path.suffix.lower() in QUAD_SUFFIXES
    graphs = {g.value for g in store.named_graphs()} if quads else {default_graph}
    default = list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) if quads else []
    if default:  # triples outside any named graph go where a triple file's would
        store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(default_graph)) for q in default)
        graphs.add(default_graph)
    out = []
    for g in sorted(graphs):
        name = ox.NamedNode(g)
        dumped = folder / f"{len(list(folder.iterdir()))}.nt"
        store.dump(str(dumped), format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        first = [ox.Triple(q.subject, q.predicate, q.object)
                 for q in itertools.islice(store.quads_for_pattern(None, None, None, name), 300)]
        triples = sum(1 for _ in store.quads_for_pattern(None, None, None, name))
        out.append(Payload(g, dumped, triples, probes_of(first), str(path)))
    return out


def _nt_payload(path: Path, graph: str) -> Payload:
    """An N-Triples file sent as it is: parsing a million lines here would double a load's time.

    The file is never held whole in memory: its triple lines are counted reading it line by line
    (the distinct triples only if the store's count differs), the first 64 KB give the probes, and
    the upload streams it (Payload.chunks); the store checks the syntax (see _name_bad_line).
    Raises SourceError when the file cannot be read or its first lines do not parse.
    """
    try:
        with path.open("rb") as f:
            head = f.read(1 << 16)
            head += f.readline()  # up to the end of the line the first read cut
            f.seek(0)
            lines = sum(1 for line in f if line.strip() and not line.lstrip().startswith(b"#"))
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
    try:
        first = list(itertools.islice(ox.parse(head, format=ox.RdfFormat.N_TRIPLES), 300))
    except SyntaxError:
        _name_bad_line(path)
        raise
    return Payload(graph, path, lines, probes_of(first), str(path), exact=lambda: _distinct_triples(path))


def _distinct_triples(path: Path) -> int:
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return len(store)


def _name_bad_line(path: Path) -> None:
    """Parse an N-Triples file here to name its bad line (raises SourceError); quiet if it parses."""
    load_into(ox.Store(), SourceFile(path, "data", GRAPH_BASE + "user"))


def _write_all(endpoint, payloads: list[Payload], mode: str, root: Path, timeout_s: float | None,
               prefixes: list[str], notes: list[str] | None, progress: bool | None = None,
               bulk: bool = False) -> list[GraphLoad]:
    if mode not in ("replace", "append"):
        raise LoadError(f"unknown load mode '{mode}'; use replace or append")
    if bulk and endpoint.flavour != "oxigraph":
        raise LoadError(f"{endpoint.shown()}: --bulk uses Oxigraph's bulk loader (no_transaction), which a "
                        f"{endpoint.flavour} store does not have; load without --bulk")
    target = Target(endpoint, root, timeout_s=timeout_s, progress=progress, bulk=bulk)
    found = clean_left_overs(target, prefixes)
    if notes is not None:
        notes.extend(found)
    results: list[GraphLoad] = []
    for payload in payloads:
        try:
            results.append(write(target, payload, mode))
        except KeyboardInterrupt as exc:  # say which graphs were written before it
            done = f"; written before: {', '.join(f'<{r.graph}>' for r in results)}" if results else ""
            if isinstance(exc, LoadInterrupted):
                raise LoadInterrupted(f"{exc}{done}") from None
            raise LoadInterrupted(f"interrupted before {payload.label} was sent: <{payload.graph}> is unchanged{done}") from None
        except EndpointError as exc:
            if exc.status == 400 and payload.exact is not None:  # an N-Triples file sent unparsed
                try:
                    _name_bad_line(Path(payload.label))
                except SourceError as bad:
                    raise SourceError(f"{bad}; {getattr(exc, 'state', '')}".rstrip("; "), path=bad.path,
                                      line=bad.line) from None
            raise
    return results

"""Stage 1: find the Turtle sources and merge them into one dataset, one named graph per file.

The layout is fixed: ``ontology/*.ttl`` (own axioms), ``ontology/imports/*.ttl`` (generated
external term modules), ``data/**/*.ttl`` (findings), ``shapes/*.ttl`` (SHACL). Each file becomes
the named graph ``https://w3id.org/exo-rdf/graph/<path without .ttl>``.
"""
from __future__ import annotations

import os
import zlib
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a warm query never needs it)

import pyoxigraph as ox

from exo_rdf.errors import SourceError

if TYPE_CHECKING:  # pathlib costs a warm `exo-rdf query` a tenth of its time; functions import it on use
    from collections.abc import Iterator
    from pathlib import Path

GRAPH_BASE = "https://w3id.org/exo-rdf/graph/"
EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"

#: The kinds of source, in the order they are merged.
KINDS = ("ontology", "imports", "data", "shapes")


def root_dir() -> str:
    """The folder that holds ontology/, data/, shapes/ and queries/, as a string.

    An installed wheel carries them in ``exo_rdf/resources``; a source checkout has them beside
    the package. ``EXO_RDF_ROOT`` overrides both.
    """
    override = os.environ.get("EXO_RDF_ROOT")
    if override:
        return override
    package = os.path.dirname(os.path.realpath(__file__))
    bundled = os.path.join(package, "resources")
    if os.path.isdir(os.path.join(bundled, "ontology")):
        return bundled
    return os.path.dirname(package)


def project_root() -> Path:
    """root_dir() as a Path."""
    from pathlib import Path

    return Path(root_dir())


class SourceFile:
    """One Turtle source: its path, its kind (see KINDS) and the named graph it loads into."""

    __slots__ = ("path", "kind", "graph")

    def __init__(self, path: Path, kind: str, graph: str):
        self.path, self.kind, self.graph = path, kind, graph

    def __repr__(self) -> str:
        return f"SourceFile({str(self.path)!r}, {self.kind!r}, {self.graph!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, SourceFile) and (self.path, self.kind, self.graph) == (other.path, other.kind, other.graph)

    def __hash__(self) -> int:
        return hash((self.path, self.kind, self.graph))


def graph_iri(path: Path, root: Path) -> str:
    """The named graph IRI of a source file: the graph base plus its path below root, sans suffix."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:  # a user's file outside the project
        from pathlib import Path

        rel = Path("user") / path.name
    return GRAPH_BASE + rel.with_suffix("").as_posix()


def discover(root: Path | None = None, kinds: tuple[str, ...] = KINDS) -> list[SourceFile]:
    """List the source files of the given kinds, sorted, with their graph IRIs.

    root may be a str or os.PathLike.
    Raises SourceError when root lacks the ontology folder (not an exo-rdf project);
    ArgumentError for a root that is not a path or kinds that are not a tuple of KINDS.
    """
    from exo_rdf.arguments import as_root, check_kinds

    root = as_root(root) or project_root()
    kinds = check_kinds(kinds)
    if not (root / "ontology").is_dir():
        raise SourceError(f"{root}: no ontology/ folder here; set EXO_RDF_ROOT to an exo-rdf checkout", path=root)
    patterns = {
        "ontology": sorted((root / "ontology").glob("*.ttl")),
        "imports": sorted((root / "ontology" / "imports").glob("*.ttl")),
        "data": sorted((root / "data").rglob("*.ttl")),
        "shapes": sorted((root / "shapes").glob("*.ttl")),
    }
    # the paths lie below root already: no resolve() per file, which a warm query would pay for
    return [SourceFile(p, kind, GRAPH_BASE + p.relative_to(root).with_suffix("").as_posix())
            for kind in kinds for p in patterns[kind]]


def user_sources(paths: list[Path]) -> list[SourceFile]:
    """Wrap a user's own RDF files (.ttl, .nt, .nq, .trig, .jsonld, .owl/.rdf) as sources of kind 'data'.

    Raises SourceError when a file does not exist or has an unknown suffix; ArgumentError when
    paths is not a list of paths.
    """
    from exo_rdf.arguments import as_paths

    out = []
    for p in as_paths(paths, "files"):
        if not p.is_file():
            raise SourceError(f"{p}: no such file; give the path of an RDF file (.ttl, .nt, .nq, .trig, .jsonld, .owl)", path=p)
        rdf_format(p)
        out.append(SourceFile(p, "data", graph_iri(p, project_root())))
    return out


def source_paths(root: str, kinds: tuple[str, ...] = KINDS) -> list[str]:
    """The paths of the source files of the given kinds below root, as discover() finds them.

    With os.scandir rather than pathlib, so that a warm query can check its cached store cheaply.
    """
    folders = {"ontology": ("ontology",), "imports": ("ontology", "imports"), "data": ("data",), "shapes": ("shapes",)}
    out = []
    for kind in kinds:
        top = os.path.join(root, *folders[kind])
        if kind == "data":
            found = [os.path.join(d, f) for d, _, files in os.walk(top) for f in files if f.endswith(".ttl")]
        else:
            found = [e.path for e in os.scandir(top) if e.name.endswith(".ttl") and e.is_file()] if os.path.isdir(top) else []
        out += sorted(found)
    return out


def fingerprint(paths: list) -> str:
    """A 64-bit hash of the files' paths, inodes, sizes, modification and change times.

    It changes whenever a file is written, even by an edit that restores size and mtime (the
    change time cannot be set back), so it can stand for the content hash (content_hash())
    recorded beside it. zlib's checksums, not hashlib: this runs on every query and hashlib
    costs more to import than the whole check.
    """
    listing = "\n".join(
        f"{os.path.abspath(p)}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
        for p in paths for st in (os.stat(p),)
    ).encode()
    return f"{zlib.crc32(listing):08x}{zlib.adler32(listing):08x}"


def content_hash(paths: list) -> str:
    """A hash (SHA-256, 64 bits shown) of the files' paths and bytes: what a built store depends on.

    Raises SourceError naming a file that cannot be read.
    """
    import hashlib

    digest = hashlib.sha256()
    for p in paths:
        try:
            with open(p, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise SourceError(f"{p}: cannot be read ({os_reason(exc)})", path=p) from None
        digest.update(f"{os.path.abspath(p)}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def os_reason(exc: BaseException) -> str:
    """The reason an OSError gives, also when it has no strerror (pyoxigraph's carry only a message)."""
    return getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__


#: the parser's limit on one token (a literal or an IRI), in bytes
TOKEN_LIMIT = 16 << 20


def _too_large(source: SourceFile) -> SourceError:
    """The SourceError for a file holding a literal or IRI larger than the parser accepts."""
    return SourceError(
        f"{source.path}: holds a literal or IRI larger than {TOKEN_LIMIT >> 20} MiB, the most the RDF parser "
        "accepts; split the value or keep it outside the graph", path=source.path)


#: file suffix -> RDF format; triple formats load into the source's named graph
FORMATS_BY_SUFFIX = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".owl": ox.RdfFormat.RDF_XML,
    ".rdf": ox.RdfFormat.RDF_XML,
}


_FORMAT_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".nq": "N-Quads", ".trig": "TriG", ".jsonld": "JSON-LD",
                 ".owl": "RDF/XML", ".rdf": "RDF/XML"}


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file from its suffix (.ttl, .nt, .nq, .trig, .jsonld, .owl or .rdf as RDF/XML).

    Raises SourceError naming the file for any other suffix.
    """
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise SourceError(
            f"{path}: unknown RDF file type '{path.suffix}'; use .ttl, .nt, .nq, .trig, .jsonld or .owl/.rdf (RDF/XML)", path=path
        ) from None


def load_into(store: ox.Store, source: SourceFile, progress=None, *, new_graph: bool = False) -> None:
    """Load one source file into store, in its named graph, without Python objects per triple.

    The load is transactional: a file that does not parse adds nothing. With a Progress (see
    exo_rdf.progress) or new_graph, N-Triples files load in blocks of LOAD_BLOCK bytes (a load
    of a whole file holds a second copy of much of it while it runs), reporting the bytes read
    to progress if given; the file's graph must then be new to the store, since a bad line clears it.
    Raises SourceError naming the file and line when the file does not parse.
    """
    fmt = rdf_format(source.path)
    graph = None if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG) else ox.NamedNode(source.graph)
    try:
        if (progress is not None or new_graph) and fmt == ox.RdfFormat.N_TRIPLES:
            _load_in_blocks(store, source, graph, progress)
            return
        store.load(path=str(source.path), format=fmt, base_iri=source.path.resolve().as_uri(), to_graph=graph)
        if progress is not None:
            progress.add(os.path.getsize(source.path))
    except SyntaxError as exc:
        raise _syntax_error(source, exc) from None
    except MemoryError:
        raise _too_large(source) from None
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot be read ({os_reason(exc)})", path=source.path) from None


#: bytes of N-Triples loaded at a time when loading in blocks (larger blocks raise the peak memory, not the speed)
LOAD_BLOCK = 1 << 20


def line_blocks(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """(offset in the file, bytes) of each block of whole lines of the file at path, about size
    bytes each (a line longer than size makes its block longer): a file read this way is never
    held whole. The last block lacks its line end where the file does. Raises OSError."""
    offset, rest = 0, b""
    with open(path, "rb") as handle:
        for data in iter(lambda: handle.read(size), b""):
            block = rest + data
            cut = block.rfind(b"\n") + 1
            block, rest = block[:cut], block[cut:]
            if block:
                yield offset, block
                offset += len(block)
    if rest:
        yield offset, rest


def _load_in_blocks(store: ox.Store, source: SourceFile, graph: ox.NamedNode, progress) -> None:
    """Load an N-Triples file block by block (cut at line ends): progress (or None) is told each block's bytes.

    Raises SyntaxError with the line number in the whole file; the graph is cleared first.
    """
    lines_before = 0
    for _, chunk in line_blocks(source.path, LOAD_BLOCK):
        try:
            store.load(chunk, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        except SyntaxError as exc:
            import re

            store.clear_graph(graph)
            exc.lineno = (exc.lineno or 1) + lines_before
            exc.msg = re.sub(r"\bline (\d+)", lambda m: f"line {int(m[1]) + lines_before}", exc.msg or "")
            raise
        lines_before += chunk.count(b"\n")
        if progress is not None:
            progress.add(len(chunk))


def _syntax_error(source: SourceFile, exc: SyntaxError) -> SourceError:
    """The SourceError for a parser's SyntaxError in source: file, line, what is wrong, what to do."""
    return SourceError(
        f"{source.path}:{exc.lineno}: not valid {_FORMAT_NAMES.get(source.path.suffix.lower(), 'RDF')}: {exc.msg}. "
        f"Fix the file at that line (a missing '.', ';' or quote is the usual cause).",
        path=source.path,
        line=exc.lineno,
    )


def parse_quads(source: SourceFile) -> list[ox.Quad]:
    """Parse one Turtle file into quads in its named graph.

    Raises SourceError naming the file and line when the file is not valid Turtle.
    """
    graph = ox.NamedNode(source.graph)
    fmt = rdf_format(source.path)
    try:
        parsed = ox.parse(path=str(source.path), format=fmt, base_iri=source.path.resolve().as_uri())
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            return list(parsed)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed]
    except SyntaxError as exc:
        raise _syntax_error(source, exc) from None
    except MemoryError:
        raise _too_large(source) from None
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot be read ({os_reason(exc)})", path=source.path) from None


def load_dataset(sources: list[SourceFile]) -> ox.Dataset:
    """Merge the sources into one in-memory dataset, one named graph per file.

    Raises SourceError for the first file that does not parse; nothing partial is returned.
    """
    dataset = ox.Dataset()
    for source in sources:
        for quad in parse_quads(source):
            dataset.add(quad)
    return dataset

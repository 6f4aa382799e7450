"""Reading files into a workspace's graphs (exo_rdf.workspace): streaming, hashed, with progress;
and reloading a changed file by difference: only the triples that went are removed, only the new
ones added, so the cost grows with the change rather than with the file.

A file is read through HashingReader (bytes counted into a progress bar and hashed as they
pass), so it is never held in memory; read_file hands it to a parser (Store.bulk_load, or
parse_triples below) and turns parse errors into SourceErrors naming file and line.

A changed file is parsed (streaming, in Rust: ``pyoxigraph.parse``) into a set and compared with the
triples the graph holds. The store keeps literals in canonical form (``"4051.0"^^xsd:decimal`` is
stored as ``"4051"``), so a parsed triple the graph seems to lack may be one it holds in canonical
form: those few are put through an in-memory store, which canonicalises them as the on-disk store
does, before being compared. Blank nodes cannot be compared by equality (a parse may label them
anew), and a file of more than ``MAX_DIFF`` triples is not held as a set: for those the caller
replaces the graph whole.
"""
from __future__ import annotations

import hashlib
import io
import os
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import SourceError
from exo_rdf.sources import _FORMAT_NAMES, _too_large, os_reason, rdf_format

#: the most triples of one file (and of its graph) compared as sets (about 0.4 kB a triple in memory, each side)
MAX_DIFF = 1_000_000
#: triples added per transaction (Store.extend holds a transaction's writes in memory)
BATCH = 100_000


class HashingReader(io.RawIOBase):
    """A binary file read through: counts bytes into a Progress and hashes them (SHA-256)."""

    def __init__(self, handle, progress=None):
        self.handle, self.progress, self.digest = handle, progress, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.handle.readinto(buffer)
        if n:
            view = memoryview(buffer)[:n]
            self.digest.update(view)
            if self.progress is not None:
                self.progress.add(n)
        return n or 0


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks. Raises SourceError when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({os_reason(exc)})", path=path) from None
    return digest.hexdigest()


def read_file(source, bar, parse) -> tuple:
    """Call parse(stream, format, base IRI) on the file of source (a SourceFile) read through a
    HashingReader counting bytes into bar (a Progress, or None); return (its stat, what parse
    returned, its SHA-256). Raises SourceError naming the file (and line) that cannot be read or parsed."""
    st = os.stat(source.path)
    try:
        with open(source.path, "rb") as handle:
            reader = HashingReader(handle, bar if bar is not None and bar.enabled else None)
            result = parse(io.BufferedReader(reader, 1 << 20), rdf_format(source.path), source.path.resolve().as_uri())
            while reader.readinto(bytearray(1 << 20)):  # hash what the parser did not need to read
                pass
    except SyntaxError as exc:
        raise SourceError(
            f"{source.path}:{exc.lineno}: not valid {_FORMAT_NAMES.get(source.path.suffix.lower(), 'RDF')}: "
            f"{exc.msg}. Fix the file at that line; the workspace is unchanged.",
            path=source.path, line=exc.lineno) from None
    except MemoryError:
        raise _too_large(source) from None
    except OSError as exc:
        raise SourceError(f"{source.path}: cannot be loaded ({os_reason(exc)}); the workspace is unchanged",
                          path=source.path) from None
    return st, result, reader.digest.hexdigest()


def has_blank_node(triple: ox.Triple) -> bool:
    """Whether a triple holds a blank node, also inside a quoted triple."""
    return any(isinstance(t, ox.BlankNode) or (isinstance(t, ox.Triple) and has_blank_node(t))
               for t in (triple.subject, triple.object))


def parse_triples(stream, fmt: ox.RdfFormat, base_iri: str, limit: int = MAX_DIFF) -> set | None:
    """The triples of the RDF triples file read from stream, as a set of Triples (as parsed).

    Return None, leaving the stream part-read, at the first triple with a blank node, the first
    named graph (JSON-LD can state one), or beyond limit triples. Raises SyntaxError and OSError
    as pyoxigraph.parse does.
    """
    out, default, plain = set(), ox.DefaultGraph(), (ox.NamedNode, ox.Literal)
    for quad in ox.parse(stream, fmt, base_iri=base_iri):
        triple = quad.triple
        # the type tests first: most triples are IRIs and literals, has_blank_node costs more
        if not (type(triple.subject) is ox.NamedNode and type(triple.object) in plain) and has_blank_node(triple):
            return None
        if quad.graph_name != default or len(out) >= limit:
            return None
        out.add(triple)
    return out


def graph_triples(store: ox.Store, graph: ox.NamedNode, limit: int | None = None) -> set | None:
    """The triples of one graph of store as a set of Triples; None when there are more than limit."""
    quads = store.quads_for_pattern(None, None, None, graph)
    out = {q.triple for q in (quads if limit is None else islice(quads, limit + 1))}
    return None if limit is not None and len(out) > limit else out


def canonical(triples) -> set:
    """triples as a store keeps them (literals in canonical form), through an in-memory store."""
    memory = ox.Store()
    memory.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {q.triple for q in memory}


def difference(old: set, new: set) -> tuple[set, set]:
    """(removed, added): what a graph holding old (Triples read from the store) loses and gains
    when it is made to hold new (Triples as parsed). Both are in the store's canonical form.

    A parsed triple the store holds is canonical already; the others are canonicalised, and
    the old triples one of those turns out to be are kept.
    """
    added = canonical(new - old)
    return (old - new) - added, added - old


def apply(store: ox.Store, graph: ox.NamedNode, removed, added) -> None:
    """Remove the triples removed from graph, then add added (in transactions of BATCH).

    pyoxigraph 0.5 has no batch removal but SPARQL updates, so removal is one call a triple;
    the workspace's checkpoint makes the whole change all or nothing. Raises OSError.
    """
    for t in removed:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, graph))
    batch = []
    for t in added:
        batch.append(ox.Quad(t.subject, t.predicate, t.object, graph))
        if len(batch) >= BATCH:
            store.extend(batch)
            batch = []
    if batch:
        store.extend(batch)

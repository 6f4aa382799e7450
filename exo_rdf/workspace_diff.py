"""Reloading a changed file into its workspace graph by difference: only the triples that went are
removed, only the new ones added, so the cost grows with the change rather than with the file.

The file is parsed (streaming, in Rust: ``pyoxigraph.parse``) into a set and compared with the
triples the graph holds. The store keeps literals in canonical form (``"4051.0"^^xsd:decimal`` is
stored as ``"4051"``), so a parsed triple the graph seems to lack may be one it holds in canonical
form: those few are put through an in-memory store, which canonicalises them as the on-disk store
does, before being compared. Blank nodes cannot be compared by equality (a parse may label them
anew), and a file of more than ``MAX_DIFF`` triples is not held as a set: for those the caller
replaces the graph whole.
"""
from __future__ import annotations

from itertools import islice

import pyoxigraph as ox

#: the most triples of one file (and of its graph) compared as sets (about 0.4 kB a triple in memory, each side)
MAX_DIFF = 1_000_000
#: triples added per transaction (Store.extend holds a transaction's writes in memory)
BATCH = 100_000


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

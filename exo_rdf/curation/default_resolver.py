"""The default name resolver of the templates: CURIEs and IRIs as themselves, and exact labels.

``exo_rdf.curation.resolve.Resolver`` is the full resolver (synonyms, normalised names, upstream
tables, kinds of term); this one needs nothing but the project's files, so that templates
written by ``exo-rdf template`` read back on their own.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curation.problems import CellProblem
from exo_rdf.curies import expand

EXOD = "https://w3id.org/exo-rdf/data/"
_IRI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def explicit_iri(text: str) -> str | None:
    """The IRI a cell names explicitly: <IRI>, http(s)://..., or a CURIE of the prefix map."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if _IRI.fullmatch(text):
        return text
    return expand(text)


class DefaultResolver:
    """Resolves a CURIE or IRI as itself, and an exact rdfs:label of the project's terms.

    The labels are read on first need from what the shapes validate with (the ontology, its
    import modules, the reviews and the shared entities of the checkout at root). Where a label
    is that of one own individual (exod:) and of external terms, the individual is taken, as
    molecules are. Raises CellProblem: ambiguous-name for a label of several terms, unknown-name
    for a label of none. The kind of term is not checked (resolve.Resolver checks it).
    """

    def __init__(self, root: Path | None = None):
        self.root = root
        self._labels: dict[str, set[str]] | None = None
        self._known: dict[str, ox.NamedNode] = {}

    def __call__(self, text: str, column=None) -> ox.NamedNode:
        known = self._known.get(text)
        if known is None:
            known = self._known[text] = self._resolve(text)
        return known

    def _resolve(self, text: str) -> ox.NamedNode:
        iri = explicit_iri(text)
        if iri is not None:
            return ox.NamedNode(iri)
        labels = self._load()
        found = labels.get(text.strip(), set())
        own = {iri for iri in found if iri.startswith(EXOD)}
        if len(own) == 1:  # a molecule's own individual, not the gene it matches
            found = own
        if len(found) == 1:
            return ox.NamedNode(next(iter(found)))
        if found:
            raise CellProblem("ambiguous-name", f"{text!r} is the label of {len(found)} terms", value=text,
                              fix="write one of " + ", ".join(sorted(found)))
        raise CellProblem("unknown-name", f"no term is labelled {text!r}", value=text,
                          fix="write the term's CURIE, e.g. MONDO:0009831")

    def _load(self) -> dict[str, set[str]]:
        if self._labels is None:
            from exo_rdf.sources import parse_quads
            from exo_rdf.validate import context_sources

            label = "http://www.w3.org/2000/01/rdf-schema#label"
            self._labels = {}
            for source in context_sources(Path(self.root) if self.root else None):
                for q in parse_quads(source):
                    if q.predicate.value == label and isinstance(q.subject, ox.NamedNode):
                        self._labels.setdefault(q.object.value, set()).add(q.subject.value)
        return self._labels

"""The one prefix map of exo-rdf: every CURIE the project prints or reads goes through it.

Prefixes follow the Bioregistry's preferred prefixes (``mirbase.mature`` for mature miRNAs,
``mirbase`` being the precursors; ``GO``, ``CL``, ``MONDO``... for OBO ontologies); a test checks
the map against the ``bioregistry`` package so that a drift is caught. The URI prefixes are the
ones the project's IRIs use. ``exo``, ``exod``, ``exosh`` and ``exoq`` are the project's own
namespaces (ontology, data, shapes, queries).

The map is a plain dict, so that printing a table of results does not import the ``curies``
package (a fifth of a warm query's run time); :func:`converter` builds a ``curies.Converter``
from it for the outputs that can afford the import, and a test checks that :func:`compress` and
:func:`expand` agree with that converter on every IRI of the graph.
"""
from __future__ import annotations

#: prefix -> URI prefix, the project's own namespaces first, then external ones, then W3C ones
PREFIX_MAP = {
    "exo": "https://w3id.org/exo-rdf/ontology/",
    "exod": "https://w3id.org/exo-rdf/data/",
    "exosh": "https://w3id.org/exo-rdf/shapes/",
    "exoq": "https://w3id.org/exo-rdf/queries/",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "CL": "http://purl.obolibrary.org/obo/CL_",
    "UBERON": "http://purl.obolibrary.org/obo/UBERON_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "RO": "http://purl.obolibrary.org/obo/RO_",
    "ECO": "http://purl.obolibrary.org/obo/ECO_",
    "BFO": "http://purl.obolibrary.org/obo/BFO_",
    "IAO": "http://purl.obolibrary.org/obo/IAO_",
    "obo": "http://purl.obolibrary.org/obo/",
    "HGNC": "https://identifiers.org/hgnc:",
    "mirbase.mature": "https://identifiers.org/mirbase.mature:",
    "mirbase": "https://identifiers.org/mirbase:",
    "cellosaurus": "https://www.cellosaurus.org/CVCL_",
    "uniprot": "http://purl.uniprot.org/uniprot/",
    "clinicaltrials": "https://clinicaltrials.gov/study/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
}

#: other spellings accepted when reading a CURIE (the Bioregistry's synonyms); never printed
PREFIX_SYNONYMS = {
    "HGNC": ("hgnc",),
    "cellosaurus": ("CVCL", "Cellosaurus"),
    "mirbase.mature": ("MIRBASEM",),
    "uniprot": ("UniProtKB", "UniProt"),
    "clinicaltrials": ("ctgov", "clinicaltrial"),
    "CHEBI": ("ChEBI",),
}

#: prefixes of the project's own namespaces (not in the Bioregistry)
OWN_PREFIXES = ("exo", "exod", "exosh", "exoq")

_BY_LENGTH = sorted(PREFIX_MAP.items(), key=lambda kv: -len(kv[1]))
_READ = {p.lower(): p for p in PREFIX_MAP} | {s.lower(): p for p, syns in PREFIX_SYNONYMS.items() for s in syns}
_CONVERTER = None


def compress(iri: str) -> str:
    """The CURIE of iri under the longest matching URI prefix of the map, or iri itself if none matches.

    >>> compress("https://identifiers.org/mirbase.mature:MIMAT0000076")
    'mirbase.mature:MIMAT0000076'
    >>> compress("http://example.org/x")
    'http://example.org/x'
    """
    for prefix, base in _BY_LENGTH:
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def expand(curie: str) -> str | None:
    """The IRI of a CURIE whose prefix is in the map (or one of its synonyms, any case); None otherwise.

    >>> expand("MONDO:0009831")
    'http://purl.obolibrary.org/obo/MONDO_0009831'
    >>> expand("hgnc:8766")
    'https://identifiers.org/hgnc:8766'
    >>> expand("pancreatic cancer") is None
    True
    """
    prefix, sep, local = curie.partition(":")
    canonical = _READ.get(prefix.lower()) if sep else None
    if canonical is None or not local or local.startswith("//") or any(c.isspace() for c in local):
        return None
    if canonical == "cellosaurus" and local.upper().startswith("CVCL_"):  # cellosaurus:CVCL_0062 as printed by some tools
        local = local[5:]
    return PREFIX_MAP[canonical] + local


def converter():
    """The map as a ``curies.Converter`` (with the synonyms), built once; the package is imported here."""
    global _CONVERTER
    if _CONVERTER is None:
        import curies

        _CONVERTER = curies.Converter([
            curies.Record(prefix=p, uri_prefix=u, prefix_synonyms=list(PREFIX_SYNONYMS.get(p, ())))
            for p, u in PREFIX_MAP.items()
        ])
    return _CONVERTER


def prefixes_for(iris) -> dict[str, str]:
    """The part of the map needed to abbreviate the given IRIs, in the map's order (for @prefix lines)."""
    used = {compress(i).partition(":")[0] for i in iris}
    return {p: u for p, u in PREFIX_MAP.items() if p in used}

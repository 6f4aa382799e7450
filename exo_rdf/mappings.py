"""The SSSOM mapping set: every own term that has a close external counterpart.

Mappings come from the graph itself (the stored query ``queries/mappings/own-term-mappings.rq``):
the SKOS mappings of own molecules, pathways and classes, and own classes placed under an
external class (a narrow match). Cancer names as the reviews print them are literal mappings
(``subject_type: rdfs literal``, no subject_id) from ``printed-cancer-mappings.rq``: findings link
MONDO classes directly, so there is no own cancer term to map. ``mappings/exo-rdf.sssom.tsv``
holds the result; a test keeps it current and parses it with the sssom package.
"""
from __future__ import annotations

from pathlib import Path

from exo_rdf.curies import PREFIX_MAP, compress
from exo_rdf.files import write_atomic
from exo_rdf.sources import project_root

#: the prefixes the mapping set uses, from the project's one map (exo_rdf.curies)
CURIE_MAP = {p: PREFIX_MAP[p] for p in ("exo", "exod", "GO", "CL", "UBERON", "MONDO", "CHEBI", "RO", "HGNC",
                                        "mirbase.mature", "cellosaurus", "prov", "skos", "semapv")}
COLUMNS = ("subject_id", "subject_label", "subject_type", "predicate_id", "object_id", "object_label",
           "mapping_justification")
JUSTIFICATION = "semapv:ManualMappingCuration"


def _curie(iri: str) -> str:
    curie = compress(iri)
    return curie if curie.partition(":")[0] in CURIE_MAP else iri


def _cell(term) -> str:
    """A literal's text for one TSV cell (tabs and line breaks become spaces); empty for None."""
    return "" if term is None else term.value.replace("\t", " ").replace("\n", " ")


def sssom_text(root: Path | None = None) -> str:
    """The mapping set as SSSOM/TSV text (YAML metadata block, then one row per mapping).

    Raises SourceError when a source does not parse.
    """
    from exo_rdf.query import run_sparql
    from exo_rdf.sources import discover
    from exo_rdf.store import build_store

    root = root or project_root()
    store = build_store(discover(root, ("ontology", "imports", "data")))
    folder = root / "queries" / "mappings"
    term_rows = run_sparql((folder / "own-term-mappings.rq").read_text(encoding="utf-8"), store=store).rows
    literal_rows = run_sparql((folder / "printed-cancer-mappings.rq").read_text(encoding="utf-8"), store=store).rows
    header = ["#curie_map:"] + [f"#  {k}: \"{v}\"" for k, v in CURIE_MAP.items()] + [
        "#mapping_set_id: https://w3id.org/exo-rdf/mappings/exo-rdf.sssom.tsv",
        "#mapping_set_description: Mappings from exo-rdf's own terms, and from cancer names as the reviews print"
        " them, to GO, CL, MONDO, ChEBI, HGNC and miRBase.",
        "#license: https://creativecommons.org/licenses/by/4.0/",
    ]
    lines = ["\t".join(COLUMNS)]
    for subject, subject_label, predicate, obj, object_label in term_rows:
        lines.append("\t".join((_curie(subject.value), _cell(subject_label), "", _curie(predicate.value),
                                _curie(obj.value), _cell(object_label), JUSTIFICATION)))
    for printed, predicate, obj, object_label in literal_rows:
        lines.append("\t".join(("", _cell(printed), "rdfs literal", _curie(predicate.value), _curie(obj.value),
                                _cell(object_label), JUSTIFICATION)))
    return "\n".join(header + lines) + "\n"


def write_sssom(out: Path | str | None = None, root: Path | str | None = None) -> Path:
    """Write the mapping set to out, atomically; return the path.

    Without out: mappings/exo-rdf.sssom.tsv in a source checkout, ./exo-rdf.sssom.tsv when
    exo-rdf runs from an installed package (never inside the package).
    Raises OutputError when the file cannot be written; ArgumentError for a path of the wrong type.
    """
    from exo_rdf.arguments import as_path, as_root
    from exo_rdf.files import default_output

    root = as_root(root) or project_root()
    path = as_path(out, "out") if out is not None else default_output(root, "mappings/exo-rdf.sssom.tsv", "exo-rdf.sssom.tsv")
    text = sssom_text(root)
    try:
        write_atomic(path, text)
    except OSError as exc:
        from exo_rdf.errors import OutputError
        from exo_rdf.sources import os_reason

        raise OutputError(f"{path}: cannot write ({os_reason(exc)}); choose a folder you can write to with --out") from None
    return path

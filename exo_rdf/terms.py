"""Check every external identifier against id/label tables of the upstream ontologies.

For each external IRI that the ontology, data, shapes or queries use, and each label an import
module gives it, report: unknown ids (not in the table), obsolete ids, and labels that differ
from the upstream label. The tables have the layout of ``../shared/ontology-terms/*.tsv``, so a
user can re-check the graph against a newer release by pointing at new tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import TermTableError
from exo_rdf.imports import MODULES, module_of, read_table, used_iris
from exo_rdf.sources import discover, parse_quads, project_root

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass(frozen=True)
class TermProblem:
    """One problem: kind (unknown, obsolete, label), the IRI, and what was found."""

    kind: str
    iri: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}\t{self.iri}\t{self.detail}"


def check_terms(tables: Path, root: Path | None = None) -> list[TermProblem]:
    """Check the external identifiers used by the sources against the tables in folder tables.

    tables and root may be str or os.PathLike.
    Raises TermTableError when the folder or a needed table is missing; ArgumentError for a
    tables or root that is not a path.
    """
    from exo_rdf.arguments import as_path, as_root

    tables = as_path(tables, "tables")
    root = as_root(root) or project_root()
    if not tables.is_dir():
        raise TermTableError(f"{tables}: no such folder of term tables; pass --terms DIR")
    given_labels: dict[str, set[str]] = {}
    for source in discover(root, ("imports",)):
        for q in parse_quads(source):
            if q.predicate.value == RDFS_LABEL and isinstance(q.subject, ox.NamedNode):
                given_labels.setdefault(q.subject.value, set()).add(q.object.value)
    iris = used_iris(root) | {i for i in given_labels if module_of(i)}
    loaded: dict[str, dict] = {}
    problems = []
    for iri in sorted(iris):
        module, table_id = module_of(iri)
        if module not in loaded:
            loaded[module] = read_table(tables / MODULES[module][0])
        term = loaded[module].get(table_id)
        if term is None:
            problems.append(TermProblem("unknown", iri, f"{table_id} is not in {MODULES[module][0]}"))
            continue
        if term.obsolete:
            problems.append(TermProblem("obsolete", iri, f"{table_id} is obsolete upstream ('{term.label}')"))
        for label in sorted(given_labels.get(iri, ())):
            if label.strip().lower() != term.label.strip().lower():
                problems.append(TermProblem("label", iri, f"labelled '{label}' but upstream {table_id} is '{term.label}'"))
    return problems

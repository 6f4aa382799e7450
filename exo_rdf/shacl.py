"""A SHACL Core validator compiled to SPARQL and run on the embedded Oxigraph store.

Each constraint component the shapes use has one query under ``queries/shacl/``; the queries
read the shapes themselves from the store (they are loaded beside the data), so nothing is
assembled in Python. The supported subset is exactly what exo-rdf's shapes use; a shapes graph
with anything else is refused with a message that names the feature and points to
``--engine pyshacl``. A differential test keeps pyshacl as the reference.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import ValidationEngineError
from exo_rdf.sources import SourceFile, load_into, parse_quads, project_root

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

#: query file stem -> the constraint component it reports
COMPONENTS = {
    "class": "ClassConstraintComponent",
    "datatype": "DatatypeConstraintComponent",
    "node-kind-iri": "NodeKindConstraintComponent",
    "pattern": "PatternConstraintComponent",
    "in": "InConstraintComponent",
    "min-inclusive": "MinInclusiveConstraintComponent",
    "max-inclusive": "MaxInclusiveConstraintComponent",
    "min-exclusive": "MinExclusiveConstraintComponent",
    "max-exclusive": "MaxExclusiveConstraintComponent",
    "less-than-or-equals": "LessThanOrEqualsConstraintComponent",
    "equals": "EqualsConstraintComponent",
    "node": "NodeConstraintComponent",
    "min-count": "MinCountConstraintComponent",
    "max-count": "MaxCountConstraintComponent",
    "or": "OrConstraintComponent",
}

#: predicates a shape may carry for the compiled engine to be exact
_SUPPORTED = {SH + p for p in (
    "targetClass", "property", "path", "minCount", "maxCount", "class", "datatype", "nodeKind", "pattern",
    "in", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "lessThanOrEquals", "equals",
    "node", "or", "hasValue", "message", "severity", "deactivated", "alternativePath", "name", "description",
)} | {RDF + "type", RDF + "first", RDF + "rest", RDFS + "label", RDFS + "comment", SKOS + "definition"}


def check_supported(shapes: list[ox.Quad]) -> None:
    """Refuse shapes that use SHACL features the compiled queries do not implement.

    Raises ValidationEngineError naming the feature and the shape, and suggesting --engine pyshacl.
    """
    for q in shapes:
        p = q.predicate.value
        if p.startswith(SH) and p not in _SUPPORTED:
            raise ValidationEngineError(
                f"the shapes use {p.replace(SH, 'sh:')} (on {q.subject}), which the compiled SPARQL engine does not "
                f"implement; validate with --engine pyshacl"
            )
        if p == SH + "nodeKind" and q.object.value != SH + "IRI":
            raise ValidationEngineError(
                f"the shapes use sh:nodeKind {q.object} (on {q.subject}); the compiled engine implements sh:IRI only; "
                f"validate with --engine pyshacl"
            )


def _query_text(name: str, root: Path) -> str:
    path = root / "queries" / "shacl" / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationEngineError(f"{path}: compiled constraint query missing ({exc.strerror})") from None


def validate_compiled(data: list[SourceFile], shapes: list[SourceFile], *, root: Path | None = None):
    """Validate data against shapes with the compiled SPARQL queries; return a ValidationReport.

    Raises SourceError when a file does not parse, ValidationEngineError for unsupported shapes.
    """
    from exo_rdf.validate import ValidationReport, Violation

    root = root or project_root()
    store = ox.Store()
    shape_quads = [q for s in shapes for q in parse_quads(s)]
    check_supported(shape_quads)
    for source in data:
        load_into(store, source)
    store.extend(shape_quads)
    seen: set[tuple] = set()
    violations = []
    for name, component in COMPONENTS.items():
        for row in store.query(_query_text(name, root), use_default_graph_as_union=True):
            path = _opt(row, "path")
            focus = row["focus"]
            value = _opt(row, "value")
            key = (focus, path, component, value)
            if key in seen:
                continue
            seen.add(key)
            violations.append(
                Violation(
                    focus=focus.value,
                    path=None if path is None else (path.value if isinstance(path, ox.NamedNode) else "(complex path)"),
                    component=SH + component,
                    severity=row["severity"].value.rsplit("#", 1)[-1],
                    message=_opt(row, "message").value if _opt(row, "message") is not None else component,
                    value=None if value is None else value.value,
                    shape=(_opt(row, "propertyShape") or row["shape"]).value if isinstance(_opt(row, "propertyShape") or row["shape"], ox.NamedNode) else None,
                )
            )
    return ValidationReport(not violations, violations, None)


def _opt(row, name):
    try:
        return row[name]
    except (KeyError, IndexError):
        return None

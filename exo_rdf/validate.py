"""Stage 3: SHACL validation of the findings (the bundled data, or a curator's own files).

The data graph is the files to check plus their context: the reviews and sections, the shared
molecule entities, and the ontology with its import modules, so that ``sh:class`` follows
subclass chains without RDFS inference.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from exo_rdf.curies import compress
from exo_rdf.errors import SourceError, ValidationEngineError
from exo_rdf.sources import SourceFile, discover, project_root, user_sources

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    """One validation result: focus node, path, constraint component, severity, message, value."""

    focus: str
    path: str | None
    component: str
    severity: str
    message: str
    value: str | None
    shape: str | None
    #: the value is a blank node (value holds its label): kept apart so that a report writes a
    #: blank node, not a string; not part of a result's identity
    value_blank: bool = field(default=False, compare=False)


@dataclass
class ValidationReport:
    """The outcome: whether the data conforms, each result, and the pyshacl report graph."""

    conforms: bool
    violations: list[Violation]
    graph: object = None
    sources: list = field(default_factory=list)  # the data's SourceFiles, to say where a focus node is written

    def by_focus(self) -> dict[str, list[Violation]]:
        """Results grouped by focus node, in a stable order."""
        groups: dict[str, list[Violation]] = defaultdict(list)
        for v in sorted(self.violations, key=lambda v: (v.focus, v.path or "", v.component, v.message)):
            groups[v.focus].append(v)
        return dict(groups)

    def text(self) -> str:
        """A report a curator can act on: one block per focus node, one line per problem."""
        if self.conforms:
            return "Conforms: no violations.\n"
        out = [f"Does not conform: {len(self.violations)} problem(s) on {len(self.by_focus())} node(s).\n"]
        # a blank node has no name in the file: say whose value it is, where another result tells
        holders = {v.value: f"{_short(v.path)} of {_node_text(v.focus)}" for v in self.violations
                   if v.value_blank and v.path}
        for focus, items in self.by_focus().items():
            if _is_blank(focus):
                holder = f"the value of {holders[focus]}" if focus in holders else "written as [ ... ] in the data, with no name to search for"
                out.append(f"_:{focus} (a blank node [ ... ]: {holder})")
            else:
                out.append(_short(focus))
            for v in items:
                where = f" [{_short(v.path)}]" if v.path else ""
                value = f" (value: {_node_text(v.value) if v.value_blank else _short(v.value)})" if v.value else ""
                out.append(f"  - {v.severity}{where}: {v.message}{value}  <{_short(v.component)}>")
            out.append("")
        return "\n".join(out)


    def serialize(self, fmt: str = "text") -> str:
        """The report as text for people, the W3C sh:ValidationReport graph (ttl, jsonld), or rows (json, csv).

        Raises ValidationEngineError for an unknown format.
        """
        from exo_rdf import validation_report

        if fmt == "text":
            return self.text()
        if fmt not in validation_report.WRITERS:
            raise ValidationEngineError(f"unknown report format '{fmt}'; choose one of text, {', '.join(validation_report.WRITERS)}")
        return validation_report.WRITERS[fmt](self)


def _short(iri: str | None) -> str:
    return "" if iri is None else compress(iri)


def _is_blank(node: str) -> bool:
    """A focus node's text is a blank node's label (no scheme) or an IRI."""
    return ":" not in node


def _node_text(node: str) -> str:
    return f"_:{node}" if _is_blank(node) else compress(node)


def _rdflib_graph(sources: list[SourceFile]):
    """Parse sources into one rdflib graph (through pyoxigraph, for its speed and line-numbered errors)."""
    import rdflib

    from exo_rdf.sources import parse_quads

    graph = rdflib.Graph()
    for source in sources:
        for q in parse_quads(source):
            graph.add(tuple(_to_rdflib(t) for t in (q.subject, q.predicate, q.object)))
    return graph


def _to_rdflib(term):
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def context_sources(root: Path | None = None) -> list[SourceFile]:
    """What a curator's own files are validated with: ontology, imports, reviews and shared entities."""
    root = root or project_root()
    data = [s for s in discover(root, ("data",)) if s.path.name == "reviews.ttl" or "entities" in s.path.parts]
    return discover(root, ("ontology", "imports")) + data


#: validation engines: the SHACL Core subset compiled to SPARQL on Oxigraph (fast), or pyshacl
ENGINES = ("sparql", "pyshacl")


def validate(files: list[Path] | None = None, *, root: Path | None = None, engine: str = "sparql",
             progress: bool | None = False) -> ValidationReport:
    """Validate the bundled data (files=None) or the given RDF files against the shapes.

    progress: a progress bar on stderr for the long stages (True, False, or None: on a terminal).

    engine "sparql" runs the compiled constraint queries on an in-memory Oxigraph store;
    "pyshacl" runs pyshacl (the reference; slower). Both report the same results.
    Raises SourceError when a file does not parse, ValidationEngineError when the engine fails,
    is unknown, or (sparql) meets a SHACL feature it does not implement.
    """
    if engine not in ENGINES:
        raise ValidationEngineError(f"unknown validation engine '{engine}'; choose one of {', '.join(ENGINES)}")
    from exo_rdf.arguments import as_root

    root = as_root(root) or project_root()  # a str or os.PathLike
    if files:
        user_files = user_sources(files)
        data_sources = context_sources(root) + user_files
    else:
        data_sources = discover(root, ("ontology", "imports", "data"))
        user_files = [s for s in data_sources if s.kind == "data"]
    shapes_sources = discover(root, ("shapes",))
    if not shapes_sources:
        raise SourceError(f"{root / 'shapes'}: no shapes found", path=root / "shapes")
    if engine == "sparql":
        from exo_rdf.shacl import validate_compiled

        report = validate_compiled(data_sources, shapes_sources, root=root, progress=progress)
        report.sources = user_files
        return report
    from pyshacl import validate as shacl_validate

    data = _rdflib_graph(data_sources)
    shapes = _rdflib_graph(shapes_sources)
    try:
        conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    except Exception as exc:  # pyshacl raises many types; all mean the engine could not run
        raise ValidationEngineError(f"SHACL validation could not run: {exc}") from exc
    return ValidationReport(conforms, list(_violations(report)), report, user_files)


def _violations(report):
    import rdflib

    sh = rdflib.Namespace(SH)
    # Only top-level results: those under sh:detail explain a sh:node failure already reported.
    for result in report.objects(None, sh.result):
        one = lambda p: report.value(result, p)  # noqa: E731
        path = one(sh.resultPath)
        yield Violation(
            focus=str(one(sh.focusNode)),
            path=str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "(complex path)"),
            component=str(one(sh.sourceConstraintComponent)),
            severity=str(one(sh.resultSeverity)).rsplit("#", 1)[-1],
            message=str(one(sh.resultMessage) or ""),
            value=None if one(sh.value) is None else str(one(sh.value)),
            value_blank=isinstance(one(sh.value), rdflib.BNode),
            shape=None if one(sh.sourceShape) is None else str(one(sh.sourceShape)),
        )

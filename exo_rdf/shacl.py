"""A SHACL Core validator compiled to SPARQL queries on an in-memory Oxigraph store.

The shapes are read into a small model; each property shape then costs a few set-based queries
from ``queries/shacl/`` with its target class and path bound as RDF terms (VALUES): one query
per cardinality (a missing value for sh:minCount 1, any value or two different ones for sh:maxCount
0 or 1, counting the values of each focus node otherwise), one query for the distinct values of the path's predicates (on
any subject: joining the target's instances there costs more than the extra values), and one
query mapping failing values back to the target's focus nodes. Value constraints (sh:datatype, sh:nodeKind,
sh:pattern, sh:in, numeric bounds, sh:node) are checked once per distinct value, which is what
makes large curation sets fast: a set of a million triples has few distinct values per path.
sh:class, sh:equals, sh:lessThanOrEquals and sh:hasValue are evaluated in SPARQL. A node-level
sh:or is evaluated from its alternatives, each a property shape or a node shape of property
shapes: each alternative's property shapes run as above on the or's targets, and a focus node
violates the sh:or when it violates every alternative; an alternative is checked only on the
focus nodes that violate all before it.

The supported subset is exactly what exo-rdf's shapes use; shapes with anything else are refused
with a message that names the feature and points to ``--engine pyshacl``. A differential test
keeps pyshacl as the reference.
"""
from __future__ import annotations

import functools

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import ValidationEngineError
from exo_rdf.query import with_values_rows
from exo_rdf.shacl_values import VALUE_CHECKS, component
from exo_rdf.sources import SourceFile, load_into, parse_quads, project_root

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NO_UPPER_BOUND = ox.Literal("1000000000000", datatype=ox.NamedNode(XSD + "integer"))
#: focus nodes still in question up to which an sh:or alternative binds them in its queries
OR_BIND_LIMIT = 2000

_SUPPORTED = {SH + p for p in (
    "targetClass", "property", "path", "minCount", "maxCount", "class", "datatype", "nodeKind", "pattern",
    "in", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "lessThanOrEquals", "equals",
    "node", "or", "hasValue", "message", "severity", "deactivated", "alternativePath", "name", "description",
)} | {RDF + "type", RDF + "first", RDF + "rest", RDFS + "label", RDFS + "comment", SKOS + "definition"}


@dataclass
class PropertyShape:
    """One property shape as the engine needs it: targets, path predicates and constraints."""

    node: object
    targets: list
    path: object
    predicates: list  # a predicate path, or the members of an alternative path
    sequence: list | None  # the two predicates of a sequence path
    constraints: dict = field(default_factory=dict)  # constraint IRI -> list of values
    message: str | None = None
    severity: str = "Violation"

    def one(self, name: str):
        values = self.constraints.get(SH + name)
        return values[0] if values else None


class ShapesModel:
    """The shapes graph, read into property shapes and node-level sh:or constraints."""

    def __init__(self, quads: list[ox.Quad]):
        self.triples: dict = {}
        for q in quads:
            self.triples.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
        self.properties: list[PropertyShape] = []
        self.ors: list[tuple] = []  # (node shape, targets, message, severity, alternatives)
        for shape, props in self.triples.items():
            targets = props.get(SH + "targetClass", [])
            if not targets or self._deactivated(shape):
                continue
            if SH + "or" in props:
                alternatives = [self._alternative(a, targets) for a in self.members(props[SH + "or"][0])]
                self.ors.append((shape, targets, self._text(shape, "message"), self._severity(shape), alternatives))
            for ps in props.get(SH + "property", []):
                if not self._deactivated(ps):
                    self.properties.append(self._property(ps, targets))

    def values(self, node, name: str) -> list:
        return self.triples.get(node, {}).get(SH + name, [])

    def members(self, head) -> list:
        """The members of an RDF list."""
        out = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            props = self.triples.get(head, {})
            out += props.get(RDF + "first", [])
            head = (props.get(RDF + "rest") or [None])[0]
        return out

    def _deactivated(self, node) -> bool:
        return any(v.value == "true" for v in self.values(node, "deactivated"))

    def _text(self, node, name: str) -> str | None:
        values = self.values(node, name)
        return values[0].value if values else None

    def _severity(self, node) -> str:
        values = self.values(node, "severity")
        return values[0].value.rsplit("#", 1)[-1] if values else "Violation"

    def _alternative(self, node, targets) -> list[PropertyShape]:
        """The property shapes that an sh:or alternative consists of (one, or its sh:property list)."""
        if self.values(node, "path"):
            return [self._property(node, targets)]
        return [self._property(ps, targets) for ps in self.values(node, "property")]

    def _property(self, ps, targets) -> PropertyShape:
        path = self.values(ps, "path")[0]
        predicates, sequence = [], None
        if isinstance(path, ox.NamedNode):
            predicates = [path]
        elif self.values(path, "alternativePath"):
            predicates = self.members(self.values(path, "alternativePath")[0])
        else:
            sequence = self.members(path)
        shape = PropertyShape(ps, targets, path, predicates, sequence, message=self._text(ps, "message"), severity=self._severity(ps))
        for predicate, values in self.triples.get(ps, {}).items():
            if predicate.startswith(SH) and predicate not in (SH + "path", SH + "message", SH + "severity"):
                shape.constraints[predicate] = values
        return shape


def check_supported(model: ShapesModel) -> None:
    """Refuse shapes using SHACL features the compiled engine does not implement exactly.

    Raises ValidationEngineError naming the feature and the shape, suggesting --engine pyshacl.
    """
    def refuse(what: str, where) -> None:
        raise ValidationEngineError(
            f"the shapes use {what} (on {where}), which the compiled SPARQL engine does not implement; "
            f"validate with --engine pyshacl"
        )

    for subject, props in model.triples.items():
        for p, values in props.items():
            if p.startswith(SH) and p not in _SUPPORTED:
                refuse(p.replace(SH, "sh:"), subject)
            if p == SH + "nodeKind" and any(v.value != SH + "IRI" for v in values):
                refuse(f"sh:nodeKind {values[0]}", subject)
    alternatives = [ps for *_, alts in model.ors for alt in alts for ps in alt]
    for ps in model.properties + alternatives:
        if ps.sequence is not None and (len(ps.sequence) != 2 or set(ps.constraints) - {SH + "equals"}):
            refuse("a sequence path other than two predicates under sh:equals", ps.node)
        if not ps.predicates and ps.sequence is None:
            refuse("a path other than a predicate, an alternative of predicates or a sequence", ps.node)
        if SH + "hasValue" in ps.constraints and len(ps.predicates) != 1:
            refuse("sh:hasValue on a path other than a predicate", ps.node)
        if SH + "or" in ps.constraints:
            refuse("sh:or inside a property shape", ps.node)
    for shape, *_, alts in model.ors:
        for alternative in model.members(model.values(shape, "or")[0]):
            extra = set(model.triples.get(alternative, {})) - {SH + "property", RDF + "type"}
            if not model.values(alternative, "path") and extra:
                refuse("an sh:or alternative other than a property shape or a node shape of sh:property", shape)


@functools.lru_cache(maxsize=None)
def compiled_query(root: Path, name: str) -> str:
    """The text of queries/shacl/NAME.rq under root, read once (it is bound for every shape).

    Raises ValidationEngineError when the file is missing or unreadable.
    """
    path = root / "queries" / "shacl" / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationEngineError(f"{path}: compiled constraint query missing ({exc.strerror})") from None


class _Run:
    """One validation run: the store, the shapes and the results found so far."""

    def __init__(self, store: ox.Store, model: ShapesModel, root: Path, *, scratch: bool = False, only: dict | None = None):
        """scratch: record only which focus nodes violate (for an sh:or alternative), not the
        results; only: the focus nodes (value -> term) to check, bound in every query, or None for all."""
        from exo_rdf.validate import Violation

        self.store, self.model, self.root = store, model, root
        self.Violation = Violation
        self.results: dict[tuple, object] = {}
        self.focus_terms: dict[str, object] = {}  # focus value -> its RDF term, for sh:or
        self.scratch, self.only = scratch, only

    def select(self, name: str, names: list[str], rows: list[tuple]):
        if not rows:
            return []
        if self.only is not None and name != "not-instances":
            # the few focus nodes left in question are bound too, so the store looks only at them
            names, rows = ["focus", *names], [(f, *row) for f in self.only.values() for row in rows]
        if hasattr(self.store, "run_compiled"):  # a remote store writes the query as it reads it
            return self.store.run_compiled(name, compiled_query(self.root, name), names, rows)
        return self.store.query(with_values_rows(compiled_query(self.root, name), names, rows), use_default_graph_as_union=True)

    def report(self, ps: PropertyShape | None, focus, component: str, value=None, *, shape=None, message=None, severity=None) -> None:
        if self.scratch:
            self.focus_terms[focus.value] = focus
            return
        path = None
        if ps is not None:
            path = ps.path.value if isinstance(ps.path, ox.NamedNode) else "(complex path)"
        source_shape = shape if ps is None else ps.node
        # the source shape is part of a result's identity (as in a SHACL report): a node failing
        # two shapes with the same component and path gets one result from each
        key = (focus.value, str(source_shape), path, component, None if value is None else str(value))
        self.focus_terms[focus.value] = focus
        if key not in self.results:
            self.results[key] = self.Violation(
                focus=focus.value,
                path=path,
                component=SH + component,
                severity=severity or (ps.severity if ps else "Violation"),
                message=(message if ps is None else ps.message) or component,
                value=None if value is None else value.value,
                value_blank=isinstance(value, ox.BlankNode),
                shape=source_shape.value if isinstance(source_shape, ox.NamedNode) else None,
            )

    def target_rows(self, ps: PropertyShape, *extra) -> list[tuple]:
        return [(t, p, *extra) for t in ps.targets for p in ps.predicates]

    def counts(self, ps: PropertyShape) -> None:
        low, high = ps.one("minCount"), ps.one("maxCount")
        if low is not None and int(low.value) == 1 and len(ps.predicates) == 1:
            # no value at all: one lookup per focus node instead of counting each one's values
            for row in self.select("min-count-missing", ["targetClass", "predicate"], self.target_rows(ps)):
                self.report(ps, row["focus"], "MinCountConstraintComponent")
            low = None
        if high is not None and int(high.value) in (0, 1) and ps.predicates:
            # a value too many found as such: grouping every focus node's values to count them
            # holds a table of all focus nodes at once, which costs more memory than the store's indexes
            if int(high.value) == 0:
                rows = self.select("focus-nodes-with-values", ["targetClass", "predicate"], self.target_rows(ps))
            else:
                rows = self.select("two-values", ["targetClass", "predicate", "other"],
                                   [(t, p, o) for t in ps.targets for p in ps.predicates for o in ps.predicates])
            for row in rows:
                self.report(ps, row["focus"], "MaxCountConstraintComponent")
            high = None
        if low is None and high is None:
            return
        rows = self.target_rows(ps, low or ox.Literal("0", datatype=ox.NamedNode(XSD + "integer")), high or NO_UPPER_BOUND)
        for row in self.select("counts", ["targetClass", "predicate", "minCount", "maxCount"], rows):
            count = int(row["count"].value)
            if low is not None and count < int(low.value):
                self.report(ps, row["focus"], "MinCountConstraintComponent")
            if high is not None and count > int(high.value):
                self.report(ps, row["focus"], "MaxCountConstraintComponent")

    def value_constraints(self, ps: PropertyShape) -> None:
        checks = [(c, v) for c, v in ps.constraints.items() if c in VALUE_CHECKS]
        classes = ps.constraints.get(SH + "class", [])
        if not checks and not classes:
            return
        failing: dict[str, list] = {}
        named: list = []  # the values, kept only when sh:class needs them bound in a query
        if not classes and {c for c, _ in checks} == {SH + "datatype"} and not hasattr(self.store, "run_compiled"):
            # a datatype alone is checked in the store's query (a remote store's DATATYPE of a plain
            # or tagged literal may differ): only the failing values come back, not each statement
            rows = [(p, dt) for p in ps.predicates for dt in ps.constraints[SH + "datatype"]]
            checks, failing["DatatypeConstraintComponent"] = [], [
                r["value"] for r in self.select("values-not-of-datatype", ["predicate", "datatype"], rows)]
        # the values are checked as they come: a path with many distinct literals is never held in a list
        for row in (self.select("values", ["predicate"], [(p,) for p in ps.predicates]) if checks or classes else ()):
            v = row["value"]
            if classes:
                named.append(v)
            for constraint, params in checks:
                if any(not VALUE_CHECKS[constraint](self.model, v, p) for p in params):
                    failing.setdefault(component(constraint), []).append(v)
        # a blank node cannot be bound in a VALUES block: blank values are found by their predicate
        if classes:
            rows = [(v, c) for v in named if not isinstance(v, ox.BlankNode) for c in classes]
            failing["ClassConstraintComponent"] = [r["value"] for r in self.select("not-instances", ["value", "class"], rows)]
            if any(isinstance(v, ox.BlankNode) for v in named):
                rows = [(p, c) for p in ps.predicates for c in classes]
                failing["ClassConstraintComponent"] += [
                    r["value"] for r in self.select("blank-not-instances", ["predicate", "class"], rows)]
        for failed, bad in failing.items():
            bad = dict.fromkeys(bad)
            rows = [(t, p, v) for t in ps.targets for p in ps.predicates for v in bad if not isinstance(v, ox.BlankNode)]
            for row in self.select("focus-nodes-with-values", ["targetClass", "predicate", "value"], rows):
                self.report(ps, row["focus"], failed, row["value"])
            if any(isinstance(v, ox.BlankNode) for v in bad):
                for row in self.select("focus-nodes-with-blank-values", ["targetClass", "predicate"], self.target_rows(ps)):
                    if row["value"] in bad:
                        self.report(ps, row["focus"], failed, row["value"])

    def has_values(self, ps: PropertyShape) -> None:
        for wanted in ps.constraints.get(SH + "hasValue", []):
            for row in self.select("has-value-missing", ["targetClass", "predicate", "value"], self.target_rows(ps, wanted)):
                self.report(ps, row["focus"], "HasValueConstraintComponent")

    def check(self, ps: PropertyShape) -> None:
        """Run every constraint of one property shape on its targets."""
        self.counts(ps)
        self.value_constraints(ps)
        self.pair_constraints(ps)
        self.has_values(ps)

    def pair_constraints(self, ps: PropertyShape) -> None:
        for other in ps.constraints.get(SH + "lessThanOrEquals", []):
            for row in self.select("less-than-or-equals", ["targetClass", "predicate", "other"], self.target_rows(ps, other)):
                self.report(ps, row["focus"], "LessThanOrEqualsConstraintComponent", row["value"])
        for other in ps.constraints.get(SH + "equals", []):
            if ps.sequence is not None:
                rows = [(t, ps.sequence[0], ps.sequence[1], other) for t in ps.targets]
                names, queries = ["targetClass", "first", "second", "other"], ("equals-sequence-value-missing", "equals-sequence-other-value-missing")
            else:
                rows = self.target_rows(ps, other)
                names, queries = ["targetClass", "predicate", "other"], ("equals-path-value-missing", "equals-other-value-missing")
            for name in queries:
                for row in self.select(name, names, rows):
                    self.report(ps, row["focus"], "EqualsConstraintComponent", row["value"])

    def node_or(self, shape, message, severity, alternatives) -> None:
        """Report the focus nodes that violate every alternative of one node-level sh:or.

        Each alternative after the first is checked only on the focus nodes that violate all
        before it (bound in the queries when they are few), and checking stops when none is left.
        """
        failing = None  # focus nodes that violate every alternative so far
        for alternative in alternatives:
            # blank focus nodes cannot be bound in a query: with one among them, all are checked
            narrow = failing if failing is not None and len(failing) <= OR_BIND_LIMIT and not any(
                isinstance(f, ox.BlankNode) for f in failing.values()) else None
            scratch = _Run(self.store, self.model, self.root, scratch=True, only=narrow)
            for ps in alternative:
                scratch.check(ps)
            violating = scratch.focus_terms
            failing = dict(violating) if failing is None else {k: v for k, v in failing.items() if k in violating}
            if not failing:
                return
        for _, focus in sorted(failing.items()):
            self.report(None, focus, "OrConstraintComponent", shape=shape, message=message, severity=severity)


def _skolem(term):
    """A blank node of the shapes as an IRI, so that a VALUES block can name it."""
    return ox.NamedNode(f"urn:exo-rdf:shape:{term.value}") if isinstance(term, ox.BlankNode) else term


def _skolemised(quads: list[ox.Quad]) -> list[ox.Quad]:
    return [ox.Quad(_skolem(q.subject), q.predicate, _skolem(q.object), q.graph_name) for q in quads]


def validate_compiled(data: list[SourceFile], shapes: list[SourceFile], *, root: Path | None = None,
                      progress: bool | None = False):
    """Validate data against shapes with the compiled queries; return a ValidationReport.

    progress: show a progress bar on stderr for loading and checking (None: when on a terminal).
    Raises SourceError when a file does not parse, ValidationEngineError for unsupported shapes
    and for literals the store would keep in a form the shapes misjudge (exo_rdf.shacl_literals).
    """
    from exo_rdf.progress import Progress
    from exo_rdf.shacl_literals import checking_beside

    root = root or project_root()
    shape_quads = [q for s in shapes for q in parse_quads(s)]
    model = ShapesModel(shape_quads)
    check_supported(model)
    literals_checked = checking_beside(model, [s.path for s in data])  # a scan of the files beside their load
    store = ox.Store()
    loading = Progress("validate: loading", sum(os.path.getsize(s.path) for s in data), unit="MB", enabled=progress)
    for source in data:
        load_into(store, source, loading if loading.enabled else None, new_graph=True)  # each file its own graph
    loading.finish()
    literals_checked()
    store.extend(_skolemised(shape_quads))
    return check_store(store, model, root=root, progress=progress)


def check_store(store, model: ShapesModel, *, root: Path, progress: bool | None = False, workers: int | None = None):
    """Run the compiled constraint queries of model on store; return a ValidationReport.

    store is a pyoxigraph Store holding the data, or any object answering
    ``query(text, use_default_graph_as_union=True)`` with rows indexable by variable name (a
    remote store: exo_rdf.stores.validate). workers: property shapes checked at once (default:
    up to 4, one per core). Raises what the store's queries raise.
    """
    from exo_rdf.progress import Progress
    from exo_rdf.validate import ValidationReport

    run = _Run(store, model, root)
    checking = Progress("validate: checking", len(model.properties) + 1, unit="property shapes", enabled=progress)

    def check(ps: PropertyShape) -> None:
        run.check(ps)
        checking.add(1)

    def check_or(node_or) -> None:
        shape, _targets, message, severity, alternatives = node_or
        run.node_or(shape, message, severity, alternatives)

    properties, node_ors = model.properties, model.ors
    if not hasattr(store, "run_compiled"):
        # a shape whose targets have no instance here has no focus node: its queries are skipped
        # (what a block of curated rows holds is a few kinds of node, the shapes are of many)
        found: dict[tuple, bool] = {}

        def has_instances(targets) -> bool:
            key = tuple(targets)
            if key not in found:
                found[key] = any(True for _ in run.select("instances-exist", ["targetClass"], [(t,) for t in targets]))
            return found[key]
        properties = [ps for ps in properties if has_instances(ps.targets)]
        node_ors = [o for o in node_ors if has_instances(o[1])]
        checking.add(len(model.properties) - len(properties))
    # pyoxigraph evaluates queries without the GIL, so shapes are checked in parallel.
    with ThreadPoolExecutor(max_workers=workers or max(1, min(4, os.cpu_count() or 1))) as pool:
        ors = [pool.submit(check_or, o) for o in node_ors]
        list(pool.map(check, properties))
        for done in ors:
            done.result()
    checking.finish()
    violations = list(run.results.values())
    return ValidationReport(not violations, violations, None)

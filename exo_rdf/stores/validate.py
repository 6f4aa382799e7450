"""SHACL validation inside a remote store: the compiled constraint queries run where the data lives.

The engine is the one of ``exo-rdf validate`` (exo_rdf.shacl): the same queries from
``queries/shacl/``, bound with the same VALUES blocks, and the same Python checks of the distinct
values they return, so both report the same results. Only the store differs: each query goes to
the endpoint with the dataset named explicitly (``default-graph-uri``):

- without --graph: exo-rdf's graphs under the graph base, shapes and catalogue excepted (what
  ``exo-rdf validate`` checks on the bundled data: ontology, imports and data);
- with --graph: those graphs, plus the context the embedded engine adds to a curator's files
  (ontology with imports, and the shared data graph with reviews and entities) when the store
  holds it, so that sh:class follows subclass chains.

The shapes are the bundled ones, or a shapes graph read from the store (--shapes-graph).
Virtuoso gets its own forms of the queries it answers wrong (VIRTUOSO_FORMS); the queries reaching a
class through rdf:type/rdfs:subClassOf* take there the class's subclasses, followed here from the
dataset's rdfs:subClassOf statements, as rows of ?type (VIRTUOSO_CLASS_FORMS); and every term bound in
a query is written as Virtuoso reads it (exo_rdf.query.write_term).
"""
from __future__ import annotations

import threading

import pyoxigraph as ox

from exo_rdf.errors import EndpointError, ValidationEngineError

#: queries sent at once (each property shape's queries run in order, shapes side by side)
REMOTE_WORKERS = 6
#: graphs under the graph base that give a curator's graphs their context (see context_sources)
CONTEXT_GRAPHS = ("ontology", "data")
#: the compiled queries Virtuoso 7.2 answers wrong or slowly, and their Virtuoso forms (queries/shacl/):
#: a pair (one for IRI values and none, one for literal values, which Virtuoso joins by value: 1 = 1.0,
#: false = 0) for a query binding ?value, one form for a query that binds none
VIRTUOSO_FORMS = {"focus-nodes-with-values": ("focus-nodes-with-values-virtuoso",
                                              "focus-nodes-with-literal-values-virtuoso"),
                  "two-values": "two-values-virtuoso",
                  "values": "values-virtuoso",
                  "less-than-or-equals": "less-than-or-equals-virtuoso"}
#: the compiled queries that reach a class through rdf:type/rdfs:subClassOf*: on Virtuoso their form
#: NAME-virtuoso.rq takes the classes under the bound class as ?type rows instead (subclasses_of), since
#: Virtuoso 7.2 answered that path without some rows in some fresh servers; each is bound by this class
#: variable. not-instances and blank-not-instances return the instances there, the rest is found here
#: (instances-exist, the other such query, is not run on a remote store)
VIRTUOSO_CLASS_FORMS = {name: "targetClass" for name in (
    "counts", "min-count-missing", "has-value-missing", "equals-other-value-missing", "equals-path-value-missing",
    "equals-sequence-other-value-missing", "equals-sequence-value-missing", "focus-nodes-with-blank-values")}
VIRTUOSO_CLASS_FORMS.update({"not-instances": "class", "blank-not-instances": "class"})


class RemoteStore:
    """What the compiled engine asks of a store, answered by an endpoint over a fixed dataset.

    ``query(text, use_default_graph_as_union=True)`` returns the rows as dicts of variable
    name -> term (None when unbound), the answer normalised as for any exo-rdf query;
    ``run_compiled`` writes a compiled query as the store reads it and runs it.
    """

    def __init__(self, endpoint, graphs: list[str], root):
        self.endpoint, self.graphs, self.root = endpoint, graphs, root
        self.virtuoso = endpoint.flavour == "virtuoso"
        self._subclasses: dict | None = None
        self._closures: dict = {}
        self._lock = threading.Lock()

    def run_compiled(self, name: str, text: str, names: list[str], rows: list[tuple]) -> list[dict]:
        """The rows of the compiled query called name (text: its own form) with rows of terms bound.

        Terms are written as the store reads them; Virtuoso gets its forms of the queries in
        VIRTUOSO_FORMS, the rows binding a literal ?value in the literal form (as ?bound), and of
        those in VIRTUOSO_CLASS_FORMS, each row once per subclass of its class (as ?type).
        Raises EndpointError, or ValidationEngineError when a Virtuoso form is missing.
        """
        from exo_rdf.query import with_values_rows

        from exo_rdf.shacl import compiled_query

        flavour = self.endpoint.flavour
        if self.virtuoso and name in VIRTUOSO_CLASS_FORMS:
            return self._run_by_types(name, names, rows)
        forms = VIRTUOSO_FORMS.get(name) if self.virtuoso else None
        if forms is None:
            return self.query(with_values_rows(text, names, rows, flavour=flavour))
        if isinstance(forms, str):
            return self.query(with_values_rows(compiled_query(self.root, forms), names, rows, flavour=flavour))
        at = names.index("value") if "value" in names else None  # sh:maxCount 0 leaves ?value free
        literal_rows = [r for r in rows if at is not None and isinstance(r[at], ox.Literal)]
        other_rows = [r for r in rows if at is None or not isinstance(r[at], ox.Literal)]
        iri_form, literal_form = forms
        found = self.query(with_values_rows(compiled_query(self.root, iri_form), names, other_rows, flavour=flavour)) if other_rows else []
        if literal_rows:
            bound = ["bound" if n == "value" else n for n in names]
            found += self.query(with_values_rows(compiled_query(self.root, literal_form), bound, literal_rows, flavour=flavour))
        return found

    def _run_by_types(self, name: str, names: list[str], rows: list[tuple]) -> list[dict]:
        """A query of VIRTUOSO_CLASS_FORMS in its Virtuoso form, each row once per class under its class."""
        from exo_rdf.query import with_values_rows

        from exo_rdf.shacl import compiled_query

        at = names.index(VIRTUOSO_CLASS_FORMS[name])
        typed = [(*row, sub) for row in rows for sub in self.subclasses_of(row[at])]
        text = with_values_rows(compiled_query(self.root, name + "-virtuoso"), [*names, "type"], typed,
                                flavour=self.endpoint.flavour)
        found = self.query(text)
        if name == "not-instances":  # the form answers the instances: the other bound pairs are not
            instances = {(r["value"], r["class"]) for r in found}
            pairs = dict.fromkeys((row[names.index("value")], row[at]) for row in rows)
            return [{"value": v, "class": c} for v, c in pairs if (v, c) not in instances]
        if name == "blank-not-instances":  # a blank value is an instance when one of its rows reached a type
            reached = {(r["value"], r["class"]) for r in found if r["reached"] is not None}
            pairs = dict.fromkeys((r["value"], r["class"]) for r in found)
            return [{"value": v, "class": c} for v, c in pairs if (v, c) not in reached]
        return found

    def subclasses_of(self, cls) -> list:
        """cls and every named class under it through rdfs:subClassOf in the dataset (edges read
        once, each class's closure computed once: a query binds the same class in many rows)."""
        from exo_rdf.shacl import compiled_query

        with self._lock:
            if self._subclasses is None:
                below: dict = {}
                for row in self.query(compiled_query(self.root, "subclass-edges")):
                    below.setdefault(row["super"], set()).add(row["class"])
                self._subclasses = below
            if cls in self._closures:
                return self._closures[cls]
            found, todo = {cls}, [cls]
            while todo:
                for sub in self._subclasses.get(todo.pop(), ()):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self._closures[cls] = sorted(found, key=str)
            return self._closures[cls]

    def query(self, text: str, use_default_graph_as_union: bool = True) -> list[dict]:
        from exo_rdf.stores.remote import fetch

        result = fetch(self.endpoint.query, text, form="SELECT", default_graphs=self.graphs, named_graphs=[],
                       timeout_s=self.endpoint.timeout_s, virtuoso=self.virtuoso)
        return [dict(zip(result.variables, row)) for row in result.rows]


def dataset_for(endpoint, graphs: list[str] | None) -> list[str]:
    """The default graphs to validate: exo-rdf's data graphs, or the given graphs with their context.

    Raises EndpointError when a given graph is empty or absent, or (no graphs given) when the
    store holds none of exo-rdf's graphs.
    """
    from exo_rdf.stores.remote import dataset

    if not graphs:
        known, _ = dataset(endpoint)
        return [g for g in known if g != endpoint.graph_base + "shapes"]
    present = set(_graphs_holding(endpoint, graphs))
    missing = [g for g in graphs if g not in present]
    if missing:
        raise EndpointError(f"{endpoint.shown()}: the store holds no triples in <{missing[0]}>; "
                            f"give the IRI of a graph you loaded (--graph)")
    context = [endpoint.graph_base + name for name in CONTEXT_GRAPHS]
    context = [g for g in _graphs_holding(endpoint, context) if g not in graphs]
    return list(dict.fromkeys(graphs)) + context


def _graphs_holding(endpoint, graphs: list[str]) -> list[str]:
    """Those of graphs that hold at least one triple in the store."""
    from exo_rdf.query import with_values_rows
    from exo_rdf.sources import project_root
    from exo_rdf.stores.remote import fetch

    text = (project_root() / "queries" / "store" / "graphs-holding-triples.rq").read_text(encoding="utf-8")
    text = with_values_rows(text, ["graph"], [(ox.NamedNode(g),) for g in graphs], flavour=endpoint.flavour)
    result = fetch(endpoint.query, text, form="SELECT", timeout_s=endpoint.timeout_s)
    return [row[0].value for row in result.rows]


def shapes_from_store(endpoint, graph: str) -> list:
    """The quads of the shapes graph in the store (blank nodes as the store names them).

    Raises EndpointError when the graph holds nothing.
    """
    from exo_rdf.query import with_values_rows
    from exo_rdf.sources import project_root
    from exo_rdf.stores.remote import fetch

    text = (project_root() / "queries" / "store" / "graph-triples.rq").read_text(encoding="utf-8")
    text = with_values_rows(text, ["graph"], [(ox.NamedNode(graph),)], flavour=endpoint.flavour)
    result = fetch(endpoint.query, text, form="CONSTRUCT", timeout_s=endpoint.timeout_s)
    if not result.triples:
        raise EndpointError(f"{endpoint.shown()}: the shapes graph <{graph}> holds no triples")
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in result.triples]


def validate_in_store(endpoint, graphs: list[str] | None = None, *, shapes_graph: str | None = None,
                      progress: bool | None = False):
    """Validate graphs of the store at endpoint (default: exo-rdf's data graphs) inside the store.

    Returns the exo_rdf.validate.ValidationReport the embedded engine would give for the same
    triples. Raises EndpointError when the store fails or lacks a graph, ValidationEngineError
    for shapes using SHACL features the compiled engine does not implement, SourceError for bad
    bundled shapes.
    """
    from exo_rdf.shacl import ShapesModel, check_store, check_supported
    from exo_rdf.sources import discover, parse_quads, project_root

    root = project_root()
    if shapes_graph:
        quads = shapes_from_store(endpoint, shapes_graph)
    else:
        quads = [q for s in discover(root, ("shapes",)) for q in parse_quads(s)]
        if not quads:
            raise ValidationEngineError(f"{root / 'shapes'}: no shapes found")
    model = ShapesModel(quads)
    check_supported(model)
    store = RemoteStore(endpoint, dataset_for(endpoint, graphs), root)
    # the queries wait on the network, not on this machine's cores: several at once
    return check_store(store, model, root=root, progress=progress, workers=REMOTE_WORKERS)

"""Template rows to RDF: build each row's finding (the rows are read by ``read.read_table``).

Building a row makes pyoxigraph terms directly (no graph per row), so a million rows need no
more memory than one; a RowBuilder remembers what the cells of term columns became.
"""
from __future__ import annotations

import hashlib
import re

import pyoxigraph as ox

from exo_rdf.curation import columns as C
from exo_rdf.curation.default_resolver import DefaultResolver, explicit_iri
from exo_rdf.curation.problems import CellProblem, Problem
from exo_rdf.curation.read import Row, read_table

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
EXOD = "https://w3id.org/exo-rdf/data/"
ECO_TRACEABLE = ox.NamedNode("http://purl.obolibrary.org/obo/ECO_0000304")
ECO_NON_TRACEABLE = ox.NamedNode("http://purl.obolibrary.org/obo/ECO_0000303")
RESEARCH_ARTICLE = ox.NamedNode(C.EXO + "ResearchArticle")
TARGET_CLASS = ox.NamedNode(C.EXO + "TargetRegulation")
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
_INTEGER = ox.NamedNode(XSD + "integer")
_DECIMAL = ox.NamedNode(XSD + "decimal")
_NUMBER = {"integer": re.compile(r"[+-]?[0-9]+"), "decimal": re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")}
_NODES: dict[str, ox.NamedNode] = {}
_NOT_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
__all__ = ["Row", "RowBuilder", "read_table", "row_to_rdf", "split_values", "join_values", "DefaultResolver"]


def _node(iri: str) -> ox.NamedNode:
    node = _NODES.get(iri)
    if node is None:
        node = _NODES[iri] = ox.NamedNode(iri)
    return node


# building ----------------------------------------------------------------------------------

def split_values(text: str) -> list[str]:
    """The values of a multi-valued cell: split at ``|`` (``\\|`` is a bar, ``\\\\`` a backslash), stripped."""
    if "\\" not in text:
        return [v.strip() for v in text.split("|")]
    values, current, chars = [], [], iter(text)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, "")
            current.append(nxt if nxt in ("|", "\\") else ch + nxt)
        elif ch == "|":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    values.append("".join(current).strip())
    return values


def join_values(values) -> str:
    """The cell text of several text values: the inverse of split_values."""
    return "|".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in values)


def row_to_rdf(row: Row, resolve) -> tuple[list[ox.Quad], ox.NamedNode, list[Problem], dict]:
    """The finding a row states, as quads in the default graph.

    resolve(text, column) returns the term a cell's text names (a NamedNode) or raises
    CellProblem; column is a Column, or a kind of term (str) for columns that take several.
    Returns (quads, focus, problems, node_map): focus is the finding's IRI; problems are the
    row's cell problems, each at its file, row and column (the quads then leave those cells
    out); node_map maps every node the row creates (the finding, its target nodes, a research
    article) to (row number, column), the column None for the finding itself.
    """
    return RowBuilder()(row, resolve)


#: (column, text) pairs a RowBuilder remembers before it starts over
CACHE_CELLS = 200_000


class RowBuilder:
    """row_to_rdf for many rows: what the text of a term, number or review cell became is remembered.

    Rows of one table repeat the same names, ids and numbers in these columns: each (column, text)
    is resolved and made into terms once, for as long as the resolver is the same. Text cells
    (statements, names as printed) are not remembered, nearly all of them differ. At most
    CACHE_CELLS texts are kept (then it starts over), so memory does not grow with the rows.
    Called as row_to_rdf(row, resolve); raises what resolve raises other than CellProblem.
    """

    def __init__(self):
        self._resolve = None
        self._cells: dict[tuple[str, str], tuple] = {}

    def __call__(self, row: Row, resolve) -> tuple[list[ox.Quad], ox.NamedNode, list[Problem], dict]:
        if resolve is not self._resolve or len(self._cells) > CACHE_CELLS:
            self._resolve, self._cells = resolve, {}
        plan = _plan(row.kind)
        problems = list(row.problems)
        cells = row.cells
        for header, col in plan.required:
            if not cells.get(header):
                problems.append(Problem(str(row.file), row.number, header, _rule("missing-value"),
                                        f"the {row.kind} template needs a value in column {header!r}",
                                        None, f"write {col.allowed}, e.g. {col.example}"))
        finding = _finding_node(row, problems)
        node_map = {finding: (row.number, None)}
        quads = [ox.Quad(finding, RDF_TYPE, plan.kind_class)]

        def problem(header: str | None, cp: CellProblem) -> None:
            problems.append(cp.problem.at(str(row.file), row.number, header))

        def add(triple: tuple) -> None:
            quads.append(ox.Quad(*triple))
        source_is_review = self._source(row, finding, cells.get("source", ""), resolve, plan.source, quads, node_map, problem)
        references = []
        for header, col, prop, remembered in plan.values:
            text = cells.get(header)
            if not text:
                continue
            if remembered is None:  # a text column
                for value in (split_values(text) if col.multi else (text,)):
                    if value:
                        literal = ox.Literal(value)
                        quads.append(ox.Quad(finding, prop, literal))
                        if header == "statement":
                            quads.append(ox.Quad(finding, PROV_VALUE, literal))
                continue
            if remembered:  # a number column: its lists of numbers differ from row to row, the numbers less
                objects = [self._term(header, value, col, resolve) for value in split_values(text) if value]
            else:
                objects = self._cells.get((header, text))
                if objects is None:
                    objects = self._cells[(header, text)] = _objects(text, col, resolve)
            for obj in objects:
                if isinstance(obj, CellProblem):
                    problem(header, obj)
                    continue
                quads.append(ox.Quad(finding, prop, obj))
                if header == "references":
                    references.append(obj)
        if source_is_review is not None:
            if references or not source_is_review:
                quads.append(ox.Quad(finding, HAS_EVIDENCE, ECO_TRACEABLE))
            else:
                quads.append(ox.Quad(finding, CITES_NO_REFERENCE, TRUE))
                quads.append(ox.Quad(finding, HAS_EVIDENCE, ECO_NON_TRACEABLE))
        if any(cells.get(h) for h in plan.targets):
            _targets(row, finding, plan.columns, resolve, add, node_map, problem)
        return quads, finding, problems, node_map

    def _term(self, header: str, value: str, col: C.Column, resolve):
        """The term of one value of a column, or its CellProblem."""
        term = self._cells.get((header, value))
        if term is None:
            try:
                term = _value(value, col, resolve)
            except CellProblem as cp:
                term = cp
            self._cells[(header, value)] = term
        return term

    def _source(self, row, finding, text, resolve, col, quads, node_map, problem):
        """Add the finding's source; True for a review, False for a research article, None when unusable."""
        if not text:
            return None
        review = self._cells.get(("source", text))
        if review is None:
            ids = _article_ids(text)
            if ids:  # an article's ids differ from row to row: not remembered
                return _article(row, finding, text, ids, quads, node_map, problem)
            try:
                review = resolve(text, col)
            except CellProblem as cp:
                review = cp
            self._cells[("source", text)] = review
        if isinstance(review, CellProblem):
            problem("source", review)
            return None
        quads.append(ox.Quad(finding, STATED_IN, review))
        quads.append(ox.Quad(finding, WAS_DERIVED_FROM, review))
        return True


class _Plan:
    """What building a row of one kind needs, worked out once per kind."""

    def __init__(self, kind: str):
        self.columns = _columns(kind)
        self.kind_class = _node(C.kind_class(kind))
        self.required = tuple((h, c) for h, c in self.columns.items() if c.required)
        self.source = self.columns["source"]
        #: (header, column, property, what is remembered) of the value columns, in order: None for a text
        #: column (nothing), False for a term column (each cell's text), True for a number column (each number)
        self.values = tuple((h, c, _node(c.property), None if c.value == "text" else c.value in _NUMBER)
                            for h, c in self.columns.items() if c.value not in ("id", "source") and c.group != "target")
        self.targets = tuple(h for h in C.TARGETS if h in self.columns)


_COLUMNS: dict[str, dict[str, C.Column]] = {}
_PLANS: dict[str, _Plan] = {}
PROV_VALUE = ox.NamedNode(C.PROV + "value")
STATED_IN = ox.NamedNode(C.EXO + "statedIn")
WAS_DERIVED_FROM = ox.NamedNode(C.PROV + "wasDerivedFrom")
HAS_EVIDENCE = ox.NamedNode(C.RO_HAS_EVIDENCE)
CITES_NO_REFERENCE = ox.NamedNode(C.EXO + "citesNoReference")


def _columns(kind: str) -> dict[str, C.Column]:
    """header -> Column of kind's template, built once per kind (row_to_rdf runs per row)."""
    if kind not in _COLUMNS:
        _COLUMNS[kind] = {c.header: c for c in C.columns(kind)}
    return _COLUMNS[kind]


def _plan(kind: str) -> _Plan:
    plan = _PLANS.get(kind)
    if plan is None:
        plan = _PLANS[kind] = _Plan(kind)
    return plan


def _objects(text: str, col: C.Column, resolve) -> tuple:
    """The terms of a cell's values, or the CellProblem of each value that cannot be one."""
    out = []
    for value in (split_values(text) if col.multi else (text,)):
        if not value:
            continue
        try:
            out.append(_value(value, col, resolve))
        except CellProblem as cp:
            out.append(cp)
    return tuple(out)


def _finding_node(row: Row, problems: list) -> ox.NamedNode:
    text = row.cells.get("finding", "")
    if text:
        iri = explicit_iri(text)
        if iri is not None:
            return ox.NamedNode(iri)
        problems.append(Problem(str(row.file), row.number, "finding", _rule("bad-value"),
                                "the finding column takes a CURIE or an IRI", text,
                                "write e.g. exod:finding-user-01, or leave it empty to have one minted"))
    content = "\x1f".join(f"{h}\x1e{v}" for h, v in sorted(row.cells.items()) if v and h != "finding")
    digest = hashlib.sha1(f"{row.kind}\x1d{content}".encode("utf-8")).hexdigest()[:16]
    return ox.NamedNode(f"{EXOD}finding-{row.kind}-{digest}")


def _article_ids(text: str) -> dict[str, str]:
    """The pmid and doi a source cell gives (empty for a review's name or CURIE)."""
    ids = {}
    for value in split_values(text):
        prefix, sep, local = value.partition(":")
        if sep and prefix.strip().lower() in ("pmid", "doi"):
            ids[prefix.strip().lower()] = local.strip()
    return ids


def _article(row, finding, text, ids, quads, node_map, problem):
    """Add the research article a source cell names by pmid and/or doi; False, or None when unusable."""
    if len(ids) != len(split_values(text)):
        problem("source", CellProblem("bad-value", "a research article is named by pmid:<digits> and/or doi:10.…, "
                                      "nothing else", value=text, fix="write e.g. pmid:17486113|doi:10.1038/ncb1596"))
        return None
    slug = ("pmid-" + ids["pmid"]) if "pmid" in ids else "doi-" + ids["doi"].lower()
    article = ox.NamedNode(EXOD + "publication-" + _NOT_SLUG.sub("-", slug))
    quads.append(ox.Quad(article, RDF_TYPE, RESEARCH_ARTICLE))
    for key, prop in (("pmid", "pmid"), ("doi", "doi")):
        if key in ids:
            quads.append(ox.Quad(article, _node(C.EXO + prop), ox.Literal(ids[key])))
    quads.append(ox.Quad(finding, WAS_DERIVED_FROM, article))
    node_map[article] = (row.number, "source")
    return False


def _value(text: str, col: C.Column, resolve):
    """The RDF term of one value of a column; raises CellProblem."""
    if col.value == "text":
        return ox.Literal(text)
    if col.value in _NUMBER:
        if not _NUMBER[col.value].fullmatch(text):
            what = "an integer" if col.value == "integer" else "a decimal number (digits, one '.', no exponent)"
            raise CellProblem("bad-value", f"{text!r} is not {what}", value=text, fix=f"write {col.allowed}")
        return ox.Literal(text, datatype=_INTEGER if col.value == "integer" else _DECIMAL)
    if len(col.term_kinds) <= 1:
        return resolve(text, col)
    first = None
    for kind in col.term_kinds:
        try:
            return resolve(text, kind)
        except CellProblem as cp:
            first = first or cp
    raise first


def _targets(row, finding, cols, resolve, add, node_map, problem) -> None:
    """The finding's regulated targets: one node per position of the parallel target columns."""
    lists = {h: split_values(row.cells.get(h, "")) if row.cells.get(h, "") else [] for h in C.TARGETS}
    n = len(lists["target"])
    for header, values in lists.items():
        if values and len(values) != n:
            problem(header, CellProblem("bad-value", f"{len(values)} value(s) for {n} target(s)",
                                        value=row.cells[header],
                                        fix="give one value per target, in the order of the target column"))
            return
    link = _node(C.TARGET_REGULATION)
    for i in range(n):
        node = ox.NamedNode(f"{finding.value}-target-{i + 1}")
        add((finding, link, node))
        add((node, RDF_TYPE, TARGET_CLASS))
        node_map[node] = (row.number, "target")
        for header, values in lists.items():
            if not values or not values[i]:
                continue
            try:
                add((node, _node(cols[header].property), _value(values[i], cols[header], resolve)))
            except CellProblem as cp:
                problem(header, cp)


def _rule(name: str) -> str:
    from exo_rdf.curation.problems import rule

    return rule(name)

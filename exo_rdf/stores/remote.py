"""Run SPARQL on a remote store so that it answers as the embedded store does.

Stores differ in what a query without FROM sees: Oxigraph without ``--union-default-graph``
and Jena/Fuseki see an empty default graph, Virtuoso sees every graph it holds (staging graphs
and other people's graphs included). So the client names the dataset itself (SPARQL 1.1
Protocol ``default-graph-uri``, and ``named-graph-uri`` for a query with GRAPH): exo-rdf's graphs
under the graph base, listed by ``graphs_under``. Answers are then turned into the terms the
embedded store gives (see ``normalise``).
"""
from __future__ import annotations

import functools
import re
import threading
import time

import pyoxigraph as ox

from exo_rdf.errors import EndpointError, QueryExecutionError
from exo_rdf.stores.load import CATALOGUE_GRAPH, GRAPHS
from exo_rdf.stores.target import STAGING

#: the graphs `exo-rdf load` writes below the graph base that make up the knowledge graph (the
#: loader's layout, not a copy of it); the catalogue graph describes the stored queries and is not
#: in the embedded store, so it is offered as a named graph only
KNOWLEDGE_GRAPHS = tuple(GRAPHS)
XSD = "http://www.w3.org/2001/XMLSchema#"

# what a query text says, once comments, strings and IRIs are blanked out
_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s"{}|^`\\]*>|#[^\n]*')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
#: Virtuoso refusing a VALUES block's procedure it has just made, before granting it (see fetch)
_BINDINGS_VIEW_RACE = re.compile(rb"SR186.{0,200}SPARQL_BINDINGS_VIEW", re.DOTALL)
_GRAPH = re.compile(r"\bGRAPH\b", re.IGNORECASE)
# the query's own LIMIT, when it ends the text (a LIMIT inside a subquery bounds nothing)
_FINAL_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(\s+OFFSET\s+\d+)?\s*(VALUES\b[^{]*\{[^{}]*\}\s*)?$", re.IGNORECASE)

ACCEPT = {
    "SELECT": "application/sparql-results+xml",
    "ASK": "application/sparql-results+xml",
    # N-Triples first: every store writes it and pyoxigraph reads it; Turtle and RDF/XML as fall-backs
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
    "DESCRIBE": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
}


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside comments, strings and IRIs.

    Raises QueryExecutionError when there is none.
    """
    m = _FORM.search(_NOISE.sub(" ", text))
    if not m:
        raise QueryExecutionError("the text is not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return m.group(1).upper()


def is_exo_graph(iri: str, graph_base: str) -> bool:
    """Whether iri is one of exo-rdf's knowledge graphs under graph_base (a user/ graph included).

    Staging graphs of a load (``…-staging-…``) and graphs outside the base never are.
    """
    if not iri.startswith(graph_base) or STAGING in iri:
        return False
    rest = iri[len(graph_base):]
    return rest in KNOWLEDGE_GRAPHS or (rest.startswith("user/") and len(rest) > len("user/"))


def dataset(endpoint) -> tuple[list[str], list[str]]:
    """(default graphs, named graphs) of exo-rdf on the endpoint; listed once per Endpoint.

    Raises EndpointError when the store is unreachable or holds none of exo-rdf's graphs under
    the endpoint's graph base.
    """
    if endpoint._dataset is None:
        found = graphs_under(endpoint, [endpoint.graph_base])
        graphs = [g for g in found if is_exo_graph(g, endpoint.graph_base)]
        if not graphs:
            raise EndpointError(
                f"{endpoint.shown()}: the store holds none of exo-rdf's graphs under <{endpoint.graph_base}> "
                f"(an empty answer would mislead); load them with 'exo-rdf load --endpoint URL', or give the "
                f"--graph-base they were loaded under")
        catalogue = endpoint.graph_base + CATALOGUE_GRAPH
        endpoint._dataset = (graphs, graphs + ([catalogue] if catalogue in found else []))
    return endpoint._dataset


def graphs_under(endpoint, prefixes: list[str], *, timeout_s: float | None = None) -> list[str]:
    """The named graphs of the store whose IRI starts with one of prefixes, sorted.

    Each store gets the listing it answers fastest: Virtuoso every graph holding triples
    (``queries/store/named-graphs.rq``: grouped by graph, from an index; filtered in the query it
    reads every triple, and as SELECT DISTINCT it keeps a plan made on an empty store that slows
    down as the store grows), filtered here; Oxigraph its list of named graphs
    (``named-graphs-under.rq``, a graph emptied by CLEAR included); other stores the graphs
    holding triples (``dataset-graphs.rq``).
    timeout_s: seconds to wait (default: the endpoint's). Raises EndpointError.
    """
    from exo_rdf.query import with_values_rows
    from exo_rdf.sources import project_root
    from exo_rdf.stores import http

    flavour = endpoint.flavour
    name = {"virtuoso": "named-graphs.rq", "oxigraph": "named-graphs-under.rq"}.get(flavour, "dataset-graphs.rq")
    text = (project_root() / "queries" / "store" / name).read_text(encoding="utf-8")
    if flavour != "virtuoso":
        text = with_values_rows(text, ["prefix"], [(ox.Literal(p),) for p in prefixes], flavour=flavour)
    answer = http.select(endpoint.query, text, timeout=timeout_s or endpoint.timeout_s)
    return sorted({g for g in (row["graph"].value for row in answer) if g.startswith(tuple(prefixes))})


def run(endpoint, text: str, *, default_graphs: list[str] | None = None, named_graphs: list[str] | None = None):
    """Run a query (any form) on endpoint with exo-rdf's dataset; return an exo_rdf.query.Result.

    default_graphs / named_graphs replace the dataset exo-rdf would name (e.g. to validate
    given graphs). Raises EndpointError (AuthenticationError) for remote failures,
    QueryExecutionError when the text is not a query.
    """
    form = query_form(text)
    if default_graphs is None:
        default_graphs, named = dataset(endpoint)
        named_graphs = named if named_graphs is None else named_graphs
    if not _GRAPH.search(_NOISE.sub(" ", text)):
        named_graphs = []  # none needed; Virtuoso then still sees only the default graphs
    return fetch(endpoint.query, text, form=form, default_graphs=default_graphs, named_graphs=named_graphs,
                 timeout_s=endpoint.timeout_s, virtuoso=endpoint.flavour == "virtuoso")


def fetch(url: str, text: str, *, form: str | None = None, default_graphs=(), named_graphs=(), timeout_s: float,
          virtuoso: bool = False):
    """Send one query to url as the SPARQL 1.1 Protocol says and parse the answer into a Result.

    virtuoso turns on the normalisation of Virtuoso's answers (see normalise) and passes the
    timeout to Virtuoso too; the text must already be written for it (terms bound by
    exo_rdf.query.with_values_rows with its flavour).
    Raises EndpointError for a failure or an answer that cannot be read, IncompleteAnswerError
    for an answer the store says is cut short (http.check_complete).
    """
    import urllib.parse

    from exo_rdf.query import Result
    from exo_rdf.stores import http

    form = form or query_form(text)
    fields = ([("query", text)] + [("default-graph-uri", g) for g in default_graphs or ()]
              + [("named-graph-uri", g) for g in named_graphs or ()])
    if virtuoso:
        # Virtuoso's own time limit for this request (ms): it stops working when the client stops waiting
        fields.append(("timeout", str(max(1, round(timeout_s * 1000)))))
    def send():
        return http.client(url).send("POST", url, body=urllib.parse.urlencode(fields), timeout_s=timeout_s, retry=True,
                                     headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT[form]})

    response = send()
    if virtuoso and response.status_code == 500 and _BINDINGS_VIEW_RACE.search(response.content or b""):
        # Virtuoso makes the procedure for a VALUES block of a new width on first use and grants it
        # to the SPARQL user after: a query arriving in between is refused (SR186); a read is
        # safe to send once more
        time.sleep(0.2)
        response = send()
    http.check_status(url, response)
    http.check_complete(url, response, limit=final_limit(text))
    payload, ctype = response.content, response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            fmt = ox.RdfFormat.from_media_type(ctype) or ox.RdfFormat.N_TRIPLES
            return Result([], [], triples=[ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(payload, format=fmt)])
        fmt = ox.QueryResultsFormat.from_media_type(ctype) or (
            ox.QueryResultsFormat.XML if payload.lstrip().startswith(b"<") else ox.QueryResultsFormat.JSON)
        boolean, variables, rows = _read_results(payload, fmt)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{http.public_url(url)}: the {form} answer ({ctype or 'no type'}) cannot be read: {exc}") from None
    if boolean is not None:
        return Result([], [], boolean=boolean)
    if virtuoso:
        rows = normalise(text, variables, rows)
    return Result(variables, rows)


def final_limit(text: str) -> int | None:
    """The LIMIT that ends the query text (its solution modifier), or None."""
    m = _FINAL_LIMIT.search(_NOISE.sub(" ", text).rstrip())
    return int(m.group(1)) if m else None


def _read_results(payload: bytes, fmt) -> tuple[bool | None, list[str], list[tuple]]:
    """(boolean, variables, rows) of SPARQL results, read to the end in this thread.

    pyoxigraph's result iterator may only be dropped by the thread that made it; kept in this
    frame alone, it is (validation queries run in several threads).
    """
    answer = ox.parse_query_results(payload, format=fmt)
    try:
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer), [], []
        variables = [v.value for v in answer.variables]
        return None, variables, [tuple(solution[v] for v in variables) for solution in answer]
    finally:
        del answer


_ONE_ZERO = {"1": "true", "0": "false"}
_BLANK_STR = re.compile(r"nodeID://b?\d+")
_DISTINCT = re.compile(r"\bSELECT\s+(DISTINCT|REDUCED)\b", re.IGNORECASE)


def normalise(text: str, variables: list[str], rows: list[tuple]) -> list[tuple]:
    """Virtuoso's SELECT rows as the embedded store gives them.

    Measured on Virtuoso 7.2 (Debian) with every stored query and QC check, two differences:
    - the value of a boolean expression (``COUNT(...) > 1 AS ?x``, ``BOUND(?y) AS ?b``, a
      ``true`` constant) comes back as ``"1"``/``"0"`` typed xsd:integer, whereas a boolean
      stored in the data comes back as xsd:boolean: the variables a boolean expression binds
      are turned back into xsd:boolean;
    - ``STR(?x)`` of a blank node, an error in SPARQL (the variable stays unbound), gives the
      string ``"nodeID://b123"``: such a string is unbound again, and the duplicate rows that
      leaves in a SELECT DISTINCT are removed.
    Counts come back as xsd:integer, decimals in canonical form and language tags in lower
    case (as pyoxigraph gives them) when the answer is SPARQL XML, which the client asks for
    (Virtuoso's JSON answers type counts as xsd:int).
    """
    booleans = boolean_variables(_skeleton(text)) & set(variables)
    columns = [i for i, v in enumerate(variables) if v in booleans]
    boolean = ox.NamedNode(XSD + "boolean")
    out, unbound = [], False
    for row in rows:
        row = list(row)
        for i in columns:
            term = row[i]
            if isinstance(term, ox.Literal) and term.datatype.value == XSD + "integer" and term.value in _ONE_ZERO:
                row[i] = ox.Literal(_ONE_ZERO[term.value], datatype=boolean)
        for i, term in enumerate(row):
            if isinstance(term, ox.Literal) and term.datatype.value == XSD + "string" and _BLANK_STR.fullmatch(term.value):
                row[i], unbound = None, True
        out.append(tuple(row))
    if unbound and _DISTINCT.search(_NOISE.sub(" ", text)):
        out = list(dict.fromkeys(out))
    return out


#: rdflib algebra names of expressions whose value is a boolean
_BOOLEAN_EXPRESSIONS = {
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot",
    "Builtin_BOUND", "Builtin_isIRI", "Builtin_isURI", "Builtin_isBLANK", "Builtin_isLITERAL",
    "Builtin_isNUMERIC", "Builtin_REGEX", "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS",
    "Builtin_sameTerm", "Builtin_LANGMATCHES", "Builtin_EXISTS", "Builtin_NOTEXISTS",
}


_VALUES = re.compile(r"\bVALUES\s*(\?\w+|\([^()]*\))\s*\{[^{}]*\}", re.IGNORECASE)


def _skeleton(text: str) -> str:
    """text without comments and VALUES blocks, strings emptied: what binds which variable is
    unchanged, and the queries of one file (bound to other values) share it."""
    def shorten(m: re.Match) -> str:
        token = m.group()
        return '""' if token[0] in "\"'" else token if token[0] == "<" else " "

    return " ".join(_VALUES.sub(" ", _NOISE.sub(shorten, text)).split())


_RDFLIB_LOCK = threading.Lock()


@functools.lru_cache(maxsize=256)
def boolean_variables(text: str) -> frozenset[str]:
    """The variables a query binds (BIND, SELECT expressions) to the value of a boolean expression.

    Read from rdflib's algebra of the query (imported here only: Virtuoso answers alone need it);
    an empty set when rdflib cannot parse the text.
    """
    try:
        from rdflib import Literal, Variable
        from rdflib.plugins.sparql import prepareQuery
        from rdflib.plugins.sparql.parserutils import CompValue

        with _RDFLIB_LOCK:  # pyparsing, under rdflib's parser, is not safe to use from two threads
            algebra = prepareQuery(text).algebra
    except Exception:  # rdflib raises many kinds; a query it cannot read keeps Virtuoso's terms
        return frozenset()
    bindings: list[tuple[str, object]] = []

    def walk(node) -> None:
        if isinstance(node, CompValue):
            if node.name == "Extend":
                bindings.append((str(node.var), node.expr))
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    found: set[str] = set()
    changed = True
    while changed:  # (?x AS ?y) carries a boolean on
        changed = False
        for var, expr in bindings:
            boolean = ((isinstance(expr, CompValue) and expr.name in _BOOLEAN_EXPRESSIONS)
                       or (isinstance(expr, Literal) and expr.datatype is not None and str(expr.datatype) == XSD + "boolean")
                       or (isinstance(expr, Variable) and str(expr) in found))
            if boolean and var not in found:
                found.add(var)
                changed = True
    return frozenset(found)

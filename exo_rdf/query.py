"""Stage 5: run stored queries (and a user's own SPARQL) on the embedded store or a remote endpoint.

Parameters are bound as RDF terms, never pasted into query text as strings: a VALUES block of
terms escaped by pyoxigraph is placed at the start of the WHERE clause, so FILTERs in that group
see the values. The same block serves the embedded store and remote endpoints, so both give the
same answers. (pyoxigraph's substitutions would need each parameter in the SELECT projection.)
"""
from __future__ import annotations

import functools
import os
import re

import pyoxigraph as ox

from exo_rdf.catalogue import StoredQuery, get_query
from exo_rdf.errors import QueryExecutionError, QueryParameterError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path

XSD = "http://www.w3.org/2001/XMLSchema#"


class Result:
    """A query answer: a boolean (ASK), rows of terms (SELECT; None where unbound), or triples."""

    __slots__ = ("variables", "rows", "boolean", "triples")

    def __init__(self, variables: list[str], rows: list[tuple], boolean: bool | None = None, triples: list | None = None):
        self.variables, self.rows, self.boolean, self.triples = variables, rows, boolean, triples

    def values(self) -> list[dict[str, object]]:
        """The rows as dicts of plain Python values (IRIs and literals as strings, numbers as numbers)."""
        return [{v: plain(t) for v, t in zip(self.variables, row)} for row in self.rows]


def plain(term):
    """A term as a plain Python value: str for IRIs and text, int/Decimal for numbers, None if unbound."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt in (XSD + "integer", XSD + "positiveInteger", XSD + "nonNegativeInteger", XSD + "int", XSD + "long"):
            return int(term.value)
        if dt in (XSD + "decimal", XSD + "double", XSD + "float"):
            from decimal import Decimal  # imported on use: a warm `exo-rdf query` never needs it

            return Decimal(term.value)
        if dt == XSD + "boolean":
            return term.value == "true"
        return term.value
    return term.value


#: xsd:decimal as Oxigraph holds it: 18 digits after the point, magnitude below about 1.7e20
_DECIMAL_DIGITS, _DECIMAL_LIMIT = 18, 10 ** 20
_INTEGER_LIMIT = 2 ** 63  # xsd:integer in Oxigraph is a signed 64-bit number
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)  # ASCII digits only, as in XSD


def canonical_decimal(value: str) -> str:
    """The canonical xsd:decimal form of a number written in decimal or exponent notation.

    >>> canonical_decimal("0.0000001"), canonical_decimal("1E-7"), canonical_decimal("+02.50"), canonical_decimal("3")
    ('0.0000001', '0.0000001', '2.5', '3.0')

    Raises ValueError for text that is not a finite number (NaN, Infinity, 1e999 included) or
    that Oxigraph cannot hold exactly (more than 18 digits after the point, or 1e20 and above).
    """
    from decimal import Decimal, InvalidOperation  # imported on use: most queries take no decimal

    text = value.strip()
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"{value!r} is not a number (write e.g. 0.9 or 0.0000001)")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if number and number.adjusted() < -_DECIMAL_DIGITS:  # checked first: normalize() would round it to 0
        raise ValueError(f"{value!r} has more than {_DECIMAL_DIGITS} digits after the point")
    if abs(number) >= _DECIMAL_LIMIT:
        raise ValueError(f"{value!r} is too large for an xsd:decimal (at most 20 digits before the point)")
    digits = format(number.normalize(), "f")
    whole, _, fraction = digits.partition(".")
    if len(fraction) > _DECIMAL_DIGITS:
        raise ValueError(f"{value!r} has more than {_DECIMAL_DIGITS} digits after the point")
    whole = whole.lstrip("-") or "0"
    sign = "-" if number < 0 else ""
    return f"{sign}{whole}.{fraction or '0'}"


def canonical_integer(value: str) -> str:
    """The canonical xsd:integer form: no sign for positives, no leading zeros.

    Raises ValueError for anything but optional sign and digits, or outside Oxigraph's 64-bit range.
    """
    text = value.strip()
    if not re.fullmatch(r"[+-]?\d+", text, re.ASCII):
        raise ValueError(f"{value!r} is not a whole number (digits only, e.g. 57)")
    number = int(text)
    if not -_INTEGER_LIMIT <= number < _INTEGER_LIMIT:
        raise ValueError(f"{value!r} is out of range for an xsd:integer (64 bits)")
    return str(number)


def term_text(value: str) -> str:
    """The text a term parameter is matched with: a CURIE of the prefix map becomes its full IRI.

    Names ("pancreatic cancer") and full IRIs are kept as they are; the stored queries compare
    the text with names and with the IRI of each term, so either answers.
    """
    from exo_rdf.curies import expand

    return expand(value.strip()) or value


def _convert(value: str, param, query_name: str):
    """The RDF term for one parameter value, by the parameter's declared type.

    Raises QueryParameterError naming the parameter, the value and what would be accepted.
    """
    reason = ""
    try:
        if param.type == "string":
            return ox.Literal(term_text(value))
        if param.type == "decimal":
            return ox.Literal(canonical_decimal(value), datatype=ox.NamedNode(XSD + "decimal"))
        if param.type == "integer":
            return ox.Literal(canonical_integer(value), datatype=ox.NamedNode(XSD + "integer"))
        if param.type == "iri":
            from exo_rdf.curies import expand

            iri = expand(value) or value
            if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
                raise ValueError(f"{value!r} is neither an IRI nor a CURIE of a known prefix")
            return ox.NamedNode(iri)
    except ValueError as exc:
        reason = f" ({exc})"
    raise QueryParameterError(
        f"query '{query_name}': parameter {param.name}={value!r} is not a valid {param.type}{reason}; "
        f"{param.description}"
    )


def bind_parameters(query: StoredQuery, given: dict[str, str]) -> dict[str, object]:
    """Check given parameter values against the query's declarations and convert them to RDF terms.

    Defaults fill parameters not given; optional ones without default stay unbound.
    Raises QueryParameterError for an unknown name, a missing required value or an ill-typed value.
    """
    known = {p.name for p in query.parameters}
    for name in given:
        if name not in known:
            accepted = ", ".join(sorted(known)) or "none"
            raise QueryParameterError(f"query '{query.name}' has no parameter '{name}' (it accepts: {accepted})")
    bound = {}
    for p in query.parameters:
        raw = given.get(p.name, p.default)
        if raw is None:
            if p.required:
                raise QueryParameterError(
                    f"query '{query.name}' needs parameter '{p.name}' ({p.type}): {p.description}; "
                    f"give it as --param {p.name}=VALUE"
                )
            continue
        bound[p.name] = _convert(raw, p, query.name)
    return bound


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_values_block(text: str, bindings: dict[str, object], *, flavour: str | None = None) -> str:
    """The query text with one row of bound terms as a VALUES block at the start of its WHERE clause.

    flavour: the store the text is for (see write_term). Raises QueryExecutionError when the
    query has no 'WHERE {' outside comments.
    """
    if not bindings:
        return text
    return with_values_rows(text, list(bindings), [tuple(bindings.values())], flavour=flavour)


_DECIMAL = XSD + "decimal"


def write_term(term, flavour: str | None = None) -> str:
    """A term as a query text holds it: pyoxigraph's escaped N-Triples form (str of a term).

    For flavour "virtuoso" a decimal without a point (pyoxigraph's canonical "1"^^xsd:decimal
    for 1.0) is written "1.0"^^xsd:decimal, the same value: Virtuoso 7.2 reads the form without a
    point as an xsd:integer, so a decimal read from the store and bound back would match integers.
    """
    if flavour == "virtuoso" and isinstance(term, ox.Literal) and term.datatype.value == _DECIMAL and "." not in term.value:
        return f'"{term.value}.0"^^<{_DECIMAL}>'
    return str(term)


def with_values_rows(text: str, names: list[str], rows: list[tuple], *, every_where: bool = False,
                     flavour: str | None = None) -> str:
    """The query text with a VALUES block of rows of terms at the start of its WHERE clause.

    Terms are written in their escaped N-Triples form by pyoxigraph (write_term, as the store of
    flavour reads them), so a value cannot end the block; None leaves a variable unbound (UNDEF)
    in that row. every_where puts the block in every WHERE clause, for an update request of
    several operations. Raises QueryExecutionError when the query has no 'WHERE {' outside comments.
    """
    head = " ".join(f"?{n}" for n in names)
    body = " ".join("(" + " ".join("UNDEF" if t is None else write_term(t, flavour) for t in row) + ")" for row in rows)
    block = f"\n  VALUES ({head}) {{ {body} }}\n"
    out, found = [], False
    for line in text.splitlines(keepends=True):
        m = None if line.lstrip().startswith("#") or (found and not every_where) else _WHERE.search(line)
        if m:
            found = True
            line = line[: m.end()] + block + line[m.end():]
        out.append(line)
    if not found:
        raise QueryExecutionError("the query has no 'WHERE {' clause to bind parameters in")
    return "".join(out)


class _Stopped(Exception):
    """The caller stopped waiting (timeout, Ctrl-C): the worker ends here, the answer is discarded."""


#: solutions read between two looks at the stop list: a look costs about as much as reading one
_STOP_EVERY = 1024


def _result_from(answer, stop: list = ()) -> Result:
    """The engine's lazy answer read into a Result; reading ends (_Stopped) once stop holds an item.

    Reading is what drives a lazy answer's evaluation: the engine stops working when it stops,
    except on what it computes before the first solution (a sort, a group).
    """
    if isinstance(answer, ox.QueryBoolean):
        return Result([], [], boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result([], [], triples=_read(answer, lambda triple: triple, stop))
    variables = [v.value for v in answer.variables]
    return Result(variables, _read(answer, lambda sol: tuple(sol[v] for v in variables), stop))


def _read(answer, item, stop) -> list:
    out = []
    for n, element in enumerate(answer, 1):
        out.append(item(element))
        if not n % _STOP_EVERY and stop:
            raise _Stopped
    return out


def run_sparql(
    text: str,
    *,
    store: ox.Store | None = None,
    endpoint=None,
    bindings: dict[str, object] | None = None,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    timeout_s: float | None = None,
    allow_service: bool = False,
) -> Result:
    """Run SPARQL text (any query form) on the embedded store (default) or on a remote endpoint.

    On the embedded store the default graph is the union of all named graphs. An endpoint given
    as an exo_rdf.stores.endpoint.Endpoint answers the same: the query sees exo-rdf's graphs
    (or default_graphs / named_graphs when given), and the answer is normalised to the embedded
    store's terms. An endpoint given as a query URL string gets the query as it is, with the
    store's own dataset unless default_graphs / named_graphs are given (bindings written as that
    store reads them: its Server header is asked for once per URL).
    On the embedded store the text first passes exo_rdf.guards.check_query (size, nesting,
    SERVICE only with allow_service) and runs for at most timeout_s seconds (None: no limit).
    Raises QueryExecutionError when the query does not parse or fails (QueryRefusedError,
    QueryTimeoutError); EndpointError for remote failures; ArgumentError for arguments of the wrong type.
    """
    from exo_rdf.arguments import check_run_arguments

    check_run_arguments(text, store=store, bindings=bindings, timeout_s=timeout_s)
    text = with_values_block(text, bindings or {}, flavour=_store_flavour(endpoint) if bindings else None)
    if endpoint:
        from exo_rdf.stores import remote

        if isinstance(endpoint, str):
            from exo_rdf.stores.http import DEFAULT_TIMEOUT

            return remote.fetch(endpoint, text, default_graphs=default_graphs, named_graphs=named_graphs,
                                timeout_s=timeout_s or DEFAULT_TIMEOUT)
        return remote.run(endpoint, text, default_graphs=default_graphs, named_graphs=named_graphs)
    from exo_rdf.guards import check_query, engine_error, run_bounded

    check_query(text, allow_service=allow_service)

    def answer(on: ox.Store) -> Result:
        stop: list = []  # set when the caller stops waiting, so that the worker stops reading
        return run_bounded(lambda: _result_from(on.query(text, use_default_graph_as_union=True), stop),
                           timeout_s=timeout_s, stop=stop)

    try:
        if store is None:
            from exo_rdf.store import with_embedded_store

            return with_embedded_store(answer)
        return answer(store)
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        raise engine_error(exc) from None


def show_stored(name: str, params: dict[str, str] | None = None, *, root: Path | None = None, endpoint=None) -> str:
    """The text of the stored query called name as it will run (on endpoint, if given: the store's
    own form, its terms written as that store reads them): with the VALUES block of the bound parameters.

    Raises QueryNotFoundError or QueryParameterError, as run_stored does; EndpointError when the
    store behind endpoint has to be asked for and cannot be reached.
    """
    query = get_query(name, root)
    bindings = bind_parameters(query, params or {})
    flavour = _store_flavour(endpoint) if bindings else None
    return with_values_block(_text_for(query, endpoint), bindings, flavour=flavour)


def run_stored(
    name: str,
    params: dict[str, str] | None = None,
    *,
    store: ox.Store | None = None,
    endpoint: str | None = None,
    root: Path | None = None,
    default_graphs: list[str] | None = None,
    timeout_s: float | None = None,
) -> Result:
    """Run the stored query called name with the given parameter values (strings, as on the command line).

    timeout_s bounds a query on the embedded store (see run_sparql).
    Raises QueryNotFoundError, QueryParameterError, QueryExecutionError or EndpointError;
    ArgumentError for arguments of the wrong type.
    """
    from exo_rdf.arguments import check_stored_arguments

    check_stored_arguments(name, params, root)
    query = get_query(name, root)
    bindings = bind_parameters(query, params or {})
    return run_sparql(_text_for(query, endpoint), store=store, endpoint=endpoint, bindings=bindings,
                      default_graphs=default_graphs, timeout_s=timeout_s)


#: the stores some stored queries have their own form for (queries/<flavour>/<name>.rq)
FORM_FLAVOURS = ("virtuoso",)


def _text_for(query: StoredQuery, endpoint) -> str:
    """The stored query's text for the store that runs it: its store's own form
    (``queries/<flavour>/<name>.rq``, e.g. for Virtuoso) where there is one, else its own text.

    The store behind an endpoint given as a bare URL is asked for (see _store_flavour) only when
    the query has a form of its own. Raises EndpointError when that server cannot be reached.
    """
    if endpoint is None:  # the embedded store: nothing to look up on its hot path
        return query.text
    folder = os.path.dirname(query.path)
    forms = {flavour: text for flavour in FORM_FLAVOURS
             if (text := _store_form(os.path.join(folder, flavour, f"{query.name}.rq"))) is not None}
    return forms.get(_store_flavour(endpoint), query.text) if forms else query.text


def _store_flavour(endpoint) -> str | None:
    """The store that runs a query: None for the embedded store, an Endpoint's flavour, or that of
    the server behind a bare query URL, from its Server header (asked once per URL and process).
    Raises EndpointError when that server cannot be reached (not remembered: asked again next time)."""
    if endpoint is None:
        return None
    return _detected_flavour(endpoint) if isinstance(endpoint, str) else endpoint.flavour


@functools.lru_cache(maxsize=64)
def _detected_flavour(url: str) -> str:
    from exo_rdf.stores.endpoint import detect_flavour

    return detect_flavour(url)


@functools.lru_cache(maxsize=None)
def _store_form(path: str) -> str | None:
    """The text of a store's form of a stored query (read once per process), None where there is none."""
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()

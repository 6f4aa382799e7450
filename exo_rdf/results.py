"""Write a query answer in a standard format, or as an aligned table for people.

SELECT and ASK answers go through pyoxigraph's SPARQL results serialisers (JSON, XML, CSV, TSV);
CONSTRUCT and DESCRIBE answers through its RDF serialisers (Turtle, N-Triples, JSON-LD,
RDF/XML). ``table`` is for people: aligned columns with IRIs as CURIEs of the project's one
prefix map for SELECT, ``true``/``false`` for ASK, Turtle with the project's prefixes for a
graph. A format that does not fit the query form (``csv`` for a graph, ``ttl`` for rows) is
refused with OutputError naming the formats that fit.
"""
from __future__ import annotations

import sys

import pyoxigraph as ox

from exo_rdf.curies import compress, prefixes_for
from exo_rdf.errors import OutputError
from exo_rdf.query import Result

#: --format name -> pyoxigraph results format, for SELECT and ASK answers
SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: --format name -> pyoxigraph RDF format, for CONSTRUCT and DESCRIBE answers
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
#: every --format a query command accepts; which of them fit depends on the query form
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld")


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compress(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):  # a line break or tab inside a cell would break the columns
        return term.value.replace("\r\n", " ").translate(_FLAT)
    return str(term)


_FLAT = str.maketrans({"\n": " ", "\r": " ", "\t": " "})


def as_table(result: Result) -> str:
    """Aligned columns with a header and a row count (IRIs as CURIEs); true/false for ASK; Turtle for a graph."""
    if result.boolean is not None:
        return "true\n" if result.boolean else "false\n"
    if result.triples is not None:
        return render(result, "ttl").decode("utf-8")
    cells = [[_cell(t) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(result.variables), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _answer(result: Result):
    """The answer as pyoxigraph query results again (the rows were read once already).

    Rows are written as SPARQL TSV, whose cells are terms in their escaped N-Triples form, and
    parsed back: lossless for every term, so the serialisers see what the query returned.
    """
    if result.boolean is not None:
        text = '{"head":{},"boolean":%s}' % ("true" if result.boolean else "false")
        return ox.parse_query_results(text, ox.QueryResultsFormat.JSON)
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)


def _prefixes(triples) -> dict[str, str]:
    """The prefixes of the map that the triples use (RDF/XML needs one for each predicate's namespace)."""
    iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
    return prefixes_for(iris)


def fitting_formats(result: Result) -> tuple[str, ...]:
    """The --format names that fit the answer's form."""
    return ("table", *(GRAPH_FORMATS if result.triples is not None else SOLUTION_FORMATS))


def render(result: Result, fmt: str) -> bytes:
    """The answer in format fmt, as bytes ending in a line break.

    Raises OutputError when fmt does not fit the query form (e.g. csv for a CONSTRUCT) or is unknown.
    """
    fits = fitting_formats(result)
    if fmt not in fits:
        form = "a graph (CONSTRUCT or DESCRIBE)" if result.triples is not None else (
            "a boolean (ASK)" if result.boolean is not None else "rows (SELECT)")
        raise OutputError(f"--format {fmt} does not fit the answer, which is {form}; use one of: {', '.join(fits)}")
    if fmt == "table":
        data = as_table(result).encode("utf-8")
    elif result.triples is not None:
        kwargs = {"prefixes": _prefixes(result.triples)} if fmt in ("ttl", "xml") else {}
        data = ox.serialize(result.triples, format=GRAPH_FORMATS[fmt], **kwargs)
    else:
        data = _answer(result).serialize(format=SOLUTION_FORMATS[fmt])
    return data if data.endswith(b"\n") else data + b"\n"


def as_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results (plain values, full IRIs)."""
    return render(result, "csv").decode("utf-8")


def as_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results (terms in N-Triples form)."""
    return render(result, "tsv").decode("utf-8")


def as_json(result: Result) -> str:
    """SPARQL 1.1 JSON results."""
    return render(result, "json").decode("utf-8")


def as_ntriples(result: Result) -> str:
    """CONSTRUCT/DESCRIBE answers as N-Triples."""
    return render(result, "nt").decode("utf-8")


def write_output(target: str | None, data: str | bytes) -> str:
    """Write data to the file target (atomically), or to standard output when target is None or '-'.

    Returns where it went ("standard output" or the path). Raises OutputError when the file
    cannot be written, naming it.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if target in (None, "-"):
        sys.stdout.flush()
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        return "standard output"
    from pathlib import Path

    from exo_rdf.files import write_atomic

    try:
        write_atomic(Path(target), raw)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc}); give a writable path, or - for standard output") from None
    return str(target)


FORMATTERS = {"table": as_table, "csv": as_csv, "tsv": as_tsv, "json": as_json}

"""Look a name up: terms by label, alternative label or synonym, findings by printed name or statement.

The search is the stored query ``queries/lookup/lookup.rq`` (case-insensitive, substring, exact
matches first); a CURIE of the project's prefix map or an IRI also finds that term itself.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path

    import pyoxigraph as ox

    from exo_rdf.query import Result

#: the stored query, relative to the queries folder
QUERY = ("lookup", "lookup.rq")


def lookup(text: str, *, store: ox.Store | None = None, root: Path | None = None) -> Result:
    """The terms and findings matching text: columns term, label, kind (e.g. class, protein, biomarker finding), matched.

    ``matched`` is the name that matched, after a "0" for an exact match or "1" for a partial one.
    Raises QueryParameterError for an empty text; QueryExecutionError or SourceError as run_sparql does.
    """
    import pyoxigraph as ox

    from exo_rdf.catalogue import queries_dir
    from exo_rdf.curies import expand
    from exo_rdf.errors import QueryParameterError
    from exo_rdf.query import run_sparql

    if not isinstance(text, str) or not text.strip():
        raise QueryParameterError("lookup: give a non-empty text to look for, e.g. exo-rdf lookup PD-L1")
    text = text.strip()
    iri = expand(text) or (text if text.startswith(("http://", "https://")) else None)
    bindings = {"text": ox.Literal(text), "iri": None if iri is None else ox.Literal(iri)}
    query = queries_dir(root).joinpath(*QUERY).read_text(encoding="utf-8")
    result = run_sparql(query, store=store, bindings={k: v for k, v in bindings.items() if v is not None})
    # the exact/partial flag sorts the rows; the user sees the matched name only
    column = result.variables.index("matched")
    result.rows = [row[:column] + (None if row[column] is None else ox.Literal(row[column].value[1:]),) + row[column + 1:]
                   for row in result.rows]
    return result

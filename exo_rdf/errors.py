"""The exceptions exo-rdf raises: one root, one subclass per kind of failure.

Every message names what went wrong, where (file and line, query name, endpoint), and what to do.
"""
from __future__ import annotations


class ExoRdfError(Exception):
    """Root of every error exo-rdf raises on purpose; the CLI turns it into a message and exit 2."""


class SourceError(ExoRdfError):
    """A source file (Turtle, SPARQL) cannot be read or parsed.

    Attributes: ``path`` (the file) and ``line`` (1-based, or None when unknown).
    """

    def __init__(self, message: str, *, path: object = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class QueryNotFoundError(ExoRdfError):
    """No stored query has the requested name; ``suggestions`` holds close names."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


class QueryParameterError(ExoRdfError):
    """A query parameter is unknown, missing, or not of its declared type."""


class QueryExecutionError(ExoRdfError):
    """A SPARQL query failed to parse or to run."""


class EndpointError(ExoRdfError):
    """A remote SPARQL endpoint or Graph Store cannot be reached or answered with an error.

    Attribute ``status``: the HTTP status the server answered, or None when it was not reached.
    """

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class AuthenticationError(EndpointError):
    """The endpoint refused the credentials, or wants some and none were given (HTTP 401/403)."""


class IncompleteAnswerError(EndpointError):
    """The store answered a query with part of its result (HTTP 200), e.g. Virtuoso at its
    time limit (``X-SQL-State: S1TAT``) or row limit (``X-SPARQL-MaxRows``); nothing is read from it."""


class LoadError(ExoRdfError):
    """A load into a triple store failed or could not be verified; the previous graphs are kept."""


class ValidationEngineError(ExoRdfError):
    """SHACL validation could not run (not: the data does not conform)."""


class ReasonerError(ExoRdfError):
    """The OWL reasoner could not run (Java missing, reasoner crash)."""


class OutputError(ExoRdfError):
    """An output file cannot be written."""


class TermTableError(ExoRdfError):
    """The external term tables are missing or malformed."""


class ArgumentError(ExoRdfError, TypeError):
    """A library function was called with an argument of the wrong type or value (a TypeError too)."""


class QueryRefusedError(QueryExecutionError):
    """A query is refused before it runs: too large, nested too deep, or calling another host (SERVICE)."""


class QueryTimeoutError(QueryExecutionError):
    """A query did not finish within its timeout."""


class StoreCacheError(ExoRdfError):
    """The cache of built stores cannot be used (a store that cannot be opened even after a rebuild)."""


class WorkspaceError(ExoRdfError):
    """An on-disk workspace cannot be opened, created or changed (absent, damaged, in use, read-only)."""


class TemplateError(ExoRdfError):
    """A curation template cannot be written: an unknown kind or format, or a finding no template row expresses."""

"""exo-rdf: a knowledge graph of what two reviews say about extracellular vesicles in cancer.

The public API mirrors the ``exo-rdf`` command; heavy dependencies (pyshacl, owlready2, rdflib)
are imported only by the functions that need them.
"""
from __future__ import annotations

__version__ = "0.1.0"

from exo_rdf.errors import (
    ArgumentError,
    EndpointError,
    ExoRdfError,
    LoadError,
    OutputError,
    QueryExecutionError,
    QueryNotFoundError,
    QueryParameterError,
    QueryRefusedError,
    QueryTimeoutError,
    ReasonerError,
    SourceError,
    StoreCacheError,
    TermTableError,
    ValidationEngineError,
)

__all__ = [
    "__version__",
    "ArgumentError",
    "EndpointError",
    "ExoRdfError",
    "LoadError",
    "OutputError",
    "QueryExecutionError",
    "QueryNotFoundError",
    "QueryParameterError",
    "QueryRefusedError",
    "QueryTimeoutError",
    "ReasonerError",
    "SourceError",
    "StoreCacheError",
    "TermTableError",
    "ValidationEngineError",
]

"""Shared fixtures: the project root, an in-memory store of the bundled sources, a private cache."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_rdf.sources import discover
from exo_rdf.store import build_store

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_TERMS = ROOT.parent / "shared" / "ontology-terms"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Each test session builds its embedded store in its own cache, never the user's."""
    monkeypatch.setenv("EXO_RDF_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def virtuoso():
    """One throwaway Virtuoso (tests/servers.py:Virtuoso: .base URL, .isql_port) for the session."""
    from servers import virtuoso_server

    with virtuoso_server() as server:
        yield server


@pytest.fixture(scope="session")
def store():
    """The bundled ontology, imports, data and shapes in one in-memory store."""
    return build_store(discover(ROOT))


@pytest.fixture(scope="session")
def oxigraph_plain():
    """Oxigraph without --union-default-graph, holding exo-rdf's graphs and intruders (tests/stores.py)."""
    from servers import oxigraph_server
    from stores import load_oxigraph

    with oxigraph_server(union_default_graph=False) as base:
        yield load_oxigraph(base)


@pytest.fixture(scope="session")
def oxigraph_union():
    """Oxigraph with --union-default-graph, holding exo-rdf's graphs and intruders (tests/stores.py)."""
    from servers import oxigraph_server
    from stores import load_oxigraph

    with oxigraph_server(union_default_graph=True) as base:
        yield load_oxigraph(base)


@pytest.fixture(scope="session")
def virtuoso_loaded(virtuoso):
    """The session's Virtuoso holding exo-rdf's graphs and intruders under their own graph base."""
    from stores import load_virtuoso

    return load_virtuoso(virtuoso.base)

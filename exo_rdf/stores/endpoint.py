"""One description of a remote store for every command: its query, update and Graph Store URLs.

The same URL forms work everywhere:

- a base URL: ``http://host:7878`` (Oxigraph: base/query, base/update, base/store) or
  ``http://host:8890`` when the server says it is Virtuoso (base/sparql for query and update,
  base/sparql-graph-crud-auth with credentials, else base/sparql-graph-crud, for the Graph Store);
- a query URL given directly: ``…/query`` (Oxigraph layout beside it) or ``…/sparql`` (Virtuoso
  layout, for query and update alike);
- explicit ``--query-url`` / ``--update-url`` / ``--store-url``, each replacing one derived URL.

The flavour (oxigraph, virtuoso, generic) is given, or read from the server's ``Server`` header
when a URL has to be derived from it or when asked for (``Endpoint.flavour``). URLs may carry
``user:password@``; messages show them through ``Endpoint.shown`` only.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from exo_rdf.errors import EndpointError
from exo_rdf.sources import GRAPH_BASE

FLAVOURS = ("oxigraph", "virtuoso", "generic")
DEFAULT_TIMEOUT_S = 60.0


@dataclass
class Endpoint:
    """A remote store: query, update and Graph Store URLs, flavour, graph base and timeout.

    ``store_flavour`` is the flavour given or detected (None until needed: see ``flavour``).
    """

    query: str
    update: str
    store: str
    graph_base: str = GRAPH_BASE
    timeout_s: float = DEFAULT_TIMEOUT_S
    store_flavour: str | None = None
    _dataset: object = field(default=None, repr=False, compare=False)

    @property
    def flavour(self) -> str:
        """oxigraph, virtuoso or generic: given, else read once from the query URL's Server header.

        Raises EndpointError when the server cannot be reached.
        """
        if self.store_flavour is None:
            self.store_flavour = detect_flavour(self.query, self.timeout_s)
        return self.store_flavour

    def shown(self, url: str | None = None) -> str:
        """The query URL (or url) without credentials, for messages."""
        from exo_rdf.stores.http import public_url

        return public_url(url or self.query)


def detect_flavour(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> str:
    """The store behind url from its Server header: oxigraph, virtuoso or generic.

    Raises EndpointError when the server cannot be reached.
    """
    from exo_rdf.stores.http import server_software

    software = server_software(url, timeout=timeout_s).lower()
    for name in ("oxigraph", "virtuoso"):
        if software.startswith(name):
            return name
    return "generic"


def _join(base: str, path: str) -> str:
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/" + path, "", ""))


def _credentialed(url: str) -> bool:
    from exo_rdf.stores.http import credentials

    return credentials(url) is not None


def resolve(url: str | None = None, *, store: str | None = None, query_url: str | None = None,
            update_url: str | None = None, store_url: str | None = None, graph_base: str = GRAPH_BASE,
            timeout_s: float = DEFAULT_TIMEOUT_S) -> Endpoint:
    """The Endpoint for a base or query URL (see the module docstring) and explicit URLs.

    store is the flavour (oxigraph, virtuoso, generic) or None to detect it when a URL has to be
    derived from a base URL. Raises EndpointError for a URL that is not http(s), an unknown
    flavour, no URL at all, or (detection) a server that cannot be reached.
    """
    from exo_rdf.stores.http import check_url

    if store is not None and store not in FLAVOURS:
        raise EndpointError(f"unknown store '{store}'; give one of {', '.join(FLAVOURS)}")
    if timeout_s <= 0:
        raise EndpointError(f"--timeout-s {timeout_s:g}: give a number of seconds above 0")
    given = [u for u in (url, query_url, update_url, store_url) if u]
    if not given:
        raise EndpointError("no endpoint given; give --endpoint URL (the store's base URL or its query URL)")
    for u in given:
        check_url(u)
    if url is None:  # only explicit URLs: each stands for itself, the query URL for the others
        url = query_url or update_url or store_url
    url = url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    base = url
    if last == "query":
        layout, base = "oxigraph", url[: -len("/query")]
    elif last == "sparql":
        layout, base = "virtuoso", url[: -len("/sparql")]
    elif query_url and update_url and store_url:
        layout = store or "generic"
    else:
        base = url.rstrip("/")
        layout = store or detect_flavour(base, timeout_s)
    if layout == "virtuoso":
        crud = "sparql-graph-crud-auth" if _credentialed(url) else "sparql-graph-crud"
        derived = (_join(base, "sparql"), _join(base, "sparql"), _join(base, crud))
    else:  # Oxigraph's layout, also what a generic store is assumed to follow
        derived = (_join(base, "query"), _join(base, "update"), _join(base, "store"))
    flavour = store or (layout if layout in ("oxigraph", "virtuoso") and last not in ("query", "sparql") else None)
    return Endpoint(query=query_url or derived[0], update=update_url or derived[1], store=store_url or derived[2],
                    graph_base=graph_base, timeout_s=timeout_s, store_flavour=flavour)

"""Talk to a remote SPARQL 1.1 endpoint over HTTP (Protocol for queries); no third-party client needed.

Credentials come from the environment (``EXO_RDF_USER`` / ``EXO_RDF_PASSWORD``) or ``~/.netrc``;
they are never printed. HTTPS certificates are verified.
"""
from __future__ import annotations

import base64
import netrc
import os
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from exo_rdf.errors import EndpointError

DEFAULT_TIMEOUT = 60.0


def auth_header(url: str) -> dict[str, str]:
    """A Basic Authorization header for url from the environment or ~/.netrc, or nothing."""
    user, password = os.environ.get("EXO_RDF_USER"), os.environ.get("EXO_RDF_PASSWORD")
    if not user:
        host = urllib.parse.urlsplit(url).hostname or ""
        try:
            found = netrc.netrc().authenticators(host)
        except (FileNotFoundError, netrc.NetrcParseError):
            found = None
        if found:
            user, _, password = found
    if not user:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def http_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = 0,
) -> tuple[int, bytes]:
    """Send one HTTP request and return (status, body).

    An idempotent request may be retried: `retries` more attempts, after 0.5 s, 1 s, 2 s ...,
    when the connection fails or the server answers 5xx (never on 4xx: that will not change).
    Raises EndpointError naming the URL when the server cannot be reached or answers 4xx/5xx.
    """
    import time

    for attempt in range(retries + 1):
        try:
            return _send_once(url, method=method, body=body, headers=headers, timeout=timeout)
        except EndpointError as exc:
            if attempt == retries or exc.status is not None and exc.status < 500:
                raise
            time.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def _send_once(url: str, *, method: str, body, headers, timeout: float) -> tuple[int, bytes]:
    all_headers = {"User-Agent": "exo-rdf", **auth_header(url), **(headers or {})}
    request = urllib.request.Request(url, data=body, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        hint = " (check the credentials in EXO_RDF_USER/EXO_RDF_PASSWORD or ~/.netrc)" if exc.code in (401, 403) else ""
        raise EndpointError(f"{url}: the server answered HTTP {exc.code} {exc.reason}{hint}: {detail}", status=exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise _unreachable(url, exc) from None


def _unreachable(url: str, exc: OSError) -> EndpointError:
    reason = getattr(exc, "reason", exc)
    return EndpointError(f"{url}: cannot reach the endpoint ({reason}); check the URL and that the server is running")


def select(
    endpoint: str, query: str, *, default_graphs: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> ox.QuerySolutions | ox.QueryBoolean:
    """Run a SELECT or ASK query on endpoint and return the parsed results.

    default_graphs, when given, are sent as ``default-graph-uri`` so that the query sees their merge.
    Raises EndpointError when the endpoint is unreachable, fails, or answers something that is not
    SPARQL JSON results.
    """
    form = [("query", query)] + [("default-graph-uri", g) for g in default_graphs or []]
    _, payload = http_request(
        endpoint,
        method="POST",
        body=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
        timeout=timeout,
        retries=2,
    )
    try:
        return ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{endpoint}: the answer is not SPARQL JSON results ({exc})") from None


def update(endpoint: str, text: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Send one SPARQL 1.1 Update request (never retried: it may not be idempotent).

    Raises EndpointError when the endpoint is unreachable or refuses the update.
    """
    http_request(
        endpoint,
        method="POST",
        body=urllib.parse.urlencode([("update", text)]).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=timeout,
    )


def put_graph(store_url: str, graph: str, body, length: int, *, timeout: float = DEFAULT_TIMEOUT, retries: int = 2) -> None:
    """Replace one named graph with N-Triples over the Graph Store Protocol (PUT is idempotent).

    body is bytes, or a callable returning a fresh iterable of byte chunks (so a retry can resend).
    Raises EndpointError when the store is unreachable or refuses the graph.
    """
    url = f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(length)}
    import time

    for attempt in range(retries + 1):
        try:
            _send_once(url, method="PUT", body=body() if callable(body) else body, headers=headers, timeout=timeout)
            return
        except EndpointError as exc:
            if attempt == retries or exc.status is not None and exc.status < 500:
                raise
            time.sleep(0.5 * 2**attempt)


def post_graph(store_url: str, graph: str, body, length: int, *, options: dict[str, str] | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> None:
    """Add N-Triples to one named graph over the Graph Store Protocol (POST; never retried).

    body is bytes or an iterable of byte chunks; options are extra URL parameters the store
    understands (e.g. Oxigraph's ``no_transaction`` for its bulk loader).
    Raises EndpointError when the store is unreachable or refuses the data.
    """
    url = f"{store_url}?{urllib.parse.urlencode({'graph': graph, **(options or {})})}"
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(length)}
    _send_once(url, method="POST", body=body, headers=headers, timeout=timeout)


def server_software(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The Server header the endpoint at url answers with ('' when it sends none).

    Raises EndpointError when the endpoint cannot be reached.
    """
    request = urllib.request.Request(url, method="GET", headers={"User-Agent": "exo-rdf", **auth_header(url)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.headers.get("Server", "")
    except urllib.error.HTTPError as exc:  # a query endpoint answers a bare GET with 400: the header is there
        return exc.headers.get("Server", "")
    except (urllib.error.URLError, OSError) as exc:
        raise _unreachable(url, exc) from None

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
) -> tuple[int, bytes]:
    """Send one HTTP request and return (status, body).

    Raises EndpointError naming the URL when the server cannot be reached or answers 4xx/5xx.
    """
    all_headers = {"User-Agent": "exo-rdf", **auth_header(url), **(headers or {})}
    request = urllib.request.Request(url, data=body, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace").strip()
        hint = " (check the credentials in EXO_RDF_USER/EXO_RDF_PASSWORD or ~/.netrc)" if exc.code in (401, 403) else ""
        raise EndpointError(f"{url}: the server answered HTTP {exc.code} {exc.reason}{hint}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"{url}: cannot reach the endpoint ({reason}); check the URL and that the server is running") from None


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
    )
    try:
        return ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{endpoint}: the answer is not SPARQL JSON results ({exc})") from None

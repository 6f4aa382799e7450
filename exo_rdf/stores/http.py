"""Talk to a remote SPARQL 1.1 endpoint and Graph Store over HTTP, through ``requests``.

Credentials come from the URL itself (``http://user:password@host/...``, removed from the URL
before anything is sent or printed), else the environment (``EXO_RDF_USER`` /
``EXO_RDF_PASSWORD``), else ``~/.netrc`` for the endpoint's own host. They go only to the
endpoint's own scheme, host and port: a redirect elsewhere is refused, never followed. The
scheme (Basic or Digest) is the one the server's 401 challenge asks for. Only http and https
URLs are accepted. HTTPS certificates are verified. Idempotent requests are retried with
backoff by urllib3 (``Retry``); updates and POSTs to the Graph Store are sent once.
"""
from __future__ import annotations

import os
import threading
import urllib.parse

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from urllib3.util.retry import Retry

from exo_rdf.errors import AuthenticationError, EndpointError, IncompleteAnswerError

DEFAULT_TIMEOUT = 60.0
#: seconds allowed to open a connection, whatever the (longer) answer timeout
CONNECT_TIMEOUT = 10.0
#: retried on a failed connection or one of these answers (a query error, 400/500, is not retried)
RETRY_STATUS = (502, 503, 504)
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: bodies above this size are not sent before the server's auth scheme is known (see _Client._learn)
PROBE_ABOVE = 64 << 10


def public_url(url: str) -> str:
    """url without its user:password part: the only form a message may show."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of url, the port filled in from the scheme when absent."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme, 0)


def check_url(url: str) -> str:
    """url if it is an http(s) URL with a host; its public form.

    Raises EndpointError for any other scheme (file:, ftp: ...) or a URL without a host.
    """
    parts = urllib.parse.urlsplit(url)
    shown = public_url(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise EndpointError(f"{shown}: only http:// and https:// endpoints are accepted; "
                            f"give the store's URL, e.g. http://localhost:7878")
    try:
        parts.port
    except ValueError:
        raise EndpointError(f"{shown}: the port is not a number") from None
    if not parts.hostname:
        raise EndpointError(f"{shown}: the URL names no host; give e.g. http://localhost:7878")
    return shown


def credentials(url: str) -> tuple[str, str] | None:
    """(user, password) for url: from the URL, else EXO_RDF_USER/EXO_RDF_PASSWORD, else ~/.netrc.

    The netrc entry is looked up for url's own host only.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username:
        return urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    user = os.environ.get("EXO_RDF_USER")
    if user:
        return user, os.environ.get("EXO_RDF_PASSWORD", "")
    import netrc

    try:
        found = netrc.netrc().authenticators(parts.hostname or "")
    except (OSError, netrc.NetrcParseError):
        found = None
    if found and found[0]:
        return found[0], found[2] or ""
    return None


class _SharedDigest(HTTPDigestAuth):
    """Digest auth whose challenge, once learnt, serves every thread.

    requests keeps the challenge per thread, so a new thread's first request would go out
    without credentials and be re-sent after the 401 - impossible for a streamed body.
    """

    def __init__(self, user: str, password: str, challenge: dict):
        super().__init__(user, password)
        self.challenge = challenge

    def __call__(self, r):
        self.init_per_thread_state()
        if not self._thread_local.chal:
            self._thread_local.chal = dict(self.challenge)
            r.headers["Authorization"] = self.build_digest_header(r.method, r.url)
        return super().__call__(r)

    def handle_401(self, r, **kwargs):
        """A 401 to a streamed body stands: requests would send the request again with the body
        already consumed, announcing bytes it never sends, and wait for an answer until the timeout."""
        if r.request.body is not None and not isinstance(r.request.body, (bytes, str)):
            return r
        return super().handle_401(r, **kwargs)


class _Session(requests.Session):
    """A session that follows a redirect only within the origin it was made for."""

    def __init__(self, home: tuple[str, str, int]):
        super().__init__()
        self.home = home
        self.trust_env = False  # no netrc, no proxy variables: credentials go nowhere we did not choose
        self.headers["User-Agent"] = "exo-rdf"

    def rebuild_auth(self, prepared_request, response):
        if origin(prepared_request.url) != self.home:
            raise EndpointError(
                f"{public_url(response.request.url)}: the server redirects to {public_url(prepared_request.url)}, "
                f"another host, port or scheme; not followed (credentials are never sent elsewhere); "
                f"give that URL as the endpoint if you trust it", status=response.status_code)
        super().rebuild_auth(prepared_request, response)


class _Client:
    """The HTTP sessions and credentials for one origin (scheme, host, port)."""

    def __init__(self, url: str):
        self.home = origin(url)
        self.credentials = credentials(url)
        self.auth = None  # Basic or Digest, once a 401 challenge has said which
        self.lock = threading.Lock()
        self.retrying, self.once = _Session(self.home), _Session(self.home)
        # read=0: an answer that does not come within the timeout is not asked for again (the
        # server may still be working on it); a refused connection or a 502/503/504 is
        retry = Retry(total=2, connect=2, read=0, status=2, other=0, backoff_factor=0.5, status_forcelist=RETRY_STATUS,
                      allowed_methods=None, raise_on_status=False, respect_retry_after_header=False)
        for scheme in ("http://", "https://"):
            self.retrying.mount(scheme, HTTPAdapter(max_retries=retry))

    def learn(self, response) -> bool:
        """Choose Basic or Digest from a 401 answer's challenge; False when there is nothing to choose."""
        if not self.credentials:
            return False
        challenge = response.headers.get("WWW-Authenticate", "")
        scheme = challenge.strip().split(" ", 1)[0].lower()
        with self.lock:
            if scheme == "digest":
                from requests.utils import parse_dict_header

                self.auth = _SharedDigest(*self.credentials, parse_dict_header(challenge.strip()[len("digest "):]))
            elif scheme == "basic":
                self.auth = HTTPBasicAuth(*self.credentials)
            else:
                return False
        return True

    def send(self, method: str, url: str, *, body=None, headers=None, params=None, timeout_s: float,
             retry: bool, stream: bool = False) -> requests.Response:
        """Send one request; return the response (any status) or raise EndpointError if none came."""
        session = self.retrying if retry else self.once
        replayable = body is None or isinstance(body, (bytes, str))
        if self.credentials and self.auth is None and (not replayable or len(body or b"") > PROBE_ABOVE):
            # a server that wants credentials may close the connection while a large body is still
            # being sent ("broken pipe"): ask for the challenge first with a request without body
            self.learn_from(self._do(self.retrying, "HEAD", url, None, None, params, timeout_s, False))
        response = self._do(session, method, url, body, headers, params, timeout_s, stream)
        if response.status_code == 401 and self.auth is None and replayable and self.learn(response):
            response = self._do(session, method, url, body, headers, params, timeout_s, stream)
        return response

    def learn_from(self, response) -> None:
        if response.status_code == 401:
            self.learn(response)

    def _do(self, session, method, url, body, headers, params, timeout_s, stream) -> requests.Response:
        shown = public_url(url)
        # urllib3 sends the body under the connect timeout; a store busy taking in a large upload
        # may not read for longer than that, so a large body gets the whole timeout
        large = body is not None and (not isinstance(body, (bytes, str)) or len(body) > PROBE_ABOVE)
        connect = timeout_s if large else min(CONNECT_TIMEOUT, timeout_s)
        try:
            return session.request(method, public_url(url), data=body, headers=headers, params=params, auth=self.auth,
                                   timeout=(connect, timeout_s), stream=stream)
        except requests.exceptions.RequestException as exc:
            # urllib3 wraps a read timeout in MaxRetryError when retries are configured, and
            # requests then raises ConnectionError: look at the cause, not the outer type
            if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in _reason(exc):
                raise EndpointError(f"{shown}: no answer within {timeout_s:g} s; the request may still be running "
                                    f"on the server (give a longer --timeout-s)") from None
            raise EndpointError(f"{shown}: cannot reach the endpoint ({_reason(exc)}); "
                                f"check the URL and that the server is running") from None


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests failure (e.g. 'Connection refused'), without the URL."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)), None)
        if inner is None:
            break
        exc = inner
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc)
    return text.rsplit("] ", 1)[-1][:200] if text else type(exc).__name__


_CLIENTS: dict[tuple, _Client] = {}
_CLIENTS_LOCK = threading.Lock()


def client(url: str) -> _Client:
    """The shared client for url's origin and credentials (one per origin: sessions are reused).

    Raises EndpointError when url is not an http(s) URL.
    """
    check_url(url)
    key = (origin(url), credentials(url))
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _CLIENTS[key] = _Client(url)
        return _CLIENTS[key]


def one_line(text: str, limit: int = 300, *, html: bool = False) -> str:
    """A server's error answer as one line of at most limit characters: spaces folded, and the
    tags of an HTML page dropped."""
    import re

    flat = " ".join((re.sub(r"<[^<>]*>", " ", text) if html else text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def check_status(url: str, response: requests.Response) -> None:
    """Raise the error a 4xx/5xx answer means; return quietly on success.

    Raises AuthenticationError on 401/403, EndpointError (with the status) on any other failure.
    """
    status = response.status_code
    if status < 400:
        return
    shown = public_url(url)
    detail = one_line(response.text, html="html" in response.headers.get("Content-Type", "").lower())
    if status in (401, 403):
        given = "the credentials were refused" if client(url).credentials else "the server wants credentials"
        raise AuthenticationError(
            f"{shown}: authentication failed (HTTP {status}): {given}; set EXO_RDF_USER and EXO_RDF_PASSWORD, "
            f"put the host in ~/.netrc, or write http://USER:PASSWORD@host/... ", status=status)
    hint = ""
    if status == 404:
        hint = (" (no SPARQL endpoint at this URL; for Oxigraph give the base URL, e.g. http://host:7878, "
                "for Virtuoso its …/sparql URL)")
    elif "estimated execution time" in response.text:
        hint = (" (Virtuoso refuses a query whose estimated time exceeds MaxQueryCostEstimationTime, in seconds, "
                "in the [SPARQL] section of virtuoso.ini; its estimates run high on large graphs: raise it, or set "
                "0 for no limit, and bound the wait with MaxQueryExecutionTime and --timeout-s instead)")
    elif "SR203" in response.text:
        hint = (" (Virtuoso stopped the query at its time limit, the request's timeout or MaxQueryExecutionTime in "
                "the [SPARQL] section of virtuoso.ini, and answered with this error instead of part of the result: "
                "give a longer --timeout-s, and raise MaxQueryExecutionTime)")
    elif "SR325" in response.text:
        hint = (" (Virtuoso holds one transaction's changes within TransactionAfterImageLimit, in bytes, in the "
                "[Parameters] section of virtuoso.ini: a replace is one transaction, so raise it above what the graph "
                "takes, e.g. 2000000000)")
    raise EndpointError(f"{shown}: the server answered HTTP {status} {response.reason}{hint}: {detail}", status=status)


def check_complete(url: str, response: requests.Response, *, limit: int | None = None) -> None:
    """Raise IncompleteAnswerError when the store says its 200 answer to a query is cut short.

    Virtuoso answers HTTP 200 with the rows it has when a query reaches its time limit
    (``MaxQueryExecutionTime`` or the request's ``timeout``), and says so only in an
    ``X-SQL-State`` header; it stops at ``ResultSetMaxRows`` rows and then sets
    ``X-SPARQL-MaxRows``, also when exactly that many rows exist. limit: the query's own final
    LIMIT; an answer that the query itself bounds at or below the store's limit is whole.
    """
    shown = public_url(url)
    state = response.headers.get("X-SQL-State", "").strip()
    if state:
        said = one_line(response.headers.get("X-SQL-Message", ""), 160)
        raise IncompleteAnswerError(
            f"{shown}: the store stopped the query before its end and answered with part of the result "
            f"({state}: {said}); nothing was read from it. Give a longer --timeout-s, and on Virtuoso raise "
            f"MaxQueryExecutionTime in the [SPARQL] section of virtuoso.ini", status=response.status_code)
    max_rows = response.headers.get("X-SPARQL-MaxRows", "").strip()
    if max_rows.isdigit() and (limit is None or limit > int(max_rows)):
        raise IncompleteAnswerError(
            f"{shown}: the answer reached the store's row limit ({max_rows} rows) and may be incomplete; "
            f"nothing was read from it. On Virtuoso raise ResultSetMaxRows in the [SPARQL] section of "
            f"virtuoso.ini above the rows expected, or page the query with LIMIT and OFFSET below {max_rows}",
            status=response.status_code)


def http_request(url: str, *, method: str = "GET", body=None, headers: dict[str, str] | None = None,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = 0, params=None) -> tuple[int, bytes]:
    """Send one HTTP request and return (status, body).

    retries > 0 lets urllib3 retry it (2 more attempts, 0.5 s then 1 s apart) when the connection
    fails or the server answers 502/503/504: only for requests that may be repeated safely.
    Raises AuthenticationError on 401/403, EndpointError when the server cannot be reached,
    does not answer within timeout seconds, or answers 4xx/5xx.
    """
    response = client(url).send(method, url, body=body, headers=headers, params=params, timeout_s=timeout,
                                retry=retries > 0)
    check_status(url, response)
    return response.status_code, response.content


def select(endpoint: str, query: str, *, default_graphs: list[str] | None = None,
           named_graphs: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT):
    """Run a SELECT or ASK query (without a final LIMIT) on endpoint and return pyoxigraph's parsed results.

    default_graphs / named_graphs, when given, are sent as ``default-graph-uri`` /
    ``named-graph-uri`` (SPARQL 1.1 Protocol), so that the query sees exactly those graphs.
    Raises EndpointError (AuthenticationError, IncompleteAnswerError) when the endpoint is
    unreachable, fails, answers with part of the result, or answers something that is not SPARQL results.
    """
    form = ([("query", query)] + [("default-graph-uri", g) for g in default_graphs or []]
            + [("named-graph-uri", g) for g in named_graphs or []])
    response = client(endpoint).send(
        "POST", endpoint, body=urllib.parse.urlencode(form), timeout_s=timeout, retry=True,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Accept": "application/sparql-results+xml, application/sparql-results+json;q=0.9"})
    check_status(endpoint, response)
    check_complete(endpoint, response)
    payload = response.content
    fmt = ox.QueryResultsFormat.XML if payload.lstrip().startswith(b"<") else ox.QueryResultsFormat.JSON
    try:
        return ox.parse_query_results(payload, format=fmt)
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{public_url(endpoint)}: the answer is not SPARQL results ({exc})") from None


def update(endpoint: str, text: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Send one SPARQL 1.1 Update request (never retried: it may not be idempotent).

    Raises EndpointError (AuthenticationError) when the endpoint is unreachable or refuses the update.
    """
    http_request(endpoint, method="POST", body=urllib.parse.urlencode([("update", text)]),
                 headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)


def put_graph(store_url: str, graph: str, body, length: int, *, options: dict[str, str] | None = None,
              timeout: float = DEFAULT_TIMEOUT, retries: int = 2) -> None:
    """Replace one named graph with N-Triples over the Graph Store Protocol (PUT is idempotent).

    body is bytes (retried up to `retries` times on a lost connection or 502/503/504), or an
    iterable of byte chunks of `length` bytes in all, streamed and therefore sent once; options
    are extra URL parameters the store understands (as for post_graph).
    Raises EndpointError (AuthenticationError) when the store is unreachable or refuses the graph.
    """
    streamed = not isinstance(body, bytes)
    http_request(store_url, method="PUT", body=_Sized(body, length) if streamed else body,
                 params={"graph": graph, **(options or {})}, headers={"Content-Type": "application/n-triples"},
                 timeout=timeout, retries=0 if streamed else retries)


def post_graph(store_url: str, graph: str, body, length: int, *, options: dict[str, str] | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> None:
    """Add N-Triples to one named graph over the Graph Store Protocol (POST; never retried).

    body is bytes or an iterable of byte chunks (streamed); options are extra URL parameters the
    store understands (e.g. Oxigraph's ``no_transaction`` for its bulk loader).
    Raises EndpointError (AuthenticationError) when the store is unreachable or refuses the data.
    """
    http_request(store_url, method="POST", body=body if isinstance(body, bytes) else _Sized(body, length),
                 params={"graph": graph, **(options or {})}, headers={"Content-Type": "application/n-triples"},
                 timeout=timeout)


class _Sized:
    """Chunks of a known total length: requests then sends a Content-Length, not chunked encoding
    (which Oxigraph refuses beside a length)."""

    def __init__(self, chunks, length: int):
        self.chunks, self.length = chunks, length

    def __iter__(self):
        return iter(self.chunks)

    def __len__(self) -> int:
        return self.length


def server_software(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The Server header the endpoint at url answers with ('' when it sends none).

    A query endpoint answers a bare GET with 400: the header is there all the same.
    Raises EndpointError when the endpoint cannot be reached.
    """
    response = client(url).send("GET", url, timeout_s=timeout, retry=True, stream=True)
    response.close()
    return response.headers.get("Server", "")

"""Checks on SPARQL text before the embedded engine sees it, and a bounded way to run it.

Oxigraph's parser and optimiser recurse over the query: deep nesting overflows the stack and
kills the process (a 20 KB query of nested parentheses is enough), and long flat chains make
the optimiser run for minutes. So a query is refused when it is too large or nested too deep,
and it runs in a worker thread with a large stack that the caller stops waiting for after a
timeout. SERVICE makes the engine call other hosts, with no timeout of its own; it is refused
unless allowed, and then the same timeout bounds the whole query.
"""
from __future__ import annotations

import re

from exo_rdf.errors import ArgumentError, QueryExecutionError, QueryRefusedError, QueryTimeoutError

#: the largest query text accepted, in characters (stored queries are under 10 000)
MAX_QUERY_CHARS = 256 * 1024
#: the deepest nesting of (), [] and {} accepted (stored queries nest less than 10 deep)
MAX_DEPTH = 64
#: the worker thread's stack: the engine recurses once per operator of a long flat chain
STACK_BYTES = 256 << 20

# Strings, IRIs and comments, whose brackets and words are not SPARQL syntax. The alternatives
# of each repeated group are disjoint, so matching stays linear on hostile text.
_OPAQUE = re.compile(
    r'#[^\n\r]*'
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>',
    re.S,
)
_BRACKET = re.compile(r"[()\[\]{}]")
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE\b\s*(?:SILENT\b\s*)?(\S?)", re.I)


def skeleton(text: str) -> str:
    """The query text with strings and comments blanked and every IRI written as <>."""
    return _OPAQUE.sub(lambda m: "<>" if m.group().startswith("<") else " ", text)


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets in a query skeleton (see skeleton())."""
    depth = deepest = 0
    for m in _BRACKET.finditer(text):
        if m.group() in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def check_query(text: str, *, allow_service: bool = False, what: str = "the query") -> None:
    """Refuse query text that the embedded engine must not see.

    Raises ArgumentError when text is not a str; QueryRefusedError (a QueryExecutionError)
    naming the limit when the text is longer than MAX_QUERY_CHARS, nests brackets deeper than
    MAX_DEPTH, or uses SERVICE while allow_service is false, or SERVICE with a variable.
    """
    if not isinstance(text, str):
        raise ArgumentError(f"{what}: the query must be a str of SPARQL, not {type(text).__name__}")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefusedError(
            f"{what} is {len(text)} characters long, more than the {MAX_QUERY_CHARS} accepted; "
            "split it, or move long VALUES lists into a file you load"
        )
    bare = skeleton(text)
    depth = nesting_depth(bare)
    if depth > MAX_DEPTH:
        raise QueryRefusedError(
            f"{what} nests brackets {depth} deep, more than the {MAX_DEPTH} accepted; write it with less nesting"
        )
    for m in _SERVICE.finditer(bare):
        if m.group(1) in ("?", "$"):
            raise QueryRefusedError(
                f"{what} uses SERVICE with a variable, which the embedded store does not support; name the "
                "endpoint, e.g. SERVICE <https://example.org/sparql>"
            )
        if not allow_service:
            raise QueryRefusedError(
                f"{what} uses SERVICE, which calls another host; the embedded store runs it only with "
                "--allow-service (bounded by --timeout-s)"
            )


def run_bounded(function, *, timeout_s: float | None, what: str = "the query", stop: list | None = None):
    """Call function() in a worker thread with a large stack; return its value or raise its exception.

    With timeout_s (seconds, > 0), stop waiting after that long. The worker cannot be killed: when
    given, stop (a list the function looks at as it goes, see exo_rdf.query) gets an item when
    the time is up, so that a function that checks it ends soon after; one that does not is
    abandoned (it ends with the process). A Ctrl-C while waiting propagates at once and sets stop too.
    Raises QueryTimeoutError when the time is up; ArgumentError for a timeout that is not a
    positive number.
    """
    import _thread  # threading would cost a warm query more than the thread itself

    if timeout_s is not None:
        if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not timeout_s > 0 \
                or timeout_s == float("inf"):
            raise ArgumentError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}")
    done = _thread.allocate_lock()
    done.acquire()
    outcome: list = []

    def work():
        try:
            outcome.append((True, function()))
        except BaseException as exc:  # handed to the caller, whatever it is
            # without its traceback: the frames hold engine objects (lazy solutions) that
            # pyoxigraph allows to be dropped only in the thread that made them
            exc.__traceback__ = exc.__context__ = exc.__cause__ = None
            outcome.append((False, exc))
        finally:
            done.release()

    previous = _thread.stack_size()
    try:
        _thread.stack_size(STACK_BYTES)
        _thread.start_new_thread(work, ())
    except (RuntimeError, ValueError, MemoryError):  # no thread of that size here: run it in this one
        _thread.stack_size(previous)
        return function()
    finally:
        _thread.stack_size(previous)
    try:
        finished = done.acquire(timeout=-1 if timeout_s is None else timeout_s)
    except KeyboardInterrupt:
        if stop is not None:
            stop.append("interrupted")
        raise
    if not finished:
        if stop is not None:
            stop.append("timeout")
        raise QueryTimeoutError(f"{what} did not finish within {timeout_s:g} s; give a longer --timeout-s, or "
                                "narrow the query")
    ok, value = outcome[0]
    if ok:
        return value
    raise value


def engine_error(exc: BaseException, what: str = "the query") -> QueryExecutionError:
    """The QueryExecutionError for an exception the engine raised while running a query, on one line.

    The parser's list of expected tokens can run over many lines: it is cut after 300 characters.
    """
    message = " ".join(str(exc).split()) or type(exc).__name__
    if len(message) > 300:
        message = message[:300].rstrip() + " …"
    return QueryExecutionError(f"{what} failed: {message}")

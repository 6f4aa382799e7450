"""Write one named graph of a remote store and report only what the store then holds.

Replace: on Oxigraph one Graph Store PUT of the graph, which the server applies in one
transaction; elsewhere (Virtuoso, generic stores) a POST into a staging graph named for this
run, a count check, then one update over the target: where the two differ in at most half
the staged triples (a reload of an edited file), ``replace-graph-by-difference.ru`` removes the
triples the staging graph lacks and adds those the target lacks, and the staging graph is
dropped after; otherwise one ``MOVE`` (``move-graph.ru``) of the staging graph over the target.
Append: one POST on Oxigraph (one transaction), else staging then ``ADD``. Readers see the old
graph or the new one, never a mixture. Bulk (Oxigraph only, asked for): the same PUT or POST with
``no_transaction``, Oxigraph's bulk loader: several times faster on disk, but not atomic (the old
graph goes first, readers see the new one filling up, a failure can leave part of it). Virtuoso
has no safe equivalent: its ``MOVE`` under ``log-enable 2`` is 25 times faster than under
``log-enable 1`` but left 2 of 40 old triples beside the 25 new ones.

After any failure (HTTP error, timeout, lost connection, Ctrl-C) the target is read back (its
count and a few of the triples sent) and the report says what it holds: a change the store made
is reported as made, one it did not make as not made. The staging graph this run created is
removed; a graph this run did not create is never dropped nor emptied. The requests themselves,
and the names of staging graphs, are exo_rdf.stores.target.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from exo_rdf.errors import AuthenticationError, EndpointError, LoadError
from exo_rdf.stores.target import STALE_AFTER_S, Target, staging_age_s, staging_name

class LoadInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a load; the message says what state the graph was left in."""


#: bytes read from a file at a time while it is sent: a file is streamed, never read whole
CHUNK = 1 << 20


@dataclass
class Payload:
    """What one graph should hold: N-Triples (bytes, or a file sent as it is read), their count,
    and probes to recognise them.

    triples counts the triple lines; `exact`, when given, counts the distinct triples (a file may
    repeat a line, a store keeps one) and is asked only when the store's count differs.
    """

    graph: str
    data: bytes | Path
    triples: int
    probes: tuple[ox.Triple, ...]
    label: str
    exact: Callable[[], int] | None = None

    @property
    def size(self) -> int:
        """Bytes of N-Triples to send."""
        return len(self.data) if isinstance(self.data, bytes) else self.data.stat().st_size

    def chunks(self, progress=None) -> Iterator[bytes]:
        """The N-Triples in pieces of at most CHUNK bytes, a file read piece by piece as the request
        sends them; each piece is counted on progress (an exo_rdf.progress.Progress) when given.

        Raises OSError when the file cannot be read.
        """
        if isinstance(self.data, bytes):
            pieces = (self.data[i:i + CHUNK] for i in range(0, len(self.data), CHUNK))
        else:
            pieces = _read(self.data)
        for piece in pieces:
            if progress is not None:
                progress.add(len(piece))
            yield piece
        if progress is not None:
            progress.finish()

    def body(self, progress: bool | None = None):
        """What a request sends: the bytes when they are in memory or fewer than one CHUNK (a 401
        can then be answered by sending them again), else the chunks as they are sent, with a
        progress bar (progress None: when stderr is a terminal). Raises OSError."""
        from exo_rdf.progress import Progress

        size = self.size
        bar = Progress(f"load: {self.label}", size, unit="MB", enabled=progress)
        if not bar.enabled and (isinstance(self.data, bytes) or size <= CHUNK):
            return self.data if isinstance(self.data, bytes) else b"".join(self.chunks())
        return self.chunks(bar if bar.enabled else None)

    def matches(self, count: int) -> bool:
        """Whether a graph of count triples holds as many as were sent (distinct ones, if need be)."""
        if count != self.triples and self.exact is not None:
            self.triples, self.exact = self.exact(), None
        return count == self.triples


def _read(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while piece := f.read(CHUNK):
            yield piece


@dataclass
class GraphLoad:
    """What a load did to one graph: triples sent, triples the store holds (or added), and how.

    state: "verified" (the graph holds exactly what was sent), "added" (append: ``stored`` new
    triples), "superseded" (the store replaced it, then another writer replaced it again).
    note: how the outcome was established when the request failed, or what came after.
    source: the file (or graph) the triples came from.
    """

    graph: str
    sent: int
    stored: int
    state: str = "verified"
    note: str = ""
    source: str = ""

    @property
    def verified(self) -> bool:
        return self.state == "verified"


def probes_of(triples: list[ox.Triple], wanted: int = 3) -> tuple[ox.Triple, ...]:
    """Up to `wanted` triples spread over the list that every store gives back as sent: no blank
    nodes (stores rename them), no typed literals but strings (Virtuoso respells numbers);
    IRI objects first."""
    def kept(term) -> bool:
        return isinstance(term, ox.NamedNode) or (
            isinstance(term, ox.Literal) and (term.language or term.datatype.value.endswith("#string")))

    plain = [t for t in triples if isinstance(t.subject, ox.NamedNode) and kept(t.object)]
    iris = [t for t in plain if isinstance(t.object, ox.NamedNode)] or plain
    if len(iris) <= wanted:
        return tuple(iris)
    step = len(iris) // wanted
    return tuple(iris[i * step] for i in range(wanted))


@dataclass
class _State:
    count: int
    ours: bool


def _state(target: Target, payload: Payload) -> _State | None:
    """The target's count and whether it holds the probes; None when the store does not answer."""
    try:
        return _State(target.count(payload.graph), target.holds(payload.graph, payload.probes))
    except EndpointError:
        return None


def _is_new(state: _State | None, payload: Payload, mode: str, before: _State) -> bool:
    if state is None:
        return False
    if mode == "replace":
        return state.ours and payload.matches(state.count)
    return state.count > before.count or (state.ours and not before.ours)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return str(exc)


def _what_came_back(exc: BaseException) -> str:
    """How the failed request ended, for a report that then says what the store holds: an HTTP
    error is the store's own answer (which a store may give after making the change anyway), a
    timeout or a dropped connection is an answer lost."""
    if isinstance(exc, EndpointError) and exc.status is not None:
        return f"the store answered with an error ({_reason(exc)})"
    return f"the store's answer was lost ({_reason(exc)})"


def _read_again_while(target: Target, payload: Payload, state: _State | None,
                      still: Callable[[_State | None], bool], seconds: float, every: float) -> _State | None:
    """Read the target again every `every` s while still(state), for at most `seconds`; the last state read."""
    deadline = time.monotonic() + seconds
    while still(state) and time.monotonic() < deadline:
        time.sleep(every)
        state = _state(target, payload)
    return state


def _settle(target: Target, payload: Payload, mode: str, before: _State, exc: BaseException) -> _State | None:
    """Read the target after a failure; after a lost answer, wait up to one timeout for a change
    the server may still be applying."""
    lost = isinstance(exc, EndpointError) and exc.status is None
    return _read_again_while(target, payload, _state(target, payload),
                             lambda state: not _is_new(state, payload, mode, before),
                             min(target.timeout_s, 30.0) if lost else 0.0, every=0.5)


def write(target: Target, payload: Payload, mode: str) -> GraphLoad:
    """Replace (mode "replace") or extend ("append") one graph; return what the store holds.

    Raises LoadError / EndpointError (AuthenticationError) naming what the graph holds after a
    failure, LoadInterrupted on Ctrl-C or SIGTERM (staging graph removed, state in the message).
    """
    before = _state(target, payload)
    if before is None:  # read again to raise the store's own error
        target.count(payload.graph)
    staging = None
    left = ""  # what stayed behind after a write that was made
    try:
        if target.oxigraph or (mode == "replace" and payload.triples == 0):
            if target.oxigraph and mode == "replace":
                target.put(payload.graph, payload)
            elif target.oxigraph:
                target.post(payload.graph, payload)
            else:
                target.operate("clear-graph.ru", graph=payload.graph)
        else:
            staging = staging_name(payload.graph)
            try:
                target.post(staging, payload)
            except AuthenticationError:
                staging = None  # refused before a triple was written: there is nothing to remove
                raise
            staged = target.count(staging)
            if not payload.matches(staged):
                raise LoadError(f"{target.endpoint.shown()}: staging graph <{staging}> holds {staged} triples, "
                                f"{payload.triples} were sent from {payload.label}")
            changed = _changed(target, payload, staging, staged) if mode == "replace" else None
            if changed is not None and 2 * changed <= staged:
                if changed:  # a reload of the same triples writes nothing
                    target.operate("replace-graph-by-difference.ru", size=payload.size, staging=staging,
                                   target=payload.graph)
                    # two loads' differences computed at once both apply on Virtuoso (a mixture of
                    # the two edits, seen): a graph not now equal to the staged one gets the MOVE
                    if _changed(target, payload, staging, staged):
                        target.operate("move-graph.ru", size=payload.size, staging=staging, target=payload.graph)
                # the graph is replaced; a staging graph the store cannot remove now is named,
                # and a load once it is stale removes it
                left = _left_behind(staging, target.drop_quietly(staging))
            elif mode == "replace":
                target.operate("move-graph.ru", size=payload.size, staging=staging, target=payload.graph)
            else:
                target.operate("add-graph.ru", size=payload.size, staging=staging, target=payload.graph)
    except BaseException as exc:  # Ctrl-C included: find out what happened and clean up
        return _after_failure(target, payload, mode, before, staging, exc)
    return _verified(target, payload, mode, before, left)


def _left_behind(staging: str, why_not: str | None) -> str:
    """What the report says of a staging graph drop_quietly could not remove ("" when it did).

    A load sooner than STALE_AFTER_S takes it for another load's, still running (see
    clean_left_overs), so the report names the first load that removes it."""
    return (f"the staging graph <{staging}> could not be removed ({why_not}): a load {STALE_AFTER_S // 60} min "
            f"or more after this one removes it" if why_not else "")


def _changed(target: Target, payload: Payload, staging: str, staged: int) -> int:
    """How many triples a replace of the payload's graph by staging (staged triples) adds and removes.

    When that is at most half the staged triples, the replace writes only the difference
    (replace-graph-by-difference.ru), or nothing when nothing differs: on Virtuoso that update
    took 1.0-1.8 s for one line in 100 of a million triples changed, against 8.3 s for a MOVE
    of a million triples into an empty graph. Otherwise one MOVE (move-graph.ru): per triple
    written it costs less, and Virtuoso holds less of it in its transaction (an update adding a
    million triples went over Debian's TransactionAfterImageLimit, a MOVE of as many did not).
    Raises EndpointError.
    """
    # the graph is counted again: another load may have replaced it since this one began
    before, shared = target.count(payload.graph), staged - target.added(staging, payload.graph, payload.size)
    return (staged - shared) + (before - shared)  # triples to add, triples to remove


#: how long a replace's read-back waits for a graph another load is updating to settle
SETTLE_S = 10.0


def _verified(target: Target, payload: Payload, mode: str, before: _State, note: str = "") -> GraphLoad:
    after = _state(target, payload)
    if mode == "replace":
        # a replaced graph holding the payload's probes but not its count is read again: a
        # Virtuoso reader sees another load's update of the same graph half-applied (a test read
        # 2,013 triples of two 2,000-triple edits), and the count then settles to one load's
        after = _read_again_while(target, payload, after,
                                  lambda state: state is not None and state.ours and not payload.matches(state.count),
                                  min(target.timeout_s, SETTLE_S), every=0.25)
    if after is None:
        raise EndpointError(f"{target.endpoint.shown()}: the store accepted {payload.label} into <{payload.graph}> "
                            "but no longer answers, so the result could not be checked")
    if mode == "append":
        return GraphLoad(payload.graph, payload.triples, after.count - before.count, "added", note, payload.label)
    if after.ours and payload.matches(after.count):
        return GraphLoad(payload.graph, payload.triples, after.count, "verified", note, payload.label)
    if not after.ours:
        return GraphLoad(payload.graph, payload.triples, after.count, "superseded",
                         f"the store replaced the graph, then another writer replaced it again: "
                         f"it now holds {after.count} triples that are not these", payload.label)
    raise LoadError(f"{target.endpoint.shown()}: the store accepted {payload.label} but <{payload.graph}> holds "
                    f"{after.count} triples, {payload.triples} were sent")


def _after_failure(target: Target, payload: Payload, mode: str, before: _State, staging: str | None,
                   exc: BaseException) -> GraphLoad:
    """Report a failed write truthfully: what the target holds now, and the staging graph removed."""
    state = _settle(target, payload, mode, before, exc)
    left = ""
    why_not = target.drop_quietly(staging) if staging else None
    if why_not:
        left = "; " + _left_behind(staging, why_not)
    if _is_new(state, payload, mode, before):
        note = f"{_what_came_back(exc)}; reading the store shows the change made"
        if mode == "replace" and _is_new(before, payload, mode, before):
            note = f"{_what_came_back(exc)}; the graph holds these triples, as it did before"
        if isinstance(exc, KeyboardInterrupt):
            raise LoadInterrupted(f"interrupted after <{payload.graph}> was {'replaced' if mode == 'replace' else 'extended'}: "
                                  f"it holds {state.count} triples{left}") from None
        return _verified(target, payload, mode, before, note + left)
    if state is None:
        now = "the store does not answer, so what <{g}> holds is unknown".format(g=payload.graph)
    elif state.count == before.count and state.ours == before.ours:
        now = f"<{payload.graph}> is unchanged ({state.count} triple{'' if state.count == 1 else 's'})"
    else:
        now = f"<{payload.graph}> now holds {state.count} triples (before: {before.count}; sent: {payload.triples})"
    if isinstance(exc, KeyboardInterrupt):
        raise LoadInterrupted(f"interrupted while loading {payload.label}: {now}{left}") from None
    message = f"{exc}; {now}{left}"
    if isinstance(exc, EndpointError):
        error = type(exc)(message, status=exc.status)
    elif isinstance(exc, LoadError):
        error = LoadError(message)
    else:
        raise exc
    error.state = now + left  # what the graph holds, for a caller that words the error its own way
    raise error from None


def clean_left_overs(target: Target, prefixes: list[str]) -> list[str]:
    """Remove staging graphs earlier loads left under the prefixes; return one line per graph found.

    A staging graph younger than STALE_AFTER_S may belong to a load still running: it is
    reported, not removed. Raises EndpointError when the store cannot be listed.
    """
    lines = []
    for graph in target.staging_graphs(prefixes):
        age = staging_age_s(graph)
        if age is not None and age < STALE_AFTER_S:
            lines.append(f"left in place: staging graph <{graph}> ({age / 60:.0f} min old) may belong to a load "
                         f"still running; a load after {STALE_AFTER_S // 60} min removes it")
        elif (why_not := target.drop_quietly(graph)) is None:
            lines.append(f"removed the staging graph <{graph}> an earlier load left behind")
        else:
            lines.append(f"could not remove the staging graph <{graph}> an earlier load left behind ({why_not})")
    return lines

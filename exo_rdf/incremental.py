"""Incremental validation of a workspace: after files change, re-check only the focus nodes they can affect.

What a focus node F's results depend on, for the SHACL subset the compiled engine accepts
(``exo_rdf.shacl.check_supported``): F's own triples (its types and its values on every path),
the rdfs:subClassOf hierarchy, the rdf:type triples of F's values on a path with sh:class, and
the triples of F's values on the first step of a sequence path (``( exo:inSection
exo:ofReview )``). Value checks (datatype, pattern, sh:in, bounds, sh:node) look at the value
alone. So when the triples ``delta`` (those one changed file's graph gained or lost) change:

- every subject of a triple in delta is affected;
- a node with an sh:class path predicate pointing at a subject whose rdf:type changed is affected;
- a node with a sequence path's first predicate pointing at any subject of delta is affected;
- a change to rdfs:subClassOf can move any node in or out of a target: everything is re-checked.

The delta comes from the workspace's sync (``deltas=True``), which compares each changed file
with its graph anyway (exo_rdf.workspace_load); a graph too large to compare means a full run.
A triple removed from one graph but still stated in another is still in the union the shapes see:
counting it as changed only adds nodes, never misses one. A node whose link to a changed node
went away is a subject of delta itself.

The affected nodes are re-checked on a small in-memory store holding exactly what their results
depend on: their triples, their values' triples, and the subclass chains above every type seen,
so the compiled queries answer for them what they answer on the whole workspace. Their results
replace theirs in the previous run's results (``validation-results.json`` in the workspace,
keyed by focus node), which are used only when the workspace holds exactly the files (by path,
size, modification time and SHA-256) that run saw; otherwise the run is a full one.

A full run of a workspace works the same way (check_in_batches): every focus node, streamed
from the store's type index, is checked on the neighbourhood of its batch. Reading a term from
the on-disk store costs a lookup of its text, so the store is read once, in the order of its
indexes, and never joined whole: the time grows with the triples, and memory with the batch.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import WorkspaceError
from exo_rdf.query import with_values_rows
from exo_rdf.shacl import RDF, RDFS, SH, ShapesModel, check_store, compiled_query
from exo_rdf.shacl_literals import check_exact
from exo_rdf.workspace_load import MAX_DIFF

RESULTS = "validation-results.json"
#: above this many affected nodes a full run is made instead: it streams the focus nodes, where an
#: incremental run holds the affected ones (and the change) in memory
MAX_AFFECTED = 200_000
#: focus nodes checked together on one in-memory neighbourhood: about 20 triples each with their
#: values', so a batch holds about 0.3 GB however large the store
BATCH = 20_000
FORMAT = 1
TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")


@dataclass
class Run:
    """What validate_workspace did: ``report`` (ValidationReport), ``mode`` ("full" or
    "incremental"), ``reason`` (why a full run), ``affected`` (focus nodes re-checked; None: all),
    ``delta`` (triples the changed graphs gained or lost), ``changes`` (the workspace's Changes),
    ``seconds`` (wall time per step: read, sync, delta, check, save)."""

    report: object
    mode: str
    reason: str = ""
    affected: set | None = None
    delta: int = 0
    changes: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)

    def summary(self) -> str:
        """One line for people: what was re-checked, and why everything when it was."""
        if self.mode == "full":
            return f"exo-rdf: validated every node ({self.reason})"
        return (f"exo-rdf: re-checked {len(self.affected)} node(s) that {self.delta} changed triple(s) of "
                f"{len(self.changes)} changed file(s) can affect; kept the other results of the previous run")


def reaching_predicates(model: ShapesModel) -> tuple[set, set]:
    """The path predicates along which a focus node's results read its values' own triples.

    Return (class predicates: those of property shapes with sh:class, whose values' rdf:type is
    read; step predicates: the first predicate of each sequence path, whose values' every
    triple may be read), over the property shapes and the sh:or alternatives.
    """
    shapes = list(model.properties) + [ps for *_, alternatives in model.ors for alt in alternatives for ps in alt]
    classes = {p for ps in shapes if SH + "class" in ps.constraints for p in ps.predicates}
    steps = {ps.sequence[0] for ps in shapes if ps.sequence}
    return classes, steps


def affected_nodes(store: ox.Store, model: ShapesModel, delta) -> set | None:
    """The focus nodes whose results the changed triples delta (Triples or Quads) can change.

    store holds the data after the change (its union of graphs is what the shapes see).
    Return None when delta touches rdfs:subClassOf, which can change any node's targets.
    """
    subjects, typed = set(), set()
    for t in delta:
        if t.predicate == SUBCLASS:
            return None
        subjects.add(t.subject)
        if t.predicate == TYPE:
            typed.add(t.subject)
    classes, steps = reaching_predicates(model)
    affected = set(subjects)
    for node in subjects:
        wanted = steps | classes if node in typed else steps
        if not wanted:
            continue
        for q in store.quads_for_pattern(None, None, node, None):
            if q.predicate in wanted:
                affected.add(q.subject)
    return affected


def neighbourhood(store: ox.Store, nodes) -> ox.Store:
    """An in-memory store with what the shapes read about nodes: their triples, their values'
    triples, and every rdfs:subClassOf chain above the types these name (in the default graph)."""
    sub = ox.Store()
    named = set()  # the objects of rdf:type and rdfs:subClassOf: where the subclass chains start
    pending: list = []  # added a few thousand at a time: one call per node costs a tenth of the run

    def take(subject) -> list:
        found = [ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(subject, None, None, None)]
        pending.extend(found)
        if len(pending) >= 10_000:
            sub.extend(pending)
            pending.clear()
        named.update(q.object for q in found if q.predicate in (TYPE, SUBCLASS))
        return found

    nodes = set(nodes)
    values = set()
    for node in nodes:
        values.update(q.object for q in take(node) if not isinstance(q.object, ox.Literal))
    for value in values - nodes:
        take(value)
    sub.extend(pending)
    todo, seen = named, set()
    while todo:
        cls = todo.pop()
        if cls in seen or isinstance(cls, ox.Literal):
            continue
        seen.add(cls)
        chain = [ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(cls, SUBCLASS, None, None)]
        sub.extend(chain)
        todo.update(q.object for q in chain)
    return sub


def result_key(v) -> tuple:
    """What tells one result from another: two property shapes that are blank nodes differ by
    their message, as a result names no blank shape."""
    return v.focus, v.path, v.component, v.severity, v.message, v.value, v.shape


def check_nodes(store: ox.Store, model: ShapesModel, nodes, *, root, batch: int | None = None, checking=None) -> list:
    """The validation results (Violations) of the focus nodes nodes, computed batch nodes at a
    time (default BATCH) on their neighbourhood in memory.

    nodes is any iterable of terms (it is read once, as a stream); a node that comes more than
    once is checked again, and its results are kept once (result_key). checking: a Progress
    counting the nodes checked. Raises what the store's queries raise.
    """
    results: dict[tuple, object] = {}
    chunk: list = []

    def check() -> None:
        keys = {n.value for n in chunk}
        for v in check_store(neighbourhood(store, chunk), model, root=root).violations:
            if v.focus in keys:
                results.setdefault(result_key(v), v)
        if checking is not None:
            checking.add(len(chunk))
        chunk.clear()

    for node in nodes:
        chunk.append(node)
        if len(chunk) >= (batch or BATCH):
            check()
    if chunk:
        check()
    return list(results.values())


# -- a full run in batches of focus nodes ----------------------------------------------------

def target_classes(store: ox.Store, model: ShapesModel) -> list:
    """Every class whose instances are focus nodes: the shapes' target classes and, through
    rdfs:subClassOf as the store states it, all their subclasses (in a stable order)."""
    todo = sorted({t for ps in model.properties for t in ps.targets} | {t for _, targets, *_ in model.ors for t in targets},
                  key=str)
    seen: dict = {}
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen[cls] = None
        todo.extend(sorted((q.subject for q in store.quads_for_pattern(None, SUBCLASS, cls, None)), key=str))
    return list(seen)


def focus_nodes(store: ox.Store, classes: list):
    """The instances of classes (the focus nodes of a full run), streamed from the store's type
    index, so that no set of every node is held. A node typed with several of classes, or typed
    in several graphs, may come more than once: checking it again gives the same results."""
    for cls in classes:
        previous = None
        for q in store.quads_for_pattern(None, TYPE, cls, None):
            if q.subject != previous:  # the same typing stated in several graphs comes in a row
                previous = q.subject
                yield q.subject


def check_in_batches(store: ox.Store, model: ShapesModel, *, root, batch: int | None = None, progress: bool | None = False,
                     location: Path | None = None, workers: int = 1):
    """Validate every focus node of store, batch focus nodes at a time, each batch on its
    neighbourhood in memory (see the module: the same results a run on the whole store gives).

    Memory is bounded by the batch, not the store, and the store is read in the order of its
    indexes: on an on-disk store larger than the machine's page cache this is what keeps a
    full run practical. Reading the on-disk store is what takes the time, and it holds the GIL,
    so with workers > 1 and the store's folder given (location) the batches are shared out: the
    k-th of every workers batches is checked by the k-th process (this one the first), each with
    the store opened read-only. Returns a ValidationReport; raises what the store's queries
    raise, and ValidationEngineError when a worker process fails.
    """
    from exo_rdf.progress import Progress
    from exo_rdf.validate import ValidationReport

    classes = target_classes(store, model)
    # for the progress bar only: a class that is a blank node (a class expression made a subclass)
    # cannot be bound in VALUES, and its instances are not counted
    named = [(c,) for c in classes if isinstance(c, ox.NamedNode)]
    counted = store.query(with_values_rows(compiled_query(root, "instances-count"), ["targetClass"], named),
                          use_default_graph_as_union=True)
    total = int(next(iter(counted))["count"].value) if named else 0
    checking = Progress("validate: checking", total, unit="focus nodes", enabled=progress)
    if workers <= 1 or location is None:
        violations = check_nodes(store, model, focus_nodes(store, classes), root=root, batch=batch, checking=checking)
    else:
        violations = _check_shared(store, model, classes, root=root, batch=batch or BATCH, checking=checking,
                                   location=location, workers=workers)
    checking.finish()
    return ValidationReport(not violations, violations, None)


def _share(nodes, batch: int, share: int, shares: int):
    """The nodes of every shares-th batch of nodes, from the share-th on (counting from 0)."""
    for i, node in enumerate(nodes):
        if (i // batch) % shares == share:
            yield node


def _check_one_share(job: dict, out) -> None:
    """In a worker process: check the job's share of the batches on the store opened read-only,
    writing ("checked", n) after each batch and then ("done", results) or ("failed", why) to out
    as pickles."""
    import pickle

    class Checked:  # a Progress-like counter that tells the parent
        def add(self, amount: int) -> None:
            pickle.dump(("checked", amount), out)
            out.flush()

    try:
        store = ox.Store.read_only(job["location"])
        nodes = _share(focus_nodes(store, job["classes"]), job["batch"], job["share"], job["shares"])
        found = check_nodes(store, job["model"], nodes, root=Path(job["root"]), batch=job["batch"], checking=Checked())
        pickle.dump(("done", found), out)
    except Exception as exc:  # the parent reports it as one error, never a traceback from here
        pickle.dump(("failed", f"{type(exc).__name__}: {exc}"), out)
    out.flush()


class _Worker:
    """A process of its own (``python -m exo_rdf.incremental``, not a fork: this process runs
    threads, and multiprocessing would run the caller's main script again) checking one share;
    a thread here reads what it writes."""

    def __init__(self, job: dict, counted):
        import pickle
        import subprocess
        import sys
        import threading

        self.results, self.failure = None, None
        # the child imports this very package, also where it is not installed but put on sys.path
        here = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen([sys.executable, "-m", "exo_rdf.incremental"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        try:
            pickle.dump(job, self.process.stdin)
            self.process.stdin.close()
        except OSError:  # it ended before reading its job: the reader below finds it ended without results
            pass

        def read() -> None:
            try:
                while True:
                    kind, value = pickle.load(self.process.stdout)
                    if kind == "checked":
                        counted(value)
                    elif kind == "done":
                        self.results = value
                        return
                    else:
                        self.failure = value
                        return
            except (EOFError, pickle.UnpicklingError, OSError):
                self.failure = f"it ended without its results (exit {self.process.wait()})"

        self.reader = threading.Thread(target=read, name="exo-rdf validation worker", daemon=True)
        self.reader.start()

    def wait(self) -> tuple[list | None, str | None]:
        self.reader.join()
        self.process.wait()
        return self.results, self.failure

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _check_shared(store, model, classes, *, root, batch: int, checking, location: Path, workers: int) -> list:
    """check_nodes over every focus node, the batches shared out between this process and
    workers - 1 worker processes. Raises ValidationEngineError when a worker fails."""
    import threading

    from exo_rdf.errors import ValidationEngineError

    lock = threading.Lock()
    done = [0]

    def counted(amount: int) -> None:
        with lock:
            done[0] += amount
            checking.set(done[0])

    class Mine:  # this process's own batches, counted with the workers'
        add = staticmethod(counted)

    job = {"location": str(location), "model": model, "classes": classes, "root": str(root), "batch": batch, "shares": workers}
    others = []
    try:
        others = [_Worker({**job, "share": share}, counted) for share in range(1, workers)]
        mine = _share(focus_nodes(store, classes), batch, 0, workers)
        results = {result_key(v): v for v in check_nodes(store, model, mine, root=root, batch=batch, checking=Mine())}
        for other in others:
            found, failure = other.wait()
            if failure:
                raise ValidationEngineError(f"{location}: a process checking part of the focus nodes failed ({failure})")
            for v in found:
                results.setdefault(result_key(v), v)
    finally:  # on an error or Ctrl-C here, the workers stop too
        for other in others:
            other.stop()
    return list(results.values())


# -- the results file ------------------------------------------------------------------------

def _state(ws) -> dict:
    """The files a workspace holds as a results file records them: path -> size, mtime, SHA-256."""
    return {p: [e["size"], e["mtime_ns"], e["sha256"], e["graph"]] for p, e in sorted(ws.manifest["files"].items())}


def _row(v) -> list:
    return [v.path, v.component, v.severity, v.message, v.value, v.shape]


def save_results(ws, violations: list) -> None:
    """Write the results of the workspace's current state to its results file (atomically).

    Raises WorkspaceError when the file cannot be written.
    """
    from exo_rdf.files import write_atomic
    from exo_rdf.sources import os_reason

    by_focus: dict[str, list] = {}
    for v in sorted(violations, key=lambda v: (v.focus, v.path or "", v.component, v.value or "")):
        by_focus.setdefault(v.focus, []).append(_row(v))
    doc = {"format": FORMAT, "files": _state(ws), "results": by_focus}
    try:
        write_atomic(ws.folder / RESULTS, json.dumps(doc, ensure_ascii=False))
    except OSError as exc:
        raise WorkspaceError(f"{ws.folder / RESULTS}: cannot be written ({os_reason(exc)}); "
                             "check the free space and permissions") from None


def load_results(ws) -> tuple[dict | None, str]:
    """The previous run's results by focus node if they belong to the workspace as it is, else
    (None, why not). A missing or unreadable file only means a full run."""
    path = ws.folder / RESULTS
    if not path.is_file():
        return None, "no previous results"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT or not isinstance(doc.get("results"), dict):
            return None, "previous results in another format"
    except (OSError, ValueError, AttributeError):
        return None, "previous results unreadable"
    if doc.get("files") != _state(ws):
        return None, "the workspace changed since the previous results"
    return doc["results"], ""


def forget_results(ws) -> None:
    """Remove the results file: the workspace is about to change without them being kept."""
    (ws.folder / RESULTS).unlink(missing_ok=True)


def _violations(results: dict) -> list:
    from exo_rdf.validate import Violation

    return [Violation(focus, *row) for focus, rows in results.items() for row in rows]


# -- one run ---------------------------------------------------------------------------------

def validate_workspace(ws, paths=None, *, progress: bool | None = False, max_affected: int = MAX_AFFECTED) -> Run:
    """Sync the workspace to paths (None: leave its files), then validate it incrementally.

    Only the focus nodes the changed files can affect are re-checked (see the module); the
    report is the previous results with theirs replaced, the same as ws.validate() would give.
    Without usable previous results (first run, files changed outside an incremental run,
    context or shapes changed, subclass links changed, more than max_affected nodes affected)
    every node is checked. The results are saved for the next run. Raises what Workspace.sync and Workspace.validate raise, and
    WorkspaceError when the results file cannot be written.
    """
    from exo_rdf.validate import ValidationReport

    seconds, clock = {}, time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = seconds.get(step, 0.0) + now - clock
        clock = now

    previous, reason = load_results(ws)
    lap("read")
    changes = []
    if paths is not None:
        forget_results(ws)  # the workspace is about to change: stale results must never be taken for current
        changes = ws.sync(paths, progress=progress, deltas=previous is not None)
    lap("sync")
    model = ws.shapes_model()
    delta = set()
    if previous is not None:
        for change in changes:
            if change.delta is None:
                previous, reason = None, f"{change.path}: too many triples to compare (more than {MAX_DIFF})"
                break
            delta |= change.delta
    affected = None
    if previous is not None:
        affected = affected_nodes(ws.store, model, delta)
        if affected is None:
            reason = "subclass links changed"
        elif len(affected) > max_affected:
            affected, reason = None, f"{len(affected)} nodes affected, more than {max_affected}"
    lap("delta")
    if affected is None:
        report = ws.validate(progress=progress)
        lap("check")
        save_results(ws, report.violations)
        lap("save")
        return Run(report, "full", reason, None, len(delta), changes, seconds)
    # the files an earlier run scanned are unchanged: only the changed ones can hold misjudged literals
    check_exact(model, [change.path for change in changes])
    keys = {n.value for n in affected}
    kept = {f: rows for f, rows in previous.items() if f not in keys}
    violations = _violations(kept) + check_nodes(ws.store, model, affected, root=ws.root)
    lap("check")
    save_results(ws, violations)
    lap("save")
    report = ValidationReport(not violations, violations, None, ws.sources("data"))
    return Run(report, "incremental", "", affected, len(delta), changes, seconds)


if __name__ == "__main__":  # a worker process of check_in_batches: its job on stdin, its results on stdout
    import pickle
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    _check_one_share(pickle.load(sys.stdin.buffer), sys.stdout.buffer)

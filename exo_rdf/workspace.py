"""An on-disk workspace: a curator's RDF files and the project context in a RocksDB store, kept in sync.

A workspace folder holds ``store/`` (a pyoxigraph on-disk store) and ``manifest.json`` (written
atomically): per file its path, size, mtime, SHA-256, named graph and triple count. Each file is
one named graph (``exo_rdf.sources.graph_iri``: ``…/graph/user/<name>`` for a file outside the
project); the context validation needs (ontology, imports, reviews, shared entities, shapes) is
loaded once, into the graphs the embedded store uses, and reloaded only when it changes.

Loading streams: ``Store.bulk_load`` reads the file through a small reader that counts bytes
(progress with an ETA) and hashes them, so no file is ever held in memory. A changed file is
reloaded by difference (exo_rdf.workspace_load: only the triples that went are removed, only the
new ones added), unless it has blank nodes or more than MAX_DIFF triples: then its graph is
emptied and the file bulk-loaded again. A change (add(),
sync()) is all or nothing: it starts with a RocksDB checkpoint of the store (hard links, no
copy) and the manifest beside it; a file that does not parse, Ctrl-C, or a crash puts both back
(a checkpoint found when the workspace is opened means a change was killed half-way). One
process at a time opens a workspace for writing (the file ``lock``); another is refused. The
lock, the manifest file and the checkpoint are in exo_rdf.workspace_checkpoint.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import SourceError, WorkspaceError
from exo_rdf.sources import SourceFile, discover, graph_iri, os_reason, project_root, rdf_format, user_sources
from exo_rdf.workspace_load import MAX_DIFF, apply, difference, file_sha256, graph_triples, parse_triples, read_file
# MANIFEST, FORMAT, CHECKPOINT, LOCK and write_json_atomic are importable from here as before they moved
from exo_rdf.workspace_checkpoint import (CHECKPOINT, FORMAT, LOCK, MANIFEST, checkpoint,  # noqa: F401
                                          discard_checkpoint, has_checkpoint, open_store, restore, take_lock,
                                          write_json_atomic, write_manifest)


@dataclass(frozen=True)
class Change:
    """One file the last add()/sync() loaded or removed: status is "new", "changed" or "removed";
    delta (asked for with deltas=True): the Triples its graph gained or lost, None when not known
    (not asked for, or a graph of more than MAX_DIFF triples)."""

    path: str
    graph: str
    status: str
    delta: frozenset | None = field(default=None, compare=False, repr=False)


def physical_memory() -> int:
    """The machine's memory in bytes (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def context_files(root: Path) -> list[SourceFile]:
    """The project context a workspace holds: ontology, imports, reviews, shared entities and shapes."""
    from exo_rdf.validate import context_sources

    return context_sources(root) + discover(root, ("shapes",))


def _holds_what_was_loaded(entry: dict, path: Path, st: os.stat_result) -> bool:
    """Whether the file at path (st: its stat) holds the bytes its manifest entry recorded: same
    size and modification time, else the same SHA-256. Raises OSError."""
    if (entry["size"], entry["mtime_ns"]) == (st.st_size, st.st_mtime_ns):
        return True
    return file_sha256(path) == entry["sha256"]


class Workspace:
    """An open workspace: ``store`` (pyoxigraph Store), ``manifest`` (dict), ``changed`` (the
    Changes of the last add()/sync()), ``folder`` and ``root`` (the project root of the context)."""

    def __init__(self, folder: Path, store: ox.Store, manifest: dict, root: Path, read_only: bool, lock=None):
        self.folder, self.store, self.manifest, self.root = folder, store, manifest, root
        self.read_only, self._lock = read_only, lock
        self.changed: list[Change] = []

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, folder, *, root=None, progress: bool | None = False) -> Workspace:
        """Open the workspace in folder, creating it (and loading the context) when absent."""
        return cls.open(folder, root=root, create=True, progress=progress)

    @classmethod
    def open(cls, folder, *, root=None, create: bool = False, read_only: bool = False,
             progress: bool | None = False) -> Workspace:
        """Open the workspace in folder; with create, make it when the folder holds none.

        A writable open undoes a change that was killed half-way (its checkpoint) and reloads
        the context files that changed. Raises WorkspaceError when there is no workspace (and
        not create), it is damaged, another process has it open for writing, or (read_only) it
        is in the middle of a change; SourceError when a context file does not parse.
        """
        from exo_rdf.arguments import as_path, as_root

        folder = as_path(folder, "folder")
        root = as_root(root) or project_root()
        lock = None
        if not read_only and (create or (folder / MANIFEST).is_file()):
            folder.mkdir(parents=True, exist_ok=True)
            lock = take_lock(folder)  # before the manifest is read: another process's change could make it stale
        try:
            manifest, store = open_store(folder, create, read_only)
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        ws = cls(folder, store, manifest, root, read_only, lock)
        del store  # the workspace holds the only reference: _restore() must be able to close it
        if not read_only:
            try:
                ws._recover()
                ws._apply(context_files(root), "context", remove_others=True, progress=progress)
            except BaseException:
                ws.close()  # now: a traceback kept by the caller would hold the locks
                raise
        return ws

    # -- reading -------------------------------------------------------------------------------

    def files(self, kind: str = "data") -> dict[str, dict]:
        """The manifest's entries of one kind ("data": the user's files, "context"), by absolute path."""
        return {p: e for p, e in self.manifest["files"].items() if e["kind"] == kind}

    def sources(self, kind: str = "data") -> list[SourceFile]:
        """The workspace's files of one kind as SourceFiles, in path order."""
        return [SourceFile(Path(p), kind, e["graph"]) for p, e in sorted(self.files(kind).items())]

    def graphs(self) -> list[ox.NamedNode]:
        """Every named graph the workspace holds (context and data), in path order."""
        return [ox.NamedNode(e["graph"]) for _, e in sorted(self.manifest["files"].items())]

    def triples(self) -> int:
        """The number of triples in the workspace, from the manifest's counts."""
        return sum(e["triples"] for e in self.manifest["files"].values())

    def optimize(self) -> None:
        """Compact the store after big loads: later queries read fewer files (bulk loads leave many).

        Costs a pass over the store, so it is left to the caller (not run by add() or sync()).
        """
        if self.read_only:
            raise WorkspaceError(f"{self.folder}: opened read-only; open it writable to optimise it")
        self.store.optimize()

    def close(self) -> None:
        """Let go of the store (RocksDB's lock is released when the Store is freed) and of the workspace's lock."""
        self.store = None
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def shapes_model(self):
        """The shapes of the workspace's shapes graphs, read from the store (exo_rdf.shacl.ShapesModel).

        Raises ValidationEngineError when the shapes use a feature the compiled engine lacks.
        """
        from exo_rdf.shacl import ShapesModel, check_supported

        quads = [q for s in self.sources("context") if s.path.parent.name == "shapes"
                 for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(s.graph))]
        model = ShapesModel(quads)
        check_supported(model)
        return model

    def validate(self, *, progress: bool | None = False, batches: bool | None = None, workers: int | None = None):
        """Validate everything the workspace holds against its shapes; return a ValidationReport.

        Two ways, with the same results (tests/test_validate_in_batches.py). While the store fits
        in the page cache (batches=None: its files take at most half the machine's memory), the
        compiled queries run on the on-disk store itself, in little memory. Above that, their joins
        read the store out of order and slow down by orders of magnitude (at 100 M triples, a 30 GB
        store on 24 GB, one shape of 81 took 17 minutes), so the focus nodes are checked in
        batches instead, each on what its results depend on, copied into memory
        (exo_rdf.incremental.check_in_batches): the store is read once, in index order, and the
        memory is a batch's; the batches are shared out between workers processes (default: one
        per core, at most 4). batches=True or False forces one way.
        Raises ValidationEngineError for unsupported shapes and for data files holding literals the
        store keeps in a form the shapes misjudge (exo_rdf.shacl_literals), WorkspaceError when
        there are no shapes or a data file is no longer what was loaded (that check reads the files).
        """
        from exo_rdf.incremental import check_in_batches
        from exo_rdf.shacl import check_store
        from exo_rdf.shacl_literals import check_exact

        model = self.shapes_model()
        if not model.properties and not model.ors:
            raise WorkspaceError(f"{self.folder}: the workspace holds no shapes (no shapes/ in {self.root})")
        check_exact(model, self._as_loaded("data"))
        if batches is None:
            batches = self.checks_in_batches()
        if batches:
            report = check_in_batches(self.store, model, root=self.root, progress=progress,
                                      location=self.folder / "store", workers=workers or min(4, os.cpu_count() or 1))
        else:
            report = check_store(self.store, model, root=self.root, progress=progress)
        report.sources = self.sources("data")
        return report

    def store_bytes(self) -> int:
        """The size of the store's files on disk."""
        return sum(f.stat().st_size for f in (self.folder / "store").iterdir() if f.is_file())

    def checks_in_batches(self) -> bool:
        """Whether validate() checks in batches unless told: the store's files take more than
        half the machine's memory (or the system does not say how much it has)."""
        return self.store_bytes() > physical_memory() // 2

    def _as_loaded(self, kind: str) -> list[Path]:
        """The paths of the files of kind, each checked to hold the bytes the workspace loaded
        (same size and time, else same SHA-256). Raises WorkspaceError naming a file that changed
        or went since."""
        paths = []
        for key, entry in sorted(self.files(kind).items()):
            path = Path(key)
            try:
                same = _holds_what_was_loaded(entry, path, os.stat(path))
            except OSError as exc:
                raise WorkspaceError(f"{path}: cannot be read ({os_reason(exc)}), and the check of the literals the "
                                     "workspace loaded from it reads it; put it back, or give the workspace's files "
                                     f"again (exo-rdf validate --workspace {self.folder} FILE ...)") from None
            if not same:
                raise WorkspaceError(f"{path}: changed since the workspace loaded it, and the check of its literals "
                                     f"reads the file; give it again (exo-rdf validate --workspace {self.folder} FILE ...) "
                                     "to load what it holds now")
            paths.append(path)
        return paths

    def export(self, out, fmt: str) -> int:
        """Write every graph of the workspace to out ("-": standard output) in fmt, streaming; see
        exo_rdf.workspace_export.export_workspace. Raises OutputError."""
        from exo_rdf.workspace_export import export_workspace

        return export_workspace(self, out, fmt)

    # -- changing ------------------------------------------------------------------------------

    def add(self, paths, *, progress: bool | None = False, deltas: bool = False) -> list[Change]:
        """Load the given files that are new or changed (by SHA-256); other files stay.

        Return (and keep in ``changed``) what was loaded; with deltas, each Change carries the
        triples its graph gained or lost. Raises SourceError naming the file
        (and line) that cannot be read or parsed: that file's graph is as before, the files
        loaded before it in this call stay loaded; WorkspaceError for a read-only workspace or
        two files that share a graph.
        """
        return self._apply(self._sources(paths), "data", remove_others=False, progress=progress, deltas=deltas)

    def sync(self, paths, *, progress: bool | None = False, deltas: bool = False) -> list[Change]:
        """Make the workspace hold exactly the given files: load the new and changed, drop the others.

        Raises as add() does; files to drop are dropped only once every given file loaded.
        """
        return self._apply(self._sources(paths), "data", remove_others=True, progress=progress, deltas=deltas)

    def _sources(self, paths) -> list[SourceFile]:
        from exo_rdf.arguments import as_paths

        sources = user_sources(as_paths(paths, "paths") or [])
        seen: dict[str, Path] = {}
        for s in sources:
            if rdf_format(s.path) in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
                raise WorkspaceError(f"{s.path}: a workspace holds each file in a graph of its own; give triples "
                                     "(.ttl, .nt, .jsonld, .owl/.rdf), not quads (.nq, .trig)")
            other = seen.setdefault(s.graph, s.path)
            if other.resolve() != s.path.resolve():
                raise WorkspaceError(f"{s.path}: has the same graph ({s.graph}) as {other}; rename one of them")
        return sources

    def _apply(self, sources: list[SourceFile], kind: str, *, remove_others: bool, progress,
               deltas: bool = False) -> list[Change]:
        if self.read_only:
            raise WorkspaceError(f"{self.folder}: opened read-only; open it writable to change it")
        from exo_rdf.progress import Progress

        entries = self.files(kind)
        todo = []  # (source, status)
        for s in sources:
            key = str(s.path.resolve())
            entry = entries.get(key)
            try:
                st = os.stat(s.path)
            except OSError as exc:
                raise SourceError(f"{s.path}: cannot be read ({os_reason(exc)})", path=s.path) from None
            if entry and entry["size"] == st.st_size and entry["mtime_ns"] == st.st_mtime_ns and entry["graph"] == s.graph:
                continue  # untouched since it was loaded
            if entry is None:
                todo.append((s, "new"))
            elif entry["graph"] != s.graph or not _holds_what_was_loaded(entry, s.path, st):
                todo.append((s, "changed"))
            else:  # touched, same bytes
                entry.update(size=st.st_size, mtime_ns=st.st_mtime_ns, mtime=st.st_mtime)
        keep = {str(s.path.resolve()) for s in sources}
        drop = sorted(p for p in entries if p not in keep) if remove_others else []
        if not todo and not drop:
            self._write_manifest()
            self.changed = []
            return []
        bar = Progress(f"{self.folder.name}: loading", sum(os.path.getsize(s.path) for s, _ in todo), unit="MB",
                       enabled=progress)
        self._checkpoint()
        changes = []
        try:
            for s, status in todo:
                key = str(s.path.resolve())
                if status == "changed":
                    delta = self._reload(s, kind, bar, entries[key], deltas)
                else:
                    self._load(s, kind, bar)
                    new = graph_triples(self.store, ox.NamedNode(s.graph), MAX_DIFF) if deltas else None
                    delta = None if new is None else frozenset(new)
                changes.append(Change(key, s.graph, status, delta))
            for path in drop:
                entry = self.manifest["files"].pop(path)
                graph = ox.NamedNode(entry["graph"])
                old = graph_triples(self.store, graph, MAX_DIFF) if deltas else None
                self._clear(graph)
                changes.append(Change(path, entry["graph"], "removed", None if old is None else frozenset(old)))
            self.store.flush()
            self._write_manifest()
        except BaseException as exc:  # a bad file, Ctrl-C: back to the checkpoint
            import traceback

            traceback.clear_frames(exc.__traceback__)  # frames below hold the store, which must be let go of
            self._restore()
            raise
        self._discard_checkpoint()
        if todo:
            bar.finish()
        self.changed = changes
        return changes

    def _reload(self, source: SourceFile, kind: str, bar, entry: dict, deltas: bool) -> frozenset | None:
        """Reload a changed file: by difference when it can be compared (see the module), else by
        emptying its old graph and loading it whole. Return the triples its graph gained or lost
        (None unless deltas, or when more than MAX_DIFF). Raises as _load()."""
        graph = ox.NamedNode(source.graph)
        new = None
        if entry["graph"] == source.graph and entry["triples"] <= MAX_DIFF:
            st, new, digest = read_file(source, bar, parse_triples)
            bar = None  # its bytes are counted: a whole reload below reads them again
        old = graph_triples(self.store, ox.NamedNode(entry["graph"]), MAX_DIFF) if new is not None or deltas else None
        if new is not None and old is not None:
            removed, added = difference(old, new)
            apply(self.store, graph, removed, added)
            self._record(source, kind, st, digest, len(old) - len(removed) + len(added))
            return frozenset(removed | added)
        self._clear(ox.NamedNode(entry["graph"]))
        self._load(source, kind, bar)
        if old is None or not deltas:
            return None
        new = graph_triples(self.store, graph, MAX_DIFF)
        return None if new is None else frozenset(old ^ new)

    def _load(self, source: SourceFile, kind: str, bar=None) -> None:
        """Bulk-load one file into its (empty) graph and record it; raises SourceError naming file and line."""
        graph = ox.NamedNode(source.graph)
        st, _, digest = read_file(source, bar, lambda stream, fmt, base: self.store.bulk_load(
            stream, format=fmt, base_iri=base, to_graph=graph))
        self._record(source, kind, st, digest, self._count(graph))

    def _record(self, source: SourceFile, kind: str, st, digest: str, triples: int) -> None:
        self.manifest["files"][str(source.path.resolve())] = {
            "path": str(source.path), "kind": kind, "size": st.st_size, "mtime": st.st_mtime,
            "mtime_ns": st.st_mtime_ns, "sha256": digest, "graph": source.graph, "triples": triples}

    def _clear(self, graph: ox.NamedNode, batch: int = 10_000) -> None:
        """Remove every triple of graph, a batch at a time.

        Store.clear_graph holds the whole deletion in one transaction, whose memory grows with
        the graph (about 1.4 kB a triple), and is no faster (200 k triples: 9.2 s against 7.8 s
        batch by batch, 2026-11-24); removing batch by batch keeps memory flat.
        """
        while True:
            quads = [q for _, q in zip(range(batch), self.store.quads_for_pattern(None, None, None, graph))]
            if not quads:
                return
            for quad in quads:
                self.store.remove(quad)

    # -- the checkpoint: a change is all or nothing --------------------------------------------

    def _checkpoint(self) -> None:
        """Snapshot the store and the manifest before a change (workspace_checkpoint.checkpoint)."""
        checkpoint(self.folder, self.store, self.manifest)

    def _restore(self) -> None:
        """Put back the store and manifest of the checkpoint (a change failed or was killed)."""
        self.store = None  # frees RocksDB's lock on the store folder
        self.manifest, self.store = restore(self.folder)

    def _discard_checkpoint(self) -> None:
        discard_checkpoint(self.folder)

    def _recover(self) -> None:
        """A checkpoint left behind means a change was killed half-way: go back to it."""
        if has_checkpoint(self.folder):
            self._restore()
        else:
            self._discard_checkpoint()

    def _count(self, graph: ox.NamedNode) -> int:
        from exo_rdf.query import with_values_rows

        text = (self.root / "queries" / "store" / "count-graph.rq")
        query = with_values_rows(text.read_text(encoding="utf-8"), ["graph"], [(graph,)])
        return int(next(iter(self.store.query(query)))["triples"].value)

    def _write_manifest(self) -> None:
        write_manifest(self.folder, self.manifest)

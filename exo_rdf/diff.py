"""Semantic diff of two versions of exo-rdf: findings, terms and SSSOM mappings added, removed or changed.

A version is a release folder (exo-rdf.ttl or exo-rdf.owl, exo-rdf-data.ttl, exo-rdf.sssom.tsv), a
source tree (a folder holding ontology/, data/ and mappings/), one RDF file, or a git revision of
the project's repository (its ontology/, data/ and mappings/ are read with ``git archive`` into a
temporary folder). The statements are read with the stored queries ``queries/diff/*.rq``.

Each change is one row (category, change, kind, section, id, property, old, new):

- finding: added or removed (kind: its class, section: its review section), or changed, one row
  per property whose values differ (old and new: the values, sorted, joined by "; ");
- term (a named class or property): added, removed, obsoleted (owl:deprecated true), relabelled
  (old and new: the labels);
- mapping (an SSSOM row, by subject and object): added, removed, or changed predicate; property
  is the object, old and new the predicates.
"""
from __future__ import annotations

import csv
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curies import compress
from exo_rdf.errors import ArgumentError, SourceError
from exo_rdf.sources import project_root

COLUMNS = ("category", "change", "kind", "section", "id", "property", "old", "new")
OWL_DEPRECATED = "http://www.w3.org/2002/07/owl#deprecated"
NO_SECTION = "(no section)"
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".owl": ox.RdfFormat.RDF_XML, ".rdf": ox.RdfFormat.RDF_XML,
            ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}


@dataclass(frozen=True, order=True)
class Change:
    """One row of the diff; see the module docstring for what each column holds per category."""

    category: str
    change: str
    kind: str = ""
    section: str = ""
    id: str = ""
    property: str = ""
    old: str = ""
    new: str = ""


@dataclass
class Snapshot:
    """One version: its statements (all in the default graph) and its SSSOM rows."""

    store: ox.Store
    mappings: list[dict] = field(default_factory=list)


@dataclass
class DiffReport:
    """The changes from an old to a new version, sorted."""

    old: str
    new: str
    changes: list[Change]

    def tsv(self) -> str:
        """The changes as TSV with a header row (tabs and line breaks in cells become spaces)."""
        clean = lambda s: s.replace("\t", " ").replace("\n", " ")  # noqa: E731
        return "".join("\t".join(clean(c) for c in row) + "\n" for row in [COLUMNS] + [
            tuple(getattr(ch, c) for c in COLUMNS) for ch in self.changes])

    def markdown(self) -> str:
        """The changes for people: findings by kind and review section, then terms, then mappings."""
        lines = [f"# Changes from {self.old} to {self.new}", ""]
        for category, title in (("finding", "Findings"), ("term", "Terms"), ("mapping", "SSSOM mappings")):
            rows = [c for c in self.changes if c.category == category]
            counts = {}
            for c in rows:
                key = (c.id, c.change) if category == "finding" else (c.id, c.property, c.change)
                counts.setdefault(c.change, set()).add(key)
            summary = ", ".join(f"{len(v)} {k}" for k, v in sorted(counts.items())) or "no change"
            lines += [f"## {title}: {summary}", ""]
            heading = None
            for c in rows:
                if category == "finding" and (c.kind, c.section) != heading:
                    if lines[-1]:
                        lines.append("")
                    if heading is None or heading[0] != c.kind:
                        lines += [f"### {c.kind}", ""]
                    lines += [f"#### {c.section}", ""]
                    heading = (c.kind, c.section)
                lines.append("- " + _line(c))
            if rows:
                lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"


def _line(c: Change) -> str:
    if c.category == "finding":
        return f"{c.change} {c.id}" + (f": {c.property}: {c.old or '(none)'} → {c.new or '(none)'}" if c.change == "changed" else "")
    if c.category == "term":
        return f"{c.change} {c.id} ({c.kind})" + (f": {c.old or '(no label)'} → {c.new or '(no label)'}" if c.old != c.new else f": {c.new or c.old}")
    if c.change == "changed":
        return f"changed {c.id} → {c.property}: {c.old} → {c.new}"
    return f"{c.change} {c.id} {c.new or c.old} {c.property}"


def _show(term) -> str:
    return compress(term.value) if isinstance(term, ox.NamedNode) else term.value


def _rows(store: ox.Store, name: str):
    from exo_rdf.query import run_sparql

    text = (project_root() / "queries" / "diff" / f"{name}.rq").read_text(encoding="utf-8")
    return run_sparql(text, store=store).rows


def _findings(store: ox.Store) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for finding, kind, section, prop, value in _rows(store, "findings"):
        f = found.setdefault(_show(finding), {"kind": set(), "section": set(), "props": {}})
        f["kind"].add(_show(kind))
        if section is not None:
            f["section"].add(_show(section))
        f["props"].setdefault(_show(prop), set()).add(_show(value))
    return found


def _terms(store: ox.Store) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for term, kind, label, deprecated in _rows(store, "terms"):
        t = found.setdefault(_show(term), {"kind": set(), "label": set(), "deprecated": False})
        t["kind"].add(_show(kind))
        if label is not None:
            t["label"].add(label.value)
        t["deprecated"] |= deprecated is not None and deprecated.value in ("true", "1")
    return found


def diff_snapshots(old: Snapshot, new: Snapshot, old_name: str = "old", new_name: str = "new") -> DiffReport:
    """The changes from old to new (findings, terms, mappings)."""
    changes = []
    a, b = _findings(old.store), _findings(new.store)
    for fid in sorted(a.keys() | b.keys()):
        f = b.get(fid) or a[fid]
        kind, section = ", ".join(sorted(f["kind"])), ", ".join(sorted(f["section"])) or NO_SECTION
        if fid not in a or fid not in b:
            changes.append(Change("finding", "added" if fid in b else "removed", kind, section, fid))
            continue
        for prop in sorted(a[fid]["props"].keys() | b[fid]["props"].keys()):
            before, after = a[fid]["props"].get(prop, set()), b[fid]["props"].get(prop, set())
            if before != after:
                changes.append(Change("finding", "changed", kind, section, fid, prop, "; ".join(sorted(before)), "; ".join(sorted(after))))
    a, b = _terms(old.store), _terms(new.store)
    for tid in sorted(a.keys() | b.keys()):
        t = b.get(tid) or a[tid]
        kind = ", ".join(sorted(t["kind"]))
        before = "; ".join(sorted(a[tid]["label"])) if tid in a else ""
        after = "; ".join(sorted(b[tid]["label"])) if tid in b else ""
        if tid not in a or tid not in b:
            changes.append(Change("term", "added" if tid in b else "removed", kind, "", tid, "rdfs:label", before, after))
        elif b[tid]["deprecated"] and not a[tid]["deprecated"]:
            changes.append(Change("term", "obsoleted", kind, "", tid, "owl:deprecated", before, after))
        elif before != after:
            changes.append(Change("term", "relabelled", kind, "", tid, "rdfs:label", before, after))
    changes += _mapping_changes(old.mappings, new.mappings)
    # findings by kind, then section, then id; the others by id
    changes.sort(key=lambda c: (("finding", "term", "mapping").index(c.category), c.kind if c.category == "finding" else "",
                                c.section, c.id, c.property, c.change, c.old, c.new))
    return DiffReport(old_name, new_name, changes)


def _mapping_changes(old: list[dict], new: list[dict]) -> list[Change]:
    def keyed(rows):
        return {(r.get("subject_id") or f'"{r.get("subject_label", "")}"', r.get("object_id", "")): r.get("predicate_id", "")
                for r in rows}

    a, b = keyed(old), keyed(new)
    changes = []
    for key in sorted(a.keys() | b.keys()):
        subject, obj = key
        if key not in a or key not in b:
            changes.append(Change("mapping", "added" if key in b else "removed", "", "", subject, obj, a.get(key, ""), b.get(key, "")))
        elif a[key] != b[key]:
            changes.append(Change("mapping", "changed", "", "", subject, obj, a[key], b[key]))
    return changes


def read_sssom(text: str) -> list[dict]:
    """The rows of an SSSOM/TSV text (the # metadata lines skipped) as dicts of column -> cell."""
    body = "".join(line for line in io.StringIO(text) if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(body), delimiter="\t"))


def _store(quads) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(q.subject, q.predicate, q.object) for q in quads])
    return store


def _parse(data: bytes, fmt: ox.RdfFormat, name: str):
    try:
        return list(ox.parse(data, format=fmt))
    except SyntaxError as exc:
        raise SourceError(f"{name}: not valid RDF ({exc})", path=name) from None


def snapshot_of_files(files: dict[str, bytes]) -> Snapshot:
    """The snapshot of a release given as file name -> bytes (what exo_rdf.build writes)."""
    quads = []
    for name in ("exo-rdf.ttl", "exo-rdf-data.ttl"):
        if name in files:
            quads += _parse(files[name], ox.RdfFormat.TURTLE, name)
    if "exo-rdf.ttl" not in files and "exo-rdf.owl" in files:
        quads += _parse(files["exo-rdf.owl"], ox.RdfFormat.RDF_XML, "exo-rdf.owl")
    sssom = files.get("exo-rdf.sssom.tsv")
    return Snapshot(_store(quads), read_sssom(sssom.decode()) if sssom else [])


def _tree(root: Path) -> Snapshot:
    from exo_rdf.sources import discover, load_dataset

    quads = load_dataset(discover(root, ("ontology", "imports", "data")))
    sssom = root / "mappings" / "exo-rdf.sssom.tsv"
    return Snapshot(_store(quads), read_sssom(sssom.read_text(encoding="utf-8")) if sssom.is_file() else [])


def snapshot(version: str, *, repo: Path | None = None) -> Snapshot:
    """The snapshot of a release folder, source tree, RDF file or git revision of repo (default: the project).

    Raises ArgumentError when version is none of these; SourceError for a file that does not parse.
    """
    path = Path(version)
    if path.is_dir():
        if (path / "ontology").is_dir():
            return _tree(path)
        names = ("exo-rdf.ttl", "exo-rdf.owl", "exo-rdf-data.ttl", "exo-rdf.sssom.tsv")
        files = {n: (path / n).read_bytes() for n in names if (path / n).is_file()}
        if "exo-rdf.ttl" in files or "exo-rdf.owl" in files:
            return snapshot_of_files(files)
        raise ArgumentError(f"{version}: a folder with neither ontology/ (sources) nor exo-rdf.ttl (a release)")
    if path.is_file():
        fmt = _FORMATS.get(path.suffix)
        if fmt is None:
            raise ArgumentError(f"{version}: not an RDF file exo-rdf reads ({', '.join(_FORMATS)})")
        return Snapshot(_store(_parse(path.read_bytes(), fmt, version)))
    return _revision(version, repo or project_root())


def _revision(rev: str, repo: Path) -> Snapshot:
    """The source tree of a git revision, read with git archive into a temporary folder."""
    def git(*args) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
        except OSError:
            raise ArgumentError(f"{rev}: not a file or folder, and git is not installed to read it as a revision") from None

    if rev.startswith("-") or git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise ArgumentError(f"{rev}: not a file, folder or git revision of {repo}; give a release folder, "
                            "a source folder, an RDF file or a commit")
    listed = git("ls-tree", "--name-only", rev, "--", "ontology", "data", "mappings").stdout.decode().split()
    archive = git("archive", "--format=tar", rev, "--", *listed)
    if archive.returncode != 0:
        raise ArgumentError(f"{rev}: git archive failed ({archive.stderr.decode().strip()})")
    with tempfile.TemporaryDirectory(prefix="exo-rdf-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            # the "data" filter (Python 3.11.4+) refuses links and paths leaving the folder
            tar.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        return _tree(Path(tmp))


def diff(old: str, new: str, *, repo: Path | None = None) -> DiffReport:
    """The semantic diff between two versions (see snapshot for what a version may be).

    Raises ArgumentError for a version that is none of those, SourceError for one that does not parse.
    """
    return diff_snapshots(snapshot(old, repo=repo), snapshot(new, repo=repo), old, new)


def diff_releases(previous: Path, files: dict[str, bytes]) -> DiffReport:
    """The diff from the release in folder previous to the release given as file name -> bytes (release notes)."""
    old = snapshot(str(previous))
    version = lambda s: next((q.object.value for q in s.store.quads_for_pattern(  # noqa: E731
        None, ox.NamedNode("http://www.w3.org/2002/07/owl#versionIRI"), None)), "?")
    new = snapshot_of_files(files)
    return diff_snapshots(old, new, version(old), version(new))

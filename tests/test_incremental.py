"""Incremental validation of a workspace against full runs: a differential test on a synthetic set.

A seeded synthetic set (benchmarks/generate.py) is split into several files with an entity file
of their own; after each edit the incremental report must hold exactly the results a full run
on the same workspace gives.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.incremental import RESULTS, affected_nodes, validate_workspace
from exo_rdf.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SH = "http://www.w3.org/ns/shacl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ENTITY = f"<{EXOD}protein-SYNTHETIC1>"


def _generate():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


def keys(report) -> set[tuple]:
    return {(v.focus, v.path, v.component, v.value, v.severity) for v in report.violations}


def findings(lines: list[str]) -> dict[str, list[str]]:
    """N-Triples lines grouped by subject, in order."""
    out: dict[str, list[str]] = {}
    for line in lines:
        out.setdefault(line.split(" ", 1)[0], []).append(line)
    return out


class Set:
    """The synthetic set as files in a folder, edited as a curator would."""

    def __init__(self, folder: Path, parts: int = 4):
        source = folder / "all.nt"
        _generate()(3000, source, seed=7, error_rate=0.2)
        groups = list(findings(source.read_text(encoding="utf-8").splitlines()).values())
        source.unlink()
        source.with_suffix(".manifest.json").unlink()
        self.folder, self.tick = folder / "set", 0
        self.folder.mkdir()
        for i in range(parts):
            self.write(f"part-{i}.nt", [line for g in groups[i::parts] for line in g])
        # findings of part-3 point at an entity another file defines
        part = self.lines("part-3.nt")
        cargo = [l for l in part if f"<{EXO}cargo>" in l][:5]
        self.pointing = [l.split(" ", 1)[0] for l in cargo]
        self.write("part-3.nt", part + [f"{l.split(' ', 1)[0]} <{EXO}cargo> {ENTITY} ." for l in cargo])
        self.write("entities.nt", [f"{ENTITY} <{TYPE}> <{EXO}Protein> .",
                                   f'{ENTITY} <http://www.w3.org/2000/01/rdf-schema#label> "SYNTHETIC1" .'])

    def lines(self, name: str) -> list[str]:
        return (self.folder / name).read_text(encoding="utf-8").splitlines()

    def write(self, name: str, lines: list[str]) -> None:
        path = self.folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.tick += 1  # a distinct modification time, whatever the file system's clock resolution
        os.utime(path, ns=(10**18 + self.tick * 10**9, 10**18 + self.tick * 10**9))

    def paths(self) -> list[Path]:
        return sorted(self.folder.glob("*.nt"))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("incremental")
    data = Set(folder)
    ws = Workspace.create(folder / "ws")
    first = validate_workspace(ws, data.paths())
    yield data, ws, first
    ws.close()


def check(data: Set, ws: Workspace, paths=None):
    """Run incrementally, then a full validation of the same workspace; they must agree exactly."""
    run = validate_workspace(ws, data.paths() if paths is None else paths)
    full = ws.validate()
    assert run.mode == "incremental", run.reason
    assert keys(run.report) == keys(full)
    assert run.report.conforms == full.conforms
    return run, full


def test_first_run_is_full_and_finds_the_seeded_errors(synthetic):
    data, ws, first = synthetic
    assert first.mode == "full" and first.reason == "no previous results"
    assert (ws.folder / RESULTS).is_file()
    assert keys(first.report) == keys(ws.validate())
    assert len({v.focus for v in first.report.violations}) > 20  # the seeded errors are there to be kept


def test_edits_give_the_full_runs_results(synthetic):
    data, ws, _ = synthetic
    name = f"<{EXOD}finding-synthetic-99999999>"
    # add a valid finding (a copy of a valid biomarker of part-0 under a new name)
    before = keys(ws.validate())
    groups = findings(data.lines("part-0.nt"))
    focus, body = next((f, ls) for f, ls in groups.items()
                       if f"<{EXO}sensitivityMax>" in " ".join(ls) and f[1:-1] not in {k[0] for k in before})
    data.write("part-0.nt", data.lines("part-0.nt") + [l.replace(focus, name, 1) for l in body])
    run, full = check(data, ws)
    assert run.affected == {ox.NamedNode(name[1:-1])}
    assert keys(full) == before

    # delete a finding with a seeded error: its results go
    victim = next(k[0] for k in sorted(before) if f"<{k[0]}>" in findings(data.lines("part-1.nt")))
    data.write("part-1.nt", [l for l in data.lines("part-1.nt") if not l.startswith(f"<{victim}> ")])
    run, full = check(data, ws)
    assert victim not in {k[0] for k in keys(full)}

    # change a value to an invalid one, then fix it
    lines = data.lines("part-0.nt")
    i = next(i for i, l in enumerate(lines) if l.startswith(name + f" <{EXO}sensitivityMax>"))
    valid = lines[i]
    lines[i] = f'{name} <{EXO}sensitivityMax> "1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .'
    data.write("part-0.nt", lines)
    run, full = check(data, ws)
    assert (name[1:-1], EXO + "sensitivityMax", SH + "MaxInclusiveConstraintComponent", "1.5", "Violation") in keys(full)
    lines[i] = valid
    data.write("part-0.nt", lines)
    run, full = check(data, ws)
    assert not {k for k in keys(full) if k[0] == name[1:-1]}

    # the entity that part-3's findings point at stops being a molecule: they violate sh:class
    data.write("entities.nt", [l.replace(f"<{EXO}Protein>", f"<{EXO}ClinicalTrial>") for l in data.lines("entities.nt")])
    run, full = check(data, ws)
    pointing = {f[1:-1] for f in data.pointing}
    assert pointing <= {n.value for n in run.affected}
    assert {(f, EXO + "cargo", SH + "ClassConstraintComponent", ENTITY[1:-1], "Violation") for f in pointing} <= keys(full)

    # delete the entity file: the type goes, the sh:class violations stay
    run, full = check(data, ws, [p for p in data.paths() if p.name != "entities.nt"])
    assert {k for k in keys(full) if k[2] == SH + "ClassConstraintComponent" and k[0] in pointing}
    # delete a file of findings: its findings' results go
    gone = {f[1:-1] for f in findings(data.lines("part-2.nt"))}
    run, full = check(data, ws, [p for p in data.paths() if p.name not in ("entities.nt", "part-2.nt")])
    assert not {k for k in keys(full) if k[0] in gone}
    # and bring both back
    run, full = check(data, ws)
    assert {k for k in keys(full) if k[0] in gone}


def test_one_finding_changed_affects_that_finding_alone(synthetic):
    data, ws, _ = synthetic
    groups = findings(data.lines("part-1.nt"))
    focus = next(f for f, ls in groups.items() if f"<{EXO}statement>" in " ".join(ls))
    data.write("part-1.nt", [l.replace('Synthetic statement', 'Changed statement') if l.startswith(focus) else l
                             for l in data.lines("part-1.nt")])
    run, _ = check(data, ws)
    assert run.affected == {ox.NamedNode(focus[1:-1])}
    assert run.delta == 4  # exo:statement and prov:value, each one triple lost and one gained
    everything = [f for p in data.paths() for f in findings(data.lines(p.name))]
    assert len(everything) > 150  # one node re-checked of them all


def test_a_file_with_blank_nodes_changed_gives_the_full_runs_results(synthetic):
    data, ws, _ = synthetic
    focus = next(iter(findings(data.lines("part-0.nt"))))
    notes = data.folder / "notes.ttl"  # a note on a finding (a blank node) and a second exo:statement
    data.write("notes.ttl", [f'{focus} <{RDFS}comment> [ <{RDFS}label> "x" ] .', f'{focus} <{EXO}statement> "Another" .'])
    run, full = check(data, ws, data.paths() + [notes])
    mine = lambda: {k[2] for k in keys(full) if k[0] == focus[1:-1] and k[1] == EXO + "statement"}  # noqa: E731
    assert SH + "MaxCountConstraintComponent" in mine()
    data.write("notes.ttl", [f'{focus} <{RDFS}comment> [ <{RDFS}label> "y" ] .'])
    run, full = check(data, ws, data.paths() + [notes])  # replaced whole: a new blank node, the old one gone
    assert run.delta == 5 and ox.NamedNode(focus[1:-1]) in run.affected
    assert mine() == set()
    graph = ox.NamedNode(ws.files()[str(notes.resolve())]["graph"])
    assert {q.object.value for q in ws.store.quads_for_pattern(None, ox.NamedNode(RDFS + "label"), None, graph)} == {"y"}
    run, full = check(data, ws)
    assert [c.status for c in run.changes] == ["removed"]


def test_a_subclass_link_or_files_changed_elsewhere_mean_a_full_run(synthetic):
    data, ws, _ = synthetic
    data.write("classes.nt", [f"<{EXO}SyntheticKind> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EXO}Protein> ."])
    run = validate_workspace(ws, data.paths())
    assert (run.mode, run.reason) == ("full", "subclass links changed")
    assert keys(run.report) == keys(ws.validate())
    (data.folder / "classes.nt").unlink()
    ws.sync(data.paths())  # a change the results file did not see
    run = validate_workspace(ws, data.paths())
    assert (run.mode, run.reason) == ("full", "the workspace changed since the previous results")
    run = validate_workspace(ws)
    assert (run.mode, run.affected, run.delta) == ("incremental", set(), 0)
    assert keys(run.report) == keys(ws.validate())
    # many nodes affected: a full run, which is cheaper then
    data.write("part-2.nt", data.lines("part-2.nt")[1:])
    run = validate_workspace(ws, data.paths(), max_affected=0)
    assert (run.mode, run.reason) == ("full", "1 nodes affected, more than 0")
    assert keys(run.report) == keys(ws.validate())


def test_a_file_that_does_not_parse_or_unreadable_results_mean_a_full_run_next(synthetic):
    from exo_rdf.errors import SourceError

    data, ws, _ = synthetic
    validate_workspace(ws, data.paths())
    good = data.lines("part-1.nt")
    graph = ox.NamedNode(next(e["graph"] for p, e in ws.files("data").items() if p.endswith("part-1.nt")))
    held = set(ws.store.quads_for_pattern(None, None, None, graph))
    data.write("part-1.nt", good + ["<broken"])
    with pytest.raises(SourceError, match="part-1.nt:"):
        validate_workspace(ws, data.paths())
    assert set(ws.store.quads_for_pattern(None, None, None, graph)) == held  # the graph as it was
    assert not (ws.folder / RESULTS).exists()  # the results were dropped before the workspace changed
    data.write("part-1.nt", good[1:])
    run = validate_workspace(ws, data.paths())
    assert (run.mode, run.reason) == ("full", "no previous results")
    (ws.folder / RESULTS).write_text("{not json", encoding="utf-8")
    run = validate_workspace(ws)
    assert (run.mode, run.reason) == ("full", "previous results unreadable")
    assert keys(run.report) == keys(ws.validate())
    assert validate_workspace(ws).mode == "incremental"  # the full run saved them again


def test_affected_nodes_follow_class_and_sequence_paths_only():
    from exo_rdf.shacl import ShapesModel
    from exo_rdf.sources import discover, parse_quads

    model = ShapesModel([q for s in discover(ROOT, ("shapes",)) for q in parse_quads(s)])
    n = lambda local: ox.NamedNode(EXOD + local)  # noqa: E731
    store = ox.Store()
    store.extend([
        ox.Quad(n("f1"), ox.NamedNode(EXO + "cargo"), n("p")),         # sh:class path: reads p's type
        ox.Quad(n("f2"), ox.NamedNode(EXO + "cargoAsPrinted"), n("p")),  # no sh:class: does not
        ox.Quad(n("f3"), ox.NamedNode(EXO + "inSection"), n("s")),     # first step of a sequence path
        ox.Quad(n("f4"), ox.NamedNode(EXO + "cargo"), n("s")),
    ])
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert affected_nodes(store, model, [ox.Triple(n("p"), ox.NamedNode(TYPE), n("X"))]) == {n("p"), n("f1")}
    assert affected_nodes(store, model, [ox.Triple(n("s"), label, ox.Literal("x"))]) == {n("s"), n("f3")}
    assert affected_nodes(store, model, [ox.Triple(n("s"), ox.NamedNode(TYPE), n("X"))]) == {n("s"), n("f3"), n("f4")}
    subclass = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    assert affected_nodes(store, model, [ox.Triple(n("X"), subclass, n("Y"))]) is None


def test_the_command_validates_incrementally(tmp_path, capsys):
    from exo_rdf.cli import main

    good = ROOT / "tests" / "fixtures" / "valid"
    bad = ROOT / "tests" / "fixtures" / "invalid" / "biomarker-sensitivity-above-one.ttl"
    files = [good / "user-findings-more.ttl"]
    folder = tmp_path / "ws"
    assert main(["validate", "--workspace", str(folder), "--incremental", *map(str, files)]) == 0
    assert "validated every node (no previous results)" in capsys.readouterr().err
    assert main(["validate", "--workspace", str(folder), "--incremental", "--format", "csv", *map(str, files + [bad])]) == 1
    out, err = capsys.readouterr()
    assert "re-checked" in err and "1 changed file(s)" in err
    # both files state finding-user-01: the fixture's error and the counts of the merged node
    assert [line.split(",")[3].rsplit("#")[-1] for line in out.splitlines()[1:]] == [
        "MaxCountConstraintComponent", "MaxInclusiveConstraintComponent", "MaxCountConstraintComponent"]
    assert main(["validate", "--workspace", str(folder), "--format", "csv"]) == 1
    assert capsys.readouterr().out == out  # the same report as a full run, row for row
    assert (folder / RESULTS).is_file()
    assert main(["validate", "--workspace", str(folder), *map(str, files)]) == 0  # changed without --incremental
    assert not (folder / RESULTS).exists()
    assert main(["validate", "--incremental", str(bad)]) == 2
    assert "give --workspace DIR too" in capsys.readouterr().err

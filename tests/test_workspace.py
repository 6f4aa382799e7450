"""The on-disk workspace: loading only what changed, a failed load changing nothing, and the same
answers (validation results, stored query rows, export) as the plain files give."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.errors import OutputError, SourceError, WorkspaceError
from exo_rdf.sources import GRAPH_BASE
from exo_rdf.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
E = "http://example.org/"


def nt(*rows: tuple[str, str]) -> str:
    return "".join(f'<{E}{s}> <{E}p> "{o}" .\n' for s, o in rows)


def triples(ws: Workspace, graph: str) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value)
            for q in ws.store.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def user_graph(name: str) -> str:
    return GRAPH_BASE + "user/" + name


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.nt").write_text(nt(("a1", "1"), ("a2", "2")))
    (folder / "b.ttl").write_text(f"@prefix e: <{E}> .\ne:b1 e:p \"1\" .\n")
    return folder


@pytest.fixture
def ws(tmp_path, files):
    ws = Workspace.create(tmp_path / "ws")
    ws.add([files / "a.nt", files / "b.ttl"])
    return ws


def data_entries(ws: Workspace) -> dict:
    return {Path(p).name: {k: e[k] for k in ("graph", "triples", "sha256", "size")} for p, e in ws.files("data").items()}


def test_add_records_each_file_in_its_graph_and_the_manifest(ws, files):
    import hashlib

    assert [(Path(c.path).name, c.graph, c.status) for c in ws.changed] == [
        ("a.nt", user_graph("a"), "new"), ("b.ttl", user_graph("b"), "new")]
    assert triples(ws, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a2", E + "p", "2")}
    assert triples(ws, user_graph("b")) == {(E + "b1", E + "p", "1")}
    on_disk = json.loads((ws.folder / "manifest.json").read_text())
    assert on_disk == ws.manifest
    assert data_entries(ws) == {
        name: {"graph": user_graph(name.split(".")[0]), "triples": n,
               "sha256": hashlib.sha256((files / name).read_bytes()).hexdigest(), "size": (files / name).stat().st_size}
        for name, n in (("a.nt", 2), ("b.ttl", 1))}
    # the context is there too, in the graphs the embedded store uses
    assert ws.files("context")[str((ws.root / "shapes").resolve() / "exo-rdf-shapes.ttl")]["graph"] == GRAPH_BASE + "shapes/exo-rdf-shapes"


def test_changing_one_file_reloads_only_its_graph(ws, files):
    before = data_entries(ws)
    (files / "a.nt").write_text(nt(("a1", "1"), ("a3", "3"), ("a4", "4")))
    os.utime(files / "b.ttl")  # touched, same bytes: not reloaded
    changes = ws.add([files / "a.nt", files / "b.ttl"])
    assert [(Path(c.path).name, c.status) for c in changes] == [("a.nt", "changed")]
    assert triples(ws, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a3", E + "p", "3"), (E + "a4", E + "p", "4")}
    assert triples(ws, user_graph("b")) == {(E + "b1", E + "p", "1")}
    after = data_entries(ws)
    assert after["b.ttl"] == before["b.ttl"]
    assert after["a.nt"]["triples"] == 3 and after["a.nt"]["sha256"] != before["a.nt"]["sha256"]
    assert ws.add([files / "a.nt"]) == []


def test_sync_drops_the_files_not_given(ws, files):
    changes = ws.sync([files / "b.ttl"])
    assert [(Path(c.path).name, c.graph, c.status) for c in changes] == [("a.nt", user_graph("a"), "removed")]
    assert triples(ws, user_graph("a")) == set()
    assert list(data_entries(ws)) == ["b.ttl"]


@pytest.mark.parametrize("name", ["a.nt", "c.nt"])  # a changed file and a new one
def test_a_syntax_error_names_file_and_line_and_changes_nothing(ws, files, name):
    state = {g: triples(ws, g) for g in (user_graph("a"), user_graph("b"), user_graph("c"), user_graph("d"))}
    manifest = json.loads(json.dumps(ws.manifest))
    (files / "d.nt").write_text(nt(("d1", "1")))  # loads before the bad file, in the same change
    (files / name).write_text(nt(("x1", "1"), ("x2", "2"), ("x3", "3")) + f'<{E}x4> <{E}p> "no end .\n' + nt(("x5", "5")))
    with pytest.raises(SourceError) as caught:
        ws.add([files / "d.nt", files / name])
    assert str(caught.value).startswith(f"{files / name}:4: not valid N-Triples")
    assert caught.value.line == 4
    assert {g: triples(ws, g) for g in state} == state
    assert ws.manifest == manifest == json.loads((ws.folder / "manifest.json").read_text())
    assert sorted(p.name for p in ws.folder.iterdir()) == ["lock", "manifest.json", "store"]  # no checkpoint left
    # and the workspace goes on working
    (files / name).write_text(nt(("x1", "1")))
    assert [(Path(c.path).name, c.status) for c in ws.add([files / "d.nt", files / name])] == [
        ("d.nt", "new"), (name, "changed" if name == "a.nt" else "new")]
    assert triples(ws, user_graph(name[0])) == {(E + "x1", E + "p", "1")}


def test_a_change_killed_half_way_is_undone_on_the_next_open(ws, files):
    before = {g: triples(ws, g) for g in (user_graph("a"), user_graph("b"))}
    manifest = json.loads(json.dumps(ws.manifest))
    ws._checkpoint()  # what a change does first; then it is killed in the middle of a load:
    ws.store.add(ox.Quad(ox.NamedNode(E + "half"), ox.NamedNode(E + "p"), ox.Literal("1"), ox.NamedNode(user_graph("c"))))
    ws._clear(ox.NamedNode(user_graph("a")))
    ws.manifest["files"].pop(next(iter(ws.files("data"))))
    ws._write_manifest()
    folder = ws.folder
    ws.close()
    del ws
    with pytest.raises(WorkspaceError, match="killed half-way"):  # a reader never sees the half-made change
        Workspace.open(folder, read_only=True)
    again = Workspace.open(folder)
    assert {g: triples(again, g) for g in before} == before
    assert triples(again, user_graph("c")) == set()
    assert again.manifest == manifest
    assert sorted(p.name for p in folder.iterdir()) == ["lock", "manifest.json", "store"]


def test_refusals(tmp_path, ws, files):
    with pytest.raises(WorkspaceError, match="no workspace here"):
        Workspace.open(tmp_path / "nowhere")
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.nt").write_text(nt(("z", "1")))
    with pytest.raises(WorkspaceError, match="same graph"):
        ws.add([files / "a.nt", other / "a.nt"])
    (files / "q.nq").write_text(f'<{E}s> <{E}p> "1" <{E}g> .\n')
    with pytest.raises(WorkspaceError, match="not quads"):
        ws.add([files / "q.nq"])


def _keys(report):
    return sorted((v.focus, v.path or "", v.component, v.value or "", v.message) for v in report.violations)


def test_validation_and_queries_match_the_plain_files(tmp_path, capsys):
    from exo_rdf.query import run_stored
    from exo_rdf.sources import user_sources
    from exo_rdf.store import build_store
    from exo_rdf.validate import context_sources, validate

    inputs = [FIXTURES / "valid" / "user-findings.ttl", FIXTURES / "invalid" / "biomarker-sensitivity-above-one.ttl",
              FIXTURES / "invalid" / "cargo-not-a-molecule.ttl"]
    ws = Workspace.create(tmp_path / "ws")
    ws.add(inputs)
    plain = validate(inputs)
    report = ws.validate()
    assert not report.conforms
    assert _keys(report) == _keys(plain)
    # the three files describe the same finding: its values add up
    assert sorted((v.focus.rsplit("/", 1)[-1], v.path.rsplit("/", 1)[-1], v.component.rsplit("#", 1)[-1], v.value)
                  for v in report.violations) == [
        ("finding-user-01", "cargo", "ClassConstraintComponent", "https://identifiers.org/hgnc:17635"),
        ("finding-user-01", "inSection", "MaxCountConstraintComponent", None),
        ("finding-user-01", "sensitivityMax", "MaxCountConstraintComponent", None),
        ("finding-user-01", "sensitivityMax", "MaxInclusiveConstraintComponent", "94.7"),
        ("finding-user-01", "statement", "MaxCountConstraintComponent", None)]
    store = build_store(context_sources() + user_sources(inputs))
    for name in ("biomarkers", "findings-per-kind", "ev-types"):
        expected = run_stored(name, store=store)
        got = run_stored(name, store=ws.store)
        assert sorted(map(str, got.rows)) == sorted(map(str, expected.rows)) and got.variables == expected.variables
    folder = ws.folder
    ws.close()
    del ws
    # the command line: the same report and rows, and an export of every statement
    assert main(["validate", "--workspace", str(folder), *map(str, inputs)]) == 1
    assert capsys.readouterr().out == plain.text()
    assert main(["query", "findings-per-kind", "--workspace", str(folder), "--format", "csv"]) == 0
    from exo_rdf.results import render

    assert capsys.readouterr().out == render(run_stored("findings-per-kind", store=store), "csv").decode()
    ask = tmp_path / "ask.rq"  # a user's own query sees the union of the workspace's graphs
    ask.write_text("ASK { <https://w3id.org/exo-rdf/data/finding-user-01> ?p <https://identifiers.org/hgnc:17635> }")
    assert main(["sparql", str(ask), "--workspace", str(folder), "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip() == "true"
    out = tmp_path / "all.nq"
    assert main(["export", "--workspace", str(folder), "--format", "nq", "--out", str(out)]) == 0
    exported = ox.Dataset(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS))
    reopened = Workspace.open(folder, read_only=True)
    assert len(exported) == reopened.triples() == len(reopened.store)


def test_cli_errors_are_one_line_and_exit_2(tmp_path, capsys):
    assert main(["query", "ev-types", "--workspace", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert "no workspace here" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_progress_eta_is_the_time_left_at_the_rate_so_far():
    from exo_rdf.progress import _eta

    assert _eta(25, 100, 10.0) == ", ETA 30 s"
    assert _eta(1, 100, 10.0) == ", ETA 16 min 30 s"
    assert _eta(0, 100, 10.0) == "" and _eta(100, 100, 10.0) == ""


def test_export_streams_every_graph(ws, tmp_path):
    for fmt, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE), ("trig", ox.RdfFormat.TRIG)):
        out = tmp_path / f"all.{fmt}"
        assert ws.export(out, fmt) == ws.triples()
        written = list(ox.parse(path=str(out), format=rdf_format))
        assert len(written) == ws.triples() == len(ws.store)
        assert {(t.subject.value, t.object.value) for t in written if t.subject.value.startswith(E)} == {
            (E + "a1", "1"), (E + "a2", "2"), (E + "b1", "1")}
        if fmt == "trig":  # the graphs are kept
            assert {q.graph_name.value for q in written if q.subject.value.startswith(E)} == {user_graph("a"), user_graph("b")}
    with pytest.raises(OutputError, match="unknown format 'kgx'"):
        ws.export(tmp_path / "x", "kgx")
    assert not (tmp_path / "x").exists()


DEC = "http://www.w3.org/2001/XMLSchema#decimal"


def rewrite(path: Path, text: str) -> None:
    """Write a file with a modification time of its own, whatever the file system's clock resolution."""
    ns = path.stat().st_mtime_ns + 10**9 if path.exists() else None
    path.write_text(text)
    if ns:
        os.utime(path, ns=(ns, ns))


def test_a_changed_file_is_reloaded_by_difference(ws, files, monkeypatch):
    def whole(graph):
        raise AssertionError(f"{graph} emptied whole")

    monkeypatch.setattr(ws, "_clear", whole)  # the graph is never emptied and loaded again
    decimal = f'<{E}a3> <{E}p> "3.0"^^<{DEC}> .\n'  # the store keeps it as "3"
    rewrite(files / "a.nt", nt(("a1", "1"), ("a2", "2")) + decimal)
    ws.add([files / "a.nt"])
    rewrite(files / "a.nt", nt(("a1", "1"), ("a4", "4")) + decimal)
    [change] = ws.add([files / "a.nt"], deltas=True)
    assert (change.status, change.graph) == ("changed", user_graph("a"))
    gone, came = (ox.Triple(ox.NamedNode(E + s), ox.NamedNode(E + "p"), ox.Literal(o)) for s, o in (("a2", "2"), ("a4", "4")))
    assert change.delta == {gone, came}  # the unchanged triples, the decimal among them, are not touched
    assert triples(ws, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a4", E + "p", "4"), (E + "a3", E + "p", "3")}
    assert ws.manifest["files"][str((files / "a.nt").resolve())]["triples"] == 3
    assert json.loads((ws.folder / "manifest.json").read_text()) == ws.manifest
    # another spelling of the same decimal changes nothing; one of two spellings of a value going keeps it
    rewrite(files / "a.nt", nt(("a1", "1"), ("a4", "4")) + f'<{E}a3> <{E}p> "3.00"^^<{DEC}> .\n'
            + f'<{E}a3> <{E}p> "3"^^<{DEC}> .\n')
    assert ws.add([files / "a.nt"], deltas=True)[0].delta == frozenset()
    rewrite(files / "a.nt", nt(("a1", "1"), ("a4", "4")) + f'<{E}a3> <{E}p> "3"^^<{DEC}> .\n')
    assert ws.add([files / "a.nt"], deltas=True)[0].delta == frozenset()
    assert triples(ws, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a4", E + "p", "4"), (E + "a3", E + "p", "3")}
    assert ws.manifest["files"][str((files / "a.nt").resolve())]["triples"] == 3
    assert sorted(p.name for p in ws.folder.iterdir()) == ["lock", "manifest.json", "store"]


def test_a_file_with_blank_nodes_is_replaced_whole(ws, files, monkeypatch):
    cleared, clear = [], ws._clear
    monkeypatch.setattr(ws, "_clear", lambda graph: cleared.append(graph.value) or clear(graph))
    turtle = f'@prefix e: <{E}> .\ne:b1 e:p "1" ; e:q [ e:r "{{}}" ] .\n'
    rewrite(files / "b.ttl", turtle.format("x"))
    ws.add([files / "b.ttl"])
    rewrite(files / "b.ttl", turtle.format("y"))
    [change] = ws.add([files / "b.ttl"], deltas=True)
    assert cleared == [user_graph("b")] * 2
    held = {(q.subject, q.predicate.value, q.object) for q in ws.store.quads_for_pattern(None, None, None, ox.NamedNode(user_graph("b")))}
    [blank] = {s for s, _, _ in held if isinstance(s, ox.BlankNode)}
    assert held == {(ox.NamedNode(E + "b1"), E + "p", ox.Literal("1")), (ox.NamedNode(E + "b1"), E + "q", blank),
                    (blank, E + "r", ox.Literal("y"))}
    assert ws.manifest["files"][str((files / "b.ttl").resolve())]["triples"] == 3
    # the delta names the old and new blank node's triples (they cannot be matched), not the unchanged one
    assert len(change.delta) == 4 and {t.object for t in change.delta if t.predicate.value == E + "r"} == {
        ox.Literal("x"), ox.Literal("y")}


def test_a_reload_by_difference_stopped_half_way_changes_nothing(ws, files, monkeypatch):
    import exo_rdf.workspace as module

    before = {g: triples(ws, g) for g in (user_graph("a"), user_graph("b"))}
    manifest = json.loads(json.dumps(ws.manifest))

    def interrupted(store, graph, removed, added):
        for t in removed:  # the old triples go, then Ctrl-C before the new ones come
            store.remove(ox.Quad(t.subject, t.predicate, t.object, graph))
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "apply", interrupted)
    rewrite(files / "a.nt", nt(("a1", "1"), ("a9", "9")))
    with pytest.raises(KeyboardInterrupt):
        ws.add([files / "a.nt"])
    assert {g: triples(ws, g) for g in before} == before
    assert ws.manifest == manifest == json.loads((ws.folder / "manifest.json").read_text())
    assert sorted(p.name for p in ws.folder.iterdir()) == ["lock", "manifest.json", "store"]


def test_deltas_of_new_and_removed_files(ws, files):
    (files / "c.nt").write_text(nt(("c1", "1")))
    [new] = ws.add([files / "c.nt"], deltas=True)
    c1 = ox.Triple(ox.NamedNode(E + "c1"), ox.NamedNode(E + "p"), ox.Literal("1"))
    assert (new.status, new.delta) == ("new", {c1})
    [gone] = ws.sync([files / "a.nt", files / "b.ttl"], deltas=True)
    assert (Path(gone.path).name, gone.status, gone.delta) == ("c.nt", "removed", {c1})
    assert triples(ws, user_graph("c")) == set()


HOLDER = """
import sys

import exo_rdf.workspace as module
from exo_rdf.workspace import Workspace

real = module.apply


def paused(*args):
    print("changing", flush=True)
    sys.stdin.readline()  # held in the middle of its change until the test lets it go on
    real(*args)


module.apply = paused
ws = Workspace.open(sys.argv[1])
print([c.status for c in ws.add([sys.argv[2]])], flush=True)
"""


def test_a_second_process_cannot_change_a_workspace_another_is_changing(ws, files):
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    folder, before_b = ws.folder, triples(ws, user_graph("b"))
    ws.close()  # this process lets go: two others compete
    rewrite(files / "a.nt", nt(("a1", "1"), ("a5", "5")))
    (files / "c.nt").write_text(nt(("c1", "1")))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder), str(files / "a.nt")], cwd=root,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "changing\n"
        cli = [sys.executable, "-m", "exo_rdf"]
        writer = subprocess.run(cli + ["validate", "--workspace", str(folder), str(files / "c.nt")], cwd=root,
                                capture_output=True, text=True, timeout=300)
        assert writer.returncode == 2 and len(writer.stderr.strip().splitlines()) == 1
        assert f"{folder}: another exo-rdf command is changing this workspace" in writer.stderr
        reader = subprocess.run(cli + ["query", "ev-types", "--workspace", str(folder)], cwd=root,
                                capture_output=True, text=True, timeout=300)
        assert reader.returncode == 2 and "the workspace is being changed" in reader.stderr
        out, err = holder.communicate("\n", timeout=300)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert (holder.returncode, out.strip()) == (0, "['changed']"), err
    again = Workspace.open(folder)  # the first change whole, nothing of the refused one
    assert triples(again, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a5", E + "p", "5")}
    assert triples(again, user_graph("b")) == before_b and triples(again, user_graph("c")) == set()
    assert list(data_entries(again)) == sorted(data_entries(again)) == ["a.nt", "b.ttl"]
    assert data_entries(again)["a.nt"]["triples"] == 2
    assert sorted(p.name for p in folder.iterdir()) == ["lock", "manifest.json", "store"]


def test_a_graph_over_the_difference_limit_is_replaced_whole(ws, files, monkeypatch):
    import exo_rdf.workspace as module

    cleared, clear = [], ws._clear
    monkeypatch.setattr(ws, "_clear", lambda graph: cleared.append(graph.value) or clear(graph))
    monkeypatch.setattr(module, "MAX_DIFF", 2)  # the graph holds 3 triples: too many to compare
    rewrite(files / "a.nt", nt(("a1", "1"), ("a2", "2"), ("a3", "3")))
    ws.add([files / "a.nt"])
    rewrite(files / "a.nt", nt(("a1", "1"), ("a2", "2"), ("a4", "4")))
    [change] = ws.add([files / "a.nt"], deltas=True)
    assert cleared == [user_graph("a")]
    assert (change.status, change.graph, change.delta) == ("changed", user_graph("a"), None)
    assert triples(ws, user_graph("a")) == {(E + "a1", E + "p", "1"), (E + "a2", E + "p", "2"), (E + "a4", E + "p", "4")}
    assert ws.manifest["files"][str((files / "a.nt").resolve())]["triples"] == 3

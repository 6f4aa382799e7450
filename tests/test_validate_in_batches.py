"""A full validation in batches of focus nodes gives the results of the compiled engine on the whole store.

A workspace's full run (Workspace.validate) checks its focus nodes a batch at a time, each
batch on its neighbourhood copied into memory (exo_rdf.incremental.check_in_batches). Here
every fixture (valid and invalid, each file its own graph, so nodes they share are stated in
several graphs) and a seeded synthetic set are checked so, with batches of one node, of seven
and of the default size, and by the compiled queries on the whole on-disk store: the results
must be the same, message and shape included.
"""
from __future__ import annotations

import importlib.util
import io

import pytest

from conftest import FIXTURES, ROOT
from exo_rdf.errors import ValidationEngineError
from exo_rdf.incremental import check_in_batches, focus_nodes, target_classes
from exo_rdf.shacl import check_store
from exo_rdf.workspace import Workspace

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
SH = "http://www.w3.org/ns/shacl#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
FILES = sorted((FIXTURES / "valid").glob("*.ttl")) + sorted((FIXTURES / "invalid").glob("*.ttl"))


def rows(report) -> set[tuple]:
    return {(v.focus, v.path, v.component, v.value, v.shape, v.message, v.severity) for v in report.violations}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batches")
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    synthetic = folder / "synthetic.nt"
    manifest = generate.generate(3000, synthetic, seed=5, error_rate=0.1)
    # a finding typed twice (its kind and a subclass of it declared here) and in two graphs,
    # and a node typed only by a class that this file makes a subclass of a target class
    extra = folder / "extra.nt"
    first = next(line.split(" ", 1)[0] for line in synthetic.read_text().splitlines() if f"<{TYPE}> <{EXO}CargoEffectFinding>" in line)
    extra.write_text(f"<{EXO}SyntheticEffect> <{SUBCLASS}> <{EXO}CargoEffectFinding> .\n"
                     f"{first} <{TYPE}> <{EXO}SyntheticEffect> .\n"
                     f"{first} <{TYPE}> <{EXO}CargoEffectFinding> .\n"
                     f"<{EXOD}finding-only-subclassed> <{TYPE}> <{EXO}SyntheticEffect> .\n"
                     # a class expression made a subclass of a target class: a blank node among the classes
                     f"_:expression <{SUBCLASS}> <{EXO}CargoEffectFinding> .\n"
                     f"<{EXOD}finding-of-an-expression> <{TYPE}> _:expression .\n")
    ws = Workspace.create(folder / "ws")
    ws.add(FILES + [synthetic, extra])
    yield ws, manifest, first[1:-1]
    ws.close()


@pytest.fixture(scope="module")
def whole(workspace):
    """The compiled queries run on the whole on-disk store: the reference."""
    ws, _, _ = workspace
    return rows(check_store(ws.store, ws.shapes_model(), root=ws.root))


def test_the_reference_holds_the_seeded_errors_and_the_added_nodes(workspace, whole):
    _, manifest, first = workspace
    seeded = {(s["focus"], s["path"], s["component"]) for s in manifest["seeded"]}
    assert seeded <= {r[:3] for r in whole}
    assert len({r[0] for r in whole}) > 25  # the seeded errors and the invalid fixtures
    # the node typed only through the subclass this data declares is a focus node: it lacks everything
    assert (EXOD + "finding-only-subclassed", EXO + "statement", SH + "MinCountConstraintComponent") in {r[:3] for r in whole}
    assert (EXOD + "finding-of-an-expression", EXO + "statement", SH + "MinCountConstraintComponent") in {r[:3] for r in whole}


@pytest.mark.parametrize("batch, workers", [(1, 1), (7, 1), (None, 1), (7, 2), (50, 3)])
def test_batches_give_the_whole_stores_results(workspace, whole, batch, workers):
    ws, _, _ = workspace
    report = check_in_batches(ws.store, ws.shapes_model(), root=ws.root, batch=batch,
                              location=ws.folder / "store", workers=workers)
    assert rows(report) == whole
    assert len(report.violations) == len(whole)  # a node checked twice is reported once
    assert report.conforms is False


@pytest.mark.parametrize("memory, unit", [(1 << 20, "focus nodes"), (1 << 50, "property shapes")])
def test_a_workspace_checks_in_batches_when_its_store_is_over_half_the_memory(workspace, whole, monkeypatch, memory, unit):
    ws, _, _ = workspace
    import exo_rdf.incremental as incremental
    import exo_rdf.workspace as workspace_module

    assert ws.store_bytes() > (1 << 20)
    monkeypatch.setattr(workspace_module, "physical_memory", lambda: memory)
    monkeypatch.setattr(incremental, "BATCH", 50)
    stderr = io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    assert rows(ws.validate(progress=True)) == whole
    assert "validate: checking" in stderr.getvalue() and unit in stderr.getvalue()
    stderr.truncate(0)
    assert rows(ws.validate(progress=True, batches=unit == "property shapes")) == whole
    assert unit not in stderr.getvalue()


def test_a_worker_that_fails_is_one_error_naming_the_store(workspace, tmp_path):
    ws, _, _ = workspace
    with pytest.raises(ValidationEngineError) as failed:
        check_in_batches(ws.store, ws.shapes_model(), root=ws.root, batch=7, location=tmp_path / "gone", workers=2)
    assert str(failed.value).startswith(f"{tmp_path / 'gone'}: a process checking part of the focus nodes failed "
                                        "(FileNotFoundError: IO error: No such file or directory")


def _recording_workers(monkeypatch) -> list:
    """The worker processes check_in_batches starts, as they start."""
    import exo_rdf.incremental as incremental

    started = []
    real = incremental._Worker.__init__

    def record(self, *args, **kwargs):
        real(self, *args, **kwargs)
        started.append(self)
    monkeypatch.setattr(incremental._Worker, "__init__", record)
    return started


def test_a_worker_killed_is_an_error_and_the_others_stop(workspace, monkeypatch):
    ws, _, _ = workspace
    import exo_rdf.incremental as incremental

    started = _recording_workers(monkeypatch)
    real_share = incremental._share

    def share(nodes, batch, which, shares):
        if which == 0:  # this process's share begins once every worker runs: kill the first
            started[0].process.kill()
        return real_share(nodes, batch, which, shares)
    monkeypatch.setattr(incremental, "_share", share)
    with pytest.raises(ValidationEngineError) as failed:
        check_in_batches(ws.store, ws.shapes_model(), root=ws.root, batch=7, location=ws.folder / "store", workers=3)
    assert str(failed.value) == (f"{ws.folder / 'store'}: a process checking part of the focus nodes failed "
                                 "(it ended without its results (exit -9))")
    assert len(started) == 2 and all(w.process.poll() is not None for w in started)


def test_an_error_here_stops_the_workers(workspace, monkeypatch):
    ws, _, _ = workspace
    import exo_rdf.incremental as incremental

    started = _recording_workers(monkeypatch)

    def interrupted(*args, **kwargs):
        assert all(w.process.poll() is None for w in started)  # they were running
        raise KeyboardInterrupt
    monkeypatch.setattr(incremental, "check_nodes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        check_in_batches(ws.store, ws.shapes_model(), root=ws.root, batch=7, location=ws.folder / "store", workers=3)
    assert len(started) == 2 and [w.process.returncode for w in started] == [-9, -9]


def test_focus_nodes_come_from_every_target_class_and_its_subclasses(workspace):
    ws, _, first = workspace
    classes = target_classes(ws.store, ws.shapes_model())
    assert [c.value for c in classes].count(EXO + "SyntheticEffect") == 1
    nodes = [n.value for n in focus_nodes(ws.store, classes)]
    assert EXOD + "finding-only-subclassed" in nodes
    assert nodes.count(first) == 2  # under its kind and under the subclass: checked twice, reported once


def test_the_command_validates_a_large_workspace_in_batches_with_the_same_report(tmp_path, monkeypatch, capsys):
    """`exo-rdf validate --workspace DIR FILE...` on a store over half the (faked) memory: the
    batches run, and the report is the one the queries on the whole store print, line for line."""
    import exo_rdf.incremental as incremental
    import exo_rdf.workspace as workspace_module
    from exo_rdf.cli import main

    files = [str(f) for f in sorted((FIXTURES / "invalid").glob("*.ttl"))[:4]]
    args = ["validate", "--workspace", str(tmp_path / "ws"), *files]
    assert main(args) == 1
    whole = capsys.readouterr().out
    taken = []
    batches = incremental.check_in_batches
    monkeypatch.setattr(incremental, "check_in_batches", lambda *a, **kw: taken.append(kw) or batches(*a, **kw))
    monkeypatch.setattr(workspace_module, "physical_memory", lambda: 1 << 10)
    assert main(args) == 1
    assert capsys.readouterr().out == whole and "Violation" in whole
    assert len(taken) == 1


def test_an_empty_workspace_checked_in_batches_conforms(tmp_path):
    """Only the project's context (ontology, shapes, no data files): checked in batches by two
    processes, it conforms, as the queries on the whole store say."""
    ws = Workspace.create(tmp_path / "ws")
    try:
        assert rows(ws.validate(batches=True, workers=2)) == rows(ws.validate(batches=False))
        assert ws.validate(batches=True, workers=2).conforms
    finally:
        ws.close()

"""The embedded store is reused until a source changes; the CLI's commands and exit codes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ROOT
from exo_rdf.cli import main
from exo_rdf.export import FORMATS
from exo_rdf.store import cache_dir, embedded_store


def copy_project(tmp_path):
    root = tmp_path / "project"
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    return root


def test_the_store_key_covers_exactly_the_sources(tmp_path):
    from exo_rdf.sources import discover, source_paths

    root = copy_project(tmp_path)
    (root / "data" / "findings" / "deeper").mkdir()
    (root / "data" / "findings" / "deeper" / "extra.ttl").write_text("")
    (root / "data" / "notes.md").write_text("")
    expected = sorted(str(s.path) for s in discover(root))
    assert sorted(source_paths(str(root))) == expected
    assert str(root / "data" / "findings" / "deeper" / "extra.ttl") in expected


def test_store_is_built_once_and_rebuilt_when_a_source_changes(tmp_path, monkeypatch):
    # a cache of its own: the session's cache also holds the checkout's store, which is never pruned here
    monkeypatch.setenv("EXO_RDF_CACHE", str(tmp_path / "cache"))
    root = copy_project(tmp_path)
    embedded_store(root)
    first = sorted(p.name for p in cache_dir().glob("store-*"))
    embedded_store(root)
    assert sorted(p.name for p in cache_dir().glob("store-*")) == first
    reviews = root / "data" / "reviews.ttl"
    reviews.write_text(reviews.read_text() + "\n# touched\n")
    embedded_store(root)
    second = sorted(p.name for p in cache_dir().glob("store-*"))
    assert second != first and len(second) == 1  # the stale store is pruned


def test_query_command_does_not_import_pyshacl_or_owlready2(tmp_path):
    probe = (
        "import sys; from exo_rdf.cli import main; main(['query', 'ev-types', '--format', 'csv']); "
        "print('LOADED', sorted(m for m in ('pyshacl', 'owlready2', 'rdflib', 'exo_rdf.stores.load', 'exo_rdf.shacl', "
        "'exo_rdf.build', 'exo_rdf.qc', 'exo_rdf.mappings', 'dataclasses', 'curies', 'bioregistry', "
        "'exo_rdf.validation_report', 'exo_rdf.lookup') if m in sys.modules))"
    )
    env = {**os.environ, "EXO_RDF_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True).stdout
    assert "LOADED []" in out


def test_validate_exit_codes(capsys):
    assert main(["validate"]) == 0
    assert main(["validate", str(FIXTURES / "valid" / "user-findings.ttl")]) == 0
    assert main(["validate", str(FIXTURES / "invalid" / "biomarker-fluid-not-uberon.ttl")]) == 1
    out = capsys.readouterr().out
    assert "exod:finding-user-01" in out and "PatternConstraintComponent" in out
    assert main(["validate", "no-such-file.ttl"]) == 2


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_round_trips(tmp_path, fmt):
    out = tmp_path / f"exo.{fmt}"
    assert main(["export", "--format", fmt, "--out", str(out)]) == 0
    rdf_format, keeps_graphs = FORMATS[fmt]
    parsed = list(ox.parse(path=str(out), format=rdf_format))
    assert len(parsed) > 4000
    if keeps_graphs:
        graphs = {q.graph_name.value for q in parsed}
        assert "https://w3id.org/exo-rdf/graph/data/table2-biomarkers" in graphs
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


def test_export_is_byte_identical_when_repeated(tmp_path):
    a, b = tmp_path / "a.nq", tmp_path / "b.nq"
    main(["export", "--format", "nq", "--out", str(a)])
    main(["export", "--format", "nq", "--out", str(b)])
    assert a.read_bytes() == b.read_bytes()


def test_reason_without_java_says_how_to_fix(monkeypatch, capsys):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "java-that-does-not-exist")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert main(["reason"]) == 2
    assert "Java was not found" in capsys.readouterr().err


def test_reason_command_reports_consistency(capsys):
    assert main(["reason"]) == 0
    assert "Consistent; no unsatisfiable classes." in capsys.readouterr().out

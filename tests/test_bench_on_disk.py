"""The validation benchmark's on-disk exo-rdf stage: same results as in memory, no folder left behind."""
from __future__ import annotations

import json

import pytest
from test_bench_peers import ROOT, _module, run, stages

generate = _module("bench_generate_disk", ROOT / "benchmarks" / "generate.py")


def test_on_disk_stage_reports_exactly_the_in_memory_results_and_removes_its_store(tmp_path, monkeypatch):
    data = tmp_path / "set.nt"
    manifest = generate.generate(3000, data, error_rate=0.2)
    monkeypatch.setattr(stages, "DISK_BLOCK", 4096)  # many blocks: lines cut at block ends must load whole
    memory, disk = tmp_path / "memory.json", tmp_path / "disk.json"
    in_memory = stages.validate_exo(data, str(memory))
    on_disk = stages.validate_exo_disk(data, str(disk))
    assert memory.read_text() == disk.read_text()
    assert on_disk["results"] == in_memory["results"] > 0
    found = {(focus, path, component) for focus, path, component, _ in json.loads(disk.read_text())}
    assert {(e["focus"], e["path"], e["component"]) for e in manifest["seeded"]} <= found
    assert on_disk["digest"] == in_memory["digest"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk.json", "memory.json", "set.manifest.json", "set.nt"]


def test_on_disk_stage_removes_its_store_when_a_line_does_not_parse(tmp_path):
    data = tmp_path / "bad.nt"
    data.write_text("<https://w3id.org/exo-rdf/data/f1> <https://w3id.org/exo-rdf/ontology/count> .\n")
    with pytest.raises(SyntaxError):
        stages.validate_exo_disk(data)
    assert [p.name for p in tmp_path.iterdir()] == ["bad.nt"]


def test_jena_is_paired_with_the_on_disk_run_of_its_repetition():
    out = {"repetitions": 2, "runs": {
        "exo": [{"seconds": 2.0, "peak_mb": 300.0}, {"seconds": 4.0, "peak_mb": 300.0}],
        "exo-disk": [{"seconds": 10.0, "peak_mb": 100.0}, {"error": "timeout after 9 s"}],
        "jena": [{"seconds": 5.0, "peak_mb": 250.0}, {"seconds": 8.0, "peak_mb": 250.0}],
    }}
    summary = run.summarise(out)
    assert summary["jena"]["speedup"] == {"median": 2.25, "min": 2.0, "max": 2.5}
    assert summary["jena"]["speedup_on_disk"] == {"median": 0.5, "min": 0.5, "max": 0.5}
    assert summary["exo-disk"]["speedup"] == {"median": 5.0, "min": 5.0, "max": 5.0}
    assert "speedup_on_disk" not in summary["exo-disk"]

"""The validation benchmark's peer plumbing: result normalisation, comparison, Jena's classpath fix."""
from __future__ import annotations

import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import rdflib

ROOT = Path(__file__).resolve().parent.parent
SH = "http://www.w3.org/ns/shacl#"
EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"


def _module(name: str, path: Path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


stages = _module("bench_stages", ROOT / "benchmarks" / "stages.py")
run = _module("bench_run", ROOT / "benchmarks" / "run.py")
jena = _module("bench_jena", ROOT / "benchmarks" / "peers" / "jena.py")

REPORT = f"""
@prefix sh: <{SH}> . @prefix exo: <{EXO}> . @prefix exod: <{EXOD}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
[] a sh:ValidationReport ; sh:conforms false ;
  sh:result [ sh:focusNode exod:f1 ; sh:resultPath exo:percentage ; sh:value 150.0 ;
              sh:sourceConstraintComponent sh:MaxInclusiveConstraintComponent ;
              sh:detail [ sh:focusNode exod:f9 ; sh:sourceConstraintComponent sh:NodeKindConstraintComponent ] ] ;
  sh:result [ sh:focusNode exod:f2 ; sh:value exod:f2 ; sh:sourceConstraintComponent sh:OrConstraintComponent ] ;
  sh:result [ sh:focusNode exod:f3 ; sh:resultPath [ sh:alternativePath ( exo:a exo:b ) ] ;
              sh:value "0.50"^^xsd:decimal ; sh:sourceConstraintComponent sh:PatternConstraintComponent ] .
"""


def test_report_rows_are_normalised_as_documented():
    report = rdflib.Graph().parse(data=REPORT, format="turtle")
    assert stages.report_keys(report) == {
        (EXOD + "f1", EXO + "percentage", SH + "MaxInclusiveConstraintComponent", "150"),
        (EXOD + "f2", None, SH + "OrConstraintComponent", None),
        (EXOD + "f3", "(complex path)", SH + "PatternConstraintComponent", "0.5"),
    }


def test_decimal_values_compare_in_their_shortest_form_and_nothing_else_changes():
    assert [stages.normal_value(v) for v in ["150.0", "150", "0.50", "-0.0", "007", "1E3", "12a", "", None]] == [
        "150", "150", "0.5", "0", "7", "1E3", "12a", "", None]


def test_compare_keys_names_what_each_side_has_alone(tmp_path):
    common = [EXOD + "f1", EXO + "p", SH + "MinCountConstraintComponent", None]
    ours, theirs = tmp_path / "exo.json", tmp_path / "peer.json"
    ours.write_text(json.dumps([common, [EXOD + "f2", None, SH + "OrConstraintComponent", None]]))
    theirs.write_text(json.dumps([common, [EXOD + "f2", None, SH + "OrConstraintComponent", EXOD + "f2"]]))
    assert run.compare_keys(ours, ours) is None
    assert run.compare_keys(ours, theirs) == {
        "only_exo": 1, "only_peer": 1,
        "first_only_exo": [(EXOD + "f2", None, SH + "OrConstraintComponent", None)],
        "first_only_peer": [(EXOD + "f2", None, SH + "OrConstraintComponent", EXOD + "f2")],
    }


def test_summary_pairs_each_peer_run_with_the_exo_run_of_its_repetition():
    out = {"repetitions": 2, "runs": {
        "exo": [{"seconds": 2.0, "peak_mb": 100.0}, {"seconds": 4.0, "peak_mb": 110.0}, {"seconds": 1.0, "peak_mb": 90.0}],
        "jena": [{"seconds": 8.0, "peak_mb": 400.0}, {"error": "timeout after 9 s"}],
        "jena-smallest-heap": [{"seconds": 5.0, "peak_mb": 180.0}],
    }}
    summary = run.summarise(out)
    assert summary["exo"] == {"repetitions": 3, "errors": [], "seconds": {"median": 2.0, "min": 1.0, "max": 4.0}, "peak_mb": 110.0}
    assert summary["jena"] == {"repetitions": 1, "errors": ["timeout after 9 s"], "seconds": {"median": 8.0, "min": 8.0, "max": 8.0},
                               "peak_mb": 400.0, "speedup": {"median": 4.0, "min": 4.0, "max": 4.0},
                               "memory_ratio": {"median": 4.0, "min": 4.0, "max": 4.0}}
    assert summary["jena-smallest-heap"]["speedup"] == {"median": 5.0, "min": 5.0, "max": 5.0}
    assert summary["jena-smallest-heap"]["memory_ratio"] == {"median": 2.0, "min": 2.0, "max": 2.0}


def test_jena_fix_folder_holds_the_xerces_message_files_under_their_unshaded_names(tmp_path, monkeypatch):
    java = tmp_path / "java"
    java.mkdir()
    with zipfile.ZipFile(java / "jena-core.jar", "w") as jar:
        jar.writestr("org/apache/jena/ext/xerces/impl/msg/XMLMessages.properties", "a=1\n")
        jar.writestr("org/apache/jena/ext/xerces/impl/xpath/regex/message.properties", "b=2\n")
        jar.writestr("org/apache/jena/ext/xerces/impl/msg/Other.class", "x")
        jar.writestr("org/apache/jena/graph/Node.class", "x")
    monkeypatch.setattr(jena, "JAVA_DIR", java)
    folder = jena.fix_folder(tmp_path / "cache")
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert files == ["xerces/impl/msg/XMLMessages.properties", "xerces/impl/xpath/regex/message.properties"]
    assert (folder / "xerces/impl/msg/XMLMessages.properties").read_text() == "a=1\n"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["jena-xerces"]  # no temporary folder left


def test_results_named_apart_leave_the_days_file_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "HERE", tmp_path)
    (tmp_path / "results").mkdir()
    day = tmp_path / "results" / "2026-11-24.json"
    day.write_text(json.dumps({"date": "2026-11-24", "sizes": {"1M": {"triples": 1000000, "validate": "earlier"}}}))
    out = run.save({"date": "2026-11-24", "sizes": {"1M": {"triples": 1000000, "validate": "later"}}}, "2026-11-24-memory")
    assert out == tmp_path / "results" / "2026-11-24-memory.json"
    assert json.loads(out.read_text())["sizes"] == {"1M": {"triples": 1000000, "validate": "later"}}
    assert json.loads(day.read_text())["sizes"]["1M"]["validate"] == "earlier"
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["2026-11-24-memory.json", "2026-11-24.json"]

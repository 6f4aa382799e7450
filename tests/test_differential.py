"""The compiled SPARQL engine and pyshacl report the same results on a seeded synthetic set."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT
from exo_rdf.validate import validate

SH = "http://www.w3.org/ns/shacl#"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def seeded_set(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic") / "set.nt"
    manifest = load_generator().generate(4000, out, seed=7, error_rate=0.25)
    return out, manifest


def test_seeded_set_covers_every_error_kind(seeded_set):
    _, manifest = seeded_set
    generator = load_generator()
    assert {s["error"] for s in manifest["seeded"]} == set(generator.ERRORS)


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_engine_reports_exactly_the_seeded_errors(seeded_set, engine):
    path, manifest = seeded_set
    report = validate([path], engine=engine)
    got = {(v.focus, v.path, v.component, v.severity) for v in report.violations}
    expected = {(s["focus"], s["path"], s["component"], "Violation") for s in manifest["seeded"]}
    assert got == expected


EX = "http://example.org/"
COUNT_SHAPES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<{EX}countShape> a sh:NodeShape ; sh:targetClass <{EX}Thing> ;
  sh:property [ sh:path [ sh:alternativePath ( <{EX}a> <{EX}b> ) ] ; sh:maxCount 1 ] ;
  sh:property [ sh:path <{EX}c> ; sh:minCount 1 ; sh:maxCount 1 ] ;
  sh:property [ sh:path <{EX}d> ; sh:maxCount 0 ] .
"""
COUNT_DATA = f"""@prefix ex: <{EX}> .
ex:ok a ex:Thing ; ex:a 1 ; ex:c "x" .
ex:same-value-twice a ex:Thing ; ex:a ex:v ; ex:b ex:v ; ex:c "x" .
ex:a-and-b a ex:Thing ; ex:a 1 ; ex:b 2 ; ex:c "x" .
ex:two-a a ex:Thing ; ex:a 1, 2 ; ex:c "x" .
ex:no-c-with-d a ex:Thing ; ex:d 0 .
ex:two-c a ex:Thing ; ex:c "x", "y" .
ex:not-a-thing ex:a 1, 2 ; ex:d 0 .
"""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_counts_on_predicates_and_alternative_paths(tmp_path, engine):
    # sh:maxCount 0 and 1 have their own queries: both engines must agree with exactly these results
    import shutil

    root = tmp_path / "project"
    for part in ("ontology", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    (root / "data").mkdir()
    (root / "shapes" / "counts.ttl").write_text(COUNT_SHAPES)
    data = tmp_path / "things.ttl"
    data.write_text(COUNT_DATA)
    report = validate([data], root=root, engine=engine)
    got = {(v.focus.removeprefix(EX), v.path and v.path.removeprefix(EX), v.component.removeprefix(SH)) for v in report.violations}
    assert got == {
        ("a-and-b", "(complex path)", "MaxCountConstraintComponent"),
        ("two-a", "(complex path)", "MaxCountConstraintComponent"),
        ("no-c-with-d", "c", "MinCountConstraintComponent"),
        ("no-c-with-d", "d", "MaxCountConstraintComponent"),
        ("two-c", "c", "MaxCountConstraintComponent"),
    }

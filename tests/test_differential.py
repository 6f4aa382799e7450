"""The compiled SPARQL engine and pyshacl report the same results on a seeded synthetic set."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT
from exo_rdf.validate import validate


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

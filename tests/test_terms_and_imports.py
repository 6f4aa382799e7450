"""External identifiers are real, and the generated import modules are current."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED_TERMS
from exo_rdf.imports import render_all

needs_tables = pytest.mark.skipif(
    not SHARED_TERMS.is_dir() and not os.environ.get("CI"), reason=f"term tables not found at {SHARED_TERMS}"
)


@needs_tables
def test_check_terms_reports_no_problem():
    tool = SHARED_TERMS.parent / "tools" / "check_terms.py"
    proc = subprocess.run(
        [sys.executable, str(tool), "--quiet", "ontology", "data", "shapes", "queries"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 problems" in proc.stdout


@needs_tables
def test_import_modules_are_current():
    for name, text in render_all(SHARED_TERMS, ROOT).items():
        path = ROOT / "ontology" / "imports" / f"{name}.ttl"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run 'exo-rdf imports refresh'"


def _objects(store, subject, predicate):
    return {q.object for q in store.quads_for_pattern(subject, predicate, None)}


def test_uberon_parents_are_annotations_not_subclass_axioms():
    """The UBERON parent table mixes is_a with part_of, so its parents must never become subClassOf."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / "imports" / "uberon.ttl"), format=ox.RdfFormat.TURTLE)
    obo = "http://purl.obolibrary.org/obo/"
    parent = ox.NamedNode("https://w3id.org/exo-rdf/ontology/upstreamIsAOrPartOf")
    assert not list(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"), None))
    plasma = ox.NamedNode(obo + "UBERON_0001969")
    # blood plasma: is_a haemolymphatic fluid and part_of blood upstream, both kept, undistinguished
    assert _objects(store, plasma, parent) == {ox.NamedNode(obo + "UBERON_0000178"), ox.NamedNode(obo + "UBERON_0000179")}
    reached, frontier = set(), {plasma}
    while frontier:
        frontier = set().union(*(_objects(store, node, parent) for node in frontier)) - reached
        reached |= frontier
    assert ox.NamedNode(obo + "UBERON_0001062") in reached  # anatomical entity, the root

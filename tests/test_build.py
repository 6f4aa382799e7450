"""exo-rdf build writes every release artefact, deterministically."""
from __future__ import annotations

import json

import pyoxigraph as ox

from exo_rdf.cli import main

EXO = "https://w3id.org/exo-rdf/ontology/"
NAMES = ["exo-rdf-base.ttl", "exo-rdf-full.jsonld", "exo-rdf-full.owl", "exo-rdf-full.ttl", "exo-rdf-queries.ttl",
         "exo-rdf.nq", "exo-rdf.sssom.tsv", "exo-rdf.trig", "index.html"]


def test_build_twice_gives_identical_release(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["build", "--out", str(a)]) == 0
    assert main(["build", "--out", str(b)]) == 0
    assert sorted(p.name for p in a.iterdir()) == NAMES
    for name in NAMES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name

    base = {str(t) for t in ox.parse(path=str(a / "exo-rdf-base.ttl"), format=ox.RdfFormat.TURTLE)}
    full = list(ox.parse(path=str(a / "exo-rdf-full.ttl"), format=ox.RdfFormat.TURTLE))
    dex_under_iex = f"<{EXO}DendriticCellDerivedExosome> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EXO}ImmuneCellDerivedExosome>"
    assert dex_under_iex in {f"{t.subject} {t.predicate} {t.object}" for t in full}  # inferred, in the full release
    assert not any("GO_0070062> <http://www.w3.org/2000/01/rdf-schema#label>" in t for t in base)  # no import module
    assert len(list(ox.parse(path=str(a / "exo-rdf-full.owl"), format=ox.RdfFormat.RDF_XML))) == len(full)
    graphs = {q.graph_name.value for q in ox.parse(path=str(a / "exo-rdf.nq"), format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/exo-rdf/graph/inferred" in graphs
    doc = json.loads((a / "exo-rdf-full.jsonld").read_text())
    assert doc["@context"]["exo"] == EXO and len(doc["@graph"]) > 1000
    # its CURIEs (GO:…, HGNC:…) expand back to the same IRIs: the same triples as the Turtle release
    named = lambda triples: {str(t) for t in triples if not any(isinstance(x, ox.BlankNode) for x in (t.subject, t.object))}  # noqa: E731
    assert named(q.triple for q in ox.parse(path=str(a / "exo-rdf-full.jsonld"), format=ox.RdfFormat.JSON_LD)) == named(full)
    # the QC checks pass on the full release too, not only on the sources
    from exo_rdf.qc import run_checks

    release = ox.Store()
    release.load(path=str(a / "exo-rdf-full.ttl"), format=ox.RdfFormat.TURTLE)
    assert [p for p in run_checks(release) if p.level == "ERROR"] == []
    page = (a / "index.html").read_text()
    assert "<svg" in page and "exo:TumourDerivedExosome" in page and "tumour-derived exosome" in page

"""The shapes accept the bundled data and reject each invalid fixture for exactly its reason."""
from __future__ import annotations

import pytest

from conftest import FIXTURES, ROOT
from exo_rdf.validate import validate

EXOD = "https://w3id.org/exo-rdf/data/"
EXO = "https://w3id.org/exo-rdf/ontology/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SH = "http://www.w3.org/ns/shacl#"
F = EXOD + "finding-user-01"
T = EXOD + "finding-user-01-target-1"
PUB = EXOD + "publication-user-01"
PROV = "http://www.w3.org/ns/prov#"
HAS_EVIDENCE = "http://purl.obolibrary.org/obo/RO_0002558"
COMPLEX = "(complex path)"

EXPECTED = {
    "finding-missing-section": {(F, COMPLEX, "Equals")},
    "finding-section-of-other-review": {(F, COMPLEX, "Equals")},
    "finding-no-references": {(F, None, "Or")},
    "finding-reference-as-string": {(F, EXO + "citesReference", "Datatype")},
    "finding-reference-zero": {(F, EXO + "citesReference", "Pattern")},
    "finding-cites-no-reference-false": {(F, EXO + "citesNoReference", "In")},
    "finding-missing-statement": {(F, EXO + "statement", "MinCount")},
    "biomarker-sensitivity-above-one": {(F, EXO + "sensitivityMax", "MaxInclusive")},
    "biomarker-specificity-min-above-max": {(F, EXO + "specificityMin", "LessThanOrEquals")},
    "biomarker-integer-fraction": {(F, EXO + "sensitivityMax", "Datatype")},
    "biomarker-undeclared-panel": {(F, EXO + "marker", "Class")},
    "biomarker-cancer-not-mondo": {(F, EXO + "cancer", "Pattern")},
    "biomarker-fluid-not-uberon": {(F, EXO + "fluid", "Pattern")},
    "biomarker-missing-marker": {(F, EXO + "marker", "MinCount")},
    "trial-bad-nct": {(EXOD + "trial-x", EXO + "nctId", "Pattern")},
    "trial-missing-status": {(F, EXO + "trialStatus", "MinCount")},
    "trial-cancer-not-mondo": {(F, EXO + "cancer", "Pattern")},
    "size-min-above-max": {(F, EXO + "sizeMinNm", "LessThanOrEquals")},
    "size-zero-min": {(F, EXO + "sizeMinNm", "MinExclusive")},
    "marker-missing-marker": {(F, EXO + "marker", "MinCount")},
    "protein-two-labels": {(EXOD + "protein-XYZ1", RDFS_LABEL, "MaxCount")},
    "protein-link-not-hgnc": {(EXOD + "protein-XYZ2", COMPLEX, "Pattern")},
    "mirna-link-not-mirbase": {(EXOD + "mirna-XYZ3", COMPLEX, "Pattern")},
    "panel-without-members": {(EXOD + "panel-XYZ4", EXO + "hasMember", "MinCount")},
    "section-without-heading": {(EXOD + "section-XYZ5", EXO + "heading", "MinCount")},
    "cargo-not-a-molecule": {(F, EXO + "cargo", "Class")},
    "producer-cancer-not-mondo": {(F, EXO + "producerCancer", "Pattern")},
    "recipient-cell-not-cl": {(F, EXO + "recipientCellType", "Node")},
    "process-not-go": {(F, EXO + "affectsProcess", "Node")},
    "effect-direction-unknown": {(F, EXO + "effectDirection", "In")},
    "cell-line-not-declared": {(F, EXO + "producerCellLine", "Class")},
    "condition-not-a-condition": {(F, EXO + "condition", "Class")},
    "category-missing": {(F, EXO + "cargoCategory", "MinCount")},
    "cell-death-form-missing": {(F, EXO + "cellDeathForm", "MinCount")},
    "pathway-not-a-pathway": {(F, EXO + "pathway", "Class")},
    "pathway-missing": {(F, EXO + "pathway", "MinCount")},
    "therapy-kind-missing": {(F, EXO + "therapyKind", "MinCount")},
    "mechanism-not-a-process": {(F, EXO + "mechanism", "Node")},
    "quantity-percentage-over-100": {(F, EXO + "percentage", "MaxInclusive")},
    "quantity-without-number": {(F, None, "Or")},
    "vocabulary-without-definition": {(EXOD + "condition-user-xyz", "http://www.w3.org/2004/02/skos/core#definition", "MinCount")},
    "chemical-link-not-chebi": {(EXOD + "drug-user-xyz", COMPLEX, "Pattern")},
    # evidence and PROV: a missing ECO class also leaves no reference/evidence pair to match
    "finding-missing-evidence": {(F, HAS_EVIDENCE, "MinCount"), (F, None, "Or")},
    "finding-evidence-not-traceable": {(F, None, "Or")},
    "finding-missing-derivation": {(F, PROV + "wasDerivedFrom", "MinCount"), (F, None, "Or")},
    "finding-statement-not-prov-value": {(F, PROV + "value", "Equals")},
    # roles of molecules
    "target-direction-unknown": {(T, EXO + "targetDirection", "In")},
    "target-missing-target": {(T, EXO + "target", "MinCount")},
    "target-regulation-untyped": {(F, EXO + "hasTargetRegulation", "Class")},
    "co-administered-agent-not-a-molecule": {(F, EXO + "coAdministeredAgent", "Class")},
    "released-factor-not-a-molecule": {(F, EXO + "releasedFactor", "Class")},
    # sources beyond the two reviews
    "publication-bad-doi": {(PUB, EXO + "doi", "Pattern")},
    "publication-bad-pmid": {(PUB, EXO + "pmid", "Pattern")},
    "research-article-without-identifier": {(PUB, None, "Or")},
    "research-finding-with-references": {(F, None, "Or")},
}


ENGINES = ["sparql", "pyshacl"]


@pytest.mark.parametrize("engine", ENGINES)
def test_bundled_data_conforms(engine):
    report = validate(engine=engine)
    assert report.conforms, report.text()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", ["user-findings", "user-findings-more", "user-findings-roles", "user-findings-groups"])
def test_valid_user_file_conforms(name, engine):
    report = validate([FIXTURES / "valid" / f"{name}.ttl"], engine=engine)
    assert report.conforms, report.text()


def test_every_invalid_fixture_is_listed():
    assert {p.stem for p in (FIXTURES / "invalid").glob("*.ttl")} == set(EXPECTED)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_fails_for_its_reason(name, engine):
    # Both engines must give exactly these results: pyshacl is the reference for the compiled one.
    report = validate([FIXTURES / "invalid" / f"{name}.ttl"], engine=engine)
    assert not report.conforms
    got = {(v.focus, v.path, v.component.removeprefix(SH).removesuffix("ConstraintComponent")) for v in report.violations}
    assert got == EXPECTED[name]
    assert all(v.message for v in report.violations)


def test_compiled_engine_refuses_shapes_it_does_not_implement(tmp_path):
    import shutil

    from exo_rdf.errors import ValidationEngineError

    root = tmp_path / "project"
    for part in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / part, root / part)
    (root / "shapes" / "extra.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:x:shape> a sh:NodeShape ; sh:targetClass <urn:x:C> ; sh:closed true .\n"
    )
    with pytest.raises(ValidationEngineError, match="sh:closed .*--engine pyshacl"):
        validate(root=root)


def test_a_bad_line_past_the_first_load_block_is_named(tmp_path, monkeypatch):
    # validation loads N-Triples in blocks: the line number must count the blocks before
    from exo_rdf import sources
    from exo_rdf.errors import SourceError

    monkeypatch.setattr(sources, "LOAD_BLOCK", 200)
    lines = [f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(60)]
    lines[47] = "<http://example.org/s47> <http://example.org/p> broken .\n"
    bad = tmp_path / "mine.nt"
    bad.write_text("".join(lines))
    with pytest.raises(SourceError, match=rf"{bad}:48: not valid N-Triples") as caught:
        validate([bad])
    assert caught.value.line == 48


@pytest.mark.parametrize("engine", ENGINES)
def test_a_blank_node_value_is_checked_like_a_named_one(tmp_path, engine):
    # a blank node cannot be bound in a query: the compiled engine finds blank values by predicate
    data = (FIXTURES / "valid" / "user-findings.ttl").read_text(encoding="utf-8").replace(
        "exo:marker exod:protein-EDIL3 ;", "exo:marker [ a exo:ClinicalTrial ] ;")
    (tmp_path / "blank.ttl").write_text(data, encoding="utf-8")
    report = validate([tmp_path / "blank.ttl"], engine=engine)
    got = {(v.path, v.component.removeprefix(SH)): v for v in report.violations}
    assert set(got) == {(EXO + "marker", "ClassConstraintComponent"), (EXO + "nctId", "MinCountConstraintComponent")}
    assert got[EXO + "marker", "ClassConstraintComponent"].focus == F
    # the value that fails sh:class is the blank trial, the focus node of the missing NCT id
    assert got[EXO + "marker", "ClassConstraintComponent"].value == got[EXO + "nctId", "MinCountConstraintComponent"].focus
    # and the report graph says so: the sh:value is that blank node, not a string of its label
    import pyoxigraph as ox
    from exo_rdf.validation_report import report_triples

    triples = report_triples(report)
    values = [t.object for t in triples if t.predicate == ox.NamedNode(SH + "value")]
    blank_focus = [t.object for t in triples if t.predicate == ox.NamedNode(SH + "focusNode") and isinstance(t.object, ox.BlankNode)]
    assert len(values) == 1 and isinstance(values[0], ox.BlankNode) and values == blank_focus
    # the text names the blank node as one, and says whose value it is
    label = got[EXO + "nctId", "MinCountConstraintComponent"].focus
    lines = report.text().splitlines()
    assert f"_:{label} (a blank node [ ... ]: the value of exo:marker of exod:finding-user-01)" in lines
    assert lines[lines.index("exod:finding-user-01") + 1].endswith(f"(value: _:{label})  <sh:ClassConstraintComponent>")

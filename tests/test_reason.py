"""HermiT finds the ontology, imports and data consistent, and classifies the vesicle types."""
from __future__ import annotations

from exo_rdf.reason import reason

EXO = "https://w3id.org/exo-rdf/ontology/"
GO = "http://purl.obolibrary.org/obo/GO_"


def test_consistent_without_unsatisfiable_classes_and_classifies_dex():
    report = reason()
    assert report.consistent and report.unsatisfiable == [], report.message
    inferred = set(report.inferred_subclass_of)
    assert (EXO + "DendriticCellDerivedExosome", EXO + "ImmuneCellDerivedExosome") in inferred
    assert (EXO + "TumourDerivedExosome", GO + "0070062") in inferred

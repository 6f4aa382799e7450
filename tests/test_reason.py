"""HermiT finds the ontology, imports and data consistent, and classifies the vesicle types."""
from __future__ import annotations

from exo_rdf.reason import reason

EXO = "https://w3id.org/exo-rdf/ontology/"
GO = "http://purl.obolibrary.org/obo/GO_"


def test_consistent_without_unsatisfiable_classes_and_classifies_dex(capsys):
    report = reason(progress=True)
    progress = capsys.readouterr().err.splitlines()
    assert progress[0].startswith("reason: read, load, HermiT, collect") and " 1/4 " in progress[0]
    assert " 4/4 " in progress[-1] and len(progress) == 4  # off a terminal: one line per stage
    assert report.consistent and report.unsatisfiable == [], report.message
    inferred = set(report.inferred_subclass_of)
    assert (EXO + "DendriticCellDerivedExosome", EXO + "ImmuneCellDerivedExosome") in inferred
    assert (EXO + "TumourDerivedExosome", GO + "0070062") in inferred
    # the hierarchy `reason --out` writes: asserted and inferred links, with labels
    hierarchy = report.hierarchy("ttl").decode("utf-8")
    assert "exo:DendriticCellDerivedExosome a owl:Class ;" in hierarchy
    assert "rdfs:subClassOf exo:ImmuneCellDerivedExosome" in hierarchy and "GO:0070062 a owl:Class ;" in hierarchy
    assert set(report.inferred_subclass_of) <= set(report.subclass_of)


def test_every_tumour_derived_exosome_is_an_exosome_and_an_extracellular_vesicle():
    import pyoxigraph as ox

    from conftest import ROOT
    from exo_rdf.sources import discover, load_dataset

    report = reason()
    parents: dict[str, set[str]] = {}
    subclass_of = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
    for q in load_dataset(discover(ROOT, ("ontology", "imports"))):
        if q.predicate.value == subclass_of and isinstance(q.object, ox.NamedNode):
            parents.setdefault(q.subject.value, set()).add(q.object.value)
    for sub, sup in report.inferred_subclass_of:
        parents.setdefault(sub, set()).add(sup)

    def ancestors(cls):
        seen, todo = set(), [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    assert {GO + "0070062", GO + "1903561"} <= ancestors(EXO + "TumourDerivedExosome")
    assert {EXO + "ImmuneCellDerivedExosome", GO + "0070062", GO + "1903561"} <= ancestors(EXO + "DendriticCellDerivedExosome")
    assert GO + "1903561" in ancestors(EXO + "Oncosome")

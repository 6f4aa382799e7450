"""Exact rows of the stored queries that match names by joins, on a small graph made for the cases
the bundled data lacks: a finding printing two cancer names, a fluid list, a term without a name,
a finding named by its printed name or by its IRI."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from exo_rdf.query import run_stored

EXO = "https://w3id.org/exo-rdf/ontology/"
T = "https://example.org/t/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

GRAPH = f"""
@prefix exo: <{EXO}> .
@prefix rdfs: <{RDFS}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix t: <{T}> .

exo:CargoEffectFinding rdfs:subClassOf exo:Finding ; rdfs:label "cargo effect finding" .
t:parent rdfs:label "parent cancer" .
t:child rdfs:subClassOf t:parent ; rdfs:label "child cancer" ; skos:altLabel "TGFβ-driven cancer" .
t:serum rdfs:label "blood serum" .
t:unnamed-fluid a t:Fluid .
t:m rdfs:label "M" .
t:process rdfs:label "parent process" .
t:subprocess rdfs:subClassOf t:process ; rdfs:label "child process" .

t:b1 a exo:BiomarkerFinding ; exo:marker t:m ; exo:markerAsPrinted "M1" ; exo:cancer t:child ;
    exo:cancerAsPrinted "Cancer A", "Cancer B" ; exo:fluid t:serum ;
    exo:fluidAsPrinted "Peripheral blood, Serum" ;
    exo:sensitivityMin 0.8 ; exo:sensitivityMax 0.9 ; exo:specificityMin 0.7 ; exo:specificityMax 0.7 .
t:b2 a exo:BiomarkerFinding ; exo:marker t:m ; exo:markerAsPrinted "M2" ; exo:cancer t:parent ;
    exo:cancerAsPrinted "Cancer C" ; exo:fluid t:unnamed-fluid ; exo:fluidAsPrinted "Urine" ;
    exo:sensitivityMin 0.5 ; exo:sensitivityMax 0.6 ; exo:specificityMin 0.95 ; exo:specificityMax 0.99 .

t:e1 a exo:CargoEffectFinding ; exo:producerCancer t:child ; exo:cargo t:m ; exo:affectsProcess t:subprocess .
t:e2 a exo:CargoEffectFinding ; exo:producerCancer t:child ; exo:cargo t:m ; exo:affectsProcess t:subprocess ;
    exo:cancerAsPrinted "odd cancer" ; exo:processAsPrinted "odd process" .
"""


@pytest.fixture(scope="module")
def small():
    store = ox.Store()
    store.load(GRAPH.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(T + "graph"))
    return store


def rows(store, name, params, *columns):
    return [tuple(r[c] for c in columns) for r in run_stored(name, params, store=store).values()]


BIOMARKER_ROWS = {
    "b1": [("Cancer A", "M1", T + "b1"), ("Cancer B", "M1", T + "b1")],
    "b2": [("Cancer C", "M2", T + "b2")],
}


@pytest.mark.parametrize("params, expected", [
    ({}, ["b1", "b2"]),
    # any printed name of the finding keeps every row of it, a row for each printed name
    ({"cancer": "cancer-b"}, ["b1"]),
    ({"cancer": "CANCER A"}, ["b1"]),
    ({"cancer": "child cancer"}, ["b1"]),
    ({"cancer": "TGF-beta driven cancer"}, ["b1"]),
    ({"cancer": T + "child"}, ["b1"]),
    ({"cancer": "parent cancer"}, ["b2"]),
    ({"cancer": "cancer"}, []),
    # a fluid as printed lists several: the name must be one of them (or a run of them)
    ({"fluid": "serum"}, ["b1"]),
    ({"fluid": "peripheral blood"}, ["b1"]),
    ({"fluid": "Peripheral blood, serum"}, ["b1"]),
    ({"fluid": "blood"}, []),
    ({"fluid": "blood serum"}, ["b1"]),
    ({"fluid": T + "serum"}, ["b1"]),
    # a fluid term without a name is not matched by its IRI
    ({"fluid": T + "unnamed-fluid"}, []),
    ({"fluid": "urine", "cancer": "Cancer C"}, ["b2"]),
    ({"fluid": "urine", "cancer": "Cancer A"}, []),
    ({"min_sensitivity": "0.8"}, ["b1"]),
    ({"min_specificity": "0.9", "cancer": "parent cancer"}, ["b2"]),
])
def test_biomarkers_rows(small, params, expected):
    got = rows(small, "biomarkers", params, "cancerAsPrinted", "markerAsPrinted", "finding")
    assert got == [row for key in expected for row in BIOMARKER_ROWS[key]]


@pytest.mark.parametrize("cancer, expected", [
    ("parent cancer", ["e1", "e2"]),
    ("Child-Cancer", ["e1", "e2"]),
    (T + "parent", ["e1", "e2"]),
    # a finding that prints the name stands for itself only
    ("odd cancer", ["e2"]),
    (T + "e2", ["e2"]),
    # a finding with no name is no holder
    (T + "e1", []),
    ("cancer", []),
])
def test_cargo_by_cancer_rows(small, cancer, expected):
    got = rows(small, "cargo-by-cancer", {"cancer": cancer}, "cancerLabel", "cargoLabel", "kind", "finding")
    assert got == [("child cancer", "M", "cargo effect finding", T + key) for key in expected]


@pytest.mark.parametrize("process, expected", [
    ("parent process", ["e1", "e2"]),
    ("CHILD PROCESS", ["e1", "e2"]),
    (T + "process", ["e1", "e2"]),
    ("odd process", ["e2"]),
    (T + "e2", ["e2"]),
    (T + "e1", []),
])
def test_cargo_by_hallmark_rows(small, process, expected):
    got = rows(small, "cargo-by-hallmark", {"process": process}, "processLabel", "cargoLabel", "producer", "effect", "finding")
    assert got == [("child process", "M", T + "child", None, T + key) for key in expected]

"""sh:datatype rejects an ill-formed literal of the datatype ("1.5"^^xsd:integer), as SHACL says.

The compiled engine checks a datatype in two places: in the store's query when it is a path's only
value constraint (queries/shacl/values-not-of-datatype.rq), in Python beside other value
constraints (exo_rdf/shacl_values.py). Both must reject exactly what pyshacl rejects.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.shacl import ShapesModel, _skolemised, check_store

ROOT = Path(__file__).resolve().parent.parent
SH = "http://www.w3.org/ns/shacl#"
ALONE = """
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:count ; sh:datatype xsd:integer ] ;
    sh:property [ sh:path ex:fraction ; sh:datatype xsd:decimal ] ;
    sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ] ;
    sh:property [ sh:path ex:day ; sh:datatype xsd:date ] .
"""
#: the same datatypes beside a constraint that every value meets: checked in Python
BESIDE = """
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:count ; sh:datatype xsd:integer ; sh:pattern "^" ] ;
    sh:property [ sh:path ex:fraction ; sh:datatype xsd:decimal ; sh:pattern "^" ] ;
    sh:property [ sh:path ex:flag ; sh:datatype xsd:boolean ; sh:pattern "^" ] ;
    sh:property [ sh:path ex:day ; sh:datatype xsd:date ; sh:pattern "^" ] .
"""
PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .\n"
DATA = PREFIXES + """
ex:good a ex:C ; ex:count 3 , "+4"^^xsd:integer ; ex:fraction 0.5 , "7"^^xsd:decimal ; ex:flag true , "0"^^xsd:boolean ;
    ex:day "2026-11-24"^^xsd:date .
ex:bad a ex:C ; ex:count "1.5"^^xsd:integer , "three"^^xsd:integer ; ex:fraction "0,5"^^xsd:decimal ;
    ex:flag "yes"^^xsd:boolean ; ex:day "2026-13-01"^^xsd:date .
"""
EXPECTED = {("count", "1.5"), ("count", "three"), ("fraction", "0,5"), ("flag", "yes"), ("day", "2026-13-01")}


def _violations(shapes_text: str) -> set[tuple[str, str]]:
    shapes = list(ox.parse(PREFIXES + shapes_text, format=ox.RdfFormat.TURTLE))
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(DATA, format=ox.RdfFormat.TURTLE))
    store.extend(_skolemised([ox.Quad(t.subject, t.predicate, t.object) for t in shapes]))
    report = check_store(store, ShapesModel(shapes), root=ROOT, workers=1)
    assert {v.focus for v in report.violations} <= {"http://example.org/bad"}
    assert {v.component for v in report.violations} == {SH + "DatatypeConstraintComponent"}
    return {(v.path.rsplit("/", 1)[-1], v.value) for v in report.violations}


@pytest.mark.parametrize("shapes", [ALONE, BESIDE], ids=["in-the-query", "in-python"])
def test_ill_formed_literals_of_the_datatype_are_violations(shapes):
    assert _violations(shapes) == EXPECTED


@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
def test_pyshacl_rejects_the_same_values():
    pyshacl = pytest.importorskip("pyshacl")
    import rdflib

    data = rdflib.Graph().parse(data=DATA, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=rdflib.Graph().parse(data=PREFIXES + ALONE, format="turtle"))
    sh = rdflib.Namespace(SH)
    found = Counter(str(results.value(r, sh.resultPath)).rsplit("/", 1)[-1]
                    for r in results.subjects(rdflib.RDF.type, sh.ValidationResult))
    # rdflib rewrites the lexical form of some ill-formed literals ("yes"^^xsd:boolean as "false"): by path
    assert not conforms and found == Counter(path for path, _ in EXPECTED)

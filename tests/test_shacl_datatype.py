"""The compiled engine's sh:datatype alone on a path, checked in the store's query: exactly the values SHACL rejects."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from exo_rdf.shacl import ShapesModel, _skolemised, check_store

ROOT = Path(__file__).resolve().parent.parent
SH = "http://www.w3.org/ns/shacl#"
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    sh:property [ sh:path ex:text ; sh:datatype xsd:string ] ;
    sh:property [ sh:path ex:number ; sh:datatype xsd:integer ; sh:maxInclusive 9 ] .
"""
DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <http://example.org/> .
ex:a a ex:C ; ex:text "plain" , "typed"^^xsd:string ; ex:number 3 .
ex:b a ex:C ; ex:text "tagged"@en , 7 , ex:iri , "ill"^^xsd:integer ; ex:number 12 .
ex:c ex:text 8 .
"""


def test_datatype_alone_reports_each_value_of_another_kind():
    shapes = list(ox.parse(SHAPES, format=ox.RdfFormat.TURTLE))
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(DATA, format=ox.RdfFormat.TURTLE))
    store.extend(_skolemised([ox.Quad(t.subject, t.predicate, t.object) for t in shapes]))
    report = check_store(store, ShapesModel(shapes), root=ROOT, workers=1)
    found = {(v.focus.rsplit("/", 1)[-1], v.component.replace(SH, ""), v.value) for v in report.violations}
    assert found == {
        ("b", "DatatypeConstraintComponent", "tagged"),  # rdf:langString, not xsd:string
        ("b", "DatatypeConstraintComponent", "7"),
        ("b", "DatatypeConstraintComponent", "http://example.org/iri"),
        ("b", "DatatypeConstraintComponent", "ill"),
        ("b", "MaxInclusiveConstraintComponent", "12"),  # beside a bound, the values are checked in Python
    }  # ex:c is no ex:C: its value 8 is no focus node's


class _Recording:
    """A store that writes down the queries asked of it."""

    def __init__(self, store):
        self.store, self.texts = store, []

    def query(self, text, **kwargs):
        self.texts.append(text)
        return self.store.query(text, **kwargs)


def test_shapes_whose_targets_have_no_instance_run_no_query():
    shapes = list(ox.parse(SHAPES + "ex:T a sh:NodeShape ; sh:targetClass ex:Absent ; "
                           "sh:property [ sh:path ex:text ; sh:minCount 2 ; sh:maxCount 1 ] .", format=ox.RdfFormat.TURTLE))
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(DATA, format=ox.RdfFormat.TURTLE))
    recording = _Recording(store)
    report = check_store(recording, ShapesModel(shapes), root=ROOT, workers=1)
    assert {v.shape for v in report.violations} == {None}  # ex:S's blank property shapes only
    assert {v.focus for v in report.violations} == {"http://example.org/b"}
    absent = [t for t in recording.texts if "<http://example.org/Absent>" in t]
    assert len(absent) == 1 and "LIMIT 1" in absent[0]  # the look for an instance, nothing after it
    assert any("<http://example.org/C>" in t and "minCount" not in t for t in recording.texts)

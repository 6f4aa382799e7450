"""Literals the embedded store keeps with another datatype ("4"^^xsd:int as xsd:integer) are not
judged by sh:datatype as if they had it: validation refuses, naming file, line and literal.

Before, `exo-rdf validate` said "Conforms" for "232"^^xsd:int on exo:citesReference (the shape
asks for xsd:integer), where pyshacl reports a DatatypeConstraintComponent violation; and a
curator's sh:datatype xsd:nonNegativeInteger rejected "4"^^xsd:nonNegativeInteger.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.errors import ValidationEngineError
from exo_rdf.shacl import ShapesModel
from exo_rdf.shacl_datatypes import STORED_AS, check_exact, misjudged_datatypes

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "valid" / "user-findings-more.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
INT_REFERENCE = '"232"^^<http://www.w3.org/2001/XMLSchema#int>'
SUBJECT = "https://w3id.org/exo-rdf/data/finding-user-05"


def test_the_store_still_rewrites_these_datatypes():
    """The reason for the check: if pyoxigraph stops rewriting, the check can go."""
    store = ox.Store()
    for i, (written, stored) in enumerate(STORED_AS.items()):
        lexical = "2020-01-01T00:00:00Z" if "dateTime" in written else "4"
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(lexical, datatype=ox.NamedNode(written))))
    assert {q.object.datatype.value for q in store} == {XSD + "integer", XSD + "dateTime"}


@pytest.fixture
def int_reference(tmp_path) -> Path:
    """The valid fixture with one reference number written as xsd:int (Turtle)."""
    text = FIXTURE.read_text(encoding="utf-8")
    assert text.count("exo:citesReference 232 ;") == 1
    path = tmp_path / "int-reference.ttl"
    path.write_text("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                    + text.replace("exo:citesReference 232 ;", 'exo:citesReference "232"^^xsd:int ;'), encoding="utf-8")
    return path


def test_validate_refuses_and_names_the_literal_in_turtle(int_reference, capsys):
    assert main(["validate", str(int_reference)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"exo-rdf: error: {int_reference}: {INT_REFERENCE} on <{SUBJECT}> "
        "<https://w3id.org/exo-rdf/ontology/citesReference>: the embedded store keeps a literal of xsd:int as "
        "xsd:integer, so the shapes' sh:datatype cannot be checked on it exactly. Write the value with the "
        "datatype the shape asks for, or validate with --engine pyshacl\n")


def test_the_reference_engine_reports_what_the_store_would_have_hidden(int_reference, capsys):
    pytest.importorskip("pyshacl")
    assert main(["validate", "--engine", "pyshacl", "--format", "csv", str(int_reference)]) == 1
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[0], r[3]) for r in rows] == [(SUBJECT, SH + "DatatypeConstraintComponent")]


def test_n_triples_are_named_by_line(int_reference, tmp_path, capsys):
    triples = sorted(ox.parse(path=str(int_reference)), key=str)
    path = tmp_path / "int-reference.nt"
    path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if INT_REFERENCE in text)
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith(f"exo-rdf: error: {path}:{line}: {INT_REFERENCE}: the embedded store keeps")


def test_a_workspace_refuses_too(int_reference, tmp_path, capsys):
    folder = tmp_path / "ws"
    assert main(["validate", "--workspace", str(folder), str(int_reference)]) == 2
    err = capsys.readouterr().err
    assert f"{int_reference}: {INT_REFERENCE} on <{SUBJECT}>" in err and "--engine pyshacl" in err


SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:n ; sh:datatype xsd:%s ] .
"""


def _model(datatype: str) -> ShapesModel:
    return ShapesModel(list(ox.parse(SHAPES % datatype, format=ox.RdfFormat.TURTLE)))


def test_only_the_written_and_the_stored_datatype_are_misjudged():
    assert misjudged_datatypes(_model("nonNegativeInteger")) == {XSD + "nonNegativeInteger"}
    assert misjudged_datatypes(_model("dateTime")) == {XSD + "dateTimeStamp"}
    assert misjudged_datatypes(_model("integer")) == {d for d, stored in STORED_AS.items() if stored == XSD + "integer"}
    assert misjudged_datatypes(_model("decimal")) == set()  # "4"^^xsd:int is no decimal either way


@pytest.mark.parametrize("datatype, literal, refused", [
    ("nonNegativeInteger", '"4"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>', True),
    ("dateTimeStamp", '"2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTimeStamp>', True),
    ("decimal", '"4"^^<http://www.w3.org/2001/XMLSchema#int>', False),
    ("integer", '"4"^^<http://www.w3.org/2001/XMLSchema#integer>', False),
])
def test_a_curators_own_shapes(tmp_path, datatype, literal, refused):
    path = tmp_path / "data.nt"
    path.write_text(f"<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n"
                    f"<http://example.org/a> <http://example.org/n> {literal} .\n")
    if not refused:
        check_exact(_model(datatype), [path])
        return
    with pytest.raises(ValidationEngineError) as caught:
        check_exact(_model(datatype), [path])
    assert str(caught.value).startswith(f"{path}:2: {literal}: the embedded store keeps a literal of xsd:{datatype} as ")

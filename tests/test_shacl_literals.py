"""Literals the embedded store keeps in another form ("4"^^xsd:int as xsd:integer, "042" as "42")
are not judged as if written so: validation refuses, naming file, line and literal.

Before, `exo-rdf validate` said "Conforms" for "232"^^xsd:int and for 042 on exo:citesReference
(the shape asks for xsd:integer matching "^[1-9][0-9]*$"), where pyshacl reports a violation; and a
curator's sh:datatype xsd:nonNegativeInteger rejected "4"^^xsd:nonNegativeInteger.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.errors import ValidationEngineError
from exo_rdf.shacl import ShapesModel
from exo_rdf.shacl_literals import check_exact, kept_forms

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "valid" / "user-findings-more.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
INT_REFERENCE = '"232"^^<http://www.w3.org/2001/XMLSchema#int>'
SUBJECT = "https://w3id.org/exo-rdf/data/finding-user-05"


REWRITTEN = {  # written -> kept, as pyoxigraph 0.5 stores them
    '"4"^^<http://www.w3.org/2001/XMLSchema#int>': '"4"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"4"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>': '"4"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTimeStamp>':
        '"2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
    '"042"^^<http://www.w3.org/2001/XMLSchema#integer>': '"42"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"0.50"^^<http://www.w3.org/2001/XMLSchema#decimal>': '"0.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"1"^^<http://www.w3.org/2001/XMLSchema#boolean>': '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
}


def _literal(text: str) -> ox.Literal:
    [triple] = ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES)
    return triple.object


def test_the_store_still_rewrites_these_literals():
    """The reason for the check: what the store keeps differs from what was written."""
    written = [_literal(text) for text in REWRITTEN]
    assert [str(k) for k in kept_forms(written)] == list(REWRITTEN.values())


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
        "xsd:integer, so the shapes' sh:datatype cannot be checked on it exactly. Write the value as the shape "
        "asks for it, or validate with --engine pyshacl\n")


def test_the_reference_engine_reports_what_the_store_would_have_hidden(int_reference, capsys):
    pytest.importorskip("pyshacl")
    assert main(["validate", "--engine", "pyshacl", "--format", "csv", str(int_reference)]) == 1
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[0], r[3]) for r in rows] == [(SUBJECT, SH + "DatatypeConstraintComponent")]


@pytest.mark.parametrize("block", [1 << 22, 97], ids=["one-block", "many-blocks"])
def test_n_triples_are_named_by_line(int_reference, tmp_path, capsys, monkeypatch, block):
    monkeypatch.setattr("exo_rdf.shacl_literals._BLOCK", block)
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


def test_an_incremental_run_scans_the_changed_file(tmp_path, capsys):
    path, folder = tmp_path / "findings.ttl", tmp_path / "ws"
    path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["validate", "--workspace", str(folder), "--incremental", str(path)]) == 0
    path.write_text("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + FIXTURE.read_text(encoding="utf-8").replace(
        "exo:citesReference 232 ;", 'exo:citesReference "232"^^xsd:int ;'), encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", "--workspace", str(folder), "--incremental", str(path)]) == 2
    assert f"{path}: {INT_REFERENCE} on <{SUBJECT}>" in capsys.readouterr().err


def test_a_leading_zero_is_not_hidden_from_sh_pattern(tmp_path, capsys):
    text = FIXTURE.read_text(encoding="utf-8").replace("exo:citesReference 232 ;", "exo:citesReference 0232 ;")
    path = tmp_path / "leading-zero.ttl"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f'exo-rdf: error: {path}: "0232"^^<http://www.w3.org/2001/XMLSchema#integer> on <{SUBJECT}> '
        '<https://w3id.org/exo-rdf/ontology/citesReference>: the embedded store keeps "0232" as "232", so the '
        "shapes' sh:pattern cannot be checked on it exactly.")


def test_a_rewritten_literal_no_shape_judges_by_its_form_passes(tmp_path, capsys):
    """116.0 on exo:count (kept as "116"; sh:datatype xsd:decimal, compared by value) and "7"^^xsd:int
    on a predicate no shape names: both engines agree, so nothing is refused."""
    triples = list(ox.parse(FIXTURE.read_text(encoding="utf-8"), format=ox.RdfFormat.TURTLE))
    lines = [f"{t} ." for t in triples]
    assert f'<{SUBJECT}> <https://w3id.org/exo-rdf/ontology/count> "116.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .' in lines
    lines.append(f'<{SUBJECT}> <https://example.org/pageCount> "7"^^<http://www.w3.org/2001/XMLSchema#int> .')
    path = tmp_path / "harmless.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == "Conforms: no violations.\n"


SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:n ; sh:datatype xsd:%s ] .
"""


def _model(datatype: str) -> ShapesModel:
    return ShapesModel(list(ox.parse(SHAPES % datatype, format=ox.RdfFormat.TURTLE)))


@pytest.mark.parametrize("datatype, literal, refused", [
    ("nonNegativeInteger", '"4"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>', True),
    ("dateTimeStamp", '"2020-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTimeStamp>', True),
    ("decimal", '"4"^^<http://www.w3.org/2001/XMLSchema#int>', False),  # no decimal either way
    ("long", '"4"^^<http://www.w3.org/2001/XMLSchema#int>', False),  # no long either way
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
    assert str(caught.value).endswith("cannot be checked on it exactly. Write the value as the shape asks for it, "
                                      "or validate with --engine pyshacl")


INT_LINE = '<http://example.org/a> <http://example.org/n> "4"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>'
TYPE_LINE = "<http://example.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C>"


@pytest.mark.parametrize("name, lines, line", [
    # N-Quads: the graph term after the literal is not part of it
    ("graph.nq", [f"{TYPE_LINE} <http://example.org/g> .", f"{INT_LINE} <http://example.org/g> ."], 2),
    # an escaped quote followed by ^^< inside a string is no typed literal's end
    ("escaped.nt", [TYPE_LINE + " .",
                    '<http://example.org/a> <http://example.org/n> "say \\"^^<http://example.org/x>\\" twice"@en .',
                    INT_LINE + " ."], 3),
    # Windows line ends
    ("crlf.nt", [TYPE_LINE + " .\r", INT_LINE + " .\r"], 2),
])
def test_line_forms_are_named_by_their_line(tmp_path, name, lines, line):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode())
    with pytest.raises(ValidationEngineError) as caught:
        check_exact(_model("nonNegativeInteger"), [path])
    assert str(caught.value).startswith(
        f'{path}:{line}: "4"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>: the embedded store keeps')


@pytest.mark.parametrize("name, text", [("empty.nt", ""), ("empty.ttl", ""), ("prefixes-only.ttl", "@prefix ex: <http://example.org/> .\n"),
                                        ("no-typed-literal.nt", TYPE_LINE + " .\n")])
def test_files_without_typed_literals_pass_the_scan(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert check_exact(_model("nonNegativeInteger"), [path]) is None


@pytest.mark.parametrize("change", ["edited", "removed", "touched"])
def test_a_workspace_file_changed_since_its_load_is_named_not_scanned(tmp_path, capsys, change):
    """The check reads the files; the store holds what was loaded. A file edited or removed since
    would be checked for what the store does not hold: refused, naming it; one touched but holding
    the same bytes is checked as loaded."""
    path, folder = tmp_path / "findings.ttl", tmp_path / "ws"
    path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["validate", "--workspace", str(folder), str(path)]) == 0
    if change == "edited":
        path.write_text("@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + FIXTURE.read_text(encoding="utf-8").replace(
            "exo:citesReference 232 ;", 'exo:citesReference "232"^^xsd:int ;'), encoding="utf-8")
    elif change == "removed":
        path.unlink()
    else:
        path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    code = main(["validate", "--workspace", str(folder)])
    err = capsys.readouterr().err
    if change == "touched":
        assert (code, err) == (0, "")
    elif change == "edited":
        assert (code, err) == (2, f"exo-rdf: error: {path}: changed since the workspace loaded it, and the check of its "
                                  f"literals reads the file; give it again (exo-rdf validate --workspace {folder} FILE ...) "
                                  "to load what it holds now\n")
    else:
        assert code == 2 and err.startswith(f"exo-rdf: error: {path}: cannot be read (") and "put it back" in err


@pytest.mark.parametrize("data, size, blocks", [
    (b"", 4, []),
    (b"a\nb\n", 100, [(0, b"a\nb\n")]),
    (b"a\nb", 100, [(0, b"a\n"), (2, b"b")]),  # no line end at the end of the file: the last block lacks it too
    # a line longer than a block: its block grows to the line end (and takes what was read with it)
    (b"a\nlonger than a block\nc\n", 4, [(0, b"a\n"), (2, b"longer than a block\nc\n")]),
])
def test_line_blocks_cut_whole_lines(tmp_path, data, size, blocks):
    from exo_rdf.sources import line_blocks

    path = tmp_path / "lines.nt"
    path.write_bytes(data)
    assert list(line_blocks(path, size)) == blocks

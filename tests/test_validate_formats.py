"""validate: any RDF format in, the W3C report graph (ttl, jsonld) or rows (json, csv) out, exit codes unchanged."""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from exo_rdf.cli import main

SH = "http://www.w3.org/ns/shacl#"
FIXTURE = FIXTURES / "invalid" / "biomarker-sensitivity-above-one.ttl"
FOCUS = "https://w3id.org/exo-rdf/data/finding-user-01"
PATH = "https://w3id.org/exo-rdf/ontology/sensitivityMax"
MESSAGE = ("exo:sensitivityMax must be one decimal fraction in [0, 1] (a single value is both minimum and maximum; "
           "write 1.0, not 1 or 100).")
SUFFIXES = {".nt": ox.RdfFormat.N_TRIPLES, ".owl": ox.RdfFormat.RDF_XML, ".jsonld": ox.RdfFormat.JSON_LD,
            ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}


def fixture_line() -> int:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith("exod:finding-user-01 "))


def converted(tmp_path, suffix: str):
    out = tmp_path / f"user{suffix}"
    quads = list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))
    items = quads if suffix in (".nq", ".trig") else [q.triple for q in quads]
    ox.serialize(items, str(out), format=SUFFIXES[suffix])
    return out


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_any_rdf_format_is_validated_the_same(tmp_path, capsys, suffix):
    path = converted(tmp_path, suffix)
    assert main(["validate", str(path), "--format", "csv"]) == 1
    row = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    line = row[1][7]  # the serialiser's own layout: a line where the focus node starts one, or none (RDF/XML, JSON-LD)
    assert line.isdigit() if suffix in (".nt", ".nq", ".trig") else line == ""
    assert row == [
        ["focus_node", "path", "value", "constraint", "severity", "message", "source_file", "line"],
        [FOCUS, PATH, "94.7", SH + "MaxInclusiveConstraintComponent", "Violation", MESSAGE, str(path), line],
    ]


def test_csv_names_the_file_and_line(capsys):
    assert main(["validate", str(FIXTURE), "--format", "csv"]) == 1
    assert capsys.readouterr().out == (
        "focus_node,path,value,constraint,severity,message,source_file,line\r\n"
        f'{FOCUS},{PATH},94.7,{SH}MaxInclusiveConstraintComponent,Violation,"{MESSAGE}",{FIXTURE},{fixture_line()}\r\n'
    )


def test_both_engines_write_the_same_rows(capsys):
    assert main(["validate", str(FIXTURE), "--format", "csv", "--engine", "pyshacl"]) == 1
    pyshacl_rows = capsys.readouterr().out
    assert main(["validate", str(FIXTURE), "--format", "csv"]) == 1
    assert capsys.readouterr().out == pyshacl_rows


def test_json_rows(capsys):
    assert main(["validate", str(FIXTURE), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {"conforms": False, "results": [{
        "focus_node": FOCUS, "path": PATH, "value": "94.7", "constraint": SH + "MaxInclusiveConstraintComponent",
        "severity": "Violation", "message": MESSAGE, "source_file": str(FIXTURE), "line": fixture_line()}]}


@pytest.mark.parametrize(("fmt", "rdf_format"), [("ttl", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_the_w3c_report_graph(tmp_path, capsys, fmt, rdf_format):
    out = tmp_path / f"report.{fmt}"
    assert main(["validate", str(FIXTURE), "--format", fmt, "--output", str(out)]) == 1
    assert capsys.readouterr().out == ""
    store = ox.Store()
    store.load(path=str(out), format=rdf_format)
    sh = lambda n: ox.NamedNode(SH + n)  # noqa: E731
    (report,) = [q.subject for q in store.quads_for_pattern(None, None, sh("ValidationReport"))]
    assert [q.object.value for q in store.quads_for_pattern(report, sh("conforms"), None)] == ["false"]
    (result,) = [q.object for q in store.quads_for_pattern(report, sh("result"), None)]
    got = {q.predicate.value.removeprefix(SH): q.object for q in store.quads_for_pattern(result, None, None)}
    assert got == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": sh("ValidationResult"),
        "focusNode": ox.NamedNode(FOCUS),
        "resultPath": ox.NamedNode(PATH),
        "value": ox.Literal("94.7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        "sourceConstraintComponent": sh("MaxInclusiveConstraintComponent"),
        "sourceShape": got["sourceShape"],
        "resultSeverity": sh("Violation"),
        "resultMessage": ox.Literal(MESSAGE),
    }
    assert isinstance(got["sourceShape"], ox.BlankNode)  # the shapes' property shapes are anonymous


def test_a_conforming_file_gives_a_conforming_report(capsys):
    assert main(["validate", str(FIXTURES / "valid" / "user-findings.ttl"), "--format", "ttl"]) == 0
    out = capsys.readouterr().out
    assert "sh:conforms true" in out and "sh:result" not in out


def test_text_uses_the_project_curies(capsys):
    assert main(["validate", str(FIXTURE)]) == 1
    out = capsys.readouterr().out
    assert "exod:finding-user-01\n  - Violation [exo:sensitivityMax]:" in out
    assert out.rstrip().endswith("(value: 94.7)  <sh:MaxInclusiveConstraintComponent>")


def test_unknown_suffix_is_an_error(tmp_path, capsys):
    path = tmp_path / "user.dat"  # not .csv: a .csv (.tsv, .xlsx) is read as a curation template
    path.write_text("a,b\n")
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (f"exo-rdf: error: {path}: unknown RDF file type '.dat'; "
                                      "use .ttl, .nt, .nq, .trig, .jsonld or .owl/.rdf (RDF/XML)\n")


def test_locations_of_many_results_read_the_file_once(tmp_path, monkeypatch):
    from exo_rdf.validate import validate

    text = FIXTURE.read_text(encoding="utf-8")
    mine = tmp_path / "three.ttl"
    mine.write_text("".join(text.replace("finding-user-01", f"finding-user-0{n}") for n in (1, 2, 3)), encoding="utf-8")
    lines = mine.read_text(encoding="utf-8").splitlines()
    expected = {FOCUS[:-1] + str(n): next(i for i, line in enumerate(lines, 1) if line.startswith(f"exod:finding-user-0{n} "))
                for n in (1, 2, 3)}
    report = validate([mine])
    from exo_rdf import validation_report

    reads = []
    monkeypatch.setattr(validation_report, "open", lambda p, *a, **k: reads.append(p) or open(p, *a, **k), raising=False)
    got = {r["focus_node"]: (r["source_file"], r["line"]) for r in json.loads(report.serialize("json"))["results"]}
    assert got == {focus: (str(mine), line) for focus, line in expected.items()}
    assert reads.count(mine) == 1

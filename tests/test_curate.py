"""exo-rdf curate: every problem of a template at its (row, column, rule), nothing written on a failure."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, SHARED_TERMS
from exo_rdf.cli import main
from exo_rdf.curation.curate import curate
from exo_rdf.curation.problems import RULE_BASE, CellProblem
from exo_rdf.curation.resolve import Resolver
from exo_rdf.validate import validate

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"


# A small reader of biomarker rows, so that the mapping of problems to cells is tested on its own
# terms: one column per property, names resolved through the resolver given.
@dataclass
class Row:
    file: str
    number: int
    kind: str
    cells: dict


def _read_table(path):
    with open(path, newline="", encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            yield Row(str(path), number, "biomarker", record)


COLUMN_OF = {EXO + "marker": "marker", EXO + "cancer": "cancer", EXO + "fluid": "fluid",
             EXO + "sensitivityMin": "sensitivity", EXO + "sensitivityMax": "sensitivity",
             PROV + "wasDerivedFrom": "source", EXO + "statement": "statement"}


def _row_to_rdf(row, resolve):
    finding = ox.NamedNode(f"{EXOD}finding-user-{row.number}")
    quads, problems = [], []

    def add(p, o):
        quads.append(ox.Quad(finding, ox.NamedNode(p), o))

    add("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(EXO + "BiomarkerFinding"))
    for column, kind in (("marker", "molecule"), ("cancer", "cancer"), ("fluid", "anatomy")):
        try:
            add(EXO + column, resolve(row.cells[column], kind))
        except CellProblem as exc:
            problems.append(exc.problem.at(row.file, row.number, column))
        add(EXO + column + "AsPrinted", ox.Literal(row.cells[column]))
    decimal = ox.NamedNode(XSD + "decimal")
    for bound in ("Min", "Max"):
        add(EXO + "sensitivity" + bound, ox.Literal(row.cells["sensitivity"], datatype=decimal))
        add(EXO + "specificity" + bound, ox.Literal("0.8", datatype=decimal))
    if row.cells["source"]:
        for p in (PROV + "wasDerivedFrom", EXO + "statedIn"):
            add(p, ox.NamedNode(EXOD + row.cells["source"]))
        add(EXO + "inSection", ox.NamedNode(EXOD + "section-protein-table-2"))
    add(EXO + "citesReference", ox.Literal("236", datatype=ox.NamedNode(XSD + "integer")))
    add("http://purl.obolibrary.org/obo/RO_0002558", ox.NamedNode("http://purl.obolibrary.org/obo/ECO_0000304"))
    for p in (EXO + "statement", PROV + "value"):
        add(p, ox.Literal(row.cells["statement"]))
    return quads, finding, problems, {finding.value: (row.number, None)}


READER = SimpleNamespace(read_table=_read_table, row_to_rdf=_row_to_rdf, column_for_path=lambda kind, path: COLUMN_OF.get(path))
HEADER = "marker\tcancer\tfluid\tsensitivity\tsource\tstatement\n"
GOOD = ["PD-L1\tpancreatic cancer\tplasma\t0.9\treview-protein\tPD-L1 in plasma.",
        "Del-1\tbreast cancer\tPlasma\t0.947\treview-protein\tDel-1 in plasma."]
BAD = ["PD-L1\tpancreatc cancer\tplasma\t94.7\treview-protein\tA misspelt cancer and a percentage.",
       "MDA-MB-231\tbreast cancer\tserum\t0.5\t\tA cell line as marker, no source."]


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


def template(tmp_path, lines):
    path = tmp_path / "rows.tsv"
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(tmp_path, resolver, lines, **options):
    out = tmp_path / "out" / "findings.ttl"
    result = curate([template(tmp_path, lines)], out, resolver=resolver, reader=READER, **options)
    return result, out


def test_valid_rows_are_written_and_conform(tmp_path, resolver):
    result, out = run(tmp_path, resolver, GOOD)
    assert result.problems == []
    assert (result.rows, result.written_rows, result.written) == (2, 2, [out])
    graph = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert (EXOD + "finding-user-3", EXO + "fluid", "http://purl.obolibrary.org/obo/UBERON_0001969") in graph
    assert (EXOD + "finding-user-2", EXO + "marker", EXOD + "protein-CD274") in graph
    assert validate([out]).conforms
    assert sorted(p.name for p in out.parent.iterdir()) == ["findings.ttl"]  # no temporary file left


def test_every_problem_at_its_cell_and_nothing_written(tmp_path, resolver):
    result, out = run(tmp_path, resolver, GOOD + BAD)
    assert {(p.row, p.column, p.rule) for p in result.problems} == {
        (4, "cancer", RULE_BASE + "unknown-name"),
        (4, "sensitivity", SH + "MaxInclusiveConstraintComponent"),  # both bounds, one column
        (5, "marker", RULE_BASE + "wrong-kind"),
        (5, "source", SH + "MinCountConstraintComponent"),
        (5, None, "https://w3id.org/exo-rdf/shapes/FindingSourceShape"),  # neither a review's nor an article's
    }
    # the unresolved cancer is not reported a second time as the shape's missing exo:cancer
    assert not any(p.row == 4 and p.column == "cancer" and p.rule.startswith(SH) for p in result.problems)
    assert (result.rows, result.valid_rows, result.rejected_rows, result.written) == (4, 2, 2, [])
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_keep_valid_writes_the_valid_rows_and_the_rejects(tmp_path, resolver):
    result, out = run(tmp_path, resolver, BAD + GOOD, keep_valid=True)
    rejects = out.with_name("findings.rejects.rows.tsv")
    assert result.written == [out, rejects]
    subjects = {t.subject.value for t in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    assert subjects == {EXOD + "finding-user-4", EXOD + "finding-user-5"}
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row\tmarker\tcancer\tfluid\tsensitivity\tsource\tstatement\tproblems"
    assert [line.split("\t")[:2] for line in lines[1:]] == [["2", "PD-L1"], ["3", "MDA-MB-231"]]
    assert lines[2].split("\t")[-1].startswith("marker: cell line given where a molecule belongs")


def test_small_blocks_give_the_same_problems(tmp_path, resolver):
    whole, _ = run(tmp_path, resolver, GOOD + BAD)
    blocks, _ = run(tmp_path, resolver, GOOD + BAD, block_rows=1)
    assert sorted(whole.problems, key=repr) == sorted(blocks.problems, key=repr)


def test_an_output_that_is_not_rdf(tmp_path, resolver):
    from exo_rdf.errors import OutputError

    with pytest.raises(OutputError, match="findings.txt: write the findings to a .ttl or .nt file"):
        curate([template(tmp_path, GOOD)], tmp_path / "findings.txt", resolver=resolver, reader=READER)


# The mistake fixture and the examples of docs/curation.md, through the template reader -----------

TEMPLATES = FIXTURES / "templates"
MISTAKES = TEMPLATES / "mistakes.tsv"
EXOSH = "https://w3id.org/exo-rdf/shapes/"
OBO = "http://purl.obolibrary.org/obo/"


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A resolver over the CL table (the obsolete CL:0000002 and mast cell, CL:0000097, are only there).

    The other tables would be read too, as their columns need them, at seconds each.
    """
    terms = tmp_path_factory.mktemp("terms")
    (terms / "cl.tsv").symlink_to(SHARED_TERMS / "cl.tsv")
    return Resolver(terms=terms)


def test_every_mistake_at_its_row_column_and_rule(tmp_path, full):
    out = tmp_path / "findings.ttl"
    result = curate([MISTAKES], out, resolver=full)
    reported = {(p.row, p.column, p.rule) for p in result.problems}
    expected = {
        (4, "cargo", RULE_BASE + "unknown-name"),  # PD-L9
        (5, "cargo", RULE_BASE + "ambiguous-name"),  # IL-8: the CXCL8 protein and its mRNA
        (6, "producer cancer", RULE_BASE + "wrong-prefix"),  # UBERON:0001969
        (7, "producer cell type", RULE_BASE + "obsolete-id"),  # CL:0000002
        (8, "references", SH + "PatternConstraintComponent"),  # reference 0
        (9, "source", RULE_BASE + "missing-value"),  # no source: and so no evidence, neither kind of finding
        (9, "references", SH + "MinCountConstraintComponent"),
        (9, None, EXOSH + "FindingShape"),
        (9, None, EXOSH + "FindingSourceShape"),
        (10, "source", SH + "PatternConstraintComponent"),  # doi:11.1038/ncb1596
        (11, "source", SH + "PatternConstraintComponent"),  # pmid:PMC6543197
        (12, None, EXOSH + "FindingSourceShape"),  # reference numbers on a research article
        (13, "producer cell type", RULE_BASE + "wrong-kind"),  # MDA-MB-231
    }
    assert reported == expected
    by_row = {p.row: p for p in result.problems if p.column != "references" and p.row != 9}
    assert by_row[13].message == "cell line given where a cell type belongs: 'MDA-MB-231' is cellosaurus:0062 (MDA-MB-231)"
    assert (by_row[10].value, by_row[11].value) == ("11.1038/ncb1596", "PMC6543197")
    assert "exod:protein-CD274 (CD274)" in by_row[4].message  # the closest candidate, with its id
    assert (result.rows, result.rejected_rows, result.written) == (10, 10, [])
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


@pytest.mark.parametrize("kind", ["cargo-effect", "cell-death", "therapy"])
def test_the_examples_of_the_curation_guide_give_conforming_rdf(tmp_path, full, kind):
    out = tmp_path / "findings.ttl"
    result = curate([TEMPLATES / f"examples.{kind}.tsv"], out, resolver=full)
    assert result.problems == []
    assert result.written == [out]
    assert validate([out]).conforms
    triples = {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(path=str(out), format=ox.RdfFormat.TURTLE)}
    expected = {
        "cargo-effect": [(EXOD + "finding-user-angiogenesis-02", EXO + "cargo", EXOD + "protein-TGFB1"),
                         (EXOD + "finding-user-angiogenesis-02", EXO + "evType", EXO + "TumourDerivedExosome"),
                         (EXOD + "finding-pmid-17486113-01", EXO + "producerCellType", OBO + "CL_0000097"),
                         (EXOD + "publication-pmid-17486113", EXO + "doi", "10.1038/ncb1596")],
        "cell-death": [(EXOD + "finding-user-cell-death-19-target-2", EXO + "target", EXOD + "protein-BAX"),
                       (EXOD + "finding-user-cell-death-19-target-2", EXO + "targetDirection", EXO + "decreases"),
                       (EXOD + "finding-user-cell-death-29", EXO + "releasedFactor", EXOD + "protein-TNF"),
                       (EXOD + "finding-user-cell-death-29", EXO + "citesNoReference", "true")],
        "therapy": [(EXOD + "finding-user-therapy-05", EXO + "coAdministeredAgent", EXOD + "protein-CSF2"),
                    (EXOD + "finding-user-therapy-05", EXO + "cancer", OBO + "MONDO_0005575")],
    }[kind]
    assert set(expected) <= triples


def test_cli_curate_reports_json_and_exits_1(tmp_path, capsys):
    out = tmp_path / "findings.ttl"
    code = main(["curate", str(MISTAKES), "--out", str(out), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["count"] == len(report["problems"])
    assert {p["row"] for p in report["problems"]} == set(range(4, 14))  # each mistake's row, none other
    assert {(p["row"], p["column"], p["rule"].rsplit("/", 1)[-1]) for p in report["problems"] if p["row"] == 7} == {
        (7, "producer cell type", "unknown-id")}  # without --terms, CL:0000002 is not known to be obsolete
    assert not out.exists()


def test_cli_validate_takes_templates(capsys):
    assert main(["validate", str(TEMPLATES / "examples.therapy.tsv")]) == 0
    assert capsys.readouterr().out == "No problems.\n1 row(s) checked, 1 valid.\n"
    assert main(["validate", str(MISTAKES), "--format", "ttl"]) == 2
    assert "--format ttl reports on RDF files; for templates use one of text, tsv, json, csv" in capsys.readouterr().err


def test_cli_curate_a_missing_template_is_an_error(tmp_path, capsys):
    assert main(["curate", str(tmp_path / "absent.tsv"), "--out", str(tmp_path / "f.ttl")]) == 2
    assert "absent.tsv: no such file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_bundled_findings_as_filled_templates_curate_without_a_problem(tmp_path, full):
    assert main(["template", "--filled", "--out", str(tmp_path / "bundled.tsv")]) == 0
    templates = sorted(tmp_path.glob("bundled.*.tsv"))
    assert len(templates) == 11
    result = curate(templates, tmp_path / "findings.ttl", resolver=full)
    assert result.problems == []
    from exo_rdf.curation.columns import KINDS
    from exo_rdf.sources import discover, parse_quads

    classes = {ox.NamedNode(cls) for cls, _ in KINDS.values()}
    bundled = {q.subject for s in discover(None, ("data",)) for q in parse_quads(s)
               if q.predicate.value.endswith("#type") and q.object in classes}
    assert result.rows == result.written_rows == len(bundled)


def test_problems_render_as_text_tsv_and_json():
    from exo_rdf.curation.problems import Problem, as_csv, as_json, as_text, as_tsv, rule

    problems = [Problem("t.tsv", 3, "cancer", rule("unknown-name"), "no cancer is named 'x'", "x", "write one"),
                Problem("t.tsv", 2, "references", SH + "PatternConstraintComponent", "positive\tintegers", "0")]
    assert as_text(problems) == (
        "t.tsv:2: references: violation: positive integers (value: '0')  [sh:PatternConstraintComponent]\n"
        "t.tsv:3: cancer: violation: no cancer is named 'x' (value: 'x') Fix: write one  [unknown-name]\n"
        "2 problem(s) in 2 row(s).\n")
    assert as_tsv(problems).splitlines() == [
        "file\trow\tcolumn\trule\tseverity\tmessage\tvalue\tfix",
        f"t.tsv\t2\treferences\t{SH}PatternConstraintComponent\tViolation\tpositive integers\t0\t",
        f"t.tsv\t3\tcancer\t{RULE_BASE}unknown-name\tViolation\tno cancer is named 'x'\tx\twrite one"]
    assert json.loads(as_json(problems))["problems"][1] == {
        "file": "t.tsv", "row": 3, "column": "cancer", "rule": RULE_BASE + "unknown-name", "severity": "Violation",
        "message": "no cancer is named 'x'", "value": "x", "fix": "write one"}
    assert as_csv(problems).splitlines()[1] == f"t.tsv,2,references,{SH}PatternConstraintComponent,Violation,positive\tintegers,0,"


def test_rejects_of_two_templates_of_one_name_are_both_kept(tmp_path, resolver):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = template(tmp_path / "a", BAD[:1]), template(tmp_path / "b", BAD[1:])
    out = tmp_path / "findings.ttl"
    result = curate([first, second], out, resolver=resolver, reader=READER, keep_valid=True)
    assert result.written == [out, tmp_path / "findings.rejects.rows.tsv", tmp_path / "findings.rejects.rows-2.tsv"]
    assert [p.read_text(encoding="utf-8").splitlines()[1].split("\t")[1] for p in result.written[1:]] == ["PD-L1", "MDA-MB-231"]


def test_a_finding_repeated_in_another_block_is_a_problem(tmp_path, resolver):
    # rows 2 and 4 state the same finding (the reader names it by the row's statement here)
    reader = SimpleNamespace(**{**vars(READER), "row_to_rdf": lambda row, resolve: _row_to_rdf(row, resolve)[:1] + (
        ox.NamedNode(EXOD + "finding-user-" + row.cells["marker"]),) + _row_to_rdf(row, resolve)[2:]})
    path = template(tmp_path, GOOD + GOOD[:1])
    result = curate([path], tmp_path / "findings.ttl", resolver=resolver, reader=reader, block_rows=2)
    assert [(p.row, p.column, p.rule, p.message) for p in result.problems] == [
        (4, "finding", RULE_BASE + "duplicate-finding", f"exod:finding-user-PD-L1 is the finding of {path}:2 too")]
    assert result.written == []


def test_a_violation_about_no_row_is_reported_at_the_file(tmp_path, resolver):
    # a row that says something about a review (a node of the context) which breaks a shape there
    def row_to_rdf(row, resolve):
        quads, focus, problems, node_map = _row_to_rdf(row, resolve)
        review = ox.NamedNode(EXOD + "review-protein")
        return quads + [ox.Quad(review, ox.NamedNode(EXO + "doi"), ox.Literal("not a DOI"))], focus, problems, node_map

    reader = SimpleNamespace(**{**vars(READER), "row_to_rdf": row_to_rdf})
    path = template(tmp_path, GOOD)
    result = curate([path], tmp_path / "findings.ttl", resolver=resolver, reader=reader)
    assert [(p.file, p.row, p.column, p.rule, p.value) for p in result.problems] == [
        (str(path), None, None, SH + "PatternConstraintComponent", "not a DOI")]
    assert result.problems[0].message.startswith("exod:review-protein: exo:doi is one DOI")

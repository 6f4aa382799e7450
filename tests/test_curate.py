"""exo-rdf curate: every problem of a template at its (row, column, rule), nothing written on a failure."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from types import SimpleNamespace

import pyoxigraph as ox
import pytest

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

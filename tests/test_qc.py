"""QC checks: none fails on the sources, and each finds its problem in a fixture."""
from __future__ import annotations

import csv
import os

import pytest

from conftest import FIXTURES, ROOT, SHARED_TERMS
from exo_rdf.cli import main
from exo_rdf.qc import Problem, checks, fails, report, run_checks
from exo_rdf.sources import discover, user_sources
from exo_rdf.store import build_store
from exo_rdf.terms import check_terms

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
OBO = "http://purl.obolibrary.org/obo/"


def test_every_check_declares_a_level():
    assert set(checks()) == {
        "own-term-without-label", "own-term-without-definition", "duplicate-label", "label-whitespace",
        "external-term-not-declared", "finding-without-provenance", "reference-out-of-range",
        "obsolete-external-term", "class-without-superclass",
    }


def test_sources_have_no_error(capsys):
    assert [p for p in run_checks() if p.level == "ERROR"] == []
    assert main(["qc", "--format", "tsv"]) == 0
    assert capsys.readouterr().out.startswith("Level\tRule Name\tSubject\tProperty\tValue\n")


def test_each_check_finds_its_problem():
    store = build_store(discover(ROOT, ("ontology", "imports", "data")) + user_sources([FIXTURES / "qc" / "problems.ttl"]))
    got = {(p.level, p.rule, p.entity, p.value) for p in run_checks(store) if "/Qc" in p.entity or "qc-" in p.entity
           or p.entity.startswith(OBO) or (p.rule == "duplicate-label")}
    assert got == {
        ("ERROR", "own-term-without-label", EXO + "QcNoLabel", ""),
        ("ERROR", "own-term-without-definition", EXO + "QcNoDefinition", ""),
        ("ERROR", "duplicate-label", EXO + "QcDuplicate", "Finding"),
        ("ERROR", "duplicate-label", EXO + "Finding", "finding"),
        ("ERROR", "label-whitespace", EXOD + "qc-whitespace", "stray  space"),
        ("ERROR", "external-term-not-declared", OBO + "UBERON_0002048", EXO + "fluid"),
        ("ERROR", "finding-without-provenance", EXOD + "qc-no-references", "no references"),
        ("ERROR", "reference-out-of-range", EXOD + "qc-reference-out-of-range", "300"),
        ("ERROR", "obsolete-external-term", OBO + "GO_0005615", EXOD + "qc-obsolete"),
        ("WARN", "class-without-superclass", EXO + "QcTop", ""),
    }


needs_tables = pytest.mark.skipif(
    not SHARED_TERMS.is_dir() and not os.environ.get("CI"), reason=f"term tables not found at {SHARED_TERMS}"
)


@needs_tables
def test_check_terms_against_the_verified_tables(capsys):
    assert check_terms(SHARED_TERMS) == []
    assert main(["check-terms", "--terms", str(SHARED_TERMS)]) == 0


@needs_tables
def test_check_terms_reports_obsolete_and_changed_labels(tmp_path, capsys):
    for table in SHARED_TERMS.glob("*.tsv"):
        if table.name != "go.tsv":
            (tmp_path / table.name).symlink_to(table)
    with (SHARED_TERMS / "go.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    for row in rows:
        if row[0] == "GO:0001525":  # angiogenesis, now obsolete in this imagined newer release
            row[3] = "true"
        if row[0] == "GO:0006915":  # apoptotic process, renamed upstream
            row[1] = "apoptosis"
    with (tmp_path / "go.tsv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter="\t", lineterminator="\n").writerows(rows)
    assert [str(p) for p in check_terms(tmp_path)] == [
        f"obsolete\t{OBO}GO_0001525\tGO:0001525 is obsolete upstream ('angiogenesis')",
        f"label\t{OBO}GO_0006915\tlabelled 'apoptotic process' but upstream GO:0006915 is 'apoptosis'",
    ]
    assert main(["check-terms", "--terms", str(tmp_path)]) == 1


PROBLEMS = [
    Problem("WARN", "class-without-superclass", EXO + "QcTop", ""),
    Problem("ERROR", "external-term-not-declared", OBO + "UBERON_0002048", EXO + "fluid", EXO + "fluid"),
]


def test_report_has_robot_columns_and_curies():
    assert report(PROBLEMS, "tsv") == (
        "Level\tRule Name\tSubject\tProperty\tValue\n"
        "ERROR\texternal-term-not-declared\tUBERON:0002048\texo:fluid\texo:fluid\n"
        "WARN\tclass-without-superclass\texo:QcTop\t\t\n"
    )
    assert report(PROBLEMS, "csv").splitlines()[0] == "Level,Rule Name,Subject,Property,Value"
    assert report(PROBLEMS, "table").splitlines()[-1] == "(1 ERROR, 1 WARN, 0 INFO)"


@pytest.mark.parametrize(("fail_on", "expected"), [("ERROR", True), ("WARN", True), ("INFO", True), ("none", False)])
def test_fail_on_levels(fail_on, expected):
    assert fails(PROBLEMS, fail_on) is expected
    assert fails(PROBLEMS[:1], fail_on) is (fail_on in ("WARN", "INFO"))


def test_qc_fail_on_and_output(tmp_path, capsys):
    """The bundled sources have WARN problems (top classes) and no ERROR."""
    assert main(["qc", "--fail-on", "none"]) == 0
    assert main(["qc", "--fail-on", "WARN"]) == 1
    out = tmp_path / "qc.tsv"
    assert main(["qc", "--output", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Level\tRule Name\tSubject\tProperty\tValue"
    assert "WARN\tclass-without-superclass\texo:Finding\t\t" in lines[1:]
    assert capsys.readouterr().err.endswith(f"problem(s) to {out} (0 ERROR, {len(lines) - 1} WARN, 0 INFO)\n")
    assert main(["qc", "--format", "csv", "--output", "-"]) == 0
    assert capsys.readouterr().out.startswith("Level,Rule Name,Subject,Property,Value\r\n")

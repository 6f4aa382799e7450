"""QC checks: none fails on the sources, and each finds its problem in a fixture."""
from __future__ import annotations

import csv
import os

import pytest

from conftest import FIXTURES, ROOT, SHARED_TERMS
from exo_rdf.cli import main
from exo_rdf.qc import checks, run_checks
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
    assert capsys.readouterr().out.startswith("level\trule\tentity\tvalue\n")


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

"""The SSSOM mapping set is current, parses with the sssom package, and holds the expected links."""
from __future__ import annotations

import csv

import pytest

from conftest import ROOT
from exo_rdf.cli import main
from exo_rdf.mappings import sssom_text

PATH = ROOT / "mappings" / "exo-rdf.sssom.tsv"


def rows():
    lines = [line for line in PATH.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_mapping_set_is_current():
    assert PATH.read_text(encoding="utf-8") == sssom_text(ROOT), "mappings/exo-rdf.sssom.tsv is stale: run 'exo-rdf mappings'"


def test_expected_mappings():
    got = {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows()}
    assert {
        ("exod:protein-CD274", "skos:exactMatch", "HGNC:17635"),
        ("exod:protein-HSPA1A", "skos:closeMatch", "HGNC:5232"),
        ("exod:mirna-miR-21", "skos:closeMatch", "mirbase.mature:MIMAT0000076"),
        ("exod:mirna-miR-921", "skos:exactMatch", "mirbase.mature:MIMAT0004971"),
        ("exod:drug-cisplatin", "skos:exactMatch", "CHEBI:27899"),
        ("exo:Oncosome", "skos:narrowMatch", "GO:1990742"),
        ("exo:CancerAssociatedFibroblast", "skos:narrowMatch", "CL:0000057"),
        ("exo:TumourDerivedExosome", "skos:narrowMatch", "GO:0070062"),
        ("exod:pathway-pi3k-akt", "skos:closeMatch", "GO:0043491"),
    } <= got
    assert {r["mapping_justification"] for r in rows()} == {"semapv:ManualMappingCuration"}


def test_printed_cancer_names_are_literal_mappings_to_mondo():
    literal = {(r["subject_label"], r["predicate_id"], r["object_id"]) for r in rows() if r["subject_type"] == "rdfs literal"}
    assert {
        ("HCC", "skos:exactMatch", "MONDO:0007256"),  # an upstream synonym of hepatocellular carcinoma
        ("NSCLC", "skos:exactMatch", "MONDO:0005233"),
        ("renal cancer", "skos:closeMatch", "MONDO:0002367"),  # kidney cancer upstream, no such synonym
        ("Haematological malignancies", "skos:closeMatch", "MONDO:0044881"),
        ("glioblastoma", "skos:exactMatch", "MONDO:0018177"),
    } <= literal
    assert not any(r["subject_id"] for r in rows() if r["subject_type"] == "rdfs literal")
    # a name printed with and without a capital is one row
    assert ("Glioblastoma", "skos:exactMatch", "MONDO:0018177") not in literal


def test_parses_with_sssom():
    parsers = pytest.importorskip("sssom.parsers")
    mapping_set = parsers.parse_sssom_table(str(PATH))
    assert len(mapping_set.df) == len(rows())


def test_export_sssom(tmp_path):
    out = tmp_path / "m.sssom.tsv"
    assert main(["export", "--format", "sssom", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == PATH.read_text(encoding="utf-8")

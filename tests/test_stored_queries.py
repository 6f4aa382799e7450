"""Each stored query returns exactly the expected rows on the bundled graph."""
from __future__ import annotations

from decimal import Decimal

import pytest

from exo_rdf.catalogue import catalogue
from exo_rdf.query import run_stored

EXOD = "https://w3id.org/exo-rdf/data/"
OBO = "http://purl.obolibrary.org/obo/"
EXO = "https://w3id.org/exo-rdf/ontology/"


def rows(store, name, params=None, *columns):
    result = run_stored(name, params or {}, store=store)
    return [tuple(r[c] for c in columns) for r in result.values()]


def test_ev_types_keeps_both_exosome_ranges_with_their_review(store):
    got = rows(store, "ev-types", {}, "label", "evTypeAsPrinted", "minNm", "maxNm", "review", "section")
    assert got == [
        ("apoptotic body", "Apoptotic bodies", 1000, 5000, EXOD + "review-protein", "Introduction"),
        ("apoptotic body", "Apoptotic bodies", 1000, 5000, EXOD + "review-tex", "Figure 1"),
        ("extracellular exosome", "Exosomes", 30, 150, EXOD + "review-protein", "Introduction"),
        ("extracellular exosome", "Exosomes", 30, 100, EXOD + "review-tex", "1 Introduction"),
        ("extracellular exosome", "Exosomes", 30, 100, EXOD + "review-tex", "Abstract"),
        ("extracellular exosome", "Exosomes", 30, 100, EXOD + "review-tex", "Figure 1"),
        ("microvesicle", "Ectosomes", 150, 1000, EXOD + "review-protein", "Introduction"),
        ("microvesicle", "Microvesicles", 100, 1000, EXOD + "review-tex", "Figure 1"),
        ("oncosome", "Oncosomes", 1000, 10000, EXOD + "review-tex", "Figure 1"),
    ]


def test_exosome_markers_named_by_both_reviews(store):
    got = rows(store, "exosome-markers", {}, "review", "label", "namedByBoth")
    both = {label for review, label, flag in got if flag}
    assert both == {"TSG101", "PDCD6IP", "CD9", "CD63", "CD81"}
    tex_only = sorted(label for review, label, flag in got if review == EXOD + "review-tex" and not flag)
    assert tex_only == ["HSP90AA1", "HSPA1A", "MHC class II proteins", "Rab GTPases", "integrins"]
    assert sorted(label for review, label, _ in got if review == EXOD + "review-protein") == ["CD63", "CD81", "CD9", "PDCD6IP", "TSG101"]


def test_clinical_trials_recruiting(store):
    assert rows(store, "clinical-trials", {"status": "recruiting"}, "nct", "trialStatus") == [
        ("NCT03985696", "Recruiting"),
        ("NCT05735704", "Recruiting"),
    ]


def test_clinical_trials_all_seven_rows_exact(store):
    assert rows(store, "clinical-trials", {}, "nct", "trialStatus", "cancer", "cancerAsPrinted", "contentAsPrinted") == [
        ("NCT01840306", "Completed", OBO + "MONDO_0006244", "HER2 + Breast Cancer", "Not specified"),
        ("NCT02862470", "Completed", OBO + "MONDO_0006468", "Anaplastic Thyroid Cancer", "thyroglobulin, Gal-3"),
        ("NCT03581435", "Unknown", OBO + "MONDO_0003220", "Gallbladder Carcinoma", "Protein profile"),
        ("NCT03985696", "Recruiting", OBO + "MONDO_0015759", "Non-Hodgkin B-cell Lymphomas", "CD-20, PD-L1"),
        ("NCT04529915", "Active", OBO + "MONDO_0005233", "NSCLC", "Not specified"),
        ("NCT05463107", "Not yet recruiting", OBO + "MONDO_0005034", "Follicular Thyroid Cancer",
         "thyroglobulin, Gal-3, calprotectin A8/A9, keratin 8/19, afamin, angiopoietin-1"),
        ("NCT05735704", "Recruiting", OBO + "MONDO_0044881", "Haematological malignancies", "Not specified"),
    ]


def test_trial_contents_with_hgnc_and_uniprot(store):
    assert rows(store, "trial-contents", {"nct": "NCT03985696"}, "symbol", "hgnc", "uniprot") == [
        ("CD274", "https://identifiers.org/hgnc:17635", "http://purl.uniprot.org/uniprot/Q9NZQ7"),
        ("MS4A1", "https://identifiers.org/hgnc:7315", "http://purl.uniprot.org/uniprot/P11836"),
    ]
    assert rows(store, "trial-contents", {"nct": "NCT01840306"}, "contentAsPrinted", "protein") == [("Not specified", None)]


@pytest.mark.parametrize("cancer", ["pancreatic cancer", "Pancreatic Cancer", "malignant pancreatic neoplasm"])
def test_biomarkers_for_pancreatic_cancer(store, cancer):
    assert rows(store, "biomarkers", {"cancer": cancer}, "markerAsPrinted", "fluidAsPrinted", "sensitivityMin", "specificityMin") == [
        ("GPC-1", "Peripheral blood, Serum", Decimal("1.0"), Decimal("1.0")),
        ("c-Met", "Serum", Decimal("0.7"), Decimal("0.85")),
    ]


def test_biomarkers_table2_has_twenty_rows_with_ranges(store):
    got = rows(store, "biomarkers", {}, "markerAsPrinted", "sensitivityMin", "sensitivityMax", "specificityMin", "specificityMax")
    assert len(got) == 20
    assert ("Panel of 17 exosomal proteins, TMEM256", Decimal("1.0"), Decimal("1.0"), Decimal("0.6"), Decimal("1.0")) in got
    assert ("Panel of 6 exosomal proteins", Decimal("0.7"), Decimal("1.0"), Decimal("0.7"), Decimal("1.0")) in got
    assert ("Del-1", Decimal("0.947"), Decimal("0.947"), Decimal("0.8636"), Decimal("0.8636")) in got


def test_biomarkers_by_fluid_and_thresholds(store):
    got = rows(store, "biomarkers", {"fluid": "serum", "min_specificity": "0.9"}, "markerAsPrinted")
    assert got == [("CAE",), ("GKN-1",), ("GPC-1",)]
    assert rows(store, "biomarkers", {"fluid": "urine", "min_sensitivity": "0.9"}, "markerAsPrinted") == [
        ("Panel of 17 exosomal proteins, TMEM256",)
    ]


def test_biomarkers_per_fluid(store):
    assert rows(store, "biomarkers-per-fluid", {}, "fluidLabel", "biomarkers") == [
        ("blood serum", 11), ("blood plasma", 6), ("urine", 2), ("blood", 1), ("tissue", 1),
    ]


def test_panel_members(store):
    got = rows(store, "panel-members", {"panel": "prostate"}, "symbol")
    assert sorted(s for (s,) in got) == sorted([
        "TMEM256", "ADIRF", "LAMTOR1", "LCP1", "RAB2A", "RAB3B", "RAB3D", "RAB7A", "RAB6A", "ATP6V0C",
        "STEAP4", "PARK7", "S100P", "SYTL4", "ARL8B", "SLC2A13", "TSPAN6",
    ])
    assert sorted(s for (s,) in rows(store, "panel-members", {"panel": "colorectal"}, "symbol")) == [
        "APCS", "NHP2", "OLFM4", "TAGLN", "TOP1", "TRIM28",
    ]


def test_every_stored_query_has_metadata_and_a_where_clause():
    for q in catalogue().values():
        assert q.title and q.description and q.keywords, q.name
        assert "WHERE {" in q.text or "WHERE\n{" in q.text, q.name


def test_catalogue_rdf_is_current_and_lists_every_query():
    from conftest import ROOT
    from exo_rdf.catalogue import catalogue_turtle
    import pyoxigraph as ox

    path = ROOT / "queries" / "catalogue.ttl"
    assert path.read_text(encoding="utf-8") == catalogue_turtle(), "queries/catalogue.ttl is stale: run 'exo-rdf catalogue'"
    executable = ox.NamedNode("http://www.w3.org/ns/shacl#SPARQLExecutable")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    names = {t.subject.value.rsplit("/", 1)[-1] for t in triples if t.predicate == rdf_type and t.object == executable}
    assert names == set(catalogue())


def test_findings_per_section_lists_every_section_of_both_reviews(store):
    got = rows(store, "findings-per-section", {}, "review", "section", "findings")
    assert len(got) == 30  # 13 sections of the TEX review, 17 of the protein-cargo review
    by_section = {(review.rsplit("-", 1)[-1], section): n for review, section, n in got}
    assert by_section[("protein", "Table 1")] == 7
    assert by_section[("protein", "Table 2")] == 20


def test_stats_command_prints_its_three_tables(capsys):
    from exo_rdf.cli import main

    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "== Findings by kind" in out and "== Findings by review section" in out
    assert "Pre-metastatic niche formation, invasion, and metastasis" in out
    # the third table: per review, the reference numbers no finding cites, uncited or explained
    section = out.split("== Reference numbers no finding cites, per review\n", 1)[1]
    lines = [line.split() for line in section.splitlines() if line.startswith("exod:review-")]
    assert {review for review, *_ in lines} <= {"exod:review-protein", "exod:review-tex"}
    assert all(status in ("uncited", "explained") for _, _, status, *_ in lines)


def test_uncited_references_are_listed_per_review_and_explained_where_the_data_say_why():
    import pyoxigraph as ox

    from exo_rdf.query import run_stored

    store = ox.Store()
    store.load(b"""
        @prefix exo:  <https://w3id.org/exo-rdf/ontology/> .
        @prefix exod: <https://w3id.org/exo-rdf/data/> .
        exod:review-a a exo:Review ; exo:highestReferenceNumber 5 .
        exod:review-b a exo:Review ; exo:highestReferenceNumber 2 .
        exod:f1 exo:statedIn exod:review-a ; exo:citesReference 1 , 2 , 4 .
        exod:f2 exo:statedIn exod:review-b ; exo:citesReference 1 , 3 .
        exod:uncited-a-5 a exo:UncitedReference ; exo:referenceOf exod:review-a ; exo:referenceNumber 5 ;
            exo:reasonUncited "Cited only for a general remark." .
        exod:uncited-b-1 a exo:UncitedReference ; exo:referenceOf exod:review-b ; exo:referenceNumber 1 ;
            exo:reasonUncited "Listed by mistake: a finding cites it." .
    """, format=ox.RdfFormat.TURTLE)
    got = [(r["review"].rsplit("/", 1)[-1], r["reference"], r["status"], r["reason"])
           for r in run_stored("uncited-references", {}, store=store).values()]
    # 3 of review-a is cited by no finding; 5 is explained; 2 of review-b is uncited (3 is above its highest)
    assert got == [("review-a", 3, "uncited", None), ("review-a", 5, "explained", "Cited only for a general remark."),
                   ("review-b", 2, "uncited", None)]


"""The one prefix map: Bioregistry's preferred prefixes, and the same CURIEs from every output."""
from __future__ import annotations

import pytest

from exo_rdf import curies as exo_curies
from exo_rdf.curies import OWN_PREFIXES, PREFIX_MAP, compress, converter, expand

#: where the map knowingly departs from the Bioregistry, and why
CASE_EXCEPTIONS = {"HGNC": "hgnc"}  # the upper-case form HGNC and OBO ontologies print
URI_EXCEPTIONS = {"clinicaltrials": "the trial IRIs of the data are ClinicalTrials.gov's own, without 'www.'"}


@pytest.mark.parametrize("prefix", [p for p in PREFIX_MAP if p not in OWN_PREFIXES])
def test_each_prefix_is_the_bioregistry_preferred_one(prefix):
    bioregistry = pytest.importorskip("bioregistry")
    norm = bioregistry.normalize_prefix(prefix)
    assert norm is not None, f"{prefix} is not a Bioregistry prefix"
    preferred = bioregistry.get_preferred_prefix(norm) or norm
    assert CASE_EXCEPTIONS.get(prefix, prefix) == preferred
    if prefix not in URI_EXCEPTIONS:
        known = bioregistry.get_resource(norm).get_uri_prefixes() | {bioregistry.get_uri_prefix(norm)}
        assert PREFIX_MAP[prefix] in known


def test_mature_mirnas_are_not_precursors():
    assert compress("https://identifiers.org/mirbase.mature:MIMAT0000076") == "mirbase.mature:MIMAT0000076"
    assert expand("mirbase:MI0000077") == "https://identifiers.org/mirbase:MI0000077"


@pytest.mark.parametrize(("curie", "iri"), [
    ("MONDO:0009831", "http://purl.obolibrary.org/obo/MONDO_0009831"),
    ("mondo:0009831", "http://purl.obolibrary.org/obo/MONDO_0009831"),
    ("hgnc:8766", "https://identifiers.org/hgnc:8766"),
    ("CVCL:0062", "https://www.cellosaurus.org/CVCL_0062"),
    ("cellosaurus:CVCL_0062", "https://www.cellosaurus.org/CVCL_0062"),
    ("exod:review-tex", "https://w3id.org/exo-rdf/data/review-tex"),
    ("pancreatic cancer", None),
    ("Table 2: markers", None),
    ("http://purl.obolibrary.org/obo/GO_0070062", None),
])
def test_expand(curie, iri):
    assert expand(curie) == iri


def test_the_fast_path_agrees_with_the_curies_converter(store):
    conv = converter()
    iris = {t.value for q in store for t in (q.subject, q.predicate, q.object) if type(t).__name__ == "NamedNode"}
    assert len(iris) > 1500
    for iri in iris:
        assert compress(iri) == (conv.compress(iri) or iri), iri
        curie = compress(iri)
        if curie != iri:
            assert expand(curie) == conv.expand(curie) == iri


def test_no_other_prefix_map_in_the_package():
    """The SSSOM set, the exports and the release use this map (a drift between copies is what this prevents)."""
    from exo_rdf import build, export, mappings

    assert mappings.CURIE_MAP is PREFIX_MAP or set(mappings.CURIE_MAP.items()) <= set(PREFIX_MAP.items())
    assert export.PREFIXES is PREFIX_MAP
    assert build.PREFIXES is PREFIX_MAP
    assert exo_curies.converter().prefix_map["mirbase.mature"] == PREFIX_MAP["mirbase.mature"]


def test_the_curation_guide_declares_the_map():
    import re

    from conftest import ROOT

    text = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    declared = dict(re.findall(r"^@prefix ([\w.]+):\s*<([^>]+)>", text, re.MULTILINE))
    assert len(declared) >= 10
    assert {p: PREFIX_MAP.get(p) for p in declared} == declared


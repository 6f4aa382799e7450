"""Name resolution for templates: names as curators write them, ids, and each kind of failure with its rule."""
from __future__ import annotations

import pytest

from conftest import SHARED_TERMS
from exo_rdf.curation.problems import RULE_BASE, CellProblem
from exo_rdf.curation.names import mirna_key, normalise
from exo_rdf.curation.resolve import Resolver
from exo_rdf.errors import TermTableError

OBO = "http://purl.obolibrary.org/obo/"
EXOD = "https://w3id.org/exo-rdf/data/"


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


@pytest.fixture(scope="module")
def with_tables():
    """A resolver over the full tables; the tests below make it read only cl.tsv, hgnc.tsv and mirbase.tsv."""
    return Resolver(terms=SHARED_TERMS)


def problem(resolver, text, kind):
    with pytest.raises(CellProblem) as caught:
        resolver.resolve(text, kind)
    return caught.value.problem


@pytest.mark.parametrize("text, kind, iri", [
    ("PD-L1", "molecule", EXOD + "protein-CD274"),  # an alternative label of the project's molecule
    ("miR-21", "molecule", EXOD + "mirna-miR-21"),  # the project's miRNA as the reviews print it
    ("HGNC:17635", "molecule", EXOD + "protein-CD274"),  # a gene id, taken through the molecule matching it
    ("pancreatic cancer", "cancer", OBO + "MONDO_0009831"),  # a MONDO synonym
    ("MDA-MB-231", "cell line", "https://www.cellosaurus.org/CVCL_0062"),
    ("plasma", "anatomy", OBO + "UBERON_0001969"),  # printed so beside UBERON:0001969 in Table 2
    ("M2 macrophage polarisation", "process", "https://w3id.org/exo-rdf/ontology/M2MacrophagePolarisation"),
    ("m2 macrophage POLARIZATION", "process", "https://w3id.org/exo-rdf/ontology/M2MacrophagePolarisation"),
    ("TGF-β", "molecule", EXOD + "protein-TGFB1"),
    ("cancer associated fibroblast", "cell type", "https://w3id.org/exo-rdf/ontology/CancerAssociatedFibroblast"),
    ("MONDO:0009831", "cancer", OBO + "MONDO_0009831"),
    (OBO + "CL_0000235", "cell type", OBO + "CL_0000235"),
    ("Recruiting", "trial status", EXOD + "status-recruiting"),
])
def test_names_resolve(resolver, text, kind, iri):
    assert resolver.resolve(text, kind).value == iri


def test_a_cell_line_where_a_cell_type_belongs(resolver):
    p = problem(resolver, "MDA-MB-231", "cell type")
    assert p.rule == RULE_BASE + "wrong-kind"
    assert p.message == "cell line given where a cell type belongs: 'MDA-MB-231' is cellosaurus:0062 (MDA-MB-231)"
    assert p.fix.startswith("move it to a column for a cell line")


def test_an_id_of_the_wrong_prefix(resolver):
    p = problem(resolver, "UBERON:0001969", "cancer")
    assert (p.rule, p.message) == (RULE_BASE + "wrong-prefix",
                                   "UBERON:0001969 is an anatomical entity, and this column takes a cancer")


def test_a_prefix_exo_rdf_does_not_know(resolver):
    p = problem(resolver, "NCIT:C4872", "cancer")
    assert (p.rule, p.message) == (RULE_BASE + "wrong-prefix",
                                   "'NCIT' is not a prefix of exo-rdf's prefix map, and this column takes a cancer")


def test_an_unknown_name_lists_the_closest_with_their_ids(resolver):
    p = problem(resolver, "pancreatc cancer", "cancer")
    assert p.rule == RULE_BASE + "unknown-name"
    assert "MONDO:0009831 (malignant pancreatic neoplasm)" in p.message
    assert p.value == "pancreatc cancer"


def test_an_id_the_project_lacks_without_tables(resolver):
    p = problem(resolver, "CL:0000002", "cell type")
    assert p.rule == RULE_BASE + "unknown-id"
    assert "--terms DIR" in p.fix


def test_an_obsolete_id_from_the_tables(with_tables):
    p = problem(with_tables, "CL:0000002", "cell type")
    assert (p.rule, p.message) == (RULE_BASE + "obsolete-id", "CL:0000002 (obsolete immortal cell line cell) is obsolete")


def test_an_id_missing_from_its_table(with_tables):
    p = problem(with_tables, "CL:9999999", "cell type")
    assert p.rule == RULE_BASE + "unknown-id"
    assert p.message == f"CL:9999999 is not in the CL table of {SHARED_TERMS}"


def test_mir21_is_ambiguous_among_mature_mirnas(with_tables):
    # miRBase has two mature miRNAs of miR-21 (5p, 3p): never one picked silently
    p = problem(with_tables, "miR-21", "mature miRNA")
    assert p.rule == RULE_BASE + "ambiguous-name"
    assert p.message == ("'miR-21' names 2 mature miRNAs: mirbase.mature:MIMAT0000076 (hsa-miR-21-5p), "
                         "mirbase.mature:MIMAT0004494 (hsa-miR-21-3p)")
    assert with_tables.resolve("hsa-miR-21-5p", "mature miRNA").value == "https://identifiers.org/mirbase.mature:MIMAT0000076"


def test_a_gene_alias_from_the_table_reaches_the_molecule(with_tables):
    # "B7-H1" is an HGNC alias of CD274 that the project's molecule does not list
    assert with_tables.resolve("B7-H1", "molecule").value == EXOD + "protein-CD274"


def test_a_missing_tables_folder(tmp_path):
    with pytest.raises(TermTableError, match="no such folder"):
        Resolver(terms=tmp_path / "absent")


def test_answers_are_cached(resolver):
    resolver.resolve("PD-L1", "molecule")
    assert ("PD-L1", "molecule") in resolver._cache


def test_normalise_and_mirna_keys():
    assert normalise("TGF-β") == normalise("tgf beta") == "tgfbeta"
    assert normalise("Tumour growth") == normalise("tumor growth")
    assert mirna_key("hsa-miR-21-5p") == mirna_key("miR-21") == "mir21"
    assert mirna_key("PD-L1") is None


@pytest.fixture(scope="module")
def small_tables(tmp_path_factory):
    """A folder of tables holding a few real rows of go.tsv, go_secondary_ids.tsv, hgnc.tsv and cellosaurus.tsv."""
    folder = tmp_path_factory.mktemp("terms")
    for name, ids in (("go.tsv", ("GO:0008150",)), ("go_secondary_ids.tsv", ("GO:0000004",)), ("hgnc.tsv", ("HGNC:1", "HGNC:17635")),
                      ("cellosaurus.tsv", ("cellosaurus:CVCL_B5XZ",))):
        lines = (SHARED_TERMS / name).read_text(encoding="utf-8").splitlines()
        (folder / name).write_text("\n".join([lines[0], *(line for line in lines if line.split("\t")[0] in ids)]) + "\n",
                                   encoding="utf-8")
    return Resolver(terms=folder)


def test_a_merged_go_id_names_its_replacement(small_tables):
    p = problem(small_tables, "GO:0000004", "process")
    assert (p.rule, p.message, p.fix) == (RULE_BASE + "obsolete-id", "GO:0000004 is obsolete, merged into GO:0008150",
                                         "write GO:0008150")


def test_a_withdrawn_hgnc_entry_is_obsolete(small_tables):
    p = problem(small_tables, "HGNC:1", "gene")
    assert (p.rule, p.message) == (RULE_BASE + "obsolete-id", "HGNC:1 (A12M1) is obsolete")
    assert small_tables.resolve("CD274", "gene").value == "https://identifiers.org/hgnc:17635"


def test_every_kind_of_term_a_template_column_takes_is_known():
    from exo_rdf.curation.columns import ALL
    from exo_rdf.curation.kinds import KINDS

    taken = {k for column in ALL.values() for k in column.term_kinds}
    assert taken - set(KINDS) == set()
    assert {"cell type", "cell line", "cancer", "anatomy", "process", "molecule"} <= taken


def test_a_table_read_for_another_column_does_not_change_an_answer(small_tables):
    # "PDL 9" is a Cellosaurus cell line; once cellosaurus.tsv is read, "PD-L9" in a molecule column
    # is still an unknown molecule, not a cell line given where a molecule belongs
    assert small_tables.resolve("PDL 9", "cell line").value == "https://www.cellosaurus.org/CVCL_B5XZ"
    assert problem(small_tables, "PD-L9", "molecule").rule == RULE_BASE + "unknown-name"

"""The Biolink Model / KGX export: exact node and edge rows, provenance on every edge, KGX's validator."""
from __future__ import annotations

import csv
import re
import socket
from pathlib import Path

import pytest

pytest.importorskip("bmt", reason="the KGX export needs bmt and biolink-model: pip install -e '.[kgx]'")

from exo_rdf import kgx  # noqa: E402
from exo_rdf.cli import main  # noqa: E402
from exo_rdf.errors import OutputError  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PROVENANCE = {"knowledge_level": "knowledge_assertion", "agent_type": "manual_agent",
              "primary_knowledge_source": "infores:exo-rdf"}


def _rows(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def _no_network(*args, **kwargs):
    raise AssertionError(f"network access attempted: {args[:2]}")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The folder written by `exo-rdf export --format kgx --out DIR` (the folder does not exist before).

    The Biolink Model is read from disk: any attempt to reach the network fails the export.
    """
    out = tmp_path_factory.mktemp("kgx") / "graph"
    kgx.biolink_toolkit.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", _no_network)
        mp.setattr(socket.socket, "connect", _no_network)
        assert main(["export", "--format", "kgx", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def nodes(exported):
    return {r["id"]: r for r in _rows(exported / kgx.NODE_FILE)}


@pytest.fixture(scope="module")
def edges(exported):
    return _rows(exported / kgx.EDGE_FILE)


def _edges(edges, subject, predicate, obj):
    return [e for e in edges if (e["subject"], e["predicate"], e["object"]) == (subject, predicate, obj)]


def test_the_folder_holds_exactly_the_two_kgx_files(exported):
    assert sorted(p.name for p in exported.iterdir()) == ["exo-rdf_edges.tsv", "exo-rdf_nodes.tsv"]


def test_a_cargo_affects_a_process_with_direction_context_source_and_evidence(edges):
    # Tspan8 in tumour-derived exosomes promotes angiogenesis by acting on endothelial cells
    [edge] = _edges(edges, "HGNC:11855", "biolink:affects", "GO:0001525")
    assert edge["id"].startswith("urn:uuid:")
    assert {k: v for k, v in edge.items() if k != "id"} == {
        "subject": "HGNC:11855", "predicate": "biolink:affects", "object": "GO:0001525",
        "qualified_predicate": "biolink:causes", "object_aspect_qualifier": "", "object_direction_qualifier": "increased",
        "anatomical_context_qualifier": "CL:0000115", **PROVENANCE,
        "publications": "exod:review-protein",
        "has_evidence": "exod:finding-protein-cancer-progression-14",
        "has_evidence_of_type": "ECO:0000304",
    }


def test_a_protein_is_a_biomarker_for_a_cancer_in_a_fluid(edges):
    # Table 2: exosomal Del-1 (EDIL3) in plasma, breast cancer
    [edge] = _edges(edges, "HGNC:3173", "biolink:biomarker_for", "MONDO:0007254")
    assert (edge["anatomical_context_qualifier"], edge["publications"], edge["has_evidence_of_type"],
            edge["qualified_predicate"]) == ("UBERON:0001969", "exod:review-protein", "ECO:0000304", "")
    assert re.fullmatch(r"exod:finding-protein-table-2-\d\d", edge["has_evidence"])  # the Table 2 row, whatever its number
    assert {k: edge[k] for k in PROVENANCE} == PROVENANCE


def test_a_vesicle_type_has_its_cargo_as_part(edges):
    [edge] = [e for e in _edges(edges, "exo:TumourDerivedExosome", "biolink:has_part", "exod:mirna-miR-92a")
              if e["has_evidence"] == "exod:finding-tex-angiogenesis-metastasis-04"]
    assert (edge["publications"], edge["has_evidence_of_type"]) == ("exod:review-tex", "ECO:0000304")


def test_node_rows_of_a_gene_a_mirna_a_cell_line_and_an_own_vesicle_class(nodes):
    assert nodes["HGNC:17635"] == {"id": "HGNC:17635", "category": "biolink:Gene", "name": "CD274",
                                   "iri": "https://identifiers.org/hgnc:17635", "provided_by": "infores:exo-rdf"}
    assert nodes["exod:mirna-miR-92a"]["category"] == "biolink:MicroRNA"
    assert nodes["exo:TumourDerivedExosome"]["category"] == "biolink:CellularComponent"
    assert nodes["GO:0070062"]["name"] == "extracellular exosome"
    assert nodes["UBERON:0001969"]["category"] == "biolink:AnatomicalEntity"
    assert {n["category"] for n in nodes.values() if n["id"].startswith("cellosaurus:")} == {"biolink:CellLine"}


def test_every_edge_has_its_knowledge_fields_and_every_end_is_a_node(nodes, edges):
    assert edges and all({k: e[k] for k in PROVENANCE} == PROVENANCE for e in edges)
    assert all(e["subject"] in nodes and e["object"] in nodes for e in edges)
    # every edge from a finding names it and its ECO class; only curated links come from no finding
    assert {e["predicate"] for e in edges if not e["has_evidence"]} <= {"biolink:close_match", "biolink:transcribed_from"}
    assert all(e["has_evidence_of_type"] in ("ECO:0000303", "ECO:0000304") for e in edges if e["has_evidence"])
    assert len({e["id"] for e in edges}) == len(edges)


def test_eco_classes_go_in_the_slot_the_model_gives_evidence_types_as_the_curation_guide_says(edges):
    tk = kgx.biolink_toolkit()
    # Biolink 4.4: has_evidence_of_type takes ECO terms, has_evidence evidence records (here the finding)
    assert (tk.get_element("has_evidence_of_type").range, tk.get_element("has_evidence").range) == \
           ("evidence type", "information content entity")
    assert {e["has_evidence_of_type"] for e in edges} == {"ECO:0000303", "ECO:0000304", ""}
    assert {e["has_evidence"].partition("-")[0] for e in edges} == {"exod:finding", ""}
    guide = " ".join((Path(__file__).resolve().parents[1] / "docs" / "curation.md").read_text(encoding="utf-8").split())
    assert "The KGX export writes it on each edge as `has_evidence_of_type`" in guide
    assert "(`has_evidence`) record it" not in guide


@pytest.fixture(scope="module")
def roles():
    """Edges of the curator's example of molecular roles and a research article, keyed by finding."""
    _, edge_rows = kgx.kgx_tables(files=[FIXTURES / "kgx" / "roles.ttl"])
    by_finding = {}
    for e in edge_rows:
        for f in e["has_evidence"] or ["(none)"]:
            by_finding.setdefault(f, []).append(
                {k: v for k, v in e.items() if k not in ("id", "has_evidence", *PROVENANCE) and v})
    return by_finding, edge_rows


def test_each_regulated_target_gets_its_own_direction(roles):
    by_finding, _ = roles
    # miR-21 raises Bcl-2 and lowers Bax, and inhibits apoptosis
    assert by_finding["exod:finding-kgx-01"] == [
        {"subject": "exo:TumourDerivedExosome", "predicate": "biolink:has_part", "object": "exod:mirna-miR-21",
         "publications": ["exod:review-tex"], "has_evidence_of_type": ["ECO:0000304"]},
        {"subject": "exod:mirna-miR-21", "predicate": "biolink:affects", "object": "GO:0006915",
         "qualified_predicate": "biolink:causes", "object_direction_qualifier": "decreased",
         "publications": ["exod:review-tex"], "has_evidence_of_type": ["ECO:0000304"]},
        {"subject": "exod:mirna-miR-21", "predicate": "biolink:affects", "object": "HGNC:959",
         "qualified_predicate": "biolink:causes", "object_aspect_qualifier": "abundance",
         "object_direction_qualifier": "decreased", "publications": ["exod:review-tex"], "has_evidence_of_type": ["ECO:0000304"]},
        {"subject": "exod:mirna-miR-21", "predicate": "biolink:affects", "object": "HGNC:990",
         "qualified_predicate": "biolink:causes", "object_aspect_qualifier": "abundance",
         "object_direction_qualifier": "increased", "publications": ["exod:review-tex"], "has_evidence_of_type": ["ECO:0000304"]},
    ]


def test_a_released_factor_is_released_and_a_co_administered_agent_is_no_cargo(roles):
    by_finding, _ = roles
    assert by_finding["exod:finding-kgx-03"] == [
        {"subject": "exod:mrna-kgx-HRAS", "predicate": "biolink:affects", "object": "HGNC:6018",
         "qualified_predicate": "biolink:causes", "object_aspect_qualifier": "release", "object_direction_qualifier": "increased",
         "anatomical_context_qualifier": ["CL:0000057"], "publications": ["exod:review-protein"],
         "has_evidence_of_type": ["ECO:0000304"]},
    ]
    assert "exod:finding-kgx-02" not in by_finding  # GM-CSF given with the vesicles: no vesicle edge
    assert {"subject": "exod:mrna-kgx-HRAS", "predicate": "biolink:transcribed_from", "object": "HGNC:5173"} in by_finding["(none)"]


def test_a_finding_from_a_research_article_cites_its_pmid_and_doi(roles):
    by_finding, _ = roles
    assert by_finding["exod:finding-kgx-04"] == [
        {"subject": "GO:0070062", "predicate": "biolink:derives_from", "object": "CL:0000097",
         "publications": ["PMID:17486113", "doi:10.1038/ncb1596"], "has_evidence_of_type": ["ECO:0000304"]},
    ]


def test_a_second_export_replaces_the_two_files(exported, tmp_path):
    out = tmp_path / "kg"
    out.mkdir()
    (out / kgx.EDGE_FILE).write_text("old\n")
    assert kgx.export_kgx(out) == (len(_rows(exported / kgx.NODE_FILE)), len(_rows(exported / kgx.EDGE_FILE)))
    assert (out / kgx.EDGE_FILE).read_bytes() == (exported / kgx.EDGE_FILE).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]  # no temporary folder left beside it


def test_the_same_sources_give_the_same_bytes(exported):
    node_rows, edge_rows = kgx.kgx_tables()
    assert kgx.tsv_text(node_rows, kgx.NODE_COLUMNS) == (exported / kgx.NODE_FILE).read_text(encoding="utf-8")
    assert kgx.tsv_text(edge_rows, kgx.EDGE_COLUMNS) == (exported / kgx.EDGE_FILE).read_text(encoding="utf-8")


def test_a_category_outside_the_model_is_refused(monkeypatch):
    monkeypatch.setitem(kgx.CATEGORY_BY_KIND, kgx.EXO + "ProteinGroup", "ProteinGang")
    with pytest.raises(OutputError, match=r"biolink:ProteinGang is not a category of Biolink Model 4\."):
        kgx.kgx_tables()


def test_standard_output_is_no_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "kgx", "--out", "-"]) == 2
    assert "give a folder as --out, not - (standard output)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_wrong_argument_types_are_argument_errors(tmp_path):
    from exo_rdf.errors import ArgumentError

    with pytest.raises(ArgumentError, match="out must be a path"):
        kgx.export_kgx(3)
    with pytest.raises(ArgumentError, match="files must be a list of paths"):
        kgx.export_kgx(tmp_path / "kg", files="mine.ttl")
    assert not (tmp_path / "kg").exists()


def test_a_folder_of_other_files_is_refused_and_left_alone(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine\n")
    assert main(["export", "--format", "kgx", "--out", str(tmp_path)]) == 2
    assert f"{tmp_path}: holds other files (notes.txt); give a new or empty folder as --out" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_file_as_out_is_an_error_and_stays_as_it_was(tmp_path, capsys):
    target = tmp_path / "edges.tsv"
    target.write_text("keep\n")
    assert main(["export", "--format", "kgx", "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert target.read_text() == "keep\n"


def test_kgx_validate_offline_on_the_exports_model_reports_only_its_camelcase_false_positives(exported, nodes, monkeypatch):
    pytest.importorskip("kgx", reason="kgx is not installed (it comes with pip install -e '.[test]')")
    import bmt.toolkit

    defaults = bmt.toolkit.Toolkit.__init__.__defaults__
    monkeypatch.setattr(socket, "getaddrinfo", _no_network)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    errors = kgx.validate_kgx(exported)
    from kgx.validator import Validator

    # KGX validated against the export's own Biolink release, and bmt's defaults are back as they were
    assert Validator.get_toolkit() is kgx.biolink_toolkit() and Validator.get_toolkit().get_model_version() == "4.4.6"
    assert bmt.toolkit.Toolkit.__init__.__defaults__ == defaults
    # KGX's check `^([A-Z][a-z\d]+)+$` cannot match a category with an acronym in its name; these
    # three are the model's own names for its classes all the same, and nothing else is reported
    categories = {n["category"].removeprefix("biolink:") for n in nodes.values()}
    acronyms = {"MicroRNA", "NoncodingRNAProduct", "RNAProduct"}
    assert kgx.kgx_false_positives(categories) == acronyms
    assert kgx.kgx_false_positives({"Transcript", "Microrna", "MicroRna"}) == set()  # pass the check, or not the model's
    assert {level: set(kinds) for level, kinds in errors.items()} == {"ERROR": {"INVALID_CATEGORY"}}
    reported = errors["ERROR"]["INVALID_CATEGORY"]
    assert set(reported) == {f"Category '{c}' is not in CamelCase form" for c in acronyms}
    for c in acronyms:  # KGX lists a sample of the nodes for each message
        ids = set(reported[f"Category '{c}' is not in CamelCase form"])
        assert ids and ids <= {i for i, n in nodes.items() if n["category"] == f"biolink:{c}"}
    assert kgx.extra_prefixes() == {"exo": "https://w3id.org/exo-rdf/ontology/", "exod": "https://w3id.org/exo-rdf/data/",
                                    "mirbase.mature": "https://identifiers.org/mirbase.mature:",
                                    "cellosaurus": "https://www.cellosaurus.org/CVCL_"}

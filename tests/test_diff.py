"""exo-rdf diff: findings, terms and SSSOM mappings added, removed and changed between two versions."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from exo_rdf.cli import main
from exo_rdf.diff import diff
from exo_rdf.sources import project_root

PREFIXES = """@prefix exo: <https://w3id.org/exo-rdf/ontology/> .
@prefix exod: <https://w3id.org/exo-rdf/data/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
ONTOLOGY = PREFIXES + """
exo:Finding a owl:Class ; rdfs:label "finding" .
exo:CargoEffectFinding a owl:Class ; rdfs:subClassOf exo:Finding ; rdfs:label "cargo effect finding" .
exo:BiomarkerFinding a owl:Class ; rdfs:subClassOf exo:Finding ; rdfs:label "biomarker finding" .
exo:citesReference a owl:DatatypeProperty ; rdfs:label "cites reference" .
"""
OLD_TERMS = """exo:Oncosome a owl:Class ; rdfs:label "oncosome" .
exo:Gone a owl:Class ; rdfs:label "gone" .
exo:Kept a owl:Class ; rdfs:label "kept" .
"""
NEW_TERMS = """exo:Oncosome a owl:Class ; rdfs:label "large oncosome" .
exo:Kept a owl:Class ; rdfs:label "obsolete kept" ; owl:deprecated true .
exo:Fresh a owl:ObjectProperty ; rdfs:label "fresh" .
"""
OLD_DATA = PREFIXES + """
exod:finding-a a exo:CargoEffectFinding ; exo:inSection exod:section-x ; exo:citesReference 33 ; exo:cargo obo:CHEBI_16236 .
exod:finding-b a exo:BiomarkerFinding ; exo:inSection exod:section-y ; exo:citesReference 7 .
"""
NEW_DATA = PREFIXES + """
exod:finding-a a exo:CargoEffectFinding ; exo:inSection exod:section-x ; exo:citesReference 34, 35 ; exo:cargo obo:CHEBI_16236 .
exod:finding-c a exo:CargoEffectFinding ; exo:inSection exod:section-x ; exo:citesReference 1 .
"""
SSSOM_HEAD = "#mapping_set_id: https://w3id.org/exo-rdf/mappings/exo-rdf.sssom.tsv\n" \
             "subject_id\tsubject_label\tsubject_type\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n"
OLD_SSSOM = SSSOM_HEAD + "exo:Oncosome\toncosome\t\tskos:closeMatch\tGO:1990742\tmicrovesicle\tsemapv:ManualMappingCuration\n" \
                         "exo:Gone\tgone\t\tskos:exactMatch\tGO:0070062\textracellular exosome\tsemapv:ManualMappingCuration\n"
NEW_SSSOM = SSSOM_HEAD + "exo:Oncosome\tlarge oncosome\t\tskos:narrowMatch\tGO:1990742\tmicrovesicle\tsemapv:ManualMappingCuration\n" \
                         "\tbreast cancer\trdfs literal\tskos:exactMatch\tMONDO:0007254\tbreast cancer\tsemapv:ManualMappingCuration\n"

EXPECTED_TSV = """category\tchange\tkind\tsection\tid\tproperty\told\tnew
finding\tremoved\texo:BiomarkerFinding\texod:section-y\texod:finding-b\t\t\t
finding\tchanged\texo:CargoEffectFinding\texod:section-x\texod:finding-a\texo:citesReference\t33\t34; 35
finding\tadded\texo:CargoEffectFinding\texod:section-x\texod:finding-c\t\t\t
term\tadded\towl:ObjectProperty\t\texo:Fresh\trdfs:label\t\tfresh
term\tremoved\towl:Class\t\texo:Gone\trdfs:label\tgone\t
term\tobsoleted\towl:Class\t\texo:Kept\towl:deprecated\tkept\tobsolete kept
term\trelabelled\towl:Class\t\texo:Oncosome\trdfs:label\toncosome\tlarge oncosome
mapping\tadded\t\t\t"breast cancer"\tMONDO:0007254\t\tskos:exactMatch
mapping\tremoved\t\t\texo:Gone\tGO:0070062\tskos:exactMatch\t
mapping\tchanged\t\t\texo:Oncosome\tGO:1990742\tskos:closeMatch\tskos:narrowMatch
"""


def _tree(root, terms, data, sssom):
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "mappings").mkdir()
    (root / "ontology" / "o.ttl").write_text(ONTOLOGY + terms)
    (root / "data" / "d.ttl").write_text(data)
    (root / "mappings" / "exo-rdf.sssom.tsv").write_text(sssom)
    return root


@pytest.fixture
def pair(tmp_path):
    return (_tree(tmp_path / "old", OLD_TERMS, OLD_DATA, OLD_SSSOM), _tree(tmp_path / "new", NEW_TERMS, NEW_DATA, NEW_SSSOM))


def test_diff_of_two_source_folders_lists_every_change(pair, capsys):
    old, new = pair
    assert main(["diff", str(old), str(new), "--format", "tsv"]) == 0
    assert capsys.readouterr().out == EXPECTED_TSV
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == f"""# Changes from {old} to {new}

## Findings: 1 added, 1 changed, 1 removed

### exo:BiomarkerFinding

#### exod:section-y

- removed exod:finding-b

### exo:CargoEffectFinding

#### exod:section-x

- changed exod:finding-a: exo:citesReference: 33 → 34; 35
- added exod:finding-c

## Terms: 1 added, 1 obsoleted, 1 relabelled, 1 removed

- added exo:Fresh (owl:ObjectProperty): (no label) → fresh
- removed exo:Gone (owl:Class): gone → (no label)
- obsoleted exo:Kept (owl:Class): kept → obsolete kept
- relabelled exo:Oncosome (owl:Class): oncosome → large oncosome

## SSSOM mappings: 1 added, 1 changed, 1 removed

- added "breast cancer" skos:exactMatch MONDO:0007254
- removed exo:Gone skos:exactMatch GO:0070062
- changed exo:Oncosome → GO:1990742: skos:closeMatch → skos:narrowMatch
"""


def test_diff_of_release_folders_and_of_single_files(pair, tmp_path):
    old, new = pair
    releases = {}
    for name, tree, terms in (("r1", old, OLD_TERMS), ("r2", new, NEW_TERMS)):
        folder = releases[name] = tmp_path / name
        folder.mkdir()
        (folder / "exo-rdf.ttl").write_text(ONTOLOGY + terms)
        shutil.copy(tree / "data" / "d.ttl", folder / "exo-rdf-data.ttl")
        shutil.copy(tree / "mappings" / "exo-rdf.sssom.tsv", folder / "exo-rdf.sssom.tsv")
    assert diff(str(releases["r1"]), str(releases["r2"])).tsv() == EXPECTED_TSV
    # one RDF file each, ontology and data together: everything but the mappings
    one = lambda tree: tree / "ontology" / "o.ttl"  # noqa: E731
    (one(old)).write_text(ONTOLOGY + OLD_TERMS + OLD_DATA.split("\n", 5)[-1])
    (one(new)).write_text(ONTOLOGY + NEW_TERMS + NEW_DATA.split("\n", 5)[-1])
    rows = diff(str(one(old)), str(one(new))).tsv().splitlines()
    assert rows == EXPECTED_TSV.splitlines()[:8]


def test_diff_refuses_what_is_no_version(tmp_path, capsys):
    assert main(["diff", str(tmp_path), "no-such-revision-xyz"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}: a folder with neither ontology/ (sources) nor exo-rdf.ttl (a release)" in err
    (tmp_path / "ontology").mkdir()
    assert main(["diff", str(tmp_path), "no-such-revision-xyz"]) == 2
    assert "no-such-revision-xyz: not a file, folder or git revision of" in capsys.readouterr().err


OLD_REV, NEW_REV = "4452e81211ad63a6d75591e3a30444f67575ee81", "0375011c6786fccacb9f49611b5ddafbd59d93f8"


def test_diff_of_two_git_revisions_of_this_repository():
    """The commit that added panel B of the protein review's Fig. 1 and printed processes of panels A and C."""
    root = project_root()
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("git or the repository's history is absent (an installed package or an archive)")
    for rev in (OLD_REV, NEW_REV):
        if subprocess.run(["git", "-C", str(root), "cat-file", "-e", f"{rev}^{{commit}}"], capture_output=True).returncode:
            pytest.skip(f"revision {rev[:7]} is absent (a shallow clone)")
    assert diff(OLD_REV, NEW_REV).tsv() == (
        "category\tchange\tkind\tsection\tid\tproperty\told\tnew\n"
        "finding\tadded\texo:CargoEffectFinding\texod:section-protein-figure-1\texod:finding-protein-figure-1-02\t\t\t\n"
        "finding\tchanged\texo:MechanismFinding\texod:section-protein-figure-1\texod:finding-protein-figure-1-01\t"
        "exo:processAsPrinted\t\tESCRT-dependent; ESCRT-independent pathway; endocytosis; invagination of the plasma membrane;"
        " inward budding; ligand-receptor interaction; simple fusion with the plasma membrane\n")

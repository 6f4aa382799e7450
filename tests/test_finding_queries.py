"""The stored queries over the findings of both reviews return exactly the expected answers."""
from __future__ import annotations

from exo_rdf.query import run_stored

EXOD = "https://w3id.org/exo-rdf/data/"
OBO = "http://purl.obolibrary.org/obo/"


def rows(store, name, params=None, *columns):
    return [tuple(r[c] for c in columns) for r in run_stored(name, params or {}, store=store).values()]


def local(iri):
    return iri.rsplit("/", 1)[-1] if iri else iri


def test_everything_about_pd_l1_with_provenance(store):
    got = {(local(f), kind, role) for f, kind, role in rows(store, "findings-for-molecule", {"molecule": "PD-L1"}, "finding", "kind", "role")}
    assert got == {
        ("finding-protein-therapy-21", "cargo effect finding", "cargo"),
        ("finding-protein-therapy-35", "cargo effect finding", "cargo"),
        ("finding-protein-therapy-22", "therapy finding", "participant"),
        ("finding-protein-therapy-30", "therapy finding", "participant"),
        ("finding-protein-therapy-31", "therapy finding", "cargo"),
        ("finding-protein-signal-molecules-08", "cargo effect finding", "cargo"),
        ("finding-protein-immune-evasion-28", "cargo effect finding", "cargo"),
        ("finding-protein-immune-evasion-29", "cargo effect finding", "target"),
        ("finding-protein-immune-evasion-33", "cargo effect finding", "participant"),
        ("finding-protein-immune-evasion-51", "cargo effect finding", "marker"),
        ("finding-protein-table-1-07", "clinical trial finding", "exosomal content"),
        ("finding-protein-table-2-18", "exosomal biomarker finding", "marker"),
        ("finding-tex-tumour-growth-07", "cargo category finding", "cargo"),
    }
    # the HGNC symbol finds the same findings as the printed name
    assert len(rows(store, "findings-for-molecule", {"molecule": "cd274"}, "finding")) == 13


def test_findings_by_reference_per_review(store):
    got = [local(f) for (f,) in rows(store, "findings-by-reference", {"reference": "57", "review": "tex"}, "finding")]
    assert got == [f"finding-tex-immune-escape-0{i}" for i in range(4, 8)] + [f"finding-tex-tumour-growth-{i}" for i in range(14, 23)]
    assert [local(f) for (f,) in rows(store, "findings-by-reference", {"reference": "57", "review": "protein"}, "finding")] == [
        "finding-protein-secretion-uptake-06"
    ]


def test_oncomirnas_with_mirbase_and_cell_lines(store):
    got = rows(store, "oncomirnas", {}, "nameAsPrinted", "mirbaseLabel", "cellLine")
    assert got == [
        ("miR-105", "hsa-miR-105-5p", "MCF-10A"), ("miR-105", "hsa-miR-105-5p", "MDA-MB-231"),
        ("miR-21", "hsa-miR-21-5p", None), ("miR-210", "hsa-miR-210-3p", None),
        ("miR-223", "hsa-miR-223-3p", "MDA-MB-231"), ("miR-223", "hsa-miR-223-3p", "SK-BR-3"),
        ("miR-224", "hsa-miR-224-5p", None), ("miR-23b", "hsa-miR-23b-3p", None), ("miR-29", "hsa-miR-29a-3p", None),
        ("miR-921", "hsa-miR-921", None), ("miR-92a", "hsa-miR-92a-3p", None),
    ]


def test_pro_angiogenic_mirnas(store):
    assert rows(store, "pro-angiogenic-mirnas", {}, "nameAsPrinted", "mirbaseLabel") == [
        ("miR-17-92", "hsa-miR-17-5p"), ("miR-210", "hsa-miR-210-3p"), ("miR-92a", "hsa-miR-92a-3p"),
    ]


def test_cargo_by_hallmark_follows_synonyms(store):
    angiogenic = {label for (label,) in rows(store, "cargo-by-hallmark", {"process": "angiogenesis"}, "cargoLabel")}
    assert {"VEGFA", "TSPAN8", "EDIL3", "ANXA2", "SORT1", "miR-92a", "sphingosine 1-phosphate"} <= angiogenic
    m2 = {label for (label,) in rows(store, "cargo-by-hallmark", {"process": "M2 polarisation"}, "cargoLabel")}
    assert m2 == {"TGFB1", "KRAS", "CD274"}


def test_cargo_by_producing_cancer_uses_mondo(store):
    got = {label for (label,) in rows(store, "cargo-by-cancer", {"cancer": "breast cancer"}, "cargoLabel")}
    assert got == {"AHSG", "ANXA2", "FN1", "MTA1", "NPNT", "TGFB1", "THBS1", "integrins", "miR-105", "miR-223", "prostaglandin E2"}


def test_drivers_of_m2_polarisation(store):
    got = {(local(f), cargo, condition) for f, cargo, condition in rows(store, "m2-polarisation-drivers", {}, "finding", "cargoLabel", "conditionLabel")}
    assert got == {
        ("finding-protein-angiogenesis-03", "TGFB1", None),
        ("finding-protein-cell-death-39", "KRAS", None),
        ("finding-protein-figure-2-01", None, None),
        ("finding-protein-immune-evasion-25", None, None),
        ("finding-protein-immune-evasion-44", None, None),
        ("finding-protein-immune-evasion-28", "CD274", "endoplasmic reticulum stress"),
        ("finding-protein-immune-evasion-30", None, "high lactic acid"),
        ("finding-protein-immune-evasion-30", None, "hypoxia"),
    }


def test_proteins_in_hypoxic_exosomes_by_cancer(store):
    assert rows(store, "hypoxic-exosome-proteins", {}, "cancerLabel", "symbol") == [
        ("glioblastoma", "CAV1"), ("glioblastoma", "LOX"), ("glioblastoma", "PDGFA"), ("glioblastoma", "SERPINE1"),
        ("glioblastoma", "THBS1"), ("nasopharyngeal carcinoma", "HIF1A"), ("ovarian cancer", "STAT3"), ("prostate cancer", "ANXA2"),
    ]
    assert rows(store, "hypoxic-exosome-proteins", {"cancer": "ovarian cancer"}, "symbol") == [("STAT3",)]


def test_drugs_loaded_into_exosomes(store):
    assert rows(store, "drugs-in-exosomes", {}, "drugLabel", "chebi") == [
        ("CRISPR/Cas9 vector", None), ("CRISPR/Cas9 vector", None), ("cisplatin", OBO + "CHEBI_27899"), ("curcumin", OBO + "CHEBI_3962"), ("erastin", OBO + "CHEBI_94287"),
        ("paclitaxel", OBO + "CHEBI_45863"), ("paclitaxel", OBO + "CHEBI_45863"),
    ]


def test_regulated_cell_death_forms(store):
    assert rows(store, "cell-death-forms", {}, "formLabel", "findings", "findingsWithVesicles") == [
        ("activation-induced cell death of T cells", 2, 2), ("apoptotic process", 12, 10), ("ferroptosis", 7, 4),
        ("necroptotic process", 6, 3), ("programmed cell death", 2, 1), ("pyroptosis", 2, 0),
    ]


def test_escrt_components(store):
    got = {(label, role) for label, role in rows(store, "escrt-components", {}, "participantLabel", "role")}
    assert {
        ("ESCRT-0 complex", "sequesters ubiquitinated cargo (ESCRT-0)"),
        ("ESCRT I complex", "ILV budding (ESCRT-I)"),
        ("ESCRT II complex", "ILV budding (ESCRT-II)"),
        ("ESCRT III complex", "ILV budding (ESCRT-III)"),
        ("ESCRT IV complex", "membrane scission (VPS4 complex)"),
        ("PDCD6IP", "cargo selection"), ("SDCBP", "cargo selection"), ("syndecans", "cargo selection"),
        ("ceramide", "ESCRT-independent ILV budding"), ("CD63", "ESCRT-independent ILV budding"),
    } <= got


def test_pathways_activated_per_cancer(store):
    assert rows(store, "pathways-per-cancer", {}, "cancerLabel", "pathwayLabel") == [
        ("gastric cancer", "MAPK/ERK signalling"), ("gastric cancer", "PI3K/AKT signalling"),
        ("non-small cell lung carcinoma", "PI3K/AKT signalling"), ("prostate cancer", "PI3K/AKT signalling"),
        ("urinary bladder cancer", "PI3K/AKT signalling"),
    ]


def test_every_section_but_the_bare_heading_has_findings(store):
    empty = [section for section, n in rows(store, "findings-per-section", {}, "section", "findings") if n == 0]
    # section 4 of the TEX review is a heading directly followed by 4.1; it has no text of its own
    assert empty == ["4 The Biological Function of Exosomes in Cancer"]


def test_cargo_acting_on_leukocytes_follows_cl_hierarchy(store):
    got = rows(store, "cargo-recipient-leukocytes", {}, "recipientLabel", "cargoLabel")
    assert len(got) == 26
    assert {recipient for recipient, _ in got} == {
        "CD4-positive, alpha-beta T cell", "T cell", "cytotoxic T cell",
        "dendritic cell", "gamma-delta T cell", "leukocyte", "macrophage", "monocyte", "myeloid suppressor cell",
        "natural killer cell", "osteoclast",
    }
    # endothelial cells and fibroblasts are not leukocytes in CL, so their cargo is not listed
    assert rows(store, "cargo-recipient-leukocytes", {"cell_type": "T cell"}, "recipientLabel", "cargoLabel")[0] == (
        "CD4-positive, alpha-beta T cell", "TNF")


# Every name printed in the data finds its item: the printed name (…AsPrinted) finds the finding
# that prints it, and every alternative label of a molecule in a finding finds the molecule.
EXO = "https://w3id.org/exo-rdf/ontology/"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: printed-name property -> (stored query, its parameter, the properties a finding needs for the query to list
#: it, result column): cargo-by-hallmark lists findings with cargo and a process term
PRINTED = {
    "cargoAsPrinted": ("findings-for-molecule", "molecule", None, "finding"),
    "markerAsPrinted": ("findings-for-molecule", "molecule", None, "finding"),
    "coAdministeredAgentAsPrinted": ("findings-for-molecule", "molecule", None, "finding"),
    "releasedFactorAsPrinted": ("findings-for-molecule", "molecule", None, "finding"),
    "processAsPrinted": ("cargo-by-hallmark", "process", ("cargo", "affectsProcess"), "finding"),
}
MOLECULE_ROLES = ("cargo", "marker", "participant", "drug", "exosomalContent", "highlightedMember",
                  "coAdministeredAgent", "releasedFactor", "regulatesTarget", "target")


def _objects(store, s, p):
    import pyoxigraph as ox

    return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]


def _is_molecule(store, term, molecule_class):
    """True when term is typed with exo:MolecularEntity or one of its subclasses (GO complexes are not)."""
    import pyoxigraph as ox

    sub = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    seen, todo = set(), list(_objects(store, term, RDF_TYPE))
    while todo:
        c = todo.pop()
        if c == molecule_class:
            return True
        if c not in seen:
            seen.add(c)
            todo += [q.object for q in store.quads_for_pattern(c, sub, None)]
    return False


def _printed_names(store):
    """(query, parameter, name, the finding or molecule IRI it must find, result column), from the data."""
    import pyoxigraph as ox

    cases = set()
    for prop, (query, param, needed, column) in PRINTED.items():
        for q in store.quads_for_pattern(None, ox.NamedNode(EXO + prop), None):
            if needed is None or all(_objects(store, q.subject, EXO + n) for n in needed):
                cases.add((query, param, q.object.value, q.subject.value, column))
    for q in store.quads_for_pattern(None, ox.NamedNode(EXO + "targetAsPrinted"), None):
        for f in store.quads_for_pattern(None, ox.NamedNode(EXO + "hasTargetRegulation"), q.subject):
            cases.add(("findings-for-molecule", "molecule", q.object.value, f.subject.value, "finding"))
    for q in store.quads_for_pattern(None, ox.NamedNode(EXO + "cancerAsPrinted"), None):
        if _objects(store, q.subject, EXO + "cargo") and _objects(store, q.subject, EXO + "producerCancer"):
            cases.add(("cargo-by-cancer", "cancer", q.object.value, q.subject.value, "finding"))
        if _objects(store, q.subject, RDF_TYPE) == [ox.NamedNode(EXO + "BiomarkerFinding")]:
            cases.add(("biomarkers", "cancer", q.object.value, q.subject.value, "finding"))
    for q in store.quads_for_pattern(None, ox.NamedNode(EXO + "fluidAsPrinted"), None):
        cases.add(("biomarkers", "fluid", q.object.value, q.subject.value, "finding"))
    molecule_class = ox.NamedNode(EXO + "MolecularEntity")
    molecules = {q.object for role in MOLECULE_ROLES for q in store.quads_for_pattern(None, ox.NamedNode(EXO + role), None)
                 if not isinstance(q.object, ox.Literal) and _is_molecule(store, q.object, molecule_class)}
    for molecule in molecules:
        for name in _objects(store, molecule, SKOS_ALT):
            cases.add(("findings-for-molecule", "molecule", name.value, molecule.value, "entity"))
    return cases


def test_every_printed_name_finds_its_item(store):
    cases = _printed_names(store)
    # every kind of printed name is covered (the data have each)
    assert {(c[0], c[1]) for c in cases} >= {("findings-for-molecule", "molecule"), ("cargo-by-cancer", "cancer"),
                                              ("biomarkers", "cancer"), ("biomarkers", "fluid")}
    from concurrent.futures import ThreadPoolExecutor

    def answer(key):
        query, param, name, column = key
        return key, {r[column] for r in run_stored(query, {param: name}, store=store).values()}

    # pyoxigraph answers without holding the GIL: two threads halve the time of some 500 queries
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = dict(pool.map(answer, sorted({(q, p, n, c) for q, p, n, _, c in cases})))
    missing = sorted((q, n, local(item)) for q, p, n, item, c in cases if item not in answers[(q, p, n, c)])
    assert missing == []


def test_names_match_across_case_spaces_hyphens_and_greek_letters(store):
    def found(name):
        return {(local(f), local(e)) for f, e in rows(store, "findings-for-molecule", {"molecule": name}, "finding", "entity")}

    assert found("TGF-beta") == found("TGFβ") == found("tgf β") != set()
    assert ("finding-protein-table-2-02", "protein-EDIL3") in found("EDIL-3")
    assert ("finding-tex-angiogenesis-metastasis-02", "mirna-miR-17-92") in found("miR17-92")
    assert found("ZO 1") == {("finding-protein-metastasis-15", "protein-TJP1"), ("finding-tex-tumour-growth-26", "protein-TJP1")}


def test_cargo_by_hallmark_finds_processes_by_the_words_the_reviews_print(store):
    def found(process):
        return {local(f) for (f,) in rows(store, "cargo-by-hallmark", {"process": process}, "finding")}

    assert {"finding-protein-metastasis-36", "finding-protein-signal-molecules-10"} <= found("invasion")
    assert "finding-tex-angiogenesis-metastasis-09" in found("destruction of the extracellular matrix")
    assert "finding-protein-metastasis-04" in found("ECM remodelling") == found("ecm-remodelling")

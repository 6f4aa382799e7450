"""The kinds of term a template column takes (cell type, cancer, molecule ...), the families of
terms each accepts, and the upstream tables (``--terms DIR``) that hold those families' names.

exo_rdf.curation.resolve.Resolver resolves a cell's text among the terms of its column's kind.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """What a column takes: a name for messages, the families of terms it accepts, an example."""

    name: str
    families: tuple[str, ...]
    example: str


#: kind of term -> Kind. A family is an external prefix (CL, MONDO...) or an exo-rdf class's
#: local name (Protein, SignallingPathway...); own classes under a CL or GO class are in its family.
KINDS = {k.name: k for k in (
    Kind("cell type", ("CL",), "macrophage (CL:0000235)"),
    Kind("cell line", ("cellosaurus", "CellLine"), "MDA-MB-231 (cellosaurus:0062)"),
    Kind("cancer", ("MONDO",), "pancreatic cancer (MONDO:0009831)"),
    Kind("anatomy", ("UBERON",), "plasma (UBERON:0001969)"),
    Kind("process", ("GO",), "angiogenesis (GO:0001525)"),
    Kind("vesicle", ("GO",), "extracellular exosome (GO:0070062)"),
    Kind("molecule", ("MolecularEntity",), "PD-L1 (exod:protein-CD274)"),
    Kind("pathway", ("SignallingPathway",), "a pathway of data/entities/vocabulary.ttl"),
    Kind("condition", ("Condition",), "hypoxia (exod:condition-hypoxia)"),
    Kind("cargo category", ("CargoCategory",), "oncomiRNA (exod:category-oncomirna)"),
    Kind("therapy kind", ("TherapyKind",), "exod:therapy-drug-loaded-exosome"),
    Kind("trial status", ("TrialStatus",), "Recruiting (exod:status-recruiting)"),
    Kind("direction", ("EffectDirection",), "promotes (exo:promotes)"),
    Kind("review", ("Review",), "exod:review-tex"),
    Kind("section", ("ReviewSection",), "exod:section-protein-angiogenesis"),
    Kind("trial", ("ClinicalTrial",), "NCT03985696 (clinicaltrials:NCT03985696)"),
    Kind("gene", ("HGNC",), "CD274 (HGNC:17635)"),
    Kind("mature miRNA", ("mirbase.mature",), "hsa-miR-21-5p (mirbase.mature:MIMAT0000076)"),
    Kind("chemical", ("CHEBI",), "cisplatin (CHEBI:27899)"),
)}

#: a family as people call it, for messages
FAMILY_NAMES = {
    "CL": "cell type", "cellosaurus": "cell line", "CellLine": "cell line", "MONDO": "disease",
    "UBERON": "anatomical entity", "GO": "GO term", "HGNC": "human gene", "mirbase.mature": "mature miRNA",
    "CHEBI": "chemical", "ECO": "evidence class", "RO": "relation", "BFO": "BFO term",
    "MolecularEntity": "molecule", "SignallingPathway": "signalling pathway", "Condition": "condition",
    "CargoCategory": "cargo category", "TherapyKind": "therapy kind", "TrialStatus": "trial status",
    "EffectDirection": "effect direction", "Review": "review", "ReviewSection": "review section",
    "ClinicalTrial": "clinical trial", "Publication": "publication",
}

#: families whose upstream table lives in --terms DIR: family -> (file, id column, label column, synonym columns)
TABLES = {
    "GO": ("go.tsv", "id", "label", ("synonyms",)),
    "CL": ("cl.tsv", "id", "label", ("synonyms",)),
    "UBERON": ("uberon.tsv", "id", "label", ("synonyms",)),
    "MONDO": ("mondo.tsv", "id", "label", ("synonyms",)),
    "CHEBI": ("chebi.tsv", "id", "label", ("synonyms",)),
    "HGNC": ("hgnc.tsv", "hgnc_id", "symbol", ("alias_symbols", "previous_symbols", "name")),
    "mirbase.mature": ("mirbase.tsv", "id", "label", ("synonyms",)),
    "cellosaurus": ("cellosaurus.tsv", "id", "name", ("synonyms",)),
}
#: families a kind's column reads tables for (molecules are reached through their external matches)
TABLE_FAMILIES = {"MolecularEntity": ("HGNC", "mirbase.mature"), "CellLine": ("cellosaurus",)}

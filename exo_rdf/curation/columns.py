"""The columns of the curation templates: one template per finding kind, one column per property.

A template row is one finding. Every column says what it holds (``meaning``), what a cell may
contain (``allowed``), an ``example``, whether it must be filled, the RDF property it fills
(``path``: one property, or two for the columns of a regulated target, whose second step is on
the target's own node) and, for term columns, the kinds of term it takes (``term_kinds``, keys of
``exo_rdf.curation.kinds.KINDS``) so that a resolver can restrict its candidates.

Cells of a multi-valued column hold several values separated by ``|``; in text columns a ``|``
or a backslash inside a value is written ``\\|`` or ``\\\\``. The target columns (``target``,
``target direction``, ``target as printed``, ``target kind as printed``, ``target process``) are
parallel lists: their n-th values describe the finding's n-th regulated target
(``<finding>-target-<n>``, an ``exo:TargetRegulation``).

Provenance is the same in every template: ``source`` (a review, or ``pmid:…`` / ``doi:10.…`` for
a research article), ``section``, ``references`` and ``statement``. The evidence
(``obo:RO_0002558``) is not a column: it follows from the references as in the bundled data
(ECO:0000304 where references are cited or the source is a research article, ECO:0000303 with
``exo:citesNoReference true`` where a review cites none).
"""
from __future__ import annotations

from dataclasses import dataclass

EXO = "https://w3id.org/exo-rdf/ontology/"
PROV = "http://www.w3.org/ns/prov#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RO_HAS_EVIDENCE = "http://purl.obolibrary.org/obo/RO_0002558"
TARGET_REGULATION = EXO + "hasTargetRegulation"

#: how a cell's text becomes RDF
VALUE_TYPES = {
    "id": "the finding's IRI (a CURIE or IRI); minted from the row's content when empty",
    "source": "the publication the finding comes from",
    "term": "a term, by name, CURIE or IRI",
    "text": "a plain string",
    "integer": "an integer",
    "decimal": "a decimal number",
}


@dataclass(frozen=True)
class Column:
    """One column of a template.

    header: the column name in row 1; meaning, allowed, example: its documentation; required:
    the cell must be filled; path: the property IRIs it fills (a second step is on a target
    node); value: a key of VALUE_TYPES; term_kinds: for term columns, the kinds of term taken,
    tried in order; multi: several values separated by ``|``; group: "target" for the parallel
    target columns.
    """

    header: str
    meaning: str
    allowed: str
    example: str
    path: tuple[str, ...]
    value: str = "text"
    term_kinds: tuple[str, ...] = ()
    required: bool = False
    multi: bool = False
    group: str | None = None

    @property
    def term_kind(self) -> str | None:
        """The first kind of term the column takes (what a resolver restricts candidates to)."""
        return self.term_kinds[0] if self.term_kinds else None

    @property
    def property(self) -> str:
        """The IRI of the property the cell's values are objects of (the last step of path)."""
        return self.path[-1]


def _term(header, prop, kinds, meaning, example, *, required=False, multi=True, group=None, what=None):
    what = what or " or ".join(kinds)
    return Column(header, meaning, f"name or CURIE of a {what}" + (", several separated by |" if multi else ""),
                  example, (prop,) if group is None else (TARGET_REGULATION, prop), "term", tuple(kinds),
                  required, multi, group)


def _text(header, prop, meaning, example, *, required=False, multi=False, group=None):
    allowed = "text" + (", several separated by | (write \\| for a | inside a value)" if multi else "")
    return Column(header, meaning, allowed, example, (prop,) if group is None else (TARGET_REGULATION, prop),
                  "text", (), required, multi, group)


def _number(header, prop, meaning, example, allowed, *, required=False, value="decimal"):
    return Column(header, meaning, allowed, example, (prop,), value, (), required)


#: every column there is, by header
ALL = {c.header: c for c in (
    Column("finding", "the finding's IRI", "a CURIE or IRI, e.g. in the exod: namespace; empty: minted from the "
           "row's content (exod:finding-<kind>-<hash>)", "exod:finding-protein-angiogenesis-02", ("@id",), "id"),
    Column("source", "the publication that states the finding (prov:wasDerivedFrom; exo:statedIn for a review)",
           "name or CURIE of a review (exod:review-tex, exod:review-protein), or pmid:<digits> and/or "
           "doi:10.<registrant>/<suffix> of a research article, separated by |", "exod:review-protein",
           (PROV + "wasDerivedFrom",), "source", ("review",), True),
    _term("section", EXO + "inSection", ("section",), "the review's section (only for a review)",
          "exod:section-protein-angiogenesis", multi=False),
    Column("references", "the reference numbers the review cites for the statement (only for a review); empty: "
           "it cites none (exo:citesNoReference true)", "positive integers separated by |", "132|133",
           (EXO + "citesReference",), "integer", (), False, True),
    _text("statement", EXO + "statement", "a close paraphrase of the source's sentence (also prov:value)",
          "In head and neck squamous cell carcinoma cell lines, TGFβ-enriched TDEs are major drivers of angiogenesis.",
          required=True),
    _text("label", RDFS + "label", "a short label of the finding", "Table 2: GPC1 in pancreatic cancer"),
    _term("ev type", EXO + "evType", ("vesicle",), "the vesicles (GO class or exo-rdf EV type)",
          "extracellular exosome"),
    _text("ev type as printed", EXO + "evTypeAsPrinted", "the vesicle type as the source prints it", "Exosomes",
          multi=True),
    _term("cargo", EXO + "cargo", ("molecule",), "what the vesicles carry", "PD-L1"),
    _text("cargo as printed", EXO + "cargoAsPrinted", "the cargo as the source prints it", "TGFβ", multi=True),
    _text("cargo kind as printed", EXO + "cargoKindAsPrinted", "the molecular kind as printed", "transcripts",
          multi=True),
    _term("cargo category", EXO + "cargoCategory", ("cargo category",), "the category the source puts the cargo in",
          "exod:category-oncomirna"),
    _term("producer cancer", EXO + "producerCancer", ("cancer",), "the cancer whose cells release the vesicles",
          "pancreatic cancer", what="cancer (MONDO)"),
    _term("producer cell type", EXO + "producerCellType", ("cell type",), "the cell type releasing the vesicles",
          "macrophage", what="cell type (CL)"),
    _term("producer cell line", EXO + "producerCellLine", ("cell line",), "the cell line releasing the vesicles",
          "MDA-MB-231", what="cell line (Cellosaurus)"),
    _term("recipient cell type", EXO + "recipientCellType", ("cell type",), "the cell type the vesicles act on",
          "endothelial cell", what="cell type (CL)"),
    _term("recipient cell line", EXO + "recipientCellLine", ("cell line",), "the cell line the vesicles act on",
          "MDA-MB-231", what="cell line (Cellosaurus)"),
    _term("cancer", EXO + "cancer", ("cancer",), "the cancer the finding is about", "pancreatic cancer",
          what="cancer (MONDO)"),
    _text("cancer as printed", EXO + "cancerAsPrinted", "the cancer as the source prints it", "PDAC", multi=True),
    _term("process", EXO + "affectsProcess", ("process",), "the process the vesicles affect", "angiogenesis",
          what="process (GO or exo-rdf class)"),
    _text("process as printed", EXO + "processAsPrinted", "the processes in the statement's words", "invasion",
          multi=True),
    _term("direction", EXO + "effectDirection", ("direction",), "the direction towards the process",
          "exo:promotes", multi=False, what="direction (exo:promotes, exo:inhibits)"),
    _term("condition", EXO + "condition", ("condition",), "a condition of the producer cells", "hypoxia"),
    _term("pathway", EXO + "pathway", ("pathway",), "a signalling pathway", "exod:pathway-wnt",
          what="signalling pathway"),
    _term("drug", EXO + "drug", ("molecule",), "a drug loaded into or acting with the vesicles", "doxorubicin"),
    _term("participant", EXO + "participant", ("molecule", "vesicle"), "a molecule or GO component taking part",
          "TSG101", what="molecule, or GO cellular component"),
    _text("role", EXO + "role", "the participant's role, in words", "sorts ubiquitinated cargo into ILVs"),
    _term("mechanism", EXO + "mechanism", ("process",), "the biogenesis, secretion or uptake process",
          "extracellular exosome biogenesis", required=True, what="process (GO or exo-rdf class)"),
    _term("cell death form", EXO + "cellDeathForm", ("process",), "the regulated cell death form", "ferroptosis",
          what="process (GO class)"),
    _term("therapy kind", EXO + "therapyKind", ("therapy kind",), "the kind of therapy",
          "exod:therapy-drug-loaded-exosome", required=True),
    _term("marker", EXO + "marker", ("molecule",), "the marker molecule", "CD63"),
    _text("marker as printed", EXO + "markerAsPrinted", "the marker as the source prints it", "CD63", multi=True),
    _term("highlighted member", EXO + "highlightedMember", ("molecule",),
          "the member of a marker panel the source highlights", "GPC1"),
    _term("released factor", EXO + "releasedFactor", ("molecule",), "what the recipient cells release in response",
          "IL-6"),
    _text("released factor as printed", EXO + "releasedFactorAsPrinted", "the released factors as printed",
          "IL-6", multi=True),
    _term("co-administered agent", EXO + "coAdministeredAgent", ("molecule",),
          "given together with the vesicles, not carried by them", "GM-CSF"),
    _text("co-administered agent as printed", EXO + "coAdministeredAgentAsPrinted",
          "the co-administered agents as printed", "GM-CSF", multi=True),
    _term("target", EXO + "target", ("molecule",), "the regulated targets, one exo:TargetRegulation each",
          "Bcl-2|Bax", group="target"),
    _term("target direction", EXO + "targetDirection", ("direction",),
          "each target's direction, in the order of the targets", "exo:increases|exo:decreases", group="target",
          what="direction (exo:increases, exo:decreases)"),
    _text("target as printed", EXO + "targetAsPrinted", "each target as printed, in the order of the targets",
          "Bcl-2|Bax", multi=True, group="target"),
    _text("target kind as printed", EXO + "kindAsPrinted",
          "each target's molecular kind as printed, in the order of the targets (empty between | where none)",
          "|transcripts", multi=True, group="target"),
    _term("target process", EXO + "targetProcess", ("process",),
          "each target's process, in the order of the targets (empty between | where none)", "apoptotic process|apoptotic process",
          group="target"),
    _term("undirected target", EXO + "regulatesTarget", ("molecule",),
          "a regulated target whose direction is not curated (kept for old findings; use target)", "BCL2"),
    _text("quantity of", EXO + "quantityOf", "what is counted", "proteins in the exosome proteome",
          required=True),
    _number("count", EXO + "count", "the count", "4400", "a decimal number"),
    _number("percentage", EXO + "percentage", "the share in percent", "28.44", "a decimal number from 0 to 100"),
    _number("size min nm", EXO + "sizeMinNm", "the smallest diameter in nm", "30", "a decimal number above 0",
            required=True),
    _number("size max nm", EXO + "sizeMaxNm", "the largest diameter in nm", "150", "a decimal number above 0",
            required=True),
    _text("size as printed", EXO + "sizeAsPrinted", "the size range as printed", "30-150 nm", multi=True),
    _term("trial", EXO + "trial", ("trial",), "the clinical trial", "clinicaltrials:NCT03985696", required=True,
          multi=False),
    _term("trial status", EXO + "trialStatus", ("trial status",), "the trial's status", "Recruiting",
          required=True, multi=False),
    _term("exosomal content", EXO + "exosomalContent", ("molecule",), "the exosomal contents the trial measures",
          "PD-L1"),
    _text("content as printed", EXO + "contentAsPrinted", "the contents as printed", "CD-20, PD-L1",
          required=True, multi=True),
    _term("fluid", EXO + "fluid", ("anatomy",), "the body fluid", "plasma", what="body fluid (UBERON)"),
    _text("fluid as printed", EXO + "fluidAsPrinted", "the fluid as printed", "Plasma", multi=True),
    _number("sensitivity min", EXO + "sensitivityMin", "the lowest sensitivity", "0.8", "a decimal from 0 to 1",
            required=True),
    _number("sensitivity max", EXO + "sensitivityMax", "the highest sensitivity", "0.9", "a decimal from 0 to 1",
            required=True),
    _number("specificity min", EXO + "specificityMin", "the lowest specificity", "0.8", "a decimal from 0 to 1",
            required=True),
    _number("specificity max", EXO + "specificityMax", "the highest specificity", "0.9", "a decimal from 0 to 1",
            required=True),
    _text("efficiency as printed", EXO + "efficiencyAsPrinted", "the diagnostic efficiency as printed",
          "Sensitivity 100%, specificity 100%", multi=True),
    _text("note", SKOS + "editorialNote", "a curator's note (skos:editorialNote)",
          "PD-L1 is CD274 (HGNC:17635).", multi=True),
)}

PROVENANCE = ("finding", "source", "section", "references", "statement")
TARGETS = ("target", "target direction", "target as printed", "target kind as printed", "target process")
_PRODUCER = ("producer cancer", "producer cell type", "producer cell line")
_RECIPIENT = ("recipient cell type", "recipient cell line")

#: finding kind -> (class IRI, the kind's own columns after the provenance columns, required ones)
KINDS = {
    "cargo-effect": (EXO + "CargoEffectFinding", (
        "ev type", "cargo", "cargo as printed", "cargo kind as printed", *_PRODUCER, *_RECIPIENT, "cancer",
        "cancer as printed", "process", "process as printed", "direction", "condition", "pathway", "drug",
        "participant", "marker", "marker as printed", "released factor", "released factor as printed",
        "co-administered agent", "co-administered agent as printed", *TARGETS, "undirected target")),
    "cargo-category": (EXO + "CargoCategoryFinding", (
        "ev type", "cargo", "cargo as printed", "cargo kind as printed", "cargo category", *_PRODUCER, "cancer",
        "cancer as printed", "process", "process as printed", "condition")),
    "mechanism": (EXO + "MechanismFinding", (
        "ev type", "mechanism", "participant", "role", "condition", "direction", "process", "process as printed",
        "cargo", "cargo as printed", "producer cancer", "producer cell type", "cancer as printed",
        "recipient cell type")),
    "cell-death": (EXO + "CellDeathFinding", (
        "ev type", "cell death form", "cargo", "cargo as printed", "direction", "process", "process as printed",
        *_PRODUCER, *_RECIPIENT, "cancer", "cancer as printed", "participant", "released factor",
        "released factor as printed", *TARGETS)),
    "pathway-activation": (EXO + "PathwayActivationFinding", (
        "ev type", "pathway", "process", "process as printed", "direction", "cargo", "cargo as printed",
        "producer cancer", "cancer as printed", "recipient cell type", "participant", "condition", *TARGETS)),
    "therapy": (EXO + "TherapyFinding", (
        "therapy kind", "ev type", "drug", "cargo", "cargo as printed", "co-administered agent",
        "co-administered agent as printed", *_PRODUCER, *_RECIPIENT, "cancer", "cancer as printed", "process",
        "process as printed", "cell death form", "direction", "participant", "pathway", "released factor",
        "released factor as printed", *TARGETS)),
    "quantity": (EXO + "QuantityFinding", ("quantity of", "count", "percentage")),
    "size-range": (EXO + "SizeRangeFinding", (
        "ev type", "ev type as printed", "size min nm", "size max nm", "size as printed")),
    "marker": (EXO + "MarkerFinding", ("ev type", "marker", "marker as printed")),
    "clinical-trial": (EXO + "ClinicalTrialFinding", (
        "label", "trial", "trial status", "cancer", "cancer as printed", "exosomal content", "content as printed")),
    "biomarker": (EXO + "BiomarkerFinding", (
        "label", "marker", "marker as printed", "highlighted member", "cancer", "cancer as printed", "fluid",
        "fluid as printed", "sensitivity min", "sensitivity max", "specificity min", "specificity max",
        "efficiency as printed")),
}

#: kind -> headers that must be filled in that kind beyond those required everywhere (the shapes' minCount 1)
REQUIRED = {
    "cargo-category": ("cargo", "cargo category"),
    "cell-death": ("cell death form",),
    "pathway-activation": ("pathway",),
    "size-range": ("ev type",),
    "marker": ("ev type", "marker"),
    "clinical-trial": ("cancer",),
    "biomarker": ("marker", "marker as printed", "cancer", "cancer as printed", "fluid", "fluid as printed"),
}
#: columns required only in the kinds that take them as their defining property
_REQUIRED_IN_OWN_KIND = {"mechanism": "mechanism", "therapy kind": "therapy", "quantity of": "quantity",
                         "size min nm": "size-range", "size max nm": "size-range"}


def kinds() -> list[str]:
    """The finding kinds, in the order of KINDS."""
    return list(KINDS)


def kind_class(kind: str) -> str:
    """The IRI of a kind's finding class; raises KeyError naming the kinds there are."""
    return KINDS[_check(kind)][0]


def kind_of_class(iri: str) -> str | None:
    """The kind whose finding class is iri, or None."""
    return next((k for k, (cls, _) in KINDS.items() if cls == iri), None)


def columns(kind: str) -> list[Column]:
    """The columns of a kind's template, in order: provenance, the kind's own, note.

    Raises KeyError naming the kinds there are for an unknown kind.
    """
    own = KINDS[_check(kind)][1]
    required = set(REQUIRED.get(kind, ()))
    out = []
    for header in (*PROVENANCE, *own, "note"):
        column = ALL[header]
        needed = column.required and _REQUIRED_IN_OWN_KIND.get(header, kind) == kind
        if needed != column.required or header in required:
            column = Column(**{**column.__dict__, "required": needed or header in required})
        out.append(column)
    return out


def headers(kind: str) -> list[str]:
    """The column names of a kind's template, in order."""
    return [c.header for c in columns(kind)]


def column(kind: str, header: str) -> Column:
    """The column called header in kind's template; raises KeyError."""
    for c in columns(kind):
        if c.header == header:
            return c
    raise KeyError(f"the {kind} template has no column {header!r}")


#: properties that the provenance columns fill without being their own path
_PROVENANCE_PATHS = {
    EXO + "statedIn": "source", PROV + "wasDerivedFrom": "source", EXO + "inSection": "section",
    EXO + "citesReference": "references", EXO + "citesNoReference": "references", RO_HAS_EVIDENCE: "references",
    PROV + "value": "statement", EXO + "statement": "statement",
    EXO + "doi": "source", EXO + "pmid": "source",
}


def column_for_path(kind: str, path) -> str | None:
    """The header of the column that fills the property path (an IRI, as a SHACL result path), or None.

    Used to place a shape violation at its cell. A target node's properties map to the target
    columns; properties no column fills (rdf:type, a sequence path) give None.
    """
    iri = path.value if hasattr(path, "value") else str(path)
    if iri in _PROVENANCE_PATHS:
        return _PROVENANCE_PATHS[iri]
    if iri == TARGET_REGULATION:
        return "target"
    if kind not in KINDS:
        return None
    return next((c.header for c in columns(kind) if c.property == iri and c.value != "id"), None)


def _check(kind: str) -> str:
    if kind not in KINDS:
        raise KeyError(f"unknown finding kind {kind!r}; kinds: {', '.join(KINDS)}")
    return kind

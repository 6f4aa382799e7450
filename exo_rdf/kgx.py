"""The graph as a Biolink Model knowledge graph in KGX TSV: ``exo-rdf_nodes.tsv`` and ``exo-rdf_edges.tsv``.

The stored queries under ``queries/kgx/`` select the edges (one file per kind of edge, each row
naming its finding, subject, Biolink predicate, object and any Biolink qualifier columns), the
identity of own molecules (an own individual with one exact match is written as that external
identifier), the nodes' labels and kinds, and each finding's source and ECO evidence. This module
maps kinds to Biolink categories, checks every category, predicate, slot and enumeration value
against the Biolink Model shipped in the ``biolink-model`` package (read by ``bmt``, offline), and
writes both files sorted, each through a temporary file and a rename.

Every edge carries ``knowledge_level`` knowledge_assertion, ``agent_type`` manual_agent (curators
read the literature), ``primary_knowledge_source`` ``infores:exo-rdf``, ``publications`` (the
source's DOI and PMID where the graph has them, else the source's own CURIE), ``has_evidence`` (the
finding, which holds the review section and the reference numbers the review cites: those numbers
name no resolvable publication, so they are not written as publications) and
``has_evidence_of_type`` (the finding's ECO class, the slot the model gives ECO terms).

Out of scope: protein panels (a diagnostic selection of proteins has no Biolink category; their
findings are left out), clinical-trial rows (the model has no predicate from a trial to what it
measures), KGX JSON Lines.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from exo_rdf.curies import PREFIX_MAP, compress
from exo_rdf.errors import OutputError
from exo_rdf.sources import project_root

BIOLINK = "https://w3id.org/biolink/vocab/"
EXO = "https://w3id.org/exo-rdf/ontology/"
OBO = "http://purl.obolibrary.org/obo/"
#: exo-rdf as an Information Resource (infores) identifier, the Biolink Model's form for knowledge sources
INFORES = "infores:exo-rdf"
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"
NODE_FILE, EDGE_FILE = "exo-rdf_nodes.tsv", "exo-rdf_edges.tsv"
NODE_COLUMNS = ("id", "category", "name", "iri", "provided_by")
EDGE_COLUMNS = ("id", "subject", "predicate", "object", "qualified_predicate", "object_aspect_qualifier",
                "object_direction_qualifier", "anatomical_context_qualifier", "knowledge_level", "agent_type",
                "primary_knowledge_source", "publications", "has_evidence", "has_evidence_of_type")
#: edge columns that hold several values (KGX TSV joins them with "|")
MULTIVALUED = {"anatomical_context_qualifier", "publications", "has_evidence", "has_evidence_of_type"}
#: the project's prefixes that the Biolink Model spells otherwise
BIOLINK_PREFIX = {"clinicaltrials": "CLINICALTRIALS", "uniprot": "UniProtKB"}

#: identifier prefix -> Biolink category, for prefixes that settle the kind of a node
CATEGORY_BY_PREFIX = {
    "HGNC": "Gene", "uniprot": "Protein", "mirbase.mature": "MicroRNA", "cellosaurus": "CellLine",
    "UBERON": "AnatomicalEntity", "MONDO": "Disease", "clinicaltrials": "ClinicalTrial",
}
#: own class, or upper-level class a term falls under -> Biolink category
CATEGORY_BY_KIND = {
    EXO + "Protein": "Protein", EXO + "ProteinGroup": "ProteinFamily", EXO + "MicroRNA": "MicroRNA",
    EXO + "MessengerRNA": "RNAProduct", EXO + "RNA": "RNAProduct", EXO + "LongNoncodingRNA": "NoncodingRNAProduct",
    EXO + "Lipid": "ChemicalEntity", EXO + "Metabolite": "ChemicalEntity", EXO + "Drug": "Drug",
    EXO + "SignallingPathway": "Pathway", EXO + "ClinicalTrial": "ClinicalTrial", EXO + "CellLine": "CellLine",
    OBO + "GO_0008150": "BiologicalProcess", OBO + "GO_0005575": "CellularComponent",
    OBO + "GO_0003674": "MolecularActivity", OBO + "CL_0000000": "Cell", OBO + "MONDO_0000001": "Disease",
}
#: prefixes whose terms fall back to a category when nothing more specific is known
CATEGORY_FALLBACK = {"CHEBI": "ChemicalEntity", "CL": "Cell"}
#: own classes that have no Biolink category: edges that touch them are left out
LEFT_OUT_KINDS = {EXO + "ProteinPanel"}


def _queries(root: Path) -> Path:
    return root / "queries" / "kgx"


def _biolink_schema() -> str:
    """The path of the Biolink Model YAML shipped in the biolink-model package.

    Raises OutputError when the package is not installed.
    """
    try:
        from importlib.resources import files

        path = files("biolink_model") / "schema" / "biolink_model.yaml"
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise OutputError("the KGX export needs the Biolink Model: pip install 'exo-rdf[kgx]'")
    return str(path)


@lru_cache(maxsize=1)
def biolink_toolkit():
    """A bmt Toolkit over the Biolink Model of the biolink-model package, read from disk, never fetched.

    bmt's default reads the model and its predicate mapping from the network; the mapping (of
    other sources' predicates to Biolink ones) serves no lookup this export makes, so it is empty.
    Raises OutputError when bmt or biolink-model is not installed.
    """
    schema = _biolink_schema()
    try:
        from bmt import Toolkit
    except ModuleNotFoundError:
        raise OutputError("the KGX export needs bmt: pip install 'exo-rdf[kgx]'") from None
    return Toolkit(schema=schema, predicate_map={"predicate mappings": []})


def biolink_prefix_map() -> dict[str, str]:
    """The Biolink Model's prefix map (its JSON-LD context as prefix -> URI), from the biolink-model package."""
    import json
    from importlib.resources import files

    _biolink_schema()
    return json.loads((files("biolink_model") / "prefixmaps" / "biolink-model-prefix-map.json").read_text("utf-8"))


def curie(iri: str) -> str:
    """The CURIE of iri in the project's prefix map, with the Biolink Model's spelling of the prefix."""
    text = compress(iri)
    prefix, sep, local = text.partition(":")
    return f"{BIOLINK_PREFIX.get(prefix, prefix)}:{local}" if sep and prefix in PREFIX_MAP else text


def _run(root: Path, store, name: str, nodes: list | None = None) -> list[dict]:
    from exo_rdf.query import run_sparql, with_values_rows

    text = (_queries(root) / f"{name}.rq").read_text(encoding="utf-8")
    if nodes is not None:
        text = with_values_rows(text, ["node"], [(n,) for n in nodes])
    result = run_sparql(text, store=store)
    return [{v: t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def _category(iri: str, kind, root_class) -> str | None:
    prefix = compress(iri).partition(":")[0]
    if prefix in CATEGORY_BY_PREFIX:
        return CATEGORY_BY_PREFIX[prefix]
    for k in (kind, root_class):
        if k is not None and k in CATEGORY_BY_KIND:
            return CATEGORY_BY_KIND[k]
    return CATEGORY_FALLBACK.get(prefix)


class _Checker:
    """Checks names and values against the Biolink Model; collects the first problem of each kind."""

    def __init__(self):
        self.tk = biolink_toolkit()
        self.seen: set = set()

    def category(self, name: str) -> None:
        """Raise OutputError unless name (e.g. "Gene") is a category, not a mixin, of the model."""
        if name not in self.seen:
            if not self.tk.is_category(name) or self.tk.is_mixin(name):
                raise OutputError(f"biolink:{name} is not a category of Biolink Model {self.tk.get_model_version()}")
            self.seen.add(name)

    def predicate(self, iri: str) -> str:
        """The CURIE of a Biolink predicate IRI; raises OutputError unless the model has that predicate."""
        name = iri[len(BIOLINK):] if iri.startswith(BIOLINK) else iri
        if name not in self.seen:
            if not self.tk.is_predicate(name):
                raise OutputError(f"biolink:{name} is not a predicate of Biolink Model {self.tk.get_model_version()}")
            self.seen.add(name)
        return "biolink:" + name

    def slot_value(self, slot: str, value: str) -> None:
        """Raise OutputError unless slot is a slot of the model and value is allowed by its enumeration."""
        key = (slot, value)
        if key not in self.seen:
            element = self.tk.get_element(slot)
            if element is None:
                raise OutputError(f"'{slot}' is not a slot of Biolink Model {self.tk.get_model_version()}")
            enum = self.tk.view.all_enums().get(element.range) if element.range else None
            if enum is not None and value not in enum.permissible_values:
                raise OutputError(f"'{value}' is not a value of {element.range} (slot '{slot}')")
            self.seen.add(key)


def kgx_tables(root: Path | None = None, files: list[Path] = ()) -> tuple[list[dict], list[dict]]:
    """The nodes and edges of the KGX export as rows (dicts of column -> str or list), sorted.

    files: a curator's own Turtle files, exported together with the bundled graph.
    Raises OutputError when a node has no Biolink category or a name is not in the model;
    SourceError for a source that does not parse; ArgumentError for a root or files of the wrong type.
    """
    from exo_rdf.arguments import as_paths, as_root
    from exo_rdf.sources import discover, user_sources
    from exo_rdf.store import build_store

    root, files = as_root(root) or project_root(), as_paths(files, "files") or []
    store = build_store(discover(root, ("ontology", "imports", "data")) + user_sources(files))
    check = _Checker()
    identity = {r["own"].value: (r["external"].value, r["kind"].value) for r in _run(root, store, "identity")}
    raw = [row for path in sorted(_queries(root).glob("edges-*.rq")) for row in _run(root, store, path.stem)]
    nodes = _nodes(root, store, raw, identity, check)
    edges = _edges(raw, identity, nodes, _provenance(root, store), check)
    return sorted(nodes.values(), key=lambda n: n["id"]), edges


def _provenance(root: Path, store) -> dict[str, dict[str, set]]:
    """Finding IRI -> its publications (DOI and PMID, else the source's CURIE) and ECO classes."""
    provenance: dict[str, dict[str, set]] = {}
    for r in _run(root, store, "findings"):
        p = provenance.setdefault(r["finding"].value, {"publications": set(), "has_evidence_of_type": set()})
        ids = [f"doi:{r['doi'].value}" if "doi" in r else None, f"PMID:{r['pmid'].value}" if "pmid" in r else None]
        p["publications"].update([i for i in ids if i] or [curie(r["source"].value)])
        if "evidence" in r:
            p["has_evidence_of_type"].add(curie(r["evidence"].value))
    return provenance


def _nodes(root: Path, store, raw: list[dict], identity: dict, check: "_Checker") -> dict[str, dict]:
    """Node IRI -> node row, for every edge end and every term used as a qualifier value.

    Raises OutputError for a node without a Biolink category (other than the left-out kinds).
    """
    # qualifier values that are terms (recipient cells, fluids) are nodes too, so that they have names
    ends = {identity.get(r[k].value, (r[k].value,))[0] for r in raw for k in ("subject", "object")}
    ends |= {r["anatomical_context_qualifier"].value for r in raw if "anatomical_context_qualifier" in r}
    own_kind = {ext: kind for ext, kind in identity.values()}
    nodes = {}
    for r in _run(root, store, "nodes", [_named(n) for n in sorted(ends)]):
        iri = r["node"].value
        kind = own_kind.get(iri, r["kind"].value if "kind" in r else None)
        category = _category(iri, kind, r["root"].value if "root" in r else None)
        if category is None:
            if kind in LEFT_OUT_KINDS:
                continue
            raise OutputError(f"{curie(iri)}: no Biolink category for its kind ({kind or 'none'});"
                              " add one to CATEGORY_BY_KIND in exo_rdf/kgx.py")
        check.category(category)
        nodes[iri] = {"id": curie(iri), "category": ["biolink:" + category],
                      "name": r["label"].value if "label" in r else curie(iri), "iri": iri, "provided_by": [INFORES]}
    return nodes


def _edges(raw: list[dict], identity: dict, nodes: dict, provenance: dict, check: "_Checker") -> list[dict]:
    """The edge rows, one per finding, subject, predicate, object and qualifiers, sorted.

    Rows of one such edge that differ in their anatomical context are merged into one edge with
    all of them. Edges touching a left-out node (see LEFT_OUT_KINDS) are dropped.
    Raises OutputError for a predicate, slot or enumeration value that is not in the model.
    """
    edges = {}
    for r in raw:
        s, o = (identity.get(r[k].value, (r[k].value,))[0] for k in ("subject", "object"))
        if s == o or s not in nodes or o not in nodes:
            continue
        finding = r["finding"].value if "finding" in r else None
        qualifiers = {}
        for slot in ("qualified_predicate", "object_aspect_qualifier", "object_direction_qualifier"):
            if slot in r:
                value = check.predicate(r[slot].value) if slot == "qualified_predicate" else r[slot].value
                check.slot_value(slot, value)
                qualifiers[slot] = value
        key = (finding, s, r["predicate"].value, o, tuple(sorted(qualifiers.items())))
        edge = edges.get(key)
        if edge is None:
            prov = provenance.get(finding, {}) if finding else {}
            edge = edges[key] = {
                "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, repr(key))),
                "subject": curie(s), "predicate": check.predicate(r["predicate"].value), "object": curie(o),
                **qualifiers, "anatomical_context_qualifier": set(),
                "knowledge_level": KNOWLEDGE_LEVEL, "agent_type": AGENT_TYPE, "primary_knowledge_source": INFORES,
                "publications": set(prov.get("publications", ())),
                "has_evidence": {curie(finding)} if finding else set(),
                "has_evidence_of_type": set(prov.get("has_evidence_of_type", ())),
            }
        if "anatomical_context_qualifier" in r:
            edge["anatomical_context_qualifier"].add(curie(r["anatomical_context_qualifier"].value))
    for slot, value in (("knowledge_level", KNOWLEDGE_LEVEL), ("agent_type", AGENT_TYPE)):
        check.slot_value(slot, value)
    rows = [{k: sorted(v) if isinstance(v, set) else v for k, v in e.items()} for e in edges.values()]
    return sorted(rows, key=lambda e: (e["subject"], e["predicate"], e["object"], e["id"]))


def _named(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _cell(value) -> str:
    """One TSV cell: lists joined with KGX's "|", tabs and line breaks as spaces."""
    text = "|".join(value) if isinstance(value, list) else (value or "")
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def tsv_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    """KGX TSV text: a header of columns, then one line per row."""
    return "".join("\t".join(_cell(r.get(c)) for c in columns) + "\n" for r in [dict(zip(columns, columns))] + rows)


def export_kgx(out: Path, *, root: Path | None = None, files: list[Path] = ()) -> tuple[int, int]:
    """Write exo-rdf_nodes.tsv and exo-rdf_edges.tsv (KGX TSV, Biolink Model) as the folder out.

    files: a curator's own Turtle files, exported together with the bundled graph.
    Returns (nodes, edges) written. Both files are written into a temporary folder that then takes
    out's place as a whole (exo_rdf.files.write_folder_atomic), so readers never see one file new
    and the other old; out must be new, empty or hold only these two files.
    Raises OutputError when out is "-", a file or a folder holding other files, or cannot be
    written (nothing changed then), or a name is not in the model; ArgumentError for an out, root
    or files of the wrong type.
    """
    from exo_rdf.arguments import as_path
    from exo_rdf.files import write_folder_atomic

    if isinstance(out, (str, os.PathLike)) and os.fspath(out) == "-":
        raise OutputError("the KGX export writes two files; give a folder as --out, not - (standard output)")
    out = as_path(out, "out")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: not a folder; the KGX export writes two files into the folder --out")
    others = sorted(p.name for p in out.iterdir() if p.name not in (NODE_FILE, EDGE_FILE)) if out.is_dir() else []
    if others:  # the folder is replaced as a whole: never take a user's other files with it
        raise OutputError(f"{out}: holds other files ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''});"
                          " give a new or empty folder as --out")
    nodes, edges = kgx_tables(root, files)
    write_folder_atomic(out, {NODE_FILE: tsv_text(nodes, NODE_COLUMNS), EDGE_FILE: tsv_text(edges, EDGE_COLUMNS)})
    return len(nodes), len(edges)


def extra_prefixes() -> dict[str, str]:
    """The project prefixes used by the export that the Biolink Model's prefix map lacks, with their URI prefixes.

    These are the project's own namespaces, Cellosaurus and mature miRBase (the model knows cell
    lines only by CLO and miRNAs by precursor prefixes); validate_kgx adds exactly these.
    """
    known = biolink_prefix_map()
    return {p: u for p, u in PREFIX_MAP.items()
            if BIOLINK_PREFIX.get(p, p) not in known and p in ("exo", "exod", "cellosaurus", "mirbase.mature")}


#: KGX's check of a category's spelling (kgx/validator.py, the same in kgx 2.6.0 and 2.7.0): every
#: capital followed by lower-case letters or digits, so no category with an acronym passes it
KGX_CAMELCASE = r"^([A-Z][a-z\d]+)+$"


def kgx_false_positives(categories) -> set[str]:
    """The categories (e.g. "MicroRNA") that KGX's validator calls "not in CamelCase form" though the model spells them so.

    These are the model's own class names (bmt's class_uri) with an acronym, such as MicroRNA,
    RNAProduct and NoncodingRNAProduct: KGX_CAMELCASE rejects them in any version of the model.
    """
    import re

    tk = biolink_toolkit()
    return {c for c in categories if not re.fullmatch(KGX_CAMELCASE, c)
            and tk.get_element(c) is not None and tk.get_element(c).class_uri == f"biolink:{c}"}


@contextmanager
def _offline_biolink():
    """bmt's Toolkit() reads the Biolink Model of the biolink-model package while the block runs, not the network.

    KGX makes Toolkits without arguments (one when imported), and bmt's defaults fetch the model
    and a predicate mapping from GitHub; the defaults are put back when the block ends.
    """
    import bmt.toolkit

    defaults = bmt.toolkit.Toolkit.__init__.__defaults__
    bmt.toolkit.Toolkit.__init__.__defaults__ = (_biolink_schema(), {"predicate mappings": []})
    try:
        yield
    finally:
        bmt.toolkit.Toolkit.__init__.__defaults__ = defaults


def validate_kgx(folder: Path) -> dict:
    """Run KGX's own validator (what ``kgx validate`` runs) on the export in folder; return its errors.

    KGX validates against the Biolink Model release it is given (``--biolink-release``), which it
    would fetch from GitHub: it is given the export's own release, with the Toolkit the export
    checks names with registered as that release, and the model's JSON-LD context is the
    biolink-model package's prefix map plus extra_prefixes(); nothing is fetched. The result is
    KGX's error dict (message level -> error type -> message -> ids), empty when the files pass;
    KGX also prints it as JSON on standard error. KGX's spelling check rejects the model's own
    categories with an acronym (see kgx_false_positives), so a graph with miRNA or RNA nodes
    always has those errors.
    Raises OutputError when kgx is not installed; ArgumentError for a folder that is not a path.
    """
    from exo_rdf.arguments import as_path

    folder = as_path(folder, "folder")
    toolkit = biolink_toolkit()
    with _offline_biolink():
        try:
            import kgx.config
            import kgx.utils.kgx_utils
            from kgx.cli.cli_utils import validate
        except ModuleNotFoundError:
            raise OutputError("validating KGX files needs kgx: pip install kgx") from None
        kgx.config.jsonld_context_map["biolink"] = biolink_prefix_map() | extra_prefixes()
        kgx.utils.kgx_utils._toolkit_versions[toolkit.get_model_version()] = toolkit
        inputs = [str(folder / NODE_FILE), str(folder / EDGE_FILE)]
        return validate(inputs, "tsv", None, None, biolink_release=toolkit.get_model_version())

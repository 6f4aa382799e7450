"""Generate the import modules: one Turtle file per external ontology with exactly the terms used.

Each module declares the external terms that the ontology, data, shapes and queries use, with their
upstream labels and synonyms, and, for GO, CL, MONDO and ECO classes, their is_a chain up to the root,
so that a reasoner and ``rdfs:subClassOf*`` see the hierarchy. GO part_of parents are kept apart,
as ``exo:upstreamPartOf`` annotations. The UBERON parent table mixes is_a with part_of without
saying which (blood plasma has both haemolymphatic fluid and blood among its parents), so UBERON
parents become ``exo:upstreamIsAOrPartOf`` annotations, never subClassOf: a query can walk
``exo:upstreamIsAOrPartOf*`` from a fluid to its broader anatomy, a reasoner sees no UBERON axioms.
Obsolete terms are never written; a source that uses one is reported by ``check-terms``.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curies import PREFIX_MAP
from exo_rdf.errors import TermTableError
from exo_rdf.files import write_atomic
from exo_rdf.sources import SourceFile, discover, parse_quads, project_root

OBO = "http://purl.obolibrary.org/obo/"
HGNC = "https://identifiers.org/hgnc:"
MIRBASE = "https://identifiers.org/mirbase.mature:"
CELLOSAURUS = "https://www.cellosaurus.org/"
UNIPROT = "http://purl.uniprot.org/uniprot/"

#: module name -> (table file, hierarchy source or None)
MODULES = {
    "go": ("go.tsv", "go_parents.tsv"),
    "cl": ("cl.tsv", "cl_ancestors.tsv"),
    "uberon": ("uberon.tsv", "uberon_ancestors.tsv"),
    "mondo": ("mondo.tsv", "mondo_ancestors.tsv"),
    "chebi": ("chebi.tsv", None),
    "ro": ("ro.tsv", None),
    "hgnc": ("hgnc.tsv", None),
    "mirbase": ("mirbase.tsv", None),
    "cellosaurus": ("cellosaurus.tsv", None),
    "eco": ("eco.tsv", "eco_parents.tsv"),
}
#: modules whose parent table does not tell is_a from part_of
MIXED_PARENTS = {"uberon"}
_OBO_MODULE = {"GO": "go", "CL": "cl", "UBERON": "uberon", "MONDO": "mondo", "CHEBI": "chebi", "RO": "ro", "BFO": "ro", "ECO": "eco"}
_IRI_IN_TEXT = re.compile(r"<(https?://[^>\s]+)>|\bobo:([A-Z]+_\d+)")


@dataclass
class Term:
    """One row of a term table: label, synonyms, obsolete flag, and extra columns (HGNC)."""

    id: str
    label: str
    synonyms: list[str]
    obsolete: bool
    extra: dict = field(default_factory=dict)


def module_of(iri: str) -> tuple[str, str] | None:
    """(module name, table id) for an external IRI exo-rdf knows, else None."""
    if iri.startswith(OBO):
        local = iri[len(OBO):]
        prefix, _, number = local.partition("_")
        if prefix in _OBO_MODULE and number.isdigit():
            return _OBO_MODULE[prefix], f"{prefix}:{number}"
    elif iri.startswith(HGNC):
        return "hgnc", "HGNC:" + iri[len(HGNC):]
    elif iri.startswith(MIRBASE):
        return "mirbase", "mirbase.mature:" + iri[len(MIRBASE):]
    elif iri.startswith(CELLOSAURUS):
        return "cellosaurus", "cellosaurus:" + iri[len(CELLOSAURUS):]
    return None


def iri_of(module: str, table_id: str) -> str:
    """The IRI exo-rdf uses for a table id of a module."""
    if module == "hgnc":
        return HGNC + table_id.split(":", 1)[1]
    if module == "mirbase":
        return MIRBASE + table_id.split(":", 1)[1]
    if module == "cellosaurus":
        return CELLOSAURUS + table_id.split(":", 1)[1]
    return OBO + table_id.replace(":", "_", 1)


def used_iris(root: Path | None = None) -> set[str]:
    """Every external IRI named in the own sources (ontology, data, shapes) and the stored queries."""
    root = root or project_root()
    found: set[str] = set()
    for source in discover(root, ("ontology", "data", "shapes")):
        for quad in parse_quads(source):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode) and module_of(term.value):
                    found.add(term.value)
    for rq in sorted((root / "queries").rglob("*.rq")):
        for full, obo_local in _IRI_IN_TEXT.findall(rq.read_text(encoding="utf-8")):
            iri = full or OBO + obo_local
            if module_of(iri):
                found.add(iri)
    return found


def read_table(path: Path) -> dict[str, Term]:
    """Read one term table (id, label, synonyms, obsolete; or HGNC's columns).

    Raises TermTableError when the file is missing or lacks an id column.
    """
    if not path.is_file():
        raise TermTableError(f"{path}: term table not found; pass --terms DIR with the *.tsv tables")
    rows: dict[str, Term] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        if not reader.fieldnames:
            raise TermTableError(f"{path}: empty table")
        id_col = reader.fieldnames[0]
        for r in reader:
            if "symbol" in r:  # HGNC
                syn = [s for s in (r.get("alias_symbols") or "").split("|") if s]
                rows[r[id_col]] = Term(r[id_col], r["symbol"], syn, r.get("status") != "Approved", extra=r)
            else:
                syn = [s for s in (r.get("synonyms") or "").split("|") if s]
                label = r.get("label") or r.get("name") or ""
                rows[r[id_col]] = Term(r[id_col], label, syn, (r.get("obsolete") or "").lower() == "true")
    return rows


def read_parents(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """id -> (is_a parents, part_of parents) from go_parents.tsv or a *_ancestors.tsv table."""
    out = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            is_a = r.get("is_a") if "is_a" in r else r.get("parents")
            split = lambda v: [x for x in (v or "").split("|") if x]  # noqa: E731
            out[r["id"]] = (split(is_a), split(r.get("part_of")))
    return out


def _lit(text: str) -> str:
    return str(ox.Literal(text))


# the prefixes of the modules, from the project's one map
HEADER = "".join(f"@prefix {p + ':':<10}<{PREFIX_MAP[p]}> .\n" for p in ("exo", "obo", "oboInOwl", "owl", "rdfs", "skos", "dcterms")) + """
# GENERATED by `exo-rdf imports refresh` from the term tables; do not edit by hand.

<https://w3id.org/exo-rdf/ontology/imports/{name}> a owl:Ontology ;
    dcterms:title "exo-rdf import module: {name}" ;
    rdfs:comment "The {name} terms that exo-rdf uses, with upstream labels{extra}." .

oboInOwl:hasSynonym a owl:AnnotationProperty .
exo:upstreamPartOf a owl:AnnotationProperty ;
    rdfs:label "upstream part of" ;
    rdfs:comment "A part_of parent upstream, kept apart from is_a." .
{mixed_declaration}"""
MIXED_DECLARATION = """exo:upstreamIsAOrPartOf a owl:AnnotationProperty ;
    rdfs:label "upstream is_a or part_of parent" ;
    rdfs:comment "A parent upstream by is_a or by part_of, where the parent table does not say which." .
"""


def render_module(name: str, ids: set[str], tables: Path) -> str:
    """The Turtle text of one import module holding ids and, for GO/CL/MONDO, their ancestors.

    Raises TermTableError when a table is missing.
    """
    table_file, hierarchy_file = MODULES[name]
    table = read_table(tables / table_file)
    parents = read_parents(tables / hierarchy_file) if hierarchy_file else {}
    wanted = {i for i in ids if i in table and not table[i].obsolete}
    queue = list(wanted)
    while queue:  # close upwards over is_a and part_of parents that are live
        for p in sum(parents.get(queue.pop(), ([], [])), []):
            if p in table and not table[p].obsolete and p not in wanted:
                wanted.add(p)
                queue.append(p)
    mixed = name in MIXED_PARENTS
    extra = (" and their is_a or part_of ancestors" if mixed else " and their is_a ancestors") if hierarchy_file else ""
    blocks = [HEADER.format(name=name, extra=extra, mixed_declaration=MIXED_DECLARATION if mixed else "")]
    for tid in sorted(wanted):
        term = table[tid]
        iri = f"<{iri_of(name, tid)}>"
        lines = []
        if name == "ro":
            lines.append(f"{iri} a owl:ObjectProperty")
        elif name == "hgnc":
            lines.append(f"{iri} a owl:NamedIndividual , exo:HumanGene")
            lines.append(f"    exo:hgncSymbol {_lit(term.label)}")
            lines += [f"    exo:uniprot <{UNIPROT}{acc}>" for acc in sorted(filter(None, term.extra.get("uniprot_ids", "").split("|")))]
        elif name == "mirbase":
            lines.append(f"{iri} a owl:NamedIndividual , exo:MatureMicroRNA")
        elif name == "cellosaurus":
            lines.append(f"{iri} a owl:NamedIndividual , exo:CellLine")
        else:
            lines.append(f"{iri} a owl:Class")
        lines.append(f"    rdfs:label {_lit(term.label)}")
        syn_prop = "skos:altLabel" if name in ("hgnc", "mirbase") else "oboInOwl:hasSynonym"
        lines += [f"    {syn_prop} {_lit(s)}" for s in sorted(set(term.synonyms)) if s != term.label]
        is_a, part_of = parents.get(tid, ([], []))
        if mixed:
            is_a, mixed_parents = [], is_a
            lines += [f"    exo:upstreamIsAOrPartOf <{iri_of(name, p)}>" for p in sorted(mixed_parents) if p in wanted]
        lines += [f"    rdfs:subClassOf <{iri_of(name, p)}>" for p in sorted(is_a) if p in wanted]
        lines += [f"    exo:upstreamPartOf <{iri_of(name, p)}>" for p in sorted(part_of) if p in wanted]
        blocks.append(" ;\n".join(lines) + " .\n")
    return "\n".join(blocks)


def render_all(tables: Path, root: Path | None = None) -> dict[str, str]:
    """Module name -> Turtle text for every module, from the IRIs the sources use."""
    by_module: dict[str, set[str]] = {name: set() for name in MODULES}
    for iri in used_iris(root):
        module, tid = module_of(iri)
        by_module[module].add(tid)
    return {name: render_module(name, ids, tables) for name, ids in by_module.items()}


def refresh(tables: Path | str, root: Path | str | None = None, *, out: Path | str | None = None) -> list[Path]:
    """Regenerate the import modules from the term tables into out (default: ontology/imports of
    a source checkout); return the files written.

    All modules are rendered before any is written, so a failure leaves the old modules in place.
    Raises TermTableError when a table is missing, SourceError when a source does not parse,
    OutputError when out is not given for an installed package (whose files are never written)
    or cannot be written; ArgumentError for paths of the wrong type.
    """
    from exo_rdf.arguments import as_path, as_root
    from exo_rdf.errors import OutputError
    from exo_rdf.files import inside_package

    tables = as_path(tables, "tables")
    root = as_root(root) or project_root()
    folder = as_path(out, "out") if out is not None else root / "ontology" / "imports"
    if inside_package(folder):
        raise OutputError(f"{folder}: inside the installed package, which is never written; give --out DIR")
    rendered = render_all(tables, root)
    written = []
    for name, text in rendered.items():
        path = folder / f"{name}.ttl"
        try:
            write_atomic(path, text)
        except OSError as exc:
            from exo_rdf.sources import os_reason

            raise OutputError(f"{path}: cannot write ({os_reason(exc)}); choose a folder you can write to with --out") from None
        written.append(path)
    return written


def default_tables() -> Path:
    """The term tables: ``EXO_RDF_TERMS``, or ``../shared/ontology-terms`` beside a source checkout.

    Raises TermTableError saying how to give them when neither is there.
    """
    env = os.environ.get("EXO_RDF_TERMS")
    if env:
        return Path(env)
    beside = project_root().parent / "shared" / "ontology-terms"
    from exo_rdf.files import inside_package

    if beside.is_dir() and not inside_package(beside):
        return beside
    raise TermTableError("no term tables found: give the folder of id/label tables (go.tsv, cl.tsv, mondo.tsv, ...) "
                         "with --terms DIR or the EXO_RDF_TERMS environment variable")


__all__ = ["refresh", "render_all", "used_iris", "default_tables", "SourceFile"]

"""Release artefacts: base and full releases, RDF/XML for Protégé, JSON-LD, quads, docs page.

Everything is written atomically and deterministically (sorted statements, canonical blank
nodes, no timestamps), so building twice gives byte-identical files.

| file | holds |
|---|---|
| exo-rdf-base.ttl | the own axioms only (ontology/*.ttl) |
| exo-rdf-full.ttl, .owl, .jsonld | ontology, import modules, all data, and the class hierarchy HermiT infers |
| exo-rdf.nq, exo-rdf.trig | the same with one named graph per source file, inferences in their own graph |
| exo-rdf-queries.ttl | the stored-query catalogue |
| exo-rdf.sssom.tsv | the SSSOM mapping set |
| index.html | a documentation page of the ontology with a diagram of the vesicle classes |
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import OutputError
from exo_rdf.curies import PREFIX_MAP as PREFIXES
from exo_rdf.files import write_atomic
from exo_rdf.sources import GRAPH_BASE, discover, load_dataset, project_root

INFERRED_GRAPH = GRAPH_BASE + "inferred"
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
EXO = "https://w3id.org/exo-rdf/ontology/"


def _canonical(quads) -> ox.Dataset:
    dataset = ox.Dataset()
    for q in quads:
        dataset.add(q)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def _triples(dataset: ox.Dataset) -> list[ox.Triple]:
    return sorted({ox.Triple(q.subject, q.predicate, q.object) for q in dataset}, key=str)


def _serialize(items, fmt: ox.RdfFormat, prefixes: bool = True) -> bytes:
    return ox.serialize(items, format=fmt, **({"prefixes": PREFIXES} if prefixes else {}))


def _jsonld(triples: list[ox.Triple]) -> bytes:
    """JSON-LD with an @context of the project's prefixes, IRIs compacted to CURIEs where possible."""
    expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))

    def compact(iri: str) -> str:
        for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(base) and ":" not in iri[len(base):]:
                return f"{prefix}:{iri[len(base):]}"
        return iri

    def walk(node):
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in ("@id", "@type"):
                    out[key] = [compact(v) for v in value] if isinstance(value, list) else compact(value)
                elif key.startswith("@"):
                    out[key] = value
                else:
                    out[compact(key)] = walk(value)
            return out
        return node

    graph = sorted(walk(expanded), key=lambda n: n.get("@id", ""))
    return (json.dumps({"@context": _context(), "@graph": graph}, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def _context() -> dict:
    # JSON-LD 1.1 uses a term as a prefix only when its IRI ends in a delimiter (':', '/', '#'...) or it says "@prefix"
    return {p: u if u[-1] in ":/?#[]@" else {"@id": u, "@prefix": True} for p, u in sorted(PREFIXES.items())}


def _docs(dataset: ox.Dataset, inferred: list[tuple[str, str]]) -> str:
    """The documentation page: own classes and properties with labels and definitions, and a diagram."""
    def values(subject, predicate):
        return sorted(q.object.value for q in dataset.quads_for_subject(ox.NamedNode(subject)) if q.predicate.value == predicate)

    kinds = {}
    for q in dataset:
        if q.predicate.value.endswith("#type") and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(EXO):
            kinds.setdefault(q.object.value.rsplit("#", 1)[-1], set()).add(q.subject.value)
    sections = []
    for kind, title in (("Class", "Classes"), ("ObjectProperty", "Object properties"), ("DatatypeProperty", "Datatype properties")):
        rows = []
        for iri in sorted(kinds.get(kind, ())):
            label = ", ".join(values(iri, RDFS + "label"))
            definition = " ".join(values(iri, SKOS + "definition"))
            parents = ", ".join(p.rsplit("/", 1)[-1] for p in values(iri, RDFS + "subClassOf")) if kind == "Class" else ""
            rows.append(f"<tr id=\"{html.escape(iri.rsplit('/', 1)[-1])}\"><td><code>exo:{html.escape(iri.rsplit('/', 1)[-1])}</code></td>"
                        f"<td>{html.escape(label)}</td><td>{html.escape(parents)}</td><td>{html.escape(definition)}</td></tr>")
        sections.append(f"<h2>{title}</h2>\n<table><tr><th>term</th><th>label</th><th>superclasses</th><th>definition</th></tr>\n"
                        + "\n".join(rows) + "\n</table>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>exo-rdf ontology</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em;vertical-align:top}}</style>
</head><body>
<h1>exo-rdf: extracellular vesicles in cancer</h1>
<p>Own classes and properties of the exo-rdf ontology (namespace <code>{EXO}</code>), with their
definitions. External terms are reused by their OBO, HGNC, miRBase and Cellosaurus IRIs.</p>
<h2>Main vesicle classes</h2>
{_diagram(inferred)}
{chr(10).join(sections)}
</body></html>
"""


def _diagram(inferred: list[tuple[str, str]]) -> str:
    """An SVG tree of the vesicle classes, GO's and the own ones placed by HermiT."""
    boxes = [
        ("extracellular vesicle (GO:1903561)", 0), ("extracellular exosome (GO:0070062)", 1),
        ("exo:TumourDerivedExosome", 2), ("exo:ImmuneCellDerivedExosome", 2), ("exo:DendriticCellDerivedExosome", 3),
        ("apoptotic body (GO:0097189)", 1), ("exo:ApoptoticExosome", 1), ("microvesicle (GO:1990742)", 1), ("exo:Oncosome", 2),
    ]
    rows = []
    for i, (label, depth) in enumerate(boxes):
        x, y = 10 + depth * 40, 10 + i * 34
        rows.append(f'<rect x="{x}" y="{y}" width="300" height="26" rx="4" fill="#eef" stroke="#447"/>'
                    f'<text x="{x + 8}" y="{y + 17}" font-size="13">{html.escape(label)}</text>')
        if depth:
            rows.append(f'<line x1="{x - 20}" y1="{y + 13}" x2="{x}" y2="{y + 13}" stroke="#447"/>')
    height = 20 + len(boxes) * 34
    note = "" if not inferred else f"<p>{len(inferred)} subclass links are inferred by HermiT (e.g. DEX under IEX).</p>"
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="{height}">{"".join(rows)}</svg>\n{note}'


def build(out: Path, *, root: Path | None = None, progress: bool | None = None) -> list[Path]:
    """Write every release artefact into folder out; return the files written.

    progress: a progress bar of the stages on stderr (True, False, or None: on a terminal).

    Raises OutputError when out cannot be created, SourceError for a bad source, ReasonerError
    when HermiT cannot run.
    """
    from exo_rdf.mappings import sssom_text
    from exo_rdf.reason import reason

    root = root or project_root()
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror})") from None
    from exo_rdf.progress import Progress

    report = reason(root=root, progress=progress)
    bar = Progress("build: reason, load, serialise, write", 4, enabled=progress)
    bar.set(1)
    inferred = [ox.Quad(ox.NamedNode(s), SUBCLASS_OF, ox.NamedNode(o), ox.NamedNode(INFERRED_GRAPH))
                for s, o in report.inferred_subclass_of]
    base = _canonical(load_dataset(discover(root, ("ontology",))))
    full = _canonical(list(load_dataset(discover(root, ("ontology", "imports", "data")))) + inferred)
    everything = _canonical(list(load_dataset(discover(root))) + inferred)
    full_triples = _triples(full)
    bar.set(2)
    files = {
        "exo-rdf-base.ttl": _serialize(_triples(base), ox.RdfFormat.TURTLE),
        "exo-rdf-full.ttl": _serialize(full_triples, ox.RdfFormat.TURTLE),
        "exo-rdf-full.owl": _serialize(full_triples, ox.RdfFormat.RDF_XML),
        "exo-rdf-full.jsonld": _jsonld(full_triples),
        "exo-rdf.nq": _serialize(sorted(everything, key=str), ox.RdfFormat.N_QUADS, prefixes=False),
        "exo-rdf.trig": _serialize(sorted(everything, key=str), ox.RdfFormat.TRIG),
        "exo-rdf-queries.ttl": (root / "queries" / "catalogue.ttl").read_bytes(),
        "exo-rdf.sssom.tsv": sssom_text(root).encode(),
        "index.html": _docs(full, report.inferred_subclass_of).encode(),
    }
    bar.set(3)
    written = []
    for name, data in files.items():
        write_atomic(out / name, data)
        written.append(out / name)
    bar.finish()
    return written

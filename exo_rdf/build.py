"""OBO-style release artefacts: full and base ontology releases, OBO Graphs JSON, data, quads, docs page.

Everything is written deterministically (sorted statements, canonical blank nodes, the date
given, no timestamps), so building twice gives byte-identical files, and into a temporary folder
that takes the output folder's place as a whole.

| file | holds |
|---|---|
| exo-rdf.owl, exo-rdf.ttl | the full release: own axioms, import modules merged, the class hierarchy HermiT infers |
| exo-rdf-base.owl | the base release: the own axioms only, no import |
| exo-rdf.json | the full release as OBO Graphs JSON (exo_rdf.obographs) |
| exo-rdf-data.ttl | the data (findings, reviews, tables), apart from the ontology |
| exo-rdf.nq, exo-rdf.trig | ontology, data and inferences with one named graph per source file |
| exo-rdf-queries.ttl | the stored-query catalogue |
| exo-rdf.sssom.tsv | the SSSOM mapping set |
| index.html | pyLODE's documentation page of the ontology, with a diagram of the vesicle classes (exo_rdf.docs_page) |
| release-notes.md, .tsv | what changed since the previous release (exo_rdf.diff), when there is one |

Each ontology file has exactly one ``owl:Ontology``: ``https://w3id.org/exo-rdf/exo-rdf.owl`` (or
``exo-rdf-base.owl``) with the version IRI ``https://w3id.org/exo-rdf/releases/DATE/exo-rdf.owl``;
the headers of the sources and import modules and their ``owl:imports`` are dropped.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import ArgumentError, OutputError
from exo_rdf.curies import PREFIX_MAP as PREFIXES
from exo_rdf.sources import GRAPH_BASE, discover, load_dataset, project_root

INFERRED_GRAPH = GRAPH_BASE + "inferred"
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
EXO = "https://w3id.org/exo-rdf/ontology/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RELEASE_BASE = "https://w3id.org/exo-rdf/"
FULL, BASE = "exo-rdf.owl", "exo-rdf-base.owl"
NOTES = ("release-notes.md", "release-notes.tsv")
#: every file build writes (release notes only when there is a previous release)
ARTEFACTS = ("exo-rdf.owl", "exo-rdf.ttl", "exo-rdf-base.owl", "exo-rdf.json", "exo-rdf-data.ttl", "exo-rdf.nq",
             "exo-rdf.trig", "exo-rdf-queries.ttl", "exo-rdf.sssom.tsv", "index.html")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def ontology_iri(name: str = FULL) -> str:
    """The ontology IRI of a release file (exo-rdf.owl or exo-rdf-base.owl)."""
    return RELEASE_BASE + name


def version_iri(date: str, name: str = FULL) -> str:
    """The OBO-pattern version IRI of a release file of the given date (YYYY-MM-DD)."""
    return f"{RELEASE_BASE}releases/{date}/{name}"


def _headerless(quads) -> list[ox.Quad]:
    """The quads without any ontology header (of the sources or import modules) and without owl:imports."""
    quads = list(quads)
    headers = {q.subject for q in quads if q.predicate == RDF_TYPE and q.object.value == OWL + "Ontology"}
    return [q for q in quads if q.subject not in headers and q.predicate.value != OWL + "imports"]


def _header(sources: ox.Dataset, name: str, date: str, graph=None) -> list[ox.Quad]:
    """The one ontology header of a release file: the annotations of the sources' header, the release IRIs."""
    graph = graph or ox.DefaultGraph()
    own = ox.NamedNode(EXO[:-1])
    skip = {RDF_TYPE.value, OWL + "imports", OWL + "versionIRI", OWL + "versionInfo"}
    iri = ox.NamedNode(ontology_iri(name))
    quads = [ox.Quad(iri, q.predicate, q.object, graph) for q in sources.quads_for_subject(own) if q.predicate.value not in skip]
    return quads + [ox.Quad(iri, RDF_TYPE, ox.NamedNode(OWL + "Ontology"), graph),
                    ox.Quad(iri, ox.NamedNode(OWL + "versionIRI"), ox.NamedNode(version_iri(date, name)), graph),
                    ox.Quad(iri, ox.NamedNode(OWL + "versionInfo"), ox.Literal(date), graph)]


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


def check_date(date: str) -> str:
    """date itself when it is a calendar date written YYYY-MM-DD.

    Raises ArgumentError otherwise.
    """
    import datetime

    try:
        if _DATE.fullmatch(date or "") and datetime.date.fromisoformat(date):
            return date
    except ValueError:
        pass
    raise ArgumentError(f"--date {date!r}: give the release date as YYYY-MM-DD, e.g. 2026-11-24")


def release_files(*, root: Path | None = None, date: str, progress: bool | None = None) -> dict[str, bytes]:
    """Every release artefact (file name -> bytes), without release notes; see the module docstring.

    Raises ArgumentError for a bad date, SourceError for a bad source, ReasonerError when HermiT cannot run.
    """
    from exo_rdf.docs_page import docs_page
    from exo_rdf.mappings import sssom_text
    from exo_rdf.obographs import obograph_json
    from exo_rdf.progress import Progress
    from exo_rdf.reason import reason

    date = check_date(date)
    root = root or project_root()
    # The release holds classes, not data: HermiT classifies ontology and import modules only.
    report = reason(root=root, kinds=("ontology", "imports"), progress=progress)
    bar = Progress("build: reason, load, serialise", 3, enabled=progress)
    bar.set(1)
    own = load_dataset(discover(root, ("ontology",)))
    modules = load_dataset(discover(root, ("imports",)))
    data = load_dataset(discover(root, ("data",)))
    inferred = [ox.Quad(ox.NamedNode(s), SUBCLASS_OF, ox.NamedNode(o), ox.NamedNode(INFERRED_GRAPH))
                for s, o in report.inferred_subclass_of]
    base = _canonical(_headerless(own) + _header(own, BASE, date))
    full = _canonical(_headerless(list(own) + list(modules)) + inferred + _header(own, FULL, date))
    # the release header goes into the graph of the file that holds the sources' header
    own_graph = min((q.graph_name.value for q in own.quads_for_subject(ox.NamedNode(EXO[:-1]))),
                    default=GRAPH_BASE + "ontology/exo-rdf")
    quads = _canonical(_headerless(list(own) + list(modules) + list(data)) + inferred
                       + _header(own, FULL, date, ox.NamedNode(own_graph)))
    full_triples, quad_list = _triples(full), sorted(quads, key=str)
    bar.set(2)
    files = {
        "exo-rdf.owl": _serialize(full_triples, ox.RdfFormat.RDF_XML),
        "exo-rdf.ttl": _serialize(full_triples, ox.RdfFormat.TURTLE),
        "exo-rdf-base.owl": _serialize(_triples(base), ox.RdfFormat.RDF_XML),
        "exo-rdf.json": obograph_json(full_triples, ontology_iri(FULL), version_iri(date, FULL)),
        "exo-rdf-data.ttl": _serialize(_triples(_canonical(data)), ox.RdfFormat.TURTLE),
        "exo-rdf.nq": _serialize(quad_list, ox.RdfFormat.N_QUADS, prefixes=False),
        "exo-rdf.trig": _serialize(quad_list, ox.RdfFormat.TRIG),
        "exo-rdf-queries.ttl": (root / "queries" / "catalogue.ttl").read_bytes(),
        "exo-rdf.sssom.tsv": sssom_text(root).encode(),
        "index.html": docs_page(full_triples, PREFIXES).encode(),
    }
    bar.finish()
    return files


def release_date(folder: Path) -> str | None:
    """The owl:versionInfo of the release in folder (its exo-rdf.owl), or None when there is none."""
    try:
        triples = ox.parse(path=str(folder / FULL), format=ox.RdfFormat.RDF_XML)
        return next((t.object.value for t in triples if t.subject.value == ontology_iri(FULL)
                     and t.predicate.value == OWL + "versionInfo"), None)
    except (OSError, SyntaxError):
        return None


def latest_release_beside(out: Path, date: str) -> Path | None:
    """The release folder beside out (a sibling holding exo-rdf.owl) of the latest date before date, or None."""
    siblings = [p for p in out.parent.iterdir() if p.is_dir() and p.resolve() != out.resolve()] if out.parent.is_dir() else []
    dated = [(release_date(p), p.name, p) for p in siblings if (p / FULL).is_file()]
    earlier = sorted((d, name, p) for d, name, p in dated if d and d < date)
    return earlier[-1][2] if earlier else None


def build(out: Path, *, root: Path | None = None, date: str | None = None, previous: Path | None = None,
          progress: bool | None = None) -> list[Path]:
    """Write every release artefact as the folder out (replaced as a whole); return the files written.

    date: the release date, YYYY-MM-DD (default today, UTC). previous: a former release folder;
    without it, the release out holds, else the latest earlier release beside out (a sibling
    folder, as in releases/2026-11-01, releases/2026-11-24). With a previous release, the
    semantic diff against it is written as release-notes.md and release-notes.tsv.
    progress: a progress bar of the stages on stderr (True, False, or None: on a terminal).

    Raises OutputError when out is a file, holds files other than release artefacts, or cannot be
    written (nothing changed then); ArgumentError for a bad date; SourceError for a bad source;
    ReasonerError when HermiT cannot run.
    """
    import datetime

    from exo_rdf.files import write_folder_atomic

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: not a folder; build writes its files into the folder --out")
    others = sorted(p.name for p in out.iterdir() if p.name not in ARTEFACTS + NOTES) if out.is_dir() else []
    if others:  # the folder is replaced as a whole: never take a user's other files with it
        raise OutputError(f"{out}: holds other files ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''});"
                          " give a new or empty folder, or a former release, as --out")
    if previous is not None and not (Path(previous) / FULL).is_file():
        raise OutputError(f"{previous}: no {FULL} here; --previous names the folder of a former release")
    date = check_date(date or datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    if previous is None:
        previous = out if (out / FULL).is_file() else latest_release_beside(out, date)
    files = release_files(root=root, date=date, progress=progress)
    if previous is not None:
        from exo_rdf.diff import diff_releases

        report = diff_releases(Path(previous), files)
        files["release-notes.md"] = report.markdown().encode()
        files["release-notes.tsv"] = report.tsv().encode()
    return write_folder_atomic(out, files)

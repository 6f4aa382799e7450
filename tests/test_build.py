"""exo-rdf build writes an OBO-style release, deterministically, with one ontology header per file.

The release is built once per module (one HermiT run); the rebuilds reuse that classification,
and the full release is checked by HermiT once more.
"""
from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from exo_rdf.cli import main
from exo_rdf.docs_page import docs_page as DOCS_PAGE  # the real one: the releases fixture replaces it for later builds
from exo_rdf.reason import reason as REASON
from exo_rdf.sources import project_root

EXO = "https://w3id.org/exo-rdf/ontology/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DATE = "2026-11-24"
NAMES = ["exo-rdf-base.owl", "exo-rdf-data.ttl", "exo-rdf-queries.ttl", "exo-rdf.json", "exo-rdf.nq", "exo-rdf.owl",
         "exo-rdf.sssom.tsv", "exo-rdf.trig", "exo-rdf.ttl", "index.html"]
FORMATS = {".owl": ox.RdfFormat.RDF_XML, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
DEX_UNDER_IEX = (f"<{EXO}DendriticCellDerivedExosome> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                 f"<{EXO}ImmuneCellDerivedExosome>")


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Two builds of the same date into a and b (the second reusing the first HermiT classification).

    Builds made by the tests that use the fixture reuse that classification and a's documentation page.
    """
    import exo_rdf.docs_page
    import exo_rdf.reason

    tmp = tmp_path_factory.mktemp("release")
    real, reports = exo_rdf.reason.reason, []
    sources = tmp / "sources"  # a frozen copy: both builds read the same sources, whatever changes meanwhile
    for folder in ("ontology", "data", "queries", "mappings"):
        shutil.copytree(project_root() / folder, sources / folder)

    def once(**kwargs):
        if not reports:
            reports.append(real(**kwargs))
        return reports[0]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(exo_rdf.reason, "reason", once)
        mp.setenv("EXO_RDF_ROOT", str(sources))
        assert main(["build", "--out", str(tmp / "a"), "--date", DATE]) == 0
        assert main(["build", "--out", str(tmp / "b"), "--date", DATE]) == 0
        # later builds test release notes, not the page: they reuse a's page instead of running pyLODE again
        page = (tmp / "a" / "index.html").read_text(encoding="utf-8")
        mp.setattr(exo_rdf.docs_page, "docs_page", lambda triples, prefixes: page)
        yield tmp / "a", tmp / "b", mp


def _triples(path):
    return list(ox.parse(path=str(path), format=FORMATS[path.suffix]))


def test_build_twice_gives_identical_release(releases):
    a, b, _ = releases
    assert sorted(p.name for p in a.iterdir()) == NAMES
    for name in NAMES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("name, iri, count", [
    ("exo-rdf.owl", "https://w3id.org/exo-rdf/exo-rdf.owl", 1), ("exo-rdf.ttl", "https://w3id.org/exo-rdf/exo-rdf.owl", 1),
    ("exo-rdf-base.owl", "https://w3id.org/exo-rdf/exo-rdf-base.owl", 1), ("exo-rdf.nq", "https://w3id.org/exo-rdf/exo-rdf.owl", 1),
    ("exo-rdf.trig", "https://w3id.org/exo-rdf/exo-rdf.owl", 1), ("exo-rdf-data.ttl", None, 0)])
def test_each_rdf_artefact_has_one_ontology_header(releases, name, iri, count):
    a = releases[0]
    headers = [t.subject.value for t in _triples(a / name) if t.predicate == RDF_TYPE and t.object.value == OWL + "Ontology"]
    assert headers == ([iri] * count)
    imports = [t for t in _triples(a / name) if t.predicate.value == OWL + "imports"]
    assert imports == []  # the modules are merged (full) or left out (base)


@pytest.mark.parametrize("name, iri", [("exo-rdf.owl", "https://w3id.org/exo-rdf/exo-rdf.owl"),
                                       ("exo-rdf-base.owl", "https://w3id.org/exo-rdf/exo-rdf-base.owl"),
                                       ("exo-rdf.ttl", "https://w3id.org/exo-rdf/exo-rdf.owl"),
                                       ("exo-rdf.nq", "https://w3id.org/exo-rdf/exo-rdf.owl"),
                                       ("exo-rdf.trig", "https://w3id.org/exo-rdf/exo-rdf.owl")])
def test_owl_tools_see_one_ontology_with_the_release_iris(releases, name, iri, tmp_path):
    import owlready2

    a = releases[0]
    version = f"https://w3id.org/exo-rdf/releases/{DATE}/{iri.rsplit('/', 1)[1]}"
    path = a / name
    if name.endswith(".ttl"):  # owlready2 and horned-owl read no Turtle: the same triples as N-Triples / RDF/XML
        assert {str(t) for t in _triples(path) if not isinstance(t.subject, ox.BlankNode)} == \
               {str(t) for t in _triples(a / "exo-rdf.owl") if not isinstance(t.subject, ox.BlankNode)}
    if not name.endswith(".owl"):  # nor quads: the triples of every graph, as N-Triples
        path = tmp_path / "release.nt"
        triples = {ox.Triple(t.subject, t.predicate, t.object) for t in _triples(a / name)}
        ox.serialize(sorted(triples, key=str), str(path), format=ox.RdfFormat.N_TRIPLES)
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load(format="ntriples" if path.suffix == ".nt" else "rdfxml")
    assert onto.base_iri == iri + "#"
    assert {o.base_iri for o in world.ontologies.values()} - {"http://anonymous/"} == {iri + "#"}
    assert list(world.sparql(f"SELECT ?v {{ <{iri}> <{OWL}versionIRI> ?v }}")) == [[version]]
    assert list(world.sparql(f"SELECT ?v {{ <{iri}> <{OWL}versionInfo> ?v }}")) == [[DATE]]
    if name.endswith(".owl"):
        pyhornedowl = pytest.importorskip("pyhornedowl", reason="py-horned-owl is in the test extra")
        horned = pyhornedowl.open_ontology_from_file(str(path))
        assert (str(horned.get_iri()), str(horned.get_version_iri())) == (iri, version)
        assert f"{EXO}TumourDerivedExosome" in horned.get_classes()


def test_full_release_holds_the_inferred_hierarchy_and_base_only_own_axioms(releases):
    a = releases[0]
    full = {f"{t.subject} {t.predicate} {t.object}" for t in _triples(a / "exo-rdf.ttl")}
    base = {f"{t.subject} {t.predicate} {t.object}" for t in _triples(a / "exo-rdf-base.owl")}
    assert DEX_UNDER_IEX in full and DEX_UNDER_IEX not in base  # inferred by HermiT, in the full release only
    go_label = '<http://purl.obolibrary.org/obo/GO_0070062> <http://www.w3.org/2000/01/rdf-schema#label> "extracellular exosome"'
    assert go_label in full and go_label not in base  # the import module is merged into the full release only
    findings = [t for t in _triples(a / "exo-rdf.ttl") if t.subject.value.startswith("https://w3id.org/exo-rdf/data/finding-")]
    assert findings == []  # data are apart, in exo-rdf-data.ttl
    graphs = {q.graph_name.value for q in ox.parse(path=str(a / "exo-rdf.nq"), format=ox.RdfFormat.N_QUADS)}
    assert "https://w3id.org/exo-rdf/graph/inferred" in graphs
    # the QC checks pass on the release and its data, not only on the sources
    from exo_rdf.qc import run_checks

    release = ox.Store()
    release.load(path=str(a / "exo-rdf.ttl"), format=ox.RdfFormat.TURTLE)
    release.load(path=str(a / "exo-rdf-data.ttl"), format=ox.RdfFormat.TURTLE)
    assert [p for p in run_checks(release) if p.level == "ERROR"] == []


def test_docs_page_is_pylodes_with_one_title_the_own_classes_and_the_diagram(releases):
    import html5lib

    page = (releases[0] / "index.html").read_text()
    tree = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    assert [t.text for t in tree.iter("title")] == ["exo-rdf: extracellular vesicles in cancer"]
    assert [" ".join(h.itertext()).strip() for h in tree.iter("h1")] == ["exo-rdf: extracellular vesicles in cancer"]
    sections = {e.get("id"): e for e in tree.iter("div") if e.get("id")}
    tex = " ".join(" ".join(sections["tumour-derivedexosome"].itertext()).split())
    assert tex.startswith("tumour-derived exosome c IRI https://w3id.org/exo-rdf/ontology/TumourDerivedExosome "
                          "Description An extracellular exosome that derives from a malignant cell. "
                          "Sub Class Of extracellular exosome ")
    # the equivalent class, its members in the order of their text whatever order pyLODE meets them in
    assert tex.endswith("Equivalentclass derives from some malignant cell c and extracellular exosome c")
    # only own terms are documented; GO's are links with their labels
    assert "extracellularexosome" not in sections and 'href="http://purl.obolibrary.org/obo/GO_0070062"' in page
    svg = [e for e in sections["diagram"].iter() if e.tag.endswith("svg")]
    assert len(svg) == 1 and "exo:TumourDerivedExosome" in list(svg[0].itertext())
    assert page.index('id="metadata"') < page.index('id="diagram"') < page.index('id="classes"')
    toc = [a.get("href") for h4 in sections["toc"].iter("h4") for a in h4.iter("a")]
    assert toc[:3] == ["#metadata", "#diagram", "#classes"] and toc.count("#diagram") == 1


def test_pylode_leaves_the_logging_set_up_as_it_was():
    import subprocess
    import sys

    code = ("import logging; from exo_rdf.docs_page import _pylode; _pylode(); "
            "import pylode.profiles.supermodel.loader; r = logging.getLogger(); print(r.handlers, r.level)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (done.stdout, done.stderr) == ("[] 30\n", "")


def test_hermit_finds_the_full_release_consistent_and_complete(releases, tmp_path):
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "release.ttl").write_bytes((releases[0] / "exo-rdf.ttl").read_bytes())
    report = REASON(root=tmp_path, kinds=("ontology",))  # the real one, not the fixture's cached classification
    assert report.ok, report.message
    assert report.inferred_subclass_of == []  # every subclass link HermiT infers is in the release already


def test_obographs_json_has_the_class_and_its_is_a_edge(releases):
    doc = json.loads((releases[0] / "exo-rdf.json").read_text())
    (graph,) = doc["graphs"]
    assert graph["id"] == "https://w3id.org/exo-rdf/exo-rdf.owl"
    assert graph["meta"]["version"] == f"https://w3id.org/exo-rdf/releases/{DATE}/exo-rdf.owl"
    nodes = {n["id"]: n for n in graph["nodes"]}
    tex = nodes[EXO + "TumourDerivedExosome"]
    assert (tex["type"], tex["lbl"]) == ("CLASS", "tumour-derived exosome")
    assert tex["meta"]["definition"] == {"val": "An extracellular exosome that derives from a malignant cell."}
    assert {"pred": "hasRelatedSynonym", "val": "TEX"} in tex["meta"]["synonyms"]
    assert {"sub": EXO + "TumourDerivedExosome", "pred": "is_a", "obj": "http://purl.obolibrary.org/obo/GO_0070062"} in graph["edges"]
    assert {"sub": EXO + "DendriticCellDerivedExosome", "pred": "is_a", "obj": EXO + "ImmuneCellDerivedExosome"} in graph["edges"]
    assert nodes["http://purl.obolibrary.org/obo/RO_0002558"]["propertyType"] in ("OBJECT", "ANNOTATION")
    # the documented shape: every node has an id and a known type, every edge sub, pred and obj
    assert {n["type"] for n in graph["nodes"]} <= {"CLASS", "PROPERTY", "INDIVIDUAL"}
    assert all(set(e) == {"sub", "pred", "obj"} for e in graph["edges"])
    assert set(graph) == {"id", "meta", "nodes", "edges", "logicalDefinitionAxioms", "domainRangeAxioms", "propertyChainAxioms"}


def test_catalog_lists_exactly_the_import_modules_and_each_resolves():
    folder = project_root() / "ontology"
    ns = {"c": "urn:oasis:names:tc:entity:xmlns:xml:catalog"}
    entries = {e.get("name"): e.get("uri") for e in ET.parse(folder / "catalog-v001.xml").getroot().findall("c:uri", ns)}
    modules = {}
    for path in sorted((folder / "imports").glob("*.ttl")):
        (iri,) = [t.subject.value for t in _triples(path) if t.predicate == RDF_TYPE and t.object.value == OWL + "Ontology"]
        modules[iri] = f"imports/{path.name}"
    assert entries == modules and len(modules) == 10
    imports = {t.object.value for t in _triples(folder / "exo-rdf.ttl") if t.predicate.value == OWL + "imports"}
    assert imports == set(entries)  # the edit source imports every module, each resolved by the catalogue


def test_rebuild_writes_release_notes_against_the_previous_release(releases, tmp_path):
    a, b = releases[0], releases[1]
    previous = tmp_path / "previous"  # release a, with one finding fewer and one class labelled otherwise
    previous.mkdir()
    for name in NAMES:
        (previous / name).write_bytes((a / name).read_bytes())
    finding = ox.NamedNode("https://w3id.org/exo-rdf/data/finding-tex-tumour-growth-01")
    data = [t for t in _triples(a / "exo-rdf-data.ttl") if t.subject != finding]
    (previous / "exo-rdf-data.ttl").write_bytes(ox.serialize(data, format=ox.RdfFormat.TURTLE))
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    tex = ox.NamedNode(EXO + "TumourDerivedExosome")
    ontology = [ox.Triple(t.subject, t.predicate, ox.Literal("tumor exosome")) if (t.subject, t.predicate) == (tex, label) else t
                for t in _triples(a / "exo-rdf.ttl")]
    (previous / "exo-rdf.ttl").write_bytes(ox.serialize(ontology, format=ox.RdfFormat.TURTLE))
    assert main(["build", "--out", str(b), "--date", "2026-11-25", "--previous", str(previous)]) == 0
    rows = (b / "release-notes.tsv").read_text().splitlines()
    assert rows[0] == "category\tchange\tkind\tsection\tid\tproperty\told\tnew"
    assert [r for r in rows if "tumour-growth-01\t" in r or "TumourDerivedExosome\t" in r] == [
        "finding\tadded\texo:CargoEffectFinding\texod:section-tex-tumour-growth\texod:finding-tex-tumour-growth-01\t\t\t",
        "term\trelabelled\towl:Class\t\texo:TumourDerivedExosome\trdfs:label\ttumor exosome\ttumour-derived exosome"]
    notes = (b / "release-notes.md").read_text()
    assert notes.startswith("# Changes from https://w3id.org/exo-rdf/releases/2026-11-24/exo-rdf.owl to "
                            "https://w3id.org/exo-rdf/releases/2026-11-25/exo-rdf.owl\n\n## Findings: ")
    assert "#### exod:section-tex-tumour-growth\n\n- added exod:finding-tex-tumour-growth-01\n" in notes
    assert "- relabelled exo:TumourDerivedExosome (owl:Class): tumor exosome → tumour-derived exosome\n" in notes


def test_build_refuses_bad_date_and_foreign_folder(tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path / "r"), "--date", "24.11.2026"]) == 2
    assert "--date '24.11.2026': give the release date as YYYY-MM-DD" in capsys.readouterr().err
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert main(["build", "--out", str(tmp_path / "mine"), "--date", DATE]) == 2
    assert "holds other files (notes.txt)" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_build_finds_the_latest_earlier_release_beside_out(releases, tmp_path):
    a = releases[0]
    shutil.copytree(a, tmp_path / "2026-11-30")  # of 2026-11-24 whatever its folder's name says
    older = tmp_path / "older"
    older.mkdir()
    owl = (a / "exo-rdf.owl").read_text().replace(DATE, "2026-11-01")
    (older / "exo-rdf.owl").write_text(owl)
    assert main(["build", "--out", str(tmp_path / "new"), "--date", "2026-11-02"]) == 0
    assert (tmp_path / "new" / "release-notes.md").read_text().startswith(
        "# Changes from https://w3id.org/exo-rdf/releases/2026-11-01/exo-rdf.owl to "
        "https://w3id.org/exo-rdf/releases/2026-11-02/exo-rdf.owl\n")
    assert main(["build", "--out", str(tmp_path / "first"), "--date", "2026-10-01"]) == 0
    assert not (tmp_path / "first" / "release-notes.md").exists()  # nothing earlier beside it


def test_pylode_refusing_the_ontology_or_its_cache_is_an_output_error(monkeypatch):
    import pylode

    from exo_rdf.errors import OutputError

    with pytest.raises(OutputError, match=r"^pyLODE could not document the release: You MUST supply a title"):
        DOCS_PAGE([ox.Triple(ox.NamedNode("https://w3id.org/exo-rdf/exo-rdf.owl"), RDF_TYPE, ox.NamedNode(OWL + "Ontology"))],
                  {})  # an ontology header without a title

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/site-packages/pylode/rdf/refs.pickle")

    monkeypatch.setattr(pylode, "OntPub", refuse)
    with pytest.raises(OutputError, match=r"^pyLODE could not write its cache \(\[Errno 13\] Permission denied: "
                                          r"'/site-packages/pylode/rdf/refs.pickle'\); run build once where"):
        DOCS_PAGE([], {})

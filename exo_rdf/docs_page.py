"""The documentation page of a release (index.html): pyLODE's page of the ontology, with a diagram of the vesicle classes.

pyLODE (its OntPub profile) documents the release's ontology header (title, description, licence,
version IRI) and every own class and property: label, definition, superclasses and subclasses,
equivalent-class expressions, domains and ranges, with a table of contents and the namespaces. It
is given the release's own statements (subjects in the project's namespace and the blank nodes of
their axioms) and the labels of every other term, so that links to GO, CL, MONDO, ... read as
their labels without the import modules being documented term by term.

Two things are added to pyLODE's page. pyLODE lists the members of an intersection or a union in
the order of a Python set of HTML elements, which changes from one run to the next; they are put
in the order of their text, so that the same release gives the same bytes. And the diagram of the
vesicle classes (an inline SVG) comes after the metadata, as its own section, listed in the table
of contents.
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pyoxigraph as ox

from exo_rdf.errors import OutputError

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: the project's namespace: the ontology header and own terms
PROJECT = "https://w3id.org/exo-rdf/"
#: the words pyLODE puts between the members of an intersection, a union or a list
_JOINTS = {"and", "or", ","}
DIAGRAM_TITLE = "Main vesicle classes"
#: where the diagram goes: before pyLODE's section of the classes
_CLASSES_SECTION = '<div class="section" id="classes">'


def page_triples(triples) -> list[ox.Triple]:
    """What pyLODE is given of a release: own statements, blank nodes, and the label of every term."""
    return [t for t in triples if isinstance(t.subject, ox.BlankNode) or t.subject.value.startswith(PROJECT)
            or t.predicate.value == RDFS_LABEL]


def docs_page(triples, prefixes: dict[str, str]) -> str:
    """The documentation page of a release, from its triples (the full release), as HTML text.

    prefixes: the prefix map the page lists and abbreviates IRIs with.
    Raises OutputError when pyLODE is not installed, refuses the ontology (e.g. no title), cannot
    write its cache of background ontologies, or writes a page without its section of classes.
    """
    import rdflib

    OntPub, PylodeError = _pylode()
    graph = rdflib.Graph()
    turtle = ox.serialize(page_triples(triples), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    graph.parse(data=turtle, format="turtle")
    try:
        text = OntPub(ontology=graph, sort_subjects=True).make_html()
    except PylodeError as e:
        raise OutputError(f"pyLODE could not document the release: {e}") from None
    except OSError as e:  # pyLODE caches its background ontologies in its own folder on first use
        raise OutputError(f"pyLODE could not write its cache ({e}); run build once where pyLODE's folder is writable") from None
    if text.count(_CLASSES_SECTION) != 1:
        raise OutputError("pyLODE wrote a page without one section of classes: no place for the diagram")
    section = f'<div class="section" id="diagram"><h2>{DIAGRAM_TITLE}</h2>{diagram()}</div>\n'
    return _ordered(text.replace(_CLASSES_SECTION, section + _CLASSES_SECTION))


def _pylode():
    """pyLODE's OntPub and PylodeError, imported without the logging set-up pyLODE does on import.

    One of pyLODE's modules calls logging.basicConfig(level=DEBUG) when imported, which would
    print every later log record of every library on standard error; the root logger's handlers
    and level are put back as they were. Raises OutputError when pyLODE is not installed.
    """
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        from pylode import OntPub
        from pylode.utils import PylodeError
    except ModuleNotFoundError:
        raise OutputError("the documentation page needs pyLODE: pip install 'pylode>=3.3.4,<3.4'") from None
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return OntPub, PylodeError


def _ordered(text: str) -> str:
    """The page with the members of every intersection, union or list in the order of their text,
    and the diagram in the table of contents after the metadata."""
    import html5lib

    tree = html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)
    for toc in tree.iter("ul"):
        for i, item in enumerate(list(toc)):
            link = item.find("h4/a")
            if link is not None and link.get("href") == "#metadata":
                entry = ET.Element("li")
                ET.SubElement(ET.SubElement(entry, "h4"), "a", href="#diagram").text = DIAGRAM_TITLE
                entry.tail = item.tail
                toc.insert(i + 1, entry)
    for parent in tree.iter():
        kids = list(parent)
        joints = kids[1::2]
        if len(kids) < 3 or len(kids) % 2 == 0 or not all(
                k.tag == "span" and k.get("class") == "cardinality" and (k.text or "").strip() in _JOINTS for k in joints):
            continue
        tails = [k.tail for k in kids]
        members = sorted(kids[0::2], key=lambda e: (" ".join("".join(e.itertext()).split()), _markup(e)))
        parent[:] = [k for pair in zip(members, joints + [None]) for k in pair if k is not None]
        for kid, tail in zip(parent, tails):
            kid.tail = tail
    return "<!DOCTYPE html>\n" + html5lib.serialize(tree, tree="etree", omit_optional_tags=False, quote_attr_values="always")


def _markup(element) -> str:
    """An element's markup without its tail (the text after it, which stays in place)."""
    tail, element.tail = element.tail, None
    try:
        return ET.tostring(element, encoding="unicode")
    finally:
        element.tail = tail


def diagram() -> str:
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
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="{height}" role="img" '
            f'aria-label="The vesicle classes: GO\'s and exo-rdf\'s">{"".join(rows)}</svg>')

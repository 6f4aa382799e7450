"""The full release as OBO Graphs JSON (https://github.com/geneontology/obographs), as ROBOT writes it.

One graph: its id is the ontology IRI, its meta holds the version IRI and the header's annotations.
Nodes are the named classes (type CLASS), properties (PROPERTY, with propertyType OBJECT, DATA or
ANNOTATION) and individuals (INDIVIDUAL), each with lbl and meta (definition, synonyms,
deprecated, other annotations as basicPropertyValues). Edges are ``is_a`` (subClassOf between named
classes), ``subPropertyOf``, and, for a subclass axiom on an existential restriction
(``C subClassOf P some D``), an edge C -P-> D, as ROBOT's converter writes them. No Python package
maintained for OBO Graphs converts RDF (the ``obographs`` package is an object model only), so the
documented structure is written here; keys and lists are sorted so the file is byte-stable.
"""
from __future__ import annotations

import json

import pyoxigraph as ox

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
DEFINITIONS = (SKOS + "definition", "http://purl.obolibrary.org/obo/IAO_0000115")
#: annotation property -> OBO Graphs synonym predicate; hasSynonym and altLabel do not say how
#: close the synonym is, so they become the weakest kind, related
SYNONYMS = {OBO_IN_OWL + "hasExactSynonym": "hasExactSynonym", OBO_IN_OWL + "hasNarrowSynonym": "hasNarrowSynonym",
            OBO_IN_OWL + "hasBroadSynonym": "hasBroadSynonym", OBO_IN_OWL + "hasRelatedSynonym": "hasRelatedSynonym",
            OBO_IN_OWL + "hasSynonym": "hasRelatedSynonym", SKOS + "altLabel": "hasRelatedSynonym"}
KINDS = {OWL + "Class": ("CLASS", None), OWL + "ObjectProperty": ("PROPERTY", "OBJECT"),
         OWL + "DatatypeProperty": ("PROPERTY", "DATA"), OWL + "AnnotationProperty": ("PROPERTY", "ANNOTATION"),
         OWL + "NamedIndividual": ("INDIVIDUAL", None)}
_STRUCTURAL = {RDF_TYPE, RDFS + "label", RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "deprecated"}


def _value(term) -> str:
    return term.value


def obograph(triples: list[ox.Triple], ontology_iri: str, version_iri: str) -> dict:
    """The OBO Graphs document (a dict) of the triples of one ontology."""
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    nodes, edges = [], set()
    for subject, ts in by_subject.items():
        if not isinstance(subject, ox.NamedNode):
            continue
        kinds = sorted(KINDS[t.object.value] for t in ts if t.predicate.value == RDF_TYPE and t.object.value in KINDS)
        if not kinds or subject.value == ontology_iri:
            continue
        node = {"id": subject.value, "type": kinds[0][0]}
        if kinds[0][1]:
            node["propertyType"] = kinds[0][1]
        labels = sorted(t.object.value for t in ts if t.predicate.value == RDFS + "label" and isinstance(t.object, ox.Literal))
        if labels:
            node["lbl"] = labels[0]
        meta = _meta(ts)
        if meta:
            node["meta"] = meta
        nodes.append(node)
        for t in ts:
            if t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode):
                edges.add((subject.value, "is_a", t.object.value))
            elif t.predicate.value == RDFS + "subPropertyOf" and isinstance(t.object, ox.NamedNode):
                edges.add((subject.value, "subPropertyOf", t.object.value))
            elif t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.BlankNode):
                restriction = {r.predicate.value: r.object for r in by_subject.get(t.object, ())}
                prop, filler = restriction.get(OWL + "onProperty"), restriction.get(OWL + "someValuesFrom")
                if isinstance(prop, ox.NamedNode) and isinstance(filler, ox.NamedNode):
                    edges.add((subject.value, prop.value, filler.value))
    header = by_subject.get(ox.NamedNode(ontology_iri), [])
    graph_meta = {"version": version_iri}
    values = sorted({(t.predicate.value, _value(t.object)) for t in header
                     if t.predicate.value not in (RDF_TYPE, OWL + "versionIRI")})
    if values:
        graph_meta["basicPropertyValues"] = [{"pred": p, "val": v} for p, v in values]
    return {"graphs": [{
        "id": ontology_iri, "meta": graph_meta,
        "nodes": sorted(nodes, key=lambda n: n["id"]),
        "edges": [{"sub": s, "pred": p, "obj": o} for s, p, o in sorted(edges)],
        "logicalDefinitionAxioms": [], "domainRangeAxioms": [], "propertyChainAxioms": [],
    }]}


def _meta(ts: list[ox.Triple]) -> dict:
    meta: dict = {}
    definitions = sorted(t.object.value for t in ts if t.predicate.value in DEFINITIONS)
    if definitions:
        meta["definition"] = {"val": definitions[0]}
    synonyms = sorted({(SYNONYMS[t.predicate.value], t.object.value) for t in ts if t.predicate.value in SYNONYMS})
    if synonyms:
        meta["synonyms"] = [{"pred": p, "val": v} for p, v in synonyms]
    if any(t.predicate.value == OWL + "deprecated" and t.object.value == "true" for t in ts):
        meta["deprecated"] = True
    others = sorted({(t.predicate.value, _value(t.object)) for t in ts
                     if t.predicate.value not in _STRUCTURAL and t.predicate.value not in DEFINITIONS
                     and t.predicate.value not in SYNONYMS and not isinstance(t.object, ox.BlankNode)})
    if others:
        meta["basicPropertyValues"] = [{"pred": p, "val": v} for p, v in others]
    return meta


def obograph_json(triples: list[ox.Triple], ontology_iri: str, version_iri: str) -> bytes:
    """The OBO Graphs JSON text of the triples of one ontology, as UTF-8 bytes (byte-stable)."""
    doc = obograph(triples, ontology_iri, version_iri)
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()

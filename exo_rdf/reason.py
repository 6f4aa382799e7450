"""Stage 4: OWL reasoning with HermiT (through owlready2) over ontology, import modules and data.

The input is never changed: inferred subclass links are returned apart, for a separate graph.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from exo_rdf.errors import ReasonerError
from exo_rdf.sources import discover, load_dataset, project_root

OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NOTHING = OWL + "Nothing"
#: the IRI of the ontology `reason --out` writes
HIERARCHY_IRI = "https://w3id.org/exo-rdf/ontology/inferred-hierarchy"


@dataclass
class ReasoningReport:
    """Whether the ontology and data are consistent, the unsatisfiable classes, and inferred subclass links."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclass_of: list[tuple[str, str]] = field(default_factory=list)
    message: str = ""
    #: every subclass link between named classes after reasoning (asserted and inferred), and class labels
    subclass_of: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when consistent and no class is unsatisfiable."""
        return self.consistent and not self.unsatisfiable

    def hierarchy(self, fmt: str = "ttl") -> bytes:
        """The inferred class hierarchy as an ontology: each class with its label and its subclass links.

        fmt is "ttl" (Turtle) or "owl" (RDF/XML, for Protégé). Asserted and inferred links alike: the
        hierarchy as a reasoner-aware tool shows it.
        Raises ReasonerError for an unknown format.
        """
        import pyoxigraph as ox

        from exo_rdf.curies import prefixes_for

        formats = {"ttl": ox.RdfFormat.TURTLE, "owl": ox.RdfFormat.RDF_XML}
        if fmt not in formats:
            raise ReasonerError(f"unknown hierarchy format '{fmt}'; choose ttl or owl")
        rdf_type, owl_class = ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Class")
        ontology = ox.NamedNode(HIERARCHY_IRI)
        triples = [ox.Triple(ontology, rdf_type, ox.NamedNode(OWL + "Ontology"))]
        classes = sorted({c for pair in self.subclass_of for c in pair})
        for c in classes:
            triples.append(ox.Triple(ox.NamedNode(c), rdf_type, owl_class))
            if c in self.labels:
                triples.append(ox.Triple(ox.NamedNode(c), ox.NamedNode(RDFS + "label"), ox.Literal(self.labels[c])))
        for sub, sup in sorted(self.subclass_of):
            triples.append(ox.Triple(ox.NamedNode(sub), ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(sup)))
        triples.sort(key=lambda t: (t.subject != ontology, t.subject.value, t.predicate.value, str(t.object)))
        iris = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object) if isinstance(t, ox.NamedNode)}
        return ox.serialize(triples, format=formats[fmt], prefixes=prefixes_for(iris))


def java_executable() -> str:
    """The java command owlready2 will use.

    Raises ReasonerError saying how to install Java when none is found.
    """
    import owlready2

    java = owlready2.JAVA_EXE
    if os.environ.get("JAVA_HOME") and not shutil.which(java):
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    if not shutil.which(java):
        raise ReasonerError(
            "Java was not found: HermiT needs a Java runtime (11 or newer). Install one "
            "(e.g. 'apt-get install default-jre-headless') or set JAVA_HOME."
        )
    return java


def reason(*, root: Path | None = None, kinds: tuple[str, ...] = ("ontology", "imports", "data"),
           progress: bool | None = False) -> ReasoningReport:
    """Classify the merged sources with HermiT and report consistency and unsatisfiable classes.

    progress: a progress bar of the stages on stderr (True, False, or None: on a terminal).

    Raises ReasonerError when Java is missing or HermiT fails for another reason than inconsistency;
    SourceError when a source does not parse.
    """
    import owlready2
    import pyoxigraph as ox

    from exo_rdf.progress import Progress

    owlready2.JAVA_EXE = java_executable()
    bar = Progress("reason: read, load, HermiT, collect", 4, enabled=progress)
    dataset = load_dataset(discover(root or project_root(), kinds))
    bar.set(1)
    with tempfile.TemporaryDirectory(prefix="exo-rdf-reason-") as tmp:
        merged = Path(tmp) / "merged.nt"
        # Named graphs are flattened: OWL sees one ontology made of every source. The owl:imports
        # are dropped: their modules are merged already, and owlready2 would fetch them from the web.
        ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in dataset if q.predicate.value != OWL + "imports"],
                     str(merged), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(merged.as_uri()).load(format="ntriples")
        asserted = _subclass_pairs(world)
        bar.set(2)
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            bar.finish()
            return ReasoningReport(False, message="The ontology and data are inconsistent: no model satisfies all axioms.")
        except (owlready2.OwlReadyJavaError, OSError) as exc:
            raise ReasonerError(f"HermiT failed: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}") from None
        bar.set(3)
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c.iri != OWL_NOTHING)
        after = _subclass_pairs(world)
        inferred = sorted(after - asserted)
    labels = {q.subject.value: q.object.value for q in dataset.quads_for_predicate(ox.NamedNode(RDFS + "label"))
              if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)}
    bar.finish()
    msg = "Consistent; no unsatisfiable classes." if not unsat else f"Consistent, but {len(unsat)} unsatisfiable class(es)."
    return ReasoningReport(True, unsat, inferred, msg, sorted(after), labels)


def _subclass_pairs(world) -> set[tuple[str, str]]:
    pairs = set()
    for cls in world.classes():
        for parent in cls.is_a:
            iri = getattr(parent, "iri", None)
            if iri and iri != "http://www.w3.org/2002/07/owl#Thing":
                pairs.add((cls.iri, iri))
    return pairs

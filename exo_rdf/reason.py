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

OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


@dataclass
class ReasoningReport:
    """Whether the ontology and data are consistent, the unsatisfiable classes, and inferred subclass links."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclass_of: list[tuple[str, str]] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when consistent and no class is unsatisfiable."""
        return self.consistent and not self.unsatisfiable


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


def reason(*, root: Path | None = None, kinds: tuple[str, ...] = ("ontology", "imports", "data")) -> ReasoningReport:
    """Classify the merged sources with HermiT and report consistency and unsatisfiable classes.

    Raises ReasonerError when Java is missing or HermiT fails for another reason than inconsistency;
    SourceError when a source does not parse.
    """
    import owlready2
    import pyoxigraph as ox

    owlready2.JAVA_EXE = java_executable()
    dataset = load_dataset(discover(root or project_root(), kinds))
    with tempfile.TemporaryDirectory(prefix="exo-rdf-reason-") as tmp:
        merged = Path(tmp) / "merged.nt"
        # Named graphs are flattened: OWL sees one ontology made of every source.
        ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in dataset], str(merged), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(merged.as_uri()).load(format="ntriples")
        asserted = _subclass_pairs(world)
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return ReasoningReport(False, message="The ontology and data are inconsistent: no model satisfies all axioms.")
        except (owlready2.OwlReadyJavaError, OSError) as exc:
            raise ReasonerError(f"HermiT failed: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc}") from None
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c.iri != OWL_NOTHING)
        inferred = sorted(_subclass_pairs(world) - asserted)
    msg = "Consistent; no unsatisfiable classes." if not unsat else f"Consistent, but {len(unsat)} unsatisfiable class(es)."
    return ReasoningReport(True, unsat, inferred, msg)


def _subclass_pairs(world) -> set[tuple[str, str]]:
    pairs = set()
    for cls in world.classes():
        for parent in cls.is_a:
            iri = getattr(parent, "iri", None)
            if iri and iri != "http://www.w3.org/2002/07/owl#Thing":
                pairs.add((cls.iri, iri))
    return pairs

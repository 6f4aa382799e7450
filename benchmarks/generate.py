"""Generate synthetic curation sets shaped exactly like exo-rdf's own findings, with seeded errors.

Each set is N-Triples: findings of the kinds exo-rdf curates (Table 2 biomarkers, cargo effects,
exosome markers, quantities, cell death), pointing at the bundled reviews, sections, proteins and
external terms, so that it validates together with the bundled ontology, imports and entities.
A known fraction of findings carries exactly one seeded error of a kind the shapes catch; the
manifest lists each with its focus node, path and constraint component.

    python benchmarks/generate.py --triples 100000 --out benchmarks/data/100k.nt
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

EXO = "https://w3id.org/exo-rdf/ontology/"
EXOD = "https://w3id.org/exo-rdf/data/"
OBO = "http://purl.obolibrary.org/obo/"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

SECTIONS = {  # review -> sections the synthetic findings cite
    "review-protein": ["section-protein-angiogenesis", "section-protein-immune-evasion", "section-protein-metastasis", "section-protein-table-2"],
    "review-tex": ["section-tex-tumour-growth", "section-tex-immune-escape", "section-tex-angiogenesis-metastasis"],
}
HIGHEST_REFERENCE = {"review-protein": 280, "review-tex": 105}
PROTEINS = ["CD274", "CD63", "CD9", "CD81", "TSG101", "PDCD6IP", "GPC1", "MET", "EDIL3", "MUC16", "CAV1", "EGFR", "LRP1", "AHSG"]
CANCERS = ["MONDO_0007254", "MONDO_0009831", "MONDO_0005575", "MONDO_0007256", "MONDO_0005105", "MONDO_0018177", "MONDO_0008170"]
FLUIDS = ["UBERON_0001977", "UBERON_0001969", "UBERON_0001088"]
CELLS = ["CL_0000235", "CL_0000451", "CL_0000623", "CL_0000057", "CL_0000115"]
PROCESSES = [EXO + "ImmuneEvasion", EXO + "M2MacrophagePolarisation", EXO + "PreMetastaticNicheFormation", OBO + "GO_0001525"]
DIRECTIONS = ["promotes", "inhibits", "increases", "decreases"]
DEATH_FORMS = ["GO_0006915", "GO_0070266", "GO_0097707", "GO_0070269"]

#: seeded error -> (finding kind it applies to, path IRI or None / "(complex path)", component)
ERRORS = {
    "sensitivity-above-one": ("biomarker", EXO + "sensitivityMax", "MaxInclusiveConstraintComponent"),
    "specificity-min-above-max": ("biomarker", EXO + "specificityMin", "LessThanOrEqualsConstraintComponent"),
    "cancer-not-mondo": ("biomarker", EXO + "cancer", "PatternConstraintComponent"),
    "missing-statement": ("effect", EXO + "statement", "MinCountConstraintComponent"),
    "reference-as-string": ("effect", EXO + "citesReference", "DatatypeConstraintComponent"),
    "no-references": ("effect", None, "OrConstraintComponent"),
    "cargo-not-a-molecule": ("effect", EXO + "cargo", "ClassConstraintComponent"),
    "effect-direction-unknown": ("effect", EXO + "effectDirection", "InConstraintComponent"),
    "recipient-not-a-cell-type": ("effect", EXO + "recipientCellType", "NodeConstraintComponent"),
    "section-of-other-review": ("effect", "(complex path)", "EqualsConstraintComponent"),
    "percentage-over-100": ("quantity", EXO + "percentage", "MaxInclusiveConstraintComponent"),
}


def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"^^<{XSD}{datatype}>" if datatype else "")


def provenance(rng, f, review, error):
    sec_review = "review-tex" if error == "section-of-other-review" and review == "review-protein" else (
        "review-protein" if error == "section-of-other-review" else review)
    out = [(f, EXO + "statedIn", iri(EXOD + review)), (f, EXO + "inSection", iri(EXOD + rng.choice(SECTIONS[sec_review])))]
    out += [(f, PROV + "wasDerivedFrom", iri(EXOD + review)), (f, OBO + "RO_0002558", iri(OBO + "ECO_0000304"))]
    if error != "missing-statement":
        statement = lit(f"Synthetic statement {f.rsplit('-', 1)[-1]}.")
        out += [(f, EXO + "statement", statement), (f, PROV + "value", statement)]
    if error == "reference-as-string":
        out.append((f, EXO + "citesReference", lit(str(rng.randint(1, HIGHEST_REFERENCE[review])))))
    elif error != "no-references":
        for ref in sorted(rng.sample(range(1, HIGHEST_REFERENCE[review] + 1), 2)):
            out.append((f, EXO + "citesReference", lit(str(ref), "integer")))
    return out


def biomarker(rng, f, error):
    sens = round(rng.uniform(0.5, 1.0), 3)
    spec_min, spec_max = sorted(round(rng.uniform(0.5, 1.0), 3) for _ in range(2))
    if error == "specificity-min-above-max" and spec_min == spec_max:
        spec_max = round(spec_min - 0.05, 3)
    elif error == "specificity-min-above-max":
        spec_min, spec_max = spec_max, spec_min
    protein = rng.choice(PROTEINS)
    out = provenance(rng, f, "review-protein", error) + [
        (f, RDF_TYPE, iri(EXO + "BiomarkerFinding")),
        (f, EXO + "marker", iri(EXOD + "protein-" + protein)),
        (f, EXO + "markerAsPrinted", lit(protein)),
        (f, EXO + "cancer", iri(OBO + ("UBERON_0001969" if error == "cancer-not-mondo" else rng.choice(CANCERS)))),
        (f, EXO + "cancerAsPrinted", lit("synthetic cancer")),
        (f, EXO + "fluid", iri(OBO + rng.choice(FLUIDS))),
        (f, EXO + "fluidAsPrinted", lit("Serum")),
        (f, EXO + "sensitivityMin", lit(str(sens), "decimal")),
        (f, EXO + "sensitivityMax", lit(str(sens * 100 if error == "sensitivity-above-one" else sens), "decimal")),
        (f, EXO + "specificityMin", lit(str(spec_min), "decimal")),
        (f, EXO + "specificityMax", lit(str(spec_max), "decimal")),
    ]
    return out


def effect(rng, f, error):
    review = rng.choice(list(SECTIONS))
    cargo = iri("https://identifiers.org/hgnc:17635") if error == "cargo-not-a-molecule" else iri(EXOD + "protein-" + rng.choice(PROTEINS))
    recipient = OBO + (rng.choice(CANCERS) if error == "recipient-not-a-cell-type" else rng.choice(CELLS))
    direction = EXOD + "boosts" if error == "effect-direction-unknown" else EXO + rng.choice(DIRECTIONS)
    return provenance(rng, f, review, error) + [
        (f, RDF_TYPE, iri(EXO + "CargoEffectFinding")),
        (f, EXO + "producerCancer", iri(OBO + rng.choice(CANCERS))),
        (f, EXO + "cargo", cargo),
        (f, EXO + "cargoAsPrinted", lit("synthetic cargo")),
        (f, EXO + "recipientCellType", iri(recipient)),
        (f, EXO + "affectsProcess", iri(rng.choice(PROCESSES))),
        (f, EXO + "effectDirection", iri(direction)),
    ]


def quantity(rng, f, error):
    return provenance(rng, f, "review-protein", error) + [
        (f, RDF_TYPE, iri(EXO + "QuantityFinding")),
        (f, EXO + "quantityOf", lit("synthetic studies")),
        (f, EXO + "count", lit(str(rng.randint(1, 5000)) + ".0", "decimal")),
        (f, EXO + "percentage", lit(str(150.0 if error == "percentage-over-100" else round(rng.uniform(0, 100), 2)), "decimal")),
    ]


def cell_death(rng, f, error):
    return provenance(rng, f, "review-protein", error) + [
        (f, RDF_TYPE, iri(EXO + "CellDeathFinding")),
        (f, EXO + "cellDeathForm", iri(OBO + rng.choice(DEATH_FORMS))),
        (f, EXO + "cargo", iri(EXOD + "protein-" + rng.choice(PROTEINS))),
        (f, EXO + "effectDirection", iri(EXO + rng.choice(DIRECTIONS))),
    ]


KINDS = [("biomarker", biomarker, 0.3), ("effect", effect, 0.45), ("quantity", quantity, 0.1), ("cell-death", cell_death, 0.15)]


def generate(triples: int, out: Path, *, seed: int = 20261123, error_rate: float = 0.01) -> dict:
    """Write about `triples` triples of synthetic findings to out (N-Triples); return the manifest.

    The manifest maps each seeded error to the (focus, path, component) the shapes must report.
    """
    rng = random.Random(seed)
    errors_by_kind: dict[str, list[str]] = {}
    for name, (kind, _, _) in ERRORS.items():
        errors_by_kind.setdefault(kind, []).append(name)
    seeded = []
    written = 0
    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        while written < triples:
            n += 1
            kind, make, _ = rng.choices(KINDS, weights=[w for *_, w in KINDS])[0]
            f = f"{EXOD}finding-synthetic-{n:08d}"
            error = None
            if kind in errors_by_kind and rng.random() < error_rate:
                error = rng.choice(errors_by_kind[kind])
                _, path, component = ERRORS[error]
                seeded.append({"focus": f, "path": path, "component": SH + component, "error": error})
            for s, p, o in make(rng, f, error):
                fh.write(f"<{s}> <{p}> {o} .\n")
                written += 1
    tmp.replace(out)
    manifest = {"triples": written, "findings": n, "seed": seed, "error_rate": error_rate, "seeded": seeded}
    out.with_suffix(".manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--error-rate", type=float, default=0.01)
    args = ap.parse_args()
    m = generate(args.triples, args.out, seed=args.seed, error_rate=args.error_rate)
    print(f"wrote {m['triples']} triples, {m['findings']} findings, {len(m['seeded'])} seeded errors to {args.out}")


if __name__ == "__main__":
    main()

"""Synthetic cargo-effect template rows for the curation benchmark, seeded and deterministic.

    python benchmarks/generate_curation.py N EXO_TSV LINKML_TSV [--seed 15]

Every cell is a value the bundled cargo-effect findings use (their sources, sections, vesicle
types, cargo, cancers, cell types and lines, processes and directions), written as a CURIE, so
that a valid row is valid for exo-rdf (names resolved, shapes) and for the LinkML schema alike:
LinkML cannot resolve names, so both sides get identifiers in term cells. One row in
``SPOIL_EVERY`` (chosen by the seeded generator) carries one mistake that both pipelines must
reject, the kinds in turn: a missing statement, a malformed DOI, a malformed PMID, a reference
number out of range (0) and a direction outside the enumeration.

The same rows are written twice: for exo-rdf as its template (``exo_rdf.curation.columns``
headers) and for LinkML with the schema's slot names as headers.
"""
from __future__ import annotations

import argparse
import functools
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXO = "https://w3id.org/exo-rdf/ontology/"
PROV = "http://www.w3.org/ns/prov#"
#: LinkML slot -> property of the bundled findings its values are drawn from
DRAWN_FROM = {
    "ev_type": EXO + "evType", "cargo": EXO + "cargo", "producer_cancer": EXO + "producerCancer",
    "producer_cell_type": EXO + "producerCellType", "producer_cell_line": EXO + "producerCellLine",
    "recipient_cell_type": EXO + "recipientCellType", "recipient_cell_line": EXO + "recipientCellLine",
    "affects_process": EXO + "affectsProcess", "effect_direction": EXO + "effectDirection",
}
#: LinkML slot -> the kind of term its exo-rdf column takes (exo_rdf.curation.kinds.KINDS)
KIND = {"ev_type": "vesicle", "cargo": "molecule", "producer_cancer": "cancer", "producer_cell_type": "cell type",
        "producer_cell_line": "cell line", "recipient_cell_type": "cell type", "recipient_cell_line": "cell line",
        "affects_process": "process", "effect_direction": "direction"}
#: LinkML slot -> exo-rdf template header (exo_rdf/curation/columns.py, kind cargo-effect)
HEADERS = {
    "finding": "finding", "source": "source", "section": "section", "references": "references",
    "statement": "statement", "ev_type": "ev type", "cargo": "cargo", "cargo_as_printed": "cargo as printed",
    "producer_cancer": "producer cancer", "producer_cell_type": "producer cell type",
    "producer_cell_line": "producer cell line", "recipient_cell_type": "recipient cell type",
    "recipient_cell_line": "recipient cell line", "affects_process": "process",
    "process_as_printed": "process as printed", "effect_direction": "direction",
}
SLOTS = list(HEADERS)
#: the spreadsheet row number of the first data row of the exo-rdf template (the header is row 1)
FIRST_DATA_ROW = 2
SPOIL_EVERY = 20
MISTAKES = ("missing statement", "malformed DOI", "malformed PMID", "reference out of range", "bad direction")


@functools.lru_cache(maxsize=2)
def pools(root: Path = ROOT) -> dict:
    """What the bundled cargo-effect findings use: per slot the CURIEs (or words), and the (review, section) pairs."""
    import pyoxigraph as ox

    from exo_rdf.curies import compress
    from exo_rdf.sources import discover, load_into

    store = ox.Store()
    for source in discover(root, ("data",)):
        load_into(store, source)
    kind = ox.NamedNode(EXO + "CargoEffectFinding")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    findings = sorted({q.subject for q in store.quads_for_pattern(None, a, kind)}, key=str)
    out: dict = {slot: set() for slot in DRAWN_FROM}
    out["sections"] = set()
    for finding in findings:
        for slot, prop in DRAWN_FROM.items():
            for q in store.quads_for_pattern(finding, ox.NamedNode(prop), None):
                value = compress(q.object.value)
                out[slot].add(value.split(":", 1)[1] if slot == "effect_direction" else value)
        reviews = [q.object for q in store.quads_for_pattern(finding, ox.NamedNode(EXO + "statedIn"), None)]
        sections = [q.object for q in store.quads_for_pattern(finding, ox.NamedNode(EXO + "inSection"), None)]
        if reviews and sections:
            out["sections"].add((compress(reviews[0].value), compress(sections[0].value)))
    return {k: sorted(v) for k, v in _curatable(out, root).items()}


def _curatable(found: dict, root: Path) -> dict:
    """The values a curator can write: those exo-rdf's resolver takes for the column, and molecules
    the validation context declares (a molecule declared only beside the findings that use it fails
    the shapes' sh:class when curated on its own)."""
    import pyoxigraph as ox

    from exo_rdf.curation.problems import CellProblem
    from exo_rdf.curation.resolve import Resolver
    from exo_rdf.curies import expand
    from exo_rdf.sources import load_into
    from exo_rdf.validate import context_sources

    resolver, context = Resolver(root), ox.Store()
    for source in context_sources(root):
        load_into(context, source)
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def takes(slot: str, value: str) -> bool:
        try:
            resolver(value, KIND[slot])
        except CellProblem:
            return False
        return slot != "cargo" or any(True for _ in context.quads_for_pattern(ox.NamedNode(expand(value)), a, None))

    return {slot: {v for v in values if slot not in KIND or takes(slot, v)} for slot, values in found.items()}


def rows(n: int, seed: int = 15, root: Path = ROOT):
    """Yield (index, cells by slot, mistake or None) for n rows."""
    rng = random.Random(seed)
    p = pools(root)
    spoil_next = 0
    for i in range(n):
        cells = dict.fromkeys(SLOTS, "")
        cells["finding"] = f"exod:finding-bench-{i + 1:07d}"
        if rng.random() < 0.8:
            review, section = rng.choice(p["sections"])
            cells["source"], cells["section"] = review, section
            cells["references"] = "|".join(str(r) for r in sorted(rng.sample(range(1, 200), rng.randint(1, 3))))
        else:
            cells["source"] = (f"pmid:{rng.randint(10_000_000, 39_999_999)}" if rng.random() < 0.5
                               else f"doi:10.{rng.randint(1000, 99999)}/bench.{i}")
        cells["statement"] = f"Synthetic cargo-effect finding {i + 1} for the curation benchmark."
        cells["ev_type"] = rng.choice(p["ev_type"])
        cells["cargo"] = rng.choice(p["cargo"])
        cells["cargo_as_printed"] = cells["cargo"].rsplit("-", 1)[-1]
        for slot in ("producer_cancer", "producer_cell_type", "producer_cell_line", "recipient_cell_type",
                     "recipient_cell_line"):
            if p[slot] and rng.random() < 0.3:
                cells[slot] = rng.choice(p[slot])
        cells["affects_process"] = rng.choice(p["affects_process"])
        cells["process_as_printed"] = "synthetic process"
        cells["effect_direction"] = rng.choice(p["effect_direction"])
        mistake = None
        if rng.randrange(SPOIL_EVERY) == 0:
            mistake = MISTAKES[spoil_next % len(MISTAKES)]
            spoil_next += 1
            spoil(cells, mistake)
        yield i, cells, mistake


def spoil(cells: dict, mistake: str) -> None:
    """Put one mistake into a row's cells."""
    if mistake == "missing statement":
        cells["statement"] = ""
    elif mistake == "malformed DOI":
        cells.update(source="doi:11.1038/ncb1596", section="", references="")
    elif mistake == "malformed PMID":
        cells.update(source="pmid:PMC6543197", section="", references="")
    elif mistake == "reference out of range":
        if not cells["section"]:
            cells.update(source="exod:review-protein", section="exod:section-protein-angiogenesis")
        cells["references"] = "0"
    elif mistake == "bad direction":
        cells["effect_direction"] = "enhances"


def generate(n: int, exo_path: Path, linkml_path: Path, seed: int = 15) -> dict[int, str]:
    """Write n rows to both files (temp file, then rename); return the spoiled rows: 0-based index -> mistake."""
    spoiled = {}
    exo_tmp, linkml_tmp = exo_path.with_suffix(".tmp"), linkml_path.with_suffix(".tmp")
    with open(exo_tmp, "w", encoding="utf-8") as exo, open(linkml_tmp, "w", encoding="utf-8") as linkml:
        exo.write("\t".join(HEADERS[s] for s in SLOTS) + "\n")
        linkml.write("\t".join(SLOTS) + "\n")
        for i, cells, mistake in rows(n, seed):
            line = "\t".join(cells[s] for s in SLOTS) + "\n"
            exo.write(line)
            linkml.write(line)
            if mistake:
                spoiled[i] = mistake
    exo_tmp.replace(exo_path)
    linkml_tmp.replace(linkml_path)
    return spoiled


def keep_rows(path: Path, out: Path, drop: set[int]) -> None:
    """Copy a TSV without the data rows (0-based) in drop: the rows a LinkML user converts after validating."""
    tmp = out.with_suffix(".tmp")
    with open(path, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
        dst.write(next(src))
        for i, line in enumerate(src):
            if i not in drop:
                dst.write(line)
    tmp.replace(out)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("exo", type=Path)
    ap.add_argument("linkml", type=Path)
    ap.add_argument("--seed", type=int, default=15)
    args = ap.parse_args()
    print(f"{len(generate(args.n, args.exo, args.linkml, args.seed))} of {args.n} rows spoiled")

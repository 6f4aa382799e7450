"""The curation benchmark's two pipelines on 200 generated rows: both reject exactly the spoiled rows.

benchmarks/curation.py times `exo-rdf curate` against linkml-validate + linkml-convert; its
comparison only means something if both accept and reject the same rows, which is what these
tests check on a small set (the stages run in this process, not timed).
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

pytest.importorskip("linkml.validator", reason="linkml is not installed: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import curation_stages as stages  # noqa: E402
from curation import CONTAINER, INDEX_SLOT, ROW_CLASS, SCHEMA  # noqa: E402
from generate_curation import FIRST_DATA_ROW, HEADERS, MISTAKES, generate, keep_rows  # noqa: E402

N = 200
#: the column each mistake is in (exo-rdf template headers)
MISTAKE_COLUMN = {"missing statement": HEADERS["statement"], "malformed DOI": HEADERS["source"],
                  "malformed PMID": HEADERS["source"], "reference out of range": HEADERS["references"],
                  "bad direction": HEADERS["effect_direction"]}


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """The 200 rows written for both sides, and the spoiled ones (index -> mistake)."""
    folder = tmp_path_factory.mktemp("curation-benchmark")
    spoiled = generate(N, folder / "exo.cargo-effect.tsv", folder / "linkml.tsv")
    return folder, spoiled


def test_generator_is_seeded_and_spoils_every_kind(rows, tmp_path):
    folder, spoiled = rows
    assert generate(N, tmp_path / "a.cargo-effect.tsv", tmp_path / "b.tsv") == spoiled
    assert (tmp_path / "a.cargo-effect.tsv").read_bytes() == (folder / "exo.cargo-effect.tsv").read_bytes()
    assert set(Counter(spoiled.values())) == set(MISTAKES)
    assert generate(N, tmp_path / "a.cargo-effect.tsv", tmp_path / "b.tsv", seed=16) != spoiled


def test_linkml_validate_rejects_exactly_the_spoiled_rows(rows):
    folder, spoiled = rows
    result = stages.linkml_validate(str(SCHEMA), ROW_CLASS, str(folder / "linkml.tsv"))
    assert result["exit"] == 1
    assert result["rejected_rows"] == sorted(spoiled)


def test_linkml_convert_writes_the_accepted_rows(rows):
    folder, spoiled = rows
    keep_rows(folder / "linkml.tsv", folder / "accepted.tsv", set(spoiled))
    stages.linkml_convert(str(SCHEMA), CONTAINER, INDEX_SLOT, str(folder / "accepted.tsv"), str(folder / "linkml.ttl"))
    store = ox.Store()
    store.load(path=str(folder / "linkml.ttl"), format=ox.RdfFormat.TURTLE)
    kind = ox.NamedNode("https://w3id.org/exo-rdf/ontology/CargoEffectFinding")
    findings = {q.subject.value for q in store.quads_for_pattern(None, None, kind)}
    assert findings == {f"https://w3id.org/exo-rdf/data/finding-bench-{i + 1:07d}" for i in range(N) if i not in spoiled}


def test_exo_curate_rejects_exactly_the_spoiled_rows_at_their_cells(rows):
    from exo_rdf.curation.curate import curate

    folder, spoiled = rows
    result = curate([folder / "exo.cargo-effect.tsv"], folder / "exo.ttl", keep_valid=True, root=ROOT)
    columns: dict[int, set] = {}
    for p in result.problems:
        columns.setdefault(p.row - FIRST_DATA_ROW, set()).add(p.column)
    assert {i: MISTAKE_COLUMN[m] for i, m in spoiled.items()} == {i: c.pop() for i, c in columns.items() if len(c) == 1}
    assert set(columns) == set(spoiled)
    assert (result.rows, result.written_rows) == (N, N - len(spoiled))
    summary = stages.exo(str(folder / "exo.cargo-effect.tsv"), str(folder / "exo2.ttl"))
    assert summary["rejected_rows"] == sorted(spoiled)

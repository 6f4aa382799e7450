"""exo-rdf curate checks its blocks in a forked process for a large input: the same problems and output as in a thread."""
from __future__ import annotations

import os

import pytest

from conftest import FIXTURES
from exo_rdf.curation import checking
from exo_rdf.curation import curate as curate_module
from exo_rdf.curation.curate import curate
from exo_rdf.curation.problems import RULE_BASE
from exo_rdf.curation.resolve import Resolver

MISTAKES = FIXTURES / "templates" / "mistakes.tsv"
EXAMPLES = FIXTURES / "templates" / "examples.cargo-effect.tsv"
SH = "http://www.w3.org/ns/shacl#"
EXOSH = "https://w3id.org/exo-rdf/shapes/"


@pytest.fixture(scope="module")
def resolver():
    return Resolver()


def _run(tmp_path, monkeypatch, resolver, in_process: bool, name: str):
    """curate --keep-valid on the mistakes and the examples, in blocks of 3 rows; the result and the files' text."""
    monkeypatch.setattr(curate_module, "PROCESS_MIN_BYTES", 0 if in_process else 10**15)
    out = tmp_path / name / "findings.ttl"
    result = curate([MISTAKES, EXAMPLES], out, resolver=resolver, keep_valid=True, block_rows=3)
    return result, {p.name: p.read_text(encoding="utf-8") for p in result.written}


def test_blocks_checked_in_a_process(tmp_path, monkeypatch, resolver):
    pids = tmp_path / "pids"
    checked = checking.Validator.check_nquads

    def check_nquads(self, data):  # where each block is checked, written down (the process has its own memory)
        with open(pids, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")
        return checked(self, data)

    monkeypatch.setattr(checking.Validator, "check_nquads", check_nquads)
    in_process, files = _run(tmp_path, monkeypatch, resolver, True, "process")
    in_thread, thread_files = _run(tmp_path, monkeypatch, resolver, False, "thread")
    blocks = pids.read_text(encoding="utf-8").split()
    assert len(blocks) == -(-in_process.rows // 3)  # every block, all in one process, not this one
    assert len(set(blocks)) == 1 and blocks[0] != str(os.getpid())
    assert in_process.problems == in_thread.problems
    assert files == thread_files
    reported = {(p.row, p.column, p.rule) for p in in_process.problems}
    assert {(9, None, EXOSH + "FindingShape"), (9, None, EXOSH + "FindingSourceShape"),
            (12, None, EXOSH + "FindingSourceShape"), (8, "references", SH + "PatternConstraintComponent"),
            (10, "source", SH + "PatternConstraintComponent"), (4, "cargo", RULE_BASE + "unknown-name")} <= reported
    assert {p.row for p in in_process.problems if p.file == str(MISTAKES)} == set(range(4, 14))
    rejected = {(p.file, p.row) for p in in_process.problems}
    assert in_process.rejected_rows == len(rejected) and in_process.written_rows == in_process.rows - len(rejected) > 0


def test_a_checking_process_that_dies_is_an_error_and_nothing_is_written(tmp_path, monkeypatch, resolver):
    from exo_rdf.errors import ValidationEngineError

    monkeypatch.setattr(curate_module, "PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(checking.Validator, "check_nquads", lambda self, data: os._exit(3))  # as if killed
    out = tmp_path / "findings.ttl"
    with pytest.raises(ValidationEngineError, match="the process checking the rows .* ended without an answer"):
        curate([MISTAKES], out, resolver=resolver, keep_valid=True, block_rows=3)
    assert list(tmp_path.iterdir()) == []  # no output, no temporary file

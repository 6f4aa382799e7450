"""The exit-code contract: 0 ok, 1 a verdict, 2 any error (one line, never a traceback), 130 Ctrl-C."""
from __future__ import annotations

import errno
import subprocess
import sys

import pyoxigraph as ox
import pytest

from conftest import FIXTURES, ROOT
from exo_rdf import cli_query
from exo_rdf.cli import main
from exo_rdf.errors import SourceError
from exo_rdf.sources import SourceFile, load_into


def one_error_line(err: str) -> str:
    """The single line of an error report (asserting there is exactly one and no traceback)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("exo-rdf: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def huge_literal(tmp_path_factory):
    path = tmp_path_factory.mktemp("huge") / "huge.ttl"
    with open(path, "w", encoding="ascii") as handle:
        handle.write('<https://w3id.org/exo-rdf/data/x> <http://www.w3.org/2000/01/rdf-schema#label> "')
        handle.write("x" * (17 << 20))
        handle.write('" .\n')
    return path


def test_a_literal_over_16_mib_in_validate_is_an_error_naming_the_file(huge_literal, capsys):
    assert main(["validate", str(huge_literal)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"exo-rdf: error: {huge_literal}: holds a literal or IRI larger than 16 MiB, the most the RDF parser accepts; "
        "split the value or keep it outside the graph")


def test_a_literal_over_16_mib_when_loading_is_a_source_error(huge_literal):
    with pytest.raises(SourceError, match=r"huge\.ttl: holds a literal or IRI larger than 16 MiB"):
        load_into(ox.Store(), SourceFile(huge_literal, "data", "https://w3id.org/exo-rdf/graph/user/huge"))


def test_a_full_disk_names_the_file_and_the_reason(monkeypatch, tmp_path):
    class FullStore:  # pyoxigraph's OSError carries a message and no strerror
        def load(self, **kwargs):
            raise OSError("No space left on device")

    source = SourceFile(ROOT / "ontology" / "imports" / "mondo.ttl", "imports", "https://w3id.org/exo-rdf/graph/x")
    with pytest.raises(SourceError) as caught:
        load_into(FullStore(), source)
    assert str(caught.value) == f"{source.path}: cannot be read (No space left on device)"


def test_a_full_tmpdir_in_reason_exits_2_not_1(monkeypatch, capsys):
    import exo_rdf.reason

    def full(**kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "/tmp/owlready2-xyz.owl")

    monkeypatch.setattr(exo_rdf.reason, "reason", full)
    assert main(["reason"]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        "exo-rdf: error: /tmp/owlready2-xyz.owl: No space left on device; check the path, its permissions and the "
        "free space")


def test_a_read_only_output_folder_exits_2_naming_the_file(monkeypatch, tmp_path, capsys):
    import exo_rdf.files

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path.parent))

    monkeypatch.setattr(exo_rdf.files, "temporary_beside", denied)
    out = tmp_path / "catalogue.ttl"
    assert main(["catalogue", "--out", str(out)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"exo-rdf: error: {out}: Permission denied; check the path, its permissions and the free space")


def test_an_unwritable_export_target_exits_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    out = blocker / "exo.nt"
    assert main(["export", "--format", "nt", "--out", str(out)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"exo-rdf: error: {out}: folder {blocker} does not exist; create it first")


def test_a_non_utf8_query_file_exits_2(tmp_path, capsys):
    query = tmp_path / "latin1.rq"
    query.write_bytes('SELECT * WHERE { ?s ?p "café" }'.encode("latin-1"))
    assert main(["sparql", str(query)]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"exo-rdf: error: {query}: not UTF-8 text (byte 27: invalid continuation byte); save the query as UTF-8")


@pytest.mark.parametrize("raised, message", [
    (MemoryError("Reached the buffer maximal size"), "out of memory (Reached the buffer maximal size); "
                                                    "give the command less data at once"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
     "a file is not UTF-8 text (byte 0: invalid start byte); save it as UTF-8"),
    (RecursionError("maximum recursion depth exceeded"), "the input is nested too deeply to process; simplify it"),
    (KeyError("oops"), "unexpected KeyError: 'oops' (please report this, with the command that caused it)"),
    (AssertionError("line one\nline two"), "unexpected AssertionError: line one (please report this, with the "
                                           "command that caused it)"),
])
def test_unexpected_exceptions_exit_2_with_one_line(monkeypatch, capsys, raised, message):
    def boom(args):
        raise raised

    monkeypatch.setattr(cli_query, "cmd_queries", boom)
    assert main(["queries"]) == 2
    assert one_error_line(capsys.readouterr().err) == "exo-rdf: error: " + message


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_query, "cmd_queries", interrupted)
    assert main(["queries"]) == 130
    assert capsys.readouterr().err == "exo-rdf: interrupted\n"


def test_verdicts_exit_1(capsys):
    assert main(["validate", str(FIXTURES / "invalid" / "biomarker-fluid-not-uberon.ttl")]) == 1
    assert "Does not conform" in capsys.readouterr().out


def test_check_terms_problems_exit_1(tmp_path, monkeypatch, capsys):
    root = tmp_path / "project"  # a project using one GO id, and a GO table without it
    (root / "ontology" / "imports").mkdir(parents=True)
    (root / "ontology" / "own.ttl").write_text(
        "<https://w3id.org/exo-rdf/ontology/X> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<http://purl.obolibrary.org/obo/GO_0070062> .\n")
    tables = tmp_path / "terms"
    tables.mkdir()
    (tables / "go.tsv").write_text("id\tlabel\tsynonyms\tobsolete\nGO:0000001\tmitochondrion inheritance\t\tfalse\n")
    monkeypatch.setenv("EXO_RDF_ROOT", str(root))
    assert main(["check-terms", "--terms", str(tables)]) == 1
    out, err = capsys.readouterr()
    assert out == "unknown\thttp://purl.obolibrary.org/obo/GO_0070062\tGO:0070062 is not in go.tsv\n"
    assert err == "1 problem(s)\n"


def test_missing_term_tables_exit_2_with_what_to_do(tmp_path, capsys):
    assert main(["check-terms", "--terms", str(tmp_path / "none")]) == 2
    assert one_error_line(capsys.readouterr().err) == (
        f"exo-rdf: error: {tmp_path / 'none'}: no such folder of term tables; pass --terms DIR")


def test_an_error_in_a_real_process_is_one_line_and_exit_2(tmp_path):
    query = tmp_path / "bad.rq"
    query.write_bytes(b"SELECT \xff")
    proc = subprocess.run([sys.executable, "-m", "exo_rdf", "sparql", str(query)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert one_error_line(proc.stderr) == (
        f"exo-rdf: error: {query}: not UTF-8 text (byte 7: invalid start byte); save the query as UTF-8")

"""Bad input gets a clear message naming the problem, a non-zero exit, and writes nothing."""
from __future__ import annotations

import pytest

from exo_rdf.cli import main
from exo_rdf.query import run_stored

INJECTION = 'x" } ; DROP ALL ; #'


def test_malformed_turtle_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "mine.ttl"
    bad.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:d ex:e "open .\n')
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "not valid Turtle" in err


def test_unknown_query_suggests_close_names(capsys):
    assert main(["query", "biomarker"]) == 2
    err = capsys.readouterr().err
    assert "no stored query named 'biomarker'" in err and "biomarkers" in err


def test_missing_required_parameter(capsys):
    assert main(["query", "trial-contents"]) == 2
    assert "needs parameter 'nct'" in capsys.readouterr().err


def test_ill_typed_parameter(capsys):
    assert main(["query", "biomarkers", "--param", "min_sensitivity=high"]) == 2
    assert "min_sensitivity='high' is not a valid decimal" in capsys.readouterr().err


def test_unknown_parameter(capsys):
    assert main(["query", "biomarkers", "--param", "tumour=x"]) == 2
    assert "has no parameter 'tumour'" in capsys.readouterr().err


def test_injection_is_a_plain_literal(store):
    result = run_stored("biomarkers", {"cancer": INJECTION}, store=store)
    assert result.rows == []
    # the store is intact: the same query without the parameter still answers all of Table 2
    assert len(run_stored("biomarkers", {}, store=store).rows) == 20


def test_unreachable_endpoint(capsys):
    assert main(["query", "ev-types", "--endpoint", "http://127.0.0.1:9/sparql"]) == 2
    assert "cannot reach the endpoint" in capsys.readouterr().err


def test_export_to_missing_folder_writes_nothing(tmp_path, capsys):
    target = tmp_path / "nowhere" / "out.ttl"
    assert main(["export", "--format", "ttl", "--out", str(target)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not target.parent.exists()


def test_a_bad_line_deep_in_a_big_nt_file_is_named_with_progress_on(tmp_path, monkeypatch, capsys):
    from exo_rdf import sources

    monkeypatch.setattr(sources, "LOAD_BLOCK", 200)  # many blocks: the line number must count the earlier ones
    lines = [f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n" for i in range(60)]
    lines[47] = "<http://example.org/s47> <http://example.org/p> broken .\n"
    bad = tmp_path / "mine.nt"
    bad.write_text("".join(lines))
    assert main(["validate", "--progress", str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"{bad}:48: not valid N-Triples" in captured.err and "error at line 48 " in captured.err
    assert "validate: loading" in captured.err


def test_validate_progress_reports_every_property_shape(tmp_path, capsys):
    good = tmp_path / "mine.nt"
    good.write_text("<http://example.org/s> <http://example.org/p> \"x\" .\n")
    assert main(["validate", "--progress", str(good)]) == 0
    last = [line for line in capsys.readouterr().err.splitlines() if line.startswith("validate: checking")][-1]
    done, total = last.split("] ")[1].split(" ")[0].split("/")
    assert done == total and int(total) > 20

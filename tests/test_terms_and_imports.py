"""External identifiers are real, and the generated import modules are current."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED_TERMS
from exo_rdf.imports import render_all

needs_tables = pytest.mark.skipif(
    not SHARED_TERMS.is_dir() and not os.environ.get("CI"), reason=f"term tables not found at {SHARED_TERMS}"
)


@needs_tables
def test_check_terms_reports_no_problem():
    tool = SHARED_TERMS.parent / "tools" / "check_terms.py"
    proc = subprocess.run(
        [sys.executable, str(tool), "--quiet", "ontology", "data", "shapes", "queries"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 problems" in proc.stdout


@needs_tables
def test_import_modules_are_current():
    for name, text in render_all(SHARED_TERMS, ROOT).items():
        path = ROOT / "ontology" / "imports" / f"{name}.ttl"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run 'exo-rdf imports refresh'"

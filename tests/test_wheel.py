"""Installed from a wheel and run from another folder, every command works and nothing is written
inside the installed package. Deselect with -m "not wheel"."""
from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, SHARED_TERMS

pytestmark = pytest.mark.wheel


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh venv holding the wheel of this checkout; dependencies come from the test venv."""
    pytest.importorskip("hatchling")  # the build backend, to build without a download
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(ROOT),
                    "-w", str(work / "dist")], check=True, capture_output=True)
    (wheel,) = (work / "dist").glob("exo_rdf-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True)
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    # the test venv's packages after the fresh venv's own: its dependencies without a download
    ours = {sysconfig.get_path("purelib"), *site.getsitepackages()}
    (purelib / "zz-test-dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    package = purelib / "exo_rdf"
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # a checkout on it would shadow the wheel
    located = subprocess.run([str(python), "-c", "import exo_rdf; print(exo_rdf.__file__)"], cwd=work, env=clean,
                             check=True, capture_output=True, text=True).stdout.strip()
    assert Path(located) == package / "__init__.py"
    return venv, package


def run(venv: Path, cwd: Path, *args: str, stdin: str | None = None, env: dict | None = None):
    environment = {k: v for k, v in os.environ.items() if k not in ("EXO_RDF_ROOT", "EXO_RDF_TERMS", "PYTHONPATH")}
    environment.update({"EXO_RDF_CACHE": str(cwd / "cache"), **(env or {})})
    return subprocess.run([str(venv / "bin" / "exo-rdf"), *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=environment, timeout=120)


def test_every_command_from_an_installed_wheel_writes_nothing_inside_the_package(installed, tmp_path):
    venv, package = installed
    before = snapshot(package)
    terms = {"EXO_RDF_TERMS": str(SHARED_TERMS)}
    expectations = [  # (arguments, environment, stdin, exit code, text expected in stdout or stderr)
        (["--version"], None, None, 0, "exo-rdf 0.1.0"),
        (["queries"], None, None, 0, "biomarkers"),
        (["query", "ev-types", "--format", "csv"], None, None, 0, "obo/GO_0070062"),
        (["sparql", "-"], None, "ASK { ?s ?p ?o }", 0, "true"),
        (["stats"], None, None, 0, "Findings by kind"),
        (["validate"], None, None, (0, 1), "onform"),  # a verdict either way: the data is not under test here
        (["validate", str(FIXTURES / "invalid" / "biomarker-fluid-not-uberon.ttl")], None, None, 1, "Does not conform"),
        (["export", "--format", "nt", "--out", "graph.nt"], None, None, 0, "statements"),
        (["catalogue"], None, None, 0, f"wrote {tmp_path / 'catalogue.ttl'}"),
        (["mappings"], None, None, 0, f"wrote {tmp_path / 'exo-rdf.sssom.tsv'}"),
        (["qc"], None, None, (0, 1), ""),
        (["lookup", "exosome"], None, None, 0, "GO:0070062"),
        (["check-terms"], None, None, 2, "no term tables found: give the folder of id/label tables"),
        (["imports", "refresh"], None, None, 2, "no term tables found"),
        (["imports", "refresh"], terms, None, 2, "inside the installed package, which is never written; give --out DIR"),
        (["imports", "refresh", "--out", "imports"], terms, None, 0, "wrote imports/go.ttl"),
        (["load", "--help"], None, None, 0, "--endpoint"),
        (["serve", "--help"], None, None, 0, "--port"),
        # reason and build run HermiT (tens of seconds): their options only; they write under --out
        (["reason", "--help"], None, None, 0, "--out"),
        (["build", "--help"], None, None, 0, "--out"),
    ]
    if SHARED_TERMS.is_dir():
        expectations.append((["check-terms"], terms, None, 0, "0 problem(s)"))
    for args, env, stdin, code, text in expectations:
        proc = run(venv, tmp_path, *args, stdin=stdin, env=env)
        assert proc.returncode in (code if isinstance(code, tuple) else (code,)), (args, proc.stdout[-2000:],
                                                                                  proc.stderr[-2000:])
        assert text in proc.stdout + proc.stderr, (args, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
    assert (tmp_path / "catalogue.ttl").is_file() and (tmp_path / "exo-rdf.sssom.tsv").is_file()
    assert snapshot(package) == before  # nothing new, nothing changed inside site-packages/exo_rdf

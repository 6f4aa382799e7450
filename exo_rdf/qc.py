"""Ontology and data quality checks: the ``queries/checks/*-violation.rq`` files.

Each check is a stored SELECT returning ?entity and ?value; any row is a problem at the level
the file declares (``# level: ERROR`` or ``WARN``). The checks run on a store of the sources
(ontology, import modules, data) or on any other store, e.g. of a release.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import SourceError
from exo_rdf.sources import project_root

_LEVEL = re.compile(r"^#\s*level:\s*(ERROR|WARN|INFO)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    """One row of the QC report, as ROBOT's report prints it: level, rule, entity, value."""

    level: str
    rule: str
    entity: str
    value: str


def checks(root: Path | None = None) -> dict[str, tuple[str, str]]:
    """Rule name -> (level, query text) for every check file.

    Raises SourceError naming a check file that declares no level.
    """
    out = {}
    for path in sorted(((root or project_root()) / "queries" / "checks").glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        m = _LEVEL.search(text)
        if not m:
            raise SourceError(f"{path}:1: a check needs a '# level: ERROR|WARN|INFO' line", path=path, line=1)
        out[path.stem.removesuffix("-violation")] = (m.group(1), text)
    return out


def run_checks(store: ox.Store | None = None, *, root: Path | None = None) -> list[Problem]:
    """Run every check on store (default: the embedded store of the sources); return the problems.

    Raises SourceError for a bad source or check file, QueryExecutionError for a failing query.
    """
    from exo_rdf.query import run_sparql

    if store is None:
        from exo_rdf.store import embedded_store

        store = embedded_store(root)
    problems = []
    for rule, (level, text) in checks(root).items():
        for row in run_sparql(text, store=store).rows:
            entity, value = (t.value if t is not None else "" for t in row[:2])
            problems.append(Problem(level, rule, entity, value))
    return problems


def report(problems: list[Problem], fmt: str = "table") -> str:
    """The problems as an aligned table or as TSV with a header (level, rule, entity, value)."""
    header = ("level", "rule", "entity", "value")
    rows = [header] + [(p.level, p.rule, p.entity, p.value) for p in problems]
    if fmt == "tsv":
        return "".join("\t".join(r) + "\n" for r in rows)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    errors = sum(p.level == "ERROR" for p in problems)
    return "\n".join(lines) + f"\n({errors} error(s), {len(problems) - errors} other)\n"

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
    """One row of the QC report, as ROBOT's report prints it: level, rule, subject, property, value.

    A check gives the property as a third column ?property where it has one.
    """

    level: str
    rule: str
    entity: str
    value: str
    property: str = ""


def checks(root: Path | None = None) -> dict[str, tuple[str, str]]:
    """Rule name -> (level, query text) for every check file.

    Raises SourceError naming a check file that declares no level.
    """
    out = {}
    from exo_rdf.arguments import as_root

    for path in sorted(((as_root(root) or project_root()) / "queries" / "checks").glob("*-violation.rq")):
        text = path.read_text(encoding="utf-8")
        m = _LEVEL.search(text)
        if not m:
            raise SourceError(f"{path}:1: a check needs a '# level: ERROR|WARN|INFO' line", path=path, line=1)
        out[path.stem.removesuffix("-violation")] = (m.group(1), text)
    return out


def run_checks(store: ox.Store | None = None, *, root: Path | None = None, endpoint=None) -> list[Problem]:
    """Run every check on store (default: the embedded store of the sources) or on a remote
    endpoint (exo_rdf.stores.endpoint.Endpoint); return the problems.

    Raises SourceError for a bad source or check file, QueryExecutionError for a failing query,
    EndpointError when the endpoint fails.
    """
    from exo_rdf.query import run_sparql

    if store is None and endpoint is None:
        from exo_rdf.store import embedded_store

        store = embedded_store(root)
    problems = []
    for rule, (level, text) in checks(root).items():
        for row in run_sparql(text, store=store, endpoint=endpoint).rows:
            entity, value = (t.value if t is not None else "" for t in row[:2])
            prop = row[2].value if len(row) > 2 and row[2] is not None else ""
            problems.append(Problem(level, rule, entity, value, prop))
    return problems


#: the columns of ROBOT's report (robot report), in its order
COLUMNS = ("Level", "Rule Name", "Subject", "Property", "Value")
#: --fail-on level -> the levels that fail the run (exit 1), as robot report --fail-on does
FAIL_ON = {"ERROR": ("ERROR",), "WARN": ("ERROR", "WARN"), "INFO": ("ERROR", "WARN", "INFO"), "none": ()}
_ORDER = {"ERROR": 0, "WARN": 1, "INFO": 2}


def _cell(text: str) -> str:
    from exo_rdf.curies import compress

    return compress(text) if text.startswith(("http://", "https://")) else text


def report(problems: list[Problem], fmt: str = "table") -> str:
    """The problems with ROBOT's report columns (Level, Rule Name, Subject, Property, Value), IRIs as CURIEs.

    fmt: "table" (aligned, with a count line), "tsv" (as robot report writes it) or "csv".
    Rows are sorted by level (ERROR first), rule and subject. Raises OutputError for another fmt.
    """
    from exo_rdf.errors import OutputError

    ordered = sorted(problems, key=lambda p: (_ORDER.get(p.level, 3), p.rule, p.entity, p.property, p.value))
    rows = [COLUMNS] + [(p.level, p.rule, _cell(p.entity), _cell(p.property), _cell(p.value)) for p in ordered]
    if fmt == "tsv":
        return "".join("\t".join(c.replace("\t", " ").replace("\n", " ") for c in r) + "\n" for r in rows)
    if fmt == "csv":
        import csv
        import io

        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        return buf.getvalue()
    if fmt != "table":
        raise OutputError(f"unknown QC report format '{fmt}'; choose table, tsv or csv")
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines) + "\n" + summary(problems) + "\n"


def summary(problems: list[Problem]) -> str:
    """One line counting the problems by level, e.g. '(1 ERROR, 2 WARN, 0 INFO)'."""
    return "(" + ", ".join(f"{sum(p.level == lv for p in problems)} {lv}" for lv in ("ERROR", "WARN", "INFO")) + ")"


def fails(problems: list[Problem], fail_on: str = "ERROR") -> bool:
    """True when a problem is at a level that fail_on (ERROR, WARN, INFO or none) counts as failing.

    Raises OutputError for another fail_on.
    """
    from exo_rdf.errors import OutputError

    if fail_on not in FAIL_ON:
        raise OutputError(f"unknown --fail-on level '{fail_on}'; choose ERROR, WARN, INFO or none")
    return any(p.level in FAIL_ON[fail_on] for p in problems)

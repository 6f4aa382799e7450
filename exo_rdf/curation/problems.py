"""Problems found while curating a spreadsheet, each at its cell, for people (text) and tools (TSV, JSON).

A problem is where it is (file, row, column), which rule it breaks (a SHACL shape or constraint
IRI for a shape violation, one of the ``RULES`` below for reading and name resolution), what is
wrong (message), the offending value and a suggested fix. Rows are numbered as a spreadsheet
shows them (the header is row 1); a problem of the whole file has no row, of a whole row no column.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass

#: the namespace of the curation rules that are not SHACL shapes
RULE_BASE = "https://w3id.org/exo-rdf/curation/"

#: rule name -> what it checks; the rule IRI is RULE_BASE + name
RULES = {
    "unknown-name": "a name that matches no term of the kind its column takes",
    "ambiguous-name": "a name that matches several terms of the kind its column takes",
    "wrong-kind": "a name that matches only terms of another kind (a cell line where a cell type belongs)",
    "wrong-prefix": "an identifier whose prefix the column does not take",
    "unknown-id": "an identifier that the import modules, the project and the term tables do not have",
    "obsolete-id": "an identifier that its ontology marks obsolete or has merged into another",
    "duplicate-finding": "a finding IRI that an earlier row has too",
    "bad-value": "a cell whose text is not of the column's type (a number, a list, a yes/no)",
    "missing-value": "a cell that must be filled and is empty",
    "unknown-column": "a header that names no column of the template",
    "bad-file": "a file that cannot be read as a template",
}


def rule(name: str) -> str:
    """The IRI of a curation rule; raises KeyError for a name not in RULES (a typo is a bug)."""
    RULES[name]
    return RULE_BASE + name


@dataclass(frozen=True)
class Problem:
    """One problem at one cell.

    file: the template's path as given; row: its 1-based row (the header is 1), or None for the
    file; column: the header, or None for the row; rule: an IRI; severity: "Violation" (the row
    is rejected) or "Warning".
    """

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str
    value: str | None = None
    fix: str | None = None
    severity: str = "Violation"

    def at(self, file: str, row: int | None, column: str | None) -> Problem:
        """The same problem placed at a cell (a resolver does not know where its text came from)."""
        return Problem(file, row, column, self.rule, self.message, self.value, self.fix, self.severity)

    def short_rule(self) -> str:
        """The rule as a reader knows it: a curation rule's name, a shape's CURIE."""
        from exo_rdf.curies import compress

        return self.rule[len(RULE_BASE):] if self.rule.startswith(RULE_BASE) else compress(self.rule)


class CellProblem(Exception):
    """Raised by a resolver or a cell reader: the cell's text cannot become a term or a value.

    Attribute ``problem``: a Problem whose file, row and column the caller fills in with
    ``Problem.at`` (they are empty here).
    """

    def __init__(self, rule_name: str, message: str, *, value: str | None = None, fix: str | None = None):
        super().__init__(message)
        self.problem = Problem("", None, None, rule(rule_name), message, value, fix)


def sort_key(p: Problem):
    """Problems in reading order: file, row, column, rule."""
    return (p.file, p.row or 0, p.column or "", p.rule, p.message)


#: the columns of the TSV and JSON renderings, in order
FIELDS = ("file", "row", "column", "rule", "severity", "message", "value", "fix")


def as_text(problems: list[Problem]) -> str:
    """One line per problem, ``file:row: column: message (value: ...) fix: ... [rule]``, then a count."""
    if not problems:
        return "No problems.\n"
    out = []
    for p in sorted(problems, key=sort_key):
        where = p.file + (f":{p.row}" if p.row is not None else "") + (f": {p.column}" if p.column else "")
        value = f" (value: {p.value!r})" if p.value is not None else ""
        fix = f" Fix: {' '.join(p.fix.split())}" if p.fix else ""  # one line per problem, whatever the cells held
        out.append(f"{where}: {p.severity.lower()}: {' '.join(p.message.split())}{value}{fix}  [{p.short_rule()}]")
    rows = {(p.file, p.row) for p in problems if p.row is not None}
    out.append(f"{len(problems)} problem(s) in {len(rows)} row(s).")
    return "\n".join(out) + "\n"


def as_tsv(problems: list[Problem]) -> str:
    """A header and one row per problem (FIELDS), tabs and newlines in values replaced by spaces."""
    # whitespace runs become one space, so no tab or newline is left to escape
    return "".join("\t".join("" if v is None else " ".join(str(v).split()) for v in record) + "\n"
                   for record in _records(problems))


def as_csv(problems: list[Problem]) -> str:
    """A header and one row per problem (FIELDS), as RFC 4180 CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for record in _records(problems):
        writer.writerow(["" if v is None else v for v in record])
    return buffer.getvalue()


def _records(problems: list[Problem]):
    yield FIELDS
    for p in sorted(problems, key=sort_key):
        record = asdict(p)
        yield tuple(record[f] for f in FIELDS)


def as_json(problems: list[Problem]) -> str:
    """A JSON object: ``{"problems": [{FIELDS...}, ...], "count": N}`` (absent values are null)."""
    records = [{f: asdict(p)[f] for f in FIELDS} for p in sorted(problems, key=sort_key)]
    return json.dumps({"problems": records, "count": len(records)}, ensure_ascii=False, indent=1) + "\n"


#: report format -> renderer
RENDERERS = {"text": as_text, "tsv": as_tsv, "json": as_json, "csv": as_csv}

"""Read a .tsv, .csv or .xlsx template row by row.

Reading streams: one row at a time, whatever the file's size, so a million rows need no more
memory than one.

A template has its column names in one header row; rows whose first cell starts with ``#``
(the documentation before the header, the example row of an empty template) and empty rows are
skipped. The kind of finding is read from a ``# kind: KIND`` line, else from the sheet's name
(.xlsx) or a file name ending in ``.KIND.tsv`` / ``KIND.tsv``, else from the header: the one kind
whose template has every header and whose required columns are all there.

Rows are numbered as the curator sees them: the line of a .tsv or .csv file (of its first line
for a CSV record over several lines), the spreadsheet row of an .xlsx sheet.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from exo_rdf.curation import columns as C
from exo_rdf.curation.problems import CellProblem, Problem, rule

__all__ = ["Row", "read_table"]


@dataclass
class Row:
    """One template row: file, number (as the curator sees it), kind, cells (header -> text).

    problems: what reading found wrong in the row itself (more cells than headers).
    """

    file: Path
    number: int
    kind: str
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


def read_table(path: Path | str, kind: str | None = None) -> Iterator[Row]:
    """Yield the rows of a template (.tsv, .csv or .xlsx), comment and empty rows skipped.

    kind: the finding kind, when the caller knows it (else read from the file, see the module).
    Raises CellProblem (rule bad-file or unknown-column; the caller places it at the file) for a
    file that cannot be read, has no header, names a column its kind does not have or whose kind
    cannot be told; the message names the file and line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        records = _xlsx_records(path)
    elif suffix in (".tsv", ".csv"):
        records = _text_records(path, suffix)
    else:
        raise CellProblem("bad-file", f"{path}: a template is a .tsv, .csv or .xlsx file")
    header, declared, sheet = None, kind, None
    try:
        for number, cells, sheet in records:
            if header is None:
                first = cells[0].strip() if cells else ""
                if first.startswith("#"):
                    found = re.match(r"#\s*kind:\s*(\S+)", first)
                    declared = declared or (found.group(1) if found else None)
                    continue
                if not any(c.strip() for c in cells):
                    continue
                header = [c.strip() for c in cells]
                kind = _kind(path, number, header, declared, sheet)
                continue
            if not cells or cells[0].lstrip().startswith("#") or not any(c.strip() for c in cells):
                continue
            yield _row(path, number, kind, header, cells)
    except UnicodeDecodeError as exc:
        raise CellProblem("bad-file", f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          fix="save the file as UTF-8") from None
    except csv.Error as exc:
        raise CellProblem("bad-file", f"{path}: cannot be read as CSV: {exc}") from None
    if header is None:
        raise CellProblem("bad-file", f"{path}: no header row (the column names)",
                          fix="write the column names in the first row, see `exo-rdf template`")


def _row(path: Path, number: int, kind: str, header: list[str], cells: list) -> Row:
    if len(cells) == len(header) and all(header):  # the usual row: one cell per named column
        return Row(path, number, kind, dict(zip(header, map(str.strip, cells))))
    texts = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header) if h}
    row = Row(path, number, kind, texts)
    # a value under no column name would be lost: report it like a cell right of the last column
    extra = [c for i, c in enumerate(cells) if c.strip() and (i >= len(header) or not header[i])]
    if extra:
        row.problems.append(Problem(str(path), number, None, rule("bad-value"),
                                    "a cell of the row has no column name in the header", extra[0],
                                    "name its column in the header, or empty the cell"))
    return row


def _text_records(path: Path, suffix: str):
    """(line number, cells, None) per record of a .tsv (tab-separated, no quoting) or .csv (RFC 4180) file."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="" if suffix == ".csv" else None)
    except OSError as exc:
        raise CellProblem("bad-file", f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        if suffix == ".tsv":
            for number, line in enumerate(handle, 1):
                yield number, line.rstrip("\r\n").split("\t"), None
        else:
            reader = csv.reader(handle)
            start = 1
            for cells in reader:
                yield start, cells, None
                start = reader.line_num + 1


def _xlsx_records(path: Path):
    """(spreadsheet row, cells as text, sheet name) per row of the template's sheet (not README)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a damaged file
        raise CellProblem("bad-file", f"{path}: cannot be read as an .xlsx workbook ({exc})") from None
    try:
        sheets = [s for s in book.worksheets if s.title.lower() != "readme"]
        if not sheets:
            raise CellProblem("bad-file", f"{path}: no sheet besides README")
        sheet = sheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            yield number, [_cell_text(v) for v in values], sheet.title
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _kind(path: Path, line: int, header: list[str], declared: str | None, sheet: str | None) -> str:
    """The finding kind of a template (see the module); raises CellProblem naming the first bad header."""
    names = [h for h in header if h]
    duplicated = sorted({h for h in names if names.count(h) > 1})
    if duplicated:
        raise CellProblem("bad-file", f"{path}:{line}: the header names column {duplicated[0]!r} twice")
    if declared is None and sheet in C.KINDS:
        declared = sheet
    if declared is None:
        declared = next((k for k in C.KINDS if path.name.endswith((f".{k}{path.suffix}",)) or path.stem == k), None)
    if declared is not None:
        if declared not in C.KINDS:
            raise CellProblem("bad-file", f"{path}: unknown finding kind {declared!r}",
                              fix=f"use one of {', '.join(C.KINDS)}")
        known = set(C.headers(declared))
        unknown = [h for h in names if h not in known]
        if unknown:
            raise CellProblem("unknown-column", f"{path}:{line}: the {declared} template has no column {unknown[0]!r}",
                              value=unknown[0], fix=f"columns: {', '.join(C.headers(declared))}")
        return declared
    fits = [k for k in C.KINDS if set(names) <= set(C.headers(k))
            and all(c.header in names for c in C.columns(k) if c.required)]
    if len(fits) == 1:
        return fits[0]
    raise CellProblem("bad-file", f"{path}:{line}: cannot tell the kind of finding from the header"
                      + (f" (it fits {', '.join(fits)})" if fits else ""),
                      fix="add a line '# kind: KIND' before the header, KIND one of " + ", ".join(C.KINDS))

"""Write curation templates (.tsv, .csv, .xlsx), empty or filled with the bundled findings of a kind.

A .tsv or .csv template starts with ``#`` lines: ``# kind: KIND``, then one line per column
(its meaning, allowed values, example, whether required, the property it fills); then the header
(the column names) and the rows. An .xlsx template has a sheet named after the kind (the header
in row 1) and a README sheet documenting the columns. An empty template has one example row,
marked by ``# example`` in its first cell, which the reader skips.

.tsv files are tab-separated without quoting (a value cannot hold a tab or a line break); .csv
files follow RFC 4180.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curation import columns as C
from exo_rdf.curation.rows import ECO_NON_TRACEABLE, ECO_TRACEABLE, join_values
from exo_rdf.curies import compress
from exo_rdf.errors import OutputError, TemplateError

FORMATS = (".tsv", ".csv", ".xlsx")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EXAMPLE_MARK = "# example"


# exporting the bundled findings ------------------------------------------------------------------

def export_findings(root: Path | None = None, kind: str = "cargo-effect", *, store: ox.Store | None = None) -> list[dict]:
    """The bundled findings of kind as template rows (header -> cell text), sorted by finding IRI.

    root: the checkout whose data/ is read (default: the project root); store: a store holding
    the data instead. Terms are written as CURIEs, so the rows read back to the same RDF.
    Raises TemplateError for an unknown kind, or naming the finding and property that no column
    of the kind's template can express (nothing is silently left out).
    """
    if kind not in C.KINDS:
        raise TemplateError(f"unknown finding kind {kind!r}; kinds: {', '.join(C.KINDS)}")
    if store is None:
        from exo_rdf.sources import discover, load_into

        store = ox.Store()
        for source in discover(root, ("data",)):
            load_into(store, source)
    cls = ox.NamedNode(C.kind_class(kind))
    findings = sorted({q.subject for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), cls)},
                      key=lambda n: n.value)
    return [_export_one(store, kind, f) for f in findings]


def _objects(store: ox.Store, subject, predicate=None) -> list[tuple[str, object]]:
    """(predicate IRI, object) of subject over every graph, without duplicates, in a stable order."""
    seen = {(q.predicate.value, q.object) for q in store.quads_for_pattern(subject, predicate, None)}
    return sorted(seen, key=lambda po: (po[0], str(po[1])))


def _export_one(store: ox.Store, kind: str, finding) -> dict:
    cols = C.columns(kind)
    by_property = {c.property: c for c in cols if c.group is None and c.value not in ("id", "source")}
    values: dict[str, list[str]] = {}
    where = compress(finding.value)
    facts = _objects(store, finding)
    derived = {p: [o for q, o in facts if q == p] for p in (
        C.PROV + "wasDerivedFrom", C.EXO + "statedIn", C.EXO + "citesNoReference", C.RO_HAS_EVIDENCE,
        C.PROV + "value", C.EXO + "statement")}
    source = _export_source(store, where, derived)
    references = False
    targets = []
    for prop, obj in facts:
        if prop == RDF_TYPE:
            if obj.value != C.kind_class(kind):
                raise TemplateError(f"{where}: has a second type {compress(obj.value)}, which a template row cannot express")
        elif prop in derived:
            continue
        elif prop == C.TARGET_REGULATION:
            targets.append(obj)
        elif prop in by_property:
            values.setdefault(by_property[prop].header, []).append(_cell(where, by_property[prop], obj))
            references = references or prop == C.EXO + "citesReference"
        else:
            raise TemplateError(f"{where}: the {kind} template has no column for {compress(prop)}")
    _check_derived(where, derived, source, references)
    row = {c.header: "" for c in cols}
    row["finding"], row["source"] = where, source[0]
    for header, texts in values.items():
        row[header] = join_values(texts) if C.ALL[header].multi else _single(where, header, texts)
    if targets:
        _export_targets(store, where, finding, targets, cols, row)
    row["statement"] = _text(derived[C.EXO + "statement"][0]) if derived[C.EXO + "statement"] else ""
    return row


def _export_source(store, where: str, derived: dict) -> tuple[str, bool]:
    """The source cell and whether the source is a review."""
    origin = derived[C.PROV + "wasDerivedFrom"]
    stated = derived[C.EXO + "statedIn"]
    if len(origin) != 1:
        raise TemplateError(f"{where}: needs exactly one prov:wasDerivedFrom to be a template row")
    if stated:
        if stated != origin:
            raise TemplateError(f"{where}: exo:statedIn differs from prov:wasDerivedFrom")
        return compress(origin[0].value), True
    ids = {p: o for p, o in _objects(store, origin[0]) if p in (C.EXO + "pmid", C.EXO + "doi")}
    cell = "|".join(f"{name}:{ids[C.EXO + name].value}" for name in ("pmid", "doi") if C.EXO + name in ids)
    expected = "publication-" + ("pmid-" + ids[C.EXO + "pmid"].value if C.EXO + "pmid" in ids
                                 else "doi-" + ids.get(C.EXO + "doi", ox.Literal("")).value.lower())
    if not cell or origin[0].value != "https://w3id.org/exo-rdf/data/" + re.sub(r"[^A-Za-z0-9._-]+", "-", expected):
        raise TemplateError(f"{where}: its research article {compress(origin[0].value)} is not named after its "
                            "PMID or DOI (exod:publication-pmid-<PMID>), so a template row cannot name it")
    return cell, False


def _check_derived(where: str, derived: dict, source: tuple[str, bool], references: bool) -> None:
    """The evidence, exo:citesNoReference and prov:value must be what a row derives, or the row would change them."""
    is_review = source[1]
    expected_no_ref = is_review and not references
    evidence = ECO_NON_TRACEABLE if expected_no_ref else ECO_TRACEABLE
    if derived[C.RO_HAS_EVIDENCE] != [evidence]:
        raise TemplateError(f"{where}: its evidence is not {compress(evidence.value)}, which its references imply")
    if bool(derived[C.EXO + "citesNoReference"]) != expected_no_ref:
        raise TemplateError(f"{where}: exo:citesNoReference does not match its references")
    if derived[C.PROV + "value"] != derived[C.EXO + "statement"]:
        raise TemplateError(f"{where}: prov:value differs from exo:statement")


def _export_targets(store, where: str, finding, targets: list, cols: list, row: dict) -> None:
    """Fill the parallel target columns from the finding's exo:TargetRegulation nodes, in their numbers' order."""
    numbered = {}
    for node in targets:
        found = re.fullmatch(re.escape(finding.value) + r"-target-([1-9][0-9]*)", node.value)
        if not isinstance(node, ox.NamedNode) or not found:
            raise TemplateError(f"{where}: target node {node} is not named <finding>-target-<n>")
        numbered[int(found.group(1))] = node
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        raise TemplateError(f"{where}: its target nodes are not numbered 1 to {len(numbered)}")
    by_property = {c.property: c.header for c in cols if c.group == "target"}
    lists = {h: [""] * len(numbered) for h in by_property.values()}
    for n, node in numbered.items():
        for prop, obj in _objects(store, node):
            if prop == RDF_TYPE and obj.value == C.EXO + "TargetRegulation":
                continue
            header = by_property.get(prop)
            if header is None or lists[header][n - 1]:
                raise TemplateError(f"{where}: target {n} has {compress(prop)} that a template row cannot express")
            lists[header][n - 1] = _cell(where, C.ALL[header], obj)
    for header, texts in lists.items():
        row[header] = join_values(texts) if any(texts) else ""


def _single(where: str, header: str, texts: list[str]) -> str:
    if len(texts) != 1:
        raise TemplateError(f"{where}: has {len(texts)} values for the single-valued column {header!r}")
    return texts[0]


#: column value type -> the datatype its literals have
_DATATYPES = {"text": "http://www.w3.org/2001/XMLSchema#string", "integer": "http://www.w3.org/2001/XMLSchema#integer",
              "decimal": "http://www.w3.org/2001/XMLSchema#decimal"}


def _cell(where: str, column: C.Column, term) -> str:
    """term as column writes it; raises TemplateError where reading the cell back would give another term."""
    if column.value == "term" and isinstance(term, ox.NamedNode):
        return _text(term)
    if (column.value in _DATATYPES and isinstance(term, ox.Literal) and term.language is None
            and term.datatype.value == _DATATYPES[column.value] and term.value == term.value.strip()):
        if column.multi and term.value == "":
            raise TemplateError(f"{where}: an empty string in column {column.header!r} cannot be written")
        return term.value
    raise TemplateError(f"{where}: column {column.header!r} cannot hold {term}")


def _text(term) -> str:
    """A term as a cell writes it: an IRI as its CURIE, a literal as its lexical form."""
    if isinstance(term, ox.NamedNode):
        return compress(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    raise TemplateError(f"a blank node ({term}) cannot be written in a cell")


# writing ---------------------------------------------------------------------------------------

def documentation(kind: str) -> list[str]:
    """One line per column of kind: header, required or optional, meaning, allowed, example, property."""
    lines = []
    for c in C.columns(kind):
        path = " / ".join(compress(p) for p in c.path) if c.value != "id" else "the finding's IRI"
        lines.append(f"{c.header} ({'required' if c.required else 'optional'}): {c.meaning}. "
                     f"Allowed: {c.allowed}. Example: {c.example}. Fills: {path}")
    return lines


def example_row(kind: str) -> dict:
    """The example row of an empty template: every column's example, the first cell marked."""
    row = {c.header: c.example for c in C.columns(kind)}
    row["finding"] = EXAMPLE_MARK
    return row


def write_template(kind: str, path: Path | str, *, findings: list[dict] | None = None) -> int:
    """Write kind's template to path (.tsv, .csv or .xlsx; "-" is TSV on standard output).

    findings: rows to fill it with (see export_findings); None writes the empty template with
    its example row. The file is written to a temporary file and renamed into place.
    Returns the number of data rows written (0 for an empty template).
    Raises TemplateError for an unknown kind or format or a value a .tsv cannot hold,
    OutputError when the file cannot be written (nothing is left behind then).
    """
    if kind not in C.KINDS:
        raise TemplateError(f"unknown finding kind {kind!r}; kinds: {', '.join(C.KINDS)}")
    suffix = ".tsv" if str(path) == "-" else Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise TemplateError(f"{path}: write a template to a .tsv, .csv or .xlsx file")
    rows = findings if findings is not None else [example_row(kind)]
    header = C.headers(kind)
    if suffix == ".xlsx":
        data = _xlsx(kind, header, rows)
    else:
        data = (_tsv if suffix == ".tsv" else _csv)(kind, header, rows)
    if str(path) == "-":
        import sys

        sys.stdout.write(data)
        sys.stdout.flush()
    else:
        from exo_rdf.files import write_atomic

        try:
            write_atomic(Path(path), data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    return len(findings or [])


def _comments(kind: str) -> list[str]:
    return [f"# kind: {kind}", *("# " + line for line in documentation(kind))]


def _tsv(kind: str, header: list[str], rows: list[dict]) -> str:
    out = _comments(kind) + ["\t".join(header)]
    for row in rows:
        cells = [row.get(h, "") for h in header]
        bad = next((h for h, v in zip(header, cells) if re.search(r"[\t\r\n]", v)), None)
        if bad is not None:
            raise TemplateError(f"{row.get('finding')}: column {bad!r} holds a tab or line break, which a .tsv "
                                "cannot; write a .csv or .xlsx template")
        out.append("\t".join(cells))
    return "\n".join(out) + "\n"


def _csv(kind: str, header: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for line in _comments(kind):
        writer.writerow([line])
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return buffer.getvalue()


def _xlsx(kind: str, header: list[str], rows: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(kind)

    def text_cells(ws, values):
        cells = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"  # text, never a formula or a number: the cell keeps its exact characters
            cells.append(cell)
        return cells

    sheet.append(text_cells(sheet, header))
    for row in rows:
        sheet.append(text_cells(sheet, [row.get(h, "") for h in header]))
    readme = book.create_sheet("README")
    readme.append(text_cells(readme, ["column", "required", "meaning", "allowed", "example", "fills"]))
    for c in C.columns(kind):
        path = " / ".join(compress(p) for p in c.path) if c.value != "id" else "the finding's IRI"
        readme.append(text_cells(readme, [c.header, "yes" if c.required else "no", c.meaning, c.allowed,
                                          c.example, path]))
    readme.append(text_cells(readme, [f"The sheet {kind!r} holds one finding per row; a row whose first cell "
                                      "starts with # is skipped; several values in a cell are separated by |."]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

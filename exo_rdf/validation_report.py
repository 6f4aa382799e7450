"""A validation report in the field's formats, built from its list of results.

``ttl`` and ``jsonld`` give the W3C SHACL report graph (``sh:ValidationReport`` with one
``sh:ValidationResult`` per problem: focus node, path, value, constraint component, shape,
severity and message), as pySHACL writes it; ``json`` and ``csv`` give one row per result with
the file and line where the focus node is written, where that is known (text formats: Turtle,
N-Triples, N-Quads, TriG). Both engines' reports go through the same writers, so they agree.
"""
from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph as ox

from exo_rdf.curies import prefixes_for

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
#: the columns of the json and csv rows
COLUMNS = ("focus_node", "path", "value", "constraint", "severity", "message", "source_file", "line")
_TEXT_SUFFIXES = (".ttl", ".nt", ".nq", ".trig")
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


def _node(value: str):
    """A focus node or shape as a term: an IRI, or a blank node for a label without a scheme."""
    return ox.NamedNode(value) if ":" in value else ox.BlankNode(value)


def _where(report) -> tuple[dict[str, tuple[str, int | None]], dict[tuple, object]]:
    """Focus node -> (file, line or None) of the first source that states it; (focus, path, value) -> the value's term.

    Each source is parsed as a stream and its text read at most once, whatever the number of results.
    """
    wanted = {v.focus for v in report.violations}
    places, values = {}, {}
    if not wanted:
        return places, values
    from exo_rdf.sources import rdf_format

    paths = {(v.focus, v.path) for v in report.violations}
    for source in report.sources:
        here, found = set(), {}
        try:
            for t in ox.parse(path=str(source.path), format=rdf_format(source.path), base_iri=source.path.resolve().as_uri()):
                s = t.subject.value if isinstance(t.subject, ox.NamedNode) else None
                if s in wanted:
                    here.add(s)
                    if (s, t.predicate.value) in paths:
                        found.setdefault((s, t.predicate.value, t.object.value), t.object)
        except Exception:  # noqa: BLE001 -- a file that parsed for validation; a location is a courtesy
            continue
        for key, term in found.items():
            values.setdefault(key, term)
        new = here - places.keys()
        lines = _lines(source.path, new) if new else {}
        for focus in new:
            places[focus] = (str(source.path), lines.get(focus))
    return places, values


#: a run of the characters a prefixed name is written with (those _continues counts as part of a name)
_NAME_RUN = re.compile(r"[\w.:-]*")


def _lines(path, iris: set[str]) -> dict[str, int]:
    """IRI -> the first line of a text RDF file that starts with it, written in full or as a prefixed name.

    The file is read once, line by line, for all the IRIs; a prefix counts from the line that
    declares it on (Turtle and TriG declare a prefix before using it).
    """
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return {}
    names: dict[str, list[str]] = {}  # a name made of name characters only: found as a line's leading run of them
    odd: list[tuple[str, str]] = []  # any other prefixed name (escapes, %): compared as it is

    def written(name: str, iri: str) -> None:
        if name.startswith("<") or _NAME_RUN.fullmatch(name):
            names.setdefault(name, []).append(iri)
        else:
            odd.append((name, iri))

    for iri in iris:
        written(f"<{iri}>", iri)
    found: dict[str, int] = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                declared = _PREFIX_LINE.match(line)
                if declared and declared[2]:
                    for iri in iris:
                        if iri.startswith(declared[2]):
                            written(f"{declared[1] or ''}:{iri[len(declared[2]):]}", iri)
                stripped = line.lstrip()
                if stripped.startswith("<"):
                    end = stripped.find(">") + 1
                    lead = stripped[:end] if end and not _continues(stripped, end) else None
                else:
                    lead = _NAME_RUN.match(stripped).group()
                for iri in names.get(lead, ()):
                    found.setdefault(iri, number)
                for n, iri in odd:
                    if stripped.startswith(n) and not _continues(stripped, len(n)):
                        found.setdefault(iri, number)
                if len(found) == len(iris):
                    break
    except (OSError, UnicodeDecodeError):
        return {}
    return found


def _continues(text: str, end: int) -> bool:
    """Whether a name that ends at end in text is only the start of a longer one."""
    return end < len(text) and (text[end].isalnum() or text[end] in "-_.:")


def rows(report) -> list[dict[str, object]]:
    """One dict per result, with the keys of COLUMNS (full IRIs; None where unknown)."""
    places, _ = _where(report)
    out = []
    for v in sorted(report.violations, key=lambda v: (v.focus, v.path or "", v.component, v.message)):
        source, line = places.get(v.focus, (None, None))
        out.append({"focus_node": v.focus, "path": v.path, "value": v.value, "constraint": v.component,
                    "severity": v.severity, "message": v.message, "source_file": source, "line": line})
    return out


def report_triples(report) -> list[ox.Triple]:
    """The W3C SHACL validation report graph of report."""
    _, values = _where(report)
    root = ox.BlankNode("report")
    conforms = ox.Literal("true" if report.conforms else "false", datatype=XSD_BOOLEAN)
    triples = [ox.Triple(root, RDF_TYPE, _sh("ValidationReport")), ox.Triple(root, _sh("conforms"), conforms)]
    for n, v in enumerate(sorted(report.violations, key=lambda v: (v.focus, v.path or "", v.component, v.message)), 1):
        r = ox.BlankNode(f"result{n}")
        triples += [
            ox.Triple(root, _sh("result"), r),
            ox.Triple(r, RDF_TYPE, _sh("ValidationResult")),
            ox.Triple(r, _sh("focusNode"), _node(v.focus)),
            ox.Triple(r, _sh("sourceConstraintComponent"), ox.NamedNode(v.component)),
            ox.Triple(r, _sh("resultSeverity"), _sh(v.severity)),
            ox.Triple(r, _sh("resultMessage"), ox.Literal(v.message)),
        ]
        if v.path and v.path != "(complex path)":
            triples.append(ox.Triple(r, _sh("resultPath"), ox.NamedNode(v.path)))
        if v.value is not None:
            value = ox.BlankNode(v.value) if v.value_blank else values.get((v.focus, v.path, v.value), ox.Literal(v.value))
            triples.append(ox.Triple(r, _sh("value"), value))
        # an anonymous property shape (the compiled engine does not name it) is a blank node, as in the shapes file
        triples.append(ox.Triple(r, _sh("sourceShape"), _node(v.shape) if v.shape else ox.BlankNode(f"shape{n}")))
    return triples


def as_turtle(report) -> str:
    """The report graph as Turtle, with the prefixes of the project's map that it uses."""
    triples = report_triples(report)
    iris = {t.value for tr in triples for t in (tr.predicate, tr.object, tr.subject) if isinstance(t, ox.NamedNode)}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes_for(iris)).decode("utf-8")


def as_jsonld(report) -> str:
    """The report graph as JSON-LD."""
    return ox.serialize(report_triples(report), format=ox.RdfFormat.JSON_LD).decode("utf-8") + "\n"


def as_json(report) -> str:
    """{"conforms": bool, "results": [row, ...]} with the rows of rows()."""
    return json.dumps({"conforms": report.conforms, "results": rows(report)}, ensure_ascii=False, indent=1) + "\n"


def as_csv(report) -> str:
    """A header of COLUMNS and one row per result (RFC 4180, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(report):
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return buf.getvalue()


#: --format name -> writer (text is ValidationReport.text)
WRITERS = {"ttl": as_turtle, "jsonld": as_jsonld, "json": as_json, "csv": as_csv}

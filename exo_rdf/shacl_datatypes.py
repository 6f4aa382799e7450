"""Literals the embedded store does not keep as written, and the sh:datatype checks they would mislead.

Oxigraph (pyoxigraph 0.5) stores a literal of a type derived from xsd:integer (xsd:int,
xsd:long, xsd:nonNegativeInteger, ...) as xsd:integer, and an xsd:dateTimeStamp as xsd:dateTime.
The compiled SHACL engine reads values from that store, so against ``sh:datatype xsd:integer``
it would accept ``"4"^^xsd:int`` (SHACL: a violation, the datatype is xsd:int), and against
``sh:datatype xsd:nonNegativeInteger`` it would reject ``"4"^^xsd:nonNegativeInteger``. Other
datatypes named by a shape are not affected: ``"4"^^xsd:int`` is no xsd:decimal either way.

``check_exact`` looks for such literals in the files to validate before they are loaded, and
only when a shape names one of the two datatypes a misread literal would be judged by; it
refuses the validation rather than give a verdict that may be wrong. N-Triples and N-Quads
(always full IRIs) are scanned as bytes, with line numbers; other formats are parsed only when
their text mentions one of the datatypes' local names.
"""
from __future__ import annotations

import mmap
import os
import re
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import SourceError, ValidationEngineError

XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
_INTEGER_KINDS = ("int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                  "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
#: datatype a literal is written with -> datatype the embedded store keeps it as
STORED_AS = {XSD + kind: XSD + "integer" for kind in _INTEGER_KINDS} | {XSD + "dateTimeStamp": XSD + "dateTime"}
_NAMES = "|".join(sorted((iri[len(XSD):] for iri in STORED_AS), key=len, reverse=True))
#: a literal of one of those datatypes in N-Triples / N-Quads
_IN_NTRIPLES = re.compile(rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#(' + _NAMES.encode() + rb')>')
#: any mention of their local names after a prefix or a namespace (other formats: parsed to make sure)
_MENTIONED = re.compile(rb"[:#](?:" + _NAMES.encode() + rb")\b")
_BLOCK = 1 << 22  # bytes read at a time by the mention scan


def misjudged_datatypes(model) -> set[str]:
    """The written datatypes whose literals a sh:datatype of the shapes (an exo_rdf.shacl.ShapesModel)
    would misjudge on the store."""
    named = {o.value for props in model.triples.values() for o in props.get(SH + "datatype", [])
             if isinstance(o, ox.NamedNode)}
    return {written for written, stored in STORED_AS.items() if written in named or stored in named}


def rewritten_literals(path: Path, datatypes: set[str], limit: int = 3) -> list[tuple[str, str]]:
    """Up to limit literals of the given datatypes in the RDF file at path, each as (where, the
    literal's datatype IRI): where is "FILE:LINE: LITERAL" for N-Triples and N-Quads, else
    "FILE: LITERAL on SUBJECT PREDICATE". Raises OSError, SyntaxError."""
    if not datatypes:
        return []
    if path.suffix.lower() in (".nt", ".nq"):
        return _scan_lines(path, datatypes, limit)
    with open(path, "rb") as handle:
        if not any(_MENTIONED.search(block) for block in iter(lambda: handle.read(_BLOCK), b"")):
            return []
    from exo_rdf.sources import rdf_format

    found = []
    for quad in ox.parse(path=str(path), format=rdf_format(path)):
        o = quad.object
        if isinstance(o, ox.Literal) and o.datatype.value in datatypes:
            found.append((f"{path}: {o} on {quad.subject} {quad.predicate}", o.datatype.value))
            if len(found) == limit:
                break
    return found


def _scan_lines(path: Path, datatypes: set[str], limit: int) -> list[tuple[str, str]]:
    """Literals of datatypes in an N-Triples / N-Quads file, read through a memory map (no copy)."""
    found = []
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return []
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            for m in _IN_NTRIPLES.finditer(data):
                datatype = XSD + m.group(1).decode()
                if datatype not in datatypes:
                    continue
                line_start = data.rfind(b"\n", 0, m.start()) + 1
                quote = data.rfind(b' "', line_start, m.start())  # the literal's opening quote
                literal = data[quote + 1:m.end()].decode("utf-8", "replace")
                line = data[:m.start()].count(b"\n") + 1  # only for the few literals reported
                found.append((f"{path}:{line}: {literal}", datatype))
                if len(found) == limit:
                    break
    return found


def check_exact(model, paths) -> None:
    """Refuse a validation of the RDF files at paths against model (an exo_rdf.shacl.ShapesModel)
    whose sh:datatype verdicts the store would get wrong (see the module).

    Raises ValidationEngineError naming the file, line (N-Triples, N-Quads) and literal, and
    what to do.
    """
    datatypes = misjudged_datatypes(model)
    if not datatypes:
        return
    for path in paths:
        try:
            found = rewritten_literals(Path(path), datatypes)
        except (OSError, SyntaxError, ValueError, SourceError):
            continue  # the load that follows reports an unreadable file with its line
        if found:
            where, datatype = found[0]
            others = "".join(f"; also {w}" for w, _ in found[1:])
            raise ValidationEngineError(
                f"{where}: the embedded store keeps a literal of xsd:{datatype[len(XSD):]} as "
                f"xsd:{STORED_AS[datatype][len(XSD):]}, so the shapes' sh:datatype cannot be checked on it exactly. "
                f"Write the value with the datatype the shape asks for, or validate with --engine pyshacl{others}")

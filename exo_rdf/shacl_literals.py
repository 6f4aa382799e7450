"""Literals the embedded store does not keep as written, and the SHACL checks they would mislead.

Oxigraph (pyoxigraph 0.5) stores typed literals in a canonical form: a type derived from
xsd:integer (xsd:int, xsd:nonNegativeInteger, ...) as xsd:integer, xsd:dateTimeStamp as
xsd:dateTime, and lexical forms rewritten (``"042"^^xsd:integer`` as ``"42"``, ``"0.50"`` as
``"0.5"``, ``"1"^^xsd:boolean`` as ``"true"``, ``"PT24H"`` as ``"P1D"``). The compiled SHACL
engine reads values from that store, so a check of the written form would judge the stored one:
``"232"^^xsd:int`` would pass ``sh:datatype xsd:integer`` (SHACL and pyshacl: a violation),
``"042"`` would pass ``sh:pattern "^[1-9][0-9]*$"``, and a curator's ``sh:datatype
xsd:nonNegativeInteger`` would reject its own values. Comparisons by value (sh:minInclusive and
the like) are not affected.

``check_exact`` looks, before the files are loaded, for literals on the paths of shapes that
judge the written form: sh:datatype naming the written or the stored datatype, sh:pattern,
sh:in, sh:hasValue and sh:equals (term equality). It refuses the validation rather than give a
verdict that may be wrong. N-Triples and N-Quads are scanned as bytes (with line numbers) for
the typed literals of those predicates; other formats are parsed. Each distinct literal is put
through an in-memory store once to see what it becomes.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from exo_rdf.errors import SourceError, ValidationEngineError
from exo_rdf.sources import line_blocks, rdf_format

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
#: constraints that compare the written term itself, not its value
TERM_CHECKS = ("pattern", "in", "hasValue", "equals")


def _short(iri: str) -> str:
    return "xsd:" + iri[len(XSD):] if iri.startswith(XSD) else f"<{iri}>"


class _Judged:
    """What the shapes check on each predicate: {predicate IRI: (datatypes, term checks)}.

    Every shape with a path counts, nested ones (under sh:node, sh:or) included; its path is
    read as the engine reads it (ShapesModel._property: a predicate, an alternative of
    predicates, or a sequence).
    """

    def __init__(self, model):
        self.by_predicate: dict[str, tuple[set, set]] = {}
        for node, props in model.triples.items():
            if SH + "path" not in props:
                continue
            shape = model._property(node, [])
            datatypes = {v.value for v in shape.constraints.get(SH + "datatype", []) if isinstance(v, ox.NamedNode)}
            checks = {name for name in TERM_CHECKS if SH + name in shape.constraints}
            if not datatypes and not checks:
                continue
            for predicate in shape.predicates + (shape.sequence or []):
                kept = self.by_predicate.setdefault(predicate.value, (set(), set()))
                kept[0].update(datatypes)
                kept[1].update(checks)
            for other in shape.constraints.get(SH + "equals", []):  # the other side is compared by term too
                self.by_predicate.setdefault(other.value, (set(), set()))[1].add("equals")

    def misjudged(self, predicate: str, written: ox.Literal, stored: ox.Literal) -> str | None:
        """The check of predicate's shapes that stored would fail to judge as written, or None."""
        datatypes, checks = self.by_predicate.get(predicate, ((), ()))
        if written.datatype != stored.datatype and {written.datatype.value, stored.datatype.value} & set(datatypes):
            return "sh:datatype"
        if checks and (written.value != stored.value or written.datatype != stored.datatype):
            return "sh:" + sorted(checks)[0]
        return None


def kept_forms(literals: list[ox.Literal]) -> list[ox.Literal]:
    """What an in-memory Oxigraph store keeps each literal as (one store, one pass)."""
    store = ox.Store()
    p = ox.NamedNode("urn:x-exo-rdf:p")
    store.extend(ox.Quad(ox.NamedNode(f"urn:x-exo-rdf:{i}"), p, lit) for i, lit in enumerate(literals))
    kept = {q.subject.value: q.object for q in store}
    return [kept[f"urn:x-exo-rdf:{i}"] for i in range(len(literals))]


def rewritten_literals(path: Path, judged: _Judged, limit: int = 3) -> list[tuple[str, str]]:
    """Up to limit (where, why) of literals in the RDF file at path that the store keeps in a form
    the shapes would misjudge. Raises OSError, SyntaxError."""
    if not judged.by_predicate:
        return []
    if path.suffix.lower() in (".nt", ".nq"):
        return _rewritten_in_lines(path, judged, limit)
    candidates = {}
    for quad in ox.parse(path=str(path), format=rdf_format(path)):
        o, p = quad.object, quad.predicate.value
        # plain and language-tagged strings are kept as written
        typed = isinstance(o, ox.Literal) and not o.language and o.datatype.value != XSD + "string"
        if typed and p in judged.by_predicate and (p, o) not in candidates:
            candidates[(p, o)] = f"{path}: {o} on {quad.subject} {quad.predicate}"
    found = []
    for ((predicate, literal), where), kept in zip(candidates.items(), kept_forms([o for _, o in candidates])):
        check = judged.misjudged(predicate, literal, kept)
        if check:
            found.append(_described(where, literal, kept, check))
            if len(found) == limit:
                break
    return found


_PARSED_AS = b"<urn:x-exo-rdf:s> <urn:x-exo-rdf:p> "
#: bytes read at a time (whole lines): a scan never holds the file
_BLOCK = 1 << 22


#: where a typed literal ends its lexical form (a literal search, in C)
_TYPED_END = re.compile(rb'"\^\^<')


def _typed_literal_lines(path: Path, predicates: set[bytes]) -> dict[tuple[bytes, bytes], int]:
    """{(predicate, typed literal as written): offset of its first line} for the typed literals of
    the given predicates in an N-Triples / N-Quads file, read block by block."""
    first: dict[tuple[bytes, bytes], int] = {}
    for offset, block in line_blocks(path, _BLOCK):
        for m in _TYPED_END.finditer(block):
            start = block.rfind(b"\n", 0, m.start()) + 1
            parts = block[start:block.find(b"\n", m.start())].split(None, 2)
            if len(parts) == 3 and parts[1][1:-1] in predicates:
                rest = parts[2]
                end = rest.find(b">", rest.find(b'"^^<')) + 1
                first.setdefault((parts[1][1:-1], rest[:end]), offset + start)
    return first


def _line_numbers(path: Path, offsets: list[int]) -> dict[int, int]:
    """The line number of each offset (of a line start) in a file, counted in one read."""
    numbers, line = {}, 1
    wanted = sorted(offsets)
    for offset, block in line_blocks(path, _BLOCK):
        while wanted and wanted[0] < offset + len(block):
            numbers[wanted[0]] = line + block.count(b"\n", 0, wanted[0] - offset)
            wanted.pop(0)
        line += block.count(b"\n")
        if not wanted:
            break
    return numbers


def _parsed(texts: list[bytes]) -> list[ox.Literal | None]:
    """Each typed literal text parsed (None for one that does not parse: the load reports it)."""
    try:
        return [t.object for t in ox.parse(b"".join(_PARSED_AS + t + b" .\n" for t in texts), format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError:
        out = []
        for text in texts:
            try:
                [triple] = ox.parse(_PARSED_AS + text + b" .", format=ox.RdfFormat.N_TRIPLES)
                out.append(triple.object)
            except SyntaxError:
                out.append(None)
        return out


def _rewritten_in_lines(path: Path, judged: _Judged, limit: int) -> list[tuple[str, str]]:
    """As rewritten_literals, for an N-Triples / N-Quads file: each distinct typed literal of a
    judged predicate goes through a store once."""
    first_lines = _typed_literal_lines(path, {p.encode() for p in judged.by_predicate})
    texts = sorted({text for _, text in first_lines})
    written = _parsed(texts)
    kept_by_text = {text: (w, kept) for text, w, kept in zip(texts, written, _kept_each(written))
                    if w is not None and kept != w}
    found = []
    for (predicate, text), offset in sorted(first_lines.items(), key=lambda item: item[1]):
        if text in kept_by_text:
            literal, kept = kept_by_text[text]
            check = judged.misjudged(predicate.decode(), literal, kept)
            if check:
                found.append((offset, literal, kept, check))
                if len(found) == limit:
                    break
    numbers = _line_numbers(path, [offset for offset, *_ in found])
    return [_described(f"{path}:{numbers[offset]}: {literal}", literal, kept, check)
            for offset, literal, kept, check in found]


def _kept_each(written: list) -> list:
    """kept_forms of the literals that parsed, None for the others."""
    kept = iter(kept_forms([w for w in written if w is not None]))
    return [None if w is None else next(kept) for w in written]


def _described(where: str, written: ox.Literal, kept: ox.Literal, check: str) -> tuple[str, str]:
    """(where, why) of one misjudged literal."""
    if written.datatype != kept.datatype:
        stored = f"a literal of {_short(written.datatype.value)} as {_short(kept.datatype.value)}"
    else:
        stored = f'"{written.value}" as "{kept.value}"'
    return where, f"the embedded store keeps {stored}, so the shapes' {check} cannot be checked on it exactly"


def check_exact(model, paths) -> None:
    """Refuse a validation of the RDF files at paths against model (an exo_rdf.shacl.ShapesModel)
    whose verdicts the store would get wrong (see the module).

    Raises ValidationEngineError naming the file, line (N-Triples, N-Quads) or subject, the
    literal, the check, and what to do.
    """
    judged = _Judged(model)
    for path in paths:
        try:
            found = rewritten_literals(Path(path), judged)
        except (OSError, SyntaxError, ValueError, SourceError, MemoryError):
            # the load that follows reports an unreadable file with its line (MemoryError: the
            # parser's 16 MiB limit on one term)
            continue
        if found:
            (where, why), others = found[0], "".join(f"; also {w}" for w, _ in found[1:])
            raise ValidationEngineError(
                f"{where}: {why}. Write the value as the shape asks for it, or validate with --engine pyshacl{others}")


def checking_beside(model, paths) -> Callable[[], None]:
    """Start check_exact(model, paths) in a thread and return a function that waits for it and
    raises what it raised (ValidationEngineError), in the caller's thread, where errors are
    reported (a thread's own exception would print a traceback). Oxigraph's loading releases the
    GIL, so a scan beside a load takes no wall time where a second core is free."""
    refusals: list[Exception] = []

    def scan() -> None:
        try:
            check_exact(model, paths)
        except Exception as exc:
            refusals.append(exc)

    thread = threading.Thread(target=scan, name="exo-rdf literal scan", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if refusals:
            raise refusals[0]

    return wait

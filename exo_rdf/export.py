"""Write the merged dataset (ontology, imports, data, shapes) in one RDF format, atomically."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from exo_rdf.curies import PREFIX_MAP
from exo_rdf.errors import OutputError
from exo_rdf.files import finish, temporary_beside
from exo_rdf.sources import discover, load_dataset, os_reason, project_root

#: format name -> (pyoxigraph format, keeps named graphs)
FORMATS = {
    "ttl": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "xml": (ox.RdfFormat.RDF_XML, False),
    "nq": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
    "jsonld": (getattr(ox.RdfFormat, "JSON_LD", None), True),
}

#: the project's one prefix map (exo_rdf.curies), for the formats that abbreviate IRIs
PREFIXES = PREFIX_MAP


def export(out: Path | str, fmt: str, *, root: Path | None = None) -> int:
    """Serialise the merged sources to out in format fmt; return the number of statements written.

    Triple formats (ttl, nt, xml) merge the named graphs; quad formats (nq, trig, jsonld) keep them.
    Output is sorted so that the same sources give the same bytes. The file is written to a
    temporary name and renamed, so a failure leaves no half-written file; out "-" is standard output.
    Raises OutputError for an unknown format or an unwritable path; SourceError for a bad source.
    """
    from exo_rdf.arguments import as_path, as_root

    out = out if isinstance(out, str) and out == "-" else as_path(out, "out")
    root = as_root(root)
    if fmt == "sssom":
        from exo_rdf.mappings import sssom_text

        if str(out) == "-":
            from exo_rdf.results import write_output

            text = sssom_text(root)
            write_output("-", text)
            return sum(1 for line in text.splitlines() if not line.startswith("#")) - 1
        out = Path(out)
        if not out.parent.is_dir():
            raise OutputError(f"{out}: folder {out.parent} does not exist; create it first")
        from exo_rdf.files import write_atomic

        text = sssom_text(root)
        write_atomic(out, text)
        return sum(1 for line in text.splitlines() if not line.startswith("#")) - 1  # rows below the column header
    if fmt not in FORMATS or FORMATS[fmt][0] is None:
        raise OutputError(f"unknown export format '{fmt}'; choose one of {', '.join(k for k, v in FORMATS.items() if v[0])}")
    rdf_format, keeps_graphs = FORMATS[fmt]
    dataset = load_dataset(discover(root or project_root()))
    if not keeps_graphs:
        merged = ox.Dataset()
        for q in dataset:
            merged.add(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
        dataset = merged
    # Blank nodes get canonical labels so that the same sources give the same bytes.
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    if keeps_graphs:
        items = sorted(dataset, key=str)
    else:
        items = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in dataset), key=str)
    kwargs = {"prefixes": PREFIXES} if fmt in ("ttl", "trig", "xml") else {}
    write_rdf_atomic(out, lambda handle: ox.serialize(items, handle, format=rdf_format, **kwargs))
    return len(items)


def write_rdf_atomic(out: Path | str, write) -> None:
    """Call write(binary handle) on standard output (out '-') or on a temporary file renamed to out.

    Raises OutputError when the folder is missing or not writable or the write fails; nothing is
    left behind, also on Ctrl-C.
    """
    if str(out) == "-":
        import sys

        sys.stdout.flush()
        write(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    out = Path(out)
    if not out.parent.is_dir():
        raise OutputError(f"{out}: folder {out.parent} does not exist; create it first")
    try:
        tmp = temporary_beside(out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {out.parent} ({os_reason(exc)}); choose a folder you can write to") from None
    try:
        with open(tmp, "wb") as handle:
            write(handle)
        finish(tmp, out)
    except BaseException as exc:  # Ctrl-C and kill -TERM (as KeyboardInterrupt) included: no temporary file left
        tmp.unlink(missing_ok=True)
        if isinstance(exc, (OSError, ValueError, TypeError)):
            raise OutputError(f"{out}: cannot write ({os_reason(exc)}); check the free space and permissions") from None
        raise

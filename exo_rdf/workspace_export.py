"""Export of an on-disk workspace (exo_rdf.workspace), streamed from its store into one file."""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from exo_rdf.sources import os_reason


def export_workspace(ws, out, fmt: str) -> int:
    """Write every graph of the workspace to out ("-": standard output) in fmt; return the statements written.

    Streams from the store, never holding the dataset in memory: quad formats (nq, trig)
    keep the graphs; triple formats (nt, ttl) write each graph's triples in turn, so a
    triple two files both state is written twice. Written to a temporary file, then renamed.
    Raises OutputError for an unknown format or an unwritable path.
    """
    from exo_rdf.errors import OutputError
    from exo_rdf.export import PREFIXES
    from exo_rdf.export import write_rdf_atomic

    formats = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
               "ttl": ox.RdfFormat.TURTLE}
    if fmt not in formats:
        raise OutputError(f"export of a workspace: unknown format '{fmt}'; choose one of {', '.join(formats)}")
    rdf_format = formats[fmt]
    kwargs = {"prefixes": PREFIXES} if fmt in ("ttl", "trig") else {}

    def write(handle) -> None:
        if fmt in ("nq", "trig"):
            ws.store.dump(handle, rdf_format, **kwargs)
        else:
            for graph in ws.graphs():
                ws.store.dump(handle, rdf_format, from_graph=graph, **kwargs)

    write_rdf_atomic(out, write)
    return ws.triples()


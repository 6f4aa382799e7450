"""Serve the graph over SPARQL with a real Oxigraph server on 127.0.0.1.

The sources are bulk-loaded into a temporary on-disk store, served read-only by default with the
union of the named graphs as default graph (so stored queries answer as on the embedded store),
and the store is removed when the server stops (Ctrl-C).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from exo_rdf.errors import EndpointError
from exo_rdf.sources import project_root


def oxigraph_command() -> str:
    """The oxigraph server command, installed beside this Python or on PATH.

    Raises EndpointError saying how to install it when it is missing.
    """
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise EndpointError("the Oxigraph server is not installed: pip install 'exo-rdf[serve]' (the oxigraph package)")
    return found


def serve(*, port: int = 7878, writable: bool = False, root: Path | None = None, ready=None) -> int:
    """Load the sources into a temporary store and serve it until interrupted; return the exit code.

    ready, when given, is called with the base URL once the store is loaded and the server starts.
    Raises EndpointError when the server cannot be installed, loaded or started; SourceError for a
    bad source.
    """
    from exo_rdf.export import export

    command = oxigraph_command()
    workdir = Path(tempfile.mkdtemp(prefix="exo-rdf-serve-"))
    try:
        dump = workdir / "exo-rdf.nq"
        export(dump, "nq", root=root or project_root())
        loaded = subprocess.run([command, "load", "--location", str(workdir / "db"), "--file", str(dump)],
                                capture_output=True, text=True)
        if loaded.returncode != 0:
            raise EndpointError(f"oxigraph could not load the graph: {loaded.stderr.strip()[-300:]}")
        mode = "serve" if writable else "serve-read-only"
        server = subprocess.Popen([command, mode, "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}",
                                   "--union-default-graph"])
        base = f"http://127.0.0.1:{port}"
        print(f"serving exo-rdf {'read-write' if writable else 'read-only'} at {base} "
              f"(query page {base}/, SPARQL endpoint {base}/query); Ctrl-C stops", file=sys.stderr, flush=True)
        if ready:
            ready(base)
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.terminate()
            server.wait(timeout=10)
            return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

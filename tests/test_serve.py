"""exo-rdf serve starts a real read-only SPARQL server over the graph; Ctrl-C stops it cleanly."""
from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from exo_rdf.query import run_stored
from servers import free_port, wait_until_up


def test_serve_answers_stored_queries_and_stops_on_ctrl_c(store):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "exo_rdf", "serve", "--port", str(port)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc, timeout=60)
        remote = run_stored("biomarkers", {"cancer": "pancreatic cancer"}, endpoint=base + "/query")
        assert remote.rows == run_stored("biomarkers", {"cancer": "pancreatic cancer"}, store=store).rows
        update = urllib.request.Request(base + "/update", data=b"update=CLEAR+ALL", method="POST",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            urllib.request.urlopen(update, timeout=5)
            raise AssertionError("a read-only server accepted an update")
        except urllib.error.HTTPError as exc:
            assert exc.code in (403, 404, 405)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    stderr = proc.stderr.read().decode()
    assert f"serving exo-rdf read-only at {base}" in stderr
    assert not list(Path(tempfile.gettempdir()).glob("exo-rdf-serve-*"))

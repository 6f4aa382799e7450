"""Start and stop a real Oxigraph SPARQL server (the ``oxigraph`` package) on 127.0.0.1 for tests."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def oxigraph_binary() -> str:
    """The oxigraph server command installed beside this Python, or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the 'oxigraph' server is not installed: pip install -e '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, proc: subprocess.Popen, timeout: float = 15) -> None:
    """Poll base until the server answers (any HTTP status); fail if the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers: it is up
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                detail = proc.stderr.read().decode(errors="replace") if proc.stderr and not isinstance(proc.stderr, int) else ""
                raise RuntimeError(f"server at {base} did not start: {detail}")
            time.sleep(0.05)


@contextlib.contextmanager
def oxigraph_server(*, location: Path | None = None, union_default_graph: bool = True, read_only: bool = False):
    """Run an Oxigraph server on a free port of 127.0.0.1; yield its base URL; stop it afterwards."""
    port = free_port()
    cmd = [oxigraph_binary(), "serve-read-only" if read_only else "serve", "--bind", f"127.0.0.1:{port}"]
    if location:
        cmd += ["--location", str(location)]
    if union_default_graph:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

"""Start and stop real SPARQL servers (Oxigraph, Virtuoso) on 127.0.0.1 for tests."""
from __future__ import annotations

import contextlib
import dataclasses
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from exo_rdf.stores.serve import oxigraph_command


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


class Running(str):
    """A server's base URL that also carries the server's process (`.process`), e.g. to kill it."""

    def __new__(cls, url: str, process: subprocess.Popen):
        made = super().__new__(cls, url)
        made.process = process
        return made


def stop(proc: subprocess.Popen) -> None:
    """Terminate proc, kill it if it has not ended within 10 s, and reap it."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def oxigraph_server(*, location: Path | None = None, union_default_graph: bool = True, read_only: bool = False):
    """Run an Oxigraph server on a free port of 127.0.0.1; yield its base URL (a str whose
    `.process` is the server's Popen); stop it afterwards."""
    port = free_port()
    cmd = [oxigraph_command(), "serve-read-only" if read_only else "serve", "--bind", f"127.0.0.1:{port}"]
    if location:
        cmd += ["--location", str(location)]
    if union_default_graph:
        cmd.append("--union-default-graph")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = Running(f"http://127.0.0.1:{port}", proc)
    try:
        wait_until_up(base, proc)
        yield base
    finally:
        stop(proc)


VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


def _virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int,
                  settings: dict[str, dict[str, object]] | None = None) -> str:
    """Debian's virtuoso.ini with its database in folder and both servers on 127.0.0.1 ports;
    settings ({section: {key: value}}) replace the ini's values or are added to their section."""
    db_keys = {"DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile", "xa_persistent_file"}
    settings = settings or {}
    section, out, seen = "", [], set()

    def add_unseen() -> None:
        out.extend(f"{k} = {v}" for k, v in settings.get(section, {}).items() if (section, k) not in seen)

    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            add_unseen()
            section = stripped[1:-1]
            out.append(line)
            continue
        key, sep, value = stripped.partition("=")
        key, value = key.strip(), value.split(";")[0].strip()
        if not sep or stripped.startswith(";"):
            out.append(line)
        elif key in settings.get(section, {}):
            seen.add((section, key))
            out.append(f"{key} = {settings[section][key]}")
        elif section in ("Database", "TempDatabase") and key in db_keys:
            out.append(f"{key} = {folder / Path(value).name}")
        elif section == "Parameters" and key == "ServerPort":
            out.append(f"ServerPort = 127.0.0.1:{sql_port}")
        elif section == "HTTPServer" and key == "ServerPort":
            out.append(f"ServerPort = 127.0.0.1:{http_port}")
        elif section == "Parameters" and key == "DirsAllowed":
            out.append(f"DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad")
        elif section == "SPARQL" and key == "ResultSetMaxRows":
            # the default (10000) silently truncates answers; tests compare whole answers
            out.append("ResultSetMaxRows = 1000000")
        elif section == "SPARQL" and key == "MaxQueryExecutionTime":
            # Debian's 60 s makes a query that runs longer (a loaded machine) answer with the rows it
            # has so far ("anytime" answers, HTTP 200); the client's --timeout-s bounds the wait instead
            out.append("MaxQueryExecutionTime = 0")
        elif section == "URIQA" and key == "DefaultHost":
            out.append(f"DefaultHost = 127.0.0.1:{http_port}")
        else:
            out.append(line)
    add_unseen()
    return "\n".join(out) + "\n"


def isql(port: int, statement: str, *, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run one SQL statement through isql-vt as dba on the Virtuoso at 127.0.0.1:port."""
    return subprocess.run(["isql-vt", f"127.0.0.1:{port}", "dba", "dba", f"exec={statement}"],
                          capture_output=True, text=True, timeout=timeout)


@dataclasses.dataclass(frozen=True)
class Virtuoso:
    """A running test Virtuoso: HTTP base URL, SQL (isql) port, data folder and process."""
    base: str
    isql_port: int
    folder: Path
    process: subprocess.Popen | None = None

    def __str__(self) -> str:
        return self.base


@contextlib.contextmanager
def virtuoso_server(folder: Path | None = None, *, settings: dict[str, dict[str, object]] | None = None):
    """Run Debian's virtuoso-t from a temporary virtuoso.ini on free 127.0.0.1 ports.

    settings ({section: {key: value}}) change the ini, e.g. {"Parameters": {"NumberOfBuffers":
    170000, "MaxDirtyBuffers": 130000}} (8 KB pages; Debian's ini keeps 10000 / 6000, its own
    table gives these for 2 GB of RAM) or {"SPARQL": {"MaxQueryExecutionTime": 0}}.
    Yields a Virtuoso (base URL such as http://127.0.0.1:PORT, isql port, data folder, process);
    afterwards shuts it down through isql (then terminate / kill) and removes the folder, unless
    folder was given: then the database there is reused (a restart) and kept.
    Raises RuntimeError when virtuoso-t is missing or does not answer within 60 s.
    """
    if not shutil.which("virtuoso-t") or not VIRTUOSO_INI.exists():
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    keep = folder is not None
    folder = folder or Path(tempfile.mkdtemp(prefix="exo-rdf-virtuoso-"))
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_virtuoso_ini(VIRTUOSO_INI.read_text(), folder, sql_port, http_port, settings))
    (folder / "virtuoso.lck").unlink(missing_ok=True)  # left by a killed server
    log = open(folder / "stderr.log", "ab")
    proc = subprocess.Popen(["virtuoso-t", "+configfile", str(ini), "+foreground"], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        try:
            wait_until_up(base, proc, timeout=60)
        except RuntimeError as exc:
            detail = (folder / "stderr.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}\n{detail}") from None
        yield Virtuoso(base, sql_port, folder, proc)
    finally:
        if proc.poll() is None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                isql(sql_port, "shutdown;", timeout=30)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stop(proc)
        log.close()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)

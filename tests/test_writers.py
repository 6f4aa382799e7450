"""Writers leave either the old or the new output, never a mix, and no temporary files."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import exo_rdf.export
import exo_rdf.files
from exo_rdf.cli import main
from exo_rdf.errors import OutputError
from exo_rdf.files import write_folder_atomic


def listing(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_new_folder_is_written_whole(tmp_path):
    out = tmp_path / "release"
    written = write_folder_atomic(out, {"a.ttl": "text é", "sub/b.nt": b"<a> <b> <c> .\n"})
    assert written == [out / "a.ttl", out / "sub/b.nt"]
    assert listing(out) == {"a.ttl": "text é".encode(), "sub/b.nt": b"<a> <b> <c> .\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_the_old_folder_is_replaced_as_a_whole(tmp_path):
    out = tmp_path / "release"
    write_folder_atomic(out, {"a.ttl": "old a", "gone.ttl": "old"})
    write_folder_atomic(out, {"a.ttl": "new a", "b.ttl": "new b"})
    assert listing(out) == {"a.ttl": b"new a", "b.ttl": b"new b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_a_failure_while_writing_leaves_the_old_folder_intact(tmp_path, monkeypatch):
    out = tmp_path / "release"
    write_folder_atomic(out, {"a.ttl": "old a", "b.ttl": "old b"})

    class Interrupted(KeyboardInterrupt):
        pass

    def explode(self, data):
        raise Interrupted

    monkeypatch.setattr(type(out), "write_bytes", explode)
    with pytest.raises(Interrupted):
        write_folder_atomic(out, {"a.ttl": "new a", "b.ttl": b"new b"})
    assert listing(out) == {"a.ttl": b"old a", "b.ttl": b"old b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_a_killed_writer_leaves_the_old_folder_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "release"
    write_folder_atomic(out, {"a.ttl": "old a", "b.ttl": "old b"})
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        import exo_rdf.files as files
        real = Path.write_text
        def slow(self, data, **kw):
            real(self, data, **kw)
            if self.name == "a.ttl":  # one new file written: die before the rest and the swap
                print("written", flush=True)
                os.kill(os.getpid(), 9)
        Path.write_text = slow
        files.write_folder_atomic({str(out)!r}, {{"a.ttl": "new a", "b.ttl": "new b"}})
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL and proc.stdout == "written\n"
    assert listing(out) == {"a.ttl": b"old a", "b.ttl": b"old b"}
    assert len(list(tmp_path.glob(".release.tmp-*"))) == 1  # the dead run's folder
    write_folder_atomic(out, {"c.ttl": "newest"})
    assert listing(out) == {"c.ttl": b"newest"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_an_old_folder_moved_away_by_a_dead_run_is_put_back(tmp_path):
    out = tmp_path / "release"
    write_folder_atomic(out, {"a.ttl": "old a"})
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    os.rename(out, tmp_path / f".release.old-{dead}-abc")  # killed between the two renames of the fallback
    with pytest.raises(OutputError, match="is not a file name inside the folder"):
        write_folder_atomic(out, {"../escape.ttl": "x"})
    write_folder_atomic(out, {"b.ttl": "new"})
    assert listing(out) == {"b.ttl": b"new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_an_out_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / "release"
    out.write_text("keep me")
    with pytest.raises(OutputError, match="exists and is not a folder"):
        write_folder_atomic(out, {"a.ttl": "x"})
    assert out.read_text() == "keep me"


def test_export_interrupted_by_ctrl_c_removes_its_temporary_file(tmp_path, monkeypatch, capsys):
    real = exo_rdf.export.ox.serialize

    def interrupted(items, handle, **kwargs):
        real(items[:100], handle, **kwargs)  # part of the output is on disk
        handle.flush()
        assert os.path.getsize(handle.name) > 0
        raise KeyboardInterrupt

    monkeypatch.setattr(exo_rdf.export.ox, "serialize", interrupted)
    out = tmp_path / "exo.nt"
    assert main(["export", "--format", "nt", "--out", str(out)]) == 130
    assert capsys.readouterr().err == "exo-rdf: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_export_failing_to_write_removes_its_temporary_file(tmp_path, monkeypatch, capsys):
    def full(items, handle, **kwargs):
        handle.write(b"<a> <b> ")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exo_rdf.export.ox, "serialize", full)
    out = tmp_path / "exo.nt"
    assert main(["export", "--format", "nt", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"exo-rdf: error: {out}: cannot write (No space left on device); check the free space and permissions\n")
    assert list(tmp_path.iterdir()) == []


def test_export_killed_with_sigterm_removes_its_temporary_file_and_exits_130(tmp_path):
    out = tmp_path / "exo.nt"
    script = textwrap.dedent(f"""
        import sys, time
        import exo_rdf.export as export
        real = export.ox.serialize
        def slow(items, path, **kwargs):
            real(items[:100], path, **kwargs)
            print("writing", flush=True)
            time.sleep(60)
        export.ox.serialize = slow
        from exo_rdf.cli import main
        sys.exit(main(["export", "--format", "nt", "--out", {str(out)!r}]))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "writing\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".exo.nt.")]  # the temporary file exists
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 130
    assert proc.stderr.read() == "exo-rdf: interrupted\n"
    assert list(tmp_path.iterdir()) == []


def test_write_folder_atomic_checks_its_arguments(tmp_path):
    from exo_rdf.errors import ArgumentError

    with pytest.raises(ArgumentError, match="out must be a path"):
        write_folder_atomic(5, {"a.ttl": "x"})
    with pytest.raises(ArgumentError, match="files must be a dict of relative path -> text or bytes, not list"):
        write_folder_atomic(tmp_path / "r", ["a.ttl"])
    with pytest.raises(OutputError, match="5 is not a file name inside the folder"):
        write_folder_atomic(str(tmp_path / "r"), {5: "x"})
    assert list(tmp_path.iterdir()) == []

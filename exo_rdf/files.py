"""Atomic file writing: a temporary file in the target folder, then a rename, never a half-written file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)
#: mkstemp creates 0600 files; results are ordinary shared files, so they get the umask's mode.
FILE_MODE = 0o666 & ~_UMASK


def temporary_beside(path: Path) -> Path:
    """A new empty temporary file in path's folder, to be renamed onto path by finish()."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def finish(tmp: Path, path: Path) -> None:
    """Give tmp ordinary permissions and rename it onto path in one step."""
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to path through a temporary file and a rename.

    Raises OSError naming path (not the temporary file) when the folder cannot be written;
    the temporary file is removed then, on Ctrl-C too.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_beside(path)
    except OSError as exc:
        raise _naming(exc, path) from None
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        finish(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _naming(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """The same kind of OSError, naming path (the file the caller asked for)."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(path))


def write_folder_atomic(out: Path | str, files: dict[str, str | bytes]) -> list[Path]:
    """Write files (relative path -> text or bytes) as the folder out, replacing any old out as a whole.

    The files go into a temporary folder beside out, which then takes out's place in one step
    (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames): a build killed at any moment
    leaves the old folder intact, never a mix of old and new files. Leftovers of killed runs
    are removed (or, when out went missing between the two renames, put back) by the next call.
    Returns the paths written, in the order given.
    Raises OutputError for a name that leaves the folder, an out that is a file, or a folder
    that cannot be written (nothing changed then); ArgumentError for arguments of the wrong type.
    """
    import shutil

    from exo_rdf.arguments import as_path
    from exo_rdf.errors import OutputError
    from exo_rdf.sources import os_reason

    out = as_path(out, "out")
    if not isinstance(files, dict):
        from exo_rdf.errors import ArgumentError

        raise ArgumentError(f"files must be a dict of relative path -> text or bytes, not {type(files).__name__}")
    parent = out.parent
    for name in files:
        rel = Path(name) if isinstance(name, str) else None
        if rel is None or not name or rel.is_absolute() or ".." in rel.parts:
            raise OutputError(f"{out}: {name!r} is not a file name inside the folder")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; remove it or choose another --out")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {parent} ({os_reason(exc)}); choose a folder you can write to") from None
    written = []
    try:
        for name, data in files.items():
            path = tmp / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                path.write_text(data, encoding="utf-8")
            else:
                path.write_bytes(data)
            os.chmod(path, FILE_MODE)
            written.append(out / name)
        for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            os.chmod(folder, 0o777 & ~_UMASK)
        _swap_into_place(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"{out}: cannot write ({os_reason(exc)}); check the free space and permissions; "
                          "the old folder is unchanged") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)  # after an exchange: the old folder
    return written


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Put folder tmp at out; afterwards tmp holds the old out, if there was one."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _exchange(tmp, out):
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, tmp)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with renameat2(RENAME_EXCHANGE); False where that is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    import errno

    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):  # kernel or file system without it
        return False
    raise OSError(err, os.strerror(err), str(b))


def _clean_leftovers(out: Path) -> None:
    """Remove temporary folders of dead runs writing out; put back an old out that a dead run moved away."""
    import shutil

    for leftover in out.parent.glob(f".{out.name}.*-*-*"):
        kind, _, rest = leftover.name[len(out.name) + 2:].partition("-")
        pid = rest.partition("-")[0]
        if kind not in ("tmp", "old") or not pid.isdigit() or process_alive(int(pid)):
            continue
        if kind == "old" and not out.exists():
            os.rename(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def process_alive(pid: int) -> bool:
    """True when a process with this id runs (or may run: it belongs to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def inside_package(path: Path | str) -> bool:
    """True when path lies inside the installed exo_rdf package (whose files must stay as installed)."""
    package = os.path.realpath(os.path.dirname(os.path.abspath(__file__)))
    real = os.path.realpath(path)
    return real == package or real.startswith(package + os.sep)


def default_output(root: Path, in_checkout: str, name: str) -> Path:
    """Where a generated file goes when no --out is given: in_checkout below a source checkout's
    root, or name in the current folder when root is the installed package's bundled copy."""
    root = Path(root)
    return Path.cwd() / name if inside_package(root) else root / in_checkout

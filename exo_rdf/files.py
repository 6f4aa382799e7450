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

    Raises OSError when the folder cannot be written; the temporary file is removed then.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(path)
    try:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
        finish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

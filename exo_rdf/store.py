"""Stage 2: the embedded SPARQL store (pyoxigraph), built once and reused until a source changes.

Stores live in a cache folder, one per project root and version of the sources' content:
``store-<kinds>-<root key>--<content key>``. The root key is a hash of the root's real path, so
two checkouts never share nor prune each other's stores. The content key is a hash of the
sources' bytes; a small stamp file per root (``stamp-<kinds>-<root key>``) remembers it with the
files' inodes, sizes, and modification and change times, so a warm query hashes no content
unless a file was written. A store is built in a temporary folder (named with host and pid)
and renamed into place, so a reader never sees a half-built one; temporary folders of dead
builds are removed by the next build. A store that cannot be opened or read is rebuilt once;
a cache that cannot be written gives an in-memory store and one warning line on stderr.
"""
from __future__ import annotations

import os
import sys
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a warm query never needs it)

import pyoxigraph as ox

from exo_rdf.errors import SourceError, StoreCacheError
from exo_rdf.sources import KINDS, SourceFile, content_hash, discover, fingerprint, load_into, root_dir, source_paths

if TYPE_CHECKING:  # see exo_rdf.sources: the warm path avoids importing pathlib
    from pathlib import Path

#: seconds after which a temporary build folder is removed even when its process may live
STALE_BUILD_S = 3600
#: files changed less than this many seconds ago do not get a stamp: a change within the
#: clock's granularity could go unseen
RACY_S = 2.0


def _cache_base() -> str:
    return os.environ.get("EXO_RDF_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "exo-rdf"
    )


def cache_dir() -> Path:
    """Where built stores are kept: ``EXO_RDF_CACHE`` or ``~/.cache/exo-rdf``."""
    from pathlib import Path

    return Path(_cache_base())


def build_store(sources: list[SourceFile], location: Path | None = None) -> ox.Store:
    """Load the sources into a new store (in memory, or on disk at location).

    Raises SourceError when a source does not parse or cannot be read (or written to location).
    """
    store = ox.Store(str(location)) if location else ox.Store()
    for source in sources:
        load_into(store, source)
    if location:
        store.flush()
    return store


def _root_text(root) -> str:
    """root (None, str or os.PathLike) as a path string; raises ArgumentError for anything else."""
    if root is None:
        return root_dir()
    if isinstance(root, (str, os.PathLike)):
        return os.fspath(root)
    from exo_rdf.errors import ArgumentError

    raise ArgumentError(f"root must be a path (str or os.PathLike) or None, not {type(root).__name__}")


def _keys(root_text: str, kinds: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """(store prefix of this root and kinds, stamp file name, source paths)."""
    import zlib

    real = os.path.realpath(root_text).encode("utf-8", "surrogateescape")
    root_key = f"{zlib.crc32(real):08x}{zlib.adler32(real):08x}"
    part = "-".join(kinds) + "-" + root_key
    return f"store-{part}--", f"stamp-{part}", source_paths(root_text, kinds)


def _content_key(base: str, stamp_name: str, paths: list[str]) -> str:
    """The content hash of the sources, from the stamp file when no source was written since."""
    stat_key = fingerprint(paths)
    stamp = os.path.join(base, stamp_name)
    try:
        with open(stamp, encoding="ascii") as handle:
            recorded, key = handle.read().split()
        if recorded == stat_key:
            return key
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    key = content_hash(paths)
    import time

    newest = max((max(st.st_mtime, st.st_ctime) for st in map(os.stat, paths)), default=0)
    if newest < time.time() - RACY_S:
        try:
            from exo_rdf.files import write_atomic

            write_atomic(stamp, f"{stat_key}\n{key}\n")
        except OSError:  # an unwritable cache: the key is hashed again next time
            pass
    return key


def embedded_store(root: str | os.PathLike | None = None, *, kinds: tuple[str, ...] = KINDS) -> ox.Store:
    """The read-only embedded store of the sources below root, building it first if it is stale.

    A cached store that cannot be opened is rebuilt; when the cache cannot be written the
    store is built in memory and one warning line goes to stderr.
    Raises SourceError when a source does not parse (no store is kept then); ArgumentError for
    a root that is not a path or unknown kinds.
    """
    return _open(root, kinds)[0]


def _open(root, kinds, *, discard: str | None = None) -> tuple[ox.Store, str | None]:
    """(the embedded store, its cache folder or None for an in-memory one); see embedded_store().

    discard names a cache folder found damaged: it is removed and built again.
    """
    root_text = _root_text(root)
    from exo_rdf.arguments import check_kinds

    kinds = check_kinds(kinds)
    if not os.path.isdir(os.path.join(root_text, "ontology")):
        _discover(root_text, kinds)  # raises the SourceError that says what is wrong
    base = _cache_base()
    prefix, stamp_name, paths = _keys(root_text, kinds)
    key = prefix + _content_key(base, stamp_name, paths)
    target = os.path.join(base, key)
    if discard == target:
        _remove(target)
    if os.path.isdir(target):
        try:
            store = ox.Store.read_only(os.path.join(target, "db"))
        except (OSError, RuntimeError):  # damaged (RocksDB reports corruption as RuntimeError): build again
            _remove(target)
        else:
            if any(entry.name.startswith(".tmp-") for entry in os.scandir(base)):  # a build was killed
                clean_temporary(base)
            return store, target
    try:
        _build_cached(root_text, kinds, base, key, prefix)
        return ox.Store.read_only(os.path.join(target, "db")), target
    except (OSError, RuntimeError, SourceError) as exc:
        store = build_store(_discover(root_text, kinds))  # raises the SourceError of a bad source
        reason = getattr(exc, "strerror", None) or str(exc)
        print(f"exo-rdf: warning: the store cache {base} cannot be used ({reason}); using an in-memory store",
              file=sys.stderr)
        return store, None


def with_embedded_store(function, root=None, *, kinds: tuple[str, ...] = KINDS):
    """function(store) on the embedded store; when the store proves damaged while in use
    (RocksDB corruption, files removed), build it again and call function once more.

    Raises what function raises; StoreCacheError when the rebuilt store is damaged too.
    """
    store, target = _open(root, kinds)
    try:
        return function(store)
    except (OSError, RuntimeError) as exc:
        if target is None or not _damaged(exc):
            raise
    del store
    store, target = _open(root, kinds, discard=target)
    try:
        return function(store)
    except (OSError, RuntimeError) as exc:
        if target is None or not _damaged(exc):
            raise
        raise StoreCacheError(f"{target}: the cached store is damaged even after a rebuild ({exc}); "
                              "check the disk, or set EXO_RDF_CACHE to another folder") from None


def _damaged(exc: BaseException) -> bool:
    text = str(exc)
    return "Corruption" in text or "No such file" in text or "IO error" in text


def _discover(root_text: str, kinds) -> list[SourceFile]:
    from pathlib import Path

    return discover(Path(root_text), kinds)


def _remove(folder: str) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _build_cached(root_text: str, kinds: tuple[str, ...], base: str, key: str, prefix: str) -> None:
    """Build the store of the sources into the cache folder called key, atomically (temp folder, rename).

    Raises SourceError when a source does not parse, OSError when the cache cannot be written
    (no store is kept then).
    """
    import tempfile

    sources = _discover(root_text, kinds)
    os.makedirs(base, exist_ok=True)
    clean_temporary(base)
    target = os.path.join(base, key)
    tmp = tempfile.mkdtemp(prefix=f".tmp-{_host()}-{os.getpid()}-{key}-", dir=base)
    try:
        store = build_store(sources, os.path.join(tmp, "db"))
        del store
        try:
            os.rename(tmp, target)
        except OSError:  # another process won the race; its store is identical
            if not os.path.isdir(target):
                raise
    finally:
        _remove(tmp)
    _prune(base, target, prefix)


def clean_temporary(base: str) -> list[str]:
    """Remove the temporary build folders in base left by builds that died; return their names.

    A folder is left alone while the process that made it (same host, same pid) lives, unless
    it is older than STALE_BUILD_S.
    """
    import time

    from exo_rdf.files import process_alive

    host = _host()
    removed = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(".tmp-") or not entry.is_dir(follow_symlinks=False):
            continue
        rest = entry.name[len(".tmp-"):]
        owner_host, _, rest = rest.partition("-")
        pid_text = rest.partition("-")[0]
        try:
            old = entry.stat(follow_symlinks=False).st_mtime < time.time() - STALE_BUILD_S
        except OSError:
            continue
        if not old and owner_host == host and pid_text.isdigit() and process_alive(int(pid_text)):
            continue
        if not old and owner_host != host:
            continue
        _remove(entry.path)
        removed.append(entry.name)
    return removed


def _host() -> str:
    """This host's name, without the dashes that separate the parts of a temporary folder's name."""
    import socket

    return socket.gethostname().replace("-", "_") or "host"


def _prune(base: str, keep: str, prefix: str) -> None:
    """Remove this root's stores of older source versions, so the cache does not grow without bound.

    Only stores with this root's prefix: another checkout's stores are never touched.
    """
    for entry in os.scandir(base):
        if entry.name.startswith(prefix) and entry.path != keep and entry.is_dir(follow_symlinks=False):
            _remove(entry.path)

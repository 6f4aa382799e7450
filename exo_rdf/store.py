"""Stage 2: the embedded SPARQL store (pyoxigraph), built once and reused until a source changes.

The store lives in a cache folder named after the sources' fingerprint; it is built in a
temporary folder and renamed into place, so a reader never sees a half-built store.
"""
from __future__ import annotations

import os
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a warm query never needs it)

import pyoxigraph as ox

from exo_rdf.errors import SourceError
from exo_rdf.sources import KINDS, SourceFile, discover, fingerprint, load_into, root_dir, source_paths

if TYPE_CHECKING:  # see exo_rdf.sources: the warm path avoids importing pathlib
    from pathlib import Path


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

    Raises SourceError when a source does not parse.
    """
    store = ox.Store(str(location)) if location else ox.Store()
    for source in sources:
        load_into(store, source)
    if location:
        store.flush()
    return store


def embedded_store(root: Path | None = None, *, kinds: tuple[str, ...] = KINDS) -> ox.Store:
    """The read-only embedded store of the bundled sources, building it first if it is stale.

    Raises SourceError when a source does not parse (no store is kept then).
    """
    root_text = str(root) if root is not None else root_dir()
    if not os.path.isdir(os.path.join(root_text, "ontology")):
        discover(root, kinds)  # raises the SourceError that says what is wrong
    prefix = "store-" + "-".join(kinds) + "--"
    key = prefix + fingerprint(source_paths(root_text, kinds))
    target = os.path.join(_cache_base(), key)
    if not os.path.isdir(target):
        _build_cached(root, kinds, key, prefix)
    try:
        return ox.Store.read_only(os.path.join(target, "db"))
    except OSError as exc:
        raise SourceError(f"{target}: the cached store cannot be opened ({exc}); delete the folder and retry") from None


def _build_cached(root: Path | None, kinds: tuple[str, ...], key: str, prefix: str) -> None:
    """Build the store of the sources into the cache folder called key, atomically (temp folder, rename).

    Raises SourceError when a source does not parse (no store is kept then).
    """
    import shutil  # only a rebuild needs these; a warm query stays light
    import tempfile
    from pathlib import Path

    sources = discover(root, kinds)
    target = cache_dir() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    try:
        store = build_store(sources, tmp / "db")
        del store
        try:
            os.rename(tmp, target)
        except OSError:  # another process won the race; its store is identical
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _prune(target, prefix)


def _prune(keep: Path, prefix: str) -> None:
    """Remove stores of older source versions so the cache does not grow without bound."""
    import shutil

    for other in keep.parent.glob(prefix + "*"):
        if other != keep and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)

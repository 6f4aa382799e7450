"""Stage 2: the embedded SPARQL store (pyoxigraph), built once and reused until a source changes.

The store lives in a cache folder named after the sources' fingerprint; it is built in a
temporary folder and renamed into place, so a reader never sees a half-built store.
"""
from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import SourceError
from exo_rdf.sources import KINDS, SourceFile, discover, fingerprint, load_into


def cache_dir() -> Path:
    """Where built stores are kept: ``EXO_RDF_CACHE`` or ``~/.cache/exo-rdf``."""
    base = os.environ.get("EXO_RDF_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "exo-rdf"
    )
    return Path(base)


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
    sources = discover(root, kinds)
    prefix = "store-" + "-".join(kinds) + "--"
    key = prefix + fingerprint(sources)
    target = cache_dir() / key
    if not target.is_dir():
        import shutil  # only a rebuild needs these; a warm query stays light
        import tempfile

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
    try:
        return ox.Store.read_only(str(target / "db"))
    except OSError as exc:
        raise SourceError(f"{target}: the cached store cannot be opened ({exc}); delete the folder and retry") from None


def _prune(keep: Path, prefix: str) -> None:
    """Remove stores of older source versions so the cache does not grow without bound."""
    import shutil

    for other in keep.parent.glob(prefix + "*"):
        if other != keep and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)

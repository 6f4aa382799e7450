"""A workspace folder on disk: its write lock, its manifest file, and the checkpoint that makes a change all or nothing.

A workspace folder (exo_rdf.workspace) holds ``store/`` (a pyoxigraph on-disk store),
``manifest.json`` (written atomically) and, while a change runs, ``checkpoint/``: a RocksDB
checkpoint of the store (hard links, no copy) with the manifest beside it. A file that does not
parse, Ctrl-C, or a crash puts both back (a checkpoint found when the workspace is opened means a
change was killed half-way). One process at a time opens a workspace for writing: it holds an
exclusive lock on the file ``lock``; another is refused.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox

from exo_rdf.errors import WorkspaceError
from exo_rdf.sources import os_reason

MANIFEST = "manifest.json"
FORMAT = 1
CHECKPOINT = "checkpoint"
#: a writable Workspace holds an exclusive lock on this file from before it reads the manifest until close()
LOCK = "lock"


def write_json_atomic(path: Path, data: dict) -> None:
    """Write data as JSON to path through a temporary file and a rename. Raises OSError."""
    from exo_rdf.files import write_atomic

    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def take_lock(folder: Path):
    """Take the workspace's exclusive lock (released when the returned file is closed, or the
    process ends). Raises WorkspaceError when another process holds it."""
    import fcntl

    try:
        handle = open(folder / LOCK, "a")
    except OSError as exc:
        raise WorkspaceError(f"{folder / LOCK}: cannot be opened ({os_reason(exc)}); check the folder's permissions") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise WorkspaceError(f"{folder}: another exo-rdf command is changing this workspace; wait for it to "
                             "finish and run this one again") from None
    return handle


def open_store(folder: Path, create: bool, read_only: bool) -> tuple[dict, ox.Store]:
    """Read the manifest of the workspace in folder (a new one with create) and open its store.

    Raises WorkspaceError when there is no workspace (and not create), the manifest is damaged,
    the folder holds something else, the store cannot be opened, or (read_only) a change is under way.
    """
    manifest_path = folder / MANIFEST
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT:
                raise ValueError(f"format {manifest.get('format')!r}, expected {FORMAT}")
        except (OSError, ValueError, AttributeError) as exc:
            raise WorkspaceError(f"{manifest_path}: not a readable workspace manifest ({exc}); "
                                 "remove the folder and create the workspace again") from None
    elif create and not read_only:
        if folder.exists() and any(p.name != LOCK for p in folder.iterdir()):
            raise WorkspaceError(f"{folder}: the folder is not empty and holds no workspace; give a new or empty folder")
        manifest = {"format": FORMAT, "files": {}}
    else:
        raise WorkspaceError(f"{folder}: no workspace here; create one with "
                             f"'exo-rdf validate --workspace {folder} FILE...'")
    if read_only and (folder / CHECKPOINT).exists():
        raise WorkspaceError(f"{folder}: the workspace is being changed, or a change was killed half-way; wait for "
                             f"it, or undo it with 'exo-rdf validate --workspace {folder}'")
    try:
        if read_only:
            store = ox.Store.read_only(str(folder / "store"))
        else:
            store = ox.Store(str(folder / "store"))
    except OSError as exc:
        raise WorkspaceError(f"{folder}: the workspace store cannot be opened ({os_reason(exc)}); "
                             "is another exo-rdf command using it? Wait for it to finish") from None
    return manifest, store


def write_manifest(folder: Path, manifest: dict) -> None:
    """Write the manifest of the workspace in folder atomically. Raises WorkspaceError when it cannot."""
    try:
        write_json_atomic(folder / MANIFEST, manifest)
    except OSError as exc:
        raise WorkspaceError(f"{folder / MANIFEST}: cannot be written ({os_reason(exc)}); "
                             "check the free space and permissions") from None


def checkpoint(folder: Path, store: ox.Store, manifest: dict) -> None:
    """Snapshot the store (RocksDB checkpoint: hard links, no copy) and the manifest before a change."""
    import shutil

    shutil.rmtree(folder / CHECKPOINT, ignore_errors=True)
    store.flush()
    store.backup(str(folder / CHECKPOINT))
    write_json_atomic(folder / CHECKPOINT / MANIFEST, manifest)


def restore(folder: Path) -> tuple[dict, ox.Store]:
    """Put back the store and manifest of the checkpoint (a change failed or was killed); return
    them. The caller must have let go of the store first: RocksDB locks its folder while open."""
    import shutil

    checkpoint_folder = folder / CHECKPOINT
    failed = folder / "store.failed"
    shutil.rmtree(failed, ignore_errors=True)
    if (folder / "store").exists():
        os.rename(folder / "store", failed)
    os.replace(checkpoint_folder / MANIFEST, folder / MANIFEST)
    os.rename(checkpoint_folder, folder / "store")
    shutil.rmtree(failed, ignore_errors=True)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return manifest, ox.Store(str(folder / "store"))


def discard_checkpoint(folder: Path) -> None:
    """Remove the checkpoint of a change that completed."""
    import shutil

    shutil.rmtree(folder / CHECKPOINT, ignore_errors=True)


def has_checkpoint(folder: Path) -> bool:
    """Whether a complete checkpoint was left behind: a change was killed half-way."""
    return (folder / CHECKPOINT / MANIFEST).is_file()

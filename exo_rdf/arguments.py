"""Checks of the arguments given to the public functions, so that a wrong call raises
ArgumentError (an ExoRdfError and a TypeError) that names the argument, never a raw exception
from deep inside. Paths are accepted as str or os.PathLike everywhere.
"""
from __future__ import annotations

import os

from exo_rdf.errors import ArgumentError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from pathlib import Path


def _kind(value) -> str:
    return type(value).__name__


def as_path(value, name: str) -> Path:
    """value (str or os.PathLike) as a Path; raises ArgumentError naming the argument otherwise."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bool):
        from pathlib import Path

        text = os.fspath(value)
        if isinstance(text, str) and text and "\0" not in text:
            return Path(text)
    raise ArgumentError(f"{name} must be a path (str or os.PathLike), not {_kind(value)} {value!r:.60}")


def as_root(root) -> Path | None:
    """root (None, str or os.PathLike) as a Path or None; raises ArgumentError otherwise."""
    return None if root is None else as_path(root, "root")


def as_paths(values, name: str) -> list[Path] | None:
    """A list of paths (None stays None); raises ArgumentError for a str (one path is not a list) or a non-path item."""
    if values is None:
        return None
    if isinstance(values, (str, bytes, os.PathLike)) or not hasattr(values, "__iter__"):
        raise ArgumentError(f"{name} must be a list of paths, not {_kind(values)} {values!r:.60}")
    return [as_path(v, f"each of {name}") for v in values]


def check_name(name) -> None:
    """Raise ArgumentError unless name is a non-empty str (a stored query's name)."""
    if not isinstance(name, str) or not name:
        raise ArgumentError(f"name must be the str name of a stored query, not {_kind(name)} {name!r:.60}")


def check_kinds(kinds) -> tuple[str, ...]:
    """kinds as a tuple of source kinds (see exo_rdf.sources.KINDS); raises ArgumentError otherwise."""
    from exo_rdf.sources import KINDS

    if isinstance(kinds, (tuple, list)) and all(isinstance(k, str) and k in KINDS for k in kinds):
        return tuple(kinds)
    raise ArgumentError(f"kinds must be a tuple of {', '.join(KINDS)}, not {kinds!r:.60}")


def check_store(store, name: str = "store") -> None:
    """Raise ArgumentError unless store is None or a pyoxigraph Store."""
    if store is None:
        return
    import pyoxigraph as ox

    if not isinstance(store, ox.Store):
        raise ArgumentError(f"{name} must be a pyoxigraph.Store (or None for the embedded store), not {_kind(store)}")


def check_choice(value, name: str, choices) -> None:
    """Raise ArgumentError unless value is one of choices (compared as str)."""
    if not isinstance(value, str) or value not in choices:
        raise ArgumentError(f"{name} must be one of {', '.join(choices)}, not {value!r:.60}")


def check_flag(value, name: str) -> None:
    """Raise ArgumentError unless value is a bool (or None where None means 'decide')."""
    if value is not None and not isinstance(value, bool):
        raise ArgumentError(f"{name} must be True or False, not {_kind(value)} {value!r:.60}")


def check_timeout(timeout_s) -> None:
    """Raise ArgumentError unless timeout_s is None or a positive, finite number of seconds."""
    if timeout_s is None:
        return
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, (int, float)) or not 0 < timeout_s < float("inf"):
        raise ArgumentError(f"timeout_s must be a positive number of seconds or None, not {timeout_s!r:.60}")


def check_run_arguments(text, *, store, bindings, timeout_s) -> None:
    """The checks of exo_rdf.query.run_sparql's arguments."""
    if not isinstance(text, str):
        raise ArgumentError(f"text must be a str of SPARQL, not {_kind(text)}")
    check_store(store)
    if bindings is not None:
        import pyoxigraph as ox

        if not isinstance(bindings, dict):
            raise ArgumentError(f"bindings must be a dict of variable name -> RDF term, not {_kind(bindings)}")
        for key, term in bindings.items():
            if not isinstance(key, str) or not key.isidentifier():
                raise ArgumentError(f"bindings: {key!r:.60} is not a variable name")
            if term is not None and not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
                raise ArgumentError(f"bindings[{key!r}] must be a pyoxigraph term, not {_kind(term)}")
    check_timeout(timeout_s)


def check_stored_arguments(name, params, root) -> None:
    """The checks of exo_rdf.query.run_stored's arguments (params: str names to str values)."""
    check_name(name)
    if params is not None:
        if not isinstance(params, dict):
            raise ArgumentError(f"params must be a dict of parameter name -> str value, not {_kind(params)}")
        for key, value in params.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ArgumentError(f"params must map str names to str values (as on the command line); "
                                    f"got {key!r:.40}: {_kind(value)}")
    as_root(root)

"""The stored query catalogue: one ``queries/<name>.rq`` file per query, metadata in its header.

Header lines, before the query text::

    # title: Exosomal protein biomarkers (Table 2)
    # description: One line on what the query answers.
    # keywords: biomarker, sensitivity
    # param: cancer (string, optional): cancer name, matched case-insensitively
    # param: min_sensitivity (decimal, default 0): lowest sensitivity to keep
    # example: cancer=pancreatic cancer

Example lines give a parameter value that answers something (used by the tests, the benchmark
and the catalogue). Parameter types: string, decimal, integer, iri. A parameter named ``p`` binds the variable ``?p``.
"""
from __future__ import annotations

import os
import re

from exo_rdf.errors import QueryNotFoundError, SourceError
from exo_rdf.sources import project_root, root_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:  # pathlib is imported on use: `exo-rdf query` reads one file and never needs it
    from pathlib import Path

PARAM_TYPES = ("string", "decimal", "integer", "iri")
_FIELD = re.compile(r"^#\s*(title|description|keywords|param|example):\s*(.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)(?:,\s*(?:(?P<required>required)|(?P<optional>optional)|default\s+(?P<default>[^)]+)))?\)\s*:\s*(?P<doc>.+)$"
)


class Parameter:
    """A query parameter: its name (the variable it binds), type, default, and whether it is required."""

    __slots__ = ("name", "type", "required", "default", "description")

    def __init__(self, name: str, type: str, required: bool, default: str | None, description: str):  # noqa: A002
        self.name, self.type, self.required, self.default, self.description = name, type, required, default, description


class StoredQuery:
    """A stored query: its name (file stem), metadata, parameters and SPARQL text.

    Plain classes rather than dataclasses: importing dataclasses costs more than a warm query.
    """

    __slots__ = ("name", "path", "title", "description", "keywords", "parameters", "text", "example")

    def __init__(self, name: str, path: Path | str, title: str, description: str, keywords: tuple[str, ...],
                 parameters: tuple[Parameter, ...] = (), text: str = "", example: dict[str, str] | None = None):
        self.name, self.path, self.title, self.description = name, path, title, description
        self.keywords, self.parameters, self.text = keywords, parameters, text
        self.example = example or {}

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called name, or None."""
        return next((p for p in self.parameters if p.name == name), None)


def queries_dir(root: Path | None = None) -> Path:
    """The folder of stored queries (root: a str or os.PathLike, or None for the project's).

    Raises ArgumentError for a root that is not a path.
    """
    from exo_rdf.arguments import as_root

    return (as_root(root) or project_root()) / "queries"


def read_query(path: Path | str) -> StoredQuery:
    """Read one stored query file (a Path or a path string).

    Raises SourceError naming the file and line when the header is malformed or the title is missing;
    ArgumentError for a path that is not a str or os.PathLike.
    """
    if not isinstance(path, (str, os.PathLike)):
        from exo_rdf.arguments import as_path

        as_path(path, "path")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason}); save the query as UTF-8",
                          path=path) from None
    meta: dict[str, str] = {}
    params: list[Parameter] = []
    example: dict[str, str] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _FIELD.match(line)
        if not m:
            continue
        key, value = m.groups()
        if key == "example":
            name, sep, given = value.partition("=")
            if not sep:
                raise SourceError(f"{path}:{lineno}: write an example as '# example: NAME=VALUE'", path=path, line=lineno)
            example[name.strip()] = given.strip()
            continue
        if key != "param":
            meta[key] = value
            continue
        pm = _PARAM.match(value)
        if not pm or pm["type"] not in PARAM_TYPES:
            raise SourceError(
                f"{path}:{lineno}: malformed parameter line; write '# param: NAME (TYPE[, optional|required|default V]): text' "
                f"with TYPE one of {', '.join(PARAM_TYPES)}",
                path=path,
                line=lineno,
            )
        params.append(
            Parameter(
                name=pm["name"],
                type=pm["type"],
                required=bool(pm["required"]),
                default=pm["default"].strip() if pm["default"] else None,
                description=pm["doc"],
            )
        )
    if "title" not in meta:
        raise SourceError(f"{path}:1: stored query has no '# title:' line", path=path, line=1)
    keywords = tuple(k.strip() for k in meta.get("keywords", "").split(",") if k.strip())
    stem = os.path.splitext(os.path.basename(path))[0]
    return StoredQuery(stem, path, meta["title"], meta.get("description", ""), keywords, tuple(params), text, example)


def catalogue(root: Path | None = None) -> dict[str, StoredQuery]:
    """All stored queries by name, sorted by name (QC checks under queries/checks are not included)."""
    return {p.stem: read_query(p) for p in sorted(queries_dir(root).glob("*.rq"))}


def get_query(name: str, root: Path | None = None) -> StoredQuery:
    """The stored query called name.

    Raises QueryNotFoundError with close names as suggestions when there is none; ArgumentError
    for a name that is not a str or a root that is not a path.
    """
    if not isinstance(name, str) or (root is not None and not isinstance(root, (str, os.PathLike))):
        from exo_rdf.arguments import as_root, check_name

        check_name(name)
        as_root(root)
    folder = os.path.join(os.fspath(root) if root else root_dir(), "queries")
    path = os.path.join(folder, f"{name}.rq")
    if os.path.dirname(os.path.normpath(path)) == os.path.normpath(folder) and os.path.isfile(path):
        return read_query(path)
    import difflib

    names = [p.stem for p in queries_dir(root).glob("*.rq")]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; 'exo-rdf queries' lists them"
    raise QueryNotFoundError(f"no stored query named '{name}'{hint}", suggestions=close)


CATALOGUE_BASE = "https://w3id.org/exo-rdf/queries/"


def catalogue_turtle(root: Path | None = None) -> str:
    """The stored queries as RDF, in the style of SIB's sparql-examples.

    Each query is a ``sh:SPARQLExecutable`` (and ``sh:SPARQLSelectExecutable``) with its text in
    ``sh:select``, its title as ``rdfs:label``, its description as ``rdfs:comment`` and its keywords
    as ``schema:keywords``. ``queries/catalogue.ttl`` holds this text; a test keeps it current.
    """
    import pyoxigraph as ox

    lit = lambda s: str(ox.Literal(s))  # noqa: E731  (escaped Turtle literal)
    out = [
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "@prefix exoq: <" + CATALOGUE_BASE + "> .",
        "@prefix exo: <https://w3id.org/exo-rdf/ontology/> .",
        "",
        "# GENERATED from queries/*.rq by `exo-rdf catalogue`; do not edit by hand.",
        "",
    ]
    for q in catalogue(root).values():
        lines = [
            f"exoq:{q.name} a sh:SPARQLExecutable , sh:SPARQLSelectExecutable",
            f"    rdfs:label {lit(q.title)}",
            f"    rdfs:comment {lit(q.description)}",
            f"    schema:identifier {lit(q.name)}",
        ]
        lines += [f"    schema:keywords {lit(k)}" for k in q.keywords]
        for p in q.parameters:
            default = f"; default {p.default}" if p.default else ""
            need = "required" if p.required else "optional"
            lines.append(f"    schema:parameter {lit(f'{p.name} ({p.type}, {need}{default}): {p.description}')}")
        lines += [f"    exo:exampleParameter {lit(f'{k}={v}')}" for k, v in sorted(q.example.items())]
        lines.append(f"    sh:select {lit(q.text)}")
        out.append(" ;\n".join(lines) + " .\n")
    return "\n".join(out)
